//! Stage `load`: reads definition files and keeps, for each, its path, its value and
//! where each node was written. YAML goes through libyaml-safer (`load::yaml`), `.json`
//! files through a JSON tokenizer (`load::json`); both feed one builder (`load::tree`)
//! that makes the value and the position index in the same pass.
//!
//! Only regular files up to [`MAX_FILE_BYTES`] are read, so a FIFO, a device or a huge
//! file gives an error instead of a hang or unbounded memory.

mod json;
mod tree;
mod yaml;

use std::collections::HashMap;
use std::io::Read;
use std::path::{Component, Path, PathBuf};
use std::rc::Rc;

use serde_json::Value;

use crate::diag::{Diagnostic, Location};
use crate::locate::Positions;
use tree::{BuildError, TreeBuilder};

/// The largest definition file read: far beyond any real API definition (the largest
/// public ones are a few MB), small enough that reading it cannot exhaust memory.
pub const MAX_FILE_BYTES: u64 = 64 * 1024 * 1024;

/// Index of a file in [`Sources`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct FileId(pub usize);

/// One file that was read.
#[derive(Debug)]
pub struct SourceFile {
    /// The path as reached from the root definition (lexically normalised, not
    /// canonicalised, so that symlinked folders read as the user wrote them).
    pub path: PathBuf,
    /// Shared with resolve; `null` after [`Sources::release_values`] (positions are
    /// found without it).
    pub value: Rc<Value>,
    /// Where each node of `value` was written.
    positions: Positions,
}

/// Every file read during one run, in the order first read.
#[derive(Debug, Default)]
pub struct Sources {
    files: Vec<SourceFile>,
    by_identity: HashMap<PathBuf, FileId>,
}

impl Sources {
    /// Reads and parses `path` unless it was read already. `referrer` names the `$ref`
    /// that asked for it (file and pointer), for the error message; its line is looked up
    /// only when there is an error to report.
    pub fn load(&mut self, path: &Path, referrer: Option<(FileId, &str)>) -> Result<FileId, Diagnostic> {
        let path = normalize(path);
        let referrer = |sources: &Sources| referrer.map(|(file, pointer)| sources.locate(file, pointer));
        // The kind first: `/dev/stdin` has no canonical path when it is a pipe.
        std::fs::metadata(&path)
            .map_err(|e| e.to_string())
            .and_then(|kind| check_kind(&kind))
            .map_err(|reason| not_readable(&path, &reason, referrer(self).as_ref()))?;
        let identity =
            std::fs::canonicalize(&path).map_err(|e| not_readable(&path, &e.to_string(), referrer(self).as_ref()))?;
        if let Some(id) = self.by_identity.get(&identity) {
            return Ok(*id);
        }
        let text = read_regular_file(&path).map_err(|reason| not_readable(&path, &reason, referrer(self).as_ref()))?;
        let (value, positions) = parse(&path, &text)?;
        drop(text);
        let id = FileId(self.files.len());
        self.files.push(SourceFile {
            path,
            value: Rc::new(value),
            positions,
        });
        self.by_identity.insert(identity, id);
        Ok(id)
    }

    pub fn file(&self, id: FileId) -> &SourceFile {
        &self.files[id.0]
    }

    /// The value of file `id`, taking it out of the set.
    pub fn into_value(mut self, id: FileId) -> Value {
        let value = std::mem::take(&mut self.files[id.0].value);
        Rc::try_unwrap(value).unwrap_or_else(|shared| (*shared).clone())
    }

    /// The parsed value of file `id`, shared with the set until [`Sources::release_values`].
    pub fn shared_value(&self, id: FileId) -> Rc<Value> {
        self.files[id.0].value.clone()
    }

    /// Lets go of every file's value once the definition is resolved: the resolved copy
    /// holds what later stages read, and locating needs only the positions. On a large
    /// definition the values weigh several times the text, so keeping them would add to
    /// every later stage's peak.
    pub fn release_values(&mut self) {
        for file in &mut self.files {
            file.value = Rc::new(Value::Null);
        }
    }

    pub fn files(&self) -> impl Iterator<Item = (FileId, &SourceFile)> {
        self.files.iter().enumerate().map(|(i, f)| (FileId(i), f))
    }

    /// The line and column of the node at `pointer` in file `id` (the nearest ancestor
    /// that exists when the node itself does not).
    pub fn locate(&self, id: FileId, pointer: &str) -> Location {
        let file = self.file(id);
        let at = file.positions.find(pointer);
        Location {
            file: file.path.clone(),
            line: at.line as usize,
            column: at.column as usize,
            pointer: pointer.to_string(),
        }
    }
}

/// The text of `path` if it is a regular file of at most [`MAX_FILE_BYTES`]; else why not.
fn read_regular_file(path: &Path) -> Result<String, String> {
    // Checked before opening: opening a FIFO blocks until someone writes to it.
    let kind = std::fs::metadata(path).map_err(|e| e.to_string())?;
    check_kind(&kind)?;
    let file = std::fs::File::open(path).map_err(|e| e.to_string())?;
    // And again on what was opened, in case the path changed in between.
    check_kind(&file.metadata().map_err(|e| e.to_string())?)?;
    let mut text = String::new();
    file.take(MAX_FILE_BYTES + 1)
        .read_to_string(&mut text)
        .map_err(|e| e.to_string())?;
    if text.len() as u64 > MAX_FILE_BYTES {
        return Err(too_large());
    }
    Ok(text)
}

fn check_kind(metadata: &std::fs::Metadata) -> Result<(), String> {
    if metadata.is_dir() {
        return Err("it is a folder, not a file".to_string());
    }
    if !metadata.is_file() {
        return Err(
            "it is not a regular file (a FIFO, a device or a socket cannot be read as a definition)".to_string(),
        );
    }
    if metadata.len() > MAX_FILE_BYTES {
        return Err(too_large());
    }
    Ok(())
}

fn too_large() -> String {
    format!(
        "it is larger than {} MiB, the most a definition file may be",
        MAX_FILE_BYTES >> 20
    )
}

fn not_readable(path: &Path, reason: &str, referrer: Option<&Location>) -> Diagnostic {
    let message = format!("cannot read `{}`: {reason}", path.display());
    match referrer {
        Some(at) => Diagnostic::error(format!("{message}; it is referenced by this `$ref`"))
            .at(at.clone())
            .help("fix the `$ref` path; it is resolved relative to the file that contains it"),
        None => Diagnostic::error(message).help("pass the path of a Swagger 2.0 or OpenAPI 3.0 definition"),
    }
}

/// Parses YAML or JSON text into a JSON value and the positions of its nodes. Map keys
/// that YAML reads as numbers or booleans (response codes such as `200:`) become strings.
fn parse(path: &Path, text: &str) -> Result<(Value, Positions), Diagnostic> {
    let located = |e: BuildError| {
        Diagnostic::error(e.message)
            .at(Location {
                file: path.to_path_buf(),
                line: e.at.line as usize,
                column: e.at.column as usize,
                pointer: e.pointer,
            })
            .help(e.help)
    };
    if path.extension().is_some_and(|e| e == "json") {
        let mut tree = TreeBuilder::new();
        match json::read(text, &mut tree) {
            Ok(()) => return Ok(tree.finish()),
            Err(json::JsonError::Refused(e)) => return Err(located(e)),
            // Not strict JSON: it may still be YAML (comments, a YAML file named `.json`);
            // if it is not, the JSON message says best what is wrong.
            Err(json::JsonError::Syntax(json_error)) => {
                let mut tree = TreeBuilder::new();
                return match yaml::read(text, &mut tree) {
                    Ok(()) => Ok(tree.finish()),
                    Err(_) => Err(located(json_error)),
                };
            }
        }
    }
    let mut tree = TreeBuilder::new();
    yaml::read(text, &mut tree).map_err(located)?;
    Ok(tree.finish())
}

/// Removes `.` and folds `..` lexically, the way URI references resolve.
pub fn normalize(path: &Path) -> PathBuf {
    let mut out = PathBuf::new();
    for component in path.components() {
        match component {
            Component::CurDir => {}
            Component::ParentDir => {
                let can_pop = matches!(out.components().next_back(), Some(Component::Normal(_)));
                if can_pop {
                    out.pop();
                } else {
                    out.push("..");
                }
            }
            other => out.push(other.as_os_str()),
        }
    }
    if out.as_os_str().is_empty() {
        out.push(".");
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn positions(name: &str, text: &str, pointers: &[&str]) -> Vec<(u32, u32)> {
        let (_, positions) = parse(Path::new(name), text).unwrap();
        pointers
            .iter()
            .map(|p| {
                let at = positions.find(p);
                (at.line, at.column)
            })
            .collect()
    }

    #[test]
    fn finds_keys_items_flow_nodes_and_nearest_ancestors() {
        let text = "a:\n  b:\n    - x\n    - {c: 1}\n200:\n  d: |-\n    text\n  e: {\n    \"f\": 1\n  }\n  g: &g [1, 2]\n  h: *g\n";
        assert_eq!(
            positions(
                "api.yaml",
                text,
                &[
                    "",
                    "/a",
                    "/a/b",
                    "/a/b/1",
                    "/a/b/1/c",
                    "/200/d",
                    "/200/e/f",
                    "/200/g/1",
                    "/200/h/1",
                    "/200/missing/deeper"
                ]
            ),
            [
                (1, 1),
                (1, 1),
                (2, 3),
                (4, 7),
                (4, 8),
                (6, 3),
                (9, 5),
                (11, 13),
                (12, 3),
                (5, 1)
            ]
        );
    }

    #[test]
    fn json_columns_count_characters() {
        let text = "{\"é€\": \"\\ud83d\\udc4d\", \"x\": [1, {\"y\": null}]}";
        assert_eq!(
            positions("api.json", text, &["/é€", "/x", "/x/1/y"]),
            [(1, 2), (1, 24), (1, 34)]
        );
    }
}
