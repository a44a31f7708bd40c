//! Every message the generator prints, snapshot-tested as the user sees it.
//!
//! Each case under `tests/diagnostics/` is a definition (`NAME.yaml`, `NAME.json`, or a
//! folder `NAME/` whose root is `api.yaml`, for cases that need several files). It is run
//! through the real `stubforge` binary as `stubforge generate --spec
//! tests/diagnostics/NAME… --out OUT`, from the generator's folder so that paths in
//! messages are relative, and its stderr is compared with `NAME.stderr`. A folder may hold
//! an `args` file: more arguments, one per line (`{OUT}` is the output folder; `#` starts
//! a comment line). The output folder's path reads `OUT` in the snapshots.
//!
//! `STUBFORGE_BLESS=1 cargo test -p stubforge --test diagnostics` rewrites the snapshots
//! from what the binary prints now; review the diff before committing it.
//!
//! [`MESSAGES`] lists a fixed part of every message the generator prints; a test checks
//! that each is still in the source and shows up in some snapshot, and
//! [`NOT_SNAPSHOTTED`] says why the few that no committed input reaches are left out.
//! A new message belongs in one of the two lists.

use std::path::Path;
use std::process::Command;

const CASES: &str = "tests/diagnostics";
const BLESS: &str = "STUBFORGE_BLESS";
/// The snapshot of the build script's messages, which has no input file.
const BUILD_SCRIPT_SNAPSHOT: &str = "build_script";

/// A fixed part of every message the generator prints (text between placeholders, so
/// that it is found verbatim in the source), each shown by at least one snapshot.
const MESSAGES: &[&str] = &[
    // load
    "cannot read `",
    "it is referenced by this `$ref`",
    "it is a folder, not a file",
    "not valid YAML or JSON: ",
    "not valid JSON: ",
    "expected a member name in double quotes",
    "expected `:`",
    "a string is not closed",
    "expected a value",
    "the file holds more than one YAML document",
    // per-type options
    "which the definition does not have",
    "is not Rust outer attributes",
    "a `#[serde]` attribute",
    "is not a Rust type path",
    "is mapped to a Rust type more than once",
    "so it cannot be mapped to a Rust type",
    "which a type mapping option replaces",
    "the type rename options give both",
    "which is not a Rust identifier",
    "is renamed more than once",
    "which the generated code uses",
    "not a struct or enum",
    "cannot be represented in JSON",
    "does not fit in 64 bits",
    "is an integer that does not fit in 64 bits",
    "appears twice in this mapping",
    "a map key must be a string, number, boolean or null; found ",
    "the document nests deeper than ",
    "names no anchor defined before it",
    "` but is not ",
    // resolve
    "points at the network; stubforge never fetches remote definitions",
    "which does not exist in `",
    "loop that never reaches a schema: ",
    "this example contains itself through `$ref`s: ",
    "has sibling keys but its target is not an object",
    "the definition nests deeper than ",
    "resolving `$ref`s grows the definition beyond ",
    "`$ref`s are copied in place inside one another here",
    "`$ref`s that only point at further `$ref`s starts here: ",
    // upgrade
    "Swagger version `",
    "OpenAPI version `",
    "the document has neither a `swagger` nor an `openapi` version field",
    "has no leading `/`; the API is served under `",
    "is also defined",
    "has no leading `/`; it is served at `",
    "a body parameter on a whole path is not supported",
    "`in: formData` parameters beside an `in: body` parameter",
    "`consumes` names no form type",
    "is not a Swagger 2.0 type",
    "`properties: []` is a list, not a map; read as no properties",
    "on property `",
    "is not an HTTP status code (100 to 599)",
    "not a valid API definition: ",
    // upgrade, OpenAPI 3.1
    "; schemas are read as OpenAPI 3.1's own dialect of JSON Schema 2020-12",
    "` is not generated: stubforge serves and calls the API's `paths` only",
    "this tuple allows items after its `prefixItems`; the generated tuple has exactly those items",
    "items after a tuple's `prefixItems` are not supported",
    "give different value schemas; a generated map has one value type",
    "`patternProperties` beside `additionalProperties` is not supported; a generated map has one value type",
    "` is not enforced by the generated types; values are read without it",
    "`prefixItems` must be a list of schemas",
    "`patternProperties` must be a map from key patterns to schemas",
    "a schema's `examples` is a list of values; this one is read as no examples",
    // check
    "without a closing `}}` in the segment `",
    "without an opening `{{` in the segment `",
    "has a parameter without a name (`{{}}`) in the segment `",
    "so no request can say where one value ends and the other begins",
    "which no request can choose, is left out",
    "uses the parameter `",
    "which is neither `name=value` nor `name={{parameter}}`, so no request can be said to carry it",
    "gives the query member `",
    "which this operation does not declare; it is read as a required string",
    "which names no schema of this definition",
    "the alternatives of this `",
    "duplicate operationId `",
    "is not defined",
    "which it does not define",
    "cannot be routed",
    "which only a query parameter can",
    "is not one Swagger 2.0 knows",
    "which no parameter style can write",
    "`style: deepObject` writes objects, and `",
    "which its schema does not allow",
    "does not appear in the path `",
    "is not declared",
    "cannot be written in a `Content-Type` header",
    "schema is not an object, so it names no fields; the body is read as ",
    "the operation documents no response",
    "are the same status range",
    "a tuple (`items` given as a list) needs at least one item schema",
    "tuple item is not a valid schema: ",
    "in the `type` list",
    "`not` cannot be expressed as a Rust type; the value is read as any JSON",
    "`type: file` is not supported",
    "an `allOf` with more than one `oneOf`/`anyOf` member is not supported",
    "but the other members describe an object: no value is both",
    "but it is merged with the objects around the `",
    "is an object, so the object keywords beside it (`type: object`, `additionalProperties`) are ignored",
    "`enum: [null]` admits only `null`; read as ",
    "is not of the schema's `type: ",
    "are not of the schema's `type: ",
    "can never be of the schema's `type: ",
    "the schema is read as `type: string`",
    "is the schema `false`, which no value fits; the member is left out",
    "a schema written as `",
    "not text; ",
    "`type` holds a whole schema instead of a type name; read as that schema",
    "is defined as itself: ",
    "nested `$ref`/`allOf`/`oneOf` steps",
    "response has no body in HTTP, but content is declared for it; it is left out",
    "cannot be written in a `Content-Type` header",
    "a declared `Content-Type` response header is ignored",
    "are one HTTP header: header names ignore case",
    "is not a valid HTTP header name",
    "which stubforge cannot write in one header",
    "response headers are read and written comma-separated",
    // operations that share a URL
    "only in its parameters' names, so by OpenAPI's rules both are one path",
    "is generated for the client only: its requests are `",
    "with query values, as are those of `",
    // names decided in the IR
    "the server trait is `",
    "is already taken by ",
    "is the method `",
    "another operation's method",
    "a method the generated server trait or client has",
    "with the request's fields as arguments is `",
    "is the request field `",
    "an earlier member of the same type is already `",
    "the map of members the schema does not name is the field `",
    "this schema is the type `",
    "response of `",
    "bodies that say their own content type are `",
    "this example does not fit its schema: ",
    // skip mode
    " is left out",
    " is read as any JSON value (`serde_json::Value`)",
    "every operation of the path `",
    " more error",
    "to generate it, ",
    // layout, write and the command line
    "is not a valid crate name",
    "cannot create the folder",
    "refusing to replace it",
    "is a folder, where stubforge writes a file",
    "was not written by stubforge",
    "nothing was changed: every file in the output folder is as it was before",
    "generated types deep: a crate that implements the server trait needs a recursion limit",
    "is stale; run `cargo run`",
    // the build script
    "no definition given",
    "OUT_DIR is not set",
];

/// Messages no committed input can produce, and why; each is still checked to exist.
const NOT_SNAPSHOTTED: &[(&str, &str)] = &[
    (
        "it is larger than ",
        "needs a 64 MiB file; tests/load_input.rs covers it",
    ),
    (
        "it is not a regular file",
        "needs a FIFO, which git cannot hold; tests/load_input.rs covers it",
    ),
    (
        "is not a regular file",
        "a FIFO in the output folder; tests/write_safety.rs covers it",
    ),
    (
        "is exported as written, its `name={{parameter}}` query members included",
        "`stubforge export` only; tests/export.rs covers it",
    ),
    ("cannot write", "an I/O failure while writing a temporary file"),
    ("cannot replace", "an I/O failure while renaming into place"),
    ("cannot move aside", "an I/O failure while backing up a file"),
    ("could not be removed", "an I/O failure after the output was written"),
    (
        "these files could not be put back: ",
        "an I/O failure while rolling back",
    ),
    (
        "internal error: generated tokens do not parse as Rust",
        "a bug in stubforge, not a property of the input",
    ),
    (
        "internal error: a template does not parse",
        "a bug in stubforge, not a property of the input",
    ),
    (
        "without a subcommand stubforge regenerates its own workspace's crates",
        "the binary run outside its workspace; its path is compiled in",
    ),
];

/// One input and the command that runs it.
struct Case {
    name: String,
    /// The root definition, relative to the generator's folder.
    spec: String,
    /// Extra arguments from the case's `args` file.
    args: Vec<String>,
}

fn generator_dir() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

fn cases() -> Vec<Case> {
    let mut cases = Vec::new();
    for entry in std::fs::read_dir(generator_dir().join(CASES)).expect("tests/diagnostics exists") {
        let path = entry.expect("a readable folder entry").path();
        let file_name = path.file_name().unwrap().to_string_lossy().into_owned();
        if path.is_dir() {
            let args = std::fs::read_to_string(path.join("args")).unwrap_or_default();
            cases.push(Case {
                spec: format!("{CASES}/{file_name}/api.yaml"),
                name: file_name,
                args: args
                    .lines()
                    .map(str::trim)
                    .filter(|l| !l.is_empty() && !l.starts_with('#'))
                    .map(String::from)
                    .collect(),
            });
        } else if let Some(stem) = file_name
            .strip_suffix(".yaml")
            .or_else(|| file_name.strip_suffix(".json"))
        {
            cases.push(Case {
                name: stem.to_string(),
                spec: format!("{CASES}/{file_name}"),
                args: Vec::new(),
            });
        }
    }
    cases.sort_by(|a, b| a.name.cmp(&b.name));
    cases
}

/// What the binary printed for `case`, with the output folder's path replaced by `OUT`,
/// and the command line as the failure message shows it.
fn run(case: &Case) -> (String, String) {
    let temp = tempfile::tempdir().unwrap();
    let out = temp.path().join("out");
    let out_text = out.display().to_string();
    let mut args = vec!["generate".to_string(), "--spec".to_string(), case.spec.clone()];
    args.extend(case.args.iter().map(|a| a.replace("{OUT}", &out_text)));
    if !args.iter().any(|a| a == "--out") {
        args.extend(["--out".to_string(), out_text.clone()]);
    }
    let output = Command::new(env!("CARGO_BIN_EXE_stubforge"))
        .args(&args)
        .current_dir(generator_dir())
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr).replace(&out_text, "OUT");
    let command = format!("stubforge {}", args.join(" ").replace(&out_text, "OUT"));

    // A run that reports an error fails and writes nothing; one with only warnings
    // succeeds.
    let failed = stderr.lines().any(|l| l.starts_with("error:"));
    assert_eq!(
        output.status.success(),
        !failed,
        "`{command}` exited with {} and printed:\n{stderr}",
        output.status
    );
    if failed {
        assert!(!out.exists(), "`{command}` failed but wrote {out_text}");
    }
    assert!(
        stderr
            .lines()
            .any(|l| l.starts_with("error:") || l.starts_with("warning:")),
        "`{command}` printed no diagnostic; a case exists to show one:\n{stderr}"
    );
    (stderr, command)
}

/// Compares `actual` with the snapshot at `path` (or, when blessing, writes it). Returns
/// the failure message, if any.
fn compare(path: &Path, actual: &str, command: &str) -> Option<String> {
    let shown = path.strip_prefix(generator_dir()).unwrap_or(path).display();
    if std::env::var_os(BLESS).is_some() {
        if std::fs::read_to_string(path).ok().as_deref() != Some(actual) {
            std::fs::write(path, actual).unwrap();
        }
        return None;
    }
    match std::fs::read_to_string(path) {
        Ok(expected) if expected == actual => None,
        Ok(expected) => Some(format!(
            "`{command}` printed something else than {shown}\n--- expected\n{expected}--- actual\n{actual}"
        )),
        Err(_) => Some(format!("{shown} is missing; `{command}` printed\n{actual}")),
    }
}

#[test]
fn every_message_matches_its_snapshot() {
    let cases = cases();
    assert!(cases.len() >= 30, "the cases are missing: found {}", cases.len());
    let mut failures = Vec::new();
    for case in &cases {
        let (stderr, command) = run(case);
        let snapshot = generator_dir().join(CASES).join(format!("{}.stderr", case.name));
        failures.extend(compare(&snapshot, &stderr, &command));
    }
    // A snapshot without its input would go unnoticed.
    for entry in std::fs::read_dir(generator_dir().join(CASES)).unwrap() {
        let path = entry.unwrap().path();
        if let Some(stem) = path.file_name().unwrap().to_string_lossy().strip_suffix(".stderr") {
            if stem != BUILD_SCRIPT_SNAPSHOT && !cases.iter().any(|c| c.name == stem) {
                failures.push(format!("{} has no input", path.display()));
            }
        }
    }
    assert!(
        failures.is_empty(),
        "{}\n\nIf the new output is right, run `{BLESS}=1 cargo test -p stubforge --test diagnostics` and review the diff.",
        failures.join("\n\n")
    );
}

/// The build script's own messages, printed the way a failed build shows them (cargo
/// prints the `Debug` of the `Failure` that `main` returns).
#[test]
fn build_script_messages_match_their_snapshot() {
    let no_spec = stubforge::configure().generate().expect_err("no definition given");
    assert!(
        std::env::var_os("OUT_DIR").is_none(),
        "cargo sets OUT_DIR only for build scripts and compile time"
    );
    let no_out_dir = stubforge::configure()
        .spec("../api/server-server/leaving.yaml")
        .generate()
        .expect_err("no OUT_DIR");
    let actual = format!("{no_spec:?}\n{no_out_dir:?}\n");
    let snapshot = generator_dir()
        .join(CASES)
        .join(format!("{BUILD_SCRIPT_SNAPSHOT}.stderr"));
    let failure = compare(&snapshot, &actual, "stubforge::configure().generate()");
    assert!(
        failure.is_none(),
        "{}\n\nIf the new output is right, run `{BLESS}=1 cargo test -p stubforge --test diagnostics` and review the diff.",
        failure.unwrap_or_default()
    );
}

/// Every `.rs` file under `dir`, read.
fn sources_under(dir: &Path, into: &mut String) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            sources_under(&path, into);
        } else if path.extension().is_some_and(|e| e == "rs") {
            into.push_str(&std::fs::read_to_string(&path).unwrap());
        }
    }
}

/// Each listed message is still in the generator's source (a reworded one is listed
/// anew) and, unless it is one no input reaches, shown by a snapshot.
#[test]
fn every_listed_message_is_in_the_source_and_a_snapshot() {
    let mut source = String::new();
    sources_under(&generator_dir().join("src"), &mut source);
    let mut snapshots = String::new();
    for entry in std::fs::read_dir(generator_dir().join(CASES)).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_some_and(|e| e == "stderr") {
            snapshots.push_str(&std::fs::read_to_string(&path).unwrap());
        }
    }
    let mut failures = Vec::new();
    let not_snapshotted = NOT_SNAPSHOTTED.iter().map(|(stem, _)| stem);
    for stem in MESSAGES.iter().chain(not_snapshotted) {
        if !source.contains(stem) {
            failures.push(format!("`{stem}` is no longer in generator/src"));
        }
    }
    for stem in MESSAGES {
        // The source escapes braces in format strings; the snapshots show them once.
        let shown = stem.replace("{{", "{").replace("}}", "}");
        if !snapshots.contains(&shown) {
            failures.push(format!("no snapshot under {CASES} shows `{shown}`"));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}
