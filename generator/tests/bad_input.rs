//! Bad definitions get clear errors: file, line, column, JSON pointer, what is wrong and
//! what to do; all of them at once; never a panic.

use std::path::PathBuf;

use stubforge::{Failure, Settings, generate};
use tempfile::TempDir;

/// A folder of definition files written for one test.
struct Files {
    dir: TempDir,
}

impl Files {
    fn new(files: &[(&str, &str)]) -> Files {
        let dir = tempfile::tempdir().unwrap();
        for (name, text) in files {
            let path = dir.path().join(name);
            std::fs::create_dir_all(path.parent().unwrap()).unwrap();
            std::fs::write(path, text).unwrap();
        }
        Files { dir }
    }

    fn path(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }

    /// Generates from `api.yaml` and returns the failure's text, with the temporary
    /// folder replaced by `DIR`.
    fn error(&self) -> String {
        let failure: Failure = generate(&Settings::new(self.path("api.yaml"))).expect_err("generation must fail");
        failure
            .to_string()
            .replace(&self.dir.path().display().to_string(), "DIR")
    }
}

const HEAD: &str = "swagger: '2.0'\ninfo:\n  title: T\n  version: '1'\n";

fn api(paths: &str) -> String {
    format!("{HEAD}paths:\n{paths}")
}

#[test]
fn unparseable_yaml_names_file_line_and_column() {
    let files = Files::new(&[(
        "api.yaml",
        "swagger: '2.0'\ninfo:\n  title: [unclosed\n  version: '1'\n",
    )]);
    let error = files.error();
    assert!(error.starts_with("error: DIR/api.yaml:4:"), "{error}");
    assert!(error.contains("not valid YAML or JSON"), "{error}");
    assert!(error.contains("help: fix the syntax"), "{error}");
}

#[test]
fn a_missing_referenced_file_names_the_ref_and_where_it_is() {
    let text = api(
        "  /a:\n    get:\n      responses:\n        200:\n          description: ok\n          schema:\n            $ref: defs/missing.yaml\n",
    );
    let error = Files::new(&[("api.yaml", &text)]).error();
    assert!(
        error.starts_with("error: DIR/api.yaml:12:13: cannot read `DIR/defs/missing.yaml`"),
        "{error}"
    );
    assert!(error.contains("referenced by this `$ref`"), "{error}");
    assert!(
        error.contains("(at /paths/~1a/get/responses/200/schema/$ref)"),
        "{error}"
    );
    assert!(
        error.contains("help: fix the `$ref` path; it is resolved relative to the file that contains it"),
        "{error}"
    );
}

#[test]
fn a_pointer_to_a_missing_node_names_pointer_and_file() {
    let text = api(
        "  /a:\n    get:\n      responses:\n        200:\n          description: ok\n          schema:\n            $ref: 'other.yaml#/definitions/Nope'\n",
    );
    let files = Files::new(&[
        ("api.yaml", &text),
        ("other.yaml", "definitions:\n  Yes:\n    type: string\n"),
    ]);
    let error = files.error();
    assert!(
        error.contains("api.yaml:12:13: `$ref: other.yaml#/definitions/Nope` points at `/definitions/Nope`, which does not exist in `DIR/other.yaml`"),
        "{error}"
    );
}

#[test]
fn a_ref_loop_that_reaches_no_schema_prints_the_chain() {
    let text = api(
        "  /a:\n    get:\n      responses:\n        200:\n          description: ok\n          schema:\n            $ref: a.yaml\n",
    );
    let files = Files::new(&[
        ("api.yaml", &text),
        ("a.yaml", "$ref: b.yaml\n"),
        ("b.yaml", "$ref: a.yaml\n"),
    ]);
    let error = files.error();
    assert!(
        error.contains("`$ref` loop that never reaches a schema: DIR/a.yaml → DIR/b.yaml → DIR/a.yaml"),
        "{error}"
    );
    assert!(error.starts_with("error: DIR/b.yaml:1:1:"), "{error}");
}

#[test]
fn remote_refs_are_refused_without_touching_the_network() {
    let text = api(
        "  /a:\n    get:\n      responses:\n        200:\n          description: ok\n          schema:\n            $ref: 'https://example.org/schema.yaml'\n",
    );
    let error = Files::new(&[("api.yaml", &text)]).error();
    assert!(
        error.contains("points at the network; stubforge never fetches remote definitions"),
        "{error}"
    );
    assert!(error.contains("help: save the document next to this file"), "{error}");
}

#[test]
fn unsupported_versions_say_what_is_supported() {
    for (text, line, what) in [
        (
            "swagger: '1.2'\ninfo: {}\n",
            1,
            "Swagger version `1.2` is not supported",
        ),
        (
            "openapi: 3.2.0\ninfo: {}\n",
            1,
            "OpenAPI version `3.2.0` is not supported",
        ),
        (
            "info: {}\n",
            1,
            "the document has neither a `swagger` nor an `openapi` version field",
        ),
    ] {
        let error = Files::new(&[("api.yaml", text)]).error();
        assert!(
            error.starts_with(&format!("error: DIR/api.yaml:{line}:1: {what}")),
            "{error}"
        );
        assert!(
            error.contains("reads Swagger 2.0 (`swagger: \"2.0\"`), OpenAPI 3.0.x (`openapi: 3.0.3`) and 3.1.x"),
            "{error}"
        );
    }
}

#[test]
fn an_undeclared_path_parameter_is_reported_with_the_fix() {
    let text = api(
        "  /rooms/{roomId}:\n    get:\n      operationId: getRoom\n      responses:\n        200:\n          description: ok\n",
    );
    let error = Files::new(&[("api.yaml", &text)]).error();
    assert_eq!(
        error,
        "error: DIR/api.yaml:7:5: path parameter `roomId` in `/rooms/{roomId}` is not declared (at /paths/~1rooms~1{roomId}/get)\n  help: add a parameter with `name: roomId` and `in: path` to this operation"
    );
}

#[test]
fn duplicate_operation_ids_are_reported_but_ids_that_only_look_alike_are_not() {
    let op = |id: &str| {
        format!("    get:\n      operationId: {id}\n      responses:\n        200:\n          description: ok\n")
    };
    let text = api(&format!(
        "  /a:\n{}  /b:\n{}  /c:\n{}",
        op("getRoom"),
        op("getRoom"),
        op("get_room")
    ));
    let error = Files::new(&[("api.yaml", &text)]).error();
    let lines: Vec<&str> = error.lines().filter(|l| l.starts_with("error:")).collect();
    // `get_room` becomes the same method as `getRoom`: the IR numbers it, it is no error.
    assert_eq!(lines.len(), 1, "{error}");
    assert!(
        lines[0].starts_with(
            "error: DIR/api.yaml:14:7: duplicate operationId `getRoom`; it is first used at DIR/api.yaml:8"
        ),
        "{error}"
    );
}

#[test]
fn awkward_operation_names_sanitise_instead_of_failing() {
    let op = |path: &str, id: &str| {
        format!(
            "  {path}:\n    get:\n      operationId: {id}\n      responses:\n        200:\n          description: ok\n"
        )
    };
    let text = api(&[
        op("/a", "m.room.member"),
        op("/b", "3pid"),
        op("/c", "type"),
        op("/d", "self"),
    ]
    .concat());
    let files = Files::new(&[("api.yaml", &text)]);
    let generated = generate(&Settings::new(files.path("api.yaml"))).unwrap();
    let types = &generated
        .files
        .iter()
        .find(|f| f.path.ends_with("types.rs"))
        .unwrap()
        .contents;
    for name in ["MRoomMemberRequest", "T3pidRequest", "TypeRequest", "SelfRequest"] {
        assert!(types.contains(&format!("pub struct {name}")), "{name} missing");
    }
}

#[test]
fn required_true_on_a_property_is_accepted_with_a_warning() {
    let text = format!(
        "{HEAD}paths: {{}}\ndefinitions:\n  Thing:\n    type: object\n    properties:\n      name:\n        type: string\n        required: true\n"
    );
    let files = Files::new(&[("api.yaml", &text)]);
    let generated = generate(&Settings::new(files.path("api.yaml"))).unwrap();
    let warning = generated.warnings[0].to_string();
    assert!(warning.starts_with("warning: "), "{warning}");
    assert!(
        warning.contains("api.yaml:12:9: `required: true` on property `name`"),
        "{warning}"
    );
    let types = &generated
        .files
        .iter()
        .find(|f| f.path.ends_with("types.rs"))
        .unwrap()
        .contents;
    assert!(types.contains("pub name: String,"), "{types}");
}

#[test]
fn a_json_file_without_trailing_newline_reports_its_own_lines() {
    let text = api(
        "  /a:\n    get:\n      responses:\n        200:\n          description: ok\n          schema:\n            $ref: schema.json\n",
    );
    let files = Files::new(&[
        ("api.yaml", &text),
        (
            "schema.json",
            "{\n  \"type\": \"object\",\n  \"properties\": {\"a\": {\"type\": \"file\"}}\n}",
        ),
    ]);
    let error = files.error();
    assert!(
        error.starts_with("error: DIR/schema.json:3:18: `type: file` is not supported"),
        "{error}"
    );
}

/// Every definition that loses one line of the seed either generates or fails with
/// errors that each point at a line of a file that was read, and say what to do.
#[test]
fn every_one_line_deletion_of_the_seed_generates_or_points_at_a_line() {
    let seed =
        std::fs::read_to_string(stubforge::project::workspace_root().join("api/server-server/leaving.yaml")).unwrap();
    let files = Files::new(&[
        (
            "definitions/security.yaml",
            "signedRequest:\n  type: apiKey\n  in: header\n  name: Authorization\n",
        ),
        ("examples/minimal_pdu.json", "{\"type\": \"m.room.minimal_pdu\"}"),
        (
            "../client-server/definitions/errors/error.yaml",
            "type: object\nproperties:\n  errcode:\n    type: string\n",
        ),
    ]);
    let lines: Vec<&str> = seed.lines().collect();
    let (mut failures, mut successes) = (0, 0);
    for skip in 0..lines.len() {
        let mutated: Vec<&str> = lines
            .iter()
            .enumerate()
            .filter(|(i, _)| *i != skip)
            .map(|(_, l)| *l)
            .collect();
        let path = files.path("api.yaml");
        std::fs::write(&path, mutated.join("\n")).unwrap();
        let failure = match generate(&Settings::new(&path)) {
            Ok(_) => {
                successes += 1;
                continue;
            }
            Err(failure) => failure,
        };
        failures += 1;
        for error in failure.errors() {
            let deleted = format!("without line {} ({:?})", skip + 1, lines[skip]);
            let location = error
                .location
                .as_ref()
                .unwrap_or_else(|| panic!("{deleted}: unlocated error: {error}"));
            let text = std::fs::read_to_string(&location.file)
                .unwrap_or_else(|e| panic!("{deleted}: the error names a file that cannot be read ({e}): {error}"));
            // One past the last line is where an error about the end of the file points.
            let last_line = text.lines().count() + 1;
            assert!(
                (1..=last_line).contains(&location.line) && location.column >= 1,
                "{deleted}: line {} is outside {} ({} lines): {error}",
                location.line,
                location.file.display(),
                last_line - 1
            );
            assert!(error.help.is_some(), "{deleted}: error without help: {error}");
        }
    }
    assert!(failures > 0, "removing lines of the seed must break it somewhere");
    assert!(successes > 0, "removing a description line must not break the seed");
}
