//! Path parameters that can hold one value only, written right after another parameter
//! (`/profiles/{id}{mediaTypeExtension}` with `mediaTypeExtension: {enum: [".json"]}`).
//! Two parameters in a row cannot be routed (nothing says where one ends), but a parameter
//! with one value is fixed text: the path is read as `/profiles/{id}.json`, and the
//! parameter, which no request can choose, is left out of the operation, with a warning.
//!
//! Only OpenAPI 3 documents (where real definitions write this), and only when every
//! operation of the path declares the parameter with the same single value.

use std::collections::BTreeMap;

use serde_json::Value;

use crate::diag::{Diagnostic, child_pointer};

use crate::skip::METHODS;

/// What the pass changed: the renamed paths (new path pointer → old), the parameters
/// moved by the removal (new pointer → old), and the warnings (at resolved pointers).
#[derive(Default)]
pub struct ConstantParams {
    pub renamed_paths: BTreeMap<String, String>,
    pub moves: BTreeMap<String, String>,
    pub warnings: Vec<(String, Diagnostic)>,
}

pub fn read_as_text(doc: &mut Value) -> ConstantParams {
    let mut out = ConstantParams::default();
    let Some(Value::Object(paths)) = doc.get_mut("paths") else {
        return out;
    };
    let candidates: Vec<(String, String, String)> = paths
        .iter()
        .flat_map(|(path, item)| {
            adjacent_names(path)
                .into_iter()
                .filter_map(|name| Some((path.clone(), name.to_string(), single_value(item, name)?)))
                .collect::<Vec<_>>()
        })
        .collect();
    // Renamed in place: the paths keep their order, which decides which operation a
    // shared route serves first.
    let mut renames: BTreeMap<String, (String, String, String)> = BTreeMap::new();
    for (path, name, value) in candidates {
        let new_path = path.replacen(&format!("{{{name}}}"), &value, 1);
        let taken = paths.contains_key(&new_path) || renames.values().any(|(new, _, _)| *new == new_path);
        if !taken && !renames.contains_key(&path) {
            renames.insert(path, (new_path, name, value));
        }
    }
    if renames.is_empty() {
        return out;
    }
    for (path, mut item) in std::mem::take(paths) {
        let Some((new_path, name, value)) = renames.get(&path) else {
            paths.insert(path, item);
            continue;
        };
        let old_ptr = child_pointer("/paths", &path);
        let new_ptr = child_pointer("/paths", new_path);
        remove_param(&mut item, name, &new_ptr, &mut out.moves);
        paths.insert(new_path.clone(), item);
        out.warnings.push((
            old_ptr.clone(),
            Diagnostic::warning(format!(
                "path `{path}` puts `{{{name}}}` right after another parameter, and `{name}` has the one value `{value}`: the path is read as `{new_path}`, and `{name}`, which no request can choose, is left out"
            ))
            .help(format!("write the path as `{new_path}` to say so")),
        ));
        out.renamed_paths.insert(new_ptr, old_ptr);
    }
    out
}

/// The parameter names that follow another parameter directly (`}{name}`).
fn adjacent_names(path: &str) -> Vec<&str> {
    path.match_indices("}{")
        .filter_map(|(at, _)| {
            let rest = &path[at + 2..];
            let name = &rest[..rest.find('}')?];
            (!name.is_empty() && !name.contains('{')).then_some(name)
        })
        .collect()
}

/// The one value every operation of the path item gives the path parameter `name`: a
/// string enum of one value that a path can hold as fixed text.
fn single_value(item: &Value, name: &str) -> Option<String> {
    let declared_in = |parameters: Option<&Value>| {
        parameters?
            .as_array()?
            .iter()
            .find(|p| {
                p.get("name").and_then(Value::as_str) == Some(name)
                    && p.get("in").and_then(Value::as_str) == Some("path")
            })
            .cloned()
    };
    let at_item = declared_in(item.get("parameters"));
    let mut value: Option<String> = None;
    let mut operations = 0;
    for method in METHODS {
        let Some(op) = item.get(method) else { continue };
        operations += 1;
        let param = declared_in(op.get("parameters")).or_else(|| at_item.clone())?;
        let values = param.get("schema")?.get("enum")?.as_array()?;
        let [Value::String(only)] = values.as_slice() else {
            return None;
        };
        if only.is_empty() || only.contains(['/', '{', '}', '?', '#', '%']) || value.as_ref().is_some_and(|v| v != only)
        {
            return None;
        }
        value = Some(only.clone());
    }
    (operations > 0).then_some(value).flatten()
}

/// Removes the path parameter `name` from the item's and its operations' lists, recording
/// where each later parameter was (`new_ptr` is the item's new pointer).
fn remove_param(item: &mut Value, name: &str, new_ptr: &str, moves: &mut BTreeMap<String, String>) {
    let mut lists: Vec<String> = vec![child_pointer(new_ptr, "parameters")];
    lists.extend(
        METHODS
            .iter()
            .map(|m| child_pointer(&child_pointer(new_ptr, m), "parameters")),
    );
    for (key, list_ptr) in std::iter::once("parameters").chain(METHODS).zip(lists) {
        let list = if key == "parameters" {
            item.get_mut("parameters")
        } else {
            item.get_mut(key).and_then(|op| op.get_mut("parameters"))
        };
        let Some(Value::Array(list)) = list else { continue };
        let Some(at) = list.iter().position(|p| {
            p.get("name").and_then(Value::as_str) == Some(name) && p.get("in").and_then(Value::as_str) == Some("path")
        }) else {
            continue;
        };
        list.remove(at);
        for index in at..list.len() {
            moves.insert(
                child_pointer(&list_ptr, &index.to_string()),
                child_pointer(&list_ptr, &(index + 1).to_string()),
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn a_one_value_parameter_after_another_is_fixed_text() {
        let ext = json!({"name": "mediaTypeExtension", "in": "path", "required": true, "schema": {"type": "string", "enum": [".json"]}});
        let id = json!({"name": "id", "in": "path", "required": true, "schema": {"type": "string"}});
        let mut doc = json!({"paths": {
            "/profiles/{id}{mediaTypeExtension}": {"get": {"parameters": [ext, id]}},
            "/updates/{id}{format}": {"get": {"parameters": [
                {"name": "format", "in": "path", "schema": {"enum": [".json", ".xml"]}}, id]}},
        }});
        let out = read_as_text(&mut doc);
        assert_eq!(doc["paths"]["/profiles/{id}.json"]["get"]["parameters"], json!([id]));
        assert!(doc["paths"].get("/updates/{id}{format}").is_some());
        assert_eq!(
            out.moves,
            BTreeMap::from([(
                "/paths/~1profiles~1{id}.json/get/parameters/0".to_string(),
                "/paths/~1profiles~1{id}.json/get/parameters/1".to_string()
            )])
        );
        assert_eq!(
            out.renamed_paths,
            BTreeMap::from([(
                "/paths/~1profiles~1{id}.json".to_string(),
                "/paths/~1profiles~1{id}{mediaTypeExtension}".to_string()
            )])
        );
        assert_eq!(out.warnings.len(), 1);
        // The renamed path keeps its place.
        let keys: Vec<&String> = doc["paths"].as_object().unwrap().keys().collect();
        assert_eq!(keys, ["/profiles/{id}.json", "/updates/{id}{format}"]);
    }
}
