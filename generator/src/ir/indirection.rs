//! Where the type space needs indirection to be valid Rust:
//! - an alias that contains itself (`L = Vec<L>`) becomes a newtype, since a Rust alias
//!   cannot refer to itself;
//! - a type that contains itself by value (through fields, tuple positions, union
//!   variants) would have infinite size: the slots that close the loop are boxed;
//! - a type nested by value very deeply (60 levels of inline `properties`) makes rustc's
//!   layout queries overflow their depth limit wherever the value sits in a future (the
//!   server's handlers): a slot is boxed every [`MAX_BY_VALUE_DEPTH`] levels, which needs
//!   no crate attribute (a `build.rs`-included file could not set one).
//!
//! The walks are iterative and linear (see [`crate::graph`]): types chain as long as the
//! definition's names do.

use std::collections::BTreeMap;

use super::{TypeDef, TypeKind, TypeRef};
use crate::graph::{children_first, on_cycle, strongly_connected};

/// How many named types may nest by value before one is boxed. rustc's default recursion
/// limit is 128 and a struct level costs about two query levels.
pub const MAX_BY_VALUE_DEPTH: usize = 32;

/// How many named types may nest (boxed or not) before a crate implementing the server
/// trait needs a higher `recursion_limit`: proving a request `Send` walks every level, a
/// `Box` included, at about two of rustc's 128 levels each, beside the future's own.
pub const MAX_SEND_DEPTH: usize = 40;

/// Adds the indirection the type space needs. Returns the most deeply nested type and
/// its depth when that depth is past [`MAX_SEND_DEPTH`].
pub fn add_indirection(defs: &mut BTreeMap<String, TypeDef>) -> Option<(String, usize)> {
    let names: Vec<String> = defs.keys().cloned().collect();
    let ids: BTreeMap<&str, usize> = names.iter().enumerate().map(|(i, n)| (n.as_str(), i)).collect();
    newtype_recursive_aliases(defs, &names, &ids);
    box_recursion(defs, &names, &ids);
    let (deepest, depth) = box_deep_nesting(defs, &names, &ids);
    (depth > MAX_SEND_DEPTH).then(|| (names[deepest].clone(), depth))
}

fn kind<'d>(defs: &'d BTreeMap<String, TypeDef>, name: &str) -> Option<&'d TypeKind> {
    defs.get(name).map(|d| &d.kind)
}

/// An alias mentions another alias anywhere in its target (`Vec<B>`, `Map<B>`): rustc
/// expands both, so a loop of such mentions is an alias that contains itself.
fn newtype_recursive_aliases(defs: &mut BTreeMap<String, TypeDef>, names: &[String], ids: &BTreeMap<&str, usize>) {
    let edges: Vec<Vec<usize>> = names
        .iter()
        .map(|name| match kind(defs, name) {
            Some(TypeKind::Alias(target)) => {
                let mut mentioned = Vec::new();
                named_in(target, &mut mentioned);
                mentioned
                    .into_iter()
                    .filter(|m| matches!(kind(defs, m), Some(TypeKind::Alias(_))))
                    .filter_map(|m| ids.get(m.as_str()).copied())
                    .collect()
            }
            _ => Vec::new(),
        })
        .collect();
    let cyclic = on_cycle(&edges, &strongly_connected(&edges));
    for (name, _) in names.iter().zip(cyclic).filter(|(_, c)| *c) {
        if let Some(def) = defs.get_mut(name) {
            if let TypeKind::Alias(target) = &def.kind {
                def.kind = TypeKind::Newtype(target.clone());
            }
        }
    }
}

/// Every named type a type mentions, at any depth.
fn named_in(ty: &TypeRef, out: &mut Vec<String>) {
    let mut todo = vec![ty];
    while let Some(ty) = todo.pop() {
        match ty {
            TypeRef::Vec(inner) | TypeRef::Map(inner) | TypeRef::Boxed(inner) => todo.push(inner),
            TypeRef::Named(name) => out.push(name.clone()),
            _ => {}
        }
    }
}

/// The positions of a type that hold another type by value, and whether they can be
/// boxed (an alias's target cannot: the types that use the alias box instead).
fn slots_mut(kind: &mut TypeKind) -> Vec<&mut TypeRef> {
    match kind {
        TypeKind::Struct(s) => s.fields.iter_mut().map(|f| &mut f.ty).collect(),
        TypeKind::Tuple(items) => items.iter_mut().collect(),
        TypeKind::Union(variants) => variants.iter_mut().map(|v| &mut v.ty).collect(),
        TypeKind::Tagged(tagged) => tagged
            .variants
            .iter_mut()
            .map(|v| &mut v.ty)
            .chain([&mut tagged.other.ty])
            .collect(),
        TypeKind::Newtype(inner) => vec![inner],
        TypeKind::Alias(_) | TypeKind::StringEnum(_) | TypeKind::OpenStringEnum(_) => Vec::new(),
    }
}

fn slots(kind: &TypeKind) -> Vec<&TypeRef> {
    match kind {
        TypeKind::Struct(s) => s.fields.iter().map(|f| &f.ty).collect(),
        TypeKind::Tuple(items) => items.iter().collect(),
        TypeKind::Union(variants) => variants.iter().map(|v| &v.ty).collect(),
        TypeKind::Tagged(tagged) => tagged
            .variants
            .iter()
            .map(|v| &v.ty)
            .chain([&tagged.other.ty])
            .collect(),
        TypeKind::Newtype(inner) | TypeKind::Alias(inner) => vec![inner],
        TypeKind::StringEnum(_) | TypeKind::OpenStringEnum(_) => Vec::new(),
    }
}

/// The named type a slot holds by value, if any (`Vec`, maps and boxes are indirect).
fn by_value(ty: &TypeRef) -> Option<&str> {
    match ty {
        TypeRef::Named(name) => Some(name),
        _ => None,
    }
}

/// For each type, per slot, the index of the type it holds by value.
fn by_value_slots(
    defs: &BTreeMap<String, TypeDef>,
    names: &[String],
    ids: &BTreeMap<&str, usize>,
) -> Vec<Vec<Option<usize>>> {
    names
        .iter()
        .map(|name| match kind(defs, name) {
            Some(kind) => slots(kind)
                .into_iter()
                .map(|s| by_value(s).and_then(|n| ids.get(n).copied()))
                .collect(),
            None => Vec::new(),
        })
        .collect()
}

fn edges_of(slots: &[Vec<Option<usize>>]) -> Vec<Vec<usize>> {
    slots.iter().map(|s| s.iter().flatten().copied().collect()).collect()
}

fn box_recursion(defs: &mut BTreeMap<String, TypeDef>, names: &[String], ids: &BTreeMap<&str, usize>) {
    let slots = by_value_slots(defs, names, ids);
    let component = strongly_connected(&edges_of(&slots));
    for (v, name) in names.iter().enumerate() {
        let Some(def) = defs.get_mut(name) else { continue };
        for (slot, target) in slots_mut(&mut def.kind).into_iter().zip(&slots[v]) {
            if target.is_some_and(|w| component[w] == component[v]) {
                box_slot(slot);
            }
        }
    }
}

fn box_slot(slot: &mut TypeRef) {
    let inner = std::mem::replace(slot, TypeRef::Json);
    *slot = TypeRef::Boxed(Box::new(inner));
}

/// Children first, so that a box is placed as deep as it can be and each chain is cut as
/// rarely as possible. Recursion is boxed already, so what is left holds no loop by value.
/// Boxes a slot every [`MAX_BY_VALUE_DEPTH`] by-value levels. Returns the type that
/// nests most deeply counting boxed levels too, and that depth.
fn box_deep_nesting(
    defs: &mut BTreeMap<String, TypeDef>,
    names: &[String],
    ids: &BTreeMap<&str, usize>,
) -> (usize, usize) {
    let slots = by_value_slots(defs, names, ids);
    let mut depth = vec![0; names.len()];
    let mut nesting = vec![0; names.len()];
    for v in children_first(&edges_of(&slots)) {
        let Some(def) = defs.get_mut(&names[v]) else { continue };
        let is_alias = matches!(def.kind, TypeKind::Alias(_));
        let mut deepest = 0;
        let mut deepest_nesting = 0;
        let mut boxable = slots_mut(&mut def.kind).into_iter();
        for target in &slots[v] {
            let slot = boxable.next();
            let Some(w) = *target else { continue };
            deepest_nesting = deepest_nesting.max(nesting[w]);
            match slot {
                Some(slot) if depth[w] >= MAX_BY_VALUE_DEPTH => box_slot(slot),
                _ => deepest = deepest.max(depth[w]),
            }
        }
        // An alias adds no level of its own.
        let own = usize::from(!is_alias);
        depth[v] = deepest + own;
        nesting[v] = deepest_nesting + own;
    }
    nesting
        .iter()
        .enumerate()
        .max_by_key(|(i, n)| (**n, std::cmp::Reverse(*i)))
        .map(|(i, n)| (i, *n))
        .unwrap_or((0, 0))
}
