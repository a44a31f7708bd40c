//! The server and the client included from `OUT_DIR` talk to each other over HTTP on
//! 127.0.0.1, as a user of build-script generation would use them.

use build_consumer::client::{AuthorizeError, Client, ClientSettings};
use build_consumer::server::{AuthRequest, MatrixFederationLeaveRoomApi, Rejection, router};
use build_consumer::types::{
    EmptyObject, Error, EventTemplate, MakeLeaveOkBody, MakeLeaveRequest, MakeLeaveResponse, MembershipEventContent,
    SendLeaveBody, SendLeaveOkBody, SendLeaveRequest, SendLeaveResponse,
};

/// One room, one member; the origin a request was signed for is the principal.
struct OneRoom;

impl MatrixFederationLeaveRoomApi for OneRoom {
    type Principal = String;

    async fn authenticate(&self, request: AuthRequest<'_>) -> Result<String, Rejection> {
        request
            .credential
            .strip_prefix("Origin ")
            .map(str::to_string)
            .ok_or_else(|| Rejection::unauthorized("expected `Origin NAME`"))
    }

    async fn make_leave(&self, request: MakeLeaveRequest, origin: String) -> MakeLeaveResponse {
        if request.room_id != "!room:example.org" || request.user_id != "@member:example.org" {
            return MakeLeaveResponse::Forbidden(Error {
                error: Some("User is not in the room.".into()),
                ..Error::new("M_FORBIDDEN")
            });
        }
        MakeLeaveResponse::Ok(MakeLeaveOkBody {
            room_version: Some("10".into()),
            event: Some(EventTemplate {
                sender: request.user_id.clone(),
                origin,
                origin_server_ts: 1,
                r#type: "m.room.member".into(),
                state_key: request.user_id,
                content: MembershipEventContent::new("leave"),
                extra: Default::default(),
            }),
            extra: Default::default(),
        })
    }

    async fn send_leave(&self, request: SendLeaveRequest, _origin: String) -> SendLeaveResponse {
        assert_eq!(request.event_id, "$acR1l0raoZnm60CBwAVgqbZqoO/mYU81xysh1u7XcJk");
        SendLeaveResponse::Ok(SendLeaveOkBody(200, EmptyObject::default()))
    }
}

fn signing_as(origin: &'static str) -> ClientSettings {
    ClientSettings::default().authorizer(move |_: build_consumer::client::AuthRequest<'_>| {
        Ok::<_, AuthorizeError>(format!("Origin {origin}"))
    })
}

#[tokio::test]
async fn the_included_client_and_server_agree() {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let server = tokio::spawn(async move { axum::serve(listener, router(OneRoom)).await });
    let client = Client::with_settings(&base, signing_as("example.org")).unwrap();

    let MakeLeaveResponse::Ok(template) = client
        .make_leave_with("!room:example.org", "@member:example.org")
        .await
        .unwrap()
    else {
        panic!("a member gets a template")
    };
    let event = template.event.unwrap();
    assert_eq!(event.origin, "example.org", "the principal reaches the handler");

    let stranger = client
        .make_leave_with("!room:example.org", "@stranger:example.org")
        .await
        .unwrap();
    assert!(matches!(stranger, MakeLeaveResponse::Forbidden(Error { ref errcode, .. }) if errcode == "M_FORBIDDEN"));

    let body: SendLeaveBody = serde_json::from_value(serde_json::json!({
        "type": "m.room.member", "sender": event.sender, "state_key": event.state_key,
        "origin": "example.org", "origin_server_ts": 2, "depth": 3,
        "content": {"membership": "leave"}
    }))
    .unwrap();
    let sent = client
        .send_leave(&SendLeaveRequest {
            room_id: "!room:example.org".into(),
            event_id: "$acR1l0raoZnm60CBwAVgqbZqoO/mYU81xysh1u7XcJk".into(),
            body,
        })
        .await
        .unwrap();
    assert_eq!(
        sent,
        SendLeaveResponse::Ok(SendLeaveOkBody(200, EmptyObject::default()))
    );
    server.abort();
}
