//! Requests per second through the generated router against a hand-written axum router
//! over the same in-memory implementation, same process, same request mix, rounds
//! alternating A/B then B/A so that machine noise hits both. Three settings: in process
//! (tower `oneshot`, no sockets: the routers' own cost), and over loopback HTTP with one
//! keep-alive client, 1 and 8 requests in flight. Prints medians and the ratio. The
//! in-process rounds run on one thread and are timed in that thread's CPU time, so that
//! other load on the machine cannot move them; the loopback ones, which span threads and
//! the kernel, by the clock.
//!
//! `cargo bench -p leave-server`; `ROUNDS` and `REQUESTS` override the defaults (12 rounds
//! of 3,000 requests). `ONLY=generated` / `ONLY=hand-written` runs one router in process
//! and nothing else, for `valgrind --tool=callgrind` instruction counts.

use std::net::SocketAddr;
use std::time::{Duration, Instant};

use axum::Json;
use axum::body::Body;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use leave_server::{LeaveServer, parse_x_matrix, spawn_loopback};
use matrix_federation_leave::server::router;
use matrix_federation_leave::types::{MakeLeaveResponse, SendLeaveBody, SendLeaveResponse};
use tower::ServiceExt;

const AUTH: &str = "X-Matrix origin=example.org,key=\"ed25519:1\",sig=\"c2ln\"";
const ROOM: &str = "!abc123:matrix.org";

fn rooms() -> LeaveServer {
    LeaveServer::new("matrix.org").with_room(ROOM, "5", &["@someone:example.org", "@leaver:example.org"])
}

// ---- the baseline: what one would write by hand with axum's extractors ----

fn unauthorized() -> Response {
    let body = serde_json::json!({ "errcode": "M_UNAUTHORIZED", "error": "Missing X-Matrix credentials." });
    (StatusCode::UNAUTHORIZED, Json(body)).into_response()
}

fn origin(headers: &HeaderMap) -> Option<String> {
    let value = headers.get("authorization")?.to_str().ok()?;
    parse_x_matrix(value).map(|x| x.origin)
}

async fn make_leave(
    State(rooms): State<LeaveServer>,
    Path((room_id, user_id)): Path<(String, String)>,
    headers: HeaderMap,
) -> Response {
    if origin(&headers).is_none() {
        return unauthorized();
    }
    match rooms.make_leave_template(&room_id, &user_id) {
        MakeLeaveResponse::Ok(body) => (StatusCode::OK, Json(body)).into_response(),
        MakeLeaveResponse::Forbidden(body) => (StatusCode::FORBIDDEN, Json(body)).into_response(),
    }
}

async fn send_leave(
    State(rooms): State<LeaveServer>,
    Path((room_id, event_id)): Path<(String, String)>,
    headers: HeaderMap,
    Json(event): Json<SendLeaveBody>,
) -> Response {
    let Some(origin) = origin(&headers) else {
        return unauthorized();
    };
    match rooms.accept_leave(&room_id, &event_id, &event, &origin) {
        SendLeaveResponse::Ok(body) => (StatusCode::OK, Json(body)).into_response(),
    }
}

fn hand_written(rooms: LeaveServer) -> axum::Router {
    axum::Router::new()
        .route(
            "/_matrix/federation/v1/make_leave/{roomId}/{userId}",
            axum::routing::get(make_leave),
        )
        .route(
            "/_matrix/federation/v1/send_leave/{roomId}/{eventId}",
            axum::routing::put(send_leave),
        )
        .with_state(rooms)
}

// ---- the load ----

/// One round: the same mix for both routers, `in_flight` requests at a time on one
/// keep-alive client. Returns requests per second.
async fn round(client: &reqwest::Client, addr: SocketAddr, requests: usize, in_flight: usize) -> f64 {
    let start = Instant::now();
    let workers: Vec<_> = (0..in_flight)
        .map(|worker| {
            let client = client.clone();
            let share = requests / in_flight + usize::from(worker < requests % in_flight);
            tokio::spawn(async move { load(&client, addr, worker, share).await })
        })
        .collect();
    for worker in workers {
        worker.await.expect("a worker");
    }
    requests as f64 / start.elapsed().as_secs_f64()
}

/// `count` requests one after the other: make_leave 200, make_leave 403, send_leave 200.
async fn load(client: &reqwest::Client, addr: SocketAddr, offset: usize, count: usize) {
    let base = format!("http://{addr}/_matrix/federation/v1");
    let member = format!("{base}/make_leave/%21abc123%3Amatrix.org/%40someone%3Aexample.org");
    let stranger = format!("{base}/make_leave/%21abc123%3Amatrix.org/%40stranger%3Aexample.org");
    let leave = format!("{base}/send_leave/%21abc123%3Amatrix.org/%24acR1l0raoZnm60CBwAVgqbZqoO%2FmYU81xysh1u7XcJk");
    let event = serde_json::to_vec(&serde_json::json!({
        "type": "m.room.member", "sender": "@leaver:example.org", "state_key": "@leaver:example.org",
        "origin": "example.org", "origin_server_ts": 1, "depth": 1, "content": { "membership": "leave" }
    }))
    .expect("JSON");
    for i in offset..offset + count {
        let (request, expected) = match i % 3 {
            0 => (client.get(&member), 200),
            1 => (client.get(&stranger), 403),
            _ => (
                client
                    .put(&leave)
                    .header("Content-Type", "application/json")
                    .body(event.clone()),
                200,
            ),
        };
        let response = request.header("Authorization", AUTH).send().await.expect("an answer");
        assert_eq!(response.status().as_u16(), expected);
        response.bytes().await.expect("a body");
    }
}

/// Alternating rounds against both servers: the medians in req/s, and the median of the
/// ratios of rounds run back to back (drift in machine load cancels within a pair).
async fn compare(
    client: &reqwest::Client,
    generated: SocketAddr,
    baseline: SocketAddr,
    rounds: usize,
    requests: usize,
    in_flight: usize,
) -> (f64, f64, f64) {
    // Warm both up (connections, allocator, caches) before measuring.
    round(client, generated, requests / 4 + 1, in_flight).await;
    round(client, baseline, requests / 4 + 1, in_flight).await;
    let (mut ours, mut theirs) = (Vec::new(), Vec::new());
    for i in 0..rounds {
        // A/B, then B/A: neither always runs second.
        if i % 2 == 0 {
            ours.push(round(client, generated, requests, in_flight).await);
            theirs.push(round(client, baseline, requests, in_flight).await);
        } else {
            theirs.push(round(client, baseline, requests, in_flight).await);
            ours.push(round(client, generated, requests, in_flight).await);
        }
    }
    let mut ratios: Vec<f64> = ours.iter().zip(&theirs).map(|(a, b)| a / b).collect();
    (median(&mut ours), median(&mut theirs), median(&mut ratios))
}

/// The same mix without sockets: each request goes straight into the router as a tower
/// service, so only the routers' own work is timed. Returns requests per second.
async fn in_process_round(app: &axum::Router, requests: usize) -> f64 {
    let base = "/_matrix/federation/v1";
    let event = serde_json::to_vec(&serde_json::json!({
        "type": "m.room.member", "sender": "@leaver:example.org", "state_key": "@leaver:example.org",
        "origin": "example.org", "origin_server_ts": 1, "depth": 1, "content": { "membership": "leave" }
    }))
    .expect("JSON");
    let start = thread_cpu();
    for i in 0..requests {
        let (method, path, body, expected) = match i % 3 {
            0 => (
                "GET",
                "make_leave/%21abc123%3Amatrix.org/%40someone%3Aexample.org",
                Body::empty(),
                200,
            ),
            1 => (
                "GET",
                "make_leave/%21abc123%3Amatrix.org/%40stranger%3Aexample.org",
                Body::empty(),
                403,
            ),
            _ => (
                "PUT",
                "send_leave/%21abc123%3Amatrix.org/%24acR1l0raoZnm60CBwAVgqbZqoO%2FmYU81xysh1u7XcJk",
                Body::from(event.clone()),
                200,
            ),
        };
        let request = axum::http::Request::builder()
            .method(method)
            .uri(format!("{base}/{path}"))
            .header("Authorization", AUTH)
            .header("Content-Type", "application/json")
            .body(body)
            .expect("a request");
        let response = app.clone().oneshot(request).await.expect("infallible");
        assert_eq!(response.status().as_u16(), expected);
        axum::body::to_bytes(response.into_body(), usize::MAX)
            .await
            .expect("a body");
    }
    requests as f64 / (thread_cpu() - start).as_secs_f64()
}

/// The CPU time this thread has used.
fn thread_cpu() -> Duration {
    let mut now = libc::timespec { tv_sec: 0, tv_nsec: 0 };
    // SAFETY: `now` is a valid, writable timespec.
    let ok = unsafe { libc::clock_gettime(libc::CLOCK_THREAD_CPUTIME_ID, &mut now) };
    assert_eq!(ok, 0, "clock_gettime(CLOCK_THREAD_CPUTIME_ID) failed");
    Duration::new(now.tv_sec as u64, now.tv_nsec as u32)
}

/// Alternating in-process rounds; the same statistics as [`compare`].
async fn compare_in_process(rounds: usize, requests: usize) -> (f64, f64, f64) {
    let generated = router(rooms());
    let baseline = hand_written(rooms());
    in_process_round(&generated, requests / 4 + 1).await;
    in_process_round(&baseline, requests / 4 + 1).await;
    let (mut ours, mut theirs) = (Vec::new(), Vec::new());
    for i in 0..rounds {
        if i % 2 == 0 {
            ours.push(in_process_round(&generated, requests).await);
            theirs.push(in_process_round(&baseline, requests).await);
        } else {
            theirs.push(in_process_round(&baseline, requests).await);
            ours.push(in_process_round(&generated, requests).await);
        }
    }
    let mut ratios: Vec<f64> = ours.iter().zip(&theirs).map(|(a, b)| a / b).collect();
    (median(&mut ours), median(&mut theirs), median(&mut ratios))
}

fn median(values: &mut [f64]) -> f64 {
    values.sort_by(f64::total_cmp);
    let mid = values.len() / 2;
    if values.len() % 2 == 0 {
        (values[mid - 1] + values[mid]) / 2.0
    } else {
        values[mid]
    }
}

fn env_number(name: &str, default: usize) -> usize {
    std::env::var(name).ok().and_then(|v| v.parse().ok()).unwrap_or(default)
}

fn main() {
    // `ONLY=generated` or `ONLY=hand-written`: one router, in process, on one thread, and
    // nothing else, for counting instructions under `valgrind --tool=callgrind`, which
    // machine load does not disturb.
    if let Ok(only) = std::env::var("ONLY") {
        let app = if only == "generated" {
            router(rooms())
        } else {
            hand_written(rooms())
        };
        let requests = env_number("REQUESTS", 3_000);
        // Timers on: the generated router holds each body to `body_timeout`.
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_time()
            .build()
            .expect("a runtime");
        let rate = runtime.block_on(in_process_round(&app, requests));
        println!("{only}: {requests} requests in process, {rate:.0} req/s");
        return;
    }
    // `cargo test --benches` runs this without `--bench`: one short round is enough then.
    let benching = std::env::args().any(|arg| arg == "--bench");
    let rounds = if benching { env_number("ROUNDS", 12) } else { 1 };
    let requests = if benching { env_number("REQUESTS", 3_000) } else { 30 };

    println!("router benchmark: {rounds} alternating rounds of {requests} requests each");
    println!("  mix: make_leave 200, make_leave 403, send_leave 200 (v3 event ID, %2F)");
    // In process on one thread: no sockets, no cross-thread wake-ups, only the routers.
    let single = tokio::runtime::Builder::new_current_thread()
        .enable_time()
        .build()
        .expect("a runtime");
    let (ours, theirs, ratio) = single.block_on(compare_in_process(rounds, requests * 4));
    println!("  in process (tower oneshot, no sockets, one thread):");
    println!("    generated router:    {ours:>9.0} req/s (median)");
    println!("    hand-written router: {theirs:>9.0} req/s (median)");
    println!("    ratio generated / hand-written: {ratio:.3} (median of paired rounds)");

    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("a runtime");
    runtime.block_on(async {
        let generated = spawn_loopback(router(rooms())).await.expect("bind");
        let baseline = spawn_loopback(hand_written(rooms())).await.expect("bind");
        // As in tests/concurrency.rs: the generated crates turn on reqwest's rustls without
        // a provider, and this client is reqwest's own.
        let _ = rustls::crypto::ring::default_provider().install_default();
        let client = reqwest::Client::builder()
            .timeout(Duration::from_secs(30))
            .build()
            .expect("a client");
        for in_flight in [1, 8] {
            let (ours, theirs, ratio) = compare(&client, generated, baseline, rounds, requests, in_flight).await;
            println!("  {in_flight} in flight:");
            println!("    generated router:    {ours:>9.0} req/s (median)");
            println!("    hand-written router: {theirs:>9.0} req/s (median)");
            println!("    ratio generated / hand-written: {ratio:.3} (median of paired rounds)");
        }
    });
}
