//! Stage `upgrade`: turns a Swagger 2.0 document into OpenAPI 3.0 and reads it into the
//! `openapiv3` model. OpenAPI 3.0 input skips the conversion but gets the same schema
//! normalisation, so both dialects reach `check` in one shape. OpenAPI 3.1 input is first
//! written in the 3.0 shape by `upgrade31`, then normalised as 3.0 is.
//!
//! What 3.0 cannot say rides along as extensions:
//! - `x-stubforge-tuple`: the item schemas of a fixed-length tuple (`items: [..]`).
//! - `x-stubforge-types`: the member types of a `type: [a, b]` list (without `null`).
//! - `x-stubforge-collection-format`: a 2.0 parameter's `collectionFormat` (`csv` for an
//!   array that names none).
//!
//! Each moved node is recorded (new pointer → resolved pointer) so that diagnostics about
//! the upgraded document still point at the user's file and line.

use std::collections::BTreeMap;

use serde_json::{Map, Value, json};

use crate::diag::{Diagnostic, child_pointer, pointer_prefixes};
use crate::load::{FileId, Sources};
use crate::skip::METHODS;

pub const TUPLE_EXTENSION: &str = "x-stubforge-tuple";
pub const TYPES_EXTENSION: &str = "x-stubforge-types";
/// A 2.0 parameter's `collectionFormat` (`csv` when an array says none), which 3.0's
/// `style` cannot always say (`tsv`, or `ssv` in a header).
pub const COLLECTION_FORMAT: &str = "x-stubforge-collection-format";

/// Which input language a document is written in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Dialect {
    Swagger2,
    OpenApi30,
    /// Rewritten into the 3.0 shape by `upgrade31` first.
    OpenApi31,
}

/// Reads the version field; anything but Swagger 2.0 and OpenAPI 3.0.x is refused.
pub fn dialect(sources: &Sources, root: FileId) -> Result<Dialect, Diagnostic> {
    let document = &sources.file(root).value;
    let located = |pointer: &str, d: Diagnostic| d.at(sources.locate(root, pointer));
    let supported = "stubforge reads Swagger 2.0 (`swagger: \"2.0\"`), OpenAPI 3.0.x (`openapi: 3.0.3`) and 3.1.x (`openapi: 3.1.1`)";
    let text = |v: &Value| match v {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    };
    if let Some(v) = document.get("swagger") {
        return match text(v).as_str() {
            "2.0" => Ok(Dialect::Swagger2),
            other => Err(located(
                "/swagger",
                Diagnostic::error(format!("Swagger version `{other}` is not supported")).help(supported),
            )),
        };
    }
    if let Some(v) = document.get("openapi") {
        let version = text(v);
        return if version.starts_with("3.0") {
            Ok(Dialect::OpenApi30)
        } else if crate::upgrade31::is_openapi_31(document) {
            Ok(Dialect::OpenApi31)
        } else {
            Err(located(
                "/openapi",
                Diagnostic::error(format!("OpenAPI version `{version}` is not supported")).help(supported),
            ))
        };
    }
    Err(located(
        "",
        Diagnostic::error("the document has neither a `swagger` nor an `openapi` version field")
            .help(format!("{supported}; add the version field at the top")),
    ))
}

/// The upgraded document and how its pointers map back to the resolved document.
#[derive(Debug)]
pub struct Upgraded {
    pub document: Value,
    /// Upgraded pointer → resolved pointer, for moved subtrees (longest prefix wins).
    moves: BTreeMap<String, String>,
    /// Paths given a leading `/`: new path pointer → the path's pointer as written. Applied
    /// after `moves`, which are recorded in terms of the renamed paths.
    renamed_paths: BTreeMap<String, String>,
    /// Status ranges written in lowercase (`4xx`), which the model reads as `4XX`: new
    /// pointer → the pointer as written. Applied between `moves` and `renamed_paths`.
    renamed_ranges: BTreeMap<String, String>,
    /// Findings that do not stop generation, with resolved pointers.
    pub warnings: Vec<(String, Diagnostic)>,
    /// Errors, with resolved pointers.
    pub errors: Vec<(String, Diagnostic)>,
}

impl Upgraded {
    /// The resolved-document pointer of an upgraded-document pointer.
    pub fn resolved_pointer(&self, pointer: &str) -> String {
        let moved = longest_prefix_mapped(&self.moves, pointer);
        let ranged = longest_prefix_mapped(&self.renamed_ranges, &moved);
        longest_prefix_mapped(&self.renamed_paths, &ranged)
    }
}

/// `pointer` with its longest prefix found in `map` replaced by what it maps to.
fn longest_prefix_mapped(map: &BTreeMap<String, String>, pointer: &str) -> String {
    for prefix in pointer_prefixes(pointer) {
        if let Some(old) = map.get(prefix) {
            return format!("{old}{}", &pointer[prefix.len()..]);
        }
    }
    pointer.to_string()
}

/// Takes the resolved document by value: paths and schemas are rewritten in place, so that
/// no second copy of a large definition is held while upgrading.
pub fn upgrade(document: Value, dialect: Dialect) -> Upgraded {
    let mut up = Upgrader {
        dialect,
        moves: BTreeMap::new(),
        warnings: Vec::new(),
        errors: Vec::new(),
    };
    up.errors.extend(unknown_statuses(&document));
    let (document, mut renamed_paths) = up.rooted_paths(document);
    let (document, renamed_ranges) = ranges_in_capitals(document);
    let document = match dialect {
        Dialect::Swagger2 => up.swagger(&document),
        Dialect::OpenApi30 => up.openapi(document),
        Dialect::OpenApi31 => up.openapi31(&document),
    };
    let mut document = document;
    if dialect == Dialect::OpenApi30 {
        let constant = crate::constant_path_params::read_as_text(&mut document);
        up.moves.extend(constant.moves);
        up.warnings.extend(constant.warnings);
        for (new, old) in constant.renamed_paths {
            let written = renamed_paths.remove(&old).unwrap_or(old);
            renamed_paths.insert(new, written);
        }
    }
    up.warnings.extend(crate::query_in_paths::move_to_query(&mut document));
    // Messages name nodes as the user wrote them, before any path got its leading `/`.
    for (pointer, _) in up.warnings.iter_mut().chain(up.errors.iter_mut()) {
        if dialect == Dialect::OpenApi31 {
            *pointer = longest_prefix_mapped(&renamed_paths, pointer);
        }
    }
    Upgraded {
        document,
        moves: up.moves,
        renamed_paths,
        renamed_ranges,
        warnings: up.warnings,
        errors: up.errors,
    }
}

struct Upgrader {
    dialect: Dialect,
    moves: BTreeMap<String, String>,
    warnings: Vec<(String, Diagnostic)>,
    errors: Vec<(String, Diagnostic)>,
}

impl Upgrader {
    fn moved(&mut self, new: &str, old: &str) {
        if new != old {
            self.moves.insert(new.to_string(), old.to_string());
        }
    }

    /// Paths (and a Swagger `basePath`) written without their leading `/` get one, with a
    /// warning: the `openapiv3` model would drop such a path without a word, and axum
    /// cannot route it. A path that would then clash with one already written is an error.
    fn rooted_paths(&mut self, mut doc: Value) -> (Value, BTreeMap<String, String>) {
        let mut renamed = BTreeMap::new();
        if let Some(Value::String(base)) = doc.get_mut("basePath") {
            if !base.is_empty() && !base.starts_with('/') {
                let rooted = format!("/{base}");
                self.warnings.push((
                    "/basePath".to_string(),
                    Diagnostic::warning(format!(
                        "basePath `{base}` has no leading `/`; the API is served under `{rooted}`"
                    ))
                    .help(format!("write `basePath: {rooted}` to say so")),
                ));
                *base = rooted;
            }
        }
        let Some(Value::Object(paths)) = doc.get_mut("paths") else {
            return (doc, renamed);
        };
        let unrooted = |key: &String| !key.starts_with('/') && !key.starts_with("x-");
        if !paths.keys().any(unrooted) {
            return (doc, renamed);
        }
        let written: std::collections::BTreeSet<String> = paths.keys().cloned().collect();
        let mut rooted = Map::new();
        for (path, item) in std::mem::take(paths) {
            if !unrooted(&path) {
                rooted.insert(path, item);
                continue;
            }
            let old = child_pointer("/paths", &path);
            let new_path = format!("/{path}");
            if written.contains(&new_path) {
                self.errors.push((
                    old,
                    Diagnostic::error(format!(
                        "path `{path}` has no leading `/`, and `{new_path}` is also defined"
                    ))
                    .help("remove one of the two, or merge their operations"),
                ));
                continue;
            }
            self.warnings.push((
                old.clone(),
                Diagnostic::warning(format!(
                    "path `{path}` has no leading `/`; it is served at `{new_path}`"
                ))
                .help(format!("write the path as `{new_path}` to say so")),
            ));
            renamed.insert(child_pointer("/paths", &new_path), old);
            rooted.insert(new_path, item);
        }
        *paths = rooted;
        (doc, renamed)
    }

    fn swagger(&mut self, doc: &Value) -> Value {
        let mut out = Map::new();
        out.insert("openapi".into(), json!("3.0.3"));
        for key in ["info", "tags", "externalDocs", "security"] {
            if let Some(v) = doc.get(key) {
                out.insert(key.into(), v.clone());
            }
        }
        copy_extensions(doc, &mut out);

        let base_path = doc.get("basePath").and_then(Value::as_str).unwrap_or("");
        let url = match doc.get("host").and_then(Value::as_str) {
            Some(host) => {
                let scheme = doc.pointer("/schemes/0").and_then(Value::as_str).unwrap_or("https");
                format!("{scheme}://{host}{base_path}")
            }
            None if base_path.is_empty() => "/".to_string(),
            None => base_path.to_string(),
        };
        out.insert("servers".into(), json!([{ "url": url }]));
        self.moved("/servers", "/basePath");

        let consumes = media_types(doc.get("consumes"));
        let produces = media_types(doc.get("produces"));

        let mut components = Map::new();
        if let Some(Value::Object(defs)) = doc.get("definitions") {
            let mut schemas = Map::new();
            for (name, schema) in defs {
                let old = child_pointer("/definitions", name);
                let new = child_pointer("/components/schemas", name);
                self.moved(&new, &old);
                schemas.insert(name.clone(), self.schema(schema, &old));
            }
            components.insert("schemas".into(), Value::Object(schemas));
        }
        if let Some(Value::Object(defs)) = doc.get("securityDefinitions") {
            let mut schemes = Map::new();
            for (name, scheme) in defs {
                let old = child_pointer("/securityDefinitions", name);
                self.moved(&child_pointer("/components/securitySchemes", name), &old);
                schemes.insert(name.clone(), self.security_scheme(scheme, &old));
            }
            components.insert("securitySchemes".into(), Value::Object(schemes));
        }
        if !components.is_empty() {
            out.insert("components".into(), Value::Object(components));
        }

        let mut paths = Map::new();
        if let Some(Value::Object(items)) = doc.get("paths") {
            for (path, item) in items {
                let old_item = child_pointer("/paths", path);
                let Value::Object(item) = item else {
                    paths.insert(path.clone(), item.clone());
                    continue;
                };
                let mut new_item = Map::new();
                for (key, value) in item {
                    let old = child_pointer(&old_item, key);
                    if METHODS.contains(&key.as_str()) {
                        let op = self.swagger_operation(value, &old, &consumes, &produces);
                        new_item.insert(key.clone(), op);
                    } else if key == "parameters" {
                        let (params, body) = self.swagger_parameters(value, &old, &old, &consumes);
                        if body.is_some() {
                            self.errors.push((
                                old.clone(),
                                Diagnostic::error("a body parameter on a whole path is not supported")
                                    .help("move the `in: body` parameter into each operation"),
                            ));
                        }
                        new_item.insert(key.clone(), params);
                    } else {
                        new_item.insert(key.clone(), value.clone());
                    }
                }
                paths.insert(path.clone(), Value::Object(new_item));
            }
        }
        out.insert("paths".into(), Value::Object(paths));
        Value::Object(out)
    }

    fn swagger_operation(&mut self, op: &Value, old: &str, consumes: &[String], produces: &[String]) -> Value {
        let Value::Object(op) = op else { return op.clone() };
        let consumes = op
            .get("consumes")
            .map(|v| media_types(Some(v)))
            .unwrap_or_else(|| consumes.to_vec());
        let produces = op
            .get("produces")
            .map(|v| media_types(Some(v)))
            .unwrap_or_else(|| produces.to_vec());
        let mut out = Map::new();
        for (key, value) in op {
            let old_key = child_pointer(old, key);
            match key.as_str() {
                "consumes" | "produces" | "schemes" => {}
                "parameters" => {
                    let new_params = child_pointer(old, "parameters");
                    let (params, body) = self.swagger_parameters(value, &old_key, &new_params, &consumes);
                    out.insert(key.clone(), params);
                    if let Some(body) = body {
                        out.insert("requestBody".into(), body);
                    }
                }
                "responses" => {
                    let Value::Object(responses) = value else {
                        out.insert(key.clone(), value.clone());
                        continue;
                    };
                    let mut new = Map::new();
                    for (status, response) in responses {
                        let old_resp = child_pointer(&old_key, status);
                        new.insert(status.clone(), self.swagger_response(response, &old_resp, &produces));
                    }
                    out.insert(key.clone(), Value::Object(new));
                }
                _ => {
                    out.insert(key.clone(), value.clone());
                }
            }
        }
        Value::Object(out)
    }

    /// Returns the 3.0 parameter list and, when there is an `in: body` parameter, the
    /// `requestBody` it becomes. `new_list` is the list's pointer in the new document.
    fn swagger_parameters(
        &mut self,
        params: &Value,
        old_list: &str,
        new_list: &str,
        consumes: &[String],
    ) -> (Value, Option<Value>) {
        let Value::Array(params) = params else {
            return (params.clone(), None);
        };
        let mut out = Vec::new();
        let mut body = None;
        let mut form: Vec<(String, &Value)> = Vec::new();
        for (i, param) in params.iter().enumerate() {
            let old = child_pointer(old_list, &i.to_string());
            let location = param.get("in").and_then(Value::as_str).unwrap_or("");
            match location {
                "body" => {
                    let new_body = child_pointer(&parent(new_list), "requestBody");
                    self.moved(&new_body, &old);
                    body = Some(self.swagger_body(param, &old, &new_body, consumes));
                }
                "formData" => form.push((old, param)),
                _ => {
                    let new = child_pointer(new_list, &out.len().to_string());
                    self.moved(&new, &old);
                    out.push(self.swagger_simple_parameter(param, &old, &new));
                }
            }
        }
        if !form.is_empty() {
            let new_body = child_pointer(&parent(new_list), "requestBody");
            if body.is_some() {
                self.errors.push((
                    form[0].0.clone(),
                    Diagnostic::error("`in: formData` parameters beside an `in: body` parameter")
                        .help("a request has one body: keep either the form fields or the body parameter"),
                ));
            } else {
                self.moved(&new_body, &form[0].0);
                body = Some(self.swagger_form(&form, &new_body, consumes));
            }
        }
        (Value::Array(out), body)
    }

    /// The `requestBody` that `in: formData` parameters become: an object schema with a
    /// property per parameter (`type: file` as `type: string, format: binary`), under
    /// each form type of `consumes`; without one, multipart when a file is among them,
    /// else `application/x-www-form-urlencoded`.
    fn swagger_form(&mut self, form: &[(String, &Value)], new: &str, consumes: &[String]) -> Value {
        const FORM: &str = "application/x-www-form-urlencoded";
        const MULTIPART: &str = "multipart/form-data";
        let is_form = |media: &String| {
            let essence = crate::media_type::essence(media);
            essence == FORM || essence == MULTIPART
        };
        let has_file = form
            .iter()
            .any(|(_, param)| param.get("type").and_then(Value::as_str) == Some("file"));
        let mut media: Vec<String> = consumes.iter().filter(|m| is_form(m)).cloned().collect();
        if media.is_empty() {
            let chosen = if has_file { MULTIPART } else { FORM };
            if consumes != ["application/json"] {
                self.warnings.push((
                    form[0].0.clone(),
                    Diagnostic::warning(format!(
                        "`in: formData` parameters, but `consumes` names no form type ({}); read as `{chosen}`",
                        consumes.join(", ")
                    ))
                    .help(format!("add `{chosen}` to the operation's `consumes`")),
                ));
            }
            media.push(chosen.to_string());
        }
        let mut properties = Map::new();
        let mut required = Vec::new();
        let mut moves = Vec::new();
        for (old, param) in form {
            let Some(name) = param.get("name").and_then(Value::as_str) else {
                continue;
            };
            let mut schema = match param {
                Value::Object(param) => param
                    .iter()
                    .filter(|(key, _)| {
                        !matches!(
                            key.as_str(),
                            "name" | "in" | "required" | "collectionFormat" | "allowEmptyValue"
                        )
                    })
                    .map(|(key, value)| (key.clone(), value.clone()))
                    .collect(),
                _ => Map::new(),
            };
            if schema.get("type").and_then(Value::as_str) == Some("file") {
                schema.insert("type".into(), json!("string"));
                schema.insert("format".into(), json!("binary"));
            }
            if let Some(example) = schema.remove("x-example") {
                schema.insert("example".into(), example);
            }
            if param.get("required").and_then(Value::as_bool) == Some(true) {
                required.push(json!(name));
            }
            moves.push((name.to_string(), old.clone()));
            properties.insert(name.to_string(), self.schema(&Value::Object(schema), old));
        }
        let mut schema = Map::new();
        schema.insert("type".into(), json!("object"));
        schema.insert("properties".into(), Value::Object(properties));
        let any_required = !required.is_empty();
        if any_required {
            schema.insert("required".into(), Value::Array(required));
        }
        let mut content = Map::new();
        for media in media {
            let schema_ptr = child_pointer(&child_pointer(&child_pointer(new, "content"), &media), "schema");
            self.moved(&schema_ptr, &form[0].0);
            for (name, old) in &moves {
                self.moved(&child_pointer(&child_pointer(&schema_ptr, "properties"), name), old);
            }
            content.insert(media, json!({ "schema": Value::Object(schema.clone()) }));
        }
        json!({ "required": any_required, "content": Value::Object(content) })
    }

    fn swagger_simple_parameter(&mut self, param: &Value, old: &str, new: &str) -> Value {
        let Value::Object(param) = param else {
            return param.clone();
        };
        const SCHEMA_KEYS: [&str; 16] = [
            "type",
            "format",
            "items",
            "enum",
            "default",
            "minimum",
            "maximum",
            "exclusiveMinimum",
            "exclusiveMaximum",
            "minLength",
            "maxLength",
            "pattern",
            "minItems",
            "maxItems",
            "uniqueItems",
            "multipleOf",
        ];
        let mut out = Map::new();
        let mut schema = Map::new();
        for (key, value) in param {
            if SCHEMA_KEYS.contains(&key.as_str()) {
                schema.insert(key.clone(), value.clone());
            } else if key == "x-example" {
                out.insert("example".into(), value.clone());
                self.moved(&child_pointer(new, "example"), &child_pointer(old, "x-example"));
            } else if key == "collectionFormat" {
                out.insert(COLLECTION_FORMAT.into(), value.clone());
                self.moved(&child_pointer(new, COLLECTION_FORMAT), &child_pointer(old, key));
            } else if key == "allowEmptyValue" {
                // An empty value is read as the empty string either way.
            } else {
                out.insert(key.clone(), value.clone());
            }
        }
        // 2.0 arrays are `csv` unless said otherwise; 3.0's default would be `form`, exploded.
        if schema.get("type").and_then(Value::as_str) == Some("array") && !out.contains_key(COLLECTION_FORMAT) {
            out.insert(COLLECTION_FORMAT.into(), Value::from("csv"));
        }
        if !schema.is_empty() {
            self.moved(&child_pointer(new, "schema"), old);
            out.insert("schema".into(), self.schema(&Value::Object(schema), old));
        }
        Value::Object(out)
    }

    fn swagger_body(&mut self, param: &Value, old: &str, new: &str, consumes: &[String]) -> Value {
        let mut body = Map::new();
        if let Some(d) = param.get("description") {
            body.insert("description".into(), d.clone());
        }
        body.insert(
            "required".into(),
            param.get("required").cloned().unwrap_or(Value::Bool(false)),
        );
        let schema_old = child_pointer(old, "schema");
        let schema = param.get("schema").map(|s| self.schema(s, &schema_old));
        let example = param.get("example").or_else(|| param.get("x-example"));
        let example_key = if param.get("example").is_some() {
            "example"
        } else {
            "x-example"
        };
        let mut content = Map::new();
        for media in consumes {
            let new_media = child_pointer(&child_pointer(new, "content"), media);
            let mut entry = Map::new();
            if let Some(schema) = &schema {
                entry.insert("schema".into(), schema.clone());
                self.moved(&child_pointer(&new_media, "schema"), &schema_old);
            }
            if let Some(example) = example {
                entry.insert("example".into(), example.clone());
                self.moved(&child_pointer(&new_media, "example"), &child_pointer(old, example_key));
            }
            content.insert(media.clone(), Value::Object(entry));
        }
        body.insert("content".into(), Value::Object(content));
        copy_extensions(param, &mut body);
        Value::Object(body)
    }

    fn swagger_response(&mut self, response: &Value, old: &str, produces: &[String]) -> Value {
        let Value::Object(response) = response else {
            return response.clone();
        };
        let mut out = Map::new();
        out.insert(
            "description".into(),
            response.get("description").cloned().unwrap_or_else(|| json!("")),
        );
        if let Some(Value::Object(headers)) = response.get("headers") {
            let mut new = Map::new();
            for (name, header) in headers {
                let old_header = child_pointer(&child_pointer(old, "headers"), name);
                let mut h = Map::new();
                if let Some(d) = header.get("description") {
                    h.insert("description".into(), d.clone());
                }
                let mut schema = header.clone();
                if let Value::Object(s) = &mut schema {
                    s.remove("description");
                    // Response headers are read and written comma-separated.
                    match s.remove("collectionFormat") {
                        Some(Value::String(format)) if format != "csv" => self.errors.push((
                            child_pointer(&old_header, "collectionFormat"),
                            Diagnostic::error(format!(
                                "response header `{name}` uses `collectionFormat: {format}`; response headers are read and written comma-separated"
                            ))
                            .help("use `collectionFormat: csv` (the default)"),
                        )),
                        _ => {}
                    }
                }
                h.insert("schema".into(), self.schema(&schema, &old_header));
                new.insert(name.clone(), Value::Object(h));
            }
            out.insert("headers".into(), Value::Object(new));
        }
        let examples = response.get("examples").and_then(Value::as_object);
        let schema_old = child_pointer(old, "schema");
        if let Some(schema) = response.get("schema") {
            let schema = self.schema(schema, &schema_old);
            let mut media_types: Vec<String> = produces.to_vec();
            for media in examples.into_iter().flat_map(|e| e.keys()) {
                if !media_types.contains(media) {
                    media_types.push(media.clone());
                }
            }
            let mut content = Map::new();
            for media in media_types {
                let new_media = child_pointer(&child_pointer(old, "content"), &media);
                let mut entry = Map::new();
                entry.insert("schema".into(), schema.clone());
                self.moved(&child_pointer(&new_media, "schema"), &schema_old);
                if let Some(example) = examples.and_then(|e| e.get(&media)) {
                    entry.insert("example".into(), example.clone());
                    let old_example = child_pointer(&child_pointer(old, "examples"), &media);
                    self.moved(&child_pointer(&new_media, "example"), &old_example);
                }
                content.insert(media, Value::Object(entry));
            }
            out.insert("content".into(), Value::Object(content));
        }
        copy_extensions(&Value::Object(response.clone()), &mut out);
        Value::Object(out)
    }

    fn security_scheme(&mut self, scheme: &Value, old: &str) -> Value {
        let Value::Object(map) = scheme else {
            return scheme.clone();
        };
        let kind = map.get("type").and_then(Value::as_str).unwrap_or("");
        let mut out = Map::new();
        if let Some(d) = map.get("description") {
            out.insert("description".into(), d.clone());
        }
        match kind {
            "apiKey" => {
                out.insert("type".into(), json!("apiKey"));
                for key in ["name", "in"] {
                    if let Some(v) = map.get(key) {
                        out.insert(key.into(), v.clone());
                    }
                }
            }
            "basic" => {
                out.insert("type".into(), json!("http"));
                out.insert("scheme".into(), json!("basic"));
            }
            "oauth2" => {
                let flow = match map.get("flow").and_then(Value::as_str) {
                    Some("accessCode") => "authorizationCode",
                    Some("application") => "clientCredentials",
                    Some(other) => other,
                    None => "implicit",
                };
                let mut f = Map::new();
                for (from, to) in [("authorizationUrl", "authorizationUrl"), ("tokenUrl", "tokenUrl")] {
                    if let Some(v) = map.get(from) {
                        f.insert(to.into(), v.clone());
                    }
                }
                f.insert("scopes".into(), map.get("scopes").cloned().unwrap_or_else(|| json!({})));
                out.insert("type".into(), json!("oauth2"));
                out.insert("flows".into(), json!({ flow: f }));
            }
            other => {
                self.errors.push((
                    old.to_string(),
                    Diagnostic::error(format!("security scheme type `{other}` is not a Swagger 2.0 type"))
                        .help("use `apiKey`, `basic` or `oauth2`"),
                ));
                return scheme.clone();
            }
        }
        Value::Object(out)
    }

    /// OpenAPI 3.1 input: rewritten into the 3.0 shape, then normalised as 3.0 is. The
    /// 3.0 pass's messages name nodes the 3.1 step may have moved: they are mapped back.
    fn openapi31(&mut self, doc: &Value) -> Value {
        let step = crate::upgrade31::upgrade(doc);
        let (warnings, errors) = (self.warnings.len(), self.errors.len());
        let out = self.openapi(step.document);
        for (pointer, _) in self.warnings[warnings..].iter_mut().chain(&mut self.errors[errors..]) {
            *pointer = longest_prefix_mapped(&step.moves, pointer);
        }
        self.moves.extend(step.moves);
        self.warnings.extend(step.warnings);
        self.errors.extend(step.errors);
        out
    }

    /// OpenAPI 3.0 input: only the schema normalisation applies.
    fn openapi(&mut self, mut doc: Value) -> Value {
        for pointer in schema_positions(&doc) {
            if let Some(slot) = doc.pointer_mut(&pointer) {
                let node = std::mem::take(slot);
                *slot = self.schema(&node, &pointer);
            }
        }
        doc
    }

    /// Normalises one schema (and the schemas inside it) into what 3.0 and the
    /// `openapiv3` model accept. `old` is the schema's resolved pointer, for messages.
    fn schema(&mut self, schema: &Value, old: &str) -> Value {
        if let Value::Bool(flag) = schema {
            let (warning, read) = crate::loose_schema::boolean_schema(*flag, old);
            self.warnings.push(warning);
            return read;
        }
        let Value::Object(map) = schema else {
            return schema.clone();
        };
        if let Some(inner) = crate::loose_schema::wrapped_in_type(map) {
            let inner_old = child_pointer(old, "type");
            self.warnings.push(crate::loose_schema::unwrapped_warning(&inner_old));
            return self.schema(inner, &inner_old);
        }
        if map.contains_key("$ref") {
            let mut out = map.clone();
            if let Some(Value::String(r)) = out.get_mut("$ref") {
                if let Some(name) = r.strip_prefix("#/definitions/") {
                    *r = format!("#/components/schemas/{name}");
                }
            }
            return Value::Object(out);
        }
        let mut out = Map::new();
        let mut required: Vec<Value> = match map.get("required") {
            Some(Value::Array(list)) => list.clone(),
            _ => Vec::new(),
        };
        for (key, value) in map {
            let here = child_pointer(old, key);
            match key.as_str() {
                "properties" => {
                    let Value::Object(props) = value else {
                        if value.as_array().is_some_and(Vec::is_empty) {
                            // Real Matrix definitions write `properties: []` for "none".
                            self.warnings.push((
                                here.clone(),
                                Diagnostic::warning("`properties: []` is a list, not a map; read as no properties")
                                    .help("write `properties: {}` or leave `properties` out"),
                            ));
                            out.insert(key.clone(), Value::Object(Map::new()));
                        } else {
                            out.insert(key.clone(), value.clone());
                        }
                        continue;
                    };
                    let mut new = Map::new();
                    for (name, prop) in props {
                        let prop_old = child_pointer(&here, name);
                        if let Value::Bool(false) = prop {
                            self.warnings
                                .push(crate::loose_schema::forbidden_property(name, &prop_old));
                            continue;
                        }
                        let mut prop = prop.clone();
                        if let Some(Value::Bool(flag)) = prop.get("required").cloned() {
                            // Swagger 1.x style `required: true` on the property itself.
                            if let Value::Object(p) = &mut prop {
                                p.remove("required");
                            }
                            if flag && !required.iter().any(|r| r == name) {
                                required.push(Value::String(name.clone()));
                            }
                            self.warnings.push((
                                child_pointer(&prop_old, "required"),
                                Diagnostic::warning(format!(
                                    "`required: {flag}` on property `{name}` is not valid here; read as if `{name}` were {}listed in the object's `required`",
                                    if flag { "" } else { "not " }
                                ))
                                .help("list required property names in the object's `required` array"),
                            ));
                        }
                        new.insert(name.clone(), self.schema(&prop, &prop_old));
                    }
                    out.insert(key.clone(), Value::Object(new));
                }
                "required" => {}
                "items" => match value {
                    Value::Array(items) => {
                        let tuple: Vec<Value> = items
                            .iter()
                            .enumerate()
                            .map(|(i, item)| self.schema(item, &child_pointer(&here, &i.to_string())))
                            .collect();
                        out.insert(TUPLE_EXTENSION.into(), Value::Array(tuple));
                    }
                    other => {
                        out.insert(key.clone(), self.schema(other, &here));
                    }
                },
                "additionalProperties" | "not" if value.is_object() => {
                    out.insert(key.clone(), self.schema(value, &here));
                }
                "allOf" | "oneOf" | "anyOf" | TUPLE_EXTENSION => {
                    let list = value
                        .as_array()
                        .map(|items| {
                            items
                                .iter()
                                .enumerate()
                                .map(|(i, s)| self.schema(s, &child_pointer(&here, &i.to_string())))
                                .collect()
                        })
                        .unwrap_or_default();
                    out.insert(key.clone(), Value::Array(list));
                }
                "type" => match value {
                    Value::Array(types) => {
                        let mut names: Vec<Value> =
                            types.iter().filter(|t| t.as_str() != Some("null")).cloned().collect();
                        if names.len() < types.len() {
                            out.insert("nullable".into(), Value::Bool(true));
                        }
                        if names.len() == 1 {
                            out.insert("type".into(), names.remove(0));
                        } else if !names.is_empty() {
                            out.insert(TYPES_EXTENSION.into(), Value::Array(names));
                        }
                    }
                    other => {
                        out.insert(key.clone(), other.clone());
                    }
                },
                "x-nullable" => {
                    out.insert("nullable".into(), value.clone());
                }
                "title" | "description" | "pattern" | "format" if !value.is_string() => {
                    let (warning, read) = crate::loose_schema::text_keyword(key, value, &here);
                    self.warnings.push(warning);
                    if let Some(read) = read {
                        out.insert(key.clone(), read);
                    }
                }
                // Swagger 2.0 names only the member; 3.0 says the same as an object.
                "discriminator" if self.dialect == Dialect::Swagger2 && value.is_string() => {
                    out.insert(key.clone(), json!({ "propertyName": value }));
                }
                _ => {
                    out.insert(key.clone(), value.clone());
                }
            }
        }
        if !required.is_empty() {
            out.insert("required".into(), Value::Array(required));
        }
        // The model reads an object's keys only when it says `type: object`.
        if !out.contains_key("type")
            && (out.contains_key("properties") || out.contains_key("additionalProperties"))
            && !out.contains_key("allOf")
        {
            out.insert("type".into(), json!("object"));
        }
        // Array keywords only belong with `type: array` in the model.
        if out.contains_key(TUPLE_EXTENSION) && !out.contains_key("type") {
            out.insert("type".into(), json!("array"));
        }
        self.warnings
            .extend(crate::loose_schema::read_null_only_enum(&mut out, old));
        self.warnings
            .extend(crate::loose_schema::read_enum_values(&mut out, old));
        self.warnings
            .extend(crate::loose_schema::drop_values_of_no_type(&mut out, old));
        Value::Object(out)
    }
}

/// Response keys that are no HTTP status: the model would drop them without a word.
fn unknown_statuses(doc: &Value) -> Vec<(String, Diagnostic)> {
    let mut found = Vec::new();
    let Some(Value::Object(paths)) = doc.get("paths") else {
        return found;
    };
    for (path, item) in paths {
        let Value::Object(item) = item else { continue };
        for (method, op) in item.iter().filter(|(m, _)| METHODS.contains(&m.as_str())) {
            let Some(Value::Object(responses)) = op.get("responses") else {
                continue;
            };
            let responses_ptr = child_pointer(&child_pointer(&child_pointer("/paths", path), method), "responses");
            for status in responses.keys().filter(|s| !is_status_key(s)) {
                found.push((
                    child_pointer(&responses_ptr, status),
                    Diagnostic::error(format!("response `{status}` is not an HTTP status code (100 to 599)"))
                        .help("use a status from 100 to 599, a range such as `4XX`, or `default` for any other status"),
                ));
            }
            // `4XX` and `4xx` are one range: the model would keep only the last of them.
            let mut ranges: Vec<&String> = Vec::new();
            for status in responses
                .keys()
                .filter(|s| s.len() == 3 && s[1..].eq_ignore_ascii_case("XX"))
            {
                match ranges.iter().find(|seen| seen.eq_ignore_ascii_case(status)) {
                    Some(first) => found.push((
                        child_pointer(&responses_ptr, status),
                        Diagnostic::error(format!("responses `{first}` and `{status}` are the same status range"))
                            .help("keep one of the two"),
                    )),
                    None => ranges.push(status),
                }
            }
        }
    }
    found
}

/// Writes every lowercase status range (`4xx`) as `4XX`, the spelling the model reports
/// it by, so that pointers built from the model find the response; the returned map
/// leads them back to the spelling the user wrote. A range written both ways is left
/// alone: [`unknown_statuses`] reports it.
fn ranges_in_capitals(mut doc: Value) -> (Value, BTreeMap<String, String>) {
    let mut renamed = BTreeMap::new();
    let Some(Value::Object(paths)) = doc.get_mut("paths") else {
        return (doc, renamed);
    };
    for (path, item) in paths.iter_mut() {
        let Value::Object(item) = item else { continue };
        for (method, op) in item.iter_mut().filter(|(m, _)| METHODS.contains(&m.as_str())) {
            let Some(Value::Object(responses)) = op.get_mut("responses") else {
                continue;
            };
            let lowercase: Vec<String> = responses
                .keys()
                .filter(|s| s.len() == 3 && &s[1..] != "XX" && s[1..].eq_ignore_ascii_case("XX"))
                .filter(|s| !responses.contains_key(&s.to_ascii_uppercase()))
                .cloned()
                .collect();
            if lowercase.is_empty() {
                continue;
            }
            let responses_ptr = child_pointer(&child_pointer(&child_pointer("/paths", path), method), "responses");
            // Rebuilt in order, so that the definition's order of responses is kept.
            let taken = std::mem::take(responses);
            for (status, response) in taken {
                let status = if lowercase.contains(&status) {
                    let upper = status.to_ascii_uppercase();
                    renamed.insert(
                        child_pointer(&responses_ptr, &upper),
                        child_pointer(&responses_ptr, &status),
                    );
                    upper
                } else {
                    status
                };
                responses.insert(status, response);
            }
        }
    }
    (doc, renamed)
}

fn is_status_key(key: &str) -> bool {
    let bytes = key.as_bytes();
    let range = bytes.len() == 3 && (b'1'..=b'5').contains(&bytes[0]) && key[1..].eq_ignore_ascii_case("XX");
    let code = key.parse::<u16>().is_ok_and(|code| (100..=599).contains(&code)) && !key.starts_with('0');
    key == "default" || key.starts_with("x-") || range || code
}

fn parent(pointer: &str) -> String {
    match pointer.rfind('/') {
        Some(i) => pointer[..i].to_string(),
        None => String::new(),
    }
}

fn media_types(value: Option<&Value>) -> Vec<String> {
    let list: Vec<String> = value
        .and_then(Value::as_array)
        .map(|items| items.iter().filter_map(Value::as_str).map(str::to_string).collect())
        .unwrap_or_default();
    if list.is_empty() {
        vec!["application/json".to_string()]
    } else {
        list
    }
}

fn copy_extensions(from: &Value, to: &mut Map<String, Value>) {
    if let Value::Object(map) = from {
        for (k, v) in map {
            if k.starts_with("x-") && !to.contains_key(k) {
                to.insert(k.clone(), v.clone());
            }
        }
    }
}

/// Pointers of the schema roots in an OpenAPI 3.0 document.
fn schema_positions(doc: &Value) -> Vec<String> {
    let mut out = Vec::new();
    if let Some(Value::Object(schemas)) = doc.pointer("/components/schemas") {
        out.extend(schemas.keys().map(|k| child_pointer("/components/schemas", k)));
    }
    out.extend(component_schema_positions(doc));
    let Some(Value::Object(paths)) = doc.get("paths") else {
        return out;
    };
    for (path, item) in paths {
        let item_ptr = child_pointer("/paths", path);
        let Value::Object(item) = item else { continue };
        let ops = item
            .iter()
            .filter(|(method, _)| METHODS.contains(&method.as_str()))
            .map(|(method, op)| (child_pointer(&item_ptr, method), op));
        if let Some(Value::Array(params)) = item.get("parameters") {
            for i in 0..params.len() {
                out.push(format!("{item_ptr}/parameters/{i}/schema"));
            }
        }
        for (op_ptr, op) in ops {
            if let Some(Value::Array(params)) = op.get("parameters") {
                for (i, p) in params.iter().enumerate() {
                    if p.get("schema").is_some() {
                        out.push(format!("{op_ptr}/parameters/{i}/schema"));
                    }
                }
            }
            if let Some(Value::Object(content)) = op.pointer("/requestBody/content") {
                for media in content.keys() {
                    out.push(format!(
                        "{op_ptr}/requestBody/content/{}/schema",
                        crate::diag::escape_segment(media)
                    ));
                }
            }
            if let Some(Value::Object(responses)) = op.get("responses") {
                for (status, response) in responses {
                    if let Some(Value::Object(content)) = response.get("content") {
                        for media in content.keys() {
                            out.push(format!(
                                "{op_ptr}/responses/{status}/content/{}/schema",
                                crate::diag::escape_segment(media)
                            ));
                        }
                    }
                    if let Some(Value::Object(headers)) = response.get("headers") {
                        let headers_ptr = format!("{op_ptr}/responses/{status}/headers");
                        out.extend(
                            headers
                                .keys()
                                .map(|h| format!("{}/schema", child_pointer(&headers_ptr, h))),
                        );
                    }
                }
            }
        }
    }
    out.retain(|p| doc.pointer(p).is_some());
    out
}

/// Pointers of the schemas of reusable parameters, headers, request bodies and responses
/// (`components.parameters.P.schema`, …), normalised as the schemas of operations are.
fn component_schema_positions(doc: &Value) -> Vec<String> {
    let mut out = Vec::new();
    let keys = |pointer: &str| -> Vec<String> {
        match doc.pointer(pointer) {
            Some(Value::Object(map)) => map.keys().map(|k| child_pointer(pointer, k)).collect(),
            _ => Vec::new(),
        }
    };
    let content = |pointer: &str| -> Vec<String> {
        keys(&format!("{pointer}/content"))
            .into_iter()
            .map(|media| format!("{media}/schema"))
            .collect()
    };
    for param in keys("/components/parameters") {
        out.push(format!("{param}/schema"));
    }
    for header in keys("/components/headers") {
        out.push(format!("{header}/schema"));
    }
    for body in keys("/components/requestBodies") {
        out.extend(content(&body));
    }
    for response in keys("/components/responses") {
        out.extend(content(&response));
        out.extend(
            keys(&format!("{response}/headers"))
                .into_iter()
                .map(|h| format!("{h}/schema")),
        );
    }
    out
}
