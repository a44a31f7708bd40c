//! What a schema amounts to, beyond how the `openapiv3` model happened to read it. Shared
//! by `check` (which refuses what cannot be expressed) and `ir` (which builds the rest),
//! so that the two always agree.
//!
//! The model reads a schema with a keyword of another type beside `type` (`uniqueItems`
//! on a string, `enum: [1]` under `type: string`) or with `allOf` beside `properties` as
//! [`SchemaKind::Any`]; [`normalized`] gives such schemas back their declared type.

use std::borrow::Cow;
use std::collections::BTreeSet;

use openapiv3::{
    AnySchema, ArrayType, BooleanType, IntegerType, NumberType, ObjectType, OpenAPI, ReferenceOr, Schema, SchemaKind,
    StringType, Type,
};
use serde_json::Value;

use crate::upgrade::{TUPLE_EXTENSION, TYPES_EXTENSION};

const COMPONENTS: &str = "#/components/schemas/";

/// How many `$ref`/`allOf`/`oneOf` steps a named schema may be built through; `check`
/// refuses more, so what follows the steps (here and in `ir`) recurses a bounded depth.
pub const MAX_COMPOSITION_DEPTH: usize = 64;

/// The component key a local `$ref` names (`#/components/schemas/a~1b` → `a/b`).
pub fn component_key(reference: &str) -> Option<String> {
    let escaped = reference.strip_prefix(COMPONENTS)?;
    if escaped.is_empty() || escaped.contains('/') {
        return None;
    }
    Some(escaped.replace("~1", "/").replace("~0", "~"))
}

/// The component schema a `$ref` names, following refs between components. `None` for a
/// dangling ref or a loop of refs (which `check` reports).
pub fn resolve_component<'a>(api: &'a OpenAPI, reference: &str) -> Option<&'a Schema> {
    let mut seen = BTreeSet::new();
    let mut reference = reference.to_string();
    loop {
        let key = component_key(&reference)?;
        if !seen.insert(key.clone()) {
            return None;
        }
        match api.components.as_ref()?.schemas.get(&key)? {
            ReferenceOr::Item(schema) => return Some(schema),
            ReferenceOr::Reference { reference: next } => reference = next.clone(),
        }
    }
}

/// The schema with its declared `type` restored when the model read it as `Any` only
/// because of a keyword that belongs to another type; anything else unchanged.
pub fn normalized(schema: &Schema) -> Cow<'_, Schema> {
    let SchemaKind::Any(any) = &schema.schema_kind else {
        return Cow::Borrowed(schema);
    };
    match typed_any(any) {
        Some(kind) => Cow::Owned(Schema {
            schema_data: schema.schema_data.clone(),
            schema_kind: kind,
        }),
        None => Cow::Borrowed(schema),
    }
}

fn has_composition(any: &AnySchema) -> bool {
    !any.all_of.is_empty() || !any.one_of.is_empty() || !any.any_of.is_empty() || any.not.is_some()
}

fn typed_any(any: &AnySchema) -> Option<SchemaKind> {
    if has_composition(any) {
        return None;
    }
    let ty = match any.typ.as_deref()? {
        "string" => Type::String(StringType {
            format: any.format.clone().into(),
            pattern: any.pattern.clone(),
            // Values that are not strings are refused by `check`.
            enumeration: any
                .enumeration
                .iter()
                .filter_map(|v| match v {
                    Value::String(s) => Some(Some(s.clone())),
                    Value::Null => Some(None),
                    _ => None,
                })
                .collect(),
            min_length: any.min_length,
            max_length: any.max_length,
        }),
        "integer" => Type::Integer(IntegerType {
            format: any.format.clone().into(),
            ..IntegerType::default()
        }),
        "number" => Type::Number(NumberType {
            format: any.format.clone().into(),
            ..NumberType::default()
        }),
        "boolean" => Type::Boolean(BooleanType::default()),
        "array" => Type::Array(ArrayType {
            items: any.items.clone(),
            min_items: any.min_items,
            max_items: any.max_items,
            unique_items: any.unique_items.unwrap_or(false),
        }),
        "object" => Type::Object(object_from_any(any)),
        _ => return None,
    };
    Some(SchemaKind::Type(ty))
}

pub fn object_from_any(any: &AnySchema) -> ObjectType {
    ObjectType {
        properties: any.properties.clone(),
        required: any.required.clone(),
        additional_properties: any.additional_properties.clone(),
        min_properties: any.min_properties,
        max_properties: any.max_properties,
    }
}

/// The `allOf` list of a schema, also when the model read it as `Any` because of sibling
/// keys (`type: object`, `properties`).
pub fn all_of_members(schema: &Schema) -> Option<&[ReferenceOr<Schema>]> {
    match &schema.schema_kind {
        SchemaKind::AllOf { all_of } => Some(all_of),
        SchemaKind::Any(any) if !any.all_of.is_empty() => Some(&any.all_of),
        _ => None,
    }
}

/// The members an `allOf` schema declares beside its list (`properties`, `required`,
/// `additionalProperties`), as one more object to merge; `None` when there are none.
pub fn own_object(schema: &Schema) -> Option<ObjectType> {
    let SchemaKind::Any(any) = &schema.schema_kind else {
        return None;
    };
    let has_members = !any.properties.is_empty() || !any.required.is_empty() || any.additional_properties.is_some();
    has_members.then(|| object_from_any(any))
}

/// `oneOf` or `anyOf`, with the keyword's name.
pub fn union_members(schema: &Schema) -> Option<(&'static str, &[ReferenceOr<Schema>])> {
    match &schema.schema_kind {
        SchemaKind::OneOf { one_of } => Some(("oneOf", one_of)),
        SchemaKind::AnyOf { any_of } => Some(("anyOf", any_of)),
        SchemaKind::Any(any) if any.all_of.is_empty() && !any.one_of.is_empty() => Some(("oneOf", &any.one_of)),
        SchemaKind::Any(any) if any.all_of.is_empty() && !any.any_of.is_empty() => Some(("anyOf", &any.any_of)),
        _ => None,
    }
}

/// What a value of a schema is, as far as combining schemas with `allOf` is concerned.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Shape {
    /// Only annotations (`description`, `example`, …): says nothing about the value.
    Annotation,
    Object,
    /// `oneOf` / `anyOf`.
    Union,
    /// Anything else: a string, a number, an array, …, named for messages.
    Other(&'static str),
}

pub fn shape(api: &OpenAPI, schema: &ReferenceOr<Schema>) -> Shape {
    match schema {
        ReferenceOr::Reference { reference } => match resolve_component(api, reference) {
            Some(target) => shape_of_item(api, target, &mut BTreeSet::new(), 0),
            None => Shape::Other("an unknown schema"),
        },
        ReferenceOr::Item(item) => shape_of_item(api, item, &mut BTreeSet::new(), 0),
    }
}

/// `depth` counts the steps taken; past the limit `check` has refused the definition, so
/// the answer no longer matters, only that the walk ends.
fn shape_of_item(api: &OpenAPI, schema: &Schema, seen: &mut BTreeSet<*const Schema>, depth: usize) -> Shape {
    if !seen.insert(schema as *const Schema) || depth > MAX_COMPOSITION_DEPTH {
        return Shape::Annotation;
    }
    let extensions = &schema.schema_data.extensions;
    if extensions.contains_key(TUPLE_EXTENSION) {
        return Shape::Other("an array");
    }
    if extensions.contains_key(TYPES_EXTENSION) {
        return Shape::Other("a list of types");
    }
    if union_members(schema).is_some() {
        return Shape::Union;
    }
    if let Some(members) = all_of_members(schema) {
        let shapes: Vec<Shape> = members
            .iter()
            .map(|m| match m {
                ReferenceOr::Reference { reference } => match resolve_component(api, reference) {
                    Some(target) => shape_of_item(api, target, seen, depth + 1),
                    None => Shape::Other("an unknown schema"),
                },
                ReferenceOr::Item(item) => shape_of_item(api, item, seen, depth + 1),
            })
            .filter(|s| *s != Shape::Annotation)
            .collect();
        if own_object(schema).is_some() && object_keywords_apply(schema, &shapes) {
            return Shape::Object;
        }
        return match shapes.as_slice() {
            [] => Shape::Annotation,
            [one] => *one,
            _ => Shape::Object,
        };
    }
    match &normalized(schema).schema_kind {
        SchemaKind::Type(Type::Object(_)) => Shape::Object,
        SchemaKind::Type(Type::String(_)) => Shape::Other("a string"),
        SchemaKind::Type(Type::Integer(_) | Type::Number(_)) => Shape::Other("a number"),
        SchemaKind::Type(Type::Boolean(_)) => Shape::Other("a boolean"),
        SchemaKind::Type(Type::Array(_)) => Shape::Other("an array"),
        SchemaKind::Any(any)
            if !any.properties.is_empty() || any.additional_properties.is_some() || !any.required.is_empty() =>
        {
            Shape::Object
        }
        SchemaKind::Any(any) if *any == AnySchema::default() || only_type_specific_constraints(any) => {
            Shape::Annotation
        }
        SchemaKind::Any(any) if any.typ.as_deref() == Some("object") => Shape::Object,
        _ => Shape::Other("a schema of no single type"),
    }
}

/// The member that gives an `allOf` its whole shape, when no other member adds to it:
/// `allOf: [{$ref: RoomId}]` beside a `description` is `RoomId`. Prefers a `$ref` (it
/// names the type) among members of the same non-object shape.
pub fn sole_member<'s>(api: &OpenAPI, schema: &'s Schema) -> Option<(usize, &'s ReferenceOr<Schema>)> {
    let members = all_of_members(schema)?;
    let shaped: Vec<(usize, &'s ReferenceOr<Schema>, Shape)> = members
        .iter()
        .enumerate()
        .map(|(i, m)| (i, m, shape(api, m)))
        .filter(|(_, _, s)| *s != Shape::Annotation)
        .collect();
    let shapes: Vec<Shape> = shaped.iter().map(|(_, _, s)| *s).collect();
    if own_object(schema).is_some() && object_keywords_apply(schema, &shapes) {
        return None;
    }
    match shaped.as_slice() {
        [(i, m, _)] => Some((*i, *m)),
        [(_, _, first), rest @ ..] if matches!(first, Shape::Other(_)) && rest.iter().all(|(_, _, s)| s == first) => {
            let (i, m, _) = shaped
                .iter()
                .find(|(_, m, _)| matches!(m, ReferenceOr::Reference { .. }))
                .unwrap_or(&shaped[0]);
            Some((*i, *m))
        }
        _ => None,
    }
}

/// Whether the object keywords written beside an `allOf` or a `oneOf`/`anyOf` (`type:
/// object`, `additionalProperties`, `properties`) shape the value, given the shapes of the
/// members (annotations left out). They always do when they name members or a map of
/// them; bare `type: object` or `additionalProperties: false` beside members that are no
/// objects is what converters from XSD or .NET write around a string enum, and says
/// nothing about a string: the members are the value.
pub fn object_keywords_apply(schema: &Schema, member_shapes: &[Shape]) -> bool {
    let SchemaKind::Any(any) = &schema.schema_kind else {
        return true;
    };
    let names_members = !any.properties.is_empty()
        || !any.required.is_empty()
        || matches!(
            any.additional_properties,
            Some(openapiv3::AdditionalProperties::Schema(_))
        );
    names_members || member_shapes.is_empty() || member_shapes.iter().any(|s| matches!(s, Shape::Object | Shape::Union))
}

/// Whether the properties and object keywords beside a `oneOf`/`anyOf` are merged into
/// each alternative (see [`object_keywords_apply`]).
pub fn union_beside_object(api: &OpenAPI, schema: &Schema) -> bool {
    let (Some(_), Some((_, alternatives))) = (own_object(schema), union_members(schema)) else {
        return false;
    };
    let shapes: Vec<Shape> = alternatives
        .iter()
        .map(|a| shape(api, a))
        .filter(|s| *s != Shape::Annotation)
        .collect();
    object_keywords_apply(schema, &shapes)
}

/// A schema with no `type` whose keywords all constrain values of one type only
/// (`pattern`, `format`, `minLength`, `minimum`, …): beside another member in an `allOf`
/// it narrows that member's values and adds no type of its own, as a description does.
fn only_type_specific_constraints(any: &AnySchema) -> bool {
    let kept = AnySchema {
        pattern: None,
        multiple_of: None,
        exclusive_minimum: None,
        exclusive_maximum: None,
        minimum: None,
        maximum: None,
        min_length: None,
        max_length: None,
        min_items: None,
        max_items: None,
        unique_items: None,
        min_properties: None,
        max_properties: None,
        format: None,
        ..any.clone()
    };
    kept == AnySchema::default()
}
