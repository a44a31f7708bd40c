//! 1,000 requests in flight at once over loopback, every one answered correctly.

use leave_server::{LeaveServer, spawn_loopback};
use matrix_federation_leave::server::router;

const REQUESTS: usize = 1_000;
const AUTH: &str = "X-Matrix origin=example.org,key=\"ed25519:1\",sig=\"c2ln\"";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_thousand_concurrent_requests_are_all_answered_correctly() {
    let members: Vec<String> = (0..REQUESTS / 2).map(|i| format!("@member{i}:example.org")).collect();
    let member_refs: Vec<&str> = members.iter().map(String::as_str).collect();
    let rooms = LeaveServer::new("matrix.org").with_room("!busy:matrix.org", "5", &member_refs);
    let addr = spawn_loopback(router(rooms.clone())).await.expect("bind 127.0.0.1");
    // The generated crates turn on reqwest's rustls without a provider; this client is
    // reqwest's own, built before any generated client would install one.
    let _ = rustls::crypto::ring::default_provider().install_default();
    let client = reqwest::Client::builder()
        .timeout(std::time::Duration::from_secs(60))
        .build()
        .expect("client");

    // Each request is its own task, all started before any is awaited: a member's
    // make_leave, a stranger's make_leave (403) and a member's send_leave, interleaved.
    let tasks: Vec<_> = (0..REQUESTS)
        .map(|i| {
            let client = client.clone();
            tokio::spawn(async move {
                let base = format!("http://{addr}/_matrix/federation/v1");
                let member = format!("@member{}:example.org", i / 2);
                let (request, expected) = match i % 4 {
                    0 => (client.get(format!("{base}/make_leave/!busy:matrix.org/{member}")), 200),
                    1 | 3 => (
                        client.get(format!("{base}/make_leave/!busy:matrix.org/@stranger{i}:example.org")),
                        403,
                    ),
                    _ => {
                        let event = serde_json::json!({
                            "type": "m.room.member", "sender": member, "state_key": member,
                            "origin": "example.org", "origin_server_ts": 1, "depth": 1,
                            "content": { "membership": "leave" }
                        });
                        let body = serde_json::to_vec(&event).expect("JSON");
                        let target = format!("{base}/send_leave/!busy:matrix.org/%24event{i}%2Fv3");
                        let put = client.put(target).header("Content-Type", "application/json");
                        (put.body(body), 200)
                    }
                };
                let response = request.header("Authorization", AUTH).send().await.expect("an answer");
                let status = response.status().as_u16();
                let body: serde_json::Value =
                    serde_json::from_slice(&response.bytes().await.expect("a body")).expect("JSON");
                (i, status, expected, body)
            })
        })
        .collect();

    let mut leaves = 0;
    for task in tasks {
        let (i, status, expected, body) = task.await.expect("the task ran");
        assert_eq!(status, expected, "request {i}: {body}");
        match i % 4 {
            0 => assert_eq!(body["event"]["state_key"], format!("@member{}:example.org", i / 2)),
            2 => {
                assert_eq!(body, serde_json::json!([200, {}]));
                leaves += 1;
            }
            _ => assert_eq!(body["errcode"], "M_FORBIDDEN"),
        }
    }
    assert_eq!(rooms.leaves().len(), leaves);
    assert!(rooms.refusals().is_empty(), "{:?}", rooms.refusals());
}
