//! A user of ours joins a room on a real Synapse and leaves it again, through the
//! generated clients, with our `X-Matrix` signatures and our keys served by the
//! generated key-API server over HTTPS.
//!
//! Synapse comes from a virtualenv that `.ci/run` makes (`target/synapse-venv`, or the
//! folder `SYNAPSE_VENV` names). Without it the test says so on stderr and stops;
//! under CI (`CI=true`) that is a failure. Synapse must be up within 60 s and the whole
//! test within 5 minutes; Synapse is stopped by its PID when the test ends, fails or
//! times out.
//!
//! Where Synapse and our definitions disagree, it is written beside the assertion.

use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::sync::Arc;
use std::time::{Duration, Instant};

use percent_encoding::{NON_ALPHANUMERIC, utf8_percent_encode};
use ruma_common::CanonicalJsonObject;
use ruma_common::room_version_rules::RoomVersionRules;
use ruma_signatures::Ed25519KeyPair;
use serde_json::{Value, json};

/// The seed of our server's ed25519 key, and the key's version.
const SEED: [u8; 32] = *b"synapse interop test server key!";
const OTHER_SEED: [u8; 32] = *b"not the key that we publish, no!";
const SYNAPSE_SEED: [u8; 32] = *b"the seed of Synapse's own key...";
const KEY_VERSION: &str = "interop1";
const SHARED_SECRET: &str = "registration secret of the interop test";
const STARTUP: Duration = Duration::from_secs(60);
const WHOLE_TEST: Duration = Duration::from_secs(300);

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_user_of_ours_joins_and_leaves_a_room_on_synapse() {
    let Some(venv) = synapse_venv() else { return };
    // The workspace's reqwest is built without a TLS provider of its own (the generated
    // crates install ring when they make a client); this test makes clients first.
    let _ = rustls::crypto::ring::default_provider().install_default();
    let started = Instant::now();
    let work = Path::new(env!("CARGO_TARGET_TMPDIR")).join("synapse-interop");
    let _ = std::fs::remove_dir_all(&work);
    std::fs::create_dir_all(&work).expect("a work folder");
    let synapse_port = free_port();
    let synapse = Synapse::start(&venv, &work, synapse_port).await;
    let outcome = tokio::time::timeout(WHOLE_TEST, scenario(&venv, &synapse)).await;
    let log = synapse.log_tail();
    drop(synapse);
    match outcome {
        Ok(()) => eprintln!("synapse-interop: passed in {:.1} s", started.elapsed().as_secs_f64()),
        Err(_) => panic!("the test took over {WHOLE_TEST:?}; Synapse's log ends:\n{log}"),
    }
}

/// The scenario, once Synapse answers.
async fn scenario(venv: &Path, synapse: &Synapse) {
    let ours = Ours::start().await;
    let cs = ClientServer::new(synapse).await;
    cs.register(venv, "alice").await;
    let token = cs.login("alice").await;
    // Two room versions: the seed's client leaves a version 10 room (room IDs with a
    // server name, events by reference hash), today's a room of Synapse's default
    // version (12 in Synapse 1.163: room IDs are the create event's hash).
    let old_room = cs.create_public_room(&token, Some("10")).await;
    let room_id = cs.create_public_room(&token, None).await;

    // The first user joins through make_join v1 + send_join v2, and leaves through the
    // seed's make_leave v1 + send_leave v1.
    let first = format!("@first-user:{}", ours.name);
    join(&ours, synapse, &old_room, &first).await;
    assert_eq!(cs.membership(&token, &old_room, &first).await, "join");
    leave_with_the_seed_s_client(&ours, synapse, &old_room, &first).await;
    assert_eq!(cs.membership(&token, &old_room, &first).await, "leave");

    // The second joins the same way and leaves through today's make_leave v1 +
    // send_leave v2.
    let second = format!("@second-user:{}", ours.name);
    join(&ours, synapse, &room_id, &second).await;
    assert_eq!(cs.membership(&token, &room_id, &second).await, "join");
    leave_with_today_s_client(&ours, synapse, &room_id, &second).await;
    assert_eq!(cs.membership(&token, &room_id, &second).await, "leave");

    make_leave_for_a_stranger_is_the_typed_403(&ours, synapse, &room_id).await;
    synapse_s_keys_through_the_generated_client_and_the_fetching_store(synapse).await;
    a_bad_signature_is_synapse_s_401_kept_as_undocumented(&ours, synapse, &room_id).await;
}

/// The venv's folder, or `None` after saying loudly why the test does not run.
fn synapse_venv() -> Option<PathBuf> {
    let venv = std::env::var_os("SYNAPSE_VENV")
        .map(PathBuf::from)
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("../../target/synapse-venv"));
    if venv.join("bin/python").exists() {
        return Some(venv);
    }
    let why = format!(
        "no Synapse virtualenv at {} (run .ci/run, or make one: python3 -m venv target/synapse-venv && \
         target/synapse-venv/bin/pip install matrix-synapse==1.163.2)",
        venv.display()
    );
    if std::env::var("CI").is_ok_and(|ci| ci == "true") {
        panic!("{why}");
    }
    // Written to the process's stderr, past the test harness's capture, so that a
    // skipped run is seen even when the test "passes".
    use std::io::Write as _;
    let _ = writeln!(
        std::io::stderr(),
        "\nSKIPPED a_user_of_ours_joins_and_leaves_a_room_on_synapse: {why}\n"
    );
    None
}

fn free_port() -> u16 {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("a free port");
    listener.local_addr().expect("an address").port()
}

/// A running Synapse; stopped by its PID when dropped, whatever happened.
struct Synapse {
    child: std::process::Child,
    name: String,
    base_url: String,
    log: PathBuf,
}

impl Synapse {
    async fn start(venv: &Path, work: &Path, port: u16) -> Synapse {
        let name = format!("127.0.0.1:{port}");
        let config = work.join("homeserver.yaml");
        std::fs::write(&config, synapse_config(work, &name, port)).expect("the config is written");
        let signing_key = format!(
            "ed25519 synapse1 {}\n",
            matrix_federation_join::x_matrix::encode_base64(&SYNAPSE_SEED)
        );
        std::fs::write(work.join("signing.key"), signing_key).expect("Synapse's key is written");
        let log = work.join("synapse.log");
        let output = std::fs::File::create(&log).expect("a log file");
        let child = std::process::Command::new(venv.join("bin/python"))
            .args(["-m", "synapse.app.homeserver", "--config-path"])
            .arg(&config)
            .current_dir(work)
            .stdin(Stdio::null())
            .stdout(output.try_clone().expect("the log file twice"))
            .stderr(output)
            .spawn()
            .expect("Synapse starts");
        let synapse = Synapse {
            child,
            name,
            base_url: format!("http://127.0.0.1:{port}"),
            log,
        };
        let mut synapse = synapse;
        let deadline = Instant::now() + STARTUP;
        let http = reqwest::Client::new();
        loop {
            let up = http
                .get(format!("{}/_matrix/client/versions", synapse.base_url))
                .send()
                .await
                .is_ok_and(|r| r.status().is_success());
            if up {
                return synapse;
            }
            if let Ok(Some(status)) = synapse.child.try_wait() {
                panic!("Synapse stopped ({status}); its log ends:\n{}", synapse.log_tail());
            }
            assert!(
                Instant::now() < deadline,
                "Synapse did not answer within {STARTUP:?}; its log ends:\n{}",
                synapse.log_tail()
            );
            tokio::time::sleep(Duration::from_millis(250)).await;
        }
    }

    fn log_tail(&self) -> String {
        let log = std::fs::read_to_string(&self.log).unwrap_or_default();
        let lines: Vec<&str> = log.lines().collect();
        lines[lines.len().saturating_sub(40)..].join("\n")
    }
}

impl Drop for Synapse {
    fn drop(&mut self) {
        // Child::kill sends SIGKILL to this PID only.
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Synapse's settings: its name is `127.0.0.1:PORT`, SQLite, registration by shared
/// secret only, our self-signed certificate accepted, and 127.0.0.1 allowed as a
/// federation peer (Synapse refuses private addresses by default). Keys are fetched
/// from their servers, not from matrix.org.
fn synapse_config(work: &Path, name: &str, port: u16) -> String {
    let work = work.display();
    let blocklist = blocklist_but_127_0_0_1().join(", ");
    format!(
        r#"server_name: "{name}"
pid_file: "{work}/homeserver.pid"
signing_key_path: "{work}/signing.key"
media_store_path: "{work}/media"
report_stats: false
listeners:
  - port: {port}
    type: http
    tls: false
    bind_addresses: ["127.0.0.1"]
    x_forwarded: false
    resources:
      - names: [client, federation, keys]
        compress: false
database:
  name: sqlite3
  args:
    database: "{work}/homeserver.db"
enable_registration: false
registration_shared_secret: "{SHARED_SECRET}"
macaroon_secret_key: "macaroon secret of the interop test"
form_secret: "form secret of the interop test"
federation_verify_certificates: false
ip_range_whitelist: ["127.0.0.1"]
ip_range_blacklist: [{blocklist}]
trusted_key_servers: []
suppress_key_server_warning: true
presence:
  enabled: false
rc_message:
  per_second: 1000
  burst_count: 1000
rc_joins:
  local:
    per_second: 1000
    burst_count: 1000
  remote:
    per_second: 1000
    burst_count: 1000
rc_login:
  address:
    per_second: 1000
    burst_count: 1000
  account:
    per_second: 1000
    burst_count: 1000
"#
    )
}

/// Synapse's default `ip_range_blacklist` with 127.0.0.1 taken out of 127.0.0.0/8.
///
/// `ip_range_whitelist` alone is not enough: Synapse 1.163 checks a server name that is
/// an IP literal against the blocklist only (its `BlocklistingAgentWrapper` is not given
/// the allowlist), so `127.0.0.1:PORT` stays blocked whatever the allowlist says.
fn blocklist_but_127_0_0_1() -> Vec<String> {
    // 127.0.0.0/8 without 127.0.0.1: 127.0.0.0/32, then 127.0.0.2/31, 127.0.0.4/30, …,
    // 127.128.0.0/9.
    let mut ranges = vec!["\"127.0.0.0/32\"".to_string()];
    for bits in 1..24u32 {
        let start: u32 = (127 << 24) | (1 << bits);
        let [a, b, c, d] = start.to_be_bytes();
        ranges.push(format!("\"{a}.{b}.{c}.{d}/{}\"", 32 - bits));
    }
    let others = [
        "10.0.0.0/8",
        "172.16.0.0/12",
        "192.168.0.0/16",
        "100.64.0.0/10",
        "192.0.0.0/24",
        "169.254.0.0/16",
        "192.88.99.0/24",
        "198.18.0.0/15",
        "192.0.2.0/24",
        "198.51.100.0/24",
        "203.0.113.0/24",
        "224.0.0.0/4",
        "::1/128",
        "fe80::/10",
        "fc00::/7",
        "2001:db8::/32",
        "ff00::/8",
        "fec0::/10",
    ];
    ranges.extend(others.iter().map(|range| format!("\"{range}\"")));
    ranges
}

/// Our server: named `127.0.0.1:PORT`, publishing its key through the generated key-API
/// server over HTTPS with a certificate made here.
struct Ours {
    name: String,
    key_pair: Ed25519KeyPair,
}

impl Ours {
    async fn start() -> Ours {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("a free port");
        let address = listener.local_addr().expect("an address");
        let name = address.to_string();
        let key = matrix_federation_join::x_matrix::ServerKey::from_seed(&name, KEY_VERSION, &SEED);
        let router = matrix_server_keys::server::router(KeyServer { key });
        tokio::spawn(serve_https(listener, router));
        let key_pair = Ed25519KeyPair::from_der(&pkcs8(&SEED), KEY_VERSION.into()).expect("ruma takes the seed");
        Ours { name, key_pair }
    }

    fn join_client(&self, synapse: &Synapse) -> matrix_federation_join::client::Client {
        use matrix_federation_join::client::{Client, ClientSettings};
        use matrix_federation_join::x_matrix::{ServerKey, XMatrixSigner};
        let signer = XMatrixSigner::new(ServerKey::from_seed(&self.name, KEY_VERSION, &SEED));
        let settings = ClientSettings::default().destination(&synapse.name).authorizer(signer);
        Client::with_settings(&synapse.base_url, settings).expect("a client")
    }

    fn seed_client(&self, synapse: &Synapse) -> matrix_federation_leave::client::Client {
        use matrix_federation_leave::client::{Client, ClientSettings};
        use matrix_federation_leave::x_matrix::{ServerKey, XMatrixSigner};
        let signer = XMatrixSigner::new(ServerKey::from_seed(&self.name, KEY_VERSION, &SEED));
        let settings = ClientSettings::default().destination(&synapse.name).authorizer(signer);
        Client::with_settings(&synapse.base_url, settings).expect("a client")
    }

    fn current_client(&self, synapse: &Synapse, seed: &[u8; 32]) -> matrix_federation_leave_current::client::Client {
        use matrix_federation_leave_current::client::{Client, ClientSettings};
        use matrix_federation_leave_current::x_matrix::{ServerKey, XMatrixSigner};
        let signer = XMatrixSigner::new(ServerKey::from_seed(&self.name, KEY_VERSION, seed));
        let settings = ClientSettings::default().destination(&synapse.name).authorizer(signer);
        Client::with_settings(&synapse.base_url, settings).expect("a client")
    }

    /// Completes an event template: hashed and signed by us as `room_version` says, and
    /// its event ID (from room version 3 on, the reference hash).
    fn sign_event(&self, template: Value, room_version: &str) -> (Value, String) {
        let rules = rules(room_version);
        let mut object: CanonicalJsonObject = serde_json::from_value(template).expect("a canonical JSON object");
        ruma_signatures::hash_and_sign_event(&self.name, &self.key_pair, &mut object, &rules.redaction)
            .expect("ruma hashes and signs the event");
        let event_id = match object.get("event_id") {
            Some(id) => id.as_str().expect("a string event ID").to_string(),
            None => format!(
                "${}",
                ruma_signatures::reference_hash(&object, &rules).expect("a reference hash")
            ),
        };
        (serde_json::to_value(&object).expect("JSON"), event_id)
    }
}

fn rules(room_version: &str) -> RoomVersionRules {
    ruma_common::RoomVersionId::try_from(room_version)
        .expect("a room version")
        .rules()
        .expect("ruma knows the room version")
}

/// A PKCS#8 v1 document holding an ed25519 seed, as ruma's `Ed25519KeyPair::from_der` reads.
fn pkcs8(seed: &[u8; 32]) -> Vec<u8> {
    let mut der = vec![
        0x30, 0x2e, 0x02, 0x01, 0x00, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x70, 0x04, 0x22, 0x04, 0x20,
    ];
    der.extend_from_slice(seed);
    der
}

/// `GET /_matrix/key/v2/server` through the generated key-API server: our key, valid for
/// an hour, signed by itself.
struct KeyServer {
    key: matrix_federation_join::x_matrix::ServerKey,
}

impl matrix_server_keys::server::MatrixServerKeysApi for KeyServer {
    async fn get_server_keys(
        &self,
        _request: matrix_server_keys::types::GetServerKeysRequest,
    ) -> matrix_server_keys::types::GetServerKeysResponse {
        let now = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .expect("after 1970")
            .as_millis() as u64;
        let mut document = json!({
            "server_name": self.key.server_name(),
            "valid_until_ts": now + 3_600_000,
            "verify_keys": {self.key.key_id(): {"key": self.key.public_key_base64()}},
            "old_verify_keys": {},
        });
        self.key.sign_json(&mut document).expect("our key document signs");
        let keys = serde_json::from_value(document).expect("the document is the generated type");
        matrix_server_keys::types::GetServerKeysResponse::Ok(keys)
    }
}

/// Serves `router` over HTTPS with a self-signed certificate for 127.0.0.1.
async fn serve_https(listener: tokio::net::TcpListener, router: axum::Router) {
    let certified = rcgen::generate_simple_self_signed(vec!["127.0.0.1".to_string()]).expect("a certificate");
    let cert = certified.cert.der().clone();
    let key = rustls::pki_types::PrivateKeyDer::Pkcs8(certified.signing_key.serialize_der().into());
    let config = rustls::ServerConfig::builder_with_provider(Arc::new(rustls::crypto::ring::default_provider()))
        .with_safe_default_protocol_versions()
        .expect("TLS versions")
        .with_no_client_auth()
        .with_single_cert(vec![cert], key)
        .expect("a TLS configuration");
    let acceptor = tokio_rustls::TlsAcceptor::from(Arc::new(config));
    loop {
        let Ok((stream, _)) = listener.accept().await else {
            continue;
        };
        let acceptor = acceptor.clone();
        let router = router.clone();
        tokio::spawn(async move {
            let Ok(tls) = acceptor.accept(stream).await else { return };
            let service = hyper_util::service::TowerToHyperService::new(router);
            let _ = hyper::server::conn::http1::Builder::new()
                .serve_connection(hyper_util::rt::TokioIo::new(tls), service)
                .await;
        });
    }
}

/// The room versions ruma can hash and sign, offered to make_join.
fn supported_versions() -> Vec<String> {
    ["1", "2", "3", "4", "5", "6", "7", "8", "9", "10", "11", "12"]
        .into_iter()
        .filter(|v| ruma_common::RoomVersionId::try_from(*v).is_ok_and(|id| id.rules().is_some()))
        .map(String::from)
        .collect()
}

/// make_join v1 then send_join v2, through the generated join client.
async fn join(ours: &Ours, synapse: &Synapse, room_id: &str, user_id: &str) {
    use matrix_federation_join::types::{MakeJoinRequest, MakeJoinResponse, SendJoinRequest, SendJoinResponse};
    let client = ours.join_client(synapse);
    let answer = match client
        .make_join(&MakeJoinRequest {
            room_id: room_id.into(),
            user_id: user_id.into(),
            ver: Some(supported_versions()),
        })
        .await
    {
        Ok(MakeJoinResponse::Ok(answer)) => answer,
        other => panic!("make_join: {other:?}"),
    };
    let room_version = answer.room_version.clone().expect("Synapse names the room version");
    // Synapse's template carries what the room version needs beyond the members every
    // version has: kept as unknown members.
    for member in ["room_id", "auth_events", "prev_events", "depth"] {
        assert!(
            answer.event.extra.contains_key(member),
            "the template keeps `{member}`: {answer:?}"
        );
    }
    let template = serde_json::to_value(&answer.event).expect("the template writes back");
    let (event, event_id) = ours.sign_event(template, &room_version);
    let body = serde_json::from_value(event).expect("the join event is the generated type");
    let answer = match client
        .send_join(&SendJoinRequest {
            room_id: room_id.into(),
            event_id,
            omit_members: false,
            body,
        })
        .await
    {
        Ok(SendJoinResponse::Ok(answer)) => answer,
        other => panic!("send_join: {other:?}"),
    };
    // Disagreement: the specification requires `origin` here; Synapse 1.163 leaves it out
    // (our definition makes it optional). It sends the join event back in `event` even
    // for a room that is not restricted, and `members_omitted: false`.
    assert_eq!(answer.origin, None);
    assert_eq!(answer.members_omitted, Some(false));
    assert!(
        answer.state.iter().any(|event| event.r#type == "m.room.create"),
        "the state has the room's create event"
    );
    // Events keep the members our definition does not name (their hashes depend on them).
    assert!(
        answer
            .auth_chain
            .iter()
            .all(|event| event.extra.contains_key("auth_events"))
    );
    assert!(
        answer
            .state
            .iter()
            .all(|event| event.hashes.is_some() && event.signatures.is_some())
    );
}

/// make_leave v1 then send_leave v1, through the seed's client.
async fn leave_with_the_seed_s_client(ours: &Ours, synapse: &Synapse, room_id: &str, user_id: &str) {
    use matrix_federation_leave::client::ClientError;
    use matrix_federation_leave::types::{MakeLeaveRequest, SendLeaveRequest, SendLeaveResponse};
    let client = ours.seed_client(synapse);
    // Disagreement: the seed's definition requires `origin` in the template, as the
    // specification does; Synapse 1.163 never sends it (in any room version). The seed's
    // client reports that as an invalid body and keeps the body, from which the
    // template is taken.
    let answer: Value = match client
        .make_leave(&MakeLeaveRequest {
            room_id: room_id.into(),
            user_id: user_id.into(),
        })
        .await
    {
        Err(error @ ClientError::InvalidBody { .. }) => {
            assert!(error.to_string().contains("missing field `origin`"), "{error}");
            let received = error.received().expect("the body is kept");
            assert_eq!(received.status, 200);
            serde_json::from_slice(&received.body).expect("JSON")
        }
        other => panic!("make_leave (seed): {other:?}"),
    };
    assert_eq!(
        answer["event"].get("origin"),
        None,
        "Synapse now sends `origin`: {answer}"
    );
    let room_version = answer["room_version"].as_str().expect("Synapse names the room version");
    // The seed's event type requires `origin` too; room version 10 events may carry it
    // (it left the event format in version 11), so the leaving server names itself.
    let mut template = answer["event"].clone();
    template["origin"] = json!(ours.name);
    let (event, event_id) = ours.sign_event(template, room_version);
    let body = serde_json::from_value(event).expect("the leave event is the seed's type");
    match client
        .send_leave(&SendLeaveRequest {
            room_id: room_id.into(),
            event_id,
            body,
        })
        .await
    {
        Ok(SendLeaveResponse::Ok(answer)) => assert_eq!(answer.0, 200),
        other => panic!("send_leave v1 (seed): {other:?}"),
    }
}

/// make_leave v1 then send_leave v2, through today's client.
async fn leave_with_today_s_client(ours: &Ours, synapse: &Synapse, room_id: &str, user_id: &str) {
    use matrix_federation_leave_current::types::{
        LeaveMembershipMembership, MakeLeaveRequest, MakeLeaveResponse, SendLeaveV2Request, SendLeaveV2Response,
    };
    let client = ours.current_client(synapse, &SEED);
    let answer = match client
        .make_leave(&MakeLeaveRequest {
            room_id: room_id.into(),
            user_id: user_id.into(),
        })
        .await
    {
        Ok(MakeLeaveResponse::Ok(answer)) => answer,
        other => panic!("make_leave (current): {other:?}"),
    };
    assert_eq!(answer.event.content.membership, LeaveMembershipMembership::Leave);
    assert!(answer.event.extra.contains_key("prev_events"), "{answer:?}");
    let room_version = answer.room_version.clone().expect("Synapse names the room version");
    let template = serde_json::to_value(&answer.event).expect("JSON");
    let (event, event_id) = ours.sign_event(template, &room_version);
    let body = serde_json::from_value(event).expect("the leave event is today's type");
    match client
        .send_leave_v2(&SendLeaveV2Request {
            room_id: room_id.into(),
            event_id,
            body,
        })
        .await
    {
        Ok(SendLeaveV2Response::Ok(_)) => {}
        other => panic!("send_leave v2 (current): {other:?}"),
    }
}

/// A user of ours who never joined: Synapse refuses the template with a 403, which the
/// definition documents, so it is the typed variant.
async fn make_leave_for_a_stranger_is_the_typed_403(ours: &Ours, synapse: &Synapse, room_id: &str) {
    use matrix_federation_leave_current::types::{MakeLeaveRequest, MakeLeaveResponse};
    let client = ours.current_client(synapse, &SEED);
    let stranger = format!("@stranger:{}", ours.name);
    match client
        .make_leave(&MakeLeaveRequest {
            room_id: room_id.into(),
            user_id: stranger,
        })
        .await
    {
        Ok(MakeLeaveResponse::Forbidden(error)) => assert_eq!(error.errcode, "M_FORBIDDEN", "{error:?}"),
        other => panic!("make_leave for a stranger: {other:?}"),
    }
}

/// Signed with a key that is not the one we publish: Synapse answers 401, which the
/// definition does not document, so the client reports it with the body kept.
async fn a_bad_signature_is_synapse_s_401_kept_as_undocumented(ours: &Ours, synapse: &Synapse, room_id: &str) {
    use matrix_federation_leave_current::client::ClientError;
    use matrix_federation_leave_current::types::MakeLeaveRequest;
    let client = ours.current_client(synapse, &OTHER_SEED);
    let result = client
        .make_leave(&MakeLeaveRequest {
            room_id: room_id.into(),
            user_id: format!("@first-user:{}", ours.name),
        })
        .await;
    match result {
        Err(ClientError::UndocumentedStatus { received, .. }) => {
            assert_eq!(received.status, 401);
            let body: Value = serde_json::from_slice(&received.body).expect("Synapse's error body is kept");
            assert_eq!(body["errcode"], "M_UNAUTHORIZED", "{body}");
        }
        other => panic!("a bad signature: {other:?}"),
    }
}

/// Synapse's `/_matrix/key/v2/server`: read by the generated key-API client (unknown
/// members kept), and by the `x-matrix` feature's fetching store, which checks that the
/// answer is Synapse's and self-signed, and caches it.
async fn synapse_s_keys_through_the_generated_client_and_the_fetching_store(synapse: &Synapse) {
    use matrix_federation_leave_current::x_matrix::{FetchingKeyStore, KeyStore, SigningKey};
    use matrix_server_keys::types::{GetServerKeysRequest, GetServerKeysResponse};
    let expected = SigningKey::from_bytes(&SYNAPSE_SEED).verifying_key();
    let client = matrix_server_keys::client::Client::new(&synapse.base_url).expect("a client");
    let GetServerKeysResponse::Ok(keys) = client
        .get_server_keys(&GetServerKeysRequest {})
        .await
        .expect("Synapse answers with its keys");
    assert_eq!(keys.server_name, synapse.name);
    let published = &keys.verify_keys["ed25519:synapse1"].key;
    assert_eq!(
        matrix_federation_leave_current::x_matrix::verifying_key_from_base64(published).expect("a key"),
        expected
    );
    assert!(keys.signatures.is_some_and(|s| s.contains_key(&synapse.name)));

    let base_url = synapse.base_url.clone();
    let store = FetchingKeyStore::new(reqwest::Client::new()).locate(move |_| base_url.clone());
    let key = store
        .key(&synapse.name, "ed25519:synapse1")
        .await
        .expect("the keys are fetched");
    assert_eq!(key, Some(expected));
    assert_eq!(
        store
            .key(&synapse.name, "ed25519:unknown")
            .await
            .expect("from the cache"),
        None
    );
    // Asked under another name, Synapse's answer names itself: refused.
    let error = store
        .key("impostor.example.org", "ed25519:synapse1")
        .await
        .expect_err("not the server asked");
    assert!(error.message().contains("impostor.example.org"), "{error}");
}

/// Synapse's client-server API, as its local user.
struct ClientServer {
    base_url: String,
    http: reqwest::Client,
}

impl ClientServer {
    async fn new(synapse: &Synapse) -> ClientServer {
        ClientServer {
            base_url: synapse.base_url.clone(),
            http: reqwest::Client::new(),
        }
    }

    /// Registers a local user with Synapse's own script, by the shared secret.
    async fn register(&self, venv: &Path, user: &str) {
        let status = tokio::process::Command::new(venv.join("bin/register_new_matrix_user"))
            .args([
                "--user",
                user,
                "--password",
                "interop-password",
                "--no-admin",
                "--shared-secret",
            ])
            .arg(SHARED_SECRET)
            .arg(&self.base_url)
            .stdin(Stdio::null())
            .kill_on_drop(true)
            .status()
            .await
            .expect("the registration script runs");
        assert!(status.success(), "registering {user}: {status}");
    }

    async fn call(&self, method: reqwest::Method, path: &str, token: Option<&str>, body: Option<Value>) -> Value {
        let mut request = self.http.request(method, format!("{}{path}", self.base_url));
        if let Some(token) = token {
            request = request.header("Authorization", format!("Bearer {token}"));
        }
        if let Some(body) = body {
            request = request
                .header("Content-Type", "application/json")
                .body(body.to_string());
        }
        let response = request.send().await.expect("Synapse answers");
        let status = response.status();
        let text = response.text().await.expect("a body");
        assert!(status.is_success(), "{path}: {status} {text}");
        serde_json::from_str(&text).expect("JSON")
    }

    async fn login(&self, user: &str) -> String {
        let body = json!({
            "type": "m.login.password",
            "identifier": {"type": "m.id.user", "user": user},
            "password": "interop-password",
        });
        let answer = self
            .call(reqwest::Method::POST, "/_matrix/client/v3/login", None, Some(body))
            .await;
        answer["access_token"].as_str().expect("an access token").to_string()
    }

    async fn create_public_room(&self, token: &str, room_version: Option<&str>) -> String {
        let mut body = json!({"preset": "public_chat", "visibility": "public", "name": "stubforge interop"});
        if let Some(version) = room_version {
            body["room_version"] = json!(version);
        }
        let answer = self
            .call(
                reqwest::Method::POST,
                "/_matrix/client/v3/createRoom",
                Some(token),
                Some(body),
            )
            .await;
        answer["room_id"].as_str().expect("a room ID").to_string()
    }

    /// The `membership` of `user_id`'s member event in the room's current state.
    async fn membership(&self, token: &str, room_id: &str, user_id: &str) -> String {
        let path = format!(
            "/_matrix/client/v3/rooms/{}/state/m.room.member/{}",
            utf8_percent_encode(room_id, NON_ALPHANUMERIC),
            utf8_percent_encode(user_id, NON_ALPHANUMERIC)
        );
        let content = self.call(reqwest::Method::GET, &path, Some(token), None).await;
        content["membership"].as_str().expect("a membership").to_string()
    }
}
