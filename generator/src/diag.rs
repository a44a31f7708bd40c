//! Diagnostics: every problem the generator finds in its input, with where it is and what
//! to do about it. Errors are values; stages collect them and report them together.

use std::fmt;
use std::path::PathBuf;

/// How bad a finding is: errors stop generation, warnings are printed and generation goes on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Severity {
    /// Printed; generation goes on.
    Warning,
    /// Generation stops and writes nothing.
    Error,
}

/// Where in the input a finding points: a file, the line and column when known, and the
/// JSON pointer of the node inside that file.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Location {
    /// The file, as the user named it or as a `$ref` reached it.
    pub file: PathBuf,
    /// 1-based line.
    pub line: usize,
    /// 1-based column.
    pub column: usize,
    /// The JSON pointer of the node inside the file (`/paths/~1rooms/get`).
    pub pointer: String,
}

/// One finding about the input.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Diagnostic {
    /// Whether it stops generation.
    pub severity: Severity,
    /// Where it points; `None` for findings about the run itself (an unreadable file).
    pub location: Option<Location>,
    /// What is wrong, one sentence, no trailing period.
    pub message: String,
    /// What to do about it.
    pub help: Option<String>,
}

/// A diagnostic with the operation or named schema it is inside, when it is inside one:
/// what skip mode leaves out instead of failing the run (see `skip`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Finding {
    /// The finding itself.
    pub diagnostic: Diagnostic,
    /// The operation, path or schema it is inside; `None` outside every one.
    pub owner: Option<Owner>,
}

impl Finding {
    /// A finding about the node at `pointer` of the upgraded (or resolved) document.
    pub fn at_node(diagnostic: Diagnostic, pointer: &str) -> Self {
        Finding {
            diagnostic,
            owner: Owner::of_pointer(pointer),
        }
    }

    /// A finding about the document as a whole.
    pub fn unowned(diagnostic: Diagnostic) -> Self {
        Finding {
            diagnostic,
            owner: None,
        }
    }

    /// Whether the finding is an error.
    pub fn is_error(&self) -> bool {
        self.diagnostic.is_error()
    }
}

/// The part of a definition a finding belongs to.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Owner {
    /// One operation, `/paths/{path}/{method}`.
    Operation {
        /// The path template as written.
        path: String,
        /// The method, as the key under the path (`get`).
        method: String,
    },
    /// Every operation of a path: the path template or the parameters they share.
    Path {
        /// The path template as written.
        path: String,
    },
    /// A named schema (`/components/schemas/NAME`, Swagger 2.0 `/definitions/NAME`).
    Schema {
        /// The schema's name in the definition.
        name: String,
    },
}

impl Diagnostic {
    /// An error with this message, not yet located.
    pub fn error(message: impl Into<String>) -> Self {
        Diagnostic {
            severity: Severity::Error,
            location: None,
            message: message.into(),
            help: None,
        }
    }

    /// A warning with this message, not yet located.
    pub fn warning(message: impl Into<String>) -> Self {
        Diagnostic {
            severity: Severity::Warning,
            ..Diagnostic::error(message)
        }
    }

    /// The same diagnostic, pointing at `location`.
    pub fn at(mut self, location: Location) -> Self {
        self.location = Some(location);
        self
    }

    /// The same diagnostic, saying what to do.
    pub fn help(mut self, help: impl Into<String>) -> Self {
        self.help = Some(help.into());
        self
    }

    /// Whether it stops generation.
    pub fn is_error(&self) -> bool {
        self.severity == Severity::Error
    }
}

impl Owner {
    /// The operation, path or named schema whose subtree holds `pointer`; `None` for
    /// the rest of the document (info, servers, security schemes, the root itself).
    pub fn of_pointer(pointer: &str) -> Option<Owner> {
        let segments = split_pointer(pointer);
        match segments.as_slice() {
            [paths, path, method, ..] if paths == "paths" && crate::skip::METHODS.contains(&method.as_str()) => {
                Some(Owner::Operation {
                    path: path.clone(),
                    method: method.clone(),
                })
            }
            [paths, path, ..] if paths == "paths" => Some(Owner::Path { path: path.clone() }),
            [components, schemas, name, ..] if components == "components" && schemas == "schemas" => {
                Some(Owner::Schema { name: name.clone() })
            }
            [definitions, name, ..] if definitions == "definitions" => Some(Owner::Schema { name: name.clone() }),
            _ => None,
        }
    }
}

impl fmt::Display for Diagnostic {
    /// `error: FILE:LINE:COL: what is wrong (at /json/pointer)` and, on the next line,
    /// `  help: what to do`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let label = match self.severity {
            Severity::Error => "error",
            Severity::Warning => "warning",
        };
        write!(f, "{label}: ")?;
        match &self.location {
            Some(loc) => {
                write!(
                    f,
                    "{}:{}:{}: {}",
                    loc.file.display(),
                    loc.line,
                    loc.column,
                    self.message
                )?;
                let pointer = if loc.pointer.is_empty() { "/" } else { &loc.pointer };
                write!(f, " (at {pointer})")?;
            }
            None => write!(f, "{}", self.message)?,
        }
        if let Some(help) = &self.help {
            write!(f, "\n  help: {help}")?;
        }
        Ok(())
    }
}

/// Everything that stopped a generation run. Holds at least one error; warnings found on
/// the way are kept so that nothing the user should read is lost.
#[derive(Clone, PartialEq, Eq, thiserror::Error)]
pub struct Failure {
    /// Errors first, then warnings, each group in file order.
    pub diagnostics: Vec<Diagnostic>,
}

/// The located messages themselves, so that a build script's
/// `fn main() -> Result<(), Failure>` fails with them rather than with a struct dump.
impl fmt::Debug for Failure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "\n{self}")
    }
}

impl fmt::Display for Failure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, d) in self.diagnostics.iter().enumerate() {
            if i > 0 {
                writeln!(f)?;
            }
            write!(f, "{d}")?;
        }
        Ok(())
    }
}

impl Failure {
    /// A failure holding these diagnostics, sorted and without repeats.
    pub fn from_diagnostics(mut diagnostics: Vec<Diagnostic>) -> Self {
        diagnostics.sort_by(|a, b| b.severity.cmp(&a.severity).then(a.location.cmp(&b.location)));
        dedup(&mut diagnostics);
        Failure { diagnostics }
    }

    /// The errors alone.
    pub fn errors(&self) -> impl Iterator<Item = &Diagnostic> {
        self.diagnostics.iter().filter(|d| d.is_error())
    }
}

/// Drops repeats of a diagnostic, keeping the first. A node that a `$ref` brings into
/// several places is checked in each, but its problem is reported once.
pub fn dedup(diagnostics: &mut Vec<Diagnostic>) {
    let mut seen = std::collections::HashSet::new();
    diagnostics.retain(|d| seen.insert(d.to_string()));
}

/// Escapes one JSON pointer segment (RFC 6901).
pub fn escape_segment(segment: &str) -> String {
    segment.replace('~', "~0").replace('/', "~1")
}

/// Splits a JSON pointer into unescaped segments. `""` is the whole document.
pub fn split_pointer(pointer: &str) -> Vec<String> {
    if pointer.is_empty() {
        return Vec::new();
    }
    pointer
        .trim_start_matches('/')
        .split('/')
        .map(|s| s.replace("~1", "/").replace("~0", "~"))
        .collect()
}

/// Appends one segment to a pointer.
pub fn child_pointer(parent: &str, segment: &str) -> String {
    format!("{parent}/{}", escape_segment(segment))
}

/// The prefixes of a pointer, longest first, ending with `""` (the whole document), as
/// slices of it: `/a/b` → `/a/b`, `/a`, `""`. Lookups by prefix allocate nothing.
pub fn pointer_prefixes(pointer: &str) -> impl Iterator<Item = &str> {
    let cuts = pointer.rmatch_indices('/').map(|(i, _)| i);
    std::iter::once(pointer)
        .chain(cuts.map(move |i| &pointer[..i]))
        .filter(|p| !p.is_empty())
        .chain(
            // `""` once, also when `pointer` itself is empty.
            std::iter::once(""),
        )
}

#[cfg(test)]
mod tests {
    use super::pointer_prefixes;

    #[test]
    fn prefixes_run_from_the_pointer_to_the_root() {
        let all: Vec<&str> = pointer_prefixes("/a/b~1c/0").collect();
        assert_eq!(all, ["/a/b~1c/0", "/a/b~1c", "/a", ""]);
        assert_eq!(pointer_prefixes("").collect::<Vec<_>>(), [""]);
    }

    #[test]
    fn owners_are_read_from_pointers() {
        use super::Owner;
        let operation = Owner::of_pointer("/paths/~1pods~1{name}/patch/requestBody/content");
        assert_eq!(
            operation,
            Some(Owner::Operation {
                path: "/pods/{name}".into(),
                method: "patch".into()
            })
        );
        let path = Some(Owner::Path { path: "/pods".into() });
        assert_eq!(Owner::of_pointer("/paths/~1pods/parameters/0"), path);
        assert_eq!(Owner::of_pointer("/paths/~1pods"), path);
        let schema = Some(Owner::Schema { name: "Pod".into() });
        assert_eq!(Owner::of_pointer("/components/schemas/Pod/properties/spec"), schema);
        assert_eq!(Owner::of_pointer("/definitions/Pod"), schema);
        assert_eq!(Owner::of_pointer("/servers/0/url"), None);
        assert_eq!(Owner::of_pointer("/components/securitySchemes/key"), None);
        assert_eq!(Owner::of_pointer(""), None);
    }
}
