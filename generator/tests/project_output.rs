//! The committed output: up to date, deterministic, and the same from both input dialects.

use std::path::Path;

use stubforge::project::{TARGETS, workspace_root};
use stubforge::{Layout, Settings, generate};

#[test]
fn committed_crates_are_up_to_date() {
    let root = workspace_root();
    let mut stale = Vec::new();
    for target in &TARGETS {
        let (settings, out) = target.resolve(&root);
        let generated = generate(&settings).unwrap_or_else(|e| panic!("{} does not generate:\n{e}", target.spec));
        for file in &generated.files {
            let path = out.join(&file.path);
            if std::fs::read_to_string(&path).ok().as_deref() != Some(file.contents.as_str()) {
                stale.push(path.display().to_string());
            }
        }
    }
    assert!(
        stale.is_empty(),
        "stale generated files:\n  {}\nrun `cargo run` at the workspace root to refresh them",
        stale.join("\n  ")
    );
}

#[test]
fn the_same_input_gives_byte_identical_output() {
    let root = workspace_root();
    for target in &TARGETS {
        let (settings, _) = target.resolve(&root);
        let first = generate(&settings).unwrap().files;
        let second = generate(&settings).unwrap().files;
        assert_eq!(first, second, "{}", target.spec);
    }
}

/// Everything but the header lines, which name the source file.
fn without_headers(settings: &Settings) -> Vec<(String, String)> {
    generate(settings)
        .unwrap()
        .files
        .into_iter()
        .map(|f| {
            let body: Vec<&str> = f.contents.lines().skip(1).collect();
            (f.path.display().to_string(), body.join("\n"))
        })
        .collect()
}

#[test]
fn openapi_3_and_swagger_2_forms_of_the_leave_api_generate_the_same_code() {
    let api = workspace_root().join("api/server-server");
    let mut swagger = Settings::new(api.join("leaving.yaml"));
    let mut openapi = Settings::new(api.join("leaving.openapi3.yaml"));
    for settings in [&mut swagger, &mut openapi] {
        settings.layout = Layout::Crate {
            name: Some("leave".into()),
        };
    }
    let swagger = without_headers(&swagger);
    let openapi = without_headers(&openapi);
    assert_eq!(swagger.len(), openapi.len());
    for ((path, a), (_, b)) in swagger.iter().zip(&openapi) {
        assert!(
            a == b,
            "{path} differs between the Swagger 2.0 and the OpenAPI 3.0 input"
        );
    }
}

#[test]
fn the_restored_definition_holds_exactly_the_seed_lines() {
    let root = workspace_root();
    let seed = std::fs::read_to_string(root.join("tests/fixtures/leaving.deindented.txt")).unwrap();
    let restored = std::fs::read_to_string(root.join("api/server-server/leaving.yaml")).unwrap();
    let lines = |text: &str| -> Vec<String> {
        text.lines()
            .map(str::trim)
            .filter(|l| !l.is_empty())
            .map(str::to_string)
            .collect()
    };
    assert_eq!(lines(&restored), lines(&seed));
    // And its nesting is the one the API means.
    let value = stubforge::read_file(&root.join("api/server-server/leaving.yaml")).unwrap();
    let send_leave = &value["paths"]["/send_leave/{roomId}/{eventId}"]["put"];
    let body = &send_leave["parameters"][2];
    assert_eq!(body["in"].as_str(), Some("body"));
    assert_eq!(body["type"].as_str(), Some("object"));
    assert!(body["example"].is_object() && body["schema"].is_object());
    let ok = &value["paths"]["/make_leave/{roomId}/{userId}"]["get"]["responses"]["200"];
    assert!(ok["examples"].is_object() && ok["schema"].is_object());
    assert!(send_leave["responses"]["200"]["schema"]["items"].is_array());
}

#[test]
fn inputs_list_every_file_reached_through_ref() {
    let root = workspace_root();
    let (settings, _) = TARGETS[0].resolve(&root);
    let inputs = generate(&settings).unwrap().inputs;
    let names: Vec<String> = inputs
        .iter()
        .map(|p| p.strip_prefix(&root).unwrap_or(p).display().to_string())
        .collect();
    assert_eq!(
        names,
        [
            "api/server-server/leaving.yaml",
            "api/server-server/definitions/security.yaml",
            "api/server-server/examples/minimal_pdu.json",
            "api/client-server/definitions/errors/error.yaml",
        ]
    );
    assert!(inputs.iter().all(|p| Path::new(p).exists()));
}
