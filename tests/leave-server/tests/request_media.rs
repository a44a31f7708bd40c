//! Request bodies beyond JSON, through the crate generated from
//! tests/corpus/file-storage-uploads.yaml. The generated client talks to the generated
//! server over 127.0.0.1 with every request media type the definition declares: a form,
//! multipart with file parts, raw bytes, text, XML kept as text, and bodies that choose
//! among several media types. The server records the request it was handed, and each test
//! compares it with the one the client sent. Every call is signed over its body bytes,
//! and the server checks that signature over the bytes it received.

use std::net::SocketAddr;
use std::sync::{Arc, Mutex};

use file_storage::client::{AuthRequest as ClientAuthRequest, Client, ClientSettings};
use file_storage::server::{AuthRequest, DriftboxStorage, Rejection, router};
use file_storage::types::*;
use tokio::io::{AsyncReadExt, AsyncWriteExt};

/// What each handler was given, in arrival order.
#[derive(Debug, Clone, PartialEq)]
enum Seen {
    Token(IssueTokenRequest),
    CreateFolder(CreateFolderRequest),
    UpdateFolder(UpdateFolderRequest),
    Upload(UploadFileRequest),
    Content(ReplaceFileContentRequest),
    Note(AddNoteRequest),
    Import(ImportArchiveRequest),
    Manifest(SubmitManifestRequest),
}

#[derive(Clone, Default)]
struct Recorder {
    seen: Arc<Mutex<Vec<Seen>>>,
}

impl Recorder {
    fn record(&self, seen: Seen) {
        self.seen.lock().unwrap().push(seen);
    }

    fn last(&self) -> Seen {
        self.seen.lock().unwrap().last().cloned().expect("the handler ran")
    }
}

/// A digest of the body bytes, standing in for a request signature (FNV-1a, 64 bits).
fn digest(body: &[u8]) -> String {
    let hash = body.iter().fold(0xcbf2_9ce4_8422_2325_u64, |hash, byte| {
        (hash ^ u64::from(*byte)).wrapping_mul(0x100_0000_01b3)
    });
    format!("Bearer {hash:016x}-{}", body.len())
}

fn folder(id: &str, name: &str) -> Folder {
    Folder {
        id: id.to_string(),
        name: name.to_string(),
        parent_id: None,
        color: None,
        created_at: "2026-11-29T20:00:00Z".to_string(),
        item_count: None,
        extra: Default::default(),
    }
}

fn stored(name: &str, size: usize, content_type: &str) -> StoredFile {
    StoredFile {
        id: "fil_1".to_string(),
        folder_id: None,
        name: name.to_string(),
        size: size as i64,
        content_type: content_type.to_string(),
        sha256: None,
        tags: None,
        metadata: None,
        thumbnails: None,
        visibility: None,
        extra: Default::default(),
    }
}

fn job(received: usize, content_type: Option<String>) -> ImportJob {
    ImportJob {
        id: "imp_1".to_string(),
        state: ImportJobState::Queued,
        received_bytes: Some(received as i64),
        content_type,
        extra: Default::default(),
    }
}

impl DriftboxStorage for Recorder {
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

    async fn issue_token(&self, request: IssueTokenRequest) -> IssueTokenResponse {
        self.record(Seen::Token(request.clone()));
        IssueTokenResponse::Ok(Token {
            access_token: format!("tok-{}", request.body.username),
            token_type: "Bearer".to_string(),
            expires_in: 3600,
            refresh_token: None,
            scope: request.body.scope.map(|scope| scope.join(" ")),
            extra: Default::default(),
        })
    }

    async fn create_folder(&self, request: CreateFolderRequest, _: ()) -> CreateFolderResponse {
        self.record(Seen::CreateFolder(request.clone()));
        let (how, name) = match request.body {
            CreateFolderRequestBody::Json(body) => ("json", body.name),
            CreateFolderRequestBody::Form(body) => ("form", body.name),
        };
        CreateFolderResponse::Created(folder(how, &name))
    }

    async fn get_folder(&self, request: GetFolderRequest, _: ()) -> GetFolderResponse {
        GetFolderResponse::Ok(folder(&request.folder_id, "Inbox"))
    }

    async fn update_folder(&self, request: UpdateFolderRequest, _: ()) -> UpdateFolderResponse {
        self.record(Seen::UpdateFolder(request.clone()));
        let how = match &request.body {
            UpdateFolderRequestBody::MergePatchJson(_) => "merge",
            UpdateFolderRequestBody::JsonPatchJson(_) => "json-patch",
        };
        UpdateFolderResponse::Ok(folder(how, "Renamed"))
    }

    async fn upload_file(&self, request: UploadFileRequest, _: ()) -> UploadFileResponse {
        self.record(Seen::Upload(request.clone()));
        let file = &request.body.file;
        UploadFileResponse::Created(stored(
            file.filename.as_deref().unwrap_or(""),
            file.bytes.len(),
            file.content_type.as_deref().unwrap_or(""),
        ))
    }

    async fn get_file(&self, request: GetFileRequest, _: ()) -> GetFileResponse {
        GetFileResponse::Ok(stored(&request.file_id, 0, "application/octet-stream"))
    }

    async fn delete_file(&self, _request: DeleteFileRequest, _: ()) -> DeleteFileResponse {
        DeleteFileResponse::NoContent
    }

    async fn replace_file_content(&self, request: ReplaceFileContentRequest, _: ()) -> ReplaceFileContentResponse {
        self.record(Seen::Content(request.clone()));
        ReplaceFileContentResponse::Ok(stored(
            &request.file_id,
            request.body.bytes.len(),
            &request.body.content_type,
        ))
    }

    async fn add_note(&self, request: AddNoteRequest, _: ()) -> AddNoteResponse {
        self.record(Seen::Note(request.clone()));
        let (text, format) = match request.body {
            AddNoteRequestBody::Text(body) => (body.text, body.content_type),
            AddNoteRequestBody::Json(body) => (body.text, "json".to_string()),
        };
        AddNoteResponse::Created(Note {
            id: "not_1".to_string(),
            text,
            format,
            extra: Default::default(),
        })
    }

    async fn import_archive(&self, request: ImportArchiveRequest, _: ()) -> ImportArchiveResponse {
        self.record(Seen::Import(request.clone()));
        let body = request.body.as_ref();
        ImportArchiveResponse::Accepted(job(
            body.map_or(0, |b| b.bytes.len()),
            body.map(|b| b.content_type.clone()),
        ))
    }

    async fn submit_manifest(&self, request: SubmitManifestRequest, _: ()) -> SubmitManifestResponse {
        self.record(Seen::Manifest(request.clone()));
        SubmitManifestResponse::Accepted(job(request.body.text.len(), Some(request.body.content_type)))
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

/// Sends `request` as written and returns the status line and body.
async fn raw(addr: SocketAddr, request: String) -> (String, String) {
    let mut stream = tokio::net::TcpStream::connect(addr).await.unwrap();
    stream.write_all(request.as_bytes()).await.unwrap();
    let mut reply = String::new();
    stream.read_to_string(&mut reply).await.unwrap();
    let status = reply.lines().next().unwrap_or("").to_string();
    let body = reply
        .split_once("\r\n\r\n")
        .map(|(_, body)| body.to_string())
        .unwrap_or_default();
    (status, body)
}

fn post(path: &str, content_type: &str, body: &str, credential: bool) -> String {
    let auth = if credential {
        format!("Authorization: {}\r\n", digest(body.as_bytes()))
    } else {
        String::new()
    };
    format!(
        "POST {path} HTTP/1.1\r\nHost: x\r\nConnection: close\r\nContent-Type: {content_type}\r\n{auth}Content-Length: {}\r\n\r\n{body}",
        body.len()
    )
}

#[tokio::test]
async fn a_form_body_round_trips_with_arrays_as_repeated_keys() {
    let recorder = Recorder::default();
    let addr = serve(recorder.clone()).await;
    let request = IssueTokenRequest {
        body: IssueTokenBody {
            grant_type: IssueTokenBodyGrantType::Password,
            username: "ada@driftbox.example".to_string(),
            password: "p&ss=w rd+%".to_string(),
            scope: Some(vec!["files.read".to_string(), "files.write".to_string()]),
            remember_days: Some(30),
            trusted_device: Some(true),
            extra: Default::default(),
        },
    };
    let reply = client(addr).issue_token(&request).await.unwrap();
    let IssueTokenResponse::Ok(token) = reply else {
        panic!("{reply:?}")
    };
    assert_eq!(token.scope.as_deref(), Some("files.read files.write"));
    assert_eq!(recorder.last(), Seen::Token(request));
}

#[tokio::test]
async fn a_form_as_browsers_write_it_is_read_field_by_field() {
    let recorder = Recorder::default();
    let addr = serve(recorder.clone()).await;
    let form = "grant_type=password&username=grace+hopper&password=a%26b&scope=one&scope=two&remember_days=7";
    let (status, _) = raw(
        addr,
        post("/v2/auth/token", "application/x-www-form-urlencoded", form, false),
    )
    .await;
    assert!(status.contains(" 200 "), "{status}");
    let Seen::Token(seen) = recorder.last() else { panic!() };
    assert_eq!(seen.body.username, "grace hopper");
    assert_eq!(seen.body.password, "a&b");
    assert_eq!(seen.body.scope, Some(vec!["one".to_string(), "two".to_string()]));
    assert_eq!(seen.body.remember_days, Some(7));

    // A field that does not fit its type is a 400 naming it.
    let form = "grant_type=password&username=u&password=p&remember_days=soon";
    let (status, body) = raw(
        addr,
        post("/v2/auth/token", "application/x-www-form-urlencoded", form, false),
    )
    .await;
    assert!(status.contains(" 400 "), "{status}");
    assert!(body.contains("remember_days"), "{body}");
}

#[tokio::test]
async fn multipart_with_file_parts_round_trips() {
    let recorder = Recorder::default();
    let addr = serve(recorder.clone()).await;
    // Every byte value, and the text of a boundary the client might have picked.
    let mut bytes: Vec<u8> = (0..=255).collect();
    bytes.extend_from_slice(b"\r\n--stubforge-boundary-0\r\n");
    let request = UploadFileRequest {
        folder_id: "fld_0123456789ab".to_string(),
        if_none_match: Some("*".to_string()),
        body: UploadFileParts {
            file: FilePart {
                bytes: bytes.clone().into(),
                filename: Some("Quarterly \"final\" report.pdf".to_string()),
                content_type: Some("application/pdf".to_string()),
            },
            metadata: Some(FileMetadata {
                title: Some("Q3".to_string()),
                labels: Some([("team".to_string(), "finance".to_string())].into()),
                taken_at: None,
                extra: Default::default(),
            }),
            tags: vec!["finance".to_string(), "q3 2026".to_string()],
            overwrite: Some(false),
            chunk_size: Some(1 << 40),
            visibility: Some(Visibility::Team),
            thumbnails: vec![
                FilePart {
                    bytes: vec![0x89, b'P', b'N', b'G'].into(),
                    filename: Some("small.png".to_string()),
                    content_type: Some("image/png".to_string()),
                },
                FilePart {
                    bytes: vec![0xff, 0xd8, 0xff].into(),
                    filename: None,
                    content_type: Some("image/jpeg".to_string()),
                },
            ],
        },
    };
    let reply = client(addr).upload_file(&request).await.unwrap();
    let UploadFileResponse::Created(file) = reply else {
        panic!("{reply:?}")
    };
    assert_eq!(file.size, bytes.len() as i64);
    let Seen::Upload(seen) = recorder.last() else { panic!() };
    // The file name's quotes travel escaped as browsers escape them.
    assert_eq!(
        seen.body.file.filename.as_deref(),
        Some("Quarterly %22final%22 report.pdf")
    );
    let mut expected = request;
    expected.body.file.filename = seen.body.file.filename.clone();
    assert_eq!(seen, expected);
}

#[tokio::test]
async fn a_missing_required_part_is_a_400_naming_it() {
    let recorder = Recorder::default();
    let addr = serve(recorder.clone()).await;
    let body = "--b\r\nContent-Disposition: form-data; name=\"tags\"\r\n\r\nx\r\n--b--\r\n";
    let (status, reply) = raw(
        addr,
        post("/v2/folders/fld_1/files", "multipart/form-data; boundary=b", body, true),
    )
    .await;
    assert!(status.contains(" 400 "), "{status}");
    assert!(reply.contains("`file`"), "{reply}");
    assert!(recorder.seen.lock().unwrap().is_empty());
}

#[tokio::test]
async fn raw_bytes_arrive_with_their_content_type() {
    let recorder = Recorder::default();
    let addr = serve(recorder.clone()).await;
    for content_type in ["application/octet-stream", "image/png", "application/pdf"] {
        let request = ReplaceFileContentRequest {
            file_id: "fil_9".to_string(),
            content_md5: None,
            body: BinaryBody {
                content_type: content_type.to_string(),
                bytes: (0..=255u8).rev().collect::<Vec<u8>>().into(),
            },
        };
        let reply = client(addr).replace_file_content(&request).await.unwrap();
        let ReplaceFileContentResponse::Ok(file) = reply else {
            panic!("{reply:?}")
        };
        assert_eq!(file.content_type, content_type);
        assert_eq!(recorder.last(), Seen::Content(request));
    }
}

#[tokio::test]
async fn an_undeclared_media_type_is_415_with_the_error_body() {
    let addr = serve(Recorder::default()).await;
    let put = post("/v2/files/f/content", "text/plain", "hello", true).replacen("POST", "PUT", 1);
    let (status, body) = raw(addr, put).await;
    assert!(status.contains(" 415 "), "{status}");
    assert!(body.contains("application/octet-stream"), "{body}");
    assert!(body.contains(r#""status":415"#), "{body}");
    let (status, _) = raw(addr, post("/v2/folders", "text/csv", "name\nx", true)).await;
    assert!(status.contains(" 415 "), "{status}");
}

#[tokio::test]
async fn text_and_xml_bodies_are_text_with_their_content_type() {
    let recorder = Recorder::default();
    let addr = serve(recorder.clone()).await;
    let note = AddNoteRequest {
        file_id: "fil_2".to_string(),
        body: AddNoteRequestBody::Text(TextBody {
            content_type: "text/markdown; charset=utf-8".to_string(),
            text: "# Review\n\nLooks *good* — ship it.".to_string(),
        }),
    };
    let reply = client(addr).add_note(&note).await.unwrap();
    let AddNoteResponse::Created(created) = reply;
    assert_eq!(created.format, "text/markdown; charset=utf-8");
    assert_eq!(recorder.last(), Seen::Note(note));

    let manifest = SubmitManifestRequest {
        body: TextBody {
            content_type: "application/xml".to_string(),
            text: "<manifest><entry>a.txt</entry></manifest>".to_string(),
        },
    };
    client(addr).submit_manifest(&manifest).await.unwrap();
    assert_eq!(recorder.last(), Seen::Manifest(manifest));

    // Text that is not UTF-8 is a 400 (signed over the bytes sent, so it gets that far).
    let body = [b'o', b'k', 0xff];
    let head = format!(
        "POST /v2/files/f/notes HTTP/1.1\r\nHost: x\r\nConnection: close\r\nContent-Type: text/plain\r\nAuthorization: {}\r\nContent-Length: 3\r\n\r\n",
        digest(&body)
    );
    let mut stream = tokio::net::TcpStream::connect(addr).await.unwrap();
    stream.write_all(&[head.as_bytes(), &body].concat()).await.unwrap();
    let mut reply = String::new();
    stream.read_to_string(&mut reply).await.unwrap();
    assert!(reply.starts_with("HTTP/1.1 400"), "{reply}");
    assert!(reply.contains("UTF-8"), "{reply}");
}

#[tokio::test]
async fn the_request_chooses_among_several_media_types() {
    let recorder = Recorder::default();
    let addr = serve(recorder.clone()).await;
    let client = client(addr);
    let new_folder = NewFolder {
        name: "Tax 2026".to_string(),
        parent_id: Some("fld_root".to_string()),
        color: Some(NewFolderColor::Green),
        position: Some(3),
        extra: Default::default(),
    };
    for body in [
        CreateFolderRequestBody::Json(new_folder.clone()),
        CreateFolderRequestBody::Form(new_folder.clone()),
    ] {
        let request = CreateFolderRequest { body };
        let reply = client.create_folder(&request).await.unwrap();
        let CreateFolderResponse::Created(created) = reply else {
            panic!("{reply:?}")
        };
        let expected = match request.body {
            CreateFolderRequestBody::Json(_) => "json",
            CreateFolderRequestBody::Form(_) => "form",
        };
        assert_eq!(created.id, expected);
        assert_eq!(recorder.last(), Seen::CreateFolder(request));
    }

    // JSON types with different schemas are different variants.
    let merge = UpdateFolderRequest {
        folder_id: "fld_1".to_string(),
        body: UpdateFolderRequestBody::MergePatchJson(FolderPatch {
            name: Some("Renamed".to_string()),
            parent_id: Some(None),
            color: None,
            extra: Default::default(),
        }),
    };
    let patch = UpdateFolderRequest {
        folder_id: "fld_1".to_string(),
        body: UpdateFolderRequestBody::JsonPatchJson(vec![PatchOperation {
            op: PatchOperationOp::Replace,
            path: "/name".to_string(),
            from: None,
            value: Some(serde_json::json!("Renamed")),
            extra: Default::default(),
        }]),
    };
    for request in [merge, patch] {
        client.update_folder(&request).await.unwrap();
        assert_eq!(recorder.last(), Seen::UpdateFolder(request));
    }

    let json_note = AddNoteRequest {
        file_id: "fil_3".to_string(),
        body: AddNoteRequestBody::Json(NewNote {
            text: "call back".to_string(),
            color: Some(NewNoteColor::Mint),
            extra: Default::default(),
        }),
    };
    client.add_note(&json_note).await.unwrap();
    assert_eq!(recorder.last(), Seen::Note(json_note));

    // The charset-qualified JSON type is the JSON variant too.
    let body = r#"{"name":"Raw"}"#;
    let (status, _) = raw(addr, post("/v2/folders", "application/json; charset=utf-8", body, true)).await;
    assert!(status.contains(" 201 "), "{status}");
    let Seen::CreateFolder(CreateFolderRequest {
        body: CreateFolderRequestBody::Json(seen),
    }) = recorder.last()
    else {
        panic!("{:?}", recorder.last())
    };
    assert_eq!(seen.name, "Raw");
}

#[tokio::test]
async fn a_wildcard_body_takes_any_type_and_may_be_left_out() {
    let recorder = Recorder::default();
    let addr = serve(recorder.clone()).await;
    let client = client(addr);
    let request = ImportArchiveRequest {
        folder: "fld_1".to_string(),
        body: Some(BinaryBody {
            content_type: "application/zip".to_string(),
            bytes: b"PK\x03\x04 not really a zip".to_vec().into(),
        }),
    };
    let reply = client.import_archive(&request).await.unwrap();
    let ImportArchiveResponse::Accepted(job) = reply;
    assert_eq!(job.content_type.as_deref(), Some("application/zip"));
    assert_eq!(recorder.last(), Seen::Import(request));

    let without = ImportArchiveRequest {
        folder: "fld_1".to_string(),
        body: None,
    };
    client.import_archive(&without).await.unwrap();
    assert_eq!(recorder.last(), Seen::Import(without));

    // Without `Content-Type`, bytes are still taken: `*/*` says anything goes.
    let (status, reply) = raw(
        addr,
        format!(
            "POST /v2/imports?folder=f HTTP/1.1\r\nHost: x\r\nConnection: close\r\nAuthorization: {}\r\nContent-Length: 4\r\n\r\nabcd",
            digest(b"abcd")
        ),
    )
    .await;
    assert!(status.contains(" 202 "), "{status}");
    assert!(reply.contains("application/octet-stream"), "{reply}");
}
