//! Lays the emitted modules out as files: a crate folder, or one file for `include!`.

use std::path::{Path, PathBuf};

use crate::diag::Diagnostic;
use proc_macro2::TokenStream;
use quote::ToTokens;

use crate::emit::{self, Body, Gate, Module};
use crate::inert::one_line;
use crate::ir::{Ir, naming::snake_ident};
use crate::write::{GENERATED_MARK, OutputFile, format_rust};
use crate::{Layout, Settings};

pub fn files(ir: &Ir, modules: Vec<Module>, settings: &Settings, label: &str) -> Result<Vec<OutputFile>, Diagnostic> {
    // The label is one line of a comment, whatever the spec path holds.
    let label = &*one_line(label);
    let header = format!("// {GENERATED_MARK} from {label}. Do not edit: regenerate instead.");
    match &settings.layout {
        Layout::Crate { name } => {
            let crate_name = match name {
                Some(name) => validate_crate_name(name)?,
                None => default_crate_name(&ir.title),
            };
            let mut files = vec![
                OutputFile {
                    path: PathBuf::from("Cargo.toml"),
                    contents: crate::manifest::cargo_manifest(ir, &crate_name, label),
                },
                OutputFile {
                    path: PathBuf::from("src/lib.rs"),
                    contents: format_rust(emit::emit_crate_root(ir, &modules), &header)?,
                },
            ];
            let texts = crate::parallel::map_in_threads(&modules, format_threads(), |module| {
                // Each module is emitted, formatted and dropped before a thread takes
                // the next one.
                match module.body {
                    Body::Emitted(emit) => format_rust(emit(ir), &header),
                    Body::Fixed(source) => Ok(format!("{header}\n{source}")),
                }
            });
            for (module, contents) in modules.iter().zip(texts) {
                files.push(OutputFile {
                    path: Path::new("src").join(format!("{}.rs", module.name)),
                    contents: contents?,
                });
            }
            Ok(files)
        }
        Layout::SingleFile { name } => {
            let parts = settings.parts;
            let mut kept = Vec::new();
            for module in &modules {
                let wanted = match module.gate {
                    Gate::Always => true,
                    Gate::Test => parts.example_tests,
                    Gate::Feature("server") => parts.server,
                    Gate::Feature("client") => parts.client,
                    // Its dependencies (ed25519-dalek, base64) are the crate's `x-matrix`
                    // feature; a build script's crate adds the module from a generated crate.
                    Gate::Feature(crate::emit::x_matrix::FEATURE) => false,
                    Gate::Feature(_) => true,
                };
                if wanted {
                    kept.push((module, body_tokens(ir, &module.body)?));
                }
            }
            let tokens = emit::emit_single_file(ir, kept);
            Ok(vec![OutputFile {
                path: PathBuf::from(format!("{name}.rs")),
                contents: format_rust(tokens, &header)?,
            }])
        }
    }
}

/// How many threads emit and format the modules of a crate: `STUBFORGE_THREADS`, else
/// one. Measured on a 4 MB cluster API: two threads take the same CPU time and less
/// wall time, but hold two modules' trees at once, about half as much memory again at
/// the peak; memory is what limits generation on small machines, so one is the default.
fn format_threads() -> usize {
    std::env::var("STUBFORGE_THREADS")
        .ok()
        .and_then(|n| n.parse().ok())
        .unwrap_or(1)
}

/// A module's contents as tokens; a template is parsed (comments other than docs do
/// not survive, which an included file does not need).
fn body_tokens(ir: &Ir, body: &Body) -> Result<TokenStream, Diagnostic> {
    match body {
        Body::Emitted(emit) => Ok(emit(ir)),
        Body::Fixed(source) => {
            let file = syn::parse_file(source).map_err(|e| {
                Diagnostic::error(format!("internal error: a template does not parse: {e}"))
                    .help("this is a bug in stubforge; please report it")
            })?;
            Ok(file.into_token_stream())
        }
    }
}

/// `Matrix Federation Leave Room API` → `matrix-federation-leave-room-api`.
fn default_crate_name(title: &str) -> String {
    let snake = snake_ident(title);
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
