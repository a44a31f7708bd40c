//! Request bodies by media type: the declared types grouped into encodings (JSON types
//! that share a schema are one), each encoding typed, and a choice enum when there are
//! several.

use openapiv3::{
    MediaType, OpenAPI, ReferenceOr, RequestBody, Schema, SchemaKind, StringFormat, Type, VariantOrUnknownOrEmpty,
};

use super::docs::rst_to_markdown;
use super::naming::{Registry, pascal_ident, snake_ident};
use super::types::TypeBuilder;
use super::{Body, BodyShape, Encoding, EncodingKind, FormField, FormValue, Part, PartKind, TypeKind, TypeRef};
use crate::body_fields::{BodyFields, Member, body_fields};
use crate::diag::child_pointer;
use crate::media_type::{RequestForm, essence, request_form};
use crate::schema_shape::resolve_component;

/// The body of one operation; `None` when it declares no media type the generator reads
/// (`check` has reported those).
pub fn request_body(types: &mut TypeBuilder, body: &RequestBody, pointer: &str, stem: &str, id: &str) -> Option<Body> {
    let content_ptr = child_pointer(pointer, "content");
    let mut groups: Vec<Group> = Vec::new();
    for (media, item) in &body.content {
        let Some(form) = request_form(
            media,
            item.schema.is_some(),
            is_binary(types.api(), item.schema.as_ref()),
        ) else {
            continue;
        };
        // Binary and text bodies carry their content type, so one encoding takes them all;
        // the others share an encoding only when they share a schema.
        let same = groups.iter_mut().find(|group| {
            group.form == form
                && (matches!(form, RequestForm::Binary | RequestForm::Text) || group.item.schema == item.schema)
        });
        match same {
            Some(group) => group.media.push(media.clone()),
            None => groups.push(Group {
                form,
                media: vec![media.clone()],
                item,
                pointer: child_pointer(&content_ptr, media),
            }),
        }
    }
    if groups.is_empty() {
        return None;
    }
    let hint = format!("{stem}Body");
    let several = groups.len() > 1;
    let encodings: Vec<(String, Encoding)> = groups
        .iter()
        .map(|group| {
            let kind = encoding_kind(types, group, &hint, stem);
            if let EncodingKind::Json(ty) | EncodingKind::Form { ty, .. } = &kind {
                types.describe_context_type(ty, &hint, format!("The request body of `{id}`."));
                types.record_example(&hint, &group.pointer, ty, group.item.example.as_ref());
            }
            let variant = variant_stem(
                group.form,
                &group.media[0],
                groups.iter().filter(|g| g.form == group.form).count(),
            );
            (
                variant,
                Encoding {
                    media: group.media.clone(),
                    kind,
                },
            )
        })
        .collect();
    let shape = if several {
        let name = types.claim(&format!("{stem}RequestBody"), format!("the request body of `{id}`"));
        let mut names = Registry::with_reserved(None);
        let variants = encodings
            .into_iter()
            .map(|(variant, encoding)| (names.claim(&variant), encoding))
            .collect();
        BodyShape::Choice { name, variants }
    } else {
        let (_, encoding) = encodings.into_iter().next()?;
        BodyShape::One(encoding)
    };
    Some(Body {
        required: body.required,
        doc: body.description.as_deref().map(rst_to_markdown),
        shape,
    })
}

/// Declared media types read one way.
struct Group<'a> {
    form: RequestForm,
    media: Vec<String>,
    item: &'a MediaType,
    pointer: String,
}

/// The variant of a choice enum an encoding becomes: its form, or, when several JSON
/// encodings differ in schema, its media type (`MergePatchJson`).
fn variant_stem(form: RequestForm, media: &str, of_this_form: usize) -> String {
    match form {
        RequestForm::Json if of_this_form > 1 => {
            let essence = essence(media);
            let subtype = essence.rsplit('/').next().unwrap_or("json");
            let name = pascal_ident(subtype);
            if name.is_empty() { "Json".to_string() } else { name }
        }
        RequestForm::Json => "Json".to_string(),
        RequestForm::Form => "Form".to_string(),
        RequestForm::Multipart => "Multipart".to_string(),
        RequestForm::Binary => "Binary".to_string(),
        RequestForm::Text => "Text".to_string(),
    }
}

fn encoding_kind(types: &mut TypeBuilder, group: &Group, hint: &str, stem: &str) -> EncodingKind {
    let schema_ptr = child_pointer(&group.pointer, "schema");
    match group.form {
        RequestForm::Json => EncodingKind::Json(match &group.item.schema {
            Some(schema) => types.type_of(schema, &schema_ptr, hint),
            None => TypeRef::Json,
        }),
        RequestForm::Form => {
            let api = types.api();
            let schema = match (
                &group.item.schema,
                body_fields(api, group.item.schema.as_ref(), &schema_ptr),
            ) {
                (Some(schema), BodyFields::Named(_)) => schema,
                // No field is named: whatever pairs were sent, in order.
                _ => return EncodingKind::FormPairs,
            };
            let ty = types.type_of(schema, &schema_ptr, hint);
            let fields = form_fields(types, &ty);
            EncodingKind::Form { ty, fields }
        }
        RequestForm::Multipart => {
            let BodyFields::Named(members) = body_fields(types.api(), group.item.schema.as_ref(), &schema_ptr) else {
                return EncodingKind::PartList;
            };
            let name = types.claim(&format!("{stem}Parts"), format!("the multipart body of `{stem}`"));
            let parts = parts(types, group, members, stem);
            EncodingKind::Multipart { name, parts }
        }
        RequestForm::Binary => EncodingKind::Binary,
        RequestForm::Text => EncodingKind::Text,
    }
}

/// The schema itself, or the component a `$ref` names.
fn resolved<'s>(api: &'s OpenAPI, schema: &'s ReferenceOr<Schema>) -> Option<&'s Schema> {
    match schema {
        ReferenceOr::Item(schema) => Some(schema),
        ReferenceOr::Reference { reference } => resolve_component(api, reference),
    }
}

fn resolved_boxed<'s>(api: &'s OpenAPI, schema: &'s ReferenceOr<Box<Schema>>) -> Option<&'s Schema> {
    match schema {
        ReferenceOr::Item(schema) => Some(schema),
        ReferenceOr::Reference { reference } => resolve_component(api, reference),
    }
}

/// `type: string, format: binary`: bytes, not text.
fn is_binary_schema(schema: &Schema) -> bool {
    match &schema.schema_kind {
        SchemaKind::Type(Type::String(s)) => matches!(s.format, VariantOrUnknownOrEmpty::Item(StringFormat::Binary)),
        SchemaKind::Any(any) => any.typ.as_deref() == Some("string") && any.format.as_deref() == Some("binary"),
        _ => false,
    }
}

fn is_binary(api: &OpenAPI, schema: Option<&ReferenceOr<Schema>>) -> bool {
    schema
        .and_then(|schema| resolved(api, schema))
        .is_some_and(is_binary_schema)
}

/// How each member of a form's type is written as text, when the type is a struct.
fn form_fields(types: &TypeBuilder, ty: &TypeRef) -> Vec<FormField> {
    let Some(TypeKind::Struct(def)) = named_kind(types, ty) else {
        return Vec::new();
    };
    def.fields
        .iter()
        .map(|field| {
            let (item, repeated) = match &field.ty {
                TypeRef::Vec(item) => (item.as_ref(), true),
                other => (other, false),
            };
            FormField {
                wire_name: field.wire_name.clone(),
                value: form_value(types, item),
                repeated,
            }
        })
        .collect()
}

/// The definition of a named type, through aliases (a bounded number of steps).
fn named_kind<'b>(types: &'b TypeBuilder, ty: &TypeRef) -> Option<&'b TypeKind> {
    let mut ty = ty.clone();
    for _ in 0..crate::schema_shape::MAX_COMPOSITION_DEPTH {
        let TypeRef::Named(name) = &ty else { return None };
        let kind = &types.types.get(name)?.kind;
        match kind {
            TypeKind::Alias(target) => ty = target.clone(),
            _ => return Some(kind),
        }
    }
    None
}

/// How a value of `ty` is written as text in a form or a multipart part.
fn form_value(types: &TypeBuilder, ty: &TypeRef) -> FormValue {
    match ty {
        TypeRef::String => FormValue::Text,
        TypeRef::I32 | TypeRef::I64 => FormValue::Integer,
        TypeRef::F64 => FormValue::Number,
        TypeRef::Bool => FormValue::Bool,
        TypeRef::Boxed(inner) => form_value(types, inner),
        TypeRef::Named(_) => match named_kind(types, ty) {
            Some(TypeKind::StringEnum(_) | TypeKind::OpenStringEnum(_)) => FormValue::Text,
            Some(TypeKind::Alias(inner)) => form_value(types, inner),
            _ => FormValue::Json,
        },
        _ => FormValue::Json,
    }
}

/// The parts of a multipart body, from its object schema's members (through `allOf`).
fn parts(types: &mut TypeBuilder, group: &Group, members: Vec<Member>, stem: &str) -> Vec<Part> {
    let api = types.api();
    let json_parts: Vec<&String> = group
        .item
        .encoding
        .iter()
        .filter(|(_, encoding)| {
            encoding
                .content_type
                .as_deref()
                .is_some_and(|media| essence(media).ends_with("json"))
        })
        .map(|(name, _)| name)
        .collect();
    let mut fields = Registry::with_reserved(None);
    let mut out = Vec::new();
    for member in members {
        let (wire, property, property_ptr) = (member.name, member.schema, &member.pointer);
        let resolved = resolved_boxed(api, property);
        let kind = match resolved.map(|s| &s.schema_kind) {
            Some(_) if resolved.is_some_and(is_binary_schema) => PartKind::File,
            Some(SchemaKind::Type(Type::Array(array)))
                if array
                    .items
                    .as_ref()
                    .and_then(|items| resolved_boxed(api, items))
                    .is_some_and(is_binary_schema) =>
            {
                PartKind::Files
            }
            _ => {
                let hint = format!("{stem}{}", pascal_ident(wire));
                let ty = types.type_of_boxed(property, property_ptr, &hint);
                let forced_json = json_parts.iter().any(|name| name.as_str() == wire);
                match ty {
                    TypeRef::Vec(item) if !forced_json && form_value(types, &item) != FormValue::Json => {
                        let value = form_value(types, &item);
                        PartKind::Values { item: *item, value }
                    }
                    ty => {
                        let value = if forced_json {
                            FormValue::Json
                        } else {
                            form_value(types, &ty)
                        };
                        PartKind::Value { ty, value }
                    }
                }
            }
        };
        out.push(Part {
            rust_name: fields.claim(&snake_ident(wire)),
            wire_name: wire.to_string(),
            required: member.required,
            doc: resolved
                .and_then(|s| s.schema_data.description.as_deref())
                .map(rst_to_markdown),
            kind,
        });
    }
    out
}
