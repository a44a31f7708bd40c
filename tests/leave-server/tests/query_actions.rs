//! Query-protocol actions end to end over 127.0.0.1
//! (tests/corpus/relay-queue-query-actions.json, committed as tests/relay-queue): every
//! action is `GET` or `POST` on `/` or on a queue's URL, its path written
//! `/#Action=SendMessage`, with `Action` and `Version` declared as one-value query
//! parameters. The generated client sends `Action` once, from the request; the generated
//! router serves each request to the action its query names, and answers a missing or
//! unknown action itself with a problem+json 400.
//!
//! Its console writes query members into the path key instead
//! (`/console/jobs?op=LISTAFTERID`, `/console/history/export?filename={filename}`): fixed
//! members are sent by the client and pick the operation on the server; braced members
//! are query values filled from the parameter (declared `in: path` or `in: query`).

use std::net::SocketAddr;
use std::sync::{Arc, Mutex};

use relay_queue::client::{AuthRequest as ClientAuthRequest, Client, ClientSettings};
use relay_queue::server::{AuthRequest, Rejection, RelayQueueService, router};
use relay_queue::types::*;

const SIGNATURE: &str = "QUEUE-HMAC-SHA256 Credential=AKEXAMPLE/20140930/eu-west-1/queue";
const VERSION: &str = "2014-09-30";

/// What the server saw: each request's query, the action that served it, the messages.
#[derive(Clone, Default)]
struct Relay {
    queries: Arc<Mutex<Vec<String>>>,
    served: Arc<Mutex<Vec<&'static str>>>,
    messages: Arc<Mutex<Vec<(i64, String, String)>>>,
}

impl Relay {
    fn serve(&self, action: &'static str) {
        self.served.lock().unwrap().push(action);
    }
}

/// The actions this test does not call answer 480.
macro_rules! not_called {
    ($($method:ident($request:ty) -> $response:ident;)*) => {
        $(
            async fn $method(&self, _: $request, _: String) -> $response {
                self.serve(stringify!($method));
                $response::Status480("<Error><Code>NotInThisTest</Code></Error>".to_string())
            }
        )*
    };
}

impl RelayQueueService for Relay {
    type Principal = String;

    async fn authenticate(&self, request: AuthRequest<'_>) -> Result<String, Rejection> {
        let query = request.path_and_query.split_once('?').map_or("", |(_, query)| query);
        self.queries.lock().unwrap().push(query.to_string());
        match request.credential {
            SIGNATURE => Ok("AKEXAMPLE".to_string()),
            _ => Err(Rejection::forbidden("The request signature does not match")),
        }
    }

    async fn get_create_queue(&self, request: GetCreateQueueRequest, _: String) -> GetCreateQueueResponse {
        self.serve("get_create_queue");
        GetCreateQueueResponse::Ok(format!(
            "<CreateQueueResult><QueueUrl>https://queue.example.net/123456789012/{}/</QueueUrl></CreateQueueResult>",
            request.queue_name
        ))
    }

    async fn get_send_message(&self, request: GetSendMessageRequest, _: String) -> GetSendMessageResponse {
        self.serve("get_send_message");
        let mut messages = self.messages.lock().unwrap();
        messages.push((request.account_number, request.queue_name, request.message_body));
        GetSendMessageResponse::Ok(format!("<MessageId>m-{}</MessageId>", messages.len()))
    }

    async fn post_send_message(&self, request: PostSendMessageRequest, _: String) -> PostSendMessageResponse {
        self.serve("post_send_message");
        let body = request.body.expect("the client sent the form").message_body;
        let mut messages = self.messages.lock().unwrap();
        messages.push((request.account_number, request.queue_name, body));
        PostSendMessageResponse::Ok(format!("<MessageId>m-{}</MessageId>", messages.len()))
    }

    async fn get_purge_queue(&self, request: GetPurgeQueueRequest, _: String) -> GetPurgeQueueResponse {
        self.serve("get_purge_queue");
        self.messages
            .lock()
            .unwrap()
            .retain(|(_, queue, _)| *queue != request.queue_name);
        GetPurgeQueueResponse::Ok
    }

    async fn console_list_jobs(&self, request: ConsoleListJobsRequest, _: String) -> ConsoleListJobsResponse {
        self.serve("console_list_jobs");
        let mut job = ConsoleJob::new("job_0007", ConsoleJobStatus::Running);
        job.user = request.showall.then(|| "everyone".to_string());
        ConsoleListJobsResponse::Ok(vec![job])
    }

    async fn console_list_jobs_after_id(
        &self,
        request: ConsoleListJobsAfterIdRequest,
        _: String,
    ) -> ConsoleListJobsAfterIdResponse {
        self.serve("console_list_jobs_after_id");
        let after: u32 = request.jobid.trim_start_matches("job_").parse().unwrap();
        let count = request.numrecords.unwrap_or(1) as u32;
        let jobs = (after + 1..=after + count)
            .map(|n| ConsoleJob::new(format!("job_{n:04}"), ConsoleJobStatus::Prep))
            .collect();
        ConsoleListJobsAfterIdResponse::Ok(jobs)
    }

    async fn console_redrive(&self, request: ConsoleRedriveRequest, _: String) -> ConsoleRedriveResponse {
        self.serve("console_redrive");
        let mut job = ConsoleJob::new("job_0042", ConsoleJobStatus::Prep);
        job.queue = Some(request.queue);
        job.percent_complete = request
            .body
            .and_then(|options| options.destination)
            .map(|destination| format!("to {destination}"));
        ConsoleRedriveResponse::Accepted(job)
    }

    async fn console_job_status(&self, request: ConsoleJobStatusRequest, _: String) -> ConsoleJobStatusResponse {
        self.serve("console_job_status");
        let mut job = ConsoleJob::new(request.job_id, ConsoleJobStatus::Succeeded);
        job.percent_complete = Some(format!("view {:?}", request.view));
        ConsoleJobStatusResponse::Ok(job)
    }

    async fn console_job_document(&self, request: ConsoleJobDocumentRequest, _: String) -> ConsoleJobDocumentResponse {
        self.serve("console_job_document");
        ConsoleJobDocumentResponse::Ok(ConsoleJob::new(request.job_id, ConsoleJobStatus::Killed))
    }

    async fn console_export_history(
        &self,
        request: ConsoleExportHistoryRequest,
        _: String,
    ) -> ConsoleExportHistoryResponse {
        self.serve("console_export_history");
        ConsoleExportHistoryResponse::Ok(format!("file,from\n{},{:?}\n", request.filename, request.date_from))
    }

    async fn console_search_messages(
        &self,
        request: ConsoleSearchMessagesRequest,
        _: String,
    ) -> ConsoleSearchMessagesResponse {
        self.serve("console_search_messages");
        let message = Message {
            body: Some(format!("{} {:?} {:?}", request.q, request.order_by, request.page)),
            ..Message::default()
        };
        ConsoleSearchMessagesResponse::Ok(vec![message])
    }

    not_called! {
        post_create_queue(PostCreateQueueRequest) -> PostCreateQueueResponse;
        get_list_queues(GetListQueuesRequest) -> GetListQueuesResponse;
        post_list_queues(PostListQueuesRequest) -> PostListQueuesResponse;
        get_get_queue_url(GetGetQueueUrlRequest) -> GetGetQueueUrlResponse;
        post_get_queue_url(PostGetQueueUrlRequest) -> PostGetQueueUrlResponse;
        get_delete_queue(GetDeleteQueueRequest) -> GetDeleteQueueResponse;
        post_delete_queue(PostDeleteQueueRequest) -> PostDeleteQueueResponse;
        get_receive_message(GetReceiveMessageRequest) -> GetReceiveMessageResponse;
        post_receive_message(PostReceiveMessageRequest) -> PostReceiveMessageResponse;
        get_delete_message(GetDeleteMessageRequest) -> GetDeleteMessageResponse;
        post_delete_message(PostDeleteMessageRequest) -> PostDeleteMessageResponse;
        get_change_message_visibility(GetChangeMessageVisibilityRequest) -> GetChangeMessageVisibilityResponse;
        post_change_message_visibility(PostChangeMessageVisibilityRequest) -> PostChangeMessageVisibilityResponse;
        post_purge_queue(PostPurgeQueueRequest) -> PostPurgeQueueResponse;
        get_get_queue_attributes(GetGetQueueAttributesRequest) -> GetGetQueueAttributesResponse;
        post_get_queue_attributes(PostGetQueueAttributesRequest) -> PostGetQueueAttributesResponse;
    }
}

async fn start() -> (SocketAddr, Relay, Client) {
    let relay = Relay::default();
    let addr = leave_server::spawn_loopback(router(relay.clone()))
        .await
        .expect("bind 127.0.0.1");
    let authorize = |_: ClientAuthRequest<'_>| Ok(SIGNATURE.to_string());
    let client = Client::with_settings(
        &format!("http://{addr}"),
        ClientSettings::default().authorizer(authorize),
    )
    .unwrap();
    (addr, relay, client)
}

#[tokio::test]
async fn each_action_reaches_its_own_operation() {
    let (_, relay, client) = start().await;
    let created = client
        .get_create_queue(&GetCreateQueueRequest {
            x_amz_date: None,
            x_amz_security_token: None,
            queue_name: "orders".to_string(),
            action: GetCreateQueueAction::CreateQueue,
            version: GetCreateQueueVersion::T20140930,
        })
        .await
        .unwrap();
    assert_eq!(
        created,
        GetCreateQueueResponse::Ok(
            "<CreateQueueResult><QueueUrl>https://queue.example.net/123456789012/orders/</QueueUrl></CreateQueueResult>"
                .to_string()
        )
    );
    // On the queue's URL, by query and by form: two operations of two methods.
    let sent = client
        .get_send_message(&GetSendMessageRequest {
            x_amz_date: None,
            x_amz_security_token: None,
            account_number: 123456789012,
            queue_name: "orders".to_string(),
            message_group_id: None,
            delay_seconds: Some(5),
            message_body: "order 1 & 2".to_string(),
            action: GetSendMessageAction::SendMessage,
            version: GetSendMessageVersion::T20140930,
        })
        .await
        .unwrap();
    assert_eq!(
        sent,
        GetSendMessageResponse::Ok("<MessageId>m-1</MessageId>".to_string())
    );
    let sent = client
        .post_send_message(&PostSendMessageRequest {
            x_amz_date: None,
            x_amz_security_token: None,
            account_number: 123456789012,
            queue_name: "orders".to_string(),
            action: PostSendMessageAction::SendMessage,
            version: PostSendMessageVersion::T20140930,
            body: Some(SendMessageRequest {
                message_body: "order 3".to_string(),
                delay_seconds: None,
                message_group_id: None,
                extra: Default::default(),
            }),
        })
        .await
        .unwrap();
    assert_eq!(
        sent,
        PostSendMessageResponse::Ok("<MessageId>m-2</MessageId>".to_string())
    );
    let purged = client
        .get_purge_queue(&GetPurgeQueueRequest {
            x_amz_date: None,
            x_amz_security_token: None,
            account_number: 123456789012,
            queue_name: "orders".to_string(),
            action: GetPurgeQueueAction::PurgeQueue,
            version: GetPurgeQueueVersion::T20140930,
        })
        .await
        .unwrap();
    assert_eq!(purged, GetPurgeQueueResponse::Ok);

    assert_eq!(
        *relay.served.lock().unwrap(),
        [
            "get_create_queue",
            "get_send_message",
            "post_send_message",
            "get_purge_queue"
        ]
    );
    assert!(relay.messages.lock().unwrap().is_empty());
    // Each request named its action once.
    let queries = relay.queries.lock().unwrap().clone();
    let actions: Vec<Vec<&str>> = queries
        .iter()
        .map(|query| query.split('&').filter(|pair| pair.starts_with("Action=")).collect())
        .collect();
    assert_eq!(
        actions,
        [
            ["Action=CreateQueue"],
            ["Action=SendMessage"],
            ["Action=SendMessage"],
            ["Action=PurgeQueue"]
        ]
    );
}

async fn get(addr: SocketAddr, path_and_query: &str) -> (u16, serde_json::Value) {
    let response = reqwest::Client::new()
        .get(format!("http://{addr}{path_and_query}"))
        .header("authorization", SIGNATURE)
        .send()
        .await
        .unwrap();
    let status = response.status().as_u16();
    let body = response.bytes().await.unwrap();
    (status, serde_json::from_slice(&body).unwrap_or(serde_json::Value::Null))
}

#[tokio::test]
async fn a_missing_or_unknown_action_is_answered_by_the_router() {
    let (addr, relay, _) = start().await;
    let (status, problem) = get(addr, &format!("/?Version={VERSION}&QueueName=orders")).await;
    assert_eq!(status, 400, "{problem}");
    assert!(problem["detail"].as_str().unwrap().contains("`Action`"), "{problem}");

    let (status, problem) = get(addr, &format!("/?Action=DropEverything&Version={VERSION}")).await;
    assert_eq!(status, 400, "{problem}");
    assert!(
        problem["detail"].as_str().unwrap().contains("DropEverything"),
        "{problem}"
    );

    // `SendMessage` is an action of a queue's URL, not of `/`.
    let (status, _) = get(addr, &format!("/?Action=SendMessage&Version={VERSION}&MessageBody=x")).await;
    assert_eq!(status, 400);
    // The last `Action` of the query counts, as for any query parameter; escapes are read.
    let (status, _) = get(
        addr,
        &format!("/?Action=PurgeQueue&Action=Create%51ueue&Version={VERSION}&QueueName=orders"),
    )
    .await;
    assert_eq!(status, 200);
    assert_eq!(*relay.served.lock().unwrap(), ["get_create_queue"]);
}

/// Each console operation, its query members written in the path key, is reached by the
/// client; the four on `/console/jobs` (two on GET, told apart by `op`) each by its own.
#[tokio::test]
async fn query_members_in_path_keys_reach_each_operation() {
    let (_, relay, client) = start().await;
    let listed = client
        .console_list_jobs(&ConsoleListJobsRequest {
            showall: true,
            fields: None,
        })
        .await
        .unwrap();
    let mut job = ConsoleJob::new("job_0007", ConsoleJobStatus::Running);
    job.user = Some("everyone".to_string());
    assert_eq!(listed, ConsoleListJobsResponse::Ok(vec![job]));

    let after = client
        .console_list_jobs_after_id(&ConsoleListJobsAfterIdRequest {
            jobid: "job_0007".to_string(),
            numrecords: Some(2),
        })
        .await
        .unwrap();
    let ids = match after {
        ConsoleListJobsAfterIdResponse::Ok(jobs) => jobs.into_iter().map(|job| job.id).collect::<Vec<_>>(),
        other => panic!("{other:?}"),
    };
    assert_eq!(ids, ["job_0008", "job_0009"]);

    let redrive = client
        .console_redrive(&ConsoleRedriveRequest {
            queue: "orders-dead & letters".to_string(),
            body: Some(RedriveOptions {
                max_messages_per_second: None,
                destination: Some("orders".to_string()),
                extra: Default::default(),
            }),
        })
        .await
        .unwrap();
    let mut job = ConsoleJob::new("job_0042", ConsoleJobStatus::Prep);
    job.queue = Some("orders-dead & letters".to_string());
    job.percent_complete = Some("to orders".to_string());
    assert_eq!(redrive, ConsoleRedriveResponse::Accepted(job));

    let status = client
        .console_job_status(&ConsoleJobStatusRequest {
            job_id: "job_0042".to_string(),
            view: None,
        })
        .await
        .unwrap();
    let mut job = ConsoleJob::new("job_0042", ConsoleJobStatus::Succeeded);
    job.percent_complete = Some("view Some(Status)".to_string());
    assert_eq!(status, ConsoleJobStatusResponse::Ok(job));

    // `/console/jobs/{jobId}{format}`, `format` having the one value `.json`, is read as
    // `/console/jobs/{jobId}.json`: beside `/console/jobs/{jobId}`, its own route.
    let document = client
        .console_job_document(&ConsoleJobDocumentRequest {
            job_id: "job_0042".to_string(),
        })
        .await
        .unwrap();
    assert_eq!(
        document,
        ConsoleJobDocumentResponse::Ok(ConsoleJob::new("job_0042", ConsoleJobStatus::Killed))
    );

    let export = client
        .console_export_history(&ConsoleExportHistoryRequest {
            filename: "history 2014-10.csv".to_string(),
            date_from: Some(1412121600),
        })
        .await
        .unwrap();
    assert_eq!(
        export,
        ConsoleExportHistoryResponse::Ok("file,from\nhistory 2014-10.csv,Some(1412121600)\n".to_string())
    );

    let found = client
        .console_search_messages(&ConsoleSearchMessagesRequest {
            q: "refund?".to_string(),
            order_by: ConsoleSearchMessagesOrderBy::SentAtDesc,
            page: None,
        })
        .await
        .unwrap();
    let message = Message {
        body: Some("refund? SentAtDesc None".to_string()),
        ..Message::default()
    };
    assert_eq!(found, ConsoleSearchMessagesResponse::Ok(vec![message]));

    assert_eq!(
        *relay.served.lock().unwrap(),
        [
            "console_list_jobs",
            "console_list_jobs_after_id",
            "console_redrive",
            "console_job_status",
            "console_job_document",
            "console_export_history",
            "console_search_messages"
        ]
    );
    // The fixed members went out once each; braced ones under the member's name.
    let queries = relay.queries.lock().unwrap().clone();
    let mut sorted: Vec<Vec<&str>> = queries
        .iter()
        .map(|query| {
            let mut pairs: Vec<&str> = query.split('&').collect();
            pairs.sort();
            pairs
        })
        .collect();
    sorted[1].retain(|pair| pair.starts_with("op="));
    assert_eq!(sorted[0], ["op=LIST", "showall=true"]);
    assert_eq!(sorted[1], ["op=LISTAFTERID"]);
    assert_eq!(sorted[2], ["op=REDRIVE", "queue=orders-dead%20%26%20letters"]);
    assert_eq!(sorted[3], ["view=status"]);
    assert_eq!(sorted[4], [""]);
    assert_eq!(sorted[5], ["date_from=1412121600", "filename=history%202014-10.csv"]);
    assert_eq!(sorted[6], ["order_by=sent_at%3Adesc", "q=refund%3F"]);
}

/// On `/console/jobs`, a request without `op` or with an `op` no operation has is the
/// router's 400; another method's `op` is not served on GET.
#[tokio::test]
async fn a_missing_or_unknown_query_member_is_answered_by_the_router() {
    let (addr, relay, _) = start().await;
    let (status, problem) = get(addr, "/console/jobs?showall=true").await;
    assert_eq!(status, 400, "{problem}");
    assert!(problem["detail"].as_str().unwrap().contains("`op`"), "{problem}");
    for op in ["LISTALL", "REDRIVE"] {
        let (status, problem) = get(addr, &format!("/console/jobs?op={op}&queue=q")).await;
        assert_eq!(status, 400, "{problem}");
        assert!(problem["detail"].as_str().unwrap().contains(op), "{problem}");
    }
    // A braced member is a required query value: without it, 400 from the handler.
    let (status, _) = get(addr, "/console/history/export").await;
    assert_eq!(status, 400);
    let (status, body) = get(addr, "/console/jobs?op=LISTAFTERID&jobid=job_0001").await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body[0]["id"], "job_0002");
    // The fixed `.json` is part of the route; without it, the job's status route answers.
    let (status, body) = get(addr, "/console/jobs/job_0003.json").await;
    assert_eq!((status, &body["id"]), (200, &serde_json::json!("job_0003")));
    let (status, body) = get(addr, "/console/jobs/job_0003.xml?view=status").await;
    assert_eq!((status, &body["id"]), (200, &serde_json::json!("job_0003.xml")));
    assert_eq!(
        *relay.served.lock().unwrap(),
        [
            "console_list_jobs_after_id",
            "console_job_document",
            "console_job_status"
        ]
    );
}
