//! The `client` module: a reqwest client with one method per operation, returning a future of
//! the operation's response enum. The parts that do not depend on the definition live in
//! `templates/client_runtime.rs`, written beside it as the `client_runtime` module.

use proc_macro2::{Literal, TokenStream};
use quote::quote;

use super::media;
use super::params::{ValueKind, prefixed, style_tokens, value_kind};
use super::rust::{doc, ident, qualified_type};
use crate::ir::paths::PathPart;
use crate::ir::{
    HttpMethod, Ir, MediaForm, MediaKind, Operation, Param, ParamLocation, ParamStyle, Response, ResponseBody,
    ResponseStatus, SecurityKind, TypeRef,
};

/// The fixed runtime the generated client drives; valid Rust, parsed by a test below.
pub const RUNTIME: &str = stubforge_templates::CLIENT_RUNTIME;

pub fn emit_client(ir: &Ir) -> TokenStream {
    let client = emit_client_struct(ir);
    let constructors = emit_constructors(ir);
    let methods = ir
        .operations
        .iter()
        .map(|op| (emit_method(ir, op), emit_convenience(ir, op)));
    let methods = methods.map(|(method, convenience)| quote!(#method #convenience));
    // What the methods name, short; unused (and so left out) without operations.
    let imports = (!ir.operations.is_empty()).then(|| {
        quote! {
            use ::reqwest::Method;
            use super::client_runtime as runtime;
            use super::types;
        }
    });
    let start = (!ir.operations.is_empty()).then(emit_start);
    let shared_readers = super::body_shapes::emit_client_readers(ir);
    quote! {
        pub use super::client_runtime::{
            AuthRequest, AuthorizeError, AuthorizeFuture, Authorizer, BuildError, ClientError, ClientSettings, Pending, Received,
        };
        #imports

        #client

        impl Client {
            #constructors
            #start
            #(#methods)*
        }

        #shared_readers
    }
}

/// The one helper every method starts with, so that a method says only its operation.
fn emit_start() -> TokenStream {
    quote! {
        /// A call of `operation` under [`Client::BASE_PATH`].
        fn call(&self, operation: &'static str, method: Method) -> runtime::Call {
            runtime::Call::new(operation, method, Self::BASE_PATH)
        }
    }
}

fn emit_client_struct(ir: &Ir) -> TokenStream {
    let summary = format!(" A client for the {} (version {}).", ir.title, ir.version);
    // With every operation left out (skip mode) no method sends anything.
    let unused = ir
        .operations
        .is_empty()
        .then(|| quote!(#[allow(dead_code, reason = "every operation was left out")]));
    quote! {
        #[doc = #summary]
        ///
        /// Each method sends one operation's request and returns its response enum: every
        /// status the definition documents is a variant, anything else a [`ClientError`].
        /// Cloning is cheap and clones share connections.
        #[derive(Debug, Clone)]
        pub struct Client {
            #unused
            runtime: super::client_runtime::Runtime,
        }
    }
}

fn emit_constructors(ir: &Ir) -> TokenStream {
    let base_path = &ir.base_path;
    let base_path_doc = format!(" The path every operation is under: `{base_path}`.");
    let base_url_doc = format!(
        " (`{}`); [`Client::BASE_PATH`] is added to it.",
        super::profile::example_base_url(ir)
    );
    quote! {
        #[doc = #base_path_doc]
        pub const BASE_PATH: &'static str = #base_path;

        /// A client for the server at `base_url`: scheme, host and port only
        #[doc = #base_url_doc]
        pub fn new(base_url: &str) -> Result<Self, BuildError> {
            Self::with_settings(base_url, ClientSettings::default())
        }

        /// Like [`Client::new`], sending with `http`: its timeouts, proxies and
        /// connection pool apply.
        pub fn with_http_client(base_url: &str, http: ::reqwest::Client) -> Result<Self, BuildError> {
            Self::with_settings(base_url, ClientSettings::default().http_client(http))
        }

        /// Like [`Client::new`], with an authorizer, HTTP client, destination or timeout.
        pub fn with_settings(base_url: &str, settings: ClientSettings) -> Result<Self, BuildError> {
            Ok(Client {
                runtime: super::client_runtime::Runtime::new(base_url, settings)?,
            })
        }
    }
}

fn emit_method(ir: &Ir, op: &Operation) -> TokenStream {
    let docs = method_docs(op);
    let name = ident(&op.method_name);
    let request = ident(&op.request_type);
    let response = ident(&op.response_type);
    let id = &op.id;
    let method = http_method(op.http_method);
    let path = emit_path(ir, op);
    let query = emit_params(ir, op, ParamLocation::Query);
    let headers = emit_params(ir, op, ParamLocation::Header);
    let cookies = emit_params(ir, op, ParamLocation::Cookie);
    let selectors = emit_selectors(ir, op);
    let body = emit_body(op);
    let credentials = emit_credentials(ir, op);
    let (import, decode) = emit_decode(ir, op);
    // A method without parameters or body never reads its request.
    let request_name = if op.params.is_empty() && op.body.is_none() {
        quote!(_request)
    } else {
        quote!(request)
    };
    // A plain function that builds the call and hands it, with the reading of its
    // statuses, to the one async exchange of the runtime: no async body per operation,
    // and `#[inline]` leaves its machine code to the crates that call it.
    quote! {
        #docs
        #[inline]
        pub fn #name(&self, #request_name: &types::#request) -> Pending<'_, types::#response> {
            let mut call = self.call(#id, #method);
            #path
            #query
            #headers
            #cookies
            #selectors
            #body
            #credentials
            #import
            let read = |reply: runtime::Reply| #decode;
            self.runtime.exchange(call, read)
        }
    }
}

/// `make_leave_with(room_id, user_id)`: the same call with the request's fields as
/// arguments, strings taken as `impl Into<String>`. Left out past six arguments (clippy's
/// `too_many_arguments`): a row of positional `None`s reads worse than the request struct.
fn emit_convenience(ir: &Ir, op: &Operation) -> TokenStream {
    let name = ident(&op.convenience_name);
    let method = ident(&op.method_name);
    let request = ident(&op.request_type);
    let response = ident(&op.response_type);
    let doc_line = format!(
        " [`Client::{}`] with the request's fields as arguments.",
        op.method_name.trim_start_matches("r#")
    );
    let mut arguments = Vec::new();
    let mut fields = Vec::new();
    for param in &op.params {
        let field = ident(&param.rust_name);
        if param.always_present() && param.ty == TypeRef::String {
            arguments.push(quote!(#field: impl Into<String>));
            fields.push(quote!(#field: #field.into()));
        } else {
            let ty = qualified_type(&param.ty);
            let ty = if param.always_present() {
                ty
            } else {
                quote!(Option<#ty>)
            };
            arguments.push(quote!(#field: #ty));
            fields.push(quote!(#field));
        }
    }
    if let Some(body) = &op.body {
        let ty = super::bodies::body_type(ir, body, true);
        let ty = if body.required { ty } else { quote!(Option<#ty>) };
        arguments.push(quote!(body: #ty));
        fields.push(quote!(body));
    }
    // `self` counts: clippy's limit is seven.
    if arguments.len() >= 7 {
        return TokenStream::new();
    }
    // A method generic over `impl Into` is compiled where it is called anyway.
    let generic = op
        .params
        .iter()
        .any(|param| param.always_present() && param.ty == TypeRef::String);
    let inline = (!generic).then(|| quote!(#[inline]));
    quote! {
        #[doc = #doc_line]
        #inline
        pub fn #name(&self, #(#arguments),*) -> Pending<'_, types::#response> {
            let request = types::#request { #(#fields),* };
            self.#method(&request)
        }
    }
}

fn method_docs(op: &Operation) -> TokenStream {
    let request_line = format!(" `{} {}` (`{}`).", op.http_method.as_str(), op.path, op.id);
    let paragraphs = [op.summary.as_deref(), op.doc.as_deref()]
        .into_iter()
        .flatten()
        .map(|text| {
            let text = doc(Some(text));
            quote!(#text #[doc = ""])
        });
    let security = op.security.iter().find(|names| !names.is_empty()).map(|names| {
        let line = format!(
            " Signed or authorized by the client's authorizer for the `{}` security scheme.",
            names.join("` and `")
        );
        quote!(#[doc = ""] #[doc = #line])
    });
    quote! {
        #(#paragraphs)*
        #[doc = #request_line]
        #security
    }
}

fn http_method(method: HttpMethod) -> TokenStream {
    match method {
        HttpMethod::Get => quote!(Method::GET),
        HttpMethod::Put => quote!(Method::PUT),
        HttpMethod::Post => quote!(Method::POST),
        HttpMethod::Delete => quote!(Method::DELETE),
        HttpMethod::Options => quote!(Method::OPTIONS),
        HttpMethod::Head => quote!(Method::HEAD),
        HttpMethod::Patch => quote!(Method::PATCH),
        HttpMethod::Trace => quote!(Method::TRACE),
    }
}

/// The path after the base path: fixed text (`/` separators included) in runs, each
/// parameter escaped alone, and the one rule the server reads a shared segment by.
fn emit_path(ir: &Ir, op: &Operation) -> TokenStream {
    let mut steps = Vec::new();
    let mut text = String::new();
    for segment in &op.template.segments {
        text.push('/');
        let whole = segment.is_whole_param();
        for (i, part) in segment.parts.iter().enumerate() {
            let name = match part {
                PathPart::Literal(literal) => {
                    text.push_str(literal);
                    continue;
                }
                PathPart::Param(name) => name,
            };
            // `check` reports undeclared path parameters.
            let Some(param) = find_param(op, ParamLocation::Path, name) else {
                text.push_str(&["{", name, "}"].concat());
                continue;
            };
            if !text.is_empty() {
                steps.push(quote!(call.path(#text);));
                text.clear();
            }
            let wire = &param.wire_name;
            let field = ident(&param.rust_name);
            let scalar = matches!(value_kind(ir, &param.ty), ValueKind::Scalar);
            if !scalar || prefixed(param.style) {
                let style = style_tokens(&quote!(runtime), param.style);
                steps.push(quote!(call.path_styled(#wire, &request.#field, #style);));
                continue;
            }
            steps.push(if whole {
                quote!(call.path_param(#wire, &request.#field);)
            } else {
                let next = text_ending(&segment.parts[i + 1..]);
                quote!(call.path_param_within(#wire, &request.#field, #next);)
            });
        }
    }
    if !text.is_empty() {
        steps.push(quote!(call.path(#text);));
    }
    quote!(#(#steps)*)
}

/// The text the server reads a value up to: the fixed text after it when another value
/// follows in the segment, else `""` (the value runs to the segment's closing text).
fn text_ending(after: &[PathPart]) -> &str {
    match after {
        [PathPart::Literal(next), _, ..] => next,
        _ => "",
    }
}

fn find_param<'a>(op: &'a Operation, location: ParamLocation, wire: &str) -> Option<&'a Param> {
    op.params.iter().find(|p| p.location == location && p.wire_name == wire)
}

/// Query, header or cookie parameters, in definition order, one line each: the `_opt`
/// writers leave out an optional one that is not set.
fn emit_params(ir: &Ir, op: &Operation, location: ParamLocation) -> TokenStream {
    let steps = op.params.iter().filter(|p| p.location == location).map(|param| {
        let wire = &param.wire_name;
        let field = ident(&param.rust_name);
        let style = style_tokens(&quote!(runtime), param.style);
        let scalar = matches!(value_kind(ir, &param.ty), ValueKind::Scalar);
        let list = matches!(value_kind(ir, &param.ty), ValueKind::List(_));
        let (writer, style) = match location {
            ParamLocation::Query if matches!(param.style, ParamStyle::Bracketed { .. }) => {
                let members = param.style == (ParamStyle::Bracketed { members: true });
                ("query_bracketed", Some(quote!(#members)))
            }
            ParamLocation::Query if scalar => ("query_param", None),
            ParamLocation::Query if list && param.style == ParamStyle::Exploded => ("query_param_each", None),
            ParamLocation::Query => ("query_styled", Some(style)),
            ParamLocation::Header if scalar => ("header_param", None),
            ParamLocation::Header => ("header_styled", Some(style)),
            _ => ("cookie_param", Some(style)),
        };
        let writer = if param.always_present() {
            ident(writer)
        } else {
            ident(&[writer, "_opt"].concat())
        };
        let style = style.map(|style| quote!(, #style));
        quote!(call.#writer(#wire, &request.#field #style);)
    });
    quote!(#(#steps)*)
}

/// The header and query values that pick the operation among others on its method and
/// path (`X-Amz-Target`, `Action`): written once, as the request's parameter when the
/// operation declares one and it is set, else as the definition's value.
fn emit_selectors(ir: &Ir, op: &Operation) -> TokenStream {
    let steps = ir.selectors_of(op).iter().filter_map(|selector| {
        let (name, value) = (&selector.name, &selector.value);
        let write = match selector.location {
            ParamLocation::Header => quote!(call.header_param(#name, #value);),
            _ => quote!(call.query_param(#name, #value);),
        };
        match &selector.declared {
            None => Some(write),
            Some(declared) if declared.always_present => None,
            Some(declared) => {
                let field = ident(&declared.rust_name);
                Some(quote!(if request.#field.is_none() { #write }))
            }
        }
    });
    quote!(#(#steps)*)
}

fn emit_body(op: &Operation) -> TokenStream {
    // The first declared type, wildcards sent as `application/json`.
    let media = |body: &crate::ir::Body| {
        let encodings = body.shape.encodings();
        encodings.first().and_then(|e| e.media.first()).map_or_else(
            || "application/json".to_string(),
            |media| crate::media_type::concrete(media),
        )
    };
    match &op.body {
        None => TokenStream::new(),
        Some(body) if !super::bodies::is_plain_json(body) => super::bodies::emit_client_body(body),
        Some(body) if body.required => {
            let media = media(body);
            quote!(call.json_body(&request.body, #media);)
        }
        Some(body) => {
            let media = media(body);
            quote! {
                if let Some(body) = &request.body {
                    call.json_body(body, #media);
                }
            }
        }
    }
}

/// The schemes of the operation's first alternative that needs any; required unless the
/// definition also lists an empty alternative (authentication optional).
fn emit_credentials(ir: &Ir, op: &Operation) -> TokenStream {
    let Some(alternative) = op.security.iter().find(|names| !names.is_empty()) else {
        return TokenStream::new();
    };
    let credentials = alternative.iter().filter_map(|name| {
        let scheme = ir.security_schemes.iter().find(|s| &s.name == name)?;
        let placement = match &scheme.kind {
            SecurityKind::ApiKeyHeader { header } => quote!(Header(#header)),
            SecurityKind::ApiKeyQuery { param } => quote!(Query(#param)),
            SecurityKind::ApiKeyCookie { cookie } => quote!(Cookie(#cookie)),
            SecurityKind::Http { .. } | SecurityKind::OAuth2 => quote!(Header("Authorization")),
        };
        Some(quote!(call.credential(#name, runtime::Placement::#placement);))
    });
    let optional = op
        .security
        .iter()
        .any(Vec::is_empty)
        .then(|| quote!(call.credentials_optional();));
    quote! {
        #(#credentials)*
        #optional
    }
}

/// A listed status decodes into its variant; any other into its range's variant (`4XX`),
/// then the `default` variant; with none of these it is an [`UndocumentedStatus`] error.
///
/// The arms name the response enum as `Response`, imported under that name when any arm
/// builds it, so that an arm stays one line however long the operation's name. Gives the
/// import and the expression reading `reply`.
fn emit_decode(ir: &Ir, op: &Operation) -> (TokenStream, TokenStream) {
    let by_status = |wanted: fn(ResponseStatus) -> bool| {
        op.responses
            .iter()
            .filter(move |r| wanted(r.status))
            .map(move |r| emit_arm(ir, r))
    };
    let response = ident(&op.response_type);
    let import = (!op.responses.is_empty()).then(|| quote!(use types::#response as Response;));
    let default = op.responses.iter().find(|r| r.status == ResponseStatus::Default);
    if let (Some(default), [_]) = (default, op.responses.as_slice()) {
        // A `match` of one binding arm is clippy's `match_single_binding`: bind the status.
        let (_, value) = arm_parts(ir, default);
        let read = quote! {{
            let status = reply.status();
            #value
        }};
        return (import.unwrap_or_default(), read);
    }
    let exact = by_status(|s| matches!(s, ResponseStatus::Exact(_)));
    let classes = by_status(|s| matches!(s, ResponseStatus::Class(_)));
    let fallback = match default {
        Some(default) => emit_arm(ir, default),
        None => quote!(_ => Err(reply.undocumented()),),
    };
    let read = quote! {
        match reply.status() {
            #(#exact)*
            #(#classes)*
            #fallback
        }
    };
    (import.unwrap_or_default(), read)
}

fn emit_arm(ir: &Ir, r: &Response) -> TokenStream {
    let (pattern, value) = arm_parts(ir, r);
    quote!(#pattern => #value,)
}

/// The pattern of a response's arm and the value it gives.
fn arm_parts(ir: &Ir, r: &Response) -> (TokenStream, TokenStream) {
    let variant = ident(&r.variant);
    let pattern = match r.status {
        ResponseStatus::Exact(code) => {
            let code = Literal::u16_unsuffixed(code);
            quote!(#code)
        }
        ResponseStatus::Class(class) => {
            let (low, high) = (
                Literal::u16_unsuffixed(class * 100),
                Literal::u16_unsuffixed(class * 100 + 99),
            );
            quote!(status @ #low..=#high)
        }
        ResponseStatus::Default => quote!(status),
    };
    let json_alone = matches!(&r.body, Some(ResponseBody::One(form)) if matches!(form.kind, MediaKind::Json(_)));
    let shared = match &r.body {
        Some(ResponseBody::Several { name, .. }) => super::body_shapes::client_read(ir, name),
        _ => None,
    };
    if r.headers.is_empty() && (r.body.is_none() || json_alone || shared.is_some()) {
        let read = shared.unwrap_or_else(|| quote!(reply.json()));
        let value = match (media::shape(r), r.body.is_some()) {
            (media::Shape::Unit, _) => quote!(Ok(Response::#variant)),
            (media::Shape::Tuple, _) => quote!(#read.map(Response::#variant)),
            (_, true) => quote!(#read.map(|body| Response::#variant { status, body })),
            (_, false) => quote!(Ok(Response::#variant { status })),
        };
        return (pattern, value);
    }
    let headers = r.headers.iter().map(|header| {
        let field = ident(&header.rust_name);
        let wire = &header.wire_name;
        let read = match &header.ty {
            TypeRef::Vec(_) => quote!(reply.header_list(#wire)?),
            _ => quote!(reply.header(#wire)?),
        };
        if header.required {
            quote!(let #field = reply.required_header(#read, #wire)?;)
        } else {
            quote!(let #field = #read;)
        }
    });
    let body = r.body.as_ref().map(|body| {
        let read = read_body(ir, body);
        quote!(let body = #read;)
    });
    let construct = media::bind(&quote!(Response), r);
    let value = quote! {
        {
            #(#headers)*
            #body
            Ok(#construct)
        }
    };
    (pattern, value)
}

/// The expression reading the body (the reply is used up), of the variant's body type.
fn read_body(ir: &Ir, body: &ResponseBody) -> TokenStream {
    match body {
        ResponseBody::One(form) => read_form(ir, form),
        ResponseBody::Several { name, forms } => {
            if let Some(read) = super::body_shapes::client_read(ir, name) {
                return quote!(#read?);
            }
            let name = ident(name);
            let declared = forms.iter().map(|(_, form)| {
                let declared = &form.declared;
                quote!(&[#(#declared),*])
            });
            let arms = forms.iter().enumerate().map(|(i, (variant, form))| {
                let variant = ident(variant);
                let read = read_form(ir, form);
                let i = Literal::usize_unsuffixed(i);
                quote!(Some(#i) => Body::#variant(#read),)
            });
            quote! {{
                use types::#name as Body;
                match reply.media_index(&[#(#declared),*]) {
                    #(#arms)*
                    _ => return Err(reply.unexpected_media_type()),
                }
            }}
        }
    }
}

/// One form: JSON decoded, text checked to be UTF-8, bytes as they came; with the
/// `Content-Type` that came when the declared type names no single one.
pub(super) fn read_form(ir: &Ir, form: &MediaForm) -> TokenStream {
    let (read, fallback) = match &form.kind {
        MediaKind::Json(_) => return quote!(reply.json()?),
        MediaKind::Text => (quote!(reply.text()?), "text/plain"),
        MediaKind::Bytes => (quote!(reply.bytes()), "application/octet-stream"),
    };
    if !form.carries_content_type() {
        return read;
    }
    let typed = ident(ir.typed_body.as_deref().unwrap_or("TypedBody"));
    quote! {
        types::#typed {
            content_type: reply.content_type_or(#fallback),
            body: #read,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn runtime_template_is_rust_without_inner_attributes() {
        let file = syn::parse_file(RUNTIME).expect("templates/client_runtime.rs parses");
        assert!(
            file.attrs.is_empty(),
            "inner attributes break inclusion as an inline module"
        );
        assert!(!RUNTIME.contains("crate::"), "the runtime must not refer to `crate::`");
    }

    fn param(wire: &str, rust: &str, location: ParamLocation, ty: TypeRef, required: bool) -> Param {
        Param {
            wire_name: wire.to_string(),
            rust_name: rust.to_string(),
            location,
            ty,
            required,
            doc: None,
            style: if location == ParamLocation::Query {
                crate::ir::ParamStyle::Exploded
            } else {
                crate::ir::ParamStyle::Joined(',')
            },
            default: None,
        }
    }

    /// An operation with what the leave definition lacks: query, array and header
    /// parameters, an optional body, optional bearer auth and a `default` response.
    fn messages_api() -> Ir {
        let operation = Operation {
            id: "getMessages".to_string(),
            method_name: "get_messages".to_string(),
            convenience_name: "get_messages_with".to_string(),
            handler_fn: "handle_get_messages".to_string(),
            request_type: "GetMessagesRequest".to_string(),
            response_type: "GetMessagesResponse".to_string(),
            http_method: HttpMethod::Post,
            path: "/rooms/{roomId}/messages".to_string(),
            template: crate::ir::paths::parse("/rooms/{roomId}/messages").unwrap(),
            summary: None,
            doc: None,
            params: vec![
                param("roomId", "room_id", ParamLocation::Path, TypeRef::String, true),
                param("limit", "limit", ParamLocation::Query, TypeRef::I64, false),
                param(
                    "ver",
                    "ver",
                    ParamLocation::Query,
                    TypeRef::Vec(Box::new(TypeRef::String)),
                    true,
                ),
                param("X-Trace", "x_trace", ParamLocation::Header, TypeRef::String, false),
            ],
            body: Some(crate::ir::Body {
                required: false,
                doc: None,
                shape: crate::ir::BodyShape::One(crate::ir::Encoding {
                    media: vec!["application/merge-patch+json".to_string()],
                    kind: crate::ir::EncodingKind::Json(TypeRef::Json),
                }),
            }),
            responses: vec![
                Response {
                    status: ResponseStatus::Exact(204),
                    variant: "NoContent".to_string(),
                    body: None,
                    doc: None,
                    headers: Vec::new(),
                },
                Response {
                    status: ResponseStatus::Default,
                    variant: "Default".to_string(),
                    body: Some(ResponseBody::One(MediaForm {
                        media: "application/json".to_string(),
                        declared: vec!["application/json".to_string()],
                        kind: MediaKind::Json(TypeRef::Json),
                    })),
                    doc: None,
                    headers: Vec::new(),
                },
            ],
            security: vec![vec![], vec!["token".to_string()]],
        };
        Ir {
            title: "Messages".to_string(),
            version: "1".to_string(),
            summary: None,
            description: None,
            license: None,
            base_path: String::new(),
            profile: crate::ir::Profile::Standard,
            api_name: "Messages".to_string(),
            types: Default::default(),
            operations: vec![operation],
            security_schemes: vec![crate::ir::SecurityScheme {
                name: "token".to_string(),
                doc: None,
                kind: SecurityKind::Http {
                    scheme: "bearer".to_string(),
                },
            }],
            examples: Vec::new(),
            renames: Vec::new(),
            typed_body: None,
            deep_nesting: None,
            client_only: Vec::new(),
            selectors: Default::default(),
            skipped: Vec::new(),
            body_support: Default::default(),
            models: Default::default(),
            body_shapes: Default::default(),
        }
    }

    #[test]
    fn query_header_body_security_and_default_are_emitted() {
        let text = crate::write::format_rust(emit_client(&messages_api()), "// test").expect("parses");
        let squashed: String = text.split_whitespace().collect();
        for expected in [
            r#"call.path_param("roomId",&request.room_id);"#,
            r#"call.query_param_opt("limit",&request.limit);"#,
            r#"call.query_param_each("ver",&request.ver);"#,
            r#"call.header_param_opt("X-Trace",&request.x_trace);"#,
            r#"ifletSome(body)=&request.body{call.json_body(body,"application/merge-patch+json");}"#,
            r#"call.credential("token",runtime::Placement::Header("Authorization"));call.credentials_optional();"#,
            "pubfnget_messages_with(&self,room_id:implInto<String>,limit:Option<i64>,ver:Vec<String>,x_trace:Option<String>,body:Option<::serde_json::Value>,)->Pending<'_,types::GetMessagesResponse>",
            "usetypes::GetMessagesResponseasResponse;",
            "204=>Ok(Response::NoContent),",
            "reply.json().map(|body|Response::Default{status,body})",
        ] {
            assert!(squashed.contains(expected), "missing `{expected}` in:\n{text}");
        }
        assert!(!text.contains("crate::"), "generated code must not name the crate root");
    }

    #[test]
    fn parameters_sharing_a_segment_say_what_ends_them() {
        let mut ir = messages_api();
        let op = &mut ir.operations[0];
        op.path = "/bytes/{from}-{to}.bin/{roomId}".to_string();
        op.template = crate::ir::paths::parse(&op.path).unwrap();
        op.params
            .push(param("from", "from", ParamLocation::Path, TypeRef::I64, true));
        op.params
            .push(param("to", "to", ParamLocation::Path, TypeRef::I64, true));
        let squashed: String = emit_path(
            &Ir {
                operations: Vec::new(),
                ..messages_api()
            },
            op,
        )
        .to_string()
        .split_whitespace()
        .collect();
        assert_eq!(
            squashed,
            concat!(
                r#"call.path("/bytes/");call.path_param_within("from",&request.from,"-");"#,
                r#"call.path("-");call.path_param_within("to",&request.to,"");"#,
                r#"call.path(".bin/");call.path_param("roomId",&request.room_id);"#,
            )
        );
    }
}
