//! Crates generated from fixtures are committed and compiled like `generated/`; this fails,
//! with the command to run, when one no longer matches what its fixture gives.

use std::path::Path;

use stubforge::{Settings, run};

#[test]
fn the_params_fixture_crate_is_up_to_date() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let mut settings = Settings::new(root.join("tests/fixtures/params.yaml"));
    settings.source_label = Some("tests/fixtures/params.yaml".to_string());
    settings.crate_name = Some("params-api".to_string());
    let (_, report) = run(&settings, &root.join("tests/params-api"), true).expect("the fixture generates");
    assert!(
        report.is_clean(),
        "tests/params-api is stale ({:?}); from the workspace root run\n  \
         cargo run -- generate --spec tests/fixtures/params.yaml --out tests/params-api --crate-name params-api",
        report.changed.iter().chain(&report.removed).collect::<Vec<_>>()
    );
}
