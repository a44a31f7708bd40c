//! Stage `emit`: token streams from the IR, one small function per generated item.
//! Nothing here fails and nothing here touches text: `write` formats the tokens.

mod bodies;
mod body_shapes;
mod client;
mod constructors;
mod enums;
mod examples;
mod media;
mod param_docs;
mod params;
mod profile;
mod root;
mod rust;
mod server;
mod types;
pub mod x_matrix;

use proc_macro2::TokenStream;

use crate::ir::Ir;

pub use root::{emit_crate_root, emit_single_file};

/// When a module is compiled.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Gate {
    Always,
    /// Only in tests (`#[cfg(test)]`).
    Test,
    /// Behind a cargo feature of the generated crate (`#[cfg(feature = "client")]`); in a
    /// single file, present only when the settings ask for that part.
    Feature(&'static str),
}

/// What a module holds.
pub enum Body {
    /// Emitted from the definition when it is laid out, so that only one module's tokens
    /// (the largest part of generation's memory on a big definition) are alive at a time.
    Emitted(fn(&Ir) -> TokenStream),
    /// A template that does not depend on the definition, written as it stands (valid
    /// Rust on its own; `templates/`).
    Fixed(&'static str),
}

/// One generated Rust module: its name (`types` → `src/types.rs` or `mod types { .. }`),
/// when it is compiled, the docs on its `mod` line, and what it holds. Bodies never say
/// `crate::` and hold no inner attributes but docs, so that they work as a file and as an
/// inline module alike.
pub struct Module {
    pub name: &'static str,
    pub gate: Gate,
    pub doc: &'static str,
    pub body: Body,
}

/// Helpers the server module calls; valid Rust on its own, copied as it is.
const SERVER_RUNTIME: &str = stubforge_templates::SERVER_RUNTIME;

/// The modules generated from a definition, in the order the crate root lists them.
pub fn emit(ir: &Ir) -> Vec<Module> {
    let mut modules = vec![
        Module {
            name: "types",
            gate: Gate::Always,
            doc: "Models for every schema, and each operation's request struct and response enum.",
            body: Body::Emitted(types::emit_types),
        },
        Module {
            name: "examples",
            gate: Gate::Test,
            doc: "The definition's examples, each read into its type and written back (or rejected).",
            body: Body::Emitted(examples::emit_examples),
        },
        Module {
            name: "server",
            gate: Gate::Feature("server"),
            doc: "The axum server stub: the API trait and `router` over it (cargo feature `server`).",
            body: Body::Emitted(server::emit_server),
        },
        Module {
            name: "server_runtime",
            gate: Gate::Feature("server"),
            doc: "What the server is built on; what users need of it is re-exported by `server`.",
            body: Body::Fixed(SERVER_RUNTIME),
        },
        Module {
            name: "client",
            gate: Gate::Feature("client"),
            doc: "The reqwest client (cargo feature `client`, on by default).",
            body: Body::Emitted(client::emit_client),
        },
        Module {
            name: "client_runtime",
            gate: Gate::Feature("client"),
            doc: "What the client is built on; its public items are re-exported by `client`.",
            body: Body::Fixed(client::RUNTIME),
        },
    ];
    if types::has_struct_models(ir) {
        // Right after `types`, which is the only module that uses it.
        modules.insert(
            1,
            Module {
                name: "types_runtime",
                gate: Gate::Always,
                doc: "How the struct models are read and written; used by `types`.",
                body: Body::Fixed(stubforge_templates::TYPES_RUNTIME),
            },
        );
    }
    if x_matrix::applies(ir) {
        modules.push(Module {
            name: "x_matrix",
            gate: Gate::Feature(x_matrix::FEATURE),
            doc: "`X-Matrix` request signing and verification, canonical JSON and server keys (cargo feature `x-matrix`).",
            body: Body::Fixed(x_matrix::TEMPLATE),
        });
    }
    modules
}
