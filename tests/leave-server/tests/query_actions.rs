//! Query-protocol actions end to end over 127.0.0.1
//! (tests/corpus/relay-queue-query-actions.json, committed as tests/relay-queue): every
//! action is `GET` or `POST` on `/` or on a queue's URL, its path written
//! `/#Action=SendMessage`, with `Action` and `Version` declared as one-value query
//! parameters. The generated client sends `Action` once, from the request; the generated
//! router serves each request to the action its query names, and answers a missing or
//! unknown action itself with a problem+json 400.

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
