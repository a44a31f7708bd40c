//! The generated client against servers that misbehave: every failure is a `ClientError`
//! variant that keeps what was received, and nothing panics.

use std::time::{Duration, Instant};

use leave_client_tests::{SLOW_REPLY, base_url, misbehaving_server, serve, test_authorizer};
use matrix_federation_leave::client::{Client, ClientError, ClientSettings};
use matrix_federation_leave::types::{
    MakeLeaveRequest, MakeLeaveResponse, MembershipEventContent, SendLeaveBody, SendLeaveRequest, SendLeaveResponse,
};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

async fn client_for(base_url: &str, timeout: Duration) -> Client {
    Client::with_settings(base_url, settings(timeout)).expect("client")
}

fn settings(timeout: Duration) -> ClientSettings {
    ClientSettings::default().authorizer(test_authorizer).timeout(timeout)
}

/// `make_leave` with the misbehaviour named as the room ID.
async fn make_leave(how: &str) -> Result<MakeLeaveResponse, ClientError> {
    let addr = serve(misbehaving_server()).await;
    let client = client_for(&base_url(addr), Duration::from_secs(10)).await;
    let request = MakeLeaveRequest {
        room_id: how.to_string(),
        user_id: "@someone:example.org".to_string(),
    };
    client.make_leave(&request).await
}

#[tokio::test]
async fn html_502_is_an_undocumented_status_with_the_page_kept() {
    let error = make_leave("html502").await.expect_err("502 is not documented");
    let ClientError::UndocumentedStatus { operation, received } = &error else {
        panic!("{error:?}");
    };
    assert_eq!(*operation, "makeLeave");
    assert_eq!(received.status, 502);
    assert_eq!(received.headers["content-type"], "text/html");
    assert!(received.body.starts_with(b"<html>"));
    assert_eq!(error.received().map(|r| r.status), Some(502));
    assert!(error.to_string().contains("502"), "{error}");
}

#[tokio::test]
async fn truncated_json_is_an_invalid_body() {
    let error = make_leave("truncated").await.expect_err("truncated JSON");
    let ClientError::InvalidBody { received, source, .. } = &error else {
        panic!("{error:?}");
    };
    assert_eq!(received.status, 200);
    assert!(received.body.ends_with(b"\"@a:b"));
    assert!(source.is_eof(), "{source}");
}

#[tokio::test]
async fn wrong_types_are_an_invalid_body() {
    let error = make_leave("wrongtypes").await.expect_err("a number for a string");
    let ClientError::InvalidBody { received, source, .. } = &error else {
        panic!("{error:?}");
    };
    assert_eq!(received.body, br#"{"room_version": 10}"#);
    assert!(source.is_data(), "{source}");
}

#[tokio::test]
async fn teapot_is_an_undocumented_status_with_headers_and_body() {
    let error = make_leave("teapot").await.expect_err("418 is not documented");
    let ClientError::UndocumentedStatus { received, .. } = &error else {
        panic!("{error:?}");
    };
    assert_eq!(received.status, 418);
    assert_eq!(received.headers["x-teapot"], "short and stout");
    assert_eq!(received.body, b"I'm a teapot");
}

#[tokio::test]
async fn a_documented_status_with_a_non_json_body_is_an_invalid_body() {
    let error = make_leave("forbiddenhtml").await.expect_err("403 with HTML");
    let ClientError::InvalidBody { received, .. } = &error else {
        panic!("{error:?}");
    };
    assert_eq!(received.status, 403);
    assert_eq!(received.body, b"<html>Forbidden</html>");
}

#[tokio::test]
async fn a_short_tuple_is_an_invalid_body() {
    let addr = serve(misbehaving_server()).await;
    let client = client_for(&base_url(addr), Duration::from_secs(10)).await;
    let request = SendLeaveRequest {
        room_id: "shorttuple".to_string(),
        event_id: "$abc123:example.org".to_string(),
        body: SendLeaveBody {
            sender: "@someone:example.org".to_string(),
            origin: "example.org".to_string(),
            origin_server_ts: 0,
            r#type: "m.room.member".to_string(),
            state_key: "@someone:example.org".to_string(),
            content: MembershipEventContent {
                membership: "leave".to_string(),
                extra: Default::default(),
            },
            depth: 0,
            extra: Default::default(),
        },
    };
    let result: Result<SendLeaveResponse, ClientError> = client.send_leave(&request).await;
    let error = result.expect_err("[200] is not [200, {}]");
    assert!(
        matches!(&error, ClientError::InvalidBody { received, .. } if received.body == b"[200]"),
        "{error:?}"
    );
}

#[tokio::test]
async fn a_reply_slower_than_the_timeout_is_a_timeout() {
    let addr = serve(misbehaving_server()).await;
    let timeout = Duration::from_millis(200);
    let client = client_for(&base_url(addr), timeout).await;
    let request = MakeLeaveRequest {
        room_id: "slow".to_string(),
        user_id: "@someone:example.org".to_string(),
    };
    let started = Instant::now();
    let error = client.make_leave(&request).await.expect_err("too slow");
    assert!(error.is_timeout(), "{error:?}");
    assert!(matches!(error, ClientError::Transport { .. }));
    // Not a timing assertion: only that the call did not wait for the reply.
    assert!(started.elapsed() < SLOW_REPLY, "the call waited for the slow reply");
}

#[tokio::test]
async fn a_refused_connection_is_a_connect_error() {
    // A port that was free a moment ago and has no listener now.
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    let addr = listener.local_addr().expect("address");
    drop(listener);
    let client = client_for(&base_url(addr), Duration::from_secs(10)).await;
    let request = MakeLeaveRequest {
        room_id: "!a:b".to_string(),
        user_id: "@c:d".to_string(),
    };
    let error = client.make_leave(&request).await.expect_err("nobody listens");
    assert!(error.is_connect(), "{error:?}");
    assert!(error.received().is_none());
}

/// A peer that answers with something that is not HTTP at all, or hangs up mid-reply.
async fn raw_peer(reply: &'static [u8]) -> Result<MakeLeaveResponse, ClientError> {
    raw_peer_with(reply.to_vec(), settings(Duration::from_secs(10))).await
}

async fn raw_peer_with(reply: Vec<u8>, settings: ClientSettings) -> Result<MakeLeaveResponse, ClientError> {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let addr = listener.local_addr().expect("address");
    tokio::spawn(async move {
        if let Ok((mut socket, _)) = listener.accept().await {
            let mut buffer = [0_u8; 4096];
            let _ = socket.read(&mut buffer).await;
            let _ = socket.write_all(&reply).await;
            let _ = socket.shutdown().await;
        }
    });
    let client = Client::with_settings(&base_url(addr), settings).expect("client");
    let request = MakeLeaveRequest {
        room_id: "!a:b".to_string(),
        user_id: "@c:d".to_string(),
    };
    client.make_leave(&request).await
}

#[tokio::test]
async fn garbage_instead_of_http_is_a_transport_error() {
    let error = raw_peer(b"SSH-2.0-OpenSSH_9.6\r\n\r\n").await.expect_err("not HTTP");
    assert!(matches!(error, ClientError::Transport { .. }), "{error:?}");
}

#[tokio::test]
async fn a_body_cut_short_of_its_length_is_a_transport_error() {
    let reply = b"HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: 100\r\n\r\n{\"room_version\"";
    let error = raw_peer(reply).await.expect_err("hung up mid-body");
    assert!(matches!(error, ClientError::Transport { .. }), "{error:?}");
}

#[tokio::test]
async fn a_declared_length_over_the_limit_is_refused_unread() {
    let addr = serve(misbehaving_server()).await;
    let settings = settings(Duration::from_secs(10)).max_body_bytes(1024);
    let client = Client::with_settings(&base_url(addr), settings).expect("client");
    let error = client.make_leave_with("huge", "@c:d").await.expect_err("1 MiB");
    assert!(
        matches!(
            error,
            ClientError::BodyTooLarge {
                status: 200,
                limit: 1024,
                ..
            }
        ),
        "{error:?}"
    );
}

#[tokio::test]
async fn a_chunked_body_over_the_limit_is_cut_off() {
    let mut reply = b"HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ntransfer-encoding: chunked\r\n\r\n".to_vec();
    for _ in 0..8 {
        reply.extend_from_slice(b"100\r\n");
        reply.extend_from_slice(&[b' '; 256]);
        reply.extend_from_slice(b"\r\n");
    }
    reply.extend_from_slice(b"0\r\n\r\n");
    let limited = settings(Duration::from_secs(10)).max_body_bytes(1024);
    let error = raw_peer_with(reply.clone(), limited).await.expect_err("2 KiB");
    assert!(
        matches!(error, ClientError::BodyTooLarge { limit: 1024, .. }),
        "{error:?}"
    );
    // Under the limit the same reply is read whole (and is not JSON).
    let roomy = settings(Duration::from_secs(10)).max_body_bytes(4096);
    let error = raw_peer_with(reply, roomy).await.expect_err("blank is not JSON");
    assert!(
        matches!(&error, ClientError::InvalidBody { received, .. } if received.body.len() == 2048),
        "{error:?}"
    );
}
