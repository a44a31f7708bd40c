//! (b) The generated clients against a server written with ruma, over 127.0.0.1.
//!
//! The server is plain axum: each handler turns the request into an `http::Request`,
//! verifies its `X-Matrix` signature with ruma's verifier, parses it with ruma's
//! `IncomingRequest` (path arguments percent-decoded, as ruma asks) and answers with
//! ruma's `OutgoingResponse`. The generated clients sign with ruma's signer through their
//! authorizer, and their answers must decode into the generated response enums. Room IDs
//! with `! : / + %`, user IDs with `+ / =` and room version 3 event IDs with `/` and `+`
//! travel both ways; the leave events ruma receives must still verify (content hash and
//! signature) after passing through the generated types.
//!
//! Where the two sides disagree: nowhere in this direction. The generated client escapes
//! `%` (and `/`, `+`, `:`, `!`) in path arguments, which is what the specification asks.

mod common;

use std::sync::{Arc, Mutex};

use axum::body::Body;
use axum::extract::{Request, State};
use axum::response::Response;
use common::{DESTINATION, Keys, ROOM_ID, ROOM_ID_WITH_PERCENT, USER_ID, serve};
use http::StatusCode;
use ruma_common::api::error::{Error as RumaError, ErrorBody, ErrorKind, StandardErrorBody};
use ruma_common::api::{IncomingRequestExt, OutgoingResponseExt};
use ruma_common::{RoomVersionId, api::OutgoingResponse};
use ruma_federation_api::membership::{create_leave_event, prepare_leave_event};
use serde_json::{Value, json};

/// What the ruma server parsed, as ruma prints it.
#[derive(Debug, Clone, PartialEq)]
enum Parsed {
    MakeLeave {
        room_id: String,
        user_id: String,
    },
    SendLeave {
        version: u8,
        room_id: String,
        event_id: String,
        pdu: Value,
    },
}

#[derive(Clone)]
struct RumaServer {
    keys: Arc<Keys>,
    parsed: Arc<Mutex<Vec<Parsed>>>,
    /// The room version whose rules a received event's hashes are checked with.
    room_version: Arc<Mutex<String>>,
}

const STRANGER: &str = "@stranger:leaving.example.org";

async fn handle(State(server): State<RumaServer>, request: Request) -> Response {
    let (parts, body) = request.into_parts();
    let body = axum::body::to_bytes(body, 1 << 20)
        .await
        .expect("a whole body")
        .to_vec();
    let request = http::Request::from_parts(parts, body);
    if let Err(reason) = server.keys.verify(&request) {
        return ruma_error(StatusCode::UNAUTHORIZED, ErrorKind::Unauthorized, reason);
    }
    // `/_matrix/federation/{version}/{endpoint}/{arg}/{arg}`
    let path = request.uri().path().to_string();
    let segments: Vec<&str> = path.trim_start_matches('/').split('/').collect();
    let args: Vec<String> = segments
        .iter()
        .skip(4)
        .map(|s| {
            percent_encoding::percent_decode_str(s)
                .decode_utf8()
                .expect("UTF-8")
                .into_owned()
        })
        .collect();
    let (parts, body) = request.into_parts();
    let request = http::Request::from_parts(parts, body.as_slice());
    match (segments.get(2).copied(), segments.get(3).copied()) {
        (Some("v1"), Some("make_leave")) => server.make_leave(request, &args),
        (Some("v2"), Some("send_leave")) => server.send_leave_v2(request, &args),
        (Some("v1"), Some("send_leave")) => server.send_leave_v1(request, &args),
        _ => ruma_error(
            StatusCode::NOT_FOUND,
            ErrorKind::Unrecognized,
            "no such endpoint".into(),
        ),
    }
}

impl RumaServer {
    fn record(&self, parsed: Parsed) {
        self.parsed.lock().expect("not poisoned").push(parsed);
    }

    fn make_leave(&self, request: http::Request<&[u8]>, args: &[String]) -> Response {
        let request = match prepare_leave_event::v1::Request::try_from_http_request(request, &as_strs(args)) {
            Ok(request) => request,
            Err(e) => return ruma_error(StatusCode::BAD_REQUEST, ErrorKind::BadJson, e.to_string()),
        };
        self.record(Parsed::MakeLeave {
            room_id: request.room_id.to_string(),
            user_id: request.user_id.to_string(),
        });
        if request.user_id == STRANGER {
            return ruma_error(
                StatusCode::FORBIDDEN,
                ErrorKind::Forbidden,
                "The user is not in the room.".into(),
            );
        }
        let template = json!({
            "type": "m.room.member",
            "state_key": request.user_id,
            "sender": request.user_id,
            "origin": DESTINATION,
            "origin_server_ts": 1_549_041_175_876_i64,
            "content": {"membership": "leave"},
            "room_id": request.room_id,
            "depth": 36,
        });
        let template = serde_json::value::to_raw_value(&template).expect("raw JSON");
        into_axum(prepare_leave_event::v1::Response::new(
            Some(RoomVersionId::V3),
            template,
        ))
    }

    /// The event as received, when its hashes and signature verify; else the refusal.
    fn received_event(&self, pdu: &serde_json::value::RawValue) -> Result<Value, Box<Response>> {
        let pdu: Value = serde_json::from_str(pdu.get()).expect("JSON");
        let room_version = self.room_version.lock().expect("not poisoned").clone();
        match self.keys.event_verifies(&pdu, &room_version) {
            Ok(()) => Ok(pdu),
            Err(reason) => Err(Box::new(ruma_error(
                StatusCode::FORBIDDEN,
                ErrorKind::Forbidden,
                reason,
            ))),
        }
    }

    fn send_leave_v2(&self, request: http::Request<&[u8]>, args: &[String]) -> Response {
        let request = match create_leave_event::v2::Request::try_from_http_request(request, &as_strs(args)) {
            Ok(request) => request,
            Err(e) => return ruma_error(StatusCode::BAD_REQUEST, ErrorKind::BadJson, e.to_string()),
        };
        let pdu = match self.received_event(&request.pdu) {
            Ok(pdu) => pdu,
            Err(refusal) => return *refusal,
        };
        self.record(Parsed::SendLeave {
            version: 2,
            room_id: request.room_id.to_string(),
            event_id: request.event_id.to_string(),
            pdu,
        });
        into_axum(create_leave_event::v2::Response::new())
    }

    #[allow(deprecated)] // send_leave v1: deprecated, still answered
    fn send_leave_v1(&self, request: http::Request<&[u8]>, args: &[String]) -> Response {
        use ruma_common_v17::api::{IncomingRequest as _, OutgoingResponse as _};
        use ruma_federation_api_v13::membership::create_leave_event::v1;

        let request = match v1::Request::try_from_http_request(request, args) {
            Ok(request) => request,
            Err(e) => return ruma_error(StatusCode::BAD_REQUEST, ErrorKind::BadJson, e.to_string()),
        };
        let pdu = match self.received_event(&request.pdu) {
            Ok(pdu) => pdu,
            Err(refusal) => return *refusal,
        };
        self.record(Parsed::SendLeave {
            version: 1,
            room_id: request.room_id.to_string(),
            event_id: request.event_id.to_string(),
            pdu,
        });
        v1::Response::new()
            .try_into_http_response::<Vec<u8>>()
            .expect("ruma 0.13 writes the response")
            .map(Body::from)
    }
}

fn as_strs(args: &[String]) -> Vec<&str> {
    args.iter().map(String::as_str).collect()
}

fn ruma_error(status: StatusCode, kind: ErrorKind, message: String) -> Response {
    let error = RumaError::new(status, ErrorBody::Standard(StandardErrorBody::new(kind, message)));
    into_axum(error)
}

fn into_axum(response: impl OutgoingResponse) -> Response {
    response
        .try_into_http_response::<Vec<u8>>()
        .expect("ruma writes the response")
        .map(Body::from)
}

struct Running {
    base_url: String,
    keys: Arc<Keys>,
    server: RumaServer,
}

impl Running {
    async fn start() -> Running {
        let keys = Arc::new(Keys::new());
        let server = RumaServer {
            keys: keys.clone(),
            parsed: Arc::default(),
            room_version: Arc::new(Mutex::new("3".into())),
        };
        let router = axum::Router::new().fallback(handle).with_state(server.clone());
        let address = serve(router).await;
        Running {
            base_url: format!("http://{address}"),
            keys,
            server,
        }
    }

    fn parsed(&self) -> Vec<Parsed> {
        std::mem::take(&mut *self.server.parsed.lock().expect("not poisoned"))
    }

    fn expect_room_version(&self, room_version: &str) {
        *self.server.room_version.lock().expect("not poisoned") = room_version.into();
    }

    /// The generated clients' authorizer: ruma's signer, for the destination the client names.
    fn authorizer(
        &self,
    ) -> impl Fn(AuthRequestParts<'_>) -> Result<String, Box<dyn std::error::Error + Send + Sync>> + Send + Sync + use<>
    {
        let keys = self.keys.clone();
        move |request: AuthRequestParts<'_>| {
            assert_eq!(request.destination, DESTINATION);
            Ok(keys.x_matrix_header(request.method, request.path_and_query, request.body))
        }
    }
}

/// The parts of the generated clients' `AuthRequest` the signer needs (both crates'
/// types have them).
struct AuthRequestParts<'a> {
    method: &'a str,
    path_and_query: &'a str,
    destination: &'a str,
    body: Option<&'a [u8]>,
}

mod seed {
    use matrix_federation_leave::client::{AuthRequest, Client, ClientSettings};
    use matrix_federation_leave::types::{
        MakeLeaveRequest, MakeLeaveResponse, SendLeaveOkBody, SendLeaveRequest, SendLeaveResponse,
    };

    use super::*;

    fn client(running: &Running) -> Client {
        let sign = running.authorizer();
        let settings =
            ClientSettings::default()
                .destination(DESTINATION)
                .authorizer(move |request: AuthRequest<'_>| {
                    sign(AuthRequestParts {
                        method: request.method,
                        path_and_query: request.path_and_query,
                        destination: request.destination,
                        body: request.body,
                    })
                });
        Client::with_settings(&running.base_url, settings).expect("a client")
    }

    #[tokio::test]
    async fn make_leave_v1_from_the_seed_client_to_ruma() {
        let running = Running::start().await;
        let client = client(&running);
        for room_id in [ROOM_ID, ROOM_ID_WITH_PERCENT] {
            let request = MakeLeaveRequest {
                room_id: room_id.into(),
                user_id: USER_ID.into(),
            };
            let MakeLeaveResponse::Ok(answer) = client.make_leave(&request).await.expect("an answer") else {
                panic!("expected the template")
            };
            assert_eq!(answer.room_version.as_deref(), Some("3"));
            let event = answer.event.expect("a template");
            assert_eq!((event.sender.as_str(), event.origin.as_str()), (USER_ID, DESTINATION));
            assert_eq!(event.content.membership, "leave");
            // Members the seed's schema does not name are kept.
            assert_eq!(event.extra.get("room_id"), Some(&json!(room_id)));
            assert_eq!(
                running.parsed(),
                vec![Parsed::MakeLeave {
                    room_id: room_id.into(),
                    user_id: USER_ID.into()
                }]
            );
        }
        let request = MakeLeaveRequest {
            room_id: ROOM_ID.into(),
            user_id: STRANGER.into(),
        };
        let MakeLeaveResponse::Forbidden(error) = client.make_leave(&request).await.expect("an answer") else {
            panic!("expected the 403")
        };
        assert_eq!(error.errcode, "M_FORBIDDEN");
        assert_eq!(error.error.as_deref(), Some("The user is not in the room."));
    }

    #[tokio::test]
    async fn send_leave_v1_from_the_seed_client_to_ruma_0_13() {
        let running = Running::start().await;
        let client = client(&running);
        for room_version in ["1", "3"] {
            running.expect_room_version(room_version);
            let (event, event_id) = running.keys.signed_leave(room_version);
            let request = SendLeaveRequest {
                room_id: ROOM_ID_WITH_PERCENT.into(),
                event_id: event_id.clone(),
                body: serde_json::from_value(event.clone()).expect("the event reads into the seed's type"),
            };
            let answer = client.send_leave(&request).await.expect("an answer");
            assert!(
                matches!(answer, SendLeaveResponse::Ok(SendLeaveOkBody(200, _))),
                "{answer:?}"
            );
            assert_eq!(
                running.parsed(),
                vec![Parsed::SendLeave {
                    version: 1,
                    room_id: ROOM_ID_WITH_PERCENT.into(),
                    event_id,
                    pdu: event
                }]
            );
        }
    }
}

mod current {
    use matrix_federation_leave_current::client::{AuthRequest, Client, ClientSettings};
    use matrix_federation_leave_current::types::{
        LeaveEventTemplateType, LeaveMembershipMembership, MakeLeaveRequest, MakeLeaveResponse, SendLeaveV1Answer,
        SendLeaveV1Request, SendLeaveV1Response, SendLeaveV2Request, SendLeaveV2Response,
    };

    use super::*;

    fn client(running: &Running) -> Client {
        let sign = running.authorizer();
        let settings =
            ClientSettings::default()
                .destination(DESTINATION)
                .authorizer(move |request: AuthRequest<'_>| {
                    sign(AuthRequestParts {
                        method: request.method,
                        path_and_query: request.path_and_query,
                        destination: request.destination,
                        body: request.body,
                    })
                });
        Client::with_settings(&running.base_url, settings).expect("a client")
    }

    #[tokio::test]
    async fn make_leave_v1_from_the_current_client_to_ruma() {
        let running = Running::start().await;
        let client = client(&running);
        for room_id in [ROOM_ID, ROOM_ID_WITH_PERCENT] {
            let request = MakeLeaveRequest {
                room_id: room_id.into(),
                user_id: USER_ID.into(),
            };
            let MakeLeaveResponse::Ok(answer) = client.make_leave(&request).await.expect("an answer") else {
                panic!("expected the template")
            };
            assert_eq!(answer.room_version.as_deref(), Some("3"));
            assert_eq!(answer.event.r#type, LeaveEventTemplateType::MRoomMember);
            assert_eq!(answer.event.content.membership, LeaveMembershipMembership::Leave);
            assert_eq!(answer.event.state_key, USER_ID);
            assert_eq!(answer.event.extra.get("depth"), Some(&json!(36)));
            assert_eq!(
                running.parsed(),
                vec![Parsed::MakeLeave {
                    room_id: room_id.into(),
                    user_id: USER_ID.into()
                }]
            );
        }
        let request = MakeLeaveRequest {
            room_id: ROOM_ID.into(),
            user_id: STRANGER.into(),
        };
        let MakeLeaveResponse::Forbidden(error) = client.make_leave(&request).await.expect("an answer") else {
            panic!("expected the 403")
        };
        assert_eq!(error.errcode, "M_FORBIDDEN");
    }

    #[tokio::test]
    async fn send_leave_v2_and_v1_from_the_current_client_to_ruma() {
        let running = Running::start().await;
        let client = client(&running);
        for room_version in ["1", "3"] {
            running.expect_room_version(room_version);
            let (event, event_id) = running.keys.signed_leave(room_version);
            let body = serde_json::from_value(event.clone()).expect("the event reads into the generated type");
            let v2 = SendLeaveV2Request {
                room_id: ROOM_ID_WITH_PERCENT.into(),
                event_id: event_id.clone(),
                body,
            };
            let answer = client.send_leave_v2(&v2).await.expect("an answer");
            assert!(matches!(answer, SendLeaveV2Response::Ok(_)), "{answer:?}");
            let v1 = SendLeaveV1Request {
                room_id: v2.room_id.clone(),
                event_id: v2.event_id.clone(),
                body: v2.body.clone(),
            };
            let answer = client.send_leave_v1(&v1).await.expect("an answer");
            assert!(
                matches!(answer, SendLeaveV1Response::Ok(SendLeaveV1Answer(200, _))),
                "{answer:?}"
            );
            let sent = |version| Parsed::SendLeave {
                version,
                room_id: ROOM_ID_WITH_PERCENT.into(),
                event_id: event_id.clone(),
                pdu: event.clone(),
            };
            assert_eq!(running.parsed(), vec![sent(2), sent(1)]);
        }
    }
}

/// A client that signs with a key the ruma server does not know gets ruma's 401, which
/// neither definition documents: the generated client reports it as undocumented, with
/// the status and body it received.
#[tokio::test]
async fn a_foreign_signature_is_refused_by_ruma() {
    use matrix_federation_leave_current::client::{AuthRequest, Client, ClientSettings};
    use matrix_federation_leave_current::types::MakeLeaveRequest;

    let running = Running::start().await;
    let impostor = Keys::new();
    let settings = ClientSettings::default()
        .destination(DESTINATION)
        .authorizer(move |request: AuthRequest<'_>| {
            Ok::<_, Box<dyn std::error::Error + Send + Sync>>(impostor.x_matrix_header(
                request.method,
                request.path_and_query,
                request.body,
            ))
        });
    let client = Client::with_settings(&running.base_url, settings).expect("a client");
    let request = MakeLeaveRequest {
        room_id: ROOM_ID.into(),
        user_id: USER_ID.into(),
    };
    let error = client.make_leave(&request).await.expect_err("ruma refuses");
    let received = error.received().expect("an answer was received");
    assert_eq!(received.status, 401);
    assert_eq!(running.parsed(), vec![]);
}
