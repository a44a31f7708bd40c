//! Stage `emit`: token streams from the IR, one small function per generated item.
//! Nothing here fails and nothing here touches text: `write` formats the tokens.

mod client;
mod examples;
mod rust;
mod types;

use proc_macro2::TokenStream;
use quote::quote;

use crate::ir::Ir;

/// One generated Rust module: its file stem (`types` → `src/types.rs`) and its tokens.
pub struct Module {
    pub name: &'static str,
    pub tokens: TokenStream,
}

/// The modules of the generated crate, `lib` first.
pub fn emit(ir: &Ir) -> Vec<Module> {
    vec![
        Module {
            name: "lib",
            tokens: emit_lib(ir),
        },
        Module {
            name: "types",
            tokens: types::emit_types(ir),
        },
        Module {
            name: "examples",
            tokens: examples::emit_examples(ir),
        },
        Module {
            name: "client",
            tokens: client::emit_client(ir),
        },
    ]
}

/// A module written as it stands, from a template: its file stem and its source.
pub struct FixedModule {
    pub name: &'static str,
    pub source: &'static str,
}

/// The modules that do not depend on the definition.
pub fn fixed_modules() -> Vec<FixedModule> {
    vec![FixedModule {
        name: "client_runtime",
        source: client::RUNTIME,
    }]
}

fn emit_lib(ir: &Ir) -> TokenStream {
    let title = format!(" {} (version {}).", ir.title, ir.version);
    let description = rust::inner_doc(ir.description.as_deref());
    let base_path = if ir.base_path.is_empty() {
        String::new()
    } else {
        format!(" Every path is under `{}`.", ir.base_path)
    };
    quote! {
        #![doc = #title]
        #![doc = ""]
        #description
        #![doc = " Typed models for every schema, a request struct and a per-status response enum for"]
        #![doc = " every operation."]
        #![doc = #base_path]

        // prettyplease formats these modules; rustfmt is told to leave them as written so
        // that `cargo fmt` and the staleness check agree.
        #[rustfmt::skip]
        pub mod types;

        #[cfg(test)]
        #[rustfmt::skip]
        mod examples;

        /// The reqwest client (cargo feature `client`, on by default).
        #[cfg(feature = "client")]
        #[rustfmt::skip]
        pub mod client;

        /// What the client is built on; its public items are re-exported by `client`.
        #[cfg(feature = "client")]
        #[rustfmt::skip]
        pub mod client_runtime;
    }
}
