//! Maps JSON pointers to line and column in a file's text. serde_yaml reads values but
//! keeps no positions, so a second, event-level pass with yaml-rust2 records where each
//! node starts. It runs only when a diagnostic needs a position.

use std::collections::HashMap;

use yaml_rust2::parser::{Event, MarkedEventReceiver, Parser};
use yaml_rust2::scanner::Marker;

use crate::diag::{child_pointer, split_pointer};

/// Pointer → (line, column), both 1-based. For a map entry the position is its key's.
#[derive(Debug, Default)]
pub struct LineIndex {
    positions: HashMap<String, (usize, usize)>,
}

impl LineIndex {
    pub fn build(text: &str) -> Self {
        let mut recorder = Recorder::default();
        recorder.index.positions.insert(String::new(), (1, 1));
        // A file that does not parse has no positions beyond the ones found before the error.
        let _ = Parser::new_from_str(text).load(&mut recorder, false);
        recorder.index
    }

    /// The position of `pointer`, or of its nearest recorded ancestor.
    pub fn position(&self, pointer: &str) -> (usize, usize) {
        let mut segments = split_pointer(pointer);
        loop {
            let candidate = segments.iter().fold(String::new(), |p, s| child_pointer(&p, s));
            if let Some(pos) = self.positions.get(&candidate) {
                return *pos;
            }
            if segments.pop().is_none() {
                return (1, 1);
            }
        }
    }
}

enum Frame {
    Mapping {
        pointer: String,
        key: Option<(String, Marker)>,
    },
    Sequence {
        pointer: String,
        next: usize,
    },
}

#[derive(Default)]
struct Recorder {
    index: LineIndex,
    stack: Vec<Frame>,
}

impl Recorder {
    /// Called for every node start; returns the pointer of the node, or `None` when the
    /// node is a map key (keys are remembered, not indexed).
    fn enter_node(&mut self, scalar: Option<&str>, mark: Marker) -> Option<String> {
        let (pointer, at) = match self.stack.last_mut() {
            None => (String::new(), mark),
            Some(Frame::Sequence { pointer, next }) => {
                let p = child_pointer(pointer, &next.to_string());
                *next += 1;
                (p, mark)
            }
            Some(Frame::Mapping { pointer, key }) => match key.take() {
                None => {
                    *key = Some((scalar.unwrap_or_default().to_string(), mark));
                    return None;
                }
                Some((k, key_mark)) => (child_pointer(pointer, &k), key_mark),
            },
        };
        self.index
            .positions
            .entry(pointer.clone())
            .or_insert((at.line(), at.col() + 1));
        Some(pointer)
    }
}

impl MarkedEventReceiver for Recorder {
    fn on_event(&mut self, event: Event, mark: Marker) {
        match event {
            Event::Scalar(value, ..) => {
                self.enter_node(Some(&value), mark);
            }
            Event::Alias(_) => {
                self.enter_node(Some(""), mark);
            }
            Event::MappingStart(..) => {
                // A mapping used as a key (rare) is recorded under an empty key name.
                let pointer = self.enter_node(Some(""), mark).unwrap_or_default();
                self.stack.push(Frame::Mapping { pointer, key: None });
            }
            Event::SequenceStart(..) => {
                let pointer = self.enter_node(Some(""), mark).unwrap_or_default();
                self.stack.push(Frame::Sequence { pointer, next: 0 });
            }
            Event::MappingEnd | Event::SequenceEnd => {
                self.stack.pop();
            }
            _ => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_keys_items_and_flow_nodes() {
        let text = "a:\n  b:\n    - x\n    - {c: 1}\n200:\n  d: |-\n    text\n";
        let index = LineIndex::build(text);
        assert_eq!(index.position("/a"), (1, 1));
        assert_eq!(index.position("/a/b"), (2, 3));
        assert_eq!(index.position("/a/b/1"), (4, 7));
        assert_eq!(index.position("/a/b/1/c"), (4, 8));
        assert_eq!(index.position("/200/d"), (6, 3));
        assert_eq!(index.position("/200/missing/deeper"), (5, 1));
    }
}
