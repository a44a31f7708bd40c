//! Stage `emit`: token streams from the IR, one small function per generated item.
//! Nothing here fails and nothing here touches text: `write` formats the tokens.

mod examples;
mod rust;
mod server;
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
            name: "server",
            tokens: server::emit_server(ir),
        },
    ]
}

/// Helpers the server module calls; valid Rust on its own, copied as it is.
pub const SERVER_RUNTIME: &str = include_str!("../../../templates/server_runtime.rs");

/// Fixed modules written next to the emitted ones: file stem and text.
pub fn fixed_modules() -> Vec<(&'static str, &'static str)> {
    vec![("server_runtime", SERVER_RUNTIME)]
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

        /// The axum server stub: the API trait and `router` over it.
        #[cfg(feature = "server")]
        #[rustfmt::skip]
        pub mod server;

        // Public so that helpers a definition does not call are not dead code; what users
        // need of it is re-exported from `server`.
        #[cfg(feature = "server")]
        #[doc(hidden)]
        #[rustfmt::skip]
        pub mod server_runtime;
    }
}
