//! The `server` module: one trait for the API, `router` over it, and one axum handler per
//! operation. The fixed helpers it calls live in `templates/server_runtime.rs`.

use std::collections::BTreeMap;

use proc_macro2::{Literal, TokenStream};
use quote::{format_ident, quote};

use super::rust::{doc, ident, qualified_type};
use crate::ir::{Ir, Operation, Param, ParamLocation, Response, SecurityKind, TypeRef};

/// The sibling module with the fixed helpers.
fn rt() -> TokenStream {
    quote!(super::server_runtime)
}

pub fn emit_server(ir: &Ir) -> TokenStream {
    let rt = rt();
    let api_trait = emit_trait(ir);
    let router = emit_router(ir);
    let fallbacks = emit_fallbacks(ir);
    let handlers = ir.operations.iter().map(|op| emit_handler(ir, op));
    let writers = ir.operations.iter().map(emit_response_writer);
    quote! {
        pub use #rt::{AuthRequest, Rejection, ServerConfig, ServerError};

        #api_trait
        #router
        #fallbacks
        #(#handlers)*
        #(#writers)*
    }
}

/// Whether any operation needs a principal; without one the trait has no `authenticate`.
fn any_secured(ir: &Ir) -> bool {
    ir.operations.iter().any(is_secured)
}

/// Secured: some scheme is required. An empty alternative means anonymous access is
/// allowed, so such an operation is served without authentication.
fn is_secured(op: &Operation) -> bool {
    !op.security.is_empty() && op.security.iter().all(|schemes| !schemes.is_empty())
}

fn emit_trait(ir: &Ir) -> TokenStream {
    let name = ident(&ir.api_name);
    let rt = rt();
    let summary = format!(
        " The operations of {}: implement this and serve it with [`router`].",
        ir.title
    );
    let auth = any_secured(ir).then(|| emit_auth_items(ir));
    let methods = ir.operations.iter().map(emit_trait_method);
    quote! {
        #[doc = #summary]
        ///
        /// Write each method as a plain `async fn`. Every method's response type has one
        /// variant per documented status, so an undocumented response cannot be returned.
        pub trait #name: Send + Sync + 'static {
            #auth
            #(#methods)*

            /// Renders every error the router answers by itself (unknown path, bad
            /// parameters or body, missing or rejected credentials, a panicking handler).
            /// The default writes a Matrix error body, `{"errcode": "M_…", "error": "…"}`;
            /// override it to change the wording or the format in one place.
            fn error_response(&self, error: &#rt::ServerError) -> ::axum::response::Response {
                #rt::matrix_error_response(error)
            }
        }
    }
}

fn emit_auth_items(ir: &Ir) -> TokenStream {
    let rt = rt();
    let schemes = ir.security_schemes.iter().map(|scheme| {
        let line = format!(" - `{}`: {}", scheme.name, credential_description(&scheme.kind));
        let docs = doc(scheme.doc.as_deref().map(indent).as_deref());
        quote!(#[doc = #line] #docs)
    });
    let recipe = matrix_signature_recipe(ir);
    quote! {
        /// Who sent an authenticated request (for Matrix federation: the origin server's
        /// name). It reaches the handler of every operation that requires a scheme.
        type Principal: Send + 'static;

        /// Checks the credential of one security scheme and says who sent the request.
        ///
        /// Called before the handler of every operation that requires a scheme, once the
        /// credential is present (a request without it is answered 401 `M_UNAUTHORIZED`
        /// and never reaches this method). It sees the request as the client sent it: the
        /// method, the path and query still percent-encoded, the headers and the exact
        /// body bytes. Return a [`Rejection`] (401 `M_UNAUTHORIZED` or 403 `M_FORBIDDEN`)
        /// to refuse it; the handler is then not called.
        ///
        /// The schemes of this API:
        ///
        #(#schemes)*
        #recipe
        fn authenticate(
            &self,
            request: #rt::AuthRequest<'_>,
        ) -> impl ::std::future::Future<Output = Result<Self::Principal, #rt::Rejection>> + Send;
    }
}

fn indent(text: &str) -> String {
    text.lines()
        .map(|line| format!("  {line}"))
        .collect::<Vec<_>>()
        .join("\n")
}

fn credential_description(kind: &SecurityKind) -> String {
    match kind {
        SecurityKind::ApiKeyHeader { header } => format!("the `{header}` header"),
        SecurityKind::ApiKeyQuery { param } => format!("the `{param}` query parameter, still percent-encoded"),
        SecurityKind::Http { scheme } => format!("the `Authorization` header (`{scheme}`)"),
        SecurityKind::OAuth2 => "the `Authorization` header (OAuth 2 bearer token)".to_string(),
    }
}

/// Matrix federation signs requests in an `Authorization: X-Matrix …` header; when an API
/// has that shape of scheme, its trait documents how to check such a signature.
fn matrix_signature_recipe(ir: &Ir) -> TokenStream {
    let signed = ir.security_schemes.iter().any(
        |s| matches!(&s.kind, SecurityKind::ApiKeyHeader { header } if header.eq_ignore_ascii_case("authorization")),
    );
    if !signed {
        return TokenStream::new();
    }
    quote! {
        ///
        /// # Verifying a Matrix `X-Matrix` signature
        ///
        /// 1. Parse `request.credential`: `X-Matrix origin=example.org,destination=matrix.org,key="ed25519:key1",sig="ABCDEF…"`
        ///    (values may be quoted). No `X-Matrix` prefix or a missing `origin`, `key`
        ///    or `sig`: return [`Rejection::unauthorized`].
        /// 2. Check that `destination`, when present, is this server's name.
        /// 3. Build the JSON object `{"method": request.method, "uri": request.path_and_query,
        ///    "origin": origin, "destination": destination, "content": body}`, where
        ///    `content` is `request.body` parsed as JSON and left out when the body is
        ///    empty, and write it as canonical JSON (keys sorted, no spaces, UTF-8).
        /// 4. Fetch the origin's public key `key` (its `/_matrix/key/v2/server`, through a
        ///    cache), decode `sig` as unpadded base64, and verify the ed25519 signature
        ///    over the canonical bytes. Failure: [`Rejection::unauthorized`]; a known server
        ///    that may not do this: [`Rejection::forbidden`].
        /// 5. Return the origin server's name as the principal.
    }
}

fn emit_trait_method(op: &Operation) -> TokenStream {
    let name = ident(&op.method_name);
    let request = ident(&op.request_type);
    let response = ident(&op.response_type);
    let heading = format!(" `{} {}`", op.http_method.as_str(), op.path);
    let summary = doc(op.summary.as_deref());
    let docs = doc(op.doc.as_deref());
    let gap = op.summary.is_some().then(|| quote!(#[doc = ""]));
    let principal = is_secured(op).then(|| quote!(principal: Self::Principal,));
    quote! {
        #summary
        #gap
        #[doc = #heading]
        #[doc = ""]
        #docs
        fn #name(
            &self,
            request: super::types::#request,
            #principal
        ) -> impl ::std::future::Future<Output = super::types::#response> + Send;
    }
}

fn emit_router(ir: &Ir) -> TokenStream {
    let api = ident(&ir.api_name);
    let rt = rt();
    // Operations sharing a path share one route, one method each.
    let mut by_path: BTreeMap<String, Vec<&Operation>> = BTreeMap::new();
    for op in &ir.operations {
        by_path
            .entry(format!("{}{}", ir.base_path, op.path))
            .or_default()
            .push(op);
    }
    let routes = by_path.iter().map(|(path, ops)| {
        let methods = ops.iter().map(|op| {
            let method = format_ident!("{}", op.http_method.as_str().to_ascii_lowercase());
            let handler = handler_ident(op);
            quote!(.#method(#handler::<A>))
        });
        quote! {
            .route(#path, ::axum::routing::MethodRouter::new() #(#methods)* .fallback(method_not_allowed::<A>))
        }
    });
    let mount = if ir.base_path.is_empty() {
        " Every operation is mounted at its path.".to_string()
    } else {
        format!(" Every operation is mounted under `{}`.", ir.base_path)
    };
    quote! {
        /// The API's routes with the default [`ServerConfig`].
        #[doc = #mount]
        ///
        /// The result is a plain [`::axum::Router`]: `merge` it into a larger app or add
        /// tower layers with `layer`. It answers unknown paths itself (404
        /// `M_UNRECOGNIZED`); to merge it into an app with a fallback of its own, build it
        /// with [`ServerConfig::without_fallback`].
        pub fn router<A: #api>(api: A) -> ::axum::Router {
            router_with_config(api, #rt::ServerConfig::default())
        }

        /// [`router`] with explicit settings (body size limit, fallback).
        pub fn router_with_config<A: #api>(api: A, config: #rt::ServerConfig) -> ::axum::Router {
            let answer_unknown_paths = config.answer_unknown_paths;
            let shared = ::std::sync::Arc::new(#rt::Shared { api, config });
            let routes = ::axum::Router::new() #(#routes)*;
            let routes = if answer_unknown_paths {
                routes.fallback(unknown_path::<A>)
            } else {
                routes
            };
            routes.with_state(shared)
        }
    }
}

fn emit_fallbacks(ir: &Ir) -> TokenStream {
    let api = ident(&ir.api_name);
    let rt = rt();
    quote! {
        /// The state every handler gets.
        type State<A> = ::axum::extract::State<::std::sync::Arc<#rt::Shared<A>>>;

        async fn unknown_path<A: #api>(::axum::extract::State(shared): State<A>) -> ::axum::response::Response {
            shared.api.error_response(&#rt::ServerError::UnknownPath)
        }

        async fn method_not_allowed<A: #api>(
            ::axum::extract::State(shared): State<A>,
            method: ::axum::http::Method,
        ) -> ::axum::response::Response {
            shared.api.error_response(&#rt::ServerError::MethodNotAllowed { method })
        }
    }
}

fn handler_ident(op: &Operation) -> proc_macro2::Ident {
    ident(&op.handler_fn)
}

fn serve_ident(op: &Operation) -> proc_macro2::Ident {
    ident(&op.serve_fn)
}

fn writer_ident(op: &Operation) -> proc_macro2::Ident {
    ident(&op.writer_fn)
}

/// The axum handler (panics become 500, errors go through `error_response`) and the
/// function that does the work: body, credentials, parameters, the call, the response.
fn emit_handler(ir: &Ir, op: &Operation) -> TokenStream {
    let api = ident(&ir.api_name);
    let rt = rt();
    let handler = handler_ident(op);
    let serve = serve_ident(op);
    let writer = writer_ident(op);
    let method = ident(&op.method_name);
    let request_type = ident(&op.request_type);
    let (principal, principal_arg) = if is_secured(op) {
        let alternatives = op.security.iter().map(|schemes| {
            let schemes = schemes.iter().map(|name| {
                let source = credential_source(ir, name);
                quote!((#name, #source))
            });
            quote!(&[#(#schemes),*])
        });
        (
            quote! {
                let principal = #rt::authenticate(&parts, &body, &[#(#alternatives),*], |request| {
                    shared.api.authenticate(request)
                })
                .await?;
            },
            quote!(, principal),
        )
    } else {
        (TokenStream::new(), TokenStream::new())
    };
    // The body is read (and held to the limit) even when nothing looks at it.
    let read_body = if is_secured(op) || op.body.is_some() {
        quote!(let body = #rt::read_body(&parts.headers, body, shared.config.body_limit).await?;)
    } else {
        quote!(#rt::read_body(&parts.headers, body, shared.config.body_limit).await?;)
    };
    let full_path = format!("{}{}", ir.base_path, op.path);
    let has_query = op.params.iter().any(|p| p.location == ParamLocation::Query);
    let query = has_query.then(|| quote!(let query = #rt::query_pairs(&parts)?;));
    let fields = op.params.iter().map(|p| emit_param_field(p, &full_path));
    let body_field = op.body.as_ref().map(|body| {
        let ty = qualified_type(&body.ty);
        if body.required {
            quote!(body: #rt::json_body::<#ty>(&body)?,)
        } else {
            quote!(body: #rt::optional_json_body::<#ty>(&body)?,)
        }
    });
    quote! {
        async fn #handler<A: #api>(
            ::axum::extract::State(shared): State<A>,
            request: ::axum::extract::Request,
        ) -> ::axum::response::Response {
            match #rt::catch_panic(#serve(&shared, request)).await {
                Ok(Ok(response)) => response,
                Ok(Err(error)) | Err(error) => shared.api.error_response(&error),
            }
        }

        async fn #serve<A: #api>(
            shared: &#rt::Shared<A>,
            request: ::axum::extract::Request,
        ) -> Result<::axum::response::Response, #rt::ServerError> {
            let (parts, body) = request.into_parts();
            #read_body
            #principal
            #query
            let request = super::types::#request_type {
                #(#fields)*
                #body_field
            };
            #writer(shared.api.#method(request #principal_arg).await)
        }
    }
}

/// Where a scheme's credential travels; an unknown scheme is looked for in
/// `Authorization`, where HTTP authentication puts it.
fn credential_source(ir: &Ir, scheme: &str) -> TokenStream {
    let rt = rt();
    let kind = ir.security_schemes.iter().find(|s| s.name == scheme).map(|s| &s.kind);
    match kind {
        Some(SecurityKind::ApiKeyHeader { header }) => quote!(#rt::CredentialSource::Header(#header)),
        Some(SecurityKind::ApiKeyQuery { param }) => quote!(#rt::CredentialSource::Query(#param)),
        _ => quote!(#rt::CredentialSource::Header("Authorization")),
    }
}

/// One field of the request struct, read from the path, the query or the headers.
fn emit_param_field(param: &Param, full_path: &str) -> TokenStream {
    let rt = rt();
    let field = ident(&param.rust_name);
    let wire = &param.wire_name;
    let value = match param.location {
        ParamLocation::Path => {
            let (from_end, prefix, suffix) = path_position(full_path, wire);
            let from_end = Literal::usize_unsuffixed(from_end);
            // A path parameter is always present once the route matched.
            if param.ty == TypeRef::String {
                return quote!(#field: #rt::path_string(parts.uri.path(), #from_end, #prefix, #suffix, #wire)?,);
            }
            let parse = parse_fn(&param.ty);
            return quote!(#field: #rt::path_param(parts.uri.path(), #from_end, #prefix, #suffix, #wire, #parse)?,);
        }
        ParamLocation::Query => match &param.ty {
            TypeRef::Vec(item) => {
                let parse = parse_fn(item);
                quote!(#rt::query_list(&query, #wire, #parse)?)
            }
            ty => {
                let parse = parse_fn(ty);
                quote!(#rt::query_param(&query, #wire, #parse)?)
            }
        },
        ParamLocation::Header => match &param.ty {
            TypeRef::Vec(item) => {
                let parse = parse_fn(item);
                quote!(#rt::header_list(&parts.headers, #wire, #parse)?)
            }
            ty => {
                let parse = parse_fn(ty);
                quote!(#rt::header_param(&parts.headers, #wire, #parse)?)
            }
        },
    };
    if param.required {
        quote!(#field: #rt::required(#value, #wire)?,)
    } else {
        quote!(#field: #value,)
    }
}

/// The parser for one parameter value: `FromStr` for scalars, serde for the rest.
fn parse_fn(ty: &TypeRef) -> TokenStream {
    let rt = rt();
    let tokens = qualified_type(ty);
    match ty {
        TypeRef::String | TypeRef::I32 | TypeRef::I64 | TypeRef::F64 | TypeRef::Bool => {
            quote!(#rt::parse_scalar::<#tokens>)
        }
        _ => quote!(#rt::parse_serde::<#tokens>),
    }
}

/// Where a path parameter sits: its segment counted from the end of the route, and the
/// literal text around it in that segment (`{id}.json` → `""`, `".json"`).
fn path_position(path: &str, name: &str) -> (usize, String, String) {
    let placeholder = format!("{{{name}}}");
    let segments: Vec<&str> = path.split('/').collect();
    for (i, segment) in segments.iter().enumerate() {
        if let Some(at) = segment.find(&placeholder) {
            let prefix = segment[..at].to_string();
            let suffix = segment[at + placeholder.len()..].to_string();
            return (segments.len() - 1 - i, prefix, suffix);
        }
    }
    // `check` guarantees every path parameter is in the path; this is never reached.
    (0, String::new(), String::new())
}

/// Turns the response enum into an HTTP response: the variant decides status and body.
fn emit_response_writer(op: &Operation) -> TokenStream {
    let rt = rt();
    let writer = writer_ident(op);
    let response = ident(&op.response_type);
    let arms = op.responses.iter().map(|r| emit_response_arm(&response, r));
    quote! {
        fn #writer(response: super::types::#response) -> Result<::axum::response::Response, #rt::ServerError> {
            match response {
                #(#arms)*
            }
        }
    }
}

fn emit_response_arm(response: &proc_macro2::Ident, r: &Response) -> TokenStream {
    let rt = rt();
    let variant = ident(&r.variant);
    match (r.status, &r.ty) {
        (Some(code), Some(_)) => {
            let code = Literal::u16_unsuffixed(code);
            quote!(super::types::#response::#variant(body) => #rt::json_response(#code, &body),)
        }
        (Some(code), None) => {
            let code = Literal::u16_unsuffixed(code);
            quote!(super::types::#response::#variant => #rt::empty_response(#code),)
        }
        (None, Some(_)) => {
            quote!(super::types::#response::#variant { status, body } => #rt::json_response(status, &body),)
        }
        (None, None) => quote!(super::types::#response::#variant { status } => #rt::empty_response(status),),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn path_parameters_are_found_from_the_end() {
        let path = "/_matrix/federation/v1/send_leave/{roomId}/{eventId}";
        assert_eq!(path_position(path, "eventId"), (0, String::new(), String::new()));
        assert_eq!(path_position(path, "roomId"), (1, String::new(), String::new()));
        assert_eq!(
            path_position("/files/{name}.json/raw", "name"),
            (1, String::new(), ".json".to_string())
        );
    }

    #[test]
    fn the_runtime_template_parses_without_inner_attributes() {
        let file = syn::parse_file(super::super::SERVER_RUNTIME).expect("templates/server_runtime.rs parses");
        assert!(
            file.attrs.is_empty(),
            "the runtime must have no inner attributes: it may be inlined"
        );
        let code_uses_crate = super::super::SERVER_RUNTIME
            .lines()
            .filter(|line| !line.trim_start().starts_with("//"))
            .any(|line| line.contains("crate::"));
        assert!(!code_uses_crate, "the runtime must not use `crate::` paths");
    }
}
