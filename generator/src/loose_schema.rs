//! Schema keywords written loosely, read as the author evidently meant them before the
//! model sees the schema, each with a located warning: booleans where a schema belongs,
//! non-text titles and patterns, and `enum` values of another JSON type than the
//! schema's `type`. Real definitions are full of the last: YAML reads `enum: [1, 2]` or `[yes, no]` under `type: string` as numbers and
//! booleans, and generators write `type: integer` with `enum: ["1", "2"]`, or with the
//! names of a string enum (`["Primary", "Secondary"]`).
//!
//! Readings, each with a located warning:
//! - under `type: string`, a number or boolean is its JSON text (`1` → `"1"`);
//! - under `type: integer`/`number`, a string that is such a number is that number;
//! - under `type: boolean`, `"true"`/`"false"` are the booleans;
//! - when every value is a string and some are not of the type (`type: integer` with
//!   `["Primary", "Secondary"]`), the values win: the schema is read as `type: string`.
//!
//! What fits no reading (an array or an object among the values) is left for `check`.

use serde_json::{Map, Value};

use crate::diag::{Diagnostic, child_pointer};

/// `enum: [null]` admits only `null`: generated code reads it as a nullable value of the
/// schema's type (any JSON without one), which `null` is one value of. Django-style
/// generators write it for a member that is always null (`NullEnum`).
pub fn read_null_only_enum(schema: &mut Map<String, Value>, pointer: &str) -> Option<(String, Diagnostic)> {
    let Some(Value::Array(values)) = schema.get("enum") else {
        return None;
    };
    if values.is_empty() || !values.iter().all(Value::is_null) {
        return None;
    }
    schema.remove("enum");
    schema.insert("nullable".into(), Value::Bool(true));
    let reading = match schema.get("type").and_then(Value::as_str) {
        Some(typ) => format!("a nullable `{typ}`"),
        None => "any JSON value, `null` included".to_string(),
    };
    Some((
        child_pointer(pointer, "enum"),
        Diagnostic::warning(format!(
            "`enum: [null]` admits only `null`; read as {reading}, which the generated code cannot narrow further"
        ))
        .help("leave `enum` out and write `nullable: true` if other values may come too"),
    ))
}

/// A boolean where a schema belongs (JSON Schema's `true`: any value; `false`: none),
/// which the 3.0 model cannot read: `true` is read as `{}`, `false` as `not: {}` (which
/// `check` reports). A property that is `false` is [`forbidden_property`] instead.
pub fn boolean_schema(flag: bool, pointer: &str) -> ((String, Diagnostic), Value) {
    let (reading, read) = if flag {
        ("any JSON value (`{}`)", Value::Object(Map::new()))
    } else {
        ("no value (`not: {}`)", serde_json::json!({ "not": {} }))
    };
    (
        (
            pointer.to_string(),
            Diagnostic::warning(format!("a schema written as `{flag}` is read as {reading}"))
                .help("OpenAPI 3.0 schemas are objects: write `{}` for any value"),
        ),
        read,
    )
}

/// `properties: {name: false}`: the member may not appear, so the type leaves it out.
/// Often `additionalProperties: false` written one level too deep.
pub fn forbidden_property(name: &str, pointer: &str) -> (String, Diagnostic) {
    let help = if name == "additionalProperties" {
        "to close the object, move `additionalProperties: false` out of `properties`".to_string()
    } else {
        format!("leave `{name}` out of `properties` if it is not a member")
    };
    (
        pointer.to_string(),
        Diagnostic::warning(format!(
            "property `{name}` is the schema `false`, which no value fits; the member is left out"
        ))
        .help(help),
    )
}

/// `title`, `description`, `pattern` or `format` written as something other than text:
/// a number or boolean title or description is its text; anything else, and any
/// non-text `pattern` or `format` (`pattern: 0` matches no intent), is left out.
pub fn text_keyword(key: &str, value: &Value, pointer: &str) -> ((String, Diagnostic), Option<Value>) {
    let as_text = matches!(key, "title" | "description") && (value.is_number() || value.is_boolean());
    let (reading, read) = if as_text {
        ("read as its text", Some(Value::String(value.to_string())))
    } else {
        ("left out", None)
    };
    let shown = match value {
        Value::Object(_) => "a map".to_string(),
        Value::Array(_) => "a list".to_string(),
        other => format!("`{other}`"),
    };
    (
        (
            pointer.to_string(),
            Diagnostic::warning(format!("`{key}` is {shown}, not text; {reading}"))
                .help(format!("write `{key}` as a string")),
        ),
        read,
    )
}

/// `{type: {type: string, enum: [..]}}`: a schema whose only key, `type`, holds a whole
/// schema, as an exporter writes a one-property wrapper without its `properties`. The
/// inner schema is what the wrapper stands for: `type` can hold nothing else.
pub fn wrapped_in_type(schema: &Map<String, Value>) -> Option<&Value> {
    let inner = schema.get("type").filter(|_| schema.len() == 1)?;
    let looks_like_schema = |m: &Map<String, Value>| {
        ["type", "$ref", "properties", "enum"]
            .iter()
            .any(|k| m.contains_key(*k))
    };
    inner.as_object().filter(|m| looks_like_schema(m)).map(|_| inner)
}

pub fn unwrapped_warning(pointer: &str) -> (String, Diagnostic) {
    (
        pointer.to_string(),
        Diagnostic::warning("`type` holds a whole schema instead of a type name; read as that schema")
            .help("write the inner schema in place of its wrapper, or name the type (`type: string`)"),
    )
}

/// Integer formats, which say nothing once the schema is read as a string.
const NUMBER_FORMATS: [&str; 6] = ["int32", "int64", "uint32", "uint64", "float", "double"];

/// Rewrites the `enum` (and a `default` of the same kind) of one schema object in place;
/// returns the warning to report at `pointer`, the schema's pointer, if anything changed.
pub fn read_enum_values(schema: &mut Map<String, Value>, pointer: &str) -> Option<(String, Diagnostic)> {
    let typ = schema.get("type")?.as_str()?.to_string();
    let Some(Value::Array(values)) = schema.get("enum") else {
        return None;
    };
    let misfits: Vec<&Value> = values.iter().filter(|v| !v.is_null() && !fits(&typ, v)).collect();
    if misfits.is_empty() {
        return None;
    }
    let shown = misfits
        .iter()
        .take(3)
        .map(|v| format!("`{v}`"))
        .collect::<Vec<_>>()
        .join(", ");
    let more = if misfits.len() > 3 { ", …" } else { "" };
    let enum_ptr = child_pointer(pointer, "enum");
    if misfits.iter().all(|v| converted(&typ, v).is_some()) {
        let values: Vec<Value> = values
            .iter()
            .map(|v| converted(&typ, v).unwrap_or_else(|| v.clone()))
            .collect();
        schema.insert("enum".into(), Value::Array(values));
        if let Some(default) = schema.get("default").and_then(|d| converted(&typ, d)) {
            schema.insert("default".into(), default);
        }
        let reading = match typ.as_str() {
            "string" => "their text",
            "boolean" => "the booleans they spell",
            _ => "the numbers they spell",
        };
        return Some((
            enum_ptr,
            Diagnostic::warning(format!(
                "enum values {shown}{more} are not of the schema's `type: {typ}`; read as {reading}"
            ))
            .help(help(&typ)),
        ));
    }
    let all_strings = values.iter().all(|v| v.is_string() || v.is_null());
    if all_strings && typ != "string" {
        schema.insert("type".into(), Value::String("string".into()));
        if schema
            .get("format")
            .and_then(Value::as_str)
            .is_some_and(|f| NUMBER_FORMATS.contains(&f))
        {
            schema.remove("format");
        }
        if schema.get("default").is_some_and(|d| !d.is_string() && !d.is_null()) {
            let text = schema.get("default").map(Value::to_string).unwrap_or_default();
            schema.insert("default".into(), Value::String(text));
        }
        return Some((
            enum_ptr,
            Diagnostic::warning(format!(
                "enum values {shown}{more} are strings, not of the schema's `type: {typ}`; the schema is read as `type: string`"
            ))
            .help(format!(
                "write `type: string` if the values are sent as text, or list the {typ} values the names stand for"
            )),
        ));
    }
    None
}

/// What is left of `enum` after [`read_enum_values`]: values that are not of the schema's
/// (scalar) `type` and have no reading as one (`["project1"]` or `{"override": true}` under
/// `type: string`, `"0"` beside `true` under `type: boolean`). A value must satisfy both
/// `type` and `enum`, so such a value is never valid: leaving it out keeps the schema's
/// meaning. Only when some value of the type is left; else `check` refuses the schema.
/// Returns the warning to report, naming the values left out.
pub fn drop_values_of_no_type(schema: &mut Map<String, Value>, pointer: &str) -> Option<(String, Diagnostic)> {
    let typ = schema.get("type")?.as_str()?.to_string();
    if !matches!(typ.as_str(), "string" | "integer" | "number" | "boolean") {
        return None;
    }
    let Some(Value::Array(values)) = schema.get_mut("enum") else {
        return None;
    };
    let never = |v: &Value| !v.is_null() && !fits(&typ, v);
    if !values.iter().any(never) || !values.iter().any(|v| !v.is_null() && !never(v)) {
        return None;
    }
    let (dropped, kept): (Vec<Value>, Vec<Value>) = std::mem::take(values).into_iter().partition(never);
    *values = kept;
    let shown = dropped
        .iter()
        .take(3)
        .map(|v| format!("`{v}`"))
        .collect::<Vec<_>>()
        .join(", ");
    let more = match dropped.len() {
        0..=3 => String::new(),
        n => format!(" and {} more", n - 3),
    };
    Some((
        child_pointer(pointer, "enum"),
        Diagnostic::warning(format!(
            "enum values {shown}{more} can never be of the schema's `type: {typ}`, so no valid value is one of them; they are left out"
        ))
        .help(format!(
            "remove them from `enum`, or change `type` (e.g. to an array of {typ} values) if they are what is sent"
        )),
    ))
}

fn help(typ: &str) -> String {
    match typ {
        "string" => "quote the values (`'1'`, `'true'`) so that YAML reads them as text".to_string(),
        "boolean" => "write the values as `true` and `false`, without quotes".to_string(),
        _ => "write the values as numbers, without quotes".to_string(),
    }
}

/// Whether `value` is a value of JSON Schema type `typ` (other types: no opinion).
pub fn fits(typ: &str, value: &Value) -> bool {
    match typ {
        "string" => value.is_string(),
        "integer" => value.is_i64() || value.is_u64(),
        "number" => value.is_number(),
        "boolean" => value.is_boolean(),
        _ => true,
    }
}

/// `value` as a value of `typ` when it unambiguously spells one; `None` otherwise.
fn converted(typ: &str, value: &Value) -> Option<Value> {
    if value.is_null() || fits(typ, value) {
        return Some(value.clone());
    }
    match (typ, value) {
        ("string", Value::Number(_) | Value::Bool(_)) => Some(Value::String(value.to_string())),
        ("integer", Value::String(text)) => {
            let text = text.trim();
            text.parse::<i64>()
                .map(Value::from)
                .or_else(|_| text.parse::<u64>().map(Value::from))
                .ok()
        }
        ("number", Value::String(text)) => {
            let number: f64 = text.trim().parse().ok()?;
            // `serde_json` keeps the spelling of integers; other numbers go through f64.
            text.trim()
                .parse::<i64>()
                .map(Value::from)
                .ok()
                .or_else(|| serde_json::Number::from_f64(number).map(Value::Number))
        }
        ("boolean", Value::String(text)) => match text.as_str() {
            "true" => Some(Value::Bool(true)),
            "false" => Some(Value::Bool(false)),
            _ => None,
        },
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn read(schema: Value) -> (Value, Option<String>) {
        let Value::Object(mut map) = schema else { unreachable!() };
        let warning = read_enum_values(&mut map, "/s").map(|(p, d)| format!("{p}: {}", d.message));
        (Value::Object(map), warning)
    }

    #[test]
    fn numbers_and_booleans_under_string_are_their_text() {
        let (schema, warning) = read(json!({"type": "string", "enum": [1, "two", true, 1.5], "default": 1}));
        assert_eq!(
            schema,
            json!({"type": "string", "enum": ["1", "two", "true", "1.5"], "default": "1"})
        );
        assert!(
            warning
                .unwrap()
                .starts_with("/s/enum: enum values `1`, `true`, `1.5` are not")
        );
    }

    #[test]
    fn numeric_text_under_integer_and_number_is_the_number() {
        let (schema, _) = read(json!({"type": "integer", "enum": ["1", "2", " 4", null]}));
        assert_eq!(schema, json!({"type": "integer", "enum": [1, 2, 4, null]}));
        let (schema, _) = read(json!({"type": "number", "enum": ["2", "2.5"]}));
        assert_eq!(schema, json!({"type": "number", "enum": [2, 2.5]}));
        let (schema, _) = read(json!({"type": "boolean", "enum": ["true", "false"]}));
        assert_eq!(schema, json!({"type": "boolean", "enum": [true, false]}));
    }

    #[test]
    fn names_under_integer_make_a_string_enum() {
        let (schema, warning) =
            read(json!({"type": "integer", "format": "int32", "enum": ["Primary", "Secondary"], "default": 0}));
        assert_eq!(
            schema,
            json!({"type": "string", "enum": ["Primary", "Secondary"], "default": "0"})
        );
        assert!(warning.unwrap().contains("read as `type: string`"));
        let (schema, _) = read(json!({"type": "boolean", "enum": ["0", "1"]}));
        assert_eq!(schema, json!({"type": "string", "enum": ["0", "1"]}));
    }

    #[test]
    fn values_that_can_never_be_of_the_type_are_left_out() {
        let drop = |schema: Value| {
            let Value::Object(mut map) = schema else { unreachable!() };
            let warning = read_enum_values(&mut map, "/s")
                .into_iter()
                .chain(drop_values_of_no_type(&mut map, "/s"))
                .map(|(p, d)| format!("{p}: {}", d.message))
                .collect::<Vec<_>>();
            (Value::Object(map), warning)
        };
        let (schema, warnings) = drop(json!({"type": "string", "enum": ["all", "none", ["project1", "project2"]]}));
        assert_eq!(schema, json!({"type": "string", "enum": ["all", "none"]}));
        assert_eq!(
            warnings,
            [
                "/s/enum: enum values `[\"project1\",\"project2\"]` can never be of the schema's `type: string`, so no valid value is one of them; they are left out"
            ]
        );
        let (schema, _) = drop(json!({"type": "string", "enum": [{"override": true}, "DEFAULT", null]}));
        assert_eq!(schema, json!({"type": "string", "enum": ["DEFAULT", null]}));
        let (schema, warnings) = drop(json!({"type": "boolean", "enum": ["0", "1", true, false], "default": false}));
        assert_eq!(
            schema,
            json!({"type": "boolean", "enum": [true, false], "default": false})
        );
        assert!(warnings[0].contains("`\"0\"`, `\"1\"` can never"), "{warnings:?}");
        // Nothing of the type is left: the schema stays as written, for `check` to refuse.
        let (schema, warnings) = drop(json!({"type": "integer", "enum": [[1], [2], null], "default": [1]}));
        assert_eq!(
            schema,
            json!({"type": "integer", "enum": [[1], [2], null], "default": [1]})
        );
        assert!(warnings.is_empty());
        let (_, warnings) = drop(json!({"type": "integer", "enum": [1, 2, 3, 4, [5], [6], [7], [8], {"a": 1}]}));
        assert!(
            warnings[0].contains("`[5]`, `[6]`, `[7]` and 2 more can never"),
            "{warnings:?}"
        );
    }

    #[test]
    fn a_null_only_enum_is_nullable() {
        let Value::Object(mut map) = json!({"type": "string", "enum": [null]}) else {
            unreachable!()
        };
        assert!(read_null_only_enum(&mut map, "/s").is_some());
        assert_eq!(Value::Object(map), json!({"type": "string", "nullable": true}));
        let Value::Object(mut map) = json!({"enum": [null, "a"]}) else {
            unreachable!()
        };
        assert!(read_null_only_enum(&mut map, "/s").is_none());
    }

    #[test]
    fn a_schema_wrapped_in_type_is_the_inner_schema() {
        let Value::Object(wrapper) = json!({"type": {"type": "string", "enum": ["Service"]}}) else {
            unreachable!()
        };
        assert_eq!(
            wrapped_in_type(&wrapper),
            Some(&json!({"type": "string", "enum": ["Service"]}))
        );
        let Value::Object(other) = json!({"type": {"en": "text"}}) else {
            unreachable!()
        };
        assert_eq!(wrapped_in_type(&other), None);
        let Value::Object(beside) = json!({"type": {"type": "string"}, "description": "x"}) else {
            unreachable!()
        };
        assert_eq!(wrapped_in_type(&beside), None);
    }

    #[test]
    fn values_with_no_reading_are_left_for_check() {
        let original = json!({"type": "string", "enum": ["a", ["b", "c"]]});
        assert_eq!(read(original.clone()), (original, None));
        let original = json!({"type": "integer", "enum": [[1], "Full-Time"]});
        assert_eq!(read(original.clone()), (original, None));
        let fitting = json!({"type": "integer", "enum": [1, 2]});
        assert_eq!(read(fitting.clone()), (fitting, None));
    }
}
