//! Form and multipart bodies whose schema names no fields, and multipart parts composed
//! with `allOf`, through the crate generated from
//! tests/corpus/ledgerline-expense-attachments.yaml. The generated client talks to the
//! generated server over 127.0.0.1; the server records the request it was handed and
//! each test compares it with the one the client sent. Every call is signed over its body
//! bytes, and the server checks that signature over the bytes it received.

use std::net::SocketAddr;
use std::sync::{Arc, Mutex};

use ledgerline_expenses::client::{AuthRequest as ClientAuthRequest, Client, ClientSettings};
use ledgerline_expenses::server::{AuthRequest, LedgerlineExpenses, Rejection, router};
use ledgerline_expenses::types::*;
use tokio::io::{AsyncReadExt, AsyncWriteExt};

/// What each handler was given, in arrival order.
#[derive(Debug, Clone, PartialEq)]
enum Seen {
    Token(TokenIssueRequest),
    DeleteMany(ExpenseDeleteManyRequest),
    Submit(ExpenseApprovalSubmitRequest),
    Attach(ReceiptAttachRequest),
    Inbox(ReceiptInboxRequest),
    BankStatement(DocumentAddBankStatementRequest),
    TaxReturn(DocumentAddTaxReturnRequest),
    Profile(ProfileModifyRequest),
}

#[derive(Clone, Default)]
struct Recorder {
    seen: Arc<Mutex<Vec<Seen>>>,
}

impl Recorder {
    fn record(&self, seen: Seen) {
        self.seen.lock().unwrap().push(seen);
    }

    fn last(&self) -> Option<Seen> {
        self.seen.lock().unwrap().last().cloned()
    }
}

/// A digest of the body bytes, standing in for a request signature (FNV-1a, 64 bits).
fn digest(body: &[u8]) -> String {
    let hash = body.iter().fold(0xcbf2_9ce4_8422_2325_u64, |hash, byte| {
        (hash ^ u64::from(*byte)).wrapping_mul(0x100_0000_01b3)
    });
    format!("{hash:016x}-{}", body.len())
}

fn stored(title: &str) -> StoredDocument {
    StoredDocument {
        id: "doc_1".to_string(),
        title: title.to_string(),
        pages: None,
        extra: Default::default(),
    }
}

impl LedgerlineExpenses for Recorder {
    type Principal = ();

    async fn authenticate(&self, request: AuthRequest<'_>) -> Result<(), Rejection> {
        if request.credential == digest(request.body) {
            Ok(())
        } else {
            Err(Rejection::unauthorized(
                "the signature does not cover the body received",
            ))
        }
    }

    async fn token_issue(&self, request: TokenIssueRequest) -> TokenIssueResponse {
        self.record(Seen::Token(request.clone()));
        let grant = request.body.iter().find(|(name, _)| name == "grant_type");
        TokenIssueResponse::Ok(AccessToken {
            access_token: format!("tok-{}", grant.map_or("none", |(_, value)| value.as_str())),
            token_type: "Bearer".to_string(),
            expires_in: Some(3600),
            extra: Default::default(),
        })
    }

    async fn expense_list(&self, _: ExpenseListRequest, _: ()) -> ExpenseListResponse {
        ExpenseListResponse::Ok(Vec::new())
    }

    async fn expense_delete_many(&self, request: ExpenseDeleteManyRequest, _: ()) -> ExpenseDeleteManyResponse {
        self.record(Seen::DeleteMany(request));
        ExpenseDeleteManyResponse::NoContent
    }

    async fn expense_approval_submit(
        &self,
        request: ExpenseApprovalSubmitRequest,
        _: (),
    ) -> ExpenseApprovalSubmitResponse {
        self.record(Seen::Submit(request));
        ExpenseApprovalSubmitResponse::Ok(Vec::new())
    }

    async fn receipt_attach(&self, request: ReceiptAttachRequest, _: ()) -> ReceiptAttachResponse {
        self.record(Seen::Attach(request.clone()));
        let receipts = request
            .body
            .iter()
            .map(|part| Receipt {
                id: part.name.clone(),
                file_name: part.filename.clone().unwrap_or_default(),
                content_type: part.content_type.clone(),
                size_bytes: Some(part.bytes.len() as i64),
                extra: Default::default(),
            })
            .collect();
        ReceiptAttachResponse::Created(receipts)
    }

    async fn receipt_inbox(&self, request: ReceiptInboxRequest, _: ()) -> ReceiptInboxResponse {
        self.record(Seen::Inbox(request.clone()));
        let parts = match &request.body {
            ReceiptInboxRequestBody::Json(_) => 0,
            ReceiptInboxRequestBody::Multipart(parts) => parts.len() as i32,
        };
        ReceiptInboxResponse::Accepted(InboxReceipt {
            inbox_id: Some("inb_1".to_string()),
            parts: Some(parts),
            extra: Default::default(),
        })
    }

    async fn document_add_bank_statement(
        &self,
        request: DocumentAddBankStatementRequest,
        _: (),
    ) -> DocumentAddBankStatementResponse {
        self.record(Seen::BankStatement(request.clone()));
        DocumentAddBankStatementResponse::Created(stored(&request.body.title))
    }

    async fn document_add_tax_return(
        &self,
        request: DocumentAddTaxReturnRequest,
        _: (),
    ) -> DocumentAddTaxReturnResponse {
        self.record(Seen::TaxReturn(request.clone()));
        DocumentAddTaxReturnResponse::Created(stored(&format!("Return {}", request.body.fiscal_year)))
    }

    async fn profile_modify(&self, request: ProfileModifyRequest, _: ()) -> ProfileModifyResponse {
        self.record(Seen::Profile(request.clone()));
        let fields = request.body.as_ref();
        ProfileModifyResponse::Ok(Profile {
            display_name: fields.and_then(|f| f.display_name.clone()).unwrap_or_default(),
            locale: fields.and_then(|f| f.locale.clone()),
            avatar_url: None,
            extra: Default::default(),
        })
    }
}

async fn serve(recorder: Recorder) -> SocketAddr {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, router(recorder)).await.unwrap() });
    addr
}

/// A client that signs each call over the body bytes it sends.
fn client(addr: SocketAddr) -> Client {
    let sign = |request: ClientAuthRequest<'_>| Ok(digest(request.body.unwrap_or_default()));
    Client::with_settings(&format!("http://{addr}"), ClientSettings::default().authorizer(sign)).unwrap()
}

/// Sends a request as written (signed over `body`) and returns the status line and body.
async fn raw(addr: SocketAddr, path: &str, content_type: &str, body: &[u8]) -> (String, String) {
    let head = format!(
        "POST {path} HTTP/1.1\r\nHost: x\r\nConnection: close\r\nContent-Type: {content_type}\r\nX-Ledgerline-Key: {}\r\nContent-Length: {}\r\n\r\n",
        digest(body),
        body.len()
    );
    let mut stream = tokio::net::TcpStream::connect(addr).await.unwrap();
    stream.write_all(head.as_bytes()).await.unwrap();
    stream.write_all(body).await.unwrap();
    let mut reply = String::new();
    stream.read_to_string(&mut reply).await.unwrap();
    let status = reply.lines().next().unwrap_or("").to_string();
    let body = reply
        .split_once("\r\n\r\n")
        .map(|(_, body)| body.to_string())
        .unwrap_or_default();
    (status, body)
}

fn pair(name: &str, value: &str) -> (String, String) {
    (name.to_string(), value.to_string())
}

fn part(name: &str, bytes: &[u8], filename: Option<&str>, content_type: Option<&str>) -> MultipartPart {
    MultipartPart {
        name: name.to_string(),
        filename: filename.map(str::to_string),
        content_type: content_type.map(str::to_string),
        bytes: bytes.to_vec().into(),
    }
}

fn file(bytes: &[u8], filename: &str, content_type: &str) -> FilePart {
    FilePart {
        bytes: bytes.to_vec().into(),
        filename: Some(filename.to_string()),
        content_type: Some(content_type.to_string()),
    }
}

#[tokio::test]
async fn a_form_without_fields_keeps_every_pair_in_order() {
    let recorder = Recorder::default();
    let addr = serve(recorder.clone()).await;
    // Repeated names, an empty value, and text that must be escaped, out of name order.
    let request = TokenIssueRequest {
        body: vec![
            pair("grant_type", "client_credentials"),
            pair("scope", "expenses:read"),
            pair("client_secret", "s&cr=t +100% ünïcode"),
            pair("scope", "receipts:write"),
            pair("audience", ""),
        ],
    };
    let reply = client(addr).token_issue(&request).await.unwrap();
    let TokenIssueResponse::Ok(token) = reply else {
        panic!("{reply:?}")
    };
    assert_eq!(token.access_token, "tok-client_credentials");
    assert_eq!(recorder.last(), Some(Seen::Token(request)));

    // As a browser writes it: `+` for spaces, a name without `=`.
    let (status, _) = raw(
        addr,
        "/v3/oauth/token",
        "application/x-www-form-urlencoded",
        b"grant_type=refresh_token&refresh_token=a+b%2Bc&debug",
    )
    .await;
    assert!(status.contains(" 200 "), "{status}");
    let Some(Seen::Token(seen)) = recorder.last() else {
        panic!()
    };
    assert_eq!(
        seen.body,
        vec![
            pair("grant_type", "refresh_token"),
            pair("refresh_token", "a b+c"),
            pair("debug", "")
        ]
    );
}

#[tokio::test]
async fn a_form_whose_schema_is_no_object_is_read_as_pairs_optional_or_chosen() {
    let recorder = Recorder::default();
    let addr = serve(recorder.clone()).await;
    let client = client(addr);

    // An optional body: sent, then left out.
    let ids = ExpenseDeleteManyRequest {
        company_id: "0b7a3c1e-5f7d-4e8a-9c2b-1d3e5f7a9b0c".to_string(),
        body: Some(vec![pair("id", "41"), pair("id", "42")]),
    };
    let reply = client.expense_delete_many(&ids).await.unwrap();
    assert_eq!(reply, ExpenseDeleteManyResponse::NoContent);
    assert_eq!(recorder.last(), Some(Seen::DeleteMany(ids.clone())));
    let none = ExpenseDeleteManyRequest { body: None, ..ids };
    client.expense_delete_many(&none).await.unwrap();
    assert_eq!(recorder.last(), Some(Seen::DeleteMany(none)));

    // Pairs beside JSON: the variant sent is the variant read.
    let form = ExpenseApprovalSubmitRequest {
        company_id: "c1".to_string(),
        body: ExpenseApprovalSubmitRequestBody::Form(vec![pair("expenseId", "41"), pair("comment", "Client dinner")]),
    };
    client.expense_approval_submit(&form).await.unwrap();
    assert_eq!(recorder.last(), Some(Seen::Submit(form)));
    let json = ExpenseApprovalSubmitRequest {
        company_id: "c1".to_string(),
        body: ExpenseApprovalSubmitRequestBody::Json(ApprovalSubmission {
            expense_ids: vec![41, 42],
            comment: None,
            extra: Default::default(),
        }),
    };
    client.expense_approval_submit(&json).await.unwrap();
    assert_eq!(recorder.last(), Some(Seen::Submit(json)));
}

#[tokio::test]
async fn multipart_without_named_parts_keeps_every_part_as_sent() {
    let recorder = Recorder::default();
    let addr = serve(recorder.clone()).await;
    // Every byte value, and the text of a boundary the client might have picked.
    let mut scan: Vec<u8> = (0..=255).collect();
    scan.extend_from_slice(b"\r\n--stubforge-boundary-0\r\n");
    let request = ReceiptAttachRequest {
        company_id: "c1".to_string(),
        expense_id: 41,
        body: vec![
            part("page-2", &scan, Some("scan \"2\".jpg"), Some("image/jpeg")),
            part("page-1", b"%PDF-1.7", Some("receipt.pdf"), Some("application/pdf")),
            part("note", "taxi, airport → hotel".as_bytes(), None, None),
            part("page-1", b"\x89PNG", None, Some("image/png")),
        ],
    };
    let reply = client(addr).receipt_attach(&request).await.unwrap();
    let ReceiptAttachResponse::Created(receipts) = reply else {
        panic!("{reply:?}")
    };
    let names: Vec<&str> = receipts.iter().map(|r| r.id.as_str()).collect();
    assert_eq!(names, ["page-2", "page-1", "note", "page-1"]);
    let Some(Seen::Attach(seen)) = recorder.last() else {
        panic!()
    };
    // The file name's quotes travel escaped as browsers escape them.
    assert_eq!(seen.body[0].filename.as_deref(), Some("scan %222%22.jpg"));
    let mut sent = request.clone();
    sent.body[0].filename = Some("scan %222%22.jpg".to_string());
    assert_eq!(seen, sent);

    // No parts at all is a body too.
    let empty = ReceiptAttachRequest {
        body: Vec::new(),
        ..request
    };
    client(addr).receipt_attach(&empty).await.unwrap();
    assert_eq!(recorder.last(), Some(Seen::Attach(empty)));
}

#[tokio::test]
async fn multipart_written_by_another_client_is_read_part_by_part() {
    let recorder = Recorder::default();
    let addr = serve(recorder.clone()).await;
    let body = concat!(
        "--XyZ\r\n",
        "Content-Disposition: form-data; name=\"file\"; filename=\"lunch.heic\"\r\n",
        "Content-Type: image/heic\r\n\r\n",
        "HEIC\r\n",
        "--XyZ\r\n",
        "Content-Disposition: form-data; name=\"merchant\"\r\n\r\n",
        "Café Lumière\r\n",
        "--XyZ--\r\n",
    );
    let (status, reply) = raw(
        addr,
        "/v3/companies/c1/receipts/inbox",
        "multipart/form-data; boundary=XyZ",
        body.as_bytes(),
    )
    .await;
    assert!(status.contains(" 202 "), "{status} {reply}");
    let Some(Seen::Inbox(seen)) = recorder.last() else {
        panic!()
    };
    let ReceiptInboxRequestBody::Multipart(parts) = seen.body else {
        panic!("{seen:?}")
    };
    assert_eq!(
        parts,
        vec![
            part("file", b"HEIC", Some("lunch.heic"), Some("image/heic")),
            part("merchant", "Café Lumière".as_bytes(), None, None),
        ]
    );

    // A multipart body without a boundary is a 400, not a handler call.
    let before = recorder.seen.lock().unwrap().len();
    let (status, _) = raw(addr, "/v3/companies/c1/receipts/inbox", "multipart/form-data", b"--x--").await;
    assert!(status.contains(" 400 "), "{status}");
    assert_eq!(recorder.seen.lock().unwrap().len(), before);

    // The same operation through the generated client, both variants.
    let client = client(addr);
    let multipart = ReceiptInboxRequest {
        company_id: "c1".to_string(),
        body: ReceiptInboxRequestBody::Multipart(vec![part("file", b"JPEG", Some("a.jpg"), Some("image/jpeg"))]),
    };
    let reply = client.receipt_inbox(&multipart).await.unwrap();
    let ReceiptInboxResponse::Accepted(accepted) = reply else {
        panic!("{reply:?}")
    };
    assert_eq!(accepted.parts, Some(1));
    assert_eq!(recorder.last(), Some(Seen::Inbox(multipart)));
    let json = ReceiptInboxRequest {
        company_id: "c1".to_string(),
        body: ReceiptInboxRequestBody::Json(InboxMessage {
            from: "receipts@shop.example".to_string(),
            subject: "Your receipt".to_string(),
            received_at: None,
            extra: Default::default(),
        }),
    };
    client.receipt_inbox(&json).await.unwrap();
    assert_eq!(recorder.last(), Some(Seen::Inbox(json)));
}

#[tokio::test]
async fn parts_composed_with_all_of_are_one_struct() {
    let recorder = Recorder::default();
    let addr = serve(recorder.clone()).await;
    let client = client(addr);

    // The base record's parts, the return's own, and `required` from both levels.
    let request = DocumentAddTaxReturnRequest {
        space_id: "sp_1".to_string(),
        folder_id: "fld_tax".to_string(),
        body: DocumentAddTaxReturnParts {
            title: Some("Corporate tax 2025".to_string()),
            issued_on: Some("2026-04-30".to_string()),
            tags: vec!["tax".to_string(), "2025".to_string()],
            file: file(b"%PDF-1.7 return", "return.pdf", "application/pdf"),
            fiscal_year: 2025,
            amended: Some(false),
            attachments: vec![
                file(b"%PDF schedule A", "a.pdf", "application/pdf"),
                file(b"%PDF schedule B", "b.pdf", "application/pdf"),
            ],
        },
    };
    let reply = client.document_add_tax_return(&request).await.unwrap();
    let DocumentAddTaxReturnResponse::Created(document) = reply else {
        panic!("{reply:?}")
    };
    assert_eq!(document.title, "Return 2025");
    assert_eq!(recorder.last(), Some(Seen::TaxReturn(request)));

    // A part the `allOf`'s own `required` lists is required on the server too.
    let before = recorder.seen.lock().unwrap().len();
    let body = concat!(
        "--b\r\n",
        "Content-Disposition: form-data; name=\"file\"; filename=\"r.pdf\"\r\n",
        "Content-Type: application/pdf\r\n\r\n",
        "%PDF\r\n",
        "--b--\r\n",
    );
    let (status, reply) = raw(
        addr,
        "/v3/spaces/sp_1/folders/fld_tax/tax-returns",
        "multipart/form-data; boundary=b",
        body.as_bytes(),
    )
    .await;
    assert!(status.contains(" 400 "), "{status}");
    assert!(reply.contains("fiscalYear"), "{reply}");
    assert_eq!(recorder.seen.lock().unwrap().len(), before);

    // One member and a `required` beside it (a request body from `components`).
    let statement = DocumentAddBankStatementRequest {
        space_id: "sp_1".to_string(),
        folder_id: "fld_bank".to_string(),
        body: DocumentAddBankStatementParts {
            title: "March statement".to_string(),
            issued_on: None,
            tags: Vec::new(),
            file: Some(file(b"%PDF statement", "march.pdf", "application/pdf")),
        },
    };
    client.document_add_bank_statement(&statement).await.unwrap();
    assert_eq!(recorder.last(), Some(Seen::BankStatement(statement)));

    // Two `$ref` members, one part sent as JSON as its `encoding` says; then no body.
    let profile = ProfileModifyRequest {
        body: Some(ProfileModifyParts {
            display_name: Some("Ada L.".to_string()),
            locale: Some("fr-FR".to_string()),
            // The part is the `ProfileFields` schema's own inline type, not a copy.
            preferences: Some(ProfileFieldsPreferences {
                weekly_digest: Some(true),
                default_currency: Some("EUR".to_string()),
                extra: Default::default(),
            }),
            approval_delegates: Some(vec![ProfileFieldsApprovalDelegatesItem {
                email: "grace@ledgerline.example".to_string(),
                until: Some("2026-12-24".to_string()),
                extra: Default::default(),
            }]),
            avatar: Some(file(b"\x89PNG avatar", "me.png", "image/png")),
        }),
    };
    let reply = client.profile_modify(&profile).await.unwrap();
    let ProfileModifyResponse::Ok(now) = reply else {
        panic!("{reply:?}")
    };
    assert_eq!(now.display_name, "Ada L.");
    assert_eq!(recorder.last(), Some(Seen::Profile(profile)));
    let nothing = ProfileModifyRequest { body: None };
    client.profile_modify(&nothing).await.unwrap();
    assert_eq!(recorder.last(), Some(Seen::Profile(nothing)));
}
