//! What `check` refuses in a parameter's style, and what it warns of in its `default`:
//! each rule a pure function giving the message and the help, so that `check` only says
//! where.

use openapiv3::{OpenAPI, Parameter, ReferenceOr, Schema, SchemaKind, Type};
use serde_json::Value;

use crate::schema_shape::resolve_component;
use crate::upgrade::COLLECTION_FORMAT;

/// A problem with one parameter: the pointer suffix it is at, message and help.
pub struct Problem {
    pub at: &'static str,
    pub message: String,
    pub help: String,
    /// Generation goes on without what the problem concerns (a default left unapplied).
    pub warning: bool,
}

/// Every problem of one parameter's style, value shape and default.
pub fn problems(api: &OpenAPI, param: &Parameter) -> Vec<Problem> {
    let data = param.parameter_data_ref();
    let mut found = Vec::new();
    if let Some(format) = data.extensions.get(COLLECTION_FORMAT) {
        let query = matches!(param, Parameter::Query { .. });
        match format.as_str() {
            Some("csv" | "ssv" | "tsv" | "pipes") => {}
            Some("multi") if query => {}
            Some("multi") => found.push(Problem {
                at: COLLECTION_FORMAT,
                message: format!(
                    "`collectionFormat: multi` repeats `{}` as query pairs, which only a query parameter can",
                    data.name
                ),
                help: "use `csv` (the default), `ssv`, `tsv` or `pipes`".to_string(),
                warning: false,
            }),
            _ => found.push(Problem {
                at: COLLECTION_FORMAT,
                message: format!(
                    "`collectionFormat` {format} of `{}` is not one Swagger 2.0 knows",
                    data.name
                ),
                help: "use `csv`, `ssv`, `tsv`, `pipes` or (in a query) `multi`".to_string(),
                warning: false,
            }),
        }
    }
    let openapiv3::ParameterSchemaOrContent::Schema(schema) = &data.format else {
        return found;
    };
    let Some(schema) = item(api, schema) else {
        return found;
    };
    let bracketed = brackets(api, param).is_some();
    if let Some(what) = nested_value(api, schema).filter(|_| !bracketed) {
        found.push(unwritable(param, what));
    }
    let deep_object = matches!(
        param,
        Parameter::Query {
            style: openapiv3::QueryStyle::DeepObject,
            ..
        }
    );
    if deep_object && !is_object(api, schema) {
        // OpenAPI defines `deepObject` for objects only; the APIs that use it on other
        // values (Stripe's `expand[0]=…`, `created=…` or `created[gte]=…`) mean the
        // bracket convention, which a scalar leaves as `name=value`.
        found.push(Problem {
            at: "style",
            message: format!(
                "`style: deepObject` writes objects, and `{}` is not one: it is written {}",
                data.name,
                deep_object_form(schema, &data.name)
            ),
            help: "use `style: form` for a scalar or a flat array, or leave it as it is".to_string(),
            warning: true,
        });
    }
    let unusable = schema
        .schema_data
        .default
        .as_ref()
        .filter(|default| usable_default(api, schema, default).is_none());
    if let Some(default) = unusable {
        // Someone else's definition is often generated for as it is: a default that is
        // no value of the parameter is left out, not a reason to refuse the operation.
        found.push(Problem {
            at: "schema/default",
            message: format!(
                "parameter `{}` has the default {default}, which its schema does not allow; the generated code applies no default",
                data.name
            ),
            help: "write a default of the parameter's type (and one of its `enum` values, if any), or leave it as it is"
                .to_string(),
            warning: true,
        });
    }
    found
}

/// How the bracket convention writes a value that is not an object.
fn deep_object_form(schema: &Schema, name: &str) -> String {
    match &schema.schema_kind {
        SchemaKind::Type(Type::Array(_)) => format!("as `{name}[0]=v&{name}[1]=v`, the bracket convention"),
        SchemaKind::Type(_) => format!("as `{name}=v`, as `style: form` would"),
        _ => format!(
            "as `{name}=v`, or with brackets (`{name}[k]=v`, `{name}[0]=v`) when its value is an object or array"
        ),
    }
}

fn item<'a>(api: &'a OpenAPI, schema: &'a ReferenceOr<Schema>) -> Option<&'a Schema> {
    match schema {
        ReferenceOr::Item(schema) => Some(schema),
        ReferenceOr::Reference { reference } => resolve_component(api, reference),
    }
}

fn boxed_item<'a>(api: &'a OpenAPI, schema: &'a ReferenceOr<Box<Schema>>) -> Option<&'a Schema> {
    match schema {
        ReferenceOr::Item(schema) => Some(schema),
        ReferenceOr::Reference { reference } => resolve_component(api, reference),
    }
}

fn is_object(api: &OpenAPI, schema: &Schema) -> bool {
    match &schema.schema_kind {
        SchemaKind::Type(Type::Object(_)) => true,
        SchemaKind::Any(any) => !any.properties.is_empty() && any.typ.as_deref().is_none_or(|typ| typ == "object"),
        SchemaKind::AllOf { all_of } => {
            let typed: Vec<&Schema> = all_of
                .iter()
                .filter_map(|member| item(api, member))
                .filter(|member| !annotation_only(member))
                .collect();
            !typed.is_empty()
                && typed
                    .iter()
                    .all(|member| matches!(member.schema_kind, SchemaKind::Type(Type::Object(_))))
        }
        _ => false,
    }
}

/// Whether the value is written as one piece of text: a string, number or boolean, an
/// `enum` of such values without a `type`, an `allOf` whose members that say more than
/// annotations (`xml`, `description`) are all such values, or a `oneOf`/`anyOf` of them.
/// The depth bound keeps a hostile ref chain short.
/// The budget of schemas looked at bounds the work wide compositions nested in each other
/// would multiply.
fn scalar_like(api: &OpenAPI, schema: &Schema, depth: usize) -> bool {
    scalar_like_within(api, schema, depth, &std::cell::Cell::new(SCALAR_LIKE_STEPS))
}

const SCALAR_LIKE_STEPS: usize = 1024;

fn scalar_like_within(api: &OpenAPI, schema: &Schema, depth: usize, steps: &std::cell::Cell<usize>) -> bool {
    if depth > 8 || steps.get() == 0 {
        return false;
    }
    steps.set(steps.get() - 1);
    let all = |members: &[ReferenceOr<Schema>], skip_annotations: bool| {
        let members: Vec<&Schema> = members
            .iter()
            .filter_map(|member| item(api, member))
            .filter(|member| !(skip_annotations && annotation_only(member)))
            .collect();
        !members.is_empty()
            && members
                .iter()
                .all(|member| scalar_like_within(api, member, depth + 1, steps))
    };
    match &schema.schema_kind {
        SchemaKind::Type(Type::String(_) | Type::Integer(_) | Type::Number(_) | Type::Boolean(_)) => true,
        SchemaKind::Type(_) => false,
        SchemaKind::AllOf { all_of } => all(all_of, true),
        SchemaKind::OneOf { one_of } => all(one_of, false),
        SchemaKind::AnyOf { any_of } => all(any_of, false),
        SchemaKind::Any(any) => {
            let scalar_type = matches!(any.typ.as_deref(), Some("string" | "integer" | "number" | "boolean"));
            let scalar_enum = any.typ.is_none()
                && any.properties.is_empty()
                && any.items.is_none()
                && !any.enumeration.is_empty()
                && any
                    .enumeration
                    .iter()
                    .all(|value| !value.is_array() && !value.is_object());
            scalar_type || scalar_enum
        }
        SchemaKind::Not { .. } => false,
    }
}

/// A schema that only annotates (`xml`, `description`, `example`): an `allOf` member that
/// adds nothing to the value's shape.
fn annotation_only(schema: &Schema) -> bool {
    matches!(&schema.schema_kind, SchemaKind::Any(any) if *any == openapiv3::AnySchema::default())
}

/// What makes a value unwritable as one piece of text or a list or object of such pieces:
/// an array or object inside it.
fn nested_value(api: &OpenAPI, schema: &Schema) -> Option<&'static str> {
    match &schema.schema_kind {
        SchemaKind::Type(Type::Array(array)) => {
            let items = array.items.as_ref().and_then(|items| boxed_item(api, items))?;
            // `items: {}` says nothing; the definitions that write it mean a list of
            // words (`tags=jobs,hello`), and the client refuses an item that nests.
            let nests = !scalar_like(api, items, 0) && !annotation_only(items);
            nests.then_some("an array of arrays or objects")
        }
        SchemaKind::Type(Type::Object(object)) => {
            let nested = object
                .properties
                .values()
                .filter_map(|member| boxed_item(api, member))
                .any(|member| !scalar_like(api, member, 0));
            nested.then_some("an object with array or object members")
        }
        _ => None,
    }
}

/// How a query value that nests is written: with the bracket convention, under the
/// parameter's name (`name[0][k]=v`: `deepObject`, and exploded `form` arrays), or with
/// each member of an exploded `form` object as a pair of its own (`k[j]=v`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Brackets {
    Named,
    Members,
}

/// The bracket form a query parameter's value takes, or `None` when the style's own form
/// holds it: `deepObject` on anything but a flat object, and exploded `form` on an array
/// or object that nests.
pub fn brackets(api: &OpenAPI, param: &Parameter) -> Option<Brackets> {
    let Parameter::Query {
        style, parameter_data, ..
    } = param
    else {
        return None;
    };
    if parameter_data.extensions.contains_key(COLLECTION_FORMAT) {
        return None;
    }
    let openapiv3::ParameterSchemaOrContent::Schema(schema) = &parameter_data.format else {
        return None;
    };
    let schema = item(api, schema)?;
    let nested = nested_value(api, schema);
    match style {
        // Only a flat object of `type: object` keeps the flat reader it always had.
        openapiv3::QueryStyle::DeepObject
            if nested.is_some() || !matches!(schema.schema_kind, SchemaKind::Type(Type::Object(_))) =>
        {
            Some(Brackets::Named)
        }
        openapiv3::QueryStyle::Form if parameter_data.explode.unwrap_or(true) && nested.is_some() => {
            Some(match schema.schema_kind {
                SchemaKind::Type(Type::Object(_)) => Brackets::Members,
                _ => Brackets::Named,
            })
        }
        _ => None,
    }
}

/// A value that nests where the parameter's style has no form for it.
fn unwritable(param: &Parameter, what: &str) -> Problem {
    let data = param.parameter_data_ref();
    let (message, help) = match param {
        Parameter::Query { .. } => (
            format!(
                "parameter `{}` is {what}, which no parameter style can write with its items joined in one value",
                data.name
            ),
            "use `style: form` with `explode: true` or `style: deepObject` (written `name[0][k]=v`), flatten it, or send it in the body",
        ),
        _ => (
            format!(
                "parameter `{}` is {what}, which no parameter style can write outside the query",
                data.name
            ),
            "flatten it to an array of scalars or an object of scalars, move it to the query, or send it in the body",
        ),
    };
    Problem {
        at: "schema",
        message,
        help: help.to_string(),
        warning: false,
    }
}

/// The default the generated code applies: `default` when the schema allows it, or a
/// string that reads as a value the schema allows (`"false"`, `"10"`, `"a,b"` for an
/// array), as hand-written definitions often give; `None` when neither holds.
pub fn usable_default(api: &OpenAPI, schema: &Schema, default: &Value) -> Option<Value> {
    if fits(api, schema, default, 0) {
        return Some(default.clone());
    }
    let text = default.as_str()?;
    let read = match &schema.schema_kind {
        SchemaKind::Type(Type::Array(array)) => {
            let items = array.items.as_ref().and_then(|items| boxed_item(api, items))?;
            let values = text
                .split(',')
                .map(|part| scalar_from_text(items, part.trim()))
                .collect::<Option<Vec<Value>>>()?;
            Value::Array(values)
        }
        _ => scalar_from_text(schema, text)?,
    };
    fits(api, schema, &read, 0).then_some(read)
}

/// A scalar written as text, read as the schema's type.
fn scalar_from_text(schema: &Schema, text: &str) -> Option<Value> {
    match &schema.schema_kind {
        SchemaKind::Type(Type::String(_)) => Some(Value::String(text.to_string())),
        SchemaKind::Type(Type::Integer(_)) => text
            .parse::<i64>()
            .map(Value::from)
            .or_else(|_| text.parse::<u64>().map(Value::from))
            .ok(),
        SchemaKind::Type(Type::Number(_)) => text
            .parse::<f64>()
            .ok()
            .and_then(serde_json::Number::from_f64)
            .map(Value::Number),
        SchemaKind::Type(Type::Boolean(_)) => match text {
            "true" => Some(Value::Bool(true)),
            "false" => Some(Value::Bool(false)),
            _ => None,
        },
        _ => None,
    }
}

/// Whether `value` is of the schema's type: the bound keeps a hostile ref chain short.
fn fits(api: &OpenAPI, schema: &Schema, value: &Value, depth: usize) -> bool {
    if depth > 4 {
        return true;
    }
    match &schema.schema_kind {
        SchemaKind::Type(Type::String(string)) => match value.as_str() {
            Some(text) => string.enumeration.is_empty() || string.enumeration.iter().flatten().any(|v| v == text),
            None => false,
        },
        SchemaKind::Type(Type::Integer(_)) => value.is_i64() || value.is_u64(),
        SchemaKind::Type(Type::Number(_)) => value.is_number(),
        SchemaKind::Type(Type::Boolean(_)) => value.is_boolean(),
        SchemaKind::Type(Type::Array(array)) => {
            let Some(values) = value.as_array() else { return false };
            match array.items.as_ref().and_then(|items| boxed_item(api, items)) {
                Some(items) => values.iter().all(|v| fits(api, items, v, depth + 1)),
                None => true,
            }
        }
        SchemaKind::Type(Type::Object(_)) => value.is_object(),
        _ => true,
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn schema(json: Value) -> Schema {
        serde_json::from_value(json).expect("a schema")
    }

    #[test]
    fn a_default_written_as_text_is_read_as_the_schemas_type() {
        let api = OpenAPI::default();
        let read = |s: Value, default: Value| usable_default(&api, &schema(s), &default);
        assert_eq!(read(json!({"type": "boolean"}), json!("false")), Some(json!(false)));
        assert_eq!(read(json!({"type": "integer"}), json!("10")), Some(json!(10)));
        assert_eq!(read(json!({"type": "number"}), json!("0.5")), Some(json!(0.5)));
        let kinds = json!({"type": "array", "items": {"type": "string", "enum": ["playable", "preview", "full"]}});
        assert_eq!(
            read(kinds.clone(), json!("playable,preview")),
            Some(json!(["playable", "preview"]))
        );
        assert_eq!(read(kinds, json!("playable,other")), None);
        assert_eq!(read(json!({"type": "integer"}), json!(25)), Some(json!(25)));
    }

    fn query(api_json: Value, param: Value) -> (OpenAPI, Parameter) {
        let api: OpenAPI = serde_json::from_value(api_json).expect("a definition");
        let param: Parameter = serde_json::from_value(param).expect("a parameter");
        (api, param)
    }

    fn components() -> Value {
        json!({
            "openapi": "3.0.3",
            "info": {"title": "t", "version": "1"},
            "paths": {},
            "components": {"schemas": {
                "Id": {"type": "string"},
                "Tag": {"type": "object", "properties": {"Key": {"type": "string"}, "Value": {"type": "string"}}}
            }}
        })
    }

    #[test]
    fn items_that_annotate_a_scalar_or_list_scalar_choices_are_scalars() {
        let annotated = json!({"name": "Ids", "in": "query", "schema": {"type": "array", "items": {
            "allOf": [{"$ref": "#/components/schemas/Id"}, {"xml": {"name": "item"}}]
        }}});
        let untyped_enum =
            json!({"name": "kind", "in": "query", "schema": {"type": "array", "items": {"enum": ["a", "b"]}}});
        let choice = json!({"name": "id", "in": "header", "schema": {"type": "array", "items": {
            "anyOf": [{"type": "integer"}, {"type": "string"}]
        }}});
        let unsaid = json!({"name": "tags", "in": "query", "explode": false, "schema": {"type": "array", "items": {}}});
        for param in [annotated, untyped_enum, choice, unsaid] {
            let (api, param) = query(components(), param);
            assert!(problems(&api, &param).is_empty(), "{param:?}");
            assert_eq!(brackets(&api, &param), None);
        }
    }

    #[test]
    fn query_values_that_nest_take_the_bracket_convention() {
        let tags = json!({"name": "Tags", "in": "query", "schema": {"type": "array", "items": {"$ref": "#/components/schemas/Tag"}}});
        let (api, param) = query(components(), tags);
        assert_eq!(brackets(&api, &param), Some(Brackets::Named));
        assert!(problems(&api, &param).is_empty());

        let config = json!({"name": "Config", "in": "query", "schema": {"type": "object", "properties": {
            "Name": {"type": "string"}, "Targets": {"type": "array", "items": {"type": "string"}}
        }}});
        let (api, param) = query(components(), config);
        assert_eq!(brackets(&api, &param), Some(Brackets::Members));

        let deep_array = json!({"name": "expand", "in": "query", "style": "deepObject", "schema": {"type": "array", "items": {"type": "string"}}});
        let (api, param) = query(components(), deep_array);
        assert_eq!(brackets(&api, &param), Some(Brackets::Named));
        let found = problems(&api, &param);
        assert!(found.len() == 1 && found[0].warning && found[0].message.contains("`expand[0]=v&expand[1]=v`"));

        // A flat object keeps `deepObject`'s own form; so does an unexploded flat list.
        let flat = json!({"name": "filter", "in": "query", "style": "deepObject", "schema": {"$ref": "#/components/schemas/Tag"}});
        let (api, param) = query(components(), flat);
        assert_eq!(brackets(&api, &param), None);
        assert!(problems(&api, &param).is_empty());
    }

    #[test]
    fn values_that_nest_where_no_bracket_form_applies_are_errors() {
        let joined = json!({"name": "Tags", "in": "query", "explode": false, "schema": {"type": "array", "items": {"$ref": "#/components/schemas/Tag"}}});
        let header = json!({"name": "X-Tags", "in": "header", "schema": {"type": "array", "items": {"$ref": "#/components/schemas/Tag"}}});
        let path = json!({"name": "at", "in": "path", "required": true, "schema": {"type": "array", "items": {"type": "array", "items": {"type": "number"}}}});
        for param in [joined, header, path] {
            let (api, param) = query(components(), param);
            assert_eq!(brackets(&api, &param), None);
            let found = problems(&api, &param);
            assert!(
                found.len() == 1
                    && !found[0].warning
                    && found[0].message.contains("which no parameter style can write")
            );
        }
    }

    #[test]
    fn a_default_the_schema_does_not_allow_is_not_applied() {
        let api = OpenAPI::default();
        let read = |s: Value, default: Value| usable_default(&api, &schema(s), &default);
        assert_eq!(
            read(
                json!({"type": "string", "enum": ["driving", "walking"]}),
                json!("cycling")
            ),
            None
        );
        assert_eq!(read(json!({"type": "integer"}), json!("ten")), None);
        assert_eq!(read(json!({"type": "boolean"}), json!("no")), None);
        assert_eq!(read(json!({"type": "integer"}), json!(1.5)), None);
    }
}
