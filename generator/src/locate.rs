//! Where each node of a file was written. The index is filled by the same parse that
//! builds the file's value (see `load::tree`), so a position can never belong to a
//! different node than the value it is reported for.
//!
//! It is kept small and needs no value: one 16-byte record per written node, in
//! document order, each with the size of its subtree, and the map keys in one string.
//! A pointer is found by walking the records, skipping over siblings' subtrees. The
//! file's value can therefore be dropped once it has been resolved (a cluster API's
//! value is several times the size of its text), and diagnostics are still located.

use crate::diag::split_pointer;

/// A line and column, both 1-based; the column counts characters.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Position {
    pub line: u32,
    pub column: u32,
}

#[derive(Debug, Clone, Copy)]
struct Record {
    at: Position,
    /// This node and all nodes written inside it (below [`MAPPING`]), and whether it is
    /// a mapping ([`MAPPING`]). A map entry's node is its value, placed at its key.
    nodes: u32,
    /// Where this node's key ends in [`Positions::keys`]; it starts where the previous
    /// record's ends (an item of a sequence has an empty key).
    key_end: u32,
}

/// The flag of [`Record::nodes`] that marks a mapping.
const MAPPING: u32 = 1 << 31;

/// The positions of one file's nodes, in document order.
#[derive(Debug, Default)]
pub struct Positions {
    records: Vec<Record>,
    /// Every map key, in document order, one after another.
    keys: String,
}

/// What kind of node a record is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Container {
    Sequence,
    Mapping,
}

impl Positions {
    pub fn len(&self) -> usize {
        self.records.len()
    }

    /// A node with nothing written inside it: a scalar, or an alias (whose copied
    /// insides are then reported at the alias). `key` is its key when it is a map value.
    pub fn push_leaf(&mut self, at: Position, key: Option<&str>) {
        self.push(at, 1, key);
    }

    /// Starts a container; returns its record for [`Positions::close`].
    pub fn open(&mut self, at: Position, kind: Container, key: Option<&str>) -> usize {
        let flag = if kind == Container::Mapping { MAPPING } else { 0 };
        self.push(at, flag | 1, key);
        self.records.len() - 1
    }

    fn push(&mut self, at: Position, nodes: u32, key: Option<&str>) {
        self.keys.push_str(key.unwrap_or_default());
        // Files are at most 64 MiB, so their keys fit in 32 bits.
        let key_end = u32::try_from(self.keys.len()).unwrap_or(u32::MAX);
        self.records.push(Record { at, nodes, key_end });
    }

    /// Ends a container: it holds every node recorded since it was opened.
    pub fn close(&mut self, record: usize) {
        let nodes = u32::try_from(self.records.len() - record)
            .unwrap_or(u32::MAX)
            .min(MAPPING - 1);
        let flag = self.records[record].nodes & MAPPING;
        self.records[record].nodes = flag | nodes;
    }

    pub fn position(&self, record: usize) -> Position {
        self.records[record].at
    }

    fn nodes(&self, record: usize) -> usize {
        (self.records[record].nodes & !MAPPING) as usize
    }

    fn key(&self, record: usize) -> &str {
        let start = record
            .checked_sub(1)
            .map_or(0, |before| self.records[before].key_end as usize);
        self.keys
            .get(start..self.records[record].key_end as usize)
            .unwrap_or_default()
    }

    /// The position of the node at `pointer`, or of its nearest written ancestor.
    pub fn find(&self, pointer: &str) -> Position {
        if self.records.is_empty() {
            return Position { line: 1, column: 1 };
        }
        let mut record = 0;
        for segment in split_pointer(pointer) {
            let end = record + self.nodes(record);
            let mut child = record + 1;
            let found = if self.records[record].nodes & MAPPING != 0 {
                while child < end && self.key(child) != segment {
                    child += self.nodes(child);
                }
                child < end
            } else {
                match segment.parse::<usize>() {
                    Ok(index) => {
                        let mut skipped = 0;
                        while child < end && skipped < index {
                            child += self.nodes(child);
                            skipped += 1;
                        }
                        child < end
                    }
                    Err(_) => false,
                }
            };
            if !found {
                break;
            }
            record = child;
        }
        self.records[record].at
    }
}
