//! Responses documented by status range (`4XX`) and `default`, through the crate generated
//! from tests/corpus/package-registry-status-ranges.yaml. The generated client talks to the
//! generated server over 127.0.0.1: a listed status decodes into its own variant, any other
//! into its range's variant and then `default`, each carrying the status it came with. A
//! handler that puts a status in a variant that may not carry it gets a 500 error body.

use std::net::SocketAddr;

use package_registry::client::{AuthRequest as ClientAuthRequest, Client, ClientSettings};
use package_registry::server::{AuthRequest, CrateShelfRegistry, Rejection, router};
use package_registry::types::*;
use tokio::io::{AsyncReadExt, AsyncWriteExt};

fn problem(title: &str) -> Problem {
    Problem {
        r#type: "https://registry.example.net/problems/test".to_string(),
        title: title.to_string(),
        status: None,
        detail: None,
        instance: None,
        extra: Default::default(),
    }
}

fn version(num: &str) -> Version {
    Version {
        num: num.to_string(),
        yanked: false,
        checksum: None,
        published_at: None,
        extra: Default::default(),
    }
}

/// Reads what to answer from the package name: `{variant}-{status}`, or a plain name for
/// the success.
fn script(name: &str) -> Option<(&str, u16)> {
    let (variant, status) = name.rsplit_once('-')?;
    Some((variant, status.parse().ok()?))
}

/// Answers what the package name asks for, right or wrong.
struct Scripted;

impl CrateShelfRegistry for Scripted {
    type Principal = ();

    async fn authenticate(&self, _request: AuthRequest<'_>) -> Result<(), Rejection> {
        Ok(())
    }

    async fn search_packages(&self, request: SearchPackagesRequest, _principal: ()) -> SearchPackagesResponse {
        match script(&request.q) {
            Some(("range4", status)) => SearchPackagesResponse::Status4xx {
                status,
                body: problem(&request.q),
            },
            Some((_, status)) => SearchPackagesResponse::Status5xx {
                status,
                body: problem(&request.q),
            },
            None => SearchPackagesResponse::Ok(SearchPage {
                packages: Vec::new(),
                total: 0,
                next_page: None,
                extra: Default::default(),
            }),
        }
    }

    async fn get_package(&self, request: GetPackageRequest) -> GetPackageResponse {
        let body = problem(&request.name);
        match script(&request.name) {
            Some(("exact", _)) => GetPackageResponse::NotFound(body),
            Some(("range", status)) => GetPackageResponse::Status4xx { status, body },
            Some((_, status)) => GetPackageResponse::Default { status, body },
            None => GetPackageResponse::Ok(Package {
                name: request.name,
                latest: "1.0.0".to_string(),
                description: None,
                downloads: None,
                keywords: None,
                extra: Default::default(),
            }),
        }
    }

    async fn delete_package(&self, request: DeletePackageRequest, _principal: ()) -> DeletePackageResponse {
        match script(&request.name) {
            Some(("range", status)) => DeletePackageResponse::Status4xx { status },
            Some((_, status)) => DeletePackageResponse::Default { status },
            None => DeletePackageResponse::NoContent,
        }
    }

    async fn list_versions(&self, request: ListVersionsRequest, _principal: ()) -> ListVersionsResponse {
        match script(&request.name) {
            Some(("range", status)) => ListVersionsResponse::Status2xx {
                status,
                body: vec![version("0.9.0")],
            },
            _ => ListVersionsResponse::Ok(vec![version("1.0.0"), version("0.9.0")]),
        }
    }

    async fn publish_version(&self, request: PublishVersionRequest, _principal: ()) -> PublishVersionResponse {
        PublishVersionResponse::Created(version(&request.body.num))
    }

    async fn yank_version(&self, request: YankVersionRequest, _principal: ()) -> YankVersionResponse {
        YankVersionResponse::Ok(Version {
            yanked: true,
            ..version(&request.num)
        })
    }
}

async fn serve() -> (Client, SocketAddr) {
    let addr = leave_server::spawn_loopback(router(Scripted))
        .await
        .expect("bind 127.0.0.1");
    let authorizer = |_: ClientAuthRequest<'_>| Ok("Bearer t0ken".to_string());
    let client = Client::with_settings(
        &format!("http://{addr}"),
        ClientSettings::default().authorizer(authorizer),
    )
    .expect("a client");
    (client, addr)
}

/// Sends one raw GET and returns the status and body.
async fn get(addr: SocketAddr, target: &str) -> (u16, String) {
    let request =
        format!("GET {target} HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer t0ken\r\nConnection: close\r\n\r\n");
    let mut stream = tokio::net::TcpStream::connect(addr).await.expect("connect");
    stream.write_all(request.as_bytes()).await.expect("write");
    let mut raw = String::new();
    stream.read_to_string(&mut raw).await.expect("read");
    let (head, body) = raw.split_once("\r\n\r\n").expect("a header block");
    let status = head.split(' ').nth(1).and_then(|s| s.parse().ok()).expect("a status");
    (status, body.to_string())
}

#[tokio::test]
async fn a_listed_status_wins_over_its_range_and_the_range_over_default() {
    let (client, _) = serve().await;

    let found = client.get_package_with("serde").await.expect("getPackage");
    assert!(
        matches!(&found, GetPackageResponse::Ok(p) if p.name == "serde"),
        "{found:?}"
    );
    assert_eq!(found.status(), 200);

    // 404 is listed on its own: it is not the `4xx` variant although it is in the range.
    let missing = client.get_package_with("exact-404").await.expect("getPackage");
    assert_eq!(missing, GetPackageResponse::NotFound(problem("exact-404")));

    let teapot = client.get_package_with("range-418").await.expect("getPackage");
    assert_eq!(
        teapot,
        GetPackageResponse::Status4xx {
            status: 418,
            body: problem("range-418")
        }
    );
    assert_eq!(teapot.status(), 418);

    let gateway = client.get_package_with("default-502").await.expect("getPackage");
    assert_eq!(
        gateway,
        GetPackageResponse::Default {
            status: 502,
            body: problem("default-502")
        }
    );
}

#[tokio::test]
async fn range_and_default_variants_without_a_body_carry_their_status() {
    let (client, _) = serve().await;
    let gone = client.delete_package_with("range-410").await.expect("deletePackage");
    assert_eq!(gone, DeletePackageResponse::Status4xx { status: 410 });
    let redirected = client.delete_package_with("default-303").await.expect("deletePackage");
    assert_eq!(redirected, DeletePackageResponse::Default { status: 303 });
    let done = client.delete_package_with("tokio").await.expect("deletePackage");
    assert_eq!(done, DeletePackageResponse::NoContent);
}

#[tokio::test]
async fn a_success_range_sits_beside_its_listed_status() {
    let (client, _) = serve().await;
    let partial = client.list_versions_with("range-206").await.expect("listVersions");
    assert_eq!(
        partial,
        ListVersionsResponse::Status2xx {
            status: 206,
            body: vec![version("0.9.0")]
        }
    );
    let whole = client.list_versions_with("serde").await.expect("listVersions");
    assert!(
        matches!(&whole, ListVersionsResponse::Ok(v) if v.len() == 2),
        "{whole:?}"
    );
}

#[tokio::test]
async fn each_range_of_an_operation_without_default_decodes_into_its_own_variant() {
    let (client, _) = serve().await;
    let limited = client
        .search_packages_with("range4-429", None, None)
        .await
        .expect("searchPackages");
    assert_eq!(
        limited,
        SearchPackagesResponse::Status4xx {
            status: 429,
            body: problem("range4-429")
        }
    );
    let unavailable = client
        .search_packages_with("range5-503", None, None)
        .await
        .expect("searchPackages");
    assert_eq!(unavailable.status(), 503);
    assert!(matches!(unavailable, SearchPackagesResponse::Status5xx { .. }));
}

/// A status its variant may not carry never reaches the client as that variant: the
/// server answers 500 with its error body, and says why.
#[tokio::test]
async fn a_status_its_variant_may_not_carry_is_a_500_error() {
    let (client, addr) = serve().await;
    let refused = [
        // Outside the variant's range.
        "/api/v2/packages/range-503",
        "/api/v2/packages?q=range4-200",
        "/api/v2/packages?q=range5-404",
        // `default` with a listed status, a status of a listed range, or no status at all.
        "/api/v2/packages/default-404",
        "/api/v2/packages/default-200",
        "/api/v2/packages/default-429",
        "/api/v2/packages/default-999",
        "/api/v2/packages/default-42",
    ];
    for target in refused {
        let (status, body) = get(addr, target).await;
        assert_eq!(status, 500, "{target}: {body}");
        // Not a Matrix API: the router's own errors are RFC 9457 problem bodies.
        let error: serde_json::Value = serde_json::from_str(&body).expect("a JSON error body");
        assert_eq!(error["status"], 500, "{target}: {body}");
        assert_eq!(error["title"], "Internal Server Error", "{target}: {body}");
        let message = error["detail"].as_str().expect("a detail");
        assert!(message.contains("status "), "{target}: {message}");
    }
    let (status, body) = get(addr, "/api/v2/packages/default-502").await;
    assert_eq!(status, 502, "{body}");

    // The 500 is not a documented status of `getPackage` but `default` takes it in; the
    // router's own problem body is the definition's `Problem`, so the client reads it.
    let reply = client.get_package_with("range-503").await.expect("a problem body");
    let GetPackageResponse::Default { status: 500, body } = reply else {
        panic!("{reply:?}")
    };
    assert_eq!(
        (body.r#type.as_str(), body.title.as_str()),
        ("about:blank", "Internal Server Error")
    );
    assert_eq!(body.status, Some(500));
    assert!(body.detail.is_some_and(|detail| detail.contains("status ")));
}
