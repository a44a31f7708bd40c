//! The `types` module: serde models, request structs and response enums.

use proc_macro2::TokenStream;
use quote::quote;

use super::media;
use super::rust::{doc, doc_or, ident, type_tokens, undescribed_type};
use crate::ir::{
    Access, Body, Constructor, ExtraMembers, Field, Ir, Operation, Param, Response, ResponseBody, ResponseStatus,
    StructDef, TaggedUnion, TypeDef, TypeKind, TypeRef, UnionVariant,
};

pub fn emit_types(ir: &Ir) -> TokenStream {
    let models = ir.types.values().map(|def| emit_type(ir, def));
    let missing_field = ir
        .models
        .missing_field
        .as_deref()
        .map(super::constructors::emit_missing_field);
    let unknown_value = ir.models.unknown_value.as_deref().map(super::enums::emit_unknown_value);
    let param_docs = super::param_docs::emit_module(ir);
    let requests = ir.operations.iter().map(|op| emit_request(ir, op));
    let status_macro = emit_status_macro(ir);
    let responses = ir.operations.iter().map(|op| emit_response(ir, op));
    let response_forms = ir
        .operations
        .iter()
        .flat_map(|op| op.responses.iter().map(move |r| (op, r)))
        .map(|(op, r)| emit_several_forms(ir, op, r));
    let typed_body = ir.typed_body.as_deref().map(emit_typed_body);
    let shared_bodies = super::body_shapes::emit_shape_enums(ir);
    let tagged = ir
        .types
        .values()
        .any(|def| matches!(def.kind, TypeKind::Tagged(_)))
        .then(emit_tagged_helpers);
    let bodies = super::bodies::emit_body_types(ir);
    let object_macro = has_struct_models(ir).then(|| {
        quote!(
            use super::types_runtime::serde_object;
        )
    });
    quote! {
        #object_macro
        #(#models)*
        #missing_field
        #unknown_value
        #bodies
        #param_docs
        #(#requests)*
        #status_macro
        #(#responses)*
        #(#response_forms)*
        #shared_bodies
        #typed_body
        #tagged
    }
}

/// Whether any model is a struct, read and written through `types_runtime`.
pub fn has_struct_models(ir: &Ir) -> bool {
    ir.types.values().any(|def| matches!(def.kind, TypeKind::Struct(_)))
}

fn emit_type(ir: &Ir, def: &TypeDef) -> TokenStream {
    let attrs = caller_attributes(ir, &def.name);
    let attrs = &attrs;
    match &def.kind {
        TypeKind::Struct(s) => {
            let model = emit_struct(def, s, attrs);
            let constructor = super::constructors::emit_constructor(def, s, ir.models.missing_field.as_deref());
            quote!(#model #constructor)
        }
        TypeKind::Tuple(items) => emit_tuple(def, items, attrs),
        TypeKind::StringEnum(values) => {
            let error = ir.models.unknown_value.as_deref().unwrap_or("UnknownValue");
            super::enums::emit_closed(def, values, error, attrs)
        }
        TypeKind::OpenStringEnum(open) => super::enums::emit_open(def, open, attrs),
        TypeKind::Union(variants) => emit_union(def, variants, attrs),
        TypeKind::Tagged(tagged) => emit_tagged(def, tagged, attrs),
        TypeKind::Newtype(inner) => emit_newtype(def, inner, attrs),
        TypeKind::Alias(target) => {
            let docs = doc_or(def.doc.as_deref(), || undescribed_type(&def.name));
            let name = ident(&def.name);
            let target = type_tokens(target);
            quote! {
                #docs
                pub type #name = #target;
            }
        }
    }
}

/// The attributes the caller asked for on the type `name` (`ir` checked they parse).
fn caller_attributes(ir: &Ir, name: &str) -> TokenStream {
    let attrs = ir
        .models
        .attributes
        .iter()
        .filter(|wanted| wanted.type_name == name)
        .filter_map(|wanted| syn::parse::Parser::parse_str(syn::Attribute::parse_outer, &wanted.attributes).ok())
        .flatten();
    quote!(#(#attrs)*)
}

/// The derives of the models serde's own derive reads and writes: every model but the
/// structs, which `serde_object!` handles.
fn serde_derives() -> TokenStream {
    quote!(Debug, Clone, PartialEq, ::serde::Serialize, ::serde::Deserialize)
}

/// A struct model: the plain struct with its docs, then its member table, from which
/// `serde_object!` writes the serde impls (see `templates/types_runtime.rs`).
fn emit_struct(def: &TypeDef, s: &StructDef, attrs: &TokenStream) -> TokenStream {
    let docs = doc_or(def.doc.as_deref(), || undescribed_type(&def.name));
    let name = ident(&def.name);
    // Every member optional: `Default` is the value with none of them.
    let derives = match s.constructor {
        Constructor::Default => quote!(Debug, Clone, PartialEq, Default),
        _ => quote!(Debug, Clone, PartialEq),
    };
    let fields = s.fields.iter().map(emit_field);
    let rows = s.fields.iter().map(member_row);
    let (extra, unknown) = match &s.extra {
        ExtraMembers::Rejected => (TokenStream::new(), quote!(refused)),
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
                quote! {
                    /// Members the definition does not name, kept so that they are written back.
                    pub #field: #map,
                },
                quote!(#field),
            )
        }
    };
    quote! {
        #docs
        #[derive(#derives)]
        #attrs
        pub struct #name {
            #(#fields)*
            #extra
        }

        serde_object!(#name {
            #(#rows)*
            ..#unknown
        });
    }
}

/// One row of a member table: how present the member must be, its field, its JSON name.
fn member_row(field: &Field) -> TokenStream {
    let presence = match (field.required, field.nullable) {
        (true, false) => quote!(required),
        (true, true) => quote!(nullable),
        (false, false) => quote!(optional),
        (false, true) => quote!(optional_nullable),
    };
    let name = ident(&field.rust_name);
    let wire = &field.wire_name;
    quote!(#presence #name = #wire;)
}

fn emit_field(field: &Field) -> TokenStream {
    let access = match field.access {
        Access::ReadWrite => None,
        Access::ReadOnly if field.required => Some("Read-only: the server sends it."),
        Access::ReadOnly => Some("Read-only: the server sends it; a request may leave it out."),
        Access::WriteOnly if field.required => Some("Write-only: the client sends it."),
        Access::WriteOnly => Some("Write-only: the client sends it; a response may leave it out."),
    };
    let docs = match (field.doc.as_deref(), access) {
        (Some(text), Some(note)) => doc(Some(&format!("{text}\n\n{note}"))),
        (text, note) => doc_or(text.or(note), || format!("The `{}` member.", field.wire_name)),
    };
    let name = ident(&field.rust_name);
    let ty = type_tokens(&field.ty);
    let ty = match (field.required, field.nullable) {
        (true, false) => ty,
        // Absent and `null` are different answers: `None` and `Some(None)`.
        (false, true) => quote!(Option<Option<#ty>>),
        _ => quote!(Option<#ty>),
    };
    quote! {
        #docs
        pub #name: #ty,
    }
}

fn emit_tuple(def: &TypeDef, items: &[TypeRef], attrs: &TokenStream) -> TokenStream {
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
        #attrs
        pub struct #name #layout
    }
}

fn emit_newtype(def: &TypeDef, inner: &TypeRef, attrs: &TokenStream) -> TokenStream {
    let docs = doc_or(def.doc.as_deref(), || undescribed_type(&def.name));
    let name = ident(&def.name);
    let derives = serde_derives();
    let inner = type_tokens(inner);
    quote! {
        #docs
        #[derive(#derives)]
        #[serde(transparent)]
        #attrs
        pub struct #name(pub #inner);
    }
}

fn emit_union(def: &TypeDef, variants: &[UnionVariant], attrs: &TokenStream) -> TokenStream {
    let docs = doc_or(def.doc.as_deref(), || undescribed_type(&def.name));
    let name = ident(&def.name);
    let derives = serde_derives();
    let variants = variants.iter().map(|v| {
        let variant = ident(&v.rust_name);
        let ty = type_tokens(&v.ty);
        let line = format!(" The `{}` alternative.", v.rust_name);
        quote!(#[doc = #line] #variant(#ty),)
    });
    quote! {
        #docs
        #[derive(#derives)]
        #[serde(untagged)]
        // The alternatives are the definition's own types, used by value like its
        // structs; boxing the larger ones would change what users write.
        #[allow(clippy::large_enum_variant)]
        #attrs
        pub enum #name {
            #(#variants)*
        }
    }
}

/// A `discriminator`: serde's internally tagged enums hand the variant the object without
/// its tag, but the definition's subtypes declare the tag as a member of their own. So the
/// whole object is read into the variant the tag names, and written with the tag set to the
/// variant's value.
fn emit_tagged(def: &TypeDef, tagged: &TaggedUnion, attrs: &TokenStream) -> TokenStream {
    let name = ident(&def.name);
    let member = &tagged.tag;
    let other = ident(&tagged.other.rust_name);
    let other_ty = type_tokens(&tagged.other.ty);
    let shape = format!(
        "Told apart by the member `{member}`. A variant is written with `{member}` set to the\n\
         variant's value, whatever its own `{member}` member holds; a value the definition\n\
         does not list is read as `{}`, so that kinds the API adds later still arrive.",
        tagged.other.rust_name
    );
    let docs = match &def.doc {
        Some(text) => doc(Some(&format!("{text}\n\n{shape}"))),
        None => doc(Some(&shape)),
    };
    let other_doc = doc(Some(match &tagged.other.ty {
        TypeRef::JsonObject => "A kind the definition does not list, kept whole.",
        _ => {
            "A kind the definition does not list (or the base itself): the members every kind\nhas, the others kept in its map."
        }
    }));
    let variants = tagged.variants.iter().map(|v| {
        let variant = ident(&v.rust_name);
        let ty = type_tokens(&v.ty);
        let note = format!(" `{member}: {}`", v.tag_value);
        quote! {
            #[doc = #note]
            #variant(#ty),
        }
    });
    let reads = tagged.variants.iter().map(|v| {
        let variant = ident(&v.rust_name);
        let value = &v.tag_value;
        quote!(#value => ::serde_json::from_value(value).map(Self::#variant),)
    });
    let writes = tagged.variants.iter().map(|v| {
        let variant = ident(&v.rust_name);
        let value = &v.tag_value;
        quote!(Self::#variant(value) => write_tagged(serializer, #member, #value, value),)
    });
    let type_name = &def.name;
    quote! {
        #docs
        #[derive(Debug, Clone, PartialEq)]
        // The variants are the definition's own types, used by value like its structs.
        #[allow(clippy::large_enum_variant)]
        #attrs
        pub enum #name {
            #(#variants)*
            #other_doc
            #other(#other_ty),
        }

        impl<'de> ::serde::Deserialize<'de> for #name {
            fn deserialize<D>(deserializer: D) -> Result<Self, D::Error>
            where
                D: ::serde::Deserializer<'de>,
            {
                let value = <::serde_json::Value as ::serde::Deserialize>::deserialize(deserializer)?;
                let read = match tag_of::<D::Error>(&value, #member, #type_name)?.as_str() {
                    #(#reads)*
                    _ => ::serde_json::from_value(value).map(Self::#other),
                };
                read.map_err(<D::Error as ::serde::de::Error>::custom)
            }
        }

        impl ::serde::Serialize for #name {
            fn serialize<S>(&self, serializer: S) -> Result<S::Ok, S::Error>
            where
                S: ::serde::Serializer,
            {
                match self {
                    #(#writes)*
                    Self::#other(value) => ::serde::Serialize::serialize(value, serializer),
                }
            }
        }
    }
}

/// What every tagged enum's serde code calls.
fn emit_tagged_helpers() -> TokenStream {
    quote! {
        /// The value of the member `member` that names the kind of a `type_name` object.
        fn tag_of<E: ::serde::de::Error>(
            value: &::serde_json::Value,
            member: &str,
            type_name: &str,
        ) -> Result<String, E> {
            match value {
                ::serde_json::Value::Object(members) => match members.get(member) {
                    Some(::serde_json::Value::String(tag)) => Ok(tag.clone()),
                    Some(_) => Err(E::custom(format_args!("`{member}` of a `{type_name}` is not a string"))),
                    None => Err(E::custom(format_args!(
                        "missing member `{member}`, which says what kind of `{type_name}` this is"
                    ))),
                },
                _ => Err(E::custom(format_args!("expected a `{type_name}` object"))),
            }
        }

        /// Writes `value` as a JSON object with its member `member` set to `tag`.
        fn write_tagged<S, T>(serializer: S, member: &str, tag: &str, value: &T) -> Result<S::Ok, S::Error>
        where
            S: ::serde::Serializer,
            T: ::serde::Serialize,
        {
            let mut value = ::serde_json::to_value(value).map_err(<S::Error as ::serde::ser::Error>::custom)?;
            if let ::serde_json::Value::Object(members) = &mut value {
                members.insert(member.to_owned(), ::serde_json::Value::String(tag.to_owned()));
            }
            ::serde::Serialize::serialize(&value, serializer)
        }
    }
}

fn emit_request(ir: &Ir, op: &Operation) -> TokenStream {
    let name = ident(&op.request_type);
    let summary = format!(
        " The request of `{}`: `{} {}`.",
        op.id,
        op.http_method.as_str(),
        op.path
    );
    let params = op.params.iter().map(|param| emit_param(ir, param));
    let body = op.body.as_ref().map(|body| emit_body(ir, body));
    quote! {
        #[doc = #summary]
        #[derive(Debug, Clone, PartialEq)]
        pub struct #name {
            #(#params)*
            #body
        }
    }
}

fn emit_param(ir: &Ir, param: &Param) -> TokenStream {
    let origin = format!(
        "`{}` {} parameter",
        param.wire_name,
        super::param_docs::location_word(param.location)
    );
    let docs = super::param_docs::shared_field_doc(ir, param).unwrap_or_else(|| match param.doc.as_deref() {
        None => {
            let line = format!(" The {origin}.");
            quote!(#[doc = #line])
        }
        Some(text) => match super::param_docs::with_note(text, &format!("the {origin}")) {
            Some(line) => quote!(#[doc = #line]),
            None => {
                let docs = doc(Some(text));
                let line = format!(" The {origin}.");
                quote!(#docs #[doc = ""] #[doc = #line])
            }
        },
    });
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
        #default
        pub #name: #ty,
    }
}

fn emit_body(ir: &Ir, body: &Body) -> TokenStream {
    let docs = doc(body.doc.as_deref().or(Some("The request body.")));
    let ty = super::bodies::body_type(ir, body, false);
    let ty = if body.required { ty } else { quote!(Option<#ty>) };
    quote! {
        #docs
        pub body: #ty,
    }
}

fn emit_response(ir: &Ir, op: &Operation) -> TokenStream {
    let name = ident(&op.response_type);
    let summary = format!(
        " The responses `{}` documents, one variant per status: anything else cannot be returned.",
        op.id
    );
    let variants = op.responses.iter().map(|r| emit_variant(ir, r));
    let statuses = op.responses.iter().map(|r| {
        let variant = ident(&r.variant);
        match (r.status.exact(), media::shape(r)) {
            (Some(code), shape) => {
                let code = proc_macro2::Literal::u16_unsuffixed(code);
                match shape {
                    media::Shape::Unit => quote!(Self::#variant => #code),
                    media::Shape::Tuple => quote!(Self::#variant(_) => #code),
                    media::Shape::Fields => quote!(Self::#variant { .. } => #code),
                }
            }
            (None, _) => quote!(Self::#variant { status, .. } => *status),
        }
    });
    let status = emit_status(ir, &name, statuses.collect());
    quote! {
        #[doc = #summary]
        // A response is built once and handed over by value; boxing the larger variants
        // would cost an allocation per call and buy nothing: the `types` module allows
        // `clippy::large_enum_variant` (see `emit::root`), one line instead of one per enum.
        #[derive(Debug, Clone, PartialEq)]
        pub enum #name {
            #(#variants)*
        }

        #status
    }
}

/// A response enum's `status()`: spelled out, or one line of the status macro.
fn emit_status(ir: &Ir, name: &proc_macro2::Ident, statuses: Vec<TokenStream>) -> TokenStream {
    match ir.models.status_macro.as_deref() {
        Some(status_macro) => {
            let status_macro = ident(status_macro);
            quote!(#status_macro!(#name, #(#statuses),*);)
        }
        None => quote! {
            impl #name {
                /// The HTTP status code this response is sent with.
                pub fn status(&self) -> u16 {
                    match self {
                        #(#statuses,)*
                    }
                }
            }
        },
    }
}

/// The status macro's definition, before the response enums that use it.
fn emit_status_macro(ir: &Ir) -> TokenStream {
    let Some(status_macro) = ir.models.status_macro.as_deref() else {
        return TokenStream::new();
    };
    let status_macro = ident(status_macro);
    quote! {
        /// Writes a response enum's `status()` from its variants' patterns and statuses:
        /// the same nine lines for each of the many operations.
        macro_rules! #status_macro {
            ($name:ident, $($variant:pat => $status:expr),*) => {
                impl $name {
                    /// The HTTP status code this response is sent with.
                    pub fn status(&self) -> u16 {
                        match self {
                            $($variant => $status,)*
                        }
                    }
                }
            };
        }
    }
}

/// The enum of a body declared in several media types: a variant per type, and which
/// one the body is says which `Content-Type` it is sent with or came with.
fn emit_several_forms(ir: &Ir, op: &Operation, response: &Response) -> TokenStream {
    let Some(ResponseBody::Several { name: body_name, forms }) = &response.body else {
        return TokenStream::new();
    };
    let name = ident(body_name);
    let summary = format!(
        " The body of the `{}` response of `{}`, in one of the media types the definition declares for it.",
        response.status.spelled(),
        op.id
    );
    if let Some(alias) = super::body_shapes::emit_alias(ir, body_name, forms, &summary) {
        return alias;
    }
    let variants = forms.iter().map(|(variant, form)| {
        let line = format!(" Sent as `{}`.", form.declared.join("`, `"));
        let variant = ident(variant);
        let ty = media::form_type(ir, form, &TokenStream::new());
        quote! {
            #[doc = #line]
            #variant(#ty),
        }
    });
    quote! {
        #[doc = #summary]
        // A JSON form holds the definition's own type by value, beside bytes or text
        // (`clippy::large_enum_variant` is allowed on the module).
        #[derive(Debug, Clone, PartialEq)]
        pub enum #name {
            #(#variants)*
        }
    }
}

/// The holder of a body whose declared type names no single one (`image/*`, `*/*`).
fn emit_typed_body(name: &str) -> TokenStream {
    let name = ident(name);
    quote! {
        /// A body together with its media type, for a response declared with a type that
        /// names no single one (`image/*`, `*/*`, `multipart/*`). The server sends
        /// `content_type` (it must fit the declared type); the client fills it in from
        /// the `Content-Type` that came.
        #[derive(Debug, Clone, PartialEq)]
        pub struct #name<T> {
            /// The `Content-Type` (`image/png`).
            pub content_type: String,
            /// The body.
            pub body: T,
        }
    }
}

fn emit_variant(ir: &Ir, response: &Response) -> TokenStream {
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
    let informational = match response.status {
        ResponseStatus::Exact(code) => code < 200,
        ResponseStatus::Class(class) => class == 1,
        ResponseStatus::Default => false,
    };
    let informational = informational.then(|| {
        quote! {
            #[doc = ""]
            #[doc = " HTTP/1.1 sends an informational status only ahead of a final response, never as"]
            #[doc = " the answer: the server answers 500 with its error body when a handler returns this."]
        }
    });
    let variant = ident(&response.variant);
    let body_ty = response
        .body
        .as_ref()
        .map(|body| media::body_type(ir, body, &TokenStream::new()));
    let shape = match media::shape(response) {
        media::Shape::Unit => TokenStream::new(),
        media::Shape::Tuple => quote!((#body_ty)),
        media::Shape::Fields => {
            let status = response
                .status
                .exact()
                .is_none()
                .then(|| quote!(#[doc = " The status sent."] status: u16,));
            let body = body_ty.map(|ty| quote!(#[doc = " The body."] body: #ty,));
            let headers = response.headers.iter().map(|header| {
                let name = ident(&header.rust_name);
                let ty = type_tokens(&header.ty);
                let ty = if header.required { ty } else { quote!(Option<#ty>) };
                let origin = format!(" The `{}` header.", header.wire_name);
                let docs = doc(header.doc.as_deref());
                let gap = header.doc.is_some().then(|| quote!(#[doc = ""]));
                quote! {
                    #docs
                    #gap
                    #[doc = #origin]
                    #name: #ty,
                }
            });
            quote!({ #status #body #(#headers)* })
        }
    };
    // A short description joins the status on one line (`` `401`: Unauthorized ``).
    let one_line = match (response.status, informational.is_none(), response.doc.as_deref()) {
        (ResponseStatus::Exact(_), true, Some(text)) => super::param_docs::fits_one_line(text),
        _ => false,
    };
    let docs = match response.doc.as_deref() {
        Some(text) if one_line => {
            let line = format!("{heading}: {text}");
            quote!(#[doc = #line])
        }
        Some(text) => {
            let docs = doc(Some(text));
            quote!(#[doc = #heading] #informational #[doc = ""] #docs)
        }
        None => quote!(#[doc = #heading] #informational),
    };
    quote! {
        #docs
        #variant #shape,
    }
}
