//! Which media types stubforge reads as JSON, shared by check (what is refused) and ir
//! (what a body carries).

/// The essence of a media type: lowercase, without parameters (`; charset=utf-8`).
pub fn essence(media: &str) -> String {
    media.split(';').next().unwrap_or("").trim().to_ascii_lowercase()
}

/// A type of the JSON family: `application/json`, `application/*+json` (the patch types
/// among them), any other `…json` type, and the wildcards `*/*` and `application/*` when
/// a schema says what the body holds. Only values a header can carry qualify.
pub fn is_json_family(media: &str, has_schema: bool) -> bool {
    let essence = essence(media);
    let writable = media.bytes().all(|b| b == b'\t' || (b' '..=b'~').contains(&b));
    let json = essence.ends_with("json") || (has_schema && (essence == "*/*" || essence == "application/*"));
    writable && json
}

/// What to put in `Content-Type` for a declared type: the wildcards become
/// `application/json`, anything else is sent as declared.
pub fn concrete(media: &str) -> String {
    match essence(media).as_str() {
        "*/*" | "application/*" => "application/json".to_string(),
        _ => media.to_string(),
    }
}

/// The media types of a content map that are read as JSON, in declaration order.
pub fn json_family<T>(content: &indexmap::IndexMap<String, T>, has_schema: impl Fn(&T) -> bool) -> Vec<(&String, &T)> {
    content
        .iter()
        .filter(|(media, item)| is_json_family(media, has_schema(item)))
        .collect()
}

/// How a response body of one declared media type travels.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ResponseKind {
    /// Read and written with serde_json.
    Json,
    /// Text as it stands (`text/*`, XML, YAML, form text): no mapping.
    Text,
    /// Bytes as they stand (`application/octet-stream`, `image/*`, PDF, binary `*/*`,
    /// Swagger 2.0 `type: file`).
    Bytes,
}

/// The kind of a response body declared as `media` with the given schema facts: a
/// binary schema (`type: file`, `format: binary`) makes any type bytes; the JSON family
/// (wildcards with a schema included) is JSON; text-like types are text; the rest bytes.
pub fn response_kind(media: &str, has_schema: bool, binary_schema: bool) -> ResponseKind {
    if binary_schema {
        return ResponseKind::Bytes;
    }
    if is_json_family(media, has_schema) {
        return ResponseKind::Json;
    }
    let essence = essence(media);
    let text = essence.starts_with("text/")
        || essence.ends_with("/xml")
        || essence.ends_with("+xml")
        || essence.ends_with("yaml")
        || essence == "application/x-www-form-urlencoded"
        || essence == "application/javascript"
        || essence == "application/graphql";
    if text { ResponseKind::Text } else { ResponseKind::Bytes }
}

/// A schema that says "bytes": Swagger 2.0's `type: file`, or `type: string` with
/// `format: binary`, written in place or behind `$ref`s.
pub fn is_binary_schema(api: &openapiv3::OpenAPI, schema: &openapiv3::ReferenceOr<openapiv3::Schema>) -> bool {
    use openapiv3::{ReferenceOr, SchemaKind, StringFormat, Type, VariantOrUnknownOrEmpty};
    let schema = match schema {
        ReferenceOr::Item(schema) => Some(schema),
        ReferenceOr::Reference { reference } => crate::schema_shape::resolve_component(api, reference),
    };
    match schema.map(|s| &s.schema_kind) {
        Some(SchemaKind::Type(Type::String(string))) => {
            matches!(string.format, VariantOrUnknownOrEmpty::Item(StringFormat::Binary))
        }
        Some(SchemaKind::Any(any)) => {
            any.typ.as_deref() == Some("file")
                || (any.typ.as_deref() == Some("string") && any.format.as_deref() == Some("binary"))
        }
        _ => false,
    }
}

/// Whether a body of this declared type must say its own `Content-Type`: a wildcard
/// (`image/*`, `*/*`) names no one type, and `multipart/*` needs its boundary parameter.
pub fn names_no_single_type(media: &str) -> bool {
    let essence = essence(media);
    essence.contains('*') || essence.starts_with("multipart/")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parameters_and_case_do_not_change_the_family() {
        assert!(is_json_family("Application/JSON; charset=utf-8", false));
        assert!(is_json_family("application/merge-patch+json", false));
        assert!(is_json_family("application/vnd.api+json", false));
        assert!(is_json_family("*/*", true));
        assert!(!is_json_family("*/*", false));
        assert!(is_json_family("application/*", true));
        assert!(!is_json_family("text/plain", true));
        assert!(!is_json_family("application/json\u{7f}", true));
        assert_eq!(concrete("*/*"), "application/json");
        assert_eq!(
            concrete("application/json; charset=utf-8"),
            "application/json; charset=utf-8"
        );
        assert_eq!(essence(" Application/JSON ; charset=utf-8"), "application/json");
    }

    #[test]
    fn response_kinds_follow_type_and_schema() {
        assert_eq!(response_kind("application/json", true, false), ResponseKind::Json);
        assert_eq!(response_kind("*/*", true, true), ResponseKind::Bytes);
        assert_eq!(response_kind("*/*", false, false), ResponseKind::Bytes);
        assert_eq!(
            response_kind("text/csv; charset=utf-8", true, false),
            ResponseKind::Text
        );
        assert_eq!(response_kind("application/xml", true, false), ResponseKind::Text);
        assert_eq!(response_kind("application/atom+xml", false, false), ResponseKind::Text);
        assert_eq!(response_kind("image/png", false, false), ResponseKind::Bytes);
        assert_eq!(response_kind("application/pdf", true, false), ResponseKind::Bytes);
        assert!(names_no_single_type("image/*"));
        assert!(names_no_single_type("multipart/mixed"));
        assert!(!names_no_single_type("text/plain"));
    }
}
