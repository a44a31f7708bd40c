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
}
