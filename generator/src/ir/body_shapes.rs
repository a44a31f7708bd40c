//! Response bodies of several media types that differ only in their JSON types share one
//! generic enum. A cluster API declares the same four forms (JSON, YAML, two protobufs)
//! for a thousand responses; one enum per response cost the types, the server's writer
//! and the client's reader a thousand copies each. A body whose forms no other body
//! shares keeps its own enum.

use std::collections::BTreeMap;

use super::types::TypeBuilder;
use super::{MediaForm, MediaKind, Operation, ResponseBody, TypeRef};

/// The generic enums shared by bodies of the same forms, and which body uses which.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct BodyShapes {
    pub shapes: Vec<BodyShape>,
    /// Body enum name (`ListPodOkBody`) → its shape, in `shapes`.
    pub of_body: BTreeMap<String, usize>,
}

/// One generic enum: a variant per form; each JSON form's type is a type parameter.
#[derive(Debug, Clone, PartialEq)]
pub struct BodyShape {
    /// The enum's name (`JsonYamlProtobufBody`).
    pub name: String,
    /// The forms of the first body that has the shape; the types of JSON forms are that
    /// body's and stand for the parameters.
    pub forms: Vec<(String, MediaForm)>,
}

impl BodyShape {
    /// The number of type parameters: one per JSON form.
    pub fn params(&self) -> usize {
        self.forms
            .iter()
            .filter(|(_, form)| matches!(form.kind, MediaKind::Json(_)))
            .count()
    }
}

impl BodyShapes {
    /// The shape a body enum is an alias of, and the JSON types it fills the parameters with.
    pub fn of<'a>(&self, name: &str, forms: &'a Forms) -> Option<(&BodyShape, Vec<&'a TypeRef>)> {
        let shape = &self.shapes[*self.of_body.get(name)?];
        let args = forms
            .iter()
            .filter_map(|(_, form)| match &form.kind {
                MediaKind::Json(ty) => Some(ty),
                _ => None,
            })
            .collect();
        Some((shape, args))
    }
}

/// What two bodies must agree on to share an enum: every variant, its media types and
/// whether it is JSON, text or bytes; not the JSON types.
type Key = Vec<(String, String, Vec<String>, u8)>;

/// A body's forms, each with its variant's name.
type Forms = [(String, MediaForm)];

fn key(forms: &Forms) -> Key {
    forms
        .iter()
        .map(|(variant, form)| {
            let kind = match form.kind {
                MediaKind::Json(_) => 0,
                MediaKind::Text => 1,
                MediaKind::Bytes => 2,
            };
            (variant.clone(), form.media.clone(), form.declared.clone(), kind)
        })
        .collect()
}

/// Finds the shapes two or more bodies share and names their enums, after every other
/// type, so that a schema keeps its name.
pub fn decide(operations: &[Operation], types: &mut TypeBuilder) -> BodyShapes {
    let mut users: BTreeMap<Key, Vec<(&str, &Forms)>> = BTreeMap::new();
    let mut order: Vec<Key> = Vec::new();
    for r in operations.iter().flat_map(|op| &op.responses) {
        if let Some(ResponseBody::Several { name, forms }) = &r.body {
            let key = key(forms);
            let entry = users.entry(key.clone()).or_default();
            if entry.is_empty() {
                order.push(key);
            }
            entry.push((name, forms));
        }
    }
    let mut shapes = BodyShapes::default();
    for key in order {
        let bodies = &users[&key];
        if bodies.len() < 2 {
            continue;
        }
        let forms = bodies[0].1.to_vec();
        let wanted: String = forms.iter().map(|(variant, _)| variant.as_str()).collect::<String>() + "Body";
        let name = types.claim(
            &wanted,
            "a body shared by responses of the same media types".to_string(),
        );
        for (body, _) in bodies {
            shapes.of_body.insert(body.to_string(), shapes.shapes.len());
        }
        shapes.shapes.push(BodyShape { name, forms });
    }
    shapes
}
