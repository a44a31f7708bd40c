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
    if let Some(what) = nested_value(api, schema) {
        found.push(Problem {
            at: "schema",
            message: format!(
                "parameter `{}` is {what}, which no parameter style can write",
                data.name
            ),
            help: "flatten it to an array of scalars or an object of scalars, or send it in the body".to_string(),
            warning: false,
        });
    }
    let deep_object = matches!(
        param,
        Parameter::Query {
            style: openapiv3::QueryStyle::DeepObject,
            ..
        }
    );
    if deep_object && !is_object(schema) {
        found.push(Problem {
            at: "style",
            message: format!("`style: deepObject` writes objects, and `{}` is not one", data.name),
            help: "use `style: form` for a scalar or an array".to_string(),
            warning: false,
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

fn is_object(schema: &Schema) -> bool {
    matches!(schema.schema_kind, SchemaKind::Type(Type::Object(_)))
}

fn is_scalar(schema: &Schema) -> bool {
    matches!(
        schema.schema_kind,
        SchemaKind::Type(Type::String(_) | Type::Integer(_) | Type::Number(_) | Type::Boolean(_))
    )
}

/// What makes a value unwritable as a parameter: an array or object inside one.
fn nested_value(api: &OpenAPI, schema: &Schema) -> Option<&'static str> {
    match &schema.schema_kind {
        SchemaKind::Type(Type::Array(array)) => {
            let items = array.items.as_ref().and_then(|items| boxed_item(api, items))?;
            (!is_scalar(items)).then_some("an array of arrays or objects")
        }
        SchemaKind::Type(Type::Object(object)) => {
            let nested = object
                .properties
                .values()
                .filter_map(|member| boxed_item(api, member))
                .any(|member| !is_scalar(member));
            nested.then_some("an object with array or object members")
        }
        _ => None,
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
