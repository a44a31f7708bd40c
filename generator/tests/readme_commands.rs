//! Every command the README shows, taken from README.md itself: each `cargo` or
//! `stubforge` line of its `sh` blocks and each such command in its text must be one this
//! file knows, and each is run here or checked to be run by CI. A command added to the
//! README, or one changed, fails this test until the test runs it too.
//!
//! `stubforge …` and `cargo run …` run the built binary as the command would (a nested
//! `cargo` would wait for the lock this test's own build holds). Commands that are CI's
//! own (`cargo test --workspace --locked`, `cargo install --path generator`) must stand
//! in `.ci/run`; commands that name a package, test or bench must name real ones.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use stubforge::project::workspace_root;

fn read(relative: &str) -> String {
    let path = workspace_root().join(relative);
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// The commands of the README: lines of `sh` blocks without their comments, and inline
/// code that starts with `cargo ` or `stubforge `; only `cargo` and `stubforge` ones
/// (`curl` and `valgrind` lines show what to do with them). Environment assignments in
/// front are kept.
fn readme_commands() -> Vec<String> {
    let readme = read("README.md");
    let mut commands = Vec::new();
    // The fence that opened the block we are in, if any.
    let mut fence: Option<&str> = None;
    for line in readme.lines() {
        if line.starts_with("```") {
            fence = if fence.is_some() { None } else { Some(line.trim()) };
            continue;
        }
        if fence == Some("```sh") {
            let command = line.split(" #").next().unwrap_or("").trim();
            commands.push(command.to_string());
        } else if fence.is_none() {
            for (i, span) in line.split('`').enumerate() {
                if i % 2 == 1 {
                    commands.push(span.trim().to_string());
                }
            }
        }
    }
    commands.retain(|command| {
        let program = command.split_whitespace().find(|word| !word.contains('='));
        matches!(program, Some("cargo" | "stubforge"))
    });
    commands.sort();
    commands.dedup();
    commands
}

fn stubforge_in(dir: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_stubforge"))
        .args(args)
        .current_dir(dir)
        .output()
        .unwrap()
}

fn assert_success(output: &Output, what: &str) {
    assert!(
        output.status.success(),
        "`{what}` failed: {}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
}

/// A definition of one file (no `$ref` to other files), to stand for the user's.
fn place_definition(dir: &Path, relative: &str) {
    let target = dir.join(relative);
    std::fs::create_dir_all(target.parent().unwrap()).unwrap();
    std::fs::copy(workspace_root().join("tests/corpus/bookshop-store.yaml"), target).unwrap();
}

/// The arguments of a command after `stubforge` or `cargo run --`.
fn arguments(command: &str, prefix: &str) -> Vec<String> {
    let rest = command.strip_prefix(prefix).expect("the prefix");
    rest.split_whitespace().map(str::to_string).collect()
}

/// `stubforge generate --spec S --out O --crate-name N` (and its `[--flag]` options), run
/// in a fresh folder with a definition at `S`: each option is run too, `--check` last.
fn run_generate(command: &str, prefix: &str) {
    let mut required = Vec::new();
    let mut optional = Vec::new();
    let mut words = arguments(command, prefix).into_iter().peekable();
    while let Some(word) = words.next() {
        match word.strip_prefix('[') {
            Some(flag) => {
                let mut option = vec![flag.trim_end_matches(']').to_string()];
                if !word.ends_with(']') {
                    // `[--crate-name NAME]`: a placeholder value.
                    let value = words.next().expect("the option's value");
                    assert_eq!(value.trim_end_matches(']'), "NAME", "{command}");
                    option.push("readme-check".to_string());
                }
                optional.push(option);
            }
            None => required.push(word),
        }
    }
    assert_eq!(required.first().map(String::as_str), Some("generate"), "{command}");
    let spec = value_of(&required, "--spec", command);
    let out = value_of(&required, "--out", command);
    let dir = tempfile::tempdir().unwrap();
    place_definition(dir.path(), &spec);
    let args: Vec<&str> = required.iter().map(String::as_str).collect();
    assert_success(&stubforge_in(dir.path(), &args), command);
    let manifest = std::fs::read_to_string(dir.path().join(&out).join("Cargo.toml")).unwrap();
    if let Ok(name) = value_of_opt(&required, "--crate-name") {
        assert!(manifest.contains(&format!("name = \"{name}\"")), "{manifest}");
    }
    assert!(dir.path().join(&out).join("src/lib.rs").is_file(), "{command}");
    // Each option on its own after the first run, `--check` last: what the options
    // change must already be written when `--check` looks.
    optional.sort_by_key(|option| option[0] == "--check");
    for option in &optional {
        let mut args = args.clone();
        args.extend(option.iter().map(String::as_str));
        assert_success(
            &stubforge_in(dir.path(), &args),
            &format!("{command} ({})", option.join(" ")),
        );
    }
}

/// `stubforge export --spec S --openapi V --out F`, run in a fresh folder: `F` is a JSON
/// document of that OpenAPI version.
fn run_export(command: &str) {
    let words: Vec<String> = command.split_whitespace().skip(1).map(str::to_string).collect();
    let spec = value_of(&words, "--spec", command);
    let out = value_of(&words, "--out", command);
    let version = value_of(&words, "--openapi", command);
    let dir = tempfile::tempdir().unwrap();
    place_definition(dir.path(), &spec);
    let args: Vec<&str> = words.iter().map(String::as_str).collect();
    assert_success(&stubforge_in(dir.path(), &args), command);
    let text = std::fs::read_to_string(dir.path().join(&out)).unwrap();
    let document: serde_json::Value = serde_json::from_str(&text).expect("the export is JSON");
    let written = document["openapi"].as_str().unwrap_or_default();
    assert!(written.starts_with(&version), "{command}: wrote OpenAPI {written}");
}

fn value_of_opt(words: &[String], flag: &str) -> Result<String, ()> {
    let at = words.iter().position(|word| word == flag).ok_or(())?;
    words.get(at + 1).cloned().ok_or(())
}

fn value_of(words: &[String], flag: &str, command: &str) -> String {
    value_of_opt(words, flag).unwrap_or_else(|()| panic!("`{command}` has no `{flag} VALUE`"))
}

/// The package a `-p NAME` names, as a workspace member's folder.
fn package_dir(name: &str) -> PathBuf {
    let root = workspace_root();
    let manifest = read("Cargo.toml");
    let members = manifest
        .split("members")
        .nth(1)
        .and_then(|rest| rest.split(']').next())
        .expect("a members list");
    members
        .split('"')
        .skip(1)
        .step_by(2)
        .map(|member| root.join(member))
        .find(|dir| {
            let text = std::fs::read_to_string(dir.join("Cargo.toml")).unwrap_or_default();
            text.lines().any(|line| line.trim() == format!("name = \"{name}\""))
        })
        .unwrap_or_else(|| panic!("no workspace member is the package `{name}`"))
}

/// `cargo test -p P [--test T]` and `cargo bench -p P`: the package, test and bench exist;
/// `cargo test --workspace --locked` runs the tests (see `.ci/run`).
fn check_targets(command: &str) {
    let words: Vec<&str> = command.split_whitespace().collect();
    let package = words
        .iter()
        .position(|word| *word == "-p")
        .map(|at| words[at + 1])
        .expect("a package");
    let dir = package_dir(package);
    if let Some(at) = words.iter().position(|word| *word == "--test") {
        let test = words[at + 1];
        assert!(
            dir.join("tests").join(format!("{test}.rs")).is_file(),
            "{command}: no test `{test}`"
        );
        // The environment variables the command sets are ones the test reads.
        let source = std::fs::read_to_string(dir.join("tests").join(format!("{test}.rs"))).unwrap();
        for assignment in words.iter().take_while(|word| word.contains('=')) {
            let variable = assignment.split('=').next().unwrap();
            assert!(
                source.contains(variable),
                "{command}: the test does not read `{variable}`"
            );
        }
    }
    if words.contains(&"bench") {
        let manifest = std::fs::read_to_string(dir.join("Cargo.toml")).unwrap();
        assert!(manifest.contains("[[bench]]"), "{command}: `{package}` has no bench");
    }
}

/// A command CI itself runs: it stands in `.ci/run` as written.
fn check_in_ci(command: &str, ci_form: &str) {
    let ci = read(".ci/run");
    assert!(
        ci.contains(ci_form),
        "`{command}` is not run by .ci/run (looked for `{ci_form}`)"
    );
}

#[test]
fn every_readme_command_is_run_or_checked() {
    let commands = readme_commands();
    assert!(commands.len() >= 10, "{commands:#?}");
    let mut unknown = Vec::new();
    for command in &commands {
        match command.as_str() {
            // `cargo run` writes every committed crate; that it would change nothing is
            // what `--check` says (CI runs it too).
            "cargo run" | "cargo run -- --check" => {
                let output = stubforge_in(&workspace_root(), &["--check"]);
                assert_success(&output, command);
                check_in_ci(command, "cargo run --locked --quiet -- --check");
            }
            // The command's name in the text, not a command line.
            "stubforge" | "stubforge generate" => {}
            c if c.starts_with("stubforge generate ") => run_generate(c, "stubforge"),
            c if c.starts_with("cargo run -- generate ") => run_generate(c, "cargo run --"),
            "cargo test --workspace --locked" => check_in_ci(command, "\ncargo test --workspace --locked\n"),
            "cargo install --path generator" => check_in_ci(
                command,
                "cargo install --locked --debug --force --quiet --path generator",
            ),
            c if c.starts_with("stubforge export ") => run_export(c),
            "cargo run -p leave-server -- --port 0 --openapi FILE" => {
                let main = std::fs::read_to_string(package_dir("leave-server").join("src/main.rs")).unwrap();
                assert!(main.contains("--port") && main.contains("--openapi"), "{command}");
            }
            "cargo run -p leave-server -- --port 8448" => {
                let main = std::fs::read_to_string(package_dir("leave-server").join("src/main.rs")).unwrap();
                assert!(main.contains("--port"), "{command}");
            }
            c if c.starts_with("cargo bench -p ") || c.contains("cargo test ") && c.contains(" -p ") => {
                check_targets(c)
            }
            _ => unknown.push(command.clone()),
        }
    }
    assert!(
        unknown.is_empty(),
        "README commands no test runs or checks; teach generator/tests/readme_commands.rs each one: {unknown:#?}"
    );
}

#[test]
fn the_commands_are_found() {
    let commands = readme_commands();
    for expected in [
        "cargo run",
        "cargo test --workspace --locked",
        "cargo install --path generator",
        "stubforge generate --spec api/my-api.yaml --out my-api --crate-name my-api",
    ] {
        assert!(
            commands.iter().any(|c| c == expected),
            "`{expected}` not found in {commands:#?}"
        );
    }
}
