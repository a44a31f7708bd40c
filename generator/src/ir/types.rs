//! The type space: turns schemas into named Rust types, keyed by their final names.
//! Same name and same shape → one type; same name and a different shape → a numbered
//! name, in the order the definition mentions them (so output is deterministic).

pub mod constructors;
mod open_enum;
pub mod options;
mod tagged;

pub use tagged::mapping_target;

use std::collections::{BTreeMap, BTreeSet};

use openapiv3::{
    AdditionalProperties, ObjectType, OpenAPI, ReferenceOr, Schema, SchemaKind, StringType, Type,
    VariantOrUnknownOrEmpty,
};
use serde_json::Value;

use super::docs::rst_to_markdown;
use super::naming::{Registry, pascal_ident, pascal_stem, snake_ident};
use super::{
    Access, Constructor, EnumValue, ExtraMembers, Field, OpenEnum, Rename, StructDef, TypeDef, TypeKind, TypeRef,
    UnionVariant,
};
use crate::diag::child_pointer;
use crate::schema_shape::{
    all_of_members, component_key, normalized, object_from_any, own_object, resolve_component, sole_member,
    union_beside_object, union_members,
};
use crate::upgrade::{TUPLE_EXTENSION, TYPES_EXTENSION};
use options::TypeOptions;

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

pub struct TypeBuilder<'a> {
    api: &'a OpenAPI,
    hints: RefHints<'a>,
    pub types: BTreeMap<String, TypeDef>,
    /// Component key → Rust name, reserved before anything else is named.
    components: BTreeMap<String, String>,
    /// The names taken in the `types` module, including those not defined yet.
    names: Registry,
    /// Who took each name of `names` that is not the generated code's, for messages.
    holders: BTreeMap<String, String>,
    pub examples: Vec<RawExample>,
    pub renames: Vec<Rename>,
    /// Component key of each `discriminator` base → its subtypes' keys.
    subtypes: BTreeMap<String, Vec<String>>,
    /// Every key among `subtypes`' lists.
    subtype_keys: BTreeSet<String>,
    /// Component key → the Rust type path the caller maps it to.
    replaced: BTreeMap<String, String>,
    /// Component key → the name the caller gives its type.
    renamed: BTreeMap<String, String>,
    /// Pointer of an inline schema inside a component → the named type it got when its
    /// component was built. A body that reaches the same schema another way (a multipart
    /// part taken from an `allOf` member's `$ref`) gets that type, not a second copy.
    component_inline: BTreeMap<String, TypeRef>,
}

impl<'a> TypeBuilder<'a> {
    pub fn new(api: &'a OpenAPI, hints: RefHints<'a>, options: &TypeOptions) -> Self {
        let mut builder = TypeBuilder {
            api,
            hints,
            types: BTreeMap::new(),
            components: BTreeMap::new(),
            names: Registry::types_module(),
            holders: BTreeMap::new(),
            examples: Vec::new(),
            renames: Vec::new(),
            subtypes: tagged::subtypes_of_bases(api),
            subtype_keys: BTreeSet::new(),
            replaced: options.replacements.iter().cloned().collect(),
            renamed: options.renames.iter().cloned().collect(),
            component_inline: BTreeMap::new(),
        };
        builder.subtype_keys = builder.subtypes.values().flatten().cloned().collect();
        builder.reserve_components();
        builder
    }

    /// The definition being built.
    pub fn api(&self) -> &'a OpenAPI {
        self.api
    }

    /// The named schemas of the definition; borrowed from the model, not from `self`.
    fn component_schemas(&self) -> impl Iterator<Item = (&'a String, &'a ReferenceOr<Schema>)> + use<'a> {
        self.api.components.iter().flat_map(|c| &c.schemas)
    }

    /// The final name of each component schema that has a type of its own.
    pub fn component_names(&self) -> &BTreeMap<String, String> {
        &self.components
    }

    fn reserve_components(&mut self) {
        // The names the caller chose come first; `options::check` made sure they are free.
        for (key, name) in self.renamed.clone() {
            let name = self.claim(&name, format!("the schema `{key}`"));
            self.components.insert(key, name);
        }
        for (key, _) in self.component_schemas() {
            if self.replaced.contains_key(key) || self.renamed.contains_key(key) {
                continue;
            }
            let wanted = pascal_ident(key);
            let name = self.claim(&wanted, format!("the schema `{key}`"));
            if name != wanted {
                let holder = self.holder_of(&wanted);
                self.renamed(
                    &child_pointer("/components/schemas", key),
                    format!("schema `{key}` is the type `{name}`: `{wanted}` is already taken by {holder}"),
                    "rename the schema to choose its Rust name",
                );
            }
            self.components.insert(key.clone(), name);
        }
    }

    /// Takes a name in the `types` module for `holder` (`the schema `Account``).
    pub fn claim(&mut self, wanted: &str, holder: String) -> String {
        let name = self.names.claim(wanted);
        self.holders.insert(name.clone(), holder);
        name
    }

    /// Who has the taken name `name`, for messages.
    pub fn holder_of(&self, name: &str) -> String {
        match self.holders.get(name) {
            Some(holder) => holder.clone(),
            None => "the generated code, which uses it without a path".to_string(),
        }
    }

    /// Records that an item got another name than the definition suggests; once, though
    /// a shared schema is met once per operation that uses it.
    pub fn renamed(&mut self, pointer: &str, message: String, help: &str) {
        let rename = Rename {
            pointer: pointer.to_string(),
            message,
            help: help.to_string(),
        };
        if !self.renames.contains(&rename) {
            self.renames.push(rename);
        }
    }

    /// Builds every named component schema. Call once, before any operation.
    pub fn build_components(&mut self) {
        for (key, schema) in self.component_schemas() {
            // A schema mapped to a Rust type of the caller's has no model.
            let Some(name) = self.components.get(key).cloned() else {
                continue;
            };
            let pointer = child_pointer("/components/schemas", key);
            let def = match schema {
                ReferenceOr::Reference { reference } => TypeDef {
                    name: name.clone(),
                    doc: None,
                    kind: TypeKind::Alias(self.named_ref(reference)),
                },
                ReferenceOr::Item(schema) => {
                    let doc = docs_of(schema);
                    let kind = self
                        .discriminated_base(key, schema, &pointer, &name)
                        .or_else(|| self.subtype_struct(key, schema, &pointer, &name))
                        .or_else(|| self.named_kind(schema, &pointer, &name));
                    let kind = match kind {
                        Some(kind) => {
                            let example = schema.schema_data.example.as_ref();
                            self.record_example(&name, &pointer, &TypeRef::Named(name.clone()), example);
                            kind
                        }
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

    /// A subtype of a `discriminator` base is a struct of its own, though its `allOf` be
    /// the base alone: it is what the base's enum holds for its kind.
    fn subtype_struct(&mut self, key: &str, schema: &Schema, pointer: &str, name: &str) -> Option<TypeKind> {
        let is_subtype = self.subtype_keys.contains(key);
        let members = all_of_members(schema).filter(|_| is_subtype)?;
        Some(self.all_of_kind(schema, members, pointer, name))
    }

    /// The named type of a component `$ref` (whose key may hold `~` or `/`, escaped in the
    /// pointer). `check` has made sure every such ref names a component.
    fn named_ref(&self, reference: &str) -> TypeRef {
        component_key(reference)
            .map(|key| self.component_type(&key))
            .unwrap_or(TypeRef::Json)
    }

    /// The type of the component schema `key`: its model, or the Rust type the caller
    /// maps it to.
    pub fn component_type(&self, key: &str) -> TypeRef {
        if let Some(path) = self.replaced.get(key) {
            return TypeRef::External(path.clone());
        }
        self.components
            .get(key)
            .map(|name| TypeRef::Named(name.clone()))
            .unwrap_or(TypeRef::Json)
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
        if let Some(ty) = self.component_inline.get(pointer) {
            return ty.clone();
        }
        let name = self.name_for(schema, pointer, hint);
        // `allOf: [{$ref: RoomId}]` beside a `description` is a `RoomId`, not a new type.
        if let Some((i, member)) = sole_member(self.api, schema) {
            return self.type_of(member, &all_of_pointer(pointer, i), &name);
        }
        let schema = &*normalized(schema);
        if let Some(kind) = self.named_kind(schema, pointer, &name) {
            let ty = TypeRef::Named(self.define(&name, docs_of(schema), kind, pointer));
            if is_in_component(pointer) {
                self.component_inline.insert(pointer.to_string(), ty.clone());
            }
            return ty;
        }
        match &schema.schema_kind {
            SchemaKind::Type(Type::String(_)) => TypeRef::String,
            SchemaKind::Type(Type::Integer(int)) => integer_type(&int.format),
            SchemaKind::Type(Type::Number(_)) => TypeRef::F64,
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
        if let Some((i, member)) = sole_member(self.api, schema) {
            return match member {
                ReferenceOr::Item(member) => self.named_kind(member, &all_of_pointer(pointer, i), name),
                ReferenceOr::Reference { .. } => None,
            };
        }
        if let Some(members) = all_of_members(schema) {
            return Some(self.all_of_kind(schema, members, pointer, name));
        }
        // A discriminator names the alternatives; properties beside it are theirs too.
        if let Some(kind) = self.discriminated_union(schema, pointer, name) {
            return Some(kind);
        }
        // Properties beside a `oneOf` are common to every alternative, as in an `allOf`.
        if union_beside_object(self.api, schema) {
            return Some(self.all_of_kind(schema, &[], pointer, name));
        }
        let schema = &*normalized(schema);
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
            let mut names = Registry::default();
            let variants = types
                .iter()
                .filter_map(Value::as_str)
                .map(|t| UnionVariant {
                    rust_name: self.member_name(&mut names, pascal_ident(t), pointer, t, "variant"),
                    ty: primitive_named(t),
                })
                .collect();
            return Some(TypeKind::Union(variants));
        }
        if let Some(listed) = open_enum::open_values(schema) {
            let mut names = Registry::default();
            let values = listed
                .iter()
                .map(|wire| EnumValue {
                    wire_name: wire.clone(),
                    rust_name: self.member_name(&mut names, pascal_ident(wire), pointer, wire, "variant"),
                })
                .collect();
            let other = self.member_name(&mut names, "Other".to_string(), pointer, "any other value", "variant");
            return Some(TypeKind::OpenStringEnum(OpenEnum { values, other }));
        }
        match &schema.schema_kind {
            SchemaKind::Type(Type::String(StringType { enumeration, .. })) if !enumeration.is_empty() => {
                let mut names = Registry::default();
                // A value listed twice is one value: a second variant of the same wire
                // name could never be read.
                let mut seen = std::collections::BTreeSet::new();
                let values = enumeration
                    .iter()
                    .flatten()
                    .filter(|wire| seen.insert(wire.as_str()))
                    .map(|wire| EnumValue {
                        wire_name: wire.clone(),
                        rust_name: self.member_name(&mut names, pascal_ident(wire), pointer, wire, "variant"),
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
            _ if union_members(schema).is_some() => {
                let (list, members) = union_members(schema)?;
                let list_ptr = child_pointer(pointer, list);
                let mut names = Registry::default();
                let variants = members
                    .iter()
                    .enumerate()
                    .map(|(i, member)| {
                        let member_ptr = child_pointer(&list_ptr, &i.to_string());
                        let stem = untitled_object_stem(member).unwrap_or_else(|| format!("Variant{i}"));
                        let ty = self.type_of(member, &member_ptr, &format!("{name}{stem}"));
                        let title = match member {
                            ReferenceOr::Item(member) => member.schema_data.title.as_deref(),
                            ReferenceOr::Reference { .. } => None,
                        };
                        let wanted = match (&ty, title) {
                            (_, Some(title)) => pascal_ident(title),
                            (TypeRef::Named(type_name), None) => tagged::without_union_name(type_name, name),
                            _ => variant_name(&ty, i),
                        };
                        UnionVariant {
                            rust_name: self.member_name(&mut names, wanted.clone(), &member_ptr, &wanted, "variant"),
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
        let mut names = Registry::default();
        let mut fields = Vec::new();
        for (wire, prop) in &object.properties {
            let prop_ptr = child_pointer(&props_ptr, wire);
            let ty = self.type_of_boxed(prop, &prop_ptr, &format!("{name}{}", pascal_stem(wire)));
            // A referenced schema documents the field as an inline one does.
            let schema = match prop {
                ReferenceOr::Item(schema) => Some(&**schema),
                ReferenceOr::Reference { reference } => resolve_component(self.api, reference),
            };
            let (doc, nullable) = schema
                .map(|schema| (with_notes(docs_of(schema), schema), is_nullable(schema)))
                .unwrap_or((None, false));
            let access = match schema.map(|schema| &schema.schema_data) {
                Some(data) if data.read_only && !data.write_only => Access::ReadOnly,
                Some(data) if data.write_only && !data.read_only => Access::WriteOnly,
                _ => Access::ReadWrite,
            };
            fields.push(Field {
                wire_name: wire.clone(),
                rust_name: self.member_name(&mut names, snake_ident(wire), &prop_ptr, wire, "field"),
                ty,
                required: object.required.contains(wire),
                nullable,
                access,
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
                    field: self.extra_field(&mut names, pointer),
                    value,
                }
            }
            _ => ExtraMembers::Kept {
                field: self.extra_field(&mut names, pointer),
                value: TypeRef::Json,
            },
        };
        StructDef {
            fields,
            extra,
            // Decided once every type is built (`constructors`), when which members are
            // required in the end is known.
            constructor: Constructor::Default,
        }
    }

    /// The name of a field or variant that is `wire` in the definition: `wanted`, unless an
    /// earlier member of the same type took it.
    fn member_name(&mut self, names: &mut Registry, wanted: String, pointer: &str, wire: &str, what: &str) -> String {
        let name = names.claim(&wanted);
        if name != wanted {
            self.renamed(
                pointer,
                format!("`{wire}` is the {what} `{name}`: an earlier member of the same type is already `{wanted}`"),
                "rename one of the two members if the generated names do not suit you",
            );
        }
        name
    }

    /// The flattened map of members the schema does not name: `extra`, unless a property
    /// is called so.
    fn extra_field(&mut self, names: &mut Registry, pointer: &str) -> String {
        let name = names.claim("extra");
        if name != "extra" {
            self.renamed(
                &child_pointer(&child_pointer(pointer, "properties"), "extra"),
                format!(
                    "the map of members the schema does not name is the field `{name}`: a property is called `extra`"
                ),
                "nothing to do unless the name does not suit you; set `additionalProperties: false` to have no map",
            );
        }
        name
    }

    /// `allOf` over objects is one struct of all their members. One `oneOf`/`anyOf`
    /// member among them distributes: a union whose every alternative is merged with the
    /// common members (`A ∧ (B ∨ C)` is `(A ∧ B) ∨ (A ∧ C)`). `check` refuses the rest.
    fn all_of_kind(&mut self, schema: &Schema, members: &[ReferenceOr<Schema>], pointer: &str, name: &str) -> TypeKind {
        let mut common = ObjectType::default();
        let mut union = None;
        let mut seen = BTreeSet::new();
        for (i, member) in members.iter().enumerate() {
            let member_ptr = all_of_pointer(pointer, i);
            self.merge_member(member, &member_ptr, &mut common, &mut union, &mut seen);
        }
        if let Some(own) = own_object(schema) {
            merge_object(&mut common, own);
        }
        // A `oneOf` beside the `allOf` list is one more member.
        if let (None, SchemaKind::Any(any)) = (&union, &schema.schema_kind) {
            for (list, alternatives) in [("oneOf", &any.one_of), ("anyOf", &any.any_of)] {
                if !alternatives.is_empty() {
                    union.get_or_insert((child_pointer(pointer, list), alternatives.as_slice()));
                }
            }
        }
        let Some((list_ptr, alternatives)) = union else {
            return TypeKind::Struct(self.struct_def(&common, pointer, name));
        };
        let mut names = Registry::default();
        let variants = alternatives
            .iter()
            .enumerate()
            .map(|(i, alternative)| {
                let alt_ptr = child_pointer(&list_ptr, &i.to_string());
                let mut merged = common.clone();
                let mut ignored = None;
                self.merge_member(alternative, &alt_ptr, &mut merged, &mut ignored, &mut seen.clone());
                let variant = self.member_name(
                    &mut names,
                    self.alternative_name(alternative, i),
                    &alt_ptr,
                    &format!("alternative {i}"),
                    "variant",
                );
                let struct_name = format!("{name}{variant}");
                let def = TypeKind::Struct(self.struct_def(&merged, &alt_ptr, &struct_name));
                UnionVariant {
                    rust_name: variant,
                    ty: TypeRef::Named(self.define(&struct_name, None, def, &alt_ptr)),
                }
            })
            .collect();
        TypeKind::Union(variants)
    }

    /// Adds one `allOf` member's object members to `merged`; remembers the first union.
    fn merge_member(
        &self,
        member: &'a ReferenceOr<Schema>,
        pointer: &str,
        merged: &mut ObjectType,
        union: &mut Option<(String, &'a [ReferenceOr<Schema>])>,
        seen: &mut BTreeSet<String>,
    ) {
        let schema = match member {
            ReferenceOr::Reference { reference } => {
                // A loop of `allOf`s is reported by `check`; here it only must end.
                if !seen.insert(reference.clone()) {
                    return;
                }
                resolve_component(self.api, reference)
            }
            ReferenceOr::Item(schema) => Some(schema),
        };
        let Some(schema) = schema else { return };
        if let Some(members) = all_of_members(schema) {
            for (i, inner) in members.iter().enumerate() {
                self.merge_member(inner, &all_of_pointer(pointer, i), merged, union, seen);
            }
            if let Some(own) = own_object(schema) {
                merge_object(merged, own);
            }
            return;
        }
        if let Some((list, alternatives)) = union_members(schema) {
            union.get_or_insert((child_pointer(pointer, list), alternatives));
            return;
        }
        match &normalized(schema).schema_kind {
            SchemaKind::Type(Type::Object(object)) => merge_object(merged, object.clone()),
            SchemaKind::Any(any) => merge_object(merged, object_from_any(any)),
            _ => {}
        }
    }

    /// A union alternative's variant name: the type its `$ref` names, else its title.
    fn alternative_name(&self, alternative: &ReferenceOr<Schema>, index: usize) -> String {
        match alternative {
            ReferenceOr::Reference { reference } => match self.named_ref(reference) {
                TypeRef::Named(name) => name,
                _ => format!("Variant{index}"),
            },
            ReferenceOr::Item(schema) => match &schema.schema_data.title {
                Some(title) => pascal_ident(title),
                None => untitled_object_stem(alternative).unwrap_or_else(|| format!("Variant{index}")),
            },
        }
    }

    /// Adds a type under `desired`, or reuses an equal one of that name, or numbers it
    /// (with a warning: the reader of the definition looks for `desired`).
    fn define(&mut self, desired: &str, doc: Option<String>, kind: TypeKind, pointer: &str) -> String {
        let mut name = desired.to_string();
        let mut n = 2;
        loop {
            match self.types.get(&name) {
                Some(existing) if existing.kind == kind && existing.doc == doc => return name,
                None if self.names.is_free(&name) => {
                    self.claim(&name, "another inline schema".to_string());
                    self.types.insert(
                        name.clone(),
                        TypeDef {
                            name: name.clone(),
                            doc,
                            kind,
                        },
                    );
                    if name != desired {
                        let holder = self.holder_of(desired);
                        self.renamed(
                            pointer,
                            format!("this schema is the type `{name}`: `{desired}` is already taken by {holder}"),
                            "give the schema a `title` of its own to choose its Rust name",
                        );
                    }
                    return name;
                }
                _ => {
                    name = format!("{desired}{n}");
                    n += 1;
                }
            }
        }
    }
}

/// Adds an object's members to `merged`: later members of the same name win, `required`
/// lists add up.
fn merge_object(merged: &mut ObjectType, object: ObjectType) {
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

/// What names an untitled inline object among alternatives: the one member it requires
/// (`{required: [card], …}` is `Card`), else its only member.
fn untitled_object_stem(alternative: &ReferenceOr<Schema>) -> Option<String> {
    let ReferenceOr::Item(schema) = alternative else {
        return None;
    };
    if schema.schema_data.title.is_some() {
        return None;
    }
    let object = match &normalized(schema).schema_kind {
        SchemaKind::Type(Type::Object(object)) => object.clone(),
        // `oneOf: [{required: [message]}, {required: [evidence_url]}]`: which member is there.
        SchemaKind::Any(any) if !any.properties.is_empty() || !any.required.is_empty() => object_from_any(any),
        _ => return None,
    };
    let member = match (object.required.as_slice(), object.properties.len()) {
        ([only], _) => only,
        (_, 1) => object.properties.keys().next()?,
        _ => return None,
    };
    let stem = pascal_stem(member);
    stem.starts_with(|c: char| c.is_ascii_uppercase()).then_some(stem)
}

/// Whether `pointer` is inside a component schema: a place every use of the schema
/// reaches through `$ref`, so one type serves them all.
fn is_in_component(pointer: &str) -> bool {
    pointer
        .strip_prefix("/components/schemas/")
        .is_some_and(|rest| rest.contains('/'))
}

fn all_of_pointer(pointer: &str, index: usize) -> String {
    child_pointer(&child_pointer(pointer, "allOf"), &index.to_string())
}

/// `nullable: true`, or `null` among a string enum's values.
fn is_nullable(schema: &Schema) -> bool {
    let null_in_enum = match &normalized(schema).schema_kind {
        SchemaKind::Type(Type::String(StringType { enumeration, .. })) => enumeration.iter().any(Option::is_none),
        _ => false,
    };
    schema.schema_data.nullable || null_in_enum
}

/// The Rust integer a `format` names. Any other format (or none) is an `i64`: formats are
/// open-ended, and an unknown one must not cost the definition its output.
fn integer_type(format: &VariantOrUnknownOrEmpty<openapiv3::IntegerFormat>) -> TypeRef {
    match format {
        VariantOrUnknownOrEmpty::Item(openapiv3::IntegerFormat::Int32) => TypeRef::I32,
        VariantOrUnknownOrEmpty::Item(openapiv3::IntegerFormat::Int64) => TypeRef::I64,
        VariantOrUnknownOrEmpty::Unknown(format) => match format.as_str() {
            "int8" => TypeRef::I8,
            "int16" => TypeRef::I16,
            "uint8" => TypeRef::U8,
            "uint16" => TypeRef::U16,
            "uint32" => TypeRef::U32,
            "uint64" => TypeRef::U64,
            _ => TypeRef::I64,
        },
        VariantOrUnknownOrEmpty::Empty => TypeRef::I64,
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
        TypeRef::I8
        | TypeRef::I16
        | TypeRef::I32
        | TypeRef::I64
        | TypeRef::U8
        | TypeRef::U16
        | TypeRef::U32
        | TypeRef::U64 => "Integer".into(),
        TypeRef::F64 => "Number".into(),
        TypeRef::Boxed(inner) => variant_name(inner, index),
        TypeRef::Bool => "Boolean".into(),
        TypeRef::Vec(_) => "Array".into(),
        TypeRef::Map(_) | TypeRef::JsonObject => "Object".into(),
        TypeRef::Json => format!("Variant{index}"),
        TypeRef::External(path) => pascal_ident(path.rsplit("::").next().unwrap_or(path)),
    }
}

/// A field's docs mention what the type does not hold: the definition's `default` (the
/// field stays an `Option`, so that what was sent and what was left out can still be told
/// apart) and `uniqueItems` (a `Vec` keeps the order the wire has; distinctness is the
/// sender's promise, not checked).
fn with_notes(doc: Option<String>, schema: &Schema) -> Option<String> {
    let mut notes: Vec<String> = doc.into_iter().collect();
    if let Some(default) = &schema.schema_data.default {
        notes.push(format!("Defaults to `{default}` when absent."));
    }
    if let SchemaKind::Type(Type::Array(array)) = &normalized(schema).schema_kind {
        if array.unique_items {
            notes.push("The items are distinct (`uniqueItems`); this is not checked.".to_string());
        }
    }
    (!notes.is_empty()).then(|| notes.join("\n\n"))
}

fn docs_of(schema: &Schema) -> Option<String> {
    schema.schema_data.description.as_deref().map(rst_to_markdown)
}
