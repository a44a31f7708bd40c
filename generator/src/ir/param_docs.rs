//! Parameter descriptions that many operations repeat are written once. A cluster API
//! declares `pretty`, `dryRun`, `labelSelector`, … with the same paragraph-long text on
//! hundreds of operations; copied onto every request struct's field, they were half of
//! its `types` module. A description repeated on [`MIN_USES`] operations or more that
//! would not fit on one line gets one documented constant in a module of the `types`
//! module; each field's doc links there. Short or one-off descriptions stay on the field.

use std::collections::BTreeMap;

use heck::ToShoutySnakeCase;

use super::naming::Registry;
use super::types::TypeBuilder;
use super::{Operation, Param, ParamLocation};

/// Fewest operations that must share a description for it to be written once: in a
/// small API, two or three copies read better than a link.
pub const MIN_USES: usize = 5;
/// Longest description (in characters, on one line) that stays on each field.
pub const MAX_INLINE_CHARS: usize = 100;

/// The module of shared descriptions and which parameter links to which entry.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct SharedParamDocs {
    /// The module's name in `types` (`parameters`); `None` when nothing is shared.
    pub module: Option<String>,
    pub entries: Vec<SharedParamDoc>,
    /// (location, wire name, description) → its entry in `entries`.
    index: BTreeMap<Key, usize>,
}

/// One description, written once on a constant that holds the parameter's wire name.
#[derive(Debug, Clone, PartialEq)]
pub struct SharedParamDoc {
    /// The constant's name in the module (`DRY_RUN`).
    pub name: String,
    pub wire_name: String,
    pub location: ParamLocation,
    pub doc: String,
    /// How many operations' requests have the parameter.
    pub uses: usize,
}

type Key = (u8, String, String);

fn key(param: &Param, doc: &str) -> Key {
    let location = match param.location {
        ParamLocation::Path => 0,
        ParamLocation::Query => 1,
        ParamLocation::Header => 2,
        ParamLocation::Cookie => 3,
    };
    (location, param.wire_name.clone(), doc.to_string())
}

impl SharedParamDocs {
    /// The entry that holds `param`'s description, when it is shared.
    pub fn of(&self, param: &Param) -> Option<&SharedParamDoc> {
        let doc = param.doc.as_deref()?;
        self.entries.get(*self.index.get(&key(param, doc))?)
    }
}

/// Whether a description is long enough to be worth a link instead of its text.
fn long(doc: &str) -> bool {
    doc.contains('\n') || doc.chars().count() > MAX_INLINE_CHARS
}

/// Counts each long description per parameter and location, and names a constant for
/// those used often enough, in the order operations first use them.
pub fn decide(operations: &[Operation], types: &mut TypeBuilder) -> SharedParamDocs {
    let mut uses: BTreeMap<Key, usize> = BTreeMap::new();
    let mut order: Vec<(Key, &Param)> = Vec::new();
    for param in operations.iter().flat_map(|op| &op.params) {
        let Some(doc) = param.doc.as_deref().filter(|doc| long(doc)) else {
            continue;
        };
        let key = key(param, doc);
        let count = uses.entry(key.clone()).or_default();
        if *count == 0 {
            order.push((key, param));
        }
        *count += 1;
    }
    let mut shared = SharedParamDocs::default();
    let mut names = Registry::default();
    for (key, param) in order {
        let count = uses[&key];
        if count < MIN_USES {
            continue;
        }
        if shared.module.is_none() {
            shared.module = Some(types.claim(
                "parameters",
                "the module of parameter descriptions many operations share".to_string(),
            ));
        }
        let name = names.claim(&const_name(&param.wire_name));
        shared.index.insert(key.clone(), shared.entries.len());
        shared.entries.push(SharedParamDoc {
            name,
            wire_name: param.wire_name.clone(),
            location: param.location,
            doc: key.2,
            uses: count,
        });
    }
    shared
}

/// `dryRun`, `X-Request-Id`, `3d` → `DRY_RUN`, `X_REQUEST_ID`, `P_3D`.
fn const_name(wire_name: &str) -> String {
    let words: String = wire_name
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() { c } else { ' ' })
        .collect();
    let name = words.to_shouty_snake_case();
    if name.is_empty() {
        "PARAMETER".to_string()
    } else if name.starts_with(|c: char| c.is_ascii_digit()) {
        format!("P_{name}")
    } else {
        name
    }
}

#[cfg(test)]
mod tests {
    use super::const_name;

    #[test]
    fn constant_names_are_identifiers() {
        assert_eq!(const_name("dryRun"), "DRY_RUN");
        assert_eq!(const_name("X-Request-Id"), "X_REQUEST_ID");
        assert_eq!(const_name("3d"), "P_3D");
        assert_eq!(const_name("filter[name]"), "FILTER_NAME");
        assert_eq!(const_name("$$"), "PARAMETER");
    }
}
