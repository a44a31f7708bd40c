//! Rust names for things named in a definition. Every name the emitters use is decided
//! here, in the `ir` stage, so that emitters never invent or fix names.

use heck::{ToSnakeCase, ToUpperCamelCase};

/// Keywords that cannot be raw identifiers; they get a trailing underscore instead.
const NOT_RAW: [&str; 5] = ["self", "Self", "super", "crate", "_"];

const KEYWORDS: [&str; 51] = [
    "as", "break", "const", "continue", "crate", "else", "enum", "extern", "false", "fn", "for", "if", "impl", "in",
    "let", "loop", "match", "mod", "move", "mut", "pub", "ref", "return", "self", "Self", "static", "struct", "super",
    "trait", "true", "type", "unsafe", "use", "where", "while", "async", "await", "dyn", "abstract", "become", "box",
    "do", "final", "macro", "override", "priv", "typeof", "unsized", "virtual", "yield", "try",
];

/// Also reserved from the 2024 edition on.
const EDITION_KEYWORDS: [&str; 1] = ["gen"];

fn is_keyword(word: &str) -> bool {
    KEYWORDS.contains(&word) || EDITION_KEYWORDS.contains(&word)
}

/// Keywords become raw identifiers (`type` → `r#type`), except the few that cannot be raw,
/// which get a trailing underscore (`self` → `self_`). Emitters turn `r#` names into raw
/// idents.
fn unkeyword(name: String) -> String {
    if NOT_RAW.contains(&name.as_str()) {
        format!("{name}_")
    } else if is_keyword(&name) {
        format!("r#{name}")
    } else {
        name
    }
}

/// Identifiers are kept to ASCII letters, digits and `_`; anything else separates words.
fn ascii_words(raw: &str) -> String {
    raw.chars()
        .map(|c| if c.is_ascii_alphanumeric() || c == '_' { c } else { ' ' })
        .collect()
}

/// `makeLeave`, `m.room.member`, `3pid` → `make_leave`, `m_room_member`, `_3pid`.
pub fn snake_ident(raw: &str) -> String {
    let mut name = ascii_words(raw).to_snake_case();
    if name.is_empty() {
        name = "value".to_string();
    }
    if name.starts_with(|c: char| c.is_ascii_digit()) {
        name.insert(0, '_');
    }
    unkeyword(name)
}

/// `Event Template`, `m.room.member`, `3pid` → `EventTemplate`, `MRoomMember`, `T3pid`.
pub fn pascal_ident(raw: &str) -> String {
    unkeyword(pascal_stem(raw))
}

/// The PascalCase words of a name, to be joined with more words (`self` → `Self`, as in
/// `SelfRequest`): never a keyword on its own, so no keyword handling.
pub fn pascal_stem(raw: &str) -> String {
    let mut name = ascii_words(raw).to_upper_camel_case();
    if name.is_empty() {
        name = "Value".to_string();
    }
    if name.starts_with(|c: char| c.is_ascii_digit()) {
        name.insert(0, 'T');
    }
    name
}

/// The response-enum variant for an HTTP status: its reason phrase in PascalCase.
pub fn status_variant(status: u16) -> String {
    let phrase = match status {
        100 => "Continue",
        101 => "SwitchingProtocols",
        200 => "Ok",
        201 => "Created",
        202 => "Accepted",
        203 => "NonAuthoritativeInformation",
        204 => "NoContent",
        205 => "ResetContent",
        206 => "PartialContent",
        300 => "MultipleChoices",
        301 => "MovedPermanently",
        302 => "Found",
        303 => "SeeOther",
        304 => "NotModified",
        307 => "TemporaryRedirect",
        308 => "PermanentRedirect",
        400 => "BadRequest",
        401 => "Unauthorized",
        402 => "PaymentRequired",
        403 => "Forbidden",
        404 => "NotFound",
        405 => "MethodNotAllowed",
        406 => "NotAcceptable",
        408 => "RequestTimeout",
        409 => "Conflict",
        410 => "Gone",
        411 => "LengthRequired",
        412 => "PreconditionFailed",
        413 => "PayloadTooLarge",
        414 => "UriTooLong",
        415 => "UnsupportedMediaType",
        416 => "RangeNotSatisfiable",
        417 => "ExpectationFailed",
        418 => "ImATeapot",
        421 => "MisdirectedRequest",
        422 => "UnprocessableEntity",
        423 => "Locked",
        424 => "FailedDependency",
        425 => "TooEarly",
        426 => "UpgradeRequired",
        428 => "PreconditionRequired",
        429 => "TooManyRequests",
        431 => "RequestHeaderFieldsTooLarge",
        451 => "UnavailableForLegalReasons",
        500 => "InternalServerError",
        501 => "NotImplemented",
        502 => "BadGateway",
        503 => "ServiceUnavailable",
        504 => "GatewayTimeout",
        505 => "HttpVersionNotSupported",
        507 => "InsufficientStorage",
        508 => "LoopDetected",
        511 => "NetworkAuthenticationRequired",
        _ => return format!("Status{status}"),
    };
    phrase.to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sanitises_awkward_names() {
        assert_eq!(snake_ident("makeLeave"), "make_leave");
        assert_eq!(snake_ident("roomId"), "room_id");
        assert_eq!(snake_ident("m.room.member"), "m_room_member");
        assert_eq!(snake_ident("3pid"), "_3pid");
        assert_eq!(snake_ident("type"), "r#type");
        assert_eq!(snake_ident("self"), "self_");
        assert_eq!(snake_ident("origin_server_ts"), "origin_server_ts");
        assert_eq!(pascal_ident("Event Template"), "EventTemplate");
        assert_eq!(pascal_ident("m.room.member"), "MRoomMember");
        assert_eq!(pascal_ident("3pid"), "T3pid");
        assert_eq!(pascal_ident("Self"), "Self_");
        assert_eq!(status_variant(403), "Forbidden");
        assert_eq!(status_variant(299), "Status299");
    }
}
