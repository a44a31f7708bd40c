// The fixed part of the client: settings, the authorizer hook, building the request
// line, sending and reading replies, and the errors. Nothing here depends on the
// definition; the generated `client` module drives it, one method per operation.
//
// This file is embedded by stubforge and written into every generated crate that has a
// client. It never names the crate root, so that it can be included at any module path.

use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::time::Duration;

use ::percent_encoding::{AsciiSet, CONTROLS, NON_ALPHANUMERIC, utf8_percent_encode};
use ::reqwest::header::{CONTENT_TYPE, HeaderMap, HeaderName, HeaderValue};

/// Everything outside RFC 3986's unreserved set (`ALPHA / DIGIT / - . _ ~`) is escaped, so
/// a value is always exactly one path segment or one query value: `/`, `?`, `#`, `%`,
/// `+`, `$`, `!`, `@`, `:`, `[`, `]` and space included.
const ESCAPED: &AsciiSet = &NON_ALPHANUMERIC.remove(b'-').remove(b'.').remove(b'_').remove(b'~');

/// What the URL parser would escape (or, for `\`, turn into `/`) in fixed path text from
/// the definition; escaping it first means the path the authorizer sees is the path sent.
const LITERAL_ESCAPED: &AsciiSet = &CONTROLS
    .add(b' ')
    .add(b'"')
    .add(b'#')
    .add(b'<')
    .add(b'>')
    .add(b'?')
    .add(b'`')
    .add(b'{')
    .add(b'}')
    .add(b'\\');

/// How a client is set up, apart from its base URL. Build it with the chained methods or
/// as a struct literal with `..Default::default()`.
#[derive(Clone, Default)]
pub struct ClientSettings {
    /// The HTTP client to send with: timeouts, proxies, TLS roots and connection pools are
    /// its business. `None`: a default `reqwest::Client`.
    pub http: Option<::reqwest::Client>,
    /// Supplies credentials for operations that require a security scheme.
    pub authorizer: Option<Arc<dyn Authorizer>>,
    /// The server name handed to the authorizer as the destination; `None`: the base URL's
    /// host, with its port unless that is the scheme's default (`https://a.org:443` gives
    /// `a.org`, `https://a.org:8448` gives `a.org:8448`). Matrix servers found through
    /// delegation are reached at one host but signed for under their server name.
    pub destination: Option<String>,
    /// A limit for each whole call, from connecting to the last byte of the reply,
    /// overriding the HTTP client's own. `None`: the HTTP client's.
    pub timeout: Option<Duration>,
    /// The largest reply body read; a longer one is a [`ClientError::BodyTooLarge`] and
    /// is not kept. `None`: no limit.
    pub max_body_bytes: Option<usize>,
}

impl ClientSettings {
    /// Sends with `http` instead of a default client.
    pub fn http_client(mut self, http: ::reqwest::Client) -> Self {
        self.http = Some(http);
        self
    }

    /// Asks `authorizer` for the credentials of operations that need them.
    pub fn authorizer(mut self, authorizer: impl Authorizer + 'static) -> Self {
        self.authorizer = Some(Arc::new(authorizer));
        self
    }

    /// Names the destination server for the authorizer (see [`ClientSettings::destination`]).
    pub fn destination(mut self, destination: impl Into<String>) -> Self {
        self.destination = Some(destination.into());
        self
    }

    /// Limits each call to `timeout`.
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.timeout = Some(timeout);
        self
    }

    /// Refuses reply bodies longer than `limit` bytes.
    pub fn max_body_bytes(mut self, limit: usize) -> Self {
        self.max_body_bytes = Some(limit);
        self
    }
}

impl ::std::fmt::Debug for ClientSettings {
    fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
        f.debug_struct("ClientSettings")
            .field("http", &self.http)
            .field("authorizer", &self.authorizer.as_ref().map(|_| "dyn Authorizer"))
            .field("destination", &self.destination)
            .field("timeout", &self.timeout)
            .field("max_body_bytes", &self.max_body_bytes)
            .finish()
    }
}

/// What a credential is computed over: the request exactly as it will be sent.
///
/// For Matrix `X-Matrix` request signing, build the JSON object
/// `{"method": method, "uri": path_and_query, "origin": <your server name>,
/// "destination": destination, "content": <body parsed as JSON, when there is a body>}`,
/// write it as canonical JSON (keys sorted, no insignificant whitespace), sign those
/// bytes with your server's ed25519 key, and return
/// `X-Matrix origin="<origin>",destination="<destination>",key="ed25519:<key id>",sig="<unpadded base64 signature>"`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AuthRequest<'a> {
    /// The operation's `operationId` (`makeLeave`).
    pub operation: &'a str,
    /// The security scheme asked for (`signedRequest`).
    pub scheme: &'a str,
    /// The HTTP method (`GET`).
    pub method: &'a str,
    /// The path and query as sent, percent-encoded, base path included:
    /// `/_matrix/federation/v1/make_leave/%21abc123%3Amatrix.org/%40someone%3Aexample.org`.
    pub path_and_query: &'a str,
    /// The server the request is for: [`ClientSettings::destination`], else the base URL's
    /// host and port, the port left out when it is the scheme's default
    /// (`matrix.example.org:8448`).
    pub destination: &'a str,
    /// The exact body bytes that will be sent; `None` when the request has no body.
    pub body: Option<&'a [u8]>,
}

/// Why an authorizer could not produce a credential; any error type converts into it.
pub type AuthorizeError = Box<dyn ::std::error::Error + Send + Sync + 'static>;

/// The future an [`Authorizer`] returns.
pub type AuthorizeFuture<'a> = Pin<Box<dyn Future<Output = Result<String, AuthorizeError>> + Send + 'a>>;

/// Supplies the credential for an operation that requires a security scheme: for an
/// `apiKey`-in-header or `http` scheme, the value of its header (for Matrix federation,
/// the whole `Authorization: X-Matrix ...` value). An error aborts the call before
/// anything is sent.
///
/// Implement it for a type that holds your keys, or pass a closure
/// `Fn(AuthRequest<'_>) -> Result<String, AuthorizeError>` when signing needs no await.
pub trait Authorizer: Send + Sync {
    fn authorize<'a>(&'a self, request: AuthRequest<'a>) -> AuthorizeFuture<'a>;
}

impl<F> Authorizer for F
where
    F: Fn(AuthRequest<'_>) -> Result<String, AuthorizeError> + Send + Sync,
{
    fn authorize<'a>(&'a self, request: AuthRequest<'a>) -> AuthorizeFuture<'a> {
        Box::pin(::std::future::ready(self(request)))
    }
}

/// A client could not be set up.
#[derive(Debug, ::thiserror::Error)]
pub enum BuildError {
    #[error(
        "`{url}` is not a usable base URL: {reason}; give scheme, host and port only, like `https://matrix.example.org:8448`"
    )]
    InvalidBaseUrl { url: String, reason: String },
    #[error("the default HTTP client cannot be built: {0}")]
    Http(#[source] ::reqwest::Error),
}

/// A call did not produce one of the responses the definition documents.
#[derive(Debug, ::thiserror::Error)]
pub enum ClientError {
    /// The operation requires a security scheme and the client has no authorizer. Nothing
    /// was sent.
    #[error(
        "`{operation}` requires the `{scheme}` security scheme but the client has no authorizer; set one with `ClientSettings::authorizer`"
    )]
    MissingAuthorizer {
        operation: &'static str,
        scheme: &'static str,
    },
    /// The authorizer returned an error (or an unusable header value). Nothing was sent.
    #[error("the authorizer failed for `{operation}`: {source}")]
    Authorizer {
        operation: &'static str,
        #[source]
        source: AuthorizeError,
    },
    /// The request cannot be written: a parameter that no URL or header can carry as
    /// given, or a body that does not serialize. Nothing was sent.
    #[error("cannot send `{operation}`: {reason}")]
    InvalidRequest { operation: &'static str, reason: String },
    /// Connecting, sending or receiving failed, or the call timed out.
    #[error("`{operation}` failed in transport: {source}")]
    Transport {
        operation: &'static str,
        #[source]
        source: ::reqwest::Error,
    },
    /// The server answered with a status the definition does not document for this
    /// operation. Everything received is kept.
    #[error("`{operation}` got status {}, which the definition does not document ({} body bytes)", .received.status, .received.body.len())]
    UndocumentedStatus {
        operation: &'static str,
        received: Box<Received>,
    },
    /// The reply body is longer than [`ClientSettings::max_body_bytes`]; it was not read
    /// further.
    #[error("`{operation}` got status {status} with a body over the limit of {limit} bytes")]
    BodyTooLarge {
        operation: &'static str,
        status: u16,
        limit: usize,
    },
    /// The status is documented but the body does not decode as its type. Everything
    /// received is kept.
    #[error("`{operation}` got status {} with a body that does not match the definition: {source}", .received.status)]
    InvalidBody {
        operation: &'static str,
        received: Box<Received>,
        #[source]
        source: ::serde_json::Error,
    },
}

/// A whole reply as the server sent it. Boxed in [`ClientError`] to keep errors small.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Received {
    pub status: u16,
    pub headers: HeaderMap,
    pub body: Vec<u8>,
}

impl ClientError {
    /// The call ran out of time (the client's or [`ClientSettings::timeout`]).
    pub fn is_timeout(&self) -> bool {
        matches!(self, ClientError::Transport { source, .. } if source.is_timeout())
    }

    /// The server could not be reached.
    pub fn is_connect(&self) -> bool {
        matches!(self, ClientError::Transport { source, .. } if source.is_connect())
    }

    /// What the server sent, when it answered.
    pub fn received(&self) -> Option<&Received> {
        match self {
            ClientError::UndocumentedStatus { received, .. } | ClientError::InvalidBody { received, .. } => {
                Some(received)
            }
            _ => None,
        }
    }
}

/// Where a security scheme's credential goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Placement {
    /// In this header (`Authorization`).
    Header(&'static str),
    /// In this query parameter, appended after the authorizer has seen the path and query.
    Query(&'static str),
}

/// One security scheme an operation asks for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Credential {
    pub scheme: &'static str,
    pub placement: Placement,
}

/// Whether the operation can go without its credentials.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Need {
    Required,
    /// The definition also allows no authentication: credentials are sent when the
    /// client has an authorizer.
    IfAuthorizer,
}

/// One request being put together by a generated method.
#[derive(Debug)]
pub struct Call {
    operation: &'static str,
    method: ::reqwest::Method,
    path_and_query: String,
    has_query: bool,
    headers: HeaderMap,
    body: Option<Vec<u8>>,
    credentials: &'static [Credential],
    need: Need,
}

impl Call {
    /// A call of `operation` to `base_path` (`/_matrix/federation/v1`).
    pub fn new(operation: &'static str, method: ::reqwest::Method, base_path: &str) -> Self {
        Call {
            operation,
            method,
            path_and_query: utf8_percent_encode(base_path, LITERAL_ESCAPED).collect(),
            has_query: false,
            headers: HeaderMap::new(),
            body: None,
            credentials: &[],
            need: Need::Required,
        }
    }

    /// A fixed piece of the path template: `/` stays a separator, and only what a URL
    /// cannot carry as it stands is escaped.
    pub fn path(&mut self, literal: &str) {
        self.path_and_query
            .extend(utf8_percent_encode(literal, LITERAL_ESCAPED));
    }

    /// A path parameter, escaped as one whole segment. An empty value, `.` and `..` are
    /// refused: the first leaves the segment empty, URL normalisation would turn the
    /// others into a different path.
    pub fn path_param<T: ::serde::Serialize + ?Sized>(&mut self, name: &str, value: &T) -> Result<(), ClientError> {
        let text = self.param_text(name, value)?;
        if text.is_empty() || text == "." || text == ".." {
            return Err(self.invalid(format!(
                "path parameter `{name}` is `{text}`, which would not reach the server as one path segment"
            )));
        }
        self.path_and_query.extend(utf8_percent_encode(&text, ESCAPED));
        Ok(())
    }

    /// A path parameter that shares its segment with fixed text (`{sid}.json`,
    /// `{from}-{to}`). `next` is the fixed text the server reads up to when more values
    /// follow in the segment (`-` for `from`), else `""`. A value the server would read
    /// differently is refused: an empty one, or one whose escaped form holds `next`
    /// (`1-2` as `from`), since the server ends the value at the first `next`.
    pub fn path_param_within<T: ::serde::Serialize + ?Sized>(
        &mut self,
        name: &str,
        value: &T,
        next: &str,
    ) -> Result<(), ClientError> {
        let text = self.param_text(name, value)?;
        let escaped: String = utf8_percent_encode(&text, ESCAPED).collect();
        if escaped.is_empty() {
            return Err(self.invalid(format!(
                "path parameter `{name}` is empty, which would leave its place in the path empty"
            )));
        }
        // The server ends the value at the first `next` after its first character.
        let ends_at = [escaped.as_str(), next].concat()[1..].find(next).map(|at| at + 1);
        if !next.is_empty() && ends_at != Some(escaped.len()) {
            return Err(self.invalid(format!(
                "path parameter `{name}` is `{text}`, which holds `{next}`, the text that ends it in the path"
            )));
        }
        self.path_and_query.push_str(&escaped);
        Ok(())
    }

    /// A query parameter, `name=value` with both escaped.
    pub fn query_param<T: ::serde::Serialize + ?Sized>(&mut self, name: &str, value: &T) -> Result<(), ClientError> {
        let text = self.param_text(name, value)?;
        self.push_query(name, &text);
        Ok(())
    }

    /// An array query parameter, one `name=value` per item (OpenAPI's `form`, exploded).
    pub fn query_param_each<T: ::serde::Serialize>(&mut self, name: &str, values: &[T]) -> Result<(), ClientError> {
        values.iter().try_for_each(|value| self.query_param(name, value))
    }

    /// A header parameter.
    pub fn header_param<T: ::serde::Serialize + ?Sized>(&mut self, name: &str, value: &T) -> Result<(), ClientError> {
        let text = self.param_text(name, value)?;
        self.insert_header(name, text)
    }

    /// The JSON body, serialized once: these bytes are both signed and sent, as `media`
    /// (the definition's JSON-family type).
    pub fn json_body<T: ::serde::Serialize + ?Sized>(&mut self, body: &T, media: &'static str) -> Result<(), ClientError> {
        let bytes =
            ::serde_json::to_vec(body).map_err(|e| self.invalid(format!("the body does not serialize: {e}")))?;
        let media = HeaderValue::try_from(media)
            .map_err(|e| self.invalid(format!("`{media}` is not a header value: {e}")))?;
        self.headers.insert(CONTENT_TYPE, media);
        self.body = Some(bytes);
        Ok(())
    }

    /// The security schemes this call must (or may) carry credentials for.
    pub fn credentials(&mut self, credentials: &'static [Credential], need: Need) {
        self.credentials = credentials;
        self.need = need;
    }

    /// Parameters are written as their JSON scalar: strings bare, numbers and booleans as
    /// JSON writes them, string enums as their wire value.
    fn param_text<T: ::serde::Serialize + ?Sized>(&self, name: &str, value: &T) -> Result<String, ClientError> {
        match ::serde_json::to_value(value) {
            Ok(::serde_json::Value::String(text)) => Ok(text),
            Ok(::serde_json::Value::Number(number)) => Ok(number.to_string()),
            Ok(::serde_json::Value::Bool(flag)) => Ok(flag.to_string()),
            Ok(other) => Err(self.invalid(format!(
                "parameter `{name}` is not a string, number or boolean: {other}"
            ))),
            Err(e) => Err(self.invalid(format!("parameter `{name}` does not serialize: {e}"))),
        }
    }

    fn push_query(&mut self, name: &str, text: &str) {
        self.path_and_query.push(if self.has_query { '&' } else { '?' });
        self.has_query = true;
        self.path_and_query.extend(utf8_percent_encode(name, ESCAPED));
        self.path_and_query.push('=');
        self.path_and_query.extend(utf8_percent_encode(text, ESCAPED));
    }

    fn insert_header(&mut self, name: &str, text: String) -> Result<(), ClientError> {
        let name =
            HeaderName::try_from(name).map_err(|e| self.invalid(format!("`{name}` is not a header name: {e}")))?;
        let value = HeaderValue::try_from(text)
            .map_err(|e| self.invalid(format!("header `{name}` cannot carry its value: {e}")))?;
        self.headers.insert(name, value);
        Ok(())
    }

    fn invalid(&self, reason: String) -> ClientError {
        ClientError::InvalidRequest {
            operation: self.operation,
            reason,
        }
    }
}

/// A client's connection to one server: what every generated method sends through.
#[derive(Clone)]
pub struct Runtime {
    http: ::reqwest::Client,
    /// `https://host:port`, without a trailing slash; paths start with `/`.
    origin: String,
    destination: String,
    authorizer: Option<Arc<dyn Authorizer>>,
    timeout: Option<Duration>,
    max_body_bytes: Option<usize>,
}

impl ::std::fmt::Debug for Runtime {
    fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
        f.debug_struct("Runtime")
            .field("origin", &self.origin)
            .field("destination", &self.destination)
            .field("authorizer", &self.authorizer.as_ref().map(|_| "dyn Authorizer"))
            .field("timeout", &self.timeout)
            .field("max_body_bytes", &self.max_body_bytes)
            .finish_non_exhaustive()
    }
}

impl Runtime {
    /// Checks `base_url` (scheme, host and port only) and takes up `settings`.
    pub fn new(base_url: &str, settings: ClientSettings) -> Result<Self, BuildError> {
        let url = ::reqwest::Url::parse(base_url).map_err(|e| invalid_base_url(base_url, e.to_string()))?;
        let reason = if !matches!(url.scheme(), "http" | "https") {
            Some("the scheme is not http or https")
        } else if url.host_str().is_none() {
            Some("there is no host")
        } else if !url.username().is_empty() || url.password().is_some() {
            Some("it carries user credentials; use an authorizer instead")
        } else if url.path() != "/" || url.query().is_some() || url.fragment().is_some() {
            Some("it has a path, query or fragment; the client adds the definition's base path itself")
        } else {
            None
        };
        if let Some(reason) = reason {
            return Err(invalid_base_url(base_url, reason.to_string()));
        }
        let origin = url.as_str().trim_end_matches('/').to_string();
        let destination = settings.destination.unwrap_or_else(|| url.authority().to_string());
        let http = match settings.http {
            Some(http) => http,
            None => {
                // The crate root knows which TLS the crate was built with.
                super::install_tls_provider();
                ::reqwest::Client::builder().build().map_err(BuildError::Http)?
            }
        };
        Ok(Runtime {
            http,
            origin,
            destination,
            authorizer: settings.authorizer,
            timeout: settings.timeout,
            max_body_bytes: settings.max_body_bytes,
        })
    }

    /// Authorizes and sends `call`, and reads the whole reply.
    pub async fn send(&self, mut call: Call) -> Result<Reply, ClientError> {
        self.authorize(&mut call).await?;
        let operation = call.operation;
        let transport = |source| ClientError::Transport { operation, source };
        let url = [self.origin.as_str(), call.path_and_query.as_str()].concat();
        let mut request = self.http.request(call.method, url).headers(call.headers);
        if let Some(body) = call.body {
            request = request.body(body);
        }
        if let Some(timeout) = self.timeout {
            request = request.timeout(timeout);
        }
        let mut response = request.send().await.map_err(transport)?;
        let status = response.status().as_u16();
        let headers = ::std::mem::take(response.headers_mut());
        let body = match self.max_body_bytes {
            None => response.bytes().await.map_err(transport)?.into(),
            Some(limit) => read_limited(response, limit)
                .await
                .map_err(|failure| failure.into_error(operation, status, limit))?,
        };
        Ok(Reply {
            operation,
            received: Received { status, headers, body },
        })
    }

    /// Asks the authorizer for each credential the call needs, over the call as it
    /// stands; header credentials do not change what is signed.
    async fn authorize(&self, call: &mut Call) -> Result<(), ClientError> {
        let Some(first) = call.credentials.first() else {
            return Ok(());
        };
        let authorizer = match (&self.authorizer, call.need) {
            (Some(authorizer), _) => authorizer,
            (None, Need::IfAuthorizer) => return Ok(()),
            (None, Need::Required) => {
                return Err(ClientError::MissingAuthorizer {
                    operation: call.operation,
                    scheme: first.scheme,
                });
            }
        };
        let mut query_credentials = Vec::new();
        for credential in call.credentials {
            let request = AuthRequest {
                operation: call.operation,
                scheme: credential.scheme,
                method: call.method.as_str(),
                path_and_query: &call.path_and_query,
                destination: &self.destination,
                body: call.body.as_deref(),
            };
            let value = authorizer
                .authorize(request)
                .await
                .map_err(|source| ClientError::Authorizer {
                    operation: call.operation,
                    source,
                })?;
            match credential.placement {
                Placement::Header(name) => {
                    // http accepts bytes above ASCII in a header, but servers cannot read
                    // them as text; refuse here rather than be answered 401.
                    if !value.is_ascii() {
                        return Err(ClientError::Authorizer {
                            operation: call.operation,
                            source: "the credential is not ASCII text, which a header value must be".into(),
                        });
                    }
                    let name = HeaderName::try_from(name).map_err(|e| authorizer_error(call.operation, e))?;
                    let value = HeaderValue::try_from(value).map_err(|e| authorizer_error(call.operation, e))?;
                    call.headers.insert(name, value);
                }
                Placement::Query(name) => query_credentials.push((name, value)),
            }
        }
        for (name, value) in query_credentials {
            call.push_query(name, &value);
        }
        Ok(())
    }
}

/// Why a body was not read whole.
enum ReadFailure {
    TooLarge,
    Transport(::reqwest::Error),
}

impl ReadFailure {
    fn into_error(self, operation: &'static str, status: u16, limit: usize) -> ClientError {
        match self {
            ReadFailure::TooLarge => ClientError::BodyTooLarge {
                operation,
                status,
                limit,
            },
            ReadFailure::Transport(source) => ClientError::Transport { operation, source },
        }
    }
}

/// Reads the body chunk by chunk, stopping as soon as it passes `limit`: a declared length
/// over the limit is refused before anything is read.
async fn read_limited(mut response: ::reqwest::Response, limit: usize) -> Result<Vec<u8>, ReadFailure> {
    let declared = response.content_length().unwrap_or(0);
    if declared > limit as u64 {
        return Err(ReadFailure::TooLarge);
    }
    let mut body = Vec::with_capacity(declared as usize);
    while let Some(chunk) = response.chunk().await.map_err(ReadFailure::Transport)? {
        if body.len() + chunk.len() > limit {
            return Err(ReadFailure::TooLarge);
        }
        body.extend_from_slice(&chunk);
    }
    Ok(body)
}

fn invalid_base_url(url: &str, reason: String) -> BuildError {
    BuildError::InvalidBaseUrl {
        url: url.to_string(),
        reason,
    }
}

fn authorizer_error(operation: &'static str, error: impl ::std::error::Error + Send + Sync + 'static) -> ClientError {
    ClientError::Authorizer {
        operation,
        source: Box::new(error),
    }
}

/// A whole reply, read but not yet decoded.
#[derive(Debug)]
pub struct Reply {
    operation: &'static str,
    received: Received,
}

impl Reply {
    pub fn status(&self) -> u16 {
        self.received.status
    }

    /// The body as the documented type of this status.
    pub fn json<T: ::serde::de::DeserializeOwned>(self) -> Result<T, ClientError> {
        ::serde_json::from_slice(&self.received.body).map_err(|source| ClientError::InvalidBody {
            operation: self.operation,
            received: Box::new(self.received),
            source,
        })
    }

    /// The reply as the error for a status the definition does not document.
    pub fn undocumented(self) -> ClientError {
        ClientError::UndocumentedStatus {
            operation: self.operation,
            received: Box::new(self.received),
        }
    }
}
