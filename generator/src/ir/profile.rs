//! The dialect profile: whether a definition is written for Matrix, decided once here
//! from what the IR already holds. Emitters read [`Profile`]; none of them sniffs.

use std::collections::BTreeMap;

use super::{MediaKind, Operation, Profile, ResponseBody, ResponseStatus, TypeDef, TypeKind, TypeRef};

/// Where Matrix serves every API it specifies.
const MATRIX_PATH_PREFIX: &str = "/_matrix/";

/// Matrix when an operation is served under `/_matrix/`, or when an error response
/// (4xx, 5xx, a class or `default`) has Matrix's error schema: an object whose required
/// `errcode` is a string. Any other API is [`Profile::Standard`].
pub fn decide(base_path: &str, operations: &[Operation], types: &BTreeMap<String, TypeDef>) -> Profile {
    let under_matrix = operations.iter().any(|op| {
        let full = format!("{base_path}{}", op.path);
        full.starts_with(MATRIX_PATH_PREFIX)
    });
    let matrix_errors = operations
        .iter()
        .flat_map(|op| &op.responses)
        .filter(|response| is_error_status(response.status))
        .flat_map(|response| json_types(response.body.as_ref()))
        .any(|ty| is_matrix_error(ty, types));
    if under_matrix || matrix_errors {
        Profile::Matrix
    } else {
        Profile::Standard
    }
}

fn is_error_status(status: ResponseStatus) -> bool {
    match status {
        ResponseStatus::Exact(code) => code >= 400,
        ResponseStatus::Class(first_digit) => first_digit >= 4,
        ResponseStatus::Default => true,
    }
}

fn json_types(body: Option<&ResponseBody>) -> Vec<&TypeRef> {
    let forms: Vec<_> = match body {
        Some(ResponseBody::One(form)) => vec![form],
        Some(ResponseBody::Several { forms, .. }) => forms.iter().map(|(_, form)| form).collect(),
        None => Vec::new(),
    };
    forms
        .into_iter()
        .filter_map(|form| match &form.kind {
            MediaKind::Json(ty) => Some(ty),
            _ => None,
        })
        .collect()
}

/// A named struct with a required string `errcode` (boxes and aliases looked through).
fn is_matrix_error(ty: &TypeRef, types: &BTreeMap<String, TypeDef>) -> bool {
    let mut ty = ty;
    // Aliases may chain; the type space is finite, so a bound keeps this a loop, not a hang.
    for _ in 0..=types.len() {
        match ty {
            TypeRef::Boxed(inner) => ty = inner,
            TypeRef::Named(name) => match types.get(name).map(|def| &def.kind) {
                Some(TypeKind::Alias(target)) => ty = target,
                Some(TypeKind::Struct(def)) => {
                    return def
                        .fields
                        .iter()
                        .any(|field| field.wire_name == "errcode" && field.required && field.ty == TypeRef::String);
                }
                _ => return false,
            },
            _ => return false,
        }
    }
    false
}
