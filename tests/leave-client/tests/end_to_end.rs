//! The generated client against the generated server, end to end over HTTP on 127.0.0.1:
//! the in-memory leave API of `tests/leave-server`, behind the generated router and a real
//! `X-Matrix` check, called by the generated client signing with the README's recipe.

use std::net::SocketAddr;
use std::sync::{Arc, Mutex};

use axum::extract::Request;
use axum::http::header;
use axum::middleware::{Next, from_fn};
use leave_client_tests::base_url;
use leave_client_tests::x_matrix::{self, XMatrixSigner};
use leave_server::{Leave, LeaveServer, parse_x_matrix, spawn_loopback};
use matrix_federation_leave::client::{self, AuthorizeError, Client, ClientError, ClientSettings};
use matrix_federation_leave::server::{AuthRequest, MatrixFederationLeaveRoomApi, Rejection, router};
use matrix_federation_leave::types::{
    EmptyObject, Error, MakeLeaveRequest, MakeLeaveResponse, SendLeaveBody, SendLeaveOkBody, SendLeaveRequest,
    SendLeaveResponse,
};

const ROOM: &str = "!abc123:matrix.org";
const MEMBER: &str = "@someone:example.org";
/// The server the client signs as.
const ORIGIN: &str = "origin.example.org";
/// An origin whose signatures verify but which the server bars: 403 `M_FORBIDDEN`.
const BARRED: &str = "barred.example.org";

/// What reached the server.
#[derive(Debug, Default)]
struct Seen {
    /// `METHOD path_and_query` of every request, before routing.
    requests: Vec<String>,
    /// Every credential `authenticate` was given.
    credentials: Vec<String>,
    /// Every handler call, with the decoded path values and the principal.
    handled: Vec<Handled>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum Handled {
    MakeLeave {
        room_id: String,
        user_id: String,
        origin: String,
    },
    SendLeave {
        room_id: String,
        event_id: String,
        origin: String,
    },
}

/// The in-memory leave API behind a real `X-Matrix` check (with the recipe's stand-in
/// signature): the header must be signed over the request as it arrived, for this server
/// (its `Host`) as destination. Records what reached it.
#[derive(Clone)]
struct Verifying {
    leaves: LeaveServer,
    seen: Arc<Mutex<Seen>>,
}

impl Verifying {
    fn seen(&self) -> std::sync::MutexGuard<'_, Seen> {
        self.seen.lock().expect("seen")
    }
}

impl MatrixFederationLeaveRoomApi for Verifying {
    type Principal = String;

    async fn authenticate(&self, request: AuthRequest<'_>) -> Result<String, Rejection> {
        self.seen().credentials.push(request.credential.to_string());
        let host = request.headers.get(header::HOST).and_then(|h| h.to_str().ok());
        let signed = x_matrix::verify(
            request.credential,
            request.method.as_str(),
            request.path_and_query,
            host.unwrap_or_default(),
            request.body,
        );
        match parse_x_matrix(request.credential) {
            Some(x) if signed && x.origin == BARRED => Err(Rejection::forbidden("This server may not send here.")),
            Some(x) if signed => Ok(x.origin),
            _ => Err(Rejection::unauthorized("The X-Matrix signature does not verify.")),
        }
    }

    async fn make_leave(&self, request: MakeLeaveRequest, origin: String) -> MakeLeaveResponse {
        self.seen().handled.push(Handled::MakeLeave {
            room_id: request.room_id.clone(),
            user_id: request.user_id.clone(),
            origin: origin.clone(),
        });
        self.leaves.make_leave(request, origin).await
    }

    async fn send_leave(&self, request: SendLeaveRequest, origin: String) -> SendLeaveResponse {
        self.seen().handled.push(Handled::SendLeave {
            room_id: request.room_id.clone(),
            event_id: request.event_id.clone(),
            origin: origin.clone(),
        });
        self.leaves.send_leave(request, origin).await
    }
}

/// Serves `leaves` through the generated router on 127.0.0.1, with a layer in front that
/// records every request, so that a test can tell that nothing was sent.
async fn serve(leaves: LeaveServer) -> (Verifying, SocketAddr) {
    let server = Verifying {
        leaves,
        seen: Arc::default(),
    };
    let seen = server.seen.clone();
    let record = move |request: Request, next: Next| {
        let line = format!("{} {}", request.method(), request.uri());
        seen.lock().expect("seen").requests.push(line);
        next.run(request)
    };
    let addr = spawn_loopback(router(server.clone()).layer(from_fn(record)))
        .await
        .expect("bind 127.0.0.1:0");
    (server, addr)
}

fn signer(origin: &str) -> XMatrixSigner {
    XMatrixSigner {
        origin: origin.to_string(),
        key_id: "ed25519:key1".to_string(),
    }
}

fn client(addr: SocketAddr, settings: ClientSettings) -> Client {
    Client::with_settings(&base_url(addr), settings).expect("client")
}

/// A leave event `user_id` sends for itself.
fn leave_event(user_id: &str) -> SendLeaveBody {
    SendLeaveBody {
        sender: user_id.to_string(),
        origin: ORIGIN.to_string(),
        origin_server_ts: 1549041175876,
        r#type: "m.room.member".to_string(),
        state_key: user_id.to_string(),
        content: matrix_federation_leave::types::MembershipEventContent {
            membership: "leave".to_string(),
            extra: Default::default(),
        },
        depth: 12,
        extra: Default::default(),
    }
}

fn forbidden(message: &str) -> MakeLeaveResponse {
    MakeLeaveResponse::Forbidden(Error {
        errcode: "M_FORBIDDEN".to_string(),
        error: Some(message.to_string()),
        extra: Default::default(),
    })
}

fn ok_tuple() -> SendLeaveResponse {
    SendLeaveResponse::Ok(SendLeaveOkBody(
        200,
        EmptyObject {
            extra: Default::default(),
        },
    ))
}

#[tokio::test]
async fn make_leave_gives_a_member_a_template() {
    let (server, addr) = serve(LeaveServer::new("matrix.org").with_room(ROOM, "10", &[MEMBER])).await;
    let client = client(addr, ClientSettings::default().authorizer(signer(ORIGIN)));

    let response = client
        .make_leave_with(ROOM, MEMBER)
        .await
        .expect("a documented response");
    let MakeLeaveResponse::Ok(body) = response else {
        panic!("expected 200, got {response:?}");
    };
    assert_eq!(body.room_version.as_deref(), Some("10"));
    let event = body.event.expect("an event template");
    assert_eq!(event.sender, MEMBER);
    assert_eq!(event.state_key, MEMBER);
    assert_eq!(event.origin, "matrix.org");
    assert_eq!(event.r#type, "m.room.member");
    assert_eq!(event.content.membership, "leave");
    assert_eq!(
        server.seen().requests,
        ["GET /_matrix/federation/v1/make_leave/%21abc123%3Amatrix.org/%40someone%3Aexample.org"]
    );
}

#[tokio::test]
async fn make_leave_refuses_a_non_member_with_403() {
    let (_, addr) = serve(LeaveServer::new("matrix.org").with_room(ROOM, "10", &[MEMBER])).await;
    let client = client(addr, ClientSettings::default().authorizer(signer(ORIGIN)));
    for (room_id, user_id) in [(ROOM, "@stranger:example.org"), ("!unknown:matrix.org", MEMBER)] {
        let response = client.make_leave_with(room_id, user_id).await;
        assert_eq!(
            response.ok(),
            Some(forbidden("User is not in the room.")),
            "{room_id} {user_id}"
        );
    }
}

/// The whole leave: a template from `make_leave`, filled in and sent back with
/// `send_leave`, which the server records under the signing origin.
#[tokio::test]
async fn send_leave_records_the_leave() {
    let (server, addr) = serve(LeaveServer::new("matrix.org").with_room(ROOM, "10", &[MEMBER, "@other:x.org"])).await;
    let client = client(addr, ClientSettings::default().authorizer(signer(ORIGIN)));

    let Ok(MakeLeaveResponse::Ok(template)) = client.make_leave_with(ROOM, MEMBER).await else {
        panic!("no template");
    };
    let template = template.event.expect("an event template");
    let event = SendLeaveBody {
        sender: template.sender,
        origin: template.origin,
        origin_server_ts: template.origin_server_ts,
        r#type: template.r#type,
        state_key: template.state_key,
        content: template.content,
        depth: 12,
        extra: template.extra,
    };
    let response = client.send_leave_with(ROOM, "$abc123:example.org", event).await;
    assert_eq!(response.ok(), Some(ok_tuple()));

    assert_eq!(
        server.leaves.leaves(),
        [Leave {
            room_id: ROOM.to_string(),
            event_id: "$abc123:example.org".to_string(),
            user_id: MEMBER.to_string(),
            origin: ORIGIN.to_string(),
        }]
    );
    assert!(server.leaves.refusals().is_empty());
    let members = server.leaves.members(ROOM).expect("the room");
    assert_eq!(members.into_iter().collect::<Vec<_>>(), ["@other:x.org"]);
}

/// Every ID format, in every path position, reaches the handlers byte-exact: the client
/// escapes each as one segment, the router decodes it back. The in-memory server takes
/// any string as a room, user or event ID, so each is used as all three.
#[tokio::test]
async fn ids_of_every_format_arrive_byte_exact() {
    let ids = [
        "!abc123:matrix.org",
        "@someone:example.org",
        // Room versions 1 and 2.
        "$abc123:example.org",
        // Room version 3: standard base64, with `/` and `+`.
        "$acR1l0raoZnm60CBwAVgqbZqoO/mYU81xysh1u7XcJk",
        "$a+b/c+d/e",
        // Room version 4 and later: URL-safe base64, with `-` and `_`.
        "$Rqnc-F-dvnEYJTyHq_iKxU2bZ1CI92-kuZq3a5lr5Zg",
    ];
    let mut leaves = LeaveServer::new("matrix.org");
    for id in ids {
        leaves = leaves.with_room(id, "10", &[id]);
    }
    let (server, addr) = serve(leaves).await;
    let client = client(addr, ClientSettings::default().authorizer(signer(ORIGIN)));

    for id in ids {
        let response = client.make_leave_with(id, id).await;
        assert!(matches!(response, Ok(MakeLeaveResponse::Ok(_))), "{id}: {response:?}");
        let response = client.send_leave_with(id, id, leave_event(id)).await;
        assert_eq!(response.ok(), Some(ok_tuple()), "{id}");
        let (room_id, origin) = (id.to_string(), ORIGIN.to_string());
        let handled = server.seen().handled.split_off(0);
        assert_eq!(
            handled,
            [
                Handled::MakeLeave {
                    room_id: room_id.clone(),
                    user_id: id.to_string(),
                    origin: origin.clone(),
                },
                Handled::SendLeave {
                    room_id,
                    event_id: id.to_string(),
                    origin,
                },
            ],
            "{id}"
        );
        let recorded = server.leaves.leaves().pop().expect("a leave");
        assert_eq!(
            (recorded.room_id, recorded.event_id, recorded.user_id),
            (id.into(), id.into(), id.into())
        );
    }
    assert!(server.leaves.refusals().is_empty());
}

/// The header the client's authorizer writes is the one the server's `authenticate`
/// gets; it verifies over the request as received, and its origin is the principal.
#[tokio::test]
async fn the_x_matrix_header_is_verified_and_its_origin_reaches_the_handlers() {
    let (server, addr) = serve(LeaveServer::new("matrix.org").with_room(ROOM, "10", &[MEMBER])).await;
    let client = client(addr, ClientSettings::default().authorizer(signer(ORIGIN)));
    assert!(matches!(
        client.make_leave_with(ROOM, MEMBER).await,
        Ok(MakeLeaveResponse::Ok(_))
    ));
    let response = client.send_leave_with(ROOM, "$ev", leave_event(MEMBER)).await;
    assert_eq!(response.ok(), Some(ok_tuple()));

    let seen = server.seen();
    assert_eq!(seen.credentials.len(), 2);
    for credential in &seen.credentials {
        let x = parse_x_matrix(credential).expect("an X-Matrix header");
        assert_eq!(x.origin, ORIGIN);
        assert_eq!(x.destination, Some(addr.to_string()));
        assert_eq!(x.key.as_deref(), Some("ed25519:key1"));
    }
    // Same path, different bodies and methods: the two signatures differ.
    assert_ne!(seen.credentials[0], seen.credentials[1]);
    let origins: Vec<_> = seen
        .handled
        .iter()
        .map(|handled| match handled {
            Handled::MakeLeave { origin, .. } | Handled::SendLeave { origin, .. } => origin.as_str(),
        })
        .collect();
    assert_eq!(origins, [ORIGIN, ORIGIN]);
    assert_eq!(server.leaves.leaves()[0].origin, ORIGIN);
}

/// Checks that `error` is the server's 401 `M_UNAUTHORIZED`, kept whole by the client:
/// 401 is documented for no operation.
fn assert_unauthorized(error: &ClientError, operation: &str) {
    let ClientError::UndocumentedStatus {
        operation: op,
        received,
    } = error
    else {
        panic!("expected an undocumented status, got {error:?}");
    };
    assert_eq!(*op, operation);
    assert_eq!(received.status, 401);
    assert_eq!(received.headers[header::CONTENT_TYPE], "application/json");
    let body: serde_json::Value = serde_json::from_slice(&received.body).expect("a JSON body");
    assert_eq!(body["errcode"], "M_UNAUTHORIZED");
    assert_eq!(body["error"], "The X-Matrix signature does not verify.");
}

/// Headers that do not verify are refused by the server with 401 before any handler runs.
#[tokio::test]
async fn bad_x_matrix_headers_are_refused_with_401() {
    let (server, addr) = serve(LeaveServer::new("matrix.org").with_room(ROOM, "10", &[MEMBER])).await;
    let forged = move |_: client::AuthRequest<'_>| -> Result<String, AuthorizeError> {
        Ok(format!(
            r#"X-Matrix origin="{ORIGIN}",destination="{addr}",key="ed25519:key1",sig="0000000000000000""#
        ))
    };
    let bearer = |_: client::AuthRequest<'_>| -> Result<String, AuthorizeError> { Ok("Bearer abc".into()) };
    let clients = [
        (
            "a forged signature",
            client(addr, ClientSettings::default().authorizer(forged)),
        ),
        (
            "another scheme",
            client(addr, ClientSettings::default().authorizer(bearer)),
        ),
        (
            "a signature for another server",
            client(
                addr,
                ClientSettings::default()
                    .authorizer(signer(ORIGIN))
                    .destination("elsewhere.example.org"),
            ),
        ),
    ];
    for (what, client) in clients {
        let error = client.make_leave_with(ROOM, MEMBER).await.expect_err(what);
        assert_unauthorized(&error, "makeLeave");
        let error = client
            .send_leave_with(ROOM, "$ev", leave_event(MEMBER))
            .await
            .expect_err(what);
        assert_unauthorized(&error, "sendLeave");
    }
    let seen = server.seen();
    assert_eq!(seen.credentials.len(), 6, "each request reached `authenticate`");
    assert!(seen.handled.is_empty(), "{:?}", seen.handled);
    assert!(server.leaves.leaves().is_empty());
}

/// A verified origin the server bars gets 403 `M_FORBIDDEN`. `make_leave` documents 403
/// with a Matrix error body, so the client gives the documented variant (as it would
/// for a non-member); `send_leave` documents only 200, so it is an undocumented status.
#[tokio::test]
async fn a_barred_origin_is_refused_with_403() {
    let (server, addr) = serve(LeaveServer::new("matrix.org").with_room(ROOM, "10", &[MEMBER])).await;
    let client = client(addr, ClientSettings::default().authorizer(signer(BARRED)));

    let response = client.make_leave_with(ROOM, MEMBER).await;
    assert_eq!(response.ok(), Some(forbidden("This server may not send here.")));

    let error = client
        .send_leave_with(ROOM, "$ev", leave_event(MEMBER))
        .await
        .expect_err("an undocumented 403");
    let received = error.received().expect("the reply is kept");
    assert!(matches!(error, ClientError::UndocumentedStatus { .. }), "{error:?}");
    assert_eq!(received.status, 403);
    let body: serde_json::Value = serde_json::from_slice(&received.body).expect("a JSON body");
    assert_eq!(body["errcode"], "M_FORBIDDEN");

    assert!(server.seen().handled.is_empty());
    assert_eq!(server.leaves.members(ROOM).expect("the room").len(), 1);
}

#[tokio::test]
async fn a_missing_authorizer_fails_before_sending() {
    let (server, addr) = serve(LeaveServer::new("matrix.org").with_room(ROOM, "10", &[MEMBER])).await;
    let client = Client::new(&base_url(addr)).expect("client");

    let error = client.make_leave_with(ROOM, MEMBER).await.expect_err("no authorizer");
    assert!(
        matches!(
            error,
            ClientError::MissingAuthorizer {
                operation: "makeLeave",
                ..
            }
        ),
        "{error:?}"
    );
    let error = client
        .send_leave_with(ROOM, "$ev", leave_event(MEMBER))
        .await
        .expect_err("no authorizer");
    assert!(
        matches!(
            error,
            ClientError::MissingAuthorizer {
                operation: "sendLeave",
                scheme: "signedRequest"
            }
        ),
        "{error:?}"
    );
    assert!(server.seen().requests.is_empty(), "{:?}", server.seen().requests);
}
