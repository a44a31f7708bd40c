//! Stage `resolve`: follows every `$ref` across files and JSON pointers, applying the
//! Matrix merge rule, and produces one document.
//!
//! - A `$ref` to a root definition (`#/definitions/X`, `#/components/schemas/X`) with no
//!   sibling keys stays a reference: it names a type.
//! - A plain `$ref` where a schema is expected (to another file, or to a pointer that is
//!   not a root definition) is resolved once, hoisted into the root's definitions under
//!   the name the ref gives it (title, else last pointer segment, else file stem), and
//!   referred to. However often a schema is used, it is resolved and stored once.
//! - A `$ref` whose siblings only annotate it (`description`, `nullable`, `example`, …)
//!   becomes `allOf: [{$ref}]` beside them, the ref resolved as a plain one: the use
//!   site keeps its notes and the target stays one type. A `type` that only repeats the
//!   target's is left out first, so it does not make the ref a copy.
//! - Every other `$ref` (in examples, parameters, responses, or with sibling keys) is
//!   replaced by its target. Sibling keys then replace the target's keys (shallow), and
//!   refs inside those siblings resolve relative to the *referenced* document, as the
//!   Matrix definitions expect. A target that contains itself is hoisted as above, so
//!   resolution always terminates.
//! - A chain of refs that loops back without reaching any content is an error.
//! - Nesting, chains of refs and the size of the result are bounded (see `limits`).

use std::collections::{BTreeMap, BTreeSet, VecDeque};
use std::path::Path;
use std::rc::Rc;

use serde_json::{Map, Value};

use crate::diag::{Diagnostic, Finding, child_pointer, pointer_prefixes, split_pointer};
use crate::limits::{MAX_NESTING, MAX_REF_CHAIN, NODES_PER_INPUT_NODE, NodeBudget, count_nodes};
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
    /// The `$ref`s that could not be followed, each with the operation or schema of the
    /// resolved document it sits in: skip mode leaves those out, any other run fails.
    pub errors: Vec<Finding>,
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

/// Fails only when resolution had to stop (a limit); a `$ref` that cannot be followed
/// is an entry of [`Resolved::errors`], its node `null` in the document.
pub fn resolve(sources: &mut Sources, root: FileId) -> Result<Resolved, Vec<Diagnostic>> {
    let root_value = sources.shared_value(root);
    let mut resolver = Resolver {
        sources,
        root,
        definitions: definitions_pointer(&root_value),
        json_schema_refs: crate::upgrade31::is_openapi_31(&root_value),
        values: Vec::new(),
        bounds: Bounds::default(),
        diagnostics: Vec::new(),
        out: String::new(),
        origins: BTreeMap::new(),
        stack: Vec::new(),
        hoisted_names: BTreeMap::new(),
        taken_names: BTreeSet::new(),
        pending: VecDeque::new(),
        hoisted: Vec::new(),
    };
    resolver.keep_value(root, root_value.clone());
    resolver.name_definition_targets(&root_value);
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
        slot: Slot::Other,
        depth: 0,
    };
    let mut document = resolver.resolve_value(&root_value, &here);
    drop(root_value);
    resolver.resolve_hoisted();
    resolver.insert_hoisted(&mut document);
    if resolver.bounds.exceeded {
        return Err(resolver.diagnostics.into_iter().map(|f| f.diagnostic).collect());
    }
    Ok(Resolved {
        root,
        document,
        origins: resolver.origins,
        errors: resolver.diagnostics,
    })
}

/// What a position holds, as far as `$ref` handling cares: a schema (whose plain refs are
/// shared, not copied), a map or list of schemas, or anything else.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Slot {
    Schema,
    Schemas,
    Other,
}

impl Slot {
    /// The slot of member `key` of a node in this slot, `out` being the node's pointer in
    /// the output (the root's `definitions` and `components/schemas` hold schemas).
    fn member(self, key: &str, out: &str) -> Slot {
        match self {
            Slot::Schemas => Slot::Schema,
            Slot::Schema => match key {
                "properties" | "patternProperties" | "allOf" | "anyOf" | "oneOf" | "$defs" | "prefixItems" => {
                    Slot::Schemas
                }
                "items" | "additionalProperties" | "not" => Slot::Schema,
                _ => Slot::Other,
            },
            Slot::Other => match (out, key) {
                (_, "schema") => Slot::Schema,
                ("", "definitions") | ("/components", "schemas") => Slot::Schemas,
                _ => Slot::Other,
            },
        }
    }

    /// The slot of the items of a list in this slot: `allOf` members and tuple `items`
    /// are schemas.
    fn item(self) -> Slot {
        match self {
            Slot::Schema | Slot::Schemas => Slot::Schema,
            Slot::Other => Slot::Other,
        }
    }
}

/// Where the walk is: `base` is the file refs resolve against, `origin`/`pointer` the
/// file position of the current node (for messages), `out` its pointer in the output,
/// `depth` its nesting in the output counting each ref expanded in place.
#[derive(Clone)]
struct Place {
    base: FileId,
    origin: FileId,
    pointer: String,
    out: String,
    in_example: bool,
    slot: Slot,
    depth: usize,
}

impl Place {
    fn child(&self, key: &str) -> Place {
        Place {
            base: self.base,
            origin: self.origin,
            pointer: child_pointer(&self.pointer, key),
            out: child_pointer(&self.out, key),
            in_example: self.in_example || matches!(key, "example" | "examples" | "x-example"),
            slot: self.slot.member(key, &self.out),
            depth: self.depth + 1,
        }
    }

    fn item(&self, index: usize) -> Place {
        let key = index.to_string();
        Place {
            slot: self.slot.item(),
            ..self.child(&key)
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

/// A schema hoisted into the definitions, waiting to be resolved.
struct Pending {
    name: String,
    /// The ref target that names it (the first link of a chain of bare refs).
    named_by: (FileId, String),
    /// Where its content is (the last link).
    content: (FileId, String),
    slot: Slot,
    in_example: bool,
}

/// The limits of one resolution (see `limits`); once one is hit, resolution stops
/// producing nodes, so a hostile input gets one error rather than thousands.
#[derive(Default)]
struct Bounds {
    nodes: NodeBudget,
    exceeded: bool,
}

struct Resolver<'a> {
    sources: &'a mut Sources,
    root: FileId,
    definitions: &'static str,
    /// OpenAPI 3.1: a `$ref` beside other keywords is JSON Schema's conjunction of the
    /// two (`allOf`), not the Matrix merge.
    json_schema_refs: bool,
    /// Each file's parsed value, taken from `sources` once and shared, never copied.
    values: Vec<Option<Rc<Value>>>,
    bounds: Bounds,
    diagnostics: Vec<Finding>,
    /// The output pointer of the `$ref` being resolved: what an error there belongs to.
    out: String,
    origins: BTreeMap<String, Origin>,
    stack: Vec<Frame>,
    /// (file, pointer) → the definition name it is hoisted under.
    hoisted_names: BTreeMap<(FileId, String), String>,
    taken_names: BTreeSet<String>,
    /// Hoisted schemas not resolved yet; resolved one after another, never nested, so a
    /// chain of thousands of files costs no stack.
    pending: VecDeque<Pending>,
    /// Name → resolved hoisted schema, added to the root definitions at the end.
    hoisted: Vec<(String, Value)>,
}

impl Resolver<'_> {
    /// The parsed value of `file`, taken from `sources` the first time it is asked for.
    fn value(&mut self, file: FileId) -> Rc<Value> {
        if let Some(Some(value)) = self.values.get(file.0) {
            return value.clone();
        }
        let value = self.sources.shared_value(file);
        self.keep_value(file, value.clone());
        value
    }

    fn keep_value(&mut self, file: FileId, value: Rc<Value>) {
        if self.values.len() <= file.0 {
            self.values.resize(file.0 + 1, None);
        }
        self.bounds.nodes.allow(count_nodes(&value));
        self.values[file.0] = Some(value);
    }

    fn resolve_value(&mut self, value: &Value, at: &Place) -> Value {
        if !self.within_bounds(at) {
            return Value::Null;
        }
        match value {
            Value::Object(map) => match map.get("$ref") {
                Some(Value::String(reference)) => self.resolve_ref(reference, map, at),
                _ => Value::Object(
                    map.iter()
                        .map(|(k, v)| {
                            let value = if self.carried_as_written(at, k) {
                                v.clone()
                            } else {
                                self.resolve_value(v, &at.child(k))
                            };
                            (k.clone(), value)
                        })
                        .collect(),
                ),
            },
            Value::Array(items) => Value::Array(
                items
                    .iter()
                    .enumerate()
                    .map(|(i, v)| self.resolve_value(v, &at.item(i)))
                    .collect(),
            ),
            other => other.clone(),
        }
    }

    /// Root sections that no later stage reads (Swagger's shared `parameters` and
    /// `responses`, OpenAPI's other components, extensions): refs point into them, but
    /// they are carried over as written, not resolved, so refs copied there cost nothing
    /// and schemas used only there are not hoisted.
    fn carried_as_written(&self, at: &Place, key: &str) -> bool {
        if at.origin != self.root || at.pointer != at.out {
            return false;
        }
        match at.out.as_str() {
            "" => !matches!(
                key,
                "swagger"
                    | "openapi"
                    | "info"
                    | "host"
                    | "basePath"
                    | "schemes"
                    | "consumes"
                    | "produces"
                    | "servers"
                    | "paths"
                    | "definitions"
                    | "components"
                    | "securityDefinitions"
                    | "security"
                    | "tags"
                    | "externalDocs"
            ),
            "/components" => !matches!(key, "schemas" | "securitySchemes"),
            _ => false,
        }
    }

    /// Spends one node of the budget and checks the nesting; reports the first limit hit.
    fn within_bounds(&mut self, at: &Place) -> bool {
        if self.bounds.exceeded {
            return false;
        }
        if at.depth > MAX_NESTING {
            let message = format!(
                "the definition nests deeper than {MAX_NESTING} levels here, counting each `$ref` copied in place as a level{}",
                self.trail()
            );
            self.stop_at(at.origin, &at.pointer, message, "flatten the nesting: give deep inline schemas a name under the definitions and refer to them with `$ref`");
            return false;
        }
        if !self.bounds.nodes.spend() {
            let message = format!(
                "resolving `$ref`s grows the definition beyond {} nodes ({NODES_PER_INPUT_NODE} times the size of the files read) by the time it gets here{}",
                self.bounds.nodes.allowed(),
                self.trail()
            );
            self.stop_at(at.origin, &at.pointer, message, "refs in examples, parameters, responses and refs with sibling keys are copied where they are used; refer to a shared schema with a plain `$ref` instead, or share less");
            return false;
        }
        true
    }

    /// A limit: resolution stops, and the run fails whatever the mode.
    fn stop_at(&mut self, file: FileId, pointer: &str, message: String, help: &str) {
        self.bounds.exceeded = true;
        let location = self.sources.locate(file, pointer);
        let error = Diagnostic::error(message).at(location).help(help);
        self.diagnostics.push(Finding::unowned(error));
    }

    /// The refs being expanded, for messages about limits: the first few and the last.
    fn trail(&self) -> String {
        if self.stack.is_empty() {
            return String::new();
        }
        let labels: Vec<&str> = self.stack.iter().map(|f| f.label.as_str()).collect();
        let shown = if labels.len() <= 6 {
            labels.join(" → ")
        } else {
            format!(
                "{} → … ({} more) → {}",
                labels[..3].join(" → "),
                labels.len() - 5,
                labels[labels.len() - 2..].join(" → ")
            )
        };
        format!(", inside the refs {shown}")
    }

    fn error_in(&mut self, file: FileId, pointer: &str, message: String, help: &str) {
        let location = self.sources.locate(file, pointer);
        self.found(Diagnostic::error(message).at(location).help(help));
    }

    /// An error about the `$ref` being resolved, owned by what holds it in the output.
    fn found(&mut self, error: Diagnostic) {
        self.diagnostics.push(Finding::at_node(error, &self.out));
    }

    /// The file and pointer a `$ref` written in `file` at `ref_pointer` points at (the
    /// file is read if it was not yet); `None` after reporting why it cannot be followed.
    fn target(&mut self, reference: &str, base: FileId, file: FileId, ref_pointer: &str) -> Option<(FileId, String)> {
        let (file_part, fragment) = reference.split_once('#').unwrap_or((reference, ""));
        if is_remote(file_part) {
            self.error_in(
                file,
                ref_pointer,
                format!("`$ref: {reference}` points at the network; stubforge never fetches remote definitions"),
                "save the document next to this file and refer to it by a relative path",
            );
            return None;
        }
        let target_file = if file_part.is_empty() {
            base
        } else {
            let dir = self
                .sources
                .file(base)
                .path
                .parent()
                .map(Path::to_path_buf)
                .unwrap_or_default();
            match self.sources.load(&dir.join(file_part), Some((file, ref_pointer))) {
                Ok(id) => id,
                Err(d) => {
                    self.found(d);
                    return None;
                }
            }
        };
        Some((target_file, percent_decode(fragment)))
    }

    /// A plain reference to a root definition names a type, so it stays a reference.
    /// `Some(null)` after reporting a missing definition.
    fn root_definition_ref(
        &mut self,
        (file, pointer): (FileId, &str),
        reference: &str,
        (ref_file, ref_pointer): (FileId, &str),
    ) -> Option<Value> {
        if file != self.root {
            return None;
        }
        let name = definition_name(pointer, self.definitions)?;
        if self.value(self.root).pointer(pointer).is_none() {
            self.missing_target((ref_file, ref_pointer), reference, file, pointer);
            return Some(Value::Null);
        }
        Some(self.local_ref(&name))
    }

    fn resolve_ref(&mut self, reference: &str, map: &Map<String, Value>, at: &Place) -> Value {
        let outer = std::mem::replace(&mut self.out, at.out.clone());
        let resolved = self.resolve_ref_here(reference, map, at);
        self.out = outer;
        resolved
    }

    fn resolve_ref_here(&mut self, reference: &str, map: &Map<String, Value>, at: &Place) -> Value {
        let ref_pointer = child_pointer(&at.pointer, "$ref");
        let Some((target_file, target_pointer)) = self.target(reference, at.base, at.origin, &ref_pointer) else {
            return Value::Null;
        };
        let target_value = self.value(target_file);
        let target = target_value.pointer(&target_pointer);
        let siblings: Vec<(&String, &Value)> = map
            .iter()
            .filter(|(key, value)| *key != "$ref" && !repeats_target_type(key, value, target))
            .collect();
        if let Some(annotated) = self.annotated_ref(reference, &siblings, (target_file, &target_pointer), at) {
            return annotated;
        }
        if self.json_schema_refs && !siblings.is_empty() && !at.in_example && at.slot == Slot::Schema {
            return self.conjoined_ref(reference, &siblings, at);
        }
        let plain = !at.in_example && siblings.is_empty();

        if plain {
            let here = (at.origin, ref_pointer.as_str());
            if let Some(kept) = self.root_definition_ref((target_file, &target_pointer), reference, here) {
                return kept;
            }
            if at.slot == Slot::Schema && self.is_root_definition(at) {
                return self.defining_ref(reference, at, (target_file, target_pointer));
            }
            if at.slot == Slot::Schema {
                return self.shared_schema_ref(reference, here, (target_file, target_pointer));
            }
        }

        let document = self.value(target_file);
        let Some(target) = document.pointer(&target_pointer) else {
            self.missing_target((at.origin, &ref_pointer), reference, target_file, &target_pointer);
            return Value::Null;
        };

        let key = (target_file, target_pointer.clone());
        if let Some(name) = self.hoisted_names.get(&key) {
            if plain {
                return self.local_ref(&name.clone());
            }
        }
        if let Some(start) = self
            .stack
            .iter()
            .position(|f| f.file == target_file && f.pointer == target_pointer)
        {
            // The refs from the first visit back to it, closing the loop.
            let chain = || {
                let mut chain: Vec<String> = self.stack[start..].iter().map(|f| f.label.clone()).collect();
                chain.push(self.stack[start].label.clone());
                chain.join(" → ")
            };
            if self.stack[start..].iter().all(|f| f.only_ref) {
                let chain = chain();
                self.error_in(
                    at.origin,
                    &ref_pointer,
                    format!("`$ref` loop that never reaches a schema: {chain}"),
                    "make one of these refs point at the definition itself",
                );
                return Value::Null;
            }
            if at.in_example {
                // An example is data: one that contains itself has no end.
                let chain = chain();
                self.error_in(
                    at.origin,
                    &ref_pointer,
                    format!("this example contains itself through `$ref`s: {chain}"),
                    "write the example out to the depth it needs, without a `$ref` back into itself",
                );
                return Value::Null;
            }
            let title = title_of(target);
            let name = self.hoist(key.clone(), title, key, (at.slot, false));
            return self.local_ref(&name);
        }
        if self.stack.len() >= MAX_REF_CHAIN {
            let message = format!(
                "more than {MAX_REF_CHAIN} `$ref`s are copied in place inside one another here{}",
                self.trail()
            );
            self.stop_at(at.origin, &ref_pointer, message, "point the refs at the content itself, or make the schemas plain `$ref`s that are shared instead of copied");
            return Value::Null;
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
            slot: at.slot,
            depth: at.depth + 1,
        };
        let mut resolved = self.resolve_value(target, &inner);
        self.stack.pop();
        let origin = Origin {
            file: target_file,
            pointer: target_pointer.clone(),
            named_by: Some((target_file, target_pointer.clone())),
        };
        self.origins.insert(at.out.clone(), origin);

        if plain {
            if let Some(name) = self.hoisted_names.get(&key) {
                // The target turned out to contain itself: it lives in the definitions now.
                return self.local_ref(&name.clone());
            }
            return resolved;
        }
        if siblings.is_empty() {
            return resolved;
        }
        let Value::Object(merged) = &mut resolved else {
            self.error_in(
                at.origin,
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
        (target_file, target_pointer): (FileId, &str),
        at: &Place,
    ) -> Option<Value> {
        let json_schema = self.json_schema_refs;
        let annotations_only = !siblings.is_empty()
            && siblings
                .iter()
                .all(|(key, _)| is_annotation(key) || (json_schema && crate::upgrade31::keeps_ref_type(key)));
        if at.in_example || !annotations_only {
            return None;
        }
        // Notes beside a ref to something that is no schema (a string, a list) are an error
        // the copy-in-place path reports at the ref itself.
        if self
            .value(target_file)
            .pointer(target_pointer)
            .is_some_and(|target| !target.is_object())
        {
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

    /// OpenAPI 3.1 (JSON Schema 2020-12): a `$ref` beside keywords that change the shape
    /// means both at once, `allOf: [{$ref}, {siblings}]`. The target stays one named type
    /// and the siblings resolve against the file they are written in.
    fn conjoined_ref(&mut self, reference: &str, siblings: &[(&String, &Value)], at: &Place) -> Value {
        let mut plain = Map::new();
        plain.insert("$ref".to_string(), Value::String(reference.to_string()));
        let written_here = |pointer: &str| Origin {
            file: at.origin,
            pointer: pointer.to_string(),
            named_by: None,
        };
        let first = Place {
            out: format!("{}/allOf/0", at.out),
            ..at.clone()
        };
        let target = self.resolve_ref(reference, &plain, &first);
        self.origins.entry(first.out).or_insert(written_here(&at.pointer));
        let rest_out = format!("{}/allOf/1", at.out);
        self.origins.insert(rest_out.clone(), written_here(&at.pointer));
        let mut rest = Map::new();
        for (key, value) in siblings {
            let place = Place {
                out: child_pointer(&rest_out, key),
                ..at.child(key)
            };
            rest.insert((*key).clone(), self.resolve_value(value, &place));
            self.origins.insert(place.out.clone(), written_here(&place.pointer));
        }
        let mut wrapper = Map::new();
        wrapper.insert("allOf".to_string(), Value::Array(vec![target, Value::Object(rest)]));
        Value::Object(wrapper)
    }

    /// A schema reached through a plain `$ref`: hoisted into the definitions (resolved
    /// once, later) and referred to by name, however often it is used.
    fn shared_schema_ref(&mut self, reference: &str, written_at: (FileId, &str), first: (FileId, String)) -> Value {
        if let Some(name) = self.hoisted_names.get(&first) {
            return self.local_ref(&name.clone());
        }
        match self.follow_bare_refs(reference, written_at, first) {
            Followed::Content { first, content, title } => {
                let name = self.hoist(first, title, content, (Slot::Schema, false));
                self.local_ref(&name)
            }
            Followed::Done(value) => value,
        }
    }

    /// A root definition that is only a `$ref` (`X: {$ref: x.yaml}`) is the schema it
    /// points at: copied in place, once, while other refs to it use the name `X`.
    fn defining_ref(&mut self, reference: &str, at: &Place, first: (FileId, String)) -> Value {
        let ref_pointer = child_pointer(&at.pointer, "$ref");
        let Followed::Content { first, content, .. } =
            self.follow_bare_refs(reference, (at.origin, &ref_pointer), first)
        else {
            return Value::Null;
        };
        let (file, pointer) = content;
        let document = self.value(file);
        let Some(target) = document.pointer(&pointer) else {
            return Value::Null; // reported by `follow_bare_refs`
        };
        let label = self.label(file, &pointer);
        self.stack.push(Frame {
            file,
            pointer: pointer.clone(),
            only_ref: false,
            label,
        });
        let inner = Place {
            base: file,
            origin: file,
            pointer: pointer.clone(),
            out: at.out.clone(),
            in_example: false,
            slot: Slot::Schema,
            depth: at.depth + 1,
        };
        let resolved = self.resolve_value(target, &inner);
        self.stack.pop();
        self.origins.insert(
            at.out.clone(),
            Origin {
                file,
                pointer,
                named_by: Some(first),
            },
        );
        resolved
    }

    /// Follows a chain of bare refs (`A` → `B` → `C`, each only a `$ref`), without
    /// recursion, to the schema it ends at; the first link names the type, as it did
    /// when the schema was copied in place. `Done` when the chain ends at a root
    /// definition (a plain reference) or cannot be followed (after reporting why).
    fn follow_bare_refs(&mut self, reference: &str, written_at: (FileId, &str), first: (FileId, String)) -> Followed {
        let (mut file, mut pointer) = first.clone();
        let (mut link_file, mut link_pointer) = (written_at.0, written_at.1.to_string());
        let mut link_reference = reference.to_string();
        let mut chain = vec![first.clone()];
        let title = loop {
            let document = self.value(file);
            let Some(target) = document.pointer(&pointer) else {
                self.missing_target((link_file, &link_pointer), &link_reference, file, &pointer);
                return Followed::Done(Value::Null);
            };
            let Some(next) = bare_ref(target) else {
                break title_of(target);
            };
            let next = next.to_string();
            let next_ref_pointer = child_pointer(&pointer, "$ref");
            let labels = |this: &Self, chain: &[(FileId, String)]| {
                chain.iter().map(|(f, p)| this.label(*f, p)).collect::<Vec<_>>()
            };
            if chain.len() >= MAX_REF_CHAIN {
                let shown = labels(self, &chain[..3]).join(" → ");
                let message = format!(
                    "a chain of more than {MAX_REF_CHAIN} `$ref`s that only point at further `$ref`s starts here: {shown} → …"
                );
                self.stop_at(
                    written_at.0,
                    written_at.1,
                    message,
                    "point the `$ref` at the schema itself",
                );
                return Followed::Done(Value::Null);
            }
            let Some((next_file, next_pointer)) = self.target(&next, file, file, &next_ref_pointer) else {
                return Followed::Done(Value::Null);
            };
            if let Some(kept) = self.root_definition_ref((next_file, &next_pointer), &next, (file, &next_ref_pointer)) {
                return Followed::Done(kept);
            }
            if let Some(start) = chain.iter().position(|link| *link == (next_file, next_pointer.clone())) {
                let mut shown = labels(self, &chain[start..]);
                shown.push(self.label(next_file, &next_pointer));
                self.error_in(
                    file,
                    &next_ref_pointer,
                    format!("`$ref` loop that never reaches a schema: {}", shown.join(" → ")),
                    "make one of these refs point at the definition itself",
                );
                return Followed::Done(Value::Null);
            }
            (link_file, link_pointer, link_reference) = (file, next_ref_pointer, next);
            (file, pointer) = (next_file, next_pointer);
            chain.push((file, pointer.clone()));
        };
        Followed::Content {
            first,
            content: (file, pointer),
            title,
        }
    }

    /// Root definitions that are only a `$ref` to a schema elsewhere name that schema:
    /// every other plain ref to it refers to the definition. Found before the walk, so
    /// that it does not matter whether a use or the definition comes first in the file.
    fn name_definition_targets(&mut self, root_value: &Value) {
        let Some(Value::Object(definitions)) = root_value.pointer(self.definitions) else {
            return;
        };
        for (name, value) in definitions {
            let Some(reference) = bare_ref(value) else { continue };
            let (file_part, fragment) = reference.split_once('#').unwrap_or((reference, ""));
            if is_remote(file_part) {
                continue;
            }
            let file = if file_part.is_empty() {
                self.root
            } else {
                let dir = self.sources.file(self.root).path.parent().map(Path::to_path_buf);
                // A file that cannot be read is reported when the walk reaches the ref.
                match self.sources.load(&dir.unwrap_or_default().join(file_part), None) {
                    Ok(file) => file,
                    Err(_) => continue,
                }
            };
            let pointer = percent_decode(fragment);
            if file == self.root && definition_name(&pointer, self.definitions).is_some() {
                continue;
            }
            self.hoisted_names
                .entry((file, pointer))
                .or_insert_with(|| name.clone());
        }
    }

    /// Whether `at` is one of the root document's own definitions.
    fn is_root_definition(&self, at: &Place) -> bool {
        at.origin == self.root && at.pointer == at.out && definition_name(&at.out, self.definitions).is_some()
    }

    /// Gives the target `named_by` a definition name and queues its content (found at
    /// `content`) for resolution, unless that was done already.
    fn hoist(
        &mut self,
        named_by: (FileId, String),
        title: Option<String>,
        content: (FileId, String),
        (slot, in_example): (Slot, bool),
    ) -> String {
        if let Some(name) = self.hoisted_names.get(&named_by) {
            return name.clone();
        }
        let name = self.hoist_name(title, named_by.0, &named_by.1);
        self.taken_names.insert(name.clone());
        self.hoisted_names.insert(named_by.clone(), name.clone());
        self.pending.push_back(Pending {
            name: name.clone(),
            named_by,
            content,
            slot,
            in_example,
        });
        name
    }

    /// Resolves the hoisted schemas one after another (each may hoist more).
    fn resolve_hoisted(&mut self) {
        while let Some(pending) = self.pending.pop_front() {
            let (file, pointer) = pending.content;
            let document = self.value(file);
            let Some(target) = document.pointer(&pointer) else {
                continue; // reported where it was hoisted
            };
            let out = child_pointer(self.definitions, &pending.name);
            self.origins.insert(
                out.clone(),
                Origin {
                    file,
                    pointer: pointer.clone(),
                    named_by: Some(pending.named_by),
                },
            );
            let label = self.label(file, &pointer);
            self.stack.push(Frame {
                file,
                pointer: pointer.clone(),
                only_ref: false,
                label,
            });
            let place = Place {
                base: file,
                origin: file,
                pointer,
                depth: split_pointer(&out).len(),
                out,
                in_example: pending.in_example,
                slot: pending.slot,
            };
            let resolved = self.resolve_value(target, &place);
            self.stack.pop();
            self.hoisted.push((pending.name, resolved));
        }
    }

    fn missing_target(
        &mut self,
        (ref_file, ref_pointer): (FileId, &str),
        reference: &str,
        file: FileId,
        pointer: &str,
    ) {
        let path = self.sources.file(file).path.display().to_string();
        self.error_in(
            ref_file,
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

    /// A definition name for a hoisted target: its title, else its last pointer segment,
    /// else its file stem; made unique against the root definitions.
    fn hoist_name(&mut self, title: Option<String>, file: FileId, pointer: &str) -> String {
        let stem = || {
            self.sources
                .file(file)
                .path
                .file_stem()
                .map(|s| s.to_string_lossy().into_owned())
                .unwrap_or_else(|| "Recursive".to_string())
        };
        let base = title.or_else(|| split_pointer(pointer).pop()).unwrap_or_else(stem);
        let root = self.value(self.root);
        let taken = |name: &str| {
            root.pointer(&child_pointer(self.definitions, name)).is_some() || self.taken_names.contains(name)
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
        let mut hoisted = std::mem::take(&mut self.hoisted);
        // In name order, as the definitions of a file usually are: the output does not
        // depend on which use of a schema came first.
        hoisted.sort_by(|a, b| a.0.cmp(&b.0));
        let mut node = &mut *document;
        for segment in split_pointer(self.definitions) {
            let Value::Object(map) = node else { return };
            node = map.entry(segment).or_insert_with(|| Value::Object(Map::new()));
        }
        if let Value::Object(map) = node {
            for (name, value) in hoisted {
                map.insert(name, value);
            }
        }
    }
}

/// Where a chain of bare refs leads.
enum Followed {
    Content {
        first: (FileId, String),
        content: (FileId, String),
        title: Option<String>,
    },
    Done(Value),
}

/// The target of an object that is only a `$ref` (no sibling keys).
fn bare_ref(value: &Value) -> Option<&str> {
    let map = value.as_object()?;
    if map.len() != 1 {
        return None;
    }
    map.get("$ref")?.as_str()
}

fn title_of(value: &Value) -> Option<String> {
    value.get("title").and_then(Value::as_str).map(str::to_string)
}

/// `#/definitions/X` → `X` (only direct children of the definitions section).
fn definition_name(pointer: &str, definitions: &str) -> Option<String> {
    let rest = pointer.strip_prefix(definitions)?.strip_prefix('/')?;
    if rest.is_empty() || rest.contains('/') {
        return None;
    }
    split_pointer(&format!("/{rest}")).pop()
}

/// A `type` beside a `$ref` that only repeats its target's (`{$ref: Event, type: object}`)
/// says nothing the target does not. Left in, it would make the ref a copy of its target
/// in place, and nested copies multiply: one such API grew 15-fold in resolution.
fn repeats_target_type(key: &str, value: &Value, target: Option<&Value>) -> bool {
    key == "type" && target.and_then(|target| target.get("type")) == Some(value)
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
