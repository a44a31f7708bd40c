// Fixed helpers for the generated `server` module: they do not depend on the definition.
// No inner attributes and no `crate::` paths here: this file may be included as an inline
// module at any path.

use std::borrow::Cow;
use std::future::Future;
use std::panic::AssertUnwindSafe;
use std::collections::BTreeMap;
use std::pin::{Pin, pin};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::task::Poll;
use std::time::Duration;

use ::axum::body::{Body, Bytes, HttpBody};
use ::axum::http::request::Parts;
use ::axum::http::{HeaderMap, HeaderValue, Method, StatusCode, header};
use ::axum::extract::State;
use ::axum::response::{IntoResponse, Response};

/// Settings of the generated router, all in one place.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct ServerConfig {
    /// Request bodies longer than this many bytes are answered with 413.
    pub body_limit: usize,
    /// Whether the router answers paths it does not know (404). axum
    /// cannot merge two routers that both do; turn this off to merge into one that does.
    pub answer_unknown_paths: bool,
    /// How long [`serve`] waits for a request's head (request line and headers), counted
    /// from when the connection opens or from the head's first byte on a kept-alive one.
    pub header_read_timeout: Duration,
    /// How long a request's whole body may take to arrive, counted from when the router
    /// starts reading it: past it, 408 and the connection is closed.
    pub body_timeout: Duration,
    /// How long [`serve`] keeps an idle connection open, waiting for the next request.
    pub keep_alive_idle_timeout: Duration,
    /// The request body bytes all requests in progress may hold together; past it a
    /// request is answered 503, so stalled uploads cannot take the
    /// server's memory.
    pub buffered_body_cap: usize,
    /// Where the router serves the API's OpenAPI document (`stubforge export`), and the
    /// document; nowhere unless set with [`ServerConfig::with_openapi_document`].
    pub openapi_document: Option<(String, Bytes)>,
}

impl Default for ServerConfig {
    fn default() -> Self {
        ServerConfig {
            body_limit: 1024 * 1024,
            answer_unknown_paths: true,
            header_read_timeout: Duration::from_secs(10),
            body_timeout: Duration::from_secs(30),
            keep_alive_idle_timeout: Duration::from_secs(60),
            buffered_body_cap: 64 * 1024 * 1024,
            openapi_document: None,
        }
    }
}

impl ServerConfig {
    /// The same settings with another body limit.
    pub fn with_body_limit(mut self, bytes: usize) -> Self {
        self.body_limit = bytes;
        self
    }

    /// The same settings, leaving unknown paths to the app the router is merged into.
    pub fn without_fallback(mut self) -> Self {
        self.answer_unknown_paths = false;
        self
    }

    /// The same settings with other timeouts: for a request's head, for its whole body,
    /// and for an idle kept-alive connection (see [`serve`]).
    pub fn with_timeouts(mut self, header_read: Duration, body: Duration, keep_alive_idle: Duration) -> Self {
        self.header_read_timeout = header_read;
        self.body_timeout = body;
        self.keep_alive_idle_timeout = keep_alive_idle;
        self
    }

    /// The same settings with another cap on the body bytes held across requests.
    pub fn with_buffered_body_cap(mut self, bytes: usize) -> Self {
        self.buffered_body_cap = bytes;
        self
    }

    /// The same settings, serving `document` (the JSON that `stubforge export` writes)
    /// on `GET path` (`/openapi.json`), without credentials. Off unless set.
    pub fn with_openapi_document(mut self, path: impl Into<String>, document: impl Into<Bytes>) -> Self {
        self.openapi_document = Some((path.into(), document.into()));
        self
    }
}

/// Adds the route of [`ServerConfig::with_openapi_document`], when one is set. Another
/// method on that path is answered 405 by the API's `error_response`, as on any route.
fn with_document_route<A: Implementation>(
    routes: ::axum::Router<std::sync::Arc<Shared<A>>>,
    config: &ServerConfig,
) -> ::axum::Router<std::sync::Arc<Shared<A>>> {
    match &config.openapi_document {
        None => routes,
        Some((path, document)) => {
            let document = document.clone();
            let answer = move || {
                let document = document.clone();
                async move { json_bytes(StatusCode::OK, document.to_vec()) }
            };
            let other_method = |::axum::extract::State(shared): ::axum::extract::State<std::sync::Arc<Shared<A>>>,
                                method: Method| async move {
                shared.api.error_response(&ServerError::MethodNotAllowed { method })
            };
            routes.route(path, ::axum::routing::get(answer).fallback(other_method))
        }
    }
}

/// Why the API's authentication method refused a request.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct Rejection {
    /// 401 or 403, usually.
    pub status: StatusCode,
    /// A short code naming the error (`M_UNAUTHORIZED`, `M_FORBIDDEN`), sent as `errcode`
    /// by [`matrix_error_response`]; [`problem_response`] leaves it out.
    pub errcode: Cow<'static, str>,
    /// What went wrong, for the caller to read.
    pub message: Cow<'static, str>,
}

impl Rejection {
    /// 401 (code `M_UNAUTHORIZED`): the credentials are missing, malformed or do not verify.
    pub fn unauthorized(message: impl Into<Cow<'static, str>>) -> Self {
        Rejection {
            status: StatusCode::UNAUTHORIZED,
            errcode: Cow::Borrowed("M_UNAUTHORIZED"),
            message: message.into(),
        }
    }

    /// Any other status and error code, e.g. 429 `M_LIMIT_EXCEEDED` for a caller that
    /// tries too often.
    pub fn new(
        status: StatusCode,
        errcode: impl Into<Cow<'static, str>>,
        message: impl Into<Cow<'static, str>>,
    ) -> Self {
        Rejection {
            status,
            errcode: errcode.into(),
            message: message.into(),
        }
    }

    /// 403 (code `M_FORBIDDEN`): the caller is known but may not do this.
    pub fn forbidden(message: impl Into<Cow<'static, str>>) -> Self {
        Rejection {
            status: StatusCode::FORBIDDEN,
            errcode: Cow::Borrowed("M_FORBIDDEN"),
            message: message.into(),
        }
    }
}

/// Everything that can go wrong before or around a handler; rendered by the API trait's
/// `error_response` method.
#[derive(Debug, Clone, PartialEq, Eq, ::thiserror::Error)]
#[non_exhaustive]
pub enum ServerError {
    /// No operation is served at this path (404).
    #[error("No endpoint is defined at this path.")]
    UnknownPath,
    /// The path is served, but not with this method (405).
    #[error("This endpoint does not support the {method} method.")]
    MethodNotAllowed {
        /// The method the request used.
        method: Method,
    },
    /// A path parameter does not read as its type, or is not valid percent-encoding (400).
    #[error("Malformed path parameter `{name}`: {reason}.")]
    BadPath {
        /// The parameter's name in the definition.
        name: &'static str,
        /// What is wrong with it.
        reason: String,
    },
    /// A path parameter is empty (400).
    #[error("A path parameter is empty.")]
    EmptyPathParam,
    /// A required query, header or cookie parameter was not sent (400).
    #[error("Missing required parameter `{name}`.")]
    MissingParam {
        /// The parameter's name in the definition.
        name: &'static str,
    },
    /// A query, header or cookie parameter does not read as its type (400).
    #[error("Invalid parameter `{name}`: {reason}.")]
    InvalidParam {
        /// The parameter's name in the definition.
        name: &'static str,
        /// What is wrong with it.
        reason: String,
    },
    /// The body is not JSON at all (400).
    #[error("The request body is not JSON: {reason}.")]
    NotJson {
        /// Where and why reading stopped.
        reason: String,
    },
    /// The body is JSON that does not fit the schema, or a form field or part that does
    /// not fit (400).
    #[error("The request body does not fit the schema: {reason}.")]
    BadJson {
        /// The field and what is wrong with it.
        reason: String,
    },
    /// The body is longer than [`ServerConfig::body_limit`] (413).
    #[error("The request body is larger than {limit} bytes.")]
    TooLarge {
        /// The limit, in bytes.
        limit: usize,
    },
    /// The body's `Content-Type` is not one the operation declares (415).
    #[error("The request body is sent as `{content_type}`; this endpoint accepts {accepted}.")]
    UnsupportedMediaType {
        /// The `Content-Type` that came.
        content_type: String,
        /// The media types the operation declares.
        accepted: String,
    },
    /// The body is not the form, multipart or text it says it is, or its stream failed (400).
    #[error("The request body could not be read: {reason}.")]
    BodyUnreadable {
        /// Why it could not be read.
        reason: String,
    },
    /// The body did not arrive within [`ServerConfig::body_timeout`] (408).
    #[error("The request body did not arrive within {} ms.", .timeout.as_millis())]
    BodyTimeout {
        /// The time it had.
        timeout: Duration,
    },
    /// The requests in progress hold [`ServerConfig::buffered_body_cap`] body bytes (503).
    #[error("The server is holding too many request bodies; try again later.")]
    Overloaded,
    /// An operation that requires a scheme got no credential for it (401).
    #[error("Missing credentials for `{scheme}`: no `{source_name}` was sent.")]
    MissingCredentials {
        /// The security scheme's name in the definition.
        scheme: &'static str,
        /// The header, query parameter or cookie that should carry the credential.
        source_name: &'static str,
    },
    /// The API's `authenticate` refused the request.
    #[error("{}", .0.message)]
    Rejected(Rejection),
    /// The handler panicked (500).
    #[error("The server failed to handle the request.")]
    Panicked,
    /// The handler's response cannot be written as the definition says (500).
    #[error("The server could not write its response: {reason}.")]
    ResponseUnwritable {
        /// Why it cannot be written.
        reason: String,
    },
}

impl ServerError {
    /// The status the router answers the error with.
    pub fn status(&self) -> StatusCode {
        match self {
            ServerError::UnknownPath => StatusCode::NOT_FOUND,
            ServerError::MethodNotAllowed { .. } => StatusCode::METHOD_NOT_ALLOWED,
            ServerError::BadPath { .. }
            | ServerError::EmptyPathParam
            | ServerError::MissingParam { .. }
            | ServerError::InvalidParam { .. }
            | ServerError::NotJson { .. }
            | ServerError::BadJson { .. }
            | ServerError::BodyUnreadable { .. } => StatusCode::BAD_REQUEST,
            ServerError::TooLarge { .. } => StatusCode::PAYLOAD_TOO_LARGE,
            ServerError::UnsupportedMediaType { .. } => StatusCode::UNSUPPORTED_MEDIA_TYPE,
            ServerError::MissingCredentials { .. } => StatusCode::UNAUTHORIZED,
            ServerError::BodyTimeout { .. } => StatusCode::REQUEST_TIMEOUT,
            ServerError::Overloaded => StatusCode::SERVICE_UNAVAILABLE,
            ServerError::Rejected(rejection) => rejection.status,
            ServerError::Panicked | ServerError::ResponseUnwritable { .. } => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    /// The error's code in a Matrix error body (`M_NOT_JSON`).
    pub fn errcode(&self) -> &str {
        match self {
            ServerError::UnknownPath | ServerError::MethodNotAllowed { .. } => "M_UNRECOGNIZED",
            ServerError::BadPath { .. } | ServerError::EmptyPathParam | ServerError::InvalidParam { .. } => {
                "M_INVALID_PARAM"
            }
            ServerError::MissingParam { .. } => "M_MISSING_PARAM",
            ServerError::NotJson { .. } | ServerError::UnsupportedMediaType { .. } => "M_NOT_JSON",
            ServerError::BadJson { .. } => "M_BAD_JSON",
            ServerError::TooLarge { .. } => "M_TOO_LARGE",
            ServerError::MissingCredentials { .. } => "M_UNAUTHORIZED",
            ServerError::Overloaded => "M_LIMIT_EXCEEDED",
            ServerError::Rejected(rejection) => &rejection.errcode,
            ServerError::BodyUnreadable { .. }
            | ServerError::BodyTimeout { .. }
            | ServerError::Panicked
            | ServerError::ResponseUnwritable { .. } => "M_UNKNOWN",
        }
    }
}

/// A Matrix error body, `{"errcode": "M_…", "error": "…"}`, with the error's status: the
/// default `error_response` of a Matrix API.
pub fn matrix_error_response(error: &ServerError) -> Response {
    let body = ::serde_json::json!({ "errcode": error.errcode(), "error": error.to_string() });
    json_bytes(error.status(), body.to_string().into_bytes())
}

/// An RFC 9457 problem body (`application/problem+json`) with the error's status: the
/// default `error_response` of any API that is not Matrix's. Its `type` is `about:blank`,
/// so `title` is the status's own phrase; `detail` says what went wrong.
pub fn problem_response(error: &ServerError) -> Response {
    let status = error.status();
    let body = ::serde_json::json!({
        "type": "about:blank",
        "title": status.canonical_reason().unwrap_or("Error"),
        "status": status.as_u16(),
        "detail": error.to_string(),
    });
    let mut response = json_bytes(status, body.to_string().into_bytes());
    response
        .headers_mut()
        .insert(header::CONTENT_TYPE, HeaderValue::from_static("application/problem+json"));
    response
}

/// What the generated handlers share: the implementation, the settings and the budget
/// of body bytes.
#[derive(Debug)]
#[doc(hidden)]
pub struct Shared<A> {
    pub api: A,
    pub config: ServerConfig,
    pub budget: BodyBudget,
}

impl<A> Shared<A> {
    pub fn new(api: A, config: ServerConfig) -> Self {
        let budget = BodyBudget::new(config.buffered_body_cap);
        Shared { api, config, budget }
    }
}

// The router: a table of operations and one handler -----------------------------------
//
// The generated `server` module lists the API's operations, each with a plain function that
// reads its request struct from the request and calls the implementation. Everything else
// (routing, picking the operation among those that share a route, the credentials, the
// body within its limits, turning errors and panics into responses) is the generic code
// below, compiled once for the whole API rather than once per operation.

/// What an operation's function reads its request from: the head, the body read whole,
/// the body encoding the request chose (see [`Accept::Encodings`]) and the operation's
/// path template.
#[derive(Debug, Clone, Copy)]
#[doc(hidden)]
pub struct Input<'r> {
    pub parts: &'r Parts,
    pub body: &'r HeldBody<'r>,
    pub encoding: Option<usize>,
    template: Template,
}

impl<'r> Input<'r> {
    /// The values of the path's parameters, in template order (see [`path_values`]).
    pub fn path_values<const N: usize>(&self) -> Result<[&'r str; N], ServerError> {
        path_values(self.parts.uri.path(), self.template)
    }
}

/// The implementation's response to one request, written as HTTP once it is ready.
#[doc(hidden)]
pub type Answer<'a> = Pin<Box<dyn Future<Output = Result<Response, ServerError>> + Send + 'a>>;

/// The response enum an operation's method will give, written as HTTP: the one place
/// where each operation's future is awaited.
#[doc(hidden)]
pub fn answer<'a, R: WriteResponse + 'a>(response: impl Future<Output = R> + Send + 'a) -> Answer<'a> {
    Box::pin(async move { response.await.write() })
}

/// An operation's function: the implementation and the request in, the answer out (or an
/// error, for a request that does not fit the operation). A secured one gets the principal.
#[doc(hidden)]
pub enum Call<A: Authenticating> {
    Open(for<'a, 'r> fn(&'a A, Input<'r>) -> Result<Answer<'a>, ServerError>),
    Secured(for<'a, 'r> fn(&'a A, Input<'r>, A::Principal) -> Result<Answer<'a>, ServerError>),
}

impl<A: Authenticating> Clone for Call<A> {
    fn clone(&self) -> Self {
        *self
    }
}

impl<A: Authenticating> Copy for Call<A> {}

/// The request bodies an operation takes, checked before its credentials are.
#[doc(hidden)]
#[derive(Debug, Clone, Copy)]
pub enum Accept {
    /// Whatever is sent (the body is still read within the limits).
    Anything,
    /// JSON in one of these media types (see [`accept_content_type`]).
    Json(&'static [&'static str]),
    /// One of several encodings (see [`request_encoding`]); `true` when a body is required.
    Encodings(&'static [(&'static str, usize, bool)], bool),
}

/// One row of the API's table of operations.
#[doc(hidden)]
pub struct Operation<A: Authenticating> {
    method: ::axum::routing::MethodFilter,
    template: Template,
    security: Security<'static>,
    selectors: &'static [Selector],
    accept: Accept,
    call: Call<A>,
}

impl<A: Authenticating> Clone for Operation<A> {
    fn clone(&self) -> Self {
        *self
    }
}

impl<A: Authenticating> Copy for Operation<A> {}

impl<A: Authenticating> Operation<A> {
    /// An operation anyone may call.
    pub fn open(
        method: ::axum::routing::MethodFilter,
        template: Template,
        call: for<'a, 'r> fn(&'a A, Input<'r>) -> Result<Answer<'a>, ServerError>,
    ) -> Self {
        Operation {
            method,
            template,
            security: &[],
            selectors: &[],
            accept: Accept::Anything,
            call: Call::Open(call),
        }
    }

    /// An operation whose caller must pass one of the alternatives of `security`.
    pub fn secured(
        method: ::axum::routing::MethodFilter,
        template: Template,
        security: Security<'static>,
        call: for<'a, 'r> fn(&'a A, Input<'r>, A::Principal) -> Result<Answer<'a>, ServerError>,
    ) -> Self {
        Operation {
            method,
            template,
            security,
            selectors: &[],
            accept: Accept::Anything,
            call: Call::Secured(call),
        }
    }

    /// The request bodies the operation takes.
    pub fn accepting(self, accept: Accept) -> Self {
        Operation { accept, ..self }
    }

    /// The header or query values that pick this operation among those of its route.
    pub fn selected_by(self, selectors: &'static [Selector]) -> Self {
        Operation { selectors, ..self }
    }
}

/// The API's routes, from its table of operations. Operations whose templates differ only
/// in their parameters' names or in the text around a parameter share a route (matchit
/// allows one capture name per position and no text after a capture); the table lists
/// each route's operations in the order they are tried.
#[doc(hidden)]
pub fn router<A: Authenticating>(api: A, config: ServerConfig, operations: &[Operation<A>]) -> ::axum::Router {
    let mut routes: BTreeMap<String, Vec<Operation<A>>> = BTreeMap::new();
    for operation in operations {
        routes.entry(route_pattern(operation.template)).or_default().push(*operation);
    }
    let mut router = with_document_route(::axum::Router::new(), &config);
    for (pattern, operations) in routes {
        router = router.route(&pattern, route_methods(&operations));
    }
    if config.answer_unknown_paths {
        // A path that fits a template but for an empty value is 400, not 404.
        let with_values: Arc<[Template]> = operations
            .iter()
            .map(|operation| operation.template)
            .filter(|template| template.contains('{'))
            .collect();
        router = router.fallback(move |State(shared): State<Arc<Shared<A>>>, uri: ::axum::http::Uri| {
            let with_values = with_values.clone();
            async move { shared.api.error_response(&unknown_or_empty(uri.path(), &with_values)) }
        });
    }
    router.with_state(Arc::new(Shared::new(api, config)))
}

/// The route axum sees for a template: fixed segments as they arrive, every other segment
/// one capture named after its position. A segment starting with `:` or `*` is captured
/// too: axum 0.8 refuses such text as a leftover of its old capture syntax.
fn route_pattern(template: Template) -> String {
    let mut pattern = String::new();
    for (at, segment) in template.strip_prefix('/').unwrap_or(template).split('/').enumerate() {
        pattern.push('/');
        if routes_as_text(segment) {
            pattern.push_str(segment);
        } else {
            pattern.push_str(&format!("{{p{at}}}"));
        }
    }
    pattern
}

fn routes_as_text(segment: &str) -> bool {
    !segment.contains('{') && !segment.starts_with(':') && !segment.starts_with('*')
}

/// Whether the route alone decides that a request fits the template: each segment is
/// fixed text or one whole parameter.
fn route_decides(template: Template) -> bool {
    let whole_value = |segment: &str| {
        segment.starts_with('{') && segment.ends_with('}') && segment.matches('{').count() == 1
    };
    template
        .strip_prefix('/')
        .unwrap_or(template)
        .split('/')
        .all(|segment| routes_as_text(segment) || whole_value(segment))
}

/// One route's methods, each served by one [`Dispatch`]; the other methods are answered
/// 405, or 404 where the route's templates do not fit the path.
fn route_methods<A: Authenticating>(operations: &[Operation<A>]) -> ::axum::routing::MethodRouter<Arc<Shared<A>>> {
    let mut templates: Vec<Template> = Vec::new();
    for operation in operations {
        if !templates.contains(&operation.template) {
            templates.push(operation.template);
        }
    }
    let all_decided = templates.iter().all(|template| route_decides(template));
    let templates: Arc<[Template]> = templates.into();
    let mut methods: Vec<(::axum::routing::MethodFilter, Vec<Operation<A>>)> = Vec::new();
    for operation in operations {
        match methods.iter_mut().find(|(method, _)| *method == operation.method) {
            Some((_, candidates)) => candidates.push(*operation),
            None => methods.push((operation.method, vec![*operation])),
        }
    }
    let mut route = ::axum::routing::MethodRouter::new();
    for (method, candidates) in methods {
        let dispatch = Arc::new(Dispatch::new(candidates, templates.clone()));
        route = route.on(method, move |State(shared): State<Arc<Shared<A>>>, request: ::axum::extract::Request| {
            let dispatch = dispatch.clone();
            async move { dispatch.serve(&shared, request).await }
        });
    }
    if all_decided {
        route.fallback(|State(shared): State<Arc<Shared<A>>>, method: Method| async move {
            shared.api.error_response(&ServerError::MethodNotAllowed { method })
        })
    } else {
        route.fallback(move |State(shared): State<Arc<Shared<A>>>, request: ::axum::extract::Request| {
            let templates = templates.clone();
            async move { shared.api.error_response(&unmatched(&request, &templates)) }
        })
    }
}

/// The operations of one route and method, in the order they are tried.
struct Dispatch<A: Authenticating> {
    /// Each operation, with whether its template must be checked against the path.
    tries: Vec<(Operation<A>, bool)>,
    /// For each template of operations picked by selectors, every selector value that
    /// would pick one: a request that fits the template but carries none of them is 400.
    unselected: Vec<(Template, Vec<Selector>)>,
    /// The route's templates, for every method: what answers a path that fits none.
    templates: Arc<[Template]>,
}

impl<A: Authenticating> Dispatch<A> {
    fn new(candidates: Vec<Operation<A>>, templates: Arc<[Template]>) -> Self {
        // One operation that the route alone decides takes every request of its method.
        let alone = candidates.len() == 1 && route_decides(candidates[0].template) && candidates[0].selectors.is_empty();
        let mut unselected: Vec<(Template, Vec<Selector>)> = Vec::new();
        for operation in candidates.iter().filter(|operation| !operation.selectors.is_empty()) {
            match unselected.iter_mut().find(|(template, _)| *template == operation.template) {
                Some((_, all)) => all.extend_from_slice(operation.selectors),
                None => unselected.push((operation.template, operation.selectors.to_vec())),
            }
        }
        let tries = candidates.into_iter().map(|operation| (operation, !alone)).collect();
        Dispatch {
            tries,
            unselected,
            templates,
        }
    }

    async fn serve(&self, shared: &Shared<A>, request: ::axum::extract::Request) -> Response {
        let path = request.uri().path();
        let chosen = self
            .tries
            .iter()
            .find(|(operation, check)| {
                (!check || path_fits(path, operation.template)) && selected(&request, operation.selectors)
            })
            .map(|(operation, _)| *operation);
        if let Some(operation) = chosen {
            return run(shared, operation, request).await;
        }
        for (template, selectors) in &self.unselected {
            if path_fits(path, template) {
                return shared.api.error_response(&unselected(&request, selectors));
            }
        }
        shared.api.error_response(&unmatched(&request, &self.templates))
    }
}

/// Serves one request with its operation: credentials present, the body read within the
/// limits, its media type, credentials checked, then the operation's function and the
/// implementation. A panic becomes 500, and every error goes through the implementation's
/// `error_response`, writing included.
async fn run<A: Authenticating>(shared: &Shared<A>, operation: Operation<A>, request: ::axum::extract::Request) -> Response {
    let work = async {
        let (parts, body) = receive(shared, request, operation.security).await?;
        let encoding = match operation.accept {
            Accept::Anything => None,
            Accept::Json(media) => {
                accept_content_type(&parts.headers, &body, media)?;
                None
            }
            Accept::Encodings(encodings, required) => request_encoding(&parts.headers, &body, encodings, required)?,
        };
        let input = Input {
            parts: &parts,
            body: &body,
            encoding,
            template: operation.template,
        };
        let answer = match operation.call {
            Call::Open(call) => call(&shared.api, input)?,
            Call::Secured(call) => {
                let principal = authenticated(shared, &parts, &body, operation.security).await?;
                call(&shared.api, input, principal)?
            }
        };
        answer.await
    };
    match catch_panic(work).await {
        Ok(Ok(response)) => response,
        Ok(Err(error)) | Err(error) => shared.api.error_response(&error),
    }
}

/// What the handlers need of the API's implementation besides its operations. The
/// `server` module implements it for every implementation of the API trait.
#[doc(hidden)]
pub trait Implementation: Send + Sync + 'static {
    /// The API trait's `error_response`.
    fn error_response(&self, error: &ServerError) -> Response;
}

/// The API trait's `authenticate`, for APIs with security schemes.
#[doc(hidden)]
pub trait Authenticating: Implementation {
    type Principal: Send;

    fn authenticate(&self, request: AuthRequest<'_>) -> impl Future<Output = Result<Self::Principal, Rejection>> + Send;
}

/// An operation's response enum, written as HTTP: its variant decides status and body.
#[doc(hidden)]
pub trait WriteResponse {
    fn write(self) -> Result<Response, ServerError>;
}

/// A response body of several media types, written as the one its variant holds.
#[doc(hidden)]
pub trait WriteBody {
    fn write(self, status: u16) -> Result<Response, ServerError>;
}

/// The alternatives of security schemes an operation accepts, each a list of schemes that
/// must all pass (by name, with where the credential travels); empty when it needs none.
#[doc(hidden)]
pub type Security<'a> = &'a [&'a [(&'static str, CredentialSource)]];

/// The request's head and its whole body, read within the settings (see
/// [`read_body_bounded`]). When the operation needs credentials, a request without them is
/// refused before a byte of its body is read.
async fn receive<'s, A>(
    shared: &'s Shared<A>,
    request: ::axum::extract::Request,
    security: Security<'_>,
) -> Result<(Parts, HeldBody<'s>), ServerError> {
    let (parts, body) = request.into_parts();
    if !security.is_empty() {
        credentials_sent(&parts, security)?;
    }
    let body = read_body_bounded(&parts.headers, body, &shared.config, &shared.budget).await?;
    Ok((parts, body))
}

/// Who sent the request, by the implementation's `authenticate` (see [`authenticate`]).
async fn authenticated<A: Authenticating>(
    shared: &Shared<A>,
    parts: &Parts,
    body: &[u8],
    security: Security<'_>,
) -> Result<A::Principal, ServerError> {
    authenticate(parts, body, security, |request| shared.api.authenticate(request)).await
}

/// What an authentication method gets: the credential of one scheme and the request as
/// the client sent it, enough to check a signature over it.
#[derive(Debug, Clone, Copy)]
#[non_exhaustive]
pub struct AuthRequest<'a> {
    /// The security scheme's name in the definition (`signedRequest`).
    pub scheme: &'static str,
    /// The credential: the value of the scheme's header, query parameter or cookie (the
    /// last two still percent-encoded, as sent).
    pub credential: &'a str,
    /// The request's method.
    pub method: &'a Method,
    /// Path and query exactly as sent, percent-encoding untouched
    /// (`/_matrix/federation/v1/send_leave/%21room%3Ahs/%24ev?x=1`).
    pub path_and_query: &'a str,
    /// The request's headers.
    pub headers: &'a HeaderMap,
    /// The body bytes exactly as received.
    pub body: &'a [u8],
}

/// Where a security scheme's credential is sent.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[doc(hidden)]
pub enum CredentialSource {
    Header(&'static str),
    Query(&'static str),
    /// A cookie's value, as sent.
    Cookie(&'static str),
}

/// Authenticates a request against a list of alternatives, each a list of schemes that
/// must all pass. The first alternative whose credentials were all sent is tried; the
/// principal of its first scheme is returned.
#[doc(hidden)]
pub async fn authenticate<'a, P, F, Fut>(
    parts: &'a Parts,
    body: &'a [u8],
    alternatives: &[&[(&'static str, CredentialSource)]],
    check: F,
) -> Result<P, ServerError>
where
    F: Fn(AuthRequest<'a>) -> Fut,
    Fut: Future<Output = Result<P, Rejection>>,
{
    let path_and_query = raw_path_and_query(parts);
    let mut missing = None;
    for schemes in alternatives {
        // The usual case, one scheme: one lookup.
        if let [(scheme, source)] = schemes {
            match credential(parts, scheme, *source) {
                Ok(credential) => {
                    let request = AuthRequest {
                        scheme,
                        credential,
                        method: &parts.method,
                        path_and_query,
                        headers: &parts.headers,
                        body,
                    };
                    return check(request).await.map_err(ServerError::Rejected);
                }
                Err(error) => {
                    missing.get_or_insert(error);
                    continue;
                }
            }
        }
        // Every credential of the alternative must be there before any is checked.
        if let Some(error) = schemes
            .iter()
            .find_map(|&(scheme, source)| credential(parts, scheme, source).err())
        {
            missing.get_or_insert(error);
            continue;
        }
        let mut principal = None;
        for &(scheme, source) in schemes.iter() {
            let request = AuthRequest {
                scheme,
                credential: credential(parts, scheme, source)?,
                method: &parts.method,
                path_and_query,
                headers: &parts.headers,
                body,
            };
            let found = check(request).await.map_err(ServerError::Rejected)?;
            principal.get_or_insert(found);
        }
        if let Some(principal) = principal {
            return Ok(principal);
        }
    }
    Err(missing.unwrap_or(ServerError::Rejected(Rejection::unauthorized(
        "No credentials were accepted.",
    ))))
}

fn credential<'a>(parts: &'a Parts, scheme: &'static str, source: CredentialSource) -> Result<&'a str, ServerError> {
    let missing = |source_name| ServerError::MissingCredentials { scheme, source_name };
    match source {
        CredentialSource::Header(name) => {
            let value = parts.headers.get(name).ok_or(missing(name))?;
            value
                .to_str()
                .map_err(|_| ServerError::Rejected(Rejection::unauthorized("The credentials are not readable text.")))
        }
        CredentialSource::Query(name) => {
            // A credential in the query is handed over raw, as the client encoded it.
            let query = parts.uri.query().unwrap_or("");
            query
                .split('&')
                .find_map(|pair| pair.strip_prefix(name).and_then(|rest| rest.strip_prefix('=')))
                .ok_or(missing(name))
        }
        CredentialSource::Cookie(name) => cookie_values(&parts.headers, name)
            .into_iter()
            .next()
            .ok_or(missing(name)),
    }
}

/// The request target as the client wrote it, even when the router is nested.
fn raw_path_and_query(parts: &Parts) -> &str {
    let uri = match parts.extensions.get::<::axum::extract::OriginalUri>() {
        Some(original) => &original.0,
        None => &parts.uri,
    };
    uri.path_and_query().map_or("/", |pq| pq.as_str())
}

/// Reads the whole body, refusing more than `limit` bytes without buffering them.
#[doc(hidden)]
pub async fn read_body(headers: &HeaderMap, mut body: Body, limit: usize) -> Result<Bytes, ServerError> {
    let declared = headers
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok());
    if declared.is_some_and(|length| length > limit as u64) {
        return Err(ServerError::TooLarge { limit });
    }
    let mut collected: Vec<u8> = Vec::new();
    loop {
        let frame = std::future::poll_fn(|cx| std::pin::Pin::new(&mut body).poll_frame(cx)).await;
        let Some(frame) = frame else { break };
        let frame = frame.map_err(|e| ServerError::BodyUnreadable { reason: e.to_string() })?;
        if let Ok(data) = frame.into_data() {
            if collected.len() + data.len() > limit {
                return Err(ServerError::TooLarge { limit });
            }
            // Most bodies arrive in one frame: hand that frame over without copying.
            if collected.is_empty() && body.is_end_stream() {
                return Ok(data);
            }
            collected.extend_from_slice(&data);
        }
    }
    Ok(Bytes::from(collected))
}

/// Checks the request's `Content-Type` against the declared JSON-family types (their
/// essences: lowercase, no parameters): 415 when it is none of them. `*/*` and
/// `application/*` take any JSON type; a request without `Content-Type` passes when its
/// body is empty or `*/*` is declared.
#[doc(hidden)]
pub fn accept_content_type(headers: &HeaderMap, body: &[u8], accepted: &[&str]) -> Result<(), ServerError> {
    let wildcard = accepted.contains(&"*/*");
    let refuse = |content_type: &str| ServerError::UnsupportedMediaType {
        content_type: content_type.to_string(),
        accepted: accepted.iter().map(|media| format!("`{media}`")).collect::<Vec<_>>().join(", "),
    };
    let Some(value) = headers.get(header::CONTENT_TYPE) else {
        let empty = body.iter().all(u8::is_ascii_whitespace);
        return if empty || wildcard { Ok(()) } else { Err(refuse("nothing")) };
    };
    let sent = value.to_str().map_err(|_| refuse("unreadable text"))?;
    let essence = sent.split(';').next().unwrap_or("").trim().to_ascii_lowercase();
    let is_json = essence.ends_with("json");
    let fits = |media: &&str| match *media {
        "*/*" => is_json,
        "application/*" => is_json && essence.starts_with("application/"),
        media => media == essence,
    };
    if accepted.iter().any(fits) { Ok(()) } else { Err(refuse(sent)) }
}

/// Parses a JSON body into `T`: 400 `M_NOT_JSON` when it is not JSON at all, 400
/// `M_BAD_JSON` naming the field when it does not fit (a number out of its range included).
///
/// JSON Schema counts `-64.0` as an integer; serde does not. Where a typed read fails on
/// such a number in an integer field, that one number is read as the integer it is and the
/// read is tried again (a few times at most), so other numbers keep their text.
#[doc(hidden)]
pub fn json_body<T: ::serde::de::DeserializeOwned>(body: &[u8]) -> Result<T, ServerError> {
    let mut refused = match read_json(body) {
        Ok(value) => return Ok(value),
        Err(refused) => refused,
    };
    let Ok(mut document) = ::serde_json::from_slice::<::serde_json::Value>(body) else {
        return Err(refused.error);
    };
    for _ in 0..MAX_INTEGRAL_FLOATS {
        let Some(node) = refused.integral_float_at.as_deref().and_then(|at| node_at(&mut document, at)) else {
            break;
        };
        let Some(integer) = node.as_f64().and_then(integral_number) else {
            break;
        };
        *node = ::serde_json::Value::Number(integer);
        match read_json_value(&document) {
            Ok(value) => return Ok(value),
            Err(again) => refused = again,
        }
    }
    Err(refused.error)
}

/// How many integral floats in integer fields one body may have fixed.
const MAX_INTEGRAL_FLOATS: usize = 16;

/// A refused JSON body, and where the refusal met a float with no fraction
/// (`-64.0`) where an integer belongs.
struct RefusedJson {
    error: ServerError,
    integral_float_at: Option<Vec<JsonStep>>,
}

enum JsonStep {
    Key(String),
    Index(usize),
}

fn read_json<T: ::serde::de::DeserializeOwned>(body: &[u8]) -> Result<T, RefusedJson> {
    let mut deserializer = ::serde_json::Deserializer::from_slice(body);
    let value = ::serde_path_to_error::deserialize(&mut deserializer).map_err(|e| {
        let inner = e.inner();
        // A number out of the field's range (`1e400` for an integer, or for any number
        // without `arbitrary_precision`) is a syntax error to serde_json, but the body is
        // JSON: it is reread without types to tell the two apart.
        let json_after_all = inner.is_syntax() && ::serde_json::from_slice::<::serde::de::IgnoredAny>(body).is_ok();
        if (inner.is_syntax() && !json_after_all) || inner.is_eof() || inner.is_io() {
            let error = ServerError::NotJson {
                reason: inner.to_string(),
            };
            return RefusedJson {
                error,
                integral_float_at: None,
            };
        }
        refused_json(e)
    })?;
    // Trailing text after the value (`{}x`) is not JSON either.
    deserializer.end().map_err(|e| RefusedJson {
        error: ServerError::NotJson { reason: e.to_string() },
        integral_float_at: None,
    })?;
    Ok(value)
}

fn read_json_value<T: ::serde::de::DeserializeOwned>(document: &::serde_json::Value) -> Result<T, RefusedJson> {
    ::serde_path_to_error::deserialize(document).map_err(refused_json)
}

fn refused_json(e: ::serde_path_to_error::Error<::serde_json::Error>) -> RefusedJson {
    use ::serde_path_to_error::Segment;
    let inner = e.inner();
    let float_for_integer = inner.to_string().starts_with("invalid type: floating point");
    let steps: Option<Vec<JsonStep>> = e
        .path()
        .iter()
        .map(|segment| match segment {
            Segment::Map { key } => Some(JsonStep::Key(key.clone())),
            Segment::Seq { index } => Some(JsonStep::Index(*index)),
            Segment::Enum { .. } | Segment::Unknown => None,
        })
        .collect();
    let path = e.path().to_string();
    let reason = if path == "." {
        inner.to_string()
    } else {
        format!("at `{path}`: {inner}")
    };
    RefusedJson {
        error: ServerError::BadJson { reason },
        integral_float_at: steps.filter(|_| float_for_integer),
    }
}

fn node_at<'v>(document: &'v mut ::serde_json::Value, steps: &[JsonStep]) -> Option<&'v mut ::serde_json::Value> {
    steps.iter().try_fold(document, |node, step| match step {
        JsonStep::Key(key) => node.get_mut(key.as_str()),
        JsonStep::Index(index) => node.get_mut(*index),
    })
}

/// `-64.0` as the integer `-64`; nothing for a fraction, or past 2^53, where a float no
/// longer says which integer was sent.
fn integral_number(number: f64) -> Option<::serde_json::Number> {
    const EXACT: f64 = 9_007_199_254_740_992.0;
    if !number.is_finite() || number.fract() != 0.0 || number.abs() > EXACT {
        return None;
    }
    Some((number as i64).into())
}

/// An optional body: an empty body is `None`.
#[doc(hidden)]
pub fn optional_json_body<T: ::serde::de::DeserializeOwned>(body: &[u8]) -> Result<Option<T>, ServerError> {
    if body.iter().all(u8::is_ascii_whitespace) {
        Ok(None)
    } else {
        json_body(body).map(Some)
    }
}

/// One piece of a route's segment: fixed text as it arrives (percent-encoded the way the
/// client encodes it), or a parameter's value.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Piece {
    Text(&'static str),
    Value,
}

/// A route's path as it arrives, each parameter written `{name}`:
/// `"/Accounts/{AccountSid}/Calls/{Sid}.json"`. Fixed text never holds a brace (the
/// generator writes one percent-encoded), so the braces alone tell the values apart.
#[doc(hidden)]
pub type Template = &'static str;

/// The template's `/`-separated segments, each read into its pieces.
fn segments(template: Template) -> impl Iterator<Item = Vec<Piece>> {
    template.strip_prefix('/').unwrap_or(template).split('/').map(pieces)
}

fn segment_count(template: Template) -> usize {
    template.strip_prefix('/').unwrap_or(template).split('/').count()
}

fn pieces(segment: &'static str) -> Vec<Piece> {
    let mut pieces = Vec::new();
    let mut rest = segment;
    while let Some(open) = rest.find('{') {
        if open > 0 {
            pieces.push(Piece::Text(&rest[..open]));
        }
        pieces.push(Piece::Value);
        rest = rest[open..].find('}').map_or("", |close| &rest[open + close + 1..]);
    }
    if !rest.is_empty() {
        pieces.push(Piece::Text(rest));
    }
    pieces
}

/// The raw (still percent-encoded) parameter values of `path`, in template order, or
/// [`ServerError::UnknownPath`] when the path does not fit the template
/// ([`ServerError::EmptyPathParam`] when it would but for an empty value).
///
/// The template is matched against the path's last segments, so that it holds when the
/// router is nested under a prefix. A value is never empty. In a segment with several
/// values, each but the last ends where the text after it first appears (`{from}-{to}`
/// reads `1-2-3` as `1` and `2-3`); the last ends where the segment's closing text begins.
#[doc(hidden)]
pub fn path_values<const N: usize>(path: &str, template: Template) -> Result<[&str; N], ServerError> {
    let mut values = [""; N];
    let mut found = 0;
    let fits = walk_path(path, template, &mut |value| {
        if let Some(slot) = values.get_mut(found) {
            *slot = value;
        }
        found += 1;
    });
    if fits && found == N {
        Ok(values)
    } else {
        Err(unknown_or_empty(path, &[template]))
    }
}

/// Whether `path` fits `template` (see [`path_values`]): where several operations share a
/// route, this picks the one that serves a request.
#[doc(hidden)]
pub fn path_fits(path: &str, template: Template) -> bool {
    walk_path(path, template, &mut |_| ())
}

/// What answers a request whose path fits a route but none of the operations that may
/// serve its method: 405 when some operation of the route has this path, else 404.
#[doc(hidden)]
pub fn unmatched(request: &::axum::extract::Request, templates: &[Template]) -> ServerError {
    let path = request.uri().path();
    if templates.iter().any(|template| path_fits(path, template)) {
        ServerError::MethodNotAllowed {
            method: request.method().clone(),
        }
    } else {
        unknown_or_empty(path, templates)
    }
}

/// A header or query value that picks one of several operations on a method and path
/// (`X-Amz-Target: DynamoDB_20120810.GetItem`, `?Action=DescribeTags`): the definition
/// writes it in the path's `#…` suffix.
#[doc(hidden)]
#[derive(Debug, Clone, Copy)]
pub enum Selector {
    /// A header (the name ignores case) with exactly this value.
    Header(&'static str, &'static str),
    /// A query parameter whose last value, decoded, is this one.
    Query(&'static str, &'static str),
}

impl Selector {
    fn name(self) -> &'static str {
        match self {
            Selector::Header(name, _) | Selector::Query(name, _) => name,
        }
    }

    /// What the request carries under the selector's name, when anything.
    fn sent(self, request: &::axum::extract::Request) -> Option<Cow<'_, str>> {
        match self {
            Selector::Header(name, _) => request
                .headers()
                .get(name)
                .map(|value| String::from_utf8_lossy(value.as_bytes())),
            Selector::Query(name, _) => request.uri().query().and_then(|query| {
                query.split('&').rev().find_map(|pair| {
                    let (key, value) = pair.split_once('=').unwrap_or((pair, ""));
                    let key = percent_decode(key.as_bytes(), true).ok()?;
                    (key == name).then(|| percent_decode(value.as_bytes(), true).ok())?
                })
            }),
        }
    }

    fn matches(self, request: &::axum::extract::Request) -> bool {
        let value = match self {
            Selector::Header(_, value) | Selector::Query(_, value) => value,
        };
        self.sent(request).is_some_and(|sent| sent == value)
    }
}

/// Whether the request carries every one of an operation's selectors.
#[doc(hidden)]
pub fn selected(request: &::axum::extract::Request, selectors: &[Selector]) -> bool {
    selectors.iter().all(|selector| selector.matches(request))
}

/// What answers a request that fits the path of operations told apart by `selectors` but
/// carries the values of none: the first selector it does not send is missing (400), else
/// the first one's value names no operation here (400).
#[doc(hidden)]
pub fn unselected(request: &::axum::extract::Request, selectors: &[Selector]) -> ServerError {
    if let Some(missing) = selectors.iter().find(|selector| selector.sent(request).is_none()) {
        return ServerError::MissingParam { name: missing.name() };
    }
    // The first selector whose value fits no operation; else the values fit some
    // operations each but no one operation all.
    let same_name = |a: &Selector, b: &Selector| a.name().eq_ignore_ascii_case(b.name());
    let unknown = selectors
        .iter()
        .find(|selector| !selectors.iter().any(|other| same_name(selector, other) && other.matches(request)))
        .or(selectors.first());
    let name = unknown.map_or("", |selector| selector.name());
    let sent = unknown.and_then(|selector| selector.sent(request)).unwrap_or_default();
    ServerError::InvalidParam {
        name,
        reason: format!("`{sent}` names no operation served at this path"),
    }
}

fn walk_path<'p>(path: &'p str, template: Template, record: &mut dyn FnMut(&'p str)) -> bool {
    let pattern = template.strip_prefix('/').unwrap_or(template);
    // The template's segments are the path's last ones: they begin after the `/` as many
    // back from the end as the template has segments, and something precedes that `/`
    // ("/a/b" is "", "a", "b"). One scan of bytes, not a split: this runs per request.
    let wanted = pattern.bytes().filter(|b| *b == b'/').count() + 1;
    let mut seen = 0;
    let Some(start) = path.bytes().rposition(|b| {
        seen += usize::from(b == b'/');
        seen == wanted
    }) else {
        return false;
    };
    let (mut path, mut pattern) = (&path[start + 1..], pattern);
    loop {
        let (segment, path_rest) = split_at_byte(path, b'/');
        let (segment_pattern, pattern_rest) = split_at_byte(pattern, b'/');
        if !walk_segment(segment, segment_pattern, record) {
            return false;
        }
        match (path_rest, pattern_rest) {
            (Some(path_rest), Some(pattern_rest)) => (path, pattern) = (path_rest, pattern_rest),
            (path_rest, pattern_rest) => return path_rest.is_none() && pattern_rest.is_none(),
        }
    }
}

/// The text before the first `byte` and, when there is one, the text after it. A plain
/// scan: on the short segments of a path it costs less than `str::split`'s searcher.
fn split_at_byte(text: &str, byte: u8) -> (&str, Option<&str>) {
    match text.bytes().position(|b| b == byte) {
        // `byte` is ASCII, so both sides are whole UTF-8.
        Some(at) => (&text[..at], Some(&text[at + 1..])),
        None => (text, None),
    }
}

/// One segment of the path against the template's (`{from}-{to}.json`), read in place:
/// this runs on every request, so it allocates nothing.
fn walk_segment<'p>(segment: &'p str, pattern: &'static str, record: &mut dyn FnMut(&'p str)) -> bool {
    let mut rest = segment;
    let mut pattern = pattern;
    while let (before, Some(after)) = split_at_byte(pattern, b'{') {
        match rest.strip_prefix(before) {
            Some(remaining) => rest = remaining,
            None => return false,
        }
        // What follows this value in the template.
        pattern = split_at_byte(after, b'}').1.unwrap_or("");
        let value = match pattern.bytes().position(|b| b == b'{') {
            None if pattern.is_empty() => Some(rest),
            // The segment's closing text.
            None => rest.strip_suffix(pattern),
            // Two values in a row are refused by the generator.
            Some(0) => None,
            // Text, then another value: this value ends where that text first appears.
            Some(at) => rest.chars().next().and_then(|first| {
                let from = first.len_utf8();
                rest[from..].find(&pattern[..at]).map(|end| &rest[..from + end])
            }),
        };
        match value {
            Some(value) if !value.is_empty() => {
                record(value);
                rest = &rest[value.len()..];
            }
            _ => return false,
        }
    }
    rest == pattern
}

/// One path parameter from its raw value (see [`path_values`]), percent-decoded strictly.
#[doc(hidden)]
pub fn path_param<T>(raw: &str, name: &'static str, parse: ParseParam<T>) -> Result<T, ServerError> {
    let decoded = path_text(raw, name)?;
    parse(&decoded).map_err(|reason| ServerError::BadPath { name, reason })
}

/// [`path_param`] for a string parameter: the decoded text itself, not copied again.
#[doc(hidden)]
pub fn path_string(raw: &str, name: &'static str) -> Result<String, ServerError> {
    path_text(raw, name).map(Cow::into_owned)
}

fn path_text<'a>(raw: &'a str, name: &'static str) -> Result<Cow<'a, str>, ServerError> {
    percent_decode(raw.as_bytes(), false).map_err(|reason| ServerError::BadPath { name, reason })
}

/// Strict percent-decoding: `%` must be followed by two hex digits and the result must be
/// UTF-8. `+` means a space only in form-encoded queries (`plus_is_space`), never in paths.
#[doc(hidden)]
pub fn percent_decode(raw: &[u8], plus_is_space: bool) -> Result<Cow<'_, str>, String> {
    let special = |b: &u8| *b == b'%' || (plus_is_space && *b == b'+');
    let Some(first) = raw.iter().position(special) else {
        return std::str::from_utf8(raw)
            .map(Cow::Borrowed)
            .map_err(|_| "it is not valid UTF-8".to_string());
    };
    let mut out = Vec::with_capacity(raw.len());
    let mut at = first;
    let mut copied = 0;
    loop {
        out.extend_from_slice(&raw[copied..at]);
        if raw[at] == b'+' {
            out.push(b' ');
            copied = at + 1;
        } else {
            let digit = |i: usize| raw.get(i).and_then(|&b| (b as char).to_digit(16));
            let (Some(high), Some(low)) = (digit(at + 1), digit(at + 2)) else {
                return Err(format!("`{}` is not a valid percent-escape", escape_at(raw, at)));
            };
            // Two hex digits make at most 0xFF: the cast cannot truncate.
            out.push((high * 16 + low) as u8);
            copied = at + 3;
        }
        match raw[copied..].iter().position(special) {
            Some(next) => at = copied + next,
            None => break,
        }
    }
    out.extend_from_slice(&raw[copied..]);
    String::from_utf8(out)
        .map(Cow::Owned)
        .map_err(|_| "once percent-decoded it is not valid UTF-8".to_string())
}

/// The text of a bad escape, for the message (`%ZZ`, `%4`).
fn escape_at(raw: &[u8], at: usize) -> String {
    let end = (at + 3).min(raw.len());
    String::from_utf8_lossy(&raw[at..end]).into_owned()
}

/// One `key=value` of the query string, decoded.
#[doc(hidden)]
pub type QueryPair<'a> = (Cow<'a, str>, Cow<'a, str>);

/// The query string's pairs, form-decoded (`+` is a space).
#[doc(hidden)]
pub fn query_pairs(parts: &Parts) -> Result<Vec<QueryPair<'_>>, ServerError> {
    let query = parts.uri.query().unwrap_or("");
    query
        .split('&')
        .filter(|pair| !pair.is_empty())
        .map(|pair| {
            let (key, value) = pair.split_once('=').unwrap_or((pair, ""));
            let key = percent_decode(key.as_bytes(), true);
            let value = percent_decode(value.as_bytes(), true);
            match (key, value) {
                (Ok(key), Ok(value)) => Ok((key, value)),
                (Err(reason), _) | (_, Err(reason)) => Err(ServerError::InvalidParam {
                    name: "query string",
                    reason,
                }),
            }
        })
        .collect()
}

/// Parses one parameter's text into its type.
#[doc(hidden)]
pub type ParseParam<T> = fn(&str) -> Result<T, String>;

/// For numbers, booleans and strings.
#[doc(hidden)]
pub fn parse_scalar<T: std::str::FromStr>(raw: &str) -> Result<T, String>
where
    T::Err: std::fmt::Display,
{
    raw.parse().map_err(|e: T::Err| e.to_string())
}

/// For other types: the text as a JSON string (string enums), else as JSON.
#[doc(hidden)]
pub fn parse_serde<T: ::serde::de::DeserializeOwned>(raw: &str) -> Result<T, String> {
    ::serde_json::from_value(::serde_json::Value::String(raw.to_string()))
        .or_else(|_| ::serde_json::from_str(raw))
        .map_err(|e: ::serde_json::Error| e.to_string())
}

/// A query parameter: the last occurrence wins; `None` when absent.
#[doc(hidden)]
pub fn query_param<T>(
    pairs: &[QueryPair<'_>],
    name: &'static str,
    parse: ParseParam<T>,
) -> Result<Option<T>, ServerError> {
    let Some((_, raw)) = pairs.iter().rev().find(|(key, _)| key == name) else {
        return Ok(None);
    };
    parse(raw)
        .map(Some)
        .map_err(|reason| ServerError::InvalidParam { name, reason })
}

/// A scalar query parameter read with `FromStr` ([`parse_scalar`]): the usual case, one
/// short line in a handler.
#[doc(hidden)]
pub fn query_scalar<T: std::str::FromStr>(pairs: &[QueryPair<'_>], name: &'static str) -> Result<Option<T>, ServerError>
where
    T::Err: std::fmt::Display,
{
    query_param(pairs, name, parse_scalar)
}

/// A list query parameter: every occurrence (`?id=1&id=2`); `None` when absent.
#[doc(hidden)]
pub fn query_list<T>(
    pairs: &[QueryPair<'_>],
    name: &'static str,
    parse: ParseParam<T>,
) -> Result<Option<Vec<T>>, ServerError> {
    let values: Result<Vec<T>, ServerError> = pairs
        .iter()
        .filter(|(key, _)| key == name)
        .map(|(_, raw)| parse(raw).map_err(|reason| ServerError::InvalidParam { name, reason }))
        .collect();
    values.map(|values| (!values.is_empty()).then_some(values))
}

/// A header parameter; `None` when absent.
#[doc(hidden)]
pub fn header_param<T>(
    headers: &HeaderMap,
    name: &'static str,
    parse: ParseParam<T>,
) -> Result<Option<T>, ServerError> {
    let Some(value) = headers.get(name) else {
        return Ok(None);
    };
    let text = header_text(value, name)?;
    parse(text.trim())
        .map(Some)
        .map_err(|reason| ServerError::InvalidParam { name, reason })
}

fn header_text<'a>(value: &'a HeaderValue, name: &'static str) -> Result<&'a str, ServerError> {
    value.to_str().map_err(|_| ServerError::InvalidParam {
        name,
        reason: "it is not readable text".to_string(),
    })
}

/// A required parameter: absent is 400 `M_MISSING_PARAM`.
#[doc(hidden)]
pub fn required<T>(value: Option<T>, name: &'static str) -> Result<T, ServerError> {
    value.ok_or(ServerError::MissingParam { name })
}

/// A parameter the definition gives a `default`: absent, it takes that value (JSON text
/// from the definition, checked against the parameter's schema by the generator).
#[doc(hidden)]
pub fn or_default<T: ::serde::de::DeserializeOwned>(
    value: Option<T>,
    default: &'static str,
    name: &'static str,
) -> Result<T, ServerError> {
    match value {
        Some(value) => Ok(value),
        None => ::serde_json::from_str(default).map_err(|e| ServerError::InvalidParam {
            name,
            reason: format!("it is absent and the definition's default `{default}` does not fit its type: {e}"),
        }),
    }
}

/// How an array or object parameter is written: `collectionFormat`, or `style` and `explode`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[doc(hidden)]
pub enum Style {
    /// Items joined by the separator in one value (`a,b`); an object as `k,v,k,v`.
    Joined(char),
    /// Query and cookie: one `name=item` per item, an object's members as their own pairs.
    /// Path and header: `a,b`, an object as `k=v,k=v`.
    Exploded,
    /// `name[k]=v` per member.
    DeepObject,
    /// `.a.b` (exploded) or `.a,b`.
    Label { explode: bool },
    /// `;name=a;name=b` (exploded) or `;name=a,b`.
    Matrix { explode: bool },
}

/// Splits a still percent-encoded value at `separator` and decodes each item. The client
/// escapes `,` `|` `.` `;` `=` inside items, so they are found before decoding; it refuses
/// space and tab inside items, whose escapes are the separator's own, so those are split
/// after decoding.
fn split_decoded(raw: &str, separator: char, plus_is_space: bool) -> Result<Vec<String>, String> {
    if raw.is_empty() {
        return Ok(Vec::new());
    }
    if matches!(separator, ' ' | '\t') {
        let text = percent_decode(raw.as_bytes(), plus_is_space)?;
        return Ok(text.split(separator).map(str::to_string).collect());
    }
    raw.split(separator)
        .map(|item| percent_decode(item.as_bytes(), plus_is_space).map(Cow::into_owned))
        .collect()
}

/// `k,v,k,v` or `k=v,k=v`, already split into items, as members.
fn members_of(items: Vec<String>, pairs_with_equals: bool) -> Result<Vec<(String, String)>, String> {
    if pairs_with_equals {
        return items
            .into_iter()
            .map(|item| match item.split_once('=') {
                Some((key, value)) => Ok((key.to_string(), value.to_string())),
                None => Err(format!("`{item}` is not a `key=value` member")),
            })
            .collect();
    }
    let pairs = items.chunks_exact(2);
    if !pairs.remainder().is_empty() {
        return Err("an object is written as key,value pairs, and a value is missing".to_string());
    }
    Ok(pairs.map(|pair| (pair[0].clone(), pair[1].clone())).collect())
}

/// The query's pairs with keys decoded and values still percent-encoded.
fn raw_query_pairs(parts: &Parts) -> Result<Vec<(Cow<'_, str>, &str)>, ServerError> {
    let query = parts.uri.query().unwrap_or("");
    query
        .split('&')
        .filter(|pair| !pair.is_empty())
        .map(|pair| {
            let (key, value) = pair.split_once('=').unwrap_or((pair, ""));
            let key = percent_decode(key.as_bytes(), true).map_err(|reason| ServerError::InvalidParam {
                name: "query string",
                reason,
            })?;
            Ok((key, value))
        })
        .collect()
}

/// The items of an array query parameter; `None` when absent.
#[doc(hidden)]
pub fn query_items(parts: &Parts, name: &'static str, style: Style) -> Result<Option<Vec<String>>, ServerError> {
    let invalid = |reason| ServerError::InvalidParam { name, reason };
    let pairs = raw_query_pairs(parts)?;
    let mut values = pairs.iter().filter(|(key, _)| key == name).map(|(_, raw)| *raw);
    match style {
        Style::Joined(separator) => match values.next_back() {
            Some(raw) => split_decoded(raw, separator, true).map(Some).map_err(invalid),
            None => Ok(None),
        },
        _ => {
            let items: Result<Vec<String>, String> = values
                .map(|raw| percent_decode(raw.as_bytes(), true).map(Cow::into_owned))
                .collect();
            items.map(|items| (!items.is_empty()).then_some(items)).map_err(invalid)
        }
    }
}

/// The members of an object query parameter; `None` when absent. Exploded, its members
/// are the query's pairs that are no other parameter's (`others`).
#[doc(hidden)]
pub fn query_members(
    parts: &Parts,
    name: &'static str,
    style: Style,
    others: &[&str],
) -> Result<Option<Vec<(String, String)>>, ServerError> {
    let invalid = |reason| ServerError::InvalidParam { name, reason };
    let pairs = raw_query_pairs(parts)?;
    let decode = |raw: &str| percent_decode(raw.as_bytes(), true).map(Cow::into_owned);
    let members: Result<Vec<(String, String)>, String> = match style {
        Style::Joined(separator) => {
            let Some((_, raw)) = pairs.iter().rev().find(|(key, _)| key == name) else {
                return Ok(None);
            };
            return split_decoded(raw, separator, true)
                .and_then(|items| members_of(items, false))
                .map(Some)
                .map_err(invalid);
        }
        Style::DeepObject => pairs
            .iter()
            .filter_map(|(key, raw)| {
                let member = key.strip_prefix(name)?.strip_prefix('[')?.strip_suffix(']')?;
                Some(decode(raw).map(|value| (member.to_string(), value)))
            })
            .collect(),
        _ => pairs
            .iter()
            .filter(|(key, _)| !others.contains(&key.as_ref()))
            .map(|(key, raw)| decode(raw).map(|value| (key.to_string(), value)))
            .collect(),
    };
    members.map(|members| (!members.is_empty()).then_some(members)).map_err(invalid)
}

/// A query parameter whose value nests, read from the bracket convention the client
/// writes (`name=v`, `name[0]=v`, `name[k][0][j]=v`; with `members`, an object whose
/// members are pairs of their own, `k=v`, `k[j]=v`, among the pairs that are no other
/// parameter's, `others`). `name[]=v` is also read, each one a new item. Leaves are
/// read as the type asks: a number where it wants a number, text where it wants text.
/// Where the type leaves it open (an untyped member, one of several shapes), the leaves
/// at `text_paths` (member names, `*` for any item or key) are text and any other that
/// reads as a JSON number or boolean is one. `None` when no pair belongs to it.
#[doc(hidden)]
pub fn query_bracketed<T: ::serde::de::DeserializeOwned>(
    parts: &Parts,
    name: &'static str,
    members: bool,
    others: &[&str],
    text_paths: &[&[&str]],
) -> Result<Option<T>, ServerError> {
    let invalid = |reason| ServerError::InvalidParam { name, reason };
    let query = parts.uri.query().unwrap_or("");
    let mut root: Option<QueryNode> = None;
    for pair in query.split('&').filter(|pair| !pair.is_empty()) {
        let (key, raw) = pair.split_once('=').unwrap_or((pair, ""));
        // Brackets are found before decoding: the client escapes those inside names.
        let base_end = key.find('[').unwrap_or(key.len());
        let base = percent_decode(&key.as_bytes()[..base_end], true).map_err(invalid)?;
        let mut path = Vec::new();
        if members {
            if others.contains(&base.as_ref()) {
                continue;
            }
            path.push(Some(base.into_owned()));
        } else if base != name {
            continue;
        }
        let mut rest = &key[base_end..];
        while !rest.is_empty() {
            let segment = rest
                .strip_prefix('[')
                .and_then(|inner| inner.split_once(']'))
                .ok_or_else(|| invalid(format!("`{key}` is not `name[member]…`")))?;
            let segment_text = percent_decode(segment.0.as_bytes(), true).map_err(invalid)?;
            path.push((!segment_text.is_empty()).then(|| segment_text.into_owned()));
            rest = segment.1;
        }
        if path.len() > QUERY_NESTING_LIMIT {
            return Err(invalid(format!("`{key}` nests deeper than {QUERY_NESTING_LIMIT} levels")));
        }
        let value = percent_decode(raw.as_bytes(), true).map_err(invalid)?.into_owned();
        let text = text_paths.iter().any(|pattern| {
            pattern.len() == path.len()
                && pattern
                    .iter()
                    .zip(&path)
                    .all(|(want, got)| *want == "*" || Some(*want) == got.as_deref())
        });
        let node = root.get_or_insert_with(|| QueryNode::Members(Default::default()));
        node.insert(&path, value, text)
            .map_err(|reason| invalid(format!("`{key}`: {reason}")))?;
    }
    let Some(root) = root else {
        return Ok(None);
    };
    T::deserialize(root).map(Some).map_err(|e| invalid(e.to_string()))
}

/// How deep a bracketed query key may go: deeper than any definition nests, shallow
/// enough that reading it cannot exhaust the stack.
const QUERY_NESTING_LIMIT: usize = 32;

/// A bracketed query value: text (and whether it is text where the type leaves it open),
/// or members by name (an array's by index).
enum QueryNode {
    Text(String, bool),
    Members(std::collections::BTreeMap<String, QueryNode>),
}

impl QueryNode {
    /// Puts `value` at `path` (`None`: `[]`, a new item at the end).
    fn insert(&mut self, path: &[Option<String>], value: String, text: bool) -> Result<(), String> {
        let Some((first, rest)) = path.split_first() else {
            return match self {
                QueryNode::Members(members) if members.is_empty() => {
                    *self = QueryNode::Text(value, text);
                    Ok(())
                }
                QueryNode::Members(_) => Err("a value is given both as text and with members".to_string()),
                // The last of a repeated value wins, as for other query parameters.
                QueryNode::Text(..) => {
                    *self = QueryNode::Text(value, text);
                    Ok(())
                }
            };
        };
        let QueryNode::Members(members) = self else {
            return Err("a value is given both as text and with members".to_string());
        };
        let key = match first {
            Some(key) => key.clone(),
            None => members.len().to_string(),
        };
        members
            .entry(key)
            .or_insert_with(|| QueryNode::Members(Default::default()))
            .insert(rest, value, text)
    }

    fn type_error(&self, wanted: &str) -> ::serde::de::value::Error {
        let found = match self {
            QueryNode::Text(text, _) => format!("`{text}`"),
            QueryNode::Members(_) => "members in brackets".to_string(),
        };
        ::serde::de::Error::custom(format!("expected {wanted}, found {found}"))
    }

    /// Members numbered `0`, `1`, … as a list, in number order.
    fn items(self) -> Result<Vec<QueryNode>, ::serde::de::value::Error> {
        match self {
            QueryNode::Text(..) => Ok(vec![self]),
            QueryNode::Members(members) => {
                let mut numbered = members
                    .into_iter()
                    .map(|(key, node)| match key.parse::<usize>() {
                        Ok(index) => Ok((index, node)),
                        Err(_) => Err(::serde::de::Error::custom(format!("`[{key}]` is not an item number"))),
                    })
                    .collect::<Result<Vec<_>, ::serde::de::value::Error>>()?;
                numbered.sort_by_key(|(index, _)| *index);
                Ok(numbered.into_iter().map(|(_, node)| node).collect())
            }
        }
    }
}

macro_rules! query_node_parse {
    ($($method:ident $visit:ident $ty:ty),*) => {
        $(fn $method<V: ::serde::de::Visitor<'de>>(self, visitor: V) -> Result<V::Value, Self::Error> {
            match &self {
                QueryNode::Text(text, _) => match text.parse::<$ty>() {
                    Ok(value) => visitor.$visit(value),
                    Err(_) => Err(self.type_error(stringify!($ty))),
                },
                QueryNode::Members(_) => Err(self.type_error(stringify!($ty))),
            }
        })*
    };
}

impl<'de> ::serde::de::Deserializer<'de> for QueryNode {
    type Error = ::serde::de::value::Error;

    /// What the type does not say: text unless it reads as a JSON number or boolean and
    /// is not at a text path; members numbered `0`, `1`, … are a list.
    fn deserialize_any<V: ::serde::de::Visitor<'de>>(self, visitor: V) -> Result<V::Value, Self::Error> {
        match self {
            QueryNode::Text(text, true) => visitor.visit_string(text),
            QueryNode::Text(text, false) => match ::serde_json::from_str::<::serde_json::Value>(&text) {
                Ok(::serde_json::Value::Bool(flag)) => visitor.visit_bool(flag),
                Ok(::serde_json::Value::Number(number)) => {
                    if let Some(value) = number.as_u64() {
                        visitor.visit_u64(value)
                    } else if let Some(value) = number.as_i64() {
                        visitor.visit_i64(value)
                    } else {
                        visitor.visit_f64(number.as_f64().unwrap_or(f64::NAN))
                    }
                }
                _ => visitor.visit_string(text),
            },
            QueryNode::Members(members) if !members.is_empty() && members.keys().all(|key| key.parse::<usize>().is_ok()) => {
                let items = QueryNode::Members(members).items()?;
                visitor.visit_seq(::serde::de::value::SeqDeserializer::new(items.into_iter()))
            }
            QueryNode::Members(members) => visitor.visit_map(::serde::de::value::MapDeserializer::new(members.into_iter())),
        }
    }

    query_node_parse!(
        deserialize_bool visit_bool bool,
        deserialize_i8 visit_i8 i8,
        deserialize_i16 visit_i16 i16,
        deserialize_i32 visit_i32 i32,
        deserialize_i64 visit_i64 i64,
        deserialize_i128 visit_i128 i128,
        deserialize_u8 visit_u8 u8,
        deserialize_u16 visit_u16 u16,
        deserialize_u32 visit_u32 u32,
        deserialize_u64 visit_u64 u64,
        deserialize_u128 visit_u128 u128,
        deserialize_f32 visit_f32 f32,
        deserialize_f64 visit_f64 f64,
        deserialize_char visit_char char
    );

    fn deserialize_str<V: ::serde::de::Visitor<'de>>(self, visitor: V) -> Result<V::Value, Self::Error> {
        self.deserialize_string(visitor)
    }

    fn deserialize_string<V: ::serde::de::Visitor<'de>>(self, visitor: V) -> Result<V::Value, Self::Error> {
        match self {
            QueryNode::Text(text, _) => visitor.visit_string(text),
            members => Err(members.type_error("text")),
        }
    }

    fn deserialize_option<V: ::serde::de::Visitor<'de>>(self, visitor: V) -> Result<V::Value, Self::Error> {
        // A value is there when a pair names it: absent members are absent.
        visitor.visit_some(self)
    }

    fn deserialize_newtype_struct<V: ::serde::de::Visitor<'de>>(
        self,
        _name: &'static str,
        visitor: V,
    ) -> Result<V::Value, Self::Error> {
        visitor.visit_newtype_struct(self)
    }

    fn deserialize_seq<V: ::serde::de::Visitor<'de>>(self, visitor: V) -> Result<V::Value, Self::Error> {
        visitor.visit_seq(::serde::de::value::SeqDeserializer::new(self.items()?.into_iter()))
    }

    fn deserialize_tuple<V: ::serde::de::Visitor<'de>>(self, _len: usize, visitor: V) -> Result<V::Value, Self::Error> {
        self.deserialize_seq(visitor)
    }

    fn deserialize_enum<V: ::serde::de::Visitor<'de>>(
        self,
        _name: &'static str,
        _variants: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, Self::Error> {
        match self {
            QueryNode::Text(text, _) => visitor.visit_enum(::serde::de::IntoDeserializer::into_deserializer(text)),
            QueryNode::Members(members) => visitor.visit_enum(::serde::de::value::MapAccessDeserializer::new(
                ::serde::de::value::MapDeserializer::new(members.into_iter()),
            )),
        }
    }

    fn deserialize_map<V: ::serde::de::Visitor<'de>>(self, visitor: V) -> Result<V::Value, Self::Error> {
        match self {
            QueryNode::Members(members) => visitor.visit_map(::serde::de::value::MapDeserializer::new(members.into_iter())),
            text => Err(text.type_error("members in brackets")),
        }
    }

    fn deserialize_struct<V: ::serde::de::Visitor<'de>>(
        self,
        _name: &'static str,
        _fields: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, Self::Error> {
        self.deserialize_map(visitor)
    }

    ::serde::forward_to_deserialize_any! {
        bytes byte_buf unit unit_struct tuple_struct identifier ignored_any
    }
}

impl<'de> ::serde::de::IntoDeserializer<'de, ::serde::de::value::Error> for QueryNode {
    type Deserializer = QueryNode;

    fn into_deserializer(self) -> QueryNode {
        self
    }
}

/// A `label` or `matrix` path value without its prefix (`.`, `;name=`), still encoded.
#[doc(hidden)]
pub fn path_unprefixed<'a>(raw: &'a str, name: &'static str, style: Style) -> Result<&'a str, ServerError> {
    let stripped = match style {
        Style::Label { .. } => raw.strip_prefix('.'),
        Style::Matrix { .. } => raw.strip_prefix(';').and_then(|rest| rest.strip_prefix(name)?.strip_prefix('=')),
        _ => Some(raw),
    };
    stripped.ok_or_else(|| ServerError::BadPath {
        name,
        reason: format!("`{raw}` does not start as its style says"),
    })
}

/// The items of an array path parameter.
#[doc(hidden)]
pub fn path_items(raw: &str, name: &'static str, style: Style) -> Result<Vec<String>, ServerError> {
    let bad = |reason| ServerError::BadPath { name, reason };
    match style {
        Style::Label { explode: true } => split_decoded(path_unprefixed(raw, name, style)?, '.', false).map_err(bad),
        Style::Matrix { explode: true } => {
            let items = raw.strip_prefix(';').unwrap_or("").split(';').map(|item| {
                let value = item.strip_prefix(name).and_then(|rest| rest.strip_prefix('='));
                let value = value.ok_or_else(|| format!("`{item}` is not `{name}=…`"))?;
                percent_decode(value.as_bytes(), false).map(Cow::into_owned)
            });
            items.collect::<Result<Vec<_>, _>>().map_err(bad)
        }
        Style::Joined(separator) => split_decoded(raw, separator, false).map_err(bad),
        _ => split_decoded(path_unprefixed(raw, name, style)?, ',', false).map_err(bad),
    }
}

/// The members of an object path parameter.
#[doc(hidden)]
pub fn path_members(raw: &str, name: &'static str, style: Style) -> Result<Vec<(String, String)>, ServerError> {
    let bad = |reason| ServerError::BadPath { name, reason };
    let (items, with_equals) = match style {
        Style::Label { explode: true } => (split_raw_pairs(raw.strip_prefix('.'), '.'), true),
        Style::Matrix { explode: true } => (split_raw_pairs(raw.strip_prefix(';'), ';'), true),
        Style::Exploded => (split_raw_pairs(Some(raw), ','), true),
        Style::Joined(separator) => (split_decoded(raw, separator, false).map_err(bad)?, false),
        _ => (split_decoded(path_unprefixed(raw, name, style)?, ',', false).map_err(bad)?, false),
    };
    if with_equals {
        // `k=v` items: split at `=` before decoding, which the client escapes inside.
        return items
            .iter()
            .map(|item| {
                let (key, value) = item.split_once('=').ok_or_else(|| format!("`{item}` is not `key=value`"))?;
                let key = percent_decode(key.as_bytes(), false)?;
                let value = percent_decode(value.as_bytes(), false)?;
                Ok((key.into_owned(), value.into_owned()))
            })
            .collect::<Result<Vec<_>, String>>()
            .map_err(bad);
    }
    members_of(items, false).map_err(bad)
}

fn split_raw_pairs(raw: Option<&str>, separator: char) -> Vec<String> {
    raw.filter(|raw| !raw.is_empty())
        .map(|raw| raw.split(separator).map(str::to_string).collect())
        .unwrap_or_default()
}

/// The items of an array header parameter (all its header lines); `None` when absent.
#[doc(hidden)]
pub fn header_items(headers: &HeaderMap, name: &'static str, style: Style) -> Result<Option<Vec<String>>, ServerError> {
    let separator = match style {
        Style::Joined(separator) => separator,
        _ => ',',
    };
    let mut items = Vec::new();
    for value in headers.get_all(name) {
        let text = header_text(value, name)?;
        if separator == ' ' {
            items.extend(text.split_whitespace().map(str::to_string));
        } else {
            items.extend(text.split(separator).map(|item| item.trim().to_string()));
        }
    }
    Ok((!items.is_empty()).then_some(items))
}

/// The members of an object header parameter; `None` when absent.
#[doc(hidden)]
pub fn header_members(
    headers: &HeaderMap,
    name: &'static str,
    style: Style,
) -> Result<Option<Vec<(String, String)>>, ServerError> {
    let Some(items) = header_items(headers, name, style)? else {
        return Ok(None);
    };
    members_of(items, style == Style::Exploded)
        .map(Some)
        .map_err(|reason| ServerError::InvalidParam { name, reason })
}

/// The still-encoded values of every `name=value` cookie, in the order sent.
fn cookie_values<'a>(headers: &'a HeaderMap, name: &str) -> Vec<&'a str> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|value| value.to_str().ok())
        .flat_map(|line| line.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .filter(|(key, _)| *key == name)
        .map(|(_, value)| value)
        .collect()
}

/// A cookie parameter, percent-decoded; `None` when absent. The first of several wins.
#[doc(hidden)]
pub fn cookie_param<T>(headers: &HeaderMap, name: &'static str, parse: ParseParam<T>) -> Result<Option<T>, ServerError> {
    let invalid = |reason| ServerError::InvalidParam { name, reason };
    let Some(raw) = cookie_values(headers, name).into_iter().next() else {
        return Ok(None);
    };
    let text = percent_decode(raw.as_bytes(), false).map_err(invalid)?;
    parse(&text).map(Some).map_err(invalid)
}

/// The items of an array cookie parameter; `None` when absent.
#[doc(hidden)]
pub fn cookie_items(headers: &HeaderMap, name: &'static str, style: Style) -> Result<Option<Vec<String>>, ServerError> {
    let invalid = |reason| ServerError::InvalidParam { name, reason };
    let values = cookie_values(headers, name);
    let items: Result<Vec<String>, String> = match style {
        Style::Exploded => values
            .iter()
            .map(|raw| percent_decode(raw.as_bytes(), false).map(Cow::into_owned))
            .collect(),
        Style::Joined(separator) => match values.first() {
            Some(raw) => split_decoded(raw, separator, false),
            None => return Ok(None),
        },
        _ => match values.first() {
            Some(raw) => split_decoded(raw, ',', false),
            None => return Ok(None),
        },
    };
    let items = items.map_err(invalid)?;
    Ok((!items.is_empty() || !values.is_empty()).then_some(items))
}

/// The members of an object cookie parameter (`k,v,k,v`); `None` when absent.
#[doc(hidden)]
pub fn cookie_members(headers: &HeaderMap, name: &'static str) -> Result<Option<Vec<(String, String)>>, ServerError> {
    let Some(items) = cookie_items(headers, name, Style::Joined(','))? else {
        return Ok(None);
    };
    members_of(items, false)
        .map(Some)
        .map_err(|reason| ServerError::InvalidParam { name, reason })
}

/// An array parameter's items parsed into their type.
#[doc(hidden)]
pub fn parse_items<T>(items: Option<Vec<String>>, name: &'static str, parse: ParseParam<T>) -> Result<Option<Vec<T>>, ServerError> {
    items
        .map(|items| {
            items
                .iter()
                .map(|item| parse(item).map_err(|reason| ServerError::InvalidParam { name, reason }))
                .collect()
        })
        .transpose()
}

/// An object parameter's members read into its type. Members named in `text_members`
/// (every member when `all_text`) are strings; any other value that reads as a JSON
/// number or boolean is one.
#[doc(hidden)]
pub fn parse_members<T: ::serde::de::DeserializeOwned>(
    members: Option<Vec<(String, String)>>,
    name: &'static str,
    text_members: &[&str],
    all_text: bool,
) -> Result<Option<T>, ServerError> {
    let Some(members) = members else {
        return Ok(None);
    };
    let object = members
        .into_iter()
        .map(|(key, text)| {
            let scalar = ::serde_json::from_str::<::serde_json::Value>(&text)
                .ok()
                .filter(|value| value.is_number() || value.is_boolean());
            let value = match scalar {
                Some(value) if !all_text && !text_members.contains(&key.as_str()) => value,
                _ => ::serde_json::Value::String(text),
            };
            (key, value)
        })
        .collect();
    ::serde_json::from_value(::serde_json::Value::Object(object))
        .map(Some)
        .map_err(|e| ServerError::InvalidParam { name, reason: e.to_string() })
}

/// A documented response with a JSON body, sent as `media` (a JSON-family type).
#[doc(hidden)]
pub fn json_response<T: ::serde::Serialize>(status: u16, body: &T, media: &'static str) -> Result<Response, ServerError> {
    // Most bodies are small; starting at 128 bytes saves the first few regrowths.
    let mut bytes = Vec::with_capacity(128);
    ::serde_json::to_writer(&mut bytes, body).map_err(|e| ServerError::ResponseUnwritable { reason: e.to_string() })?;
    let mut response = json_bytes(status_code(status)?, bytes);
    let media =
        HeaderValue::try_from(media).map_err(|e| ServerError::ResponseUnwritable { reason: e.to_string() })?;
    response.headers_mut().insert(header::CONTENT_TYPE, media);
    Ok(response)
}

/// A documented response without a body.
#[doc(hidden)]
pub fn empty_response(status: u16) -> Result<Response, ServerError> {
    Ok(status_code(status)?.into_response())
}

/// The status a range variant (`4XX`) carries, when it is of that class. Any other status
/// would reach clients as a response the definition does not document: the server answers
/// 500 with its error body instead.
#[doc(hidden)]
pub fn status_of_class(status: u16, class: u16) -> Result<u16, ServerError> {
    if (100..=599).contains(&status) && status / 100 == class {
        Ok(status)
    } else {
        Err(ServerError::ResponseUnwritable {
            reason: format!("status {status} is not a {class}XX status, as its variant documents"),
        })
    }
}

/// The status the `default` variant carries, when no other variant stands for it: a
/// client would decode a listed status, or one in a listed range, as that other variant.
/// Otherwise the server answers 500 with its error body.
#[doc(hidden)]
pub fn default_status(status: u16, listed: &[u16], classes: &[u16]) -> Result<u16, ServerError> {
    let unwritable = |why: &str| ServerError::ResponseUnwritable {
        reason: format!("status {status} {why}, so it is not the `default` response"),
    };
    if !(100..=599).contains(&status) {
        Err(unwritable("is not an HTTP status (100 to 599)"))
    } else if listed.contains(&status) {
        Err(unwritable("has its own variant"))
    } else if classes.contains(&(status / 100)) {
        Err(unwritable("is in a range that has its own variant"))
    } else {
        Ok(status)
    }
}

/// The status of a documented response. An informational status (`1xx`) is refused:
/// HTTP/1.1 sends one only ahead of a final response, never as the answer (hyper would
/// turn it into a bare 500; this way the API's own error body says why).
fn status_code(status: u16) -> Result<StatusCode, ServerError> {
    if (100..200).contains(&status) {
        return Err(ServerError::ResponseUnwritable {
            reason: format!("status {status} is informational, which HTTP sends only ahead of a final response"),
        });
    }
    StatusCode::from_u16(status).map_err(|e| ServerError::ResponseUnwritable { reason: e.to_string() })
}

fn json_bytes(status: StatusCode, bytes: Vec<u8>) -> Response {
    let mut response = Response::new(Body::from(bytes));
    *response.status_mut() = status;
    response
        .headers_mut()
        .insert(header::CONTENT_TYPE, HeaderValue::from_static("application/json"));
    response
}

/// Runs a future, turning a panic in it into an error so that one failing request does
/// not take the connection (or a test) down. The panic message still goes to the hook.
#[doc(hidden)]
pub async fn catch_panic<F: Future>(future: F) -> Result<F::Output, ServerError> {
    let mut future = pin!(future);
    std::future::poll_fn(
        move |cx| match std::panic::catch_unwind(AssertUnwindSafe(|| future.as_mut().poll(cx))) {
            Ok(Poll::Ready(output)) => Poll::Ready(Ok(output)),
            Ok(Poll::Pending) => Poll::Pending,
            Err(_) => Poll::Ready(Err(ServerError::Panicked)),
        },
    )
    .await
}

// Responses beyond JSON: text and bytes as they stand, bodies that say their own type,
// and declared response headers.

/// A documented response whose body is text or bytes, sent as `media` without a copy:
/// a `String` or `Bytes` becomes the body as it is.
#[doc(hidden)]
pub fn raw_response<B: Into<Body>>(status: u16, body: B, media: &'static str) -> Result<Response, ServerError> {
    let media = HeaderValue::from_str(media).map_err(|e| ServerError::ResponseUnwritable { reason: e.to_string() })?;
    let mut response = Response::new(body.into());
    *response.status_mut() = status_code(status)?;
    response.headers_mut().insert(header::CONTENT_TYPE, media);
    Ok(response)
}

/// [`raw_response`] for a declared type that names no single one (`image/*`, `*/*`,
/// `multipart/*`): the handler says which, and it must fit the declared type, or the
/// client would get a body the definition does not document (500 instead).
#[doc(hidden)]
pub fn typed_response<B: Into<Body>>(
    status: u16,
    body: B,
    content_type: String,
    declared: &'static str,
) -> Result<Response, ServerError> {
    if !media_fits(declared, &content_type) {
        return Err(ServerError::ResponseUnwritable {
            reason: format!("content type `{content_type}` is not `{declared}`, as the definition declares"),
        });
    }
    let media =
        HeaderValue::try_from(content_type).map_err(|e| ServerError::ResponseUnwritable { reason: e.to_string() })?;
    let mut response = Response::new(body.into());
    *response.status_mut() = status_code(status)?;
    response.headers_mut().insert(header::CONTENT_TYPE, media);
    Ok(response)
}

/// Whether `arrived` fits `declared`: the same type (case and parameters aside), or
/// inside a declared wildcard (`image/*` takes `image/png`).
fn media_fits(declared: &str, arrived: &str) -> bool {
    let essence = |media: &str| media.split(';').next().unwrap_or("").trim().to_ascii_lowercase();
    let (declared, arrived) = (essence(declared), essence(arrived));
    match declared.split_once('/') {
        Some(("*", "*")) => arrived.contains('/'),
        Some((kind, "*")) => arrived.split_once('/').is_some_and(|(a, _)| a == kind),
        _ => declared == arrived,
    }
}

/// A declared response header's text: strings as they are, numbers and booleans as JSON
/// writes them, lists comma-separated. `Err` says why no header can carry the value.
#[doc(hidden)]
pub fn response_header_text<T: ::serde::Serialize + ?Sized>(value: &T) -> Result<String, String> {
    let scalar = |value: ::serde_json::Value| match value {
        ::serde_json::Value::String(text) => Ok(text),
        ::serde_json::Value::Number(number) => Ok(number.to_string()),
        ::serde_json::Value::Bool(flag) => Ok(flag.to_string()),
        other => Err(format!("is not a string, number or boolean: {other}")),
    };
    match ::serde_json::to_value(value).map_err(|e| e.to_string())? {
        ::serde_json::Value::Array(items) => Ok(items.into_iter().map(scalar).collect::<Result<Vec<_>, _>>()?.join(", ")),
        other => scalar(other),
    }
}

/// Adds a response's declared headers (name, text from [`response_header_text`]; `None` for an
/// absent optional one) to the written response. A value no header can carry answers 500.
/// Generated arms pass everything as arguments, so no local name of theirs can clash with
/// a header's field name.
#[doc(hidden)]
pub fn with_headers<const N: usize>(
    response: Result<Response, ServerError>,
    headers: [(&'static str, Option<Result<String, String>>); N],
) -> Result<Response, ServerError> {
    let mut response = response?;
    for (name, text) in headers {
        let Some(text) = text else { continue };
        let unwritable = |reason: String| ServerError::ResponseUnwritable {
            reason: format!("header `{name}` {reason}"),
        };
        let text = text.map_err(unwritable)?;
        let name = header::HeaderName::from_bytes(name.as_bytes()).map_err(|e| unwritable(e.to_string()))?;
        let value = HeaderValue::try_from(text).map_err(|e| unwritable(format!("cannot carry its value: {e}")))?;
        response.headers_mut().insert(name, value);
    }
    Ok(response)
}

// ---- Request bodies other than one JSON type: choosing the encoding, forms, multipart,
// ---- binary and text. Each reads the body bytes `read_body` collected, so that
// ---- `authenticate` has seen exactly these bytes.

/// Which declared encoding a request body is in, from its `Content-Type`: each entry is
/// a declared type's essence, the encoding it belongs to, and whether that encoding is
/// JSON (its wildcards then take JSON types only). An exact type wins over a wildcard.
/// 415 for any other type. Without `Content-Type`, an optional body that is empty is
/// `None`, a `*/*` encoding takes any other body, and anything else is 415.
#[doc(hidden)]
pub fn request_encoding(
    headers: &HeaderMap,
    body: &[u8],
    accepted: &[(&str, usize, bool)],
    required: bool,
) -> Result<Option<usize>, ServerError> {
    let refuse = |content_type: &str| ServerError::UnsupportedMediaType {
        content_type: content_type.to_string(),
        accepted: accepted
            .iter()
            .map(|(media, _, _)| format!("`{media}`"))
            .collect::<Vec<_>>()
            .join(", "),
    };
    let Some(value) = headers.get(header::CONTENT_TYPE) else {
        if body.is_empty() && !required {
            return Ok(None);
        }
        return match accepted.iter().find(|(media, _, json)| *media == "*/*" && !json) {
            Some((_, encoding, _)) => Ok(Some(*encoding)),
            None => Err(refuse("nothing")),
        };
    };
    let sent = value.to_str().map_err(|_| refuse("unreadable text"))?;
    let essence = sent.split(';').next().unwrap_or("").trim().to_ascii_lowercase();
    let is_json = essence.ends_with("json");
    let exact = accepted.iter().find(|(media, _, _)| *media == essence);
    let wildcard = || {
        accepted.iter().find(|(media, _, json)| {
            let fits = match media.strip_suffix('*') {
                Some("*/") => true,
                Some(prefix) => essence.starts_with(prefix),
                None => false,
            };
            fits && (is_json || !json)
        })
    };
    match exact.or_else(wildcard) {
        Some((_, encoding, _)) => Ok(Some(*encoding)),
        None => Err(refuse(sent)),
    }
}

/// What answers a required body whose encoding could not be chosen; `request_encoding`
/// has answered 415 before this can happen.
#[doc(hidden)]
pub fn no_request_encoding() -> ServerError {
    ServerError::BodyUnreadable {
        reason: "its media type is not one this endpoint declares".to_string(),
    }
}

/// The request's `Content-Type` as sent, or `fallback` when there is none.
#[doc(hidden)]
pub fn content_type_or(headers: &HeaderMap, fallback: &str) -> String {
    headers
        .get(header::CONTENT_TYPE)
        .and_then(|value| value.to_str().ok())
        .unwrap_or(fallback)
        .to_string()
}

/// A text body: 400 when it is not UTF-8.
#[doc(hidden)]
pub fn text_body(body: &[u8]) -> Result<String, ServerError> {
    String::from_utf8(body.to_vec()).map_err(|e| ServerError::BodyUnreadable {
        reason: format!("it is not UTF-8 text: {e}"),
    })
}

/// How the text of a form field or multipart part becomes the JSON value its type reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[doc(hidden)]
pub enum FormValue {
    Text,
    Integer,
    Number,
    Bool,
    /// JSON text (objects, arrays of objects); text that is not JSON stays a string.
    Json,
}

fn form_json(raw: &str, value: FormValue) -> Result<::serde_json::Value, String> {
    use ::serde_json::Value;
    match value {
        FormValue::Text => Ok(Value::String(raw.to_string())),
        FormValue::Integer => raw
            .parse::<i64>()
            .map(Value::from)
            .or_else(|_| raw.parse::<u64>().map(Value::from))
            .map_err(|_| format!("`{raw}` is not an integer")),
        FormValue::Number => raw
            .parse::<f64>()
            .ok()
            .and_then(::serde_json::Number::from_f64)
            .map(Value::Number)
            .ok_or_else(|| format!("`{raw}` is not a number")),
        FormValue::Bool => match raw {
            "true" => Ok(Value::Bool(true)),
            "false" => Ok(Value::Bool(false)),
            _ => Err(format!("`{raw}` is not `true` or `false`")),
        },
        FormValue::Json => Ok(::serde_json::from_str(raw).unwrap_or_else(|_| Value::String(raw.to_string()))),
    }
}

/// Reads a JSON value built from form fields or parts into `T`: 400 naming the field.
fn from_fields<T: ::serde::de::DeserializeOwned>(value: ::serde_json::Value) -> Result<T, ServerError> {
    ::serde_path_to_error::deserialize(value).map_err(|e| {
        let path = e.path().to_string();
        let inner = e.into_inner();
        ServerError::BadJson {
            reason: if path == "." { inner.to_string() } else { format!("at `{path}`: {inner}") },
        }
    })
}

/// An `application/x-www-form-urlencoded` body into `T`. `fields` says, per wire name,
/// how its text is read and whether it repeats (`tag=a&tag=b` for an array); other
/// names are read as text. Of a field that does not repeat, the last value counts.
#[doc(hidden)]
pub fn form_body<T: ::serde::de::DeserializeOwned>(
    body: &[u8],
    fields: &[(&str, FormValue, bool)],
) -> Result<T, ServerError> {
    let mut object = ::serde_json::Map::new();
    for pair in body.split(|b| *b == b'&').filter(|pair| !pair.is_empty()) {
        let (key, value) = match pair.iter().position(|b| *b == b'=') {
            Some(at) => (&pair[..at], &pair[at + 1..]),
            None => (pair, &pair[pair.len()..]),
        };
        let unreadable = |reason: String| ServerError::BodyUnreadable {
            reason: format!("it is not a form: {reason}"),
        };
        let key = percent_decode(key, true).map_err(unreadable)?;
        let value = percent_decode(value, true).map_err(unreadable)?;
        let (kind, repeated) = fields
            .iter()
            .find(|(name, _, _)| *name == key)
            .map_or((FormValue::Text, false), |(_, kind, repeated)| (*kind, *repeated));
        let json = form_json(&value, kind).map_err(|reason| ServerError::BadJson {
            reason: format!("at `{key}`: {reason}"),
        })?;
        if repeated {
            let list = object
                .entry(key.into_owned())
                .or_insert_with(|| ::serde_json::Value::Array(Vec::new()));
            if let ::serde_json::Value::Array(items) = list {
                items.push(json);
            }
        } else {
            object.insert(key.into_owned(), json);
        }
    }
    from_fields(::serde_json::Value::Object(object))
}

/// An `application/x-www-form-urlencoded` body as its name/value pairs, in order (a form
/// whose definition names no fields).
#[doc(hidden)]
pub fn form_pairs(body: &[u8]) -> Result<Vec<(String, String)>, ServerError> {
    let unreadable = |reason: String| ServerError::BodyUnreadable {
        reason: format!("it is not a form: {reason}"),
    };
    let mut pairs = Vec::new();
    for pair in body.split(|b| *b == b'&').filter(|pair| !pair.is_empty()) {
        let (key, value) = match pair.iter().position(|b| *b == b'=') {
            Some(at) => (&pair[..at], &pair[at + 1..]),
            None => (pair, &pair[pair.len()..]),
        };
        let key = percent_decode(key, true).map_err(unreadable)?;
        let value = percent_decode(value, true).map_err(unreadable)?;
        pairs.push((key.into_owned(), value.into_owned()));
    }
    Ok(pairs)
}

/// One part of a `multipart/form-data` body.
#[derive(Debug, Clone)]
#[doc(hidden)]
pub struct ReadPart {
    pub name: String,
    pub filename: Option<String>,
    pub content_type: Option<String>,
    pub bytes: Bytes,
}

/// Splits a `multipart/form-data` body into its parts (multer does the parsing, over the
/// bytes already read and held to the body limit).
///
/// multer reads a stream, but this one is the whole body, already in memory: every poll
/// is ready at once, so one poll finishes the work and the operation's function stays
/// a plain function.
#[doc(hidden)]
pub fn multipart_parts(headers: &HeaderMap, body: Bytes) -> Result<Vec<ReadPart>, ServerError> {
    let mut reading = pin!(read_multipart(headers, body));
    match reading.as_mut().poll(&mut std::task::Context::from_waker(std::task::Waker::noop())) {
        Poll::Ready(parts) => parts,
        Poll::Pending => Err(ServerError::BodyUnreadable {
            reason: "its multipart parts could not be read at once".to_string(),
        }),
    }
}

async fn read_multipart(headers: &HeaderMap, body: Bytes) -> Result<Vec<ReadPart>, ServerError> {
    let unreadable = |reason: String| ServerError::BodyUnreadable {
        reason: format!("it is not multipart/form-data: {reason}"),
    };
    let content_type = headers
        .get(header::CONTENT_TYPE)
        .and_then(|value| value.to_str().ok())
        .unwrap_or("");
    let boundary = ::multer::parse_boundary(content_type).map_err(|e| unreadable(e.to_string()))?;
    let mut multipart = ::multer::Multipart::new(Body::from(body).into_data_stream(), boundary);
    let mut parts = Vec::new();
    while let Some(field) = multipart.next_field().await.map_err(|e| unreadable(e.to_string()))? {
        let name = field.name().unwrap_or("").to_string();
        let filename = field.file_name().map(str::to_string);
        let content_type = field.content_type().map(|media| media.to_string());
        let bytes = field.bytes().await.map_err(|e| unreadable(e.to_string()))?;
        parts.push(ReadPart {
            name,
            filename,
            content_type,
            bytes,
        });
    }
    Ok(parts)
}

/// The last part named `name`, as a file made by `make(bytes, filename, content_type)`.
#[doc(hidden)]
pub fn file_part<F>(
    parts: &[ReadPart],
    name: &str,
    make: fn(Bytes, Option<String>, Option<String>) -> F,
) -> Option<F> {
    parts
        .iter()
        .rev()
        .find(|part| part.name == name)
        .map(|part| make(part.bytes.clone(), part.filename.clone(), part.content_type.clone()))
}

/// Every part named `name`, in order, as files.
#[doc(hidden)]
pub fn file_parts<F>(parts: &[ReadPart], name: &str, make: fn(Bytes, Option<String>, Option<String>) -> F) -> Vec<F> {
    parts
        .iter()
        .filter(|part| part.name == name)
        .map(|part| make(part.bytes.clone(), part.filename.clone(), part.content_type.clone()))
        .collect()
}

/// The last part named `name` read as a value of `T`; `None` when there is none.
#[doc(hidden)]
pub fn value_part<T: ::serde::de::DeserializeOwned>(
    parts: &[ReadPart],
    name: &'static str,
    value: FormValue,
) -> Result<Option<T>, ServerError> {
    let Some(part) = parts.iter().rev().find(|part| part.name == name) else {
        return Ok(None);
    };
    let text = std::str::from_utf8(&part.bytes).map_err(|e| ServerError::BadJson {
        reason: format!("at `{name}`: the part is not UTF-8 text: {e}"),
    })?;
    let json = form_json(text, value).map_err(|reason| ServerError::BadJson {
        reason: format!("at `{name}`: {reason}"),
    })?;
    from_fields::<T>(json)
        .map(Some)
        .map_err(|error| match error {
            ServerError::BadJson { reason } => ServerError::BadJson {
                reason: format!("in part `{name}`: {reason}"),
            },
            other => other,
        })
}

/// Every part named `name`, in order, each read as a value of `T` (an array of scalars
/// sent as one part per item).
#[doc(hidden)]
pub fn value_parts<T: ::serde::de::DeserializeOwned>(
    parts: &[ReadPart],
    name: &'static str,
    value: FormValue,
) -> Result<Vec<T>, ServerError> {
    let mut values = Vec::new();
    for one in parts.chunks(1).filter(|one| one[0].name == name) {
        // Each occurrence read on its own, as `value_part` reads the last one.
        values.extend(value_part::<T>(one, name, value)?);
    }
    Ok(values)
}

/// A part the definition requires: 400 when it was not sent.
#[doc(hidden)]
pub fn required_part<T>(value: Option<T>, name: &'static str) -> Result<T, ServerError> {
    value.ok_or_else(|| ServerError::BadJson {
        reason: format!("the required part `{name}` is missing"),
    })
}

// Credentials before bodies ------------------------------------------------------------

/// Whether every credential of some alternative was sent. The generated handlers call it
/// before they read a byte of the body, so that a request without credentials is answered
/// 401 at once, however large or slow its body; [`authenticate`] checks them afterwards.
#[doc(hidden)]
pub fn credentials_sent(parts: &Parts, alternatives: &[&[(&'static str, CredentialSource)]]) -> Result<(), ServerError> {
    let mut missing = None;
    for schemes in alternatives {
        match schemes
            .iter()
            .find_map(|&(scheme, source)| credential(parts, scheme, source).err())
        {
            None => return Ok(()),
            Some(error) => {
                missing.get_or_insert(error);
            }
        }
    }
    Err(missing.unwrap_or(ServerError::Rejected(Rejection::unauthorized(
        "No credentials were accepted.",
    ))))
}

// Bounded bodies: a deadline for each, a cap on the bytes all of them hold -------------

/// The request body bytes held by all requests in progress, against
/// [`ServerConfig::buffered_body_cap`]. Memory is counted as allocated, so the cap holds
/// however the bytes arrive.
#[derive(Debug)]
#[doc(hidden)]
pub struct BodyBudget {
    cap: usize,
    held: AtomicUsize,
}

impl BodyBudget {
    pub fn new(cap: usize) -> Self {
        BodyBudget {
            cap,
            held: AtomicUsize::new(0),
        }
    }

    /// The bytes held now.
    pub fn held(&self) -> usize {
        self.held.load(Ordering::Relaxed)
    }

    fn take(&self, bytes: usize) -> bool {
        self.held
            .fetch_update(Ordering::AcqRel, Ordering::Acquire, |held| {
                held.checked_add(bytes).filter(|total| *total <= self.cap)
            })
            .is_ok()
    }

    fn give_back(&self, bytes: usize) {
        self.held.fetch_sub(bytes, Ordering::AcqRel);
    }
}

/// A request body read whole. Its bytes count against the [`BodyBudget`] until it is
/// dropped, when the request is answered.
#[derive(Debug)]
#[doc(hidden)]
pub struct HeldBody<'a> {
    bytes: Bytes,
    taken: usize,
    budget: &'a BodyBudget,
}

impl HeldBody<'_> {
    /// The bytes, shared rather than copied (a binary body or multipart parts keep them;
    /// they stay counted against the budget only while the request is being answered).
    pub fn bytes(&self) -> Bytes {
        self.bytes.clone()
    }

    fn take(&mut self, bytes: usize) -> Result<(), ServerError> {
        if self.budget.take(bytes) {
            self.taken += bytes;
            Ok(())
        } else {
            Err(ServerError::Overloaded)
        }
    }
}

impl std::ops::Deref for HeldBody<'_> {
    type Target = [u8];

    fn deref(&self) -> &[u8] {
        &self.bytes
    }
}

impl Drop for HeldBody<'_> {
    fn drop(&mut self) {
        self.budget.give_back(self.taken);
    }
}

/// Reads the whole body within the settings: more than `body_limit` bytes is 413 (without
/// buffering them), a body that has not arrived within `body_timeout` is 408, and bytes
/// the budget cannot hold are 503.
///
/// A body whose length is declared is held in one buffer of that length, counted before it
/// is allocated: an upload the budget cannot hold is refused before any of it is buffered,
/// and no buffer is grown (each growth would leave the allocator a freed block to keep).
#[doc(hidden)]
pub async fn read_body_bounded<'a>(
    headers: &HeaderMap,
    body: Body,
    config: &ServerConfig,
    budget: &'a BodyBudget,
) -> Result<HeldBody<'a>, ServerError> {
    let limit = config.body_limit;
    let declared = headers
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok());
    let declared = match declared {
        Some(length) if length > limit as u64 => return Err(ServerError::TooLarge { limit }),
        // Within the limit, so within usize.
        Some(length) => Some(length as usize),
        None => None,
    };
    let mut held = HeldBody {
        bytes: Bytes::new(),
        taken: 0,
        budget,
    };
    if let Some(length) = declared {
        held.take(length)?;
    }
    let timeout = config.body_timeout;
    match ::tokio::time::timeout(timeout, collect_counted(body, limit, declared, &mut held)).await {
        Ok(Ok(bytes)) => {
            held.bytes = bytes;
            Ok(held)
        }
        Ok(Err(error)) => Err(error),
        Err(_elapsed) => Err(ServerError::BodyTimeout { timeout }),
    }
}

/// Collects the body's frames; `held` has already counted `declared` bytes, if any.
async fn collect_counted(
    mut body: Body,
    limit: usize,
    declared: Option<usize>,
    held: &mut HeldBody<'_>,
) -> Result<Bytes, ServerError> {
    let mut collected: Vec<u8> = Vec::new();
    loop {
        let frame = std::future::poll_fn(|cx| std::pin::Pin::new(&mut body).poll_frame(cx)).await;
        let Some(frame) = frame else { break };
        let frame = frame.map_err(|e| ServerError::BodyUnreadable { reason: e.to_string() })?;
        let Ok(data) = frame.into_data() else { continue };
        let needed = collected.len() + data.len();
        if needed > limit {
            return Err(ServerError::TooLarge { limit });
        }
        // Most bodies arrive in one frame: hand that frame over without copying.
        if collected.is_empty() && body.is_end_stream() {
            if needed > held.taken {
                held.take(needed - held.taken)?;
            }
            return Ok(data);
        }
        if needed > collected.capacity() {
            // The declared length at once; otherwise grow as a Vec would. Either way the
            // allocation is counted before it is made.
            let grown = match declared {
                Some(length) if needed <= length => length,
                _ => needed.max(collected.capacity().saturating_mul(2)).min(limit),
            };
            if grown > held.taken {
                held.take(grown - held.taken)?;
            }
            collected.reserve_exact(grown - collected.len());
        }
        collected.extend_from_slice(&data);
    }
    Ok(Bytes::from(collected))
}

// Serving connections with timeouts ----------------------------------------------------

/// Serves `app` on `listener` until `shutdown` completes; then it stops accepting, lets
/// each request in progress finish and returns once every connection is closed.
///
/// Plain `axum::serve` runs hyper without any timeout: a client that never finishes its
/// headers, never sends the rest of its body or keeps a connection open without a request
/// holds that connection (and what it buffered) for ever. Here each HTTP/1.1 connection is
/// closed when it overruns [`ServerConfig::header_read_timeout`] (counted from when the
/// connection opens, or from the first byte of a head on a kept-alive one) or
/// [`ServerConfig::keep_alive_idle_timeout`] (an idle connection between requests). A
/// body that does not arrive within [`ServerConfig::body_timeout`] is answered 408 by the
/// router itself, with any server.
pub async fn serve<F>(
    listener: ::tokio::net::TcpListener,
    app: ::axum::Router,
    config: &ServerConfig,
    shutdown: F,
) -> std::io::Result<()>
where
    F: Future<Output = ()>,
{
    let timeouts = ConnectionTimeouts {
        header_read: config.header_read_timeout,
        keep_alive_idle: config.keep_alive_idle_timeout,
    };
    let graceful = ::hyper_util::server::graceful::GracefulShutdown::new();
    let mut shutdown = pin!(shutdown);
    loop {
        let accepted = std::future::poll_fn(|cx| {
            if shutdown.as_mut().poll(cx).is_ready() {
                return Poll::Ready(None);
            }
            listener.poll_accept(cx).map(Some)
        })
        .await;
        match accepted {
            None => break,
            Some(Ok((stream, _peer))) => {
                let watch = std::sync::Arc::new(ConnectionWatch::new());
                let connection = graceful.watch(serve_connection(stream, app.clone(), watch.clone()));
                ::tokio::spawn(async move {
                    let mut connection = pin!(connection);
                    let mut expired = pin!(watch.expired(timeouts));
                    // Whichever ends first: a timeout drops (and so closes) the connection.
                    std::future::poll_fn(|cx| {
                        if connection.as_mut().poll(cx).is_ready() || expired.as_mut().poll(cx).is_ready() {
                            Poll::Ready(())
                        } else {
                            Poll::Pending
                        }
                    })
                    .await;
                });
            }
            // Out of file descriptors and the like: wait a little rather than spin.
            Some(Err(_)) => ::tokio::time::sleep(Duration::from_millis(50)).await,
        }
    }
    drop(listener);
    graceful.shutdown().await;
    Ok(())
}

/// The two timeouts of a connection between requests.
#[derive(Debug, Clone, Copy)]
struct ConnectionTimeouts {
    header_read: Duration,
    keep_alive_idle: Duration,
}

fn serve_connection(
    stream: ::tokio::net::TcpStream,
    app: ::axum::Router,
    watch: std::sync::Arc<ConnectionWatch>,
) -> impl ::hyper_util::server::graceful::GracefulConnection + Send {
    let io = ::hyper_util::rt::TokioIo::new(WatchedStream {
        inner: stream,
        watch: watch.clone(),
    });
    let service = ::hyper::service::service_fn(move |request: ::axum::http::Request<::hyper::body::Incoming>| {
        watch.set(Phase::Busy);
        let watch = watch.clone();
        // A Router is always ready (its `poll_ready` returns at once), so it is called
        // directly.
        let response = ::tower_service::Service::call(&mut app.clone(), request);
        async move {
            let response = response.await?;
            Ok::<_, std::convert::Infallible>(response.map(|body| Body::new(TrackedBody { inner: body, watch })))
        }
    });
    // hyper's own header timer would also run while the connection is idle, so the two
    // timeouts are kept by `ConnectionWatch` instead.
    // hyper's read buffer may grow to about 400 KiB a connection by default: with many
    // slow uploads that, not the bodies the budget counts, is most of the memory.
    ::hyper::server::conn::http1::Builder::new()
        .header_read_timeout(None)
        .max_buf_size(READ_BUFFER_MAX)
        .serve_connection(io, service)
}

/// The most a connection's read buffer holds (a request head must fit in it).
const READ_BUFFER_MAX: usize = 64 * 1024;

/// Where a connection is between requests, for its timeouts.
#[derive(Debug, Clone, Copy)]
enum Phase {
    /// No byte of the next head yet; `fresh` until the first request.
    Idle { since: ::tokio::time::Instant, fresh: bool },
    /// Reading a head that began `since`.
    Head { since: ::tokio::time::Instant },
    /// A request is being served; its body is held to `body_timeout` by the router.
    Busy,
}

#[derive(Debug)]
struct ConnectionWatch {
    phase: std::sync::Mutex<Phase>,
    changed: ::tokio::sync::Notify,
}

impl ConnectionWatch {
    fn new() -> Self {
        ConnectionWatch {
            phase: std::sync::Mutex::new(Phase::Idle {
                since: ::tokio::time::Instant::now(),
                fresh: true,
            }),
            changed: ::tokio::sync::Notify::new(),
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Phase> {
        // A phase is one plain value: it is sound even after a panic elsewhere.
        self.phase.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    fn set(&self, phase: Phase) {
        *self.lock() = phase;
        self.changed.notify_one();
    }

    /// Bytes came in: an idle connection starts reading a head. A fresh connection's head
    /// time counts from when it opened.
    fn bytes_arrived(&self) {
        let mut phase = self.lock();
        if let Phase::Idle { since, fresh } = *phase {
            let since = if fresh { since } else { ::tokio::time::Instant::now() };
            *phase = Phase::Head { since };
            drop(phase);
            self.changed.notify_one();
        }
    }

    fn deadline(&self, timeouts: ConnectionTimeouts) -> Option<::tokio::time::Instant> {
        match *self.lock() {
            Phase::Idle { since, fresh: true } | Phase::Head { since } => since.checked_add(timeouts.header_read),
            Phase::Idle { since, fresh: false } => since.checked_add(timeouts.keep_alive_idle),
            Phase::Busy => None,
        }
    }

    /// Completes when the connection overruns the timeout of its phase.
    async fn expired(&self, timeouts: ConnectionTimeouts) {
        loop {
            let changed = self.changed.notified();
            let mut changed = pin!(changed);
            changed.as_mut().enable();
            match self.deadline(timeouts) {
                None => changed.await,
                Some(deadline) => {
                    if ::tokio::time::timeout_at(deadline, changed).await.is_err()
                        && self
                            .deadline(timeouts)
                            .is_some_and(|now| now <= ::tokio::time::Instant::now())
                    {
                        return;
                    }
                }
            }
        }
    }
}

/// The socket, telling the watch when bytes arrive.
#[derive(Debug)]
struct WatchedStream {
    inner: ::tokio::net::TcpStream,
    watch: std::sync::Arc<ConnectionWatch>,
}

impl ::tokio::io::AsyncRead for WatchedStream {
    fn poll_read(
        mut self: std::pin::Pin<&mut Self>,
        cx: &mut std::task::Context<'_>,
        buf: &mut ::tokio::io::ReadBuf<'_>,
    ) -> Poll<std::io::Result<()>> {
        let before = buf.filled().len();
        let polled = std::pin::Pin::new(&mut self.inner).poll_read(cx, buf);
        if matches!(polled, Poll::Ready(Ok(()))) && buf.filled().len() > before {
            self.watch.bytes_arrived();
        }
        polled
    }
}

impl ::tokio::io::AsyncWrite for WatchedStream {
    fn poll_write(
        mut self: std::pin::Pin<&mut Self>,
        cx: &mut std::task::Context<'_>,
        buf: &[u8],
    ) -> Poll<std::io::Result<usize>> {
        std::pin::Pin::new(&mut self.inner).poll_write(cx, buf)
    }

    fn poll_write_vectored(
        mut self: std::pin::Pin<&mut Self>,
        cx: &mut std::task::Context<'_>,
        bufs: &[std::io::IoSlice<'_>],
    ) -> Poll<std::io::Result<usize>> {
        std::pin::Pin::new(&mut self.inner).poll_write_vectored(cx, bufs)
    }

    fn is_write_vectored(&self) -> bool {
        self.inner.is_write_vectored()
    }

    fn poll_flush(mut self: std::pin::Pin<&mut Self>, cx: &mut std::task::Context<'_>) -> Poll<std::io::Result<()>> {
        std::pin::Pin::new(&mut self.inner).poll_flush(cx)
    }

    fn poll_shutdown(mut self: std::pin::Pin<&mut Self>, cx: &mut std::task::Context<'_>) -> Poll<std::io::Result<()>> {
        std::pin::Pin::new(&mut self.inner).poll_shutdown(cx)
    }
}

/// A response body that marks the connection idle once hyper is done with it.
struct TrackedBody {
    inner: Body,
    watch: std::sync::Arc<ConnectionWatch>,
}

impl HttpBody for TrackedBody {
    type Data = Bytes;
    type Error = ::axum::Error;

    fn poll_frame(
        mut self: std::pin::Pin<&mut Self>,
        cx: &mut std::task::Context<'_>,
    ) -> Poll<Option<Result<::hyper::body::Frame<Bytes>, ::axum::Error>>> {
        std::pin::Pin::new(&mut self.inner).poll_frame(cx)
    }

    fn is_end_stream(&self) -> bool {
        self.inner.is_end_stream()
    }

    fn size_hint(&self) -> ::hyper::body::SizeHint {
        self.inner.size_hint()
    }
}

impl Drop for TrackedBody {
    fn drop(&mut self) {
        self.watch.set(Phase::Idle {
            since: ::tokio::time::Instant::now(),
            fresh: false,
        });
    }
}

// Empty path parameters -----------------------------------------------------------------

/// What answers a path that no route serves: 400 when it would fit one of `templates` but
/// for an empty value (`/make_leave//%40u%3Ahs`, `/Calls/.json`), so that the client learns
/// which mistake it made; otherwise 404. No handler ever sees an empty path parameter.
#[doc(hidden)]
pub fn unknown_or_empty(path: &str, templates: &[Template]) -> ServerError {
    if templates.iter().any(|template| fits_but_for_empty_values(path, template)) {
        ServerError::EmptyPathParam
    } else {
        ServerError::UnknownPath
    }
}

/// Whether `path` fits `template` when values may be empty, and does not fit it as
/// [`path_values`] reads it.
fn fits_but_for_empty_values(path: &str, template: Template) -> bool {
    let Some(skip) = path.split('/').count().checked_sub(segment_count(template)).filter(|n| *n > 0) else {
        return false;
    };
    let loosely = path
        .split('/')
        .skip(skip)
        .zip(segments(template))
        .all(|(segment, pieces)| segment_fits_loosely(segment, &pieces));
    loosely && !path_fits(path, template)
}

/// A segment against its pieces, each value any text, the empty text included.
fn segment_fits_loosely(segment: &str, pieces: &[Piece]) -> bool {
    let mut rest = segment;
    let mut after_value = false;
    for (i, piece) in pieces.iter().enumerate() {
        match piece {
            Piece::Value => after_value = true,
            Piece::Text(text) => {
                let at = if !after_value {
                    rest.starts_with(text).then_some(0)
                } else if i + 1 == pieces.len() {
                    rest.rfind(text)
                } else {
                    rest.find(text)
                };
                let Some(at) = at else { return false };
                rest = &rest[at + text.len()..];
                after_value = false;
            }
        }
    }
    after_value || rest.is_empty()
}

/// The methods of the stub API that the generated `the_router_starts` test builds the
/// router over, one line per operation: `name(Request[, Principal]) -> Response;`. The
/// paths are resolved where it is used, in the `server` module, beside `types`.
#[cfg(test)]
macro_rules! never_called {
    ($($name:ident($request:ident $(, $principal:ty)?) -> $response:ident;)*) => {
        $(
            async fn $name(
                &self,
                _request: super::types::$request,
                $(_principal: $principal,)?
            ) -> super::types::$response {
                unreachable!("no request is sent")
            }
        )*
    };
}

#[cfg(test)]
pub(crate) use never_called;
