//! Builds the [`Ir`] from the checked `openapiv3` model.

use std::collections::{BTreeMap, BTreeSet};

use openapiv3::{APIKeyLocation, OpenAPI, ReferenceOr, SecurityScheme as ApiScheme};

use super::docs::rst_to_markdown;
use super::examples;
use super::naming::pascal_ident;
use super::operations::operations;
use super::types::{RefHints, TypeBuilder};
use super::{Ir, SecurityKind, SecurityScheme, TypeDef, TypeKind, TypeRef};

pub fn build(api: &OpenAPI, hints: RefHints) -> Ir {
    let mut types = TypeBuilder::new(api, hints);
    types.build_components();
    let operations = operations(api, &mut types);
    let mut defs = types.types;
    box_recursive_fields(&mut defs);
    let examples = examples::name_and_validate(types.examples, &defs);
    Ir {
        title: api.info.title.clone(),
        version: api.info.version.clone(),
        description: api.info.description.as_deref().map(rst_to_markdown),
        base_path: base_path(api),
        api_name: pascal_ident(&api.info.title),
        types: defs,
        operations,
        security_schemes: security_schemes(api),
        examples,
    }
}

/// The path part of the first server URL, server variables replaced by their defaults,
/// with a leading `/` (a relative `v1` is served at `/v1`; `check` warns) and without a
/// trailing one.
pub fn base_path(api: &OpenAPI) -> String {
    let Some(server) = api.servers.first() else {
        return String::new();
    };
    let mut url = server.url.clone();
    for (name, variable) in server.variables.iter().flatten() {
        url = url.replace(&format!("{{{name}}}"), &variable.default);
    }
    let path = match url.find("://") {
        Some(i) => url[i + 3..].find('/').map(|j| &url[i + 3 + j..]).unwrap_or(""),
        None => url.as_str(),
    };
    let path = path.trim_end_matches('/');
    if path.is_empty() || path.starts_with('/') {
        path.to_string()
    } else {
        format!("/{path}")
    }
}

fn security_schemes(api: &OpenAPI) -> Vec<SecurityScheme> {
    let Some(components) = &api.components else {
        return Vec::new();
    };
    components
        .security_schemes
        .iter()
        .filter_map(|(name, scheme)| {
            let ReferenceOr::Item(scheme) = scheme else { return None };
            let (kind, doc) = match scheme {
                ApiScheme::APIKey {
                    location,
                    name,
                    description,
                    ..
                } => (
                    match location {
                        APIKeyLocation::Header => SecurityKind::ApiKeyHeader { header: name.clone() },
                        APIKeyLocation::Query => SecurityKind::ApiKeyQuery { param: name.clone() },
                        APIKeyLocation::Cookie => return None,
                    },
                    description,
                ),
                ApiScheme::HTTP {
                    scheme, description, ..
                } => (SecurityKind::Http { scheme: scheme.clone() }, description),
                ApiScheme::OAuth2 { description, .. } => (SecurityKind::OAuth2, description),
                ApiScheme::OpenIDConnect { .. } => return None,
            };
            Some(SecurityScheme {
                name: name.clone(),
                doc: doc.as_deref().map(rst_to_markdown),
                kind,
            })
        })
        .collect()
}

/// A struct that contains itself by value (directly or through other structs, tuples or
/// unions) would have infinite size: the fields that close such a loop are boxed.
fn box_recursive_fields(defs: &mut BTreeMap<String, TypeDef>) {
    let mut to_box = Vec::new();
    for (name, def) in defs.iter() {
        if let TypeKind::Struct(s) = &def.kind {
            for (i, field) in s.fields.iter().enumerate() {
                if let TypeRef::Named(target) = &field.ty {
                    if reaches(defs, target, name, &mut BTreeSet::new()) {
                        to_box.push((name.clone(), i));
                    }
                }
            }
        }
    }
    for (name, i) in to_box {
        if let Some(TypeDef {
            kind: TypeKind::Struct(s),
            ..
        }) = defs.get_mut(&name)
        {
            s.fields[i].boxed = true;
        }
    }
}

/// Whether `from` holds `to` by value somewhere inside it.
fn reaches(defs: &BTreeMap<String, TypeDef>, from: &str, to: &str, seen: &mut BTreeSet<String>) -> bool {
    if from == to {
        return true;
    }
    if !seen.insert(from.to_string()) {
        return false;
    }
    let Some(def) = defs.get(from) else { return false };
    let by_value: Vec<&TypeRef> = match &def.kind {
        TypeKind::Struct(s) => s.fields.iter().map(|f| &f.ty).collect(),
        TypeKind::Tuple(items) => items.iter().collect(),
        TypeKind::Union(variants) => variants.iter().map(|v| &v.ty).collect(),
        TypeKind::Alias(target) => vec![target],
        TypeKind::StringEnum(_) => Vec::new(),
    };
    by_value.into_iter().any(|ty| match ty {
        TypeRef::Named(next) => reaches(defs, next, to, seen),
        _ => false,
    })
}
