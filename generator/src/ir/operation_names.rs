//! The names of what each operation adds to the generated modules: its request struct
//! and response enum (`types`), its method (server trait and client), the client's
//! `{method}_with` convenience and the server module's functions. They are claimed
//! before any schema is built, in the priority order `naming` describes.

use openapiv3::OpenAPI;

use super::naming::{Registry, claim_in_both, pascal_ident, pascal_stem, snake_ident};
use super::operations::each_operation;
use super::types::TypeBuilder;
use crate::diag::child_pointer;

/// The final names of one operation's items.
#[derive(Debug, Clone, PartialEq)]
pub struct OperationNames {
    pub request_type: String,
    pub response_type: String,
    pub method_name: String,
    pub convenience_name: String,
    pub handler_fn: String,
}

/// The registries of the modules besides `types` (which the [`TypeBuilder`] holds).
pub struct ModuleNames {
    pub server: Registry,
    pub server_trait: Registry,
    pub client_methods: Registry,
}

impl Default for ModuleNames {
    fn default() -> Self {
        ModuleNames {
            server: Registry::server_module(),
            server_trait: Registry::server_trait(),
            client_methods: Registry::client_methods(),
        }
    }
}

/// The server trait's name: the title in PascalCase, or `{Title}Api` when the `server`
/// module already uses that name.
pub fn api_trait_name(title: &str, modules: &mut ModuleNames, types: &mut TypeBuilder) -> String {
    let wanted = pascal_ident(title);
    let wanted = if modules.server.is_free(&wanted) {
        wanted
    } else {
        format!("{}Api", pascal_stem(title))
    };
    let name = modules.server.claim(&wanted);
    if name != pascal_ident(title) {
        types.renamed(
            "/info/title",
            format!(
                "the server trait is `{name}`: `{}` is a name the generated `server` module already uses",
                pascal_ident(title)
            ),
            "nothing to do unless the name does not suit you; change `info.title` to choose it",
        );
    }
    name
}

/// Names every operation's items, in operation order. Call after the component schemas
/// have claimed their names and before anything else is built.
pub fn name_operations(api: &OpenAPI, modules: &mut ModuleNames, types: &mut TypeBuilder) -> Vec<OperationNames> {
    let operations: Vec<(String, String)> = each_operation(api)
        .map(|located| {
            let id_ptr = match located.op.operation_id {
                Some(_) => child_pointer(&located.op_ptr, "operationId"),
                None => located.op_ptr.clone(),
            };
            (located.id(), id_ptr)
        })
        .collect();

    let types_of = |types: &mut TypeBuilder, suffix: &str, what: &str| -> Vec<String> {
        operations
            .iter()
            .map(|(id, pointer)| {
                let wanted = format!("{}{suffix}", pascal_stem(id));
                let name = types.claim(&wanted, format!("the {what} of `{id}`"));
                if name != wanted {
                    let holder = types.holder_of(&wanted);
                    types.renamed(
                        pointer,
                        format!("the {what} of `{id}` is `{name}`: `{wanted}` is already taken by {holder}"),
                        "nothing to do unless the name does not suit you; rename the schema or the operationId to choose it",
                    );
                }
                name
            })
            .collect()
    };
    let requests = types_of(types, "Request", "request struct");
    let responses = types_of(types, "Response", "response enum");

    let methods: Vec<String> = operations
        .iter()
        .map(|(id, pointer)| {
            let wanted = snake_ident(id);
            let name = claim_in_both(&mut modules.server_trait, &mut modules.client_methods, &wanted);
            if name != wanted {
                let by = if Registry::server_trait().is_free(&wanted) && Registry::client_methods().is_free(&wanted) {
                    "another operation's method"
                } else {
                    "a method the generated server trait or client has"
                };
                types.renamed(
                    pointer,
                    format!("operationId `{id}` is the method `{name}`: `{wanted}` is {by}"),
                    "nothing to do unless the name does not suit you; rename the operationId to choose it",
                );
            }
            name
        })
        .collect();

    let mut names = Vec::new();
    for (((id, pointer), method), (request, response)) in
        operations.iter().zip(&methods).zip(requests.into_iter().zip(responses))
    {
        let bare = method.trim_start_matches("r#");
        let wanted = format!("{bare}_with");
        let convenience_name = modules.client_methods.claim(&wanted);
        if convenience_name != wanted {
            types.renamed(
                pointer,
                format!(
                    "the client's `{method}` with the request's fields as arguments is `{convenience_name}`: `{wanted}` is another operation's method"
                ),
                &format!("nothing to do unless the name does not suit you; rename `{id}` or the other operation to choose it"),
            );
        }
        // Private functions: a prefix keeps them apart from everything else in `server`.
        let stem = bare.trim_start_matches('_');
        names.push(OperationNames {
            request_type: request,
            response_type: response,
            method_name: method.clone(),
            convenience_name,
            handler_fn: modules.server.claim(&format!("handle_{stem}")),
        });
    }
    names
}
