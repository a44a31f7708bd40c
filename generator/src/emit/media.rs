//! What the three emitters share about response variants: the shape of a variant (which
//! fields it has) and the Rust type of each body form.

use proc_macro2::TokenStream;
use quote::quote;

use super::rust::{ident, type_with_path};
use crate::ir::{Ir, MediaForm, MediaKind, Response, ResponseBody};

/// How a variant holds what it carries.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Shape {
    /// `Ok`: an exact status, no body, no headers.
    Unit,
    /// `Ok(body)`: an exact status with a body and no headers.
    Tuple,
    /// `Ok { status?, body?, headers… }`: a range or `default` status, or headers.
    Fields,
}

pub fn shape(response: &Response) -> Shape {
    match (response.status.exact(), &response.body, response.headers.is_empty()) {
        (Some(_), None, true) => Shape::Unit,
        (Some(_), Some(_), true) => Shape::Tuple,
        _ => Shape::Fields,
    }
}

/// The variant's field names, in order: `status` (ranges and `default`), `body`, then
/// each header's field.
pub fn field_names(response: &Response) -> Vec<proc_macro2::Ident> {
    let status = response.status.exact().is_none().then(|| ident("status"));
    let body = response.body.is_some().then(|| ident("body"));
    let headers = response.headers.iter().map(|h| ident(&h.rust_name));
    status.into_iter().chain(body).chain(headers).collect()
}

/// The pattern or constructor of a variant with its fields bound to their own names.
pub fn bind(response_path: &TokenStream, response: &Response) -> TokenStream {
    let variant = ident(&response.variant);
    match shape(response) {
        Shape::Unit => quote!(#response_path::#variant),
        Shape::Tuple => quote!(#response_path::#variant(body)),
        Shape::Fields => {
            let fields = field_names(response);
            quote!(#response_path::#variant { #(#fields),* })
        }
    }
}

/// The body's type, named types written through `path` (`quote!()` inside `types`,
/// `quote!(types::)` beside it).
pub fn body_type(ir: &Ir, body: &ResponseBody, path: &TokenStream) -> TokenStream {
    match body {
        ResponseBody::One(form) => form_type(ir, form, path),
        ResponseBody::Several { name, .. } => {
            let name = ident(name);
            quote!(#path #name)
        }
    }
}

/// One form's type: its JSON type, `String`, `Bytes`, or either held with its content
/// type when the declared type names no single one.
pub fn form_type(ir: &Ir, form: &MediaForm, path: &TokenStream) -> TokenStream {
    let raw = match &form.kind {
        MediaKind::Json(ty) => return type_with_path(ty, path),
        MediaKind::Text => quote!(String),
        MediaKind::Bytes => quote!(::bytes::Bytes),
    };
    match (&ir.typed_body, form.carries_content_type()) {
        (Some(typed), true) => {
            let typed = ident(typed);
            quote!(#path #typed<#raw>)
        }
        _ => raw,
    }
}
