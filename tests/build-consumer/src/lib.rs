//! The leave API, generated at build time into `OUT_DIR` and included here.

include!(concat!(env!("OUT_DIR"), "/leave.rs"));
