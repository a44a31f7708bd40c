//! Stage `check`: every semantic problem at once, each with file, line and JSON pointer.
//! What passes here, the `ir` stage can build without failing.

use std::collections::{BTreeMap, BTreeSet};

use openapiv3::{OpenAPI, Parameter, ReferenceOr, Schema, SchemaKind, StatusCode, Type};

use crate::diag::{Diagnostic, child_pointer};
use crate::ir::naming::snake_ident;
use crate::limits::MAX_REF_CHAIN;
use crate::provenance::Provenance;
use crate::upgrade::{TUPLE_EXTENSION, TYPES_EXTENSION};

/// Methods of the generated server trait and client that are not operations.
const RESERVED_METHODS: [&str; 5] = [
    "authenticate",
    "error_response",
    "new",
    "with_settings",
    "with_http_client",
];

pub fn check(api: &OpenAPI, at: &Provenance) -> Vec<Diagnostic> {
    let mut checker = Checker { at, found: Vec::new() };
    checker.operations(api);
    if let Some(components) = &api.components {
        for (key, schema) in &components.schemas {
            checker.schema(schema, &child_pointer("/components/schemas", key));
        }
    }
    checker.all_of_chains(api);
    checker.found
}

struct Checker<'a> {
    at: &'a Provenance<'a>,
    found: Vec<Diagnostic>,
}

impl Checker<'_> {
    fn error(&mut self, pointer: &str, message: String, help: &str) {
        let location = self.at.locate(pointer);
        self.found.push(Diagnostic::error(message).at(location).help(help));
    }

    fn warning(&mut self, pointer: &str, message: String, help: &str) {
        let location = self.at.locate(pointer);
        self.found.push(Diagnostic::warning(message).at(location).help(help));
    }

    fn operations(&mut self, api: &OpenAPI) {
        let schemes: BTreeSet<&String> = api.components.iter().flat_map(|c| c.security_schemes.keys()).collect();
        // operationId → pointer of its first use; method name → (operationId, pointer).
        let mut ids: BTreeMap<String, String> = BTreeMap::new();
        let mut methods: BTreeMap<String, (String, String)> = BTreeMap::new();
        for (path, item) in &api.paths.paths {
            let item_ptr = child_pointer("/paths", path);
            let ReferenceOr::Item(item) = item else { continue };
            for (method, op) in item.iter() {
                let op_ptr = child_pointer(&item_ptr, method);
                let id = op
                    .operation_id
                    .clone()
                    .unwrap_or_else(|| crate::ir::fallback_operation_id(method, path));
                let id_ptr = child_pointer(&op_ptr, "operationId");
                if let Some(first) = ids.get(&id) {
                    let first = self.at.locate(first);
                    self.error(
                        &id_ptr,
                        format!(
                            "duplicate operationId `{id}`; it is first used at {}:{}",
                            first.file.display(),
                            first.line
                        ),
                        "give every operation a unique operationId",
                    );
                } else {
                    ids.insert(id.clone(), id_ptr.clone());
                    let method_name = snake_ident(&id);
                    if RESERVED_METHODS.contains(&method_name.as_str()) {
                        self.error(
                            &id_ptr,
                            format!(
                                "operationId `{id}` becomes the Rust method `{method_name}`, which the generated server trait or client already has"
                            ),
                            "rename the operationId",
                        );
                    } else if let Some((other, other_ptr)) = methods.get(&method_name) {
                        let first = self.at.locate(other_ptr);
                        self.error(
                            &id_ptr,
                            format!(
                                "operationId `{id}` and `{other}` (at {}:{}) both become the Rust method `{method_name}`",
                                first.file.display(),
                                first.line
                            ),
                            "rename one of the two operationIds",
                        );
                    } else {
                        methods.insert(method_name, (id.clone(), id_ptr));
                    }
                }

                let mut params: Vec<(String, &Parameter)> = Vec::new();
                for (i, p) in item.parameters.iter().enumerate() {
                    if let ReferenceOr::Item(p) = p {
                        params.push((format!("{item_ptr}/parameters/{i}"), p));
                    }
                }
                for (i, p) in op.parameters.iter().enumerate() {
                    if let ReferenceOr::Item(p) = p {
                        params.push((format!("{op_ptr}/parameters/{i}"), p));
                    }
                }
                self.parameters(path, &op_ptr, &params);
                self.body(op, &op_ptr);
                self.responses(op, &op_ptr);

                let security = op.security.as_ref().or(api.security.as_ref());
                for (i, requirement) in security.into_iter().flatten().enumerate() {
                    for name in requirement.keys() {
                        if !schemes.contains(name) {
                            self.error(
                                &format!("{op_ptr}/security/{i}"),
                                format!("security scheme `{name}` is not defined"),
                                "define it under `securityDefinitions` (Swagger 2.0) or `components.securitySchemes` (OpenAPI 3.0)",
                            );
                        }
                    }
                }
            }
        }
    }

    fn parameters(&mut self, path: &str, op_ptr: &str, params: &[(String, &Parameter)]) {
        let template: Vec<&str> = path_template_names(path);
        let mut declared_path = BTreeSet::new();
        let mut rust_names: BTreeMap<String, String> = BTreeMap::new();
        rust_names.insert("body".to_string(), "the request body".to_string());
        for (pointer, param) in params {
            let data = param.parameter_data_ref();
            if let Parameter::Cookie { .. } = param {
                self.error(
                    pointer,
                    format!("cookie parameter `{}` is not supported", data.name),
                    "pass the value as a header or query parameter",
                );
                continue;
            }
            if let Parameter::Path { .. } = param {
                declared_path.insert(data.name.as_str());
                if !template.contains(&data.name.as_str()) {
                    self.error(
                        pointer,
                        format!("path parameter `{}` does not appear in the path `{path}`", data.name),
                        &format!("add `{{{}}}` to the path or remove the parameter", data.name),
                    );
                }
            }
            let rust = snake_ident(&data.name);
            let duplicate_of_override = params.iter().any(|(p, other)| {
                p != pointer
                    && other.parameter_data_ref().name == data.name
                    && std::mem::discriminant(*other) == std::mem::discriminant(*param)
            });
            match rust_names.get(&rust) {
                Some(other) if !duplicate_of_override => self.error(
                    pointer,
                    format!(
                        "parameter `{}` and {other} both become the Rust field `{rust}`",
                        data.name
                    ),
                    "rename one of the two parameters",
                ),
                _ => {
                    rust_names.insert(rust, format!("parameter `{}`", data.name));
                }
            }
            if let openapiv3::ParameterSchemaOrContent::Schema(schema) = &data.format {
                self.schema(schema, &child_pointer(pointer, "schema"));
            }
        }
        for name in template {
            if !declared_path.contains(name) {
                self.error(
                    op_ptr,
                    format!("path parameter `{name}` in `{path}` is not declared"),
                    &format!("add a parameter with `name: {name}` and `in: path` to this operation"),
                );
            }
        }
    }

    fn body(&mut self, op: &openapiv3::Operation, op_ptr: &str) {
        let Some(ReferenceOr::Item(body)) = &op.request_body else {
            return;
        };
        let pointer = child_pointer(op_ptr, "requestBody");
        if !body.content.is_empty() && !body.content.keys().any(|k| k.ends_with("json")) {
            let types: Vec<&String> = body.content.keys().collect();
            self.error(
                &pointer,
                format!("request body media types {types:?} are not supported"),
                "stubforge generates JSON bodies: use `application/json`",
            );
        }
        for (media, content) in &body.content {
            if let Some(schema) = &content.schema {
                self.schema(
                    schema,
                    &format!("{pointer}/content/{}/schema", crate::diag::escape_segment(media)),
                );
            }
        }
    }

    fn responses(&mut self, op: &openapiv3::Operation, op_ptr: &str) {
        let pointer = child_pointer(op_ptr, "responses");
        if op.responses.responses.is_empty() && op.responses.default.is_none() {
            self.error(
                &pointer,
                "the operation documents no response".to_string(),
                "document at least one status",
            );
        }
        for (status, response) in &op.responses.responses {
            let status_ptr = child_pointer(&pointer, &status.to_string());
            if let StatusCode::Range(_) = status {
                self.error(
                    &status_ptr,
                    format!("response status range `{status}` is not supported"),
                    "list each status code on its own",
                );
                continue;
            }
            if let ReferenceOr::Item(response) = response {
                for (media, content) in &response.content {
                    if let Some(schema) = &content.schema {
                        self.schema(
                            schema,
                            &format!("{status_ptr}/content/{}/schema", crate::diag::escape_segment(media)),
                        );
                    }
                }
            }
        }
    }

    /// Constructs the type space cannot represent exactly.
    fn schema(&mut self, schema: &ReferenceOr<Schema>, pointer: &str) {
        let ReferenceOr::Item(schema) = schema else { return };
        self.schema_item(schema, pointer);
    }

    fn schema_boxed(&mut self, schema: &ReferenceOr<Box<Schema>>, pointer: &str) {
        if let ReferenceOr::Item(schema) = schema {
            self.schema_item(schema, pointer);
        }
    }

    fn schema_item(&mut self, schema: &Schema, pointer: &str) {
        if let Some(tuple) = schema.schema_data.extensions.get(TUPLE_EXTENSION) {
            let items = tuple.as_array().cloned().unwrap_or_default();
            if items.is_empty() {
                self.error(
                    &child_pointer(pointer, TUPLE_EXTENSION),
                    "a tuple (`items` given as a list) needs at least one item schema".to_string(),
                    "list the schema of each position",
                );
            }
            for (i, item) in items.iter().enumerate() {
                let item_ptr = child_pointer(&child_pointer(pointer, TUPLE_EXTENSION), &i.to_string());
                match serde_json::from_value::<ReferenceOr<Schema>>(item.clone()) {
                    Ok(item) => self.schema(&item, &item_ptr),
                    Err(e) => self.error(
                        &item_ptr,
                        format!("tuple item is not a valid schema: {e}"),
                        "fix the item schema",
                    ),
                }
            }
        }
        if let Some(types) = schema.schema_data.extensions.get(TYPES_EXTENSION) {
            for t in types.as_array().into_iter().flatten() {
                let known = ["string", "integer", "number", "boolean", "array", "object"];
                if !t.as_str().is_some_and(|t| known.contains(&t)) {
                    self.error(
                        &child_pointer(pointer, "type"),
                        format!("unknown type {t} in the `type` list"),
                        "use string, integer, number, boolean, array or object",
                    );
                }
            }
        }
        match &schema.schema_kind {
            SchemaKind::Type(Type::Object(object)) => {
                for (name, prop) in &object.properties {
                    self.schema_boxed(prop, &child_pointer(&child_pointer(pointer, "properties"), name));
                }
                if let Some(openapiv3::AdditionalProperties::Schema(s)) = &object.additional_properties {
                    self.schema(s, &child_pointer(pointer, "additionalProperties"));
                }
            }
            SchemaKind::Type(Type::Array(array)) => {
                if let Some(items) = &array.items {
                    self.schema_boxed(items, &child_pointer(pointer, "items"));
                }
            }
            SchemaKind::AllOf { all_of } => {
                for (i, s) in all_of.iter().enumerate() {
                    self.schema(s, &format!("{pointer}/allOf/{i}"));
                }
            }
            SchemaKind::OneOf { one_of: list } | SchemaKind::AnyOf { any_of: list } => {
                for (i, s) in list.iter().enumerate() {
                    self.schema(
                        s,
                        &format!(
                            "{pointer}/{}/{i}",
                            if matches!(schema.schema_kind, SchemaKind::OneOf { .. }) {
                                "oneOf"
                            } else {
                                "anyOf"
                            }
                        ),
                    );
                }
            }
            SchemaKind::Not { .. } => self.warning(
                pointer,
                "`not` cannot be expressed as a Rust type; the value is read as any JSON".to_string(),
                "describe what the value is rather than what it is not",
            ),
            SchemaKind::Any(any) if any.typ.as_deref().is_some_and(|t| t == "file") => self.error(
                pointer,
                "`type: file` is not supported".to_string(),
                "describe the body as JSON",
            ),
            _ => {}
        }
    }
}

impl Checker<'_> {
    /// The IR merges an `allOf` member that is a `$ref` to a schema that is itself an
    /// `allOf`, and so on: such chains must end, within `MAX_REF_CHAIN` levels. Walked
    /// with an explicit stack, since a definition can chain thousands of schemas.
    fn all_of_chains(&mut self, api: &OpenAPI) {
        let Some(components) = &api.components else { return };
        let members = |key: &str| -> Vec<&str> {
            match components.schemas.get(key) {
                Some(ReferenceOr::Item(Schema {
                    schema_kind: SchemaKind::AllOf { all_of },
                    ..
                })) => all_of
                    .iter()
                    .filter_map(|m| match m {
                        ReferenceOr::Reference { reference } => reference.strip_prefix("#/components/schemas/"),
                        ReferenceOr::Item(_) => None,
                    })
                    .filter(|k| components.schemas.contains_key(*k))
                    .collect(),
                _ => Vec::new(),
            }
        };
        // Key → levels of `allOf` below it, for keys fully walked.
        let mut levels: BTreeMap<&str, usize> = BTreeMap::new();
        for start in components.schemas.keys() {
            if levels.contains_key(start.as_str()) {
                continue;
            }
            let mut path: Vec<(&str, Vec<&str>)> = vec![(start, members(start))];
            let mut on_path: BTreeSet<&str> = BTreeSet::from([start.as_str()]);
            while let Some((key, todo)) = path.last_mut() {
                let key = *key;
                let Some(next) = todo.pop() else {
                    let below = members(key).iter().filter_map(|m| levels.get(m)).max().copied();
                    levels.insert(key, below.map_or(0, |b| b + 1));
                    on_path.remove(key);
                    path.pop();
                    continue;
                };
                if levels.contains_key(next) {
                    continue;
                }
                if on_path.contains(next) {
                    let from = path.iter().position(|(k, _)| *k == next).unwrap_or(0);
                    let mut chain: Vec<&str> = path[from..].iter().map(|(k, _)| *k).collect();
                    chain.push(next);
                    self.error(
                        &child_pointer("/components/schemas", chain[0]),
                        format!("`allOf` members refer back to this schema: {}", shown(&chain)),
                        "break the loop: a schema cannot include itself",
                    );
                    // Reported once: the schemas on the loop count as walked.
                    for (k, _) in &path[from..] {
                        levels.insert(k, 0);
                    }
                    continue;
                }
                on_path.insert(next);
                path.push((next, members(next)));
            }
        }
        // A chain too long is reported at its head only.
        let too_deep: BTreeSet<&str> = levels
            .iter()
            .filter(|(_, l)| **l > MAX_REF_CHAIN)
            .map(|(k, _)| *k)
            .collect();
        let inner: BTreeSet<&str> = too_deep.iter().flat_map(|k| members(k)).collect();
        for head in too_deep.difference(&inner) {
            let mut chain = vec![*head];
            while let Some(next) = members(chain[chain.len() - 1])
                .into_iter()
                .max_by_key(|m| levels.get(m))
            {
                if chain.len() > MAX_REF_CHAIN {
                    break;
                }
                chain.push(next);
            }
            self.error(
                &child_pointer("/components/schemas", head),
                format!(
                    "`allOf` members that are `$ref`s to further `allOf`s nest {} levels deep here, more than {MAX_REF_CHAIN}: {}",
                    levels[head],
                    shown(&chain)
                ),
                "let the chain end sooner, at a schema with properties of its own",
            );
        }
    }
}

/// A chain of schema names, its middle left out when long.
fn shown(chain: &[&str]) -> String {
    if chain.len() > 6 {
        format!(
            "{} → … → {}",
            chain[..3].join(" → "),
            chain[chain.len() - 2..].join(" → ")
        )
    } else {
        chain.join(" → ")
    }
}

/// The `{name}` placeholders of a path template, in order.
pub fn path_template_names(path: &str) -> Vec<&str> {
    let mut names = Vec::new();
    let mut rest = path;
    while let Some(start) = rest.find('{') {
        let after = &rest[start + 1..];
        let Some(end) = after.find('}') else { break };
        names.push(&after[..end]);
        rest = &after[end + 1..];
    }
    names
}
