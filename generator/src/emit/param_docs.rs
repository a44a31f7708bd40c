//! The module of parameter descriptions many operations share (see
//! [`crate::ir::param_docs`]), and the one-line doc of a field that links there.

use proc_macro2::TokenStream;
use quote::quote;

use super::rust::{doc, ident};
use crate::ir::param_docs::{MAX_INLINE_CHARS, SharedParamDoc};
use crate::ir::{Ir, Param, ParamLocation};

/// `path`, `query`, … as the docs say it.
pub fn location_word(location: ParamLocation) -> &'static str {
    match location {
        ParamLocation::Path => "path",
        ParamLocation::Query => "query",
        ParamLocation::Header => "header",
        ParamLocation::Cookie => "cookie",
    }
}

/// The module, when any description is shared: a documented constant per description,
/// holding the parameter's wire name.
pub fn emit_module(ir: &Ir) -> TokenStream {
    let shared = &ir.models.param_docs;
    let Some(module) = &shared.module else {
        return TokenStream::new();
    };
    let module = ident(module);
    let entries = shared.entries.iter().map(emit_entry);
    quote! {
        pub mod #module {
            #![doc = " Descriptions of parameters that many operations share, each written once: the"]
            #![doc = " request structs' fields link here. Each constant is its parameter's name on the wire."]
            #(#entries)*
        }
    }
}

fn emit_entry(entry: &SharedParamDoc) -> TokenStream {
    let where_ = location_word(entry.location);
    let origin = format!(
        " The `{}` {where_} parameter, in the requests of {} operations.",
        entry.wire_name, entry.uses
    );
    let docs = doc(Some(&entry.doc));
    let name = ident(&entry.name);
    let wire = &entry.wire_name;
    quote! {
        #docs
        #[doc = ""]
        #[doc = #origin]
        pub const #name: &str = #wire;
    }
}

/// A field's docs when its description is shared: one line that links to it.
pub fn shared_field_doc(ir: &Ir, param: &Param) -> Option<TokenStream> {
    let module = ir.models.param_docs.module.as_deref()?;
    let entry = ir.models.param_docs.of(param)?;
    let line = format!(
        " The `{}` {} parameter: see [`{module}::{}`].",
        param.wire_name,
        location_word(param.location),
        entry.name
    );
    Some(quote!(#[doc = #line]))
}

/// Whether a description reads well as one line beside a note: one short line that is
/// plain text, not a list, heading, quote, table or code.
pub fn fits_one_line(text: &str) -> bool {
    let text = text.trim();
    !text.is_empty()
        && !text.contains('\n')
        && text.chars().count() <= MAX_INLINE_CHARS
        && !text.contains("```")
        && !text.starts_with(['#', '-', '*', '+', '>', '|'])
}

/// A short description with the field's origin appended on the same line: `The room ID
/// that is about to be left (the `roomId` path parameter).`; `None` when it does not
/// fit on one line or ends in a way that would read oddly before the note.
pub fn with_note(text: &str, origin: &str) -> Option<String> {
    if !fits_one_line(text) {
        return None;
    }
    let text = text.trim();
    let stem = text.strip_suffix('.').unwrap_or(text);
    let plain_end = stem
        .chars()
        .last()
        .is_some_and(|c| c.is_alphanumeric() || matches!(c, '`' | ')' | '"' | '\'' | '*' | '_'));
    plain_end.then(|| format!(" {stem} ({origin})."))
}
