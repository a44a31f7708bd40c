//! Stage `ir`: plain data between the checked model and the emitters. No tokens, no
//! failure: everything that could be wrong was reported by `check`. All Rust names are
//! final here.

mod access;
pub mod body_shapes;
mod build;
mod docs;
mod examples;
mod indirection;
pub mod naming;
mod operation_names;
mod operations;
pub mod param_docs;
pub mod paths;
mod profile;
mod request_body;
mod responses;
mod shared_urls;
mod types;

use std::collections::BTreeMap;

pub use build::{base_path, build};
pub use operations::fallback_operation_id;
pub use responses::{sends_no_body, writable as writable_media};
pub use types::mapping_target;
pub use types::options::{OptionError, TypeOptions, check as check_type_options, misplaced_attributes};

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
    /// The name of the generic `{ content_type, body }` struct that bodies of a type
    /// without one single media type (`image/*`) are held in, when any response has one.
    pub typed_body: Option<String>,
    /// The type that nests other types most deeply, and how deeply, when a crate that
    /// implements the server trait needs a higher `recursion_limit` for it.
    pub deep_nesting: Option<(String, usize)>,
    /// What skip mode left out or read as any JSON value, for the crate's docs.
    pub skipped: Vec<Skipped>,
    /// The support types request bodies other than JSON use.
    pub body_support: BodySupport,
    /// Matrix or any other API: the router's own error bodies and the words of the docs.
    pub profile: Profile,
    /// Operations the server cannot tell from an earlier one, because their paths differ
    /// in a `#…` suffix or their parameters' names alone: the client has them, the server
    /// does not (see `shared_urls`).
    pub client_only: Vec<ClientOnly>,
    /// By operation id: the header or query values that tell an operation apart from
    /// others on its method and path (`/#X-Amz-Target=Svc.GetItem`). The client sends
    /// them; the server serves the operation only to requests that carry them.
    pub selectors: BTreeMap<String, Vec<Selector>>,
    /// What the models' constructors and string enums share, and the attributes the
    /// caller asked for.
    pub models: ModelSupport,
    /// The generic enums bodies of the same media types share (see [`body_shapes`]).
    pub body_shapes: body_shapes::BodyShapes,
}

/// An operation only the client has, and why, to be reported.
#[derive(Debug, Clone, PartialEq)]
pub struct ClientOnly {
    /// The operation's `id`.
    pub id: String,
    /// The operation, in the upgraded document.
    pub pointer: String,
    /// What the warning says.
    pub message: String,
    /// What to do about it.
    pub help: &'static str,
}

/// A header or query value, written in the path's `#…` suffix, that picks an operation
/// among those on one method and path (`X-Amz-Target=DynamoDB_20120810.GetItem`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Selector {
    /// `Header` or `Query`.
    pub location: ParamLocation,
    /// The wire name: the declared parameter's when there is one.
    pub name: String,
    pub value: String,
    /// The operation's parameter of that name and location, by its Rust name: the client
    /// sends the request's value, and this one only when that is not set.
    pub declared: Option<DeclaredSelector>,
}

/// A selector the operation also declares as a parameter.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeclaredSelector {
    pub rust_name: String,
    /// Whether the request field is always set (required or defaulted).
    pub always_present: bool,
}

impl Ir {
    /// The values that pick `op` among the operations on its method and path.
    pub fn selectors_of(&self, op: &Operation) -> &[Selector] {
        self.selectors.get(&op.id).map_or(&[], Vec::as_slice)
    }

    /// The API as the server serves it: without the operations only the client has.
    pub fn served(&self) -> std::borrow::Cow<'_, Ir> {
        if self.client_only.is_empty() {
            return std::borrow::Cow::Borrowed(self);
        }
        let mut served = self.clone();
        served
            .operations
            .retain(|op| !self.client_only.iter().any(|c| c.id == op.id));
        std::borrow::Cow::Owned(served)
    }
}

/// The dialect profile, decided once (`ir::profile`) and read by every emitter.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Profile {
    /// A Matrix specification API: Matrix error bodies (`{"errcode": "M_…", "error": …}`)
    /// and the `X-Matrix` notes in the docs.
    Matrix,
    /// Any other API: RFC 9457 `application/problem+json` error bodies, no Matrix words.
    Standard,
}

/// Names and settings the `types` module needs besides the models themselves.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct ModelSupport {
    /// The error a builder's `build` returns when a required member was not set, when
    /// any struct has a builder.
    pub missing_field: Option<String>,
    /// The error a closed string enum's `FromStr` returns, when there is one.
    pub unknown_value: Option<String>,
    /// Extra attributes the caller asked for, in the order given.
    pub attributes: Vec<TypeAttributes>,
    /// Parameter descriptions many operations repeat, written once (see [`param_docs`]).
    pub param_docs: param_docs::SharedParamDocs,
    /// The `macro_rules!` that writes each response enum's `status()` in one line, in an
    /// API of [`STATUS_MACRO_MIN_OPERATIONS`] operations or more; a smaller one spells each
    /// `impl` out.
    pub status_macro: Option<String>,
}

/// Fewest operations for which response enums' `status()` are written by a macro: nine
/// lines per operation add up in a cluster API, and a small API reads better without.
pub const STATUS_MACRO_MIN_OPERATIONS: usize = 50;

/// Outer attributes for one type, as the caller gave them (checked to parse as such).
#[derive(Debug, Clone, PartialEq)]
pub struct TypeAttributes {
    /// The schema's key, as the option named it.
    pub schema: String,
    /// The type's final name.
    pub type_name: String,
    /// The attributes, as written.
    pub attributes: String,
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
    /// `format: int8`, `int16`, `int32`, `int64` (and any other or no format: `I64`).
    I8,
    I16,
    I32,
    I64,
    /// `format: uint8` … `uint64`. `minimum: 0` alone keeps a signed type: it bounds the
    /// value, it does not say how the API stores it.
    U8,
    U16,
    U32,
    U64,
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
    /// A Rust type outside the crate that the caller maps a schema to
    /// (`::ruma_common::OwnedRoomId`), as a checked type path. No model is emitted for it.
    External(String),
}

impl TypeRef {
    /// The least and greatest value of an integer type; `None` for other types.
    pub fn integer_bounds(&self) -> Option<(i128, i128)> {
        let bounds = match self {
            TypeRef::I8 => (i8::MIN.into(), i8::MAX.into()),
            TypeRef::I16 => (i16::MIN.into(), i16::MAX.into()),
            TypeRef::I32 => (i32::MIN.into(), i32::MAX.into()),
            TypeRef::I64 => (i64::MIN.into(), i64::MAX.into()),
            TypeRef::U8 => (0, u8::MAX.into()),
            TypeRef::U16 => (0, u16::MAX.into()),
            TypeRef::U32 => (0, u32::MAX.into()),
            TypeRef::U64 => (0, u64::MAX.into()),
            _ => return None,
        };
        Some(bounds)
    }
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
    /// A string whose listed values are the known ones, where the definition allows
    /// others too (see `types::open_enum`).
    OpenStringEnum(OpenEnum),
    /// One of several shapes, tried in order (`oneOf`, `anyOf`, `type: [a, b]`).
    Union(Vec<UnionVariant>),
    /// One of several objects, told apart by the value of one member (`discriminator`).
    Tagged(TaggedUnion),
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
    /// How user code makes one.
    pub constructor: Constructor,
}

/// How user code makes a struct, besides a struct literal.
#[derive(Debug, Clone, PartialEq)]
pub enum Constructor {
    /// No required members: `Default`.
    Default,
    /// Up to [`MAX_NEW_ARGUMENTS`] required members: `new` takes them.
    New,
    /// More: `Type::builder()` gives the builder struct `name`, whose setters are
    /// `setters` (one per field, in field order) and whose `build` checks the required
    /// members are set.
    Builder { name: String, setters: Vec<String> },
}

/// The most required members `new` takes as arguments; past this, a builder names each.
pub const MAX_NEW_ARGUMENTS: usize = 4;

/// A string enum that keeps values it does not list.
#[derive(Debug, Clone, PartialEq)]
pub struct OpenEnum {
    pub values: Vec<EnumValue>,
    /// The variant holding any other value (`Other`).
    pub other: String,
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
    /// `readOnly` / `writeOnly`: which direction the member travels in.
    pub access: Access,
    pub doc: Option<String>,
}

/// Which direction a member travels in. One struct serves requests and responses, so a
/// required `readOnly` member is optional in a type that a request body uses, and a
/// required `writeOnly` member optional in one a response uses.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Access {
    ReadWrite,
    /// Sent by the server only (`readOnly`: an id, a creation time).
    ReadOnly,
    /// Sent by the client only (`writeOnly`: a password, a card number).
    WriteOnly,
}

#[derive(Debug, Clone, PartialEq)]
pub struct EnumValue {
    pub wire_name: String,
    pub rust_name: String,
}

/// An object whose kind one of its members names: Swagger 2.0's `discriminator` on a
/// base schema whose subtypes are `allOf` it, OpenAPI 3.0's `discriminator` object on such
/// a base or beside a `oneOf`/`anyOf` of `$ref`s.
#[derive(Debug, Clone, PartialEq)]
pub struct TaggedUnion {
    /// The member that names the kind (`petType`), as on the wire.
    pub tag: String,
    /// One variant per tag value, in the order the definition lists them.
    pub variants: Vec<TaggedVariant>,
    /// The variant for a tag value the definition does not list: an API may add kinds
    /// that a client generated earlier must still read. Holds the base schema's members
    /// (the others kept in its map) when there is a base that keeps unknown members, else
    /// any JSON object.
    pub other: UnionVariant,
}

#[derive(Debug, Clone, PartialEq)]
pub struct TaggedVariant {
    /// The tag's value exactly as on the wire (`credit_card`, `Cat`).
    pub tag_value: String,
    pub rust_name: String,
    pub ty: TypeRef,
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
    /// The server module's axum handler of this operation.
    pub handler_fn: String,
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
    Cookie,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Param {
    pub wire_name: String,
    pub rust_name: String,
    pub location: ParamLocation,
    pub ty: TypeRef,
    pub required: bool,
    pub doc: Option<String>,
    /// How an array or object value is written (a scalar's text is the same in every
    /// style, but for the prefixes of `label` and `matrix` path values).
    pub style: ParamStyle,
    /// The definition's `default`, as JSON: the server fills an absent parameter with it,
    /// so the request field is never `None` and is not an `Option`.
    pub default: Option<serde_json::Value>,
}

impl Param {
    /// Whether the request field is always set: required, or filled with its default.
    pub fn always_present(&self) -> bool {
        self.required || self.default.is_some()
    }
}

/// How a parameter's array or object is written on the wire: Swagger 2.0's
/// `collectionFormat` and OpenAPI 3.0's `style`/`explode`, folded into what differs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ParamStyle {
    /// One value, items joined by this separator (`a,b`; an object as `k,v,k,v`): 2.0's
    /// `csv`, `ssv`, `tsv`, `pipes`; 3.0's unexploded `form` and `simple`,
    /// `spaceDelimited`, `pipeDelimited`.
    Joined(char),
    /// 3.0's exploded `form` and 2.0's `multi`: in a query or cookie, one `name=item` per
    /// item, an object's members as pairs of their own. Exploded `simple` (path, header):
    /// items joined by `,`, an object as `k=v,k=v`.
    Exploded,
    /// `name[k]=v` per member of an object (query only).
    DeepObject,
    /// A query value that nests, in the bracket convention: `name=v`, `name[0]=v`,
    /// `name[k][0][j]=v` (`deepObject` on anything but a flat object, exploded `form`
    /// arrays); with `members`, an exploded `form` object whose members are pairs of
    /// their own (`k=v`, `k[j]=v`).
    Bracketed { members: bool },
    /// `.a.b` (exploded) or `.a,b` (path only).
    Label { explode: bool },
    /// `;name=a;name=b` (exploded) or `;name=a,b` (path only).
    Matrix { explode: bool },
}

#[derive(Debug, Clone, PartialEq)]
pub struct Body {
    pub required: bool,
    pub doc: Option<String>,
    /// What the request's `body` field holds: one encoding, or a choice among several.
    pub shape: BodyShape,
}

/// How the declared media types of a request body become the `body` field.
#[derive(Debug, Clone, PartialEq)]
pub enum BodyShape {
    /// One encoding (JSON types sharing one schema count as one).
    One(Encoding),
    /// Several: an enum in `types` named `name`, one variant per encoding; the variant the
    /// client builds says how the body is sent, and the server says which one arrived.
    Choice {
        name: String,
        variants: Vec<(String, Encoding)>,
    },
}

impl BodyShape {
    /// Each encoding, in declaration order.
    pub fn encodings(&self) -> Vec<&Encoding> {
        match self {
            BodyShape::One(encoding) => vec![encoding],
            BodyShape::Choice { variants, .. } => variants.iter().map(|(_, encoding)| encoding).collect(),
        }
    }
}

/// One way a request body may be written, and the declared media types it covers (as
/// declared, parameters kept; the client sends the first).
#[derive(Debug, Clone, PartialEq)]
pub struct Encoding {
    pub media: Vec<String>,
    pub kind: EncodingKind,
}

#[derive(Debug, Clone, PartialEq)]
pub enum EncodingKind {
    /// The JSON family: the schema's type, read and written with serde_json.
    Json(TypeRef),
    /// `application/x-www-form-urlencoded`: the schema's type, through its fields' wire
    /// names and how each is written as text.
    Form { ty: TypeRef, fields: Vec<FormField> },
    /// `multipart/form-data`: a parts struct in `types` named `name`.
    Multipart { name: String, parts: Vec<Part> },
    /// A form whose schema names no fields: `Vec<(String, String)>`, its name/value pairs
    /// in order.
    FormPairs,
    /// A multipart body whose schema names no parts: `Vec<`[`BodySupport::part`]`>`,
    /// every part with its name, in order.
    PartList,
    /// Any other type whose body is bytes: [`BodySupport::binary`], with its content type.
    Binary,
    /// Text (`text/*`, XML and the like): [`BodySupport::text`], with its content type.
    Text,
}

/// One field of a form body: its wire name and how its value is written as text.
#[derive(Debug, Clone, PartialEq)]
pub struct FormField {
    pub wire_name: String,
    pub value: FormValue,
    /// An array: one `name=value` pair per item.
    pub repeated: bool,
}

/// How a text value of a form field or multipart part becomes its JSON value.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FormValue {
    Text,
    Integer,
    Number,
    Bool,
    /// Anything else: the value is JSON text.
    Json,
}

/// One part of a multipart body.
#[derive(Debug, Clone, PartialEq)]
pub struct Part {
    pub wire_name: String,
    pub rust_name: String,
    pub required: bool,
    pub doc: Option<String>,
    pub kind: PartKind,
}

#[derive(Debug, Clone, PartialEq)]
pub enum PartKind {
    /// A file: [`BodySupport::file`] (bytes, file name, content type).
    File,
    /// Several files under one name.
    Files,
    /// A value written as text (`FromStr`/`Display` scalars) or JSON (anything else).
    Value { ty: TypeRef, value: FormValue },
    /// An array of scalars: one part per item, all under the same name.
    Values { item: TypeRef, value: FormValue },
}

/// The names of the small types request bodies other than JSON use, in `types`; each is
/// emitted only when some body uses it.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct BodySupport {
    /// Bytes, file name and content type of a multipart file part.
    pub file: Option<String>,
    /// Bytes and content type of a binary body.
    pub binary: Option<String>,
    /// Text and content type of a text body.
    pub text: Option<String>,
    /// Name, bytes, file name and content type of one part of a multipart body whose
    /// schema names no parts.
    pub part: Option<String>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Response {
    /// Which statuses the variant answers for.
    pub status: ResponseStatus,
    pub variant: String,
    /// `None`: the response has no body.
    pub body: Option<ResponseBody>,
    pub doc: Option<String>,
    /// The headers the definition declares, each a field of the variant.
    pub headers: Vec<ResponseHeader>,
}

/// What a response's body is: one form, or several told apart by `Content-Type`.
#[derive(Debug, Clone, PartialEq)]
pub enum ResponseBody {
    One(MediaForm),
    /// Several declared media types: the body is the enum `name` in `types`, one variant
    /// per form, in declaration order.
    Several {
        name: String,
        forms: Vec<(String, MediaForm)>,
    },
}

impl ResponseBody {
    /// The forms the body may take, in declaration order.
    pub fn forms(&self) -> impl Iterator<Item = &MediaForm> {
        let (one, several) = match self {
            ResponseBody::One(form) => (Some(form), None),
            ResponseBody::Several { forms, .. } => (None, Some(forms.iter().map(|(_, form)| form))),
        };
        one.into_iter().chain(several.into_iter().flatten())
    }

    /// The types of its JSON forms.
    pub fn json_types(&self) -> impl Iterator<Item = &TypeRef> {
        self.forms().filter_map(|form| match &form.kind {
            MediaKind::Json(ty) => Some(ty),
            _ => None,
        })
    }
}

/// One media type a response body may be sent as, and its Rust form.
#[derive(Debug, Clone, PartialEq)]
pub struct MediaForm {
    /// What it is written as: the type as declared (`application/pdf`, `image/*`), or
    /// for JSON the first JSON-family type declared, a wildcard made `application/json`.
    pub media: String,
    /// Every declared type this form is read from (for JSON, each JSON-family type).
    pub declared: Vec<String>,
    pub kind: MediaKind,
}

impl MediaForm {
    /// The body carries its `Content-Type` ([`Ir::typed_body`]): the declared type names
    /// no single one (`image/*`, `*/*`, `multipart/*`).
    pub fn carries_content_type(&self) -> bool {
        !matches!(self.kind, MediaKind::Json(_)) && crate::media_type::names_no_single_type(&self.media)
    }
}

#[derive(Debug, Clone, PartialEq)]
pub enum MediaKind {
    /// JSON of this type.
    Json(TypeRef),
    /// `String`: text as it stands, no mapping.
    Text,
    /// `bytes::Bytes`: the bytes as they stand.
    Bytes,
}

/// A header a response declares: a field of its variant.
#[derive(Debug, Clone, PartialEq)]
pub struct ResponseHeader {
    pub wire_name: String,
    pub rust_name: String,
    /// A scalar, or a list of scalars (written comma-separated).
    pub ty: TypeRef,
    pub required: bool,
    pub doc: Option<String>,
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
    /// An API key in a cookie, handed to the server's `authenticate` as sent.
    ApiKeyCookie {
        cookie: String,
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
