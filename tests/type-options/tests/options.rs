//! Each per-type build option, proved on the generated room directory types.

use std::collections::HashSet;

use ruma_common::OwnedRoomId;
use serde_json::json;
use type_options::types::{
    GetPublicRoomsResponse, JoinRule, RoomAliasResolution, RoomDirectoryPage, RoomSummary, SetRoomAliasBody,
};

/// The generated file, to check what is not in it.
fn generated() -> String {
    std::fs::read_to_string(concat!(env!("OUT_DIR"), "/room_directory.rs")).expect("the build script wrote it")
}

#[test]
fn a_type_attribute_adds_derives_to_the_named_schema_only() {
    let summary: RoomSummary = serde_json::from_value(json!({
        "room_id": "!ol19s:bleecker.street",
        "num_joined_members": 37,
        "join_rule": "public",
    }))
    .unwrap();
    // `Eq` and `Hash` come from the option: a set of summaries.
    let mut seen = HashSet::new();
    assert!(seen.insert(summary.clone()));
    assert!(!seen.insert(summary), "an equal summary is the same set member");
    let text = generated();
    assert_eq!(text.matches("#[derive(Eq, Hash)]").count(), 1, "only on `RoomSummary`");
}

#[test]
fn a_mapped_schema_is_the_rust_type_wherever_it_is_referenced() {
    let resolution: RoomAliasResolution = serde_json::from_value(json!({
        "room_id": "!abnjk1jdasj98:capuchins.com",
        "servers": ["capuchins.com", "matrix.org"],
    }))
    .unwrap();
    let room_id: &OwnedRoomId = &resolution.room_id;
    assert_eq!(room_id.server_name().map(|s| s.as_str()), Some("capuchins.com"));
    // ruma's type checks what a `String` would take: a room ID needs its `!` sigil.
    let bad = serde_json::from_value::<RoomAliasResolution>(json!({
        "room_id": "abnjk1jdasj98:capuchins.com",
        "servers": [],
    }));
    assert!(bad.is_err(), "{bad:?}");
    // An inline request body refers to it too, and constructors take it.
    let body = SetRoomAliasBody::new(room_id.clone());
    assert_eq!(
        serde_json::to_value(&body).unwrap(),
        json!({"room_id": "!abnjk1jdasj98:capuchins.com"})
    );
    // No model for the schema.
    let text = generated();
    assert!(!text.contains("pub type RoomId"), "no alias for the mapped schema");
    assert!(!text.contains("struct RoomId"));
    assert!(text.contains("pub room_id: ::ruma_common::OwnedRoomId"));
}

#[test]
fn a_renamed_schema_is_its_type_under_the_new_name() {
    let page: RoomDirectoryPage = serde_json::from_value(json!({
        "chunk": [{
            "room_id": "!ol19s:bleecker.street",
            "num_joined_members": 37,
            "world_readable": true,
            "guest_can_join": false,
            "room_version": "10",
            "join_rule": "knock",
        }],
        "next_batch": "p190q",
    }))
    .unwrap();
    assert_eq!(page.chunk[0].join_rule, Some(JoinRule::Knock));
    let response = GetPublicRoomsResponse::Ok(page);
    assert_eq!(response.status(), 200);
    let text = generated();
    assert!(!text.contains("struct PublicRoomsResponse"), "the old name is gone");
    assert!(text.contains("pub struct RoomDirectoryPage"));
}
