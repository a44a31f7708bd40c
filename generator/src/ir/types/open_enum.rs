//! String enums that keep values they do not list.
//!
//! OpenAPI's `enum` is closed: a value it does not list is invalid, and reading one is an
//! error. A definition allows other values in one of two ways, and only then does the
//! enum get a variant (`Other(String)`) that keeps them:
//! - `x-extensible-enum: [..]` on a string schema (the Zalando guidelines' extension,
//!   used in place of `enum`): the listed values are the known ones;
//! - `anyOf`/`oneOf` of exactly a string `enum` and a plain `type: string`: known values,
//!   or any string.

use openapiv3::{ReferenceOr, Schema, SchemaKind, StringType, Type};
use serde_json::Value;

use crate::schema_shape::{normalized, union_members};

pub const EXTENSIBLE_ENUM: &str = "x-extensible-enum";

/// The listed values of a string schema that allows others too; `None` for any other
/// schema, a closed `enum` included.
pub fn open_values(schema: &Schema) -> Option<Vec<String>> {
    if let SchemaKind::Type(Type::String(StringType { enumeration, .. })) = &schema.schema_kind {
        let Some(Value::Array(listed)) = schema.schema_data.extensions.get(EXTENSIBLE_ENUM) else {
            return None;
        };
        let mut values: Vec<String> = enumeration.iter().flatten().cloned().collect();
        for value in listed.iter().filter_map(Value::as_str) {
            if !values.iter().any(|v| v == value) {
                values.push(value.to_string());
            }
        }
        return Some(values);
    }
    let (_, members) = union_members(schema)?;
    let [ReferenceOr::Item(first), ReferenceOr::Item(second)] = members else {
        return None;
    };
    let listed = |s: &Schema| match &normalized(s).schema_kind {
        SchemaKind::Type(Type::String(StringType { enumeration, .. })) => {
            Some(enumeration.iter().flatten().cloned().collect::<Vec<_>>())
        }
        _ => None,
    };
    match (listed(first)?, listed(second)?) {
        (values, plain) | (plain, values) if plain.is_empty() && !values.is_empty() => Some(values),
        _ => None,
    }
}
