//! Stage `ir`: plain data between the checked model and the emitters. No tokens, no
//! failure: everything that could be wrong was reported by `check`. All Rust names are
//! final here.

mod build;
mod docs;
mod examples;
pub mod naming;
mod operations;
mod types;

use std::collections::BTreeMap;

pub use build::build;
pub use operations::fallback_operation_id;

/// The whole API as the emitters see it.
#[derive(Debug, Clone, PartialEq)]
pub struct Ir {
    pub title: String,
    pub version: String,
    pub description: Option<String>,
    /// The path every operation is mounted under (`/_matrix/federation/v1`); `""` for none.
    pub base_path: String,
    /// Name of the server trait and the client type's stem (`MatrixFederationLeaveRoomApi`).
    pub api_name: String,
    /// Named types, keyed by their final Rust name (the stable ID of the type space).
    pub types: BTreeMap<String, TypeDef>,
    pub operations: Vec<Operation>,
    pub security_schemes: Vec<SecurityScheme>,
    pub examples: Vec<Example>,
}

/// A reference to a type: a Rust type without the `Option` that optional fields add.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum TypeRef {
    String,
    I32,
    I64,
    F32,
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
    /// The type contains this struct by value: the field is boxed.
    pub boxed: bool,
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
    pub request_type: String,
    pub response_type: String,
    pub http_method: HttpMethod,
    /// The path template as written (`/make_leave/{roomId}/{userId}`).
    pub path: String,
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
}

#[derive(Debug, Clone, PartialEq)]
pub struct Response {
    /// `None` for the `default` response.
    pub status: Option<u16>,
    pub variant: String,
    /// `None`: the response has no body.
    pub ty: Option<TypeRef>,
    pub doc: Option<String>,
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
