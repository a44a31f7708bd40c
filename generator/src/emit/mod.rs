//! Stage `emit`: token streams from the IR, one small function per generated item.
//! Nothing here fails and nothing here touches text: `write` formats the tokens.

mod examples;
mod root;
mod rust;
mod types;

use proc_macro2::TokenStream;

use crate::ir::Ir;

pub use root::{emit_crate_root, emit_single_file};

/// When a module is compiled.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Gate {
    Always,
    /// Only in tests (`#[cfg(test)]`).
    Test,
}

/// One generated Rust module: its name (`types` → `src/types.rs` or `mod types { .. }`),
/// when it is compiled, and its tokens. The tokens never say `crate::` and hold no inner
/// attributes but docs, so that they work as a file and as an inline module alike.
pub struct Module {
    pub name: &'static str,
    pub gate: Gate,
    pub tokens: TokenStream,
}

/// The modules generated from a definition, in the order the crate root lists them.
pub fn emit(ir: &Ir) -> Vec<Module> {
    vec![
        Module {
            name: "types",
            gate: Gate::Always,
            tokens: types::emit_types(ir),
        },
        Module {
            name: "examples",
            gate: Gate::Test,
            tokens: examples::emit_examples(ir),
        },
    ]
}
