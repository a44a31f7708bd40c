//! Stage `ir`: plain data between the checked model and the emitters. No tokens, no
//! failure: everything that could be wrong was reported by `check`. All Rust names are
//! final here.

mod build;
mod docs;
mod examples;
mod indirection;
pub mod naming;
mod operation_names;
mod operations;
pub mod paths;
mod types;

use std::collections::BTreeMap;

pub use build::{base_path, build};
pub use operations::fallback_operation_id;

/// The whole API as the emitters see it.
#[derive(Debug, Clone, PartialEq)]
pub struct Ir {
    pub title: String,
    pub version: String,
    /// `info.summary` (OpenAPI 3.1): one line on what the API is.
    pub summary: Option<String>,
    pub description: Option<String>,
    /// `info.license`, for the generated package's `license`.
    pub license: Option<License>,
    /// The path every operation is mounted under (`/_matrix/federation/v1`); `""` for none.
    pub base_path: String,
    /// Name of the server trait and the client type's stem (`MatrixFederationLeaveRoomApi`).
    pub api_name: String,
    /// Named types, keyed by their final Rust name (the stable ID of the type space).
    pub types: BTreeMap<String, TypeDef>,
    pub operations: Vec<Operation>,
    pub security_schemes: Vec<SecurityScheme>,
    pub examples: Vec<Example>,
    /// Names the registry had to change (see [`naming`]), to be reported.
    pub renames: Vec<Rename>,
    /// The type that nests other types most deeply, and how deeply, when a crate that
    /// implements the server trait needs a higher `recursion_limit` for it.
    pub deep_nesting: Option<(String, usize)>,
    /// What skip mode left out or read as any JSON value, for the crate's docs.
    pub skipped: Vec<Skipped>,
}

/// An operation skip mode left out, or a schema it reads as any JSON value.
#[derive(Debug, Clone, PartialEq)]
pub struct Skipped {
    /// `operation `GET /pods``, `schema `Pod``.
    pub subject: String,
    /// Left out of the code (an operation), rather than read as `serde_json::Value`.
    pub left_out: bool,
    /// The first error that made it so.
    pub reason: String,
}

/// The license the definition states.
#[derive(Debug, Clone, PartialEq)]
pub struct License {
    pub name: String,
    /// The SPDX identifier, when the definition gives one (OpenAPI 3.1 `identifier`).
    pub identifier: Option<String>,
}

/// A name that is not the one the definition suggests, because another item took it.
#[derive(Debug, Clone, PartialEq)]
pub struct Rename {
    /// Where the renamed item is, in the upgraded document.
    pub pointer: String,
    /// What was renamed, to what, and why.
    pub message: String,
    pub help: String,
}

/// A reference to a type: a Rust type without the `Option` that optional fields add.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum TypeRef {
    String,
    I32,
    I64,
    /// Every JSON number, `format: float` included: an `f32` would write `0.1` back as
    /// `0.10000000149011612` once it passes through `serde_json::Value`.
    F64,
    Bool,
    /// Any JSON value.
    Json,
    /// A JSON object with unknown members.
    JsonObject,
    Vec(Box<TypeRef>),
    /// A JSON object whose values all have one type.
    Map(Box<TypeRef>),
    /// A type in [`Ir::types`].
    Named(String),
    /// Held through a `Box`: the type contains itself by value, or nests so deep that
    /// rustc's layout queries would overflow.
    Boxed(Box<TypeRef>),
}

#[derive(Debug, Clone, PartialEq)]
pub struct TypeDef {
    pub name: String,
    pub doc: Option<String>,
    pub kind: TypeKind,
}

#[derive(Debug, Clone, PartialEq)]
pub enum TypeKind {
    Struct(StructDef),
    /// A fixed-length JSON array, each position typed.
    Tuple(Vec<TypeRef>),
    /// A string with a closed set of values.
    StringEnum(Vec<EnumValue>),
    /// One of several shapes, tried in order (`oneOf`, `anyOf`, `type: [a, b]`).
    Union(Vec<UnionVariant>),
    /// A named schema that is not an object: `pub type Name = Target;`.
    Alias(TypeRef),
    /// A named schema that contains itself through arrays or maps (`L: {items: {$ref: L}}`):
    /// a Rust alias cannot, so it is a transparent one-field struct.
    Newtype(TypeRef),
}

#[derive(Debug, Clone, PartialEq)]
pub struct StructDef {
    pub fields: Vec<Field>,
    /// What happens to members the schema does not name.
    pub extra: ExtraMembers,
}

#[derive(Debug, Clone, PartialEq)]
pub enum ExtraMembers {
    /// `additionalProperties: false`: unknown members are rejected.
    Rejected,
    /// Kept in a flattened map of this value type (`Json` unless the schema says more).
    Kept { field: String, value: TypeRef },
}

#[derive(Debug, Clone, PartialEq)]
pub struct Field {
    pub wire_name: String,
    pub rust_name: String,
    pub ty: TypeRef,
    pub required: bool,
    pub nullable: bool,
    pub doc: Option<String>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct EnumValue {
    pub wire_name: String,
    pub rust_name: String,
}

#[derive(Debug, Clone, PartialEq)]
pub struct UnionVariant {
    pub rust_name: String,
    pub ty: TypeRef,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum HttpMethod {
    Get,
    Put,
    Post,
    Delete,
    Options,
    Head,
    Patch,
    Trace,
}

impl HttpMethod {
    pub fn as_str(self) -> &'static str {
        match self {
            HttpMethod::Get => "GET",
            HttpMethod::Put => "PUT",
            HttpMethod::Post => "POST",
            HttpMethod::Delete => "DELETE",
            HttpMethod::Options => "OPTIONS",
            HttpMethod::Head => "HEAD",
            HttpMethod::Patch => "PATCH",
            HttpMethod::Trace => "TRACE",
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct Operation {
    /// The `operationId` as written (or made from method and path when absent).
    pub id: String,
    /// Method name in the server trait and the client (`make_leave`).
    pub method_name: String,
    /// The client's method taking the request's fields as arguments (`make_leave_with`).
    pub convenience_name: String,
    /// The server module's functions for this operation: the axum handler, the function
    /// that does its work, and the one that writes its response.
    pub handler_fn: String,
    pub serve_fn: String,
    pub writer_fn: String,
    /// The server function that returns the operation's path template.
    pub template_fn: String,
    pub request_type: String,
    pub response_type: String,
    pub http_method: HttpMethod,
    /// The path template as written (`/make_leave/{roomId}/{userId}`).
    pub path: String,
    /// The same template, parsed: what routes and URLs are built from.
    pub template: paths::PathTemplate,
    pub summary: Option<String>,
    pub doc: Option<String>,
    pub params: Vec<Param>,
    pub body: Option<Body>,
    pub responses: Vec<Response>,
    /// Alternatives (any one suffices), each a set of scheme names (all required). Empty:
    /// no authentication.
    pub security: Vec<Vec<String>>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ParamLocation {
    Path,
    Query,
    Header,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Param {
    pub wire_name: String,
    pub rust_name: String,
    pub location: ParamLocation,
    pub ty: TypeRef,
    pub required: bool,
    pub doc: Option<String>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Body {
    pub ty: TypeRef,
    pub required: bool,
    pub doc: Option<String>,
    /// The JSON-family media types the body may arrive as, as declared (parameters
    /// kept); the client sends the first.
    pub media: Vec<String>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Response {
    /// Which statuses the variant answers for.
    pub status: ResponseStatus,
    pub variant: String,
    /// `None`: the response has no body.
    pub ty: Option<TypeRef>,
    pub doc: Option<String>,
    /// The media type a body is written with: the first JSON-family one declared
    /// (`application/json` for the wildcards).
    pub media: Option<String>,
}

/// The statuses one documented response stands for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ResponseStatus {
    /// One status (`404`): the variant implies it.
    Exact(u16),
    /// A class of statuses (`4XX`, with the class's first digit): the variant carries the status.
    Class(u16),
    /// Any status not documented otherwise (`default`): the variant carries the status.
    Default,
}

impl ResponseStatus {
    /// The status the variant implies, when it implies one.
    pub fn exact(self) -> Option<u16> {
        match self {
            ResponseStatus::Exact(code) => Some(code),
            _ => None,
        }
    }

    /// How the definition spells it: `404`, `4XX` or `default`.
    pub fn spelled(self) -> String {
        match self {
            ResponseStatus::Exact(code) => code.to_string(),
            ResponseStatus::Class(class) => format!("{class}XX"),
            ResponseStatus::Default => "default".to_string(),
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct SecurityScheme {
    pub name: String,
    pub doc: Option<String>,
    pub kind: SecurityKind,
}

#[derive(Debug, Clone, PartialEq)]
pub enum SecurityKind {
    /// An API key in a header (Matrix's `signedRequest`: the `Authorization` header).
    ApiKeyHeader {
        header: String,
    },
    ApiKeyQuery {
        param: String,
    },
    /// `Authorization: Bearer` or `Basic`.
    Http {
        scheme: String,
    },
    OAuth2,
}

/// An example from the definition, to be read into its type and written back.
#[derive(Debug, Clone, PartialEq)]
pub struct Example {
    /// A unique snake_case name for the generated test.
    pub name: String,
    /// Where the example is, in the upgraded document (for messages).
    pub pointer: String,
    /// Why the example does not fit its type, when it does not: the generated test then
    /// checks that it is rejected, and the generator warns.
    pub mismatch: Option<String>,
    /// Whether the generated test can fail: false when the type is one serde_json reads
    /// and writes back unchanged whenever the example fits (a string, an integer, a
    /// boolean, any JSON, or lists and maps of them), which `mismatch` already decides.
    /// Such examples get no test.
    pub tested: bool,
    pub ty: TypeRef,
    pub json: serde_json::Value,
}
