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

/// How an array or object parameter is written: `collectionFormat`, or `style` and `explode`.
#[doc(hidden)]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
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

/// A parameter value as the styles see it.
enum Shape {
    Scalar(String),
    List(Vec<String>),
    Object(Vec<(String, String)>),
}

/// One item, escaped so that it holds no separator: `.` too where it separates (`label`).
fn escape_item(text: &str, separator: char) -> String {
    let escaped: String = utf8_percent_encode(text, ESCAPED).collect();
    if separator == '.' { escaped.replace('.', "%2E") } else { escaped }
}

/// `k,v,k,v`: an object's members as one list.
fn flatten(members: &[(String, String)]) -> Vec<String> {
    members
        .iter()
        .flat_map(|(key, value)| [key.clone(), value.clone()])
        .collect()
}

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

/// How a client is set up, apart from its base URL: `ClientSettings::default()` and the
/// chained methods below. New settings may come in later versions, so it is not built as a
/// struct literal.
#[derive(Clone, Default)]
#[non_exhaustive]
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
#[non_exhaustive]
pub enum BuildError {
    #[error(
        "`{url}` is not a usable base URL: {reason}; give scheme, host and port only, like `https://matrix.example.org:8448`"
    )]
    InvalidBaseUrl { url: String, reason: String },
    #[error("the default HTTP client cannot be built: {0}")]
    Http(#[source] ::reqwest::Error),
}

/// A call did not produce one of the responses the definition documents. More kinds of
/// failure may come in later versions: match with a `_` arm.
#[derive(Debug, ::thiserror::Error)]
#[non_exhaustive]
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
    /// The status is documented with a text body, and the body is not UTF-8. Everything
    /// received is kept.
    #[error("`{operation}` got status {} with a text body that is not UTF-8: {source}", .received.status)]
    InvalidText {
        operation: &'static str,
        received: Box<Received>,
        #[source]
        source: ::std::str::Utf8Error,
    },
    /// The status is documented with several media types, and the body came as none of
    /// them. Everything received is kept.
    #[error("`{operation}` got status {} with content type `{}`, which the definition does not document for it", .received.status, content_type_of(&.received.headers))]
    UnexpectedMediaType {
        operation: &'static str,
        received: Box<Received>,
    },
    /// A header the definition requires for this status did not come.
    #[error("`{operation}` got status {status} without the `{header}` header, which the definition requires")]
    MissingHeader {
        operation: &'static str,
        status: u16,
        header: &'static str,
    },
    /// A header of this status does not read as its declared type.
    #[error("`{operation}` got status {status} with a `{header}` header that does not match the definition: {reason}")]
    InvalidHeader {
        operation: &'static str,
        status: u16,
        header: &'static str,
        reason: String,
    },
}

/// The `Content-Type` of a reply as text, for messages.
fn content_type_of(headers: &HeaderMap) -> &str {
    headers
        .get(CONTENT_TYPE)
        .map_or("(none)", |value| value.to_str().unwrap_or("(not text)"))
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
            ClientError::UndocumentedStatus { received, .. }
            | ClientError::InvalidBody { received, .. }
            | ClientError::InvalidText { received, .. }
            | ClientError::UnexpectedMediaType { received, .. } => Some(received),
            _ => None,
        }
    }
}

/// Where a security scheme's credential goes.
#[doc(hidden)]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Placement {
    /// In this header (`Authorization`).
    Header(&'static str),
    /// In this query parameter, appended after the authorizer has seen the path and query.
    Query(&'static str),
    /// In this cookie, as the authorizer gives it.
    Cookie(&'static str),
}

/// One security scheme an operation asks for.
#[doc(hidden)]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Credential {
    pub scheme: &'static str,
    pub placement: Placement,
}

/// Whether the operation can go without its credentials.
#[doc(hidden)]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Need {
    Required,
    /// The definition also allows no authentication: credentials are sent when the
    /// client has an authorizer.
    IfAuthorizer,
}

/// One request being put together by a generated method.
#[doc(hidden)]
#[derive(Debug)]
pub struct Call {
    operation: &'static str,
    method: ::reqwest::Method,
    path_and_query: String,
    has_query: bool,
    headers: HeaderMap,
    /// `name=value` pieces of the `Cookie` header, joined by `; ` when sent.
    cookies: Vec<String>,
    body: Option<Vec<u8>>,
    credentials: Vec<Credential>,
    need: Need,
    /// The first error a writer met (see [`Call::error`]).
    error: Option<ClientError>,
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
            cookies: Vec::new(),
            body: None,
            credentials: Vec::new(),
            need: Need::Required,
            error: None,
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
    fn try_path_param<T: ::serde::Serialize + ?Sized>(&mut self, name: &str, value: &T) -> Result<(), ClientError> {
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
    fn try_path_param_within<T: ::serde::Serialize + ?Sized>(
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
    fn try_query_param<T: ::serde::Serialize + ?Sized>(&mut self, name: &str, value: &T) -> Result<(), ClientError> {
        let text = self.param_text(name, value)?;
        self.push_query(name, &text);
        Ok(())
    }

    /// An array query parameter, one `name=value` per item (OpenAPI's `form`, exploded).
    fn try_query_param_each<T: ::serde::Serialize>(&mut self, name: &str, values: &[T]) -> Result<(), ClientError> {
        values.iter().try_for_each(|value| self.try_query_param(name, value))
    }

    /// A header parameter.
    fn try_header_param<T: ::serde::Serialize + ?Sized>(&mut self, name: &str, value: &T) -> Result<(), ClientError> {
        let text = self.param_text(name, value)?;
        self.insert_header(name, text)
    }

    /// An array or object query parameter, written in `style`.
    fn try_query_styled<T: ::serde::Serialize + ?Sized>(
        &mut self,
        name: &str,
        value: &T,
        style: Style,
    ) -> Result<(), ClientError> {
        match (self.shape(name, value)?, style) {
            (Shape::Scalar(text), _) => self.push_query(name, &text),
            (Shape::List(items), Style::Joined(separator)) => {
                let joined = self.join_escaped(name, &items, separator)?;
                self.push_query_raw(&escape_item(name, ','), &joined);
            }
            (Shape::List(items), _) => items.iter().for_each(|item| self.push_query(name, item)),
            (Shape::Object(members), Style::Joined(separator)) => {
                let joined = self.join_escaped(name, &flatten(&members), separator)?;
                self.push_query_raw(&escape_item(name, ','), &joined);
            }
            (Shape::Object(members), Style::DeepObject) => {
                // `name[key]=value`, the brackets as they are.
                for (key, value) in &members {
                    let key = [escape_item(name, ','), escape_item(key, ',')].join("[") + "]";
                    self.push_query_raw(&key, &escape_item(value, ','));
                }
            }
            (Shape::Object(members), _) => members.iter().for_each(|(key, value)| self.push_query(key, value)),
        }
        Ok(())
    }

    /// A query parameter whose value nests, in the bracket convention: a scalar is
    /// `name=v`, an array's items `name[0]=v`, `name[1]=v`, an object's members
    /// `name[k]=v`, and so on as deep as the value goes (`name[0][k]=v`); with `members`,
    /// an object's members are pairs of their own (`k=v`, `k[0]=v`). Brackets are written
    /// as they are, names and values escaped (a `[` inside one as `%5B`); members are
    /// sorted by name, `null` members and empty arrays and objects are left out.
    fn try_query_bracketed<T: ::serde::Serialize + ?Sized>(
        &mut self,
        name: &str,
        value: &T,
        members: bool,
    ) -> Result<(), ClientError> {
        let value = ::serde_json::to_value(value).map_err(|e| self.invalid(format!("parameter `{name}` does not serialize: {e}")))?;
        match value {
            ::serde_json::Value::Object(object) if members => {
                let mut object: Vec<_> = object.into_iter().collect();
                object.sort_by(|a, b| a.0.cmp(&b.0));
                for (key, member) in &object {
                    self.push_bracketed(escape_item(key, ','), member);
                }
            }
            value => self.push_bracketed(escape_item(name, ','), &value),
        }
        Ok(())
    }

    fn push_bracketed(&mut self, key: String, value: &::serde_json::Value) {
        match value {
            ::serde_json::Value::Null => {}
            ::serde_json::Value::String(text) => self.push_query_raw(&key, &escape_item(text, ',')),
            ::serde_json::Value::Number(number) => self.push_query_raw(&key, &number.to_string()),
            ::serde_json::Value::Bool(flag) => self.push_query_raw(&key, &flag.to_string()),
            ::serde_json::Value::Array(items) => {
                for (index, item) in items.iter().enumerate() {
                    self.push_bracketed([key.as_str(), "[", &index.to_string(), "]"].concat(), item);
                }
            }
            ::serde_json::Value::Object(object) => {
                let mut object: Vec<_> = object.iter().collect();
                object.sort_by(|a, b| a.0.cmp(b.0));
                for (member, item) in object {
                    self.push_bracketed([key.as_str(), "[", &escape_item(member, ','), "]"].concat(), item);
                }
            }
        }
    }

    /// A path parameter whose value is an array or object, or whose style (`label`,
    /// `matrix`) gives it a prefix, as one whole segment.
    fn try_path_styled<T: ::serde::Serialize + ?Sized>(
        &mut self,
        name: &str,
        value: &T,
        style: Style,
    ) -> Result<(), ClientError> {
        let text = self.path_styled_text(name, value, style)?;
        if text.is_empty() || text == "." || text == ".." {
            return Err(self.invalid(format!(
                "path parameter `{name}` is `{text}`, which would not reach the server as one path segment"
            )));
        }
        self.path_and_query.push_str(&text);
        Ok(())
    }

    fn path_styled_text<T: ::serde::Serialize + ?Sized>(
        &self,
        name: &str,
        value: &T,
        style: Style,
    ) -> Result<String, ClientError> {
        // `.` separates only in `label`; elsewhere it stays as it is.
        let dot = if matches!(style, Style::Label { .. }) { '.' } else { ',' };
        let escape = |text: &str| -> String { escape_item(text, dot) };
        let pairs = |members: &[(String, String)], separator: &str| -> String {
            let pairs: Vec<String> = members
                .iter()
                .map(|(key, value)| [escape(key), escape(value)].join("="))
                .collect();
            pairs.join(separator)
        };
        let items = match self.shape(name, value)? {
            Shape::Scalar(text) => vec![text],
            Shape::List(items) => items,
            Shape::Object(members) => {
                return Ok(match style {
                    Style::Label { explode: true } => [".", &pairs(&members, ".")].concat(),
                    Style::Matrix { explode: true } => [";", &pairs(&members, ";")].concat(),
                    Style::Exploded => pairs(&members, ","),
                    Style::Label { .. } => [".", &self.join_escaped(name, &flatten(&members), ',')?].concat(),
                    Style::Matrix { .. } => {
                        let joined = self.join_escaped(name, &flatten(&members), ',')?;
                        [";", &escape(name), "=", &joined].concat()
                    }
                    Style::Joined(separator) => self.join_escaped(name, &flatten(&members), separator)?,
                    Style::DeepObject => self.join_escaped(name, &flatten(&members), ',')?,
                });
            }
        };
        Ok(match style {
            Style::Label { explode } => [".", &self.join_escaped(name, &items, if explode { '.' } else { ',' })?].concat(),
            Style::Matrix { explode: true } => {
                let each: Vec<String> = items.iter().map(|item| [";", &escape(name), "=", &escape(item)].concat()).collect();
                each.concat()
            }
            Style::Matrix { explode: false } => [";", &escape(name), "=", &self.join_escaped(name, &items, ',')?].concat(),
            Style::Joined(separator) => self.join_escaped(name, &items, separator)?,
            Style::Exploded | Style::DeepObject => self.join_escaped(name, &items, ',')?,
        })
    }

    /// An array or object header parameter: items joined by the separator (`,` unless
    /// the style says otherwise), an exploded object as `k=v,k=v`. Headers are not
    /// escaped, so an item holding its separator is refused.
    fn try_header_styled<T: ::serde::Serialize + ?Sized>(
        &mut self,
        name: &str,
        value: &T,
        style: Style,
    ) -> Result<(), ClientError> {
        let separator = match style {
            Style::Joined(separator) => separator,
            _ => ',',
        };
        let items = match self.shape(name, value)? {
            Shape::Scalar(text) => vec![text],
            Shape::List(items) => items,
            Shape::Object(members) if style == Style::Exploded => {
                if let Some((key, _)) = members.iter().find(|(key, _)| key.contains('=')) {
                    return Err(self.invalid(format!("header `{name}` has a member `{key}` holding `=`, which ends a key")));
                }
                members.iter().map(|(key, value)| [key.as_str(), value].join("=")).collect()
            }
            Shape::Object(members) => flatten(&members),
        };
        if let Some(item) = items.iter().find(|item| item.contains(separator) || item.trim() != item.as_str()) {
            return Err(self.invalid(format!(
                "header `{name}` has an item `{item}` holding `{separator}` or surrounding spaces, which the server would split or trim"
            )));
        }
        let text = items.join(&separator.to_string());
        self.insert_header(name, text)
    }

    /// A cookie parameter, its value (or each item) percent-encoded: `name=value`; an array
    /// joined by the separator, or one cookie per item when exploded; an object `k,v,k,v`.
    fn try_cookie_param<T: ::serde::Serialize + ?Sized>(
        &mut self,
        name: &str,
        value: &T,
        style: Style,
    ) -> Result<(), ClientError> {
        let values = match (self.shape(name, value)?, style) {
            (Shape::Scalar(text), _) => vec![escape_item(&text, ',')],
            (Shape::List(items), Style::Exploded) => items.iter().map(|item| escape_item(item, ',')).collect(),
            (Shape::List(items), Style::Joined(separator)) => vec![self.join_escaped(name, &items, separator)?],
            (Shape::List(items), _) => vec![self.join_escaped(name, &items, ',')?],
            (Shape::Object(members), _) => vec![self.join_escaped(name, &flatten(&members), ',')?],
        };
        for value in values {
            self.cookies.push([name, "=", &value].concat());
        }
        Ok(())
    }

    /// A parameter's value as text pieces: a scalar, an array's items or an object's
    /// members, sorted by key (members without a value left out). Deeper nesting has no
    /// wire form.
    fn shape<T: ::serde::Serialize + ?Sized>(&self, name: &str, value: &T) -> Result<Shape, ClientError> {
        let value = ::serde_json::to_value(value).map_err(|e| self.invalid(format!("parameter `{name}` does not serialize: {e}")))?;
        let scalar = |value: &::serde_json::Value| match value {
            ::serde_json::Value::String(text) => Ok(text.clone()),
            ::serde_json::Value::Number(number) => Ok(number.to_string()),
            ::serde_json::Value::Bool(flag) => Ok(flag.to_string()),
            other => Err(self.invalid(format!(
                "parameter `{name}` holds {other}, which no parameter style can write"
            ))),
        };
        match &value {
            ::serde_json::Value::Array(items) => items.iter().map(scalar).collect::<Result<_, _>>().map(Shape::List),
            ::serde_json::Value::Object(members) => {
                let mut members = members
                    .iter()
                    .filter(|(_, value)| !value.is_null())
                    .map(|(key, value)| scalar(value).map(|text| (key.clone(), text)))
                    .collect::<Result<Vec<_>, _>>()?;
                // By key: serde_json keeps the declared order only with a feature some
                // builds turn on, and the wire must not depend on it.
                members.sort();
                Ok(Shape::Object(members))
            }
            other => scalar(other).map(Shape::Scalar),
        }
    }

    /// Items escaped and joined: `,` `|` `.` are written as they are (the items' own are
    /// escaped); space and tab as `%20` and `%09`, so items may not hold them.
    fn join_escaped(&self, name: &str, items: &[String], separator: char) -> Result<String, ClientError> {
        let written = match separator {
            ' ' => "%20".to_string(),
            '\t' => "%09".to_string(),
            other => other.to_string(),
        };
        let unescaped = matches!(separator, ' ' | '\t');
        if let Some(item) = items.iter().find(|item| unescaped && item.contains(separator)) {
            return Err(self.invalid(format!(
                "parameter `{name}` has an item `{item}` holding its separator {separator:?}, which the server would split"
            )));
        }
        let escaped: Vec<String> = items.iter().map(|item| escape_item(item, separator)).collect();
        Ok(escaped.join(&written))
    }

    /// A query pair whose key and value are already escaped.
    fn push_query_raw(&mut self, key: &str, value: &str) {
        self.path_and_query.push(if self.has_query { '&' } else { '?' });
        self.has_query = true;
        self.path_and_query.push_str(key);
        self.path_and_query.push('=');
        self.path_and_query.push_str(value);
    }

    /// The JSON body, serialized once: these bytes are both signed and sent, as `media`
    /// (the definition's JSON-family type).
    fn try_json_body<T: ::serde::Serialize + ?Sized>(&mut self, body: &T, media: &'static str) -> Result<(), ClientError> {
        let bytes =
            ::serde_json::to_vec(body).map_err(|e| self.invalid(format!("the body does not serialize: {e}")))?;
        let media = HeaderValue::try_from(media)
            .map_err(|e| self.invalid(format!("`{media}` is not a header value: {e}")))?;
        self.headers.insert(CONTENT_TYPE, media);
        self.body = Some(bytes);
        Ok(())
    }

    /// The security schemes this call must (or may) carry credentials for.
    pub fn credentials(&mut self, credentials: &[Credential], need: Need) {
        self.credentials.extend_from_slice(credentials);
        self.need = need;
    }

    /// One security scheme the call must carry a credential for (all of them, when
    /// several are added), put where `placement` says.
    pub fn credential(&mut self, scheme: &'static str, placement: Placement) {
        self.credentials.push(Credential { scheme, placement });
    }

    /// The definition also allows the call without authentication: credentials are added
    /// only when the client has an authorizer.
    pub fn credentials_optional(&mut self) {
        self.need = Need::IfAuthorizer;
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
        // Messages name the header as the definition writes it, not lowercased.
        let header =
            HeaderName::try_from(name).map_err(|e| self.invalid(format!("`{name}` is not a header name: {e}")))?;
        let value = HeaderValue::try_from(text)
            .map_err(|e| self.invalid(format!("header `{name}` cannot carry its value: {e}")))?;
        self.headers.insert(header, value);
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
#[doc(hidden)]
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
        if let Some(error) = call.error.take() {
            return Err(error);
        }
        self.authorize(&mut call).await?;
        let operation = call.operation;
        let transport = |source| ClientError::Transport { operation, source };
        let url = [self.origin.as_str(), call.path_and_query.as_str()].concat();
        if !call.cookies.is_empty() {
            let cookies = HeaderValue::try_from(call.cookies.join("; "))
                .map_err(|e| call.invalid(format!("the cookies cannot be sent: {e}")))?;
            call.headers.insert(::reqwest::header::COOKIE, cookies);
        }
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
        // Read chunk by chunk into one buffer, which a bytes or text body then becomes
        // without a copy: a download is never held twice.
        let limit = self.max_body_bytes.unwrap_or(usize::MAX);
        let body = read_limited(response, limit)
            .await
            .map_err(|failure| failure.into_error(operation, status, limit))?;
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
        for credential in &call.credentials {
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
                Placement::Cookie(name) => {
                    // A cookie value ends at `;` and is ASCII without spaces or quotes.
                    let octet = |c: char| c.is_ascii_graphic() && !matches!(c, '"' | ',' | ';' | '\\');
                    if !value.chars().all(octet) {
                        return Err(ClientError::Authorizer {
                            operation: call.operation,
                            source: "the credential holds characters a cookie value cannot carry".into(),
                        });
                    }
                    call.cookies.push([name, "=", &value].concat());
                }
            }
        }
        for (name, value) in query_credentials {
            call.push_query(name, &value);
        }
        Ok(())
    }
}

impl Runtime {
    /// Sends `call` when awaited and decodes the reply with `read`, the operation's
    /// reading of its statuses. Generated methods are plain functions that build the call
    /// and end here, so that one async body serves every operation.
    pub fn exchange<'a, T: Send + 'a>(&'a self, call: Call, read: fn(Reply) -> Result<T, ClientError>) -> Pending<'a, T> {
        Pending {
            inner: Box::pin(async move { read(self.send(call).await?) }),
        }
    }
}

/// The future of one call: awaiting it sends the request and decodes the reply. It holds
/// the call already built, and borrows only the client.
#[must_use = "a call is sent only when its future is awaited"]
pub struct Pending<'a, T> {
    inner: Pin<Box<dyn Future<Output = Result<T, ClientError>> + Send + 'a>>,
}

impl<T> Future for Pending<'_, T> {
    type Output = Result<T, ClientError>;

    fn poll(mut self: Pin<&mut Self>, cx: &mut ::std::task::Context<'_>) -> ::std::task::Poll<Self::Output> {
        self.inner.as_mut().poll(cx)
    }
}

impl<T> ::std::fmt::Debug for Pending<'_, T> {
    fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
        f.debug_struct("Pending").finish_non_exhaustive()
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
    // A declared length is a hint, not a promise: reserve at most 64 MiB up front.
    let mut body = Vec::with_capacity(declared.min(64 << 20) as usize);
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
#[doc(hidden)]
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

    /// The body of a shape several responses share (see [`ReadBody`]), its type inferred
    /// from the variant it goes into, so that an arm stays one line.
    pub fn read_body<T: ReadBody>(self) -> Result<T, ClientError> {
        T::read(self)
    }

    /// The reply as the error for a status the definition does not document.
    pub fn undocumented(self) -> ClientError {
        ClientError::UndocumentedStatus {
            operation: self.operation,
            received: Box::new(self.received),
        }
    }
}

// Replies beyond JSON: text and bytes as they came, the media type that arrived, and
// declared response headers.
impl Reply {
    /// The body as text; it must be UTF-8. The bytes become the `String` without a copy.
    pub fn text(self) -> Result<String, ClientError> {
        let Reply { operation, received } = self;
        let Received { status, headers, body } = received;
        String::from_utf8(body).map_err(|e| ClientError::InvalidText {
            operation,
            source: e.utf8_error(),
            received: Box::new(Received {
                status,
                headers,
                body: e.into_bytes(),
            }),
        })
    }

    /// The body as bytes, without a copy.
    pub fn bytes(self) -> ::bytes::Bytes {
        ::bytes::Bytes::from(self.received.body)
    }

    /// The `Content-Type` that came, or `fallback` when none (or none readable) did.
    pub fn content_type_or(&self, fallback: &str) -> String {
        self.received
            .headers
            .get(CONTENT_TYPE)
            .and_then(|value| value.to_str().ok())
            .unwrap_or(fallback)
            .to_string()
    }

    /// Which of several forms the body came as: `forms` lists, per form, the media types
    /// it is declared with. A form declaring the arrived type itself wins over one
    /// declaring a wildcard that takes it (`image/*`, `*/*`); `None` when none fits.
    pub fn media_index(&self, forms: &[&[&str]]) -> Option<usize> {
        let essence = |media: &str| media.split(';').next().unwrap_or("").trim().to_ascii_lowercase();
        let arrived = self.received.headers.get(CONTENT_TYPE)?.to_str().ok().map(essence)?;
        let exact = forms.iter().position(|declared| declared.iter().any(|d| essence(d) == arrived));
        exact.or_else(|| {
            forms.iter().position(|declared| {
                declared.iter().any(|d| match essence(d).split_once('/') {
                    Some(("*", "*")) => true,
                    Some((kind, "*")) => arrived.split_once('/').is_some_and(|(a, _)| a == kind),
                    _ => false,
                })
            })
        })
    }

    /// The reply as the error for a body in a media type the status does not document.
    pub fn unexpected_media_type(self) -> ClientError {
        ClientError::UnexpectedMediaType {
            operation: self.operation,
            received: Box::new(self.received),
        }
    }

    /// A declared header, read as its type: text as it is, numbers and booleans parsed;
    /// `None` when it did not come.
    pub fn header<T: ::serde::de::DeserializeOwned>(&self, name: &'static str) -> Result<Option<T>, ClientError> {
        match self.header_text(name)? {
            Some(text) => self.parse_header(name, text.trim()).map(Some),
            None => Ok(None),
        }
    }

    /// A declared list header, comma-separated (every occurrence counts).
    pub fn header_list<T: ::serde::de::DeserializeOwned>(
        &self,
        name: &'static str,
    ) -> Result<Option<Vec<T>>, ClientError> {
        let mut values = Vec::new();
        for value in self.received.headers.get_all(name) {
            let text = value.to_str().map_err(|_| self.invalid_header(name, "it is not readable text".into()))?;
            for item in text.split(',').map(str::trim).filter(|item| !item.is_empty()) {
                values.push(self.parse_header(name, item)?);
            }
        }
        Ok((!values.is_empty()).then_some(values))
    }

    /// A header the definition requires for this status: its absence is an error naming it.
    pub fn required_header<T>(&self, value: Option<T>, name: &'static str) -> Result<T, ClientError> {
        value.ok_or(ClientError::MissingHeader {
            operation: self.operation,
            status: self.received.status,
            header: name,
        })
    }

    fn header_text(&self, name: &'static str) -> Result<Option<&str>, ClientError> {
        match self.received.headers.get(name) {
            Some(value) => value
                .to_str()
                .map(Some)
                .map_err(|_| self.invalid_header(name, "it is not readable text".into())),
            None => Ok(None),
        }
    }

    /// The text as a JSON string first (strings, string enums), else as JSON (numbers,
    /// booleans).
    fn parse_header<T: ::serde::de::DeserializeOwned>(&self, name: &'static str, text: &str) -> Result<T, ClientError> {
        ::serde_json::from_value(::serde_json::Value::String(text.to_string()))
            .or_else(|_| ::serde_json::from_str(text))
            .map_err(|e| self.invalid_header(name, format!("`{text}`: {e}")))
    }

    fn invalid_header(&self, header: &'static str, reason: String) -> ClientError {
        ClientError::InvalidHeader {
            operation: self.operation,
            status: self.received.status,
            header,
            reason,
        }
    }
}

// ---- The writers generated methods call. Each keeps the first error in the call instead
// ---- of returning it, so that a method is a plain list of writes with no `?`; `send`
// ---- refuses a call that holds one, before anything is sent. The `_opt` writers write
// ---- nothing when the value is `None`.

/// Writes a value as the `try_` writer of the same name does, keeping its error.
macro_rules! recording {
    ($(fn $name:ident = $try_name:ident $(<$t:ident $(: ?$sized:ident)?>)? ($($arg:ident: $ty:ty),*);)*) => {
        impl Call {
            $(pub fn $name $(<$t: ::serde::Serialize $(+ ?$sized)?>)? (&mut self, $($arg: $ty),*) {
                let written = self.$try_name($($arg),*);
                self.keep(written);
            })*
        }
    };
}

recording! {
    fn path_param = try_path_param<T: ?Sized>(name: &str, value: &T);
    fn path_param_within = try_path_param_within<T: ?Sized>(name: &str, value: &T, next: &str);
    fn path_styled = try_path_styled<T: ?Sized>(name: &str, value: &T, style: Style);
    fn query_param = try_query_param<T: ?Sized>(name: &str, value: &T);
    fn query_param_each = try_query_param_each<T>(name: &str, values: &[T]);
    fn query_styled = try_query_styled<T: ?Sized>(name: &str, value: &T, style: Style);
    fn query_bracketed = try_query_bracketed<T: ?Sized>(name: &str, value: &T, members: bool);
    fn header_param = try_header_param<T: ?Sized>(name: &str, value: &T);
    fn header_styled = try_header_styled<T: ?Sized>(name: &str, value: &T, style: Style);
    fn cookie_param = try_cookie_param<T: ?Sized>(name: &str, value: &T, style: Style);
    fn json_body = try_json_body<T: ?Sized>(body: &T, media: &'static str);
    fn form_body = try_form_body<T: ?Sized>(body: &T, media: &'static str);
    fn raw_body = try_raw_body(bytes: Vec<u8>, content_type: &str);
    fn form_pairs_body = try_form_pairs_body(pairs: &[(String, String)], media: &'static str);
}

impl Call {
    /// The first error a writer met; the call is not sent while it holds one.
    pub fn error(&self) -> Option<&ClientError> {
        self.error.as_ref()
    }

    fn keep(&mut self, written: Result<(), ClientError>) {
        if let (Err(error), None) = (written, &self.error) {
            self.error = Some(error);
        }
    }

    pub fn query_param_opt<T: ::serde::Serialize>(&mut self, name: &str, value: &Option<T>) {
        if let Some(value) = value {
            self.query_param(name, value);
        }
    }

    pub fn query_param_each_opt<T: ::serde::Serialize>(&mut self, name: &str, values: &Option<Vec<T>>) {
        if let Some(values) = values {
            self.query_param_each(name, values);
        }
    }

    pub fn query_styled_opt<T: ::serde::Serialize>(&mut self, name: &str, value: &Option<T>, style: Style) {
        if let Some(value) = value {
            self.query_styled(name, value, style);
        }
    }

    pub fn query_bracketed_opt<T: ::serde::Serialize>(&mut self, name: &str, value: &Option<T>, members: bool) {
        if let Some(value) = value {
            self.query_bracketed(name, value, members);
        }
    }

    pub fn header_param_opt<T: ::serde::Serialize>(&mut self, name: &str, value: &Option<T>) {
        if let Some(value) = value {
            self.header_param(name, value);
        }
    }

    pub fn header_styled_opt<T: ::serde::Serialize>(&mut self, name: &str, value: &Option<T>, style: Style) {
        if let Some(value) = value {
            self.header_styled(name, value, style);
        }
    }

    pub fn cookie_param_opt<T: ::serde::Serialize>(&mut self, name: &str, value: &Option<T>, style: Style) {
        if let Some(value) = value {
            self.cookie_param(name, value, style);
        }
    }
}

// ---- Request bodies other than one JSON type: forms, multipart, binary and text. Each
// ---- is written into bytes once, so that the authorizer signs exactly what is sent.

impl Call {
    /// The operation this call is for (`uploadFile`), for the messages of body writers.
    pub fn operation(&self) -> &'static str {
        self.operation
    }

    /// A body sent as it is, with its `Content-Type` (binary and text bodies).
    fn try_raw_body(&mut self, bytes: Vec<u8>, content_type: &str) -> Result<(), ClientError> {
        let media = HeaderValue::try_from(content_type)
            .map_err(|e| self.invalid(format!("`{content_type}` is not a header value: {e}")))?;
        self.headers.insert(CONTENT_TYPE, media);
        self.body = Some(bytes);
        Ok(())
    }

    /// An `application/x-www-form-urlencoded` body from a struct: each member one
    /// `name=value` pair, an array one pair per item, objects as JSON text, absent and
    /// `null` members left out.
    fn try_form_body<T: ::serde::Serialize + ?Sized>(&mut self, body: &T, media: &'static str) -> Result<(), ClientError> {
        let value =
            ::serde_json::to_value(body).map_err(|e| self.invalid(format!("the body does not serialize: {e}")))?;
        let ::serde_json::Value::Object(members) = value else {
            return Err(self.invalid(format!("a form body must be an object, not {value}")));
        };
        let mut form = String::new();
        let mut pair = |name: &str, value: &::serde_json::Value| {
            let Some(text) = part_text(value) else { return };
            if !form.is_empty() {
                form.push('&');
            }
            form.extend(utf8_percent_encode(name, ESCAPED));
            form.push('=');
            form.extend(utf8_percent_encode(&text, ESCAPED));
        };
        for (name, value) in &members {
            match value {
                ::serde_json::Value::Array(items) => items.iter().for_each(|item| pair(name, item)),
                value => pair(name, value),
            }
        }
        self.try_raw_body(form.into_bytes(), media)
    }

    /// An `application/x-www-form-urlencoded` body from name/value pairs, written in
    /// their order (a form whose definition names no fields).
    fn try_form_pairs_body(&mut self, pairs: &[(String, String)], media: &'static str) -> Result<(), ClientError> {
        let mut form = String::new();
        for (name, value) in pairs {
            if !form.is_empty() {
                form.push('&');
            }
            form.extend(utf8_percent_encode(name, ESCAPED));
            form.push('=');
            form.extend(utf8_percent_encode(value, ESCAPED));
        }
        self.try_raw_body(form.into_bytes(), media)
    }

    /// A `multipart/form-data` body, written by [`MultipartWriter`].
    pub fn multipart_body(&mut self, mut form: MultipartWriter) {
        if let Some(error) = form.error.take() {
            self.keep(Err(error));
        }
        let (bytes, content_type) = form.finish();
        // The boundary is ASCII letters and digits: always a header value.
        if let Ok(media) = HeaderValue::try_from(content_type) {
            self.headers.insert(CONTENT_TYPE, media);
        }
        self.body = Some(bytes);
    }
}

/// A value as form or part text: strings bare, numbers and booleans as JSON writes them,
/// anything else as JSON text; `None` for `null`.
fn part_text(value: &::serde_json::Value) -> Option<String> {
    match value {
        ::serde_json::Value::Null => None,
        ::serde_json::Value::String(text) => Some(text.clone()),
        other => Some(other.to_string()),
    }
}

/// Writes the parts of a `multipart/form-data` body into bytes.
#[doc(hidden)]
#[derive(Debug)]
pub struct MultipartWriter {
    operation: &'static str,
    /// Each part's headers and content.
    parts: Vec<(String, Vec<u8>)>,
    /// The first part that did not serialize, handed to the call by `multipart_body`.
    error: Option<ClientError>,
}

impl MultipartWriter {
    pub fn new(operation: &'static str) -> Self {
        MultipartWriter {
            operation,
            parts: Vec::new(),
            error: None,
        }
    }

    /// A file part: its bytes, with a file name and content type when given.
    pub fn file(&mut self, name: &str, bytes: &[u8], filename: Option<&str>, content_type: Option<&str>) {
        let mut head = format!("Content-Disposition: form-data; name=\"{}\"", quoted(name));
        if let Some(filename) = filename {
            head.push_str(&format!("; filename=\"{}\"", quoted(filename)));
        }
        let content_type = content_type.unwrap_or("application/octet-stream");
        head.push_str(&format!("\r\nContent-Type: {}", quoted(content_type)));
        self.parts.push((head, bytes.to_vec()));
    }

    /// A part as it stands: a `Content-Type` only when one is given (a part of a body
    /// whose definition names no parts).
    pub fn part(&mut self, name: &str, bytes: &[u8], filename: Option<&str>, content_type: Option<&str>) {
        let mut head = format!("Content-Disposition: form-data; name=\"{}\"", quoted(name));
        if let Some(filename) = filename {
            head.push_str(&format!("; filename=\"{}\"", quoted(filename)));
        }
        if let Some(content_type) = content_type {
            head.push_str(&format!("\r\nContent-Type: {}", quoted(content_type)));
        }
        self.parts.push((head, bytes.to_vec()));
    }

    /// A part holding a value as text (strings bare, numbers and booleans as JSON writes them).
    pub fn text<T: ::serde::Serialize + ?Sized>(&mut self, name: &str, value: &T) {
        let Some(value) = self.value(name, value) else { return };
        if let Some(text) = part_text(&value) {
            let head = format!("Content-Disposition: form-data; name=\"{}\"", quoted(name));
            self.parts.push((head, text.into_bytes()));
        }
    }

    /// A part holding a value as JSON (`Content-Type: application/json`).
    pub fn json<T: ::serde::Serialize + ?Sized>(&mut self, name: &str, value: &T) {
        let Some(value) = self.value(name, value) else { return };
        let head = format!(
            "Content-Disposition: form-data; name=\"{}\"\r\nContent-Type: application/json",
            quoted(name)
        );
        self.parts.push((head, value.to_string().into_bytes()));
    }

    /// The value as JSON; `None` (the error kept) when it does not serialize.
    fn value<T: ::serde::Serialize + ?Sized>(&mut self, name: &str, value: &T) -> Option<::serde_json::Value> {
        match ::serde_json::to_value(value) {
            Ok(value) => Some(value),
            Err(e) => {
                self.error.get_or_insert(ClientError::InvalidRequest {
                    operation: self.operation,
                    reason: format!("part `{name}` does not serialize: {e}"),
                });
                None
            }
        }
    }

    /// The body and its `Content-Type`. The boundary is one that occurs in no part.
    fn finish(self) -> (Vec<u8>, String) {
        let mut boundary = String::from("stubforge-boundary-0");
        let mut attempt = 0u32;
        while self
            .parts
            .iter()
            .any(|(head, bytes)| contains(head.as_bytes(), boundary.as_bytes()) || contains(bytes, boundary.as_bytes()))
        {
            attempt += 1;
            boundary = format!("stubforge-boundary-{attempt}x{:x}", self.parts.len() as u32 ^ attempt.wrapping_mul(2654435761));
        }
        let mut body = Vec::new();
        for (head, bytes) in &self.parts {
            body.extend_from_slice(format!("--{boundary}\r\n{head}\r\n\r\n").as_bytes());
            body.extend_from_slice(bytes);
            body.extend_from_slice(b"\r\n");
        }
        body.extend_from_slice(format!("--{boundary}--\r\n").as_bytes());
        (body, format!("multipart/form-data; boundary={boundary}"))
    }
}

/// A name for a quoted header parameter: quotes and line breaks escaped the way browsers
/// escape them in form data.
fn quoted(text: &str) -> String {
    text.replace('"', "%22").replace('\r', "%0D").replace('\n', "%0A")
}

fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    haystack.windows(needle.len()).any(|window| window == needle)
}

/// A response body of several media types that responses share: the `Content-Type` that
/// came says which variant it is read as.
#[doc(hidden)]
pub trait ReadBody: Sized {
    fn read(reply: Reply) -> Result<Self, ClientError>;
}
