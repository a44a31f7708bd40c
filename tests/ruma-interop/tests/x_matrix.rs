//! The `x-matrix` feature of a generated Matrix crate against ruma-signatures, both ways:
//! canonical JSON byte for byte, JSON signatures, and `X-Matrix` request signatures over
//! real HTTP on 127.0.0.1 (our signer as the generated client's authorizer, ruma's
//! verifier on the other side; ruma's signed requests checked by `x_matrix::authenticate`
//! in the generated server).

mod common;

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};

use axum::extract::Request;
use common::{DESTINATION, Keys, ORIGIN, ROOM_ID, USER_ID, send, serve};
use matrix_federation_leave_current::x_matrix::{
    self, KeyStore, ServerKey, StaticKeys, XMatrixHeader, XMatrixSigner, canonical_json,
};
use ruma_common::api::OutgoingRequestExt;
use ruma_common::serde::Base64;
use ruma_common::{CanonicalJsonValue, RoomId, UserId};
use ruma_federation_api::authentication::XMatrix;
use ruma_federation_api::membership::prepare_leave_event;
use ruma_signatures::{Ed25519KeyPair, PublicKeyMap};
use serde_json::{Value, json};

const SEED: [u8; 32] = *b"a seed of thirty-two bytes here!";
const VERSION: &str = "k9";

/// Our key for [`ORIGIN`], and the public key map ruma verifies it with.
fn our_key() -> (ServerKey, PublicKeyMap) {
    let key = ServerKey::from_seed(ORIGIN, VERSION, &SEED);
    let mut keys = BTreeMap::new();
    keys.insert(
        key.key_id().to_string(),
        Base64::parse(key.public_key_base64()).expect("our public key is base64"),
    );
    let mut public = PublicKeyMap::new();
    public.insert(ORIGIN.to_string(), keys);
    (key, public)
}

/// Values whose canonical form needs care: key order by code point (not UTF-16), control
/// characters, non-ASCII text left unescaped, nesting, the integer limits.
fn awkward_values() -> Vec<Value> {
    vec![
        json!({"b": 1, "a": [true, false, null], "A": {"z": "", "é": "ü", "\u{1F600}": "\u{FFFF}"}}),
        json!({"text": "tab\tnew\nline\r\u{1}\u{1f}\u{7f} \"quoted\" back\\slash / \u{2028}"}),
        json!({"min": -9_007_199_254_740_991_i64, "max": 9_007_199_254_740_991_i64, "zero": 0, "neg": -1}),
        json!({"\u{FB01}": 1, "\u{10000}": 2, "\u{E000}": 3, "": 4, "nested": {"deep": [[{"k": [1, {"y": 2, "x": 1}]}]]}}),
        json!([1, "two", {"three": 3}]),
    ]
}

#[test]
fn canonical_json_is_ruma_s_byte_for_byte() {
    for value in awkward_values() {
        let ruma: CanonicalJsonValue = serde_json::from_value(value.clone()).expect("ruma reads it");
        assert_eq!(canonical_json(&value).expect("canonical"), ruma.to_string(), "{value}");
    }
}

#[test]
fn canonical_json_refuses_what_the_specification_refuses() {
    for value in [
        json!({"f": 1.5}),
        json!({"big": 9_007_199_254_740_992_i64}),
        json!([-9_007_199_254_740_992_i64]),
    ] {
        assert!(canonical_json(&value).is_err(), "{value}");
        assert!(
            serde_json::from_value::<CanonicalJsonValue>(value.clone()).is_err(),
            "ruma too: {value}"
        );
    }
}

#[test]
fn json_signed_by_us_verifies_with_ruma_and_the_other_way() {
    let (key, public) = our_key();
    for value in awkward_values().into_iter().filter(Value::is_object) {
        let mut ours = value.clone();
        ours["unsigned"] = json!({"age": 5});
        key.sign_json(&mut ours).expect("we sign it");
        let object = common::canonical(&ours);
        ruma_signatures::verify_json(&public, &object).expect("ruma verifies our signature");

        let pair = Ed25519KeyPair::from_der(&pkcs8(&SEED), VERSION.into()).expect("ruma takes the seed");
        let mut theirs = common::canonical(&value);
        ruma_signatures::sign_json(ORIGIN, &pair, &mut theirs).expect("ruma signs it");
        let theirs = serde_json::to_value(&theirs).expect("JSON");
        assert_eq!(
            theirs["signatures"], ours["signatures"],
            "ed25519 is deterministic: the same signature"
        );
        x_matrix::verify_json(&theirs, ORIGIN, key.key_id(), &key.verifying_key()).expect("we verify ruma's");
        let mut tampered = theirs.clone();
        tampered["tampered"] = json!(true);
        assert!(x_matrix::verify_json(&tampered, ORIGIN, key.key_id(), &key.verifying_key()).is_err());
    }
}

/// A PKCS#8 v1 document holding an ed25519 seed, as ruma's `Ed25519KeyPair::from_der` reads.
fn pkcs8(seed: &[u8; 32]) -> Vec<u8> {
    let mut der = vec![
        0x30, 0x2e, 0x02, 0x01, 0x00, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x70, 0x04, 0x22, 0x04, 0x20,
    ];
    der.extend_from_slice(seed);
    der
}

#[test]
fn header_parameters_quoted_or_not_in_any_order() {
    let header = XMatrixHeader::parse(
        r#"X-Matrix key="ed25519:a_b",sig=AbC+/d, origin=origin.example.org:8448 , destination="dest.example.org""#,
    )
    .expect("parses");
    assert_eq!(header.origin, "origin.example.org:8448");
    assert_eq!(header.destination.as_deref(), Some("dest.example.org"));
    assert_eq!(header.key, "ed25519:a_b");
    assert_eq!(header.sig, "AbC+/d");
    for bad in [
        "Bearer abc",
        "X-Matrix origin=a,key=\"ed25519:x\"",
        "X-Matrix origin=\"a,key=b",
    ] {
        assert!(XMatrixHeader::parse(bad).is_err(), "{bad}");
    }
}

/// Our signer as the generated client's authorizer; ruma verifies every request it sends.
#[tokio::test]
async fn requests_signed_by_our_signer_verify_with_ruma() {
    let (key, public) = our_key();
    let verified: Arc<Mutex<Vec<Result<String, String>>>> = Arc::default();
    let seen = verified.clone();
    let router = axum::Router::new().fallback(move |request: Request| {
        let seen = seen.clone();
        let public = public.clone();
        async move {
            let (parts, body) = request.into_parts();
            let body = axum::body::to_bytes(body, 1 << 20).await.expect("a body").to_vec();
            let request = http::Request::from_parts(parts, body);
            let outcome = XMatrix::extract_from_http_headers(request.headers())
                .map_err(|e| e.to_string())
                .and_then(|header| {
                    header
                        .verify_http_request(&request, DESTINATION.try_into().expect("a server name"), &public)
                        .map(|()| header.origin.to_string())
                        .map_err(|e| e.to_string())
                });
            seen.lock().expect("not poisoned").push(outcome);
            let body = json!({"errcode": "M_FORBIDDEN", "error": "only checking signatures"}).to_string();
            (
                http::StatusCode::FORBIDDEN,
                [(http::header::CONTENT_TYPE, "application/json")],
                body,
            )
        }
    });
    let address = serve(router).await;
    use matrix_federation_leave_current::client::{Client, ClientSettings};
    use matrix_federation_leave_current::types::{MakeLeaveRequest, MakeLeaveResponse, SendLeaveV2Request};
    let settings = ClientSettings::default()
        .destination(DESTINATION)
        .authorizer(XMatrixSigner::new(key));
    let client = Client::with_settings(&format!("http://{address}"), settings).expect("a client");
    let answer = client
        .make_leave(&MakeLeaveRequest {
            room_id: ROOM_ID.into(),
            user_id: USER_ID.into(),
        })
        .await
        .expect("an answer");
    assert!(matches!(answer, MakeLeaveResponse::Forbidden(_)), "{answer:?}");
    let event = json!({"type": "m.room.member", "content": {"membership": "leave", "note": "ünïcode"}, "sender": USER_ID, "state_key": USER_ID, "room_id": ROOM_ID, "origin_server_ts": 1, "depth": 3, "auth_events": [], "prev_events": []});
    let body = serde_json::from_value(event).expect("a leave event");
    let _ = client
        .send_leave_v2(&SendLeaveV2Request {
            room_id: ROOM_ID.into(),
            event_id: "$abc/def+ghi".into(),
            body,
        })
        .await;
    assert_eq!(
        *verified.lock().expect("not poisoned"),
        vec![Ok(ORIGIN.to_string()), Ok(ORIGIN.to_string())]
    );
}

mod verifying_server {
    use matrix_federation_leave_current::server::{AuthRequest, MatrixFederationLeaveApi, Rejection};
    use matrix_federation_leave_current::types::{
        EmptyObject, MakeLeaveRequest, MakeLeaveResponse, MatrixError, SendLeaveV1Answer, SendLeaveV1Request,
        SendLeaveV1Response, SendLeaveV2Request, SendLeaveV2Response,
    };

    use super::*;

    /// A resident server whose `authenticate` is the one line the feature promises.
    pub struct Resident {
        pub keys: StaticKeys,
    }

    impl MatrixFederationLeaveApi for Resident {
        type Principal = String;

        async fn authenticate(&self, request: AuthRequest<'_>) -> Result<String, Rejection> {
            x_matrix::authenticate(&request, DESTINATION, &self.keys).await
        }

        async fn make_leave(&self, _request: MakeLeaveRequest, origin: String) -> MakeLeaveResponse {
            MakeLeaveResponse::Forbidden(MatrixError {
                errcode: "M_FORBIDDEN".into(),
                error: Some(format!("verified as {origin}")),
                extra: Default::default(),
            })
        }

        async fn send_leave_v1(&self, _request: SendLeaveV1Request, _origin: String) -> SendLeaveV1Response {
            SendLeaveV1Response::Ok(SendLeaveV1Answer(200, EmptyObject {}))
        }

        async fn send_leave_v2(&self, _request: SendLeaveV2Request, _origin: String) -> SendLeaveV2Response {
            SendLeaveV2Response::Ok(EmptyObject {})
        }
    }
}

/// ruma's signed requests, checked by `x_matrix::authenticate` in the generated server;
/// a request signed by another key, or for another destination, is refused with 401.
#[tokio::test]
async fn requests_signed_by_ruma_verify_with_x_matrix_authenticate() {
    let keys = Keys::new();
    let public = keys.pair.public_key();
    let store = StaticKeys::new()
        .with_base64(
            ORIGIN,
            format!("ed25519:{}", common::KEY_VERSION),
            &x_matrix::encode_base64(&public),
        )
        .expect("a key");
    assert!(store.key(ORIGIN, "ed25519:other").await.expect("no failure").is_none());
    let router = matrix_federation_leave_current::server::router(verifying_server::Resident { keys: store });
    let address = serve(router).await;
    let base_url = format!("http://{address}");
    let request = prepare_leave_event::v1::Request::new(
        RoomId::parse(ROOM_ID).expect("a room ID"),
        UserId::parse(USER_ID).expect("a user ID"),
    );
    let signed = request
        .clone()
        .try_into_http_request::<Vec<u8>>(&base_url, keys.signing_input(), ())
        .expect("ruma builds and signs the request");
    let response = send(signed).await;
    assert_eq!(response.status(), 403);
    let body: Value = serde_json::from_slice(response.body()).expect("JSON");
    assert_eq!(body["error"], format!("verified as {ORIGIN}"));

    // Another key under the same ID, and another destination: 401, and the reason.
    let impostor = Keys::new();
    let signed = request
        .clone()
        .try_into_http_request::<Vec<u8>>(&base_url, impostor.signing_input(), ())
        .expect("ruma signs");
    let response = send(signed).await;
    assert_eq!(response.status(), 401);
    let body: Value = serde_json::from_slice(response.body()).expect("JSON");
    assert_eq!(body["errcode"], "M_UNAUTHORIZED");
    assert_eq!(body["error"], "the signature does not verify");

    let elsewhere = ruma_federation_api::authentication::XMatrixSigningInput::new(
        ORIGIN.try_into().expect("a server name"),
        "elsewhere.example.org".try_into().expect("a server name"),
        &keys.pair,
    );
    let signed = request
        .try_into_http_request::<Vec<u8>>(&base_url, elsewhere, ())
        .expect("ruma signs");
    let response = send(signed).await;
    assert_eq!(response.status(), 401);
    let body: Value = serde_json::from_slice(response.body()).expect("JSON");
    assert!(
        body["error"]
            .as_str()
            .is_some_and(|e| e.contains("elsewhere.example.org")),
        "{body}"
    );
}
