//! The generated client against a hand-written server that follows the definition:
//! every operation and documented status, IDs arriving byte-exact, the authorizer.

use leave_client_tests::{FORBIDDEN_ROOM, Recorder, base_url, leave_server, serve, test_authorizer, test_signature};
use matrix_federation_leave::client::{AuthRequest, AuthorizeError, Client, ClientError, ClientSettings};
use matrix_federation_leave::types::{
    EmptyObject, MakeLeaveRequest, MakeLeaveResponse, MembershipEventContent, SendLeaveBody, SendLeaveOkBody,
    SendLeaveRequest, SendLeaveResponse,
};

/// Starts a well-behaved server and a client that signs with the test authorizer.
async fn signed_client() -> (Client, Recorder) {
    let recorder = Recorder::default();
    let addr = serve(leave_server(recorder.clone())).await;
    let settings = ClientSettings::default().authorizer(test_authorizer);
    let client = Client::with_settings(&base_url(addr), settings).expect("client");
    (client, recorder)
}

fn make_leave_request(room_id: &str, user_id: &str) -> MakeLeaveRequest {
    MakeLeaveRequest {
        room_id: room_id.to_string(),
        user_id: user_id.to_string(),
    }
}

fn send_leave_request(room_id: &str, event_id: &str) -> SendLeaveRequest {
    SendLeaveRequest {
        room_id: room_id.to_string(),
        event_id: event_id.to_string(),
        body: SendLeaveBody {
            sender: "@someone:example.org".to_string(),
            origin: "example.org".to_string(),
            origin_server_ts: 1549041175876,
            r#type: "m.room.member".to_string(),
            state_key: "@someone:example.org".to_string(),
            content: MembershipEventContent {
                membership: "leave".to_string(),
                extra: Default::default(),
            },
            depth: 12,
            extra: Default::default(),
        },
    }
}

#[tokio::test]
async fn make_leave_returns_the_template() {
    let (client, recorder) = signed_client().await;
    let response = client
        .make_leave(&make_leave_request("!abc123:matrix.org", "@someone:example.org"))
        .await
        .expect("a documented response");
    let MakeLeaveResponse::Ok(body) = response else {
        panic!("expected 200, got {response:?}");
    };
    assert_eq!(body.room_version.as_deref(), Some("10"));
    let event = body.event.expect("an event template");
    assert_eq!(event.sender, "@someone:example.org");
    assert_eq!(event.content.membership, "leave");
    assert_eq!(event.extra["room_id"], "!abc123:matrix.org");

    let seen = recorder.seen();
    assert_eq!(seen.len(), 1);
    assert_eq!(seen[0].method, "GET");
    assert_eq!(
        seen[0].path_and_query,
        "/_matrix/federation/v1/make_leave/%21abc123%3Amatrix.org/%40someone%3Aexample.org"
    );
    assert!(seen[0].body.is_empty());
}

#[tokio::test]
async fn make_leave_403_is_the_forbidden_variant() {
    let (client, _) = signed_client().await;
    let response = client
        .make_leave(&make_leave_request(FORBIDDEN_ROOM, "@someone:example.org"))
        .await
        .expect("a documented response");
    let MakeLeaveResponse::Forbidden(error) = response else {
        panic!("expected 403, got {response:?}");
    };
    assert_eq!(error.errcode, "M_FORBIDDEN");
    assert_eq!(error.error.as_deref(), Some("not in the room"));
}

#[tokio::test]
async fn send_leave_sends_the_body_and_returns_the_tuple() {
    let (client, recorder) = signed_client().await;
    let request = send_leave_request("!abc123:matrix.org", "$abc123:example.org");
    let response = client.send_leave(&request).await.expect("a documented response");
    assert_eq!(
        response,
        SendLeaveResponse::Ok(SendLeaveOkBody(
            200,
            EmptyObject {
                extra: Default::default()
            }
        ))
    );

    let seen = recorder.seen();
    assert_eq!(seen[0].method, "PUT");
    assert_eq!(
        seen[0].path_and_query,
        "/_matrix/federation/v1/send_leave/%21abc123%3Amatrix.org/%24abc123%3Aexample.org"
    );
    assert_eq!(seen[0].headers["content-type"], "application/json");
    let sent: serde_json::Value = serde_json::from_slice(&seen[0].body).expect("JSON body");
    assert_eq!(sent["depth"], 12);
    assert_eq!(sent["content"]["membership"], "leave");
}

/// Event IDs of every room-version format, and values full of reserved characters, reach
/// the server byte-exact: each as one escaped segment, decoded back to itself.
#[tokio::test]
async fn event_ids_of_every_format_arrive_byte_exact() {
    let (client, recorder) = signed_client().await;
    let cases = [
        // Room versions 1 and 2: `$local:server`.
        ("$abc123:example.org", "%24abc123%3Aexample.org"),
        // Room version 3: unpadded standard base64, which has `/` and `+`.
        (
            "$acR1l0raoZnm60CBwAVgqbZqoO/mYU81xysh1u7XcJk",
            "%24acR1l0raoZnm60CBwAVgqbZqoO%2FmYU81xysh1u7XcJk",
        ),
        ("$a+b/c+d/e", "%24a%2Bb%2Fc%2Bd%2Fe"),
        // Room version 4 and later: URL-safe base64, with `-` and `_` left as they are.
        (
            "$Rqnc-F-dvnEYJTyHq_iKxU2bZ1CI92-kuZq3a5lr5Zg",
            "%24Rqnc-F-dvnEYJTyHq_iKxU2bZ1CI92-kuZq3a5lr5Zg",
        ),
        ("odd ?#%[]!@$:~.", "odd%20%3F%23%25%5B%5D%21%40%24%3A~."),
        ("ünïcödé", "%C3%BCn%C3%AFc%C3%B6d%C3%A9"),
    ];
    for (event_id, escaped) in cases {
        let request = send_leave_request("!abc123:matrix.org", event_id);
        let response = client.send_leave(&request).await;
        assert!(response.is_ok(), "{event_id}: {response:?}");
        let seen = recorder.seen();
        let last = seen.last().expect("a request");
        let expected = format!("/_matrix/federation/v1/send_leave/%21abc123%3Amatrix.org/{escaped}");
        assert_eq!(last.path_and_query, expected, "{event_id}");
    }
    // The same IDs as decoded by the server, echoed in the template.
    for user_id in ["@someone:example.org", "$acR1l0raoZnm60CBwAVgqbZqoO/mYU81xysh1u7XcJk"] {
        let response = client
            .make_leave(&make_leave_request("!abc123:matrix.org", user_id))
            .await;
        let Ok(MakeLeaveResponse::Ok(body)) = response else {
            panic!("{user_id}: {response:?}");
        };
        assert_eq!(body.event.expect("template").sender, user_id);
    }
}

#[tokio::test]
async fn dot_segments_are_refused_before_sending() {
    let (client, recorder) = signed_client().await;
    for room_id in [".", ".."] {
        let error = client
            .make_leave(&make_leave_request(room_id, "@someone:example.org"))
            .await
            .expect_err("a relative path step");
        assert!(matches!(error, ClientError::InvalidRequest { .. }), "{error:?}");
    }
    assert!(recorder.seen().is_empty());
}

/// The authorizer sees method, path and query, destination and body exactly as sent: the
/// server recomputes the test signature from what it received and accepts it.
#[tokio::test]
async fn authorizer_sees_the_request_as_sent() {
    let recorder = Recorder::default();
    let addr = serve(leave_server(recorder.clone())).await;
    let calls = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
    let log = calls.clone();
    let authorizer = move |request: AuthRequest<'_>| -> Result<String, AuthorizeError> {
        log.lock().expect("log").push((
            request.operation.to_string(),
            request.scheme.to_string(),
            request.method.to_string(),
            request.path_and_query.to_string(),
            request.destination.to_string(),
            request.body.map(<[u8]>::to_vec),
        ));
        test_authorizer(request)
    };
    let client =
        Client::with_settings(&base_url(addr), ClientSettings::default().authorizer(authorizer)).expect("client");
    let request = send_leave_request("!abc123:matrix.org", "$acR1l0raoZnm60CBwAVgqbZqoO/mYU81xysh1u7XcJk");
    client.send_leave(&request).await.expect("signed and accepted");

    let seen = recorder.seen();
    let calls = calls.lock().expect("log").clone();
    assert_eq!(calls.len(), 1);
    let (operation, scheme, method, path_and_query, destination, body) = &calls[0];
    assert_eq!(operation, "sendLeave");
    assert_eq!(scheme, "signedRequest");
    assert_eq!(method, "PUT");
    assert_eq!(path_and_query, &seen[0].path_and_query);
    assert_eq!(destination, &addr.to_string());
    assert_eq!(body.as_deref(), Some(seen[0].body.as_slice()));
    assert_eq!(
        seen[0].headers["authorization"],
        test_signature("PUT", path_and_query, destination, &seen[0].body).as_str()
    );
}

#[tokio::test]
async fn destination_can_be_the_server_name() {
    let addr = serve(leave_server(Recorder::default())).await;
    let destinations = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
    let log = destinations.clone();
    let authorizer = move |request: AuthRequest<'_>| -> Result<String, AuthorizeError> {
        log.lock().expect("log").push(request.destination.to_string());
        test_authorizer(request)
    };
    let settings = ClientSettings::default()
        .authorizer(authorizer)
        .destination("example.org");
    let client = Client::with_settings(&base_url(addr), settings).expect("client");
    // The server checks against its Host header, so it refuses: only the authorizer matters.
    let _ = client.make_leave(&make_leave_request("!a:b", "@c:d")).await;
    assert_eq!(destinations.lock().expect("log").as_slice(), ["example.org"]);
}

#[tokio::test]
async fn missing_authorizer_fails_before_sending() {
    let recorder = Recorder::default();
    let addr = serve(leave_server(recorder.clone())).await;
    let client = Client::new(&base_url(addr)).expect("client");
    let error = client
        .make_leave(&make_leave_request("!abc123:matrix.org", "@someone:example.org"))
        .await
        .expect_err("no authorizer");
    assert!(
        matches!(
            error,
            ClientError::MissingAuthorizer {
                operation: "makeLeave",
                scheme: "signedRequest"
            }
        ),
        "{error:?}"
    );
    assert!(error.to_string().contains("ClientSettings::authorizer"), "{error}");
    assert!(recorder.seen().is_empty());
}

#[tokio::test]
async fn authorizer_error_aborts_the_call() {
    let recorder = Recorder::default();
    let addr = serve(leave_server(recorder.clone())).await;
    let refuse = |_: AuthRequest<'_>| -> Result<String, AuthorizeError> { Err("the signing key is locked".into()) };
    let client = Client::with_settings(&base_url(addr), ClientSettings::default().authorizer(refuse)).expect("client");
    let error = client
        .send_leave(&send_leave_request("!abc123:matrix.org", "$abc123:example.org"))
        .await
        .expect_err("the authorizer refused");
    assert!(matches!(error, ClientError::Authorizer { .. }), "{error:?}");
    assert!(error.to_string().contains("the signing key is locked"), "{error}");
    assert!(recorder.seen().is_empty(), "nothing may be sent");
}

#[tokio::test]
async fn an_unusable_header_value_is_an_authorizer_error() {
    let recorder = Recorder::default();
    let addr = serve(leave_server(recorder.clone())).await;
    let newline = |_: AuthRequest<'_>| -> Result<String, AuthorizeError> { Ok("X-Matrix\r\nInjected: yes".into()) };
    let client = Client::with_settings(&base_url(addr), ClientSettings::default().authorizer(newline)).expect("client");
    let error = client
        .make_leave(&make_leave_request("!a:b", "@c:d"))
        .await
        .expect_err("not a header value");
    assert!(matches!(error, ClientError::Authorizer { .. }), "{error:?}");
    assert!(recorder.seen().is_empty());
}

#[tokio::test]
async fn a_non_ascii_credential_is_refused_before_sending() {
    let recorder = Recorder::default();
    let addr = serve(leave_server(recorder.clone())).await;
    let accented = |_: AuthRequest<'_>| -> Result<String, AuthorizeError> { Ok("X-Matrix origin=ünï.org".into()) };
    let client =
        Client::with_settings(&base_url(addr), ClientSettings::default().authorizer(accented)).expect("client");
    let error = client
        .make_leave(&make_leave_request("!a:b", "@c:d"))
        .await
        .expect_err("not ASCII");
    assert!(error.to_string().contains("not ASCII"), "{error}");
    assert!(recorder.seen().is_empty(), "nothing may be sent");
}

/// A trait implementation with an async body, as a signer holding keys would be.
struct AsyncSigner;

impl matrix_federation_leave::client::Authorizer for AsyncSigner {
    fn authorize<'a>(&'a self, request: AuthRequest<'a>) -> matrix_federation_leave::client::AuthorizeFuture<'a> {
        Box::pin(async move {
            tokio::task::yield_now().await;
            test_authorizer(request)
        })
    }
}

#[tokio::test]
async fn async_authorizers_work() {
    let addr = serve(leave_server(Recorder::default())).await;
    let client =
        Client::with_settings(&base_url(addr), ClientSettings::default().authorizer(AsyncSigner)).expect("client");
    let response = client.make_leave(&make_leave_request("!a:b", "@c:d")).await;
    assert!(matches!(response, Ok(MakeLeaveResponse::Ok(_))), "{response:?}");
}

/// The caller's reqwest client sends the requests, so its settings apply: its user agent
/// is what reaches the server.
#[tokio::test]
async fn a_callers_http_client_is_used() {
    let recorder = Recorder::default();
    let addr = serve(leave_server(recorder.clone())).await;
    let http = reqwest::Client::builder()
        .user_agent("leave-tests/1")
        .build()
        .expect("reqwest client");
    let settings = ClientSettings::default().http_client(http).authorizer(test_authorizer);
    let client = Client::with_settings(&base_url(addr), settings).expect("client");
    let response = client.make_leave(&make_leave_request("!a:b", "@c:d")).await;
    assert!(matches!(response, Ok(MakeLeaveResponse::Ok(_))), "{response:?}");
    let seen = recorder.seen();
    assert_eq!(seen.len(), 1, "{seen:?}");
    assert_eq!(
        seen[0].headers.get("user-agent").and_then(|v| v.to_str().ok()),
        Some("leave-tests/1")
    );
}

#[test]
fn base_urls_are_scheme_host_and_port_only() {
    for good in [
        "http://127.0.0.1:8448",
        "https://matrix.example.org",
        "https://[::1]:8448/",
    ] {
        assert!(Client::new(good).is_ok(), "{good}");
    }
    for bad in [
        "matrix.example.org",
        "ftp://example.org",
        "https://example.org/_matrix",
        "https://example.org/?x=1",
        "https://user:pw@example.org",
        "not a url",
    ] {
        let error = Client::new(bad).expect_err(bad);
        assert!(error.to_string().contains("base URL"), "{bad}: {error}");
    }
}

#[tokio::test]
async fn convenience_methods_take_the_fields_as_arguments() {
    let (client, recorder) = signed_client().await;
    let response = client
        .make_leave_with("!abc123:matrix.org", "@someone:example.org")
        .await;
    assert!(matches!(response, Ok(MakeLeaveResponse::Ok(_))), "{response:?}");
    let body = send_leave_request("!r:x", "$e").body;
    let response = client
        .send_leave_with(String::from("!abc123:matrix.org"), "$e/v3", body)
        .await;
    assert!(matches!(response, Ok(SendLeaveResponse::Ok(_))), "{response:?}");
    assert_eq!(
        recorder.seen()[1].path_and_query,
        "/_matrix/federation/v1/send_leave/%21abc123%3Amatrix.org/%24e%2Fv3"
    );
}

/// The README's `X-Matrix` recipe, with a stand-in for ed25519: the server rebuilds the
/// signed JSON from the request as it arrived and accepts the signature.
#[tokio::test]
async fn x_matrix_signing_as_the_readme_describes() {
    use leave_client_tests::x_matrix::XMatrixSigner;

    let recorder = Recorder::default();
    let addr = serve(leave_server(recorder.clone())).await;
    let signer = XMatrixSigner {
        origin: "origin.example.org".to_string(),
        key_id: "ed25519:key1".to_string(),
    };
    let client = Client::with_settings(&base_url(addr), ClientSettings::default().authorizer(signer)).expect("client");
    let response = client
        .make_leave_with("!abc123:matrix.org", "@someone:example.org")
        .await;
    assert!(matches!(response, Ok(MakeLeaveResponse::Ok(_))), "{response:?}");
    let request = send_leave_request("!abc123:matrix.org", "$acR1l0raoZnm60CBwAVgqbZqoO/mYU81xysh1u7XcJk");
    let response = client.send_leave(&request).await;
    assert!(matches!(response, Ok(SendLeaveResponse::Ok(_))), "{response:?}");

    let authorization = recorder.seen()[1].headers["authorization"]
        .to_str()
        .expect("ASCII")
        .to_string();
    assert!(
        authorization.starts_with(&format!(
            "X-Matrix origin=\"origin.example.org\",destination=\"{addr}\",key=\"ed25519:key1\",sig=\""
        )),
        "{authorization}"
    );
}

#[tokio::test]
async fn x_matrix_signatures_for_another_destination_are_refused() {
    use leave_client_tests::x_matrix::XMatrixSigner;

    let addr = serve(leave_server(Recorder::default())).await;
    let signer = XMatrixSigner {
        origin: "origin.example.org".to_string(),
        key_id: "ed25519:key1".to_string(),
    };
    let settings = ClientSettings::default()
        .authorizer(signer)
        .destination("elsewhere.example.org");
    let client = Client::with_settings(&base_url(addr), settings).expect("client");
    let error = client
        .make_leave_with("!abc123:matrix.org", "@someone:example.org")
        .await
        .expect_err("signed for another server");
    assert_eq!(error.received().map(|r| r.status), Some(401), "{error:?}");
}

/// The authorizer runs before anything is sent, so refusing there needs no server.
#[tokio::test]
async fn destination_defaults_to_host_and_non_default_port() {
    let cases = [
        ("https://a.example.org:443", "a.example.org"),
        ("https://a.example.org:8448", "a.example.org:8448"),
        ("http://a.example.org:80", "a.example.org"),
        ("http://[::1]:8008", "[::1]:8008"),
    ];
    for (base_url, expected) in cases {
        let seen = std::sync::Arc::new(std::sync::Mutex::new(String::new()));
        let log = seen.clone();
        let authorizer = move |request: AuthRequest<'_>| -> Result<String, AuthorizeError> {
            *log.lock().expect("log") = request.destination.to_string();
            Err("stop before sending".into())
        };
        let client = Client::with_settings(base_url, ClientSettings::default().authorizer(authorizer)).expect("client");
        let error = client.make_leave_with("!a:b", "@c:d").await.expect_err("refused");
        assert!(matches!(error, ClientError::Authorizer { .. }), "{error:?}");
        assert_eq!(seen.lock().expect("log").as_str(), expected, "{base_url}");
    }
}
