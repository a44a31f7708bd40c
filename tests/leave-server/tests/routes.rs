//! Paths axum cannot route as written, through the crate generated from
//! tests/corpus/switchboard-voice.yaml: text around parameters (`{Sid}.json`,
//! `{from}-{to}`, `{name}:cancel`), one position named differently by two paths, fixed
//! segments starting with `:` or holding `*` or non-ASCII text, and a base path and a path
//! written without their leading `/`. The generated client talks to the generated server
//! over 127.0.0.1; raw requests check what the client cannot send.

use std::net::SocketAddr;
use std::sync::{Arc, Mutex};

use switchboard_voice::client::{AuthRequest as ClientAuthRequest, Client, ClientError, ClientSettings};
use switchboard_voice::server::{AuthRequest, Rejection, SwitchboardVoice, router};
use switchboard_voice::types::*;
use tokio::io::{AsyncReadExt, AsyncWriteExt};

const CREDENTIAL: &str = "Basic QUMxOnRva2Vu";

/// Answers from what it was asked, and keeps a line per call so that a test can check
/// which operation served a request and what it read from the path.
#[derive(Clone, Default)]
struct Recorder {
    calls: Arc<Mutex<Vec<String>>>,
}

impl Recorder {
    fn record(&self, line: String) {
        self.calls.lock().expect("not poisoned").push(line);
    }

    fn take(&self) -> Vec<String> {
        std::mem::take(&mut *self.calls.lock().expect("not poisoned"))
    }
}

fn call(account_sid: &str, sid: &str, status: &str) -> Call {
    Call {
        sid: sid.to_string(),
        account_sid: account_sid.to_string(),
        to: "+15558675310".to_string(),
        from: "+15017122661".to_string(),
        status: status.to_string(),
        duration: None,
        uri: None,
        extra: Default::default(),
    }
}

fn operation(name: String, done: bool) -> Operation {
    Operation {
        name,
        done,
        metadata: None,
        extra: Default::default(),
    }
}

impl SwitchboardVoice for Recorder {
    type Principal = String;

    async fn authenticate(&self, request: AuthRequest<'_>) -> Result<String, Rejection> {
        match request.credential {
            CREDENTIAL => Ok("AC1".to_string()),
            _ => Err(Rejection::forbidden("Unknown auth token.")),
        }
    }

    async fn check_health(&self, _request: CheckHealthRequest) -> CheckHealthResponse {
        self.record("checkHealth".to_string());
        CheckHealthResponse::Ok(Health {
            status: HealthStatus::Ok,
            extra: Default::default(),
        })
    }

    async fn fetch_account(&self, request: FetchAccountRequest, _principal: String) -> FetchAccountResponse {
        self.record(format!("fetchAccount {}", request.sid));
        FetchAccountResponse::Ok(Account {
            sid: request.sid,
            friendly_name: "Main".to_string(),
            status: AccountStatus::Active,
            date_created: None,
            extra: Default::default(),
        })
    }

    async fn list_calls(&self, request: ListCallsRequest, _principal: String) -> ListCallsResponse {
        self.record(format!("listCalls {} {:?}", request.account_sid, request.page_size));
        ListCallsResponse::Ok(CallPage {
            calls: vec![call(&request.account_sid, "CA1", "completed")],
            page_size: request.page_size.unwrap_or(50),
            next_page_uri: None,
            extra: Default::default(),
        })
    }

    async fn create_call(&self, request: CreateCallRequest, _principal: String) -> CreateCallResponse {
        self.record(format!("createCall {} {}", request.account_sid, request.body.to));
        CreateCallResponse::Created(call(&request.account_sid, "CA2", "queued"))
    }

    async fn fetch_call(&self, request: FetchCallRequest, _principal: String) -> FetchCallResponse {
        self.record(format!("fetchCall {} {}", request.account_sid, request.sid));
        FetchCallResponse::Ok(call(&request.account_sid, &request.sid, "in-progress"))
    }

    async fn update_call(&self, request: UpdateCallRequest, _principal: String) -> UpdateCallResponse {
        self.record(format!("updateCall {} {}", request.account_sid, request.sid));
        UpdateCallResponse::Ok(call(&request.account_sid, &request.sid, "completed"))
    }

    async fn delete_call(&self, request: DeleteCallRequest, _principal: String) -> DeleteCallResponse {
        self.record(format!("deleteCall {} {}", request.account_sid, request.sid));
        DeleteCallResponse::NoContent
    }

    async fn fetch_call_summary(
        &self,
        request: FetchCallSummaryRequest,
        _principal: String,
    ) -> FetchCallSummaryResponse {
        self.record(format!("fetchCallSummary {} {}", request.account_sid, request.call_sid));
        FetchCallSummaryResponse::Ok(CallSummary {
            sid: request.call_sid,
            status: "completed".to_string(),
            extra: Default::default(),
        })
    }

    async fn fetch_recording_range(
        &self,
        request: FetchRecordingRangeRequest,
        _principal: String,
    ) -> FetchRecordingRangeResponse {
        self.record(format!(
            "fetchRecordingRange {} {} {}..={}",
            request.account_sid, request.recording_sid, request.from, request.to
        ));
        FetchRecordingRangeResponse::Ok(RecordingChunk {
            recording_sid: request.recording_sid,
            from: request.from,
            to: request.to,
            content: "UklGRg==".to_string(),
            extra: Default::default(),
        })
    }

    async fn fetch_queue(&self, request: FetchQueueRequest, _principal: String) -> FetchQueueResponse {
        self.record(format!("fetchQueue {}", request.queue_sid));
        FetchQueueResponse::Ok(Queue {
            sid: request.queue_sid,
            friendly_name: "Support".to_string(),
            current_size: 3,
            max_size: None,
            extra: Default::default(),
        })
    }

    async fn delete_queue_by_name(
        &self,
        request: DeleteQueueByNameRequest,
        _principal: String,
    ) -> DeleteQueueByNameResponse {
        self.record(format!("deleteQueueByName {}", request.friendly_name));
        DeleteQueueByNameResponse::NoContent
    }

    async fn purge_queues(&self, _request: PurgeQueuesRequest, _principal: String) -> PurgeQueuesResponse {
        self.record("purgeQueues".to_string());
        PurgeQueuesResponse::Ok(PurgeQueuesOkBody {
            deleted: 2,
            extra: Default::default(),
        })
    }

    async fn get_operation(&self, request: GetOperationRequest, _principal: String) -> GetOperationResponse {
        self.record(format!("getOperation {}", request.name));
        GetOperationResponse::Ok(operation(request.name, false))
    }

    async fn cancel_operation(&self, request: CancelOperationRequest, _principal: String) -> CancelOperationResponse {
        self.record(format!("cancelOperation {}", request.name));
        CancelOperationResponse::Ok(operation(request.name, true))
    }

    async fn fetch_usage_today(&self, _request: FetchUsageTodayRequest, _principal: String) -> FetchUsageTodayResponse {
        self.record("fetchUsageToday".to_string());
        FetchUsageTodayResponse::Ok([("calls".to_string(), 42)].into())
    }

    async fn fetch_directory_entry(
        &self,
        request: FetchDirectoryEntryRequest,
        _principal: String,
    ) -> FetchDirectoryEntryResponse {
        self.record(format!("fetchDirectoryEntry {}", request.num_ro));
        FetchDirectoryEntryResponse::Ok(FetchDirectoryEntryOkBody {
            number: request.num_ro,
            listed_name: None,
            extra: Default::default(),
        })
    }
}

async fn serve() -> (Recorder, SocketAddr) {
    let recorder = Recorder::default();
    let addr = leave_server::spawn_loopback(router(recorder.clone()))
        .await
        .expect("bind 127.0.0.1");
    (recorder, addr)
}

fn client(addr: SocketAddr) -> Client {
    let authorizer = |_: ClientAuthRequest<'_>| Ok(CREDENTIAL.to_string());
    Client::with_settings(
        &format!("http://{addr}"),
        ClientSettings::default().authorizer(authorizer),
    )
    .expect("a client")
}

/// Sends one raw request and returns its status.
async fn status_of(addr: SocketAddr, method: &str, target: &str) -> u16 {
    let request = format!(
        "{method} {target} HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: {CREDENTIAL}\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
    );
    let mut stream = tokio::net::TcpStream::connect(addr).await.expect("connect");
    stream.write_all(request.as_bytes()).await.expect("write");
    let mut raw = String::new();
    stream.read_to_string(&mut raw).await.expect("read");
    raw.split(' ').nth(1).and_then(|s| s.parse().ok()).expect("a status")
}

#[tokio::test]
async fn text_around_parameters_reaches_the_right_operation_with_its_values() {
    let (recorder, addr) = serve().await;
    let client = client(addr);

    let account = client.fetch_account_with("AC1").await.expect("fetchAccount");
    assert!(
        matches!(&account, FetchAccountResponse::Ok(a) if a.sid == "AC1"),
        "{account:?}"
    );
    let page = client.list_calls_with("AC1", None, Some(20)).await.expect("listCalls");
    assert!(
        matches!(&page, ListCallsResponse::Ok(p) if p.page_size == 20),
        "{page:?}"
    );
    let fetched = client.fetch_call_with("AC1", "CA9").await.expect("fetchCall");
    assert!(
        matches!(&fetched, FetchCallResponse::Ok(c) if c.sid == "CA9"),
        "{fetched:?}"
    );
    let summary = client
        .fetch_call_summary_with("AC1", "CA9")
        .await
        .expect("fetchCallSummary");
    assert!(
        matches!(&summary, FetchCallSummaryResponse::Ok(s) if s.sid == "CA9"),
        "{summary:?}"
    );
    let update = UpdateCallBody {
        status: Some(UpdateCallBodyStatus::Completed),
        url: None,
        extra: Default::default(),
    };
    client.update_call_with("AC1", "CA9", update).await.expect("updateCall");
    let deleted = client.delete_call_with("AC1", "CA9").await.expect("deleteCall");
    assert_eq!(deleted, DeleteCallResponse::NoContent);
    // Both ends of a range share a segment; a negative end keeps its sign.
    let range = client
        .fetch_recording_range_with("AC1", "RE7", 0, 1023)
        .await
        .expect("fetchRecordingRange");
    assert!(
        matches!(&range, FetchRecordingRangeResponse::Ok(r) if (r.from, r.to) == (0, 1023)),
        "{range:?}"
    );
    client
        .fetch_recording_range_with("AC1", "RE7", -1, -3)
        .await
        .expect("fetchRecordingRange");

    assert_eq!(
        recorder.take(),
        [
            "fetchAccount AC1",
            "listCalls AC1 Some(20)",
            "fetchCall AC1 CA9",
            "fetchCallSummary AC1 CA9",
            "updateCall AC1 CA9",
            "deleteCall AC1 CA9",
            "fetchRecordingRange AC1 RE7 0..=1023",
            "fetchRecordingRange AC1 RE7 -1..=-3",
        ]
    );
}

#[tokio::test]
async fn one_position_named_twice_and_fixed_text_axum_cannot_route() {
    let (recorder, addr) = serve().await;
    let client = client(addr);

    client.fetch_queue_with("QU1").await.expect("fetchQueue");
    client
        .delete_queue_by_name_with("Support line")
        .await
        .expect("deleteQueueByName");
    client.purge_queues_with().await.expect("purgeQueues");
    client.get_operation_with("exports/2024").await.expect("getOperation");
    let cancelled = client
        .cancel_operation_with("exports:42")
        .await
        .expect("cancelOperation");
    assert!(
        matches!(&cancelled, CancelOperationResponse::Ok(o) if o.name == "exports:42" && o.done),
        "{cancelled:?}"
    );
    let usage = client.fetch_usage_today_with().await.expect("fetchUsageToday");
    assert!(
        matches!(&usage, FetchUsageTodayResponse::Ok(u) if u["calls"] == 42),
        "{usage:?}"
    );
    client
        .fetch_directory_entry_with("+33 1 23 45 67 89")
        .await
        .expect("fetchDirectoryEntry");
    // Written `health` under `basePath: voice`: served at `/voice/health`.
    client.check_health_with().await.expect("checkHealth");

    assert_eq!(
        recorder.take(),
        [
            "fetchQueue QU1",
            "deleteQueueByName Support line",
            "purgeQueues",
            "getOperation exports/2024",
            "cancelOperation exports:42",
            "fetchUsageToday",
            "fetchDirectoryEntry +33 1 23 45 67 89",
            "checkHealth",
        ]
    );
}

#[tokio::test]
async fn a_request_no_template_fits_is_404_and_a_wrong_method_405() {
    let (recorder, addr) = serve().await;
    let cases = [
        ("GET", "/voice/health", 200),
        ("GET", "/voice/2010-04-01/Accounts/AC1.json", 200),
        // The route matches; the template (`{Sid}.json`) does not.
        ("GET", "/voice/2010-04-01/Accounts/AC1.xml", 404),
        // A value would be empty: named as such, and never handed to a handler.
        ("GET", "/voice/2010-04-01/Accounts/.json", 400),
        ("PUT", "/voice/2010-04-01/Accounts/AC1.json", 405),
        ("PUT", "/voice/2010-04-01/Accounts/AC1.xml", 404),
        // `{Sid}.json` is the more specific of the two templates at this position.
        ("GET", "/voice/2010-04-01/Accounts/AC1/Calls/CA1.json", 200),
        ("GET", "/voice/2010-04-01/Accounts/AC1/Calls/CA1", 200),
        ("DELETE", "/voice/2010-04-01/Accounts/AC1/Calls/CA1", 405),
        ("GET", "/voice/2010-04-01/Accounts/AC1/Recordings/RE1/bytes/5-9", 200),
        ("GET", "/voice/2010-04-01/Accounts/AC1/Recordings/RE1/bytes/5-", 400),
        ("GET", "/voice/2010-04-01/Accounts/AC1/Recordings/RE1/bytes/59", 404),
        ("GET", "/voice/2010-04-01/Accounts/AC1/Recordings/RE1/bytes/5-x", 400),
        ("POST", "/voice/operations/op1:cancel", 200),
        ("POST", "/voice/operations/op1", 405),
        ("PUT", "/voice/queues/:purge", 405),
        ("GET", "/voice/usage/*/today.json", 200),
        ("GET", "/voice/usage/sms/today.json", 404),
        ("GET", "/voice/annuaire/entr%C3%A9es/0123", 200),
        ("GET", "/health", 404),
    ];
    for (method, target, expected) in cases {
        assert_eq!(status_of(addr, method, target).await, expected, "{method} {target}");
    }
    assert_eq!(
        recorder.take(),
        [
            "checkHealth",
            "fetchAccount AC1",
            "fetchCall AC1 CA1",
            "fetchCallSummary AC1 CA1",
            "fetchRecordingRange AC1 RE1 5..=9",
            "cancelOperation op1",
            "fetchUsageToday",
            "fetchDirectoryEntry 0123",
        ]
    );
}

#[tokio::test]
async fn the_client_refuses_values_the_server_would_read_differently() {
    let (recorder, addr) = serve().await;
    let client = client(addr);
    let refused = client.fetch_call_with("AC1", "").await.expect_err("an empty value");
    assert!(
        matches!(&refused, ClientError::InvalidRequest { reason, .. } if reason.contains("`Sid` is empty")),
        "{refused}"
    );
    let refused = client.fetch_queue_with("").await.expect_err("an empty segment");
    assert!(matches!(refused, ClientError::InvalidRequest { .. }), "{refused}");
    assert!(recorder.take().is_empty(), "nothing was sent");
}
