//! Builds the [`Ir`] from the checked `openapiv3` model.

use std::collections::BTreeMap;

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

/// The path part of the first server URL, without a trailing slash.
fn base_path(api: &OpenAPI) -> String {
    let Some(server) = api.servers.first() else {
        return String::new();
    };
    let url = server.url.as_str();
    let path = match url.find("://") {
        Some(i) => url[i + 3..].find('/').map(|j| &url[i + 3 + j..]).unwrap_or(""),
        None => url,
    };
    path.trim_end_matches('/').to_string()
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
/// unions) would have infinite size: the fields that close such a loop are boxed. A field
/// closes a loop when its type leads back to its struct, that is when both lie in one
/// strongly connected part of the by-value graph. Found without recursion and in linear
/// time, since a definition can chain thousands of types.
fn box_recursive_fields(defs: &mut BTreeMap<String, TypeDef>) {
    let part = strongly_connected(defs);
    let mut to_box = Vec::new();
    for (name, def) in defs.iter() {
        if let TypeKind::Struct(s) = &def.kind {
            for (i, field) in s.fields.iter().enumerate() {
                if let TypeRef::Named(target) = &field.ty {
                    let loops = target == name
                        || part
                            .get(target.as_str())
                            .is_some_and(|p| Some(p) == part.get(name.as_str()));
                    if loops {
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

/// The named types a type holds by value.
fn held_by_value(def: &TypeDef) -> Vec<&str> {
    let held: Vec<&TypeRef> = match &def.kind {
        TypeKind::Struct(s) => s.fields.iter().map(|f| &f.ty).collect(),
        TypeKind::Tuple(items) => items.iter().collect(),
        TypeKind::Union(variants) => variants.iter().map(|v| &v.ty).collect(),
        TypeKind::Alias(target) => vec![target],
        TypeKind::StringEnum(_) => Vec::new(),
    };
    held.into_iter()
        .filter_map(|ty| match ty {
            TypeRef::Named(name) => Some(name.as_str()),
            _ => None,
        })
        .collect()
}

/// Type name → the strongly connected part of the by-value graph it lies in (Tarjan's
/// algorithm, with an explicit stack instead of recursion).
fn strongly_connected(defs: &BTreeMap<String, TypeDef>) -> BTreeMap<&str, usize> {
    let names: Vec<&str> = defs.keys().map(String::as_str).collect();
    let position: BTreeMap<&str, usize> = names.iter().enumerate().map(|(i, n)| (*n, i)).collect();
    let edges: Vec<Vec<usize>> = defs
        .values()
        .map(|def| {
            held_by_value(def)
                .into_iter()
                .filter_map(|n| position.get(n).copied())
                .collect()
        })
        .collect();
    let count = names.len();
    let mut index: Vec<Option<usize>> = vec![None; count];
    let mut low = vec![0; count];
    let mut on_stack = vec![false; count];
    let mut stack = Vec::new();
    let mut part = vec![0; count];
    let (mut next_index, mut next_part) = (0, 0);
    for root in 0..count {
        if index[root].is_some() {
            continue;
        }
        // (node, how many of its edges are done)
        let mut calls = vec![(root, 0)];
        index[root] = Some(next_index);
        low[root] = next_index;
        next_index += 1;
        stack.push(root);
        on_stack[root] = true;
        while let Some(&mut (node, ref mut done)) = calls.last_mut() {
            if let Some(&next) = edges[node].get(*done) {
                *done += 1;
                match index[next] {
                    None => {
                        index[next] = Some(next_index);
                        low[next] = next_index;
                        next_index += 1;
                        stack.push(next);
                        on_stack[next] = true;
                        calls.push((next, 0));
                    }
                    Some(i) if on_stack[next] => low[node] = low[node].min(i),
                    Some(_) => {}
                }
                continue;
            }
            calls.pop();
            if let Some(&(caller, _)) = calls.last() {
                low[caller] = low[caller].min(low[node]);
            }
            if Some(low[node]) == index[node] {
                while let Some(member) = stack.pop() {
                    on_stack[member] = false;
                    part[member] = next_part;
                    if member == node {
                        break;
                    }
                }
                next_part += 1;
            }
        }
    }
    names.into_iter().zip(part).collect()
}
