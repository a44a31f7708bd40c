//! Where each node of a file was written. The index is filled by the same parse that
//! builds the file's value (see `load::tree`), so a position can never belong to a
//! different node than the value it is reported for.
//!
//! It is kept small: one 12-byte record per written node, in document order, each with
//! the size of its subtree. A pointer is found by walking the value and the records
//! together, skipping over siblings' subtrees; no pointer strings are stored.

use serde_json::Value;

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
    /// This node and all nodes written inside it. A map entry's node is its value,
    /// placed at its key.
    nodes: u32,
}

/// The positions of one file's nodes, in document order.
#[derive(Debug, Default)]
pub struct Positions {
    records: Vec<Record>,
}

impl Positions {
    pub fn len(&self) -> usize {
        self.records.len()
    }

    /// A node with nothing written inside it: a scalar, or an alias (whose copied
    /// insides are then reported at the alias).
    pub fn push_leaf(&mut self, at: Position) {
        self.records.push(Record { at, nodes: 1 });
    }

    /// Starts a container; returns its record for [`Positions::close`].
    pub fn open(&mut self, at: Position) -> usize {
        self.records.push(Record { at, nodes: 1 });
        self.records.len() - 1
    }

    /// Ends a container: it holds every node recorded since it was opened.
    pub fn close(&mut self, record: usize) {
        let nodes = self.records.len() - record;
        self.records[record].nodes = u32::try_from(nodes).unwrap_or(u32::MAX);
    }

    pub fn position(&self, record: usize) -> Position {
        self.records[record].at
    }

    /// The position of the node at `pointer` in `value` (the value these positions were
    /// built with), or of its nearest written ancestor.
    pub fn find(&self, value: &Value, pointer: &str) -> Position {
        let Some(mut record) = (!self.records.is_empty()).then_some(0) else {
            return Position { line: 1, column: 1 };
        };
        let mut node = value;
        for segment in split_pointer(pointer) {
            if self.records[record].nodes <= 1 {
                break;
            }
            let (index, child) = match node {
                Value::Object(map) => match map.iter().enumerate().find(|(_, (k, _))| **k == segment) {
                    Some((index, (_, child))) => (index, child),
                    None => break,
                },
                Value::Array(items) => match segment.parse::<usize>().ok().and_then(|i| Some((i, items.get(i)?))) {
                    Some(found) => found,
                    None => break,
                },
                _ => break,
            };
            let mut child_record = record + 1;
            for _ in 0..index {
                child_record += self.records[child_record].nodes as usize;
            }
            record = child_record;
            node = child;
        }
        self.records[record].at
    }
}
