//! Query and header parameters, a credential in the query, an operation without security
//! and bodiless responses, through the crate generated from tests/fixtures/params.yaml.

use std::net::SocketAddr;

use params_api::server::{AuthRequest, ParamsFixtureApi, Rejection, router};
use params_api::types::{PingRequest, PingResponse, SearchOkBody, SearchRequest, SearchResponse};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

/// Echoes what it understood, so that a test can compare it whole.
struct Echo;

impl ParamsFixtureApi for Echo {
    type Principal = String;

    async fn authenticate(&self, request: AuthRequest<'_>) -> Result<String, Rejection> {
        // The credential arrives as sent, percent-encoding and all.
        match request.credential {
            "s3cret%21" => Ok("token holder".to_string()),
            _ => Err(Rejection::forbidden("Unknown access token.")),
        }
    }

    async fn search(&self, request: SearchRequest, principal: String) -> SearchResponse {
        if request.kind == "nothing" {
            return SearchResponse::NoContent;
        }
        SearchResponse::Ok(SearchOkBody {
            echo: format!("{principal}: {request:?}"),
            extra: Default::default(),
        })
    }

    async fn ping(&self, _request: PingRequest) -> PingResponse {
        PingResponse::Ok
    }
}

/// Sends one raw GET and returns the status and body.
async fn get(addr: SocketAddr, target: &str, headers: &[&str]) -> (u16, String) {
    let mut request = format!("GET {target} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n");
    for header in headers {
        request.push_str(&format!("{header}\r\n"));
    }
    request.push_str("\r\n");
    let mut stream = tokio::net::TcpStream::connect(addr).await.expect("connect");
    stream.write_all(request.as_bytes()).await.expect("write");
    let mut raw = String::new();
    stream.read_to_string(&mut raw).await.expect("read");
    let (head, body) = raw.split_once("\r\n\r\n").expect("a header block");
    let status = head.split(' ').nth(1).and_then(|s| s.parse().ok()).expect("a status");
    (status, body.to_string())
}

fn errcode(body: &str) -> String {
    let value: serde_json::Value = serde_json::from_str(body).expect("a JSON error body");
    value["errcode"].as_str().expect("an errcode").to_string()
}

async fn serve() -> SocketAddr {
    leave_server::spawn_loopback(router(Echo))
        .await
        .expect("bind 127.0.0.1")
}

const TOKEN: &str = "access_token=s3cret%21";

#[tokio::test]
async fn every_kind_of_parameter_is_parsed() {
    let addr = serve().await;
    let target = format!("/v1/search/red%20wine?limit=5&from=x+y&tag=a&tag=b%2Bc&exact=true&{TOKEN}");
    let (status, body) = get(addr, &target, &["X-Request-Id: r-1", "X-Weight: 0.5"]).await;
    assert_eq!(status, 200, "{body}");
    let echo: serde_json::Value = serde_json::from_str(&body).expect("JSON");
    assert_eq!(
        echo["echo"],
        "token holder: SearchRequest { kind: \"red wine\", limit: 5, from: Some(\"x y\"), \
         tag: Some([\"a\", \"b+c\"]), exact: Some(true), x_request_id: \"r-1\", x_weight: Some(0.5) }"
    );

    let (status, body) = get(addr, &format!("/v1/search/k?{TOKEN}&limit=-1"), &["x-request-id: r-2"]).await;
    assert_eq!(status, 200, "{body}");
    assert!(
        body.contains(
            "SearchRequest { kind: \\\"k\\\", limit: -1, from: None, tag: None, exact: None, \
             x_request_id: \\\"r-2\\\", x_weight: None }"
        ),
        "{body}"
    );
}

#[tokio::test]
async fn missing_required_parameters_are_400_m_missing_param() {
    let addr = serve().await;
    let (status, body) = get(addr, &format!("/v1/search/k?{TOKEN}"), &["X-Request-Id: r"]).await;
    assert_eq!((status, errcode(&body).as_str()), (400, "M_MISSING_PARAM"), "{body}");
    assert!(body.contains("`limit`"), "{body}");
    let (status, body) = get(addr, &format!("/v1/search/k?limit=1&{TOKEN}"), &[]).await;
    assert_eq!((status, errcode(&body).as_str()), (400, "M_MISSING_PARAM"), "{body}");
    assert!(body.contains("`X-Request-Id`"), "{body}");
}

#[tokio::test]
async fn malformed_parameters_are_400_m_invalid_param() {
    let addr = serve().await;
    let cases = [
        (format!("/v1/search/k?limit=ten&{TOKEN}"), "X-Request-Id: r", "`limit`"),
        (
            format!("/v1/search/k?limit=99999999999&{TOKEN}"),
            "X-Request-Id: r",
            "`limit`",
        ),
        (
            format!("/v1/search/k?limit=1&exact=maybe&{TOKEN}"),
            "X-Request-Id: r",
            "`exact`",
        ),
        (
            format!("/v1/search/k?limit=1&from=%ZZ&{TOKEN}"),
            "X-Request-Id: r",
            "%ZZ",
        ),
        (format!("/v1/search/k?limit=1&{TOKEN}"), "X-Weight: heavy", "`X-Weight`"),
        (format!("/v1/search/k%FF?limit=1&{TOKEN}"), "X-Request-Id: r", "`kind`"),
    ];
    for (target, header, named) in cases {
        let (status, body) = get(addr, &target, &["X-Request-Id: r", header]).await;
        assert_eq!(
            (status, errcode(&body).as_str()),
            (400, "M_INVALID_PARAM"),
            "{target}: {body}"
        );
        assert!(body.contains(named), "{target}: {body}");
    }
}

#[tokio::test]
async fn a_query_credential_is_required_and_checked() {
    let addr = serve().await;
    let (status, body) = get(addr, "/v1/search/k?limit=1", &["X-Request-Id: r"]).await;
    assert_eq!((status, errcode(&body).as_str()), (401, "M_UNAUTHORIZED"), "{body}");
    assert!(body.contains("access_token"), "{body}");
    let (status, body) = get(addr, "/v1/search/k?limit=1&access_token=guess", &["X-Request-Id: r"]).await;
    assert_eq!((status, errcode(&body).as_str()), (403, "M_FORBIDDEN"), "{body}");
}

#[tokio::test]
async fn bodiless_responses_and_unsecured_operations() {
    let addr = serve().await;
    let (status, body) = get(
        addr,
        &format!("/v1/search/nothing?limit=1&{TOKEN}"),
        &["X-Request-Id: r"],
    )
    .await;
    assert_eq!((status, body.as_str()), (204, ""));
    // `security: []`: no credential needed, and the handler takes no principal.
    let (status, body) = get(addr, "/v1/ping", &[]).await;
    assert_eq!((status, body.as_str()), (200, ""));
}
