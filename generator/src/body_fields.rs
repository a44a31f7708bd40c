//! The fields a form or multipart body's schema names. Shared by `check` (which warns
//! when a schema names none) and `ir` (which types the fields, or falls back to generic
//! name/value pairs and parts), so that the two always agree.
//!
//! Real definitions name fields with an object schema, with `allOf` over object schemas
//! (a base record plus the upload's own parts), or not at all: no schema, `{}`, a free
//! `type: object`, or a schema that is no object (`type: string`, an array, a `oneOf`).

use std::collections::BTreeSet;

use openapiv3::{OpenAPI, ReferenceOr, Schema, SchemaKind, Type};

use crate::diag::child_pointer;
use crate::schema_shape::{MAX_COMPOSITION_DEPTH, resolve_component};

/// One named field, with the pointer of its schema.
pub struct Member<'a> {
    pub name: &'a str,
    pub schema: &'a ReferenceOr<Box<Schema>>,
    pub pointer: String,
    pub required: bool,
}

/// What a form or multipart body's schema says about its fields.
pub enum BodyFields<'a> {
    /// Object members (through `allOf` too), in declaration order.
    Named(Vec<Member<'a>>),
    /// No schema, `{}` or an object without properties: any fields at all.
    Free,
    /// A schema that is no object (a string, an array, a `oneOf`…): it names no field.
    NotObject,
}

/// The fields `schema` (at `pointer`) names.
pub fn body_fields<'a>(api: &'a OpenAPI, schema: Option<&'a ReferenceOr<Schema>>, pointer: &str) -> BodyFields<'a> {
    let Some(schema) = schema else {
        return BodyFields::Free;
    };
    let mut walk = Walk {
        api,
        members: Vec::new(),
        required: Vec::new(),
        object: true,
        seen: BTreeSet::new(),
    };
    match schema {
        ReferenceOr::Item(schema) => walk.schema(schema, pointer, 0),
        ReferenceOr::Reference { reference } => walk.reference(reference, 0),
    }
    if !walk.object {
        return BodyFields::NotObject;
    }
    if walk.members.is_empty() {
        return BodyFields::Free;
    }
    let mut members = walk.members;
    for member in &mut members {
        member.required = walk.required.contains(&member.name);
    }
    BodyFields::Named(members)
}

struct Walk<'a> {
    api: &'a OpenAPI,
    members: Vec<Member<'a>>,
    required: Vec<&'a str>,
    /// False once some part of the schema is not an object.
    object: bool,
    /// Schemas already merged: one reached again (`allOf: [A, A]`, or through two
    /// members) adds nothing new, and skipping it keeps the walk linear in the
    /// definition's size however the members branch.
    seen: BTreeSet<*const Schema>,
}

impl<'a> Walk<'a> {
    fn reference(&mut self, reference: &str, depth: usize) {
        // A dangling `$ref` is reported where refs are checked; it adds nothing here.
        if let Some(schema) = resolve_component(self.api, reference) {
            let pointer = reference.strip_prefix('#').unwrap_or(reference);
            self.schema(schema, pointer, depth);
        }
    }

    fn schema(&mut self, schema: &'a Schema, pointer: &str, depth: usize) {
        if depth > MAX_COMPOSITION_DEPTH {
            self.object = false;
            return;
        }
        if !self.seen.insert(schema as *const Schema) {
            return;
        }
        match &schema.schema_kind {
            SchemaKind::Type(Type::Object(object)) => {
                self.properties(&object.properties, pointer);
                self.required.extend(object.required.iter().map(String::as_str));
            }
            SchemaKind::AllOf { all_of } => self.all_of(all_of, pointer, depth),
            SchemaKind::Any(any)
                if any.one_of.is_empty()
                    && any.any_of.is_empty()
                    && any.not.is_none()
                    && any.items.is_none()
                    && any.typ.as_deref().is_none_or(|typ| typ == "object") =>
            {
                self.all_of(&any.all_of, pointer, depth);
                self.properties(&any.properties, pointer);
                self.required.extend(any.required.iter().map(String::as_str));
            }
            _ => self.object = false,
        }
    }

    fn all_of(&mut self, members: &'a [ReferenceOr<Schema>], pointer: &str, depth: usize) {
        let list = child_pointer(pointer, "allOf");
        for (i, member) in members.iter().enumerate() {
            match member {
                ReferenceOr::Item(schema) => self.schema(schema, &child_pointer(&list, &i.to_string()), depth + 1),
                ReferenceOr::Reference { reference } => self.reference(reference, depth + 1),
            }
        }
    }

    /// Members in order; a name declared again (in a later `allOf` member) takes the
    /// later schema and keeps its first place, as a merged JSON struct does.
    fn properties(&mut self, properties: &'a indexmap::IndexMap<String, ReferenceOr<Box<Schema>>>, pointer: &str) {
        let list = child_pointer(pointer, "properties");
        for (name, schema) in properties {
            let member = Member {
                name,
                schema,
                pointer: child_pointer(&list, name),
                required: false,
            };
            match self.members.iter_mut().find(|m| m.name == name) {
                Some(earlier) => *earlier = member,
                None => self.members.push(member),
            }
        }
    }
}
