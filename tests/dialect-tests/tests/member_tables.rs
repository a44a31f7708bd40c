//! What the member tables (`serde_object!`) promise, through real JSON: the errors serde's
//! derive gave, `null` apart from absent where the model says so, unknown members kept in
//! their order or refused with the list of names.

use dialect_generated::types::{Event, Quota, Redaction, Strict, Unsigned};
use serde_json::{Value, json};

#[test]
fn a_missing_required_member_is_named() {
    let err = serde_json::from_value::<Event>(json!({"type": "m.room.create", "sender": "@a:b"})).unwrap_err();
    assert_eq!(err.to_string(), "missing field `content`");
}

#[test]
fn a_member_given_twice_is_refused() {
    let err = serde_json::from_str::<Unsigned>(r#"{"age": 1, "age": 2}"#).unwrap_err();
    assert!(err.to_string().starts_with("duplicate field `age`"), "{err}");
    // Unknown members given twice are kept as JSON keeps them: the last one wins.
    let read: Unsigned = serde_json::from_str(r#"{"x": 1, "x": 2}"#).unwrap();
    assert_eq!(read.extra["x"], 2);
}

#[test]
fn refused_unknown_members_list_the_known_names() {
    let err = serde_json::from_value::<Strict>(json!({"flag": true, "colour": "red"})).unwrap_err();
    assert_eq!(err.to_string(), "unknown field `colour`, expected `flag`");
}

#[test]
fn a_value_of_another_type_says_which_struct_was_expected() {
    let err = serde_json::from_value::<Unsigned>(json!([1, 2])).unwrap_err();
    assert_eq!(err.to_string(), "invalid type: sequence, expected struct Unsigned");
    let err = serde_json::from_str::<Event>(r#"{"type": "m.room.create", "sender": 7, "content": {}}"#).unwrap_err();
    assert!(
        err.to_string()
            .starts_with("invalid type: integer `7`, expected a string"),
        "{err}"
    );
}

#[test]
fn null_and_absent_stay_apart_only_where_the_model_says_so() {
    let base = json!({"type": "m.room.create", "sender": "@a:b", "content": {}});
    let mut with_null = base.clone();
    with_null["depth"] = Value::Null;
    with_null["tags"] = Value::Null;
    let read: Event = serde_json::from_value(with_null).unwrap();
    // `depth` may be null: kept as `Some(None)` and written back.
    assert_eq!(read.depth, Some(None));
    // `tags` may not: `null` reads as absent and is left out.
    assert_eq!(read.tags, None);
    let written = serde_json::to_value(&read).unwrap();
    assert_eq!(written["depth"], Value::Null);
    assert!(written.get("tags").is_none(), "{written}");
    let read: Event = serde_json::from_value(base).unwrap();
    assert_eq!(read.depth, None);
    assert!(serde_json::to_value(&read).unwrap().get("depth").is_none());
}

#[test]
fn a_required_member_that_may_be_null_is_always_written() {
    let read: Redaction = serde_json::from_value(json!({"redacted_by": "$e", "reason": null})).unwrap();
    assert_eq!(read.reason, None);
    assert_eq!(
        serde_json::to_value(&read).unwrap(),
        json!({"redacted_by": "$e", "reason": null})
    );
    // As serde reads a missing `Option`: absent is `None` too, and it goes out as `null`.
    let read: Redaction = serde_json::from_value(json!({"redacted_by": "$e"})).unwrap();
    assert_eq!(
        serde_json::to_value(&read).unwrap(),
        json!({"redacted_by": "$e", "reason": null})
    );
    let err = serde_json::from_value::<Redaction>(json!({"reason": "spam"})).unwrap_err();
    assert_eq!(err.to_string(), "missing field `redacted_by`");
}

#[test]
fn unknown_members_come_back_in_their_order_after_the_named_ones() {
    let text = r#"{"zeta":1,"age":3,"alpha":{"deep":[true,null]},"replaces":{"age":2,"mid":"m"}}"#;
    let read: Unsigned = serde_json::from_str(text).unwrap();
    assert_eq!(
        serde_json::to_string(&read).unwrap(),
        r#"{"replaces":{"age":2,"mid":"m"},"age":3,"zeta":1,"alpha":{"deep":[true,null]}}"#
    );
}

#[test]
fn escaped_names_and_names_read_from_a_stream_match_their_members() {
    // `\u0061ge` is `age`: the name is unescaped before it is matched.
    let read: Unsigned = serde_json::from_str(r#"{"\u0061ge": 4, "n\u00e9": 1}"#).unwrap();
    assert_eq!(read.age, Some(4));
    assert_eq!(read.extra["né"], 1);
    // A reader hands names over as owned strings, not borrowed from the input.
    let read: Unsigned = serde_json::from_reader(&br#"{"age": 5, "other": "o"}"#[..]).unwrap();
    assert_eq!(read.age, Some(5));
    assert_eq!(read.extra["other"], "o");
}

#[test]
fn unknown_members_of_a_typed_map_are_each_checked() {
    let read: Quota = serde_json::from_value(json!({"tenant": "t", "disk": 10, "cpu": 2})).unwrap();
    assert_eq!(read.tenant, "t");
    assert_eq!(read.extra["disk"], 10);
    // A `BTreeMap` writes its members sorted by name, after the named ones.
    assert_eq!(
        serde_json::to_string(&read).unwrap(),
        r#"{"tenant":"t","cpu":2,"disk":10}"#
    );
    let err = serde_json::from_value::<Quota>(json!({"tenant": "t", "disk": "ten"})).unwrap_err();
    assert!(
        err.to_string()
            .starts_with("invalid type: string \"ten\", expected i64"),
        "{err}"
    );
}
