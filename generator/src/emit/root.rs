//! The roots that hold the modules: a crate's `lib.rs`, or the one file a build script
//! writes for `include!`.

use proc_macro2::TokenStream;
use quote::quote;

use super::rust::{ident, inner_doc};
use super::{Gate, Module};
use crate::ir::Ir;

/// `lib.rs` of the generated crate: crate docs and one `mod` line per module file.
pub fn emit_crate_root(ir: &Ir, modules: &[Module]) -> TokenStream {
    let title = format!(" {} (version {}).", ir.title, ir.version);
    let description = inner_doc(ir.description.as_deref());
    let base_path = if ir.base_path.is_empty() {
        String::new()
    } else {
        format!(" Every path is under `{}`.", ir.base_path)
    };
    let mods = modules.iter().map(|module| {
        let name = ident(module.name);
        let gate = match module.gate {
            Gate::Always => TokenStream::new(),
            Gate::Test => quote!(#[cfg(test)]),
        };
        // prettyplease formats these files; rustfmt is told to leave them as written so
        // that `cargo fmt` and the staleness check agree.
        match module.gate {
            Gate::Test => quote!(#gate #[rustfmt::skip] mod #name;),
            _ => quote!(#gate #[rustfmt::skip] pub mod #name;),
        }
    });
    quote! {
        #![doc = #title]
        #![doc = ""]
        #description
        #![doc = " Typed models for every schema, a request struct and a per-status response enum for"]
        #![doc = " every operation."]
        #![doc = ""]
        #![doc = #base_path]

        #(#mods)*
    }
}

/// One file of inline modules, for `include!`: no inner attributes at the top, and only
/// the modules `keep` selects.
pub fn emit_single_file(modules: Vec<Module>, keep: impl Fn(&Module) -> bool) -> TokenStream {
    let mods = modules.into_iter().filter(|m| keep(m)).map(|module| {
        let name = ident(module.name);
        let tokens = module.tokens;
        match module.gate {
            Gate::Test => quote!(#[cfg(test)] mod #name { #tokens }),
            _ => quote!(pub mod #name { #tokens }),
        }
    });
    quote!(#(#mods)*)
}
