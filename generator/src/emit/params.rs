//! What the server and client emitters share about parameters: the shape of a value
//! (scalar, array, object) and the tokens of its wire style.

use proc_macro2::{Literal, TokenStream};
use quote::quote;

use crate::ir::{Ir, ParamStyle, TypeKind, TypeRef};

/// A parameter value as the wire styles see it.
pub enum ValueKind<'a> {
    Scalar,
    List(&'a TypeRef),
    /// An object; `text_members` are the wire names of its string members (the others
    /// are read as numbers or booleans when they look like one); `all_text` when every
    /// member is a string.
    Object {
        text_members: Vec<&'a str>,
        all_text: bool,
    },
}

pub fn value_kind<'a>(ir: &'a Ir, ty: &'a TypeRef) -> ValueKind<'a> {
    match ty {
        TypeRef::Vec(item) => ValueKind::List(item),
        TypeRef::Map(value) => ValueKind::Object {
            text_members: Vec::new(),
            all_text: is_text(ir, value),
        },
        TypeRef::JsonObject => ValueKind::Object {
            text_members: Vec::new(),
            all_text: false,
        },
        TypeRef::Named(name) => match ir.types.get(name).map(|def| &def.kind) {
            Some(TypeKind::Alias(target)) if !matches!(target, TypeRef::Named(_)) => value_kind(ir, target),
            Some(TypeKind::Struct(def)) => ValueKind::Object {
                text_members: def
                    .fields
                    .iter()
                    .filter(|field| is_text(ir, &field.ty))
                    .map(|field| field.wire_name.as_str())
                    .collect(),
                all_text: false,
            },
            _ => ValueKind::Scalar,
        },
        _ => ValueKind::Scalar,
    }
}

/// Whether values of the type are JSON strings.
fn is_text(ir: &Ir, ty: &TypeRef) -> bool {
    match ty {
        TypeRef::String => true,
        TypeRef::Named(name) => matches!(
            ir.types.get(name).map(|def| &def.kind),
            Some(TypeKind::StringEnum(_) | TypeKind::OpenStringEnum(_) | TypeKind::Alias(TypeRef::String))
        ),
        _ => false,
    }
}

/// `#runtime::Style::Joined(',')` and the like, for the runtime at `runtime`.
pub fn style_tokens(runtime: &TokenStream, style: ParamStyle) -> TokenStream {
    match style {
        ParamStyle::Joined(separator) => {
            let separator = Literal::character(separator);
            quote!(#runtime::Style::Joined(#separator))
        }
        ParamStyle::Exploded => quote!(#runtime::Style::Exploded),
        // Bracketed values have writers and readers of their own, which take no style;
        // `DeepObject` is the nearest should one ever be asked for.
        ParamStyle::DeepObject | ParamStyle::Bracketed { .. } => quote!(#runtime::Style::DeepObject),
        ParamStyle::Label { explode } => quote!(#runtime::Style::Label { explode: #explode }),
        ParamStyle::Matrix { explode } => quote!(#runtime::Style::Matrix { explode: #explode }),
    }
}

/// Whether a path value carries a prefix (`.`, `;name=`) even when it is a scalar.
pub fn prefixed(style: ParamStyle) -> bool {
    matches!(style, ParamStyle::Label { .. } | ParamStyle::Matrix { .. })
}

/// The places in a bracketed query value that hold text (member wire names, `*` for any
/// item or key), so that the server keeps `"10"` a string there where the type leaves it
/// open. Bounded in depth and count: a recursive type stops where its nesting would.
pub fn text_paths(ir: &Ir, ty: &TypeRef) -> Vec<Vec<String>> {
    let mut found = Vec::new();
    let mut steps = TEXT_PATHS_STEPS;
    collect_text_paths(ir, ty, &mut Vec::new(), &mut found, &mut steps);
    found
}

const TEXT_PATHS_DEPTH: usize = 8;
const TEXT_PATHS_COUNT: usize = 256;
/// Types visited at most: wide types nested in each other multiply.
const TEXT_PATHS_STEPS: usize = 4096;

fn collect_text_paths(ir: &Ir, ty: &TypeRef, path: &mut Vec<String>, found: &mut Vec<Vec<String>>, steps: &mut usize) {
    if path.len() > TEXT_PATHS_DEPTH || found.len() >= TEXT_PATHS_COUNT || *steps == 0 {
        return;
    }
    *steps -= 1;
    let mut nested = |segment: &str, inner: &TypeRef, found: &mut Vec<Vec<String>>, steps: &mut usize| {
        path.push(segment.to_string());
        collect_text_paths(ir, inner, path, found, steps);
        path.pop();
    };
    match ty {
        TypeRef::String => found.push(path.clone()),
        TypeRef::Vec(inner) | TypeRef::Map(inner) => nested("*", inner, found, steps),
        TypeRef::Boxed(inner) => collect_text_paths(ir, inner, path, found, steps),
        TypeRef::Named(name) => match ir.types.get(name).map(|def| &def.kind) {
            Some(TypeKind::StringEnum(_) | TypeKind::OpenStringEnum(_)) => found.push(path.clone()),
            Some(TypeKind::Alias(inner) | TypeKind::Newtype(inner)) => {
                collect_text_paths(ir, inner, path, found, steps)
            }
            Some(TypeKind::Struct(def)) => {
                for field in &def.fields {
                    nested(&field.wire_name, &field.ty, found, steps);
                }
            }
            _ => {}
        },
        _ => {}
    }
}
