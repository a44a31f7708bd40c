//! The dialect profile over 127.0.0.1: what the router answers by itself. An API that is
//! not Matrix's (tests/corpus/file-storage-uploads.yaml) answers with RFC 9457
//! `application/problem+json` bodies, one hook (`error_response`) replaces them
//! (tests/corpus/package-registry-status-ranges.yaml), and the leave API stays Matrix.

use std::net::SocketAddr;

use axum::response::{IntoResponse, Response};
use file_storage::server::{AuthRequest, DriftboxStorage, Rejection, ServerConfig, router_with_config};
use file_storage::types::*;
use package_registry::server::Rejection as RegistryRejection;
use tokio::io::{AsyncReadExt, AsyncWriteExt};

/// Accepts any bearer token but `read-only`; a handler that is reached panics, which the
/// router must answer too.
struct Storage;

impl DriftboxStorage for Storage {
    type Principal = ();

    async fn authenticate(&self, request: AuthRequest<'_>) -> Result<(), Rejection> {
        match request.credential {
            "Bearer read-only" => Err(Rejection::forbidden("This token may only read.")),
            _ => Ok(()),
        }
    }

    async fn issue_token(&self, _: IssueTokenRequest) -> IssueTokenResponse {
        panic!("not served in these tests")
    }
    async fn create_folder(&self, _: CreateFolderRequest, _: ()) -> CreateFolderResponse {
        panic!("not served in these tests")
    }
    async fn get_folder(&self, _: GetFolderRequest, _: ()) -> GetFolderResponse {
        panic!("the folder store is down")
    }
    async fn update_folder(&self, _: UpdateFolderRequest, _: ()) -> UpdateFolderResponse {
        panic!("not served in these tests")
    }
    async fn upload_file(&self, _: UploadFileRequest, _: ()) -> UploadFileResponse {
        panic!("not served in these tests")
    }
    async fn get_file(&self, _: GetFileRequest, _: ()) -> GetFileResponse {
        panic!("not served in these tests")
    }
    async fn delete_file(&self, _: DeleteFileRequest, _: ()) -> DeleteFileResponse {
        panic!("not served in these tests")
    }
    async fn replace_file_content(&self, _: ReplaceFileContentRequest, _: ()) -> ReplaceFileContentResponse {
        panic!("not served in these tests")
    }
    async fn add_note(&self, _: AddNoteRequest, _: ()) -> AddNoteResponse {
        panic!("not served in these tests")
    }
    async fn import_archive(&self, _: ImportArchiveRequest, _: ()) -> ImportArchiveResponse {
        panic!("not served in these tests")
    }
    async fn submit_manifest(&self, _: SubmitManifestRequest, _: ()) -> SubmitManifestResponse {
        panic!("not served in these tests")
    }
}

async fn serve_app(app: axum::Router) -> SocketAddr {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    addr
}

/// What came back: status, `Content-Type` and body.
struct Reply {
    status: u16,
    content_type: String,
    body: String,
}

/// Sends one request as written, with `Content-Length` for a body.
async fn send(addr: SocketAddr, head: &str, body: &str) -> Reply {
    let mut stream = tokio::net::TcpStream::connect(addr).await.unwrap();
    let request = format!(
        "{head}\r\nHost: x\r\nConnection: close\r\nContent-Length: {}\r\n\r\n{body}",
        body.len()
    );
    stream.write_all(request.as_bytes()).await.unwrap();
    let mut raw = String::new();
    stream.read_to_string(&mut raw).await.unwrap();
    let (head, body) = raw.split_once("\r\n\r\n").expect("a header block");
    let status = head.split(' ').nth(1).and_then(|s| s.parse().ok()).expect("a status");
    let content_type = head
        .lines()
        .find_map(|line| {
            let (name, value) = line.split_once(':')?;
            name.eq_ignore_ascii_case("content-type")
                .then(|| value.trim().to_string())
        })
        .unwrap_or_default();
    Reply {
        status,
        content_type,
        body: body.to_string(),
    }
}

/// Checks that `reply` is an RFC 9457 problem for `status` and returns its `detail`.
fn problem_detail(reply: &Reply, status: u16, title: &str) -> String {
    assert_eq!(reply.status, status, "{}", reply.body);
    assert_eq!(reply.content_type, "application/problem+json", "{}", reply.body);
    let problem: serde_json::Value = serde_json::from_str(&reply.body).expect("a JSON problem body");
    // Sorted: whether serde_json keeps insertion order depends on the features other
    // crates of the workspace turn on.
    let mut members: Vec<&str> = problem.as_object().unwrap().keys().map(String::as_str).collect();
    members.sort_unstable();
    assert_eq!(members, ["detail", "status", "title", "type"], "{}", reply.body);
    assert_eq!(problem["type"], "about:blank");
    assert_eq!(problem["title"], title);
    assert_eq!(problem["status"], status);
    problem["detail"].as_str().unwrap().to_string()
}

const JSON: &str = "Content-Type: application/json";
const TOKEN: &str = "Authorization: Bearer t0ken";

#[tokio::test]
async fn the_routers_own_errors_are_problem_json() {
    let addr = serve_app(router_with_config(Storage, ServerConfig::default())).await;
    let cases: [(&str, &str, u16, &str, &str); 8] = [
        (
            "GET /v2/nowhere HTTP/1.1",
            "",
            404,
            "Not Found",
            "No endpoint is defined at this path.",
        ),
        (
            "DELETE /v2/folders HTTP/1.1",
            "",
            405,
            "Method Not Allowed",
            "This endpoint does not support the DELETE method.",
        ),
        (
            &format!("POST /v2/folders HTTP/1.1\r\n{JSON}"),
            r#"{"name":"Taxes"}"#,
            401,
            "Unauthorized",
            "Missing credentials for `bearer`",
        ),
        (
            &format!("POST /v2/folders HTTP/1.1\r\n{JSON}\r\nAuthorization: Bearer read-only"),
            r#"{"name":"Taxes"}"#,
            403,
            "Forbidden",
            "This token may only read.",
        ),
        (
            &format!("POST /v2/folders HTTP/1.1\r\n{JSON}\r\n{TOKEN}"),
            r#"{"name": "Taxes""#,
            400,
            "Bad Request",
            "The request body is not JSON",
        ),
        (
            &format!("POST /v2/folders HTTP/1.1\r\n{JSON}\r\n{TOKEN}"),
            r#"{"name": 2024}"#,
            400,
            "Bad Request",
            "The request body does not fit the schema",
        ),
        (
            &format!("POST /v2/folders HTTP/1.1\r\nContent-Type: text/csv\r\n{TOKEN}"),
            "name\nTaxes",
            415,
            "Unsupported Media Type",
            "The request body is sent as `text/csv`",
        ),
        (
            &format!("GET /v2/folders/fld_1 HTTP/1.1\r\n{TOKEN}"),
            "",
            500,
            "Internal Server Error",
            "The server failed to handle the request.",
        ),
    ];
    for (head, body, status, title, detail) in cases {
        let reply = send(addr, head, body).await;
        let got = problem_detail(&reply, status, title);
        assert!(got.starts_with(detail), "{head}: {got}");
    }
}

#[tokio::test]
async fn limits_are_problem_json_too() {
    let small = ServerConfig::default().with_body_limit(64);
    let addr = serve_app(router_with_config(Storage, small)).await;
    let big = format!(r#"{{"name":"{}"}}"#, "x".repeat(100));
    let head = format!("POST /v2/folders HTTP/1.1\r\n{JSON}\r\n{TOKEN}");
    let reply = send(addr, &head, &big).await;
    let detail = problem_detail(&reply, 413, "Payload Too Large");
    assert_eq!(detail, "The request body is larger than 64 bytes.");

    let capped = ServerConfig::default().with_buffered_body_cap(32);
    let addr = serve_app(router_with_config(Storage, capped)).await;
    let reply = send(addr, &head, &big).await;
    problem_detail(&reply, 503, "Service Unavailable");

    let addr = serve_app(router_with_config(Storage, ServerConfig::default())).await;
    let reply = send(addr, &format!("GET /v2/folders/%FF HTTP/1.1\r\n{TOKEN}"), "").await;
    let detail = problem_detail(&reply, 400, "Bad Request");
    assert!(detail.contains("`folderId`"), "{detail}");
}

/// The registry answers its own errors in its own words: one method replaces every
/// body the router writes by itself.
struct Registry;

impl package_registry::server::CrateShelfRegistry for Registry {
    type Principal = ();

    async fn authenticate(&self, _: package_registry::server::AuthRequest<'_>) -> Result<(), RegistryRejection> {
        Ok(())
    }
    async fn search_packages(
        &self,
        _: package_registry::types::SearchPackagesRequest,
        _: (),
    ) -> package_registry::types::SearchPackagesResponse {
        panic!("not served in these tests")
    }
    async fn get_package(
        &self,
        _: package_registry::types::GetPackageRequest,
    ) -> package_registry::types::GetPackageResponse {
        panic!("not served in these tests")
    }
    async fn delete_package(
        &self,
        _: package_registry::types::DeletePackageRequest,
        _: (),
    ) -> package_registry::types::DeletePackageResponse {
        panic!("not served in these tests")
    }
    async fn list_versions(
        &self,
        _: package_registry::types::ListVersionsRequest,
        _: (),
    ) -> package_registry::types::ListVersionsResponse {
        panic!("not served in these tests")
    }
    async fn publish_version(
        &self,
        _: package_registry::types::PublishVersionRequest,
        _: (),
    ) -> package_registry::types::PublishVersionResponse {
        panic!("not served in these tests")
    }
    async fn yank_version(
        &self,
        _: package_registry::types::YankVersionRequest,
        _: (),
    ) -> package_registry::types::YankVersionResponse {
        panic!("not served in these tests")
    }

    fn error_response(&self, error: &package_registry::server::ServerError) -> Response {
        let text = format!("crate shelf: {error}");
        (error.status(), [("content-type", "text/plain; charset=utf-8")], text).into_response()
    }
}

#[tokio::test]
async fn error_response_replaces_every_body_the_router_writes() {
    let addr = serve_app(package_registry::server::router(Registry)).await;
    let reply = send(addr, "GET /api/v2/nowhere HTTP/1.1", "").await;
    assert_eq!(
        (reply.status, reply.content_type.as_str(), reply.body.as_str()),
        (
            404,
            "text/plain; charset=utf-8",
            "crate shelf: No endpoint is defined at this path."
        )
    );
    let reply = send(addr, "DELETE /api/v2/packages/serde HTTP/1.1", "").await;
    assert_eq!(
        (reply.status, reply.content_type.as_str()),
        (401, "text/plain; charset=utf-8")
    );
    assert!(
        reply.body.starts_with("crate shelf: Missing credentials"),
        "{}",
        reply.body
    );
}

#[tokio::test]
async fn the_leave_api_stays_matrix() {
    use matrix_federation_leave::server::router;
    let addr = leave_server::spawn_loopback(router(leave_server::LeaveServer::new("hs.example")))
        .await
        .unwrap();
    let reply = send(addr, "GET /_matrix/federation/v1/nowhere HTTP/1.1", "").await;
    assert_eq!((reply.status, reply.content_type.as_str()), (404, "application/json"));
    let error: serde_json::Value = serde_json::from_str(&reply.body).unwrap();
    assert_eq!(error["errcode"], "M_UNRECOGNIZED", "{}", reply.body);
    assert!(error["error"].is_string(), "{}", reply.body);
    let reply = send(
        addr,
        "GET /_matrix/federation/v1/make_leave/%21r%3Ahs/%40u%3Ahs HTTP/1.1",
        "",
    )
    .await;
    let error: serde_json::Value = serde_json::from_str(&reply.body).unwrap();
    assert_eq!(
        (reply.status, &error["errcode"]),
        (401, &serde_json::json!("M_UNAUTHORIZED"))
    );
}

/// What `stubforge export` would write; the router serves it as given.
const DOCUMENT: &str = r#"{"openapi":"3.1.0","info":{"title":"Driftbox Storage","version":"2"},"paths":{}}"#;

#[tokio::test]
async fn the_served_document_answers_other_methods_in_the_profiles_words() {
    let config = ServerConfig::default().with_openapi_document("/openapi.json", DOCUMENT);
    let addr = serve_app(router_with_config(Storage, config)).await;
    let reply = send(addr, "GET /openapi.json HTTP/1.1", "").await;
    assert_eq!((reply.status, reply.content_type.as_str()), (200, "application/json"));
    assert_eq!(reply.body, DOCUMENT);
    let reply = send(addr, "POST /openapi.json HTTP/1.1", "{}").await;
    let detail = problem_detail(&reply, 405, "Method Not Allowed");
    assert!(detail.contains("POST"), "{detail}");

    let config =
        matrix_federation_leave::server::ServerConfig::default().with_openapi_document("/openapi.json", DOCUMENT);
    let leave =
        matrix_federation_leave::server::router_with_config(leave_server::LeaveServer::new("hs.example"), config);
    let addr = leave_server::spawn_loopback(leave).await.unwrap();
    let reply = send(addr, "GET /openapi.json HTTP/1.1", "").await;
    assert_eq!((reply.status, reply.body.as_str()), (200, DOCUMENT));
    let reply = send(addr, "DELETE /openapi.json HTTP/1.1", "").await;
    assert_eq!((reply.status, reply.content_type.as_str()), (405, "application/json"));
    let error: serde_json::Value = serde_json::from_str(&reply.body).unwrap();
    assert_eq!(error["errcode"], "M_UNRECOGNIZED", "{}", reply.body);
}
