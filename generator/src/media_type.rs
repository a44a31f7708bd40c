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
    // A form answer is text too: nothing reads it into a type.
    let text = is_text(&essence) || essence == "application/x-www-form-urlencoded" || essence == "application/graphql";
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

/// How a request body of one declared media type is read and written.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum RequestForm {
    Json,
    Form,
    Multipart,
    Binary,
    Text,
}

/// The form of a request body declared as `media`, given whether it has a schema and
/// whether that schema is `type: string, format: binary`. `None`: the type cannot be
/// written in a header.
pub fn request_form(media: &str, has_schema: bool, binary_schema: bool) -> Option<RequestForm> {
    if !media.bytes().all(|b| b == b'\t' || (b' '..=b'~').contains(&b)) {
        return None;
    }
    let essence = essence(media);
    let form = match essence.as_str() {
        "application/x-www-form-urlencoded" => RequestForm::Form,
        "multipart/form-data" => RequestForm::Multipart,
        _ if essence.ends_with("json") => RequestForm::Json,
        _ if binary_schema => RequestForm::Binary,
        _ if is_json_family(media, has_schema) => RequestForm::Json,
        _ if is_text(&essence) => RequestForm::Text,
        _ => RequestForm::Binary,
    };
    Some(form)
}

/// Types whose bodies are text: `text/*`, XML, YAML, JavaScript and CSV.
fn is_text(essence: &str) -> bool {
    essence.starts_with("text/")
        || essence.ends_with("/xml")
        || essence.ends_with("+xml")
        || essence.ends_with("yaml")
        || essence == "application/javascript"
        || essence == "application/csv"
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn request_forms_follow_the_type_and_a_binary_schema() {
        let form = |media, schema, binary| request_form(media, schema, binary);
        assert_eq!(
            form("application/json; charset=utf-8", true, false),
            Some(RequestForm::Json)
        );
        assert_eq!(
            form("Application/X-WWW-Form-Urlencoded", true, false),
            Some(RequestForm::Form)
        );
        assert_eq!(form("multipart/form-data", true, false), Some(RequestForm::Multipart));
        assert_eq!(form("*/*", true, true), Some(RequestForm::Binary));
        assert_eq!(form("*/*", false, false), Some(RequestForm::Binary));
        assert_eq!(form("*/*", true, false), Some(RequestForm::Json));
        assert_eq!(form("image/png", false, false), Some(RequestForm::Binary));
        assert_eq!(form("application/xml", true, false), Some(RequestForm::Text));
        assert_eq!(form("application/atom+xml", true, false), Some(RequestForm::Text));
        assert_eq!(form("text/plain", true, true), Some(RequestForm::Binary));
        assert_eq!(form("text/csv", false, false), Some(RequestForm::Text));
        assert_eq!(form("text/plain\u{7f}", false, false), None);
    }

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
