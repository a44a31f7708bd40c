//! The `stubforge` binary: exit codes, messages, all-or-nothing writes, `--check`.

use std::path::Path;
use std::process::{Command, Output};

use stubforge::project::workspace_root;

fn stubforge(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_stubforge"))
        .args(args)
        .output()
        .unwrap()
}

fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

fn leave_spec() -> String {
    workspace_root()
        .join("api/server-server/leaving.yaml")
        .display()
        .to_string()
}

fn snapshot(dir: &Path) -> Vec<(String, Vec<u8>, std::time::SystemTime)> {
    let mut files = Vec::new();
    for entry in walk(dir) {
        let meta = std::fs::metadata(&entry).unwrap();
        files.push((
            entry.display().to_string(),
            std::fs::read(&entry).unwrap(),
            meta.modified().unwrap(),
        ));
    }
    files.sort();
    files
}

fn walk(dir: &Path) -> Vec<std::path::PathBuf> {
    let mut out = Vec::new();
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            out.extend(walk(&path));
        } else {
            out.push(path);
        }
    }
    out
}

#[test]
fn generates_then_leaves_unchanged_files_untouched() {
    let out = tempfile::tempdir().unwrap();
    let dir = out.path().display().to_string();
    let first = stubforge(&[
        "generate",
        "--spec",
        &leave_spec(),
        "--out",
        &dir,
        "--crate-name",
        "leave",
    ]);
    assert!(first.status.success(), "{}", stderr(&first));
    assert!(stderr(&first).contains("wrote"), "{}", stderr(&first));
    let before = snapshot(out.path());
    assert!(before.iter().any(|(p, _, _)| p.ends_with("src/types.rs")));
    let second = stubforge(&[
        "generate",
        "--spec",
        &leave_spec(),
        "--out",
        &dir,
        "--crate-name",
        "leave",
    ]);
    assert!(second.status.success());
    assert!(stderr(&second).contains("is up to date"), "{}", stderr(&second));
    assert_eq!(snapshot(out.path()), before, "an unchanged run must not rewrite files");
}

#[test]
fn a_failed_generation_exits_1_with_located_errors_and_writes_nothing() {
    let out = tempfile::tempdir().unwrap();
    let dir = out.path().display().to_string();
    assert!(
        stubforge(&["generate", "--spec", &leave_spec(), "--out", &dir])
            .status
            .success()
    );
    let before = snapshot(out.path());

    let bad = tempfile::tempdir().unwrap();
    let spec = bad.path().join("api.yaml");
    std::fs::write(&spec, "swagger: '2.0'\ninfo: {title: T, version: '1'}\npaths:\n  /r/{id}:\n    get:\n      responses: {200: {description: ok}}\n").unwrap();
    let failed = stubforge(&["generate", "--spec", &spec.display().to_string(), "--out", &dir]);
    assert_eq!(failed.status.code(), Some(1));
    let message = stderr(&failed);
    let expected = format!(
        "error: {}:5:5: path parameter `id` in `/r/{{id}}` is not declared (at /paths/~1r~1{{id}}/get)",
        spec.display()
    );
    assert!(message.starts_with(&expected), "{message}");
    assert!(
        !message.contains("panicked") && !message.contains("backtrace"),
        "{message}"
    );
    assert_eq!(
        snapshot(out.path()),
        before,
        "a failed run must leave the output untouched"
    );
}

#[test]
fn check_lists_stale_files_exits_1_and_writes_nothing() {
    let out = tempfile::tempdir().unwrap();
    let dir = out.path().display().to_string();
    assert!(
        stubforge(&["generate", "--spec", &leave_spec(), "--out", &dir])
            .status
            .success()
    );
    let types = out.path().join("src/types.rs");
    std::fs::write(&types, "// edited by hand\n").unwrap();
    let before = snapshot(out.path());
    let check = stubforge(&["generate", "--spec", &leave_spec(), "--out", &dir, "--check"]);
    assert_eq!(check.status.code(), Some(1));
    let message = stderr(&check);
    assert!(message.contains(&format!("stale: {}", types.display())), "{message}");
    assert!(message.contains("run `cargo run`"), "{message}");
    assert_eq!(snapshot(out.path()), before);
}

#[test]
fn a_missing_spec_and_a_bad_crate_name_are_errors_not_panics() {
    let out = tempfile::tempdir().unwrap();
    let dir = out.path().display().to_string();
    let missing = stubforge(&["generate", "--spec", "/nonexistent/api.yaml", "--out", &dir]);
    assert_eq!(missing.status.code(), Some(1));
    assert!(
        stderr(&missing).starts_with("error: cannot read `/nonexistent/api.yaml`"),
        "{}",
        stderr(&missing)
    );
    let bad_name = stubforge(&[
        "generate",
        "--spec",
        &leave_spec(),
        "--out",
        &dir,
        "--crate-name",
        "9 lives",
    ]);
    assert_eq!(bad_name.status.code(), Some(1));
    assert!(
        stderr(&bad_name).contains("`9 lives` is not a valid crate name"),
        "{}",
        stderr(&bad_name)
    );
    assert!(
        std::fs::read_dir(out.path()).unwrap().next().is_none(),
        "nothing may be written"
    );
}

#[test]
fn help_explains_every_flag() {
    let help = String::from_utf8(stubforge(&["generate", "--help"]).stdout).unwrap();
    for flag in ["--spec", "--out", "--crate-name", "--check", "--force"] {
        assert!(help.contains(flag), "{flag} missing from:\n{help}");
    }
    let top = String::from_utf8(stubforge(&["--help"]).stdout).unwrap();
    assert!(top.contains("regenerates this project's committed"), "{top}");
}

/// The per-type flags give what the builder's options give, and each shows in the types.
#[test]
fn type_option_flags_are_the_builders_options() {
    let spec = workspace_root().join("tests/fixtures/room-directory/api.yaml");
    let out = tempfile::tempdir().unwrap();
    let dir = out.path().display().to_string();
    let run = stubforge(&[
        "generate",
        "--spec",
        &spec.display().to_string(),
        "--out",
        &dir,
        "--type-attribute",
        "RoomSummary=#[derive(Eq, Hash)]",
        "--map-type",
        "RoomId=::ruma_common::OwnedRoomId",
        "--rename-type",
        "PublicRoomsResponse=RoomDirectoryPage",
    ]);
    assert!(run.status.success(), "{}", stderr(&run));
    let written = std::fs::read_to_string(out.path().join("src/types.rs")).unwrap();

    let mut settings = stubforge::Settings::new(&spec);
    settings.types = stubforge::TypeOptions {
        attributes: vec![("RoomSummary".into(), "#[derive(Eq, Hash)]".into())],
        replacements: vec![("RoomId".into(), "::ruma_common::OwnedRoomId".into())],
        renames: vec![("PublicRoomsResponse".into(), "RoomDirectoryPage".into())],
    };
    let generated = stubforge::generate(&settings).unwrap();
    let types = generated
        .files
        .iter()
        .find(|f| f.path.ends_with("src/types.rs"))
        .unwrap();
    assert_eq!(written, types.contents);

    assert!(
        written.contains("#[derive(Eq, Hash)]\npub struct RoomSummary"),
        "{written}"
    );
    assert!(written.contains("pub room_id: ::ruma_common::OwnedRoomId,"));
    assert!(!written.contains("pub type RoomId"));
    assert!(written.contains("pub struct RoomDirectoryPage"));
    assert!(!written.contains("struct PublicRoomsResponse"));

    // A flag without `=` is refused by the command line, before any generation.
    let bad = stubforge(&["generate", "--spec", "x.yaml", "--out", &dir, "--map-type", "RoomId"]);
    assert!(!bad.status.success());
    assert!(stderr(&bad).contains("expected SCHEMA=VALUE"), "{}", stderr(&bad));
}

/// A large definition's modules are formatted on several threads; the text must not
/// depend on how many, nor on which thread finishes first.
#[test]
fn a_large_definition_gives_the_same_files_on_any_number_of_threads() {
    let spec = workspace_root().join("tests/corpus/keel-cluster-api.json");
    let out = tempfile::tempdir().unwrap();
    let files_with = |threads: &str| {
        let dir = out.path().join(format!("threads-{threads}"));
        let generated = Command::new(env!("CARGO_BIN_EXE_stubforge"))
            .args(["generate", "--spec"])
            .arg(&spec)
            .arg("--out")
            .arg(&dir)
            .args(["--crate-name", "keel"])
            .env("STUBFORGE_THREADS", threads)
            .output()
            .unwrap();
        assert!(generated.status.success(), "{}", stderr(&generated));
        walk(&dir)
            .into_iter()
            .map(|path| {
                let bytes = std::fs::read(&path).unwrap();
                (path.strip_prefix(&dir).unwrap().to_path_buf(), bytes)
            })
            .collect::<std::collections::BTreeMap<_, _>>()
    };
    let one = files_with("1");
    assert!(one.len() >= 4, "{:?}", one.keys());
    // More threads than modules: every thread has a module, some none.
    assert!(files_with("5") == one, "5 threads wrote other files than one thread");
}
