//! Query and header parameters, a credential in the query, an operation without security,
//! bodiless responses and the JSON family of media types, through the crate generated from
//! tests/fixtures/params.yaml.

use std::net::SocketAddr;
use std::sync::{Arc, Mutex};

use params_api::client::Client;
use params_api::server::{AuthRequest, ParamsFixtureApi, Rejection, router};
use params_api::types::{
    CreateClusterBody, CreateClusterCreatedBody, CreateClusterCreatedBodyData, CreateClusterRequest,
    CreateClusterResponse, ListInventoryOkBody, ListInventoryRequest, ListInventoryResponse, PatchClusterOkBody,
    PatchClusterRequest, PatchClusterResponse, PatchClusterUnprocessableEntityBody, PingRequest, PingResponse,
    ReplaceClusterScaleBody, ReplaceClusterScaleOkBody, ReplaceClusterScaleRequest, ReplaceClusterScaleResponse,
    SearchOkBody, SearchRequest, SearchResponse,
};
use serde_json::json;
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

    async fn list_inventory(&self, request: ListInventoryRequest) -> ListInventoryResponse {
        // Driven in param_styles.rs.
        ListInventoryResponse::Ok(ListInventoryOkBody {
            echo: format!("{request:?}"),
            extra: Default::default(),
        })
    }

    async fn ping(&self, _request: PingRequest) -> PingResponse {
        PingResponse::Ok
    }

    async fn create_cluster(&self, request: CreateClusterRequest) -> CreateClusterResponse {
        let attributes =
            json!({ "version": request.body.version, "pools": request.body.node_pools.map_or(0, |p| p.len()) });
        CreateClusterResponse::Created(CreateClusterCreatedBody {
            data: CreateClusterCreatedBodyData {
                r#type: "clusters".to_string(),
                id: request.body.name,
                attributes: attributes.as_object().cloned(),
                extra: Default::default(),
            },
            extra: Default::default(),
        })
    }

    async fn patch_cluster(&self, request: PatchClusterRequest) -> PatchClusterResponse {
        // A merge patch is an object, a JSON patch an array of operations.
        if !request.body.is_object() && !request.body.is_array() {
            return PatchClusterResponse::UnprocessableEntity(PatchClusterUnprocessableEntityBody {
                title: Some("Not a patch".to_string()),
                detail: Some(request.body.to_string()),
                extra: Default::default(),
            });
        }
        let data = json!({ "id": request.name, "dryRun": request.dry_run, "patch": request.body });
        PatchClusterResponse::Ok(PatchClusterOkBody {
            data: data.as_object().cloned().unwrap_or_default(),
            extra: Default::default(),
        })
    }

    async fn replace_cluster_scale(&self, request: ReplaceClusterScaleRequest) -> ReplaceClusterScaleResponse {
        ReplaceClusterScaleResponse::Ok(ReplaceClusterScaleOkBody {
            replicas: request.body.replicas,
            extra: Default::default(),
        })
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

/// The `detail` of an RFC 9457 problem body (this API is not Matrix's), after checking
/// that its other members agree with the status line.
fn problem_detail(status: u16, body: &str) -> String {
    let value: serde_json::Value = serde_json::from_str(body).expect("a JSON problem body");
    assert_eq!(value["type"], "about:blank", "{body}");
    assert_eq!(value["status"], status, "{body}");
    assert!(value["title"].as_str().is_some_and(|title| !title.is_empty()), "{body}");
    assert!(value.get("errcode").is_none(), "{body}");
    value["detail"].as_str().expect("a detail").to_string()
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
async fn missing_required_parameters_are_400_problems() {
    let addr = serve().await;
    let (status, body) = get(addr, &format!("/v1/search/k?{TOKEN}"), &["X-Request-Id: r"]).await;
    assert_eq!(status, 400, "{body}");
    assert_eq!(problem_detail(status, &body), "Missing required parameter `limit`.");
    let (status, body) = get(addr, &format!("/v1/search/k?limit=1&{TOKEN}"), &[]).await;
    assert_eq!(status, 400, "{body}");
    assert_eq!(
        problem_detail(status, &body),
        "Missing required parameter `X-Request-Id`."
    );
}

#[tokio::test]
async fn malformed_parameters_are_400_problems() {
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
        assert_eq!(status, 400, "{target}: {body}");
        let detail = problem_detail(status, &body);
        assert!(detail.contains("parameter"), "{target}: {detail}");
        assert!(detail.contains(named), "{target}: {detail}");
    }
}

#[tokio::test]
async fn a_query_credential_is_required_and_checked() {
    let addr = serve().await;
    let (status, body) = get(addr, "/v1/search/k?limit=1", &["X-Request-Id: r"]).await;
    assert_eq!(status, 401, "{body}");
    assert!(problem_detail(status, &body).contains("access_token"), "{body}");
    let (status, body) = get(addr, "/v1/search/k?limit=1&access_token=guess", &["X-Request-Id: r"]).await;
    assert_eq!(status, 403, "{body}");
    problem_detail(status, &body);
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

/// Sends one raw request with `Content-Type: content_type` (none when `None`) and returns
/// the status, the reply's `Content-Type` and its body.
async fn send_body(
    addr: SocketAddr,
    method: &str,
    target: &str,
    content_type: Option<&str>,
    body: &str,
) -> (u16, String, String) {
    let mut request = format!(
        "{method} {target} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\nContent-Length: {}\r\n",
        body.len()
    );
    if let Some(content_type) = content_type {
        request.push_str(&format!("Content-Type: {content_type}\r\n"));
    }
    request.push_str("\r\n");
    request.push_str(body);
    let mut stream = tokio::net::TcpStream::connect(addr).await.expect("connect");
    stream.write_all(request.as_bytes()).await.expect("write");
    let mut raw = String::new();
    stream.read_to_string(&mut raw).await.expect("read");
    let (head, body) = raw.split_once("\r\n\r\n").expect("a header block");
    let status = head.split(' ').nth(1).and_then(|s| s.parse().ok()).expect("a status");
    let content_type = head
        .lines()
        .find_map(|line| line.strip_prefix("content-type: "))
        .unwrap_or("")
        .to_string();
    (status, content_type, body.to_string())
}

#[tokio::test]
async fn each_declared_json_type_is_accepted_ignoring_parameters_and_case() {
    let addr = serve().await;
    let cases = [
        (
            "PATCH",
            "/v1/clusters/prod",
            "application/merge-patch+json",
            r#"{"version":"1.31.2"}"#,
        ),
        (
            "PATCH",
            "/v1/clusters/prod?dryRun=true",
            "Application/JSON-Patch+JSON; charset=utf-8",
            r#"[{"op":"replace","path":"/version","value":"1.32.0"}]"#,
        ),
        // Declared as `application/json; charset=utf-8`: the parameter does not have to match.
        (
            "POST",
            "/v1/clusters",
            "application/json",
            r#"{"name":"prod","version":"1.31.2"}"#,
        ),
        (
            "POST",
            "/v1/clusters",
            "application/json;charset=UTF-8",
            r#"{"name":"prod","version":"1.31.2"}"#,
        ),
        (
            "PUT",
            "/v1/clusters/prod/scale",
            "application/json",
            r#"{"replicas":3}"#,
        ),
        (
            "PUT",
            "/v1/clusters/prod/scale",
            "application/vnd.scale+json",
            r#"{"replicas":3}"#,
        ),
    ];
    for (method, target, content_type, body) in cases {
        let (status, _, reply) = send_body(addr, method, target, Some(content_type), body).await;
        assert!(
            matches!(status, 200 | 201),
            "{method} {target} as {content_type}: {status} {reply}"
        );
    }
    let (status, _, reply) = send_body(
        addr,
        "PATCH",
        "/v1/clusters/prod",
        Some("application/merge-patch+json"),
        r#"{"a":1}"#,
    )
    .await;
    assert_eq!(status, 200);
    let reply: serde_json::Value = serde_json::from_str(&reply).expect("JSON");
    assert_eq!(
        reply["data"],
        json!({ "id": "prod", "dryRun": null, "patch": { "a": 1 } })
    );
    // `*/*` takes a body sent without a type.
    let (status, _, reply) = send_body(addr, "PUT", "/v1/clusters/prod/scale", None, r#"{"replicas":3}"#).await;
    assert_eq!((status, reply.as_str()), (200, r#"{"replicas":3}"#));
}

#[tokio::test]
async fn an_undeclared_request_type_is_415_with_the_error_body() {
    let addr = serve().await;
    let cases = [
        (
            "PATCH",
            "/v1/clusters/prod",
            Some("application/json"),
            r#"{"version":"1.31.2"}"#,
        ),
        (
            "PATCH",
            "/v1/clusters/prod",
            Some("text/plain"),
            r#"{"version":"1.31.2"}"#,
        ),
        ("PATCH", "/v1/clusters/prod", None, r#"{"version":"1.31.2"}"#),
        ("POST", "/v1/clusters", Some("application/xml"), "<cluster/>"),
        (
            "POST",
            "/v1/clusters",
            Some("application/x-www-form-urlencoded"),
            "name=prod&version=1",
        ),
        (
            "PUT",
            "/v1/clusters/prod/scale",
            Some("application/x-yaml"),
            "replicas: 3",
        ),
    ];
    for (method, target, content_type, body) in cases {
        let (status, reply_type, reply) = send_body(addr, method, target, content_type, body).await;
        assert_eq!(
            (status, reply_type.as_str()),
            (415, "application/problem+json"),
            "{method} {target} as {content_type:?}: {reply}"
        );
        assert!(
            problem_detail(status, &reply).starts_with("The request body is sent as"),
            "{reply}"
        );
    }
    let (_, _, reply) = send_body(addr, "PATCH", "/v1/clusters/prod", Some("text/plain"), "{}").await;
    assert!(reply.contains("`text/plain`"), "{reply}");
    assert!(
        reply.contains("`application/merge-patch+json`, `application/json-patch+json`"),
        "{reply}"
    );
}

#[tokio::test]
async fn responses_carry_the_declared_media_type() {
    let addr = serve().await;
    let (status, content_type, _) = send_body(
        addr,
        "POST",
        "/v1/clusters",
        Some("application/json"),
        r#"{"name":"a","version":"1"}"#,
    )
    .await;
    assert_eq!((status, content_type.as_str()), (201, "application/vnd.api+json"));
    let (status, content_type, _) = send_body(
        addr,
        "PATCH",
        "/v1/clusters/a",
        Some("application/merge-patch+json"),
        "7",
    )
    .await;
    assert_eq!((status, content_type.as_str()), (422, "application/vnd.api+json"));
    let (status, content_type, _) = send_body(addr, "PUT", "/v1/clusters/a/scale", None, r#"{"replicas":1}"#).await;
    assert_eq!((status, content_type.as_str()), (200, "application/json"));
}

#[tokio::test]
async fn the_client_sends_the_declared_type_and_reads_json_family_replies() {
    // The server records the `Content-Type` of every request it gets.
    let seen = Arc::new(Mutex::new(Vec::new()));
    let record = {
        let seen = Arc::clone(&seen);
        move |request: axum::extract::Request| {
            let content_type = request
                .headers()
                .get("content-type")
                .map(|v| v.to_str().unwrap_or("?").to_string());
            seen.lock().expect("not poisoned").push(content_type);
            request
        }
    };
    let app = router(Echo).layer(tower::util::MapRequestLayer::new(record));
    let addr = leave_server::spawn_loopback(app).await.expect("bind 127.0.0.1");
    let client = Client::new(&format!("http://{addr}")).expect("a client");

    let created = client
        .create_cluster_with(CreateClusterBody {
            name: "prod".to_string(),
            version: "1.31.2".to_string(),
            node_pools: None,
            extra: Default::default(),
        })
        .await
        .expect("createCluster");
    let CreateClusterResponse::Created(created) = created;
    assert_eq!(
        (created.data.r#type.as_str(), created.data.id.as_str()),
        ("clusters", "prod")
    );

    let patched = client
        .patch_cluster_with("prod", Some(true), json!({ "version": "1.32.0" }))
        .await
        .expect("patchCluster");
    let PatchClusterResponse::Ok(patched) = patched else {
        panic!("expected 200, got {patched:?}");
    };
    assert_eq!(patched.data["patch"], json!({ "version": "1.32.0" }));
    assert_eq!(patched.data["dryRun"], json!(true));

    let scaled = client
        .replace_cluster_scale_with(
            "prod",
            ReplaceClusterScaleBody {
                replicas: 5,
                extra: Default::default(),
            },
        )
        .await
        .expect("replaceClusterScale");
    assert_eq!(
        scaled,
        ReplaceClusterScaleResponse::Ok(ReplaceClusterScaleOkBody {
            replicas: 5,
            extra: Default::default()
        })
    );

    let seen = seen.lock().expect("not poisoned").clone();
    let expected = [
        "application/json; charset=utf-8",
        "application/merge-patch+json",
        "application/json",
    ];
    assert_eq!(seen, expected.map(|t| Some(t.to_string())));
}
