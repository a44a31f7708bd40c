//! `discriminator`: objects told apart by the value of one member become a tagged enum.
//!
//! Two patterns name the kinds:
//! - a base schema with a `discriminator` (Swagger 2.0's string, OpenAPI 3.0's object),
//!   whose subtypes are schemas with the base among their `allOf` members (directly or
//!   through another subtype). The base's name is the enum, so that a member typed as the
//!   base accepts every subtype; the base's own members are the struct `{Base}Base`.
//! - a `oneOf`/`anyOf` of `$ref`s with a `discriminator` object beside it.
//!
//! A kind's tag value is what `mapping` maps to its schema, else the schema's name (the
//! only rule Swagger 2.0 has). A value that names no listed kind is read as `Other`.

use std::collections::{BTreeMap, BTreeSet};

use openapiv3::{Discriminator, OpenAPI, ReferenceOr, Schema};

use super::TypeBuilder;
use crate::diag::child_pointer;
use crate::ir::naming::{Registry, pascal_ident};
use crate::ir::{ExtraMembers, TaggedUnion, TaggedVariant, TypeKind, TypeRef, UnionVariant};
use crate::schema_shape::{all_of_members, component_key, union_members};

/// The component a `mapping` value names: a `$ref`-style pointer to a component
/// (`#/components/schemas/Card`, or Swagger 2.0's `#/definitions/Card`) or a bare
/// component name (`Card`). `None` when it names none of this definition's schemas.
pub fn mapping_target(api: &OpenAPI, value: &str) -> Option<String> {
    let schemas = &api.components.as_ref()?.schemas;
    let key = match value.strip_prefix("#/definitions/") {
        Some(rest) => component_key(&format!("#/components/schemas/{rest}")),
        None if value.starts_with('#') => component_key(value),
        None => Some(value.to_string()),
    }?;
    schemas.contains_key(&key).then_some(key)
}

/// For every component with a `discriminator` that is not beside a `oneOf`/`anyOf`, the
/// components that have it among their `allOf` ancestors, in definition order.
pub fn subtypes_of_bases(api: &OpenAPI) -> BTreeMap<String, Vec<String>> {
    let Some(components) = &api.components else {
        return BTreeMap::new();
    };
    let parents = |schema: &ReferenceOr<Schema>| -> Vec<String> {
        let ReferenceOr::Item(schema) = schema else {
            return Vec::new();
        };
        all_of_members(schema)
            .into_iter()
            .flatten()
            .filter_map(|member| match member {
                ReferenceOr::Reference { reference } => component_key(reference),
                ReferenceOr::Item(_) => None,
            })
            .collect()
    };
    let direct: BTreeMap<&String, Vec<String>> = components.schemas.iter().map(|(k, s)| (k, parents(s))).collect();
    let mut found: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for (key, schema) in &components.schemas {
        if is_base(schema) {
            found.insert(key.clone(), Vec::new());
        }
    }
    if found.is_empty() {
        return found;
    }
    for key in components.schemas.keys() {
        // `check` has refused loops and chains longer than the composition limit, so
        // this walk ends; `seen` keeps a diamond from listing a base twice.
        let mut seen = BTreeSet::new();
        let mut pending: Vec<&str> = direct[key].iter().map(String::as_str).collect();
        while let Some(ancestor) = pending.pop() {
            if ancestor == key || !seen.insert(ancestor.to_string()) {
                continue;
            }
            if let Some(list) = found.get_mut(ancestor) {
                list.push(key.clone());
            }
            if let Some(next) = direct.get(&ancestor.to_string()) {
                pending.extend(next.iter().map(String::as_str));
            }
        }
    }
    found
}

/// A component whose `discriminator` names the kinds of its subtypes.
fn is_base(schema: &ReferenceOr<Schema>) -> bool {
    matches!(schema, ReferenceOr::Item(s) if s.schema_data.discriminator.is_some() && union_members(s).is_none())
}

impl TypeBuilder<'_> {
    /// The tagged enum of a base component `key` with subtypes (or a `mapping`), when it
    /// is one; defines the struct of the base's own members.
    pub(super) fn discriminated_base(
        &mut self,
        key: &str,
        schema: &Schema,
        pointer: &str,
        name: &str,
    ) -> Option<TypeKind> {
        let discriminator = schema.schema_data.discriminator.as_ref()?;
        let subtypes = self.subtypes.get(key)?.clone();
        if subtypes.is_empty() && discriminator.mapping.is_empty() {
            return None;
        }
        let base_name = format!("{name}Base");
        // Named after the base, its inline members' types are the ones subtypes name too.
        let other = match self.named_kind(schema, pointer, name) {
            Some(TypeKind::Struct(s)) if matches!(s.extra, ExtraMembers::Kept { .. }) => {
                let doc = Some(format!(
                    "The members every `{name}` has: what a `{name}` of a kind the definition does not list is read as."
                ));
                TypeRef::Named(self.define(&base_name, doc, TypeKind::Struct(s), pointer))
            }
            _ => TypeRef::JsonObject,
        };
        let tagged = self.tagged(discriminator, &subtypes, name, other, pointer);
        Some(TypeKind::Tagged(tagged))
    }

    /// The tagged enum of a `oneOf`/`anyOf` with a `discriminator`, when every
    /// alternative is a component `$ref` (the only ones a tag value can name).
    pub(super) fn discriminated_union(&mut self, schema: &Schema, pointer: &str, name: &str) -> Option<TypeKind> {
        let discriminator = schema.schema_data.discriminator.as_ref()?;
        let (_, members) = union_members(schema)?;
        // A value mapped to no schema could not be read by its tag: `check` warned, and
        // the alternatives are tried in order instead.
        if discriminator
            .mapping
            .values()
            .any(|target| mapping_target(self.api, target).is_none())
        {
            return None;
        }
        let keys: Option<Vec<String>> = members
            .iter()
            .map(|member| match member {
                // A schema mapped to a Rust type of the caller's is a kind too, as among a
                // base's subtypes: its variant holds that type.
                ReferenceOr::Reference { reference } => component_key(reference)
                    .filter(|key| self.components.contains_key(key) || self.replaced.contains_key(key)),
                ReferenceOr::Item(_) => None,
            })
            .collect();
        let tagged = self.tagged(discriminator, &keys?, name, TypeRef::JsonObject, pointer);
        Some(TypeKind::Tagged(tagged))
    }

    /// Variants for `kinds` (component keys) in order, each with the values `mapping`
    /// gives it or else its name; then values mapped to schemas outside `kinds`.
    fn tagged(
        &mut self,
        discriminator: &Discriminator,
        kinds: &[String],
        name: &str,
        other: TypeRef,
        pointer: &str,
    ) -> TaggedUnion {
        let at = child_pointer(pointer, "discriminator");
        let mapped: Vec<(&String, String)> = discriminator
            .mapping
            .iter()
            .filter_map(|(value, target)| Some((value, mapping_target(self.api, target)?)))
            .collect();
        let mut values_of: BTreeMap<&str, Vec<&String>> = BTreeMap::new();
        for (value, kind) in &mapped {
            values_of.entry(kind.as_str()).or_default().push(value);
        }
        let listed: BTreeSet<&String> = kinds.iter().collect();
        let mut entries: Vec<(String, String)> = Vec::new();
        for kind in kinds {
            match values_of.get(kind.as_str()) {
                Some(values) => entries.extend(values.iter().map(|v| ((*v).clone(), kind.clone()))),
                None => entries.push((kind.clone(), kind.clone())),
            }
        }
        for (value, kind) in &mapped {
            if !listed.contains(kind) {
                entries.push(((*value).clone(), kind.clone()));
            }
        }
        let mut names = Registry::default();
        let variants = entries
            .iter()
            .map(|(value, kind)| {
                let ty = self.component_type(kind);
                let sole = values_of.get(kind.as_str()).is_none_or(|values| values.len() == 1);
                let wanted = match &ty {
                    TypeRef::Named(type_name) if sole => without_union_name(type_name, name),
                    _ => pascal_ident(value),
                };
                TaggedVariant {
                    tag_value: value.clone(),
                    rust_name: self.member_name(&mut names, wanted, &at, value, "variant"),
                    ty,
                }
            })
            .collect();
        TaggedUnion {
            tag: discriminator.property_name.clone(),
            variants,
            other: UnionVariant {
                rust_name: self.member_name(&mut names, "Other".to_string(), &at, "the unlisted kinds", "variant"),
                ty: other,
            },
        }
    }
}

/// A variant's name from its type's: without the enum's name when the type's name starts
/// or ends with it (`PaymentMethodCard` in `PaymentMethod` is `Card`).
pub fn without_union_name(type_name: &str, union_name: &str) -> String {
    let rest = type_name
        .strip_prefix(union_name)
        .or_else(|| type_name.strip_suffix(union_name))
        .filter(|rest| rest.starts_with(|c: char| c.is_ascii_uppercase()));
    rest.unwrap_or(type_name).to_string()
}
