//! The leave API's models read and write real federation JSON without losing anything.

use matrix_federation_leave::types::{EventTemplate, MakeLeaveOkBody, SendLeaveBody, SendLeaveOkBody};
use serde_json::{Value, json};

/// A complete room-version-3 leave PDU as a resident server would template it: more
/// fields than the definition names.
fn full_pdu() -> Value {
    json!({
        "type": "m.room.member",
        "room_id": "!abc123:matrix.org",
        "sender": "@someone:example.org",
        "state_key": "@someone:example.org",
        "origin": "example.org",
        "origin_server_ts": 1549041175876_i64,
        "depth": 12,
        "content": {"membership": "leave", "reason": "bye"},
        "prev_events": ["$acR1l0raoZnm60CBwAVgqbZqoO/mYU81xysh1u7XcJk"],
        "auth_events": ["$create", "$power_levels"],
        "hashes": {"sha256": "abc"},
        "signatures": {"example.org": {"ed25519:1": "sig"}},
        "unsigned": {"age": 4}
    })
}

#[test]
fn event_template_keeps_every_field_of_a_full_pdu() {
    let template: EventTemplate = serde_json::from_value(full_pdu()).unwrap();
    assert_eq!(template.r#type, "m.room.member");
    assert_eq!(template.content.membership, "leave");
    assert_eq!(template.content.extra["reason"], "bye");
    assert_eq!(
        template.extra["prev_events"],
        json!(["$acR1l0raoZnm60CBwAVgqbZqoO/mYU81xysh1u7XcJk"])
    );
    assert_eq!(serde_json::to_value(&template).unwrap(), full_pdu());
}

#[test]
fn make_leave_response_keeps_unknown_members_at_every_level() {
    let body = json!({"room_version": "3", "event": full_pdu(), "future_field": [1, 2]});
    let read: MakeLeaveOkBody = serde_json::from_value(body.clone()).unwrap();
    assert_eq!(read.room_version.as_deref(), Some("3"));
    assert_eq!(serde_json::to_value(&read).unwrap(), body);
}

#[test]
fn send_leave_body_requires_what_the_definition_requires() {
    let mut pdu = full_pdu();
    let read: SendLeaveBody = serde_json::from_value(pdu.clone()).unwrap();
    assert_eq!(read.depth, 12);
    pdu.as_object_mut().unwrap().remove("content");
    let err = serde_json::from_value::<SendLeaveBody>(pdu).unwrap_err();
    assert!(err.to_string().contains("missing field `content`"), "{err}");
    let mut pdu = full_pdu();
    pdu["depth"] = json!("12");
    assert!(serde_json::from_value::<SendLeaveBody>(pdu).is_err());
}

#[test]
fn send_leave_tuple_reads_and_writes_exactly_200_and_an_object() {
    let read: SendLeaveOkBody = serde_json::from_str("[200, {}]").unwrap();
    assert_eq!(read.0, 200);
    assert_eq!(serde_json::to_string(&read).unwrap(), "[200,{}]");
    for wrong in ["[1]", "[200]", "[200, {}, 3]", "[\"200\", {}]", "[200, []]", "{}"] {
        assert!(
            serde_json::from_str::<SendLeaveOkBody>(wrong).is_err(),
            "accepted {wrong}"
        );
    }
}
