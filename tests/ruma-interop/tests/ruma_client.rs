//! (a) ruma's client against the generated servers, over 127.0.0.1.
//!
//! ruma builds each request (`OutgoingRequest`) and signs it with a real ed25519 key; the
//! generated router serves it, its `authenticate` checks the signature with ruma's
//! verifier, and the handler records what it decoded. ruma then reads the answer
//! (`IncomingResponse`): the 200s and the 403. Every exchange both sides have, for the
//! seed's crate (make_leave v1, send_leave v1) and today's (make_leave v1, send_leave v1
//! and v2). send_leave v1 comes from ruma-federation-api 0.13, the last release with it.
//!
//! Where the two sides disagree, and who is right by the specification:
//! - ruma 0.16 (and 0.13) writes a `%` in a path argument as it is, not as `%25`
//!   (`path_percent_is_not_escaped_by_ruma`). The server-server API puts IDs into the
//!   path percent-encoded (RFC 3986), and a room ID may contain `%`: ruma is wrong, the
//!   generated server reads the request as sent and answers 400 `M_INVALID_PARAM` for a
//!   `%` that does not start an escape.

mod common;

use std::sync::{Arc, Mutex};

use common::{DESTINATION, Keys, ORIGIN, ROOM_ID, ROOM_ID_WITH_PERCENT, USER_ID, as_http, borrowed, send, serve};
use ruma_common::api::error::{ErrorBody, ErrorKind, FromHttpResponseError};
use ruma_common::api::{IncomingResponseExt, OutgoingRequestExt};
use ruma_common::{EventId, RoomId, UserId};
use ruma_federation_api::membership::{create_leave_event, prepare_leave_event};
use serde_json::{Value, json};

/// What a generated server's handler decoded, in wire form.
#[derive(Debug, Clone, PartialEq)]
enum Seen {
    MakeLeave {
        room_id: String,
        user_id: String,
    },
    SendLeave {
        version: u8,
        room_id: String,
        event_id: String,
        body: Value,
    },
}

/// The resident server behind both generated routers: verifies with ruma, records.
struct Resident {
    keys: Arc<Keys>,
    seen: Arc<Mutex<Vec<Seen>>>,
}

impl Resident {
    fn authenticate(
        &self,
        method: &str,
        path_and_query: &str,
        headers: &http::HeaderMap,
        body: &[u8],
    ) -> Result<String, String> {
        let origin = self.keys.verify(&as_http(method, path_and_query, headers, body))?;
        Ok(origin)
    }

    fn record(&self, seen: Seen) {
        self.seen.lock().expect("not poisoned").push(seen);
    }
}

mod seed {
    use matrix_federation_leave::server::{AuthRequest, MatrixFederationLeaveRoomApi, Rejection};
    use matrix_federation_leave::types::{
        EmptyObject, Error, EventTemplate, MakeLeaveOkBody, MakeLeaveRequest, MakeLeaveResponse,
        MembershipEventContent, SendLeaveOkBody, SendLeaveRequest, SendLeaveResponse,
    };

    use super::*;

    impl MatrixFederationLeaveRoomApi for Resident {
        type Principal = String;

        async fn authenticate(&self, request: AuthRequest<'_>) -> Result<String, Rejection> {
            Resident::authenticate(
                self,
                request.method.as_str(),
                request.path_and_query,
                request.headers,
                request.body,
            )
            .map_err(Rejection::unauthorized)
        }

        async fn make_leave(&self, request: MakeLeaveRequest, origin: String) -> MakeLeaveResponse {
            assert_eq!(origin, ORIGIN);
            self.record(Seen::MakeLeave {
                room_id: request.room_id.clone(),
                user_id: request.user_id.clone(),
            });
            if request.user_id != USER_ID {
                return MakeLeaveResponse::Forbidden(Error {
                    errcode: "M_FORBIDDEN".into(),
                    error: Some("The user is not in the room.".into()),
                    extra: Default::default(),
                });
            }
            MakeLeaveResponse::Ok(MakeLeaveOkBody {
                room_version: Some("2".into()),
                event: Some(EventTemplate {
                    sender: request.user_id.clone(),
                    origin: DESTINATION.into(),
                    origin_server_ts: 1_549_041_175_876,
                    r#type: "m.room.member".into(),
                    state_key: request.user_id,
                    content: MembershipEventContent {
                        membership: "leave".into(),
                        extra: Default::default(),
                    },
                    extra: Default::default(),
                }),
                extra: Default::default(),
            })
        }

        async fn send_leave(&self, request: SendLeaveRequest, _origin: String) -> SendLeaveResponse {
            let body = serde_json::to_value(&request.body).expect("the body writes back");
            self.record(Seen::SendLeave {
                version: 1,
                room_id: request.room_id,
                event_id: request.event_id,
                body,
            });
            SendLeaveResponse::Ok(SendLeaveOkBody(
                200,
                EmptyObject {
                    extra: Default::default(),
                },
            ))
        }
    }
}

mod current {
    use matrix_federation_leave_current::server::{AuthRequest, MatrixFederationLeaveApi, Rejection};
    use matrix_federation_leave_current::types::{
        EmptyObject, LeaveEventTemplate, LeaveEventTemplateType, LeaveMembership, LeaveMembershipMembership,
        MakeLeaveAnswer, MakeLeaveRequest, MakeLeaveResponse, MatrixError, SendLeaveV1Answer, SendLeaveV1Request,
        SendLeaveV1Response, SendLeaveV2Request, SendLeaveV2Response,
    };

    use super::*;

    impl MatrixFederationLeaveApi for Resident {
        type Principal = String;

        async fn authenticate(&self, request: AuthRequest<'_>) -> Result<String, Rejection> {
            Resident::authenticate(
                self,
                request.method.as_str(),
                request.path_and_query,
                request.headers,
                request.body,
            )
            .map_err(Rejection::unauthorized)
        }

        async fn make_leave(&self, request: MakeLeaveRequest, origin: String) -> MakeLeaveResponse {
            assert_eq!(origin, ORIGIN);
            self.record(Seen::MakeLeave {
                room_id: request.room_id.clone(),
                user_id: request.user_id.clone(),
            });
            if request.user_id != USER_ID {
                return MakeLeaveResponse::Forbidden(MatrixError {
                    errcode: "M_FORBIDDEN".into(),
                    error: Some("The user is not in the room.".into()),
                    extra: Default::default(),
                });
            }
            MakeLeaveResponse::Ok(MakeLeaveAnswer {
                room_version: Some("3".into()),
                event: LeaveEventTemplate {
                    r#type: LeaveEventTemplateType::MRoomMember,
                    state_key: request.user_id.clone(),
                    sender: request.user_id,
                    origin: Some(DESTINATION.into()),
                    origin_server_ts: 1_549_041_175_876,
                    content: LeaveMembership {
                        membership: LeaveMembershipMembership::Leave,
                        reason: None,
                        extra: Default::default(),
                    },
                    extra: Default::default(),
                },
                extra: Default::default(),
            })
        }

        async fn send_leave_v1(&self, request: SendLeaveV1Request, _origin: String) -> SendLeaveV1Response {
            let body = serde_json::to_value(&request.body).expect("the body writes back");
            self.record(Seen::SendLeave {
                version: 1,
                room_id: request.room_id,
                event_id: request.event_id,
                body,
            });
            SendLeaveV1Response::Ok(SendLeaveV1Answer(200, EmptyObject {}))
        }

        async fn send_leave_v2(&self, request: SendLeaveV2Request, _origin: String) -> SendLeaveV2Response {
            let body = serde_json::to_value(&request.body).expect("the body writes back");
            self.record(Seen::SendLeave {
                version: 2,
                room_id: request.room_id,
                event_id: request.event_id,
                body,
            });
            SendLeaveV2Response::Ok(EmptyObject {})
        }
    }
}

/// Which generated crate serves.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Crate {
    Seed,
    Current,
}

struct Running {
    base_url: String,
    keys: Arc<Keys>,
    seen: Arc<Mutex<Vec<Seen>>>,
}

impl Running {
    async fn start(which: Crate) -> Running {
        let keys = Arc::new(Keys::new());
        let seen = Arc::new(Mutex::new(Vec::new()));
        let resident = Resident {
            keys: keys.clone(),
            seen: seen.clone(),
        };
        let router = match which {
            Crate::Seed => matrix_federation_leave::server::router(resident),
            Crate::Current => matrix_federation_leave_current::server::router(resident),
        };
        let address = serve(router).await;
        Running {
            base_url: format!("http://{address}"),
            keys,
            seen,
        }
    }

    fn seen(&self) -> Vec<Seen> {
        std::mem::take(&mut *self.seen.lock().expect("not poisoned"))
    }
}

fn make_leave_request(room_id: &str, user_id: &str) -> prepare_leave_event::v1::Request {
    prepare_leave_event::v1::Request::new(
        RoomId::parse(room_id).expect("ruma reads the room ID"),
        UserId::parse(user_id).expect("ruma reads the user ID"),
    )
}

async fn make_leave_both_ways(which: Crate) {
    let server = Running::start(which).await;
    let request = make_leave_request(ROOM_ID, USER_ID)
        .try_into_http_request::<Vec<u8>>(&server.base_url, server.keys.signing_input(), ())
        .expect("ruma writes the request");
    let answer = send(request).await;
    assert_eq!(answer.status(), 200, "{:?}", String::from_utf8_lossy(answer.body()));
    let response = prepare_leave_event::v1::Response::try_from_http_response(borrowed(&answer))
        .unwrap_or_else(|e| panic!("ruma reads the 200: {e}"));
    let expected_version = if which == Crate::Seed { "2" } else { "3" };
    assert_eq!(
        response.room_version.as_ref().map(|v| v.as_str()),
        Some(expected_version)
    );
    let event: Value = serde_json::from_str(response.event.get()).expect("the template is JSON");
    assert_eq!(event["type"], "m.room.member");
    assert_eq!(event["state_key"], USER_ID);
    assert_eq!(event["content"], json!({"membership": "leave"}));
    assert_eq!(
        server.seen(),
        vec![Seen::MakeLeave {
            room_id: ROOM_ID.into(),
            user_id: USER_ID.into()
        }]
    );

    // A user the resident server does not know: 403, which ruma reads as M_FORBIDDEN.
    let stranger = "@stranger:leaving.example.org";
    let request = make_leave_request(ROOM_ID, stranger)
        .try_into_http_request::<Vec<u8>>(&server.base_url, server.keys.signing_input(), ())
        .expect("ruma writes the request");
    let answer = send(request).await;
    assert_eq!(answer.status(), 403);
    match prepare_leave_event::v1::Response::try_from_http_response(borrowed(&answer)) {
        Err(FromHttpResponseError::Server(error)) => {
            assert_eq!(error.status_code, 403);
            let ErrorBody::Standard(body) = error.body else {
                panic!("ruma did not read a Matrix error body: {:?}", error.body)
            };
            assert!(matches!(body.kind, ErrorKind::Forbidden), "{:?}", body.kind);
            assert_eq!(body.message, "The user is not in the room.");
        }
        other => panic!("expected ruma to read a 403 error, got {other:?}"),
    }
}

async fn send_leave_v2(server: &Running, room_version: &str) {
    let (event, event_id) = server.keys.signed_leave(room_version);
    let pdu = serde_json::value::to_raw_value(&event).expect("raw JSON");
    let request = create_leave_event::v2::Request::new(
        RoomId::parse(ROOM_ID).expect("a room ID"),
        EventId::parse(&event_id).expect("ruma reads the event ID"),
        pdu,
    )
    .try_into_http_request::<Vec<u8>>(&server.base_url, server.keys.signing_input(), ())
    .expect("ruma writes the request");
    let answer = send(request).await;
    assert_eq!(answer.status(), 200, "{:?}", String::from_utf8_lossy(answer.body()));
    assert_eq!(answer.body(), b"{}");
    create_leave_event::v2::Response::try_from_http_response(borrowed(&answer)).expect("ruma reads the 200");
    let seen = server.seen();
    let [
        Seen::SendLeave {
            version: 2,
            room_id,
            event_id: seen_id,
            body,
        },
    ] = seen.as_slice()
    else {
        panic!("the handler saw {seen:?}")
    };
    assert_eq!((room_id.as_str(), seen_id.as_str()), (ROOM_ID, event_id.as_str()));
    // Through the generated types and back, the event is what ruma signed: unknown
    // members kept, its content hash and signature still verify.
    assert_eq!(body, &event);
    server
        .keys
        .event_verifies(body, room_version)
        .unwrap_or_else(|e| panic!("room version {room_version}: {e}"));
}

#[allow(deprecated)] // send_leave v1 is deprecated, and still served
async fn send_leave_v1(server: &Running, room_version: &str) {
    use ruma_common_v17::api::{IncomingResponse as _, OutgoingRequest as _};
    use ruma_federation_api_v13::authentication::ServerSignaturesInput;
    use ruma_federation_api_v13::membership::create_leave_event::v1;

    let (event, event_id) = server.keys.signed_leave(room_version);
    let input = ServerSignaturesInput::new(
        ORIGIN.try_into().expect("a server name"),
        DESTINATION.try_into().expect("a server name"),
        &server.keys.pair_v19,
    );
    let request = v1::Request::new(
        ruma_common_v17::RoomId::parse(ROOM_ID).expect("a room ID"),
        ruma_common_v17::EventId::parse(&event_id).expect("ruma reads the event ID"),
        serde_json::value::to_raw_value(&event).expect("raw JSON"),
    )
    .try_into_http_request::<Vec<u8>>(&server.base_url, input, ())
    .expect("ruma 0.13 writes the request");
    let answer = send(request).await;
    assert_eq!(answer.status(), 200, "{:?}", String::from_utf8_lossy(answer.body()));
    let written: Value = serde_json::from_slice(answer.body()).expect("JSON");
    assert_eq!(written, json!([200, {}]));
    v1::Response::try_from_http_response(borrowed(&answer)).expect("ruma 0.13 reads `[200, {}]`");
    let seen = server.seen();
    let [Seen::SendLeave { version: 1, body, .. }] = seen.as_slice() else {
        panic!("the handler saw {seen:?}")
    };
    assert_eq!(body, &event);
    server
        .keys
        .event_verifies(body, room_version)
        .unwrap_or_else(|e| panic!("room version {room_version}: {e}"));
}

#[tokio::test]
async fn make_leave_v1_from_ruma_to_the_seed_crate() {
    make_leave_both_ways(Crate::Seed).await;
}

#[tokio::test]
async fn make_leave_v1_from_ruma_to_the_current_crate() {
    make_leave_both_ways(Crate::Current).await;
}

#[tokio::test]
async fn send_leave_v2_from_ruma_to_the_current_crate() {
    let server = Running::start(Crate::Current).await;
    for room_version in ["1", "3"] {
        send_leave_v2(&server, room_version).await;
    }
}

#[tokio::test]
async fn send_leave_v1_from_ruma_0_13_to_both_crates() {
    for which in [Crate::Seed, Crate::Current] {
        let server = Running::start(which).await;
        for room_version in ["1", "3"] {
            send_leave_v1(&server, room_version).await;
        }
    }
}

/// The seed's crate has no v2: ruma 0.16, which speaks only v2, gets the router's 404.
#[tokio::test]
async fn send_leave_v2_from_ruma_to_the_seed_crate_is_unrecognized() {
    let server = Running::start(Crate::Seed).await;
    let (event, event_id) = server.keys.signed_leave("3");
    let request = create_leave_event::v2::Request::new(
        RoomId::parse(ROOM_ID).expect("a room ID"),
        EventId::parse(&event_id).expect("an event ID"),
        serde_json::value::to_raw_value(&event).expect("raw JSON"),
    )
    .try_into_http_request::<Vec<u8>>(&server.base_url, server.keys.signing_input(), ())
    .expect("ruma writes the request");
    let answer = send(request).await;
    assert_eq!(answer.status(), 404);
    match create_leave_event::v2::Response::try_from_http_response(borrowed(&answer)) {
        Err(FromHttpResponseError::Server(error)) => {
            let ErrorBody::Standard(body) = error.body else {
                panic!("not a Matrix error body: {:?}", error.body)
            };
            assert!(matches!(body.kind, ErrorKind::Unrecognized), "{:?}", body.kind);
        }
        other => panic!("expected a 404 error, got {other:?}"),
    }
}

/// A request whose signature does not verify is refused before any handler runs, and
/// ruma reads the refusal as an error.
#[tokio::test]
async fn a_request_signed_with_another_key_is_refused() {
    let server = Running::start(Crate::Current).await;
    let impostor = Keys::new();
    let request = make_leave_request(ROOM_ID, USER_ID)
        .try_into_http_request::<Vec<u8>>(&server.base_url, impostor.signing_input(), ())
        .expect("ruma writes the request");
    let answer = send(request).await;
    assert_eq!(answer.status(), 401);
    assert!(matches!(
        prepare_leave_event::v1::Response::try_from_http_response(borrowed(&answer)),
        Err(FromHttpResponseError::Server(_))
    ));
    assert_eq!(server.seen(), vec![]);
}

/// ruma puts a `%` into the path as it is (see the top of this file). The generated
/// server reads the path as sent: `%re` is no escape, so it answers 400 and no handler
/// sees a room ID that is not the one ruma meant.
#[tokio::test]
async fn path_percent_is_not_escaped_by_ruma() {
    let server = Running::start(Crate::Current).await;
    let request = make_leave_request(ROOM_ID_WITH_PERCENT, USER_ID)
        .try_into_http_request::<Vec<u8>>(&server.base_url, server.keys.signing_input(), ())
        .expect("ruma writes the request");
    assert!(
        request.uri().path().contains("!100%real"),
        "ruma now escapes `%`: {}; turn this test into an exchange that must succeed",
        request.uri()
    );
    let answer = send(request).await;
    assert_eq!(answer.status(), 400, "{:?}", String::from_utf8_lossy(answer.body()));
    let error: Value = serde_json::from_slice(answer.body()).expect("a Matrix error body");
    assert_eq!(error["errcode"], "M_INVALID_PARAM");
    assert_eq!(server.seen(), vec![]);
}
