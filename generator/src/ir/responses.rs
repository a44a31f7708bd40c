//! Responses: each documented status's variant, its body in every declared media type
//! (JSON, text, bytes, or an enum of them when several are declared) and its headers.

use openapiv3::{OpenAPI, ParameterSchemaOrContent, ReferenceOr, Response as ApiResponse};

use super::docs::rst_to_markdown;
use super::naming::{Registry, class_variant, pascal_stem, snake_ident, status_variant};
use super::types::TypeBuilder;
use super::{MediaForm, MediaKind, Response, ResponseBody, ResponseHeader, ResponseStatus, TypeRef};
use crate::diag::child_pointer;
use crate::media_type::{self, ResponseKind};

/// Statuses HTTP sends without a body: informational ones, `204` and `304`. `check` warns
/// when the definition declares content for them; it is left out here.
pub fn sends_no_body(status: ResponseStatus) -> bool {
    match status {
        ResponseStatus::Exact(code) => code < 200 || code == 204 || code == 304,
        ResponseStatus::Class(class) => class == 1,
        ResponseStatus::Default => false,
    }
}

/// Whether a declared media type can be written in a `Content-Type` header at all;
/// `check` reports the others.
pub fn writable(media: &str) -> bool {
    !media.is_empty() && media.bytes().all(|b| b == b'\t' || (b' '..=b'~').contains(&b))
}

pub fn response(
    api: &OpenAPI,
    types: &mut TypeBuilder,
    response: &ApiResponse,
    pointer: &str,
    (stem, id): (&str, &str),
    status: ResponseStatus,
) -> Response {
    let variant = match status {
        ResponseStatus::Exact(code) => status_variant(code),
        ResponseStatus::Class(class) => class_variant(class),
        ResponseStatus::Default => "Default".to_string(),
    };
    let context = Context {
        stem_variant: format!("{stem}{variant}"),
        id,
        which: status.spelled(),
        pointer,
    };
    let body = if sends_no_body(status) {
        None
    } else {
        body(api, types, response, &context)
    };
    let headers = headers(types, response, &context, status, body.is_some());
    let doc = Some(response.description.as_str())
        .filter(|d| !d.trim().is_empty())
        .map(rst_to_markdown);
    Response {
        status,
        variant,
        body,
        doc,
        headers,
    }
}

/// What names and messages about one response are made from.
struct Context<'a> {
    /// `{Op}{Variant}` (`ExportReportOk`).
    stem_variant: String,
    id: &'a str,
    /// The status as written (`200`, `4XX`, `default`).
    which: String,
    pointer: &'a str,
}

/// One declared media type before its Rust type is decided.
struct Declared<'a> {
    media: &'a String,
    item: &'a openapiv3::MediaType,
    kind: ResponseKind,
}

/// The body's forms, in declaration order. The JSON-family types are one form (read the
/// same way, written as the first of them); every other type is a form of its own.
fn body(api: &OpenAPI, types: &mut TypeBuilder, response: &ApiResponse, context: &Context) -> Option<ResponseBody> {
    let declared: Vec<Declared> = response
        .content
        .iter()
        .filter(|(media, _)| writable(media))
        .map(|(media, item)| {
            let binary = item
                .schema
                .as_ref()
                .is_some_and(|s| media_type::is_binary_schema(api, s));
            let kind = media_type::response_kind(media, item.schema.is_some(), binary);
            Declared { media, item, kind }
        })
        .collect();
    let json: Vec<&Declared> = declared.iter().filter(|d| d.kind == ResponseKind::Json).collect();
    let mut groups: Vec<Vec<&Declared>> = Vec::new();
    for declared in &declared {
        match declared.kind {
            ResponseKind::Json if std::ptr::eq(json[0], declared) => groups.push(json.clone()),
            ResponseKind::Json => {}
            _ => groups.push(vec![declared]),
        }
    }
    match groups.len() {
        0 => None,
        1 => {
            let hint = format!("{}Body", context.stem_variant);
            Some(ResponseBody::One(form(types, &groups[0], context, &hint)))
        }
        _ => Some(several(types, &groups, context)),
    }
}

/// An enum with a variant per form, named after its media type (`Json`, `Csv`, `Png`).
fn several(types: &mut TypeBuilder, groups: &[Vec<&Declared>], context: &Context) -> ResponseBody {
    let wanted = format!("{}Body", context.stem_variant);
    let name = types.claim(
        &wanted,
        format!("the body of the `{}` response of `{}`", context.which, context.id),
    );
    if name != wanted {
        let holder = types.holder_of(&wanted);
        types.renamed(
            &child_pointer(context.pointer, "content"),
            format!(
                "the body of the `{}` response of `{}` is `{name}`: `{wanted}` is already taken by {holder}",
                context.which, context.id
            ),
            "nothing to do unless the name does not suit you",
        );
    }
    let mut variants = Registry::default();
    let forms = groups
        .iter()
        .map(|group| {
            let variant = variants.claim(&media_variant(group[0].media));
            let hint = format!("{}{variant}", context.stem_variant);
            (variant, form(types, group, context, &hint))
        })
        .collect();
    ResponseBody::Several { name, forms }
}

/// `application/json` → `Json`, `text/csv` → `Csv`, `image/*` → `Image`, `*/*` → `Any`.
fn media_variant(media: &str) -> String {
    let essence = media_type::essence(media);
    let (kind, sub) = essence.split_once('/').unwrap_or((essence.as_str(), ""));
    match (kind, sub) {
        ("*", _) => "Any".to_string(),
        (kind, "*" | "") => pascal_stem(kind),
        (_, sub) => {
            // `vnd.openxmlformats-officedocument.spreadsheetml.sheet` → `Sheet`,
            // `vnd.ms-excel` → `MsExcel`, `x-ndjson` → `Ndjson`, `atom+xml` → `Atom`.
            let sub = sub.split('+').next().unwrap_or(sub);
            let sub = ["vnd.", "x-", "prs.", "x."]
                .iter()
                .find_map(|tree| sub.strip_prefix(tree))
                .unwrap_or(sub);
            pascal_stem(sub.rsplit('.').next().unwrap_or(sub))
        }
    }
}

fn form(types: &mut TypeBuilder, group: &[&Declared], context: &Context, hint: &str) -> MediaForm {
    let first = group[0];
    let kind = match first.kind {
        ResponseKind::Text => MediaKind::Text,
        ResponseKind::Bytes => MediaKind::Bytes,
        ResponseKind::Json => {
            // The schema of `application/json` when declared, else of the first.
            let schema_of = group
                .iter()
                .find(|d| media_type::essence(d.media) == "application/json")
                .unwrap_or(&first);
            let media_ptr = child_pointer(&child_pointer(context.pointer, "content"), schema_of.media);
            let ty = match &schema_of.item.schema {
                Some(schema) => types.type_of(schema, &child_pointer(&media_ptr, "schema"), hint),
                None => TypeRef::Json,
            };
            types.describe_context_type(
                &ty,
                hint,
                format!("The body of the `{}` response of `{}`.", context.which, context.id),
            );
            types.record_example(&context.stem_variant, &media_ptr, &ty, schema_of.item.example.as_ref());
            return MediaForm {
                media: media_type::concrete(first.media),
                declared: group.iter().map(|d| d.media.to_string()).collect(),
                kind: MediaKind::Json(ty),
            };
        }
    };
    MediaForm {
        media: first.media.to_string(),
        declared: vec![first.media.to_string()],
        kind,
    }
}

/// The declared headers, in order, as fields of the variant: `status` and `body` are the
/// variant's own. `Content-Type` is the body's business (`check` warns).
fn headers(
    types: &mut TypeBuilder,
    response: &ApiResponse,
    context: &Context,
    status: ResponseStatus,
    has_body: bool,
) -> Vec<ResponseHeader> {
    let own = [
        (status.exact().is_none()).then_some("status"),
        has_body.then_some("body"),
    ];
    let mut fields = Registry::with_reserved(own.into_iter().flatten());
    let mut out: Vec<ResponseHeader> = Vec::new();
    for (name, header) in &response.headers {
        let ReferenceOr::Item(header) = header else { continue };
        if name.eq_ignore_ascii_case("content-type") {
            continue;
        }
        let pointer = child_pointer(&child_pointer(context.pointer, "headers"), name);
        let hint = format!("{}{}", context.stem_variant, pascal_stem(name));
        let ty = match &header.format {
            ParameterSchemaOrContent::Schema(schema) => {
                types.type_of(schema, &child_pointer(&pointer, "schema"), &hint)
            }
            ParameterSchemaOrContent::Content(_) => TypeRef::String,
        };
        let wanted = snake_ident(name);
        let rust_name = fields.claim(&wanted);
        if rust_name != wanted {
            types.renamed(
                &pointer,
                format!(
                    "header `{name}` of the `{}` response of `{}` is the field `{rust_name}`: `{wanted}` is {}",
                    context.which,
                    context.id,
                    match out.iter().find(|h| h.rust_name == wanted) {
                        Some(other) => format!("the header `{}`", other.wire_name),
                        None => format!("the variant's `{wanted}`"),
                    }
                ),
                "nothing to do unless the name does not suit you",
            );
        }
        out.push(ResponseHeader {
            wire_name: name.clone(),
            rust_name,
            ty,
            required: header.required,
            doc: header.description.as_deref().map(rst_to_markdown),
        });
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn form_variants_are_named_after_their_media_type() {
        assert_eq!(media_variant("application/json; charset=utf-8"), "Json");
        assert_eq!(media_variant("text/csv"), "Csv");
        assert_eq!(media_variant("image/*"), "Image");
        assert_eq!(media_variant("*/*"), "Any");
        assert_eq!(media_variant("application/vnd.ms-excel"), "MsExcel");
        assert_eq!(
            media_variant("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
            "Sheet"
        );
        assert_eq!(media_variant("application/atom+xml"), "Atom");
    }

    #[test]
    fn informational_no_content_and_not_modified_send_no_body() {
        assert!(sends_no_body(ResponseStatus::Exact(204)));
        assert!(sends_no_body(ResponseStatus::Exact(304)));
        assert!(sends_no_body(ResponseStatus::Exact(103)));
        assert!(sends_no_body(ResponseStatus::Class(1)));
        assert!(!sends_no_body(ResponseStatus::Exact(200)));
        assert!(!sends_no_body(ResponseStatus::Class(2)));
        assert!(!sends_no_body(ResponseStatus::Default));
    }
}
