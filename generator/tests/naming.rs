//! Names: every definition, however its names collide with each other or with the
//! generated code's own, generates with distinct names in every namespace, and says so
//! where a name is not the one the definition suggests.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use stubforge::ir::naming::Registry;
use stubforge::{Generated, Settings, generate};

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

/// Every definition of the compile corpus and the fixtures: `NAME.yaml`/`NAME.json`, or
/// `NAME/api.yaml`.
fn definitions() -> Vec<PathBuf> {
    let mut found = vec![
        root().join("api/server-server/leaving.yaml"),
        root().join("tests/fixtures/params.yaml"),
        root().join("tests/fixtures/dialect/api.yaml"),
    ];
    let corpus = std::fs::read_dir(root().join("tests/corpus")).expect("tests/corpus exists");
    for entry in corpus {
        let path = entry.expect("a corpus entry").path();
        if path.is_dir() {
            found.push(path.join("api.yaml"));
        } else if path.extension().is_some_and(|e| e == "yaml" || e == "json") {
            found.push(path);
        }
    }
    found.sort();
    found
}

fn corpus(name: &str) -> Generated {
    let spec = root().join("tests/corpus").join(name);
    generate(&Settings::new(&spec)).unwrap_or_else(|e| panic!("{name} generates: {e}"))
}

fn file<'a>(generated: &'a Generated, name: &str) -> &'a str {
    let path = Path::new("src").join(name);
    let file = generated.files.iter().find(|f| f.path == path);
    &file.unwrap_or_else(|| panic!("{name} is generated")).contents
}

fn warnings(generated: &Generated) -> Vec<String> {
    generated.warnings.iter().map(ToString::to_string).collect()
}

/// Requires a warning that contains every one of `parts`, and that it is located.
fn assert_warned(generated: &Generated, parts: &[&str]) {
    let found = generated
        .warnings
        .iter()
        .find(|w| parts.iter().all(|p| w.to_string().contains(p)))
        .unwrap_or_else(|| panic!("no warning with {parts:?} in {:#?}", warnings(generated)));
    assert!(found.location.is_some(), "unlocated: {found}");
    assert!(found.help.is_some(), "without help: {found}");
}

/// The names one scope defines, per namespace; a name defined twice is reported.
#[derive(Default)]
struct Scope {
    types: BTreeSet<String>,
    values: BTreeSet<String>,
    twice: Vec<String>,
}

impl Scope {
    fn add_type(&mut self, name: String) {
        if !self.types.insert(name.clone()) {
            self.twice.push(format!("type {name}"));
        }
    }

    fn add_value(&mut self, name: String) {
        if !self.values.insert(name.clone()) {
            self.twice.push(format!("value {name}"));
        }
    }

    fn use_tree(&mut self, tree: &syn::UseTree) {
        match tree {
            syn::UseTree::Path(path) => self.use_tree(&path.tree),
            syn::UseTree::Name(name) => {
                self.add_type(name.ident.to_string());
                self.add_value(name.ident.to_string());
            }
            syn::UseTree::Rename(rename) => {
                self.add_type(rename.rename.to_string());
                self.add_value(rename.rename.to_string());
            }
            syn::UseTree::Group(group) => group.items.iter().for_each(|t| self.use_tree(t)),
            syn::UseTree::Glob(_) => {}
        }
    }
}

fn unique<'a>(what: &str, names: impl IntoIterator<Item = &'a syn::Ident>, twice: &mut Vec<String>) {
    let mut seen = BTreeSet::new();
    for name in names {
        let name = name.to_string();
        if !seen.insert(name.clone()) {
            twice.push(format!("{what}: {name}"));
        }
    }
}

/// Every name defined twice in one namespace of `items`: module items, trait and impl
/// items, struct fields and enum variants (the E0428, E0592, E0124 and E0255 kind).
fn defined_twice(items: &[syn::Item]) -> Vec<String> {
    let mut scope = Scope::default();
    let mut twice = Vec::new();
    for item in items {
        match item {
            syn::Item::Struct(s) => {
                scope.add_type(s.ident.to_string());
                if !matches!(s.fields, syn::Fields::Named(_)) {
                    scope.add_value(s.ident.to_string());
                }
                unique(
                    &format!("field of {}", s.ident),
                    s.fields.iter().filter_map(|f| f.ident.as_ref()),
                    &mut twice,
                );
            }
            syn::Item::Enum(e) => {
                scope.add_type(e.ident.to_string());
                unique(
                    &format!("variant of {}", e.ident),
                    e.variants.iter().map(|v| &v.ident),
                    &mut twice,
                );
                for variant in &e.variants {
                    let fields = variant.fields.iter().filter_map(|f| f.ident.as_ref());
                    unique(&format!("field of {}::{}", e.ident, variant.ident), fields, &mut twice);
                }
            }
            syn::Item::Trait(t) => {
                scope.add_type(t.ident.to_string());
                let names = t.items.iter().filter_map(|i| match i {
                    syn::TraitItem::Fn(f) => Some(&f.sig.ident),
                    syn::TraitItem::Type(t) => Some(&t.ident),
                    syn::TraitItem::Const(c) => Some(&c.ident),
                    _ => None,
                });
                unique(&format!("item of trait {}", t.ident), names, &mut twice);
            }
            syn::Item::Impl(i) => {
                let names = i.items.iter().filter_map(|i| match i {
                    syn::ImplItem::Fn(f) => Some(&f.sig.ident),
                    syn::ImplItem::Const(c) => Some(&c.ident),
                    syn::ImplItem::Type(t) => Some(&t.ident),
                    _ => None,
                });
                unique("item of an impl", names, &mut twice);
            }
            syn::Item::Type(t) => scope.add_type(t.ident.to_string()),
            syn::Item::Fn(f) => scope.add_value(f.sig.ident.to_string()),
            syn::Item::Const(c) => scope.add_value(c.ident.to_string()),
            syn::Item::Use(u) => scope.use_tree(&u.tree),
            syn::Item::Mod(m) => {
                scope.add_type(m.ident.to_string());
                if let Some((_, items)) = &m.content {
                    twice.extend(defined_twice(items));
                }
            }
            _ => {}
        }
    }
    twice.extend(scope.twice);
    twice
}

#[test]
fn every_definition_generates_distinct_names_in_every_namespace() {
    for spec in definitions() {
        let generated = generate(&Settings::new(&spec)).unwrap_or_else(|e| panic!("{} generates: {e}", spec.display()));
        for file in generated
            .files
            .iter()
            .filter(|f| f.path.extension().is_some_and(|e| e == "rs"))
        {
            let parsed = syn::parse_file(&file.contents)
                .unwrap_or_else(|e| panic!("{} of {} parses: {e}", file.path.display(), spec.display()));
            let twice = defined_twice(&parsed.items);
            assert!(
                twice.is_empty(),
                "{} of {} defines names twice: {twice:?}",
                file.path.display(),
                spec.display()
            );
        }
    }
}

#[test]
fn generation_is_deterministic_when_names_collide() {
    let first = corpus("account-service-name-collisions.yaml");
    let second = corpus("account-service-name-collisions.yaml");
    assert_eq!(first.files, second.files);
    assert_eq!(warnings(&first), warnings(&second));
}

#[test]
fn schemas_keep_their_names_and_operation_types_give_way() {
    let generated = corpus("account-service-name-collisions.yaml");
    let types = file(&generated, "types.rs");
    for kept in [
        "pub struct CreateAccountRequest {",
        "pub struct UpdateAccountResponse {",
        "pub struct ImportLegacyRecordResponse {",
    ] {
        assert!(types.contains(kept), "{kept}");
    }
    // The operations' own items, numbered.
    assert!(types.contains("pub struct CreateAccountRequest2 {"));
    assert!(types.contains("pub enum UpdateAccountResponse2 {"));
    assert!(types.contains("pub enum ImportLegacyRecordResponse2 {"));
    assert_warned(
        &generated,
        &[
            "account-service-name-collisions.yaml:79:7:",
            "the request struct of `createAccount` is `CreateAccountRequest2`",
            "the schema `CreateAccountRequest`",
        ],
    );
    // A schema only titled like an operation's request gives way to the request struct.
    assert!(types.contains("pub struct DeleteAccountRequest {"));
    assert!(types.contains("pub struct DeleteAccountRequest2 {"));
    assert_warned(
        &generated,
        &[
            "this schema is the type `DeleteAccountRequest2`",
            "the request struct of `deleteAccount`",
        ],
    );
    // So does the enum of a query parameter called `request`.
    assert!(types.contains("pub enum ListAccountsRequest2 {"));
    assert!(types.contains("pub request: Option<ListAccountsRequest2>,"));
}

#[test]
fn operations_named_like_generated_methods_get_numbered_methods() {
    let generated = corpus("account-service-name-collisions.yaml");
    let server = file(&generated, "server.rs");
    let client = file(&generated, "client.rs");
    for (id, method) in [
        ("authenticate", "authenticate2"),
        ("new", "new2"),
        ("error_response", "error_response2"),
        ("with_settings", "with_settings2"),
        ("with_http_client", "with_http_client2"),
        ("clone", "clone2"),
    ] {
        assert!(server.contains(&format!("fn {method}(")), "{method} in the trait");
        assert!(client.contains(&format!("pub fn {method}(")), "{method} in the client");
        assert_warned(&generated, &[&format!("operationId `{id}` is the method `{method}`")]);
    }
    // The trait's and the client's own methods are still there.
    assert!(server.contains("fn authenticate(") && server.contains("fn error_response("));
    assert!(client.contains("pub fn new(") && client.contains("pub fn with_settings("));
    // `get` and `getWith`: the operation keeps `get_with`, the convenience gives way.
    let squashed: String = client.split_whitespace().collect();
    assert!(squashed.contains("pubfnget_with(&self,request:&types::GetWithRequest"));
    assert!(client.contains("pub fn get_with2("));
    assert_warned(&generated, &["the client's `get`", "is `get_with2`"]);
}

#[test]
fn fields_and_variants_that_collide_are_numbered() {
    let generated = corpus("account-service-name-collisions.yaml");
    let types = file(&generated, "types.rs");
    for expected in [
        // `a-b` and `a_b`; `self` and `Self`; a property called `extra`.
        "optional a_b2 = \"a_b\";",
        "pub a_b2: Option<i64>,",
        "optional self2 = \"Self\";",
        "pub self2: Option<i64>,",
        "pub extra: Option<String>,",
        "pub extra2: ::serde_json::Map<String, ::serde_json::Value>,",
        "pub crate_: Option<String>,",
        "pub super_: Option<String>,",
        "pub r#type: Option<String>,",
        // Enum values equal once sanitised.
        "#[serde(rename = \"Personal\")]\n    Personal2,",
        "#[serde(rename = \"too_expensive\")]\n    TooExpensive2,",
        // `type: [string, string]`.
        "String(String),\n    /// The `String2` alternative.\n    String2(String),",
    ] {
        assert!(types.contains(expected), "missing {expected:?}");
    }
    assert_warned(&generated, &["`a_b` is the field `a_b2`"]);
    assert_warned(&generated, &["the field `extra2`: a property is called `extra`"]);
    // A query parameter `body` beside a body-less GET keeps its name; two `path`
    // parameters (path and query) and `page-size` beside `page_size` do not.
    assert!(types.contains("pub body: Option<String>,"));
    assert!(types.contains("pub path2: Option<String>,"));
    assert!(types.contains("pub page_size2: Option<i32>,"));
    assert_warned(
        &generated,
        &["parameter `page_size` is the request field `page_size2`", "`page-size`"],
    );
}

#[test]
fn a_title_the_server_module_uses_names_the_trait_title_api() {
    for (definition, title, name) in [
        ("lab-results-titled-result.yaml", "Result", "ResultApi"),
        ("messaging-titled-send.yaml", "Send", "SendApi"),
        ("workflow-titled-state.yaml", "State", "StateApi"),
        ("claims-titled-rejection.yaml", "Rejection", "RejectionApi"),
        (
            "error-tracker-titled-server-error.yaml",
            "ServerError",
            "ServerErrorApi",
        ),
    ] {
        let generated = corpus(definition);
        let server = file(&generated, "server.rs");
        assert!(
            server.contains(&format!("pub trait {name}: Send + Sync + 'static {{")),
            "{definition}"
        );
        assert!(
            server.contains(&format!("pub fn router<A: {name}>(api: A)")),
            "{definition}"
        );
        assert_warned(
            &generated,
            &[&format!("the server trait is `{name}`: `{title}`"), "(at /info/title)"],
        );
    }
}

#[test]
fn schemas_named_like_the_prelude_give_way_only_where_the_code_uses_the_name() {
    let generated = corpus("lab-results-titled-result.yaml");
    let types = file(&generated, "types.rs");
    for renamed in ["Result2", "Box2", "Option2"] {
        assert!(types.contains(&format!("pub struct {renamed} {{")), "{renamed}");
    }
    assert_warned(
        &generated,
        &["schema `Result` is the type `Result2`", "the generated code"],
    );
    // Derives are macros and `Ok` is not used by `types`: these keep their names.
    for kept in ["Default", "Debug", "Ok"] {
        assert!(types.contains(&format!("pub struct {kept} {{")), "{kept}");
    }
}

/// The names the emitters print without a path are the ones the registries reserve:
/// anything else the generated modules define comes from the definition.
#[test]
fn what_the_emitted_modules_define_by_themselves_is_reserved() {
    let generated = generate(&Settings::new(root().join("tests/fixtures/params.yaml"))).expect("generates");
    let server = syn::parse_file(file(&generated, "server.rs")).expect("server.rs parses");
    let reserved = Registry::server_module();
    let trait_reserved = Registry::server_trait();
    let mut operation_methods = Vec::new();
    for item in &server.items {
        let name = match item {
            syn::Item::Trait(t) => {
                for item in &t.items {
                    let name = match item {
                        syn::TraitItem::Fn(f) => f.sig.ident.to_string(),
                        syn::TraitItem::Type(t) => t.ident.to_string(),
                        _ => continue,
                    };
                    if trait_reserved.is_free(&name) {
                        operation_methods.push(name);
                    }
                }
                continue;
            }
            syn::Item::Fn(f) => f.sig.ident.to_string(),
            syn::Item::Type(t) => t.ident.to_string(),
            syn::Item::Use(_) => {
                let text = quote_item(item);
                if text.contains("as rt") {
                    assert!(!reserved.is_free("rt"), "the runtime's short name");
                    continue;
                }
                // `use super::types;`: a module, whose lowercase name no generated trait,
                // type or constant can take.
                if text.contains("super :: types ;") || text.contains("super::types;") {
                    continue;
                }
                for used in ["AuthRequest", "Rejection", "ServerConfig", "ServerError"] {
                    assert!(text.contains(used) && !reserved.is_free(used), "{used}");
                }
                continue;
            }
            _ => continue,
        };
        let per_operation = name.starts_with("handle_");
        assert!(
            per_operation || !reserved.is_free(&name),
            "`{name}` is not reserved in `server`"
        );
    }
    assert_eq!(
        operation_methods,
        [
            "search",
            "list_inventory",
            "ping",
            "create_cluster",
            "patch_cluster",
            "replace_cluster_scale"
        ]
    );

    let client = syn::parse_file(file(&generated, "client.rs")).expect("client.rs parses");
    let reserved = Registry::client_module();
    let methods_reserved = Registry::client_methods();
    for item in &client.items {
        match item {
            syn::Item::Struct(s) => assert!(!reserved.is_free(&s.ident.to_string()), "{}", s.ident),
            syn::Item::Impl(i) => {
                for item in &i.items {
                    let name = match item {
                        syn::ImplItem::Fn(f) => f.sig.ident.to_string(),
                        syn::ImplItem::Const(c) => c.ident.to_string(),
                        _ => continue,
                    };
                    let per_operation = operation_methods
                        .iter()
                        .any(|m| name == *m || name == format!("{m}_with"));
                    assert!(
                        per_operation || !methods_reserved.is_free(&name),
                        "`{name}` is not reserved in the client"
                    );
                }
            }
            _ => {}
        }
    }
}

fn quote_item(item: &syn::Item) -> String {
    use quote::ToTokens;
    item.to_token_stream().to_string()
}

#[test]
fn a_shared_schema_is_warned_about_once() {
    let dir = tempfile::tempdir().expect("a temporary folder");
    let spec = dir.path().join("api.yaml");
    let definition = "swagger: '2.0'\n\
        info: {title: Sorted, version: '1'}\n\
        paths:\n  /things:\n    parameters:\n\
        \x20     - {in: query, name: sort, type: string, enum: [name-asc, name_asc]}\n\
        \x20   get:\n      responses:\n        200: {description: The things.}\n\
        \x20   delete:\n      responses:\n        204: {description: Gone.}\n";
    std::fs::write(&spec, definition).expect("write the definition");
    let generated = generate(&Settings::new(&spec)).expect("generates");
    let about_sort: Vec<String> = warnings(&generated)
        .into_iter()
        .filter(|w| w.contains("`name_asc` is the variant `NameAsc2`"))
        .collect();
    assert_eq!(about_sort.len(), 1, "{about_sort:#?}");
}
