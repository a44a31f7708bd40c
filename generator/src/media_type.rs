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
}
