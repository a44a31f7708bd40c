//! `stubforge export` through the real binary: the seed (Swagger 2.0 in the Matrix
//! dialect), the current leave API (3.1) and every compile-corpus definition, in 3.0 and
//! 3.1, each checked by an independent validator (openapi-spec-validator from PyPI).
//!
//! The validator is the Python that `STUBFORGE_OPENAPI_VALIDATOR` names (`.ci/run` sets it
//! to the venv it installs); without it the validation is skipped with a note, unless
//! `CI` is set.

use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

use serde_json::Value;

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).parent().unwrap().to_path_buf()
}

/// Runs a command to its end, or kills it after `limit`.
fn run_bounded(command: &mut Command, limit: Duration) -> Output {
    let mut child = command
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let started = Instant::now();
    while child.try_wait().unwrap().is_none() {
        if started.elapsed() > limit {
            child.kill().unwrap();
            panic!("{command:?} did not finish within {limit:?}");
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    child.wait_with_output().unwrap()
}

fn export(spec: &Path, version: &str, out: &Path) -> Value {
    let output = run_bounded(
        Command::new(env!("CARGO_BIN_EXE_stubforge"))
            .args(["export", "--openapi", version, "--spec"])
            .arg(spec)
            .arg("--out")
            .arg(out),
        Duration::from_secs(60),
    );
    assert!(
        output.status.success(),
        "export of {} failed:\n{}",
        spec.display(),
        String::from_utf8_lossy(&output.stderr)
    );
    serde_json::from_slice(&std::fs::read(out).unwrap()).unwrap()
}

/// The definitions the compile corpus generates, with the seed and the 3.1 leave API.
fn definitions() -> Vec<PathBuf> {
    let root = root();
    let mut found = vec![
        root.join("api/server-server/leaving.yaml"),
        root.join("tests/fixtures/leave-current/api.yaml"),
    ];
    let mut corpus: Vec<PathBuf> = std::fs::read_dir(root.join("tests/corpus"))
        .unwrap()
        .map(|entry| entry.unwrap().path())
        .filter_map(|path| {
            if path.is_dir() {
                Some(path.join("api.yaml")).filter(|p| p.exists())
            } else {
                let ext = path.extension().and_then(|e| e.to_str());
                matches!(ext, Some("yaml" | "json")).then_some(path)
            }
        })
        .collect();
    corpus.sort();
    found.extend(corpus);
    found
}

fn out_dir(name: &str) -> PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join(name);
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

#[test]
fn the_seed_exports_without_dialect_and_documents_the_router() {
    let dir = out_dir("export-seed");
    let seed = root().join("api/server-server/leaving.yaml");
    let document = export(&seed, "3.1", &dir.join("leave.json"));
    assert_eq!(document["openapi"], "3.1.0");
    let text = document.to_string();
    assert!(!text.contains("x-stubforge"), "a stubforge extension is left: {text}");
    assert!(!text.contains("securityDefinitions"));
    // The security scheme is inlined under components, as 3.x says it.
    let scheme = &document["components"]["securitySchemes"]["signedRequest"];
    assert_eq!(scheme["type"], "apiKey", "{scheme}");
    assert_eq!(scheme["in"], "header");
    // send_leave v1's `[200, {}]` is a standard tuple.
    let put = &document["paths"]["/send_leave/{roomId}/{eventId}"]["put"];
    let ok = &put["responses"]["200"]["content"]["application/json"]["schema"];
    assert_eq!(ok["type"], "array");
    assert_eq!(ok["prefixItems"].as_array().unwrap().len(), 2, "{ok}");
    assert_eq!((ok["minItems"].as_u64(), ok["maxItems"].as_u64()), (Some(2), Some(2)));
    // The router's own answers, with their body.
    for status in ["400", "401", "408", "413", "415", "500", "503"] {
        let answer = &put["responses"][status];
        assert_eq!(
            answer["content"]["application/json"]["schema"]["$ref"], "#/components/schemas/RouterError",
            "{status}: {answer}"
        );
    }
    let error = &document["components"]["schemas"]["RouterError"];
    assert_eq!(error["required"], serde_json::json!(["errcode", "error"]));

    let v30 = export(&seed, "3.0", &dir.join("leave-30.json"));
    assert_eq!(v30["openapi"], "3.0.3");
    let ok = &v30["paths"]["/send_leave/{roomId}/{eventId}"]["put"]["responses"]["200"]["content"]["application/json"]
        ["schema"];
    assert_eq!(ok["items"]["anyOf"].as_array().unwrap().len(), 2, "{ok}");
}

#[test]
fn an_api_that_is_not_matrix_documents_problem_bodies() {
    let dir = out_dir("export-standard");
    let storage = root().join("tests/corpus/file-storage-uploads.yaml");
    let document = export(&storage, "3.1", &dir.join("storage.json"));
    let mut answered = 0;
    for item in document["paths"].as_object().unwrap().values() {
        for operation in item.as_object().unwrap().values().filter_map(|o| o.get("responses")) {
            for status in ["400", "401", "500", "503"] {
                let Some(answer) = operation.get(status) else { continue };
                // The definition's own answers are left as written.
                if !answer["description"]
                    .as_str()
                    .unwrap_or("")
                    .starts_with("Answered by the router")
                {
                    continue;
                }
                let problem = &answer["content"]["application/problem+json"];
                assert_eq!(
                    problem["schema"]["$ref"], "#/components/schemas/RouterError",
                    "{answer}"
                );
                assert!(answer["content"].get("application/json").is_none(), "{answer}");
                answered += 1;
            }
        }
    }
    assert!(answered > 0, "no router answer documented");
    let error = &document["components"]["schemas"]["RouterError"];
    assert_eq!(
        error["required"],
        serde_json::json!(["type", "title", "status", "detail"])
    );
    let not_found = &document["components"]["responses"]["RouterNotFound"]["content"];
    assert!(not_found.get("application/problem+json").is_some(), "{not_found}");
    // The router's own words carry no Matrix codes for this API.
    let router_words =
        serde_json::to_string(&document["components"]["responses"]).unwrap() + &serde_json::to_string(error).unwrap();
    assert!(!router_words.contains("M_"), "{router_words}");
}

#[test]
fn export_writes_nothing_for_a_definition_generation_refuses() {
    let dir = out_dir("export-refused");
    let spec = dir.join("broken.yaml");
    std::fs::write(
        &spec,
        "openapi: 3.0.3\ninfo: {title: Broken, version: '1'}\npaths:\n  /a:\n    get:\n      responses:\n        '200':\n          description: ok\n          content:\n            application/json:\n              schema: {$ref: '#/components/schemas/Missing'}\n",
    )
    .unwrap();
    let out = dir.join("out.json");
    let output = run_bounded(
        Command::new(env!("CARGO_BIN_EXE_stubforge"))
            .args(["export", "--spec"])
            .arg(&spec)
            .arg("--out")
            .arg(&out),
        Duration::from_secs(60),
    );
    assert_eq!(output.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains("error: ") && stderr.contains("broken.yaml:"),
        "{stderr}"
    );
    assert!(!out.exists());
}

#[test]
fn every_export_is_a_valid_openapi_document() {
    let dir = out_dir("export-all");
    let mut written = Vec::new();
    for (i, spec) in definitions().iter().enumerate() {
        for version in ["3.0", "3.1"] {
            let out = dir.join(format!("{i:03}-{version}.json"));
            let document = export(spec, version, &out);
            assert!(!document.to_string().contains("x-stubforge"), "{}", spec.display());
            written.push((spec.clone(), out));
        }
    }
    let Some(python) = std::env::var_os("STUBFORGE_OPENAPI_VALIDATOR") else {
        assert!(
            std::env::var_os("CI").is_none(),
            "STUBFORGE_OPENAPI_VALIDATOR is not set; .ci/run sets it"
        );
        eprintln!(
            "note: {} exports written, not validated: set STUBFORGE_OPENAPI_VALIDATOR to a Python with openapi-spec-validator (.ci/run does)",
            written.len()
        );
        return;
    };
    // One process for all files: each line names a file and whether it is valid.
    let script = "import sys\n\
                  from openapi_spec_validator import validate\n\
                  from openapi_spec_validator.readers import read_from_filename\n\
                  for path in sys.argv[1:]:\n\
                  \x20   try:\n\
                  \x20       validate(read_from_filename(path)[0])\n\
                  \x20       print('valid', path)\n\
                  \x20   except Exception as e:\n\
                  \x20       print('INVALID', path, str(e).splitlines()[0][:400])\n";
    let output = run_bounded(
        Command::new(python)
            .arg("-c")
            .arg(script)
            .args(written.iter().map(|(_, out)| out)),
        Duration::from_secs(300),
    );
    let report = String::from_utf8_lossy(&output.stdout);
    assert!(
        output.status.success(),
        "the validator failed to run:\n{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let invalid: Vec<String> = written
        .iter()
        .filter(|(_, out)| {
            !report.contains(&format!("valid {}", out.display()))
                || report.contains(&format!("INVALID {}", out.display()))
        })
        .map(|(spec, out)| {
            let line = report
                .lines()
                .find(|l| l.contains(&out.display().to_string()))
                .unwrap_or("no verdict");
            format!("{}: {line}", spec.display())
        })
        .collect();
    assert!(
        invalid.is_empty(),
        "{} of {} exports are invalid:\n{}",
        invalid.len(),
        written.len(),
        invalid.join("\n")
    );
    assert_eq!(
        report.lines().filter(|l| l.starts_with("valid ")).count(),
        written.len()
    );
}

#[test]
fn a_path_key_kept_with_its_query_templates_is_a_located_warning() {
    let dir = out_dir("export-kept-path-keys");
    let spec = root().join("generator/tests/export_inputs/mailroom-campaign-reports.yaml");
    let out = dir.join("out.json");
    let output = run_bounded(
        Command::new(env!("CARGO_BIN_EXE_stubforge"))
            .args(["export", "--spec"])
            .arg(&spec)
            .arg("--out")
            .arg(&out),
        Duration::from_secs(60),
    );
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(output.status.success(), "{stderr}");
    let document: Value = serde_json::from_slice(&std::fs::read(&out).unwrap()).unwrap();
    let keys: Vec<&String> = document["paths"].as_object().unwrap().keys().collect();
    assert_eq!(
        keys,
        [
            "/campaigns/{campaign_id}/report/export?format={format}",
            "/campaigns/{campaign_id}/report/export",
            "/campaigns/{campaign_id}/clicks",
            "/contacts/{contact_id}?op=UNSUBSCRIBE",
            "/contacts/{contact_id}?list={list_id}",
            "/contacts/{contact_id}",
        ]
    );

    // One warning per key kept as written, at the line that writes the key.
    let text = std::fs::read_to_string(&spec).unwrap();
    let line_of = |key: &str| 1 + text.lines().position(|l| l == format!("  {key}:")).unwrap();
    let warnings: Vec<&str> = stderr.lines().filter(|l| l.starts_with("warning:")).collect();
    let kept = [
        "/campaigns/{campaign_id}/report/export?format={format}",
        "/contacts/{contact_id}?list={list_id}",
    ];
    assert_eq!(warnings.len(), kept.len(), "{stderr}");
    for (warning, key) in warnings.iter().zip(kept) {
        let located = format!("warning: {}:{}:", spec.display(), line_of(key));
        assert!(warning.starts_with(&located), "expected {located}…, got {warning}");
        assert!(
            warning.contains(&format!("the path `{key}` is exported as written")),
            "{warning}"
        );
    }
    assert!(stderr.contains("help: the generated crate is not affected"), "{stderr}");
}
