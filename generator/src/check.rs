//! Stage `check`: every semantic problem at once, each with file, line and JSON pointer.
//! What passes here, the `ir` stage can build without failing.

use std::collections::{BTreeMap, BTreeSet};

use serde_json::Value;

use openapiv3::{OpenAPI, Parameter, ReferenceOr, Schema, SchemaKind, Type};

use crate::diag::{Diagnostic, Finding, child_pointer};
use crate::graph::{children_first, on_cycle, shortest_cycle, strongly_connected};
use crate::ir::paths::{self, PathTemplate};
use crate::provenance::Provenance;
use crate::schema_shape::{
    MAX_COMPOSITION_DEPTH, Shape, all_of_members, component_key, own_object, resolve_component, shape, sole_member,
    union_beside_object, union_members,
};
use crate::upgrade::{TUPLE_EXTENSION, TYPES_EXTENSION};

pub fn check(api: &OpenAPI, at: &Provenance) -> Vec<Finding> {
    let mut checker = Checker {
        api,
        at,
        found: Vec::new(),
    };
    // Everything below reads schemas through their refs: it needs them free of loops.
    if checker.composition_graph(api) {
        return checker.found;
    }
    checker.servers(api);
    checker.operations(api);
    if let Some(components) = &api.components {
        for (key, schema) in &components.schemas {
            checker.schema(schema, &child_pointer("/components/schemas", key));
        }
    }
    checker.found
}

struct Checker<'a> {
    api: &'a OpenAPI,
    at: &'a Provenance<'a>,
    found: Vec<Finding>,
}

impl Checker<'_> {
    /// An error belongs to the operation or named schema its node is in: skip mode
    /// leaves that out and generates the rest.
    fn error(&mut self, pointer: &str, message: String, help: &str) {
        let location = self.at.locate(pointer);
        let error = Diagnostic::error(message).at(location).help(help);
        self.found.push(Finding::at_node(error, pointer));
    }

    fn warning(&mut self, pointer: &str, message: String, help: &str) {
        let location = self.at.locate(pointer);
        let warning = Diagnostic::warning(message).at(location).help(help);
        self.found.push(Finding::at_node(warning, pointer));
    }

    fn operations(&mut self, api: &OpenAPI) {
        let schemes: BTreeSet<&String> = api.components.iter().flat_map(|c| c.security_schemes.keys()).collect();
        // operationId → pointer of its first use. Names made from ids are the IR's
        // business: it gives colliding ones distinct names.
        let mut ids: BTreeMap<String, String> = BTreeMap::new();
        for (path, item) in &api.paths.paths {
            let item_ptr = child_pointer("/paths", path);
            let ReferenceOr::Item(item) = item else { continue };
            let template = match paths::parse(path) {
                Ok(template) => Some(template),
                Err(e) => {
                    self.error(&item_ptr, e.message(path), e.help());
                    None
                }
            };
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
                    ids.insert(id, id_ptr);
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
                self.parameters(path, template.as_ref(), &op_ptr, &params);
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

    /// The base path comes from the first server URL: it must be fixed text.
    fn servers(&mut self, api: &OpenAPI) {
        let Some(server) = api.servers.first() else { return };
        let pointer = "/servers/0/url";
        let base = crate::ir::base_path(api);
        if let Some(open) = base.find('{') {
            let name = base[open..].split(['}', '/']).next().unwrap_or_default();
            self.error(
                pointer,
                format!(
                    "server URL `{}` uses the variable `{name}}}`, which it does not define",
                    server.url
                ),
                "define it under `variables` with a `default`, or write the value into the URL",
            );
        } else if base.contains('}') || base.contains('?') || base.contains('#') {
            self.error(
                pointer,
                format!("the path of server URL `{}` cannot be routed", server.url),
                "write the base path as fixed text, e.g. `/v1`",
            );
        } else if !server.url.contains("://") && !server.url.is_empty() && !server.url.starts_with('/') {
            self.warning(
                pointer,
                format!(
                    "server URL `{}` has no leading `/`; the API is served under `{base}`",
                    server.url
                ),
                &format!("write `{base}` to say so"),
            );
        }
    }

    fn parameters(
        &mut self,
        path: &str,
        template: Option<&PathTemplate>,
        op_ptr: &str,
        params: &[(String, &Parameter)],
    ) {
        // A template that does not parse was reported already; its names are not known.
        let parsed = template.is_some();
        let template: Vec<&str> = template.map(|t| t.params().collect()).unwrap_or_default();
        let mut declared_path = BTreeSet::new();
        for (pointer, param) in params {
            let data = param.parameter_data_ref();
            for problem in crate::param_rules::problems(self.api, param) {
                let at = problem
                    .at
                    .split('/')
                    .fold(pointer.clone(), |at, key| child_pointer(&at, key));
                if problem.warning {
                    self.warning(&at, problem.message, &problem.help);
                } else {
                    self.error(&at, problem.message, &problem.help);
                }
            }
            if let Parameter::Path { .. } = param {
                declared_path.insert(data.name.as_str());
                if parsed && !template.contains(&data.name.as_str()) {
                    self.error(
                        pointer,
                        format!("path parameter `{}` does not appear in the path `{path}`", data.name),
                        &format!("add `{{{}}}` to the path or remove the parameter", data.name),
                    );
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
        self.body_media_types(body, &pointer);
        for (media, content) in &body.content {
            if let Some(schema) = &content.schema {
                self.schema(
                    schema,
                    &format!("{pointer}/content/{}/schema", crate::diag::escape_segment(media)),
                );
            }
        }
    }

    /// Each declared request media type is read some way; the properties of a form's or
    /// multipart body's object schema (through `allOf` too) are its fields or parts.
    fn body_media_types(&mut self, body: &openapiv3::RequestBody, pointer: &str) {
        use crate::media_type::{RequestForm, request_form};
        for (media, content) in &body.content {
            let media_ptr = child_pointer(&child_pointer(pointer, "content"), media);
            // Whether the schema is binary only matters for types that are not forms.
            match request_form(media, content.schema.is_some(), false) {
                None => self.error(
                    &media_ptr,
                    format!("request media type {media:?} cannot be written in a `Content-Type` header"),
                    "write the media type in printable ASCII",
                ),
                Some(form @ (RequestForm::Form | RequestForm::Multipart)) => {
                    // A schema that is no object names no field: the body is then read
                    // as generic name/value pairs or parts, which the user should know.
                    let schema_ptr = child_pointer(&media_ptr, "schema");
                    let fields = crate::body_fields::body_fields(self.api, content.schema.as_ref(), &schema_ptr);
                    if let crate::body_fields::BodyFields::NotObject = fields {
                        let (read_as, help) = match form {
                            RequestForm::Form => (
                                "name/value pairs",
                                "give it a schema with `type: object` and a property per field to type its fields",
                            ),
                            _ => (
                                "a list of parts",
                                "give it a schema with `type: object` and a property per part to type its parts",
                            ),
                        };
                        self.warning(
                            &schema_ptr,
                            format!(
                                "the `{media}` body's schema is not an object, so it names no fields; the body is read as {read_as}"
                            ),
                            help,
                        );
                    }
                }
                Some(_) => {}
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
            if let ReferenceOr::Item(response) = response {
                self.response_parts(response, &status_ptr, status);
                for (media, content) in &response.content {
                    if let Some(schema) = &content.schema {
                        // A binary schema (`type: file`) is a bytes body: nothing inside to check.
                        if crate::media_type::is_binary_schema(self.api, schema) {
                            continue;
                        }
                        self.schema(
                            schema,
                            &format!("{status_ptr}/content/{}/schema", crate::diag::escape_segment(media)),
                        );
                    }
                }
            }
        }
        if let Some(ReferenceOr::Item(response)) = &op.responses.default {
            self.response_parts(
                response,
                &child_pointer(&pointer, "default"),
                &openapiv3::StatusCode::Code(0),
            );
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
        self.discriminator(schema, pointer);
        self.all_of_shapes(schema, pointer);
        self.properties_beside_union(schema, pointer);
        self.enum_values(schema, pointer);
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
            SchemaKind::Any(any) => self.any_schema_parts(any, pointer),
            _ => {}
        }
    }
}

/// Checks for schemas that combine or restrict others (`allOf`, `enum`) and for named
/// schemas defined in terms of themselves. Kept apart from the walk above.
impl Checker<'_> {
    /// What the model read as `Any` (a keyword of another type beside `type`, `allOf`
    /// beside `properties`) still has parts to check.
    fn any_schema_parts(&mut self, any: &openapiv3::AnySchema, pointer: &str) {
        for (name, prop) in &any.properties {
            self.schema_boxed(prop, &child_pointer(&child_pointer(pointer, "properties"), name));
        }
        if let Some(openapiv3::AdditionalProperties::Schema(s)) = &any.additional_properties {
            self.schema(s, &child_pointer(pointer, "additionalProperties"));
        }
        if let Some(items) = &any.items {
            self.schema_boxed(items, &child_pointer(pointer, "items"));
        }
        for (list, members) in [("allOf", &any.all_of), ("oneOf", &any.one_of), ("anyOf", &any.any_of)] {
            for (i, s) in members.iter().enumerate() {
                self.schema(s, &format!("{pointer}/{list}/{i}"));
            }
        }
    }

    /// `allOf` merges objects, and distributes over one `oneOf`/`anyOf` of objects; a
    /// member of another kind beside them would describe a value that cannot exist.
    fn all_of_shapes(&mut self, schema: &Schema, pointer: &str) {
        let Some(members) = all_of_members(schema) else { return };
        if sole_member(self.api, schema).is_some() {
            return;
        }
        let mut unions = usize::from(sibling_union(schema).is_some());
        for (i, member) in members.iter().enumerate() {
            let member_ptr = format!("{pointer}/allOf/{i}");
            match shape(self.api, member) {
                Shape::Annotation | Shape::Object => {}
                Shape::Union => {
                    unions += 1;
                    if unions > 1 {
                        self.error(
                            &member_ptr,
                            "an `allOf` with more than one `oneOf`/`anyOf` member is not supported".to_string(),
                            "combine the alternatives into one `oneOf` of objects",
                        );
                    }
                    self.union_of_objects(member, &member_ptr);
                }
                Shape::Other(what) => self.error(
                    &member_ptr,
                    format!(
                        "this `allOf` member is {what}, but the other members describe an object: no value is both"
                    ),
                    "remove the member, or use `oneOf` if the value may be either",
                ),
            }
        }
    }

    fn union_of_objects(&mut self, member: &ReferenceOr<Schema>, member_ptr: &str) {
        let schema = match member {
            ReferenceOr::Reference { reference } => resolve_component(self.api, reference),
            ReferenceOr::Item(schema) => Some(schema),
        };
        let Some((list, alternatives)) = schema.and_then(union_members) else {
            return;
        };
        let inline = matches!(member, ReferenceOr::Item(_));
        self.alternatives_are_objects(list, alternatives, member_ptr, inline);
    }

    /// Properties or an `allOf` beside a `oneOf` are merged into each alternative.
    fn properties_beside_union(&mut self, schema: &Schema, pointer: &str) {
        if let Some((list, alternatives)) = sibling_union(schema) {
            self.alternatives_are_objects(list, alternatives, pointer, true);
        } else if let Some((list, alternatives)) = union_members(schema).filter(|_| own_object(schema).is_some()) {
            if union_beside_object(self.api, schema) {
                self.alternatives_are_objects(list, alternatives, pointer, true);
            } else {
                self.warning(
                    pointer,
                    format!("no alternative of this `{list}` is an object, so the object keywords beside it (`type: object`, `additionalProperties`) are ignored"),
                    &format!("leave `type: object` and `additionalProperties` out of a `{list}` of values that are not objects"),
                );
            }
        }
    }

    /// `inline`: the alternatives are written at `pointer`, so each gets its own location.
    fn alternatives_are_objects(
        &mut self,
        list: &str,
        alternatives: &[ReferenceOr<Schema>],
        pointer: &str,
        inline: bool,
    ) {
        for (i, alternative) in alternatives.iter().enumerate() {
            if let Shape::Other(what) = shape(self.api, alternative) {
                let member_ptr = pointer;
                let pointer = if inline {
                    format!("{member_ptr}/{list}/{i}")
                } else {
                    member_ptr.to_string()
                };
                self.error(
                    &pointer,
                    format!("alternative {i} of this `{list}` is {what}, but it is merged with the objects around the `{list}`"),
                    "make every alternative an object, or move the shared properties into each alternative",
                );
            }
        }
    }

    /// A `mapping` value must name a schema of the definition, and a `oneOf`/`anyOf` that
    /// a discriminator tells apart must list `$ref`s, the only alternatives a tag names.
    fn discriminator(&mut self, schema: &Schema, pointer: &str) {
        let Some(discriminator) = &schema.schema_data.discriminator else {
            return;
        };
        let at = child_pointer(pointer, "discriminator");
        // A mapping to nowhere (often a file of the unbundled source) costs the tag only:
        // beside a `oneOf`/`anyOf` the alternatives are tried in order instead (as `ir`
        // does); for the base of subtypes, a value with that tag is one of the unlisted
        // kinds.
        let reading = if union_members(schema).is_some() {
            "the discriminator is not used, the alternatives are tried in order"
        } else {
            "a value with this tag is read as one of the kinds the mapping does not list"
        };
        for (value, target) in &discriminator.mapping {
            if crate::ir::mapping_target(self.api, target).is_none() {
                self.warning(
                    &child_pointer(&child_pointer(&at, "mapping"), value),
                    format!("discriminator value `{value}` is mapped to `{target}`, which names no schema of this definition; {reading}"),
                    "map it to `#/components/schemas/NAME` or `NAME` of a schema under `components.schemas` (`definitions` in Swagger 2.0)",
                );
            }
        }
        let Some((list, alternatives)) = union_members(schema) else {
            return;
        };
        for (i, alternative) in alternatives.iter().enumerate() {
            if let ReferenceOr::Item(_) = alternative {
                self.warning(
                    &format!("{pointer}/{list}/{i}"),
                    format!("the discriminator cannot name alternative {i}, which is not a `$ref`; the alternatives of this `{list}` are tried in order instead"),
                    "move the alternative into a named schema and refer to it with `$ref`",
                );
                return;
            }
        }
    }

    /// `enum` values must be values of the declared type: under `type: string`, `1` or
    /// `true` is no string, and the generated enum could not read any of them.
    fn enum_values(&mut self, schema: &Schema, pointer: &str) {
        let values: Vec<Value> = match &schema.schema_kind {
            SchemaKind::Any(any) => any.enumeration.clone(),
            SchemaKind::Type(Type::String(s)) => s
                .enumeration
                .iter()
                .map(|v| v.clone().map(Value::String).unwrap_or(Value::Null))
                .collect(),
            _ => return,
        };
        if values.is_empty() {
            return;
        }
        // `enum: [null]` was read as a nullable schema in `upgrade`.
        let enum_ptr = child_pointer(pointer, "enum");
        let typ = match &schema.schema_kind {
            SchemaKind::Any(any) => any.typ.as_deref(),
            _ => Some("string"),
        };
        let fits = |v: &Value| match typ {
            Some("string") => v.is_string(),
            Some("integer") => v.is_i64() || v.is_u64(),
            Some("number") => v.is_number(),
            Some("boolean") => v.is_boolean(),
            _ => true,
        };
        for (i, value) in values.iter().enumerate() {
            if !value.is_null() && !fits(value) {
                let typ = typ.unwrap_or_default();
                // Numbers and booleans under `type: string`, and numbers or names written
                // as text, were read in `upgrade`; what is left has no reading.
                let help = "make the values match `type`, or change `type` to match the values".to_string();
                self.error(
                    &child_pointer(&enum_ptr, &i.to_string()),
                    format!("enum value `{value}` is not of the schema's `type: {typ}`"),
                    &help,
                );
            }
        }
    }

    /// A named schema that is, through `$ref`s, `allOf`, `oneOf` or `anyOf` members, one
    /// of its own members (`A: {$ref: B}`, `B: {$ref: A}`) describes no value: reading it
    /// would never end. Recursion through properties, items or maps is fine and not
    /// reported here. Chains of such members are bounded too, so that what builds types
    /// from them never recurses without limit. Returns whether anything was found.
    fn composition_graph(&mut self, api: &OpenAPI) -> bool {
        let Some(components) = &api.components else {
            return false;
        };
        let keys: Vec<&String> = components.schemas.keys().collect();
        let ids: BTreeMap<&str, usize> = keys.iter().enumerate().map(|(i, k)| (k.as_str(), i)).collect();
        // Per component, its composition refs: (target, pointer of the `$ref`).
        let mut refs: Vec<Vec<(usize, String)>> = Vec::new();
        for (key, schema) in &components.schemas {
            let mut out = Vec::new();
            composition_refs(schema, &child_pointer("/components/schemas", key), &mut out);
            refs.push(
                out.into_iter()
                    .filter_map(|(target, pointer)| ids.get(target.as_str()).map(|&t| (t, pointer)))
                    .collect(),
            );
        }
        let edges: Vec<Vec<usize>> = refs.iter().map(|r| r.iter().map(|(t, _)| *t).collect()).collect();
        let component = strongly_connected(&edges);
        let cyclic = on_cycle(&edges, &component);
        let mut reported = BTreeSet::new();
        for start in (0..keys.len()).filter(|&v| cyclic[v]) {
            if !reported.insert(component[start]) {
                continue;
            }
            let same = |w: usize| component[w] == component[start];
            let Some((path, closing)) = shortest_cycle(&edges, start, same) else {
                continue;
            };
            let mut chain: Vec<&str> = path.iter().map(|&v| keys[v].as_str()).collect();
            chain.push(keys[start]);
            let last = path[path.len() - 1];
            self.error(
                &refs[last][closing].1,
                format!(
                    "schema `{}` is defined as itself: {}; no value can be read as it",
                    keys[start],
                    chain.join(" → ")
                ),
                "give one of these schemas content of its own (properties, a type), or hold the recursion in a property or `items`",
            );
        }
        if !reported.is_empty() {
            return true;
        }
        let mut depth = vec![0usize; keys.len()];
        let mut too_deep = false;
        for v in children_first(&edges) {
            depth[v] = 1 + edges[v].iter().map(|&w| depth[w]).max().unwrap_or(0);
            if depth[v] == MAX_COMPOSITION_DEPTH + 1 {
                too_deep = true;
                self.error(
                    &child_pointer("/components/schemas", keys[v]),
                    format!(
                        "schema `{}` is built through more than {MAX_COMPOSITION_DEPTH} nested `$ref`/`allOf`/`oneOf` steps",
                        keys[v]
                    ),
                    "refer to the schema that holds the content directly instead of through a chain",
                );
            }
        }
        too_deep
    }
}

/// A `oneOf` (or `anyOf`) written beside an `allOf` list: one more member of it.
fn sibling_union(schema: &Schema) -> Option<(&'static str, &[ReferenceOr<Schema>])> {
    let SchemaKind::Any(any) = &schema.schema_kind else {
        return None;
    };
    if any.all_of.is_empty() {
        return None;
    }
    [("oneOf", &any.one_of), ("anyOf", &any.any_of)]
        .into_iter()
        .find(|(_, list)| !list.is_empty())
        .map(|(name, list)| (name, list.as_slice()))
}

/// The components a schema is made of directly, with the pointer of each `$ref`:
/// itself a `$ref`, or members of its `allOf`, `oneOf`, `anyOf` (nested ones included).
fn composition_refs(schema: &ReferenceOr<Schema>, pointer: &str, out: &mut Vec<(String, String)>) {
    match schema {
        ReferenceOr::Reference { reference } => {
            if let Some(key) = component_key(reference) {
                out.push((key, pointer.to_string()));
            }
        }
        ReferenceOr::Item(item) => {
            let lists = all_of_members(item)
                .map(|m| ("allOf", m))
                .into_iter()
                .chain(union_members(item))
                .chain(sibling_union(item));
            for (list, members) in lists {
                for (i, member) in members.iter().enumerate() {
                    composition_refs(member, &format!("{pointer}/{list}/{i}"), out);
                }
            }
        }
    }
}

/// Checks of what a response carries besides its schemas: bodies where HTTP sends none,
/// media types and headers that no HTTP message can carry.
impl Checker<'_> {
    /// `status` is `0` for `default`.
    fn response_parts(&mut self, response: &openapiv3::Response, status_ptr: &str, status: &openapiv3::StatusCode) {
        let no_body = match *status {
            openapiv3::StatusCode::Code(code) => {
                code != 0 && crate::ir::sends_no_body(crate::ir::ResponseStatus::Exact(code))
            }
            openapiv3::StatusCode::Range(class) => crate::ir::sends_no_body(crate::ir::ResponseStatus::Class(class)),
        };
        let content_ptr = child_pointer(status_ptr, "content");
        if no_body && !response.content.is_empty() {
            // Point at the first schema: in Swagger 2.0 that is the `schema` the user wrote.
            let first = response.content.iter().next();
            let pointer = match first {
                Some((media, item)) if item.schema.is_some() => {
                    child_pointer(&child_pointer(&content_ptr, media), "schema")
                }
                _ => content_ptr.clone(),
            };
            self.warning(
                &pointer,
                format!("a `{status}` response has no body in HTTP, but content is declared for it; it is left out"),
                "remove the content (or `schema`) of this response",
            );
        }
        for media in response.content.keys() {
            if !crate::ir::writable_media(media) {
                self.error(
                    &child_pointer(&content_ptr, media),
                    format!("media type {media:?} cannot be written in a `Content-Type` header"),
                    "use a media type of printable ASCII text, like `application/octet-stream`",
                );
            }
        }
        let headers_ptr = child_pointer(status_ptr, "headers");
        let mut seen: Vec<&String> = Vec::new();
        for (name, header) in &response.headers {
            let header_ptr = child_pointer(&headers_ptr, name);
            if let Some(first) = seen.iter().find(|seen| seen.eq_ignore_ascii_case(name)) {
                self.error(
                    &header_ptr,
                    format!("response headers `{first}` and `{name}` are one HTTP header: header names ignore case"),
                    "keep one of the two",
                );
                continue;
            }
            seen.push(name);
            if name.eq_ignore_ascii_case("content-type") {
                self.warning(
                    &header_ptr,
                    "a declared `Content-Type` response header is ignored: the media types of `content` (`produces`) say it".to_string(),
                    "remove the header, and declare the body's media types instead",
                );
                continue;
            }
            if name.is_empty()
                || !name
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b"!#$%&'*+-.^_`|~".contains(&b))
            {
                self.error(
                    &header_ptr,
                    format!("response header {name:?} is not a valid HTTP header name"),
                    "use letters, digits and `-` (like `X-RateLimit-Remaining`)",
                );
                continue;
            }
            let ReferenceOr::Item(header) = header else { continue };
            if let openapiv3::ParameterSchemaOrContent::Schema(schema) = &header.format {
                let schema_ptr = child_pointer(&header_ptr, "schema");
                if let Some(what) = header_unfit(self.api, schema) {
                    self.error(
                        &schema_ptr,
                        format!("response header `{name}` is {what}, which stubforge cannot write in one header"),
                        "declare a string, number, boolean, or an array of those (sent comma-separated)",
                    );
                } else {
                    self.schema(schema, &schema_ptr);
                }
            }
        }
    }
}

/// What makes a header schema one no header value can carry: an object, a union, or an
/// array of those or of arrays. Scalars and arrays of scalars (comma-separated) fit.
fn header_unfit(api: &OpenAPI, schema: &ReferenceOr<Schema>) -> Option<&'static str> {
    let unfit = |shape: Shape| match shape {
        Shape::Object => Some("an object"),
        Shape::Union => Some("a `oneOf`/`anyOf`"),
        _ => None,
    };
    if let Some(what) = unfit(shape(api, schema)) {
        return Some(what);
    }
    let item = match schema {
        ReferenceOr::Item(item) => Some(item),
        ReferenceOr::Reference { reference } => resolve_component(api, reference),
    };
    let Some(SchemaKind::Type(Type::Array(array))) = item.map(|s| &s.schema_kind) else {
        return None;
    };
    let items = match array.items.as_ref()? {
        ReferenceOr::Item(boxed) => ReferenceOr::Item((**boxed).clone()),
        ReferenceOr::Reference { reference } => ReferenceOr::Reference {
            reference: reference.clone(),
        },
    };
    match shape(api, &items) {
        Shape::Object | Shape::Union => Some("an array of objects"),
        Shape::Other("an array") => Some("an array of arrays"),
        _ => None,
    }
}
