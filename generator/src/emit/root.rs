//! The roots that hold the modules: a crate's `lib.rs`, or the one file a build script
//! writes for `include!`.

use proc_macro2::TokenStream;
use quote::quote;

use super::rust::{ident, inner_doc};
use super::{Body, Gate, Module};
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
        // prettyplease formats these files; rustfmt is told to leave them as written so
        // that `cargo fmt` and the staleness check agree.
        declaration(module, module.gate, quote!(#[rustfmt::skip]), quote!(;))
    });
    // Proving deeply nested requests `Send` (the server's own router test does) needs more
    // than rustc's default recursion limit; `ir` says when.
    let recursion_limit = ir.deep_nesting.is_some().then(|| quote!(#![recursion_limit = "256"]));
    let has_client = modules.iter().any(|module| module.gate == Gate::Feature("client"));
    let tls = has_client.then(|| {
        quote! {
            /// Makes ring the process's rustls crypto provider, unless one is installed,
            /// before the client builds its default HTTP client (feature `rustls-ring`).
            #[cfg(feature = "client")]
            fn install_tls_provider() {
                #[cfg(feature = "rustls-ring")]
                let _ = ::rustls::crypto::ring::default_provider().install_default();
            }
        }
    });
    let skipped = skipped_docs(ir);
    let skipped = quote!(#(#![doc = #skipped])*);
    let foreign_markdown = foreign_markdown_lints();
    quote! {
        #recursion_limit
        #(#![#foreign_markdown])*
        #![doc = #title]
        #![doc = ""]
        #description
        #![doc = " Typed models for every schema, a request struct and a per-status response enum for"]
        #![doc = " every operation."]
        #![doc = ""]
        #![doc = #base_path]
        #skipped

        #(#mods)*

        #tls
    }
}

/// One file of inline modules for `include!`: no inner attributes at the top and no
/// feature gates (the build script chose the parts). Each kept module comes with its
/// contents as tokens.
pub fn emit_single_file(ir: &Ir, kept: Vec<(&Module, TokenStream)>) -> TokenStream {
    // TLS is whatever the including crate's reqwest was built with.
    let tls = kept
        .iter()
        .any(|(module, _)| module.gate == Gate::Feature("client"))
        .then(|| {
            quote! {
                /// The client's TLS is the including crate's choice of reqwest features; there is
                /// no provider to install here.
                fn install_tls_provider() {}
            }
        });
    let mods = kept.into_iter().map(|(module, body)| {
        let gate = match module.gate {
            Gate::Feature(_) => Gate::Always,
            other => other,
        };
        let foreign_markdown = foreign_markdown_lints();
        declaration(module, gate, quote!(#(#[#foreign_markdown])*), quote!({ #body }))
    });
    // An included file has no crate docs: what skip mode left out is said on a module.
    let lines = skipped_docs(ir);
    let skipped = (!lines.is_empty()).then(|| quote!(#(#[doc = #lines])* pub mod skipped {}));
    quote!(#(#mods)* #skipped #tls)
}

/// The clippy lints on the style of doc Markdown, allowed: the docs carry the
/// definition's descriptions as their authors wrote them (a list item continued by an
/// unindented line, or a wrapped one indented to line up with its text, as the cluster
/// API's are), and a user cannot change someone else's definition. `unknown_lints`: the
/// crate builds with Rust 1.85, whose clippy does not know the second one yet. Two
/// attributes, each short enough that prettyplease and rustfmt both keep it on one line.
fn foreign_markdown_lints() -> [TokenStream; 2] {
    [
        quote!(allow(unknown_lints)),
        quote!(allow(
            clippy::doc_lazy_continuation,
            clippy::doc_overindented_list_items
        )),
    ]
}

/// A `# Skipped` section listing what skip mode left out and why; nothing without skips.
fn skipped_docs(ir: &Ir) -> Vec<String> {
    if ir.skipped.is_empty() {
        return Vec::new();
    }
    let mut lines = vec![
        String::new(),
        " # Skipped".to_string(),
        String::new(),
        " Generated in skip mode: these parts of the definition have errors, and the rest".to_string(),
        " was generated without them.".to_string(),
        String::new(),
    ];
    for item in &ir.skipped {
        let what = if item.left_out {
            "left out"
        } else {
            "read as any JSON value (`serde_json::Value`)"
        };
        lines.push(format!(" - {}: {what}: {}.", item.subject, item.reason));
    }
    lines
}

/// The lints the `types` module allows: its response enums hold their bodies by value, as
/// a handler builds them and a client hands them over; boxing the larger variants would
/// cost an allocation per call and buy nothing. One attribute on the module instead of one
/// per operation.
fn types_lints() -> TokenStream {
    quote!(allow(clippy::large_enum_variant))
}

/// `/// doc`, the gate, `attrs`, `pub mod name` and what follows (`;` or `{ .. }`).
///
/// The runtimes (fixed templates) are `#[doc(hidden)]`: users reach what they need of
/// them through the re-exports of `server` and `client`, where rustdoc shows it.
fn declaration(module: &Module, gate: Gate, attrs: TokenStream, rest: TokenStream) -> TokenStream {
    let name = ident(module.name);
    let doc = format!(" {}", module.doc);
    // The runtimes are reached through what `server` and `client` re-export.
    let attrs = match module.body {
        Body::Fixed(_) if module.name.ends_with("_runtime") => quote!(#[doc(hidden)] #attrs),
        _ => attrs,
    };
    let attrs = match module.name {
        "types" => {
            let lints = types_lints();
            quote!(#attrs #[#lints])
        }
        _ => attrs,
    };
    match gate {
        Gate::Always => quote!(#[doc = #doc] #attrs pub mod #name #rest),
        Gate::Test => quote!(#[doc = #doc] #[cfg(test)] #attrs mod #name #rest),
        Gate::Feature(feature) => quote!(#[doc = #doc] #[cfg(feature = #feature)] #attrs pub mod #name #rest),
    }
}
