//! The generic enums of response bodies that share their media types (see
//! `ir::body_shapes`): the enum in `types` with an alias per body, the server's writer
//! and the client's reader, each once per shape instead of once per body.

use proc_macro2::{Ident, Literal, TokenStream};
use quote::{format_ident, quote};

use super::media;
use super::rust::{ident, type_tokens};
use crate::ir::body_shapes::BodyShape;
use crate::ir::{Ir, MediaForm, MediaKind};

/// The type parameters of a shape: `T` for one JSON form, `T1`, `T2`, … for several.
fn params(shape: &BodyShape) -> Vec<Ident> {
    match shape.params() {
        0 => Vec::new(),
        1 => vec![format_ident!("T")],
        n => (1..=n).map(|i| format_ident!("T{}", i)).collect(),
    }
}

/// `<T>`, `<T: bound>` or nothing: a shape without JSON forms is a plain enum.
fn generics(params: &[Ident], bound: Option<&TokenStream>) -> TokenStream {
    if params.is_empty() {
        return TokenStream::new();
    }
    let bound = bound.map(|bound| quote!(: #bound));
    quote!(<#(#params #bound),*>)
}

/// Each variant's payload type, the JSON ones as the shape's parameters.
fn payloads(ir: &Ir, shape: &BodyShape, path: &TokenStream) -> Vec<TokenStream> {
    let mut params = params(shape).into_iter();
    shape
        .forms
        .iter()
        .map(|(_, form)| match form.kind {
            MediaKind::Json(_) => {
                let param = params.next();
                quote!(#param)
            }
            _ => media::form_type(ir, form, path),
        })
        .collect()
}

/// The shared enums, in `types`.
pub fn emit_shape_enums(ir: &Ir) -> TokenStream {
    ir.body_shapes
        .shapes
        .iter()
        .map(|shape| {
            let name = ident(&shape.name);
            let params = params(shape);
            let summary = if params.is_empty() {
                " A response body in one of several media types, shared by the responses that declare these same types."
            } else if params.len() == 1 {
                " A response body in one of several media types, shared by the responses that declare these same types; `T` is the type of its JSON form."
            } else {
                " A response body in one of several media types, shared by the responses that declare these same types; `T1`, `T2`, … are the types of its JSON forms."
            };
            let variants = shape.forms.iter().zip(payloads(ir, shape, &TokenStream::new())).map(|((variant, form), ty)| {
                let line = format!(" Sent as `{}`.", form.declared.join("`, `"));
                let variant = ident(variant);
                quote! {
                    #[doc = #line]
                    #variant(#ty),
                }
            });
            let declared = generics(&params, None);
            quote! {
                #[doc = #summary]
                #[derive(Debug, Clone, PartialEq)]
                // A JSON form holds the definition's own type by value, beside bytes or text.
                #[allow(clippy::large_enum_variant)]
                pub enum #name #declared {
                    #(#variants)*
                }
            }
        })
        .collect()
}

/// The body enum of one response as an alias of its shape, when it has one.
pub fn emit_alias(ir: &Ir, name: &str, forms: &[(String, MediaForm)], summary: &str) -> Option<TokenStream> {
    let (shape, args) = ir.body_shapes.of(name, forms)?;
    let name = ident(name);
    let shape = ident(&shape.name);
    let args: Vec<TokenStream> = args.into_iter().map(type_tokens).collect();
    let args = (!args.is_empty()).then(|| quote!(<#(#args),*>));
    Some(quote! {
        #[doc = #summary]
        pub type #name = #shape #args;
    })
}

/// The server's writer of each shape: the variant says the media type.
pub fn emit_server_writers(ir: &Ir, rt: &TokenStream) -> TokenStream {
    ir.body_shapes
        .shapes
        .iter()
        .map(|shape| {
            let name = ident(&shape.name);
            let params = params(shape);
            let arms = shape.forms.iter().map(|(variant, form)| {
                let variant = ident(variant);
                let write = super::server::write_form(form, &quote!(body), &quote!(status));
                quote!(Self::#variant(body) => #write,)
            });
            let (bounded, used) = (
                generics(&params, Some(&quote!(::serde::Serialize))),
                generics(&params, None),
            );
            quote! {
                impl #bounded #rt::WriteBody for types::#name #used {
                    fn write(self, status: u16) -> Result<::axum::response::Response, #rt::ServerError> {
                        match self {
                            #(#arms)*
                        }
                    }
                }
            }
        })
        .collect()
}

/// The client's reader of each shape: the `Content-Type` that came picks the variant.
pub fn emit_client_readers(ir: &Ir) -> TokenStream {
    ir.body_shapes
        .shapes
        .iter()
        .map(|shape| {
            let name = ident(&shape.name);
            let params = params(shape);
            let declared = shape.forms.iter().map(|(_, form)| {
                let declared = &form.declared;
                quote!(&[#(#declared),*])
            });
            let arms = shape.forms.iter().enumerate().map(|(i, (variant, form))| {
                let variant = ident(variant);
                let read = super::client::read_form(ir, form);
                let i = Literal::usize_unsuffixed(i);
                quote!(Some(#i) => Self::#variant(#read),)
            });
            let bound = quote!(::serde::de::DeserializeOwned);
            let (bounded, used) = (generics(&params, Some(&bound)), generics(&params, None));
            quote! {
                impl #bounded runtime::ReadBody for types::#name #used {
                    fn read(reply: runtime::Reply) -> Result<Self, ClientError> {
                        Ok(match reply.media_index(&[#(#declared),*]) {
                            #(#arms)*
                            _ => return Err(reply.unexpected_media_type()),
                        })
                    }
                }
            }
        })
        .collect()
}

/// The client's call reading a body of a shared shape (a `Result`); the shape is the type
/// of the variant the body goes into.
pub fn client_read(ir: &Ir, name: &str) -> Option<TokenStream> {
    ir.body_shapes
        .of_body
        .contains_key(name)
        .then(|| quote!(reply.read_body()))
}
