//! Reading and writing a model: the generated `SendLeaveBody` (its member table and the
//! crate's generic reader and writer) against the same struct with serde's derive, as it
//! was generated before, in the same process. Rounds alternate A/B then B/A and each side
//! is timed in process CPU time, so that load on the machine cannot move the ratio.
//!
//! Two inputs: the leave event as the definition names it, and a full federation PDU whose
//! twelve other members land in the map of unknown members.
//!
//! `cargo bench -p dialect-tests`; `ROUNDS` and `ITERATIONS` override the defaults.

use std::hint::black_box;
use std::time::Duration;

use matrix_federation_leave::types::SendLeaveBody;

/// `SendLeaveBody` with serde's derive: the baseline.
#[derive(Debug, PartialEq, serde::Serialize, serde::Deserialize)]
struct DerivedSendLeaveBody {
    sender: String,
    origin: String,
    origin_server_ts: i64,
    #[serde(rename = "type")]
    kind: String,
    state_key: String,
    content: DerivedContent,
    depth: i64,
    #[serde(flatten)]
    extra: serde_json::Map<String, serde_json::Value>,
}

#[derive(Debug, PartialEq, serde::Serialize, serde::Deserialize)]
struct DerivedContent {
    membership: String,
    #[serde(flatten)]
    extra: serde_json::Map<String, serde_json::Value>,
}

const NAMED: &str = r#"{"sender":"@leaver:example.org","origin":"example.org","origin_server_ts":1549041175876,"type":"m.room.member","state_key":"@leaver:example.org","content":{"membership":"leave"},"depth":12}"#;

const FULL: &str = r#"{"type":"m.room.member","room_id":"!abc123:matrix.org","sender":"@leaver:example.org","state_key":"@leaver:example.org","origin":"example.org","origin_server_ts":1549041175876,"depth":12,"content":{"membership":"leave","reason":"bye"},"prev_events":["$acR1l0raoZnm60CBwAVgqbZqoO/mYU81xysh1u7XcJk"],"auth_events":["$create","$power_levels","$join"],"hashes":{"sha256":"0bbNEYZbJ5W8WwC8ZsdP9S+Fy0yBYUGpkSRmpzHDnSY"},"signatures":{"example.org":{"ed25519:1":"FAv5VpZK8W3nxXZd1VKSM5VdkJ6bz+VQZ8/kqtFtMGZ1lB6fVAHoMjXJnuLmH8bDUmXfTd9E5pxWHM+SxwBsCg"}},"unsigned":{"age":4,"replaces_state":"$prev"},"redacts":null,"prev_state":[],"membership":"leave"}"#;

fn cpu_now() -> Duration {
    let mut now = libc::timespec { tv_sec: 0, tv_nsec: 0 };
    // SAFETY: `now` is a valid, writable timespec.
    let ok = unsafe { libc::clock_gettime(libc::CLOCK_PROCESS_CPUTIME_ID, &mut now) };
    assert_eq!(ok, 0, "clock_gettime(CLOCK_PROCESS_CPUTIME_ID) failed");
    Duration::new(now.tv_sec as u64, now.tv_nsec as u32)
}

/// CPU time of `iterations` reads and writes of `input` as `T`; the bytes written, so that
/// both sides can be checked to write the same thing.
fn round_trips<T: serde::de::DeserializeOwned + serde::Serialize>(input: &str, iterations: usize) -> (Duration, usize) {
    let start = cpu_now();
    let mut written = 0;
    for _ in 0..iterations {
        let value: T = serde_json::from_str(black_box(input)).expect("reads");
        written += serde_json::to_vec(black_box(&value)).expect("writes").len();
    }
    (cpu_now() - start, written)
}

fn env_or(name: &str, default: usize) -> usize {
    std::env::var(name).ok().and_then(|v| v.parse().ok()).unwrap_or(default)
}

fn median(mut times: Vec<Duration>) -> Duration {
    times.sort();
    times[times.len() / 2]
}

fn compare(label: &str, input: &str, rounds: usize, iterations: usize) {
    // Both sides give back the JSON value they read, nothing lost.
    let value: serde_json::Value = serde_json::from_str(input).unwrap();
    let table: SendLeaveBody = serde_json::from_str(input).unwrap();
    let derived: DerivedSendLeaveBody = serde_json::from_str(input).unwrap();
    assert_eq!(serde_json::to_value(&table).unwrap(), value);
    assert_eq!(serde_json::to_value(&derived).unwrap(), value);
    let (mut generated, mut baseline) = (Vec::new(), Vec::new());
    for round in 0..rounds {
        let mut run_generated = || {
            let (time, bytes) = round_trips::<SendLeaveBody>(input, iterations);
            generated.push(time);
            bytes
        };
        let mut run_baseline = || {
            let (time, bytes) = round_trips::<DerivedSendLeaveBody>(input, iterations);
            baseline.push(time);
            bytes
        };
        let (a, b) = if round % 2 == 0 {
            let a = run_generated();
            (a, run_baseline())
        } else {
            let b = run_baseline();
            (run_generated(), b)
        };
        assert_eq!(a, b, "both sides write the same bytes");
    }
    let (generated, baseline) = (median(generated), median(baseline));
    let per = |d: Duration| d.as_nanos() as f64 / iterations as f64;
    println!(
        "{label}: member table {:.0} ns, serde derive {:.0} ns per read+write (CPU, median of {rounds} rounds of {iterations}); ratio {:.2}",
        per(generated),
        per(baseline),
        generated.as_secs_f64() / baseline.as_secs_f64()
    );
}

fn main() {
    let rounds = env_or("ROUNDS", 11);
    let iterations = env_or("ITERATIONS", 20_000);
    compare("named members only", NAMED, rounds, iterations);
    compare("full PDU, 12 unknown members", FULL, rounds, iterations);
}
