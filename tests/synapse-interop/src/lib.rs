//! Tests only: see `tests/synapse.rs`.
