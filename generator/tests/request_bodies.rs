//! Swagger 2.0 `formData` parameters become a form or multipart body: checked on the
//! types generated from tests/corpus/press-room-media-library.yaml, and on where a
//! problem inside a form field is reported.

use std::path::Path;
use std::process::Command;

use stubforge::{Generated, Settings, generate};

fn types_of(generated: &Generated) -> String {
    let path = Path::new("src").join("types.rs");
    let file = generated
        .files
        .iter()
        .find(|f| f.path == path)
        .expect("types.rs is generated");
    // Compare without layout: prettyplease decides the line breaks.
    file.contents.split_whitespace().collect::<Vec<_>>().join(" ")
}

fn press_room() -> String {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let generated = generate(&Settings::new(root.join("tests/corpus/press-room-media-library.yaml")))
        .expect("the media library generates");
    types_of(&generated)
}

#[test]
fn form_data_with_a_file_is_a_parts_struct() {
    let types = press_room();
    for expected in [
        "pub struct UploadAssetParts {",
        "pub upload: FilePart,",
        // `collectionFormat: multi`: one part per keyword.
        "pub keywords: Vec<String>,",
        "pub focal_x: Option<f64>,",
        "pub embargo_hours: Option<i64>,",
        "pub struct FilePart { /// The file's bytes. pub bytes: ::bytes::Bytes,",
    ] {
        assert!(types.contains(expected), "missing `{expected}`");
    }
}

#[test]
fn form_data_without_a_file_is_a_form_struct_and_two_consumes_are_a_choice() {
    let types = press_room();
    for expected in [
        "pub struct SignInBody {",
        "pub remember: Option<bool>,",
        "pub enum EditAssetLegacyRequestBody {",
        "Form(EditAssetLegacyBody),",
        "Multipart(EditAssetLegacyParts),",
    ] {
        assert!(types.contains(expected), "missing `{expected}`");
    }
}

#[test]
fn binary_and_text_body_parameters_keep_their_content_type() {
    let types = press_room();
    assert!(types.contains("pub body: BinaryBody,"), "the PDF push is bytes");
    assert!(types.contains("pub body: TextBody,"), "the transcript is text");
}

#[test]
fn a_problem_in_a_form_field_points_at_the_parameter() {
    let dir = std::env::temp_dir().join(format!("stubforge-form-field-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let spec = dir.join("forms.yaml");
    std::fs::write(
        &spec,
        "swagger: \"2.0\"\ninfo: {title: Forms, version: \"1\"}\npaths:\n  /orders:\n    post:\n      \
         operationId: placeOrder\n      consumes: [application/x-www-form-urlencoded]\n      parameters:\n        \
         - name: size\n          in: formData\n          type: string\n          enum: [small, 2]\n      \
         responses:\n        200: {description: Placed.}\n",
    )
    .unwrap();
    let output = Command::new(env!("CARGO_BIN_EXE_stubforge"))
        .args(["generate", "--spec"])
        .arg(&spec)
        .arg("--out")
        .arg(dir.join("out"))
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    std::fs::remove_dir_all(&dir).unwrap();
    assert!(!output.status.success(), "{stderr}");
    // Line 12 holds the parameter's `enum`; the value `2` is at column 25.
    assert!(stderr.contains("forms.yaml:12:25:"), "{stderr}");
    assert!(
        stderr.contains("(at /paths/~1orders/post/parameters/0/enum/1)"),
        "{stderr}"
    );
    assert!(!dir.join("out").exists());
}

/// Server-side apply's `application/apply-patch+yaml` beside the three JSON patch types
/// (tests/corpus/keel-cluster-api.json): not dropped, but a text variant of the body's
/// choice, sent and accepted with its own content type.
#[test]
fn a_yaml_patch_type_beside_json_patch_types_is_a_text_variant() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let generated =
        generate(&Settings::new(root.join("tests/corpus/keel-cluster-api.json"))).expect("the cluster API generates");
    let types = types_of(&generated);
    let expected = "pub enum PatchCoreV1NamespacedConfigMapRequestBody { /// Sent as `application/json-patch+json`, `application/merge-patch+json`, `application/strategic-merge-patch+json`. Json(IoKeelApimachineryMetaV1Patch), /// Sent as `application/apply-patch+yaml`. Text(TextBody), }";
    assert!(types.contains(expected), "missing `{expected}`");
    let server = generated
        .files
        .iter()
        .find(|f| f.path == Path::new("src").join("server.rs"))
        .expect("server.rs is generated");
    assert!(server.contents.contains("\"application/apply-patch+yaml\""));
}
