//! The dialect fixture's models: every schema construct behaves as the definition says.

use dialect_generated::types::{
    Event, EventTs, EventType, Medium, Strict, ThirdPartyIdentifier, Tree, TypeBody, Unsigned,
};
use serde_json::{Value, json};

fn round_trip<T: serde::de::DeserializeOwned + serde::Serialize>(value: Value) -> T {
    let read: T = serde_json::from_value(value.clone()).unwrap();
    assert_eq!(serde_json::to_value(&read).unwrap(), value);
    read
}

#[test]
fn all_of_merges_members_and_their_required_lists() {
    let event: Event = round_trip(json!({
        "type": "m.room.create",
        "sender": "@a:example.org",
        "content": {"x": 1},
        "tags": ["a", "b"]
    }));
    assert_eq!(event.r#type, EventType::MRoomCreate);
    assert_eq!(event.content["x"], 1);
    // `content` comes from the second member, `type` and `sender` from the first.
    for missing in ["type", "sender", "content"] {
        let mut value = json!({"type": "m.room.create", "sender": "@a:example.org", "content": {}});
        value.as_object_mut().unwrap().remove(missing);
        let err = serde_json::from_value::<Event>(value).unwrap_err();
        assert!(err.to_string().contains(missing), "{err}");
    }
}

#[test]
fn additional_properties_with_a_schema_is_a_typed_map() {
    let wrong = json!({"type": "m.room.create", "sender": "@a:e", "content": {"x": "one"}});
    assert!(serde_json::from_value::<Event>(wrong).is_err());
}

#[test]
fn string_enums_reject_values_outside_the_list() {
    assert_eq!(
        serde_json::from_value::<Medium>(json!("msisdn")).unwrap(),
        Medium::Msisdn
    );
    assert!(serde_json::from_value::<Medium>(json!("fax")).is_err());
}

#[test]
fn type_lists_become_unions_and_null_makes_a_field_nullable() {
    let base = json!({"type": "m.room.member", "sender": "@a:e", "content": {}});
    let mut with_int = base.clone();
    with_int["ts"] = json!(5);
    with_int["depth"] = Value::Null;
    let read: Event = serde_json::from_value(with_int).unwrap();
    assert_eq!(read.ts, Some(EventTs::Integer(5)));
    // An explicit `null` is kept apart from an absent member.
    assert_eq!(read.depth, Some(None));
    assert_eq!(serde_json::to_value(&read).unwrap()["depth"], Value::Null);
    let mut with_string = base.clone();
    with_string["ts"] = json!("5");
    let read: Event = round_trip(with_string);
    assert_eq!(read.ts, Some(EventTs::String("5".into())));
    assert_eq!(read.depth, None);
    let mut with_bool = base;
    with_bool["ts"] = json!(true);
    assert!(serde_json::from_value::<Event>(with_bool).is_err());
}

#[test]
fn additional_properties_false_rejects_unknown_members() {
    round_trip::<Strict>(json!({"flag": true}));
    assert!(serde_json::from_value::<Strict>(json!({"flag": true, "other": 1})).is_err());
}

#[test]
fn recursive_schemas_nest_directly_and_through_another_file() {
    let unsigned: Unsigned = round_trip(json!({"age": 1, "replaces": {"age": 2, "replaces": {"age": 3}}}));
    assert_eq!(unsigned.replaces.unwrap().replaces.unwrap().age, Some(3));
    let tree: Tree = round_trip(json!({
        "name": "root",
        "children": [{"name": "leaf", "children": []}],
        "parent": {"tree": {"name": "up", "parent": {"tree": {"name": "top"}}}}
    }));
    assert_eq!(tree.parent.unwrap().tree.unwrap().name.as_deref(), Some("up"));
}

#[test]
fn tuples_check_their_length_and_each_position() {
    let body: TypeBody = round_trip(json!(["a", 1, {"note": "n", "more": true}]));
    assert_eq!(body.2.extra["more"], true);
    for wrong in [
        json!(["a", 1]),
        json!(["a", 1, {}, 4]),
        json!([1, 1, {}]),
        json!(["a", "1", {}]),
    ] {
        assert!(
            serde_json::from_value::<TypeBody>(wrong.clone()).is_err(),
            "accepted {wrong}"
        );
    }
}

#[test]
fn a_json_file_reached_through_a_symlinked_folder_is_typed() {
    let id: ThirdPartyIdentifier = round_trip(json!({"medium": "email", "address": "a@example.org"}));
    assert_eq!(id.medium, Medium::Email);
}

#[test]
fn one_of_tries_each_alternative_in_order() {
    use dialect_generated::types::Reason;
    assert_eq!(
        serde_json::from_value::<Reason>(json!({"flag": false})).unwrap(),
        Reason::Strict(Strict { flag: Some(false) })
    );
    assert_eq!(
        serde_json::from_value::<Reason>(json!("text")).unwrap(),
        Reason::String("text".into())
    );
    assert!(serde_json::from_value::<Reason>(json!(3)).is_err());
}
