//! `stubforge export`: the definition as one standard OpenAPI document, for tools that
//! do not read the Matrix dialect or files split by `$ref` (validators, Swagger UI, Redoc,
//! schemathesis).
//!
//! It starts from the upgraded document (every file resolved into one, Swagger 2.0 and
//! the Matrix dialect already in the OpenAPI 3.0 shape, security schemes under
//! `components`) and writes what stubforge's own extensions say in standard keywords:
//! tuples (`x-stubforge-tuple`) and type lists (`x-stubforge-types`). For 3.1 the
//! 3.0-only keywords (`nullable`, boolean `exclusiveMinimum`) become 3.1's. Every
//! operation also lists the statuses the generated router answers by itself, with its
//! error body (the profile's: Matrix's `errcode` body, or an RFC 9457 problem), unless
//! the operation documents that status already (or a range or `default` covers it).

use serde_json::{Map, Value, json};

use crate::diag::{Diagnostic, child_pointer};
use crate::ir::Profile;
use crate::skip::METHODS;
use crate::upgrade::{COLLECTION_FORMAT, TUPLE_EXTENSION, TYPES_EXTENSION};

/// The OpenAPI version the export is written in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OpenApiVersion {
    /// OpenAPI 3.0.3.
    V30,
    /// OpenAPI 3.1.0.
    V31,
}

impl OpenApiVersion {
    fn number(self) -> &'static str {
        match self {
            OpenApiVersion::V30 => "3.0.3",
            OpenApiVersion::V31 => "3.1.0",
        }
    }
}

/// Keys whose values are data, not schemas: never rewritten.
const DATA_KEYS: &[&str] = &["example", "examples", "default", "enum", "const", "x-example"];
/// Keys whose values are maps from names to schemas.
const SCHEMA_MAPS: &[&str] = &["properties", "patternProperties", "schemas", "definitions", "$defs"];
/// Keys whose values map names (a status such as `default`, a media type, a header)
/// to other objects: their keys are no keywords either.
const NAME_MAPS: &[&str] = &[
    "paths",
    "responses",
    "content",
    "headers",
    "encoding",
    "requestBodies",
    "parameters",
    "securitySchemes",
    "callbacks",
    "links",
];

/// The standard document, and what the export could not write as asked.
pub struct Exported {
    pub document: Value,
    /// Warnings, each with the pointer (in the upgraded document) of what it is about.
    pub warnings: Vec<(String, Diagnostic)>,
}

/// The upgraded document written as a standard one.
pub fn standard_document(mut document: Value, version: OpenApiVersion, profile: Profile) -> Exported {
    let error_schema = router_error_schema_name(&document);
    let mut warnings = Vec::new();
    if let Value::Object(root) = &mut document {
        root.insert("openapi".into(), json!(version.number()));
        document_router_answers(root, &error_schema, profile);
        warnings.extend(query_templates_out_of_path_keys(root));
    }
    standardise(&mut document, version, Keys::Keywords);
    if let Some(Value::Object(components)) = document.get_mut("components") {
        let renames = standard_component_names(components);
        if !renames.is_empty() {
            retarget_refs(&mut document, &renames);
        }
    }
    Exported { document, warnings }
}

/// A path key's `name={param}` query members (see `query_in_paths`): their parameters
/// are query parameters named `name` by now, and tools would read the braces as a path
/// parameter that no parameter fills. The members leave the key; fixed ones (`op=LIST`)
/// stay. A key that would then clash with another is kept as written, with a warning.
fn query_templates_out_of_path_keys(root: &mut Map<String, Value>) -> Vec<(String, Diagnostic)> {
    let mut warnings = Vec::new();
    let Some(Value::Object(paths)) = root.get_mut("paths") else {
        return warnings;
    };
    let written: Vec<String> = paths.keys().cloned().collect();
    for (key, item) in std::mem::take(paths) {
        let bare = without_query_templates(&key);
        let clashes = bare != key && (written.contains(&bare) || paths.contains_key(&bare));
        if clashes {
            warnings.push((child_pointer("/paths", &key), kept_path_key(&key, &bare)));
        }
        paths.insert(if clashes { key } else { bare }, item);
    }
    warnings
}

/// Tools read a kept key's braces as a path parameter that no parameter fills.
fn kept_path_key(key: &str, bare: &str) -> Diagnostic {
    Diagnostic::warning(format!(
        "the path `{key}` is exported as written, its `name={{parameter}}` query members included: \
         without them it would be `{bare}`, the same as another path of this definition"
    ))
    .help(
        "the generated crate is not affected; validators may read the braces as a path parameter \
         that no parameter fills. A fixed query member (`?action=export`) in one of the two keys sets them apart",
    )
}

/// `/export?op=RUN&name={name}#x` → `/export?op=RUN#x`.
fn without_query_templates(key: &str) -> String {
    let Some((path, rest)) = key.split_once('?') else {
        return key.to_string();
    };
    let (query, fragment) = rest.split_once('#').map_or((rest, None), |(q, f)| (q, Some(f)));
    let kept: Vec<&str> = query
        .split('&')
        .filter(|member| {
            let braced = member
                .split_once('=')
                .is_some_and(|(_, value)| value.starts_with('{') && value.ends_with('}'));
            !braced
        })
        .collect();
    let mut out = path.to_string();
    if kept.iter().any(|member| !member.is_empty()) {
        out.push('?');
        out.push_str(&kept.join("&"));
    }
    if let Some(fragment) = fragment {
        out.push('#');
        out.push_str(fragment);
    }
    out
}

/// Component names OpenAPI allows (`^[a-zA-Z0-9._-]+$`): a Matrix schema named by its
/// title (`Leave Event`) or by a file path gets its other characters as `_`, numbered on
/// a clash. Returns old reference → new reference.
fn standard_component_names(components: &mut Map<String, Value>) -> Vec<(String, String)> {
    let allowed = |c: char| c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-');
    let mut renames = Vec::new();
    for (section, entries) in components.iter_mut() {
        let Value::Object(entries) = entries else { continue };
        if entries.keys().all(|k| !k.is_empty() && k.chars().all(allowed)) {
            continue;
        }
        let old = std::mem::take(entries);
        for (name, value) in old {
            let mut new_name: String = name.chars().map(|c| if allowed(c) { c } else { '_' }).collect();
            if new_name.is_empty() {
                new_name.push('_');
            }
            if new_name != name {
                let base = new_name.clone();
                let mut n = 2;
                while entries.contains_key(&new_name) {
                    new_name = format!("{base}_{n}");
                    n += 1;
                }
                let from = format!("#/components/{section}/{}", pointer_escape(&name));
                renames.push((from, format!("#/components/{section}/{new_name}")));
            }
            entries.insert(new_name, value);
        }
    }
    renames
}

fn pointer_escape(segment: &str) -> String {
    segment.replace('~', "~0").replace('/', "~1")
}

/// Points every `$ref` at the renamed components (a ref may go inside one).
fn retarget_refs(value: &mut Value, renames: &[(String, String)]) {
    match value {
        Value::Object(map) => {
            if let Some(Value::String(target)) = map.get_mut("$ref") {
                for (from, to) in renames {
                    let inside = target
                        .strip_prefix(from.as_str())
                        .filter(|rest| rest.is_empty() || rest.starts_with('/'));
                    if let Some(rest) = inside {
                        *target = format!("{to}{rest}");
                        break;
                    }
                }
            }
            map.values_mut().for_each(|child| retarget_refs(child, renames));
        }
        Value::Array(items) => items.iter_mut().for_each(|child| retarget_refs(child, renames)),
        _ => {}
    }
}

/// What the keys of an object are.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Keys {
    /// Keywords (of a schema, an operation, …).
    Keywords,
    /// Names of schemas.
    SchemaNames,
    /// Other names: statuses, media types, paths.
    Names,
}

/// Rewrites stubforge's extensions below `value`, whose keys are `keys`.
fn standardise(value: &mut Value, version: OpenApiVersion, keys: Keys) {
    match value {
        Value::Object(map) => {
            if keys == Keys::Keywords {
                rewrite_keywords(map, version);
            }
            for (key, child) in map.iter_mut() {
                let child_keys = match keys {
                    Keys::Keywords if DATA_KEYS.contains(&key.as_str()) => continue,
                    Keys::Keywords if SCHEMA_MAPS.contains(&key.as_str()) => Keys::SchemaNames,
                    Keys::Keywords if NAME_MAPS.contains(&key.as_str()) => Keys::Names,
                    _ => Keys::Keywords,
                };
                // A schema left empty (`name:` with no value in YAML) reads as any value.
                if keys == Keys::SchemaNames && child.is_null() {
                    *child = json!({});
                }
                standardise(child, version, child_keys);
            }
        }
        Value::Array(items) => {
            for item in items {
                standardise(item, version, Keys::Keywords);
            }
        }
        _ => {}
    }
}

/// One object's own keywords.
fn rewrite_keywords(map: &mut Map<String, Value>, version: OpenApiVersion) {
    map.remove(COLLECTION_FORMAT);
    // A value listed twice is one variant of the generated enum; the standard wants each once.
    if let Some(Value::Array(values)) = map.get_mut("enum") {
        let mut seen = Vec::with_capacity(values.len());
        values.retain(|value| {
            let first = !seen.contains(value);
            if first {
                seen.push(value.clone());
            }
            first
        });
    }
    map.remove("x-stubforge-openapi");
    // The patterns' schemas are already in `additionalProperties`, which is what the
    // generated types read.
    map.remove("x-stubforge-pattern-properties");
    // What a 3.1 input said that 3.0 cannot: said again in 3.1, left out (or said as
    // near as 3.0 can) in 3.0.
    let v31 = version == OpenApiVersion::V31;
    for (extension, keyword) in [
        ("x-stubforge-summary", "summary"),
        ("x-stubforge-license-identifier", "identifier"),
        ("x-stubforge-json-schema-dialect", "jsonSchemaDialect"),
        ("x-stubforge-content-media-type", "contentMediaType"),
        ("x-stubforge-content-encoding", "contentEncoding"),
    ] {
        if let Some(value) = map.remove(extension) {
            if v31 {
                map.insert(keyword.into(), value);
            }
        }
    }
    if let Some(value) = map.remove("x-stubforge-const") {
        if v31 {
            map.insert("const".into(), value);
        } else {
            map.insert("enum".into(), Value::Array(vec![value]));
        }
    }
    if let Some(Value::Array(examples)) = map.remove("x-stubforge-examples") {
        // A schema's `examples` is a list; a media type's or parameter's (which have a
        // `schema`) is a map of example objects, so the first is its `example` there.
        if v31 && !map.contains_key("schema") {
            map.insert("examples".into(), Value::Array(examples));
        } else if let Some(first) = examples.into_iter().next() {
            map.entry("example").or_insert(first);
        }
    }
    // No keyword takes `null` (a YAML slip such as `{description: a, b}` makes a key
    // `b` with no value, which stubforge ignores); data is not rewritten here.
    map.retain(|_, value| !value.is_null());
    // Swagger 2.0's file type: bytes, as 3.0 says it.
    if map.get("type").is_some_and(|t| t == "file") {
        map.insert("type".into(), json!("string"));
        map.insert("format".into(), json!("binary"));
    }
    if let Some(Value::Array(tuple)) = map.remove(TUPLE_EXTENSION) {
        let length = json!(tuple.len());
        map.insert("minItems".into(), length.clone());
        map.insert("maxItems".into(), length);
        match version {
            OpenApiVersion::V31 => {
                map.insert("prefixItems".into(), Value::Array(tuple));
            }
            // 3.0 has no positions: each item is one of the tuple's schemas.
            OpenApiVersion::V30 => {
                map.insert("items".into(), json!({ "anyOf": tuple }));
            }
        }
    }
    if let Some(Value::Array(types)) = map.remove(TYPES_EXTENSION) {
        match version {
            OpenApiVersion::V31 => {
                map.insert("type".into(), Value::Array(types));
            }
            OpenApiVersion::V30 => {
                let alternatives: Vec<Value> = types.into_iter().map(|t| json!({ "type": t })).collect();
                map.insert("anyOf".into(), Value::Array(alternatives));
            }
        }
    }
    integer_bounds(map);
    if version == OpenApiVersion::V31 {
        to_31_keywords(map);
    }
    // A type listed twice (`[string, string]`) says it once.
    if let Some(Value::Array(names)) = map.get_mut("type") {
        let mut seen = Vec::new();
        names.retain(|n| {
            let first = !seen.contains(n);
            seen.push(n.clone());
            first
        });
    }
}

/// An integer's bounds as the generated Rust type has them (`i64` unless the format
/// names another), where the definition's own are wider or missing: the router refuses
/// what the type cannot hold.
fn integer_bounds(map: &mut Map<String, Value>) {
    if map.get("type").and_then(Value::as_str) != Some("integer") {
        return;
    }
    let (low, high): (Value, Value) = match map.get("format").and_then(Value::as_str).unwrap_or("") {
        "int8" => (i8::MIN.into(), i8::MAX.into()),
        "int16" => (i16::MIN.into(), i16::MAX.into()),
        "int32" => (i32::MIN.into(), i32::MAX.into()),
        "uint8" => (0.into(), u8::MAX.into()),
        "uint16" => (0.into(), u16::MAX.into()),
        "uint32" => (0.into(), u32::MAX.into()),
        "uint64" => (0.into(), u64::MAX.into()),
        _ => (i64::MIN.into(), i64::MAX.into()),
    };
    let (floor, ceiling) = (low.as_f64().unwrap_or(0.0), high.as_f64().unwrap_or(0.0));
    let below = map.get("minimum").is_none_or(|m| m.as_f64().is_none_or(|m| m < floor));
    if below {
        map.insert("minimum".into(), low);
        map.remove("exclusiveMinimum");
    }
    let above = map
        .get("maximum")
        .is_none_or(|m| m.as_f64().is_none_or(|m| m > ceiling));
    if above {
        map.insert("maximum".into(), high);
        map.remove("exclusiveMaximum");
    }
}

/// 3.0's `nullable` and boolean exclusive bounds, in 3.1's words.
fn to_31_keywords(map: &mut Map<String, Value>) {
    for (flag, bound) in [("exclusiveMinimum", "minimum"), ("exclusiveMaximum", "maximum")] {
        if let Some(Value::Bool(exclusive)) = map.get(flag).cloned() {
            map.remove(flag);
            if exclusive {
                if let Some(limit) = map.remove(bound) {
                    map.insert(flag.into(), limit);
                }
            }
        }
    }
    if let Some(Value::Bool(nullable)) = map.get("nullable").cloned() {
        map.remove("nullable");
        if !nullable {
            return;
        }
        match map.get_mut("type") {
            Some(Value::String(name)) => {
                let name = name.clone();
                map.insert("type".into(), json!([name, "null"]));
            }
            Some(Value::Array(names)) => {
                if !names.iter().any(|n| n == "null") {
                    names.push(json!("null"));
                }
            }
            _ => {
                let schema = std::mem::take(map);
                map.insert("anyOf".into(), json!([Value::Object(schema), { "type": "null" }]));
            }
        }
        if let Some(Value::Array(values)) = map.get_mut("enum") {
            if !values.contains(&Value::Null) {
                values.push(Value::Null);
            }
        }
    }
}

/// A status the router answers by itself, and when.
struct RouterAnswer {
    status: &'static str,
    description: &'static str,
    /// The `errcode`s a Matrix-profile router sends with it.
    matrix_codes: &'static str,
    applies: fn(&OperationShape) -> bool,
}

/// What decides which of the router's own answers an operation can get.
struct OperationShape {
    has_parameters: bool,
    has_body: bool,
    requires_credentials: bool,
}

const ROUTER_ANSWERS: &[RouterAnswer] = &[
    RouterAnswer {
        status: "400",
        description: "Answered by the router: a parameter is missing or invalid, or the body is not JSON or does not fit its schema.",
        matrix_codes: "M_MISSING_PARAM, M_INVALID_PARAM, M_NOT_JSON, M_BAD_JSON",
        applies: |op| op.has_parameters || op.has_body,
    },
    RouterAnswer {
        status: "401",
        description: "Answered by the router: no credentials were sent, or the server's authentication refused them.",
        matrix_codes: "M_UNAUTHORIZED",
        applies: |op| op.requires_credentials,
    },
    RouterAnswer {
        status: "403",
        description: "Answered by the router when the server's authentication refuses the credentials.",
        matrix_codes: "M_FORBIDDEN",
        applies: |op| op.requires_credentials,
    },
    RouterAnswer {
        status: "408",
        description: "Answered by the router: the body did not arrive within the body timeout; the connection is then closed.",
        matrix_codes: "M_UNKNOWN",
        applies: |op| op.has_body,
    },
    RouterAnswer {
        status: "413",
        description: "Answered by the router: the body is over the size limit.",
        matrix_codes: "M_TOO_LARGE",
        applies: |op| op.has_body,
    },
    RouterAnswer {
        status: "415",
        description: "Answered by the router: the body's Content-Type is not one the operation declares.",
        matrix_codes: "M_NOT_JSON",
        applies: |op| op.has_body,
    },
    RouterAnswer {
        status: "500",
        description: "Answered by the router: the handler failed.",
        matrix_codes: "M_UNKNOWN",
        applies: |_| true,
    },
    RouterAnswer {
        status: "503",
        description: "Answered by the router: too many body bytes are held by requests in progress.",
        matrix_codes: "M_LIMIT_EXCEEDED",
        applies: |op| op.has_body,
    },
];

/// The answers the router gives for no operation, documented in `components.responses`.
const UNROUTED_ANSWERS: &[(&str, &str)] = &[
    (
        "RouterNotFound",
        "Answered by the router for a path the API does not have (404).",
    ),
    (
        "RouterMethodNotAllowed",
        "Answered by the router for a method a path does not have (405).",
    ),
];

/// The Matrix code of the two unrouted answers.
const UNROUTED_MATRIX_CODE: &str = "M_UNRECOGNIZED";

/// A name for the router's error body that no schema of the definition has.
fn router_error_schema_name(document: &Value) -> String {
    let taken = |name: &str| document.pointer(&format!("/components/schemas/{name}")).is_some();
    let mut name = "RouterError".to_string();
    let mut n = 2;
    while taken(&name) {
        name = format!("RouterError{n}");
        n += 1;
    }
    name
}

/// Adds the router's own answers to every operation, and their body to the components;
/// 404 and 405, which belong to no operation, are documented in `components.responses`.
/// The body is the profile's: Matrix's `{"errcode", "error"}`, or RFC 9457's problem.
fn document_router_answers(root: &mut Map<String, Value>, error_schema: &str, profile: Profile) {
    let global_security = root.get("security").cloned();
    let reference = json!({ "$ref": format!("#/components/schemas/{error_schema}") });
    let media_type = match profile {
        Profile::Matrix => "application/json",
        Profile::Standard => "application/problem+json",
    };
    let answer = |description: &str, matrix_codes: &str| {
        let description = match profile {
            Profile::Matrix => format!("{description} Matrix error codes: {matrix_codes}."),
            Profile::Standard => description.to_string(),
        };
        json!({
            "description": description,
            "content": { media_type: { "schema": reference.clone() } },
        })
    };
    if let Some(Value::Object(paths)) = root.get_mut("paths") {
        for item in paths.values_mut() {
            let Value::Object(item) = item else { continue };
            let path_parameters = item.get("parameters").is_some_and(non_empty);
            for (method, operation) in item.iter_mut() {
                if !METHODS.contains(&method.as_str()) {
                    continue;
                }
                let Value::Object(operation) = operation else { continue };
                let security = operation.get("security").or(global_security.as_ref());
                let shape = OperationShape {
                    has_parameters: path_parameters || operation.get("parameters").is_some_and(non_empty),
                    has_body: operation.contains_key("requestBody"),
                    requires_credentials: security.is_some_and(requires_credentials),
                };
                let Some(Value::Object(responses)) = operation.get_mut("responses") else {
                    continue;
                };
                for router in ROUTER_ANSWERS.iter().filter(|r| (r.applies)(&shape)) {
                    if !covered(responses, router.status) {
                        responses.insert(router.status.into(), answer(router.description, router.matrix_codes));
                    }
                }
            }
        }
    }
    let components = root.entry("components").or_insert_with(|| Value::Object(Map::new()));
    if let Value::Object(components) = components {
        if let Value::Object(schemas) = components.entry("schemas").or_insert_with(|| Value::Object(Map::new())) {
            schemas.insert(error_schema.into(), router_error_schema(profile));
        }
        if let Value::Object(responses) = components
            .entry("responses")
            .or_insert_with(|| Value::Object(Map::new()))
        {
            for (name, description) in UNROUTED_ANSWERS {
                if !responses.contains_key(*name) {
                    responses.insert((*name).into(), answer(description, UNROUTED_MATRIX_CODE));
                }
            }
        }
    }
}

/// The body of every answer the router gives by itself (by the default `error_response`).
fn router_error_schema(profile: Profile) -> Value {
    match profile {
        Profile::Matrix => json!({
            "type": "object",
            "description": "The error body of the answers the router gives by itself.",
            "required": ["errcode", "error"],
            "properties": {
                "errcode": { "type": "string", "description": "A Matrix error code (`M_BAD_JSON`)." },
                "error": { "type": "string", "description": "What went wrong, for people." },
            },
        }),
        Profile::Standard => json!({
            "type": "object",
            "description": "The error body of the answers the router gives by itself: an RFC 9457 problem.",
            "required": ["type", "title", "status", "detail"],
            "properties": {
                "type": { "type": "string", "description": "`about:blank`: the status says what kind of problem it is." },
                "title": { "type": "string", "description": "The status's reason phrase (`Bad Request`)." },
                "status": { "type": "integer", "minimum": 100, "maximum": 599, "description": "The HTTP status." },
                "detail": { "type": "string", "description": "What went wrong, for people." },
            },
        }),
    }
}

fn non_empty(value: &Value) -> bool {
    value.as_array().is_some_and(|items| !items.is_empty())
}

/// Whether a `security` list asks for credentials: it is not empty and has no `{}`.
fn requires_credentials(security: &Value) -> bool {
    security
        .as_array()
        .is_some_and(|alternatives| !alternatives.is_empty() && alternatives.iter().all(|a| a != &json!({})))
}

/// Whether an operation's responses already say what `status` answers.
fn covered(responses: &Map<String, Value>, status: &str) -> bool {
    let range = format!("{}XX", &status[..1]);
    responses.contains_key(status) || responses.contains_key(&range) || responses.contains_key("default")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn query_templates_leave_path_keys_fixed_members_stay() {
        let document = json!({ "paths": {
            "/jobs?op=REDRIVE&queue={queue}": { "post": {} },
            "/export?filename={filename}": { "get": {} },
            "/current?city={city}": { "get": {} },
            "/current": { "get": {} },
        }});
        let exported = standard_document(document, OpenApiVersion::V30, Profile::Standard);
        let keys: Vec<&String> = exported.document["paths"].as_object().unwrap().keys().collect();
        assert_eq!(
            keys,
            ["/jobs?op=REDRIVE", "/export", "/current?city={city}", "/current"]
        );
        // Only the key kept as written is warned about, at its path item.
        let warned: Vec<&str> = exported.warnings.iter().map(|(pointer, _)| pointer.as_str()).collect();
        assert_eq!(warned, ["/paths/~1current?city={city}"]);
    }

    #[test]
    fn a_tuple_becomes_prefix_items_in_31_and_any_of_in_30() {
        let document = json!({
            "components": { "schemas": { "Pair": { "type": "array", TUPLE_EXTENSION: [{ "type": "string" }, { "type": "object" }] } } }
        });
        let v31 = standard_document(document.clone(), OpenApiVersion::V31, Profile::Matrix).document;
        let pair = &v31["components"]["schemas"]["Pair"];
        assert_eq!(pair["prefixItems"], json!([{ "type": "string" }, { "type": "object" }]));
        assert_eq!(
            (pair["minItems"].clone(), pair["maxItems"].clone()),
            (json!(2), json!(2))
        );
        let v30 = standard_document(document, OpenApiVersion::V30, Profile::Matrix).document;
        let pair = &v30["components"]["schemas"]["Pair"];
        assert_eq!(
            pair["items"],
            json!({ "anyOf": [{ "type": "string" }, { "type": "object" }] })
        );
        assert!(pair.get(TUPLE_EXTENSION).is_none());
    }

    #[test]
    fn examples_and_properties_named_like_keywords_are_left_alone() {
        let document = json!({
            "components": { "schemas": { "Flag": {
                "type": "object",
                "properties": { "nullable": { "type": "boolean", "nullable": true } },
                "example": { "nullable": true, TUPLE_EXTENSION: [] },
            } } }
        });
        let out = standard_document(document, OpenApiVersion::V31, Profile::Matrix).document;
        let flag = &out["components"]["schemas"]["Flag"];
        assert_eq!(flag["properties"]["nullable"], json!({ "type": ["boolean", "null"] }));
        assert_eq!(flag["example"], json!({ "nullable": true, TUPLE_EXTENSION: [] }));
    }

    #[test]
    fn a_default_response_and_a_property_named_default_are_rewritten() {
        let nullable = json!({ "type": "string", "nullable": true });
        let document = json!({ "paths": { "/a": { "get": { "responses": { "default": {
            "description": "any",
            "content": { "application/json": { "schema": {
                "type": "object",
                "properties": { "default": nullable.clone(), "example": nullable },
            } } },
        } } } } } });
        let out = standard_document(document, OpenApiVersion::V31, Profile::Matrix).document;
        let schema = &out["paths"]["/a"]["get"]["responses"]["default"]["content"]["application/json"]["schema"];
        for name in ["default", "example"] {
            assert_eq!(
                schema["properties"][name]["type"],
                json!(["string", "null"]),
                "{schema}"
            );
        }
    }

    #[test]
    fn an_operation_gets_the_router_answers_it_does_not_document() {
        let document = json!({
            "security": [{ "key": [] }],
            "paths": { "/things/{id}": {
                "parameters": [{ "name": "id", "in": "path", "required": true, "schema": { "type": "string" } }],
                "get": { "responses": { "200": { "description": "ok" }, "4XX": { "description": "theirs" } } },
                "put": { "security": [{}], "requestBody": {}, "responses": { "default": { "description": "any" } } },
                "post": { "security": [], "requestBody": {}, "responses": { "200": { "description": "ok" } } },
            } }
        });
        let out = standard_document(document, OpenApiVersion::V30, Profile::Matrix).document;
        let statuses = |method: &str| -> Vec<String> {
            out["paths"]["/things/{id}"][method]["responses"]
                .as_object()
                .unwrap()
                .keys()
                .cloned()
                .collect()
        };
        assert_eq!(statuses("get"), ["200", "4XX", "500"]);
        assert_eq!(statuses("put"), ["default"]);
        assert_eq!(statuses("post"), ["200", "400", "408", "413", "415", "500", "503"]);
        assert_eq!(
            out["components"]["schemas"]["RouterError"]["required"],
            json!(["errcode", "error"])
        );
    }

    #[test]
    fn a_standard_api_documents_problem_bodies_without_matrix_codes() {
        let document = json!({ "paths": { "/things": {
            "post": { "requestBody": {}, "responses": { "201": { "description": "made" } } },
        } } });
        let out = standard_document(document, OpenApiVersion::V31, Profile::Standard).document;
        let bad = &out["paths"]["/things"]["post"]["responses"]["400"];
        assert_eq!(
            bad["content"]["application/problem+json"]["schema"]["$ref"],
            "#/components/schemas/RouterError"
        );
        assert!(bad["content"].get("application/json").is_none(), "{bad}");
        let error = &out["components"]["schemas"]["RouterError"];
        assert_eq!(error["required"], json!(["type", "title", "status", "detail"]));
        let text = out.to_string();
        assert!(!text.contains("M_") && !text.contains("errcode"), "{text}");
        let not_found = &out["components"]["responses"]["RouterNotFound"];
        assert!(
            not_found["content"]["application/problem+json"].is_object(),
            "{not_found}"
        );
    }
}
