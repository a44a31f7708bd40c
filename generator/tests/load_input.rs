//! The load stage: positions that belong to the value they are reported for, the
//! scalars and keys YAML and JSON can hold, and input that must be refused quickly:
//! special files, huge files, deep nesting, alias bombs.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use stubforge::{Failure, Settings, generate};
use tempfile::TempDir;

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/load_input")
        .join(name)
}

/// A folder of definition files written for one test.
struct Files {
    dir: TempDir,
}

impl Files {
    fn new(files: &[(&str, &str)]) -> Files {
        let dir = tempfile::tempdir().unwrap();
        for (name, text) in files {
            std::fs::write(dir.path().join(name), text).unwrap();
        }
        Files { dir }
    }

    fn path(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }

    fn dir(&self) -> String {
        self.dir.path().display().to_string()
    }

    /// Generates from `root`; the failure's text with the folder replaced by `DIR`.
    fn error(&self, root: &str) -> String {
        let failure: Failure = generate(&Settings::new(self.path(root))).expect_err("generation must fail");
        failure.to_string().replace(&self.dir(), "DIR")
    }

    /// Generates from `root`, which must succeed; the warnings' text.
    fn warnings(&self, root: &str) -> String {
        let generated = generate(&Settings::new(self.path(root))).unwrap();
        let lines: Vec<String> = generated.warnings.iter().map(ToString::to_string).collect();
        lines.join("\n").replace(&self.dir(), "DIR")
    }
}

/// The head of a Swagger 2.0 definition with one operation whose 200 response has the
/// given extra lines (indented for the response).
fn api_with_response(response_lines: &str) -> String {
    format!(
        "swagger: '2.0'\ninfo:\n  title: Notes\n  version: '1'\npaths:\n  /notes/{{id}}:\n    get:\n      operationId: getNote\n      parameters:\n        - {{in: path, name: id, type: string, required: true}}\n      responses:\n        200:\n          description: The note.\n{response_lines}"
    )
}

/// Runs the binary on `spec`, killing it after a generous minute; exit code and stderr.
fn run_bounded(spec: &str, out: &Path) -> (Option<i32>, String) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_stubforge"))
        .args(["generate", "--spec", spec, "--out", &out.display().to_string()])
        .stdin(Stdio::piped())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let started = Instant::now();
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break status;
        }
        if started.elapsed() > Duration::from_secs(60) {
            child.kill().unwrap();
            child.wait().unwrap();
            panic!("stubforge did not finish on {spec} within a minute");
        }
        std::thread::sleep(Duration::from_millis(20));
    };
    let mut stderr = String::new();
    std::io::Read::read_to_string(&mut child.stderr.take().unwrap(), &mut stderr).unwrap();
    (status.code(), stderr)
}

#[test]
fn an_error_after_matrix_style_flow_mappings_points_at_its_own_line() {
    let spec = fixture("room_directory.yaml");
    let text = std::fs::read_to_string(&spec).unwrap();
    // The line the message must name, checked against the file itself.
    assert_eq!(text.lines().nth(75), Some("        - accessTokn: []"));
    let failure = generate(&Settings::new(&spec)).expect_err("an undefined scheme is an error");
    let dir = spec.parent().unwrap().display().to_string();
    assert_eq!(
        failure.to_string().replace(&dir, "DIR"),
        "error: DIR/room_directory.yaml:76:11: security scheme `accessTokn` is not defined (at /paths/~1directory~1list~1room~1{roomId}/put/security/0)\n  help: define it under `securityDefinitions` (Swagger 2.0) or `components.securitySchemes` (OpenAPI 3.0)"
    );
}

#[test]
fn json_with_surrogate_pair_escapes_keeps_values_and_positions() {
    let files = Files::new(&[
        (
            "api.yaml",
            &api_with_response("          schema:\n            $ref: reaction.json\n"),
        ),
        (
            "reaction.json",
            "{\n  \"title\": \"Reaction\",\n  \"description\": \"An emoji such as \\ud83d\\udc4d or \\ud83c\\udf89, \\u00e9 and \\/.\",\n  \"type\": \"object\",\n  \"properties\": {\"key\": {\"description\": \"\\ud83d\\udc4d\", \"type\": \"file\"}}\n}\n",
        ),
    ]);
    assert_eq!(
        files.error("api.yaml"),
        "error: DIR/reaction.json:5:18: `type: file` is not supported (at /properties/key)\n  help: describe the body as JSON"
    );
    let value = stubforge::read_file(&files.path("reaction.json")).unwrap();
    assert_eq!(value["description"], "An emoji such as 👍 or 🎉, é and /.");
    assert_eq!(value["properties"]["key"]["description"], "👍");
}

#[test]
fn a_nan_number_is_a_located_error_with_help() {
    let files = Files::new(&[(
        "api.yaml",
        &api_with_response("          schema:\n            type: number\n            example: .nan\n"),
    )]);
    assert_eq!(
        files.error("api.yaml"),
        "error: DIR/api.yaml:16:22: the number `.nan` cannot be represented in JSON (at /paths/~1notes~1{id}/get/responses/200/schema/example)\n  help: quote it if it is meant as text, or write a finite number"
    );
}

#[test]
fn a_sequence_or_mapping_as_key_is_a_located_error_with_help() {
    for (key, what, column) in [
        ("? [a, b]\n            : 1\n", "a sequence", 15),
        ("? {a: b}\n            : 1\n", "a mapping", 15),
    ] {
        let files = Files::new(&[(
            "api.yaml",
            &api_with_response(&format!("          headers:\n            {key}")),
        )]);
        assert_eq!(
            files.error("api.yaml"),
            format!(
                "error: DIR/api.yaml:15:{column}: a map key must be a string, number, boolean or null; found {what} (at /paths/~1notes~1{{id}}/get/responses/200/headers)\n  help: write the key as plain text"
            )
        );
    }
}

#[test]
fn yaml_scalars_and_keys_read_as_before() {
    let files = Files::new(&[(
        "api.yaml",
        "base: &base {type: object, description: shared}\nuses: [*base, *base]\nmerged:\n  <<: *base\n  title: Merged\n200: numeric key\ntrue: boolean key\n~: null key\n0x1F: hex key\ncodes: [0x1F, 0o17, 010, +7, -0, 1e3, 1.5, .5, null, Yes, 'true', !!str 12, !custom 12]\n",
    )]);
    let value = stubforge::read_file(&files.path("api.yaml")).unwrap();
    let shared = serde_json::json!({"type": "object", "description": "shared"});
    assert_eq!(value["uses"], serde_json::json!([shared, shared]));
    // serde_yaml 0.9 did not apply merge keys; neither does the loader.
    assert_eq!(value["merged"]["<<"], shared);
    assert_eq!(value["200"], "numeric key");
    assert_eq!(value["true"], "boolean key");
    assert_eq!(value["null"], "null key");
    assert_eq!(value["31"], "hex key");
    assert_eq!(
        value["codes"],
        serde_json::json!([31, 15, "010", 7, 0, 1000.0, 1.5, 0.5, null, "Yes", "true", "12", 12])
    );
}

#[test]
fn properties_written_as_an_empty_list_read_as_none_with_a_warning() {
    let files = Files::new(&[(
        "api.yaml",
        &api_with_response(
            "          schema:\n            type: object\n            title: Empty Note\n            properties: []\n",
        ),
    )]);
    assert_eq!(
        files.warnings("api.yaml"),
        "warning: DIR/api.yaml:17:13: `properties: []` is a list, not a map; read as no properties (at /paths/~1notes~1{id}/get/responses/200/schema/properties)\n  help: write `properties: {}` or leave `properties` out"
    );
}

#[test]
fn a_model_error_names_the_node_itself() {
    let files = Files::new(&[(
        "api.yaml",
        &api_with_response(
            "          schema:\n            type: object\n            properties:\n              text:\n                type: string\n                maxLength: -1\n",
        ),
    )]);
    assert_eq!(
        files.error("api.yaml"),
        "error: DIR/api.yaml:19:17: not a valid API definition: invalid value: integer `-1`, expected usize (at /paths/~1notes~1{id}/get/responses/200/schema/properties/text/maxLength)\n  help: compare this node with the Swagger 2.0 / OpenAPI 3.0 specification"
    );
    let files = Files::new(&[(
        "api.yaml",
        "openapi: 3.0.3\ninfo:\n  title: Notes\n  version: '1'\npaths: {}\ncomponents:\n  schemas:\n    Note:\n      type: object\n    Tag:\n      type: object\n      properties:\n        label:\n          type: string\n          readOnly: sometimes\n",
    )]);
    assert_eq!(
        files.error("api.yaml"),
        "error: DIR/api.yaml:15:11: not a valid API definition: invalid type: string \"sometimes\", expected a boolean (at /components/schemas/Tag/properties/label/readOnly)\n  help: compare this node with the Swagger 2.0 / OpenAPI 3.0 specification"
    );
}

#[test]
fn a_problem_in_a_file_referenced_twice_is_reported_once() {
    let files = Files::new(&[
        (
            "api.yaml",
            &format!(
                "{}  /notes:\n    get:\n      operationId: listNotes\n      responses:\n        200:\n          description: The notes.\n          schema:\n            $ref: note.yaml\n",
                api_with_response("          schema:\n            $ref: note.yaml\n")
            ),
        ),
        (
            "note.yaml",
            "type: object\nproperties:\n  attachment:\n    type: file\n  text:\n    type: string\n",
        ),
    ]);
    assert_eq!(
        files.error("api.yaml"),
        "error: DIR/note.yaml:3:3: `type: file` is not supported (at /properties/attachment)\n  help: describe the body as JSON"
    );
}

#[test]
fn duplicate_keys_are_located_errors_in_yaml_and_json() {
    let files = Files::new(&[
        ("api.yaml", "swagger: '2.0'\ninfo:\n  title: A\n  title: B\n"),
        (
            "api.json",
            "{\"swagger\": \"2.0\",\n \"info\": {\"title\": \"A\", \"title\": \"B\"}}",
        ),
    ]);
    assert_eq!(
        files.error("api.yaml"),
        "error: DIR/api.yaml:4:3: the key `title` appears twice in this mapping (at /info/title)\n  help: remove or rename one of them"
    );
    assert_eq!(
        files.error("api.json"),
        "error: DIR/api.json:2:25: the key `title` appears twice in this mapping (at /info/title)\n  help: remove or rename one of them"
    );
}

#[test]
fn special_files_and_folders_are_refused_without_reading_them() {
    let files = Files::new(&[(
        "api.yaml",
        &api_with_response("          schema:\n            $ref: pipe.yaml\n"),
    )]);
    let fifo = files.path("pipe.yaml");
    let made = Command::new("mkfifo").arg(&fifo).status().unwrap();
    assert!(made.success());
    std::fs::create_dir(files.path("folder.yaml")).unwrap();
    let out = files.path("out");

    // Referenced through `$ref`: located at the `$ref`.
    let (code, stderr) = run_bounded(&files.path("api.yaml").display().to_string(), &out);
    assert_eq!(code, Some(1));
    assert_eq!(
        stderr.replace(&files.dir(), "DIR"),
        "error: DIR/api.yaml:15:13: cannot read `DIR/pipe.yaml`: it is not a regular file (a FIFO, a device or a socket cannot be read as a definition); it is referenced by this `$ref` (at /paths/~1notes~1{id}/get/responses/200/schema/$ref)\n  help: fix the `$ref` path; it is resolved relative to the file that contains it\n"
    );
    // Given as the definition itself: a FIFO, a device, the standard input, a folder.
    for (spec, reason) in [
        (
            fifo.display().to_string(),
            "it is not a regular file (a FIFO, a device or a socket cannot be read as a definition)",
        ),
        (
            "/dev/zero".to_string(),
            "it is not a regular file (a FIFO, a device or a socket cannot be read as a definition)",
        ),
        (
            "/dev/stdin".to_string(),
            "it is not a regular file (a FIFO, a device or a socket cannot be read as a definition)",
        ),
        (
            files.path("folder.yaml").display().to_string(),
            "it is a folder, not a file",
        ),
    ] {
        let (code, stderr) = run_bounded(&spec, &out);
        assert_eq!(code, Some(1), "{spec}");
        assert_eq!(
            stderr,
            format!(
                "error: cannot read `{spec}`: {reason}\n  help: pass the path of a Swagger 2.0 or OpenAPI 3.0 definition\n"
            )
        );
    }
    assert!(!out.exists(), "nothing is written");
}

#[test]
fn a_file_over_the_size_limit_is_refused_before_reading() {
    let files = Files::new(&[]);
    let huge = files.path("huge.yaml");
    // Sparse: 65 MiB long without writing 65 MiB.
    std::fs::File::create(&huge).unwrap().set_len(65 << 20).unwrap();
    let failure = generate(&Settings::new(&huge)).expect_err("too large");
    assert_eq!(
        failure.to_string().replace(&files.dir(), "DIR"),
        "error: cannot read `DIR/huge.yaml`: it is larger than 64 MiB, the most a definition file may be\n  help: pass the path of a Swagger 2.0 or OpenAPI 3.0 definition"
    );
}

#[test]
fn nesting_100000_deep_stops_at_the_depth_limit_quickly() {
    let opened = "[".repeat(100_000);
    let files = Files::new(&[
        ("deep.json", &opened),
        ("deep.yaml", &format!("swagger: '2.0'\nx-deep: {opened}\n")),
    ]);
    let out = files.path("out");
    for (name, line, column, pointer_head) in [("deep.json", 1, 1001, "/0/0/0"), ("deep.yaml", 2, 1008, "/x-deep/0/0")]
    {
        let (code, stderr) = run_bounded(&files.path(name).display().to_string(), &out);
        assert_eq!(code, Some(1), "{stderr}");
        let stderr = stderr.replace(&files.dir(), "DIR");
        let expected =
            format!("error: DIR/{name}:{line}:{column}: the document nests deeper than 1000 levels (at {pointer_head}");
        assert!(stderr.starts_with(&expected), "{name}: {stderr}");
        assert!(
            stderr.ends_with(")\n  help: flatten the structure, for example by moving parts into named definitions\n"),
            "{stderr}"
        );
    }
}

#[test]
fn sixty_levels_of_inline_properties_load() {
    // About 180 levels of JSON: well within the depth limit.
    let mut schema = String::from("{\"type\": \"string\"}");
    for level in (0..60).rev() {
        schema = format!("{{\"type\": \"object\", \"properties\": {{\"level{level}\": {schema}}}}}");
    }
    let files = Files::new(&[(
        "api.json",
        &format!(
            "{{\"swagger\": \"2.0\", \"info\": {{\"title\": \"Deep\", \"version\": \"1\"}}, \"paths\": {{}}, \"definitions\": {{\"Deep\": {schema}}}}}"
        ),
    )]);
    let generated = generate(&Settings::new(files.path("api.json"))).unwrap();
    let types = generated.files.iter().find(|f| f.path.ends_with("types.rs")).unwrap();
    assert!(types.contents.contains("level59"));
}

#[test]
fn an_alias_bomb_stops_at_the_copy_budget() {
    let mut text = String::from("swagger: '2.0'\nl0: &l0 [x, x, x, x, x, x, x, x, x, x]\n");
    for level in 1..10 {
        let previous = level - 1;
        text.push_str(&format!("l{level}: &l{level} [*l{previous}, *l{previous}, *l{previous}, *l{previous}, *l{previous}, *l{previous}, *l{previous}, *l{previous}, *l{previous}, *l{previous}]\n"));
    }
    let files = Files::new(&[("api.yaml", &text)]);
    let (code, stderr) = run_bounded(&files.path("api.yaml").display().to_string(), &files.path("out"));
    assert_eq!(code, Some(1));
    assert_eq!(
        stderr.replace(&files.dir(), "DIR"),
        "error: DIR/api.yaml:6:40: YAML anchors and aliases copy more than 100106 nodes (at /l4/6)\n  help: share large parts with `$ref` instead of YAML aliases\n"
    );
}

#[test]
fn schemas_nested_hundreds_deep_do_not_overflow_the_stack() {
    // 400 levels of `items`: past what the later stages managed on an 8 MiB stack.
    let mut schema = String::from("{\"type\": \"string\"}");
    for _ in 0..400 {
        schema = format!("{{\"type\": \"array\", \"items\": {schema}}}");
    }
    let files = Files::new(&[(
        "api.json",
        &format!(
            "{{\"swagger\": \"2.0\", \"info\": {{\"title\": \"Deep\", \"version\": \"1\"}}, \"paths\": {{}}, \"definitions\": {{\"Deep\": {schema}}}}}"
        ),
    )]);
    let (code, stderr) = run_bounded(&files.path("api.json").display().to_string(), &files.path("out"));
    // Generated, or refused with a located error; never killed by a signal.
    assert!(
        code == Some(0) || (code == Some(1) && stderr.starts_with("error: ")),
        "{code:?} {stderr}"
    );
}
