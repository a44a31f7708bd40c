//! How user code makes a model besides a struct literal, decided once every type is built
//! (a one-way member is only required in the end where its direction allows it):
//! - no required members: `Default`;
//! - up to [`MAX_NEW_ARGUMENTS`] required members: `Type::new(required..)`, the optional
//!   ones `None` and the map of unnamed members empty;
//! - more: `Type::builder()`, a setter per member and `build()`, which names the first
//!   required member left unset. Five positional arguments of which several are strings
//!   read badly and swap silently; named setters do not.

use std::collections::BTreeMap;

use super::TypeBuilder;
use crate::ir::naming::Registry;
use crate::ir::{Constructor, MAX_NEW_ARGUMENTS, ModelSupport, TypeDef, TypeKind};

/// Sets each struct's constructor and names the shared support types they need.
pub fn decide(defs: &mut BTreeMap<String, TypeDef>, types: &mut TypeBuilder) -> ModelSupport {
    let mut support = ModelSupport::default();
    for def in defs.values_mut() {
        let TypeKind::Struct(s) = &mut def.kind else { continue };
        let required = s.fields.iter().filter(|f| f.required).count();
        s.constructor = if required == 0 {
            Constructor::Default
        } else if required <= MAX_NEW_ARGUMENTS {
            Constructor::New
        } else {
            let name = types.claim(
                &format!("{}Builder", def.name),
                format!("the builder of `{}`", def.name),
            );
            let mut setters = Registry::with_reserved(["build"]);
            let setters = s.fields.iter().map(|f| setters.claim(&f.rust_name)).collect();
            Constructor::Builder { name, setters }
        };
    }
    let any = |wanted: fn(&TypeKind) -> bool| defs.values().any(|def| wanted(&def.kind));
    if any(|kind| matches!(kind, TypeKind::Struct(s) if matches!(s.constructor, Constructor::Builder { .. }))) {
        support.missing_field = Some(types.claim("MissingField", "the error of builders".to_string()));
    }
    if any(|kind| matches!(kind, TypeKind::StringEnum(_))) {
        support.unknown_value = Some(types.claim("UnknownValue", "the error of string enums' `FromStr`".to_string()));
    }
    support
}
