//! The room directory API's types, generated at build time with per-type options and
//! included here.

include!(concat!(env!("OUT_DIR"), "/room_directory.rs"));
