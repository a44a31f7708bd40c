//! What generated methods do for query and header parameters and query credentials,
//! which the leave definition has none of: driven through `client_runtime` directly, the
//! way a generated method drives it, against the recording server.

use leave_client_tests::{Recorder, base_url, leave_server, serve};
use matrix_federation_leave::client::{AuthRequest, AuthorizeError, ClientError, ClientSettings};
use matrix_federation_leave::client_runtime::{Call, Credential, Need, Placement, Runtime};

async fn runtime(settings: ClientSettings) -> (Runtime, Recorder) {
    let recorder = Recorder::default();
    let addr = serve(leave_server(recorder.clone())).await;
    (Runtime::new(&base_url(addr), settings).expect("runtime"), recorder)
}

fn probe() -> Call {
    let mut call = Call::new("probe", reqwest::Method::GET, "/_matrix/federation/v1");
    call.path("/probe/");
    call
}

#[tokio::test]
async fn query_parameters_are_escaped_and_optional_ones_left_out() {
    let (runtime, recorder) = runtime(ClientSettings::default()).await;
    let mut call = probe();
    call.path_param("roomId", "!a:b");
    let limit: Option<i64> = Some(10);
    let since: Option<String> = None;
    if let Some(value) = &limit {
        call.query_param("limit", value);
    }
    if let Some(value) = &since {
        call.query_param("since", value);
    }
    call.query_param("filter", "a b&c=d/é");
    call.query_param("flag", &true);
    call.query_param_each("ver", &["1", "10"]);
    let reply = runtime.send(call).await.expect("a reply");
    assert_eq!(reply.status(), 404);
    assert_eq!(
        recorder.seen()[0].path_and_query,
        "/_matrix/federation/v1/probe/%21a%3Ab?limit=10&filter=a%20b%26c%3Dd%2F%C3%A9&flag=true&ver=1&ver=10"
    );
}

#[tokio::test]
async fn header_parameters_are_sent_and_bad_values_refused() {
    let (runtime, recorder) = runtime(ClientSettings::default()).await;
    let mut call = probe();
    call.header_param("X-Request-Id", "abc-123");
    call.header_param("X-Count", &7);
    runtime.send(call).await.expect("a reply");
    let seen = recorder.seen();
    assert_eq!(seen[0].headers["x-request-id"], "abc-123");
    assert_eq!(seen[0].headers["x-count"], "7");

    // A writer keeps the first error it meets, and the call is refused before anything
    // is sent.
    let mut call = probe();
    call.header_param("X-Bad", "line\r\nbreak");
    call.header_param("bad name", "x");
    let error = call.error().expect("a newline");
    assert!(
        matches!(error, ClientError::InvalidRequest { operation: "probe", reason } if reason.contains("X-Bad")),
        "{error:?}"
    );
    let error = runtime.send(call).await.expect_err("refused");
    assert!(matches!(error, ClientError::InvalidRequest { .. }), "{error:?}");
    assert_eq!(recorder.seen().len(), 1, "nothing more was sent");

    let mut call = probe();
    call.header_param("bad name", "x");
    assert!(
        matches!(call.error(), Some(ClientError::InvalidRequest { .. })),
        "a space in a name"
    );
    let mut call = probe();
    call.query_param("object", &serde_json::json!({"a": 1}));
    assert!(
        matches!(call.error(), Some(ClientError::InvalidRequest { .. })),
        "not a scalar"
    );
}

static QUERY_KEY: [Credential; 1] = [Credential {
    scheme: "apiKey",
    placement: Placement::Query("access_token"),
}];

#[tokio::test]
async fn query_credentials_follow_what_the_authorizer_saw() {
    let seen_by_authorizer = std::sync::Arc::new(std::sync::Mutex::new(String::new()));
    let log = seen_by_authorizer.clone();
    let authorizer = move |request: AuthRequest<'_>| -> Result<String, AuthorizeError> {
        *log.lock().expect("log") = request.path_and_query.to_string();
        Ok("s3cr=t".to_string())
    };
    let (runtime, recorder) = runtime(ClientSettings::default().authorizer(authorizer)).await;
    let mut call = probe();
    call.query_param("limit", &1);
    call.credentials(&QUERY_KEY, Need::Required);
    runtime.send(call).await.expect("a reply");
    assert_eq!(
        seen_by_authorizer.lock().expect("log").as_str(),
        "/_matrix/federation/v1/probe/?limit=1"
    );
    assert_eq!(
        recorder.seen()[0].path_and_query,
        "/_matrix/federation/v1/probe/?limit=1&access_token=s3cr%3Dt"
    );
}

#[tokio::test]
async fn optional_credentials_are_skipped_without_an_authorizer() {
    let (runtime, recorder) = runtime(ClientSettings::default()).await;
    let mut call = probe();
    call.credentials(&QUERY_KEY, Need::IfAuthorizer);
    runtime.send(call).await.expect("sent without credentials");
    assert_eq!(recorder.seen()[0].path_and_query, "/_matrix/federation/v1/probe/");
}

/// Fixed path text that a URL cannot carry as written is escaped before the authorizer
/// sees it, so what it signs is what arrives.
#[tokio::test]
async fn literal_path_text_is_sent_as_the_authorizer_saw_it() {
    let seen_by_authorizer = std::sync::Arc::new(std::sync::Mutex::new(String::new()));
    let log = seen_by_authorizer.clone();
    let authorizer = move |request: AuthRequest<'_>| -> Result<String, AuthorizeError> {
        *log.lock().expect("log") = request.path_and_query.to_string();
        Ok("signed".to_string())
    };
    let (runtime, recorder) = runtime(ClientSettings::default().authorizer(authorizer)).await;
    let mut call = Call::new("probe", reqwest::Method::GET, "/base path");
    call.path("/odd {text}/ä?\\x#y/");
    call.path_param("id", "$a/b");
    call.credentials(&HEADER_KEY, Need::Required);
    runtime.send(call).await.expect("a reply");
    let signed = seen_by_authorizer.lock().expect("log").clone();
    assert_eq!(signed, "/base%20path/odd%20%7Btext%7D/%C3%A4%3F%5Cx%23y/%24a%2Fb");
    assert_eq!(recorder.seen()[0].path_and_query, signed);
}

static HEADER_KEY: [Credential; 1] = [Credential {
    scheme: "apiKey",
    placement: Placement::Header("Authorization"),
}];
