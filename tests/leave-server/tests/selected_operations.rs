//! Operations that share `POST /` and are told apart by a header, end to end over
//! 127.0.0.1 (tests/corpus/stream-ledger-json-targets.json, committed as
//! tests/stream-ledger): each path is `/#X-Amz-Target=StreamLedger_20190401.Action`. The
//! generated client sends the target header once (from the request's field where the
//! operation declares it, from the path where it does not); the generated router serves
//! each request to the operation its header names, and answers a missing or unknown target
//! itself with a problem+json 400.

use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};

use stream_ledger::client::{AuthRequest as ClientAuthRequest, Client, ClientSettings};
use stream_ledger::server::{AuthRequest, Rejection, StreamLedger, router};
use stream_ledger::types::*;

const SIGNATURE: &str = "LEDGER-HMAC-SHA256 Credential=AKEXAMPLE/20190401/eu-west-1/ledger";
const TARGET: &str = "x-amz-target";

/// What the server saw: each request's target headers, and the operation that served it.
#[derive(Clone, Default)]
struct Ledgers {
    ledgers: Arc<Mutex<BTreeMap<String, i64>>>,
    targets: Arc<Mutex<Vec<Vec<String>>>>,
    served: Arc<Mutex<Vec<&'static str>>>,
}

impl Ledgers {
    fn serve(&self, operation: &'static str) {
        self.served.lock().unwrap().push(operation);
    }
}

/// The action's JSON input, from the body's bytes.
macro_rules! input {
    ($body:expr) => {
        serde_json::from_slice(&$body.bytes).expect("the client sent the action's JSON input")
    };
}

fn json_body(value: serde_json::Value) -> BinaryBody {
    BinaryBody {
        content_type: "application/x-amz-json-1.1".to_string(),
        bytes: serde_json::to_vec(&value).unwrap().into(),
    }
}

fn not_here() -> InvalidArgumentException {
    InvalidArgumentException {
        message: Some("not part of this test".to_string()),
        ..Default::default()
    }
}

/// The actions this test does not call answer 481.
macro_rules! not_called {
    ($($method:ident($request:ty) -> $response:ident;)*) => {
        $(
            async fn $method(&self, _: $request, _: String) -> $response {
                self.serve(stringify!($method));
                $response::Status481(not_here())
            }
        )*
    };
}

impl StreamLedger for Ledgers {
    type Principal = String;

    async fn authenticate(&self, request: AuthRequest<'_>) -> Result<String, Rejection> {
        let targets = request
            .headers
            .get_all(TARGET)
            .iter()
            .map(|value| value.to_str().unwrap().to_string())
            .collect();
        self.targets.lock().unwrap().push(targets);
        match request.credential {
            SIGNATURE => Ok("AKEXAMPLE".to_string()),
            _ => Err(Rejection::forbidden("The request signature does not match")),
        }
    }

    async fn create_ledger(&self, request: CreateLedgerRequest, _: String) -> CreateLedgerResponse {
        self.serve("create_ledger");
        let input: CreateLedgerInput = input!(request.body);
        let retention = input.retention_hours.unwrap_or(24);
        self.ledgers
            .lock()
            .unwrap()
            .insert(input.ledger_name.clone(), retention);
        CreateLedgerResponse::Ok(CreateLedgerOutput {
            ledger_arn: Some(format!("arn:ledger:eu-west-1:0123:ledger/{}", input.ledger_name)),
            status: Some(LedgerStatus::Creating),
            ..Default::default()
        })
    }

    async fn delete_ledger(&self, request: DeleteLedgerRequest, _: String) -> DeleteLedgerResponse {
        self.serve("delete_ledger");
        let input: DeleteLedgerInput = input!(request.body);
        match self.ledgers.lock().unwrap().remove(&input.ledger_name) {
            Some(_) => DeleteLedgerResponse::Ok(Default::default()),
            None => DeleteLedgerResponse::Status480(ResourceNotFoundException {
                message: Some(format!("Ledger {} not found", input.ledger_name)),
                ..Default::default()
            }),
        }
    }

    async fn describe_ledger(&self, request: DescribeLedgerRequest, _: String) -> DescribeLedgerResponse {
        self.serve("describe_ledger");
        let input: DescribeLedgerInput = input!(request.body);
        let Some(&retention) = self.ledgers.lock().unwrap().get(&input.ledger_name) else {
            return DescribeLedgerResponse::Status480(Default::default());
        };
        let ledger = serde_json::from_value(serde_json::json!({
            "LedgerName": input.ledger_name,
            "LedgerArn": format!("arn:ledger:eu-west-1:0123:ledger/{}", input.ledger_name),
            "Status": "ACTIVE",
            "RetentionHours": retention,
        }))
        .unwrap();
        DescribeLedgerResponse::Ok(DescribeLedgerOutput {
            ledger: Some(ledger),
            ..Default::default()
        })
    }

    async fn list_ledgers(&self, _: ListLedgersRequest, _: String) -> ListLedgersResponse {
        self.serve("list_ledgers");
        ListLedgersResponse::Ok(ListLedgersOutput {
            ledger_names: Some(self.ledgers.lock().unwrap().keys().cloned().collect()),
            ..Default::default()
        })
    }

    async fn describe_limits(&self, _: DescribeLimitsRequest, _: String) -> DescribeLimitsResponse {
        self.serve("describe_limits");
        DescribeLimitsResponse::Ok(DescribeLimitsOutput {
            shard_limit: Some(500),
            open_shard_count: Some(self.ledgers.lock().unwrap().len() as i64),
            ..Default::default()
        })
    }

    not_called! {
        update_retention(UpdateRetentionRequest) -> UpdateRetentionResponse;
        create_stream(CreateStreamRequest) -> CreateStreamResponse;
        delete_stream(DeleteStreamRequest) -> DeleteStreamResponse;
        describe_stream(DescribeStreamRequest) -> DescribeStreamResponse;
        list_streams(ListStreamsRequest) -> ListStreamsResponse;
        put_record(PutRecordRequest) -> PutRecordResponse;
        put_records(PutRecordsRequest) -> PutRecordsResponse;
        get_shard_iterator(GetShardIteratorRequest) -> GetShardIteratorResponse;
        get_records(GetRecordsRequest) -> GetRecordsResponse;
        list_shards(ListShardsRequest) -> ListShardsResponse;
        merge_shards(MergeShardsRequest) -> MergeShardsResponse;
        split_shard(SplitShardRequest) -> SplitShardResponse;
        add_tags_to_ledger(AddTagsToLedgerRequest) -> AddTagsToLedgerResponse;
        remove_tags_from_ledger(RemoveTagsFromLedgerRequest) -> RemoveTagsFromLedgerResponse;
        list_tags_for_ledger(ListTagsForLedgerRequest) -> ListTagsForLedgerResponse;
    }
}

async fn start() -> (SocketAddr, Ledgers, Client) {
    let ledgers = Ledgers::default();
    let addr = leave_server::spawn_loopback(router(ledgers.clone()))
        .await
        .expect("bind 127.0.0.1");
    let authorize = |_: ClientAuthRequest<'_>| Ok(SIGNATURE.to_string());
    let client = Client::with_settings(
        &format!("http://{addr}"),
        ClientSettings::default().authorizer(authorize),
    )
    .unwrap();
    (addr, ledgers, client)
}

#[tokio::test]
async fn each_target_header_reaches_its_own_operation() {
    let (_, ledgers, client) = start().await;
    let created = client
        .create_ledger(&CreateLedgerRequest {
            x_amz_date: Some("20190401T120000Z".to_string()),
            x_amz_security_token: None,
            x_amz_target: CreateLedgerXAmzTarget::StreamLedger20190401CreateLedger,
            body: json_body(serde_json::json!({"LedgerName": "orders", "RetentionHours": 168})),
        })
        .await
        .unwrap();
    let CreateLedgerResponse::Ok(created) = created else {
        panic!("{created:?}")
    };
    assert_eq!(
        created.ledger_arn.as_deref(),
        Some("arn:ledger:eu-west-1:0123:ledger/orders")
    );

    let described = client
        .describe_ledger(&DescribeLedgerRequest {
            x_amz_date: None,
            x_amz_security_token: None,
            x_amz_target: DescribeLedgerXAmzTarget::StreamLedger20190401DescribeLedger,
            body: json_body(serde_json::json!({"LedgerName": "orders"})),
        })
        .await
        .unwrap();
    let DescribeLedgerResponse::Ok(described) = described else {
        panic!("{described:?}")
    };
    assert_eq!(described.ledger.unwrap().retention_hours, Some(168));

    let listed = client
        .list_ledgers(&ListLedgersRequest {
            x_amz_date: None,
            x_amz_security_token: None,
            x_amz_target: ListLedgersXAmzTarget::StreamLedger20190401ListLedgers,
            body: json_body(serde_json::json!({"Limit": 10})),
        })
        .await
        .unwrap();
    assert_eq!(
        listed,
        ListLedgersResponse::Ok(ListLedgersOutput {
            ledger_names: Some(vec!["orders".to_string()]),
            ..Default::default()
        })
    );

    // `DescribeLimits` does not declare the header: the client takes it from the path.
    let limits = client
        .describe_limits(&DescribeLimitsRequest {
            x_amz_date: None,
            x_amz_security_token: None,
            body: json_body(serde_json::json!({})),
        })
        .await
        .unwrap();
    let DescribeLimitsResponse::Ok(limits) = limits else {
        panic!("{limits:?}")
    };
    assert_eq!((limits.shard_limit, limits.open_shard_count), (Some(500), Some(1)));

    let deleted = client
        .delete_ledger(&DeleteLedgerRequest {
            x_amz_date: None,
            x_amz_security_token: None,
            x_amz_target: DeleteLedgerXAmzTarget::StreamLedger20190401DeleteLedger,
            body: json_body(serde_json::json!({"LedgerName": "orders"})),
        })
        .await
        .unwrap();
    assert!(matches!(deleted, DeleteLedgerResponse::Ok(_)), "{deleted:?}");

    assert_eq!(
        *ledgers.served.lock().unwrap(),
        [
            "create_ledger",
            "describe_ledger",
            "list_ledgers",
            "describe_limits",
            "delete_ledger"
        ]
    );
    // Each request carried its target exactly once.
    let targets = ledgers.targets.lock().unwrap().clone();
    let expected: Vec<Vec<String>> = [
        "CreateLedger",
        "DescribeLedger",
        "ListLedgers",
        "DescribeLimits",
        "DeleteLedger",
    ]
    .iter()
    .map(|action| vec![format!("StreamLedger_20190401.{action}")])
    .collect();
    assert_eq!(targets, expected);
}

/// A request the router answers itself: the status and the problem's `detail`.
async fn refused(addr: SocketAddr, method: reqwest::Method, target: Option<&str>) -> (u16, String, serde_json::Value) {
    let mut request = reqwest::Client::new()
        .request(method, format!("http://{addr}/"))
        .header("authorization", SIGNATURE)
        .header("content-type", "application/x-amz-json-1.1")
        .body(r#"{"LedgerName":"orders"}"#);
    if let Some(target) = target {
        request = request.header(TARGET, target);
    }
    let response = request.send().await.unwrap();
    let status = response.status().as_u16();
    let content_type = response.headers()["content-type"].to_str().unwrap().to_string();
    let body = response.bytes().await.unwrap();
    (status, content_type, serde_json::from_slice(&body).unwrap())
}

#[tokio::test]
async fn a_missing_or_unknown_target_is_answered_by_the_router() {
    let (addr, ledgers, _) = start().await;
    let (status, content_type, problem) = refused(addr, reqwest::Method::POST, None).await;
    assert_eq!((status, content_type.as_str()), (400, "application/problem+json"));
    assert_eq!(problem["status"], 400);
    assert!(
        problem["detail"].as_str().unwrap().contains("`X-Amz-Target`"),
        "{problem}"
    );

    let (status, _, problem) = refused(
        addr,
        reqwest::Method::POST,
        Some("StreamLedger_20190401.DropEverything"),
    )
    .await;
    assert_eq!(status, 400);
    let detail = problem["detail"].as_str().unwrap();
    assert!(
        detail.contains("`X-Amz-Target`") && detail.contains("StreamLedger_20190401.DropEverything"),
        "{problem}"
    );

    // A target of another version of the API is no target of this one.
    let (status, _, _) = refused(addr, reqwest::Method::POST, Some("StreamLedger_20180101.ListLedgers")).await;
    assert_eq!(status, 400);

    // The path takes no other method.
    let (status, _, _) = refused(addr, reqwest::Method::PUT, Some("StreamLedger_20190401.ListLedgers")).await;
    assert_eq!(status, 405);

    // The header's name ignores case; a target the router knows reaches its operation.
    let (status, _, _) = refused(addr, reqwest::Method::POST, Some("StreamLedger_20190401.DeleteLedger")).await;
    assert_eq!(status, 480);
    assert_eq!(*ledgers.served.lock().unwrap(), ["delete_ledger"]);
}
