//! Skip mode (`--skip-unsupported`, the builder's `.skip_unsupported(true)`): an error
//! inside one operation or named schema costs only that item, and the rest of the API is
//! generated.
//!
//! - An operation with an error is left out. An error in a path's template or in the
//!   parameters its operations share leaves out every operation of that path.
//! - A named schema with an error is kept as a name but read as any JSON value
//!   (`serde_json::Value`). Whatever uses it, operations and other schemas alike, keeps
//!   its output: the field or body that holds it becomes a `Value`. A user generating a
//!   client for someone else's API can still call the operation, and reads that part
//!   of the message by hand. Leaving the schema's users out instead would cost, in a
//!   cluster API, every operation of a kind for one odd field.
//!
//! Which errors are isolated, by stage (what a finding belongs to is read from the
//! pointer it was found at, see [`Owner::of_pointer`]):
//!
//! - `upgrade` (Swagger 2.0 to 3.0): inside an operation, a path or a definition it is
//!   isolated (a status that is no status, a body parameter on a whole path); a
//!   security scheme of a type 2.0 does not have fails the run.
//! - the model read: every operation, path and named schema the `openapiv3` model
//!   refuses is found in one pass and isolated; anything else it refuses fails the run.
//! - `check`: everything inside an operation or path is isolated (duplicate operationIds
//!   and duplicate paths leave out the later one, undeclared path parameters, unknown
//!   security schemes, unsupported bodies), and so is everything inside a named schema,
//!   including a schema defined as itself (the one whose `$ref` closes the loop is read
//!   as any value). A server URL that cannot be routed fails the run.
//! - `resolve`: a `$ref` that cannot be followed (it points nowhere, loops without
//!   reaching a schema, names a file that cannot be read or parsed, points at the
//!   network) is isolated when it sits inside an operation, a path or a named schema
//!   (hoisted schemas included): that item is left out before the upgrade, and what
//!   does not use it is generated as if it were fine. Elsewhere (a security scheme, the
//!   root) it fails the run, and so does a limit exceeded (nesting, size, ref chains):
//!   resolution stops there, so nothing after it can be trusted.
//! - `load` of the root file always fails the run: there is no document to read.
//!
//! A run that fails in skip mode reports every error, the isolated ones included. Each
//! left-out item gives one located warning (its first error, and how many more it has)
//! and a line in the generated crate's docs.

use std::collections::BTreeMap;

use openapiv3::{OpenAPI, ReferenceOr, Schema, SchemaData, SchemaKind};
use serde::Deserialize;
use serde_json::Value;

use crate::diag::{Diagnostic, Finding, Owner, child_pointer};
use crate::ir::Skipped;

/// The items left out so far, each with the first error that made it so.
#[derive(Debug, Default)]
pub struct Skips {
    items: BTreeMap<Owner, Reason>,
    /// Items found but not yet left out of the document or model.
    pending: Vec<Owner>,
}

/// The errors found inside one item, in the order found (never empty).
#[derive(Debug)]
struct Reason {
    errors: Vec<Diagnostic>,
}

impl Reason {
    fn first(&self) -> &Diagnostic {
        &self.errors[0]
    }
}

impl Skips {
    /// Takes over the errors among `found` when every one belongs to an operation or
    /// schema, and returns whether it did; found errors are left for the caller to
    /// report otherwise. Warnings are the caller's.
    pub fn absorb(&mut self, found: &[Finding]) -> bool {
        let errors: Vec<&Finding> = found.iter().filter(|f| f.is_error()).collect();
        if errors.iter().any(|f| f.owner.is_none()) {
            return false;
        }
        for error in errors {
            let Some(owner) = &error.owner else { continue };
            match self.items.get_mut(owner) {
                Some(reason) => reason.errors.push(error.diagnostic.clone()),
                None => {
                    self.pending.push(owner.clone());
                    let errors = vec![error.diagnostic.clone()];
                    self.items.insert(owner.clone(), Reason { errors });
                }
            }
        }
        true
    }

    /// Whether a finding is inside an item left out: its warnings say nothing about
    /// the generated code.
    pub fn covers(&self, finding: &Finding) -> bool {
        match &finding.owner {
            None => false,
            Some(owner @ Owner::Operation { path, .. }) => {
                self.items.contains_key(owner) || self.items.contains_key(&Owner::Path { path: path.clone() })
            }
            Some(owner) => self.items.contains_key(owner),
        }
    }

    /// How many items are left out: a bound on the rounds that can leave out more.
    pub fn len(&self) -> usize {
        self.items.len()
    }

    /// Leaves the items out of the resolved or upgraded document (before the model
    /// reads it).
    pub fn prune_document(&mut self, document: &mut Value) {
        for owner in std::mem::take(&mut self.pending) {
            let reason = &self.items[&owner];
            match &owner {
                Owner::Operation { path, method } => {
                    if let Some(Value::Object(item)) = document.pointer_mut(&child_pointer("/paths", path)) {
                        item.remove(method);
                    }
                }
                Owner::Path { path } => {
                    if let Some(Value::Object(paths)) = document.pointer_mut("/paths") {
                        paths.remove(path);
                    }
                }
                Owner::Schema { name } => {
                    // Before the upgrade a Swagger 2.0 document keeps them in `definitions`.
                    let section = match document.get("openapi") {
                        Some(_) => "/components/schemas",
                        None => "/definitions",
                    };
                    let pointer = child_pointer(section, name);
                    if let Some(schema) = document.pointer_mut(&pointer) {
                        let description = schema.get("description").and_then(Value::as_str).map(str::to_string);
                        let mut degraded = serde_json::Map::new();
                        let note = degraded_description(description.as_deref(), &reason.first().message);
                        degraded.insert("description".into(), Value::String(note));
                        *schema = Value::Object(degraded);
                    }
                }
            }
        }
    }

    /// Leaves the items out of the model (after `check` found them).
    pub fn prune_model(&mut self, api: &mut OpenAPI) {
        for owner in std::mem::take(&mut self.pending) {
            let reason = &self.items[&owner];
            match &owner {
                Owner::Operation { path, method } => {
                    if let Some(ReferenceOr::Item(item)) = api.paths.paths.get_mut(path) {
                        let slot = match method.as_str() {
                            "get" => &mut item.get,
                            "put" => &mut item.put,
                            "post" => &mut item.post,
                            "delete" => &mut item.delete,
                            "options" => &mut item.options,
                            "head" => &mut item.head,
                            "patch" => &mut item.patch,
                            "trace" => &mut item.trace,
                            _ => continue,
                        };
                        *slot = None;
                    }
                }
                Owner::Path { path } => {
                    api.paths.paths.shift_remove(path);
                }
                Owner::Schema { name } => {
                    let Some(components) = &mut api.components else {
                        continue;
                    };
                    let Some(schema) = components.schemas.get_mut(name) else {
                        continue;
                    };
                    let description = match schema {
                        ReferenceOr::Item(schema) => schema.schema_data.description.clone(),
                        ReferenceOr::Reference { .. } => None,
                    };
                    let note = degraded_description(description.as_deref(), &reason.first().message);
                    *schema = ReferenceOr::Item(Schema {
                        schema_data: SchemaData {
                            description: Some(note),
                            ..SchemaData::default()
                        },
                        schema_kind: SchemaKind::Any(Default::default()),
                    });
                }
            }
        }
    }

    /// Every error taken over so far: a run that fails after all reports them too.
    pub fn into_errors(self) -> impl Iterator<Item = Diagnostic> {
        self.items.into_values().flat_map(|reason| reason.errors)
    }

    /// One located warning per left-out item, at its first error, in file order.
    pub fn warnings(&self) -> Vec<Diagnostic> {
        let mut warnings: Vec<Diagnostic> = self
            .items
            .iter()
            .map(|(owner, reason)| {
                let more = match reason.errors.len() - 1 {
                    0 => String::new(),
                    1 => " (and 1 more error in it)".to_string(),
                    n => format!(" (and {n} more errors in it)"),
                };
                let help = reason.first().help.as_deref().unwrap_or("fix the definition");
                Diagnostic {
                    severity: crate::diag::Severity::Warning,
                    message: format!("{}: {}{more}", outcome(owner), reason.first().message),
                    help: Some(format!("to generate it, {help}")),
                    ..reason.first().clone()
                }
            })
            .collect();
        warnings.sort_by(|a, b| a.location.cmp(&b.location));
        warnings
    }

    /// The list the generated crate's docs show.
    pub fn documented(&self) -> Vec<Skipped> {
        self.items
            .iter()
            .map(|(owner, reason)| Skipped {
                subject: subject(owner),
                left_out: !matches!(owner, Owner::Schema { .. }),
                reason: reason.first().message.clone(),
            })
            .collect()
    }
}

/// The methods a path item holds operations under.
pub const METHODS: [&str; 8] = ["get", "put", "post", "delete", "options", "head", "patch", "trace"];

/// After the model refused the whole document: each operation, each path's shared part
/// and each named schema read on its own, and the ones the model refuses, as (pointer
/// of the item, message). One pass finds them all, where reading the whole document
/// again after each would cost a read per broken item.
pub fn refused_items(document: &Value) -> Vec<(String, String)> {
    let mut refused = Vec::new();
    let mut read = |pointer: String, result: Result<(), serde_json::Error>| {
        if let Err(e) = result {
            refused.push((pointer, e.to_string()));
        }
    };
    if let Some(Value::Object(paths)) = document.get("paths") {
        for (path, item) in paths {
            let item_ptr = child_pointer("/paths", path);
            let Value::Object(item) = item else {
                read(item_ptr, openapiv3::PathItem::deserialize(item).map(drop));
                continue;
            };
            let mut shared = item.clone();
            for method in METHODS {
                if let Some(operation) = shared.remove(method) {
                    let pointer = child_pointer(&item_ptr, method);
                    read(pointer, openapiv3::Operation::deserialize(&operation).map(drop));
                }
            }
            read(
                item_ptr,
                openapiv3::PathItem::deserialize(&Value::Object(shared)).map(drop),
            );
        }
    }
    if let Some(Value::Object(schemas)) = document.pointer("/components/schemas") {
        for (name, schema) in schemas {
            let pointer = child_pointer("/components/schemas", name);
            read(pointer, ReferenceOr::<Schema>::deserialize(schema).map(drop));
        }
    }
    refused
}

/// What skip mode did with an item, as a warning says it.
fn outcome(owner: &Owner) -> String {
    match owner {
        Owner::Schema { .. } => format!("{} is read as any JSON value (`serde_json::Value`)", subject(owner)),
        _ => format!("{} is left out", subject(owner)),
    }
}

/// How a warning and the crate docs name a left-out item.
fn subject(owner: &Owner) -> String {
    match owner {
        Owner::Operation { path, method } => format!("operation `{} {path}`", method.to_ascii_uppercase()),
        Owner::Path { path } => format!("every operation of the path `{path}`"),
        Owner::Schema { name } => format!("schema `{name}`"),
    }
}

/// The doc of a schema read as any JSON value: its own description, then why.
fn degraded_description(description: Option<&str>, reason: &str) -> String {
    let note = format!("stubforge reads this schema as any JSON value: {reason}.");
    match description {
        Some(description) if !description.trim().is_empty() => format!("{description}\n\n{note}"),
        _ => note,
    }
}
