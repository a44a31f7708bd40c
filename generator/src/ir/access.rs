//! `readOnly` and `writeOnly`. One generated struct serves requests and responses, so a
//! member that only one direction carries cannot stay required in the other: a required
//! `readOnly` member (an id the server assigns) is optional in every type a request body
//! reaches, and a required `writeOnly` member (a password) in every type a response
//! reaches. Elsewhere they keep the definition's `required`, and their docs say which
//! direction carries them.

use std::collections::{BTreeMap, BTreeSet};

use super::{Access, EncodingKind, Operation, TypeDef, TypeKind, TypeRef};

pub fn relax_one_way_members(defs: &mut BTreeMap<String, TypeDef>, operations: &[Operation]) {
    let parts: Vec<TypeRef> = operations
        .iter()
        .filter_map(|op| op.body.as_ref())
        .flat_map(|body| body.shape.encodings())
        .filter_map(|encoding| match &encoding.kind {
            EncodingKind::Multipart { name, .. } => Some(TypeRef::Named(name.clone())),
            _ => None,
        })
        .collect();
    let request_roots = operations
        .iter()
        .filter_map(|op| op.body.as_ref())
        .flat_map(|body| body.shape.encodings())
        .filter_map(|encoding| match &encoding.kind {
            EncodingKind::Json(ty) | EncodingKind::Form { ty, .. } => Some(ty),
            _ => None,
        })
        .chain(&parts);
    let requests = reached(defs, request_roots);
    let responses = reached(
        defs,
        operations
            .iter()
            .flat_map(|op| &op.responses)
            .filter_map(|r| r.body.as_ref())
            .flat_map(|body| body.json_types()),
    );
    for (name, def) in defs.iter_mut() {
        let TypeKind::Struct(s) = &mut def.kind else { continue };
        for field in &mut s.fields {
            let relaxed = match field.access {
                Access::ReadOnly => requests.contains(name),
                Access::WriteOnly => responses.contains(name),
                Access::ReadWrite => false,
            };
            if relaxed {
                field.required = false;
            }
        }
    }
}

/// The named types that values of `roots` may contain, themselves included.
fn reached<'a>(defs: &BTreeMap<String, TypeDef>, roots: impl Iterator<Item = &'a TypeRef>) -> BTreeSet<String> {
    let mut seen = BTreeSet::new();
    let mut pending: Vec<&TypeRef> = roots.collect();
    while let Some(ty) = pending.pop() {
        match ty {
            TypeRef::Vec(inner) | TypeRef::Map(inner) | TypeRef::Boxed(inner) => pending.push(inner),
            TypeRef::Named(name) => {
                if !seen.insert(name.clone()) {
                    continue;
                }
                let Some(def) = defs.get(name) else { continue };
                match &def.kind {
                    TypeKind::Struct(s) => {
                        pending.extend(s.fields.iter().map(|f| &f.ty));
                        if let super::ExtraMembers::Kept { value, .. } = &s.extra {
                            pending.push(value);
                        }
                    }
                    TypeKind::Tuple(items) => pending.extend(items),
                    TypeKind::Union(variants) => pending.extend(variants.iter().map(|v| &v.ty)),
                    TypeKind::Tagged(tagged) => {
                        pending.extend(tagged.variants.iter().map(|v| &v.ty));
                        pending.push(&tagged.other.ty);
                    }
                    TypeKind::Alias(inner) | TypeKind::Newtype(inner) => pending.push(inner),
                    TypeKind::StringEnum(_) | TypeKind::OpenStringEnum(_) => {}
                }
            }
            _ => {}
        }
    }
    seen
}
