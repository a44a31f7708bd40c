//! Skip mode (`--skip-unsupported`, `.skip_unsupported(true)`) on the definitions of
//! `tests/corpus-skip/`, run through the real binary and the real builder: without it
//! they fail as a whole; with it every left-out item is one located warning and one line
//! of the crate's docs, and a broken operation costs no other operation its code.
//! (`tests/compile-corpus` compiles what skip mode generates from them, and its tests
//! start each router.)

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use stubforge::project::workspace_root;

const WAREHOUSE: &str = "tests/corpus-skip/warehouse-inventory-legacy.yaml";
const CLINIC: &str = "tests/corpus-skip/clinic-scheduling-partial.yaml";
const PRESENCE: &str = "tests/corpus-skip/presence-profile-broken-refs/api.yaml";

fn stubforge(spec: &Path, out: &Path, skip: bool) -> Output {
    let mut command = Command::new(env!("CARGO_BIN_EXE_stubforge"));
    command.arg("generate").arg("--spec").arg(spec).arg("--out").arg(out);
    if skip {
        command.arg("--skip-unsupported");
    }
    command.output().unwrap()
}

fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

/// The warnings that say an item was left out or read as any JSON value.
fn skip_warnings(stderr: &str) -> Vec<&str> {
    stderr
        .lines()
        .filter(|l| l.starts_with("warning: ") && (l.contains(" is left out: ") || l.contains(" is read as any JSON")))
        .collect()
}

fn read(dir: &Path, file: &str) -> String {
    std::fs::read_to_string(dir.join(file)).unwrap()
}

#[test]
fn without_skip_mode_the_definitions_fail_as_a_whole_and_nothing_is_written() {
    for spec in [WAREHOUSE, CLINIC, PRESENCE] {
        let temp = tempfile::tempdir().unwrap();
        let out = temp.path().join("out");
        let output = stubforge(&workspace_root().join(spec), &out, false);
        assert!(!output.status.success(), "{spec} generated without skip mode");
        assert!(stderr(&output).lines().any(|l| l.starts_with("error: ")));
        assert!(!out.exists(), "{spec}: a failed run wrote {}", out.display());
    }
}

#[test]
fn each_skipped_item_is_one_located_warning_and_one_line_of_the_crate_docs() {
    // (definition, items skip mode must report, by the subject its warning names)
    let cases: [(&str, &[&str]); 3] = [
        (
            WAREHOUSE,
            &[
                "operation `PUT /items/{sku}` is left out: duplicate operationId `getItem`",
                "operation `GET /warehouses/{warehouseId}/bins/{binId}` is left out: path parameter `binId`",
                "every operation of the path `/shipments/{shipmentId}/labels/{labelFormat` is left out",
                "operation `GET /reports/daily-movements` is left out: security scheme `reportingToken`",
                "schema `Barcode` is read as any JSON value",
            ],
        ),
        (
            CLINIC,
            &[
                "operation `DELETE /appointments/{appointmentId}` is left out: not a valid API definition: unknown variant `querystring`",
                "operation `POST /appointments/{appointmentId}/reschedule` is left out: this `allOf` member is an array",
                "schema `Identifier` is read as any JSON value",
                "schema `AvailabilityWindow` is read as any JSON value (`serde_json::Value`): schema `Availability` is defined as itself",
            ],
        ),
        (
            // Broken `$ref`s, each found while resolving the tree of files.
            PRESENCE,
            &[
                "schema `LegacyPresence` is read as any JSON value (`serde_json::Value`): `$ref: #/definitions/RemovedPresenceState` points at",
                "operation `GET /profile/{userId}/displayname` is left out: `$ref: definitions/profile.yaml#/definitions/DisplayName` points at",
                "operation `GET /profile/{userId}/avatar_url` is left out: cannot read",
                "schema `PresenceEvent` is read as any JSON value (`serde_json::Value`): cannot read",
                "operation `POST /user_directory/search` is left out: not valid YAML or JSON",
            ],
        ),
    ];
    for (spec, expected) in cases {
        let temp = tempfile::tempdir().unwrap();
        let out = temp.path().join("out");
        let output = stubforge(&workspace_root().join(spec), &out, true);
        let printed = stderr(&output);
        assert!(output.status.success(), "{spec} failed in skip mode:\n{printed}");
        let warnings = skip_warnings(&printed);
        assert_eq!(warnings.len(), expected.len(), "{spec}:\n{printed}");
        for item in expected {
            let found: Vec<&&str> = warnings.iter().filter(|w| w.contains(item)).collect();
            assert_eq!(found.len(), 1, "{spec}: no single warning says `{item}`:\n{printed}");
        }
        for warning in &warnings {
            // `warning: FILE:LINE:COL: … (at /pointer)` and a help line after it.
            let location = warning.trim_start_matches("warning: ");
            let mut parts = location.splitn(4, ':');
            let (file, line, column) = (parts.next().unwrap(), parts.next().unwrap(), parts.next().unwrap());
            // The definition itself, or (a tree of files) a file beside it.
            let folder = workspace_root().join(spec);
            let folder = if spec.ends_with("/api.yaml") {
                folder.parent().unwrap()
            } else {
                &folder
            };
            assert!(Path::new(file).starts_with(folder), "{warning}");
            assert!(
                line.parse::<usize>().is_ok() && column.parse::<usize>().is_ok(),
                "{warning}"
            );
            assert!(warning.ends_with(')') && warning.contains(" (at /"), "{warning}");
        }
        assert_eq!(
            printed.matches("  help: to generate it, ").count(),
            expected.len(),
            "{spec}: every skip warning says what to do:\n{printed}"
        );

        let lib = read(&out, "src/lib.rs");
        assert!(lib.contains("//! # Skipped"), "{spec}: no Skipped section:\n{lib}");
        let listed: Vec<&str> = lib.lines().filter(|l| l.starts_with("//! - ")).collect();
        assert_eq!(listed.len(), expected.len(), "{spec}:\n{lib}");
    }
}

#[test]
fn a_definition_without_errors_has_no_skipped_section() {
    let temp = tempfile::tempdir().unwrap();
    let out = temp.path().join("out");
    let spec = workspace_root().join("tests/corpus/bookshop-store.yaml");
    let output = stubforge(&spec, &out, true);
    assert!(output.status.success(), "{}", stderr(&output));
    assert!(skip_warnings(&stderr(&output)).is_empty());
    assert!(!read(&out, "src/lib.rs").contains("Skipped"));
}

/// `text` without the YAML block that starts at the line `header` (and every line
/// indented deeper than it), so that the rest keeps its order and lines.
fn without_block(text: &str, header: &str) -> String {
    let indent = header.len() - header.trim_start().len();
    let mut out = String::new();
    let mut skipping = false;
    let mut found = false;
    for line in text.lines() {
        let depth = line.len() - line.trim_start().len();
        if line == header {
            (skipping, found) = (true, true);
            continue;
        }
        if skipping && (line.trim().is_empty() || depth > indent) {
            continue;
        }
        skipping = false;
        out.push_str(line);
        out.push('\n');
    }
    assert!(found, "no line `{header}`");
    out
}

/// Isolation: the code generated in skip mode from the broken definition is the code
/// generated from the same definition with its broken operations deleted by hand.
#[test]
fn a_broken_operation_costs_no_other_operation_its_code() {
    let original = workspace_root().join(WAREHOUSE);
    let mut cleaned = std::fs::read_to_string(&original).unwrap();
    for header in [
        "  /warehouses/{warehouseId}/bins/{binId}:",
        "  /shipments/{shipmentId}/labels/{labelFormat:",
        "  /reports/daily-movements:",
    ] {
        cleaned = without_block(&cleaned, header);
    }
    // The only `put:` in the file is the broken one of `/items/{sku}`.
    assert_eq!(cleaned.matches("\n    put:\n").count(), 1);
    cleaned = without_block(&cleaned, "    put:");

    let temp = tempfile::tempdir().unwrap();
    let cleaned_spec = temp.path().join("warehouse-inventory-legacy.yaml");
    std::fs::write(&cleaned_spec, cleaned).unwrap();
    let (from_broken, from_cleaned) = (temp.path().join("broken"), temp.path().join("cleaned"));
    for (spec, out) in [(&original, &from_broken), (&cleaned_spec, &from_cleaned)] {
        let output = stubforge(spec, out, true);
        assert!(output.status.success(), "{}", stderr(&output));
    }
    // The first line names the definition file; the rest must be the same.
    let body = |dir: &PathBuf, file: &str| read(dir, file).split_once('\n').unwrap().1.to_string();
    for file in ["src/types.rs", "src/server.rs", "src/client.rs", "src/examples.rs"] {
        assert!(
            body(&from_broken, file) == body(&from_cleaned, file),
            "{file} differs between the broken definition in skip mode and the same definition without its broken operations"
        );
    }
    // Every operation that is not broken is there, and none of the broken ones.
    let server = read(&from_broken, "src/server.rs");
    let kept = [
        "list_items",
        "create_item",
        "get_item",
        "get_stock_levels",
        "list_bins",
        "register_pallet",
        "get_shipment",
    ];
    for method in kept {
        assert!(
            server.contains(&format!("fn {method}(")),
            "`{method}` is missing from the server"
        );
    }
    for method in ["get_bin", "get_shipment_label", "daily_movements"] {
        assert!(
            !server.contains(&format!("fn {method}(")),
            "`{method}` should be left out"
        );
    }
}

/// The builder's `.skip_unsupported(true)` does what the flag does; an included file has
/// no crate docs, so the list is the docs of a `skipped` module.
#[test]
fn the_builder_skips_too_and_lists_what_it_left_out_on_a_module() {
    let temp = tempfile::tempdir().unwrap();
    let spec = workspace_root().join(CLINIC);
    let refused = stubforge::configure().spec(&spec).out_dir(temp.path()).generate();
    assert!(refused.is_err());
    let written = stubforge::configure()
        .spec(&spec)
        .out_dir(temp.path())
        .file_name("clinic")
        .skip_unsupported(true)
        .generate()
        .unwrap();
    let text = std::fs::read_to_string(written).unwrap();
    assert!(text.contains("pub mod skipped {}"), "{text}");
    assert!(
        text.contains("/// - schema `Identifier`: read as any JSON value"),
        "{text}"
    );
}

/// Skip mode never turns an error outside every operation and schema into a warning:
/// the run still fails, with that error, and writes nothing.
#[test]
fn errors_outside_any_operation_or_schema_still_fail_in_skip_mode() {
    let temp = tempfile::tempdir().unwrap();
    let mut definition = stubforge::read_file(&workspace_root().join(CLINIC)).unwrap();
    definition["servers"][0]["url"] = "https://booking.meadowbrook.example/{tenant}/v2".into();
    let spec = temp.path().join("clinic.json");
    std::fs::write(&spec, serde_json::to_string_pretty(&definition).unwrap()).unwrap();
    let out = temp.path().join("out");
    let output = stubforge(&spec, &out, true);
    let printed = stderr(&output);
    assert!(!output.status.success(), "{printed}");
    assert!(
        printed.contains("error: ") && printed.contains("uses the variable `{tenant}`"),
        "{printed}"
    );
    assert!(!out.exists());
}

/// Many broken items cost one pass each, not a read of the whole document each: 400
/// operations the model refuses beside 400 good ones end within the time bound, every
/// broken one left out with its warning and every good one generated.
#[test]
fn many_broken_operations_are_found_in_one_pass() {
    const EACH: usize = 400;
    let mut yaml = String::from("openapi: 3.0.3\ninfo:\n  title: Meter Readings\n  version: '1'\npaths:\n");
    for i in 0..EACH {
        yaml.push_str(&format!(
            "  /meters/m{i}/readings:\n    get:\n      operationId: listReadings{i}\n      parameters:\n        - name: since\n          in: query\n          schema:\n            type: string\n      responses:\n        '200':\n          description: ok\n    post:\n      operationId: addReading{i}\n      parameters:\n        - name: source\n          in: querystring\n          schema:\n            type: string\n      responses:\n        '201':\n          description: ok\n"
        ));
    }
    let temp = tempfile::tempdir().unwrap();
    let spec = temp.path().join("meters.yaml");
    std::fs::write(&spec, yaml).unwrap();
    let out = temp.path().join("out");
    let mut child = Command::new(env!("CARGO_BIN_EXE_stubforge"))
        .args(["generate", "--skip-unsupported", "--spec"])
        .arg(&spec)
        .arg("--out")
        .arg(&out)
        .stdout(std::process::Stdio::null())
        .stderr(std::fs::File::create(temp.path().join("stderr")).unwrap())
        .spawn()
        .unwrap();
    let limit = std::time::Duration::from_secs(120);
    let started = std::time::Instant::now();
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break status;
        }
        if started.elapsed() > limit {
            child.kill().unwrap();
            let _ = child.wait();
            panic!("skip mode ran longer than {limit:?} on {EACH} broken operations");
        }
        std::thread::sleep(std::time::Duration::from_millis(20));
    };
    let printed = std::fs::read_to_string(temp.path().join("stderr")).unwrap();
    assert!(status.success(), "{printed}");
    let warnings = skip_warnings(&printed);
    assert_eq!(warnings.len(), EACH, "{printed}");
    assert!(
        warnings.iter().all(|w| w.contains("unknown variant `querystring`")),
        "{printed}"
    );
    let server = read(&out, "src/server.rs");
    assert!(server.contains("fn list_readings399("));
    assert!(!server.contains("fn add_reading"));
}

/// Isolation of broken `$ref`s: the operations and schemas of the tree that do not use
/// one are generated as they would be if nothing were broken, and the ones that do are
/// left out (operations) or read as any JSON value (schemas, and what holds them).
#[test]
fn a_broken_ref_costs_only_what_holds_it() {
    let temp = tempfile::tempdir().unwrap();
    let out = temp.path().join("out");
    let output = stubforge(&workspace_root().join(PRESENCE), &out, true);
    assert!(output.status.success(), "{}", stderr(&output));
    let server = read(&out, "src/server.rs");
    for method in ["set_presence", "get_presence", "set_display_name", "get_user_profile"] {
        assert!(server.contains(&format!("fn {method}(")), "`{method}` is missing");
    }
    for method in ["get_display_name", "get_avatar_url", "search_user_directory"] {
        assert!(
            !server.contains(&format!("fn {method}(")),
            "`{method}` should be left out"
        );
    }
    let types = read(&out, "src/types.rs");
    // Schemas beside the broken ones keep their types; `PresenceEvent` is a JSON value.
    for kept in [
        "pub struct PresenceUpdate",
        "pub struct UserProfile",
        "pub struct RateLimitError",
    ] {
        assert!(types.contains(kept), "`{kept}` is missing:\n{types}");
    }
    assert!(
        types.contains("pub type PresenceEvent = ::serde_json::Value;"),
        "{types}"
    );
}
