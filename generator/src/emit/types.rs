//! The `types` module: serde models, request structs and response enums.

use proc_macro2::TokenStream;
use quote::quote;

use super::rust::{doc, ident, type_tokens};
use crate::ir::{
    Body, EnumValue, ExtraMembers, Field, Ir, Operation, Param, ParamLocation, Response, ResponseStatus, StructDef,
    TypeDef, TypeKind, TypeRef, UnionVariant,
};

pub fn emit_types(ir: &Ir) -> TokenStream {
    let models = ir.types.values().map(emit_type);
    let requests = ir.operations.iter().map(emit_request);
    let responses = ir.operations.iter().map(emit_response);
    let helper = needs_deserialize_some(ir).then(emit_deserialize_some);
    quote! {
        #(#models)*
        #(#requests)*
        #(#responses)*
        #helper
    }
}

fn needs_deserialize_some(ir: &Ir) -> bool {
    ir.types.values().any(|def| match &def.kind {
        TypeKind::Struct(s) => s.fields.iter().any(|f| !f.required && f.nullable),
        _ => false,
    })
}

fn emit_deserialize_some() -> TokenStream {
    quote! {
        /// Reads a member that is present, even as `null`, as `Some`, so that an absent
        /// member and an explicit `null` stay apart when the value is written back.
        fn deserialize_some<'de, D, T>(deserializer: D) -> Result<Option<T>, D::Error>
        where
            D: ::serde::Deserializer<'de>,
            T: ::serde::Deserialize<'de>,
        {
            <T as ::serde::Deserialize<'de>>::deserialize(deserializer).map(Some)
        }
    }
}

fn emit_type(def: &TypeDef) -> TokenStream {
    match &def.kind {
        TypeKind::Struct(s) => emit_struct(def, s),
        TypeKind::Tuple(items) => emit_tuple(def, items),
        TypeKind::StringEnum(values) => emit_string_enum(def, values),
        TypeKind::Union(variants) => emit_union(def, variants),
        TypeKind::Newtype(inner) => emit_newtype(def, inner),
        TypeKind::Alias(target) => {
            let docs = doc(def.doc.as_deref());
            let name = ident(&def.name);
            let target = type_tokens(target);
            quote! {
                #docs
                pub type #name = #target;
            }
        }
    }
}

fn serde_derives() -> TokenStream {
    quote!(Debug, Clone, PartialEq, ::serde::Serialize, ::serde::Deserialize)
}

fn emit_struct(def: &TypeDef, s: &StructDef) -> TokenStream {
    let docs = doc(def.doc.as_deref());
    let name = ident(&def.name);
    let derives = serde_derives();
    let fields = s.fields.iter().map(emit_field);
    let (deny, extra) = match &s.extra {
        ExtraMembers::Rejected => (quote!(#[serde(deny_unknown_fields)]), TokenStream::new()),
        ExtraMembers::Kept { field, value } => {
            let field = ident(field);
            let map = match value {
                TypeRef::Json => quote!(::serde_json::Map<String, ::serde_json::Value>),
                other => {
                    let value = type_tokens(other);
                    quote!(::std::collections::BTreeMap<String, #value>)
                }
            };
            (
                TokenStream::new(),
                quote! {
                    /// Members the definition does not name, kept so that nothing is lost
                    /// when the value is written back.
                    #[serde(flatten)]
                    pub #field: #map,
                },
            )
        }
    };
    quote! {
        #docs
        #[derive(#derives)]
        #deny
        pub struct #name {
            #(#fields)*
            #extra
        }
    }
}

fn emit_field(field: &Field) -> TokenStream {
    let docs = doc(field.doc.as_deref());
    let name = ident(&field.rust_name);
    let bare = field.rust_name.trim_start_matches("r#");
    let wire = &field.wire_name;
    let rename = (bare != wire).then(|| quote!(#[serde(rename = #wire)]));
    let ty = type_tokens(&field.ty);
    let (ty, skip) = if !field.required && field.nullable {
        // Absent and `null` are different answers: `None` and `Some(None)`.
        (
            quote!(Option<Option<#ty>>),
            quote!(#[serde(default, skip_serializing_if = "Option::is_none", deserialize_with = "deserialize_some")]),
        )
    } else if !field.required {
        (
            quote!(Option<#ty>),
            quote!(#[serde(default, skip_serializing_if = "Option::is_none")]),
        )
    } else if field.nullable {
        (quote!(Option<#ty>), TokenStream::new())
    } else {
        (ty, TokenStream::new())
    };
    quote! {
        #docs
        #rename
        #skip
        pub #name: #ty,
    }
}

fn emit_tuple(def: &TypeDef, items: &[TypeRef]) -> TokenStream {
    let shape = " Written as a JSON array with exactly these positions.";
    let docs = match &def.doc {
        Some(text) => {
            let docs = doc(Some(text));
            quote!(#docs #[doc = ""] #[doc = #shape])
        }
        None => quote!(#[doc = #shape]),
    };
    let name = ident(&def.name);
    let derives = serde_derives();
    let types = items.iter().map(type_tokens);
    let layout = if items.len() == 1 {
        // A one-field tuple struct would be a transparent newtype; `(T,)` keeps the array.
        quote!((pub (#(#types,)*));)
    } else {
        quote!((#(pub #types),*);)
    };
    quote! {
        #docs
        #[derive(#derives)]
        pub struct #name #layout
    }
}

fn emit_newtype(def: &TypeDef, inner: &TypeRef) -> TokenStream {
    let docs = doc(def.doc.as_deref());
    let name = ident(&def.name);
    let derives = serde_derives();
    let inner = type_tokens(inner);
    quote! {
        #docs
        #[derive(#derives)]
        #[serde(transparent)]
        pub struct #name(pub #inner);
    }
}

fn emit_string_enum(def: &TypeDef, values: &[EnumValue]) -> TokenStream {
    let docs = doc(def.doc.as_deref());
    let name = ident(&def.name);
    let variants = values.iter().map(|v| {
        let variant = ident(&v.rust_name);
        let wire = &v.wire_name;
        quote! {
            #[serde(rename = #wire)]
            #variant,
        }
    });
    quote! {
        #docs
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, ::serde::Serialize, ::serde::Deserialize)]
        pub enum #name {
            #(#variants)*
        }
    }
}

fn emit_union(def: &TypeDef, variants: &[UnionVariant]) -> TokenStream {
    let docs = doc(def.doc.as_deref());
    let name = ident(&def.name);
    let derives = serde_derives();
    let variants = variants.iter().map(|v| {
        let variant = ident(&v.rust_name);
        let ty = type_tokens(&v.ty);
        quote!(#variant(#ty),)
    });
    quote! {
        #docs
        #[derive(#derives)]
        #[serde(untagged)]
        // The alternatives are the definition's own types, used by value like its
        // structs; boxing the larger ones would change what users write.
        #[allow(clippy::large_enum_variant)]
        pub enum #name {
            #(#variants)*
        }
    }
}

fn emit_request(op: &Operation) -> TokenStream {
    let name = ident(&op.request_type);
    let summary = format!(
        " The request of `{}`: `{} {}`.",
        op.id,
        op.http_method.as_str(),
        op.path
    );
    let params = op.params.iter().map(emit_param);
    let body = op.body.as_ref().map(emit_body);
    quote! {
        #[doc = #summary]
        #[derive(Debug, Clone, PartialEq)]
        pub struct #name {
            #(#params)*
            #body
        }
    }
}

fn emit_param(param: &Param) -> TokenStream {
    let where_ = match param.location {
        ParamLocation::Path => "path",
        ParamLocation::Query => "query",
        ParamLocation::Header => "header",
        ParamLocation::Cookie => "cookie",
    };
    let origin = format!(" The `{}` {where_} parameter.", param.wire_name);
    let docs = doc(param.doc.as_deref());
    let name = ident(&param.rust_name);
    let ty = type_tokens(&param.ty);
    let ty = if param.always_present() {
        ty
    } else {
        quote!(Option<#ty>)
    };
    let default = param.default.as_ref().map(|value| {
        let line = format!(" When the request leaves it out, the server reads `{value}`, its default.");
        quote!(#[doc = ""] #[doc = #line])
    });
    quote! {
        #docs
        #[doc = ""]
        #[doc = #origin]
        #default
        pub #name: #ty,
    }
}

fn emit_body(body: &Body) -> TokenStream {
    let docs = doc(body.doc.as_deref().or(Some("The request body.")));
    let ty = type_tokens(&body.ty);
    let ty = if body.required { ty } else { quote!(Option<#ty>) };
    quote! {
        #docs
        pub body: #ty,
    }
}

fn emit_response(op: &Operation) -> TokenStream {
    let name = ident(&op.response_type);
    let summary = format!(
        " The responses `{}` documents, one variant per status: anything else cannot be returned.",
        op.id
    );
    let variants = op.responses.iter().map(emit_variant);
    let statuses = op.responses.iter().map(|r| {
        let variant = ident(&r.variant);
        match (r.status.exact(), &r.ty) {
            (Some(code), Some(_)) => {
                let code = proc_macro2::Literal::u16_unsuffixed(code);
                quote!(Self::#variant(_) => #code,)
            }
            (Some(code), None) => {
                let code = proc_macro2::Literal::u16_unsuffixed(code);
                quote!(Self::#variant => #code,)
            }
            (None, _) => quote!(Self::#variant { status, .. } => *status,),
        }
    });
    quote! {
        #[doc = #summary]
        #[derive(Debug, Clone, PartialEq)]
        // A response is built once and handed over by value; boxing the larger variants
        // would cost an allocation per call and buy nothing.
        #[allow(clippy::large_enum_variant)]
        pub enum #name {
            #(#variants)*
        }

        impl #name {
            /// The HTTP status code this response is sent with.
            pub fn status(&self) -> u16 {
                match self {
                    #(#statuses)*
                }
            }
        }
    }
}

fn emit_variant(response: &Response) -> TokenStream {
    let heading = match response.status {
        ResponseStatus::Exact(code) => format!(" `{code}`"),
        ResponseStatus::Class(class) => format!(
            " Any `{class}XX` status not listed, carried in `status`. The server answers 500 \
             with its error body if `status` is not a `{class}XX` status."
        ),
        ResponseStatus::Default => " Any status not listed (`default`), carried in `status`. The server \
             answers 500 with its error body if `status` is listed or in a listed range."
            .to_string(),
    };
    let docs = doc(response.doc.as_deref());
    let variant = ident(&response.variant);
    let shape = match (response.status.exact(), &response.ty) {
        (Some(_), Some(ty)) => {
            let ty = type_tokens(ty);
            quote!((#ty))
        }
        (Some(_), None) => TokenStream::new(),
        (None, Some(ty)) => {
            let ty = type_tokens(ty);
            quote!({ status: u16, body: #ty })
        }
        (None, None) => quote!({ status: u16 }),
    };
    quote! {
        #[doc = #heading]
        #[doc = ""]
        #docs
        #variant #shape,
    }
}
