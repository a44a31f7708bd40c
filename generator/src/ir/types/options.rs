//! The caller's choices about single types: extra attributes, a Rust type that stands for
//! a schema, another name. An option names a schema by its key under `definitions`
//! (Swagger 2.0) or `components/schemas` (OpenAPI 3), exactly as written there; every
//! option is checked against the definition before anything is named, and a bad one is an
//! error located at the schemas it should have named.

use std::collections::{BTreeMap, BTreeSet};

use openapiv3::{OpenAPI, ReferenceOr};

use crate::diag::child_pointer;
use crate::ir::naming::Registry;
use crate::ir::{Ir, TypeKind};

/// Per-schema choices about the generated types, as `tonic-build` and `typify` offer them.
/// Each list keeps the order the options were given in.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TypeOptions {
    /// `(schema, attributes)`: outer attributes written above the schema's type, after
    /// stubforge's own (`#[derive(Hash)]`, `#[serde(rename_all = "camelCase")]`).
    pub attributes: Vec<(String, String)>,
    /// `(schema, Rust type)`: a type path used wherever the schema is referenced
    /// (`::ruma_common::OwnedRoomId`); no model is generated for the schema.
    pub replacements: Vec<(String, String)>,
    /// `(schema, name)`: the name of the schema's type, instead of the one made from its key.
    pub renames: Vec<(String, String)>,
}

/// A bad option, to be located at `pointer` in the upgraded document.
#[derive(Debug, Clone, PartialEq)]
pub struct OptionError {
    pub pointer: String,
    pub message: String,
    pub help: String,
}

/// Every problem with `options` that can be seen before the types are built.
pub fn check(api: &OpenAPI, options: &TypeOptions) -> Vec<OptionError> {
    let schemas = api.components.as_ref().map(|c| &c.schemas);
    let keys: Vec<&String> = schemas.into_iter().flat_map(|s| s.keys()).collect();
    let mut errors = Vec::new();
    let mut error = |key: &str, message: String, help: String| {
        let pointer = match schemas.is_some_and(|s| s.contains_key(key)) {
            true => child_pointer("/components/schemas", key),
            false if schemas.is_some() => "/components/schemas".to_string(),
            false => String::new(),
        };
        errors.push(OptionError { pointer, message, help });
    };
    let every = options
        .attributes
        .iter()
        .map(|(key, _)| ("type attribute", key))
        .chain(options.replacements.iter().map(|(key, _)| ("type mapping", key)))
        .chain(options.renames.iter().map(|(key, _)| ("type rename", key)));
    for (option, key) in every {
        if !keys.contains(&key) {
            let known: Vec<&str> = keys.iter().take(8).map(|k| k.as_str()).collect();
            let listed = match known.len() {
                0 => "the definition has no named schemas".to_string(),
                _ if keys.len() > known.len() => format!("its schemas include `{}`, …", known.join("`, `")),
                _ => format!("its schemas are `{}`", known.join("`, `")),
            };
            error(
                key,
                format!("the {option} option names the schema `{key}`, which the definition does not have"),
                format!(
                    "name a schema by its key under `definitions` (Swagger 2.0) or `components/schemas`, as written; {listed}"
                ),
            );
        }
    }
    for (key, attributes) in &options.attributes {
        match syn::parse::Parser::parse_str(syn::Attribute::parse_outer, attributes) {
            Err(_) => error(
                key,
                format!("the type attribute option for `{key}` is not Rust outer attributes: `{attributes}`"),
                "write whole attributes, such as `#[derive(Hash)]`".to_string(),
            ),
            // The wire format is the definition's: a struct model's serde impls come from its
            // member table, where `#[serde]` would not even compile, and on the other types
            // it would let server and client drift from the definition.
            Ok(parsed) if parsed.iter().any(|attribute| attribute.path().is_ident("serde")) => error(
                key,
                format!("the type attribute option gives `{key}` a `#[serde]` attribute: `{attributes}`"),
                "the definition decides how a type is written; change the schema, or map the schema to a type of yours with the type mapping option".to_string(),
            ),
            Ok(_) => {}
        }
    }
    let replaced: BTreeSet<&String> = options.replacements.iter().map(|(key, _)| key).collect();
    for (key, path) in &options.replacements {
        if syn::parse_str::<syn::TypePath>(path).is_err() {
            error(
                key,
                format!("the type mapping option for `{key}` is not a Rust type path: `{path}`"),
                "give a path such as `::ruma_common::OwnedRoomId` or `crate::ids::RoomId`".to_string(),
            );
        }
        if options.replacements.iter().filter(|(other, _)| other == key).count() > 1 {
            error(
                key,
                format!("the schema `{key}` is mapped to a Rust type more than once"),
                "keep one type mapping option for it".to_string(),
            );
        }
        let discriminated = schemas.and_then(|s| s.get(key)).is_some_and(is_discriminated);
        if discriminated {
            error(
                key,
                format!("the schema `{key}` has a `discriminator`, so it cannot be mapped to a Rust type"),
                "stubforge generates the tagged enum of its kinds; map the kinds' member types instead".to_string(),
            );
        }
    }
    for (option, list) in [
        ("type attribute", &options.attributes),
        ("type rename", &options.renames),
    ] {
        for (key, _) in list.iter().filter(|(key, _)| replaced.contains(key)) {
            error(
                key,
                format!("the {option} option names `{key}`, which a type mapping option replaces"),
                "no type is generated for a mapped schema; drop one of the two options".to_string(),
            );
        }
    }
    let reserved = Registry::types_module();
    let mut targets: BTreeMap<&str, &str> = BTreeMap::new();
    for (key, name) in &options.renames {
        let bad_ident = syn::parse_str::<syn::Ident>(name).is_err();
        if bad_ident {
            error(
                key,
                format!("the type rename option gives `{key}` the name `{name}`, which is not a Rust identifier"),
                "give a name such as `RoomIdentifier` (a keyword cannot be one)".to_string(),
            );
        } else if !reserved.is_free(name) {
            error(
                key,
                format!("the type rename option gives `{key}` the name `{name}`, which the generated code uses"),
                "choose another name".to_string(),
            );
        }
        if let Some(first) = targets.insert(name, key) {
            error(
                key,
                format!("the type rename options give both `{first}` and `{key}` the name `{name}`"),
                "give each schema a name of its own".to_string(),
            );
        }
        if options.renames.iter().filter(|(other, _)| other == key).count() > 1 {
            error(
                key,
                format!("the schema `{key}` is renamed more than once"),
                "keep one type rename option for it".to_string(),
            );
        }
    }
    errors.dedup();
    errors
}

/// A discriminator's base or a `oneOf` with one: stubforge's own tagged enum.
fn is_discriminated(schema: &ReferenceOr<openapiv3::Schema>) -> bool {
    matches!(schema, ReferenceOr::Item(schema) if schema.schema_data.discriminator.is_some())
}

/// Attributes the caller asked for on a type that cannot carry them: a schema that is no
/// struct or enum but a type alias (`pub type Id = String;`) takes no `derive`.
pub fn misplaced_attributes(ir: &Ir) -> Vec<OptionError> {
    let mut errors = Vec::new();
    for wanted in &ir.models.attributes {
        let Some(def) = ir.types.get(&wanted.type_name) else {
            continue;
        };
        if let TypeKind::Alias(_) = def.kind {
            errors.push(OptionError {
                pointer: child_pointer("/components/schemas", &wanted.schema),
                message: format!(
                    "the type attribute option puts `{}` on `{}`, which is the type alias `{}`, not a struct or enum",
                    wanted.attributes, wanted.schema, def.name
                ),
                help: "put the attributes on a schema that is an object or an enum, or map this one to a Rust type of your own".to_string(),
            });
        }
    }
    errors
}
