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
//! Not covered here, because no input reaches them: the internal errors ("generated
//! tokens do not parse", "a template does not parse"), and the bare `stubforge` run
//! outside its workspace (its path is compiled in).

use std::path::Path;
use std::process::Command;

const CASES: &str = "tests/diagnostics";
const BLESS: &str = "STUBFORGE_BLESS";
/// The snapshot of the build script's messages, which has no input file.
const BUILD_SCRIPT_SNAPSHOT: &str = "build_script";

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
