//! Constructors of models and the string enums' conversions, on the room directory types.

use std::str::FromStr;

use serde_json::json;
use type_options::types::{
    Error, JoinRule, Membership, MissingField, PublicRoomsChunk, RoomDirectoryPage, RoomKind, RoomSummary, UnknownValue,
};

fn room_id() -> ruma_common::OwnedRoomId {
    "!ol19s:bleecker.street".try_into().unwrap()
}

#[test]
fn new_takes_the_required_members_and_leaves_the_rest_out() {
    let error = Error::new("M_NOT_FOUND");
    assert_eq!(serde_json::to_value(&error).unwrap(), json!({"errcode": "M_NOT_FOUND"}));
    let summary = RoomSummary::new(room_id(), 37, JoinRule::Public);
    assert_eq!(summary.name, None);
    assert_eq!(
        serde_json::to_value(&summary).unwrap(),
        json!({"room_id": "!ol19s:bleecker.street", "num_joined_members": 37, "join_rule": "public"})
    );
    let page = RoomDirectoryPage::new(Vec::new());
    assert!(page.chunk.is_empty() && page.next_batch.is_none() && page.extra.is_empty());
}

#[test]
fn a_model_with_many_required_members_has_a_builder_that_names_what_is_missing() {
    let chunk = PublicRoomsChunk::builder()
        .room_id(room_id())
        .num_joined_members(37)
        .world_readable(true)
        .guest_can_join(false)
        .room_version("10")
        .name("CHEESE")
        .build()
        .unwrap();
    assert_eq!(chunk.name.as_deref(), Some("CHEESE"));
    assert_eq!(chunk.topic, None);
    let missing = PublicRoomsChunk::builder().room_id(room_id()).build().unwrap_err();
    assert_eq!(
        missing,
        MissingField {
            type_name: "PublicRoomsChunk",
            member: "num_joined_members",
        }
    );
    assert_eq!(
        missing.to_string(),
        "`PublicRoomsChunk` needs its member `num_joined_members`"
    );
}

#[test]
fn a_closed_enum_reads_only_its_values() {
    assert_eq!(Membership::from_str("knock"), Ok(Membership::Knock));
    assert_eq!(Membership::Ban.as_str(), "ban");
    assert_eq!(Membership::Leave.to_string(), "leave");
    let unknown = "left".parse::<Membership>().unwrap_err();
    assert_eq!(
        unknown,
        UnknownValue {
            type_name: "Membership",
            value: "left".to_string(),
        }
    );
    assert!(serde_json::from_value::<Membership>(json!("left")).is_err());
}

#[test]
fn an_open_enum_keeps_values_it_does_not_list() {
    // `anyOf` of an enum and a plain string.
    assert_eq!(JoinRule::from_str("knock_restricted"), Ok(JoinRule::KnockRestricted));
    let custom: JoinRule = serde_json::from_value(json!("org.example.guests_only")).unwrap();
    assert_eq!(custom, JoinRule::Other("org.example.guests_only".to_string()));
    assert_eq!(custom.as_str(), "org.example.guests_only");
    assert_eq!(serde_json::to_value(&custom).unwrap(), json!("org.example.guests_only"));
    // A listed value always reads as its own variant.
    assert_eq!(
        serde_json::from_value::<JoinRule>(json!("invite")).unwrap(),
        JoinRule::Invite
    );
    assert_eq!(JoinRule::Restricted.to_string(), "restricted");
    // `x-extensible-enum`.
    assert_eq!("m.space".parse::<RoomKind>(), Ok(RoomKind::MSpace));
    assert_eq!(
        RoomKind::from_str("org.example.lobby").unwrap().as_str(),
        "org.example.lobby"
    );
}
