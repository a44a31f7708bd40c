//! Maps pointers in the upgraded document back to the file, line and column the user
//! wrote: upgraded pointer → resolved pointer (upgrade moves) → file pointer (resolve
//! origins) → line and column (the position index load built with the value).

use crate::diag::Location;
use crate::load::Sources;
use crate::resolve::Resolved;
use crate::upgrade::Upgraded;

pub struct Provenance<'a> {
    pub sources: &'a Sources,
    pub resolved: &'a Resolved,
    pub upgraded: &'a Upgraded,
}

impl<'a> Provenance<'a> {
    pub fn new(sources: &'a Sources, resolved: &'a Resolved, upgraded: &'a Upgraded) -> Self {
        Provenance {
            sources,
            resolved,
            upgraded,
        }
    }

    /// Where the user wrote the node at `pointer` of the upgraded document.
    pub fn locate(&self, pointer: &str) -> Location {
        self.locate_resolved(&self.upgraded.resolved_pointer(pointer))
    }

    /// Where the user wrote the node at `pointer` of the resolved document.
    pub fn locate_resolved(&self, pointer: &str) -> Location {
        let origin = self.resolved.origin(pointer);
        self.sources.locate(origin.file, &origin.pointer)
    }

    /// The name a `$ref` gives the schema at `pointer` (upgraded), if a ref brought it in.
    pub fn ref_name_hint(&self, pointer: &str) -> Option<String> {
        self.resolved
            .ref_name_hint(&self.upgraded.resolved_pointer(pointer), self.sources)
    }
}
