//! The type space: turns schemas into named Rust types, keyed by their final names.
//! Same name and same shape → one type; same name and a different shape → a numbered
//! name, in the order the definition mentions them (so output is deterministic).

use std::collections::{BTreeMap, BTreeSet};

use openapiv3::{
    AdditionalProperties, AnySchema, ObjectType, OpenAPI, ReferenceOr, Schema, SchemaKind, StringType, Type,
    VariantOrUnknownOrEmpty,
};
use serde_json::Value;

use super::docs::rst_to_markdown;
use super::naming::{pascal_ident, pascal_stem, snake_ident};
use super::{EnumValue, ExtraMembers, Field, StructDef, TypeDef, TypeKind, TypeRef, UnionVariant};
use crate::diag::child_pointer;
use crate::limits::MAX_REF_CHAIN;
use crate::upgrade::{TUPLE_EXTENSION, TYPES_EXTENSION};

/// Gives a type-name hint for a schema that a `$ref` brought in (by upgraded pointer).
pub type RefHints<'a> = &'a dyn Fn(&str) -> Option<String>;

/// An example seen while walking schemas: the context it was found in, its type, its JSON.
pub struct RawExample {
    pub context: String,
    /// Where the example is, in the upgraded document.
    pub pointer: String,
    pub ty: TypeRef,
    pub json: Value,
}

/// Names the generated code uses unqualified; a schema never takes them.
const PRELUDE_NAMES: [&str; 12] = [
    "String", "Vec", "Option", "Some", "None", "Box", "Result", "Ok", "Err", "Default", "Clone", "Debug",
];

pub struct TypeBuilder<'a> {
    api: &'a OpenAPI,
    hints: RefHints<'a>,
    pub types: BTreeMap<String, TypeDef>,
    /// Component key → Rust name, reserved before anything else is named.
    components: BTreeMap<String, String>,
    reserved: BTreeSet<String>,
    pub examples: Vec<RawExample>,
}

impl<'a> TypeBuilder<'a> {
    pub fn new(api: &'a OpenAPI, hints: RefHints<'a>) -> Self {
        let mut builder = TypeBuilder {
            api,
            hints,
            types: BTreeMap::new(),
            components: BTreeMap::new(),
            reserved: PRELUDE_NAMES.iter().map(|n| n.to_string()).collect(),
            examples: Vec::new(),
        };
        builder.reserve_components();
        builder
    }

    /// The named schemas of the definition; borrowed from the model, not from `self`.
    fn component_schemas(&self) -> impl Iterator<Item = (&'a String, &'a ReferenceOr<Schema>)> + use<'a> {
        self.api.components.iter().flat_map(|c| &c.schemas)
    }

    fn reserve_components(&mut self) {
        for (key, _) in self.component_schemas() {
            let base = pascal_ident(key);
            let mut name = base.clone();
            let mut n = 2;
            while self.reserved.contains(&name) {
                name = format!("{base}{n}");
                n += 1;
            }
            self.reserved.insert(name.clone());
            self.components.insert(key.clone(), name);
        }
    }

    /// Builds every named component schema. Call once, before any operation.
    pub fn build_components(&mut self) {
        for (key, schema) in self.component_schemas() {
            let name = self.components[key].clone();
            let pointer = child_pointer("/components/schemas", key);
            let def = match schema {
                ReferenceOr::Reference { reference } => TypeDef {
                    name: name.clone(),
                    doc: None,
                    kind: TypeKind::Alias(self.named_ref(reference)),
                },
                ReferenceOr::Item(schema) => {
                    let doc = docs_of(schema);
                    let kind = match self.named_kind(schema, &pointer, &name) {
                        Some(kind) => kind,
                        None => TypeKind::Alias(self.type_of_schema(schema, &pointer, &name)),
                    };
                    TypeDef {
                        name: name.clone(),
                        doc,
                        kind,
                    }
                }
            };
            self.types.insert(name, def);
        }
    }

    fn named_ref(&self, reference: &str) -> TypeRef {
        reference
            .strip_prefix("#/components/schemas/")
            .and_then(|key| self.components.get(key))
            .map(|name| TypeRef::Named(name.clone()))
            .unwrap_or(TypeRef::Json)
    }

    /// The schema a reference ends at, following aliases (`A: {$ref: B}`) in a loop, not
    /// by recursion; `None` for a chain that loops or is longer than any real one.
    fn resolve_ref(&self, reference: &str) -> Option<&'a Schema> {
        let schemas = &self.api.components.as_ref()?.schemas;
        let mut reference = reference;
        for _ in 0..=MAX_REF_CHAIN {
            let key = reference.strip_prefix("#/components/schemas/")?;
            match schemas.get(key)? {
                ReferenceOr::Item(schema) => return Some(schema),
                ReferenceOr::Reference { reference: next } => reference = next,
            }
        }
        None
    }

    /// Remembers the example (if any) of the node at `pointer`, whose type is `ty`.
    pub fn record_example(&mut self, context: &str, pointer: &str, ty: &TypeRef, example: Option<&Value>) {
        if let Some(json) = example {
            self.examples.push(RawExample {
                context: context.to_string(),
                pointer: child_pointer(pointer, "example"),
                ty: ty.clone(),
                json: json.clone(),
            });
        }
    }

    /// Gives a type named after its context (`MakeLeaveOkBody`) a doc comment saying what
    /// it is, when the definition gave it no description.
    pub fn describe_context_type(&mut self, ty: &TypeRef, hint: &str, doc: String) {
        if let TypeRef::Named(name) = ty {
            if name == hint {
                if let Some(def) = self.types.get_mut(name) {
                    def.doc.get_or_insert(doc);
                }
            }
        }
    }

    /// The type of a schema in a position named by `hint` (used only when the schema is
    /// an inline type with neither a title nor a `$ref` name).
    pub fn type_of(&mut self, schema: &ReferenceOr<Schema>, pointer: &str, hint: &str) -> TypeRef {
        match schema {
            ReferenceOr::Reference { reference } => self.named_ref(reference),
            ReferenceOr::Item(schema) => self.type_of_schema(schema, pointer, hint),
        }
    }

    pub fn type_of_boxed(&mut self, schema: &ReferenceOr<Box<Schema>>, pointer: &str, hint: &str) -> TypeRef {
        match schema {
            ReferenceOr::Reference { reference } => self.named_ref(reference),
            ReferenceOr::Item(schema) => self.type_of_schema(schema, pointer, hint),
        }
    }

    fn type_of_schema(&mut self, schema: &Schema, pointer: &str, hint: &str) -> TypeRef {
        let ty = self.type_of_schema_inner(schema, pointer, hint);
        self.record_example(hint, pointer, &ty, schema.schema_data.example.as_ref());
        ty
    }

    fn type_of_schema_inner(&mut self, schema: &Schema, pointer: &str, hint: &str) -> TypeRef {
        let name = self.name_for(schema, pointer, hint);
        if let Some(kind) = self.named_kind(schema, pointer, &name) {
            return TypeRef::Named(self.define(&name, docs_of(schema), kind));
        }
        match &schema.schema_kind {
            SchemaKind::Type(Type::String(_)) => TypeRef::String,
            SchemaKind::Type(Type::Integer(int)) => match &int.format {
                VariantOrUnknownOrEmpty::Item(openapiv3::IntegerFormat::Int32) => TypeRef::I32,
                _ => TypeRef::I64,
            },
            SchemaKind::Type(Type::Number(num)) => match &num.format {
                VariantOrUnknownOrEmpty::Item(openapiv3::NumberFormat::Float) => TypeRef::F32,
                _ => TypeRef::F64,
            },
            SchemaKind::Type(Type::Boolean(_)) => TypeRef::Bool,
            SchemaKind::Type(Type::Array(array)) => match &array.items {
                Some(items) => {
                    let item = self.type_of_boxed(items, &child_pointer(pointer, "items"), &format!("{name}Item"));
                    TypeRef::Vec(Box::new(item))
                }
                None => TypeRef::Vec(Box::new(TypeRef::Json)),
            },
            SchemaKind::Type(Type::Object(object)) => match &object.additional_properties {
                Some(AdditionalProperties::Schema(value)) => {
                    let value = self.type_of(
                        value,
                        &child_pointer(pointer, "additionalProperties"),
                        &format!("{name}Value"),
                    );
                    TypeRef::Map(Box::new(value))
                }
                _ => TypeRef::JsonObject,
            },
            _ => TypeRef::Json,
        }
    }

    /// The name an inline schema gets: its title, else the name its `$ref` gave it, else
    /// the context hint.
    fn name_for(&self, schema: &Schema, pointer: &str, hint: &str) -> String {
        if let Some(title) = &schema.schema_data.title {
            return pascal_ident(title);
        }
        if let Some(from_ref) = (self.hints)(pointer) {
            return pascal_ident(&from_ref);
        }
        hint.to_string()
    }

    /// Schemas that need a named Rust type (structs, tuples, enums, unions); `None` for
    /// those that map onto a built-in type.
    fn named_kind(&mut self, schema: &Schema, pointer: &str, name: &str) -> Option<TypeKind> {
        let data = &schema.schema_data;
        if let Some(Value::Array(items)) = data.extensions.get(TUPLE_EXTENSION) {
            let tuple_ptr = child_pointer(pointer, TUPLE_EXTENSION);
            let items = items
                .iter()
                .enumerate()
                .map(|(i, item)| {
                    let item_ptr = child_pointer(&tuple_ptr, &i.to_string());
                    match serde_json::from_value::<ReferenceOr<Schema>>(item.clone()) {
                        Ok(item) => self.type_of(&item, &item_ptr, &format!("{name}{i}")),
                        Err(_) => TypeRef::Json,
                    }
                })
                .collect();
            return Some(TypeKind::Tuple(items));
        }
        if let Some(Value::Array(types)) = data.extensions.get(TYPES_EXTENSION) {
            let variants = types
                .iter()
                .filter_map(Value::as_str)
                .map(|t| UnionVariant {
                    rust_name: pascal_ident(t),
                    ty: primitive_named(t),
                })
                .collect();
            return Some(TypeKind::Union(variants));
        }
        match &schema.schema_kind {
            SchemaKind::Type(Type::String(StringType { enumeration, .. })) if !enumeration.is_empty() => {
                let mut seen = BTreeSet::new();
                let values = enumeration
                    .iter()
                    .flatten()
                    .map(|wire| EnumValue {
                        wire_name: wire.clone(),
                        rust_name: unique(&mut seen, pascal_ident(wire)),
                    })
                    .collect();
                Some(TypeKind::StringEnum(values))
            }
            SchemaKind::Type(Type::Object(object)) => {
                let titled = data.title.is_some() || (self.hints)(pointer).is_some();
                if object.properties.is_empty() && !titled {
                    return None;
                }
                Some(TypeKind::Struct(self.struct_def(object, pointer, name)))
            }
            SchemaKind::AllOf { all_of } => {
                let merged = self.merge_all_of(all_of);
                Some(TypeKind::Struct(self.struct_def(&merged, pointer, name)))
            }
            SchemaKind::OneOf { one_of: members } | SchemaKind::AnyOf { any_of: members } => {
                let list = if matches!(schema.schema_kind, SchemaKind::OneOf { .. }) {
                    "oneOf"
                } else {
                    "anyOf"
                };
                let list_ptr = child_pointer(pointer, list);
                let mut seen = BTreeSet::new();
                let variants = members
                    .iter()
                    .enumerate()
                    .map(|(i, member)| {
                        let ty = self.type_of(
                            member,
                            &child_pointer(&list_ptr, &i.to_string()),
                            &format!("{name}Variant{i}"),
                        );
                        UnionVariant {
                            rust_name: unique(&mut seen, variant_name(&ty, i)),
                            ty,
                        }
                    })
                    .collect();
                Some(TypeKind::Union(variants))
            }
            SchemaKind::Any(any) if !any.properties.is_empty() => {
                let object = object_from_any(any);
                Some(TypeKind::Struct(self.struct_def(&object, pointer, name)))
            }
            _ => None,
        }
    }

    fn struct_def(&mut self, object: &ObjectType, pointer: &str, name: &str) -> StructDef {
        let props_ptr = child_pointer(pointer, "properties");
        let mut seen = BTreeSet::new();
        let mut fields = Vec::new();
        for (wire, prop) in &object.properties {
            let prop_ptr = child_pointer(&props_ptr, wire);
            let ty = self.type_of_boxed(prop, &prop_ptr, &format!("{name}{}", pascal_stem(wire)));
            // A referenced schema documents the field as an inline one does.
            let schema = match prop {
                ReferenceOr::Item(schema) => Some(&**schema),
                ReferenceOr::Reference { reference } => self.resolve_ref(reference),
            };
            let (doc, nullable) = schema
                .map(|schema| (with_default(docs_of(schema), schema), schema.schema_data.nullable))
                .unwrap_or((None, false));
            fields.push(Field {
                wire_name: wire.clone(),
                rust_name: unique(&mut seen, snake_ident(wire)),
                ty,
                required: object.required.contains(wire),
                nullable,
                boxed: false,
                doc,
            });
        }
        let extra = match &object.additional_properties {
            Some(AdditionalProperties::Any(false)) => ExtraMembers::Rejected,
            Some(AdditionalProperties::Schema(value)) => {
                let value = self.type_of(
                    value,
                    &child_pointer(pointer, "additionalProperties"),
                    &format!("{name}Value"),
                );
                ExtraMembers::Kept {
                    field: unique(&mut seen, "extra".to_string()),
                    value,
                }
            }
            _ => ExtraMembers::Kept {
                field: unique(&mut seen, "extra".to_string()),
                value: TypeRef::Json,
            },
        };
        StructDef { fields, extra }
    }

    /// `allOf`: the members' properties and `required` lists, merged in order. Nested
    /// `allOf`s are merged up to `MAX_REF_CHAIN` levels, which no real definition nears;
    /// deeper (or looping) ones stop there instead of exhausting the stack.
    fn merge_all_of(&self, members: &[ReferenceOr<Schema>]) -> ObjectType {
        self.merge_all_of_within(members, MAX_REF_CHAIN)
    }

    fn merge_all_of_within(&self, members: &[ReferenceOr<Schema>], levels: usize) -> ObjectType {
        let mut merged = ObjectType::default();
        let Some(levels) = levels.checked_sub(1) else {
            return merged;
        };
        for member in members {
            let schema = match member {
                ReferenceOr::Reference { reference } => self.resolve_ref(reference),
                ReferenceOr::Item(schema) => Some(schema),
            };
            let Some(schema) = schema else { continue };
            let object = match &schema.schema_kind {
                SchemaKind::Type(Type::Object(object)) => object.clone(),
                SchemaKind::AllOf { all_of } => self.merge_all_of_within(all_of, levels),
                SchemaKind::Any(any) => object_from_any(any),
                _ => continue,
            };
            for (k, v) in object.properties {
                merged.properties.insert(k, v);
            }
            for r in object.required {
                if !merged.required.contains(&r) {
                    merged.required.push(r);
                }
            }
            if object.additional_properties.is_some() {
                merged.additional_properties = object.additional_properties;
            }
        }
        merged
    }

    /// Adds a type under `desired`, or reuses an equal one of that name, or numbers it.
    fn define(&mut self, desired: &str, doc: Option<String>, kind: TypeKind) -> String {
        let mut name = desired.to_string();
        let mut n = 2;
        loop {
            let taken_by_component = self.reserved.contains(&name) && !self.types.contains_key(&name);
            match self.types.get(&name) {
                None if !taken_by_component => {
                    self.types.insert(
                        name.clone(),
                        TypeDef {
                            name: name.clone(),
                            doc,
                            kind,
                        },
                    );
                    return name;
                }
                Some(existing) if existing.kind == kind && existing.doc == doc => return name,
                _ => {
                    name = format!("{desired}{n}");
                    n += 1;
                }
            }
        }
    }
}

fn object_from_any(any: &AnySchema) -> ObjectType {
    ObjectType {
        properties: any.properties.clone(),
        required: any.required.clone(),
        additional_properties: any.additional_properties.clone(),
        min_properties: any.min_properties,
        max_properties: any.max_properties,
    }
}

fn primitive_named(type_name: &str) -> TypeRef {
    match type_name {
        "string" => TypeRef::String,
        "integer" => TypeRef::I64,
        "number" => TypeRef::F64,
        "boolean" => TypeRef::Bool,
        "array" => TypeRef::Vec(Box::new(TypeRef::Json)),
        "object" => TypeRef::JsonObject,
        _ => TypeRef::Json,
    }
}

fn variant_name(ty: &TypeRef, index: usize) -> String {
    match ty {
        TypeRef::Named(name) => name.clone(),
        TypeRef::String => "String".into(),
        TypeRef::I32 | TypeRef::I64 => "Integer".into(),
        TypeRef::F32 | TypeRef::F64 => "Number".into(),
        TypeRef::Bool => "Boolean".into(),
        TypeRef::Vec(_) => "Array".into(),
        TypeRef::Map(_) | TypeRef::JsonObject => "Object".into(),
        TypeRef::Json => format!("Variant{index}"),
    }
}

/// `name`, or `name2`, `name3`… when taken.
fn unique(seen: &mut BTreeSet<String>, name: String) -> String {
    let mut candidate = name.clone();
    let mut n = 2;
    while !seen.insert(candidate.clone()) {
        candidate = match name.strip_prefix("r#") {
            Some(bare) => format!("{bare}{n}"),
            None => format!("{name}{n}"),
        };
        n += 1;
    }
    candidate
}

/// A field's docs mention the definition's `default`; the field stays an `Option` so that
/// what was sent and what was left out can still be told apart.
fn with_default(doc: Option<String>, schema: &Schema) -> Option<String> {
    let Some(default) = &schema.schema_data.default else {
        return doc;
    };
    let note = format!("Defaults to `{default}` when absent.");
    Some(match doc {
        Some(doc) => format!("{doc}\n\n{note}"),
        None => note,
    })
}

fn docs_of(schema: &Schema) -> Option<String> {
    schema.schema_data.description.as_deref().map(rst_to_markdown)
}
