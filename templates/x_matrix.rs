//! Matrix federation's `X-Matrix` request signatures, built in (cargo feature `x-matrix`).
//!
//! - [`ServerKey`]: a server's ed25519 signing key; signs JSON objects (events, key
//!   documents) the way the specification's "Signing JSON" section says.
//! - [`XMatrixSigner`]: the client's [`Authorizer`](super::client::Authorizer): it writes
//!   the `Authorization: X-Matrix …` header for every request (feature `client`).
//! - [`authenticate`]: one call from the server trait's `authenticate`: it parses the
//!   header, checks the destination and verifies the signature with a key from a
//!   [`KeyStore`] (feature `server`).
//! - [`KeyStore`]: where the public keys of other servers come from. [`StaticKeys`]
//!   holds keys you know; [`FetchingKeyStore`] asks the origin's
//!   `/_matrix/key/v2/server` and keeps the answer until its `valid_until_ts` (feature
//!   `client`).
//! - [`canonical_json`]: the specification's canonical JSON, the bytes every signature
//!   covers.
//!
//! The cryptography is ed25519-dalek's; base64 is the `base64` crate's, unpadded as Matrix
//! writes it (padded input is accepted).

use std::collections::{BTreeMap, HashMap};
use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;

use ::base64::Engine;
use ::ed25519_dalek::Signer;
use ::serde_json::{Map, Value};

pub use ::ed25519_dalek::{SigningKey, VerifyingKey};

/// Unpadded standard base64 out; padded or not in.
const BASE64: ::base64::engine::GeneralPurpose = ::base64::engine::general_purpose::STANDARD_NO_PAD_INDIFFERENT;

/// How deeply canonical JSON follows nested values before it gives up (bounded recursion).
const MAX_DEPTH: usize = 128;

/// The largest integer canonical JSON allows in magnitude: 2^53 - 1.
const MAX_SAFE_INTEGER: i64 = (1 << 53) - 1;

/// Unpadded base64, as Matrix writes keys, hashes and signatures.
pub fn encode_base64(bytes: &[u8]) -> String {
    BASE64.encode(bytes)
}

/// Reads unpadded (or padded) standard base64.
pub fn decode_base64(text: &str) -> Result<Vec<u8>, XMatrixError> {
    BASE64
        .decode(text)
        .map_err(|error| XMatrixError::new(format!("not base64: {error}")))
}

/// What went wrong while signing or verifying; the message says what and where.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct XMatrixError {
    message: String,
}

impl XMatrixError {
    pub fn new(message: impl Into<String>) -> Self {
        XMatrixError { message: message.into() }
    }

    pub fn message(&self) -> &str {
        &self.message
    }
}

impl fmt::Display for XMatrixError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for XMatrixError {}

/// The canonical JSON of a value: object keys sorted by code point, no insignificant
/// whitespace, UTF-8 unescaped but for `"`, `\` and control characters, integers only,
/// each within ±(2^53 - 1). A fraction, an exponent or a larger number is refused, as
/// the specification says, rather than written some other way.
pub fn canonical_json(value: &Value) -> Result<String, XMatrixError> {
    let mut out = String::new();
    write_canonical(value, &mut out, 0)?;
    Ok(out)
}

fn write_canonical(value: &Value, out: &mut String, depth: usize) -> Result<(), XMatrixError> {
    if depth > MAX_DEPTH {
        return Err(XMatrixError::new(format!("nested deeper than {MAX_DEPTH} levels")));
    }
    match value {
        Value::Null => out.push_str("null"),
        Value::Bool(true) => out.push_str("true"),
        Value::Bool(false) => out.push_str("false"),
        Value::Number(number) => match number.as_i64() {
            Some(n) if (-MAX_SAFE_INTEGER..=MAX_SAFE_INTEGER).contains(&n) => out.push_str(&n.to_string()),
            _ => {
                return Err(XMatrixError::new(format!(
                    "{number} is not an integer within ±(2^53 - 1), which canonical JSON requires"
                )));
            }
        },
        Value::String(text) => write_string(text, out),
        Value::Array(items) => {
            out.push('[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                write_canonical(item, out, depth + 1)?;
            }
            out.push(']');
        }
        Value::Object(members) => {
            // Sorted here, whatever order the map keeps: `str` orders by bytes, which
            // for UTF-8 is code point order.
            let mut keys: Vec<&String> = members.keys().collect();
            keys.sort();
            out.push('{');
            for (i, key) in keys.into_iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                write_string(key, out);
                out.push(':');
                write_canonical(&members[key], out, depth + 1)?;
            }
            out.push('}');
        }
    }
    Ok(())
}

/// A JSON string: `"` and `\` escaped, control characters as `\b \t \n \f \r` or
/// `\u00xx` (lowercase hex), everything else as it is.
fn write_string(text: &str, out: &mut String) {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    out.push('"');
    for c in text.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\u{8}' => out.push_str("\\b"),
            '\t' => out.push_str("\\t"),
            '\n' => out.push_str("\\n"),
            '\u{c}' => out.push_str("\\f"),
            '\r' => out.push_str("\\r"),
            c if (c as u32) < 0x20 => {
                let n = c as usize;
                out.push_str("\\u00");
                out.push(HEX[n >> 4] as char);
                out.push(HEX[n & 0xf] as char);
            }
            c => out.push(c),
        }
    }
    out.push('"');
}

/// A server's signing key: its name, the key's ID (`ed25519:<version>`) and the key.
#[derive(Clone)]
pub struct ServerKey {
    server_name: String,
    key_id: String,
    key: SigningKey,
}

impl fmt::Debug for ServerKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ServerKey")
            .field("server_name", &self.server_name)
            .field("key_id", &self.key_id)
            .field("public_key", &self.public_key_base64())
            .finish_non_exhaustive()
    }
}

impl ServerKey {
    /// The key of `server_name` with version `version` (the key ID is
    /// `ed25519:<version>`), from its 32-byte seed (the secret key).
    pub fn from_seed(server_name: impl Into<String>, version: &str, seed: &[u8; 32]) -> Self {
        ServerKey {
            server_name: server_name.into(),
            key_id: format!("ed25519:{version}"),
            key: SigningKey::from_bytes(seed),
        }
    }

    pub fn server_name(&self) -> &str {
        &self.server_name
    }

    /// `ed25519:<version>`.
    pub fn key_id(&self) -> &str {
        &self.key_id
    }

    pub fn verifying_key(&self) -> VerifyingKey {
        self.key.verifying_key()
    }

    /// The public key in unpadded base64, as `/_matrix/key/v2/server` publishes it.
    pub fn public_key_base64(&self) -> String {
        encode_base64(self.key.verifying_key().as_bytes())
    }

    /// The unpadded base64 signature of `bytes`.
    pub fn sign_bytes(&self, bytes: &[u8]) -> String {
        encode_base64(&self.key.sign(bytes).to_bytes())
    }

    /// Signs a JSON object in place: the canonical JSON of the object without its
    /// `signatures` and `unsigned` members is signed, and the signature added under
    /// `signatures.<server name>.<key ID>`, beside any already there.
    pub fn sign_json(&self, object: &mut Value) -> Result<(), XMatrixError> {
        let signature = self.sign_bytes(signed_bytes(object)?.as_bytes());
        let members = object.as_object_mut().expect("signed_bytes refused a non-object");
        let signatures = members
            .entry("signatures")
            .or_insert_with(|| Value::Object(Map::new()));
        let Value::Object(signatures) = signatures else {
            return Err(XMatrixError::new("`signatures` is not an object"));
        };
        let ours = signatures
            .entry(self.server_name.clone())
            .or_insert_with(|| Value::Object(Map::new()));
        let Value::Object(ours) = ours else {
            return Err(XMatrixError::new(format!("`signatures.{}` is not an object", self.server_name)));
        };
        ours.insert(self.key_id.clone(), Value::String(signature));
        Ok(())
    }

    /// The `Authorization` header value for a request to `destination`: the signature
    /// over [`request_json`], written as `X-Matrix origin="…",destination="…",key="…",sig="…"`.
    pub fn sign_request(
        &self,
        method: &str,
        uri: &str,
        destination: &str,
        body: Option<&[u8]>,
    ) -> Result<String, XMatrixError> {
        let content = request_content(body)?;
        let json = request_json(method, uri, &self.server_name, destination, content.as_ref());
        let signature = self.sign_bytes(canonical_json(&json)?.as_bytes());
        Ok(format!(
            "X-Matrix origin={},destination={},key={},sig={}",
            quoted(&self.server_name),
            quoted(destination),
            quoted(&self.key_id),
            quoted(&signature)
        ))
    }
}

/// A header parameter value in double quotes, `"` and `\` escaped.
fn quoted(value: &str) -> String {
    let mut out = String::with_capacity(value.len() + 2);
    out.push('"');
    for c in value.chars() {
        if c == '"' || c == '\\' {
            out.push('\\');
        }
        out.push(c);
    }
    out.push('"');
    out
}

/// The canonical JSON a signature over `object` covers: the object without `signatures`
/// and `unsigned`.
pub fn signed_bytes(object: &Value) -> Result<String, XMatrixError> {
    let Value::Object(members) = object else {
        return Err(XMatrixError::new("only a JSON object can be signed"));
    };
    let mut members = members.clone();
    members.remove("signatures");
    members.remove("unsigned");
    canonical_json(&Value::Object(members))
}

/// Verifies the signature `server` made with key `key_id` on a JSON object.
pub fn verify_json(object: &Value, server: &str, key_id: &str, key: &VerifyingKey) -> Result<(), XMatrixError> {
    let signature = object
        .pointer(&format!("/signatures/{}/{}", pointer_token(server), pointer_token(key_id)))
        .and_then(Value::as_str)
        .ok_or_else(|| XMatrixError::new(format!("no signature by {server} with {key_id}")))?;
    verify_bytes(signed_bytes(object)?.as_bytes(), signature, key)
}

fn pointer_token(text: &str) -> String {
    text.replace('~', "~0").replace('/', "~1")
}

fn verify_bytes(bytes: &[u8], signature: &str, key: &VerifyingKey) -> Result<(), XMatrixError> {
    let signature = decode_base64(signature)?;
    let signature = ::ed25519_dalek::Signature::from_slice(&signature)
        .map_err(|_| XMatrixError::new("the signature is not 64 bytes"))?;
    key.verify_strict(bytes, &signature)
        .map_err(|_| XMatrixError::new("the signature does not verify"))
}

/// The JSON object a request signature covers: `method`, `uri` (path and query as
/// sent), `origin`, `destination`, and the body as `content` when there is one.
pub fn request_json(method: &str, uri: &str, origin: &str, destination: &str, content: Option<&Value>) -> Value {
    let mut members = Map::new();
    members.insert("method".into(), Value::String(method.to_string()));
    members.insert("uri".into(), Value::String(uri.to_string()));
    members.insert("origin".into(), Value::String(origin.to_string()));
    members.insert("destination".into(), Value::String(destination.to_string()));
    if let Some(content) = content {
        members.insert("content".into(), content.clone());
    }
    Value::Object(members)
}

/// The body as JSON, or `None` when there is none.
fn request_content(body: Option<&[u8]>) -> Result<Option<Value>, XMatrixError> {
    match body {
        None | Some([]) => Ok(None),
        Some(bytes) => ::serde_json::from_slice(bytes)
            .map(Some)
            .map_err(|error| XMatrixError::new(format!("the body is not JSON: {error}"))),
    }
}

/// The parameters of an `Authorization: X-Matrix …` header.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct XMatrixHeader {
    pub origin: String,
    /// Absent in headers from servers older than the specification's v1.3.
    pub destination: Option<String>,
    /// `ed25519:<version>`.
    pub key: String,
    pub sig: String,
}

impl XMatrixHeader {
    /// Parses `X-Matrix origin=…,destination=…,key="…",sig="…"`: values quoted or not,
    /// parameter names in any case, unknown parameters ignored.
    pub fn parse(value: &str) -> Result<XMatrixHeader, XMatrixError> {
        let value = value.trim();
        let (scheme, rest) = value.split_once(' ').unwrap_or((value, ""));
        if !scheme.eq_ignore_ascii_case("X-Matrix") {
            return Err(XMatrixError::new("the Authorization header is not `X-Matrix`"));
        }
        let mut params: BTreeMap<String, String> = BTreeMap::new();
        for (name, value) in header_params(rest)? {
            params.entry(name.to_ascii_lowercase()).or_insert(value);
        }
        let mut take = |name: &str| params.remove(name);
        let origin = take("origin").ok_or_else(|| XMatrixError::new("the X-Matrix header has no `origin`"))?;
        let destination = take("destination");
        let key = take("key").ok_or_else(|| XMatrixError::new("the X-Matrix header has no `key`"))?;
        let sig = take("sig").ok_or_else(|| XMatrixError::new("the X-Matrix header has no `sig`"))?;
        Ok(XMatrixHeader { origin, destination, key, sig })
    }
}

/// `name=value` pairs separated by commas; a value may be a quoted string with `\`
/// escapes (and then may hold commas).
fn header_params(text: &str) -> Result<Vec<(String, String)>, XMatrixError> {
    let mut params = Vec::new();
    let mut chars = text.chars().peekable();
    loop {
        while chars.next_if(|c| *c == ',' || c.is_whitespace()).is_some() {}
        if chars.peek().is_none() {
            return Ok(params);
        }
        let mut name = String::new();
        while let Some(c) = chars.next_if(|c| *c != '=' && *c != ',') {
            name.push(c);
        }
        if chars.next() != Some('=') {
            return Err(XMatrixError::new(format!("the X-Matrix parameter `{}` has no value", name.trim())));
        }
        let mut value = String::new();
        if chars.next_if_eq(&'"').is_some() {
            loop {
                match chars.next() {
                    Some('"') => break,
                    Some('\\') => value.extend(chars.next()),
                    Some(c) => value.push(c),
                    None => return Err(XMatrixError::new("an X-Matrix value's quotes are not closed")),
                }
            }
        } else {
            while let Some(c) = chars.next_if(|c| *c != ',') {
                value.push(c);
            }
        }
        params.push((name.trim().to_string(), value.trim().to_string()));
    }
}

/// The future a [`KeyStore`] returns: the key, `None` when the server has no such key.
pub type KeyFuture<'a> = Pin<Box<dyn Future<Output = Result<Option<VerifyingKey>, XMatrixError>> + Send + 'a>>;

/// Where the public keys of other servers come from. Implement it over your own cache
/// or notary, or use [`StaticKeys`] or [`FetchingKeyStore`].
pub trait KeyStore: Send + Sync {
    /// The key `key_id` (`ed25519:<version>`) of `server`.
    fn key<'a>(&'a self, server: &'a str, key_id: &'a str) -> KeyFuture<'a>;
}

impl<T: KeyStore + ?Sized> KeyStore for Arc<T> {
    fn key<'a>(&'a self, server: &'a str, key_id: &'a str) -> KeyFuture<'a> {
        (**self).key(server, key_id)
    }
}

impl<T: KeyStore + ?Sized> KeyStore for &T {
    fn key<'a>(&'a self, server: &'a str, key_id: &'a str) -> KeyFuture<'a> {
        (**self).key(server, key_id)
    }
}

/// Keys known in advance: a map from server and key ID to key.
#[derive(Debug, Clone, Default)]
pub struct StaticKeys {
    keys: HashMap<(String, String), VerifyingKey>,
}

impl StaticKeys {
    pub fn new() -> Self {
        StaticKeys::default()
    }

    /// Adds `server`'s key `key_id` (`ed25519:<version>`).
    pub fn with(mut self, server: impl Into<String>, key_id: impl Into<String>, key: VerifyingKey) -> Self {
        self.keys.insert((server.into(), key_id.into()), key);
        self
    }

    /// Adds a key given as unpadded base64, as servers publish them.
    pub fn with_base64(self, server: impl Into<String>, key_id: impl Into<String>, key: &str) -> Result<Self, XMatrixError> {
        Ok(self.with(server, key_id, verifying_key_from_base64(key)?))
    }
}

impl KeyStore for StaticKeys {
    fn key<'a>(&'a self, server: &'a str, key_id: &'a str) -> KeyFuture<'a> {
        let key = self.keys.get(&(server.to_string(), key_id.to_string())).copied();
        Box::pin(std::future::ready(Ok(key)))
    }
}

/// An ed25519 public key from unpadded base64.
pub fn verifying_key_from_base64(key: &str) -> Result<VerifyingKey, XMatrixError> {
    let bytes = decode_base64(key)?;
    let bytes: [u8; 32] = bytes
        .try_into()
        .map_err(|_| XMatrixError::new("an ed25519 public key is 32 bytes"))?;
    VerifyingKey::from_bytes(&bytes).map_err(|_| XMatrixError::new("not an ed25519 public key"))
}

/// Checks a request's `X-Matrix` header and returns the origin server's name: the header
/// parses, names `this_server` as its destination (when it names one), and its signature
/// over the request verifies with the origin's key from `keys`.
///
/// `uri` is the path and query exactly as sent; `body` the body bytes as received.
pub async fn verify_request(
    header: &str,
    method: &str,
    uri: &str,
    body: &[u8],
    this_server: &str,
    keys: &(impl KeyStore + ?Sized),
) -> Result<String, XMatrixError> {
    let header = XMatrixHeader::parse(header)?;
    match &header.destination {
        Some(destination) if destination != this_server => {
            return Err(XMatrixError::new(format!(
                "the request is for {destination}, not for this server ({this_server})"
            )));
        }
        _ => {}
    }
    if !header.key.starts_with("ed25519:") {
        return Err(XMatrixError::new(format!("`{}` is not an ed25519 key", header.key)));
    }
    let content = request_content(Some(body))?;
    let json = request_json(method, uri, &header.origin, this_server, content.as_ref());
    let key = keys
        .key(&header.origin, &header.key)
        .await?
        .ok_or_else(|| XMatrixError::new(format!("{} has no key {}", header.origin, header.key)))?;
    verify_bytes(canonical_json(&json)?.as_bytes(), &header.sig, &key)?;
    Ok(header.origin)
}

/// The server trait's `authenticate` in one line: verifies the request's `X-Matrix`
/// header for `this_server` with keys from `keys`, and gives the origin server's name
/// as the principal, or a 401 `M_UNAUTHORIZED` [`Rejection`](super::server::Rejection)
/// that says why.
///
/// ```ignore
/// async fn authenticate(&self, request: AuthRequest<'_>) -> Result<String, Rejection> {
///     x_matrix::authenticate(&request, &self.server_name, &self.keys).await
/// }
/// ```
#[cfg(feature = "server")]
pub async fn authenticate(
    request: &super::server::AuthRequest<'_>,
    this_server: &str,
    keys: &(impl KeyStore + ?Sized),
) -> Result<String, super::server::Rejection> {
    verify_request(
        request.credential,
        request.method.as_str(),
        request.path_and_query,
        request.body,
        this_server,
        keys,
    )
    .await
    .map_err(|error| super::server::Rejection::unauthorized(error.message))
}

/// Signs every request of the generated client with a server's key: give it to
/// `ClientSettings::authorizer`. The destination is the one the client names (its
/// `destination` setting, else the base URL's host and port).
#[derive(Debug, Clone)]
pub struct XMatrixSigner {
    key: Arc<ServerKey>,
}

impl XMatrixSigner {
    pub fn new(key: ServerKey) -> Self {
        XMatrixSigner { key: Arc::new(key) }
    }

    pub fn key(&self) -> &ServerKey {
        &self.key
    }
}

#[cfg(feature = "client")]
impl super::client::Authorizer for XMatrixSigner {
    fn authorize<'a>(&'a self, request: super::client::AuthRequest<'a>) -> super::client::AuthorizeFuture<'a> {
        let header = self
            .key
            .sign_request(request.method, request.path_and_query, request.destination, request.body)
            .map_err(|error| Box::new(error) as super::client::AuthorizeError);
        Box::pin(std::future::ready(header))
    }
}

#[cfg(feature = "client")]
pub use fetching::FetchingKeyStore;

#[cfg(feature = "client")]
mod fetching {
    use std::collections::HashMap;
    use std::sync::{Arc, Mutex};
    use std::time::{SystemTime, UNIX_EPOCH};

    use ::serde_json::Value;

    use super::{KeyFuture, KeyStore, VerifyingKey, XMatrixError, verify_json, verifying_key_from_base64};

    /// How the base URL of a server is found from its name.
    type Locate = dyn Fn(&str) -> String + Send + Sync;

    /// The keys one server published, and until when they may be used (milliseconds
    /// since the Unix epoch).
    #[derive(Debug, Clone)]
    struct Published {
        keys: HashMap<String, VerifyingKey>,
        valid_until_ts: u64,
    }

    /// A [`KeyStore`] that asks each origin for its own keys
    /// (`GET /_matrix/key/v2/server`), checks the answer is about that server and
    /// signed by the key it publishes, and keeps it until its `valid_until_ts`.
    ///
    /// By default a server name `name` is reached at `https://name`; server discovery
    /// (`.well-known`, SRV) is not done here: give [`FetchingKeyStore::locate`] a
    /// function for it.
    #[derive(Clone)]
    pub struct FetchingKeyStore {
        http: ::reqwest::Client,
        locate: Arc<Locate>,
        cache: Arc<Mutex<HashMap<String, Published>>>,
    }

    impl std::fmt::Debug for FetchingKeyStore {
        fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
            f.debug_struct("FetchingKeyStore").finish_non_exhaustive()
        }
    }

    impl FetchingKeyStore {
        /// Fetches with `http` (build it with the TLS settings your federation needs).
        pub fn new(http: ::reqwest::Client) -> Self {
            FetchingKeyStore {
                http,
                locate: Arc::new(|name: &str| format!("https://{name}")),
                cache: Arc::new(Mutex::new(HashMap::new())),
            }
        }

        /// Sets how a server's base URL is found from its name (`https://name` unless set).
        pub fn locate(mut self, locate: impl Fn(&str) -> String + Send + Sync + 'static) -> Self {
            self.locate = Arc::new(locate);
            self
        }

        fn cached(&self, server: &str, key_id: &str, now: u64) -> Option<Option<VerifyingKey>> {
            let cache = self.cache.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
            let published = cache.get(server)?;
            if published.valid_until_ts <= now {
                return None;
            }
            Some(published.keys.get(key_id).copied())
        }

        async fn fetch(&self, server: &str) -> Result<Published, XMatrixError> {
            let url = format!("{}/_matrix/key/v2/server", (self.locate)(server).trim_end_matches('/'));
            let failed = |error: &dyn std::fmt::Display| XMatrixError::new(format!("fetching {url}: {error}"));
            let response = self.http.get(&url).send().await.map_err(|e| failed(&e))?;
            if !response.status().is_success() {
                return Err(failed(&response.status()));
            }
            let document: Value = ::serde_json::from_slice(&response.bytes().await.map_err(|e| failed(&e))?)
                .map_err(|e| failed(&e))?;
            published_keys(&document, server)
        }
    }

    /// The keys of a `/_matrix/key/v2/server` answer, once it is shown to be about
    /// `server` and signed by every key it lists.
    fn published_keys(document: &Value, server: &str) -> Result<Published, XMatrixError> {
        let named = document.get("server_name").and_then(Value::as_str);
        if named != Some(server) {
            return Err(XMatrixError::new(format!("{server}'s key answer names {named:?}")));
        }
        let valid_until_ts = document
            .get("valid_until_ts")
            .and_then(Value::as_u64)
            .ok_or_else(|| XMatrixError::new(format!("{server}'s key answer has no `valid_until_ts`")))?;
        let mut keys = HashMap::new();
        let listed = document.get("verify_keys").and_then(Value::as_object);
        for (key_id, entry) in listed.into_iter().flatten() {
            let Some(text) = entry.get("key").and_then(Value::as_str) else {
                continue;
            };
            let key = verifying_key_from_base64(text)?;
            verify_json(document, server, key_id, &key)?;
            keys.insert(key_id.clone(), key);
        }
        if keys.is_empty() {
            return Err(XMatrixError::new(format!("{server} published no key")));
        }
        Ok(Published { keys, valid_until_ts })
    }

    fn now_ms() -> u64 {
        SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map_or(0, |d| u64::try_from(d.as_millis()).unwrap_or(u64::MAX))
    }

    impl KeyStore for FetchingKeyStore {
        fn key<'a>(&'a self, server: &'a str, key_id: &'a str) -> KeyFuture<'a> {
            Box::pin(async move {
                let now = now_ms();
                if let Some(found) = self.cached(server, key_id, now) {
                    return Ok(found);
                }
                let published = self.fetch(server).await?;
                let found = published.keys.get(key_id).copied();
                if published.valid_until_ts > now {
                    let mut cache = self.cache.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
                    cache.insert(server.to_string(), published);
                }
                Ok(found)
            })
        }
    }
}
