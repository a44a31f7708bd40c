//! Stage `resolve`: follows every `$ref` across files and JSON pointers, applying the
//! Matrix merge rule, and produces one document.
//!
//! - A `$ref` to a root definition (`#/definitions/X`, `#/components/schemas/X`) with no
//!   sibling keys stays a reference: it names a type.
//! - A `$ref` whose siblings only annotate it (`description`, `nullable`, `example`, …)
//!   becomes `allOf: [{$ref}]` beside them, the ref resolved as a plain one: the use
//!   site keeps its notes and the target stays one type.
//! - Every other `$ref` is replaced by its target. Sibling keys then replace the target's
//!   keys (shallow), and refs inside those siblings resolve relative to the *referenced*
//!   document, as the Matrix definitions expect.
//! - A target that contains itself (a recursive schema) is hoisted into the root's
//!   definitions under its name and referred to, so resolution always terminates.
//! - A chain of refs that loops back without reaching any content is an error.

use std::collections::BTreeMap;
use std::path::Path;

use serde_json::{Map, Value};

use crate::diag::{Diagnostic, child_pointer, pointer_prefixes, split_pointer};
use crate::load::{FileId, Sources};

/// Where a node of the resolved document came from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Origin {
    pub file: FileId,
    pub pointer: String,
    /// The `$ref` target that brought this node in, when one did: its file or pointer
    /// can name the type.
    pub named_by: Option<(FileId, String)>,
}

/// The resolved document and a map back to the files it came from.
#[derive(Debug)]
pub struct Resolved {
    pub root: FileId,
    pub document: Value,
    /// Resolved pointer → origin, recorded where the mapping changes (at refs); every
    /// other node maps through its nearest recorded ancestor.
    origins: BTreeMap<String, Origin>,
}

impl Resolved {
    /// The file and file pointer of the node at `pointer` in the resolved document.
    pub fn origin(&self, pointer: &str) -> Origin {
        for prefix in pointer_prefixes(pointer) {
            if let Some(origin) = self.origins.get(prefix) {
                return Origin {
                    file: origin.file,
                    pointer: format!("{}{}", origin.pointer, &pointer[prefix.len()..]),
                    named_by: origin.named_by.clone().filter(|_| prefix.len() == pointer.len()),
                };
            }
        }
        Origin {
            file: self.root,
            pointer: pointer.to_string(),
            named_by: None,
        }
    }

    /// A type-name hint for a node that a `$ref` brought in: the last pointer segment, or
    /// the file's stem (`errors/error.yaml` → `error`).
    pub fn ref_name_hint(&self, pointer: &str, sources: &Sources) -> Option<String> {
        let (file, target) = self.origins.get(pointer)?.named_by.as_ref()?;
        match split_pointer(target).pop() {
            Some(last) => Some(last),
            None => sources
                .file(*file)
                .path
                .file_stem()
                .map(|s| s.to_string_lossy().into_owned()),
        }
    }
}

/// Which root section holds named schemas.
fn definitions_pointer(document: &Value) -> &'static str {
    if document.get("openapi").is_some() {
        "/components/schemas"
    } else {
        "/definitions"
    }
}

pub fn resolve(sources: &mut Sources, root: FileId) -> Result<Resolved, Vec<Diagnostic>> {
    let root_value = sources.file(root).value.clone();
    let definitions = definitions_pointer(&root_value);
    let mut resolver = Resolver {
        sources,
        root,
        definitions,
        diagnostics: Vec::new(),
        origins: BTreeMap::new(),
        stack: Vec::new(),
        hoisted: BTreeMap::new(),
        hoisted_names: BTreeMap::new(),
    };
    resolver.origins.insert(
        String::new(),
        Origin {
            file: root,
            pointer: String::new(),
            named_by: None,
        },
    );
    let here = Place {
        base: root,
        origin: root,
        pointer: String::new(),
        out: String::new(),
        in_example: false,
    };
    let mut document = resolver.resolve_value(&root_value, &here);
    resolver.insert_hoisted(&mut document);
    if resolver.diagnostics.iter().any(Diagnostic::is_error) {
        return Err(resolver.diagnostics);
    }
    Ok(Resolved {
        root,
        document,
        origins: resolver.origins,
    })
}

/// Where the walk is: `base` is the file refs resolve against, `origin`/`pointer` the
/// file position of the current node (for messages), `out` its pointer in the output.
#[derive(Clone)]
struct Place {
    base: FileId,
    origin: FileId,
    pointer: String,
    out: String,
    in_example: bool,
}

impl Place {
    fn child(&self, key: &str) -> Place {
        Place {
            base: self.base,
            origin: self.origin,
            pointer: child_pointer(&self.pointer, key),
            out: child_pointer(&self.out, key),
            in_example: self.in_example || matches!(key, "example" | "examples" | "x-example"),
        }
    }
}

/// A ref target being expanded, for cycle detection.
struct Frame {
    file: FileId,
    pointer: String,
    /// The target is itself only a `$ref`: a loop made of such frames reaches no content.
    only_ref: bool,
    label: String,
}

struct Resolver<'a> {
    sources: &'a mut Sources,
    root: FileId,
    definitions: &'static str,
    diagnostics: Vec<Diagnostic>,
    origins: BTreeMap<String, Origin>,
    stack: Vec<Frame>,
    /// Name → resolved recursive target, added to the root definitions at the end.
    hoisted: BTreeMap<String, (Value, Origin)>,
    /// (file, pointer) → the name it was hoisted under.
    hoisted_names: BTreeMap<(FileId, String), String>,
}

impl Resolver<'_> {
    fn resolve_value(&mut self, value: &Value, at: &Place) -> Value {
        match value {
            Value::Object(map) => match map.get("$ref") {
                Some(Value::String(reference)) => self.resolve_ref(reference, map, at),
                _ => Value::Object(
                    map.iter()
                        .map(|(k, v)| (k.clone(), self.resolve_value(v, &at.child(k))))
                        .collect(),
                ),
            },
            Value::Array(items) => Value::Array(
                items
                    .iter()
                    .enumerate()
                    .map(|(i, v)| self.resolve_value(v, &at.child(&i.to_string())))
                    .collect(),
            ),
            other => other.clone(),
        }
    }

    fn error_at(&mut self, at: &Place, pointer: &str, message: String, help: &str) {
        let location = self.sources.locate(at.origin, pointer);
        self.diagnostics
            .push(Diagnostic::error(message).at(location).help(help));
    }

    fn resolve_ref(&mut self, reference: &str, map: &Map<String, Value>, at: &Place) -> Value {
        let ref_pointer = child_pointer(&at.pointer, "$ref");
        let (file_part, fragment) = reference.split_once('#').unwrap_or((reference, ""));
        if is_remote(file_part) {
            self.error_at(
                at,
                &ref_pointer,
                format!("`$ref: {reference}` points at the network; stubforge never fetches remote definitions"),
                "save the document next to this file and refer to it by a relative path",
            );
            return Value::Null;
        }
        let target_file = if file_part.is_empty() {
            at.base
        } else {
            let dir = self
                .sources
                .file(at.base)
                .path
                .parent()
                .map(Path::to_path_buf)
                .unwrap_or_default();
            match self.sources.load(&dir.join(file_part), Some((at.origin, &ref_pointer))) {
                Ok(id) => id,
                Err(d) => {
                    self.diagnostics.push(d);
                    return Value::Null;
                }
            }
        };
        let target_pointer = percent_decode(fragment);
        let siblings: Vec<(&String, &Value)> = map.iter().filter(|(k, _)| *k != "$ref").collect();
        if let Some(annotated) = self.annotated_ref(reference, &siblings, target_file, at) {
            return annotated;
        }

        // A plain reference to a root definition names a type: keep it.
        if !at.in_example && siblings.is_empty() && target_file == self.root {
            if let Some(name) = definition_name(&target_pointer, self.definitions) {
                if self.sources.file(self.root).value.pointer(&target_pointer).is_none() {
                    self.missing_target(at, &ref_pointer, reference, target_file, &target_pointer);
                    return Value::Null;
                }
                return self.local_ref(&name);
            }
        }

        let Some(target) = self.sources.file(target_file).value.pointer(&target_pointer).cloned() else {
            self.missing_target(at, &ref_pointer, reference, target_file, &target_pointer);
            return Value::Null;
        };

        let key = (target_file, target_pointer.clone());
        if let Some(name) = self.hoisted_names.get(&key) {
            if siblings.is_empty() {
                return self.local_ref(&name.clone());
            }
        }
        if let Some(start) = self
            .stack
            .iter()
            .position(|f| f.file == target_file && f.pointer == target_pointer)
        {
            if self.stack[start..].iter().all(|f| f.only_ref) {
                let mut chain: Vec<String> = self.stack[start..].iter().map(|f| f.label.clone()).collect();
                chain.push(self.stack[start].label.clone());
                self.error_at(
                    at,
                    &ref_pointer,
                    format!("`$ref` loop that never reaches a schema: {}", chain.join(" → ")),
                    "make one of these refs point at the definition itself",
                );
                return Value::Null;
            }
            let name = self.hoist_name(&target, target_file, &target_pointer);
            self.hoisted_names.insert(key, name.clone());
            return self.local_ref(&name);
        }

        let label = self.label(target_file, &target_pointer);
        self.stack.push(Frame {
            file: target_file,
            pointer: target_pointer.clone(),
            only_ref: target.as_object().is_some_and(|m| m.contains_key("$ref")),
            label,
        });
        let inner = Place {
            base: target_file,
            origin: target_file,
            pointer: target_pointer.clone(),
            out: at.out.clone(),
            in_example: at.in_example,
        };
        let mut resolved = self.resolve_value(&target, &inner);
        self.stack.pop();
        let origin = Origin {
            file: target_file,
            pointer: target_pointer.clone(),
            named_by: Some((target_file, target_pointer.clone())),
        };
        self.origins.insert(at.out.clone(), origin.clone());

        if let Some(name) = self.hoisted_names.get(&key).cloned() {
            // The target turned out to contain itself: it lives in the definitions now.
            self.hoisted.insert(name.clone(), (resolved.clone(), origin));
            if siblings.is_empty() {
                return self.local_ref(&name);
            }
        }

        if siblings.is_empty() {
            return resolved;
        }
        let Value::Object(merged) = &mut resolved else {
            self.error_at(
                at,
                &ref_pointer,
                format!("`$ref: {reference}` has sibling keys but its target is not an object"),
                "remove the sibling keys or point the `$ref` at an object",
            );
            return resolved;
        };
        // The merged node is where the `$ref` is written; its keys are where they come from.
        self.origins.insert(
            at.out.clone(),
            Origin {
                file: at.origin,
                pointer: at.pointer.clone(),
                named_by: Some((target_file, target_pointer.clone())),
            },
        );
        for key in merged.keys() {
            self.origins.entry(child_pointer(&at.out, key)).or_insert(Origin {
                file: target_file,
                pointer: child_pointer(&target_pointer, key),
                named_by: None,
            });
        }
        for (key, value) in siblings {
            let place = Place {
                base: target_file,
                ..at.child(key)
            };
            let value = self.resolve_value(value, &place);
            merged.insert(key.clone(), value);
            self.origins.insert(
                place.out.clone(),
                Origin {
                    file: at.origin,
                    pointer: place.pointer.clone(),
                    named_by: None,
                },
            );
        }
        resolved
    }

    /// A ref whose siblings only annotate it (`description`, `nullable`, …) still names
    /// its target: it becomes `allOf: [{$ref}]` beside the annotations, the 3.0 way of
    /// saying so, and the annotations stay at the use site. The target resolves as a plain
    /// ref would (a root definition stays a reference), so every annotated use of it is
    /// one type, where merging would make a copy per description.
    fn annotated_ref(
        &mut self,
        reference: &str,
        siblings: &[(&String, &Value)],
        target_file: FileId,
        at: &Place,
    ) -> Option<Value> {
        let annotations_only = !siblings.is_empty() && siblings.iter().all(|(key, _)| is_annotation(key));
        if at.in_example || !annotations_only {
            return None;
        }
        let mut plain = Map::new();
        plain.insert("$ref".to_string(), Value::String(reference.to_string()));
        // Messages about the ref point at it as written; only the output moves.
        let member = Place {
            out: format!("{}/allOf/0", at.out),
            ..at.clone()
        };
        let target = self.resolve_ref(reference, &plain, &member);
        // A reference kept as such is where the user wrote it; an inlined target recorded
        // its own origin.
        self.origins.entry(member.out).or_insert(Origin {
            file: at.origin,
            pointer: at.pointer.clone(),
            named_by: None,
        });
        let mut wrapper = Map::new();
        wrapper.insert("allOf".to_string(), Value::Array(vec![target]));
        for (key, value) in siblings {
            let place = Place {
                base: target_file,
                ..at.child(key)
            };
            wrapper.insert((*key).clone(), self.resolve_value(value, &place));
            self.origins.insert(
                place.out.clone(),
                Origin {
                    file: at.origin,
                    pointer: place.pointer.clone(),
                    named_by: None,
                },
            );
        }
        Some(Value::Object(wrapper))
    }

    fn missing_target(&mut self, at: &Place, ref_pointer: &str, reference: &str, file: FileId, pointer: &str) {
        let path = self.sources.file(file).path.display().to_string();
        self.error_at(
            at,
            ref_pointer,
            format!("`$ref: {reference}` points at `{pointer}`, which does not exist in `{path}`"),
            "fix the JSON pointer after `#` so that it names an existing node",
        );
    }

    fn local_ref(&self, name: &str) -> Value {
        let mut map = Map::new();
        map.insert(
            "$ref".to_string(),
            Value::String(format!("#{}", child_pointer(self.definitions, name))),
        );
        Value::Object(map)
    }

    fn label(&self, file: FileId, pointer: &str) -> String {
        let path = self.sources.file(file).path.display().to_string();
        if pointer.is_empty() {
            path
        } else {
            format!("{path}#{pointer}")
        }
    }

    /// A definition name for a recursive target: its title, else its last pointer
    /// segment, else its file stem; made unique against the root definitions.
    fn hoist_name(&self, target: &Value, file: FileId, pointer: &str) -> String {
        let stem = || {
            self.sources
                .file(file)
                .path
                .file_stem()
                .map(|s| s.to_string_lossy().into_owned())
                .unwrap_or_else(|| "Recursive".to_string())
        };
        let base = target
            .get("title")
            .and_then(Value::as_str)
            .map(str::to_string)
            .or_else(|| split_pointer(pointer).pop())
            .unwrap_or_else(stem);
        let root = &self.sources.file(self.root).value;
        let taken = |name: &str| {
            root.pointer(&child_pointer(self.definitions, name)).is_some()
                || self.hoisted_names.values().any(|n| n == name)
        };
        let mut name = base.clone();
        let mut n = 2;
        while taken(&name) {
            name = format!("{base}{n}");
            n += 1;
        }
        name
    }

    fn insert_hoisted(&mut self, document: &mut Value) {
        let hoisted = std::mem::take(&mut self.hoisted);
        for (name, (value, origin)) in hoisted {
            let mut node = &mut *document;
            for segment in split_pointer(self.definitions) {
                let Value::Object(map) = node else { return };
                node = map.entry(segment).or_insert_with(|| Value::Object(Map::new()));
            }
            if let Value::Object(map) = node {
                map.insert(name.clone(), value);
            }
            self.origins.insert(child_pointer(self.definitions, &name), origin);
        }
    }
}

/// `#/definitions/X` → `X` (only direct children of the definitions section).
fn definition_name(pointer: &str, definitions: &str) -> Option<String> {
    let rest = pointer.strip_prefix(definitions)?.strip_prefix('/')?;
    if rest.is_empty() || rest.contains('/') {
        return None;
    }
    split_pointer(&format!("/{rest}")).pop()
}

/// Keys beside a `$ref` that describe the use rather than change the shape.
fn is_annotation(key: &str) -> bool {
    const ANNOTATIONS: [&str; 11] = [
        "description",
        "title",
        "nullable",
        "x-nullable",
        "readOnly",
        "writeOnly",
        "deprecated",
        "example",
        "x-example",
        "default",
        "externalDocs",
    ];
    ANNOTATIONS.contains(&key) || (key.starts_with("x-") && !key.starts_with("x-stubforge"))
}

fn is_remote(file_part: &str) -> bool {
    let lower = file_part.to_ascii_lowercase();
    lower.starts_with("http://") || lower.starts_with("https://") || lower.starts_with("//")
}

/// Decodes `%XX` escapes in a URI fragment.
fn percent_decode(fragment: &str) -> String {
    let bytes = fragment.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' && i + 2 < bytes.len() {
            // Bytes, not a str slice: a `%` before a multi-byte character must not split it.
            if let (Some(high), Some(low)) = (hex_digit(bytes[i + 1]), hex_digit(bytes[i + 2])) {
                out.push(high << 4 | low);
                i += 3;
                continue;
            }
        }
        out.push(bytes[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

fn hex_digit(byte: u8) -> Option<u8> {
    (byte as char).to_digit(16).map(|d| d as u8)
}

#[cfg(test)]
mod tests {
    use super::percent_decode;

    #[test]
    fn fragments_decode_percent_escapes_and_leave_the_rest() {
        assert_eq!(percent_decode("/definitions/A%20B"), "/definitions/A B");
        assert_eq!(percent_decode("/a%2"), "/a%2");
        assert_eq!(percent_decode("/%é1/%zz"), "/%é1/%zz");
    }
}
