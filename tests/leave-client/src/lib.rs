//! Hand-written axum servers for testing and benchmarking the generated leave-API client
//! over real HTTP on 127.0.0.1: one that follows the definition and records exactly what
//! reached it, one that misbehaves in the ways real servers do.
//!
//! They are written by hand on purpose: the generated server stub is not what is under
//! test here, and a client tested only against its own twin can share its mistakes.

use std::hash::{DefaultHasher, Hash, Hasher};
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::Router;
use axum::body::Bytes;
use axum::extract::{OriginalUri, Path, State};
use axum::http::{HeaderMap, Method, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{any, get, put};
use matrix_federation_leave::client::{AuthRequest, AuthorizeError};

pub mod x_matrix;

/// The base path every leave operation is under.
pub const BASE_PATH: &str = "/_matrix/federation/v1";

/// A room ID the well-behaved server answers `make_leave` for with 403.
pub const FORBIDDEN_ROOM: &str = "!forbidden:example.org";

/// One request as it reached a server, before any decoding.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Seen {
    pub method: String,
    /// Path and query exactly as received, still percent-encoded.
    pub path_and_query: String,
    pub headers: HeaderMap,
    pub body: Vec<u8>,
}

/// Every request a server received, in order.
#[derive(Debug, Clone, Default)]
pub struct Recorder(Arc<Mutex<Vec<Seen>>>);

impl Recorder {
    pub fn seen(&self) -> Vec<Seen> {
        self.0.lock().map(|seen| seen.clone()).unwrap_or_default()
    }

    fn record(&self, seen: Seen) {
        if let Ok(mut all) = self.0.lock() {
            all.push(seen);
        }
    }
}

/// Serves `router` on 127.0.0.1 at a free port, in the background of the current runtime.
pub async fn serve(router: Router) -> SocketAddr {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind 127.0.0.1:0");
    let addr = listener.local_addr().expect("local address");
    tokio::spawn(async move {
        let _ = axum::serve(listener, router).await;
    });
    addr
}

/// The base URL of a server listening at `addr`.
pub fn base_url(addr: SocketAddr) -> String {
    format!("http://{addr}")
}

/// A stand-in for an `X-Matrix` signature that the server can check: a digest of the
/// method, path and query, destination and body, exactly the inputs a real signature
/// covers. Any byte changed between the authorizer and the wire shows up as a mismatch.
pub fn test_signature(method: &str, path_and_query: &str, destination: &str, body: &[u8]) -> String {
    let mut hasher = DefaultHasher::new();
    (method, path_and_query, destination, body).hash(&mut hasher);
    format!(
        "X-Test method={method},uri=\"{path_and_query}\",destination=\"{destination}\",sig=\"{:016x}\"",
        hasher.finish()
    )
}

/// The authorizer the tests give the client: signs with [`test_signature`].
pub fn test_authorizer(request: AuthRequest<'_>) -> Result<String, AuthorizeError> {
    Ok(test_signature(
        request.method,
        request.path_and_query,
        request.destination,
        request.body.unwrap_or_default(),
    ))
}

/// A server that follows the leave definition. It records every request, answers 401
/// (which the definition does not document) when the `Authorization` header is neither
/// the [`test_signature`] nor a valid [`x_matrix`] header for what it received, 403 for [`FORBIDDEN_ROOM`], and otherwise 200
/// with a template that echoes the decoded path parameters.
pub fn leave_server(recorder: Recorder) -> Router {
    Router::new()
        .route(
            &format!("{BASE_PATH}/make_leave/{{room_id}}/{{user_id}}"),
            get(make_leave),
        )
        .route(
            &format!("{BASE_PATH}/send_leave/{{room_id}}/{{event_id}}"),
            put(send_leave),
        )
        .fallback(any(record_only))
        .with_state(recorder)
}

async fn make_leave(
    State(recorder): State<Recorder>,
    Path((room_id, user_id)): Path<(String, String)>,
    method: Method,
    OriginalUri(uri): OriginalUri,
    headers: HeaderMap,
) -> Response {
    if !admit(&recorder, method, &uri, headers, Bytes::new()) {
        return unauthorized();
    }
    if room_id == FORBIDDEN_ROOM {
        let error = serde_json::json!({"errcode": "M_FORBIDDEN", "error": "not in the room"});
        return json_response(StatusCode::FORBIDDEN, &error);
    }
    let template = serde_json::json!({
        "room_version": "10",
        "event": {
            "sender": user_id,
            "origin": "example.org",
            "origin_server_ts": 1549041175876_i64,
            "type": "m.room.member",
            "state_key": user_id,
            "content": {"membership": "leave"},
            "room_id": room_id,
        }
    });
    json_response(StatusCode::OK, &template)
}

async fn send_leave(
    State(recorder): State<Recorder>,
    Path((_room_id, _event_id)): Path<(String, String)>,
    method: Method,
    OriginalUri(uri): OriginalUri,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    if !admit(&recorder, method, &uri, headers, body) {
        return unauthorized();
    }
    json_response(StatusCode::OK, &serde_json::json!([200, {}]))
}

/// Requests no route matches are recorded and answered 404 (undocumented).
async fn record_only(
    State(recorder): State<Recorder>,
    method: Method,
    OriginalUri(uri): OriginalUri,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    recorder.record(seen(method, &uri, headers, body));
    StatusCode::NOT_FOUND.into_response()
}

/// Records the request and tells whether its signature matches what actually arrived.
fn admit(recorder: &Recorder, method: Method, uri: &axum::http::Uri, headers: HeaderMap, body: Bytes) -> bool {
    let seen = seen(method, uri, headers, body);
    let destination = seen
        .headers
        .get(header::HOST)
        .and_then(|h| h.to_str().ok())
        .unwrap_or_default();
    let authorization = seen
        .headers
        .get(header::AUTHORIZATION)
        .and_then(|h| h.to_str().ok())
        .unwrap_or_default();
    let signed = if authorization.starts_with(x_matrix::SCHEME) {
        x_matrix::verify(
            authorization,
            &seen.method,
            &seen.path_and_query,
            destination,
            &seen.body,
        )
    } else {
        authorization == test_signature(&seen.method, &seen.path_and_query, destination, &seen.body)
    };
    recorder.record(seen);
    signed
}

fn unauthorized() -> Response {
    (StatusCode::UNAUTHORIZED, "bad or missing signature").into_response()
}

fn seen(method: Method, uri: &axum::http::Uri, headers: HeaderMap, body: Bytes) -> Seen {
    Seen {
        method: method.to_string(),
        path_and_query: uri.path_and_query().map(|p| p.as_str().to_string()).unwrap_or_default(),
        headers,
        body: body.to_vec(),
    }
}

fn json_response(status: StatusCode, value: &serde_json::Value) -> Response {
    (status, [(header::CONTENT_TYPE, "application/json")], value.to_string()).into_response()
}

/// How long the misbehaving server's `slow` room takes to answer; tests set the client's
/// timeout well below it.
pub const SLOW_REPLY: Duration = Duration::from_secs(5);

/// A server that misbehaves according to the room ID in the path (`make_leave/{how}/..`
/// or `send_leave/{how}/..`):
///
/// - `html502`: a 502 with an HTML page, as a proxy in front of a dead server sends;
/// - `truncated`: a 200 whose JSON stops half-way;
/// - `wrongtypes`: a 200 whose JSON has a number where the definition says string;
/// - `teapot`: a 418, with a header and a body;
/// - `forbiddenhtml`: a documented 403 whose body is not JSON;
/// - `shorttuple`: a 200 for `send_leave` that is `[200]` instead of `[200, {}]`;
/// - `slow`: a valid 200 after [`SLOW_REPLY`];
/// - `huge`: a 200 of one MiB, with its length declared.
pub fn misbehaving_server() -> Router {
    Router::new().fallback(any(misbehave))
}

async fn misbehave(OriginalUri(uri): OriginalUri) -> Response {
    let how = uri.path().split('/').nth(5).unwrap_or_default().to_string();
    match how.as_str() {
        "html502" => (
            StatusCode::BAD_GATEWAY,
            [(header::CONTENT_TYPE, "text/html")],
            "<html><body><h1>502 Bad Gateway</h1></body></html>",
        )
            .into_response(),
        "truncated" => raw_json(StatusCode::OK, r#"{"room_version": "10", "event": {"sender": "@a:b"#),
        "wrongtypes" => raw_json(StatusCode::OK, r#"{"room_version": 10}"#),
        "teapot" => (
            StatusCode::IM_A_TEAPOT,
            [("x-teapot", "short and stout")],
            "I'm a teapot",
        )
            .into_response(),
        "forbiddenhtml" => (StatusCode::FORBIDDEN, "<html>Forbidden</html>").into_response(),
        "shorttuple" => raw_json(StatusCode::OK, "[200]"),
        "slow" => {
            tokio::time::sleep(SLOW_REPLY).await;
            raw_json(StatusCode::OK, r#"{"room_version": "10"}"#)
        }
        "huge" => (StatusCode::OK, vec![b' '; 1 << 20]).into_response(),
        _ => StatusCode::NOT_FOUND.into_response(),
    }
}

fn raw_json(status: StatusCode, body: &'static str) -> Response {
    (status, [(header::CONTENT_TYPE, "application/json")], body).into_response()
}
