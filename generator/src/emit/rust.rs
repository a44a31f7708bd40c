//! Small helpers shared by the emitters: identifiers, type tokens, doc attributes.

use proc_macro2::{Ident, Span, TokenStream};
use quote::quote;

use crate::ir::TypeRef;

/// An identifier from a final IR name; `r#name` becomes a raw identifier.
pub fn ident(name: &str) -> Ident {
    match name.strip_prefix("r#") {
        Some(raw) => Ident::new_raw(raw, Span::call_site()),
        None => Ident::new(name, Span::call_site()),
    }
}

/// The Rust type for a [`TypeRef`]; named types are referred to from `crate::types`
/// siblings, so they are written bare.
pub fn type_tokens(ty: &TypeRef) -> TokenStream {
    type_with(ty, &|name| quote!(#name))
}

/// The same type as seen from a sibling of the `types` module, which imports it as
/// `use super::types;`. Generated code never says `crate::`: a build script's output may
/// be included at any module path.
pub fn qualified_type(ty: &TypeRef) -> TokenStream {
    type_with(ty, &|name| quote!(types::#name))
}

/// The type with named types written after `path` (`types::`, or nothing).
pub fn type_with_path(ty: &TypeRef, path: &TokenStream) -> TokenStream {
    type_with(ty, &|name| quote!(#path #name))
}

/// A type's tokens, named types written by `named`.
fn type_with(ty: &TypeRef, named: &dyn Fn(Ident) -> TokenStream) -> TokenStream {
    match ty {
        TypeRef::String => quote!(String),
        TypeRef::I8 => quote!(i8),
        TypeRef::I16 => quote!(i16),
        TypeRef::I32 => quote!(i32),
        TypeRef::I64 => quote!(i64),
        TypeRef::U8 => quote!(u8),
        TypeRef::U16 => quote!(u16),
        TypeRef::U32 => quote!(u32),
        TypeRef::U64 => quote!(u64),
        TypeRef::F64 => quote!(f64),
        TypeRef::Bool => quote!(bool),
        TypeRef::Json => quote!(::serde_json::Value),
        TypeRef::JsonObject => quote!(::serde_json::Map<String, ::serde_json::Value>),
        TypeRef::Vec(item) => {
            let item = type_with(item, named);
            quote!(Vec<#item>)
        }
        TypeRef::Map(value) => {
            let value = type_with(value, named);
            quote!(::std::collections::BTreeMap<String, #value>)
        }
        TypeRef::Named(name) => named(ident(name)),
        TypeRef::Boxed(inner) => {
            let inner = type_with(inner, named);
            quote!(Box<#inner>)
        }
        // `ir` checked that the caller's path parses; `Value` only if it somehow did not.
        TypeRef::External(path) => match syn::parse_str::<syn::TypePath>(path) {
            Ok(path) => quote!(#path),
            Err(_) => quote!(::serde_json::Value),
        },
    }
}

/// `#[doc = " line"]` attributes, one per line, so prettyplease prints `/// line`.
pub fn doc(text: Option<&str>) -> TokenStream {
    let Some(text) = text else { return TokenStream::new() };
    let lines = text.lines().map(doc_line);
    quote!(#(#[doc = #lines])*)
}

/// The definition's docs, or where it gives none a line saying what the item is, so that
/// every public item of a generated crate is documented (`missing_docs`).
pub fn doc_or(text: Option<&str>, fallback: impl FnOnce() -> String) -> TokenStream {
    match text {
        Some(text) => doc(Some(text)),
        None => doc(Some(&fallback())),
    }
}

/// The line a type the definition does not describe gets.
pub fn undescribed_type(name: &str) -> String {
    format!("`{name}`, as the definition gives it (it has no description).")
}

/// `#![doc = " line"]`, for a module's own docs.
pub fn inner_doc(text: Option<&str>) -> TokenStream {
    let Some(text) = text else { return TokenStream::new() };
    let lines = text.lines().map(doc_line);
    quote!(#(#![doc = #lines])* #![doc = ""])
}

fn doc_line(line: &str) -> String {
    if line.is_empty() {
        String::new()
    } else {
        format!(" {line}")
    }
}
