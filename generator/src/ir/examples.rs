//! Examples from the definition: unique test names, and a check of each against its type
//! so that an example the definition gets wrong is reported instead of failing a test.

use std::collections::{BTreeMap, BTreeSet};

use serde_json::Value;

use super::naming::{Registry, snake_ident};
use super::types::RawExample;
use super::{Example, ExtraMembers, TypeDef, TypeKind, TypeRef};
use crate::limits::MAX_NESTING;

/// Drops repeated (type, JSON) pairs, names each test (`make_leave_ok_example`) and
/// records why an example does not fit its type.
pub fn name_and_validate(raw: Vec<RawExample>, types: &BTreeMap<String, TypeDef>) -> Vec<Example> {
    let mut out: Vec<Example> = Vec::new();
    let mut names = Registry::examples_module();
    for example in raw {
        if out.iter().any(|e| e.ty == example.ty && e.json == example.json) {
            continue;
        }
        let base = snake_ident(&format!("{}Example", example.context));
        let base = base.trim_start_matches("r#");
        let mut name = base.to_string();
        let mut n = 2;
        while !names.is_free(&name) {
            name = format!("{base}_{n}");
            n += 1;
        }
        let name = names.claim(&name);
        let mismatch = mismatch(&example.ty, &example.json, types);
        let tested = can_differ(&example.ty, types, &mut BTreeSet::new());
        out.push(Example {
            name,
            pointer: example.pointer,
            mismatch,
            tested,
            ty: example.ty,
            json: example.json,
        });
    }
    out
}

/// Whether reading a value into `ty` and writing it back can do anything but what
/// [`mismatch`] predicts: named types have generated serde code (enums, structs, tuples,
/// unions). A bare number cannot differ: the test compares numbers by value. `seen` stops
/// at an alias that leads back to itself.
fn can_differ(ty: &TypeRef, types: &BTreeMap<String, TypeDef>, seen: &mut BTreeSet<String>) -> bool {
    match ty {
        TypeRef::String
        | TypeRef::I8
        | TypeRef::I16
        | TypeRef::I32
        | TypeRef::I64
        | TypeRef::U8
        | TypeRef::U16
        | TypeRef::U32
        | TypeRef::U64
        | TypeRef::F64
        | TypeRef::Bool
        | TypeRef::Json
        | TypeRef::JsonObject => false,
        // The caller's own type has serde code of its own.
        TypeRef::External(_) => true,
        TypeRef::Vec(item) | TypeRef::Map(item) | TypeRef::Boxed(item) => can_differ(item, types, seen),
        TypeRef::Named(name) => match types.get(name).map(|def| &def.kind) {
            Some(TypeKind::Alias(target)) => seen.insert(name.clone()) && can_differ(target, types, seen),
            Some(_) => true,
            None => false,
        },
    }
}

/// The first way `json` fails to fit `ty`, as the generated serde code would see it.
pub fn mismatch(ty: &TypeRef, json: &Value, types: &BTreeMap<String, TypeDef>) -> Option<String> {
    Matcher { types, steps: 0 }.mismatch(ty, json, 0)
}

/// How far an example is checked: deeper than the resolved document can nest (aliases
/// and unions add levels without descending into the JSON), and a number of steps that
/// unions of unions cannot multiply past. Beyond either, the example's test decides.
const MAX_CHECK_DEPTH: usize = 4 * MAX_NESTING;
const MAX_CHECK_STEPS: usize = 1_000_000;

struct Matcher<'a> {
    types: &'a BTreeMap<String, TypeDef>,
    steps: usize,
}

impl Matcher<'_> {
    fn mismatch(&mut self, ty: &TypeRef, json: &Value, depth: usize) -> Option<String> {
        self.steps += 1;
        if depth > MAX_CHECK_DEPTH || self.steps > MAX_CHECK_STEPS {
            return None;
        }
        let depth = depth + 1;
        let expected = |what: &str| Some(format!("expected {what}, found {}", kind_of(json)));
        match ty {
            TypeRef::String => (!json.is_string()).then(|| expected("a string")).flatten(),
            TypeRef::I8
            | TypeRef::I16
            | TypeRef::I32
            | TypeRef::I64
            | TypeRef::U8
            | TypeRef::U16
            | TypeRef::U32
            | TypeRef::U64 => {
                let (min, max) = ty.integer_bounds()?;
                let value = json.as_i64().map(i128::from).or(json.as_u64().map(i128::from));
                match value {
                    Some(n) if (min..=max).contains(&n) => None,
                    Some(n) => Some(format!(
                        "{n} is outside {min}..={max}, the range of `{}`",
                        rust_integer(ty)
                    )),
                    None => expected("an integer"),
                }
            }
            TypeRef::F64 => (!json.is_number()).then(|| expected("a number")).flatten(),
            TypeRef::Bool => (!json.is_boolean()).then(|| expected("a boolean")).flatten(),
            // What the caller's own type accepts is for its tests to say.
            TypeRef::Json | TypeRef::External(_) => None,
            TypeRef::JsonObject => (!json.is_object()).then(|| expected("an object")).flatten(),
            TypeRef::Vec(item) => match json {
                Value::Array(items) => items
                    .iter()
                    .enumerate()
                    .find_map(|(i, v)| self.mismatch(item, v, depth).map(|m| format!("[{i}]: {m}"))),
                _ => expected("an array"),
            },
            TypeRef::Map(value) => match json {
                Value::Object(map) => map
                    .iter()
                    .find_map(|(k, v)| self.mismatch(value, v, depth).map(|m| format!("`{k}`: {m}"))),
                _ => expected("an object"),
            },
            TypeRef::Boxed(inner) => self.mismatch(inner, json, depth),
            TypeRef::Named(name) => {
                let def = self.types.get(name)?;
                self.named_mismatch(&def.kind, json, depth)
            }
        }
    }

    fn named_mismatch(&mut self, kind: &TypeKind, json: &Value, depth: usize) -> Option<String> {
        match kind {
            TypeKind::Alias(target) | TypeKind::Newtype(target) => self.mismatch(target, json, depth),
            TypeKind::Struct(s) => {
                let Value::Object(map) = json else {
                    return Some(format!("expected an object, found {}", kind_of(json)));
                };
                for field in &s.fields {
                    match map.get(&field.wire_name) {
                        None if field.required && !field.nullable => {
                            return Some(format!("missing required member `{}`", field.wire_name));
                        }
                        Some(Value::Null) if field.nullable || !field.required => {}
                        Some(value) => {
                            if let Some(m) = self.mismatch(&field.ty, value, depth) {
                                return Some(format!("`{}`: {m}", field.wire_name));
                            }
                        }
                        None => {}
                    }
                }
                let mut unknown = map.iter().filter(|(k, _)| !s.fields.iter().any(|f| &f.wire_name == *k));
                match &s.extra {
                    ExtraMembers::Rejected => unknown
                        .map(|(k, _)| format!("member `{k}` is not allowed (`additionalProperties: false`)"))
                        .next(),
                    ExtraMembers::Kept { value, .. } => {
                        unknown.find_map(|(k, v)| self.mismatch(value, v, depth).map(|m| format!("`{k}`: {m}")))
                    }
                }
            }
            TypeKind::Tuple(items) => match json {
                Value::Array(values) if values.len() == items.len() => items
                    .iter()
                    .zip(values)
                    .enumerate()
                    .find_map(|(i, (ty, v))| self.mismatch(ty, v, depth).map(|m| format!("[{i}]: {m}"))),
                Value::Array(values) => Some(format!("expected {} items, found {}", items.len(), values.len())),
                _ => Some(format!("expected an array, found {}", kind_of(json))),
            },
            TypeKind::OpenStringEnum(_) => {
                (!json.is_string()).then(|| format!("expected a string, found {}", kind_of(json)))
            }
            TypeKind::StringEnum(values) => match json.as_str() {
                Some(s) if values.iter().any(|v| v.wire_name == s) => None,
                _ => Some(format!("{json} is not one of the listed values")),
            },
            TypeKind::Tagged(tagged) => match json.get(&tagged.tag) {
                Some(Value::String(tag)) => {
                    let variant = tagged.variants.iter().find(|v| &v.tag_value == tag);
                    let ty = variant.map_or(&tagged.other.ty, |v| &v.ty);
                    self.mismatch(ty, json, depth)
                }
                Some(other) => Some(format!("`{}` is {}, not a string", tagged.tag, kind_of(other))),
                None if json.is_object() => Some(format!("missing member `{}`, which names the kind", tagged.tag)),
                None => Some(format!("expected an object, found {}", kind_of(json))),
            },
            TypeKind::Union(variants) => {
                if variants.iter().any(|v| self.mismatch(&v.ty, json, depth).is_none()) {
                    None
                } else {
                    Some(format!("{} fits none of the alternatives", kind_of(json)))
                }
            }
        }
    }
}

fn rust_integer(ty: &TypeRef) -> &'static str {
    match ty {
        TypeRef::I8 => "i8",
        TypeRef::I16 => "i16",
        TypeRef::I32 => "i32",
        TypeRef::U8 => "u8",
        TypeRef::U16 => "u16",
        TypeRef::U32 => "u32",
        TypeRef::U64 => "u64",
        _ => "i64",
    }
}

fn kind_of(json: &Value) -> &'static str {
    match json {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(n) if n.is_i64() || n.is_u64() => "an integer",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}
