//! The files stubforge copies into every crate it generates, kept as the text it writes.
//!
//! They live in their own package so that the generator can be packaged and installed:
//! a package may only embed files inside its own folder. The runtimes are compiled in the
//! generated crates (and checked there by clippy), not here.

/// The server runtime, written as `src/server_runtime.rs` of a generated crate.
pub const SERVER_RUNTIME: &str = include_str!("server_runtime.rs");

/// The client runtime, written as `src/client_runtime.rs` of a generated crate.
pub const CLIENT_RUNTIME: &str = include_str!("client_runtime.rs");

/// How struct models are read and written (serde), written as `src/types_runtime.rs` of
/// a generated crate that has one.
pub const TYPES_RUNTIME: &str = include_str!("types_runtime.rs");

/// Matrix federation's `X-Matrix` signer, verifier and key stores, written as
/// `src/x_matrix.rs` of a Matrix-dialect crate (cargo feature `x-matrix`).
pub const X_MATRIX: &str = include_str!("x_matrix.rs");

/// The generated crate's `Cargo.toml`, before its name line is filled in.
pub const CARGO_TOML: &str = include_str!("generated.Cargo.toml");
