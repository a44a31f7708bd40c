//! Generation from a build script, in the style of `tonic_build::configure()`: the same
//! library call as the CLI, writing one file of inline modules to `OUT_DIR`.
//!
//! ```no_run
//! // build.rs
//! fn main() -> Result<(), stubforge::Failure> {
//!     stubforge::configure()
//!         .spec("api/server-server/leaving.yaml")
//!         .generate()?;
//!     Ok(())
//! }
//! ```
//!
//! ```ignore
//! // src/lib.rs
//! include!(concat!(env!("OUT_DIR"), "/leaving.rs"));
//! ```

use std::path::{Path, PathBuf};

use crate::{Diagnostic, Failure, Layout, Parts, Settings, TypeOptions, generate, write};

/// Starts a build-script configuration.
pub fn configure() -> Builder {
    Builder {
        spec: None,
        parts: Parts {
            example_tests: false,
            ..Parts::default()
        },
        out_dir: None,
        file_name: None,
        force: false,
        skip_unsupported: false,
        types: TypeOptions::default(),
    }
}

/// What a build script generates. Every setter returns the builder.
#[derive(Debug, Clone)]
pub struct Builder {
    spec: Option<PathBuf>,
    parts: Parts,
    out_dir: Option<PathBuf>,
    file_name: Option<String>,
    force: bool,
    skip_unsupported: bool,
    types: TypeOptions,
}

impl Builder {
    /// The root definition, relative to the crate being built (cargo runs build scripts
    /// there).
    pub fn spec(mut self, path: impl AsRef<Path>) -> Self {
        self.spec = Some(path.as_ref().to_path_buf());
        self
    }

    /// Whether to generate the server module (default: yes).
    pub fn server(mut self, on: bool) -> Self {
        self.parts.server = on;
        self
    }

    /// Whether to generate the client module (default: yes).
    pub fn client(mut self, on: bool) -> Self {
        self.parts.client = on;
        self
    }

    /// Whether to generate the `#[cfg(test)]` module that reads every example of the
    /// definition into its type (default: no).
    pub fn example_tests(mut self, on: bool) -> Self {
        self.parts.example_tests = on;
        self
    }

    /// Where to write (default: `OUT_DIR`).
    pub fn out_dir(mut self, dir: impl AsRef<Path>) -> Self {
        self.out_dir = Some(dir.as_ref().to_path_buf());
        self
    }

    /// The output file's stem (default: the definition's file stem, `leaving` →
    /// `leaving.rs`).
    pub fn file_name(mut self, name: impl Into<String>) -> Self {
        self.file_name = Some(name.into());
        self
    }

    /// Whether to replace an existing output file that stubforge did not write (default:
    /// no, such a file is refused with an error).
    pub fn force(mut self, on: bool) -> Self {
        self.force = on;
        self
    }

    /// Skip mode (default: off). An operation with an error is left out, and a named
    /// schema with one is read as any JSON value (`serde_json::Value`), each with a
    /// warning, instead of failing the build; errors outside any operation or schema
    /// still fail it. The generated file's `skipped` module lists what was left out.
    pub fn skip_unsupported(mut self, on: bool) -> Self {
        self.skip_unsupported = on;
        self
    }

    /// Writes `attributes` (whole outer attributes, `#[derive(Hash)]`) above the type of
    /// the schema `schema`, after stubforge's own. A schema is named by its key under
    /// `definitions` or `components/schemas`, as written; naming one the definition does
    /// not have is an error. Repeat to add more.
    pub fn type_attribute(mut self, schema: impl Into<String>, attributes: impl Into<String>) -> Self {
        self.types.attributes.push((schema.into(), attributes.into()));
        self
    }

    /// Uses the Rust type `path` (`::ruma_common::OwnedRoomId`) wherever the schema
    /// `schema` is referenced, and generates no model for it. The type must serialize as
    /// the schema does and implement `Debug`, `Clone` and `PartialEq` (and whatever the
    /// types that hold it derive).
    pub fn map_type(mut self, schema: impl Into<String>, path: impl Into<String>) -> Self {
        self.types.replacements.push((schema.into(), path.into()));
        self
    }

    /// Names the type of the schema `schema` `name` instead of the name its key gives.
    pub fn rename_type(mut self, schema: impl Into<String>, name: impl Into<String>) -> Self {
        self.types.renames.push((schema.into(), name.into()));
        self
    }

    /// Generates and writes the file (only when its contents changed), prints
    /// `cargo:rerun-if-changed` for the definition and every file it reaches through
    /// `$ref`, and passes warnings to cargo. Returns the written file's path.
    ///
    /// A failure's `Debug` is its located messages, so `fn main() -> Result<(), Failure>`
    /// fails the build with them.
    pub fn generate(self) -> Result<PathBuf, Failure> {
        let fail = |message: &str, help: &str| Failure::from_diagnostics(vec![Diagnostic::error(message).help(help)]);
        let spec = self
            .spec
            .ok_or_else(|| fail("no definition given", "call `.spec(\"path/to/api.yaml\")`"))?;
        let out_dir = match self.out_dir {
            Some(dir) => dir,
            None => std::env::var_os("OUT_DIR").map(PathBuf::from).ok_or_else(|| {
                fail(
                    "OUT_DIR is not set",
                    "call this from a build script, or give `.out_dir(..)`",
                )
            })?,
        };
        let name = match self.file_name {
            Some(name) => name,
            None => spec
                .file_stem()
                .map(|s| s.to_string_lossy().replace(['-', '.'], "_"))
                .unwrap_or_else(|| "api".to_string()),
        };
        let settings = Settings {
            source_label: Some(spec.display().to_string()),
            spec,
            layout: Layout::SingleFile { name },
            parts: self.parts,
            force: self.force,
            skip_unsupported: self.skip_unsupported,
            types: self.types,
        };
        let generated = match generate(&settings) {
            Ok(generated) => generated,
            Err(failure) => {
                // cargo reruns a failed build script anyway; still name the definition so
                // that fixing it is noticed.
                println!("cargo:rerun-if-changed={}", watched(&settings.spec).display());
                return Err(failure);
            }
        };
        for input in &generated.inputs {
            println!("cargo:rerun-if-changed={}", watched(input).display());
        }
        for warning in &generated.warnings {
            for line in warning.to_string().lines() {
                println!("cargo:warning={line}");
            }
        }
        let mode = write::WriteMode {
            check_only: false,
            force: settings.force,
        };
        write::write(&out_dir, &generated.files, mode).map_err(Failure::from_diagnostics)?;
        Ok(out_dir.join(&generated.files[0].path))
    }
}

/// The path to name in `cargo:rerun-if-changed` for `input`. Cargo reads one instruction
/// per line, so a file name with a line break would end the instruction and start
/// another one of the definition's choosing; the nearest folder without one is watched
/// instead (cargo scans a watched folder for any change).
fn watched(input: &Path) -> &Path {
    let one_line = |p: &Path| !p.to_string_lossy().contains(['\n', '\r']);
    input
        .ancestors()
        .find(|p| one_line(p) && !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."))
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    #[test]
    fn a_line_break_in_a_file_name_cannot_start_a_cargo_instruction() {
        assert_eq!(super::watched(Path::new("api/leave.yaml")), Path::new("api/leave.yaml"));
        let hostile = Path::new("api/x\ncargo:rustc-link-arg=-evil/y.yaml");
        assert_eq!(super::watched(hostile), Path::new("api"));
        assert_eq!(super::watched(Path::new("x\r.yaml")), Path::new("."));
    }
}
