//! An in-memory implementation of the generated Matrix leave API: rooms with members,
//! `make_leave` hands out templates to members, `send_leave` records valid leaves.
//!
//! It is served by the generated router in `main.rs`, in this crate's tests and benchmark,
//! and it is meant to be reused by client tests.

use std::collections::{BTreeMap, BTreeSet, VecDeque};
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::{SystemTime, UNIX_EPOCH};

use matrix_federation_leave::server::{AuthRequest, MatrixFederationLeaveRoomApi, Rejection, ServerConfig, serve};
use matrix_federation_leave::types::{
    EmptyObject, Error, EventTemplate, MakeLeaveOkBody, MakeLeaveRequest, MakeLeaveResponse, MembershipEventContent,
    SendLeaveBody, SendLeaveOkBody, SendLeaveRequest, SendLeaveResponse,
};

/// One room: its version and who is in it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Room {
    pub version: String,
    pub members: BTreeSet<String>,
}

/// A leave event that was accepted.
#[derive(Debug, Clone, PartialEq)]
pub struct Leave {
    pub room_id: String,
    pub event_id: String,
    pub user_id: String,
    /// The server that sent it (the authenticated principal).
    pub origin: String,
}

/// Why a submitted leave was not recorded. The definition documents only `200` for
/// `send_leave`, so the server cannot answer with an error: it keeps the reason instead.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Refusal {
    pub event_id: String,
    pub reason: String,
}

/// How many accepted and refused leaves are kept: the oldest go first, so that a server
/// that runs for long holds bounded memory.
pub const KEPT_LEAVES: usize = 1000;

#[derive(Debug, Default)]
struct State {
    rooms: BTreeMap<String, Room>,
    leaves: VecDeque<Leave>,
    refusals: VecDeque<Refusal>,
}

/// Appends to a log that keeps its last [`KEPT_LEAVES`] entries.
fn keep_last<T>(log: &mut VecDeque<T>, entry: T) {
    if log.len() == KEPT_LEAVES {
        log.pop_front();
    }
    log.push_back(entry);
}

/// The in-memory leave API. Clones share the same rooms, so a test can keep one to look
/// at what the served one did.
#[derive(Debug, Clone)]
pub struct LeaveServer {
    server_name: String,
    state: Arc<Mutex<State>>,
}

impl LeaveServer {
    /// A server called `server_name` (it signs templates as their `origin`), with no rooms.
    pub fn new(server_name: impl Into<String>) -> Self {
        LeaveServer {
            server_name: server_name.into(),
            state: Arc::new(Mutex::new(State::default())),
        }
    }

    /// Adds a room with these members.
    pub fn with_room(self, room_id: &str, version: &str, members: &[&str]) -> Self {
        let room = Room {
            version: version.to_string(),
            members: members.iter().map(|m| m.to_string()).collect(),
        };
        self.lock().rooms.insert(room_id.to_string(), room);
        self
    }

    /// The demo server `main.rs` serves: `!abc123:matrix.org` with `@someone:example.org`.
    pub fn demo() -> Self {
        LeaveServer::new("matrix.org").with_room("!abc123:matrix.org", "2", &["@someone:example.org"])
    }

    /// The members of a room, if the room exists.
    pub fn members(&self, room_id: &str) -> Option<BTreeSet<String>> {
        self.lock().rooms.get(room_id).map(|room| room.members.clone())
    }

    /// The accepted leaves, in order (the last [`KEPT_LEAVES`]).
    pub fn leaves(&self) -> Vec<Leave> {
        self.lock().leaves.iter().cloned().collect()
    }

    /// The refused leaves, in order (the last [`KEPT_LEAVES`]).
    pub fn refusals(&self) -> Vec<Refusal> {
        self.lock().refusals.iter().cloned().collect()
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, State> {
        // A panic elsewhere cannot leave the maps half-written: every change is one insert
        // or remove, so the data is still sound after a poisoning.
        self.state.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// The `make_leave` logic, shared with the hand-written router of the benchmark.
    pub fn make_leave_template(&self, room_id: &str, user_id: &str) -> MakeLeaveResponse {
        let state = self.lock();
        let Some(room) = state.rooms.get(room_id).filter(|room| room.members.contains(user_id)) else {
            return MakeLeaveResponse::Forbidden(Error {
                error: Some("User is not in the room.".to_string()),
                ..Error::new("M_FORBIDDEN")
            });
        };
        let template = EventTemplate::builder()
            .sender(user_id)
            .origin(self.server_name.clone())
            .origin_server_ts(now_ms())
            .r#type("m.room.member")
            .state_key(user_id)
            .content(MembershipEventContent::new("leave"))
            .build()
            .expect("every member of the template is set");
        MakeLeaveResponse::Ok(MakeLeaveOkBody {
            room_version: Some(room.version.clone()),
            event: Some(template),
            ..MakeLeaveOkBody::default()
        })
    }

    /// The `send_leave` logic: checks the event and records the leave, or the refusal.
    pub fn accept_leave(
        &self,
        room_id: &str,
        event_id: &str,
        event: &SendLeaveBody,
        origin: &str,
    ) -> SendLeaveResponse {
        let mut state = self.lock();
        match check_leave(&state, room_id, event) {
            Ok(()) => {
                if let Some(room) = state.rooms.get_mut(room_id) {
                    room.members.remove(&event.state_key);
                }
                let leave = Leave {
                    room_id: room_id.to_string(),
                    event_id: event_id.to_string(),
                    user_id: event.state_key.clone(),
                    origin: origin.to_string(),
                };
                keep_last(&mut state.leaves, leave);
            }
            Err(reason) => {
                let refusal = Refusal {
                    event_id: event_id.to_string(),
                    reason: reason.to_string(),
                };
                keep_last(&mut state.refusals, refusal);
            }
        }
        SendLeaveResponse::Ok(SendLeaveOkBody(200, EmptyObject::default()))
    }
}

fn check_leave(state: &State, room_id: &str, event: &SendLeaveBody) -> Result<(), &'static str> {
    if event.r#type != "m.room.member" {
        return Err("the event is not an m.room.member event");
    }
    if event.state_key != event.sender {
        return Err("state_key and sender differ");
    }
    if event.content.membership != "leave" {
        return Err("content.membership is not leave");
    }
    let room = state.rooms.get(room_id).ok_or("the room is not known here")?;
    if !room.members.contains(&event.sender) {
        return Err("the sender is not in the room");
    }
    Ok(())
}

fn now_ms() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_millis()).unwrap_or(i64::MAX))
}

/// The parts of an `Authorization: X-Matrix …` header.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct XMatrix {
    pub origin: String,
    pub destination: Option<String>,
    pub key: Option<String>,
    pub sig: Option<String>,
}

/// Parses `X-Matrix origin=a,destination=b,key="ed25519:1",sig="…"`; `None` when the
/// scheme is not `X-Matrix` or `origin` is missing.
pub fn parse_x_matrix(credential: &str) -> Option<XMatrix> {
    let (scheme, params) = credential.trim().split_once(' ')?;
    if !scheme.eq_ignore_ascii_case("X-Matrix") {
        return None;
    }
    let mut parsed = XMatrix::default();
    for param in params.split(',') {
        let (name, value) = param.trim().split_once('=')?;
        let value = value.trim().trim_matches('"').to_string();
        match name.trim() {
            "origin" => parsed.origin = value,
            "destination" => parsed.destination = Some(value),
            "key" => parsed.key = Some(value),
            "sig" => parsed.sig = Some(value),
            _ => {}
        }
    }
    (!parsed.origin.is_empty()).then_some(parsed)
}

/// Trusts any `X-Matrix` header and takes its `origin` as the principal. Enough for a demo
/// and for tests; a real server verifies the signature (see the trait's documentation).
pub fn trust_x_matrix_origin(request: &AuthRequest<'_>) -> Result<String, Rejection> {
    parse_x_matrix(request.credential)
        .map(|x| x.origin)
        .ok_or_else(|| Rejection::unauthorized("Expected an `X-Matrix origin=…` authorization header."))
}

impl MatrixFederationLeaveRoomApi for LeaveServer {
    type Principal = String;

    async fn authenticate(&self, request: AuthRequest<'_>) -> Result<String, Rejection> {
        trust_x_matrix_origin(&request)
    }

    async fn make_leave(&self, request: MakeLeaveRequest, _origin: String) -> MakeLeaveResponse {
        self.make_leave_template(&request.room_id, &request.user_id)
    }

    async fn send_leave(&self, request: SendLeaveRequest, origin: String) -> SendLeaveResponse {
        self.accept_leave(&request.room_id, &request.event_id, &request.body, &origin)
    }
}

/// Serves `app` on 127.0.0.1 at a free port, in the background, with the generated
/// `serve` and the default settings; returns the address.
pub async fn spawn_loopback(app: axum::Router) -> std::io::Result<SocketAddr> {
    let listener = tokio::net::TcpListener::bind(("127.0.0.1", 0)).await?;
    let addr = listener.local_addr()?;
    tokio::spawn(async move {
        // The server lives as long as the runtime; an error here ends only this server.
        let _ = serve(listener, app, &ServerConfig::default(), std::future::pending()).await;
    });
    Ok(addr)
}
