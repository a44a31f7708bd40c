//! stubforge reads a Swagger 2.0 or OpenAPI 3.0 definition (including the dialect the
//! Matrix specification is written in) and generates a Rust crate: serde models, request
//! structs and per-status response enums.
//!
//! The pipeline, one module per stage:
//!
//! ```text
//! load ──► resolve ──► upgrade ──► check ──► ir ──► emit ──► write
//! ```
//!
//! Only `load` and `write` do I/O; everything between is a pure function of its input,
//! so the same definition always gives byte-identical output. Problems in the input are
//! returned as [`Diagnostic`]s, all at once, each naming file, line, column and JSON
//! pointer; the library never panics on any input.

mod check;
pub mod diag;
mod emit;
pub mod ir;
mod load;
mod locate;
mod provenance;
mod resolve;
mod upgrade;
pub mod write;

use std::path::{Path, PathBuf};

pub use diag::{Diagnostic, Failure, Location, Severity};
pub use write::{OutputFile, WriteReport};

use crate::load::Sources;
use crate::provenance::Provenance;

/// The Cargo manifest of a generated crate; valid TOML, its `name` replaced per run.
const CARGO_TEMPLATE: &str = include_str!("../../templates/generated.Cargo.toml");
const TEMPLATE_NAME_LINE: &str = "name = \"stubforge-generated\"";

/// What to generate from which definition.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Settings {
    /// The root definition file.
    pub spec: PathBuf,
    /// How the header line names the definition; the spec path as given when `None`.
    /// Give a path relative to the project so output does not depend on the machine.
    pub source_label: Option<String>,
    /// The generated package's name; made from the definition's title when `None`.
    pub crate_name: Option<String>,
}

impl Settings {
    pub fn new(spec: impl Into<PathBuf>) -> Self {
        Settings {
            spec: spec.into(),
            source_label: None,
            crate_name: None,
        }
    }
}

/// The generated crate, in memory.
#[derive(Debug, Clone)]
pub struct Generated {
    /// Paths relative to the crate folder: `Cargo.toml`, `src/lib.rs`, …
    pub files: Vec<OutputFile>,
    /// Findings that did not stop generation.
    pub warnings: Vec<Diagnostic>,
    /// Every file read: the definition and everything it reaches through `$ref`.
    pub inputs: Vec<PathBuf>,
}

/// Reads the definition and produces the crate's files, writing nothing.
pub fn generate(settings: &Settings) -> Result<Generated, Failure> {
    let mut sources = Sources::default();
    let fail = |diagnostics: Vec<Diagnostic>| Failure::from_diagnostics(diagnostics);

    let root = sources.load(&settings.spec, None).map_err(|d| fail(vec![d]))?;
    let dialect = upgrade::dialect(&sources, root).map_err(|d| fail(vec![d]))?;
    let resolved = resolve::resolve(&mut sources, root).map_err(fail)?;
    let upgraded = upgrade::upgrade(&resolved.document, dialect);
    let at = Provenance {
        sources: &sources,
        resolved: &resolved,
        upgraded: &upgraded,
    };
    let mut diagnostics: Vec<Diagnostic> = upgraded
        .errors
        .iter()
        .chain(&upgraded.warnings)
        .map(|(pointer, d)| d.clone().at(at.locate_resolved(pointer)))
        .collect();
    if diagnostics.iter().any(Diagnostic::is_error) {
        return Err(fail(diagnostics));
    }

    let api: openapiv3::OpenAPI = match serde_path_to_error::deserialize(&upgraded.document) {
        Ok(api) => api,
        Err(e) => {
            let pointer = path_to_pointer(e.path());
            let message = format!("not a valid API definition: {}", e.inner());
            diagnostics.push(
                Diagnostic::error(message)
                    .at(at.locate(&pointer))
                    .help("compare this node with the Swagger 2.0 / OpenAPI 3.0 specification"),
            );
            return Err(fail(diagnostics));
        }
    };
    diagnostics.extend(check::check(&api, &at));
    if diagnostics.iter().any(Diagnostic::is_error) {
        return Err(fail(diagnostics));
    }

    let ir = ir::build(&api, &|pointer| at.ref_name_hint(pointer));
    for example in &ir.examples {
        if let Some(reason) = &example.mismatch {
            diagnostics.push(
                Diagnostic::warning(format!(
                    "this example does not fit its schema: {reason}; the generated test checks that it is rejected"
                ))
                .at(at.locate(&example.pointer))
                .help("fix the example or the schema"),
            );
        }
    }
    let label = settings
        .source_label
        .clone()
        .unwrap_or_else(|| settings.spec.display().to_string());
    let crate_name = match &settings.crate_name {
        Some(name) => validate_crate_name(name).map_err(|d| fail(vec![d]))?,
        None => default_crate_name(&ir.title),
    };
    let header = format!(
        "// {} from {label}. Do not edit: regenerate instead.",
        write::GENERATED_MARK
    );
    let mut files = vec![OutputFile {
        path: PathBuf::from("Cargo.toml"),
        contents: cargo_manifest(&crate_name, &label),
    }];
    for module in emit::emit(&ir) {
        let contents = write::format_rust(module.tokens, &header).map_err(|d| fail(vec![d]))?;
        files.push(OutputFile {
            path: Path::new("src").join(format!("{}.rs", module.name)),
            contents,
        });
    }
    for (name, text) in emit::fixed_modules() {
        files.push(OutputFile {
            path: Path::new("src").join(format!("{name}.rs")),
            contents: format!("{header}\n{text}"),
        });
    }
    Ok(Generated {
        files,
        warnings: diagnostics,
        inputs: sources.files().map(|(_, f)| f.path.clone()).collect(),
    })
}

/// Generates and writes the crate into `out_dir` (or, with `check_only`, only compares).
/// Nothing is written when generation fails.
pub fn run(settings: &Settings, out_dir: &Path, check_only: bool) -> Result<(Generated, WriteReport), Failure> {
    let generated = generate(settings)?;
    let report = write::write(out_dir, &generated.files, check_only).map_err(|d| Failure::from_diagnostics(vec![d]))?;
    Ok((generated, report))
}

fn cargo_manifest(crate_name: &str, label: &str) -> String {
    let name_line = format!("name = \"{crate_name}\"");
    format!(
        "# {} from {label}. Do not edit: regenerate instead.\n{}",
        write::GENERATED_MARK,
        CARGO_TEMPLATE.replacen(TEMPLATE_NAME_LINE, &name_line, 1)
    )
}

/// `Matrix Federation Leave Room API` → `matrix-federation-leave-room-api`.
fn default_crate_name(title: &str) -> String {
    let snake = ir::naming::snake_ident(title);
    let name = snake.trim_start_matches("r#").trim_start_matches('_').replace('_', "-");
    if name.is_empty() { "api".to_string() } else { name }
}

fn validate_crate_name(name: &str) -> Result<String, Diagnostic> {
    let valid = !name.is_empty()
        && name.starts_with(|c: char| c.is_ascii_alphabetic())
        && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_');
    if valid {
        Ok(name.to_string())
    } else {
        Err(Diagnostic::error(format!("`{name}` is not a valid crate name"))
            .help("use ASCII letters, digits, `-` and `_`, starting with a letter"))
    }
}

fn path_to_pointer(path: &serde_path_to_error::Path) -> String {
    use serde_path_to_error::Segment;
    let mut pointer = String::new();
    for segment in path.iter() {
        match segment {
            Segment::Seq { index } => pointer = diag::child_pointer(&pointer, &index.to_string()),
            Segment::Map { key } => pointer = diag::child_pointer(&pointer, key),
            Segment::Enum { .. } | Segment::Unknown => {}
        }
    }
    pointer
}
