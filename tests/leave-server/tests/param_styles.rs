//! Every parameter style, end to end over 127.0.0.1: the generated client writes each
//! request of tests/corpus/search-analytics-param-styles.yaml (OpenAPI 3.0 `style` and
//! `explode`, cookies, a session key in a cookie, defaults) and of tests/fixtures/params.yaml
//! (Swagger 2.0 `collectionFormat`), the generated server reads it, and the server's echo
//! of what it read must equal what was sent. The bytes on the wire are checked against
//! what the specifications say each style looks like, and values that nest against the
//! bracket convention (`Tags[0][Key]=env`) the README gives for them.

use std::net::SocketAddr;
use std::sync::{Arc, Mutex};

use search_analytics::client::{AuthRequest, AuthorizeError, Client, ClientError, ClientSettings};
use search_analytics::server::{Rejection, SearchAnalyticsApi, router};
use search_analytics::types::*;
use tokio::io::{AsyncReadExt, AsyncWriteExt};

/// Answers every operation with the request as it read it.
struct Echoing;

fn echo<R: std::fmt::Debug>(request: &R, caller: String) -> Echo {
    Echo {
        request: format!("{request:?}"),
        caller: Some(caller),
        extra: Default::default(),
    }
}

impl SearchAnalyticsApi for Echoing {
    type Principal = String;

    async fn authenticate(&self, request: search_analytics::server::AuthRequest<'_>) -> Result<String, Rejection> {
        match request.credential {
            "sess-42" => Ok("session 42".to_string()),
            _ => Err(Rejection::forbidden("Unknown session.")),
        }
    }

    async fn search_documents(&self, request: SearchDocumentsRequest, who: String) -> SearchDocumentsResponse {
        SearchDocumentsResponse::Ok(echo(&request, who))
    }

    async fn find_similar_documents(
        &self,
        request: FindSimilarDocumentsRequest,
        who: String,
    ) -> FindSimilarDocumentsResponse {
        FindSimilarDocumentsResponse::Ok(echo(&request, who))
    }

    async fn get_report_columns(&self, request: GetReportColumnsRequest, who: String) -> GetReportColumnsResponse {
        GetReportColumnsResponse::Ok(echo(&request, who))
    }

    async fn get_report_rows(&self, request: GetReportRowsRequest, who: String) -> GetReportRowsResponse {
        GetReportRowsResponse::Ok(echo(&request, who))
    }

    async fn get_metric_series(&self, request: GetMetricSeriesRequest, who: String) -> GetMetricSeriesResponse {
        GetMetricSeriesResponse::Ok(echo(&request, who))
    }

    async fn get_metric_window(&self, request: GetMetricWindowRequest, who: String) -> GetMetricWindowResponse {
        GetMetricWindowResponse::Ok(echo(&request, who))
    }

    async fn list_points_near(&self, request: ListPointsNearRequest, who: String) -> ListPointsNearResponse {
        ListPointsNearResponse::Ok(echo(&request, who))
    }

    async fn nearest_point(&self, request: NearestPointRequest, who: String) -> NearestPointResponse {
        NearestPointResponse::Ok(echo(&request, who))
    }

    async fn list_object_versions(
        &self,
        request: ListObjectVersionsRequest,
        who: String,
    ) -> ListObjectVersionsResponse {
        ListObjectVersionsResponse::Ok(echo(&request, who))
    }

    async fn list_events(&self, request: ListEventsRequest, who: String) -> ListEventsResponse {
        ListEventsResponse::Ok(echo(&request, who))
    }

    async fn list_invoices(&self, request: ListInvoicesRequest, who: String) -> ListInvoicesResponse {
        ListInvoicesResponse::Ok(echo(&request, who))
    }

    async fn list_tagged_resources(
        &self,
        request: ListTaggedResourcesRequest,
        who: String,
    ) -> ListTaggedResourcesResponse {
        ListTaggedResourcesResponse::Ok(echo(&request, who))
    }

    async fn get_health(&self, _request: GetHealthRequest) -> GetHealthResponse {
        GetHealthResponse::NoContent
    }
}

/// What the server received: path and query as sent, and the headers a test looks at.
#[derive(Debug, Default, Clone)]
struct Wire {
    target: String,
    headers: Vec<(String, String)>,
}

type Seen = Arc<Mutex<Vec<Wire>>>;

/// Serves `app` with a layer that records every request's target and headers.
async fn serve_recording(app: axum::Router) -> (SocketAddr, Seen) {
    let seen: Seen = Arc::default();
    let record = {
        let seen = Arc::clone(&seen);
        move |request: axum::extract::Request| {
            let headers = request
                .headers()
                .iter()
                .filter(|(name, _)| name.as_str().starts_with("x-") || *name == "cookie")
                .map(|(name, value)| (name.to_string(), value.to_str().unwrap_or("?").to_string()))
                .collect();
            let target = request.uri().path_and_query().map_or("", |pq| pq.as_str()).to_string();
            seen.lock().expect("not poisoned").push(Wire { target, headers });
            request
        }
    };
    let app = app.layer(tower::util::MapRequestLayer::new(record));
    let addr = leave_server::spawn_loopback(app).await.expect("bind 127.0.0.1");
    (addr, seen)
}

fn last(seen: &Seen) -> Wire {
    seen.lock().expect("not poisoned").last().cloned().expect("a request")
}

fn header<'a>(wire: &'a Wire, name: &str) -> Option<&'a str> {
    wire.headers.iter().find(|(n, _)| n == name).map(|(_, v)| v.as_str())
}

async fn search_client() -> (Client, Seen) {
    let (addr, seen) = serve_recording(router(Echoing)).await;
    let authorizer = |_: AuthRequest<'_>| -> Result<String, AuthorizeError> { Ok("sess-42".to_string()) };
    let settings = ClientSettings::default().authorizer(authorizer);
    let client = Client::with_settings(&format!("http://{addr}"), settings).expect("a client");
    (client, seen)
}

/// The server's reading of a request, from an `Echo` reply.
fn read_back(reply: Echo) -> String {
    assert_eq!(
        reply.caller.as_deref(),
        Some("session 42"),
        "the session cookie reached `authenticate`"
    );
    reply.request
}

#[tokio::test]
async fn query_header_and_cookie_styles_round_trip() {
    let (client, seen) = search_client().await;
    let request = SearchDocumentsRequest {
        index_ids: vec!["products".to_string(), "archive/2024".to_string()],
        q: "red shoes, size 9".to_string(),
        fields: Some(vec!["title".to_string(), "price,net".to_string()]),
        tag: Some(vec!["new".to_string(), "sale".to_string()]),
        sort: Some(vec!["-price".to_string(), "title".to_string()]),
        facets: Some(vec!["brand".to_string(), "color|tone".to_string()]),
        filter: Some(DocumentFilter {
            status: Some(DocumentFilterStatus::Published),
            min_score: Some(0.5),
            owner: Some("ana, b".to_string()),
            pinned: Some(true),
            extra: Default::default(),
        }),
        page: 2,
        page_size: 50,
        highlight: true,
        order: SortOrder::Newest,
        x_tenant_ids: Some(vec![7, 9]),
        x_client: Some(ClientInfo {
            name: "cli".to_string(),
            version: Some("1.2".to_string()),
            extra: Default::default(),
        }),
        locale: "fr-FR".to_string(),
        recent_queries: Some(vec!["boots".to_string(), "red, shoes".to_string()]),
    };
    let SearchDocumentsResponse::Ok(reply) = client.search_documents(&request).await.expect("searchDocuments") else {
        panic!("expected 200");
    };
    assert_eq!(read_back(reply), format!("{request:?}"));

    let wire = last(&seen);
    assert_eq!(
        wire.target,
        concat!(
            "/v2/indexes/products,archive%2F2024/documents",
            "?q=red%20shoes%2C%20size%209",
            "&fields=title,price%2Cnet",
            "&tag=new&tag=sale",
            "&sort=-price%20title",
            "&facets=brand|color%7Ctone",
            "&filter[minScore]=0.5&filter[owner]=ana%2C%20b&filter[pinned]=true&filter[status]=published",
            "&page=2&pageSize=50&highlight=true&order=newest",
        )
    );
    assert_eq!(header(&wire, "x-tenant-ids"), Some("7,9"));
    assert_eq!(header(&wire, "x-client"), Some("name=cli,version=1.2"));
    assert_eq!(
        header(&wire, "cookie"),
        Some("locale=fr-FR; recentQueries=boots,red%2C%20shoes; sid=sess-42")
    );
}

#[tokio::test]
async fn path_styles_round_trip() {
    let (client, seen) = search_client().await;
    let mut wires = Vec::new();

    let similar = FindSimilarDocumentsRequest {
        index_ids: vec!["products".to_string()],
        document_id: "docs/guide.md".to_string(),
        min_score: 0.75,
        tag: Some(vec!["a b".to_string(), "c".to_string()]),
    };
    let FindSimilarDocumentsResponse::Ok(reply) = client.find_similar_documents(&similar).await.expect("similar");
    assert_eq!(read_back(reply), format!("{similar:?}"));
    wires.push(last(&seen));

    let columns = GetReportColumnsRequest {
        report_id: "weekly".to_string(),
        columns: vec!["day".to_string(), "visits.unique".to_string()],
    };
    let GetReportColumnsResponse::Ok(reply) = client.get_report_columns(&columns).await.expect("columns");
    assert_eq!(read_back(reply), format!("{columns:?}"));
    wires.push(last(&seen));

    let rows = GetReportRowsRequest {
        report_id: "weekly".to_string(),
        range: RowRange {
            from: 1,
            to: 50,
            extra: Default::default(),
        },
    };
    let GetReportRowsResponse::Ok(reply) = client.get_report_rows(&rows).await.expect("rows");
    assert_eq!(read_back(reply), format!("{rows:?}"));
    wires.push(last(&seen));

    let series = GetMetricSeriesRequest {
        metric: "latency.p99".to_string(),
        dimensions: vec!["region".to_string(), "status;code".to_string()],
        interval: GetMetricSeriesInterval::Day,
    };
    let GetMetricSeriesResponse::Ok(reply) = client.get_metric_series(&series).await.expect("series");
    assert_eq!(read_back(reply), format!("{series:?}"));
    wires.push(last(&seen));

    let window = GetMetricWindowRequest {
        metric: "latency".to_string(),
        window: TimeWindow {
            from: "2026-01-01T00:00:00Z".to_string(),
            to: "2026-01-02T00:00:00Z".to_string(),
            extra: Default::default(),
        },
        x_breakdown: Some([("eu".to_string(), 1.5), ("us".to_string(), 2.0)].into()),
    };
    let GetMetricWindowResponse::Ok(reply) = client.get_metric_window(&window).await.expect("window");
    assert_eq!(read_back(reply), format!("{window:?}"));
    wires.push(last(&seen));

    let point = GeoPoint {
        lat: 48.85,
        lon: -2.35,
        extra: Default::default(),
    };
    let near = ListPointsNearRequest {
        near: point.clone(),
        bbox: Some(BoundingBox {
            south: 48.8,
            west: 2.2,
            north: 48.9,
            east: 2.4,
            extra: Default::default(),
        }),
    };
    let ListPointsNearResponse::Ok(reply) = client.list_points_near(&near).await.expect("near");
    assert_eq!(read_back(reply), format!("{near:?}"));
    wires.push(last(&seen));

    let nearest = NearestPointRequest { near: point };
    let NearestPointResponse::Ok(reply) = client.nearest_point(&nearest).await.expect("nearest");
    assert_eq!(read_back(reply), format!("{nearest:?}"));
    wires.push(last(&seen));

    let targets: Vec<&str> = wires.iter().map(|wire| wire.target.as_str()).collect();
    assert_eq!(
        targets,
        [
            "/v2/indexes/products/documents/docs%2Fguide.md/similar?minScore=0.75",
            "/v2/reports/.weekly/columns/.day.visits%2Eunique",
            "/v2/reports/weekly/rows/.from,1,to,50",
            "/v2/metrics/;metric=latency.p99/series/;dimensions=region,status%3Bcode?interval=day",
            "/v2/metrics/latency/window/;from=2026-01-01T00%3A00%3A00Z;to=2026-01-02T00%3A00%3A00Z",
            "/v2/geo/points/lat,48.85,lon,-2.35?bbox=east,2.4,north,48.9,south,48.8,west,2.2",
            "/v2/geo/points/lat=48.85,lon=-2.35/nearest",
        ]
    );
    // An exploded array in a cookie is one cookie per item.
    assert_eq!(header(&wires[0], "cookie"), Some("tag=a%20b; tag=c; sid=sess-42"));
    assert_eq!(header(&wires[4], "x-breakdown"), Some("eu,1.5,us,2.0"));
}

#[tokio::test]
async fn one_name_in_two_places_and_names_that_collapse_stay_apart() {
    let (client, seen) = search_client().await;
    let versions = ListObjectVersionsRequest {
        bucket: "logs".to_string(),
        path: "2026/01/app.log".to_string(),
        path2: Some("rotated/".to_string()),
    };
    let ListObjectVersionsResponse::Ok(reply) = client.list_object_versions(&versions).await.expect("versions");
    assert_eq!(read_back(reply), format!("{versions:?}"));
    assert_eq!(
        last(&seen).target,
        "/v2/buckets/logs/objects/2026%2F01%2Fapp.log?path=rotated%2F"
    );

    let events = ListEventsRequest {
        start_time: Some("2026-03-01".to_string()),
        start_time2: Some("2026-04-01".to_string()),
        start_time3: Some("2026-02-01".to_string()),
        limit: 10,
        actor: Some(Actor {
            kind: ActorKind::Service,
            id: Some("billing".to_string()),
            extra: Default::default(),
        }),
        x_trace_context: Some(TraceContext {
            trace_id: "4bf92f35".to_string(),
            span_id: Some("00f067aa".to_string()),
            extra: Default::default(),
        }),
    };
    let ListEventsResponse::Ok(reply) = client.list_events(&events).await.expect("events");
    assert_eq!(read_back(reply), format!("{events:?}"));
    let wire = last(&seen);
    assert_eq!(
        wire.target,
        "/v2/events?StartTime=2026-03-01&StartTime%3C=2026-04-01&StartTime%3E=2026-02-01&limit=10&id=billing&kind=service"
    );
    assert_eq!(
        header(&wire, "x-trace-context"),
        Some("spanId,00f067aa,traceId,4bf92f35")
    );
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

fn echoed(body: &str) -> String {
    let value: serde_json::Value = serde_json::from_str(body).expect("JSON");
    value["request"].as_str().expect("an echo").to_string()
}

#[tokio::test]
async fn absent_parameters_take_their_defaults() {
    let addr = leave_server::spawn_loopback(router(Echoing)).await.expect("bind");
    let (status, body) = get(addr, "/v2/indexes/products/documents?q=boots", &["Cookie: sid=sess-42"]).await;
    assert_eq!(status, 200, "{body}");
    let expected = SearchDocumentsRequest {
        index_ids: vec!["products".to_string()],
        q: "boots".to_string(),
        fields: None,
        tag: None,
        sort: None,
        facets: None,
        filter: None,
        page: 1,
        page_size: 20,
        highlight: false,
        order: SortOrder::Relevance,
        x_tenant_ids: None,
        x_client: None,
        locale: "en-US".to_string(),
        recent_queries: None,
    };
    assert_eq!(echoed(&body), format!("{expected:?}"));
    // A value that is sent wins over the default.
    let (status, body) = get(
        addr,
        "/v2/indexes/products/documents?q=boots&page=3&highlight=true&order=oldest",
        &["Cookie: locale=de-DE; sid=sess-42"],
    )
    .await;
    assert_eq!(status, 200, "{body}");
    let echo = echoed(&body);
    for part in ["page: 3", "highlight: true", "order: Oldest", "locale: \"de-DE\""] {
        assert!(echo.contains(part), "{part} in {echo}");
    }
}

#[tokio::test]
async fn the_session_cookie_is_required_and_checked() {
    let addr = leave_server::spawn_loopback(router(Echoing)).await.expect("bind");
    let (status, body) = get(addr, "/v2/indexes/products/documents?q=boots", &[]).await;
    assert_eq!(status, 401, "{body}");
    assert!(body.contains("`sid`"), "{body}");
    // Not in `Authorization`: only the cookie counts.
    let (status, _) = get(
        addr,
        "/v2/indexes/products/documents?q=boots",
        &["Authorization: sess-42"],
    )
    .await;
    assert_eq!(status, 401);
    let (status, body) = get(
        addr,
        "/v2/indexes/products/documents?q=boots",
        &["Cookie: theme=dark; sid=guess"],
    )
    .await;
    assert_eq!(status, 403, "{body}");
    let (status, _) = get(addr, "/v2/health", &[]).await;
    assert_eq!(status, 204);
}

#[tokio::test]
async fn malformed_styled_values_are_400_naming_the_parameter() {
    let addr = leave_server::spawn_loopback(router(Echoing)).await.expect("bind");
    let cookie = "Cookie: sid=sess-42";
    let cases = [
        ("/v2/indexes/a/documents?q=x", "X-Tenant-Ids: 7,nine", "`X-Tenant-Ids`"),
        ("/v2/indexes/a/documents?q=x&filter[minScore]=high", cookie, "`filter`"),
        ("/v2/reports/weekly/rows/.from,1,to", cookie, "`range`"),
        ("/v2/reports/weekly/rows/from,1,to,2", cookie, "`range`"),
        ("/v2/metrics/latency/series/;dimensions=a", cookie, "`metric`"),
        ("/v2/geo/points/lat,north,lon,2/nearest", cookie, "`near`"),
    ];
    for (target, header, named) in cases {
        let (status, body) = get(addr, target, &[header, cookie]).await;
        assert_eq!(status, 400, "{target}: {body}");
        assert!(body.contains(named), "{target}: {body}");
    }
}

#[tokio::test]
async fn values_a_style_cannot_carry_are_refused_before_sending() {
    let (client, seen) = search_client().await;
    let mut request = SearchDocumentsRequest {
        index_ids: vec!["products".to_string()],
        q: "boots".to_string(),
        fields: None,
        tag: None,
        sort: Some(vec!["price desc".to_string()]),
        facets: None,
        filter: None,
        page: 1,
        page_size: 20,
        highlight: false,
        order: SortOrder::Relevance,
        x_tenant_ids: None,
        x_client: None,
        locale: "en-US".to_string(),
        recent_queries: None,
    };
    let error = client
        .search_documents(&request)
        .await
        .expect_err("a space in a spaceDelimited item");
    assert!(matches!(error, ClientError::InvalidRequest { .. }), "{error}");
    request.sort = None;
    request.x_client = Some(ClientInfo {
        name: "a,b".to_string(),
        version: None,
        extra: Default::default(),
    });
    let error = client
        .search_documents(&request)
        .await
        .expect_err("a comma in a header item");
    assert!(error.to_string().contains("`X-Client`"), "{error}");
    assert!(seen.lock().expect("not poisoned").is_empty(), "nothing was sent");
}

mod collection_formats {
    use super::*;
    use params_api::client::Client;
    use params_api::server::{AuthRequest, ParamsFixtureApi, Rejection, router};
    use params_api::types::*;

    /// Only `listInventory` is called here; it answers with what it read.
    struct Inventory;

    impl ParamsFixtureApi for Inventory {
        type Principal = ();

        async fn authenticate(&self, _request: AuthRequest<'_>) -> Result<(), Rejection> {
            Err(Rejection::forbidden("not used here"))
        }

        async fn search(&self, _request: SearchRequest, _principal: ()) -> SearchResponse {
            SearchResponse::NoContent
        }

        async fn list_inventory(&self, request: ListInventoryRequest) -> ListInventoryResponse {
            ListInventoryResponse::Ok(ListInventoryOkBody {
                echo: format!("{request:?}"),
                extra: Default::default(),
            })
        }

        async fn ping(&self, _request: PingRequest) -> PingResponse {
            PingResponse::Ok
        }

        async fn create_cluster(&self, _request: CreateClusterRequest) -> CreateClusterResponse {
            unreachable!("not called here")
        }

        async fn patch_cluster(&self, _request: PatchClusterRequest) -> PatchClusterResponse {
            unreachable!("not called here")
        }

        async fn replace_cluster_scale(&self, _request: ReplaceClusterScaleRequest) -> ReplaceClusterScaleResponse {
            unreachable!("not called here")
        }
    }

    #[tokio::test]
    async fn every_collection_format_round_trips() {
        let (addr, seen) = serve_recording(router(Inventory)).await;
        let client = Client::new(&format!("http://{addr}")).expect("a client");
        let request = ListInventoryRequest {
            warehouse_ids: vec![1, 2],
            ids: Some(vec![1, 2, 3]),
            skus: Some(vec!["A-1".to_string(), "B,2".to_string()]),
            bins: Some(vec!["x 1".to_string(), "y".to_string()]),
            states: Some(vec![
                ListInventoryStatesItem::InStock,
                ListInventoryStatesItem::Reserved,
            ]),
            supplier: Some(vec!["acme".to_string(), "globex & co".to_string()]),
            limit: 100,
            sort_by: ListInventorySortBy::Quantity,
            x_region_codes: Some(vec!["eu".to_string(), "us".to_string()]),
            x_zones: Some(vec!["cold".to_string(), "dry".to_string()]),
        };
        let ListInventoryResponse::Ok(reply) = client.list_inventory(&request).await.expect("listInventory");
        assert_eq!(reply.echo, format!("{request:?}"));
        let wire = last(&seen);
        assert_eq!(
            wire.target,
            concat!(
                "/v1/warehouses/1,2/inventory?ids=1,2,3&skus=A-1%20B%2C2&bins=x%201%09y",
                "&states=in_stock|reserved&supplier=acme&supplier=globex%20%26%20co&limit=100&sortBy=quantity",
            )
        );
        assert_eq!(header(&wire, "x-region-codes"), Some("eu,us"));
        assert_eq!(header(&wire, "x-zones"), Some("cold|dry"));
    }

    #[tokio::test]
    async fn a_csv_query_from_any_client_is_read_and_defaults_fill_the_rest() {
        let addr = leave_server::spawn_loopback(router(Inventory)).await.expect("bind");
        // The issue's reproducer: `?ids=1,2,3` was 400.
        let (status, body) = get(addr, "/v1/warehouses/4/inventory?ids=1,2,3&skus=a+b", &[]).await;
        assert_eq!(status, 200, "{body}");
        let echo: serde_json::Value = serde_json::from_str(&body).expect("JSON");
        assert_eq!(
            echo["echo"],
            "ListInventoryRequest { warehouse_ids: [4], ids: Some([1, 2, 3]), skus: Some([\"a\", \"b\"]), \
             bins: None, states: None, supplier: None, limit: 100, sort_by: Sku, x_region_codes: None, \
             x_zones: None }"
        );
        let (status, body) = get(addr, "/v1/warehouses/4/inventory?ids=1,x", &[]).await;
        assert_eq!(status, 400, "{body}");
        assert!(body.contains("`ids`"), "{body}");
    }
}

fn tag(key: &str, value: Option<&str>) -> Tag {
    Tag {
        key: key.to_string(),
        value: value.map(str::to_string),
        extra: Default::default(),
    }
}

#[tokio::test]
async fn deep_objects_that_nest_and_deep_objects_on_arrays_and_scalars_round_trip() {
    let (client, seen) = search_client().await;
    let mut wires = Vec::new();
    let mut extra = serde_json::Map::new();
    extra.insert("preferred_locales".to_string(), serde_json::json!(["fr", "en"]));
    let preview = ListInvoicesRequest {
        expand: Some(vec!["customer".to_string(), "lines.data[0]".to_string()]),
        created: Some(ListInvoicesCreated::RangeQuerySpecs(RangeQuerySpecs {
            gte: Some(1_700_000_000),
            lt: Some(1_800_000_000),
            ..Default::default()
        })),
        billing_cycle_anchor: Some(1_750_000_000),
        customer_details: Some(CustomerDetails {
            address: Some(OptionalFieldsAddress {
                city: Some("Saint-Malo".to_string()),
                line1: Some("12 rue [des] Remparts & co".to_string()),
                // A text member that reads as a number stays text.
                postal_code: Some("35400".to_string()),
                extra: Default::default(),
            }),
            tax_ids: Some(vec![
                DataParams::new(DataParamsType::EuVat, "FR40303265045".to_string()),
                DataParams::new(DataParamsType::GbVat, "123".to_string()),
            ]),
            tax_exempt: Some(CustomerDetailsTaxExempt::None),
            extra,
        }),
        limit: 3,
    };
    let ListInvoicesResponse::Ok(reply) = client.list_invoices(&preview).await.expect("listInvoices");
    assert_eq!(read_back(reply), format!("{preview:?}"));
    wires.push(last(&seen));

    // `created` as a plain number: the other shape of the same parameter.
    let plain = ListInvoicesRequest {
        expand: None,
        created: Some(ListInvoicesCreated::Integer(1_700_000_000)),
        billing_cycle_anchor: None,
        customer_details: None,
        limit: 10,
    };
    let ListInvoicesResponse::Ok(reply) = client.list_invoices(&plain).await.expect("listInvoices");
    assert_eq!(read_back(reply), format!("{plain:?}"));
    wires.push(last(&seen));

    let targets: Vec<&str> = wires.iter().map(|wire| wire.target.as_str()).collect();
    assert_eq!(
        targets,
        [
            concat!(
                "/v2/billing/invoices",
                "?expand[0]=customer&expand[1]=lines.data%5B0%5D",
                "&created[gte]=1700000000&created[lt]=1800000000",
                "&billing_cycle_anchor=1750000000",
                "&customer_details[address][city]=Saint-Malo",
                "&customer_details[address][line1]=12%20rue%20%5Bdes%5D%20Remparts%20%26%20co",
                "&customer_details[address][postal_code]=35400",
                "&customer_details[preferred_locales][0]=fr&customer_details[preferred_locales][1]=en",
                "&customer_details[tax_exempt]=none",
                "&customer_details[tax_ids][0][type]=eu_vat&customer_details[tax_ids][0][value]=FR40303265045",
                "&customer_details[tax_ids][1][type]=gb_vat&customer_details[tax_ids][1][value]=123",
                "&limit=3",
            ),
            "/v2/billing/invoices?created=1700000000&limit=10",
        ]
    );
}

#[tokio::test]
async fn exploded_form_arrays_of_objects_and_objects_with_array_members_round_trip() {
    let (client, seen) = search_client().await;
    let request = ListTaggedResourcesRequest {
        resource_ids: Some(vec!["r-0a1".to_string(), "r-7f".to_string()]),
        tags: Some(vec![
            tag("env", Some("prod")),
            tag("cost-center", Some("0042")),
            tag("owner", None),
        ]),
        filters: vec![
            Filter {
                name: "instance-state".to_string(),
                values: Some(vec!["running".to_string(), "stopped".to_string()]),
                extra: Default::default(),
            },
            Filter {
                name: "zone".to_string(),
                values: None,
                extra: Default::default(),
            },
        ],
        logging_config: Some(LoggingConfig {
            log_group_name: "audit/2026".to_string(),
            destinations: Some(vec!["s3".to_string(), "true".to_string()]),
            retention_days: Some(30),
            extra: Default::default(),
        }),
        max_results: Some(20),
    };
    let ListTaggedResourcesResponse::Ok(reply) = client
        .list_tagged_resources(&request)
        .await
        .expect("listTaggedResources");
    assert_eq!(read_back(reply), format!("{request:?}"));
    assert_eq!(
        last(&seen).target,
        concat!(
            "/v2/resources/tagged",
            "?ResourceIds=r-0a1&ResourceIds=r-7f",
            "&Tags[0][Key]=env&Tags[0][Value]=prod",
            "&Tags[1][Key]=cost-center&Tags[1][Value]=0042",
            "&Tags[2][Key]=owner",
            "&Filters[0][Name]=instance-state&Filters[0][Values][0]=running&Filters[0][Values][1]=stopped",
            "&Filters[1][Name]=zone",
            "&Destinations[0]=s3&Destinations[1]=true&LogGroupName=audit%2F2026&RetentionDays=30",
            "&MaxResults=20",
        )
    );

    // Written by hand as PHP-style clients do: `[]` appends, items may come out of order.
    let (addr, _) = serve_recording(router(Echoing)).await;
    let target = concat!(
        "/v2/resources/tagged?Filters[1][Name]=zone&Filters[0][Name]=state",
        "&Filters[0][Values][]=a&Filters[0][Values][]=b&MaxResults=5",
    );
    let (status, body) = get(addr, target, &["Cookie: sid=sess-42"]).await;
    assert_eq!(status, 200, "{body}");
    let read = echoed(&body);
    assert!(
        read.contains(r#"filters: [Filter { name: "state", values: Some(["a", "b"])"#)
            && read.contains(r#"Filter { name: "zone", values: None"#),
        "{read}"
    );

    // What does not fit the type is a 400 that names the parameter.
    for bad in [
        "/v2/resources/tagged?Filters[0][Name]=a&Filters[0]=b",
        "/v2/resources/tagged?Filters[x][Name]=a",
        "/v2/resources/tagged?Filters[0][Name=a",
        "/v2/resources/tagged?Filters[0][Name]=a&MaxResults=5&RetentionDays=x&LogGroupName=g",
    ] {
        let (status, body) = get(addr, bad, &["Cookie: sid=sess-42"]).await;
        assert_eq!(status, 400, "{bad}: {body}");
    }
    let deep = ["/v2/resources/tagged?Filters", &"[0]".repeat(40), "=a"].concat();
    let (status, body) = get(addr, &deep, &["Cookie: sid=sess-42"]).await;
    assert_eq!(status, 400, "{body}");
    assert!(body.contains("nests deeper than"), "{body}");
}
