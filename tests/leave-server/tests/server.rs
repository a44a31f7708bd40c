//! The generated router over real HTTP on 127.0.0.1, with raw requests written to a TCP
//! stream so that percent-encoding reaches the server exactly as written here.

use std::net::SocketAddr;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

use axum::response::{IntoResponse, Response};
use leave_server::{LeaveServer, trust_x_matrix_origin};
use matrix_federation_leave::server::{
    AuthRequest, MatrixFederationLeaveRoomApi, Rejection, ServerConfig, ServerError, router, router_with_config,
};
use matrix_federation_leave::types::{MakeLeaveRequest, MakeLeaveResponse, SendLeaveRequest, SendLeaveResponse};
use serde_json::{Value, json};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

const BASE: &str = "/_matrix/federation/v1";
const ROOM: &str = "!abc123:matrix.org";
const ROOM_ENCODED: &str = "%21abc123%3Amatrix.org";
const AUTH: &str = r#"X-Matrix origin=example.org,destination=matrix.org,key="ed25519:1",sig="c2lnbmF0dXJl""#;

/// A reply read off the wire.
#[derive(Debug)]
struct Reply {
    status: u16,
    head: String,
    body: Vec<u8>,
}

impl Reply {
    fn json(&self) -> Value {
        serde_json::from_slice(&self.body)
            .unwrap_or_else(|e| panic!("body is not JSON ({e}): {}", String::from_utf8_lossy(&self.body)))
    }

    /// The error code, after checking that this is a Matrix error body.
    fn errcode(&self) -> String {
        let body = self.json();
        assert!(body["error"].is_string(), "no `error` message in {body}");
        assert!(
            self.head
                .to_ascii_lowercase()
                .contains("content-type: application/json"),
            "{}",
            self.head
        );
        body["errcode"].as_str().expect("an errcode").to_string()
    }
}

/// Sends bytes as they are and reads the reply until the server closes the connection.
async fn send_raw(addr: SocketAddr, request: &[u8]) -> Reply {
    let mut stream = tokio::net::TcpStream::connect(addr).await.expect("connect");
    stream.write_all(request).await.expect("write");
    let mut raw = Vec::new();
    stream.read_to_end(&mut raw).await.expect("read");
    let split = raw.windows(4).position(|w| w == b"\r\n\r\n").expect("a header block");
    let head = String::from_utf8(raw[..split].to_vec()).expect("ASCII head");
    let status = head.split(' ').nth(1).and_then(|s| s.parse().ok()).expect("a status");
    Reply {
        status,
        head,
        body: raw[split + 4..].to_vec(),
    }
}

/// One request with `Connection: close`; `auth` adds the `Authorization` header.
async fn send(addr: SocketAddr, method: &str, target: &str, auth: Option<&str>, body: &[u8]) -> Reply {
    let mut request = format!("{method} {target} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n");
    if let Some(auth) = auth {
        request.push_str(&format!("Authorization: {auth}\r\n"));
    }
    if !body.is_empty() || method == "PUT" {
        request.push_str(&format!(
            "Content-Type: application/json\r\nContent-Length: {}\r\n",
            body.len()
        ));
    }
    request.push_str("\r\n");
    let mut bytes = request.into_bytes();
    bytes.extend_from_slice(body);
    send_raw(addr, &bytes).await
}

fn leave_event(user: &str) -> Value {
    json!({
        "type": "m.room.member",
        "sender": user,
        "state_key": user,
        "origin": "example.org",
        "origin_server_ts": 1_549_041_175_876_i64,
        "depth": 12,
        "content": { "membership": "leave" }
    })
}

fn body_of(value: &Value) -> Vec<u8> {
    serde_json::to_vec(value).expect("JSON")
}

/// What the authenticator saw of one request.
#[derive(Debug, Clone)]
struct SeenAuth {
    scheme: String,
    credential: String,
    method: String,
    path_and_query: String,
    body: Vec<u8>,
}

#[derive(Debug, Clone, Copy)]
enum Verdict {
    Trust,
    Forbid,
    Refuse,
}

/// The in-memory server, watched: what authentication saw, how often handlers ran, and a
/// room whose `make_leave` panics.
#[derive(Clone)]
struct Probe {
    rooms: LeaveServer,
    verdict: Verdict,
    seen: Arc<Mutex<Vec<SeenAuth>>>,
    handler_calls: Arc<AtomicUsize>,
}

const PANIC_ROOM: &str = "!panic:matrix.org";

impl Probe {
    fn new(rooms: LeaveServer, verdict: Verdict) -> Self {
        Probe {
            rooms,
            verdict,
            seen: Arc::default(),
            handler_calls: Arc::default(),
        }
    }

    fn calls(&self) -> usize {
        self.handler_calls.load(Ordering::SeqCst)
    }

    fn seen(&self) -> Vec<SeenAuth> {
        self.seen.lock().expect("not poisoned").clone()
    }
}

impl MatrixFederationLeaveRoomApi for Probe {
    type Principal = String;

    async fn authenticate(&self, request: AuthRequest<'_>) -> Result<String, Rejection> {
        self.seen.lock().expect("not poisoned").push(SeenAuth {
            scheme: request.scheme.to_string(),
            credential: request.credential.to_string(),
            method: request.method.to_string(),
            path_and_query: request.path_and_query.to_string(),
            body: request.body.to_vec(),
        });
        match self.verdict {
            Verdict::Trust => trust_x_matrix_origin(&request),
            Verdict::Forbid => Err(Rejection::forbidden("This server may not leave rooms here.")),
            Verdict::Refuse => Err(Rejection::unauthorized("The signature does not verify.")),
        }
    }

    async fn make_leave(&self, request: MakeLeaveRequest, origin: String) -> MakeLeaveResponse {
        self.handler_calls.fetch_add(1, Ordering::SeqCst);
        assert_ne!(request.room_id, PANIC_ROOM, "make_leave fails on purpose for this room");
        self.rooms.make_leave(request, origin).await
    }

    async fn send_leave(&self, request: SendLeaveRequest, origin: String) -> SendLeaveResponse {
        self.handler_calls.fetch_add(1, Ordering::SeqCst);
        self.rooms.send_leave(request, origin).await
    }
}

fn rooms() -> LeaveServer {
    LeaveServer::new("matrix.org").with_room(
        ROOM,
        "5",
        &[
            "@someone:example.org",
            "@u1:example.org",
            "@u2:example.org",
            "@u3:example.org",
            "@u4:example.org",
            "@u5:example.org",
            "@u6:example.org",
            "@u7:example.org",
        ],
    )
}

async fn serve(probe: &Probe) -> SocketAddr {
    leave_server::spawn_loopback(router(probe.clone()))
        .await
        .expect("bind 127.0.0.1")
}

// ---- the operations and their documented statuses ----

#[tokio::test]
async fn make_leave_answers_a_template_to_a_member() {
    let probe = Probe::new(rooms(), Verdict::Trust);
    let addr = serve(&probe).await;
    let reply = send(
        addr,
        "GET",
        &format!("{BASE}/make_leave/{ROOM}/@someone:example.org"),
        Some(AUTH),
        b"",
    )
    .await;
    assert_eq!(reply.status, 200, "{reply:?}");
    let body = reply.json();
    assert_eq!(body["room_version"], "5");
    let event = &body["event"];
    assert_eq!(event["type"], "m.room.member");
    assert_eq!(event["sender"], "@someone:example.org");
    assert_eq!(event["state_key"], "@someone:example.org");
    assert_eq!(event["origin"], "matrix.org");
    assert_eq!(event["content"], json!({ "membership": "leave" }));
    assert!(event["origin_server_ts"].as_i64().is_some_and(|ts| ts > 0));
}

#[tokio::test]
async fn make_leave_for_a_stranger_is_forbidden_with_the_matrix_error() {
    let probe = Probe::new(rooms(), Verdict::Trust);
    let addr = serve(&probe).await;
    for room in [ROOM, "!elsewhere:matrix.org"] {
        let reply = send(
            addr,
            "GET",
            &format!("{BASE}/make_leave/{room}/@stranger:example.org"),
            Some(AUTH),
            b"",
        )
        .await;
        assert_eq!(reply.status, 403, "{reply:?}");
        assert_eq!(
            reply.json(),
            json!({ "errcode": "M_FORBIDDEN", "error": "User is not in the room." })
        );
    }
}

#[tokio::test]
async fn send_leave_records_the_leave_and_answers_200_and_an_empty_object() {
    let probe = Probe::new(rooms(), Verdict::Trust);
    let addr = serve(&probe).await;
    let target = format!("{BASE}/send_leave/{ROOM_ENCODED}/%24leave1%3Aexample.org");
    let reply = send(
        addr,
        "PUT",
        &target,
        Some(AUTH),
        &body_of(&leave_event("@someone:example.org")),
    )
    .await;
    assert_eq!(reply.status, 200, "{reply:?}");
    assert_eq!(reply.body, b"[200,{}]");
    let leaves = probe.rooms.leaves();
    assert_eq!(leaves.len(), 1);
    assert_eq!(leaves[0].room_id, ROOM);
    assert_eq!(leaves[0].event_id, "$leave1:example.org");
    assert_eq!(leaves[0].user_id, "@someone:example.org");
    assert!(
        !probe
            .rooms
            .members(ROOM)
            .expect("room")
            .contains("@someone:example.org")
    );
}

#[tokio::test]
async fn send_leave_refuses_invalid_leaves_without_recording_them() {
    let probe = Probe::new(rooms(), Verdict::Trust);
    let addr = serve(&probe).await;
    let mut wrong_type = leave_event("@u1:example.org");
    wrong_type["type"] = json!("m.room.message");
    let mut disagreeing = leave_event("@u1:example.org");
    disagreeing["state_key"] = json!("@u2:example.org");
    let mut joining = leave_event("@u1:example.org");
    joining["content"]["membership"] = json!("join");
    let stranger = leave_event("@stranger:example.org");
    let cases = [
        (ROOM, wrong_type, "not an m.room.member"),
        (ROOM, disagreeing, "state_key and sender differ"),
        (ROOM, joining, "membership is not leave"),
        (ROOM, stranger, "not in the room"),
        (
            "!nowhere:matrix.org",
            leave_event("@u1:example.org"),
            "room is not known",
        ),
    ];
    for (i, (room, event, reason)) in cases.iter().enumerate() {
        let target = format!("{BASE}/send_leave/{room}/$bad{i}:example.org");
        let reply = send(addr, "PUT", &target, Some(AUTH), &body_of(event)).await;
        // The definition documents only 200 for send_leave: the types allow nothing else.
        assert_eq!(reply.status, 200, "{reply:?}");
        let refusals = probe.rooms.refusals();
        assert!(refusals[i].reason.contains(reason), "{refusals:?}");
    }
    assert!(probe.rooms.leaves().is_empty());
    assert!(probe.rooms.members(ROOM).expect("room").contains("@u1:example.org"));
}

// ---- path parameters arrive decoded and byte-exact ----

#[tokio::test]
async fn ids_arrive_percent_decoded_and_byte_exact() {
    let probe = Probe::new(rooms(), Verdict::Trust);
    let addr = serve(&probe).await;
    let cases = [
        ("%24abc123%3Aexample.org", "$abc123:example.org"),
        ("$abc123:example.org", "$abc123:example.org"),
        // Room version 3: standard base64, `/` must travel as %2F.
        (
            "%24acR1l0raoZnm60CBwAVgqbZqoO%2FmYU81xysh1u7XcJk",
            "$acR1l0raoZnm60CBwAVgqbZqoO/mYU81xysh1u7XcJk",
        ),
        (
            "$acR1l0raoZnm60CBwAVgqbZqoO+mYU81xysh1u7XcJk",
            "$acR1l0raoZnm60CBwAVgqbZqoO+mYU81xysh1u7XcJk",
        ),
        (
            "%24acR1l0raoZnm60CBwAVgqbZqoO%2BmYU81xysh1u7XcJk",
            "$acR1l0raoZnm60CBwAVgqbZqoO+mYU81xysh1u7XcJk",
        ),
        // Room version 4: URL-safe base64.
        (
            "$Rqnc-F-dvnEYJTyHq_iKxU2bZ1CI92-kuZq3a5lr5Zg",
            "$Rqnc-F-dvnEYJTyHq_iKxU2bZ1CI92-kuZq3a5lr5Zg",
        ),
        (
            "%24Rqnc-F-dvnEYJTyHq_iKxU2bZ1CI92-kuZq3a5lr5Zg",
            "$Rqnc-F-dvnEYJTyHq_iKxU2bZ1CI92-kuZq3a5lr5Zg",
        ),
    ];
    for (i, (sent, expected)) in cases.iter().enumerate() {
        let user = format!("@u{}:example.org", i + 1);
        let room = if i % 2 == 0 { ROOM } else { ROOM_ENCODED };
        let target = format!("{BASE}/send_leave/{room}/{sent}");
        let reply = send(addr, "PUT", &target, Some(AUTH), &body_of(&leave_event(&user))).await;
        assert_eq!(reply.status, 200, "{sent}: {reply:?}");
        let leaves = probe.rooms.leaves();
        let leave = leaves.last().expect("a leave");
        assert_eq!(leave.event_id, *expected, "sent as {sent}");
        assert_eq!(leave.room_id, ROOM);
        assert_eq!(leave.user_id, user);
    }
    assert_eq!(probe.rooms.leaves().len(), cases.len());

    for user in ["@someone:example.org", "%40someone%3Aexample.org"] {
        let reply = send(
            addr,
            "GET",
            &format!("{BASE}/make_leave/{ROOM_ENCODED}/{user}"),
            Some(AUTH),
            b"",
        )
        .await;
        assert_eq!(reply.status, 200, "{user}: {reply:?}");
        assert_eq!(reply.json()["event"]["state_key"], "@someone:example.org");
    }
}

#[tokio::test]
async fn malformed_percent_encoding_is_400_and_the_handler_is_not_called() {
    let probe = Probe::new(rooms(), Verdict::Trust);
    let addr = serve(&probe).await;
    for bad in ["%ZZabc", "abc%", "abc%4", "%FF", "%C3%28"] {
        let target = format!("{BASE}/make_leave/{ROOM}/{bad}");
        let reply = send(addr, "GET", &target, Some(AUTH), b"").await;
        assert_eq!(reply.status, 400, "{bad}: {reply:?}");
        assert_eq!(reply.errcode(), "M_INVALID_PARAM");
        assert!(
            reply.json()["error"].as_str().unwrap_or("").contains("userId"),
            "{reply:?}"
        );
    }
    assert_eq!(probe.calls(), 0);
}

// ---- bad requests get a Matrix error and the server keeps serving ----

#[tokio::test]
async fn bodies_that_are_not_json_or_do_not_fit_are_400() {
    let probe = Probe::new(rooms(), Verdict::Trust);
    let addr = serve(&probe).await;
    let target = format!("{BASE}/send_leave/{ROOM}/$e:example.org");
    let mut trailing = body_of(&leave_event("@u1:example.org"));
    trailing.extend_from_slice(b" x");
    for not_json in [&b"this is not json"[..], b"{\"type\": ", b"", &trailing] {
        let reply = send(addr, "PUT", &target, Some(AUTH), not_json).await;
        assert_eq!(reply.status, 400, "{reply:?}");
        assert_eq!(reply.errcode(), "M_NOT_JSON", "{reply:?}");
    }
    let mut no_content = leave_event("@u1:example.org");
    no_content.as_object_mut().expect("object").remove("content");
    let mut depth_as_text = leave_event("@u1:example.org");
    depth_as_text["depth"] = json!("12");
    let cases = [
        (no_content, "`content`"),
        (depth_as_text, "`depth`"),
        (json!([1]), "sequence"),
    ];
    for (body, field) in cases {
        let reply = send(addr, "PUT", &target, Some(AUTH), &body_of(&body)).await;
        assert_eq!(reply.status, 400, "{reply:?}");
        assert_eq!(reply.errcode(), "M_BAD_JSON");
        let message = reply.json()["error"].as_str().unwrap_or("").to_string();
        assert!(message.contains(field), "{message}");
    }
    assert_eq!(probe.calls(), 0);
    // Still serving.
    let reply = send(
        addr,
        "PUT",
        &target,
        Some(AUTH),
        &body_of(&leave_event("@u1:example.org")),
    )
    .await;
    assert_eq!(reply.status, 200);
}

#[test]
fn a_one_element_array_is_not_the_two_element_tuple() {
    use matrix_federation_leave::server_runtime::json_body;
    use matrix_federation_leave::types::SendLeaveOkBody;
    let error = json_body::<SendLeaveOkBody>(b"[1]").expect_err("a tuple of two");
    assert_eq!(error.errcode(), "M_BAD_JSON");
    assert!(json_body::<SendLeaveOkBody>(b"[200, {}]").is_ok());
}

#[tokio::test]
async fn bodies_over_the_limit_are_413() {
    let probe = Probe::new(rooms(), Verdict::Trust);
    let addr = serve(&probe).await;
    let target = format!("{BASE}/send_leave/{ROOM}/$e:example.org");
    // The default limit is 1 MiB.
    let mut big = body_of(&leave_event("@u1:example.org"));
    big.resize(1024 * 1024 + 1, b' ');
    let reply = send(addr, "PUT", &target, Some(AUTH), &big).await;
    assert_eq!(reply.status, 413, "{}", reply.head);
    assert_eq!(reply.errcode(), "M_TOO_LARGE");
    big.truncate(1024 * 1024);
    let reply = send(addr, "PUT", &target, Some(AUTH), &big).await;
    assert_eq!(reply.status, 200, "{reply:?}");

    // A configured limit, also for a chunked body that declares no length.
    let small = leave_server::spawn_loopback(router_with_config(
        probe.clone(),
        ServerConfig::default().with_body_limit(64),
    ))
    .await
    .expect("bind");
    let body = body_of(&leave_event("@u2:example.org"));
    assert!(body.len() > 64);
    let reply = send(small, "PUT", &target, Some(AUTH), &body).await;
    assert_eq!(reply.status, 413);
    let mut chunked = format!(
        "PUT {target} HTTP/1.1\r\nHost: x\r\nConnection: close\r\nAuthorization: {AUTH}\r\nTransfer-Encoding: chunked\r\n\r\n"
    )
    .into_bytes();
    for chunk in body.chunks(40) {
        chunked.extend_from_slice(format!("{:x}\r\n", chunk.len()).as_bytes());
        chunked.extend_from_slice(chunk);
        chunked.extend_from_slice(b"\r\n");
    }
    chunked.extend_from_slice(b"0\r\n\r\n");
    let reply = send_raw(small, &chunked).await;
    assert_eq!(reply.status, 413, "{reply:?}");
    assert_eq!(reply.errcode(), "M_TOO_LARGE");
    assert_eq!(probe.calls(), 1);
}

#[tokio::test]
async fn unknown_paths_are_404_and_wrong_methods_405() {
    let probe = Probe::new(rooms(), Verdict::Trust);
    let addr = serve(&probe).await;
    for path in [
        "/",
        "/nope",
        &format!("{BASE}/make_leave/{ROOM}"),
        &format!("{BASE}/send_join/{ROOM}/$e"),
    ] {
        let reply = send(addr, "GET", path, Some(AUTH), b"").await;
        assert_eq!(reply.status, 404, "{path}: {reply:?}");
        assert_eq!(reply.errcode(), "M_UNRECOGNIZED");
    }
    for (method, path) in [
        ("POST", format!("{BASE}/make_leave/{ROOM}/@someone:example.org")),
        ("GET", format!("{BASE}/send_leave/{ROOM}/$e:example.org")),
        ("DELETE", format!("{BASE}/send_leave/{ROOM}/$e:example.org")),
    ] {
        let reply = send(addr, method, &path, Some(AUTH), b"").await;
        assert_eq!(reply.status, 405, "{method} {path}: {reply:?}");
        assert_eq!(reply.errcode(), "M_UNRECOGNIZED");
    }
    assert_eq!(probe.calls(), 0);
}

#[tokio::test]
async fn a_panicking_handler_is_500_and_the_next_request_is_served() {
    let probe = Probe::new(rooms(), Verdict::Trust);
    let addr = serve(&probe).await;
    let reply = send(
        addr,
        "GET",
        &format!("{BASE}/make_leave/{PANIC_ROOM}/@someone:example.org"),
        Some(AUTH),
        b"",
    )
    .await;
    assert_eq!(reply.status, 500, "{reply:?}");
    assert_eq!(reply.errcode(), "M_UNKNOWN");
    let reply = send(
        addr,
        "GET",
        &format!("{BASE}/make_leave/{ROOM}/@someone:example.org"),
        Some(AUTH),
        b"",
    )
    .await;
    assert_eq!(reply.status, 200, "{reply:?}");
}

// ---- authentication ----

#[tokio::test]
async fn without_credentials_it_is_401_and_nothing_is_called() {
    let probe = Probe::new(rooms(), Verdict::Trust);
    let addr = serve(&probe).await;
    let reply = send(
        addr,
        "GET",
        &format!("{BASE}/make_leave/{ROOM}/@someone:example.org"),
        None,
        b"",
    )
    .await;
    assert_eq!(reply.status, 401, "{reply:?}");
    assert_eq!(reply.errcode(), "M_UNAUTHORIZED");
    let target = format!("{BASE}/send_leave/{ROOM}/$e:example.org");
    let reply = send(
        addr,
        "PUT",
        &target,
        None,
        &body_of(&leave_event("@someone:example.org")),
    )
    .await;
    assert_eq!(reply.status, 401, "{reply:?}");
    assert_eq!(reply.errcode(), "M_UNAUTHORIZED");
    assert!(probe.seen().is_empty());
    assert_eq!(probe.calls(), 0);
    assert!(probe.rooms.leaves().is_empty());
}

#[tokio::test]
async fn a_rejection_decides_the_answer_and_the_handler_is_not_called() {
    for (verdict, status, errcode) in [
        (Verdict::Forbid, 403, "M_FORBIDDEN"),
        (Verdict::Refuse, 401, "M_UNAUTHORIZED"),
    ] {
        let probe = Probe::new(rooms(), verdict);
        let addr = serve(&probe).await;
        let reply = send(
            addr,
            "GET",
            &format!("{BASE}/make_leave/{ROOM}/@someone:example.org"),
            Some(AUTH),
            b"",
        )
        .await;
        assert_eq!(reply.status, status, "{reply:?}");
        assert_eq!(reply.errcode(), errcode);
        assert_eq!(probe.seen().len(), 1);
        assert_eq!(probe.calls(), 0);
    }
    // The in-memory server's own check: not an X-Matrix header.
    let addr = leave_server::spawn_loopback(router(rooms())).await.expect("bind");
    let reply = send(
        addr,
        "GET",
        &format!("{BASE}/make_leave/{ROOM}/@someone:example.org"),
        Some("Bearer abc"),
        b"",
    )
    .await;
    assert_eq!(reply.status, 401);
    assert_eq!(reply.errcode(), "M_UNAUTHORIZED");
}

#[tokio::test]
async fn the_authenticator_sees_the_raw_request_and_its_principal_reaches_the_handler() {
    let probe = Probe::new(rooms(), Verdict::Trust);
    let addr = serve(&probe).await;
    let target =
        format!("{BASE}/send_leave/{ROOM_ENCODED}/%24acR1l0raoZnm60CBwAVgqbZqoO%2FmYU81xysh1u7XcJk?v=1&x=%41+b");
    // Odd spacing and key order: the signature covers these bytes, not a re-encoding.
    let body = br#"{ "type":"m.room.member",  "sender":"@someone:example.org","state_key":"@someone:example.org",
        "origin":"example.org","origin_server_ts":1,"depth":0,"content":{"membership":"leave"} }"#;
    let reply = send(addr, "PUT", &target, Some(AUTH), body).await;
    assert_eq!(reply.status, 200, "{reply:?}");
    let seen = probe.seen();
    assert_eq!(seen.len(), 1);
    assert_eq!(seen[0].scheme, "signedRequest");
    assert_eq!(seen[0].credential, AUTH);
    assert_eq!(seen[0].method, "PUT");
    assert_eq!(seen[0].path_and_query, target);
    assert_eq!(seen[0].body, body);
    let leaves = probe.rooms.leaves();
    assert_eq!(leaves[0].origin, "example.org", "the principal reaches the handler");
    assert_eq!(leaves[0].event_id, "$acR1l0raoZnm60CBwAVgqbZqoO/mYU81xysh1u7XcJk");
}

// ---- composition and the one place errors are written ----

/// Overrides only the error body.
#[derive(Clone)]
struct Terse(LeaveServer);

impl MatrixFederationLeaveRoomApi for Terse {
    type Principal = String;

    async fn authenticate(&self, request: AuthRequest<'_>) -> Result<String, Rejection> {
        self.0.authenticate(request).await
    }

    async fn make_leave(&self, request: MakeLeaveRequest, origin: String) -> MakeLeaveResponse {
        self.0.make_leave(request, origin).await
    }

    async fn send_leave(&self, request: SendLeaveRequest, origin: String) -> SendLeaveResponse {
        self.0.send_leave(request, origin).await
    }

    fn error_response(&self, error: &ServerError) -> Response {
        (error.status(), format!("{}: {error}", error.errcode())).into_response()
    }
}

#[tokio::test]
async fn one_overridden_method_rewords_every_error() {
    let addr = leave_server::spawn_loopback(router(Terse(rooms())))
        .await
        .expect("bind");
    let reply = send(addr, "GET", "/nope", Some(AUTH), b"").await;
    assert_eq!(reply.status, 404);
    assert_eq!(reply.body, b"M_UNRECOGNIZED: No endpoint is defined at this path.");
    let reply = send(
        addr,
        "GET",
        &format!("{BASE}/make_leave/{ROOM}/@someone:example.org"),
        None,
        b"",
    )
    .await;
    assert_eq!(reply.status, 401);
    assert!(String::from_utf8_lossy(&reply.body).starts_with("M_UNAUTHORIZED: "));
    // Documented responses are not errors: the 403 keeps its documented body.
    let reply = send(
        addr,
        "GET",
        &format!("{BASE}/make_leave/{ROOM}/@x:example.org"),
        Some(AUTH),
        b"",
    )
    .await;
    assert_eq!(reply.json()["errcode"], "M_FORBIDDEN");
}

#[tokio::test]
async fn the_router_merges_nests_and_takes_layers() {
    let probe = Probe::new(rooms(), Verdict::Trust);
    let health = axum::Router::new().route("/health", axum::routing::get(|| async { "ok" }));
    let app = axum::Router::new()
        .nest("/prefixed", router(probe.clone()))
        .merge(health)
        .merge(router(probe.clone()))
        .layer(axum::middleware::map_response(|mut response: Response| async move {
            response
                .headers_mut()
                .insert("x-layered", axum::http::HeaderValue::from_static("yes"));
            response
        }));
    let addr = leave_server::spawn_loopback(app).await.expect("bind");

    let reply = send(addr, "GET", "/health", None, b"").await;
    assert_eq!((reply.status, reply.body.as_slice()), (200, &b"ok"[..]));
    assert!(reply.head.contains("x-layered: yes"), "{}", reply.head);

    let target = format!("{BASE}/make_leave/{ROOM_ENCODED}/%40someone%3Aexample.org");
    let reply = send(addr, "GET", &target, Some(AUTH), b"").await;
    assert_eq!(reply.status, 200, "{reply:?}");
    assert!(reply.head.contains("x-layered: yes"));

    // Nested: parameters are still found and the authenticator still sees the raw target.
    let nested = format!("/prefixed{target}?q=%2F");
    let reply = send(addr, "GET", &nested, Some(AUTH), b"").await;
    assert_eq!(reply.status, 200, "{reply:?}");
    assert_eq!(reply.json()["event"]["sender"], "@someone:example.org");
    assert_eq!(probe.seen().last().expect("seen").path_and_query, nested);

    let reply = send(addr, "GET", "/elsewhere", None, b"").await;
    assert_eq!(reply.status, 404);
    assert_eq!(reply.errcode(), "M_UNRECOGNIZED");
}

#[test]
fn percent_decoding_is_strict() {
    use matrix_federation_leave::server_runtime::percent_decode;
    use std::borrow::Cow;
    let ok = |raw: &str, plus: bool| percent_decode(raw.as_bytes(), plus).expect("decodes").into_owned();
    assert!(matches!(
        percent_decode(b"plain:text", false),
        Ok(Cow::Borrowed("plain:text"))
    ));
    assert_eq!(ok("a%2Fb%2fc", false), "a/b/c");
    assert_eq!(ok("a+b%2B", false), "a+b+");
    assert_eq!(ok("a+b%2B", true), "a b+");
    assert_eq!(ok("%E2%82%AC%24", false), "€$");
    for bad in ["%", "%4", "%ZZ", "a%G1", "%FF", "%C3%28", "%%41"] {
        assert!(percent_decode(bad.as_bytes(), false).is_err(), "{bad} decoded");
    }
}

#[tokio::test]
async fn without_its_fallback_it_merges_into_an_app_that_has_one() {
    let probe = Probe::new(rooms(), Verdict::Trust);
    let leave = router_with_config(probe.clone(), ServerConfig::default().without_fallback());
    let app = axum::Router::new()
        .fallback(|| async { (axum::http::StatusCode::IM_A_TEAPOT, "the app's own fallback") })
        .merge(leave);
    let addr = leave_server::spawn_loopback(app).await.expect("bind");
    let reply = send(addr, "GET", "/elsewhere", None, b"").await;
    assert_eq!(
        (reply.status, reply.body.as_slice()),
        (418, &b"the app's own fallback"[..])
    );
    let reply = send(
        addr,
        "GET",
        &format!("{BASE}/make_leave/{ROOM}/@someone:example.org"),
        Some(AUTH),
        b"",
    )
    .await;
    assert_eq!(reply.status, 200, "{reply:?}");
    // Wrong methods on known paths are still the router's to answer.
    let reply = send(
        addr,
        "POST",
        &format!("{BASE}/make_leave/{ROOM}/@someone:example.org"),
        Some(AUTH),
        b"",
    )
    .await;
    assert_eq!(reply.status, 405, "{reply:?}");
    assert_eq!(reply.errcode(), "M_UNRECOGNIZED");
}
