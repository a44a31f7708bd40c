//! The bounds every run stays within, whatever the input: how deep the resolved document
//! may nest, how many `$ref`s may be followed inside one another, and how many nodes
//! resolution may produce. Each is far above what real definitions use, and each turns
//! into a located error instead of a stack overflow or a machine out of memory.
//!
//! Resolution enforces all three, so the stages after it (upgrade, the `openapiv3`
//! model, check, ir, emit), which recurse over the document, only ever see a document of
//! at most [`MAX_NESTING`] levels.

/// JSON levels of the resolved document, counting each `$ref` expanded in place as one
/// more level. 60 levels of inline `properties` need about 125; the Matrix definitions
/// stay below 30. The debug binary still has room to spare on an 8 MiB main thread here.
pub const MAX_NESTING: usize = 256;

/// The stack the pipeline runs on. An unoptimised build uses about 8 MiB at
/// [`MAX_NESTING`] levels of arrays (the `openapiv3` model's deserializer is the deepest
/// stage); this leaves room several times over.
pub const PIPELINE_STACK: usize = 64 << 20;

/// `$ref`s followed inside one another: a chain of bare refs (`A` → `B` → `C` …), or refs
/// expanded in place inside the targets of other refs. Real definitions use fewer than 10.
pub const MAX_REF_CHAIN: usize = 64;

/// Nodes that resolution may produce per node read, and at least. Shared parameters,
/// responses and examples are copied where they are used, so the output can be a few
/// times larger than the input; a `$ref` fan-out that doubles at every level is not.
pub const NODES_PER_INPUT_NODE: usize = 16;
pub const MIN_NODE_BUDGET: usize = 100_000;

/// Counts the nodes resolution produces against what the files read allow.
#[derive(Debug)]
pub struct NodeBudget {
    allowed: usize,
    used: usize,
}

impl Default for NodeBudget {
    fn default() -> Self {
        NodeBudget {
            allowed: MIN_NODE_BUDGET,
            used: 0,
        }
    }
}

impl NodeBudget {
    /// A file of `nodes` nodes was read: the output may grow by that many times the factor.
    pub fn allow(&mut self, nodes: usize) {
        self.allowed = self.allowed.saturating_add(nodes.saturating_mul(NODES_PER_INPUT_NODE));
    }

    /// One more node produced; `false` once the budget is spent.
    pub fn spend(&mut self) -> bool {
        self.used += 1;
        self.used <= self.allowed.max(MIN_NODE_BUDGET)
    }

    pub fn allowed(&self) -> usize {
        self.allowed
    }
}

/// The number of nodes in a value, counted without recursion.
pub fn count_nodes(value: &serde_json::Value) -> usize {
    let mut count = 0;
    let mut todo = vec![value];
    while let Some(node) = todo.pop() {
        count += 1;
        match node {
            serde_json::Value::Array(items) => todo.extend(items),
            serde_json::Value::Object(map) => todo.extend(map.values()),
            _ => {}
        }
    }
    count
}
