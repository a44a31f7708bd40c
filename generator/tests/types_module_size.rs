//! What keeps the `types` module of a large API small, and a small API's as it reads best:
//! parameter descriptions many operations repeat are written once, in the `types`
//! module's `parameters` module, and each request field links there (short or rarely
//! repeated descriptions stay on the field; that the links resolve is checked by CI's
//! `cargo doc -D warnings` on switchboard-voice, whose `AccountSid` is shared); response
//! enums' `status()` are one macro line each in an API of many operations.

use std::path::Path;

use stubforge::{Settings, generate};

/// An inventory API in the style of a cloud provider's: every operation takes the same
/// `tenant` path parameter and `pretty` and `fields` query parameters; `cursor` is on the
/// list operations only.
fn inventory_api(list_operations: usize) -> String {
    let tenant = "The tenant that owns the resource. Every call is scoped to one tenant; \
                  a token issued for another tenant gets 404, never 403, so that the \
                  existence of a tenant does not leak.";
    let cursor = "The opaque cursor a previous page returned in `next`. It is valid for ten \
                  minutes; an expired cursor gets 410 and the listing starts over.";
    let mut paths = String::new();
    for n in 0..list_operations {
        paths.push_str(&format!(
            r#"
  /tenants/{{tenant}}/kind{n}:
    get:
      operationId: listKind{n}
      parameters:
        - {{$ref: '#/parameters/tenant'}}
        - {{$ref: '#/parameters/pretty'}}
        - name: cursor
          in: query
          type: string
          description: "{cursor}"
        - name: fields
          in: query
          type: string
          description: "Kind {n}: which members to return, comma-separated. Every member is returned when it is left out, which costs more on large objects."
      responses:
        200: {{description: OK}}
"#
        ));
    }
    format!(
        r#"swagger: '2.0'
info: {{title: Inventory, version: '1'}}
paths:{paths}
parameters:
  tenant:
    name: tenant
    in: path
    required: true
    type: string
    description: "{tenant}"
  pretty:
    name: pretty
    in: query
    type: boolean
    description: "Indent the response for people to read."
"#
    )
}

fn types_of(definition: &str) -> String {
    let dir = tempfile::tempdir().unwrap();
    let spec = dir.path().join("api.yaml");
    std::fs::write(&spec, definition).unwrap();
    let generated = generate(&Settings::new(&spec)).unwrap_or_else(|e| panic!("generates: {e}"));
    let types = generated.files.iter().find(|f| f.path == Path::new("src/types.rs"));
    types.expect("types.rs is generated").contents.clone()
}

#[test]
fn a_long_description_on_many_operations_is_written_once_and_linked() {
    let types = types_of(&inventory_api(6));
    assert_eq!(types.matches("pub mod parameters {").count(), 1, "{types}");
    assert_eq!(types.matches("a token issued for another tenant gets 404").count(), 1);
    assert_eq!(types.matches("an expired cursor gets 410").count(), 1);
    assert!(types.contains("pub const TENANT: &str = \"tenant\";"), "{types}");
    assert!(types.contains("pub const CURSOR: &str = \"cursor\";"), "{types}");
    assert!(types.contains("The `tenant` path parameter, in the requests of 6 operations."));
    assert_eq!(
        types
            .matches("/// The `tenant` path parameter: see [`parameters::TENANT`].")
            .count(),
        6
    );
    // Short: every field keeps it. Different on each operation: each field keeps its own.
    assert_eq!(
        types
            .matches("Indent the response for people to read (the `pretty` query parameter).")
            .count(),
        6
    );
    assert_eq!(types.matches("which members to return, comma-separated").count(), 6);
    assert!(!types.contains("pub const PRETTY"), "{types}");
    assert!(!types.contains("pub const FIELDS"), "{types}");
}

#[test]
fn a_small_api_keeps_every_description_on_its_fields() {
    let types = types_of(&inventory_api(4));
    assert!(!types.contains("pub mod parameters"), "{types}");
    assert_eq!(types.matches("a token issued for another tenant gets 404").count(), 4);
}

#[test]
fn one_name_with_two_descriptions_gets_two_entries() {
    let mut definition = inventory_api(5);
    let other = "The tenant whose resources are copied. The caller needs read access to it \
                 and write access to the tenant in the path; both are checked before anything \
                 is copied.";
    for n in 0..5 {
        definition.push_str(&format!(
            r#"  copyFrom{n}:
    name: tenant
    in: query
    type: string
    description: "{other}"
"#
        ));
    }
    let definition = definition.replacen(
        "paths:",
        &format!(
            "paths:{}",
            (0..5)
                .map(|n| format!(
                    "\n  /copies/{n}:\n    post:\n      operationId: copy{n}\n      parameters:\n        - {{$ref: '#/parameters/copyFrom{n}'}}\n      responses:\n        200: {{description: OK}}"
                ))
                .collect::<String>()
        ),
        1,
    );
    let types = types_of(&definition);
    assert!(types.contains("pub const TENANT: &str"), "{types}");
    assert!(types.contains("pub const TENANT2: &str"), "{types}");
    assert_eq!(
        types
            .matches("/// The `tenant` query parameter: see [`parameters::TENANT")
            .count(),
        5
    );
}

#[test]
fn many_operations_write_status_with_the_macro_and_few_spell_it_out() {
    let types = types_of(&inventory_api(50));
    assert_eq!(types.matches("macro_rules! statuses {").count(), 1, "{types}");
    assert!(
        types.contains("statuses!(ListKind0Response, Self::Ok => 200);"),
        "{types}"
    );
    assert!(!types.contains("pub fn status(&self) -> u16"), "{types}");
    let types = types_of(&inventory_api(6));
    assert!(!types.contains("macro_rules!"), "{types}");
    assert_eq!(types.matches("pub fn status(&self) -> u16").count(), 6);
}

/// A parameter without a description still gets one line naming it, in plain words.
#[test]
fn an_undescribed_parameter_is_named_once_in_its_line() {
    let path = stubforge::project::workspace_root().join("tests/switchboard-voice/src/types.rs");
    let types = std::fs::read_to_string(path).unwrap();
    assert!(types.contains("    /// The `Status` query parameter.\n"), "{types}");
    assert!(!types.contains("The the"));
}
