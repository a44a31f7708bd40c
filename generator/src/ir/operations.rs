//! Operations: request structs' parameters and bodies, responses by status, security.

use openapiv3::{
    OpenAPI, Operation as ApiOperation, Parameter, ParameterSchemaOrContent, PathItem, PathStyle, QueryStyle,
    ReferenceOr, StatusCode,
};

use super::docs::rst_to_markdown;
use super::naming::{Registry, pascal_stem, snake_ident};
use super::operation_names::OperationNames;
use super::paths;
use super::types::TypeBuilder;
use super::{HttpMethod, Operation, Param, ParamLocation, ParamStyle, ResponseStatus, TypeRef};
use crate::diag::child_pointer;

/// One operation of the definition and where it is.
pub struct Located<'a> {
    pub path: &'a str,
    pub item: &'a PathItem,
    pub method: &'a str,
    pub op: &'a ApiOperation,
    pub item_ptr: String,
    pub op_ptr: String,
}

impl Located<'_> {
    /// The `operationId` as written, or one made from method and path.
    pub fn id(&self) -> String {
        self.op
            .operation_id
            .clone()
            .unwrap_or_else(|| fallback_operation_id(self.method, self.path))
    }
}

/// Every operation, in the order the definition lists paths (methods in HTTP order).
pub fn each_operation(api: &OpenAPI) -> impl Iterator<Item = Located<'_>> {
    api.paths.paths.iter().flat_map(|(path, item)| {
        let item = match item {
            ReferenceOr::Item(item) => Some(item),
            ReferenceOr::Reference { .. } => None,
        };
        item.into_iter().flat_map(move |item| {
            let item_ptr = child_pointer("/paths", path);
            item.iter().map(move |(method, op)| Located {
                path,
                item,
                method,
                op,
                op_ptr: child_pointer(&item_ptr, method),
                item_ptr: item_ptr.clone(),
            })
        })
    })
}

/// Every operation, each with the names [`super::operation_names`] gave it, in the same
/// order.
pub fn operations(api: &OpenAPI, types: &mut TypeBuilder, names: Vec<OperationNames>) -> Vec<Operation> {
    each_operation(api)
        .zip(names)
        .map(|(located, names)| operation(api, types, &located, names))
        .collect()
}

/// The name an operation without `operationId` gets: method and path (`get_rooms_room_id`).
pub fn fallback_operation_id(method: &str, path: &str) -> String {
    format!("{method} {path}")
}

fn operation(api: &OpenAPI, types: &mut TypeBuilder, located: &Located, names: OperationNames) -> Operation {
    let Located {
        path,
        item,
        method,
        op,
        item_ptr,
        op_ptr,
    } = located;
    let (path, method, op_ptr) = (*path, *method, op_ptr.as_str());
    let shared_params: Vec<(String, &ReferenceOr<Parameter>)> = item
        .parameters
        .iter()
        .enumerate()
        .map(|(i, p)| (format!("{item_ptr}/parameters/{i}"), p))
        .collect();
    let id = located.id();
    let stem = pascal_stem(&id);

    // Operation parameters override path-level ones with the same name and location.
    let own: Vec<(String, &ReferenceOr<Parameter>)> = op
        .parameters
        .iter()
        .enumerate()
        .map(|(i, p)| (format!("{op_ptr}/parameters/{i}"), p))
        .collect();
    let mut params: Vec<(&str, Param)> = Vec::new();
    for (pointer, param) in shared_params.iter().chain(own.iter()) {
        let ReferenceOr::Item(param) = param else { continue };
        let Some(param) = self::param(api, types, param, pointer, &stem) else {
            continue;
        };
        params.retain(|(_, p)| !(p.wire_name == param.wire_name && p.location == param.location));
        params.push((pointer, param));
    }

    let body = match &op.request_body {
        Some(ReferenceOr::Item(body)) => {
            super::request_body::request_body(types, body, &child_pointer(op_ptr, "requestBody"), &stem, &id)
        }
        _ => None,
    };
    let params = field_names(types, params, body.is_some());

    let mut responses = Vec::new();
    let responses_ptr = child_pointer(op_ptr, "responses");
    for (status, response) in &op.responses.responses {
        let ReferenceOr::Item(response) = response else {
            continue;
        };
        let status = match *status {
            StatusCode::Code(code) => ResponseStatus::Exact(code),
            StatusCode::Range(class) => ResponseStatus::Class(class),
        };
        let pointer = child_pointer(&responses_ptr, &status.spelled());
        responses.push(super::responses::response(
            api,
            types,
            response,
            &pointer,
            (&stem, &id),
            status,
        ));
    }
    if let Some(ReferenceOr::Item(default)) = &op.responses.default {
        let pointer = child_pointer(&responses_ptr, "default");
        responses.push(super::responses::response(
            api,
            types,
            default,
            &pointer,
            (&stem, &id),
            ResponseStatus::Default,
        ));
    }

    let security = op
        .security
        .as_ref()
        .or(api.security.as_ref())
        .map(|alternatives| alternatives.iter().map(|req| req.keys().cloned().collect()).collect())
        .unwrap_or_default();

    Operation {
        method_name: names.method_name,
        convenience_name: names.convenience_name,
        handler_fn: names.handler_fn,
        request_type: names.request_type,
        response_type: names.response_type,
        id,
        http_method: http_method(method),
        path: path.to_string(),
        // `check` refused the templates that do not parse; this fallback is never used.
        template: paths::parse(path).unwrap_or_else(|_| paths::PathTemplate { segments: Vec::new() }),
        summary: op.summary.clone(),
        doc: op.description.as_deref().map(rst_to_markdown),
        params,
        body,
        responses,
        security,
    }
}

/// The request struct's field names: each parameter's name in snake_case, in the order
/// they are listed, after `body` when there is a request body.
fn field_names(types: &mut TypeBuilder, params: Vec<(&str, Param)>, has_body: bool) -> Vec<Param> {
    let mut fields = Registry::with_reserved(has_body.then_some("body"));
    let mut taken_by: Vec<(String, String)> = vec![("body".to_string(), "the request body".to_string())];
    let mut out = Vec::new();
    for (pointer, mut param) in params {
        let wanted = param.rust_name.clone();
        param.rust_name = fields.claim(&wanted);
        if param.rust_name != wanted {
            let by = taken_by
                .iter()
                .find(|(name, _)| *name == wanted)
                .map(|(_, by)| by.clone())
                .unwrap_or_default();
            types.renamed(
                pointer,
                format!(
                    "parameter `{}` is the request field `{}`: {by} is already `{wanted}`",
                    param.wire_name, param.rust_name
                ),
                "rename one of the two if the generated names do not suit you",
            );
        }
        taken_by.push((param.rust_name.clone(), format!("parameter `{}`", param.wire_name)));
        out.push(param);
    }
    out
}

fn http_method(method: &str) -> HttpMethod {
    match method {
        "put" => HttpMethod::Put,
        "post" => HttpMethod::Post,
        "delete" => HttpMethod::Delete,
        "options" => HttpMethod::Options,
        "head" => HttpMethod::Head,
        "patch" => HttpMethod::Patch,
        "trace" => HttpMethod::Trace,
        _ => HttpMethod::Get,
    }
}

fn param(api: &OpenAPI, types: &mut TypeBuilder, param: &Parameter, pointer: &str, stem: &str) -> Option<Param> {
    let data = param.parameter_data_ref();
    let location = match param {
        Parameter::Path { .. } => ParamLocation::Path,
        Parameter::Query { .. } => ParamLocation::Query,
        Parameter::Header { .. } => ParamLocation::Header,
        Parameter::Cookie { .. } => ParamLocation::Cookie,
    };
    let hint = format!("{stem}{}", pascal_stem(&data.name));
    let (ty, default) = match &data.format {
        ParameterSchemaOrContent::Schema(schema) => (
            types.type_of(schema, &child_pointer(pointer, "schema"), &hint),
            schema_default(api, schema),
        ),
        ParameterSchemaOrContent::Content(_) => (TypeRef::String, None),
    };
    types.record_example(&hint, pointer, &ty, data.example.as_ref());
    let brackets = crate::param_rules::brackets(api, param);
    let doc = data.description.as_deref().map(rst_to_markdown);
    let doc = match brackets {
        Some(brackets) => Some(with_bracket_note(doc, &data.name, brackets)),
        None => doc,
    };
    Some(Param {
        rust_name: snake_ident(&data.name),
        wire_name: data.name.clone(),
        location,
        ty,
        required: data.required || location == ParamLocation::Path,
        doc,
        style: match brackets {
            Some(brackets) => ParamStyle::Bracketed {
                members: brackets == crate::param_rules::Brackets::Members,
            },
            None => param_style(param),
        },
        default,
    })
}

/// The parameter's doc with a line saying how its nested value travels, since no
/// OpenAPI style defines it.
fn with_bracket_note(doc: Option<String>, name: &str, brackets: crate::param_rules::Brackets) -> String {
    let note = match brackets {
        crate::param_rules::Brackets::Named => format!(
            "Sent in the query with brackets: `{name}=v`, `{name}[0]=v`, `{name}[member][0]=v`, as deep as the value goes."
        ),
        crate::param_rules::Brackets::Members => {
            "Sent in the query as its members, each with brackets as deep as it goes: `member=v`, `member[0]=v`, `member[key]=v`.".to_string()
        }
    };
    match doc {
        Some(doc) => [doc.trim_end(), "\n\n", &note].concat(),
        None => note,
    }
}

/// A parameter schema's `default`, or that of the schema it refers to, as the generated
/// code applies it (`check` warned of one it cannot apply).
fn schema_default(api: &OpenAPI, schema: &ReferenceOr<openapiv3::Schema>) -> Option<serde_json::Value> {
    let schema = match schema {
        ReferenceOr::Item(schema) => schema,
        ReferenceOr::Reference { reference } => crate::schema_shape::resolve_component(api, reference)?,
    };
    let default = schema.schema_data.default.as_ref()?;
    crate::param_rules::usable_default(api, schema, default)
}

/// The wire style: a 2.0 `collectionFormat` (carried by `upgrade`), else 3.0's `style` and
/// `explode` with the defaults OpenAPI 3.0 gives (`form` exploded for query and cookie,
/// `simple` unexploded for path and header).
pub fn param_style(param: &Parameter) -> ParamStyle {
    let data = param.parameter_data_ref();
    if let Some(format) = data.extensions.get(crate::upgrade::COLLECTION_FORMAT) {
        return match format.as_str() {
            Some("ssv") => ParamStyle::Joined(' '),
            Some("tsv") => ParamStyle::Joined('\t'),
            Some("pipes") => ParamStyle::Joined('|'),
            Some("multi") => ParamStyle::Exploded,
            _ => ParamStyle::Joined(','),
        };
    }
    let explode = |default: bool| data.explode.unwrap_or(default);
    let exploded_or = |joined: char, default: bool| {
        if explode(default) {
            ParamStyle::Exploded
        } else {
            ParamStyle::Joined(joined)
        }
    };
    match param {
        Parameter::Query { style, .. } => match style {
            QueryStyle::Form => exploded_or(',', true),
            QueryStyle::SpaceDelimited => exploded_or(' ', false),
            QueryStyle::PipeDelimited => exploded_or('|', false),
            QueryStyle::DeepObject => ParamStyle::DeepObject,
        },
        Parameter::Cookie { .. } => exploded_or(',', true),
        Parameter::Header { .. } => exploded_or(',', false),
        Parameter::Path { style, .. } => match style {
            PathStyle::Simple => exploded_or(',', false),
            PathStyle::Label => ParamStyle::Label {
                explode: explode(false),
            },
            PathStyle::Matrix => ParamStyle::Matrix {
                explode: explode(false),
            },
        },
    }
}
