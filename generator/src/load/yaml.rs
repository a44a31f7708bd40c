//! Reads YAML with libyaml-safer, a safe Rust port of libyaml: the parser serde_yaml was
//! built on, so every document serde_yaml read is read the same way, including libyaml's
//! leniency that the Matrix definitions rely on (a multi-line flow mapping whose `}`
//! sits at its key's indentation). Its events carry marks, and each event goes straight
//! into the tree builder, so values and positions come from this one parse.

use libyaml_safer::{EventData, Mark, Parser, ScalarStyle};

use super::tree::{BuildError, Scalar, TreeBuilder, resolve_plain, resolve_tagged};
use crate::locate::Position;

fn position(mark: Mark) -> Position {
    let clamp = |n: u64| u32::try_from(n.saturating_add(1)).unwrap_or(u32::MAX);
    Position {
        line: clamp(mark.line),
        column: clamp(mark.column),
    }
}

pub fn read(text: &str, tree: &mut TreeBuilder) -> Result<(), BuildError> {
    let mut input = text.as_bytes();
    let mut parser = Parser::new();
    parser.set_input_string(&mut input);
    loop {
        let event = parser.parse().map_err(|e| syntax_error(&e, tree))?;
        let at = position(event.start_mark);
        match event.data {
            EventData::StreamEnd => return Ok(()),
            EventData::StreamStart { .. } | EventData::DocumentEnd { .. } => {}
            EventData::DocumentStart { .. } => {
                if tree.is_complete() {
                    return Err(BuildError {
                        message: "the file holds more than one YAML document".to_string(),
                        help: "keep one document per file; remove the `---` line and what follows, or split the file",
                        at,
                        pointer: String::new(),
                    });
                }
            }
            EventData::Alias { anchor } => tree.alias(&anchor, at)?,
            EventData::Scalar {
                anchor,
                tag,
                value,
                style,
                ..
            } => {
                let plain = style == ScalarStyle::Plain;
                let scalar = match tag {
                    Some(tag) => resolve_tagged(&value, &tag, plain).map_err(|message| BuildError {
                        message,
                        help: "remove the tag or change the value",
                        at,
                        pointer: tree.pointer(),
                    })?,
                    None if plain => resolve_plain(&value),
                    None => Scalar::String(value),
                };
                tree.scalar(scalar, at, anchor)?;
            }
            EventData::SequenceStart { anchor, .. } => tree.open_sequence(at, anchor)?,
            EventData::MappingStart { anchor, .. } => tree.open_mapping(at, anchor)?,
            EventData::SequenceEnd | EventData::MappingEnd => tree.close()?,
        }
    }
}

fn syntax_error(error: &libyaml_safer::Error, tree: &TreeBuilder) -> BuildError {
    let mut message = format!("not valid YAML or JSON: {}", error.problem());
    if let (Some(context), Some(mark)) = (error.context(), error.context_mark()) {
        let at = position(mark);
        message.push_str(&format!(" ({context} at {}:{})", at.line, at.column));
    }
    let at = error.problem_mark().map_or(Position { line: 1, column: 1 }, position);
    BuildError {
        message,
        help: "fix the syntax at this position",
        at,
        pointer: tree.pointer(),
    }
}
