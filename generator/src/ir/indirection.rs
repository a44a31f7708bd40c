//! Where the type space needs indirection to be valid Rust:
//! - an alias that contains itself (`L = Vec<L>`) becomes a newtype, since a Rust alias
//!   cannot refer to itself;
//! - a type that contains itself by value (through fields, tuple positions, union
//!   variants) would have infinite size: the slot that closes the loop is boxed;
//! - a type nested by value very deeply (60 levels of inline `properties`) makes rustc's
//!   layout queries overflow their depth limit wherever the value sits in a future (the
//!   server's handlers): a slot is boxed every [`MAX_BY_VALUE_DEPTH`] levels, which needs
//!   no crate attribute (a `build.rs`-included file could not set one).

use std::collections::{BTreeMap, BTreeSet};

use super::{TypeDef, TypeKind, TypeRef};

/// How many named types may nest by value before one is boxed. rustc's default recursion
/// limit is 128 and a struct level costs about two query levels.
pub const MAX_BY_VALUE_DEPTH: usize = 32;

pub fn add_indirection(defs: &mut BTreeMap<String, TypeDef>) {
    newtype_recursive_aliases(defs);
    box_recursion(defs);
    box_deep_nesting(defs);
}

fn newtype_recursive_aliases(defs: &mut BTreeMap<String, TypeDef>) {
    let recursive: Vec<String> = defs
        .iter()
        .filter_map(|(name, def)| match &def.kind {
            TypeKind::Alias(target) if alias_mentions(defs, target, name, &mut BTreeSet::new()) => Some(name.clone()),
            _ => None,
        })
        .collect();
    for name in recursive {
        if let Some(def) = defs.get_mut(&name) {
            if let TypeKind::Alias(target) = &def.kind {
                def.kind = TypeKind::Newtype(target.clone());
            }
        }
    }
}

/// Whether expanding `ty` the way rustc expands aliases ever reaches `alias`.
fn alias_mentions(defs: &BTreeMap<String, TypeDef>, ty: &TypeRef, alias: &str, seen: &mut BTreeSet<String>) -> bool {
    match ty {
        TypeRef::Vec(inner) | TypeRef::Map(inner) | TypeRef::Boxed(inner) => alias_mentions(defs, inner, alias, seen),
        TypeRef::Named(name) if name == alias => true,
        TypeRef::Named(name) => match defs.get(name).map(|d| &d.kind) {
            Some(TypeKind::Alias(target)) if seen.insert(name.clone()) => alias_mentions(defs, target, alias, seen),
            _ => false,
        },
        _ => false,
    }
}

/// The positions of a type that hold another type by value and could be boxed.
fn slots_mut(kind: &mut TypeKind) -> Vec<&mut TypeRef> {
    match kind {
        TypeKind::Struct(s) => s.fields.iter_mut().map(|f| &mut f.ty).collect(),
        TypeKind::Tuple(items) => items.iter_mut().collect(),
        TypeKind::Union(variants) => variants.iter_mut().map(|v| &mut v.ty).collect(),
        TypeKind::Newtype(inner) => vec![inner],
        TypeKind::Alias(_) | TypeKind::StringEnum(_) => Vec::new(),
    }
}

fn slots(kind: &TypeKind) -> Vec<&TypeRef> {
    match kind {
        TypeKind::Struct(s) => s.fields.iter().map(|f| &f.ty).collect(),
        TypeKind::Tuple(items) => items.iter().collect(),
        TypeKind::Union(variants) => variants.iter().map(|v| &v.ty).collect(),
        TypeKind::Newtype(inner) | TypeKind::Alias(inner) => vec![inner],
        TypeKind::StringEnum(_) => Vec::new(),
    }
}

/// The named type a slot holds by value, if any (`Vec`, maps and boxes are indirect).
fn by_value(ty: &TypeRef) -> Option<&str> {
    match ty {
        TypeRef::Named(name) => Some(name),
        _ => None,
    }
}

fn box_recursion(defs: &mut BTreeMap<String, TypeDef>) {
    let mut to_box = Vec::new();
    for (name, def) in defs.iter() {
        for (i, slot) in slots(&def.kind).into_iter().enumerate() {
            if matches!(def.kind, TypeKind::Alias(_)) {
                continue;
            }
            if let Some(target) = by_value(slot) {
                if reaches(defs, target, name, &mut BTreeSet::new()) {
                    to_box.push((name.clone(), i));
                }
            }
        }
    }
    for (name, i) in to_box {
        if let Some(def) = defs.get_mut(&name) {
            if let Some(slot) = slots_mut(&mut def.kind).into_iter().nth(i) {
                box_slot(slot);
            }
        }
    }
}

fn box_slot(slot: &mut TypeRef) {
    let inner = std::mem::replace(slot, TypeRef::Json);
    *slot = TypeRef::Boxed(Box::new(inner));
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
    slots(&def.kind)
        .into_iter()
        .filter_map(by_value)
        .any(|next| reaches(defs, next, to, seen))
}

fn box_deep_nesting(defs: &mut BTreeMap<String, TypeDef>) {
    let mut depths = BTreeMap::new();
    let names: Vec<String> = defs.keys().cloned().collect();
    for name in names {
        depth(defs, &name, &mut depths);
    }
}

/// How many named types `name` nests by value (itself included), boxing the slots that
/// would take it past the limit. Children are finished first, so a box is placed as deep
/// as it can be and each chain is cut as rarely as possible.
fn depth(defs: &mut BTreeMap<String, TypeDef>, name: &str, depths: &mut BTreeMap<String, usize>) -> usize {
    if let Some(d) = depths.get(name) {
        return *d;
    }
    // In progress: recursion was already boxed, so this only guards against a loop.
    depths.insert(name.to_string(), 0);
    let children: Vec<Option<String>> = match defs.get(name) {
        Some(def) => slots(&def.kind)
            .into_iter()
            .map(|s| by_value(s).map(str::to_string))
            .collect(),
        None => Vec::new(),
    };
    let is_alias = matches!(defs.get(name).map(|d| &d.kind), Some(TypeKind::Alias(_)));
    let mut deepest = 0;
    let mut to_box = Vec::new();
    for (i, child) in children.into_iter().enumerate() {
        let Some(child) = child else { continue };
        let d = depth(defs, &child, depths);
        if d >= MAX_BY_VALUE_DEPTH && !is_alias {
            to_box.push(i);
        } else {
            deepest = deepest.max(d);
        }
    }
    if let Some(def) = defs.get_mut(name) {
        let mut slots = slots_mut(&mut def.kind);
        for i in to_box {
            if let Some(slot) = slots.get_mut(i) {
                box_slot(slot);
            }
        }
    }
    // An alias adds no level of its own.
    let own = if is_alias { deepest } else { deepest + 1 };
    depths.insert(name.to_string(), own);
    own
}
