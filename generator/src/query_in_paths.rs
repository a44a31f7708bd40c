//! Query values written into a path key (`/email/history/export?filename={filename}`).
//! Real definitions do this, and declare the parameter named in braces `in: path` (the
//! braces are in the path key) or `in: query`. Either way its value travels in the query,
//! under the member's name: this pass makes it a query parameter of that wire name, so
//! that every later stage reads it as one. Fixed members (`?op=LISTAFTERID`) stay in the
//! key; the IR reads them as selectors (see `ir::shared_urls`).
//!
//! A moved path parameter keeps `required` (a path parameter always is) and its value's
//! form: one member (`style: form`, `explode: false`, so an array is `ids=a,b`), as the
//! key writes it. A member whose parameter no operation declares is read as a required
//! string, with a warning.

use serde_json::{Map, Value, json};

use crate::diag::{Diagnostic, child_pointer};
use crate::ir::paths::{QueryValue, query_members};

use crate::skip::METHODS;

/// Rewrites the parameters named by `name={param}` members of the (OpenAPI 3.0) document's
/// path keys; returns the warnings, each with the pointer of its operation. A key whose
/// `?…` part does not read is left as it is: `check` reports it.
pub fn move_to_query(doc: &mut Value) -> Vec<(String, Diagnostic)> {
    let mut warnings = Vec::new();
    let Some(Value::Object(paths)) = doc.get_mut("paths") else {
        return warnings;
    };
    for (path, item) in paths.iter_mut() {
        let Ok(members) = query_members(path) else { continue };
        let Value::Object(item) = item else { continue };
        for member in members {
            let QueryValue::Param(param) = member.value else {
                continue;
            };
            let at_item = rename(item.get_mut("parameters"), param, member.name);
            for method in METHODS {
                let Some(Value::Object(op)) = item.get_mut(method) else {
                    continue;
                };
                if rename(op.get_mut("parameters"), param, member.name) || at_item {
                    continue;
                }
                declare(op, member.name);
                warnings.push((
                    child_pointer(&child_pointer("/paths", path), method),
                    Diagnostic::warning(format!(
                        "path `{path}` fills the query member `{}` from `{{{param}}}`, which this operation does not declare; it is read as a required string",
                        member.name
                    ))
                    .help(format!(
                        "declare a parameter with `name: {param}` (`in: path` or `in: query`) to give it a type"
                    )),
                ));
            }
        }
    }
    warnings
}

/// Makes the parameter `param` of this list (`in: path` or `in: query`) the query value
/// `wire_name`; whether the list has it.
fn rename(parameters: Option<&mut Value>, param: &str, wire_name: &str) -> bool {
    let Some(Value::Array(parameters)) = parameters else {
        return false;
    };
    let mut found = false;
    for parameter in parameters.iter_mut() {
        let Value::Object(parameter) = parameter else { continue };
        let location = parameter.get("in").and_then(Value::as_str);
        if parameter.get("name").and_then(Value::as_str) != Some(param) || !matches!(location, Some("path" | "query")) {
            continue;
        }
        if location == Some("path") {
            parameter.insert("in".into(), json!("query"));
            parameter.insert("required".into(), json!(true));
            parameter.insert("style".into(), json!("form"));
            parameter.insert("explode".into(), json!(false));
        }
        parameter.insert("name".into(), json!(wire_name));
        found = true;
    }
    found
}

fn declare(op: &mut Map<String, Value>, wire_name: &str) {
    let parameter = json!({"name": wire_name, "in": "query", "required": true, "schema": {"type": "string"}});
    match op.get_mut("parameters") {
        Some(Value::Array(parameters)) => parameters.push(parameter),
        _ => {
            op.insert("parameters".into(), json!([parameter]));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn braced_members_become_query_parameters_of_the_members_name() {
        let mut doc = json!({"paths": {
            "/users/{userid}/pic?key={APIKEY}&size=large": {"get": {"parameters": [
                {"name": "userid", "in": "path", "required": true, "schema": {"type": "string"}},
                {"name": "APIKEY", "in": "path", "required": true, "schema": {"type": "string"}},
            ]}},
            "/search?query={query}&page={page}": {
                "parameters": [{"name": "query", "in": "query", "schema": {"type": "string"}}],
                "get": {},
            },
        }});
        let warnings = move_to_query(&mut doc);
        let pic = &doc["paths"]["/users/{userid}/pic?key={APIKEY}&size=large"]["get"]["parameters"];
        assert_eq!(pic[0]["in"], "path");
        assert_eq!(
            pic[1],
            json!({"name": "key", "in": "query", "required": true, "style": "form", "explode": false, "schema": {"type": "string"}})
        );
        let search = &doc["paths"]["/search?query={query}&page={page}"];
        assert_eq!(
            search["parameters"][0],
            json!({"name": "query", "in": "query", "schema": {"type": "string"}})
        );
        assert_eq!(search["get"]["parameters"][0]["name"], "page");
        assert_eq!(warnings.len(), 1);
        assert_eq!(warnings[0].0, "/paths/~1search?query={query}&page={page}/get");
    }
}
