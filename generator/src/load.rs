//! Stage `load`: reads definition files (YAML or JSON, both through serde_yaml) and keeps
//! each file's path and text so that later stages can point at lines.

use std::collections::HashMap;
use std::path::{Component, Path, PathBuf};
use std::sync::OnceLock;

use serde_json::Value;

use crate::diag::{Diagnostic, Location};
use crate::locate::LineIndex;

/// Index of a file in [`Sources`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct FileId(pub usize);

/// One file that was read.
#[derive(Debug)]
pub struct SourceFile {
    /// The path as reached from the root definition (lexically normalised, not
    /// canonicalised, so that symlinked folders read as the user wrote them).
    pub path: PathBuf,
    pub text: String,
    pub value: Value,
    /// Built only when a diagnostic needs a line number.
    lines: OnceLock<LineIndex>,
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
        let identity = std::fs::canonicalize(&path).map_err(|e| not_readable(&path, &e, referrer(self).as_ref()))?;
        if let Some(id) = self.by_identity.get(&identity) {
            return Ok(*id);
        }
        let text = std::fs::read_to_string(&path).map_err(|e| not_readable(&path, &e, referrer(self).as_ref()))?;
        let value = parse(&path, &text)?;
        let id = FileId(self.files.len());
        self.files.push(SourceFile {
            path,
            text,
            value,
            lines: OnceLock::new(),
        });
        self.by_identity.insert(identity, id);
        Ok(id)
    }

    pub fn file(&self, id: FileId) -> &SourceFile {
        &self.files[id.0]
    }

    /// Hands the parsed value of file `id` over to the caller (resolve, which reads each
    /// file once), leaving `null`; the text stays for locating diagnostics.
    pub fn take_value(&mut self, id: FileId) -> Value {
        std::mem::take(&mut self.files[id.0].value)
    }

    pub fn files(&self) -> impl Iterator<Item = (FileId, &SourceFile)> {
        self.files.iter().enumerate().map(|(i, f)| (FileId(i), f))
    }

    /// The line and column of the node at `pointer` in file `id` (the nearest ancestor
    /// that exists when the node itself does not).
    pub fn locate(&self, id: FileId, pointer: &str) -> Location {
        let file = self.file(id);
        let index = file.lines.get_or_init(|| LineIndex::build(&file.text));
        let (line, column) = index.position(pointer);
        Location {
            file: file.path.clone(),
            line,
            column,
            pointer: pointer.to_string(),
        }
    }
}

fn not_readable(path: &Path, err: &std::io::Error, referrer: Option<&Location>) -> Diagnostic {
    let message = format!("cannot read `{}`: {err}", path.display());
    match referrer {
        Some(at) => Diagnostic::error(format!("{message}; it is referenced by this `$ref`"))
            .at(at.clone())
            .help("fix the `$ref` path; it is resolved relative to the file that contains it"),
        None => Diagnostic::error(message).help("pass the path of a Swagger 2.0 or OpenAPI 3.0 definition"),
    }
}

/// Parses YAML or JSON text into a JSON value. Map keys that YAML reads as numbers or
/// booleans (response codes such as `200:`) become strings.
fn parse(path: &Path, text: &str) -> Result<Value, Diagnostic> {
    // JSON is YAML, but serde_json reads it many times faster; anything it refuses goes
    // through serde_yaml, which also gives the error its position.
    if path.extension().is_some_and(|e| e == "json") {
        if let Ok(value) = serde_json::from_str(text) {
            return Ok(value);
        }
    }
    let yaml: serde_yaml::Value = serde_yaml::from_str(text).map_err(|e| {
        let (line, column) = e.location().map(|l| (l.line(), l.column())).unwrap_or((1, 1));
        let mut message = e.to_string();
        // serde_yaml appends " at line L column C"; the location already says it.
        if let Some(cut) = message.find(" at line ") {
            message.truncate(cut);
        }
        Diagnostic::error(format!("not valid YAML or JSON: {message}"))
            .at(Location {
                file: path.to_path_buf(),
                line,
                column,
                pointer: String::new(),
            })
            .help("fix the syntax at this position")
    })?;
    yaml_to_json(yaml).map_err(|message| {
        Diagnostic::error(message).at(Location {
            file: path.to_path_buf(),
            line: 1,
            column: 1,
            pointer: String::new(),
        })
    })
}

fn yaml_to_json(yaml: serde_yaml::Value) -> Result<Value, String> {
    use serde_yaml::Value as Y;
    Ok(match yaml {
        Y::Null => Value::Null,
        Y::Bool(b) => Value::Bool(b),
        Y::Number(n) => {
            if let Some(i) = n.as_i64() {
                Value::from(i)
            } else if let Some(u) = n.as_u64() {
                Value::from(u)
            } else {
                let f = n.as_f64().unwrap_or(f64::NAN);
                serde_json::Number::from_f64(f)
                    .map(Value::Number)
                    .ok_or_else(|| format!("the number `{n}` cannot be represented in JSON"))?
            }
        }
        Y::String(s) => Value::String(s),
        Y::Sequence(items) => Value::Array(items.into_iter().map(yaml_to_json).collect::<Result<_, _>>()?),
        Y::Mapping(map) => {
            let mut object = serde_json::Map::new();
            for (k, v) in map {
                let key = match k {
                    Y::String(s) => s,
                    Y::Number(n) => n.to_string(),
                    Y::Bool(b) => b.to_string(),
                    Y::Null => "null".to_string(),
                    other => return Err(format!("a map key must be a string, found {other:?}")),
                };
                object.insert(key, yaml_to_json(v)?);
            }
            Value::Object(object)
        }
        Y::Tagged(tagged) => yaml_to_json(tagged.value)?,
    })
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
