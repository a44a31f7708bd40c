//! Numbers through the generated leave server over 127.0.0.1 and back through the
//! generated client: a number out of range is `M_BAD_JSON` (the body is JSON), and
//! members the definition does not name keep their number text (the generated crate
//! turns on serde_json's `arbitrary_precision`). Matrix hashes and signatures cover
//! those bytes.
//!
//! The server here echoes the unknown members of the event it is sent into the `{}` of
//! its `[200, {}]` answer, and keeps the body bytes it received.

use std::net::SocketAddr;
use std::sync::{Arc, Mutex};

use matrix_federation_leave::client::{AuthRequest as ClientAuthRequest, Client, ClientSettings};
use matrix_federation_leave::server::{AuthRequest, MatrixFederationLeaveRoomApi, Rejection, router};
use matrix_federation_leave::types::{
    EmptyObject, MakeLeaveRequest, MakeLeaveResponse, SendLeaveBody, SendLeaveOkBody, SendLeaveRequest,
    SendLeaveResponse,
};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

const SEND_LEAVE: &str = "/_matrix/federation/v1/send_leave/%21abc123%3Amatrix.org/%24ev%3Aexample.org";
const AUTH: &str = r#"X-Matrix origin=example.org,key="ed25519:1",sig="c2ln""#;

/// Number texts that neither u64 nor f64 keeps as written. (An exponent is written the
/// way serde_json writes it: `1E2` and `1e2` come back as `1e+2`.)
const EXACT: &[&str] = &[
    "18446744073709551616",
    "-18446744073709551617",
    "1.50",
    "-0",
    "0.1000000000000000055511151231257827",
    "3.141592653589793238462643383279",
    "1e-7",
    "6.02e+23",
];

#[derive(Clone, Default)]
struct Echo {
    bodies: Arc<Mutex<Vec<Vec<u8>>>>,
}

impl MatrixFederationLeaveRoomApi for Echo {
    type Principal = ();

    async fn authenticate(&self, request: AuthRequest<'_>) -> Result<(), Rejection> {
        self.bodies.lock().unwrap().push(request.body.to_vec());
        Ok(())
    }

    async fn make_leave(&self, _request: MakeLeaveRequest, _origin: ()) -> MakeLeaveResponse {
        unreachable!("not called here")
    }

    async fn send_leave(&self, request: SendLeaveRequest, _origin: ()) -> SendLeaveResponse {
        let mut extra = request.body.extra;
        extra.insert("content".into(), serde_json::Value::Object(request.body.content.extra));
        SendLeaveResponse::Ok(SendLeaveOkBody(200, EmptyObject { extra }))
    }
}

async fn serve(echo: Echo) -> SocketAddr {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, router(echo)).await.unwrap() });
    addr
}

/// A send_leave event with `numbers` as members the definition does not name, at the
/// top and inside `content`.
fn event(depth: &str, numbers: &str) -> String {
    format!(
        r#"{{"sender":"@u:example.org","origin":"example.org","origin_server_ts":1,"type":"m.room.member","state_key":"@u:example.org","content":{{"membership":"leave","inner":{numbers}}},"depth":{depth},"unsigned":{numbers}}}"#
    )
}

fn numbers_array() -> String {
    format!("[{}]", EXACT.join(","))
}

async fn put(addr: SocketAddr, body: &str) -> (u16, String) {
    let mut stream = tokio::net::TcpStream::connect(addr).await.unwrap();
    let request = format!(
        "PUT {SEND_LEAVE} HTTP/1.1\r\nHost: x\r\nConnection: close\r\nAuthorization: {AUTH}\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\r\n{body}",
        body.len()
    );
    stream.write_all(request.as_bytes()).await.unwrap();
    let mut reply = Vec::new();
    stream.read_to_end(&mut reply).await.unwrap();
    let reply = String::from_utf8(reply).unwrap();
    let status = reply.split(' ').nth(1).unwrap().parse().unwrap();
    let body = reply.split_once("\r\n\r\n").unwrap().1.to_string();
    (status, body)
}

#[tokio::test]
async fn unknown_members_keep_their_number_text_on_the_wire() {
    let addr = serve(Echo::default()).await;
    let numbers = numbers_array();
    let (status, body) = put(addr, &event("12", &numbers)).await;
    assert_eq!(status, 200, "{body}");
    // Each number comes back with the digits it was sent with, at the top and nested.
    for (member, nested) in [("unsigned", false), ("inner", true)] {
        let expected = if nested {
            format!(r#""content":{{"{member}":{numbers}}}"#)
        } else {
            format!(r#""{member}":{numbers}"#)
        };
        assert!(body.contains(&expected), "{expected} not in {body}");
    }
}

#[tokio::test]
async fn a_number_out_of_range_is_bad_json_not_not_json() {
    let addr = serve(Echo::default()).await;
    for depth in ["1e400", "-1e400", "18446744073709551616", "9223372036854775808", "1.5"] {
        let (status, body) = put(addr, &event(depth, "0")).await;
        assert_eq!(status, 400, "depth {depth}: {body}");
        let error: serde_json::Value = serde_json::from_str(&body).unwrap();
        assert_eq!(error["errcode"], "M_BAD_JSON", "depth {depth}: {body}");
        assert!(error["error"].as_str().unwrap().contains("depth"), "{body}");
    }
    // Text that is not JSON stays M_NOT_JSON, a number's shape included.
    for broken in [
        event("1e", "0"),
        event("01", "0"),
        event("1.", "0"),
        event("12", "0") + "x",
    ] {
        let (status, body) = put(addr, &broken).await;
        assert_eq!(status, 400, "{broken}: {body}");
        assert!(body.contains("M_NOT_JSON"), "{broken}: {body}");
    }
    // JSON Schema's integers include `12.0`; serde's do not. It is read as 12, up to 2^53.
    let (status, body) = put(addr, &event("12.0", "0")).await;
    assert_eq!(status, 200, "{body}");
    let (status, body) = put(addr, &event("1e3", "0")).await;
    assert_eq!(status, 200, "{body}");
    let (status, body) = put(addr, &event("1e16", "0")).await;
    assert_eq!((status, body.contains("M_BAD_JSON")), (400, true), "{body}");
    // An unknown member out of f64's range is no error: it is kept as sent.
    let (status, body) = put(addr, &event("12", "1e-400")).await;
    assert_eq!(status, 200, "{body}");
    assert!(body.contains(r#""unsigned":1e-400"#), "{body}");
}

#[tokio::test]
async fn the_generated_client_sends_and_reads_back_the_same_number_text() {
    let echo = Echo::default();
    let addr = serve(echo.clone()).await;
    let sign = |_: ClientAuthRequest<'_>| Ok(AUTH.to_string());
    let client = Client::with_settings(&format!("http://{addr}"), ClientSettings::default().authorizer(sign)).unwrap();
    let numbers = numbers_array();
    let body: SendLeaveBody = serde_json::from_str(&event("12", &numbers)).unwrap();
    let response = client
        .send_leave_with("!abc123:matrix.org", "$ev:example.org", body)
        .await
        .expect("send_leave");
    // The bytes the client sent carry each number as it was read.
    let sent = String::from_utf8(echo.bodies.lock().unwrap().pop().unwrap()).unwrap();
    assert!(sent.contains(&format!(r#""unsigned":{numbers}"#)), "{sent}");
    assert!(sent.contains(&format!(r#""inner":{numbers}"#)), "{sent}");
    // And the answer the client read writes them back the same way.
    let SendLeaveResponse::Ok(SendLeaveOkBody(200, echoed)) = response else {
        panic!("{response:?}")
    };
    let written = serde_json::to_string(&echoed.extra["unsigned"]).unwrap();
    assert_eq!(written, numbers);
    let written = serde_json::to_string(&echoed.extra["content"]["inner"]).unwrap();
    assert_eq!(written, numbers);
}
