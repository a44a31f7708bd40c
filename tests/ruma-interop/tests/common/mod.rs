//! What both directions share: the two servers' names and ed25519 keys, signed leave
//! events for several room versions, and the bridge between `http` requests (ruma's
//! currency) and HTTP over 127.0.0.1.

#![allow(dead_code)] // each test file uses its own part

use std::collections::BTreeMap;
use std::net::SocketAddr;

use ruma_common::CanonicalJsonObject;
use ruma_common::room_version_rules::RoomVersionRules;
use ruma_common::serde::Base64;
use ruma_federation_api::authentication::{XMatrix, XMatrixSigningInput};
use ruma_signatures::{Ed25519KeyPair, PublicKeyMap, Verified};
use serde_json::{Value, json};

/// The server whose user leaves: it signs requests and events.
pub const ORIGIN: &str = "leaving.example.org";
/// The resident server that is asked: requests name it as their destination.
pub const DESTINATION: &str = "resident.example.org";
pub const KEY_VERSION: &str = "a_XyZ";

/// A room ID with characters that must survive a path: `!`, `:`, `/` and `+`.
pub const ROOM_ID: &str = "!sLfb/Qz+lx:matrix.org";
/// A room ID with a `%` as well, which ruma 0.16's client does not escape (see the tests).
pub const ROOM_ID_WITH_PERCENT: &str = "!100%real/Qz+x:matrix.org";
/// A user ID with a `+`, `/` and `=` (historical user IDs allow them).
pub const USER_ID: &str = "@someone+tag/x=y:leaving.example.org";

/// The leaving server's key, as ruma signs with it (0.22), and the same key for 0.19.
pub struct Keys {
    pub pair: Ed25519KeyPair,
    pub pair_v19: ruma_signatures_v19::Ed25519KeyPair,
    pub public: PublicKeyMap,
}

impl Keys {
    pub fn new() -> Keys {
        let document = Ed25519KeyPair::generate();
        let pair = Ed25519KeyPair::from_der(&document, KEY_VERSION.into()).expect("the key reads back");
        let pair_v19 =
            ruma_signatures_v19::Ed25519KeyPair::from_der(&document, KEY_VERSION.into()).expect("0.19 reads the key");
        let mut keys = BTreeMap::new();
        keys.insert(
            format!("ed25519:{KEY_VERSION}"),
            Base64::new(pair.public_key().to_vec()),
        );
        let mut public = PublicKeyMap::new();
        public.insert(ORIGIN.to_string(), keys);
        Keys { pair, pair_v19, public }
    }

    pub fn signing_input(&self) -> XMatrixSigningInput<'_> {
        XMatrixSigningInput::new(
            ORIGIN.try_into().expect("a server name"),
            DESTINATION.try_into().expect("a server name"),
            &self.pair,
        )
    }

    /// The `X-Matrix` header ruma writes for a request, as the generated client's authorizer.
    pub fn x_matrix_header(&self, method: &str, path_and_query: &str, body: Option<&[u8]>) -> String {
        let request = http_request(method, path_and_query, body.unwrap_or_default().to_vec(), &[]);
        let header = XMatrix::sign_http_request(&request, self.signing_input()).expect("ruma signs the request");
        http::HeaderValue::from(&header)
            .to_str()
            .expect("an ASCII header")
            .to_string()
    }

    /// Checks a request's `X-Matrix` header with ruma's verifier, as the resident server
    /// would: it must be for [`DESTINATION`] and signed by [`ORIGIN`]'s key.
    pub fn verify<T: AsRef<[u8]>>(&self, request: &http::Request<T>) -> Result<String, String> {
        let header = XMatrix::extract_from_http_headers(request.headers()).map_err(|e| e.to_string())?;
        header
            .verify_http_request(request, DESTINATION.try_into().expect("a server name"), &self.public)
            .map_err(|e| e.to_string())?;
        Ok(header.origin.to_string())
    }

    /// A leave event as `room_version` writes it, hashed and signed by [`ORIGIN`], and
    /// its event ID (for room version 3 on, the reference hash, which may hold `/` and `+`).
    pub fn signed_leave(&self, room_version: &str) -> (Value, String) {
        let rules = rules(room_version);
        // The reference hash does not depend on the key: the first timestamp whose event ID
        // has both `/` and `+` is the same on every run.
        for ts in 1_549_041_175_876_i64.. {
            let mut event = json!({
                "type": "m.room.member",
                "room_id": ROOM_ID,
                "sender": USER_ID,
                "state_key": USER_ID,
                "origin": ORIGIN,
                "origin_server_ts": ts,
                "depth": 35,
                "content": {"membership": "leave", "reason": "moving on", "com.example.note": [1, "two", null, {"nested": true}]},
                "auth_events": [],
                "prev_events": [],
                "unsigned": {"age_ts": ts},
            });
            if room_version == "1" {
                event["event_id"] = json!(format!("$leave{ts}:{ORIGIN}"));
                event["auth_events"] = json!([["$create:matrix.org", {"sha256": "dGhlIGNyZWF0ZSBldmVudA"}]]);
                event["prev_events"] = json!([["$join:leaving.example.org", {"sha256": "dGhlIGpvaW4gZXZlbnQ"}]]);
            } else {
                event["auth_events"] = json!(["$Zm9vYmFyYmF6cXV4MTIzNDU2Nzg5MGFiY2RlZmdoaWo"]);
                event["prev_events"] = json!(["$cXV1eDEyMzQ1Njc4OTBhYmNkZWZnaGlqZm9vYmFyYmF6"]);
            }
            let mut object = canonical(&event);
            ruma_signatures::hash_and_sign_event(ORIGIN, &self.pair, &mut object, &rules.redaction)
                .expect("ruma hashes and signs the event");
            let event_id = match room_version {
                "1" => event["event_id"].as_str().expect("a string").to_string(),
                _ => format!(
                    "${}",
                    ruma_signatures::reference_hash(&object, &rules).expect("a reference hash")
                ),
            };
            if room_version == "1" || (event_id.contains('/') && event_id.contains('+')) {
                return (serde_json::to_value(&object).expect("JSON"), event_id);
            }
        }
        unreachable!("some timestamp gives an event ID with `/` and `+`")
    }

    /// Whether the event's content hash and [`ORIGIN`]'s signature still verify.
    pub fn event_verifies(&self, event: &Value, room_version: &str) -> Result<(), String> {
        match ruma_signatures::verify_event(&self.public, &canonical(event), &rules(room_version)) {
            Ok(Verified::All) => Ok(()),
            Ok(Verified::Signatures) => Err("the signatures verify but the content hash does not".into()),
            Err(e) => Err(e.to_string()),
        }
    }
}

pub fn rules(room_version: &str) -> RoomVersionRules {
    ruma_common::RoomVersionId::try_from(room_version)
        .expect("a room version")
        .rules()
        .expect("ruma knows the room version")
}

pub fn canonical(value: &Value) -> CanonicalJsonObject {
    serde_json::from_value(value.clone()).expect("a canonical JSON object")
}

/// An `http::Request` as ruma handles them.
pub fn http_request(
    method: &str,
    path_and_query: &str,
    body: Vec<u8>,
    headers: &[(&str, &str)],
) -> http::Request<Vec<u8>> {
    let mut request = http::Request::builder().method(method).uri(path_and_query);
    for (name, value) in headers {
        request = request.header(*name, *value);
    }
    request.body(body).expect("a valid request")
}

/// Sends an `http::Request` (ruma's output) over 127.0.0.1 and hands back the answer as
/// an `http::Response` (ruma's input).
pub async fn send(request: http::Request<Vec<u8>>) -> http::Response<Vec<u8>> {
    let request = reqwest::Request::try_from(request).expect("reqwest takes an http request");
    let response = reqwest::Client::new()
        .execute(request)
        .await
        .expect("the server answers");
    let mut builder = http::Response::builder().status(response.status().as_u16());
    for (name, value) in response.headers() {
        builder = builder.header(name.as_str(), value.as_bytes());
    }
    let body = response.bytes().await.expect("a whole body").to_vec();
    builder.body(body).expect("a valid response")
}

/// The answer with its body borrowed, as ruma's `IncomingResponse` reads it.
pub fn borrowed(response: &http::Response<Vec<u8>>) -> http::Response<&[u8]> {
    let mut builder = http::Response::builder().status(response.status());
    for (name, value) in response.headers() {
        builder = builder.header(name, value);
    }
    builder.body(response.body().as_slice()).expect("a valid response")
}

/// Serves `router` on a free port of 127.0.0.1; the task ends with the test's runtime.
pub async fn serve(router: axum::Router) -> SocketAddr {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("a free port");
    let address = listener.local_addr().expect("a bound address");
    tokio::spawn(async move { axum::serve(listener, router).await.expect("the server runs") });
    address
}

/// The request the generated server's `authenticate` sees, as an `http::Request` that
/// ruma's verifier takes.
pub fn as_http(method: &str, path_and_query: &str, headers: &http::HeaderMap, body: &[u8]) -> http::Request<Vec<u8>> {
    let mut request = http_request(method, path_and_query, body.to_vec(), &[]);
    *request.headers_mut() = headers.clone();
    request
}
