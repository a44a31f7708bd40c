//! The generated client against hand-written reqwest calls doing the same requests to the
//! same hand-written server in the same process: `make_leave` and `send_leave` in turn,
//! signed, with escaped IDs, bodies decoded into the generated types. Rounds rotate the
//! order of the sides so that noise on this machine hits all of them; each side's median
//! round is reported, and the ratios, next to those of a second hand-written side that
//! shows the noise floor. Nothing here asserts on time.

use std::time::Instant;

use leave_client_tests::{Recorder, base_url, leave_server, serve, test_authorizer, test_signature};
use matrix_federation_leave::client::{Client, ClientSettings};
use matrix_federation_leave::types::{
    MakeLeaveOkBody, MakeLeaveRequest, MakeLeaveResponse, MembershipEventContent, SendLeaveBody, SendLeaveOkBody,
    SendLeaveRequest, SendLeaveResponse,
};
use percent_encoding::{AsciiSet, NON_ALPHANUMERIC, utf8_percent_encode};

const ROUNDS: usize = 30;
/// Requests per round, half `make_leave` and half `send_leave`.
const REQUESTS_PER_ROUND: usize = 300;

const ROOM_ID: &str = "!abc123:matrix.org";
const USER_ID: &str = "@someone:example.org";
const EVENT_ID: &str = "$acR1l0raoZnm60CBwAVgqbZqoO/mYU81xysh1u7XcJk";

const UNRESERVED_KEPT: &AsciiSet = &NON_ALPHANUMERIC.remove(b'-').remove(b'.').remove(b'_').remove(b'~');

fn main() {
    // The bench's own reqwest clients are built before any generated `Client` would
    // install a provider (as tests/leave-server's router bench does).
    let _ = rustls::crypto::ring::default_provider().install_default();
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .expect("tokio runtime");
    runtime.block_on(run());
}

async fn run() {
    // The recorder grows with every request; a fresh server per side keeps that fair.
    let generated_addr = serve(leave_server(Recorder::default())).await;
    let settings = ClientSettings::default()
        .http_client(reqwest::Client::new())
        .authorizer(test_authorizer);
    let generated = Client::with_settings(&base_url(generated_addr), settings).expect("client");
    let baseline = Baseline::new(serve(leave_server(Recorder::default())).await);
    // A second, identical hand-written side: how far apart two equal sides land is the
    // noise floor the generated/hand-written ratio should be read against.
    let control = Baseline::new(serve(leave_server(Recorder::default())).await);
    let make_leave = MakeLeaveRequest {
        room_id: ROOM_ID.to_string(),
        user_id: USER_ID.to_string(),
    };
    let send_leave = send_leave_request();

    // Warm-up: connections open, caches filled.
    generated_round(&generated, &make_leave, &send_leave).await;
    baseline.round(&send_leave.body).await;
    control.round(&send_leave.body).await;

    let mut generated_rates = Vec::with_capacity(ROUNDS);
    let mut baseline_rates = Vec::with_capacity(ROUNDS);
    let mut control_rates = Vec::with_capacity(ROUNDS);
    for round in 0..ROUNDS {
        // The order rotates, so that no side always runs first or right after another.
        for side in 0..3 {
            match (round + side) % 3 {
                0 => generated_rates.push(generated_round(&generated, &make_leave, &send_leave).await),
                1 => baseline_rates.push(baseline.round(&send_leave.body).await),
                _ => control_rates.push(control.round(&send_leave.body).await),
            }
        }
    }
    // The sides of one round ran back to back, so the median of the per-round ratios is
    // the figure least moved by load that comes and goes on a shared machine.
    let mut generated_ratios = ratios(&generated_rates, &baseline_rates);
    let mut control_ratios = ratios(&control_rates, &baseline_rates);
    let generated_median = median(&mut generated_rates);
    let baseline_median = median(&mut baseline_rates);
    let control_median = median(&mut control_rates);
    println!("{ROUNDS} rounds of {REQUESTS_PER_ROUND} sequential requests per side, order rotating; medians:");
    println!("  generated client:              {generated_median:>9.0} requests/s");
    println!("  hand-written reqwest:          {baseline_median:>9.0} requests/s");
    println!("  hand-written again (control):  {control_median:>9.0} requests/s");
    println!(
        "  generated / hand-written:      {:>9.3} (ratio of medians), {:>6.3} (median of per-round ratios)",
        generated_median / baseline_median,
        median(&mut generated_ratios)
    );
    println!(
        "  control / hand-written:        {:>9.3} (ratio of medians), {:>6.3} (median of per-round ratios)",
        control_median / baseline_median,
        median(&mut control_ratios)
    );
}

fn ratios(sides: &[f64], baseline: &[f64]) -> Vec<f64> {
    sides.iter().zip(baseline).map(|(a, b)| a / b).collect()
}

/// One round through the generated client; requests per second.
async fn generated_round(client: &Client, make_leave: &MakeLeaveRequest, send_leave: &SendLeaveRequest) -> f64 {
    let started = Instant::now();
    for _ in 0..REQUESTS_PER_ROUND / 2 {
        match client.make_leave(make_leave).await {
            Ok(MakeLeaveResponse::Ok(body)) => drop(std::hint::black_box(body)),
            other => panic!("make_leave: {other:?}"),
        }
        match client.send_leave(send_leave).await {
            Ok(SendLeaveResponse::Ok(body)) => drop(std::hint::black_box(body)),
            other => panic!("send_leave: {other:?}"),
        }
    }
    REQUESTS_PER_ROUND as f64 / started.elapsed().as_secs_f64()
}

/// The same requests written directly against reqwest, as one would without stubforge.
struct Baseline {
    http: reqwest::Client,
    base_url: String,
    destination: String,
}

impl Baseline {
    fn new(addr: std::net::SocketAddr) -> Self {
        Baseline {
            http: reqwest::Client::new(),
            base_url: base_url(addr),
            destination: addr.to_string(),
        }
    }

    async fn round(&self, body: &SendLeaveBody) -> f64 {
        let started = Instant::now();
        for _ in 0..REQUESTS_PER_ROUND / 2 {
            drop(std::hint::black_box(self.make_leave(ROOM_ID, USER_ID).await));
            drop(std::hint::black_box(self.send_leave(ROOM_ID, EVENT_ID, body).await));
        }
        REQUESTS_PER_ROUND as f64 / started.elapsed().as_secs_f64()
    }

    async fn make_leave(&self, room_id: &str, user_id: &str) -> MakeLeaveOkBody {
        let path = format!(
            "/_matrix/federation/v1/make_leave/{}/{}",
            utf8_percent_encode(room_id, UNRESERVED_KEPT),
            utf8_percent_encode(user_id, UNRESERVED_KEPT)
        );
        let signature = test_signature("GET", &path, &self.destination, b"");
        let response = self
            .http
            .get(format!("{}{path}", self.base_url))
            .header(reqwest::header::AUTHORIZATION, signature)
            .send()
            .await
            .expect("make_leave sent");
        assert_eq!(response.status(), 200);
        let bytes = response.bytes().await.expect("make_leave body");
        serde_json::from_slice(&bytes).expect("make_leave decodes")
    }

    async fn send_leave(&self, room_id: &str, event_id: &str, body: &SendLeaveBody) -> SendLeaveOkBody {
        let path = format!(
            "/_matrix/federation/v1/send_leave/{}/{}",
            utf8_percent_encode(room_id, UNRESERVED_KEPT),
            utf8_percent_encode(event_id, UNRESERVED_KEPT)
        );
        let body = serde_json::to_vec(body).expect("body serializes");
        let signature = test_signature("PUT", &path, &self.destination, &body);
        let response = self
            .http
            .put(format!("{}{path}", self.base_url))
            .header(reqwest::header::AUTHORIZATION, signature)
            .header(reqwest::header::CONTENT_TYPE, "application/json")
            .body(body)
            .send()
            .await
            .expect("send_leave sent");
        assert_eq!(response.status(), 200);
        let bytes = response.bytes().await.expect("send_leave body");
        serde_json::from_slice(&bytes).expect("send_leave decodes")
    }
}

fn send_leave_request() -> SendLeaveRequest {
    SendLeaveRequest {
        room_id: ROOM_ID.to_string(),
        event_id: EVENT_ID.to_string(),
        body: SendLeaveBody {
            sender: USER_ID.to_string(),
            origin: "example.org".to_string(),
            origin_server_ts: 1549041175876,
            r#type: "m.room.member".to_string(),
            state_key: USER_ID.to_string(),
            content: MembershipEventContent {
                membership: "leave".to_string(),
                extra: Default::default(),
            },
            depth: 12,
            extra: Default::default(),
        },
    }
}

fn median(rates: &mut [f64]) -> f64 {
    rates.sort_by(f64::total_cmp);
    rates[rates.len() / 2]
}
