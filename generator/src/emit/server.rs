//! The `server` module: one trait for the API, `router` over it, and per operation a row of
//! the router's table, a plain function that reads the operation's request struct and calls
//! the implementation, and the writer of its response enum. Everything that does not depend
//! on the operation (routing, credentials, reading the body within limits, media types,
//! turning errors and panics into responses) is generic code in
//! `templates/server_runtime.rs`, imported as `rt`, compiled once per API: per-operation async
//! handlers made rustc check a state machine per operation, most of a large crate's build.

use std::collections::{BTreeMap, BTreeSet};

use proc_macro2::{Literal, TokenStream};
use quote::{format_ident, quote};

use super::media;
use super::params::{ValueKind, prefixed, style_tokens, text_paths, value_kind};
use super::profile;
use super::rust::{doc, ident, qualified_type};
use crate::ir::paths::{self, PathPart, PathTemplate};
use crate::ir::{
    Ir, MediaForm, MediaKind, Operation, Param, ParamLocation, ParamStyle, Response, ResponseBody, ResponseStatus,
    SecurityKind, Selector, TypeRef,
};

/// The sibling module with the fixed helpers, by the short name the module imports it as.
fn rt() -> TokenStream {
    quote!(rt)
}

pub fn emit_server(ir: &Ir) -> TokenStream {
    // Operations only the client has are none of the server's business.
    let served = ir.served();
    let ir = served.as_ref();
    let rt = rt();
    let api_trait = emit_trait(ir);
    let router = emit_router(ir);
    let implementation = emit_implementation(ir);
    let handlers = ir.operations.iter().map(|op| emit_handler(ir, op));
    let writers = ir.operations.iter().map(emit_response_writer);
    let body_writers = emit_body_writers(ir);
    let router_test = emit_router_test(ir);
    // Unused (and so left out) without operations.
    let types = (!ir.operations.is_empty()).then(|| {
        quote!(
            use super::types;
        )
    });
    quote! {
        pub use super::server_runtime::{AuthRequest, Rejection, ServerConfig, ServerError, serve};
        use super::server_runtime as #rt;
        #types

        #api_trait
        #router
        #implementation
        #(#handlers)*
        #(#writers)*
        #body_writers
        #router_test
    }
}

/// What the runtime's handler steps need of an implementation of the API trait.
fn emit_implementation(ir: &Ir) -> TokenStream {
    let api = ident(&ir.api_name);
    let rt = rt();
    let auth = if any_secured(ir) {
        quote! {
            impl<A: #api> #rt::Authenticating for A {
                type Principal = A::Principal;

                fn authenticate(
                    &self,
                    request: #rt::AuthRequest<'_>,
                ) -> impl ::std::future::Future<Output = Result<A::Principal, #rt::Rejection>> + Send {
                    #api::authenticate(self, request)
                }
            }
        }
    } else {
        // The runtime's table has room for secured operations; this API has none.
        quote! {
            impl<A: #api> #rt::Authenticating for A {
                type Principal = ::std::convert::Infallible;

                fn authenticate(
                    &self,
                    _request: #rt::AuthRequest<'_>,
                ) -> impl ::std::future::Future<Output = Result<Self::Principal, #rt::Rejection>> + Send {
                    ::std::future::ready(Err(#rt::Rejection::unauthorized("No operation needs credentials.")))
                }
            }
        }
    };
    quote! {
        impl<A: #api> #rt::Implementation for A {
            fn error_response(&self, error: &#rt::ServerError) -> ::axum::response::Response {
                #api::error_response(self, error)
            }
        }

        #auth
    }
}

/// A test that builds the router over a stub, so that a route axum refuses at startup
/// fails `cargo test` of the generated crate instead of the user's first run.
fn emit_router_test(ir: &Ir) -> TokenStream {
    let api = ident(&ir.api_name);
    let rt = rt();
    let secured = any_secured(ir);
    let auth = secured.then(|| {
        quote! {
            type Principal = ();

            async fn authenticate(&self, _request: #rt::AuthRequest<'_>) -> ::std::result::Result<(), #rt::Rejection> {
                unreachable!("no request is sent")
            }
        }
    });
    // One line per operation through the runtime's `never_called!`: the stub of a big
    // API would otherwise be thousands of lines of `unreachable!`.
    let methods = ir.operations.iter().map(|op| {
        let name = ident(&op.method_name);
        let request = ident(&op.request_type);
        let response = ident(&op.response_type);
        let principal = is_secured(op).then(|| quote!(, ()));
        quote!(#name(#request #principal) -> #response;)
    });
    let stubs = (!ir.operations.is_empty()).then(|| {
        quote! {
            #rt::never_called! {
                #(#methods)*
            }
        }
    });
    quote! {
        /// Builds the router once: axum checks every route when it is added.
        #[cfg(test)]
        #[test]
        fn the_router_starts() {
            struct NeverCalled;

            impl self::#api for NeverCalled {
                #auth
                #stubs
            }

            let _ = router(NeverCalled);
        }
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
    let error_response = profile::error_response_method(ir, &rt);
    quote! {
        #[doc = #summary]
        ///
        /// Write each method as a plain `async fn`. Every method's response type has one
        /// variant per documented status, so an undocumented response cannot be returned.
        pub trait #name: Send + Sync + 'static {
            #auth
            #(#methods)*
            #error_response
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
    let principal = format!(
        " Who sent an authenticated request ({}).",
        profile::principal_example(ir)
    );
    let unauthorized = profile::status(ir, 401, "M_UNAUTHORIZED");
    let forbidden = profile::status(ir, 403, "M_FORBIDDEN");
    let missing = format!(" credential is present (a request without it is answered {unauthorized}");
    let rejection = format!(" body bytes. Return a [`Rejection`] ({unauthorized} or {forbidden})");
    quote! {
        #[doc = #principal]
        /// It reaches the handler of every operation that requires a scheme.
        type Principal: Send + 'static;

        /// Checks the credential of one security scheme and says who sent the request.
        ///
        /// Called before the handler of every operation that requires a scheme, once the
        #[doc = #missing]
        /// and never reaches this method). It sees the request as the client sent it: the
        /// method, the path and query still percent-encoded, the headers and the exact
        #[doc = #rejection]
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
        SecurityKind::ApiKeyCookie { cookie } => format!("the `{cookie}` cookie, still percent-encoded"),
        SecurityKind::Http { scheme } => format!("the `Authorization` header (`{scheme}`)"),
        SecurityKind::OAuth2 => "the `Authorization` header (OAuth 2 bearer token)".to_string(),
    }
}

/// Matrix federation signs requests in an `Authorization: X-Matrix …` header; when a
/// Matrix API has that shape of scheme, its trait documents how to check such a signature.
fn matrix_signature_recipe(ir: &Ir) -> TokenStream {
    // The same rule as the `x-matrix` feature: the recipe and the feature go together.
    if !super::x_matrix::applies(ir) {
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
            request: types::#request,
            #principal
        ) -> impl ::std::future::Future<Output = types::#response> + Send;
    }
}

fn emit_router(ir: &Ir) -> TokenStream {
    let api = ident(&ir.api_name);
    let rt = rt();
    let (constants, security) = security_constants(ir);
    let rows = routes(ir).into_values().flatten().map(|op| emit_row(ir, op, &security));
    let mount = if ir.base_path.is_empty() {
        " Every operation is mounted at its path.".to_string()
    } else {
        format!(" Every operation is mounted under `{}`.", ir.base_path)
    };
    let unknown = format!(
        " It answers unknown paths itself ({});",
        profile::status(ir, 404, "M_UNRECOGNIZED")
    );
    quote! {
        /// The API's routes with the default [`ServerConfig`].
        #[doc = #mount]
        ///
        /// The result is a plain [`::axum::Router`]: `merge` it into a larger app or add
        /// tower layers with `layer`.
        #[doc = #unknown]
        /// to merge it into an app with a fallback of its own, build it with
        /// [`ServerConfig::without_fallback`].
        pub fn router<A: #api>(api: A) -> ::axum::Router {
            router_with_config(api, #rt::ServerConfig::default())
        }

        /// [`router`] with explicit settings (body size limit, fallback).
        pub fn router_with_config<A: #api>(api: A, config: #rt::ServerConfig) -> ::axum::Router {
            use ::axum::routing::MethodFilter as M;
            #rt::router(api, config, &[#(#rows),*])
        }

        #constants
    }
}

/// The operations of each axum route. Paths that differ only in their parameters' names
/// or in the text around a parameter share a route (matchit allows one capture name per
/// position and no text after a capture); each operation then checks its own template.
/// Within a route, the operations are in the order they are tried: most fixed text first,
/// then the most selectors (see `ir::shared_urls`), then in the order of the definition.
fn routes(ir: &Ir) -> BTreeMap<String, Vec<&Operation>> {
    let mut by_route: BTreeMap<String, Vec<&Operation>> = BTreeMap::new();
    for op in &ir.operations {
        by_route
            .entry(route_pattern(&full_template(ir, op)))
            .or_default()
            .push(op);
    }
    // Operations picked by a header or query value before the one that takes the rest.
    for ops in by_route.values_mut() {
        ops.sort_by_key(|op| {
            (
                std::cmp::Reverse(full_template(ir, op).literal_len()),
                std::cmp::Reverse(ir.selectors_of(op).len()),
            )
        });
    }
    by_route
}

fn full_template(ir: &Ir, op: &Operation) -> PathTemplate {
    op.template.under(&ir.base_path)
}

/// The route axum sees: fixed segments as they arrive, every other segment one capture
/// named after its position. A segment starting with `:` or `*` is captured too: axum
/// 0.8 refuses such text as a leftover of its old capture syntax.
fn route_pattern(template: &PathTemplate) -> String {
    let mut pattern = String::new();
    for (i, segment) in template.segments.iter().enumerate() {
        pattern.push('/');
        match segment.literal().filter(|text| routes_as_text(text)) {
            Some(text) => pattern.push_str(&paths::wire_literal(&text)),
            None => pattern.push_str(&format!("{{p{i}}}")),
        }
    }
    pattern
}

fn routes_as_text(text: &str) -> bool {
    !text.starts_with(':') && !text.starts_with('*')
}

/// The operation's full path as the runtime matches it: fixed text as it arrives, each
/// parameter `{name}` (`/Accounts/{AccountSid}/Calls/{Sid}.json`). Names hold no `/`, `{`
/// or `}` (`check` refuses them) and fixed text holds its braces percent-encoded.
fn template_text(ir: &Ir, op: &Operation) -> String {
    let mut text = String::new();
    for segment in &full_template(ir, op).segments {
        text.push('/');
        for part in &segment.parts {
            match part {
                PathPart::Literal(literal) => text.push_str(&paths::wire_literal(literal)),
                PathPart::Param(name) => {
                    text.push('{');
                    text.push_str(name);
                    text.push('}');
                }
            }
        }
    }
    text
}

/// One row of the table of operations: method, template, credentials, accepted bodies,
/// selectors and the operation's function. The runtime orders nothing: rows of one route
/// are tried in the order they are listed.
fn emit_row(ir: &Ir, op: &Operation, security: &BTreeMap<&[Vec<String>], proc_macro2::Ident>) -> TokenStream {
    let rt = rt();
    let method = format_ident!("{}", op.http_method.as_str().to_ascii_uppercase());
    let template = template_text(ir, op);
    let handler = handler_ident(op);
    let row = match security.get(op.security.as_slice()).filter(|_| is_secured(op)) {
        Some(constant) => quote!(#rt::Operation::secured(M::#method, #template, #constant, #handler)),
        None => quote!(#rt::Operation::open(M::#method, #template, #handler)),
    };
    let accepting = op.body.as_ref().map(|body| {
        let accept = if super::bodies::is_plain_json(body) {
            json_accept(body)
        } else {
            super::bodies::server_accept(body, &rt)
        };
        quote!(.accepting(#accept))
    });
    let selected = match ir.selectors_of(op) {
        [] => None,
        selectors => {
            let selectors = selector_tokens(selectors);
            Some(quote!(.selected_by(&[#(#selectors),*])))
        }
    };
    quote!(#row #accepting #selected)
}

/// The security requirements of the served operations, one constant each (an API's
/// operations mostly share one), named after their schemes: `BEARER_TOKEN`,
/// `API_KEY_OR_OAUTH2`, `KEY_AND_SIGNATURE`.
fn security_constants(ir: &Ir) -> (TokenStream, BTreeMap<&[Vec<String>], proc_macro2::Ident>) {
    let rt = rt();
    let mut names: BTreeMap<&[Vec<String>], proc_macro2::Ident> = BTreeMap::new();
    let mut taken: BTreeSet<String> = BTreeSet::new();
    let mut constants = TokenStream::new();
    for op in ir.operations.iter().filter(|op| is_secured(op)) {
        if names.contains_key(op.security.as_slice()) {
            continue;
        }
        let mut name = op
            .security
            .iter()
            .map(|schemes| {
                schemes
                    .iter()
                    .map(|scheme| shouty_words(scheme))
                    .collect::<Vec<_>>()
                    .join("_AND_")
            })
            .collect::<Vec<_>>()
            .join("_OR_");
        // A scheme named without letters (`🔑`) or a long list of them gets a plain name.
        let usable = name.starts_with(|c: char| c.is_ascii_alphabetic()) && name.len() <= 40;
        if !usable {
            name = "SECURITY".to_string();
        }
        let mut unique = name.clone();
        let mut n = 2;
        while !taken.insert(unique.clone()) {
            unique = format!("{name}_{n}");
            n += 1;
        }
        let constant = format_ident!("{unique}");
        let alternatives = op.security.iter().map(|schemes| {
            let schemes = schemes.iter().map(|scheme| {
                let source = credential_source(ir, scheme);
                quote!((#scheme, #source))
            });
            quote!(&[#(#schemes),*])
        });
        constants.extend(quote! {
            const #constant: #rt::Security<'static> = &[#(#alternatives),*];
        });
        names.insert(op.security.as_slice(), constant);
    }
    (constants, names)
}

/// `signedRequest`, `api-key`, `OAuth2` → `SIGNED_REQUEST`, `API_KEY`, `OAUTH2`.
fn shouty_words(raw: &str) -> String {
    let mut words = String::new();
    let mut previous: Option<char> = None;
    for c in raw.chars() {
        if !c.is_ascii_alphanumeric() {
            if !words.is_empty() && !words.ends_with('_') {
                words.push('_');
            }
        } else {
            let starts_word = c.is_ascii_uppercase() && previous.is_some_and(|p| p.is_ascii_lowercase());
            if starts_word && !words.ends_with('_') {
                words.push('_');
            }
            words.push(c.to_ascii_uppercase());
        }
        previous = Some(c);
    }
    words.trim_end_matches('_').to_string()
}

/// The runtime's `Selector`s of an operation.
fn selector_tokens(selectors: &[Selector]) -> Vec<TokenStream> {
    let rt = rt();
    selectors
        .iter()
        .map(
            |Selector {
                 location, name, value, ..
             }| match location {
                ParamLocation::Header => quote!(#rt::Selector::Header(#name, #value)),
                _ => quote!(#rt::Selector::Query(#name, #value)),
            },
        )
        .collect()
}

fn handler_ident(op: &Operation) -> proc_macro2::Ident {
    ident(&op.handler_fn)
}

/// The operation's function: its parameters and body into the request struct, and the
/// call. The runtime has checked the credentials, read the body within the limits and
/// checked its media type before; it awaits the answer and writes it.
fn emit_handler(ir: &Ir, op: &Operation) -> TokenStream {
    let api = ident(&ir.api_name);
    let rt = rt();
    let handler = handler_ident(op);
    let method = ident(&op.method_name);
    let request_type = ident(&op.request_type);
    let (principal_param, principal_arg) = if is_secured(op) {
        (quote!(, principal: A::Principal), quote!(, principal))
    } else {
        (TokenStream::new(), TokenStream::new())
    };
    let template = full_template(ir, op);
    let path_names: Vec<&str> = template.params().collect();
    let path_values = (!path_names.is_empty()).then(|| {
        let count = Literal::usize_unsuffixed(path_names.len());
        quote!(let path_values: [&str; #count] = input.path_values()?;)
    });
    let query = reads_query_pairs(ir, op).then(|| quote!(let query = #rt::query_pairs(parts)?;));
    let fields: TokenStream = op
        .params
        .iter()
        .map(|p| emit_param_field(ir, op, p, &path_names))
        .collect();
    let body_field = match &op.body {
        Some(body) if super::bodies::is_plain_json(body) => json_body_field(body),
        Some(body) => Some(super::bodies::emit_server_body(ir, body, &rt)),
        None => None,
    };
    let reads = quote!(#query #fields #body_field);
    // Only what the function reads, so that nothing is unused.
    let taken: Vec<proc_macro2::Ident> = ["parts", "body", "encoding"]
        .into_iter()
        .filter(|name| mentions(&reads, name))
        .map(|name| format_ident!("{name}"))
        .collect();
    let bindings = (!taken.is_empty()).then(|| quote!(let #rt::Input { #(#taken,)* .. } = input;));
    let input = if taken.is_empty() && path_values.is_none() {
        quote!(_input)
    } else {
        quote!(input)
    };
    quote! {
        fn #handler<'a, A: #api>(
            api: &'a A,
            #input: #rt::Input<'_>
            #principal_param
        ) -> Result<#rt::Answer<'a>, #rt::ServerError> {
            #bindings
            #path_values
            #query
            let request = types::#request_type {
                #fields
                #body_field
            };
            Ok(#rt::answer(api.#method(request #principal_arg)))
        }
    }
}

/// Whether `tokens` read the local `name` anywhere: a field label (`body: …`) is not a use.
fn mentions(tokens: &TokenStream, name: &str) -> bool {
    let trees: Vec<proc_macro2::TokenTree> = tokens.clone().into_iter().collect();
    trees.iter().enumerate().any(|(at, tree)| match tree {
        proc_macro2::TokenTree::Ident(ident) => {
            let labels_a_field = matches!(
                trees.get(at + 1),
                Some(proc_macro2::TokenTree::Punct(punct))
                    if punct.as_char() == ':' && punct.spacing() == proc_macro2::Spacing::Alone
            );
            ident == name && !labels_a_field
        }
        proc_macro2::TokenTree::Group(group) => mentions(&group.stream(), name),
        _ => false,
    })
}

/// The media types of a body of one JSON encoding, for the runtime's check.
fn json_accept(body: &crate::ir::Body) -> TokenStream {
    let rt = rt();
    let mut accepted: Vec<String> = Vec::new();
    for encoding in body.shape.encodings() {
        for essence in encoding.media.iter().map(|media| crate::media_type::essence(media)) {
            if !accepted.contains(&essence) {
                accepted.push(essence);
            }
        }
    }
    quote!(#rt::Accept::Json(&[#(#accepted),*]))
}

/// The `body: …,` field of a body of one JSON encoding.
fn json_body_field(body: &crate::ir::Body) -> Option<TokenStream> {
    let rt = rt();
    let crate::ir::BodyShape::One(crate::ir::Encoding {
        kind: crate::ir::EncodingKind::Json(_),
        ..
    }) = &body.shape
    else {
        return None;
    };
    // The type is the request field's: inferred.
    Some(if body.required {
        quote!(body: #rt::json_body(body)?,)
    } else {
        quote!(body: #rt::optional_json_body(body)?,)
    })
}

/// Where a scheme's credential travels; an unknown scheme is looked for in
/// `Authorization`, where HTTP authentication puts it.
fn credential_source(ir: &Ir, scheme: &str) -> TokenStream {
    let rt = rt();
    let kind = ir.security_schemes.iter().find(|s| s.name == scheme).map(|s| &s.kind);
    match kind {
        Some(SecurityKind::ApiKeyHeader { header }) => quote!(#rt::CredentialSource::Header(#header)),
        Some(SecurityKind::ApiKeyQuery { param }) => quote!(#rt::CredentialSource::Query(#param)),
        Some(SecurityKind::ApiKeyCookie { cookie }) => quote!(#rt::CredentialSource::Cookie(#cookie)),
        _ => quote!(#rt::CredentialSource::Header("Authorization")),
    }
}

/// One field of the request struct, read from the path, the query, the headers or the
/// cookies. `path_names` lists the path's parameters in the order `path_values` holds them.
fn emit_param_field(ir: &Ir, op: &Operation, param: &Param, path_names: &[&str]) -> TokenStream {
    let rt = rt();
    let field = ident(&param.rust_name);
    let wire = &param.wire_name;
    let style = style_tokens(&rt, param.style);
    let kind = value_kind(ir, &param.ty);
    let list = |items: TokenStream, item: &TypeRef| {
        let parse = parse_fn(item);
        quote!(#rt::parse_items(#items, #wire, #parse)?)
    };
    let object = |members: TokenStream, text_members: &[&str], all_text: bool| {
        let ty = qualified_type(&param.ty);
        quote!(#rt::parse_members::<#ty>(#members, #wire, &[#(#text_members),*], #all_text)?)
    };
    let value = match param.location {
        ParamLocation::Path => {
            // `check` guarantees every path parameter is in the template.
            let at = path_names.iter().position(|name| name == wire).unwrap_or(0);
            let at = Literal::usize_unsuffixed(at);
            let raw = quote!(path_values[#at]);
            // A path parameter is always present once the path fits the template.
            let value = match &kind {
                ValueKind::Scalar => {
                    let raw = if prefixed(param.style) {
                        quote!(#rt::path_unprefixed(#raw, #wire, #style)?)
                    } else {
                        raw
                    };
                    if param.ty == TypeRef::String {
                        return quote!(#field: #rt::path_string(#raw, #wire)?,);
                    }
                    let parse = parse_fn(&param.ty);
                    return quote!(#field: #rt::path_param(#raw, #wire, #parse)?,);
                }
                ValueKind::List(item) => list(quote!(Some(#rt::path_items(#raw, #wire, #style)?)), item),
                ValueKind::Object { text_members, all_text } => object(
                    quote!(Some(#rt::path_members(#raw, #wire, #style)?)),
                    text_members,
                    *all_text,
                ),
            };
            return quote!(#field: #rt::required(#value, #wire)?,);
        }
        ParamLocation::Query => match &kind {
            _ if matches!(param.style, ParamStyle::Bracketed { .. }) => {
                let members = param.style == (ParamStyle::Bracketed { members: true });
                let others = query_names_besides(ir, op, param);
                let ty = qualified_type(&param.ty);
                let text_paths = text_paths(ir, &param.ty).into_iter().map(|path| quote!(&[#(#path),*]));
                quote!(#rt::query_bracketed::<#ty>(parts, #wire, #members, &[#(#others),*], &[#(#text_paths),*])?)
            }
            // The usual query parameter, a `FromStr` scalar, on one line.
            ValueKind::Scalar if reads_as_scalar(&param.ty) => quote!(#rt::query_scalar(&query, #wire)?),
            ValueKind::Scalar => {
                let parse = parse_fn(&param.ty);
                quote!(#rt::query_param(&query, #wire, #parse)?)
            }
            ValueKind::List(item) if param.style == ParamStyle::Exploded => {
                let parse = parse_fn(item);
                quote!(#rt::query_list(&query, #wire, #parse)?)
            }
            ValueKind::List(item) => list(quote!(#rt::query_items(parts, #wire, #style)?), item),
            ValueKind::Object { text_members, all_text } => {
                let others = query_names_besides(ir, op, param);
                object(
                    quote!(#rt::query_members(parts, #wire, #style, &[#(#others),*])?),
                    text_members,
                    *all_text,
                )
            }
        },
        ParamLocation::Header => match &kind {
            ValueKind::Scalar => {
                let parse = parse_fn(&param.ty);
                quote!(#rt::header_param(&parts.headers, #wire, #parse)?)
            }
            ValueKind::List(item) => list(quote!(#rt::header_items(&parts.headers, #wire, #style)?), item),
            ValueKind::Object { text_members, all_text } => object(
                quote!(#rt::header_members(&parts.headers, #wire, #style)?),
                text_members,
                *all_text,
            ),
        },
        ParamLocation::Cookie => match &kind {
            ValueKind::Scalar => {
                let parse = parse_fn(&param.ty);
                quote!(#rt::cookie_param(&parts.headers, #wire, #parse)?)
            }
            ValueKind::List(item) => list(quote!(#rt::cookie_items(&parts.headers, #wire, #style)?), item),
            ValueKind::Object { text_members, all_text } => object(
                quote!(#rt::cookie_members(&parts.headers, #wire)?),
                text_members,
                *all_text,
            ),
        },
    };
    if param.required {
        quote!(#field: #rt::required(#value, #wire)?,)
    } else if let Some(default) = &param.default {
        let default = default.to_string();
        quote!(#field: #rt::or_default(#value, #default, #wire)?,)
    } else {
        quote!(#field: #value,)
    }
}

/// The query keys an exploded object parameter does not take as its members: the other
/// query parameters and the query credentials.
fn query_names_besides<'a>(ir: &'a Ir, op: &'a Operation, param: &Param) -> Vec<&'a str> {
    let params = op
        .params
        .iter()
        .filter(|p| p.location == ParamLocation::Query && p.wire_name != param.wire_name)
        .map(|p| p.wire_name.as_str());
    let credentials = ir.security_schemes.iter().filter_map(|scheme| match &scheme.kind {
        SecurityKind::ApiKeyQuery { param } => Some(param.as_str()),
        _ => None,
    });
    params.chain(credentials).collect()
}

/// Whether the handler reads the decoded query pairs (`query`): scalars and exploded lists do.
fn reads_query_pairs(ir: &Ir, op: &Operation) -> bool {
    op.params.iter().any(|p| {
        p.location == ParamLocation::Query
            && match value_kind(ir, &p.ty) {
                _ if matches!(p.style, ParamStyle::Bracketed { .. }) => false,
                ValueKind::Scalar => true,
                ValueKind::List(_) => p.style == ParamStyle::Exploded,
                ValueKind::Object { .. } => false,
            }
    })
}

/// The parser for one parameter value: `FromStr` for scalars, serde for the rest. The
/// type it reads is the request field's, which the compiler infers.
fn parse_fn(ty: &TypeRef) -> TokenStream {
    let rt = rt();
    if reads_as_scalar(ty) {
        quote!(#rt::parse_scalar)
    } else {
        quote!(#rt::parse_serde)
    }
}

/// Whether a value of `ty` is read with `FromStr` (`parse_scalar`) rather than serde.
fn reads_as_scalar(ty: &TypeRef) -> bool {
    matches!(ty, TypeRef::String | TypeRef::F64 | TypeRef::Bool) || ty.integer_bounds().is_some()
}

/// Turns the response enum into an HTTP response: the variant decides status and body.
fn emit_response_writer(op: &Operation) -> TokenStream {
    let rt = rt();
    let response = ident(&op.response_type);
    let arms = op.responses.iter().map(|r| emit_response_arm(r, op));
    quote! {
        impl #rt::WriteResponse for types::#response {
            fn write(self) -> Result<::axum::response::Response, #rt::ServerError> {
                match self {
                    #(#arms)*
                }
            }
        }
    }
}

/// One writer per body enum of several media types, in the order responses name them.
fn emit_body_writers(ir: &Ir) -> TokenStream {
    let mut seen: BTreeSet<&str> = BTreeSet::new();
    let mut writers = TokenStream::new();
    for r in ir.operations.iter().flat_map(|op| &op.responses) {
        if let Some(ResponseBody::Several { name, forms }) = &r.body {
            // A body of a shared shape is written by the shape's generic writer.
            if !ir.body_shapes.of_body.contains_key(name) && seen.insert(name) {
                writers.extend(emit_body_writer(name, forms));
            }
        }
    }
    writers.extend(super::body_shapes::emit_server_writers(ir, &rt()));
    writers
}

/// A body of several media types: each variant written in its form with the status the
/// response variant gives.
fn emit_body_writer(name: &str, forms: &[(String, MediaForm)]) -> TokenStream {
    let rt = rt();
    let name = ident(name);
    let arms = forms.iter().map(|(variant, form)| {
        let variant = ident(variant);
        let write = write_form(form, &quote!(body), &quote!(status));
        quote!(Self::#variant(body) => #write,)
    });
    quote! {
        impl #rt::WriteBody for types::#name {
            fn write(self, status: u16) -> Result<::axum::response::Response, #rt::ServerError> {
                match self {
                    #(#arms)*
                }
            }
        }
    }
}

/// One variant's arm. A range or `default` variant's status is checked first
/// (`status_of_class`, `default_status`): a status it may not stand for answers 500.
/// Then the body is written in its form, then each declared header.
fn emit_response_arm(r: &Response, op: &Operation) -> TokenStream {
    let rt = rt();
    let status = match r.status {
        ResponseStatus::Exact(code) => {
            let code = Literal::u16_unsuffixed(code);
            quote!(#code)
        }
        ResponseStatus::Class(class) => {
            let class = Literal::u16_unsuffixed(class);
            quote!(#rt::status_of_class(status, #class)?)
        }
        ResponseStatus::Default => {
            let listed = op.responses.iter().filter_map(|r| r.status.exact());
            let classes = op.responses.iter().filter_map(|r| match r.status {
                ResponseStatus::Class(class) => Some(class),
                _ => None,
            });
            let listed = listed.map(Literal::u16_unsuffixed);
            let classes = classes.map(Literal::u16_unsuffixed);
            quote!(#rt::default_status(status, &[#(#listed),*], &[#(#classes),*])?)
        }
    };
    let pattern = media::bind(&quote!(Self), r);
    let write = write_body(r.body.as_ref(), &status);
    if r.headers.is_empty() {
        return quote!(#pattern => #write,);
    }
    // No `let` in the arm: a header's field may be called `status` or `response`.
    let headers = r.headers.iter().map(|header| {
        let field = ident(&header.rust_name);
        let wire = &header.wire_name;
        if header.required {
            quote!((#wire, Some(#rt::response_header_text(&#field))))
        } else {
            quote!((#wire, #field.as_ref().map(#rt::response_header_text)))
        }
    });
    quote! {
        #pattern => #rt::with_headers(#write, [#(#headers),*]),
    }
}

/// The expression writing the variant's `body` (bound by that name) with `status`.
fn write_body(body: Option<&ResponseBody>, status: &TokenStream) -> TokenStream {
    let rt = rt();
    match body {
        None => quote!(#rt::empty_response(#status)),
        Some(ResponseBody::One(form)) => write_form(form, &quote!(body), status),
        Some(ResponseBody::Several { .. }) => quote!(#rt::WriteBody::write(body, #status)),
    }
}

/// One form: JSON serialized, text and bytes handed over as they are, with the declared
/// type, or the one the body carries when the declared type names no single one.
pub(super) fn write_form(form: &MediaForm, body: &TokenStream, status: &TokenStream) -> TokenStream {
    let rt = rt();
    let media = &form.media;
    match &form.kind {
        MediaKind::Json(_) => quote!(#rt::json_response(#status, &#body, #media)),
        _ if form.carries_content_type() => {
            quote!(#rt::typed_response(#status, #body.body, #body.content_type, #media))
        }
        _ => quote!(#rt::raw_response(#status, #body, #media)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn segments_axum_cannot_route_become_captures_named_by_position() {
        let pattern = |path: &str| route_pattern(&paths::parse(path).unwrap());
        assert_eq!(pattern("/Accounts/{Sid}.json"), "/Accounts/{p1}");
        assert_eq!(pattern("/a/{x}/b"), pattern("/a/{y}/b"));
        assert_eq!(pattern("/v1/{name}:cancel"), "/v1/{p1}");
        assert_eq!(pattern("/v1/:batch/*x"), "/v1/{p1}/{p2}");
        assert_eq!(pattern("/wiki/caf\u{e9} au lait"), "/wiki/caf%C3%A9%20au%20lait");
        assert_eq!(pattern("/"), "/");
    }

    #[test]
    fn security_constants_are_named_by_their_schemes_words() {
        assert_eq!(shouty_words("signedRequest"), "SIGNED_REQUEST");
        assert_eq!(shouty_words("api-key"), "API_KEY");
        assert_eq!(shouty_words("OAuth2"), "OAUTH2");
        assert_eq!(shouty_words("\u{1f511}"), "");
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
