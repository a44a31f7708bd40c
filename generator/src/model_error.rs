//! Finds the node that the OpenAPI model (`openapiv3`) refused. serde_path_to_error
//! loses the path inside the model's untagged and flattened types (every `$ref`-or-item,
//! every schema), so on its own it names an ancestor such as `/paths`. Here the failing
//! entry is found first (a path item, a component), then, inside it, the child whose
//! removal changes the error, level by level, down to the node itself.

use serde_json::Value;

use crate::diag::{child_pointer, escape_segment, split_pointer};

/// Reads a value as one model type; the error message when it is refused.
type Check = fn(&Value) -> Result<(), String>;

fn check<T: serde::de::DeserializeOwned>(value: &Value) -> Result<(), String> {
    T::deserialize(value).map(drop).map_err(|e| e.to_string())
}

/// The maps whose entries the model reads as `$ref` or one item, and the item's type.
const ENTRIES: [(&str, Check); 9] = [
    ("/paths", check::<openapiv3::PathItem>),
    ("/components/schemas", check::<openapiv3::Schema>),
    ("/components/responses", check::<openapiv3::Response>),
    ("/components/parameters", check::<openapiv3::Parameter>),
    ("/components/requestBodies", check::<openapiv3::RequestBody>),
    ("/components/headers", check::<openapiv3::Header>),
    ("/components/securitySchemes", check::<openapiv3::SecurityScheme>),
    ("/components/examples", check::<openapiv3::Example>),
    ("/components/links", check::<openapiv3::Link>),
];

/// The pointer of the node the model refused, given the (upgraded) document and the
/// pointer serde_path_to_error reported.
pub fn refused_node(document: &Value, reported: &str) -> String {
    for (entries, check) in ENTRIES {
        let inside = reported.strip_prefix(entries).filter(|rest| rest.starts_with('/'));
        let candidates: Vec<String> = match inside {
            // Reported inside one entry: narrow that one.
            Some(rest) => {
                let name = &split_pointer(rest)[0];
                vec![child_pointer(entries, name)]
            }
            // Reported at or above the map: any of its entries may be the one.
            None if entries == reported || entries.starts_with(&format!("{reported}/")) => {
                let Some(Value::Object(map)) = document.pointer(entries) else {
                    continue;
                };
                map.keys()
                    .map(|name| format!("{entries}/{}", escape_segment(name)))
                    .collect()
            }
            None => continue,
        };
        for entry in candidates {
            let Some(value) = document.pointer(&entry) else {
                continue;
            };
            if value.get("$ref").is_some() {
                continue;
            }
            if let Err(message) = check(value) {
                return format!("{entry}{}", narrow(value, check, &message));
            }
        }
    }
    reported.to_string()
}

/// Inside a refused `unit`: descends into the child that explains the error, while
/// there is one. A child explains it when removing it makes the unit valid (best), or
/// changes the error to another one; a required child's removal only says it is
/// missing, so that counts least. Returns the pointer relative to the unit.
fn narrow(unit: &Value, check: Check, message: &str) -> String {
    let mut at: Vec<String> = Vec::new();
    while let Some(node) = get(unit, &at) {
        let children: Vec<String> = match node {
            Value::Object(map) => map.keys().cloned().collect(),
            Value::Array(items) => (0..items.len()).map(|i| i.to_string()).collect(),
            _ => break,
        };
        let mut best: Option<(u8, String)> = None;
        for child in children {
            let mut without = unit.clone();
            if let Some(parent) = get_mut(&mut without, &at) {
                match parent {
                    Value::Object(map) => {
                        map.shift_remove(&child);
                    }
                    Value::Array(items) => {
                        items.remove(child.parse::<usize>().unwrap_or_default());
                    }
                    _ => {}
                }
            }
            let rank = match check(&without) {
                Ok(()) => 0,
                Err(other) if other == message => continue,
                Err(other) if other.starts_with("missing field") => 2,
                Err(_) => 1,
            };
            if best.as_ref().is_none_or(|(r, _)| rank < *r) {
                best = Some((rank, child));
            }
        }
        match best {
            Some((_, child)) => at.push(child),
            None => break,
        }
    }
    at.iter().fold(String::new(), |p, s| child_pointer(&p, s))
}

fn get<'a>(value: &'a Value, path: &[String]) -> Option<&'a Value> {
    path.iter().try_fold(value, |node, segment| match node {
        Value::Object(map) => map.get(segment),
        Value::Array(items) => items.get(segment.parse::<usize>().ok()?),
        _ => None,
    })
}

fn get_mut<'a>(value: &'a mut Value, path: &[String]) -> Option<&'a mut Value> {
    path.iter().try_fold(value, |node, segment| match node {
        Value::Object(map) => map.get_mut(segment),
        Value::Array(items) => items.get_mut(segment.parse::<usize>().ok()?),
        _ => None,
    })
}
