//! Path templates that cannot be routed are located errors, written before anything is;
//! paths and a base path without their leading `/` are served with one, and a warning.

use stubforge::{Settings, generate};

/// Generates from `definition` and returns every finding as printed, the temporary folder
/// replaced by `DIR`, and whether generation succeeded.
fn findings(definition: &str) -> (bool, String) {
    let dir = tempfile::tempdir().expect("a temporary folder");
    let spec = dir.path().join("api.yaml");
    std::fs::write(&spec, definition).expect("write the definition");
    let (ok, text) = match generate(&Settings::new(&spec)) {
        Ok(generated) => (
            true,
            generated.warnings.iter().map(|w| format!("{w}\n")).collect::<String>(),
        ),
        Err(failure) => (false, format!("{failure}\n")),
    };
    (ok, text.replace(&dir.path().display().to_string(), "DIR"))
}

const HEAD: &str = "swagger: '2.0'\ninfo:\n  title: Paths\n  version: '1'\npaths:\n";

/// One GET operation at `path` with its path parameters declared.
fn get(path: &str, params: &[&str]) -> String {
    let mut text = format!("  {path}:\n    get:\n");
    if !params.is_empty() {
        text.push_str("      parameters:\n");
        for name in params {
            text.push_str(&format!(
                "        - {{name: {name}, in: path, required: true, type: string}}\n"
            ));
        }
    }
    text.push_str("      responses:\n        200: {description: ok}\n");
    text
}

#[test]
fn templates_that_cannot_be_routed_are_located_errors() {
    let definition = [
        HEAD.to_string(),
        get("/range/{x}{y}", &["x", "y"]),
        get("/a/{}", &[]),
        get("/a/{x}/b/{x}", &["x"]),
        get("/files/{name", &["name"]),
        get("/docs/name}", &[]),
        get("/search?q", &[]),
    ]
    .concat();
    let (ok, text) = findings(&definition);
    assert!(!ok, "{text}");
    assert_eq!(
        text,
        "\
error: DIR/api.yaml:6:3: path `/range/{x}{y}` puts `{x}` right before `{y}`, so no request can say where one value ends and the other begins (at /paths/~1range~1{x}{y})
  help: put fixed text between the two parameters (e.g. `{from}-{to}`), or merge them into one parameter
error: DIR/api.yaml:13:3: path `/a/{}` has a parameter without a name (`{}`) in the segment `{}` (at /paths/~1a~1{})
  help: name the parameter, e.g. `{id}`, and declare it with `in: path`
error: DIR/api.yaml:17:3: path `/a/{x}/b/{x}` uses the parameter `{x}` twice (at /paths/~1a~1{x}~1b~1{x})
  help: give each parameter of a path its own name
error: DIR/api.yaml:23:3: path `/files/{name` has a `{` without a closing `}` in the segment `{name` (at /paths/~1files~1{name)
  help: write parameters as `{name}`, each within one segment; a path cannot hold a literal brace
error: DIR/api.yaml:29:3: path `/docs/name}` has a `}` without an opening `{` in the segment `name}` (at /paths/~1docs~1name})
  help: write parameters as `{name}`, each within one segment; a path cannot hold a literal brace
error: DIR/api.yaml:33:3: path `/search?q` has the query member `q`, which is neither `name=value` nor `name={parameter}`, so no request can be said to carry it (at /paths/~1search?q)
  help: after `?`, write `&`-joined members `name=value` (a fixed value every request carries) or `name={parameter}` (a value from that parameter), each name once; or describe query values as `in: query` parameters
"
    );
}

/// Paths that differ only in their parameters' names are one path: operations of other
/// methods share its route, each reading its own parameters; a second operation of the
/// same method is the client's only, with a warning naming both.
#[test]
fn two_paths_that_differ_only_in_parameter_names_share_a_route() {
    let delete = "    delete:\n      parameters:\n        - {name: name, in: path, required: true, type: string}\n      responses:\n        204: {description: gone}\n";
    // Different methods: one path by OpenAPI's rules, served by one route.
    let definition = [
        HEAD,
        &get("/queues/{queueSid}", &["queueSid"]),
        "  /queues/{name}:\n",
        delete,
    ]
    .concat();
    let (ok, text) = findings(&definition);
    assert!(ok, "{text}");
    assert_eq!(text, "");
    // The same method twice: the first is served, the second only called.
    let definition = [
        HEAD,
        &get("/queues/{queueSid}", &["queueSid"]),
        &get("/queues/{name}", &["name"]),
    ]
    .concat();
    let (ok, text) = findings(&definition);
    assert!(ok, "{text}");
    assert_eq!(
        text,
        "\
warning: DIR/api.yaml:13:5: operation `GET /queues/{name}` is generated for the client only: its path differs from that of `get /queues/{queueSid}` (`GET /queues/{queueSid}`) only in its parameters' names, so by OpenAPI's rules both are one path, and the server serves its requests as `get /queues/{queueSid}` (at /paths/~1queues~1{name}/get)
  help: to serve it too, change the fixed text of one of the two paths: a server cannot tell them apart
"
    );
}

#[test]
fn a_missing_leading_slash_is_added_with_a_located_warning() {
    let definition = [
        HEAD.replace("paths:\n", "basePath: v2\npaths:\n"),
        get("calls/{callSid}.json", &["callSid"]),
    ]
    .concat();
    let (ok, text) = findings(&definition);
    assert!(ok, "{text}");
    assert_eq!(
        text,
        "\
warning: DIR/api.yaml:5:1: basePath `v2` has no leading `/`; the API is served under `/v2` (at /basePath)
  help: write `basePath: /v2` to say so
warning: DIR/api.yaml:7:3: path `calls/{callSid}.json` has no leading `/`; it is served at `/calls/{callSid}.json` (at /paths/calls~1{callSid}.json)
  help: write the path as `/calls/{callSid}.json` to say so
"
    );
    // A diagnostic inside the renamed path still points at the user's line.
    let definition = [
        HEAD,
        "  calls/{callSid}:\n    get:\n      responses:\n        200: {description: ok}\n",
    ]
    .concat();
    let (ok, text) = findings(&definition);
    assert!(!ok, "{text}");
    assert!(
        text.contains(
            "error: DIR/api.yaml:7:5: path parameter `callSid` in `/calls/{callSid}` is not declared (at /paths/calls~1{callSid}/get)"
        ),
        "{text}"
    );
}

#[test]
fn a_path_that_only_lacks_the_slash_of_another_is_an_error() {
    let definition = [HEAD, &get("status", &[]), &get("/status", &[])].concat();
    let (ok, text) = findings(&definition);
    assert!(!ok, "{text}");
    assert_eq!(
        text,
        "\
error: DIR/api.yaml:6:3: path `status` has no leading `/`, and `/status` is also defined (at /paths/status)
  help: remove one of the two, or merge their operations
"
    );
}

#[test]
fn an_openapi_server_url_without_a_leading_slash_is_served_under_one() {
    let definition = "openapi: 3.0.3\ninfo: {title: Paths, version: '1'}\nservers:\n  - url: v3\npaths:\n  /ping:\n    get:\n      responses:\n        '204': {description: pong}\n";
    let (ok, text) = findings(definition);
    assert!(ok, "{text}");
    assert_eq!(
        text,
        "\
warning: DIR/api.yaml:4:5: server URL `v3` has no leading `/`; the API is served under `/v3` (at /servers/0/url)
  help: write `/v3` to say so
"
    );
    let definition = definition.replace("url: v3", "url: 'https://api.example.com/{version}'");
    let (ok, text) = findings(&definition);
    assert!(!ok, "{text}");
    assert_eq!(
        text,
        "\
error: DIR/api.yaml:4:5: server URL `https://api.example.com/{version}` uses the variable `{version}`, which it does not define (at /servers/0/url)
  help: define it under `variables` with a `default`, or write the value into the URL
"
    );
}

/// `#…` suffixes that hold several operations on one URL: each is a request to the path
/// before the `#`. The client has every operation; the server serves the first of a
/// method and path (the one without a suffix when there is one) and says, for each other
/// one, that only the client has it. An operation whose URL is its own is served.
#[test]
fn operations_behind_a_fragment_share_their_url_and_the_server_serves_the_first() {
    let put = |path: &str, id: &str| {
        format!(
            "  {path}:\n    put:\n      operationId: {id}\n      parameters:\n        - {{name: file_id, in: path, required: true, type: string}}\n      responses:\n        200: {{description: ok}}\n"
        )
    };
    let definition = [
        HEAD.to_string(),
        put("/files/{file_id}#add_shared_link", "addSharedLink"),
        put("/files/{file_id}", "updateFile"),
        put("/files/{file_id}#remove_shared_link", "removeSharedLink"),
        get("/shared_items#folders", &[]),
    ]
    .concat();
    let (ok, text) = findings(&definition);
    assert!(ok, "{text}");
    assert_eq!(
        text,
        "\
warning: DIR/api.yaml:7:5: operation `PUT /files/{file_id}#add_shared_link` is generated for the client only: without its `#…` suffix, which no request carries, it is `PUT /files/{file_id}`, and the server serves those requests as `updateFile` (at /paths/~1files~1{file_id}#add_shared_link/put)
  help: to serve it too, give it a path of its own: a server tells operations apart by method and path alone
warning: DIR/api.yaml:21:5: operation `PUT /files/{file_id}#remove_shared_link` is generated for the client only: without its `#…` suffix, which no request carries, it is `PUT /files/{file_id}`, and the server serves those requests as `updateFile` (at /paths/~1files~1{file_id}#remove_shared_link/put)
  help: to serve it too, give it a path of its own: a server tells operations apart by method and path alone
"
    );
    let dir = tempfile::tempdir().unwrap();
    let spec = dir.path().join("api.yaml");
    std::fs::write(&spec, &definition).unwrap();
    let generated = generate(&Settings::new(&spec)).unwrap();
    let file = |name: &str| {
        let file = generated.files.iter().find(|f| f.path.ends_with(name)).unwrap();
        file.contents.clone()
    };
    let (server, client) = (file("server.rs"), file("client.rs"));
    for method in ["add_shared_link", "update_file", "remove_shared_link"] {
        assert!(client.contains(&format!("pub fn {method}(")), "{method}:\n{client}");
    }
    assert!(server.contains("fn update_file("), "{server}");
    // `/shared_items` is its own URL, so the server serves it.
    assert!(server.contains("\"/shared_items\""), "{server}");
    for method in ["add_shared_link", "remove_shared_link"] {
        assert!(!server.contains(&format!("fn {method}(")), "{method}:\n{server}");
    }
    // No URL the client writes or route the server takes holds the `#`.
    assert!(client.contains("call.path(\"/shared_items\")"), "{client}");
    assert!(!client.contains("call.path(\"/shared_items#"), "{client}");
    assert!(!server.contains("\"/shared_items#"), "{server}");
}
