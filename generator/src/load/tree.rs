//! Builds a file's JSON value and its position index together, from the node events of
//! one parse (YAML events from libyaml-safer, or the JSON reader's), so that values and
//! positions can never disagree.
//!
//! Bounds: nesting deeper than [`MAX_DEPTH`] is an error as soon as it is reached, and
//! YAML aliases may copy only a bounded number of nodes (see [`alias_budget`]).

use std::collections::HashMap;

use serde_json::{Map, Value};

use crate::diag::child_pointer;
use crate::locate::{Container, Position, Positions};

/// How deep containers may nest. 60 levels of inline `properties` need about 180; the
/// later stages recurse over the value, so the limit also keeps their stacks small.
pub const MAX_DEPTH: usize = 1_000;

/// A problem found while building: what, where, and what to do.
#[derive(Debug)]
pub struct BuildError {
    pub message: String,
    pub help: &'static str,
    pub at: Position,
    pub pointer: String,
}

/// A scalar after YAML's core-schema resolution (or JSON's), before it becomes a value
/// or a map key.
pub enum Scalar {
    Null,
    Bool(bool),
    Number(serde_json::Number),
    /// `.nan`, `.inf`: YAML numbers that JSON cannot hold. Fine as map keys.
    NotJson(&'static str),
    /// An integer beyond 64 bits.
    TooLarge(String),
    String(String),
}

/// A container being filled.
struct Open {
    node: OpenNode,
    /// Index of this container's record in the position index.
    record: usize,
    anchor: Option<String>,
    /// Nodes in the value so far, itself and copies made by aliases included.
    size: usize,
}

enum OpenNode {
    Sequence(Vec<Value>),
    /// The key waiting for its value, with where it was written.
    Mapping(Map<String, Value>, Option<(String, Position)>),
}

/// The key the next node is the value of, when it goes into a mapping.
fn pending_key(stack: &[Open]) -> Option<&str> {
    match stack.last() {
        Some(Open {
            node: OpenNode::Mapping(_, Some((key, _))),
            ..
        }) => Some(key),
        _ => None,
    }
}

/// A value an anchor names, and how many nodes copying it costs.
struct Anchored {
    value: Value,
    nodes: usize,
}

pub struct TreeBuilder {
    stack: Vec<Open>,
    positions: Positions,
    root: Option<Value>,
    anchors: HashMap<String, Anchored>,
    /// Nodes copied so far by aliases (and by anchors, which keep a copy).
    copied: usize,
}

/// Aliases may copy at most this many nodes: twice what was written so far plus a fixed
/// allowance. This bounds memory on "billion laughs" input while leaving ordinary reuse
/// of shared parts alone.
fn alias_budget(written: usize) -> usize {
    100_000 + 2 * written
}

impl TreeBuilder {
    pub fn new() -> Self {
        TreeBuilder {
            stack: Vec::new(),
            positions: Positions::default(),
            root: None,
            anchors: HashMap::new(),
            copied: 0,
        }
    }

    /// Whether a whole node has been read (the next node would be a second document).
    pub fn is_complete(&self) -> bool {
        self.root.is_some()
    }

    pub fn finish(self) -> (Value, Positions) {
        (self.root.unwrap_or(Value::Null), self.positions)
    }

    /// The JSON pointer of the node that would come next, for messages.
    pub fn pointer(&self) -> String {
        let mut pointer = String::new();
        for open in &self.stack {
            match &open.node {
                OpenNode::Sequence(items) => pointer = child_pointer(&pointer, &items.len().to_string()),
                OpenNode::Mapping(_, Some((key, _))) => pointer = child_pointer(&pointer, key),
                OpenNode::Mapping(_, None) => {}
            }
        }
        pointer
    }

    fn error(&self, message: String, help: &'static str, at: Position) -> BuildError {
        BuildError {
            message,
            help,
            at,
            pointer: self.pointer(),
        }
    }

    /// Whether the next node is a map key.
    fn expecting_key(&self) -> bool {
        matches!(
            self.stack.last(),
            Some(Open {
                node: OpenNode::Mapping(_, None),
                ..
            })
        )
    }

    /// Where the next node is indexed: a map value at its key, anything else where it starts.
    fn node_position(&self, at: Position) -> Position {
        match self.stack.last() {
            Some(Open {
                node: OpenNode::Mapping(_, Some((_, key_at))),
                ..
            }) => *key_at,
            Some(_) => at,
            // The whole document is reported at its first line.
            None => Position { line: 1, column: 1 },
        }
    }

    pub fn scalar(&mut self, scalar: Scalar, at: Position, anchor: Option<String>) -> Result<(), BuildError> {
        if self.expecting_key() {
            let key = self.scalar_key(scalar, at)?;
            if let Some(anchor) = anchor {
                self.remember(anchor, &Value::String(key.clone()), 1, at)?;
            }
            return self.key(key, at);
        }
        let value = match scalar {
            Scalar::Null => Value::Null,
            Scalar::Bool(b) => Value::Bool(b),
            Scalar::Number(n) => Value::Number(n),
            Scalar::String(s) => Value::String(s),
            Scalar::NotJson(text) => {
                return Err(self.error(
                    format!("the number `{text}` cannot be represented in JSON"),
                    "quote it if it is meant as text, or write a finite number",
                    at,
                ));
            }
            Scalar::TooLarge(text) => {
                return Err(self.error(
                    format!("the integer `{text}` does not fit in 64 bits"),
                    "quote it if it is meant as text, or write a smaller number",
                    at,
                ));
            }
        };
        if let Some(anchor) = anchor {
            self.remember(anchor, &value, 1, at)?;
        }
        let position = self.node_position(at);
        self.positions.push_leaf(position, pending_key(&self.stack));
        self.place(value, 1);
        Ok(())
    }

    /// A scalar used as a map key, as serde_yaml wrote it: numbers, booleans and null
    /// become their text (`200:` is the key `"200"`).
    fn scalar_key(&self, scalar: Scalar, at: Position) -> Result<String, BuildError> {
        Ok(match scalar {
            Scalar::Null => "null".to_string(),
            Scalar::Bool(b) => b.to_string(),
            Scalar::Number(n) => n.to_string(),
            Scalar::NotJson(text) => text.to_string(),
            Scalar::String(s) => s,
            Scalar::TooLarge(text) => {
                return Err(self.error(
                    format!("the map key `{text}` is an integer that does not fit in 64 bits"),
                    "quote the key",
                    at,
                ));
            }
        })
    }

    fn key(&mut self, key: String, at: Position) -> Result<(), BuildError> {
        let Some(Open {
            node: OpenNode::Mapping(map, pending),
            ..
        }) = self.stack.last_mut()
        else {
            return Ok(());
        };
        if map.contains_key(&key) {
            let pointer = child_pointer(&self.pointer(), &key);
            return Err(BuildError {
                message: format!("the key `{key}` appears twice in this mapping"),
                help: "remove or rename one of them",
                at,
                pointer,
            });
        }
        *pending = Some((key, at));
        Ok(())
    }

    fn non_string_key(&self, what: &str, at: Position) -> BuildError {
        self.error(
            format!("a map key must be a string, number, boolean or null; found {what}"),
            "write the key as plain text",
            at,
        )
    }

    pub fn open_sequence(&mut self, at: Position, anchor: Option<String>) -> Result<(), BuildError> {
        self.open(OpenNode::Sequence(Vec::new()), "a sequence", at, anchor)
    }

    pub fn open_mapping(&mut self, at: Position, anchor: Option<String>) -> Result<(), BuildError> {
        self.open(OpenNode::Mapping(Map::new(), None), "a mapping", at, anchor)
    }

    fn open(&mut self, node: OpenNode, what: &str, at: Position, anchor: Option<String>) -> Result<(), BuildError> {
        if self.expecting_key() {
            return Err(self.non_string_key(what, at));
        }
        if self.stack.len() >= MAX_DEPTH {
            return Err(self.error(
                format!("the document nests deeper than {MAX_DEPTH} levels"),
                "flatten the structure, for example by moving parts into named definitions",
                at,
            ));
        }
        let position = self.node_position(at);
        let kind = match node {
            OpenNode::Sequence(_) => Container::Sequence,
            OpenNode::Mapping(..) => Container::Mapping,
        };
        let record = self.positions.open(position, kind, pending_key(&self.stack));
        self.stack.push(Open {
            node,
            record,
            anchor,
            size: 1,
        });
        Ok(())
    }

    /// Ends the innermost sequence or mapping.
    pub fn close(&mut self) -> Result<(), BuildError> {
        let Some(open) = self.stack.pop() else {
            return Ok(());
        };
        self.positions.close(open.record);
        let value = match open.node {
            OpenNode::Sequence(items) => Value::Array(items),
            OpenNode::Mapping(map, _) => Value::Object(map),
        };
        if let Some(anchor) = open.anchor {
            let at = self.positions.position(open.record);
            self.remember(anchor, &value, open.size, at)?;
        }
        self.place(value, open.size);
        Ok(())
    }

    /// A YAML alias: a copy of the node its anchor named.
    pub fn alias(&mut self, anchor: &str, at: Position) -> Result<(), BuildError> {
        let Some(nodes) = self.anchors.get(anchor).map(|a| a.nodes) else {
            return Err(self.error(
                format!("the alias `*{anchor}` names no anchor defined before it"),
                "define the anchor (`&name`) on an earlier node than its alias (`*name`), or remove the alias",
                at,
            ));
        };
        if self.expecting_key() {
            let key = match &self.anchors[anchor].value {
                Value::String(s) => s.clone(),
                Value::Null => "null".to_string(),
                Value::Bool(b) => b.to_string(),
                Value::Number(n) => n.to_string(),
                Value::Array(_) => return Err(self.non_string_key("a sequence", at)),
                Value::Object(_) => return Err(self.non_string_key("a mapping", at)),
            };
            return self.key(key, at);
        }
        // Charged before copying, so that an alias bomb stops before it takes memory.
        self.charge(nodes, at)?;
        let value = self.anchors[anchor].value.clone();
        // The copy is indexed as one node: messages about its insides point at the alias.
        let position = self.node_position(at);
        self.positions.push_leaf(position, pending_key(&self.stack));
        self.place(value, nodes);
        Ok(())
    }

    /// Keeps a copy of an anchored node for its aliases; the copy counts against the budget.
    fn remember(&mut self, anchor: String, value: &Value, nodes: usize, at: Position) -> Result<(), BuildError> {
        if nodes > 1 {
            self.charge(nodes, at)?;
        }
        let value = value.clone();
        self.anchors.insert(anchor, Anchored { value, nodes });
        Ok(())
    }

    fn charge(&mut self, nodes: usize, at: Position) -> Result<(), BuildError> {
        self.copied = self.copied.saturating_add(nodes);
        let budget = alias_budget(self.positions.len());
        if self.copied > budget {
            return Err(self.error(
                format!("YAML anchors and aliases copy more than {budget} nodes"),
                "share large parts with `$ref` instead of YAML aliases",
                at,
            ));
        }
        Ok(())
    }

    /// Puts a finished node of `size` nodes into its container (or makes it the document).
    fn place(&mut self, value: Value, size: usize) {
        let Some(open) = self.stack.last_mut() else {
            self.root = Some(value);
            return;
        };
        open.size = open.size.saturating_add(size);
        match &mut open.node {
            OpenNode::Sequence(items) => items.push(value),
            OpenNode::Mapping(map, pending) => {
                if let Some((key, _)) = pending.take() {
                    map.insert(key, value);
                }
            }
        }
    }
}

/// Resolves a plain YAML scalar the way serde_yaml 0.9 did (YAML 1.2 core schema with
/// its extras: `0x`/`0o`/`0b` integers, `.inf`/`.nan`; digits with a leading zero stay text).
pub fn resolve_plain(text: &str) -> Scalar {
    if matches!(text, "" | "~" | "null" | "Null" | "NULL") {
        return Scalar::Null;
    }
    match text {
        "true" | "True" | "TRUE" => return Scalar::Bool(true),
        "false" | "False" | "FALSE" => return Scalar::Bool(false),
        _ => {}
    }
    if let Some(int) = resolve_int(text) {
        return int;
    }
    if !digits_with_leading_zero(text) {
        if let Some(float) = resolve_float(text) {
            return float;
        }
    }
    Scalar::String(text.to_string())
}

/// A scalar with a YAML tag: the core-schema tags demand their type; other tags are
/// ignored (a local `!tag` on a plain scalar resolves as if untagged).
pub fn resolve_tagged(text: &str, tag: &str, plain: bool) -> Result<Scalar, String> {
    const CORE: &str = "tag:yaml.org,2002:";
    let expect = |scalar: Option<Scalar>, what: &str| {
        scalar.ok_or_else(|| format!("`{text}` is tagged `!!{}` but is not {what}", &tag[CORE.len()..]))
    };
    match tag.strip_prefix(CORE) {
        Some("bool") => expect(
            match text {
                "true" | "True" | "TRUE" => Some(Scalar::Bool(true)),
                "false" | "False" | "FALSE" => Some(Scalar::Bool(false)),
                _ => None,
            },
            "a boolean",
        ),
        Some("int") => expect(resolve_int(text), "an integer"),
        Some("float") => expect(resolve_float(text), "a number"),
        Some("null") => expect(
            matches!(text, "~" | "null" | "Null" | "NULL").then_some(Scalar::Null),
            "null",
        ),
        _ if plain && tag.starts_with('!') => Ok(resolve_plain(text)),
        _ => Ok(Scalar::String(text.to_string())),
    }
}

fn resolve_int(text: &str) -> Option<Scalar> {
    let (negative, digits) = match text.as_bytes().first()? {
        b'-' => (true, &text[1..]),
        b'+' => (false, &text[1..]),
        _ => (false, text),
    };
    let (radix, digits) = if let Some(rest) = digits.strip_prefix("0x") {
        (16, rest)
    } else if let Some(rest) = digits.strip_prefix("0o") {
        (8, rest)
    } else if let Some(rest) = digits.strip_prefix("0b") {
        (2, rest)
    } else {
        (10, digits)
    };
    if digits.is_empty() || !digits.bytes().all(|b| (b as char).is_digit(radix)) {
        return None;
    }
    if radix == 10 && digits_with_leading_zero(digits) {
        return None;
    }
    let Ok(magnitude) = u128::from_str_radix(digits, radix) else {
        // Beyond 128 bits serde_yaml fell through to a float (decimal) or text (others).
        return if radix == 10 { resolve_float(text) } else { None };
    };
    let number = if negative {
        i64::try_from(magnitude)
            .map(|m| -m)
            .ok()
            .or_else(|| (magnitude == 1 << 63).then_some(i64::MIN))
            .map(serde_json::Number::from)
    } else {
        u64::try_from(magnitude).ok().map(serde_json::Number::from)
    };
    Some(number.map_or_else(|| Scalar::TooLarge(text.to_string()), Scalar::Number))
}

fn resolve_float(text: &str) -> Option<Scalar> {
    let unsigned = match text.strip_prefix('+') {
        Some(rest) if rest.starts_with(['+', '-']) => return None,
        Some(rest) => rest,
        None => text,
    };
    match unsigned {
        ".inf" | ".Inf" | ".INF" => return Some(Scalar::NotJson(".inf")),
        "-.inf" | "-.Inf" | "-.INF" => return Some(Scalar::NotJson("-.inf")),
        ".nan" | ".NaN" | ".NAN" => return Some(Scalar::NotJson(".nan")),
        _ => {}
    }
    let float: f64 = unsigned.parse().ok()?;
    // Rust also reads `inf`, `NaN` and `infinity`; YAML does not.
    serde_json::Number::from_f64(float).map(Scalar::Number)
}

/// `0123`: digits after a leading zero are text in YAML 1.2.
fn digits_with_leading_zero(text: &str) -> bool {
    let digits = text.strip_prefix(['-', '+']).unwrap_or(text);
    digits.len() > 1 && digits.starts_with('0') && digits[1..].bytes().all(|b| b.is_ascii_digit())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn plain(text: &str) -> String {
        match resolve_plain(text) {
            Scalar::Null => "null".into(),
            Scalar::Bool(b) => format!("bool {b}"),
            Scalar::Number(n) => format!("number {n}"),
            Scalar::NotJson(t) => format!("not json {t}"),
            Scalar::TooLarge(t) => format!("too large {t}"),
            Scalar::String(s) => format!("string {s}"),
        }
    }

    #[test]
    fn plain_scalars_resolve_as_serde_yaml_did() {
        for (text, expected) in [
            ("", "null"),
            ("~", "null"),
            ("NULL", "null"),
            ("True", "bool true"),
            ("no", "string no"),
            ("200", "number 200"),
            ("-12", "number -12"),
            ("+7", "number 7"),
            ("0x1F", "number 31"),
            ("-0x10", "number -16"),
            ("0o17", "number 15"),
            ("0b101", "number 5"),
            ("0x-1", "string 0x-1"),
            ("+-5", "string +-5"),
            ("0123", "string 0123"),
            ("-0123", "string -0123"),
            ("1.5", "number 1.5"),
            ("1e3", "number 1000.0"),
            ("-.5", "number -0.5"),
            (".nan", "not json .nan"),
            ("-.Inf", "not json -.inf"),
            ("inf", "string inf"),
            ("NaN", "string NaN"),
            ("18446744073709551615", "number 18446744073709551615"),
            ("-9223372036854775808", "number -9223372036854775808"),
            ("18446744073709551616", "too large 18446744073709551616"),
            ("1000000000000000000000000000000000000000", "number 1e+39"),
            ("1_000", "string 1_000"),
            ("12:30", "string 12:30"),
        ] {
            assert_eq!(plain(text), expected, "{text}");
        }
    }
}
