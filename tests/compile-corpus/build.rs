//! Generates every corpus definition into `OUT_DIR` (one file each) and writes
//! `corpus.rs`, which includes each as a module. The definitions are discovered, not
//! listed: a file `tests/corpus/NAME.yaml` or `NAME.json`, or a folder
//! `tests/corpus/NAME/` whose root is `api.yaml`; the fixture definitions are added.
//! A definition that fails to generate fails the build, named, with its errors.
//!
//! `tests/corpus-skip/` holds definitions in the same shapes that have parts stubforge
//! cannot generate; they are generated in skip mode (`.skip_unsupported(true)`), so
//! that what skip mode leaves is shown to compile and serve.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

/// Definitions outside `tests/corpus/` that the workspace already uses, relative to it.
const FIXTURES: [&str; 4] = [
    "api/server-server/leaving.yaml",
    "api/server-server/leaving.openapi3.yaml",
    "tests/fixtures/dialect/api.yaml",
    "tests/fixtures/params.yaml",
];

const CORPUS: &str = "tests/corpus";
/// Definitions generated in skip mode.
const SKIP_CORPUS: &str = "tests/corpus-skip";

fn main() {
    // Cargo runs build scripts in the package folder; the workspace is two levels up.
    let workspace = Path::new("../..");
    // A folder path makes cargo rerun this script when anything below it changes,
    // including a definition being added.
    println!("cargo:rerun-if-changed={}", workspace.join(CORPUS).display());
    println!("cargo:rerun-if-changed={}", workspace.join(SKIP_CORPUS).display());
    // (module name, definition, whether skip mode is on)
    let mut definitions: Vec<(String, PathBuf, bool)> = FIXTURES
        .iter()
        .map(|path| (module_name(path), workspace.join(path), false))
        .collect();
    let corpus = discover(&workspace.join(CORPUS))
        .into_iter()
        .map(|(n, p)| (n, p, false));
    let skipping = discover(&workspace.join(SKIP_CORPUS))
        .into_iter()
        .map(|(n, p)| (n, p, true));
    definitions.extend(corpus.chain(skipping));
    definitions.sort();
    for pair in definitions.windows(2) {
        if pair[0].0 == pair[1].0 {
            fail(&format!(
                "corpus definitions {} and {} would both be the module `{}`; rename one",
                pair[0].1.display(),
                pair[1].1.display(),
                pair[0].0
            ));
        }
    }

    let out_dir = PathBuf::from(std::env::var_os("OUT_DIR").expect("cargo sets OUT_DIR"));
    // Each definition in its own file below `definitions/`, so no name can clash with
    // the index.
    let definitions_dir = out_dir.join("definitions");
    let server = std::env::var_os("CARGO_FEATURE_SERVER").is_some();
    let client = std::env::var_os("CARGO_FEATURE_CLIENT").is_some();
    let mut index = String::new();
    let mut failed = String::new();
    for (name, spec, skip_unsupported) in &definitions {
        let generated = stubforge::configure()
            .spec(spec)
            .skip_unsupported(*skip_unsupported)
            .out_dir(&definitions_dir)
            .file_name(name.as_str())
            .server(server)
            .client(client)
            .example_tests(true)
            .generate();
        match generated {
            Ok(_) => {
                let _ = writeln!(
                    index,
                    "/// Generated from `{}`.\npub mod {name} {{\n    include!(concat!(env!(\"OUT_DIR\"), \"/definitions/{name}.rs\"));\n}}",
                    spec.display()
                );
            }
            Err(failure) => {
                let _ = writeln!(
                    failed,
                    "corpus definition {} does not generate:\n{failure}\n",
                    spec.display()
                );
            }
        }
    }
    if !failed.is_empty() {
        fail(&failed);
    }
    let index_path = out_dir.join("corpus.rs");
    if std::fs::read_to_string(&index_path).ok().as_deref() != Some(index.as_str()) {
        std::fs::write(&index_path, index).expect("write corpus.rs to OUT_DIR");
    }
}

/// The definitions in the corpus folder: `NAME.yaml`, `NAME.json`, `NAME/api.yaml`.
fn discover(corpus: &Path) -> Vec<(String, PathBuf)> {
    let Ok(entries) = std::fs::read_dir(corpus) else {
        return Vec::new();
    };
    let mut found = Vec::new();
    for entry in entries.flatten() {
        let path = entry.path();
        let Some(stem) = path.file_stem().and_then(|s| s.to_str()) else {
            continue;
        };
        if path.is_dir() {
            let root = path.join("api.yaml");
            if root.is_file() {
                found.push((module_name(stem), root));
            } else {
                fail(&format!(
                    "corpus folder {} has no api.yaml; a folder definition's root is api.yaml",
                    path.display()
                ));
            }
        } else if path.extension().is_some_and(|e| e == "yaml" || e == "json") {
            found.push((module_name(stem), path));
        }
    }
    found
}

/// A Rust module name from a file stem or fixture path: `store-api` → `store_api`,
/// `api/server-server/leaving.openapi3.yaml` → `api_server_server_leaving_openapi3`.
fn module_name(path: &str) -> String {
    let path = path
        .strip_suffix(".yaml")
        .or_else(|| path.strip_suffix(".json"))
        .unwrap_or(path);
    let mut name: String = path
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() {
                c.to_ascii_lowercase()
            } else {
                '_'
            }
        })
        .collect();
    if !name.starts_with(|c: char| c.is_ascii_alphabetic()) || KEYWORDS.contains(&name.as_str()) {
        name.insert_str(0, "corpus_");
    }
    name
}

/// Rust keywords, which cannot name a module as they are.
const KEYWORDS: [&str; 51] = [
    "abstract", "as", "async", "await", "become", "box", "break", "const", "continue", "crate", "do", "dyn", "else",
    "enum", "extern", "false", "final", "fn", "for", "gen", "if", "impl", "in", "let", "loop", "macro", "match", "mod",
    "move", "mut", "override", "priv", "pub", "ref", "return", "self", "static", "struct", "super", "trait", "true",
    "try", "type", "typeof", "union", "unsafe", "unsized", "use", "virtual", "where", "while",
];

fn fail(message: &str) -> ! {
    eprintln!("{message}");
    std::process::exit(1);
}
