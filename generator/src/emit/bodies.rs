//! Request bodies beyond one JSON type: the types that hold them (support types, parts
//! structs, choice enums), how the server reads them and how the client writes them.
//! A body of one JSON encoding keeps the plain JSON path of `server` and `client`.

use proc_macro2::{Literal, TokenStream};
use quote::quote;

use super::rust::{doc, ident, qualified_type, type_tokens};
use crate::ir::{Body, BodyShape, Encoding, EncodingKind, FormValue, Ir, Operation, Part, PartKind};

/// Whether the body takes the plain JSON path: one encoding, JSON.
pub fn is_plain_json(body: &Body) -> bool {
    matches!(
        &body.shape,
        BodyShape::One(Encoding {
            kind: EncodingKind::Json(_),
            ..
        })
    )
}

/// A name of `types`, bare inside it or as `types::Name` from a sibling module.
fn named(name: &str, qualified: bool) -> TokenStream {
    let name = ident(name);
    if qualified { quote!(types::#name) } else { quote!(#name) }
}

fn support(name: &Option<String>, qualified: bool) -> TokenStream {
    // `ir` names a support type whenever a body uses it.
    named(name.as_deref().unwrap_or("String"), qualified)
}

/// The type of the request's `body` field (without the `Option` of an optional body).
pub fn body_type(ir: &Ir, body: &Body, qualified: bool) -> TokenStream {
    match &body.shape {
        BodyShape::One(encoding) => encoding_type(ir, encoding, qualified),
        BodyShape::Choice { name, .. } => named(name, qualified),
    }
}

fn encoding_type(ir: &Ir, encoding: &Encoding, qualified: bool) -> TokenStream {
    let ty = |ty| if qualified { qualified_type(ty) } else { type_tokens(ty) };
    match &encoding.kind {
        EncodingKind::Json(t) | EncodingKind::Form { ty: t, .. } => ty(t),
        EncodingKind::Multipart { name, .. } => named(name, qualified),
        EncodingKind::Binary => support(&ir.body_support.binary, qualified),
        EncodingKind::Text => support(&ir.body_support.text, qualified),
        EncodingKind::FormPairs => quote!(Vec<(String, String)>),
        EncodingKind::PartList => {
            let part = support(&ir.body_support.part, qualified);
            quote!(Vec<#part>)
        }
    }
}

/// The items of `types` that request bodies need: support types, parts structs and
/// choice enums.
pub fn emit_body_types(ir: &Ir) -> TokenStream {
    let mut out = emit_support_types(ir);
    for body in ir
        .operations
        .iter()
        .filter_map(|op| op.body.as_ref().map(|body| (op, body)))
    {
        out.extend(emit_operation_body_types(ir, body.0, body.1));
    }
    out
}

fn emit_support_types(ir: &Ir) -> TokenStream {
    let support = &ir.body_support;
    let file = support.file.as_deref().map(|name| {
        let name = ident(name);
        quote! {
            /// A file sent as one part of a multipart body.
            #[derive(Debug, Clone, PartialEq, Eq)]
            pub struct #name {
                /// The file's bytes.
                pub bytes: ::bytes::Bytes,
                /// The file name the part was sent with, if any.
                pub filename: Option<String>,
                /// The part's `Content-Type`, if any.
                pub content_type: Option<String>,
            }
        }
    });
    let binary = support.binary.as_deref().map(|name| {
        let name = ident(name);
        quote! {
            /// A binary request body and the media type it is sent as.
            #[derive(Debug, Clone, PartialEq, Eq)]
            pub struct #name {
                /// The `Content-Type` (`application/octet-stream`, `image/png`, …).
                pub content_type: String,
                /// The body's bytes, as they stand.
                pub bytes: ::bytes::Bytes,
            }
        }
    });
    let text = support.text.as_deref().map(|name| {
        let name = ident(name);
        quote! {
            /// A text request body and the media type it is sent as. XML and the like are
            /// kept as text: stubforge does not map them.
            #[derive(Debug, Clone, PartialEq, Eq)]
            pub struct #name {
                /// The `Content-Type` (`text/plain`, `application/xml`, …).
                pub content_type: String,
                /// The body's text, as it stands.
                pub text: String,
            }
        }
    });
    let part = support.part.as_deref().map(|name| {
        let name = ident(name);
        quote! {
            /// One part of a multipart body whose definition names no parts: any name,
            /// sent in order.
            #[derive(Debug, Clone, PartialEq, Eq)]
            pub struct #name {
                /// The part's name (`name` of its `Content-Disposition`).
                pub name: String,
                /// The file name the part was sent with, if any.
                pub filename: Option<String>,
                /// The part's `Content-Type`, if any.
                pub content_type: Option<String>,
                /// The part's bytes.
                pub bytes: ::bytes::Bytes,
            }
        }
    });
    quote!(#file #binary #text #part)
}

fn emit_operation_body_types(ir: &Ir, op: &Operation, body: &Body) -> TokenStream {
    let mut out = TokenStream::new();
    for encoding in body.shape.encodings() {
        if let EncodingKind::Multipart { name, parts } = &encoding.kind {
            out.extend(emit_parts_struct(ir, op, name, parts));
        }
    }
    if let BodyShape::Choice { name, variants } = &body.shape {
        let summary = format!(" The request body of `{}`, one variant per way it may be sent.", op.id);
        let name = ident(name);
        let variants = variants.iter().map(|(variant, encoding)| {
            let media = encoding
                .media
                .iter()
                .map(|m| format!("`{m}`"))
                .collect::<Vec<_>>()
                .join(", ");
            let line = format!(" Sent as {media}.");
            let variant = ident(variant);
            let ty = encoding_type(ir, encoding, false);
            quote!(#[doc = #line] #variant(#ty),)
        });
        out.extend(quote! {
            #[doc = #summary]
            #[derive(Debug, Clone, PartialEq)]
            // The alternatives are the definition's own types, used by value.
            #[allow(clippy::large_enum_variant)]
            pub enum #name {
                #(#variants)*
            }
        });
    }
    out
}

fn emit_parts_struct(ir: &Ir, op: &Operation, name: &str, parts: &[Part]) -> TokenStream {
    let summary = format!(" The parts of the `multipart/form-data` body of `{}`.", op.id);
    let name = ident(name);
    let file = support(&ir.body_support.file, false);
    let fields = parts.iter().map(|part| {
        let docs = part.doc.as_deref().map(|text| {
            let docs = doc(Some(text));
            quote!(#docs #[doc = ""])
        });
        let origin = format!(" The part `{}`.", part.wire_name);
        let field = ident(&part.rust_name);
        let ty = match &part.kind {
            PartKind::File => file.clone(),
            PartKind::Files => quote!(Vec<#file>),
            PartKind::Value { ty, .. } => type_tokens(ty),
            PartKind::Values { item, .. } => {
                let item = type_tokens(item);
                quote!(Vec<#item>)
            }
        };
        let ty = match part.kind {
            PartKind::Files | PartKind::Values { .. } => ty,
            _ if part.required => ty,
            _ => quote!(Option<#ty>),
        };
        quote!(#docs #[doc = #origin] pub #field: #ty,)
    });
    quote! {
        #[doc = #summary]
        #[derive(Debug, Clone, PartialEq)]
        pub struct #name {
            #(#fields)*
        }
    }
}

fn form_value(rt: &TokenStream, value: FormValue) -> TokenStream {
    match value {
        FormValue::Text => quote!(#rt::FormValue::Text),
        FormValue::Integer => quote!(#rt::FormValue::Integer),
        FormValue::Number => quote!(#rt::FormValue::Number),
        FormValue::Bool => quote!(#rt::FormValue::Bool),
        FormValue::Json => quote!(#rt::FormValue::Json),
    }
}

/// Server: the statement that picks the encoding from `Content-Type` (415 for an
/// undeclared type) and the `body: …,` field of the request.
/// Server: the encodings a body of several forms may arrive in, for the runtime's check
/// (`rt::Accept::Encodings`): each media type with the encoding it picks and whether it
/// is JSON, and whether a body is required.
pub fn server_accept(body: &Body, rt: &TokenStream) -> TokenStream {
    let encodings = body.shape.encodings();
    let accepted = encodings.iter().enumerate().flat_map(|(i, encoding)| {
        let json = matches!(encoding.kind, EncodingKind::Json(_));
        let i = Literal::usize_unsuffixed(i);
        let mut seen: Vec<String> = Vec::new();
        encoding
            .media
            .iter()
            .map(|media| crate::media_type::essence(media))
            .filter(move |essence| {
                let new = !seen.contains(essence);
                seen.push(essence.clone());
                new
            })
            .map(move |essence| quote!((#essence, #i, #json)))
    });
    let required = body.required;
    quote!(#rt::Accept::Encodings(&[#(#accepted),*], #required))
}

/// Server: the request struct's `body: …,` field, read in the encoding the runtime found
/// (`encoding`, its index in the body's encodings).
pub fn emit_server_body(ir: &Ir, body: &Body, rt: &TokenStream) -> TokenStream {
    let read = |encoding: &Encoding| server_read(ir, encoding, rt);
    match (&body.shape, body.required) {
        (BodyShape::One(encoding), true) => {
            let read = read(encoding);
            quote!(body: #read,)
        }
        (BodyShape::One(encoding), false) => {
            let read = read(encoding);
            quote!(body: if encoding.is_some() { Some(#read) } else { None },)
        }
        (BodyShape::Choice { name, variants }, required) => {
            let name = named(name, true);
            let arms = variants.iter().enumerate().map(|(i, (variant, encoding))| {
                let i = Literal::usize_unsuffixed(i);
                let variant = ident(variant);
                let read = read(encoding);
                if required {
                    quote!(Some(#i) => #name::#variant(#read),)
                } else {
                    quote!(Some(#i) => Some(#name::#variant(#read)),)
                }
            });
            let rest = if required {
                quote!(_ => return Err(#rt::no_request_encoding()),)
            } else {
                quote!(_ => None,)
            };
            quote!(body: match encoding { #(#arms)* #rest },)
        }
    }
}

/// Server: the expression that reads one encoding from `body` (the bytes) and `parts`.
fn server_read(ir: &Ir, encoding: &Encoding, rt: &TokenStream) -> TokenStream {
    match &encoding.kind {
        // The type is the field's or the variant's: inferred.
        EncodingKind::Json(_) => quote!(#rt::json_body(body)?),
        EncodingKind::Form { ty, fields } => {
            let ty = qualified_type(ty);
            let fields = fields.iter().map(|field| {
                let wire = &field.wire_name;
                let value = form_value(rt, field.value);
                let repeated = field.repeated;
                quote!((#wire, #value, #repeated))
            });
            quote!(#rt::form_body::<#ty>(body, &[#(#fields),*])?)
        }
        EncodingKind::Multipart { name, parts } => {
            let name = named(name, true);
            let file = support(&ir.body_support.file, true);
            let make = quote!(|bytes, filename, content_type| #file { bytes, filename, content_type });
            let fields = parts.iter().map(|part| {
                let field = ident(&part.rust_name);
                let wire = &part.wire_name;
                let value = match &part.kind {
                    PartKind::File => quote!(#rt::file_part(&read, #wire, #make)),
                    PartKind::Files => return quote!(#field: #rt::file_parts(&read, #wire, #make),),
                    PartKind::Value { ty, value } => {
                        let ty = qualified_type(ty);
                        let value = form_value(rt, *value);
                        quote!(#rt::value_part::<#ty>(&read, #wire, #value)?)
                    }
                    PartKind::Values { item, value } => {
                        let item = qualified_type(item);
                        let value = form_value(rt, *value);
                        return quote!(#field: #rt::value_parts::<#item>(&read, #wire, #value)?,);
                    }
                };
                if part.required {
                    quote!(#field: #rt::required_part(#value, #wire)?,)
                } else {
                    quote!(#field: #value,)
                }
            });
            quote!({
                let read = #rt::multipart_parts(&parts.headers, body.bytes())?;
                #name { #(#fields)* }
            })
        }
        EncodingKind::Binary => {
            let name = support(&ir.body_support.binary, true);
            quote!(#name {
                content_type: #rt::content_type_or(&parts.headers, "application/octet-stream"),
                bytes: body.bytes(),
            })
        }
        EncodingKind::Text => {
            let name = support(&ir.body_support.text, true);
            quote!(#name {
                content_type: #rt::content_type_or(&parts.headers, "text/plain"),
                text: #rt::text_body(body)?,
            })
        }
        EncodingKind::FormPairs => quote!(#rt::form_pairs(body)?),
        EncodingKind::PartList => {
            let name = support(&ir.body_support.part, true);
            quote! {
                #rt::multipart_parts(&parts.headers, body.bytes())?
                    .into_iter()
                    .map(|part| #name {
                        name: part.name,
                        filename: part.filename,
                        content_type: part.content_type,
                        bytes: part.bytes,
                    })
                    .collect()
            }
        }
    }
}

/// Client: the statements that write `request.body` into `call`.
pub fn emit_client_body(body: &Body) -> TokenStream {
    let write = match &body.shape {
        BodyShape::One(encoding) => client_write(encoding, &quote!(body)),
        BodyShape::Choice { name, variants } => {
            let name = named(name, true);
            let arms = variants.iter().map(|(variant, encoding)| {
                let variant = ident(variant);
                let write = client_write(encoding, &quote!(value));
                quote!(#name::#variant(value) => { #write })
            });
            quote!(match body { #(#arms)* })
        }
    };
    if body.required {
        quote! {
            let body = &request.body;
            #write
        }
    } else {
        quote! {
            if let Some(body) = &request.body {
                #write
            }
        }
    }
}

/// Client: writes `value` (a reference to the encoding's type) as the body.
fn client_write(encoding: &Encoding, value: &TokenStream) -> TokenStream {
    let media = encoding
        .media
        .first()
        .map(|media| crate::media_type::concrete(media))
        .unwrap_or_default();
    match &encoding.kind {
        EncodingKind::Json(_) => quote!(call.json_body(#value, #media);),
        EncodingKind::Form { .. } => quote!(call.form_body(#value, #media);),
        EncodingKind::Multipart { parts, .. } => {
            let writes = parts.iter().map(|part| {
                let field = ident(&part.rust_name);
                let wire = &part.wire_name;
                // `item` is a place of the part's type (`value.file`) or a reference to
                // one (`item`); fields are reached through either.
                let one = |item: TokenStream, value: TokenStream| match &part.kind {
                    PartKind::File | PartKind::Files => quote!(
                        form.file(#wire, &#item.bytes, #item.filename.as_deref(), #item.content_type.as_deref());
                    ),
                    PartKind::Value {
                        value: FormValue::Json, ..
                    } => quote!(form.json(#wire, #value);),
                    PartKind::Value { .. } | PartKind::Values { .. } => quote!(form.text(#wire, #value);),
                };
                match part.kind {
                    PartKind::Files | PartKind::Values { .. } => {
                        let write = one(quote!(item), quote!(item));
                        quote!(for item in &#value.#field { #write })
                    }
                    _ if part.required => one(quote!(#value.#field), quote!(&#value.#field)),
                    _ => {
                        let write = one(quote!(item), quote!(item));
                        quote!(if let Some(item) = &#value.#field { #write })
                    }
                }
            });
            quote! {
                let mut form = super::client_runtime::MultipartWriter::new(call.operation());
                #(#writes)*
                call.multipart_body(form);
            }
        }
        EncodingKind::Binary => {
            quote!(call.raw_body(#value.bytes.to_vec(), &#value.content_type);)
        }
        EncodingKind::Text => {
            quote!(call.raw_body(#value.text.clone().into_bytes(), &#value.content_type);)
        }
        EncodingKind::FormPairs => quote!(call.form_pairs_body(#value, #media);),
        EncodingKind::PartList => quote! {
            let mut form = super::client_runtime::MultipartWriter::new(call.operation());
            for part in #value {
                form.part(&part.name, &part.bytes, part.filename.as_deref(), part.content_type.as_deref());
            }
            call.multipart_body(form);
        },
    }
}
