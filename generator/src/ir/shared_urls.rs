//! Operations that share a URL. Some definitions hold several operations on one method
//! and URL by giving their paths a `#…` suffix (`/files/{file_id}#add_shared_link` beside
//! `/files/{file_id}`). A client never sends a URL's fragment, so each of them is a
//! request to the path before the `#`, and the client has every one of them.
//!
//! A server sees only method and path, so it cannot tell such requests apart: the first
//! of them in the definition (the one without a suffix, when there is one) is served,
//! and the others are generated for the client only, each with a located warning and a
//! line in its docs. Where method and path are unique once the suffix is dropped, the
//! operation is served like any other.

use std::collections::BTreeMap;

use super::{ClientOnly, HttpMethod, Operation, paths};
use crate::diag::child_pointer;

/// The operations only the client has, in definition order; their docs say so.
pub fn client_only(operations: &mut [Operation]) -> Vec<ClientOnly> {
    // (method, path shape) → the operation served there: the first without a suffix,
    // else the first.
    let mut served: BTreeMap<(HttpMethod, String), usize> = BTreeMap::new();
    for (i, op) in operations.iter().enumerate() {
        let key = (op.http_method, op.template.shape());
        match served.get(&key) {
            Some(&first) if paths::fragment(&operations[first].path).is_none() => {}
            Some(_) if paths::fragment(&op.path).is_some() => {}
            _ => {
                served.insert(key, i);
            }
        }
    }
    let mut out = Vec::new();
    for i in 0..operations.len() {
        let key = (operations[i].http_method, operations[i].template.shape());
        let first = served[&key];
        if first == i {
            continue;
        }
        let (served_id, served_path) = (operations[first].id.clone(), operations[first].path.clone());
        let op = &mut operations[i];
        let method = op.http_method.as_str().to_ascii_uppercase();
        let wire_path = op.path.split_once('#').map_or(op.path.as_str(), |(path, _)| path);
        let note = format!(
            "Only the client has this operation. Its requests are `{method} {wire_path}` (a URL's `#…` is never sent), which are the requests of `{served_id}` (`{method} {served_path}`) too, and the server serves them as `{served_id}`."
        );
        op.doc = Some(match op.doc.take() {
            Some(doc) if !doc.trim().is_empty() => format!("{doc}\n\n{note}"),
            _ => note,
        });
        out.push(ClientOnly {
            id: op.id.clone(),
            pointer: child_pointer(&child_pointer("/paths", &op.path), &op.http_method.as_str().to_ascii_lowercase()),
            message: format!(
                "operation `{method} {}` is generated for the client only: without its `#…` suffix, which no request carries, it is `{method} {wire_path}`, and the server serves those requests as `{served_id}`",
                op.path
            ),
        });
    }
    out
}
