//! The OpenAPI 3.1 step of `upgrade`: rewrites a resolved 3.1 document into the 3.0 shape
//! the rest of the pipeline reads, before the 3.0 schema normalisation runs on it.
//!
//! What 3.0 has a word for is written that way (`exclusiveMinimum: 5` becomes `minimum: 5`
//! with `exclusiveMinimum: true`, `examples: [a, b]` becomes `example: a`, a `{type:
//! 'null'}` alternative becomes `nullable`); what it has not rides along as extensions:
//! - `x-stubforge-tuple`: `prefixItems` (a tuple, `items: false` closing it);
//! - `x-stubforge-const`: a `const` that is not a string (a string one is a one-value `enum`);
//! - `x-stubforge-examples`: every value of a schema's `examples`;
//! - `x-stubforge-pattern-properties`: the key patterns of a `patternProperties` map;
//! - `x-stubforge-content-media-type`, `x-stubforge-content-encoding`: what a string
//!   holds (`format: binary` or `byte` in 3.0 terms);
//! - `x-stubforge-summary`, `x-stubforge-license-identifier`, `x-stubforge-json-schema-dialect`
//!   and `x-stubforge-openapi` (the version as written) at the top.
//!
//! `$ref`s are resolved before this step (a `$ref` beside other keywords is an `allOf`,
//! refs into `$defs` are hoisted like any other), so `$defs`, `components/pathItems` and
//! `webhooks` are left out here; webhooks get a warning, since nothing is generated for
//! them. Every renamed node is recorded, new pointer → pointer as written, so messages
//! about it point at the user's 3.1 document.

use std::collections::BTreeMap;

use serde_json::{Map, Value, json};

use crate::diag::{Diagnostic, child_pointer};
use crate::upgrade::TUPLE_EXTENSION;

pub const CONST_EXTENSION: &str = "x-stubforge-const";
pub const EXAMPLES_EXTENSION: &str = "x-stubforge-examples";
pub const PATTERNS_EXTENSION: &str = "x-stubforge-pattern-properties";
pub const CONTENT_MEDIA_TYPE_EXTENSION: &str = "x-stubforge-content-media-type";
pub const CONTENT_ENCODING_EXTENSION: &str = "x-stubforge-content-encoding";

/// The dialect OpenAPI 3.1 schemas are written in when `jsonSchemaDialect` says nothing.
const OAS_DIALECT_PREFIX: &str = "https://spec.openapis.org/oas/3.1/dialect/";

/// JSON Schema keywords this step does not map and the generated types do not enforce.
const NOT_ENFORCED: [&str; 10] = [
    "if",
    "then",
    "else",
    "dependentSchemas",
    "dependentRequired",
    "unevaluatedProperties",
    "unevaluatedItems",
    "contains",
    "propertyNames",
    "$dynamicRef",
];

/// Whether the root document says `openapi: 3.1.x`.
pub fn is_openapi_31(root: &Value) -> bool {
    root.get("openapi")
        .and_then(Value::as_str)
        .is_some_and(|version| version.starts_with("3.1"))
}

/// Keywords beside a 3.1 `$ref` that leave the referenced type as it is: annotations 3.0
/// does not list and validation that the generated types do not enforce.
pub fn keeps_ref_type(key: &str) -> bool {
    const KEYS: [&str; 18] = [
        "examples",
        "$comment",
        "summary",
        "minLength",
        "maxLength",
        "pattern",
        "minimum",
        "maximum",
        "exclusiveMinimum",
        "exclusiveMaximum",
        "multipleOf",
        "minItems",
        "maxItems",
        "uniqueItems",
        "minProperties",
        "maxProperties",
        "contentMediaType",
        "contentEncoding",
    ];
    KEYS.contains(&key)
}

/// The 3.0-shaped document, the moves made (new pointer → pointer as written) and the
/// messages, with pointers as written.
pub struct Step {
    pub document: Value,
    pub moves: BTreeMap<String, String>,
    pub warnings: Vec<(String, Diagnostic)>,
    pub errors: Vec<(String, Diagnostic)>,
}

pub fn upgrade(doc: &Value) -> Step {
    let mut step = Step {
        document: Value::Null,
        moves: BTreeMap::new(),
        warnings: Vec::new(),
        errors: Vec::new(),
    };
    let Value::Object(root) = doc else {
        step.document = doc.clone();
        return step;
    };
    let mut out = Map::new();
    for (key, value) in root {
        match key.as_str() {
            "openapi" => {
                out.insert("openapi".into(), json!("3.0.3"));
                out.insert("x-stubforge-openapi".into(), value.clone());
            }
            "info" => {
                out.insert(key.clone(), step.info(value));
            }
            "jsonSchemaDialect" => {
                step.dialect(value);
                out.insert("x-stubforge-json-schema-dialect".into(), value.clone());
                step.moved("/x-stubforge-json-schema-dialect", "/jsonSchemaDialect");
            }
            "webhooks" => step.webhooks(value),
            "components" => {
                out.insert(key.clone(), step.components(value));
            }
            "paths" => {
                out.insert(key.clone(), step.document_part(value, "/paths"));
            }
            _ => {
                out.insert(key.clone(), value.clone());
            }
        }
    }
    // 3.0 requires `paths`; 3.1 does not (an API of webhooks or components only).
    out.entry("paths").or_insert_with(|| json!({}));
    step.document = Value::Object(out);
    step
}

impl Step {
    fn moved(&mut self, new: &str, old: &str) {
        if new != old {
            self.moves.insert(new.to_string(), old.to_string());
        }
    }

    fn warn(&mut self, pointer: &str, message: String, help: &str) {
        self.warnings
            .push((pointer.to_string(), Diagnostic::warning(message).help(help)));
    }

    fn error(&mut self, pointer: &str, message: String, help: &str) {
        self.errors
            .push((pointer.to_string(), Diagnostic::error(message).help(help)));
    }

    /// `info.summary` and `license.identifier` have no place in 3.0.
    fn info(&mut self, info: &Value) -> Value {
        let Value::Object(info) = info else { return info.clone() };
        let mut out = info.clone();
        if let Some(summary) = out.remove("summary") {
            out.insert("x-stubforge-summary".into(), summary);
            self.moved("/info/x-stubforge-summary", "/info/summary");
        }
        if let Some(Value::Object(license)) = out.get_mut("license") {
            if let Some(identifier) = license.remove("identifier") {
                license.insert("x-stubforge-license-identifier".into(), identifier);
                self.moved(
                    "/info/license/x-stubforge-license-identifier",
                    "/info/license/identifier",
                );
            }
        }
        Value::Object(out)
    }

    fn dialect(&mut self, dialect: &Value) {
        let known = dialect.as_str().is_some_and(|d| d.starts_with(OAS_DIALECT_PREFIX));
        if !known {
            self.warn(
                "/jsonSchemaDialect",
                format!(
                    "`jsonSchemaDialect` is {dialect}; schemas are read as OpenAPI 3.1's own dialect of JSON Schema 2020-12"
                ),
                "remove `jsonSchemaDialect`, or check that the schemas mean the same in OpenAPI's dialect",
            );
        }
    }

    /// Webhooks are requests the API sends, not serves: nothing is generated for them.
    fn webhooks(&mut self, webhooks: &Value) {
        let Value::Object(webhooks) = webhooks else { return };
        for name in webhooks.keys() {
            self.warn(
                &child_pointer("/webhooks", name),
                format!("webhook `{name}` is not generated: stubforge serves and calls the API's `paths` only"),
                "describe the webhook's payloads under `components/schemas` to get types for them",
            );
        }
    }

    /// `pathItems` were copied where paths refer to them; the schemas are rewritten.
    fn components(&mut self, components: &Value) -> Value {
        let Value::Object(components) = components else {
            return components.clone();
        };
        let mut out = Map::new();
        for (key, value) in components {
            let here = child_pointer("/components", key);
            match key.as_str() {
                "pathItems" => {}
                "schemas" => {
                    let Value::Object(schemas) = value else {
                        out.insert(key.clone(), value.clone());
                        continue;
                    };
                    let schemas = schemas
                        .iter()
                        .map(|(name, schema)| {
                            let at = child_pointer(&here, name);
                            (name.clone(), self.schema(schema, &at, &at))
                        })
                        .collect();
                    out.insert(key.clone(), Value::Object(schemas));
                }
                _ => {
                    out.insert(key.clone(), self.document_part(value, &here));
                }
            }
        }
        Value::Object(out)
    }

    /// Walks a part of the document that is not a schema, rewriting the schemas under
    /// `schema` keys and the `examples` lists of media types. Examples are data: left as
    /// they are.
    fn document_part(&mut self, value: &Value, at: &str) -> Value {
        match value {
            Value::Object(map) => {
                let mut out = Map::new();
                for (key, value) in map {
                    let here = child_pointer(at, key);
                    match key.as_str() {
                        "schema" if value.is_object() => {
                            out.insert(key.clone(), self.schema(value, &here, &here));
                        }
                        "example" => {
                            out.insert(key.clone(), value.clone());
                        }
                        "examples" => match value {
                            // A media type's `examples` is a map of Example Objects; a
                            // list is the schema keyword's shape written one level up.
                            Value::Array(list) if !list.is_empty() && !map.contains_key("example") => {
                                out.insert("example".into(), list[0].clone());
                                self.moved(&child_pointer(at, "example"), &child_pointer(&here, "0"));
                                out.insert(EXAMPLES_EXTENSION.into(), value.clone());
                                self.moved(&child_pointer(at, EXAMPLES_EXTENSION), &here);
                            }
                            Value::Array(_) => {}
                            _ => {
                                out.insert(key.clone(), value.clone());
                            }
                        },
                        _ => {
                            out.insert(key.clone(), self.document_part(value, &here));
                        }
                    }
                }
                Value::Object(out)
            }
            Value::Array(items) => Value::Array(
                items
                    .iter()
                    .enumerate()
                    .map(|(i, item)| self.document_part(item, &child_pointer(at, &i.to_string())))
                    .collect(),
            ),
            other => other.clone(),
        }
    }

    /// One schema and the schemas inside it. `new` is its pointer in the output, `old`
    /// where the user wrote it (they differ below a renamed keyword).
    fn schema(&mut self, schema: &Value, new: &str, old: &str) -> Value {
        let Value::Object(map) = schema else {
            return schema.clone();
        };
        let mut out = Map::new();
        for (key, value) in map {
            let (new_key, old_key) = (child_pointer(new, key), child_pointer(old, key));
            match key.as_str() {
                "$defs" | "$schema" | "$id" | "$anchor" | "$comment" | "$dynamicAnchor" | "$vocabulary" => {}
                "properties" if value.is_object() => {
                    let props = self.schema_map(value, &new_key, &old_key);
                    out.insert(key.clone(), props);
                }
                "patternProperties" => self.pattern_properties(map, value, new, old, &mut out),
                // Keys outside the patterns: the map's value type stands for them too.
                "additionalProperties" if value == &Value::Bool(false) && map.contains_key("patternProperties") => {}
                "additionalProperties" | "not" | "items" if value.is_object() => {
                    out.insert(key.clone(), self.schema(value, &new_key, &old_key));
                }
                "items" => self.items(map, value, new, old, &mut out),
                "prefixItems" => self.prefix_items(map, value, new, old, &mut out),
                "allOf" | "anyOf" | "oneOf" => self.schema_list(key, value, new, old, &mut out),
                "const" => self.constant(map, value, new, old, &mut out),
                "examples" => self.schema_examples(value, new, old, &mut out),
                "exclusiveMinimum" | "exclusiveMaximum" if value.is_number() => {
                    let bound = if key == "exclusiveMinimum" {
                        "minimum"
                    } else {
                        "maximum"
                    };
                    if map.contains_key(bound) {
                        // Both bounds: 3.0 has room for one number; the other rides along.
                        let extension = format!(
                            "x-stubforge-{}",
                            if bound == "minimum" {
                                "exclusive-minimum"
                            } else {
                                "exclusive-maximum"
                            }
                        );
                        self.moved(&child_pointer(new, &extension), &old_key);
                        out.insert(extension, value.clone());
                        continue;
                    }
                    out.insert(bound.into(), value.clone());
                    self.moved(&child_pointer(new, bound), &old_key);
                    out.insert(key.clone(), Value::Bool(true));
                }
                "contentMediaType" | "contentEncoding" => self.content(map, new, old, &mut out),
                _ if NOT_ENFORCED.contains(&key.as_str()) => {
                    self.warn(
                        &old_key,
                        format!("`{key}` is not enforced by the generated types; values are read without it"),
                        "check such values in your own code, or describe the shape with `oneOf` or `allOf`",
                    );
                }
                _ => {
                    out.insert(key.clone(), value.clone());
                }
            }
        }
        Value::Object(out)
    }

    fn schema_map(&mut self, value: &Value, new: &str, old: &str) -> Value {
        let Value::Object(map) = value else {
            return value.clone();
        };
        Value::Object(
            map.iter()
                .map(|(name, schema)| {
                    let (n, o) = (child_pointer(new, name), child_pointer(old, name));
                    (name.clone(), self.schema(schema, &n, &o))
                })
                .collect(),
        )
    }

    /// `allOf`, `anyOf`, `oneOf`. An alternative that is only `type: 'null'` makes the
    /// schema nullable, the 3.0 way; one alternative left is the type itself.
    fn schema_list(&mut self, key: &str, value: &Value, new: &str, old: &str, out: &mut Map<String, Value>) {
        let Value::Array(members) = value else {
            out.insert(key.into(), value.clone());
            return;
        };
        let only_null = |m: &Value| {
            m.as_object()
                .is_some_and(|m| m.len() == 1 && m.get("type") == Some(&json!("null")))
        };
        let nullable = key != "allOf" && members.iter().any(only_null);
        let kept: Vec<(usize, &Value)> = members.iter().enumerate().filter(|(_, m)| !only_null(m)).collect();
        let list_key = if nullable && kept.len() == 1 { "allOf" } else { key };
        let list_new = child_pointer(new, list_key);
        let list_old = child_pointer(old, key);
        if list_key != key {
            self.moved(&list_new, &list_old);
        }
        let list = kept
            .iter()
            .enumerate()
            .map(|(i, (at, member))| {
                let (n, o) = (
                    child_pointer(&list_new, &i.to_string()),
                    child_pointer(&list_old, &at.to_string()),
                );
                self.moved(&n, &o);
                self.schema(member, &n, &o)
            })
            .collect();
        out.insert(list_key.into(), Value::Array(list));
        if nullable {
            out.insert("nullable".into(), Value::Bool(true));
        }
    }

    /// `prefixItems` is a tuple: closed by `items: false`, open (extra items allowed)
    /// without it, which the generated fixed-length tuple reads as closed.
    fn prefix_items(
        &mut self,
        map: &Map<String, Value>,
        value: &Value,
        new: &str,
        old: &str,
        out: &mut Map<String, Value>,
    ) {
        let here_old = child_pointer(old, "prefixItems");
        let Value::Array(items) = value else {
            self.error(
                &here_old,
                "`prefixItems` must be a list of schemas".into(),
                "write one schema per position, e.g. `prefixItems: [{type: integer}, {type: object}]`",
            );
            return;
        };
        match map.get("items") {
            Some(Value::Bool(false)) => {}
            None => self.warn(
                &here_old,
                "this tuple allows items after its `prefixItems`; the generated tuple has exactly those items".into(),
                "add `items: false` to say the tuple has no further items",
            ),
            Some(_) => self.error(
                &child_pointer(old, "items"),
                "items after a tuple's `prefixItems` are not supported".into(),
                "add `items: false` and list every position in `prefixItems`, or use an array of one item type",
            ),
        }
        let tuple_new = child_pointer(new, TUPLE_EXTENSION);
        self.moved(&tuple_new, &here_old);
        let tuple = items
            .iter()
            .enumerate()
            .map(|(i, item)| {
                let (n, o) = (
                    child_pointer(&tuple_new, &i.to_string()),
                    child_pointer(&here_old, &i.to_string()),
                );
                self.schema(item, &n, &o)
            })
            .collect();
        out.insert(TUPLE_EXTENSION.into(), Value::Array(tuple));
        out.entry("type").or_insert_with(|| json!("array"));
    }

    /// `items: false` closes a `prefixItems` tuple; alone it allows only `[]`.
    fn items(&mut self, map: &Map<String, Value>, value: &Value, new: &str, old: &str, out: &mut Map<String, Value>) {
        match value {
            Value::Bool(false) if map.contains_key("prefixItems") => {}
            Value::Bool(true) => {}
            Value::Bool(false) => {
                // The empty tuple, which the 3.0 step reports as such.
                out.insert("items".into(), json!([]));
                self.moved(&child_pointer(new, "items"), &child_pointer(old, "items"));
            }
            other => {
                out.insert("items".into(), other.clone());
            }
        }
    }

    /// A string `const` is a one-value enum; any other keeps its type and rides along.
    fn constant(
        &mut self,
        map: &Map<String, Value>,
        value: &Value,
        new: &str,
        old: &str,
        out: &mut Map<String, Value>,
    ) {
        let old_key = child_pointer(old, "const");
        let kind = match value {
            Value::String(_) => "string",
            Value::Bool(_) => "boolean",
            Value::Number(n) if n.is_i64() || n.is_u64() => "integer",
            Value::Number(_) => "number",
            Value::Array(_) => "array",
            Value::Object(_) => "object",
            Value::Null => {
                out.insert("nullable".into(), Value::Bool(true));
                out.insert(CONST_EXTENSION.into(), Value::Null);
                self.moved(&child_pointer(new, CONST_EXTENSION), &old_key);
                return;
            }
        };
        if !map.contains_key("type") {
            out.insert("type".into(), json!(kind));
            self.moved(&child_pointer(new, "type"), &old_key);
        }
        if value.is_string() && !map.contains_key("enum") {
            out.insert("enum".into(), json!([value]));
            self.moved(&child_pointer(new, "enum"), &old_key);
        }
        out.insert(CONST_EXTENSION.into(), value.clone());
        self.moved(&child_pointer(new, CONST_EXTENSION), &old_key);
    }

    /// A schema's `examples` list: the first is 3.0's `example`, and all ride along.
    fn schema_examples(&mut self, value: &Value, new: &str, old: &str, out: &mut Map<String, Value>) {
        let old_key = child_pointer(old, "examples");
        let Value::Array(list) = value else {
            self.warn(
                &old_key,
                "a schema's `examples` is a list of values; this one is read as no examples".into(),
                "write `examples: [value, …]`",
            );
            return;
        };
        if let Some(first) = list.first() {
            if !out.contains_key("example") {
                out.insert("example".into(), first.clone());
                self.moved(&child_pointer(new, "example"), &child_pointer(&old_key, "0"));
            }
        }
        out.insert(EXAMPLES_EXTENSION.into(), value.clone());
        self.moved(&child_pointer(new, EXAMPLES_EXTENSION), &old_key);
    }

    /// A map whose keys follow patterns: a map of the one value schema. Several patterns
    /// must agree on it; keys outside the patterns are not rejected.
    fn pattern_properties(
        &mut self,
        map: &Map<String, Value>,
        value: &Value,
        new: &str,
        old: &str,
        out: &mut Map<String, Value>,
    ) {
        let here_old = child_pointer(old, "patternProperties");
        let Value::Object(patterns) = value else {
            self.error(
                &here_old,
                "`patternProperties` must be a map from key patterns to schemas".into(),
                "write `patternProperties: {\"^x-\": {type: string}}`",
            );
            return;
        };
        let Some((first_pattern, schema)) = patterns.iter().next() else {
            return;
        };
        if let Some((other, _)) = patterns.iter().find(|(_, s)| *s != schema) {
            self.error(
                &child_pointer(&here_old, other),
                format!("patterns `{first_pattern}` and `{other}` give different value schemas; a generated map has one value type"),
                "give every pattern the same schema, or describe the members with `properties`",
            );
            return;
        }
        if map
            .get("additionalProperties")
            .is_some_and(|a| a != &Value::Bool(false))
        {
            self.error(
                &here_old,
                "`patternProperties` beside `additionalProperties` is not supported; a generated map has one value type".into(),
                "keep one of the two, or set `additionalProperties: false`",
            );
            return;
        }
        let value_new = child_pointer(new, "additionalProperties");
        let value_old = child_pointer(&here_old, first_pattern);
        self.moved(&value_new, &value_old);
        out.insert(
            "additionalProperties".into(),
            self.schema(schema, &value_new, &value_old),
        );
        let keys: Vec<Value> = patterns.keys().map(|k| json!(k)).collect();
        out.insert(PATTERNS_EXTENSION.into(), Value::Array(keys));
        self.moved(&child_pointer(new, PATTERNS_EXTENSION), &here_old);
        out.entry("type").or_insert_with(|| json!("object"));
    }

    /// `contentMediaType`/`contentEncoding` on a string: raw bytes are `format: binary`,
    /// base64 is `format: byte`; both ride along as written.
    fn content(&mut self, map: &Map<String, Value>, new: &str, old: &str, out: &mut Map<String, Value>) {
        if out.contains_key(CONTENT_MEDIA_TYPE_EXTENSION) || out.contains_key(CONTENT_ENCODING_EXTENSION) {
            return; // done at the first of the two keys
        }
        for (key, extension) in [
            ("contentMediaType", CONTENT_MEDIA_TYPE_EXTENSION),
            ("contentEncoding", CONTENT_ENCODING_EXTENSION),
        ] {
            if let Some(value) = map.get(key) {
                out.insert(extension.into(), value.clone());
                self.moved(&child_pointer(new, extension), &child_pointer(old, key));
            }
        }
        let encoding = map.get("contentEncoding").and_then(Value::as_str);
        let json_content = map
            .get("contentMediaType")
            .and_then(Value::as_str)
            .is_some_and(|media| crate::media_type::is_json_family(media, true));
        if map.contains_key("format") || json_content {
            return;
        }
        let format = match encoding {
            Some(e) if e.eq_ignore_ascii_case("base64") || e.eq_ignore_ascii_case("base64url") => "byte",
            _ => "binary",
        };
        out.insert("format".into(), json!(format));
    }
}

/// The pointer of a media type's schema, for tests.
#[cfg(test)]
fn media_schema(op: &str, media: &str) -> String {
    format!("{op}/requestBody/content/{}/schema", crate::diag::escape_segment(media))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn step(doc: Value) -> Step {
        upgrade(&doc)
    }

    #[test]
    fn tuple_const_and_examples_take_their_30_form_and_record_where_they_were() {
        let doc = json!({
            "openapi": "3.1.0",
            "info": {"title": "t", "version": "1", "summary": "s", "license": {"name": "MIT", "identifier": "MIT"}},
            "paths": {"/a": {"put": {"requestBody": {"content": {"application/json": {"schema": {
                "type": "array",
                "prefixItems": [{"type": "integer", "const": 200}, {"type": "object", "examples": [{}]}],
                "items": false
            }}}}}}}
        });
        let step = step(doc);
        let schema_ptr = media_schema("/paths/~1a/put", "application/json");
        let schema = step.document.pointer(&schema_ptr).unwrap();
        assert_eq!(schema["x-stubforge-tuple"][0]["x-stubforge-const"], json!(200));
        assert_eq!(schema["x-stubforge-tuple"][1]["example"], json!({}));
        assert!(schema.get("items").is_none());
        assert_eq!(
            step.moves.get(&format!("{schema_ptr}/x-stubforge-tuple")),
            Some(&format!("{schema_ptr}/prefixItems"))
        );
        assert_eq!(step.document.pointer("/info/x-stubforge-summary"), Some(&json!("s")));
        assert_eq!(
            step.document.pointer("/info/license/x-stubforge-license-identifier"),
            Some(&json!("MIT"))
        );
        assert!(step.warnings.is_empty() && step.errors.is_empty());
    }

    #[test]
    fn a_null_alternative_is_nullable_and_exclusive_bounds_are_30_booleans() {
        let doc = json!({
            "openapi": "3.1.0",
            "components": {"schemas": {
                "Maybe": {"oneOf": [{"$ref": "#/components/schemas/Other"}, {"type": "null"}]},
                "Positive": {"type": "number", "exclusiveMinimum": 0}
            }}
        });
        let step = step(doc);
        let maybe = step.document.pointer("/components/schemas/Maybe").unwrap();
        assert_eq!(
            maybe,
            &json!({"allOf": [{"$ref": "#/components/schemas/Other"}], "nullable": true})
        );
        let positive = step.document.pointer("/components/schemas/Positive").unwrap();
        assert_eq!(
            positive,
            &json!({"type": "number", "minimum": 0, "exclusiveMinimum": true})
        );
        assert_eq!(step.document.get("paths"), Some(&json!({})));
    }
}
