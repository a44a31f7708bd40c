//! Rust names for things named in a definition. Every name the emitters use is decided
//! here, in the `ir` stage, so that emitters never invent or fix names.
//!
//! # One registry per namespace of each generated module
//!
//! A [`Registry`] holds the names taken in one namespace: the items of `types`, of
//! `server` and of `client`, the methods of the server trait and of the `Client` impl,
//! the fields of one struct, the variants of one enum. It starts with the names the
//! emitted code itself uses there without a path (prelude items such as `Result` or
//! `String`, the runtime items a module imports, its fixed functions and methods): the
//! definition can never take those. Everything else is claimed in a fixed order, and a
//! name already taken becomes the first free `{name}2`, `{name}3`, … . The order is the
//! priority, highest first:
//!
//! 1. types: the names the caller gives schemas (`rename_type`), then component schema
//!    keys, in definition order (a schema mapped to a Rust type of the caller's takes no
//!    name); then each operation's
//!    `{Op}Request` and `{Op}Response`, in operation order; then inline schemas (by
//!    title, by the name a `$ref` gave them, else by context: `{Op}Body`, `{Op}OkBody`,
//!    `{Parent}{Field}`, …) as they are met. A same-named schema of the same shape is
//!    the same type, not a second one.
//!    Last, what the models share: each builder (`{Type}Builder`), then `MissingField`
//!    and `UnknownValue` when a builder or a closed string enum needs them.
//! 2. the server trait: `info.title` in PascalCase, or `{Title}Api` when the module
//!    already uses that name (`Result`, `State`, `ServerError`, …).
//! 3. methods: each operation's method, free in both the server trait and the client
//!    (so both sides call it the same); then the client's `{method}_with` conveniences.
//! 4. fields and variants: in the order the definition lists them; the request body's
//!    field `body` and the flattened `extra` map give way to parameters and properties
//!    (`body` is claimed first, `extra` last).
//!
//! Every name that had to be changed is reported as a located warning, since it is not
//! the name a reader of the definition would look for.

use std::collections::BTreeSet;

use heck::{ToSnakeCase, ToUpperCamelCase};

/// Prelude items the emitted code names without a path, in types and functions alike.
/// Derives are left out: `#[derive(Debug)]` names a macro, which no type can shadow.
const PRELUDE: [&str; 12] = [
    "String", "Vec", "Option", "Some", "None", "Box", "Result", "Ok", "Err", "Into", "Send", "Sync",
];

/// What the `types` module uses by bare name: the prelude items its fields and helpers
/// name, and the helpers themselves (`serde_object!` is a macro, in a namespace of its
/// own, and names everything by its full path).
/// Only these: a schema called `Default` or `Ok` keeps its name.
const TYPES_ITEMS: [&str; 8] = [
    "String",
    "Vec",
    "Option",
    "Some",
    "Box",
    "Result",
    "tag_of",
    "write_tagged",
];

/// What the `server` module imports, defines and calls by bare name besides the prelude.
const SERVER_ITEMS: [&str; 11] = [
    "rt",
    "AuthRequest",
    "Rejection",
    "ServerConfig",
    "ServerError",
    "State",
    "router",
    "router_with_config",
    "unknown_path",
    "method_not_allowed",
    "the_router_starts",
];

/// The server trait's own items besides the operations.
const SERVER_TRAIT_ITEMS: [&str; 3] = ["Principal", "authenticate", "error_response"];

/// What the `client` module imports and defines besides the prelude.
const CLIENT_ITEMS: [&str; 9] = [
    "Client",
    "AuthRequest",
    "AuthorizeError",
    "AuthorizeFuture",
    "Authorizer",
    "BuildError",
    "ClientError",
    "ClientSettings",
    "Received",
];

/// The `Client` impl's own items besides the operations, and `clone`: `Client` is
/// `Clone`, and an inherent `clone` would hide `Clone::clone` from its users.
const CLIENT_METHODS: [&str; 6] = ["BASE_PATH", "new", "with_http_client", "with_settings", "clone", "call"];

/// What the `examples` test module defines besides the tests.
const EXAMPLES_ITEMS: [&str; 2] = ["round_trip", "rejected"];

/// The names taken in one namespace. Names compare without the raw marker (`r#type`
/// takes `type`).
#[derive(Debug, Clone, Default)]
pub struct Registry {
    taken: BTreeSet<String>,
}

impl Registry {
    /// A namespace in which `reserved` is already taken.
    pub fn with_reserved<'a>(reserved: impl IntoIterator<Item = &'a str>) -> Self {
        Registry {
            taken: reserved.into_iter().map(|name| bare(name).to_string()).collect(),
        }
    }

    pub fn types_module() -> Self {
        Self::with_reserved(TYPES_ITEMS)
    }

    pub fn server_module() -> Self {
        Self::with_reserved(PRELUDE.into_iter().chain(SERVER_ITEMS))
    }

    pub fn server_trait() -> Self {
        Self::with_reserved(SERVER_TRAIT_ITEMS)
    }

    pub fn client_module() -> Self {
        Self::with_reserved(PRELUDE.into_iter().chain(CLIENT_ITEMS))
    }

    pub fn client_methods() -> Self {
        Self::with_reserved(CLIENT_METHODS)
    }

    pub fn examples_module() -> Self {
        Self::with_reserved(EXAMPLES_ITEMS)
    }

    pub fn is_free(&self, name: &str) -> bool {
        !self.taken.contains(bare(name))
    }

    /// Takes `wanted`, or the first free `{wanted}2`, `{wanted}3`, … .
    pub fn claim(&mut self, wanted: &str) -> String {
        let name = self.first_free(wanted, &[]);
        self.taken.insert(bare(&name).to_string());
        name
    }

    /// The name `claim` would give, without taking it; free in `others` as well.
    fn first_free(&self, wanted: &str, others: &[&Registry]) -> String {
        let free = |name: &str| self.is_free(name) && others.iter().all(|r| r.is_free(name));
        if free(wanted) {
            return wanted.to_string();
        }
        // The keyword guard (`Self_`, `self_`) is not needed once a number follows.
        let stem = bare(wanted).trim_end_matches('_');
        let stem = if stem.is_empty() { bare(wanted) } else { stem };
        (2u32..)
            .map(|n| format!("{stem}{n}"))
            .find(|name| free(name))
            .unwrap_or_else(|| wanted.to_string())
    }
}

/// Takes one name free in both namespaces: an operation's method, which the server trait
/// and the client both have.
pub fn claim_in_both(first: &mut Registry, second: &mut Registry, wanted: &str) -> String {
    let name = first.first_free(wanted, &[second]);
    first.taken.insert(bare(&name).to_string());
    second.taken.insert(bare(&name).to_string());
    name
}

fn bare(name: &str) -> &str {
    name.strip_prefix("r#").unwrap_or(name)
}

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

/// The response-enum variant for a class of statuses (`4XX`): `Status4xx`. No exact
/// status gets this name: [`status_variant`] falls back to three digits (`Status499`).
pub fn class_variant(class: u16) -> String {
    format!("Status{class}xx")
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
    fn a_taken_name_gets_the_first_free_number() {
        let mut names = Registry::default();
        assert_eq!(names.claim("Account"), "Account");
        assert_eq!(names.claim("Account"), "Account2");
        assert_eq!(names.claim("Account2"), "Account22");
        assert_eq!(names.claim("Account"), "Account3");
    }

    #[test]
    fn raw_and_plain_spellings_are_one_name() {
        let mut names = Registry::with_reserved(["type"]);
        assert_eq!(names.claim("r#type"), "type2");
        let mut names = Registry::default();
        assert_eq!(names.claim("r#type"), "r#type");
        assert!(!names.is_free("type"));
        let mut names = Registry::with_reserved(["Self_", "self_"]);
        assert_eq!(names.claim("Self_"), "Self2");
        assert_eq!(names.claim("self_"), "self2");
    }

    #[test]
    fn modules_reserve_what_their_code_names_bare() {
        let mut types = Registry::types_module();
        assert_eq!(types.claim("Result"), "Result2");
        assert_eq!(types.claim("Option"), "Option2");
        assert_eq!(types.claim("Account"), "Account");
        assert_eq!(types.claim("Default"), "Default", "a derive is a macro, not shadowed");
        let mut server = Registry::server_module();
        for used in ["Result", "Send", "State", "Rejection", "ServerError", "AuthRequest"] {
            assert!(!server.is_free(used), "{used}");
        }
        assert_eq!(server.claim("ServerConfig"), "ServerConfig2");
        assert!(!Registry::client_module().is_free("ClientError"));
        assert!(!Registry::server_trait().is_free("authenticate"));
        assert!(!Registry::client_methods().is_free("with_settings"));
    }

    #[test]
    fn a_method_is_free_in_the_trait_and_the_client_alike() {
        let mut server = Registry::server_trait();
        let mut client = Registry::client_methods();
        assert_eq!(claim_in_both(&mut server, &mut client, "new"), "new2");
        assert_eq!(claim_in_both(&mut server, &mut client, "authenticate"), "authenticate2");
        assert_eq!(claim_in_both(&mut server, &mut client, "get"), "get");
        assert!(!client.is_free("get") && !server.is_free("new2"));
    }

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
        assert_eq!(class_variant(4), "Status4xx");
    }
}
