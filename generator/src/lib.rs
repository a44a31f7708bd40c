//! stubforge reads a Swagger 2.0, OpenAPI 3.0 or OpenAPI 3.1 definition (including the
//! dialect the Matrix specification is written in) and generates a Rust crate: serde
//! models, request structs and per-status response enums.
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

mod body_fields;
mod build_script;
mod check;
mod constant_path_params;
pub mod diag;
mod emit;
mod export;
mod graph;
mod inert;
// Public for the naming tests; not part of the API.
#[doc(hidden)]
pub mod ir;
mod layout;
mod limits;
mod load;
mod locate;
mod loose_schema;
mod manifest;
mod media_type;
mod model_error;
mod parallel;
mod param_rules;
pub mod project;
mod provenance;
mod query_in_paths;
mod resolve;
mod schema_shape;
mod skip;
mod upgrade;
mod upgrade31;
pub mod write;

use std::path::{Path, PathBuf};

use serde::Deserialize;

pub use build_script::{Builder, configure};
pub use diag::{Diagnostic, Failure, Location, Severity};
pub use export::OpenApiVersion;
pub use ir::TypeOptions;
pub use write::{OutputFile, WriteMode, WriteReport};

use crate::diag::Finding;
use crate::load::Sources;
use crate::provenance::Provenance;

/// What to generate from which definition, and in which shape.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Settings {
    /// The root definition file.
    pub spec: PathBuf,
    /// How the header line names the definition; the spec path as given when `None`.
    /// Give a path relative to the project so output does not depend on the machine.
    pub source_label: Option<String>,
    /// A crate folder, or one file for `include!`.
    pub layout: Layout,
    /// Which modules a single file holds (a crate has them all, behind features).
    pub parts: Parts,
    /// Replace files in the output folder that stubforge did not write (files without
    /// the `@generated` mark are refused otherwise).
    pub force: bool,
    /// Skip mode: an operation or named schema with an error the run could do without
    /// is left out (a schema: read as any JSON value) with a warning, instead of failing
    /// the run. See the `skip` module for what can be skipped.
    pub skip_unsupported: bool,
    /// Per-schema choices: extra attributes, Rust types that stand for schemas, names.
    pub types: TypeOptions,
}

/// The shape of the output.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Layout {
    /// A crate folder: `Cargo.toml` and `src/*.rs`. The package is named from the
    /// definition's title unless `name` says otherwise.
    Crate {
        /// The package name; from the title when `None`.
        name: Option<String>,
    },
    /// One `NAME.rs` of inline modules, for `include!` from a build script's `OUT_DIR`.
    SingleFile {
        /// The file's stem (`leave` writes `leave.rs`).
        name: String,
    },
}

/// The modules beyond `types`, which is always generated.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Parts {
    /// The axum server stub.
    pub server: bool,
    /// The reqwest client.
    pub client: bool,
    /// The tests that read every example of the definition into its type.
    pub example_tests: bool,
}

impl Default for Parts {
    fn default() -> Self {
        Parts {
            server: true,
            client: true,
            example_tests: true,
        }
    }
}

impl Settings {
    /// A crate from `spec`, with default names and every part.
    pub fn new(spec: impl Into<PathBuf>) -> Self {
        Settings {
            spec: spec.into(),
            source_label: None,
            layout: Layout::Crate { name: None },
            parts: Parts::default(),
            force: false,
            skip_unsupported: false,
            types: TypeOptions::default(),
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
    // The stages recurse over the definition, at most `limits::MAX_NESTING` levels deep.
    // An unoptimised build needs more stack for that than a test thread's 2 MiB (or even
    // a main thread's 8 MiB), so the pipeline runs on a thread whose stack does not
    // depend on the caller. Only the pages used are ever committed.
    std::thread::scope(|scope| {
        let worker = std::thread::Builder::new()
            .name("stubforge".into())
            .stack_size(limits::PIPELINE_STACK)
            .spawn_scoped(scope, || generate_here(settings));
        match worker {
            Ok(worker) => worker.join().unwrap_or_else(|panic| std::panic::resume_unwind(panic)),
            // No thread to be had: run here, on whatever stack the caller has.
            Err(_) => generate_here(settings),
        }
    })
}

fn generate_here(settings: &Settings) -> Result<Generated, Failure> {
    // Everything before the IR is dropped before emitting, which needs the most memory.
    let (ir, diagnostics, inputs) = read_definition(settings)?;
    let label = settings
        .source_label
        .clone()
        .unwrap_or_else(|| settings.spec.display().to_string());
    let files =
        layout::files(&ir, emit::emit(&ir), settings, &label).map_err(|d| Failure::from_diagnostics(vec![d]))?;
    Ok(Generated {
        files,
        warnings: diagnostics,
        inputs,
    })
}

/// The stages from load to the IR: the IR, the warnings found on the way and the files
/// read. Each intermediate document is dropped as soon as the next stage has what it
/// needs; besides the files' positions (kept to locate diagnostics), at most two copies of
/// the definition are alive at any time.
fn read_definition(settings: &Settings) -> Result<(ir::Ir, Vec<Diagnostic>, Vec<PathBuf>), Failure> {
    let mut sources = Sources::default();
    let fail = |diagnostics: Vec<Diagnostic>| Failure::from_diagnostics(diagnostics);
    // Findings know the operation or schema they are in, until they are reported. A run
    // that fails in skip mode reports what it had skipped before too.
    let fail_with = |findings: Vec<Finding>, skips: skip::Skips| {
        fail(
            findings
                .into_iter()
                .map(|f| f.diagnostic)
                .chain(skips.into_errors())
                .collect(),
        )
    };
    // In skip mode, what an error belongs to is left out instead (see `skip`).
    let mut skips = skip::Skips::default();
    let skipped = |skips: &mut skip::Skips, found: &[Finding]| {
        let before = skips.len();
        // Each round must leave out something new, so the rounds end.
        settings.skip_unsupported && skips.absorb(found) && skips.len() > before
    };

    let root = sources.load(&settings.spec, None).map_err(|d| fail(vec![d]))?;
    let dialect = upgrade::dialect(&sources, root).map_err(|d| fail(vec![d]))?;
    let mut resolved = resolve::resolve(&mut sources, root).map_err(fail)?;
    sources.release_values();
    // A `$ref` that cannot be followed costs, in skip mode, what holds it.
    let unresolved = std::mem::take(&mut resolved.errors);
    if !unresolved.is_empty() {
        if !skipped(&mut skips, &unresolved) {
            return Err(fail_with(unresolved, skips));
        }
        skips.prune_document(&mut resolved.document);
    }
    // From here on only the resolved document's map of origins is needed.
    let mut upgraded = upgrade::upgrade(std::mem::take(&mut resolved.document), dialect);
    let mut diagnostics: Vec<Finding> = upgraded
        .errors
        .iter()
        .chain(&upgraded.warnings)
        .map(|(pointer, d)| {
            let at = Provenance::new(&sources, &resolved, &upgraded).locate_resolved(pointer);
            Finding::at_node(d.clone().at(at), pointer)
        })
        .collect();
    if diagnostics.iter().any(Finding::is_error) {
        if !skipped(&mut skips, &diagnostics) {
            return Err(fail_with(diagnostics, skips));
        }
        diagnostics.retain(|d| !d.is_error());
        skips.prune_document(&mut upgraded.document);
    }

    let mut api = loop {
        // The plain read is several times faster; the path-tracking one runs only to say
        // where a failure is.
        let read = openapiv3::OpenAPI::deserialize(&upgraded.document)
            .or_else(|_| serde_path_to_error::deserialize::<_, openapiv3::OpenAPI>(&upgraded.document));
        match read {
            Ok(api) => break api,
            Err(e) => {
                let pointer = model_error::refused_node(&upgraded.document, &path_to_pointer(e.path()));
                let message = format!("not a valid API definition: {}", e.inner());
                let error = Diagnostic::error(message)
                    .at(Provenance::new(&sources, &resolved, &upgraded).locate(&pointer))
                    .help("compare this node with the Swagger 2.0 / OpenAPI 3.0 specification");
                let error = Finding::at_node(error, &pointer);
                if settings.skip_unsupported {
                    // Every item the model refuses, found in one pass: the read above
                    // stops at the first.
                    let mut refused =
                        refused_items(&upgraded.document, &Provenance::new(&sources, &resolved, &upgraded));
                    if !refused.iter().any(|f| f.owner == error.owner) {
                        refused.push(error.clone());
                    }
                    if skipped(&mut skips, &refused) {
                        skips.prune_document(&mut upgraded.document);
                        continue;
                    }
                }
                diagnostics.push(error);
                return Err(fail_with(diagnostics, skips));
            }
        }
    };
    // The model holds everything; only the upgraded document's moves are needed now.
    drop(std::mem::take(&mut upgraded.document));
    let at = Provenance::new(&sources, &resolved, &upgraded);
    loop {
        let found = check::check(&api, &at);
        if !found.iter().any(Finding::is_error) {
            diagnostics.extend(found);
            break;
        }
        if !skipped(&mut skips, &found) {
            diagnostics.extend(found);
            return Err(fail_with(diagnostics, skips));
        }
        // Leaving a schema out can break what is built from it (an `allOf` member that
        // is no object any more): check again until nothing new is found.
        skips.prune_model(&mut api);
    }

    let option_errors = |errors: Vec<ir::OptionError>| -> Vec<Diagnostic> {
        errors
            .into_iter()
            .map(|e| Diagnostic::error(e.message).at(at.locate(&e.pointer)).help(e.help))
            .collect()
    };
    let bad_options = option_errors(ir::check_type_options(&api, &settings.types));
    if !bad_options.is_empty() {
        return Err(fail(bad_options));
    }
    let mut ir = ir::build(&api, &|pointer| at.ref_name_hint(pointer), &settings.types);
    let bad_options = option_errors(ir::misplaced_attributes(&ir));
    if !bad_options.is_empty() {
        return Err(fail(bad_options));
    }
    ir.skipped = skips.documented();
    // Warnings inside what was left out say nothing about the generated code.
    diagnostics.retain(|d| !skips.covers(d));
    let mut diagnostics: Vec<Diagnostic> = diagnostics.into_iter().map(|f| f.diagnostic).collect();
    diagnostics.extend(skips.warnings());
    for rename in &ir.renames {
        diagnostics.push(
            Diagnostic::warning(rename.message.clone())
                .at(at.locate(&rename.pointer))
                .help(rename.help.clone()),
        );
    }
    for client_only in &ir.client_only {
        diagnostics.push(
            Diagnostic::warning(client_only.message.clone())
                .at(at.locate(&client_only.pointer))
                .help(client_only.help),
        );
    }
    if let Some((name, depth)) = &ir.deep_nesting {
        diagnostics.push(
            Diagnostic::warning(format!(
                "type `{name}` nests {depth} generated types deep: a crate that implements the server trait needs a recursion limit above rustc's default of 128 to prove its requests `Send`"
            ))
            .at(at.locate(""))
            .help("put `#![recursion_limit = \"256\"]` at the top of that crate's `lib.rs` or `main.rs` (a generated crate sets it itself)"),
        );
    }
    for example in &ir.examples {
        if let Some(reason) = &example.mismatch {
            diagnostics.push(
                Diagnostic::warning(format!("this example does not fit its schema: {reason}"))
                    .at(at.locate(&example.pointer))
                    .help("fix the example or the schema; the generated example tests check that it is rejected"),
            );
        }
    }
    diag::dedup(&mut diagnostics);
    let inputs = sources.files().map(|(_, f)| f.path.clone()).collect();
    Ok((ir, diagnostics, inputs))
}

/// The definition as one standard OpenAPI document (see `stubforge export`), as pretty
/// JSON, and the warnings generating from it would print. A definition stubforge cannot
/// generate from is refused with the same errors.
pub fn export(spec: &Path, version: OpenApiVersion) -> Result<(String, Vec<Diagnostic>), Failure> {
    // As in `generate`: the stages need a stack that does not depend on the caller's.
    std::thread::scope(|scope| {
        let worker = std::thread::Builder::new()
            .name("stubforge".into())
            .stack_size(limits::PIPELINE_STACK)
            .spawn_scoped(scope, || export_here(spec, version));
        match worker {
            Ok(worker) => worker.join().unwrap_or_else(|panic| std::panic::resume_unwind(panic)),
            Err(_) => export_here(spec, version),
        }
    })
}

fn export_here(spec: &Path, version: OpenApiVersion) -> Result<(String, Vec<Diagnostic>), Failure> {
    // Everything generation would refuse is refused here too.
    let (ir, mut warnings, _) = read_definition(&Settings::new(spec))?;
    let mut sources = Sources::default();
    let fail = |diagnostics: Vec<Diagnostic>| Failure::from_diagnostics(diagnostics);
    let root = sources.load(spec, None).map_err(|d| fail(vec![d]))?;
    let dialect = upgrade::dialect(&sources, root).map_err(|d| fail(vec![d]))?;
    let mut resolved = resolve::resolve(&mut sources, root).map_err(fail)?;
    let mut upgraded = upgrade::upgrade(std::mem::take(&mut resolved.document), dialect);
    // The router's own answers are documented with the profile's error body.
    let exported = export::standard_document(std::mem::take(&mut upgraded.document), version, ir.profile);
    let at = Provenance::new(&sources, &resolved, &upgraded);
    warnings.extend(
        exported
            .warnings
            .into_iter()
            .map(|(pointer, d)| d.at(at.locate(&pointer))),
    );
    let document = exported.document;
    let mut text = serde_json::to_string_pretty(&document).map_err(|e| {
        fail(vec![
            Diagnostic::error(format!("cannot write the export: {e}")).help("report this as a stubforge bug"),
        ])
    })?;
    text.push('\n');
    Ok((text, warnings))
}

/// Skip mode, after the model refused the upgraded document: each operation, path and
/// named schema it refuses on its own, located at the refused node inside it.
fn refused_items(document: &serde_json::Value, at: &Provenance) -> Vec<Finding> {
    skip::refused_items(document)
        .into_iter()
        .map(|(item, message)| {
            let node = model_error::refused_node(document, &item);
            // Narrowing works on the whole path item; keep it inside this item.
            let node = if node.starts_with(&item) { node } else { item.clone() };
            let diagnostic = Diagnostic::error(format!("not a valid API definition: {message}"))
                .at(at.locate(&node))
                .help("compare this node with the Swagger 2.0 / OpenAPI 3.0 specification");
            Finding::at_node(diagnostic, &item)
        })
        .collect()
}

/// Reads one definition file (YAML or JSON) as stubforge sees it, without following
/// `$ref`s: map keys are strings (`200:` is `"200"`), anchors and aliases are expanded.
pub fn read_file(path: &Path) -> Result<serde_json::Value, Failure> {
    let mut sources = Sources::default();
    let id = sources
        .load(path, None)
        .map_err(|d| Failure::from_diagnostics(vec![d]))?;
    Ok(sources.into_value(id))
}

/// Generates and writes the crate into `out_dir` (or, with `check_only`, only compares).
/// Nothing is written when generation fails, and nothing stubforge did not write is
/// replaced unless `settings.force`.
pub fn run(settings: &Settings, out_dir: &Path, check_only: bool) -> Result<(Generated, WriteReport), Failure> {
    let generated = generate(settings)?;
    let mode = WriteMode {
        check_only,
        force: settings.force,
    };
    let report = write::write(out_dir, &generated.files, mode).map_err(Failure::from_diagnostics)?;
    Ok((generated, report))
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
