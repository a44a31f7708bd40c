//! Builds the [`Ir`] from the checked `openapiv3` model.

use openapiv3::{APIKeyLocation, OpenAPI, ReferenceOr, SecurityScheme as ApiScheme};

use super::access::relax_one_way_members;
use super::docs::rst_to_markdown;
use super::examples;
use super::indirection::add_indirection;
use super::operation_names::{ModuleNames, api_trait_name, name_operations};
use super::operations::operations;
use super::types::options::TypeOptions;
use super::types::{RefHints, TypeBuilder, constructors};
use super::{BodySupport, EncodingKind, Ir, License, PartKind, SecurityKind, SecurityScheme, TypeAttributes};

/// Where the 3.1 upgrade keeps `info.summary` and `info.license.identifier`, which the
/// 3.0 model has no field for.
pub const SUMMARY_EXTENSION: &str = "x-stubforge-summary";
pub const LICENSE_IDENTIFIER_EXTENSION: &str = "x-stubforge-license-identifier";

fn info_extension(extensions: &indexmap::IndexMap<String, serde_json::Value>, key: &str) -> Option<String> {
    extensions.get(key).and_then(|v| v.as_str()).map(str::to_string)
}

pub fn build(api: &OpenAPI, hints: RefHints, options: &TypeOptions) -> Ir {
    // Names are claimed in priority order (see `naming`): component schemas (when the
    // builder is made), then what operations add, then inline schemas as they are built.
    let mut types = TypeBuilder::new(api, hints, options);
    let mut modules = ModuleNames::default();
    let api_name = api_trait_name(&api.info.title, &mut modules, &mut types);
    let names = name_operations(api, &mut modules, &mut types);
    types.build_components();
    let mut operations = operations(api, &mut types, names);
    let super::shared_urls::SharedUrls { client_only, selectors } = super::shared_urls::decide(&mut operations);
    let typed_body = typed_body_name(&operations, &mut types);
    let body_support = body_support(&operations, &mut types);
    let body_shapes = super::body_shapes::decide(&operations, &mut types);
    let mut defs = std::mem::take(&mut types.types);
    relax_one_way_members(&mut defs, &operations);
    let deep_nesting = add_indirection(&mut defs);
    let mut models = constructors::decide(&mut defs, &mut types);
    models.param_docs = super::param_docs::decide(&operations, &mut types);
    models.status_macro = (operations.len() >= super::STATUS_MACRO_MIN_OPERATIONS).then(|| {
        types.claim(
            "statuses",
            "the macro that writes response enums' `status()`".to_string(),
        )
    });
    models.attributes = options
        .attributes
        .iter()
        .filter_map(|(schema, attributes)| {
            Some(TypeAttributes {
                schema: schema.clone(),
                type_name: types.component_names().get(schema)?.clone(),
                attributes: attributes.clone(),
            })
        })
        .collect();
    let examples = examples::name_and_validate(types.examples, &defs);
    let base_path = base_path(api);
    let profile = super::profile::decide(&base_path, &operations, &defs);
    Ir {
        title: api.info.title.clone(),
        version: api.info.version.clone(),
        summary: info_extension(&api.info.extensions, SUMMARY_EXTENSION),
        description: api.info.description.as_deref().map(rst_to_markdown),
        license: api.info.license.as_ref().map(|license| License {
            name: license.name.clone(),
            identifier: info_extension(&license.extensions, LICENSE_IDENTIFIER_EXTENSION),
        }),
        base_path,
        api_name,
        types: defs,
        operations,
        security_schemes: security_schemes(api),
        examples,
        renames: types.renames,
        typed_body,
        deep_nesting,
        skipped: Vec::new(),
        body_support,
        profile,
        client_only,
        selectors,
        models,
        body_shapes,
    }
}

/// Names the support types the operations' request bodies use, after every other type.
fn body_support(operations: &[super::Operation], types: &mut TypeBuilder) -> BodySupport {
    let encodings: Vec<&super::Encoding> = operations
        .iter()
        .filter_map(|op| op.body.as_ref())
        .flat_map(|body| body.shape.encodings())
        .collect();
    let uses = |wanted: fn(&EncodingKind) -> bool| encodings.iter().any(|e| wanted(&e.kind));
    let files = uses(|kind| match kind {
        EncodingKind::Multipart { parts, .. } => parts
            .iter()
            .any(|part| matches!(part.kind, PartKind::File | PartKind::Files)),
        _ => false,
    });
    let binary = uses(|kind| matches!(kind, EncodingKind::Binary));
    let text = uses(|kind| matches!(kind, EncodingKind::Text));
    let part = uses(|kind| matches!(kind, EncodingKind::PartList));
    let mut claim = |used: bool, wanted: &str, what: &str| used.then(|| types.claim(wanted, what.to_string()));
    BodySupport {
        file: claim(files, "FilePart", "the file part of multipart bodies"),
        binary: claim(binary, "BinaryBody", "binary request bodies"),
        text: claim(text, "TextBody", "text request bodies"),
        part: claim(part, "MultipartPart", "the parts of multipart bodies that name none"),
    }
}

/// The `{ content_type, body }` struct, when some body's declared type names no single
/// type (`image/*`): claimed after every schema, so a schema of that name keeps it.
fn typed_body_name(operations: &[super::Operation], types: &mut TypeBuilder) -> Option<String> {
    let needed = operations.iter().flat_map(|op| &op.responses).any(|r| match &r.body {
        Some(super::ResponseBody::One(form)) => form.carries_content_type(),
        Some(super::ResponseBody::Several { forms, .. }) => forms.iter().any(|(_, form)| form.carries_content_type()),
        None => false,
    });
    if !needed {
        return None;
    }
    let wanted = "TypedBody";
    let name = types.claim(wanted, "the body that says its own content type".to_string());
    if name != wanted {
        let holder = types.holder_of(wanted);
        types.renamed(
            "/paths",
            format!("bodies that say their own content type are `{name}`: `{wanted}` is already taken by {holder}"),
            "nothing to do unless the name does not suit you",
        );
    }
    Some(name)
}

/// The path part of the first server URL, server variables replaced by their defaults,
/// with a leading `/` (a relative `v1` is served at `/v1`; `check` warns) and without a
/// trailing one.
pub fn base_path(api: &OpenAPI) -> String {
    let Some(server) = api.servers.first() else {
        return String::new();
    };
    let mut url = server.url.clone();
    for (name, variable) in server.variables.iter().flatten() {
        url = url.replace(&format!("{{{name}}}"), &variable.default);
    }
    let path = match url.find("://") {
        Some(i) => url[i + 3..].find('/').map(|j| &url[i + 3 + j..]).unwrap_or(""),
        None => url.as_str(),
    };
    let path = path.trim_end_matches('/');
    if path.is_empty() || path.starts_with('/') {
        path.to_string()
    } else {
        format!("/{path}")
    }
}

fn security_schemes(api: &OpenAPI) -> Vec<SecurityScheme> {
    let Some(components) = &api.components else {
        return Vec::new();
    };
    components
        .security_schemes
        .iter()
        .filter_map(|(name, scheme)| {
            let ReferenceOr::Item(scheme) = scheme else { return None };
            let (kind, doc) = match scheme {
                ApiScheme::APIKey {
                    location,
                    name,
                    description,
                    ..
                } => (
                    match location {
                        APIKeyLocation::Header => SecurityKind::ApiKeyHeader { header: name.clone() },
                        APIKeyLocation::Query => SecurityKind::ApiKeyQuery { param: name.clone() },
                        APIKeyLocation::Cookie => SecurityKind::ApiKeyCookie { cookie: name.clone() },
                    },
                    description,
                ),
                ApiScheme::HTTP {
                    scheme, description, ..
                } => (SecurityKind::Http { scheme: scheme.clone() }, description),
                ApiScheme::OAuth2 { description, .. } => (SecurityKind::OAuth2, description),
                ApiScheme::OpenIDConnect { .. } => return None,
            };
            Some(SecurityScheme {
                name: name.clone(),
                doc: doc.as_deref().map(rst_to_markdown),
                kind,
            })
        })
        .collect()
}
