//! Responses beyond JSON, through the crate generated from tests/corpus/report-exports.yaml:
//! text, HTML and XML as `String`, PDF, PNG, ZIP and spreadsheets as `Bytes`, `image/*`
//! and `*/*` with the content type they came with, several media types on one response
//! (the variant says which one arrived), declared response headers as typed fields, and
//! 204/304 without a body. The generated client talks to the generated server over
//! 127.0.0.1; what the generated server would never send (a missing required header, a
//! type the definition does not list) comes from a canned HTTP reply.

use std::net::SocketAddr;

use bytes::Bytes;
use report_exports::client::{AuthRequest as ClientAuthRequest, Client, ClientError, ClientSettings};
use report_exports::server::{AuthRequest, LedgerlineReports, Rejection, router};
use report_exports::types::*;
use tokio::io::{AsyncReadExt, AsyncWriteExt};

const ETAG: &str = "\"v7-8c1f\"";

fn problem(title: &str, status: u16) -> Problem {
    Problem {
        r#type: "https://developer.ledgerline.example/problems/test".to_string(),
        title: title.to_string(),
        status: Some(status.into()),
        detail: None,
        instance: None,
        extra: Default::default(),
    }
}

fn report(id: &str) -> Report {
    Report {
        id: id.to_string(),
        kind: ReportKind::CashFlow,
        status: ReportStatus::Ready,
        created_at: None,
        period: Period {
            from: "2025-01-01".to_string(),
            to: "2025-03-31".to_string(),
            extra: Default::default(),
        },
        currency: Some("EUR".to_string()),
        page_count: Some(3),
        exports: None,
        extra: Default::default(),
    }
}

/// A PDF-looking body large enough to need many reads: every byte value, repeated.
fn big_pdf() -> Bytes {
    let mut pdf = b"%PDF-1.7\n".to_vec();
    pdf.extend((0..6 * 1024 * 1024).map(|i: u32| (i % 251) as u8));
    Bytes::from(pdf)
}

fn png() -> Bytes {
    Bytes::from_static(b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR\0\0\0\x01\0\0\0\x01\x08\x06\0\0\0\x1f\x15\xc4\x89")
}

/// Answers from the ids in the request, so each test asks for the form it checks.
struct Ledger;

impl LedgerlineReports for Ledger {
    type Principal = ();

    async fn authenticate(&self, request: AuthRequest<'_>) -> Result<(), Rejection> {
        match request.credential {
            "k3y" => Ok(()),
            _ => Err(Rejection::unauthorized("unknown key")),
        }
    }

    async fn get_health(&self, _request: GetHealthRequest) -> GetHealthResponse {
        GetHealthResponse::Ok("ok".to_string())
    }

    async fn get_status_page(&self, _request: GetStatusPageRequest) -> GetStatusPageResponse {
        GetStatusPageResponse::Ok("<!doctype html><h1>Ledgerline: all systems normal — ✓</h1>".to_string())
    }

    async fn list_reports(&self, request: ListReportsRequest, _principal: ()) -> ListReportsResponse {
        if request.page == Some(99) {
            return ListReportsResponse::TooManyRequests {
                body: problem("slow down", 429),
                retry_after: 30,
                x_rate_limit_reset: Some(1_767_225_600),
            };
        }
        ListReportsResponse::Ok {
            body: vec![ReportSummary {
                id: "rpt_A".to_string(),
                kind: ReportKind::TrialBalance,
                status: ReportStatus::Queued,
                created_at: None,
                extra: Default::default(),
            }],
            link: Some("<https://api.ledgerline.example/v2/reports?page=2>; rel=\"next\"".to_string()),
            x_total_count: 41,
            x_rate_limit_limit: Some(600),
            x_rate_limit_remaining: Some(599),
            x_rate_limit_reset: None,
        }
    }

    async fn create_report(&self, request: CreateReportRequest, _principal: ()) -> CreateReportResponse {
        let mut created = report("rpt_new");
        created.kind = request.body.kind;
        CreateReportResponse::Created {
            body: created,
            location: "https://api.ledgerline.example/v2/reports/rpt_new".to_string(),
            x_rate_limit_remaining: Some(12),
        }
    }

    async fn get_report(&self, request: GetReportRequest, _principal: ()) -> GetReportResponse {
        match request.report_id.as_str() {
            "missing" => GetReportResponse::NotFound(problem("no such report", 404)),
            "locked" => GetReportResponse::Status4xx {
                status: 423,
                body: problem("locked", 423),
            },
            id if request.if_none_match.as_deref() == Some(ETAG) => {
                let _ = id;
                GetReportResponse::NotModified {
                    e_tag: ETAG.to_string(),
                }
            }
            id => GetReportResponse::Ok {
                body: report(id),
                e_tag: ETAG.to_string(),
                last_modified: Some("Tue, 01 Apr 2025 08:00:00 GMT".to_string()),
                cache_control: None,
            },
        }
    }

    async fn delete_report(&self, _request: DeleteReportRequest, _principal: ()) -> DeleteReportResponse {
        DeleteReportResponse::NoContent {
            x_request_id: "1b4e28ba-2fa1-11d2-883f-0016d3cca427".to_string(),
        }
    }

    async fn rebuild_report(&self, request: RebuildReportRequest, _principal: ()) -> RebuildReportResponse {
        if request.report_id == "hints" {
            return RebuildReportResponse::Status1xx {
                status: 103,
                link: Some("</reports/hints>; rel=preload".to_string()),
            };
        }
        RebuildReportResponse::Accepted {
            location: format!("/v2/reports/{}", request.report_id),
        }
    }

    async fn export_report(&self, request: ExportReportRequest, _principal: ()) -> ExportReportResponse {
        let body = match request.accept.as_deref() {
            Some("application/pdf") => ExportReportOkBody::Pdf(big_pdf()),
            Some("text/csv") => ExportReportOkBody::Csv("account,amount\n1200,15230.50\n".to_string()),
            Some("application/json") => ExportReportOkBody::Json(vec![ExportRow {
                account: "1200".to_string(),
                label: Some("Accounts receivable".to_string()),
                amount: 15230.5,
                currency: Some("EUR".to_string()),
                extra: Default::default(),
            }]),
            Some("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet") => {
                ExportReportOkBody::Sheet(Bytes::from_static(b"PK\x03\x04 not really a sheet"))
            }
            Some("building") => return ExportReportResponse::Accepted { retry_after: 5 },
            _ => return ExportReportResponse::NotAcceptable("pdf, csv, xlsx or json".to_string()),
        };
        ExportReportResponse::Ok {
            body,
            content_disposition: "attachment; filename=\"cash-flow-q1.pdf\"".to_string(),
            x_checksum_sha256: None,
        }
    }

    async fn export_report_version(
        &self,
        request: ExportReportVersionRequest,
        _principal: (),
    ) -> ExportReportVersionResponse {
        // One version per form, so that each test asks for the form it checks.
        let body = match request.version {
            1 => ExportReportVersionOkBody::Csv("account,amount\n1200,9800.00\n".to_string()),
            2 => ExportReportVersionOkBody::Json(VersionExport {
                version: 2,
                generated_at: None,
                rows: vec![ExportRow {
                    account: "1200".to_string(),
                    label: None,
                    amount: 9800.0,
                    currency: Some("EUR".to_string()),
                    extra: Default::default(),
                }],
                extra: Default::default(),
            }),
            3 => ExportReportVersionOkBody::Sheet(Bytes::from_static(b"PK\x03\x04 version 3")),
            _ => return ExportReportVersionResponse::NotFound(problem("no such version", 404)),
        };
        ExportReportVersionResponse::Ok(body)
    }

    async fn get_report_thumbnail(
        &self,
        _request: GetReportThumbnailRequest,
        _principal: (),
    ) -> GetReportThumbnailResponse {
        GetReportThumbnailResponse::Ok {
            body: png(),
            cache_control: Some("max-age=3600".to_string()),
        }
    }

    async fn render_chart(&self, request: RenderChartRequest, _principal: ()) -> RenderChartResponse {
        let content_type = match request.chart_id.as_str() {
            "not-an-image" => "text/plain",
            _ => "image/svg+xml",
        };
        RenderChartResponse::Ok(TypedBody {
            content_type: content_type.to_string(),
            body: Bytes::from_static(b"<svg xmlns=\"http://www.w3.org/2000/svg\"/>"),
        })
    }

    async fn get_report_source(&self, request: GetReportSourceRequest, _principal: ()) -> GetReportSourceResponse {
        match request.report_id.as_str() {
            "old" => GetReportSourceResponse::Gone,
            "html" => GetReportSourceResponse::Ok(GetReportSourceOkBody::Html("<p>Cash flow</p>".to_string())),
            _ => GetReportSourceResponse::Ok(GetReportSourceOkBody::Xml("<?xml version=\"1.0\"?><xbrl/>".to_string())),
        }
    }

    async fn get_report_version_source(
        &self,
        request: GetReportVersionSourceRequest,
        _principal: (),
    ) -> GetReportVersionSourceResponse {
        match request.version {
            1 => GetReportVersionSourceResponse::Gone,
            2 => GetReportVersionSourceResponse::Ok(XmlHtmlBody::Html("<p>Cash flow, v2</p>".to_string())),
            _ => GetReportVersionSourceResponse::Ok(GetReportVersionSourceOkBody::Xml("<xbrl v=\"3\"/>".to_string())),
        }
    }

    async fn download_archive(&self, request: DownloadArchiveRequest, _principal: ()) -> DownloadArchiveResponse {
        let zip = Bytes::from_static(b"PK\x03\x04archive-bytes");
        match (request.archive_id.as_str(), request.range.as_deref()) {
            ("expired", _) => DownloadArchiveResponse::Status4xx {
                status: 410,
                body: problem("expired", 410),
            },
            (_, Some("bytes=0-3")) => DownloadArchiveResponse::PartialContent {
                body: zip.slice(0..4),
                content_range: format!("bytes 0-3/{}", zip.len()),
            },
            _ => DownloadArchiveResponse::Ok {
                content_length: Some(zip.len() as i64),
                body: zip,
                accept_ranges: Some("bytes".to_string()),
            },
        }
    }

    async fn get_archive_manifest(
        &self,
        request: GetArchiveManifestRequest,
        _principal: (),
    ) -> GetArchiveManifestResponse {
        let body = match request.archive_id.as_str() {
            "text" => GetArchiveManifestOkBody::Plain("q1.pdf\nq1.csv\n".to_string()),
            "zip" => GetArchiveManifestOkBody::Any(TypedBody {
                content_type: "application/zip".to_string(),
                body: Bytes::from_static(b"PK\x05\x06"),
            }),
            id => GetArchiveManifestOkBody::Json(Manifest {
                archive_id: id.to_string(),
                files: Vec::new(),
                extra: Default::default(),
            }),
        };
        GetArchiveManifestResponse::Ok {
            body,
            x_archive_files: Some(vec!["q1.pdf".to_string(), "q1.csv".to_string()]),
        }
    }

    async fn get_archive_part_manifest(
        &self,
        request: GetArchivePartManifestRequest,
        _principal: (),
    ) -> GetArchivePartManifestResponse {
        GetArchivePartManifestResponse::Ok(match request.part_number {
            1 => GetArchivePartManifestOkBody::Json(PartManifest {
                archive_id: request.archive_id,
                part: 1,
                of: Some(2),
                files: vec!["q1.pdf".to_string()],
                extra: Default::default(),
            }),
            2 => GetArchivePartManifestOkBody::Plain("q1.csv\n".to_string()),
            _ => GetArchivePartManifestOkBody::Any(TypedBody {
                content_type: "application/zip".to_string(),
                body: Bytes::from_static(b"PK\x05\x06"),
            }),
        })
    }
}

async fn serve() -> (Client, SocketAddr) {
    let addr = leave_server::spawn_loopback(router(Ledger))
        .await
        .expect("bind 127.0.0.1");
    (client_of(addr), addr)
}

fn client_of(addr: SocketAddr) -> Client {
    let authorizer = |_: ClientAuthRequest<'_>| Ok("k3y".to_string());
    Client::with_settings(
        &format!("http://{addr}"),
        ClientSettings::default().authorizer(authorizer),
    )
    .expect("a client")
}

/// Sends one raw request and returns the status, the header block (lowercase) and the
/// body bytes, as the server wrote them.
async fn raw(addr: SocketAddr, method: &str, target: &str, headers: &str) -> (u16, String, Vec<u8>) {
    let request = format!(
        "{method} {target} HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Api-Key: k3y\r\n{headers}Connection: close\r\n\r\n"
    );
    let mut stream = tokio::net::TcpStream::connect(addr).await.expect("connect");
    stream.write_all(request.as_bytes()).await.expect("write");
    let mut reply = Vec::new();
    stream.read_to_end(&mut reply).await.expect("read");
    let end = reply.windows(4).position(|w| w == b"\r\n\r\n").expect("a header block");
    let head = String::from_utf8_lossy(&reply[..end]).to_ascii_lowercase();
    let status = head.split(' ').nth(1).and_then(|s| s.parse().ok()).expect("a status");
    (status, head, reply[end + 4..].to_vec())
}

/// A server that answers every request with `reply` as written, to show the client what
/// the generated server never sends.
async fn canned(reply: &'static [u8]) -> SocketAddr {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let addr = listener.local_addr().expect("an address");
    tokio::spawn(async move {
        while let Ok((mut stream, _)) = listener.accept().await {
            tokio::spawn(async move {
                let mut buf = [0u8; 4096];
                let mut seen = Vec::new();
                while !seen.windows(4).any(|w| w == b"\r\n\r\n") {
                    match stream.read(&mut buf).await {
                        Ok(0) | Err(_) => return,
                        Ok(n) => seen.extend_from_slice(&buf[..n]),
                    }
                }
                let _ = stream.write_all(reply).await;
                let _ = stream.shutdown().await;
            });
        }
    });
    addr
}

#[tokio::test]
async fn text_bodies_arrive_as_strings_with_their_declared_type() {
    let (client, addr) = serve().await;
    let health = client.get_health_with().await.expect("getHealth");
    assert_eq!(health, GetHealthResponse::Ok("ok".to_string()));
    let (_, head, body) = raw(addr, "GET", "/v2/health", "").await;
    assert!(head.contains("content-type: text/plain\r\n"), "{head}");
    assert_eq!(body, b"ok");

    let page = client.get_status_page_with().await.expect("getStatusPage");
    assert_eq!(
        page,
        GetStatusPageResponse::Ok("<!doctype html><h1>Ledgerline: all systems normal — ✓</h1>".to_string())
    );
    let (_, head, _) = raw(addr, "GET", "/v2/status.html", "").await;
    assert!(head.contains("content-type: text/html; charset=utf-8\r\n"), "{head}");
}

#[tokio::test]
async fn declared_headers_travel_as_typed_fields() {
    let (client, addr) = serve().await;
    let page = client
        .list_reports_with(None, Some(2), None)
        .await
        .expect("listReports");
    let ListReportsResponse::Ok {
        body,
        link,
        x_total_count,
        x_rate_limit_limit,
        x_rate_limit_remaining,
        x_rate_limit_reset,
    } = page
    else {
        panic!("expected 200, got {page:?}");
    };
    assert_eq!(body.len(), 1);
    assert_eq!(
        link.as_deref(),
        Some("<https://api.ledgerline.example/v2/reports?page=2>; rel=\"next\"")
    );
    assert_eq!(x_total_count, 41);
    assert_eq!((x_rate_limit_limit, x_rate_limit_remaining), (Some(600), Some(599)));
    // An optional header the handler leaves out is not sent at all.
    assert_eq!(x_rate_limit_reset, None);
    let (_, head, _) = raw(addr, "GET", "/v2/reports?page=2", "").await;
    assert!(head.contains("x-total-count: 41\r\n"), "{head}");
    assert!(!head.contains("x-ratelimit-reset"), "{head}");

    let limited = client
        .list_reports_with(None, Some(99), None)
        .await
        .expect("listReports");
    assert_eq!(
        limited,
        ListReportsResponse::TooManyRequests {
            body: problem("slow down", 429),
            retry_after: 30,
            x_rate_limit_reset: Some(1_767_225_600),
        }
    );

    let created = client
        .create_report_with(NewReport {
            kind: ReportKind::ProfitAndLoss,
            period: Period {
                from: "2025-01-01".to_string(),
                to: "2025-12-31".to_string(),
                extra: Default::default(),
            },
            currency: None,
            accounts: None,
            extra: Default::default(),
        })
        .await
        .expect("createReport");
    let CreateReportResponse::Created {
        body,
        location,
        x_rate_limit_remaining,
    } = created
    else {
        panic!("expected 201, got {created:?}");
    };
    assert_eq!(body.kind, ReportKind::ProfitAndLoss);
    assert_eq!(location, "https://api.ledgerline.example/v2/reports/rpt_new");
    assert_eq!(x_rate_limit_remaining, Some(12));
}

#[tokio::test]
async fn not_modified_and_no_content_carry_headers_and_no_body() {
    let (client, addr) = serve().await;
    let fresh = client.get_report_with("rpt_1", None).await.expect("getReport");
    let GetReportResponse::Ok {
        e_tag, last_modified, ..
    } = &fresh
    else {
        panic!("expected 200, got {fresh:?}");
    };
    assert_eq!(e_tag, ETAG);
    assert_eq!(last_modified.as_deref(), Some("Tue, 01 Apr 2025 08:00:00 GMT"));

    let cached = client
        .get_report_with("rpt_1", Some(ETAG.to_string()))
        .await
        .expect("getReport");
    assert_eq!(
        cached,
        GetReportResponse::NotModified {
            e_tag: ETAG.to_string()
        }
    );
    let (status, head, body) = raw(addr, "GET", "/v2/reports/rpt_1", &format!("If-None-Match: {ETAG}\r\n")).await;
    assert_eq!(status, 304);
    assert!(head.contains(&format!("etag: {ETAG}\r\n")), "{head}");
    assert!(body.is_empty(), "a 304 has no body: {body:?}");

    let deleted = client.delete_report_with("rpt_1").await.expect("deleteReport");
    assert_eq!(
        deleted,
        DeleteReportResponse::NoContent {
            x_request_id: "1b4e28ba-2fa1-11d2-883f-0016d3cca427".to_string()
        }
    );
    let (status, head, body) = raw(addr, "DELETE", "/v2/reports/rpt_1", "").await;
    assert_eq!(status, 204);
    assert!(!head.contains("content-type"), "{head}");
    assert!(body.is_empty());
}

#[tokio::test]
async fn several_media_types_on_one_response_say_which_arrived() {
    let (client, addr) = serve().await;
    let export = |accept: &str| client.export_report_with("rpt_1", Some(accept.to_string()));

    let pdf = export("application/pdf").await.expect("exportReport");
    let ExportReportResponse::Ok {
        body: ExportReportOkBody::Pdf(bytes),
        content_disposition,
        x_checksum_sha256: None,
    } = pdf
    else {
        panic!("expected the PDF, got another form");
    };
    assert_eq!(bytes, big_pdf(), "all {} bytes arrive unchanged", bytes.len());
    assert_eq!(content_disposition, "attachment; filename=\"cash-flow-q1.pdf\"");

    let csv = export("text/csv").await.expect("exportReport");
    assert!(
        matches!(&csv, ExportReportResponse::Ok { body: ExportReportOkBody::Csv(text), .. } if text == "account,amount\n1200,15230.50\n"),
        "{csv:?}"
    );
    let json = export("application/json").await.expect("exportReport");
    assert!(
        matches!(&json, ExportReportResponse::Ok { body: ExportReportOkBody::Json(rows), .. } if rows[0].amount == 15230.5),
        "{json:?}"
    );
    let sheet = export("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
        .await
        .expect("exportReport");
    assert!(
        matches!(&sheet, ExportReportResponse::Ok { body: ExportReportOkBody::Sheet(bytes), .. } if bytes.starts_with(b"PK\x03\x04")),
        "{sheet:?}"
    );
    let (_, head, _) = raw(
        addr,
        "GET",
        "/v2/reports/rpt_1/export",
        "Accept: application/vnd.openxmlformats-officedocument.spreadsheetml.sheet\r\n",
    )
    .await;
    assert!(
        head.contains("content-type: application/vnd.openxmlformats-officedocument.spreadsheetml.sheet\r\n"),
        "{head}"
    );

    assert_eq!(
        export("building").await.expect("exportReport"),
        ExportReportResponse::Accepted { retry_after: 5 }
    );
    assert_eq!(
        export("image/gif").await.expect("exportReport"),
        ExportReportResponse::NotAcceptable("pdf, csv, xlsx or json".to_string())
    );

    let html = client.get_report_source_with("html").await.expect("getReportSource");
    assert_eq!(
        html,
        GetReportSourceResponse::Ok(GetReportSourceOkBody::Html("<p>Cash flow</p>".to_string()))
    );
    let xml = client.get_report_source_with("rpt_1").await.expect("getReportSource");
    assert_eq!(
        xml,
        GetReportSourceResponse::Ok(GetReportSourceOkBody::Xml("<?xml version=\"1.0\"?><xbrl/>".to_string()))
    );
    assert_eq!(
        client.get_report_source_with("old").await.expect("getReportSource"),
        GetReportSourceResponse::Gone
    );
}

/// Responses of the same media types share one generic body enum: each operation's body
/// is an alias of it with its own JSON type, written and read by the shared code.
#[tokio::test]
async fn responses_of_the_same_media_types_share_one_body_enum() {
    let (client, addr) = serve().await;
    let version = |n: i64| client.export_report_version_with("rpt_1", n);
    let csv = version(1).await.expect("exportReportVersion");
    assert_eq!(
        csv,
        ExportReportVersionResponse::Ok(PdfCsvSheetJsonBody::Csv("account,amount\n1200,9800.00\n".to_string()))
    );
    let json = version(2).await.expect("exportReportVersion");
    assert!(
        matches!(&json, ExportReportVersionResponse::Ok(ExportReportVersionOkBody::Json(export)) if export.version == 2 && export.rows[0].amount == 9800.0),
        "{json:?}"
    );
    let sheet = version(3).await.expect("exportReportVersion");
    assert!(
        matches!(&sheet, ExportReportVersionResponse::Ok(PdfCsvSheetJsonBody::Sheet(bytes)) if bytes.ends_with(b"version 3")),
        "{sheet:?}"
    );
    let (status, head, body) = raw(addr, "GET", "/v2/reports/rpt_1/versions/1/export", "").await;
    assert_eq!(status, 200);
    assert!(head.contains("content-type: text/csv\r\n"), "{head}");
    assert_eq!(body, b"account,amount\n1200,9800.00\n");
    assert_eq!(
        version(9).await.expect("exportReportVersion"),
        ExportReportVersionResponse::NotFound(problem("no such version", 404))
    );

    // Text forms alone: the shared enum has no type parameter.
    let source = |n: i64| client.get_report_version_source_with("rpt_1", n);
    assert_eq!(
        source(2).await.expect("getReportVersionSource"),
        GetReportVersionSourceResponse::Ok(GetReportSourceOkBody::Html("<p>Cash flow, v2</p>".to_string()))
    );
    assert_eq!(
        source(3).await.expect("getReportVersionSource"),
        GetReportVersionSourceResponse::Ok(XmlHtmlBody::Xml("<xbrl v=\"3\"/>".to_string()))
    );
    assert_eq!(
        source(1).await.expect("getReportVersionSource"),
        GetReportVersionSourceResponse::Gone
    );

    // The same three forms as `getArchiveManifest`, with another JSON type.
    let part = |n: i64| client.get_archive_part_manifest_with("arc_1", n);
    let json = part(1).await.expect("getArchivePartManifest");
    assert!(
        matches!(&json, GetArchivePartManifestResponse::Ok(JsonPlainAnyBody::Json(m)) if m.part == 1 && m.of == Some(2)),
        "{json:?}"
    );
    assert_eq!(
        part(2).await.expect("getArchivePartManifest"),
        GetArchivePartManifestResponse::Ok(GetArchivePartManifestOkBody::Plain("q1.csv\n".to_string()))
    );
    assert_eq!(
        part(3).await.expect("getArchivePartManifest"),
        GetArchivePartManifestResponse::Ok(JsonPlainAnyBody::Any(TypedBody {
            content_type: "application/zip".to_string(),
            body: Bytes::from_static(b"PK\x05\x06"),
        }))
    );
}

#[tokio::test]
async fn binary_bodies_arrive_as_bytes() {
    let (client, _) = serve().await;
    let thumbnail = client.get_report_thumbnail_with("rpt_1").await.expect("thumbnail");
    assert_eq!(
        thumbnail,
        GetReportThumbnailResponse::Ok {
            body: png(),
            cache_control: Some("max-age=3600".to_string())
        }
    );

    let whole = client
        .download_archive_with("arc_1", None)
        .await
        .expect("downloadArchive");
    assert_eq!(
        whole,
        DownloadArchiveResponse::Ok {
            body: Bytes::from_static(b"PK\x03\x04archive-bytes"),
            content_length: Some(17),
            accept_ranges: Some("bytes".to_string()),
        }
    );
    let part = client
        .download_archive_with("arc_1", Some("bytes=0-3".to_string()))
        .await
        .expect("downloadArchive");
    assert_eq!(
        part,
        DownloadArchiveResponse::PartialContent {
            body: Bytes::from_static(b"PK\x03\x04"),
            content_range: "bytes 0-3/17".to_string(),
        }
    );
    // `4xx` is written in lowercase in the definition.
    let expired = client
        .download_archive_with("expired", None)
        .await
        .expect("downloadArchive");
    assert_eq!(
        expired,
        DownloadArchiveResponse::Status4xx {
            status: 410,
            body: problem("expired", 410)
        }
    );
}

#[tokio::test]
async fn wildcard_types_carry_the_content_type_that_was_sent() {
    let (client, addr) = serve().await;
    let chart = client.render_chart_with("rpt_1", "revenue").await.expect("renderChart");
    assert_eq!(
        chart,
        RenderChartResponse::Ok(TypedBody {
            content_type: "image/svg+xml".to_string(),
            body: Bytes::from_static(b"<svg xmlns=\"http://www.w3.org/2000/svg\"/>"),
        })
    );
    // `image/*` is declared: a handler that says `text/plain` gets a 500, not a body the
    // definition does not document.
    let (status, _, _) = raw(addr, "GET", "/v2/reports/rpt_1/charts/not-an-image", "").await;
    assert_eq!(status, 500);

    // `application/json`, `text/plain` and `*/*`: the named types win over the wildcard.
    let manifest = |id: &'static str| client.get_archive_manifest_with(id);
    let json = manifest("arc_1").await.expect("manifest");
    assert!(
        matches!(&json, GetArchiveManifestResponse::Ok { body: GetArchiveManifestOkBody::Json(m), x_archive_files: Some(files) } if m.archive_id == "arc_1" && files == &["q1.pdf", "q1.csv"]),
        "{json:?}"
    );
    let text = manifest("text").await.expect("manifest");
    assert!(
        matches!(&text, GetArchiveManifestResponse::Ok { body: GetArchiveManifestOkBody::Plain(t), .. } if t == "q1.pdf\nq1.csv\n"),
        "{text:?}"
    );
    let zip = manifest("zip").await.expect("manifest");
    assert!(
        matches!(&zip, GetArchiveManifestResponse::Ok { body: GetArchiveManifestOkBody::Any(TypedBody { content_type, body }), .. } if content_type == "application/zip" && body.as_ref() == b"PK\x05\x06"),
        "{zip:?}"
    );
    let (_, head, _) = raw(addr, "GET", "/v2/archives/arc_1/manifest", "").await;
    assert!(head.contains("x-archive-files: q1.pdf, q1.csv\r\n"), "{head}");
}

#[tokio::test]
async fn a_missing_required_header_is_an_error_naming_it() {
    let addr = canned(b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 2\r\n\r\n[]").await;
    let error = client_of(addr)
        .list_reports_with(None, None, None)
        .await
        .expect_err("X-Total-Count is required");
    assert!(
        matches!(
            error,
            ClientError::MissingHeader {
                operation: "listReports",
                status: 200,
                header: "X-Total-Count"
            }
        ),
        "{error:?}"
    );
    assert!(error.to_string().contains("`X-Total-Count`"), "{error}");

    let addr = canned(b"HTTP/1.1 200 OK\r\nX-Total-Count: many\r\nContent-Length: 2\r\n\r\n[]").await;
    let error = client_of(addr)
        .list_reports_with(None, None, None)
        .await
        .expect_err("X-Total-Count is an integer");
    assert!(
        matches!(&error, ClientError::InvalidHeader { header: "X-Total-Count", reason, .. } if reason.contains("many")),
        "{error:?}"
    );
}

#[tokio::test]
async fn a_body_in_an_undeclared_type_or_not_utf8_is_an_error_that_keeps_it() {
    let addr = canned(
        b"HTTP/1.1 200 OK\r\nContent-Type: image/gif\r\nContent-Disposition: inline\r\nContent-Length: 6\r\n\r\nGIF89a",
    )
    .await;
    let error = client_of(addr)
        .export_report_with("rpt_1", None)
        .await
        .expect_err("image/gif is not declared");
    assert!(matches!(&error, ClientError::UnexpectedMediaType { .. }), "{error:?}");
    assert_eq!(error.received().expect("kept").body, b"GIF89a");
    assert!(error.to_string().contains("`image/gif`"), "{error}");

    let addr = canned(b"HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 2\r\n\r\n\xff\xfe").await;
    let error = client_of(addr).get_health_with().await.expect_err("not UTF-8");
    assert!(matches!(&error, ClientError::InvalidText { .. }), "{error:?}");
    assert_eq!(error.received().expect("kept").body, b"\xff\xfe");
}

/// HTTP/1.1 sends `1xx` responses only ahead of a final one (RFC 9110 §15.2): hyper's
/// server will not send one as the answer (it would write a bare 500), and hyper's client
/// reads past any it gets, waiting for the final response. So a handler that answers with
/// the `1XX` variant gets the API's 500 error body saying why; the variant exists because
/// the definition lists it, and the client's arm for it is compiled but unreachable.
#[tokio::test]
async fn an_informational_variant_cannot_be_the_final_answer() {
    let (client, addr) = serve().await;
    let queued = client.rebuild_report_with("rpt_1").await.expect("rebuildReport");
    assert_eq!(
        queued,
        RebuildReportResponse::Accepted {
            location: "/v2/reports/rpt_1".to_string()
        }
    );
    let error = client.rebuild_report_with("hints").await.expect_err("no final 103");
    assert!(
        matches!(&error, ClientError::UndocumentedStatus { received, .. } if received.status == 500),
        "{error:?}"
    );
    let (status, _, body) = raw(addr, "POST", "/v2/reports/hints/rebuild", "Content-Length: 0\r\n").await;
    assert_eq!(status, 500);
    let body = String::from_utf8(body).expect("text");
    assert!(body.contains("status 103 is informational"), "{body}");
}
