//! Reads `.json` files: a small tokenizer that feeds the same tree builder as the YAML
//! reader, so JSON values and positions also come from one parse. Strings and numbers
//! are decoded by serde_json itself, so they read exactly as before (surrogate-pair
//! escapes such as `\ud83d\udc4d`, which libyaml refuses, included), and the reader is
//! several times faster than the YAML one on large definitions.
//!
//! A file that is not strict JSON is a syntax error here; the caller then tries it as
//! YAML (JSON with comments, a YAML file named `.json`).

use super::tree::{BuildError, Scalar, TreeBuilder};
use crate::locate::Position;

/// Why reading stopped.
pub enum JsonError {
    /// Not strict JSON: worth another try as YAML.
    Syntax(BuildError),
    /// JSON, but refused (nesting, duplicate keys, …): final.
    Refused(BuildError),
}

impl From<BuildError> for JsonError {
    fn from(e: BuildError) -> Self {
        JsonError::Refused(e)
    }
}

struct Reader<'a> {
    text: &'a str,
    pos: usize,
    line: u32,
    column: u32,
}

/// Which container the reader is in.
#[derive(Clone, Copy, PartialEq)]
enum Open {
    Array,
    Object,
}

pub fn read(text: &str, tree: &mut TreeBuilder) -> Result<(), JsonError> {
    let mut reader = Reader {
        text,
        pos: 0,
        line: 1,
        column: 1,
    };
    let mut open: Vec<Open> = Vec::new();
    'value: loop {
        reader.skip_whitespace();
        let at = reader.here();
        match reader.peek() {
            Some(b'{') => {
                reader.advance(1);
                tree.open_mapping(at, None)?;
                reader.skip_whitespace();
                if reader.peek() == Some(b'}') {
                    reader.advance(1);
                    tree.close()?;
                } else {
                    open.push(Open::Object);
                    reader.key(tree)?;
                    continue 'value;
                }
            }
            Some(b'[') => {
                reader.advance(1);
                tree.open_sequence(at, None)?;
                reader.skip_whitespace();
                if reader.peek() == Some(b']') {
                    reader.advance(1);
                    tree.close()?;
                } else {
                    open.push(Open::Array);
                    continue 'value;
                }
            }
            Some(b'"') => {
                let s = reader.string(tree)?;
                tree.scalar(Scalar::String(s), at, None)?;
            }
            Some(b'-' | b'0'..=b'9') => {
                let number = reader.number(tree)?;
                tree.scalar(Scalar::Number(number), at, None)?;
            }
            Some(b't') => reader.literal("true", Scalar::Bool(true), tree)?,
            Some(b'f') => reader.literal("false", Scalar::Bool(false), tree)?,
            Some(b'n') => reader.literal("null", Scalar::Null, tree)?,
            _ => return Err(reader.syntax("expected a value", tree)),
        }
        // After a value: a comma and the next one, or the end of containers.
        loop {
            let Some(&innermost) = open.last() else {
                reader.skip_whitespace();
                if reader.peek().is_some() {
                    return Err(reader.syntax("unexpected text after the document", tree));
                }
                return Ok(());
            };
            reader.skip_whitespace();
            match (innermost, reader.peek()) {
                (_, Some(b',')) => {
                    reader.advance(1);
                    if innermost == Open::Object {
                        reader.key(tree)?;
                    }
                    continue 'value;
                }
                (Open::Array, Some(b']')) | (Open::Object, Some(b'}')) => {
                    reader.advance(1);
                    open.pop();
                    tree.close()?;
                }
                (Open::Array, _) => return Err(reader.syntax("expected `,` or `]`", tree)),
                (Open::Object, _) => return Err(reader.syntax("expected `,` or `}`", tree)),
            }
        }
    }
}

impl Reader<'_> {
    fn here(&self) -> Position {
        Position {
            line: self.line,
            column: self.column,
        }
    }

    fn peek(&self) -> Option<u8> {
        self.text.as_bytes().get(self.pos).copied()
    }

    /// Moves over `bytes` bytes that hold no line break.
    fn advance(&mut self, bytes: usize) {
        let end = self.pos + bytes;
        // Columns count characters: every byte that is not a UTF-8 continuation byte.
        let chars = self.text.as_bytes()[self.pos..end]
            .iter()
            .filter(|&&b| (b & 0xC0) != 0x80)
            .count();
        self.column = self.column.saturating_add(u32::try_from(chars).unwrap_or(u32::MAX));
        self.pos = end;
    }

    fn skip_whitespace(&mut self) {
        while let Some(b) = self.peek() {
            match b {
                b' ' | b'\t' | b'\r' => self.column = self.column.saturating_add(1),
                b'\n' => {
                    self.line = self.line.saturating_add(1);
                    self.column = 1;
                }
                _ => return,
            }
            self.pos += 1;
        }
    }

    fn syntax(&self, what: &str, tree: &TreeBuilder) -> JsonError {
        JsonError::Syntax(BuildError {
            message: format!("not valid JSON: {what}"),
            help: "fix the syntax at this position",
            at: self.here(),
            pointer: tree.pointer(),
        })
    }

    /// A member name and its `:`.
    fn key(&mut self, tree: &mut TreeBuilder) -> Result<(), JsonError> {
        self.skip_whitespace();
        let at = self.here();
        if self.peek() != Some(b'"') {
            return Err(self.syntax("expected a member name in double quotes", tree));
        }
        let key = self.string(tree)?;
        tree.scalar(Scalar::String(key), at, None)?;
        self.skip_whitespace();
        if self.peek() != Some(b':') {
            return Err(self.syntax("expected `:`", tree));
        }
        self.advance(1);
        Ok(())
    }

    /// A string starting at the current `"`; serde_json decodes any escapes.
    fn string(&mut self, tree: &TreeBuilder) -> Result<String, JsonError> {
        let bytes = self.text.as_bytes();
        let start = self.pos;
        let mut end = start + 1;
        let mut plain = true;
        loop {
            match bytes.get(end) {
                None => return Err(self.syntax("a string is not closed", tree)),
                Some(b'"') => break,
                Some(b'\\') => {
                    plain = false;
                    end += 2;
                }
                Some(&b) => {
                    // Control characters are refused by serde_json below, with its message.
                    plain &= b >= 0x20;
                    end += 1;
                }
            }
        }
        let literal = &self.text[start..=end];
        let value = if plain {
            literal[1..literal.len() - 1].to_string()
        } else {
            serde_json::from_str::<String>(literal).map_err(|e| self.syntax(&serde_message(&e), tree))?
        };
        self.advance(end + 1 - start);
        Ok(value)
    }

    fn number(&mut self, tree: &TreeBuilder) -> Result<serde_json::Number, JsonError> {
        let bytes = self.text.as_bytes();
        let start = self.pos;
        let mut end = start;
        while end < bytes.len() && matches!(bytes[end], b'-' | b'+' | b'.' | b'e' | b'E' | b'0'..=b'9') {
            end += 1;
        }
        let number = self.text[start..end]
            .parse::<serde_json::Number>()
            .map_err(|e| self.syntax(&serde_message(&e), tree))?;
        self.advance(end - start);
        Ok(number)
    }

    fn literal(&mut self, word: &str, scalar: Scalar, tree: &mut TreeBuilder) -> Result<(), JsonError> {
        if !self.text[self.pos..].starts_with(word) {
            return Err(self.syntax("expected a value", tree));
        }
        let at = self.here();
        self.advance(word.len());
        tree.scalar(scalar, at, None)?;
        Ok(())
    }
}

/// serde_json's message without its " at line L column C" (ours is more precise).
fn serde_message(error: &serde_json::Error) -> String {
    let mut message = error.to_string();
    if let Some(cut) = message.find(" at line ") {
        message.truncate(cut);
    }
    message
}
