//! What `check` refuses in a parameter's style and `default`: each rule a pure function
//! giving the message and the help, so that `check` only says where.

use openapiv3::{OpenAPI, Parameter, ReferenceOr, Schema, SchemaKind, Type};
use serde_json::Value;

use crate::schema_shape::resolve_component;
use crate::upgrade::COLLECTION_FORMAT;

/// A problem with one parameter: the pointer suffix it is at, message and help.
pub struct Problem {
    pub at: &'static str,
    pub message: String,
    pub help: String,
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
            }),
            _ => found.push(Problem {
                at: COLLECTION_FORMAT,
                message: format!(
                    "`collectionFormat` {format} of `{}` is not one Swagger 2.0 knows",
                    data.name
                ),
                help: "use `csv`, `ssv`, `tsv`, `pipes` or (in a query) `multi`".to_string(),
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
        });
    }
    if let Some(default) = &schema.schema_data.default {
        if !fits(api, schema, default, 0) {
            found.push(Problem {
                at: "schema/default",
                message: format!(
                    "parameter `{}` has the default {default}, which its schema does not allow",
                    data.name
                ),
                help: "write a default of the parameter's type (and one of its `enum` values, if any)".to_string(),
            });
        }
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
