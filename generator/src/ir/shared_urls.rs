//! Operations that share a URL. Some definitions hold several operations on one method
//! and URL by giving their paths a `#…` suffix (`/files/{file_id}#add_shared_link` beside
//! `/files/{file_id}`), and paths that differ only in their parameters' names
//! (`/queues/{queueSid}`, `/queues/{name}`) are one path by OpenAPI's rules. A client never
//! sends a URL's fragment, so each of them is a request to the path before the `#`, and the
//! client has every one of them.
//!
//! A suffix of `name=value` items (`/#X-Amz-Target=DynamoDB_20120810.GetItem`,
//! `/#Action=DescribeTags`) says what else the requests carry: a header, or a query value.
//! Those are the operation's selectors: the client sends them and the server serves the
//! operation to the requests that carry them. Where nothing tells two operations apart
//! (the same method, path shape and selectors), the first of them in the definition (the
//! one without a suffix, when there is one) is served, and the others are generated for
//! the client only, each with a located warning naming the served one and a line in its
//! docs.

use std::collections::BTreeMap;

use super::{ClientOnly, DeclaredSelector, HttpMethod, Operation, ParamLocation, Selector, paths};
use crate::diag::child_pointer;

/// What the IR records about operations sharing a URL.
pub struct SharedUrls {
    /// The operations only the client has, in definition order; their docs say so.
    pub client_only: Vec<ClientOnly>,
    /// Each operation's selectors, by id, for the operations that have some.
    pub selectors: BTreeMap<String, Vec<Selector>>,
}

pub fn decide(operations: &mut [Operation]) -> SharedUrls {
    let selectors: Vec<Vec<Selector>> = operations.iter().map(selectors_of).collect();
    let mut groups: BTreeMap<(HttpMethod, String), Vec<usize>> = BTreeMap::new();
    for (i, op) in operations.iter().enumerate() {
        groups.entry((op.http_method, op.template.shape())).or_default().push(i);
    }
    // Each operation left to the client → the one served in its place.
    let mut served_instead: BTreeMap<usize, usize> = BTreeMap::new();
    for members in groups.values() {
        let plain: Vec<usize> = members.iter().copied().filter(|&i| selectors[i].is_empty()).collect();
        let unsuffixed = plain
            .iter()
            .copied()
            .find(|&i| paths::route_path(&operations[i].path) == operations[i].path);
        if let Some(default) = unsuffixed.or(plain.first().copied()) {
            for &i in plain.iter().filter(|&&i| i != default) {
                served_instead.insert(i, default);
            }
        }
        let mut distinct: Vec<usize> = Vec::new();
        for &i in members.iter().filter(|&&i| !selectors[i].is_empty()) {
            match distinct.iter().find(|&&j| same_values(&selectors[i], &selectors[j])) {
                Some(&j) => {
                    served_instead.insert(i, j);
                }
                None => distinct.push(i),
            }
        }
    }
    let mut client_only = Vec::new();
    for (&i, &served) in &served_instead {
        let (served_id, served_path) = (operations[served].id.clone(), operations[served].path.clone());
        let op = &mut operations[i];
        let method = op.http_method.as_str().to_ascii_uppercase();
        let wire_path = paths::route_path(&op.path);
        let (note, message, help) = if !selectors[i].is_empty() {
            let values = describe(&selectors[i]);
            (
                format!(
                    "Only the client has this operation. Its requests are `{method} {wire_path}` with {values}, which are the requests of `{served_id}` (`{method} {served_path}`) too, and the server serves them as `{served_id}`."
                ),
                format!(
                    "operation `{method} {}` is generated for the client only: its requests are `{method} {wire_path}` with {values}, as are those of `{served_id}` (`{method} {served_path}`), and the server serves them as `{served_id}`",
                    op.path
                ),
                "to serve it too, give its `#…` suffix a header or query value no other operation on this path has",
            )
        } else if paths::route_path(&op.path) != op.path.split_once('#').map_or(op.path.as_str(), |(path, _)| path) {
            (
                format!(
                    "Only the client has this operation. Its requests are `{method} {wire_path}` with query values, as are those of `{served_id}` (`{method} {served_path}`), and the server serves them as `{served_id}`."
                ),
                format!(
                    "operation `{method} {}` is generated for the client only: its requests are `{method} {wire_path}` with query values, as are those of `{served_id}` (`{method} {served_path}`), and the server serves them as `{served_id}`",
                    op.path
                ),
                "to serve it too, give it a path of its own, or a fixed `name=value` query member no other operation on this path has",
            )
        } else if paths::fragment(&op.path).is_some() {
            (
                format!(
                    "Only the client has this operation. Its requests are `{method} {wire_path}` (a URL's `#…` is never sent), which are the requests of `{served_id}` (`{method} {served_path}`) too, and the server serves them as `{served_id}`."
                ),
                format!(
                    "operation `{method} {}` is generated for the client only: without its `#…` suffix, which no request carries, it is `{method} {wire_path}`, and the server serves those requests as `{served_id}`",
                    op.path
                ),
                "to serve it too, give it a path of its own: a server tells operations apart by method and path alone",
            )
        } else {
            (
                format!(
                    "Only the client has this operation. Its path differs from that of `{served_id}` (`{method} {served_path}`) only in its parameters' names, so by OpenAPI's rules both are one path, and the server serves its requests as `{served_id}`."
                ),
                format!(
                    "operation `{method} {}` is generated for the client only: its path differs from that of `{served_id}` (`{method} {served_path}`) only in its parameters' names, so by OpenAPI's rules both are one path, and the server serves its requests as `{served_id}`",
                    op.path
                ),
                "to serve it too, change the fixed text of one of the two paths: a server cannot tell them apart",
            )
        };
        op.doc = Some(match op.doc.take() {
            Some(doc) if !doc.trim().is_empty() => format!("{doc}\n\n{note}"),
            _ => note,
        });
        client_only.push(ClientOnly {
            id: op.id.clone(),
            pointer: child_pointer(
                &child_pointer("/paths", &op.path),
                &op.http_method.as_str().to_ascii_lowercase(),
            ),
            message,
            help,
        });
    }
    let selectors = operations
        .iter()
        .zip(selectors)
        .filter(|(_, selectors)| !selectors.is_empty())
        .map(|(op, selectors)| (op.id.clone(), selectors))
        .collect();
    SharedUrls { client_only, selectors }
}

/// The fixed `name=value` members of the operation's `?…` part, which are query values,
/// then the `name=value` items of its `#…` suffix, each a header or a query value: where
/// the operation declares the parameter, where it declares it; else a header when the
/// name says so (`X-…`) and a header can carry it, else a query value.
fn selectors_of(op: &Operation) -> Vec<Selector> {
    // `parse` read the path before the IR was built; a path it refused has no operations.
    let members = paths::query_members(&op.path).unwrap_or_default();
    let in_query = members.into_iter().filter_map(|member| match member.value {
        paths::QueryValue::Fixed(value) => {
            let declared = op
                .params
                .iter()
                .find(|p| p.location == ParamLocation::Query && p.wire_name == member.name);
            Some(Selector {
                location: ParamLocation::Query,
                name: member.name.to_string(),
                value: value.to_string(),
                declared: declared.map(|param| DeclaredSelector {
                    rust_name: param.rust_name.clone(),
                    always_present: param.always_present(),
                }),
            })
        }
        paths::QueryValue::Param(_) => None,
    });
    let in_fragment = paths::fragment(&op.path)
        .map(paths::fragment_values)
        .unwrap_or_default();
    in_query
        .collect::<Vec<_>>()
        .into_iter()
        .chain(in_fragment.into_iter().map(|(name, value)| {
            let fits_header = is_header_name(name) && is_header_value(value);
            let declared = op.params.iter().find(|p| {
                (p.location == ParamLocation::Header && fits_header && p.wire_name.eq_ignore_ascii_case(name))
                    || (p.location == ParamLocation::Query && p.wire_name == name)
            });
            match declared {
                Some(param) => Selector {
                    location: param.location,
                    name: param.wire_name.clone(),
                    value: value.to_string(),
                    declared: Some(DeclaredSelector {
                        rust_name: param.rust_name.clone(),
                        always_present: param.always_present(),
                    }),
                },
                None => {
                    let header = fits_header && name.get(..2).is_some_and(|x| x.eq_ignore_ascii_case("x-"));
                    Selector {
                        location: if header {
                            ParamLocation::Header
                        } else {
                            ParamLocation::Query
                        },
                        name: name.to_string(),
                        value: value.to_string(),
                        declared: None,
                    }
                }
            }
        }))
        .collect()
}

/// Whether two operations' selectors are the same values (header names ignore case).
fn same_values(a: &[Selector], b: &[Selector]) -> bool {
    let key = |selectors: &[Selector]| {
        let mut keys: Vec<(bool, String, String)> = selectors
            .iter()
            .map(|s| {
                let header = s.location == ParamLocation::Header;
                let name = if header {
                    s.name.to_ascii_lowercase()
                } else {
                    s.name.clone()
                };
                (header, name, s.value.clone())
            })
            .collect();
        keys.sort();
        keys.dedup();
        keys
    };
    key(a) == key(b)
}

/// `header `X-Amz-Target: Svc.Op``, `query value `Action=Describe``, joined by "and".
fn describe(selectors: &[Selector]) -> String {
    selectors
        .iter()
        .map(|s| match s.location {
            ParamLocation::Header => format!("header `{}: {}`", s.name, s.value),
            _ => format!("query value `{}={}`", s.name, s.value),
        })
        .collect::<Vec<_>>()
        .join(" and ")
}

/// An HTTP token (RFC 9110): what a header name may hold.
fn is_header_name(name: &str) -> bool {
    !name.is_empty()
        && name
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"!#$%&'*+-.^_`|~".contains(&b))
}

/// Visible ASCII with inner spaces: a header value both sides write and read as it is.
fn is_header_value(value: &str) -> bool {
    value.trim() == value && value.bytes().all(|b| (0x20..0x7f).contains(&b))
}
