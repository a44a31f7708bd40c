//! A telephony API end to end over 127.0.0.1 (tests/corpus/callwire-telephony-forms.yaml,
//! committed as tests/callwire-telephony): every write is a form-urlencoded body, the
//! resources are addressed as `/Calls/{Sid}.json`, and list filters come in threes
//! (`StartTime`, `StartTime<`, `StartTime>`) with page-token paging. The generated client
//! talks to the generated server over a real socket; the server keeps calls in memory
//! and records each request as it arrived (its authenticator sees the exact bytes), so
//! the test checks both what was read and what was on the wire.

use std::net::SocketAddr;
use std::sync::{Arc, Mutex};

use callwire_telephony::client::{AuthRequest as ClientAuthRequest, Client, ClientSettings};
use callwire_telephony::server::{AuthRequest, CallwireApi, Rejection, router};
use callwire_telephony::types::*;
use tokio::io::{AsyncReadExt, AsyncWriteExt};

const ACCOUNT: &str = "AC0123456789abcdef0123456789abcdef";
/// `Basic` over `ACCOUNT:wire-token`.
const CREDENTIAL: &str = "Basic QUMwMTIzNDU2Nzg5YWJjZGVmMDEyMzQ1Njc4OWFiY2RlZjp3aXJlLXRva2Vu";

/// One request as the server received it.
#[derive(Debug, Clone)]
struct Wire {
    method: String,
    path_and_query: String,
    content_type: Option<String>,
    body: String,
}

/// The filters a list request arrived with, as the server read them.
type Filters = (Option<String>, Option<String>, Option<String>);

#[derive(Clone, Default)]
struct Exchange {
    calls: Arc<Mutex<Vec<ApiV2010AccountCall>>>,
    wire: Arc<Mutex<Vec<Wire>>>,
    filters: Arc<Mutex<Vec<Filters>>>,
}

fn call_json(sid: &str, to: &str, from: &str, start: &str) -> ApiV2010AccountCall {
    serde_json::from_value(serde_json::json!({
        "sid": sid,
        "account_sid": ACCOUNT,
        "to": to,
        "from": from,
        "status": "queued",
        "start_time": start,
        "end_time": null,
        "uri": format!("/2010-04-01/Accounts/{ACCOUNT}/Calls/{sid}.json"),
    }))
    .unwrap()
}

fn not_found() -> Error {
    serde_json::from_value(
        serde_json::json!({"code": 20404, "message": "The requested resource was not found", "status": 404}),
    )
    .unwrap()
}

impl CallwireApi for Exchange {
    type Principal = String;

    async fn authenticate(&self, request: AuthRequest<'_>) -> Result<String, Rejection> {
        self.wire.lock().unwrap().push(Wire {
            method: request.method.to_string(),
            path_and_query: request.path_and_query.to_string(),
            content_type: request
                .headers
                .get("content-type")
                .map(|v| v.to_str().unwrap().to_string()),
            body: String::from_utf8_lossy(request.body).into_owned(),
        });
        match request.credential {
            CREDENTIAL => Ok(ACCOUNT.to_string()),
            _ => Err(Rejection::forbidden("Authentication Error - invalid username")),
        }
    }

    async fn list_call(&self, request: ListCallRequest, account: String) -> ListCallResponse2 {
        assert_eq!(request.account_sid, account);
        self.filters.lock().unwrap().push((
            request.start_time.clone(),
            request.start_time2.clone(),
            request.start_time3.clone(),
        ));
        // `StartTime<` and `StartTime>` bound the start times (ISO 8601 sorts as text).
        let calls = self.calls.lock().unwrap().clone();
        let fits = |call: &ApiV2010AccountCall| {
            let start = call.start_time.clone().flatten().unwrap_or_default();
            request
                .start_time
                .as_ref()
                .is_none_or(|day| start.starts_with(&day[..10]))
                && request.start_time2.as_ref().is_none_or(|before| start <= *before)
                && request.start_time3.as_ref().is_none_or(|after| start >= *after)
        };
        let matching: Vec<ApiV2010AccountCall> = calls.into_iter().filter(fits).collect();
        let size = request.page_size.unwrap_or(50) as usize;
        let first: usize = request
            .page_token
            .as_deref()
            .map_or(0, |t| t.trim_start_matches("PA").parse().unwrap());
        let page: Vec<ApiV2010AccountCall> = matching.iter().skip(first).take(size).cloned().collect();
        let next = first + page.len();
        let uri = format!("/2010-04-01/Accounts/{account}/Calls.json");
        ListCallResponse2::Ok(ListCallResponse {
            end: Some(next as i64 - 1),
            first_page_uri: Some(format!("{uri}?PageSize={size}&Page=0")),
            next_page_uri: Some((next < matching.len()).then(|| {
                format!(
                    "{uri}?PageSize={size}&Page={}&PageToken=PA{next}",
                    request.page.unwrap_or(0) + 1
                )
            })),
            page: request.page,
            page_size: Some(size as i64),
            previous_page_uri: Some(None),
            start: Some(first as i64),
            uri: Some(uri),
            calls: Some(page),
            extra: Default::default(),
        })
    }

    async fn create_call(&self, request: CreateCallRequest2, account: String) -> CreateCallResponse {
        let Some(form) = request.body else {
            return CreateCallResponse::BadRequest(not_found());
        };
        let mut calls = self.calls.lock().unwrap();
        let sid = format!("CA{:032x}", calls.len() + 1);
        let mut call = call_json(&sid, &form.to, &form.from, "2026-03-02T09:15:00Z");
        call.account_sid = Some(Some(account));
        // What else arrived in the form is echoed in the record, for the test to read.
        call.extra.insert("form".into(), serde_json::to_value(&form).unwrap());
        calls.push(call.clone());
        CreateCallResponse::Created(call)
    }

    async fn fetch_call(&self, request: FetchCallRequest, _: String) -> FetchCallResponse {
        let calls = self.calls.lock().unwrap();
        match calls
            .iter()
            .find(|c| c.sid.clone().flatten().as_deref() == Some(request.sid.as_str()))
        {
            Some(call) => FetchCallResponse::Ok(call.clone()),
            None => FetchCallResponse::NotFound(not_found()),
        }
    }

    async fn update_call(&self, request: UpdateCallRequest2, _: String) -> UpdateCallResponse {
        let mut calls = self.calls.lock().unwrap();
        let call = calls
            .iter_mut()
            .find(|c| c.sid.clone().flatten().as_deref() == Some(request.sid.as_str()))
            .expect("the test updates a call it created");
        if let Some(form) = request.body {
            call.status = form.status.map(|status| match status {
                CallEnumUpdateStatus::Canceled => CallEnumStatus::Canceled,
                CallEnumUpdateStatus::Completed => CallEnumStatus::Completed,
            });
        }
        UpdateCallResponse::Ok(call.clone())
    }

    async fn delete_call(&self, request: DeleteCallRequest, _: String) -> DeleteCallResponse {
        let mut calls = self.calls.lock().unwrap();
        let before = calls.len();
        calls.retain(|c| c.sid.clone().flatten().as_deref() != Some(request.sid.as_str()));
        if calls.len() < before {
            DeleteCallResponse::NoContent
        } else {
            DeleteCallResponse::NotFound(not_found())
        }
    }

    async fn list_call_recording(&self, _: ListCallRecordingRequest, _: String) -> ListCallRecordingResponse2 {
        unreachable!("not called in this test")
    }

    async fn list_message(&self, _: ListMessageRequest, _: String) -> ListMessageResponse2 {
        unreachable!("not called in this test")
    }

    async fn create_message(&self, request: CreateMessageRequest2, _: String) -> CreateMessageResponse {
        let form = request.body;
        let message = serde_json::json!({
            "sid": "SM0123456789abcdef0123456789abcdef",
            "to": form.to,
            "from": form.from,
            "body": form.body,
            "num_media": form.media_url.as_ref().map_or(0, Vec::len).to_string(),
            "status": "queued",
        });
        CreateMessageResponse::Created(serde_json::from_value(message).unwrap())
    }

    async fn update_message(&self, _: UpdateMessageRequest2, _: String) -> UpdateMessageResponse {
        unreachable!("not called in this test")
    }

    async fn delete_message(&self, _: DeleteMessageRequest, _: String) -> DeleteMessageResponse {
        unreachable!("not called in this test")
    }
}

async fn start() -> (SocketAddr, Exchange, Client) {
    let exchange = Exchange::default();
    let addr = leave_server::spawn_loopback(router(exchange.clone()))
        .await
        .expect("bind 127.0.0.1");
    let authorize = |_: ClientAuthRequest<'_>| Ok(CREDENTIAL.to_string());
    let client = Client::with_settings(
        &format!("http://{addr}"),
        ClientSettings::default().authorizer(authorize),
    )
    .unwrap();
    (addr, exchange, client)
}

fn create(to: &str) -> CreateCallRequest2 {
    CreateCallRequest2 {
        account_sid: ACCOUNT.to_string(),
        body: Some(CreateCallRequest {
            to: to.to_string(),
            from: "+15017122661".to_string(),
            url: Some("https://demo.callwire.example/docs/voice.xml?lang=en&v=2".to_string()),
            twiml: None,
            method: Some(CreateCallRequestMethod::Post),
            status_callback: None,
            status_callback_event: Some(vec!["initiated".to_string(), "answered".to_string()]),
            send_digits: Some("1234#".to_string()),
            timeout: Some(30),
            record: Some(true),
            machine_detection: None,
            extra: Default::default(),
        }),
    }
}

fn last_wire(exchange: &Exchange) -> Wire {
    exchange
        .wire
        .lock()
        .unwrap()
        .last()
        .cloned()
        .expect("a request arrived")
}

#[tokio::test]
async fn a_call_is_created_from_a_form_body_and_read_back_by_its_sid_json_path() {
    let (_, exchange, client) = start().await;
    let CreateCallResponse::Created(call) = client.create_call(&create("+15558675310")).await.unwrap() else {
        panic!("not created");
    };
    let wire = last_wire(&exchange);
    assert_eq!(wire.method, "POST");
    assert_eq!(
        wire.path_and_query,
        format!("/2010-04-01/Accounts/{ACCOUNT}/Calls.json")
    );
    assert_eq!(wire.content_type.as_deref(), Some("application/x-www-form-urlencoded"));
    // Form encoding: `+` and `#` escaped, the array one pair per item in its order. Which
    // field comes first follows serde_json's map order, which depends on the features other
    // crates turn on, so fields are compared by name (a stable sort keeps the items' order).
    let mut pairs: Vec<&str> = wire.body.split('&').collect();
    pairs.sort_by_key(|pair| pair.split('=').next().unwrap_or_default());
    assert_eq!(
        pairs.join("&"),
        "From=%2B15017122661&Method=POST&Record=true&SendDigits=1234%23&StatusCallbackEvent=initiated&StatusCallbackEvent=answered&Timeout=30&To=%2B15558675310&Url=https%3A%2F%2Fdemo.callwire.example%2Fdocs%2Fvoice.xml%3Flang%3Den%26v%3D2"
    );
    // The server read every field back to what the client sent.
    let form: CreateCallRequest = serde_json::from_value(call.extra["form"].clone()).unwrap();
    assert_eq!(Some(form), create("+15558675310").body);

    let sid = call.sid.clone().flatten().unwrap();
    let request = FetchCallRequest {
        account_sid: ACCOUNT.to_string(),
        sid: sid.clone(),
    };
    let FetchCallResponse::Ok(fetched) = client.fetch_call(&request).await.unwrap() else {
        panic!("not found");
    };
    assert_eq!(
        last_wire(&exchange).path_and_query,
        format!("/2010-04-01/Accounts/{ACCOUNT}/Calls/{sid}.json")
    );
    assert_eq!(fetched, call);

    // Updating with a form body, then deleting: 204 and then 404 for the same `.json` path.
    let update = UpdateCallRequest2 {
        account_sid: ACCOUNT.to_string(),
        sid: sid.clone(),
        body: Some(UpdateCallRequest {
            url: None,
            method: None,
            status: Some(CallEnumUpdateStatus::Canceled),
            twiml: Some("<Response><Say>Goodbye</Say></Response>".to_string()),
            extra: Default::default(),
        }),
    };
    let UpdateCallResponse::Ok(updated) = client.update_call(&update).await.unwrap();
    assert_eq!(updated.status, Some(CallEnumStatus::Canceled));
    assert_eq!(
        last_wire(&exchange).body,
        "Status=canceled&Twiml=%3CResponse%3E%3CSay%3EGoodbye%3C%2FSay%3E%3C%2FResponse%3E"
    );
    let delete = DeleteCallRequest {
        account_sid: ACCOUNT.to_string(),
        sid: sid.clone(),
    };
    assert!(matches!(
        client.delete_call(&delete).await.unwrap(),
        DeleteCallResponse::NoContent
    ));
    assert!(matches!(
        client.delete_call(&delete).await.unwrap(),
        DeleteCallResponse::NotFound(_)
    ));
    assert!(matches!(
        client.fetch_call(&request).await.unwrap(),
        FetchCallResponse::NotFound(_)
    ));
}

fn list(start: Option<&str>, before: Option<&str>, after: Option<&str>, token: Option<String>) -> ListCallRequest {
    ListCallRequest {
        account_sid: ACCOUNT.to_string(),
        to: None,
        from: None,
        parent_call_sid: None,
        status: None,
        start_time: start.map(str::to_string),
        start_time2: before.map(str::to_string),
        start_time3: after.map(str::to_string),
        end_time: None,
        end_time2: None,
        end_time3: None,
        page_size: Some(2),
        page: None,
        page_token: token,
    }
}

#[tokio::test]
async fn start_time_and_its_bounds_are_three_parameters_and_pages_follow_their_token() {
    let (_, exchange, client) = start().await;
    {
        let mut calls = exchange.calls.lock().unwrap();
        for (i, start) in [
            "2026-02-27T23:59:00Z",
            "2026-03-01T08:00:00Z",
            "2026-03-01T12:30:00Z",
            "2026-03-02T07:45:00Z",
            "2026-03-03T18:00:00Z",
            "2026-03-05T10:00:00Z",
        ]
        .iter()
        .enumerate()
        {
            calls.push(call_json(&format!("CA{i:032x}"), "+15558675310", "+15017122661", start));
        }
    }
    // `StartTime<` and `StartTime>` travel under their own names, escaped.
    let request = list(None, Some("2026-03-03T00:00:00Z"), Some("2026-03-01T00:00:00Z"), None);
    let ListCallResponse2::Ok(first) = client.list_call(&request).await.unwrap();
    assert_eq!(
        last_wire(&exchange).path_and_query,
        format!(
            "/2010-04-01/Accounts/{ACCOUNT}/Calls.json?StartTime%3C=2026-03-03T00%3A00%3A00Z&StartTime%3E=2026-03-01T00%3A00%3A00Z&PageSize=2"
        )
    );
    // Three calls fit; two on the first page, and the next page's URI holds the token.
    let starts = |page: &ListCallResponse| -> Vec<String> {
        page.calls
            .iter()
            .flatten()
            .map(|c| c.start_time.clone().flatten().unwrap())
            .collect()
    };
    assert_eq!(starts(&first), ["2026-03-01T08:00:00Z", "2026-03-01T12:30:00Z"]);
    let next = first.next_page_uri.clone().flatten().expect("a next page");
    let token = next.split_once("PageToken=").expect("a page token").1.to_string();
    let ListCallResponse2::Ok(second) = client
        .list_call(&list(
            None,
            Some("2026-03-03T00:00:00Z"),
            Some("2026-03-01T00:00:00Z"),
            Some(token),
        ))
        .await
        .unwrap();
    assert_eq!(starts(&second), ["2026-03-02T07:45:00Z"]);
    assert_eq!(second.next_page_uri, Some(None));

    // All three at once, and `StartTime` alone: each read into its own field.
    let ListCallResponse2::Ok(day) = client
        .list_call(&list(
            Some("2026-03-01"),
            Some("2026-03-01T23:59:59Z"),
            Some("2026-03-01T10:00:00Z"),
            None,
        ))
        .await
        .unwrap();
    assert_eq!(starts(&day), ["2026-03-01T12:30:00Z"]);
    let read = exchange.filters.lock().unwrap().clone();
    assert_eq!(
        read,
        [
            (
                None,
                Some("2026-03-03T00:00:00Z".into()),
                Some("2026-03-01T00:00:00Z".into())
            ),
            (
                None,
                Some("2026-03-03T00:00:00Z".into()),
                Some("2026-03-01T00:00:00Z".into())
            ),
            (
                Some("2026-03-01".into()),
                Some("2026-03-01T23:59:59Z".into()),
                Some("2026-03-01T10:00:00Z".into())
            ),
        ]
    );
}

/// The server reads the three names however a client spells them: raw `<`/`>` are not
/// valid in a request target, so this client sends them escaped in lowercase hex, and a
/// form body with a repeated media URL.
#[tokio::test]
async fn a_hand_written_request_with_escaped_bounds_and_a_repeated_form_field_is_read() {
    let (addr, exchange, _) = start().await;
    let target = format!(
        "/2010-04-01/Accounts/{ACCOUNT}/Calls.json?StartTime%3c=2026-03-09&StartTime%3e=2026-03-01&StartTime=2026-03-04"
    );
    let (status, _) = send(
        addr,
        &format!("GET {target} HTTP/1.1\r\nHost: x\r\nAuthorization: {CREDENTIAL}\r\nConnection: close\r\n\r\n"),
    )
    .await;
    assert_eq!(status, "HTTP/1.1 200 OK");
    assert_eq!(
        exchange.filters.lock().unwrap().last().cloned().unwrap(),
        (
            Some("2026-03-04".into()),
            Some("2026-03-09".into()),
            Some("2026-03-01".into())
        )
    );

    let body = "To=%2B15558675310&Body=Your+code+is+4821&MediaUrl=https%3A%2F%2Fm.example%2Fa.png&MediaUrl=https%3A%2F%2Fm.example%2Fb.png&MaxPrice=0.05";
    let request = format!(
        "POST /2010-04-01/Accounts/{ACCOUNT}/Messages.json HTTP/1.1\r\nHost: x\r\nAuthorization: {CREDENTIAL}\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    );
    let (status, reply) = send(addr, &request).await;
    assert_eq!(status, "HTTP/1.1 201 Created", "{reply}");
    let message: serde_json::Value = serde_json::from_str(&reply).unwrap();
    assert_eq!(message["body"], "Your code is 4821");
    assert_eq!(message["num_media"], "2");

    // Without credentials the server answers by itself, before any handler.
    let (status, _) = send(
        addr,
        &format!("GET {target} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"),
    )
    .await;
    assert_eq!(status, "HTTP/1.1 401 Unauthorized");
}

/// Sends `request` as written; the status line and the body of the answer.
async fn send(addr: SocketAddr, request: &str) -> (String, String) {
    let mut stream = tokio::net::TcpStream::connect(addr).await.unwrap();
    stream.write_all(request.as_bytes()).await.unwrap();
    let mut reply = String::new();
    stream.read_to_string(&mut reply).await.unwrap();
    let status = reply.lines().next().unwrap_or_default().to_string();
    let body = reply
        .split_once("\r\n\r\n")
        .map(|(_, b)| b.to_string())
        .unwrap_or_default();
    (status, body)
}
