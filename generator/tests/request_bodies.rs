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
         - name: size\n          in: formData\n          type: string\n          enum: [[1], [2]]\n      \
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
    // Line 12 holds the parameter's `enum`; no value is a string, which stays an error
    // (a value of another type beside strings is only left out). `[2]` is at column 23.
    assert!(stderr.contains("forms.yaml:12:23:"), "{stderr}");
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

/// A form or multipart body with `schema` (YAML, indented for its place), generated:
/// the `body` field of its request struct and the warnings.
fn body_with_schema(media: &str, schema: &str, components: &str) -> (String, Vec<String>) {
    let dir = std::env::temp_dir().join(format!(
        "stubforge-body-shape-{}-{:x}",
        std::process::id(),
        schema
            .bytes()
            .fold(0u64, |h, b| h.wrapping_mul(31).wrapping_add(u64::from(b)))
    ));
    std::fs::create_dir_all(&dir).unwrap();
    let spec = dir.join("api.yaml");
    std::fs::write(
        &spec,
        format!(
            "openapi: 3.0.3\ninfo: {{title: Shapes, version: \"1\"}}\npaths:\n  /uploads:\n    post:\n      \
             operationId: upload\n      requestBody:\n        required: true\n        content:\n          \
             {media}:\n{schema}      responses:\n        '204': {{description: Done.}}\n\
             components:\n  schemas:\n    Base:\n      type: object\n      properties:\n        \
             title: {{type: string}}\n        file: {{type: string, format: binary}}\n{components}"
        ),
    )
    .unwrap();
    let generated = generate(&Settings::new(&spec));
    std::fs::remove_dir_all(&dir).unwrap();
    let generated = generated.unwrap_or_else(|e| panic!("{schema}: {e:?}"));
    let types = types_of(&generated);
    let start = types.find("pub struct UploadRequest {").expect("a request struct");
    let body = types[start..].split("pub body: ").nth(1).expect("a body field");
    // The field ends where the struct or the next field's doc or field begins.
    let end = [", }", ", ///", ", pub "]
        .iter()
        .filter_map(|end| body.find(end))
        .min()
        .expect("the field ends");
    let body = body[..end].to_string();
    let warnings = generated.warnings.iter().map(|w| format!("{w:?}")).collect();
    (body, warnings)
}

/// Shapes that real definitions give form and multipart bodies: the fields are named
/// when some object (through `allOf` too) names them; otherwise the body is generic,
/// with a warning when a schema was given that is no object.
#[test]
fn form_and_multipart_bodies_take_every_schema_shape() {
    let multipart = "multipart/form-data";
    let form = "application/x-www-form-urlencoded";
    let schema = |lines: &str| {
        lines
            .lines()
            .map(|line| format!("            {line}\n"))
            .collect::<String>()
    };
    let cases: [(&str, String, &str, &str, bool); 14] = [
        (multipart, schema("encoding: {}"), "", "Vec<MultipartPart>", false),
        (multipart, schema("schema: {}"), "", "Vec<MultipartPart>", false),
        (
            multipart,
            schema("schema: {type: object, format: file}"),
            "",
            "Vec<MultipartPart>",
            false,
        ),
        (
            multipart,
            schema("schema: {$ref: '#/components/schemas/Anything'}"),
            "    Anything: {}\n",
            "Vec<MultipartPart>",
            false,
        ),
        (
            multipart,
            schema("schema: {type: string, format: binary}"),
            "",
            "Vec<MultipartPart>",
            true,
        ),
        (
            multipart,
            schema("schema: {type: array, items: {type: integer}}"),
            "",
            "Vec<MultipartPart>",
            true,
        ),
        (
            multipart,
            schema("schema:\n  oneOf:\n    - $ref: '#/components/schemas/Base'\n    - {type: object}"),
            "",
            "Vec<MultipartPart>",
            true,
        ),
        (
            multipart,
            schema("schema:\n  allOf:\n    - $ref: '#/components/schemas/Base'\n  required: [title]"),
            "",
            "UploadParts",
            false,
        ),
        (
            multipart,
            schema(
                "schema:\n  type: object\n  allOf:\n    - $ref: '#/components/schemas/Base'\n    - properties: {note: {type: string}}",
            ),
            "",
            "UploadParts",
            false,
        ),
        (form, schema("encoding: {}"), "", "Vec<(String, String)>", false),
        (
            form,
            schema("schema: {type: object, additionalProperties: {type: string}}"),
            "",
            "Vec<(String, String)>",
            false,
        ),
        (
            form,
            schema("schema: {type: string}"),
            "",
            "Vec<(String, String)>",
            true,
        ),
        (
            form,
            schema("schema: {type: array, items: {$ref: '#/components/schemas/Base'}}"),
            "",
            "Vec<(String, String)>",
            true,
        ),
        (
            form,
            schema(
                "schema:\n  allOf:\n    - $ref: '#/components/schemas/Base'\n    - properties: {note: {type: string}}",
            ),
            "",
            "UploadBody",
            false,
        ),
    ];
    for (media, schema, components, expected, warned) in cases {
        let (body, warnings) = body_with_schema(media, &schema, components);
        assert_eq!(body, expected, "{media} {schema}");
        let names_no_fields = warnings.iter().any(|w| w.contains("so it names no fields"));
        assert_eq!(names_no_fields, warned, "{media} {schema}: {warnings:?}");
    }
}

/// Parts merged from `allOf` members: each member's properties, `required` from every
/// level, and a name declared again taking the later schema.
#[test]
fn multipart_parts_merge_all_of_members() {
    let schema = "            schema:\n              allOf:\n                - $ref: '#/components/schemas/Base'\n                \
                  - type: object\n                  required: [file]\n                  properties:\n                    \
                  title: {type: integer}\n                    pages: {type: array, items: {type: string, format: binary}}\n              \
                  required: [title]\n";
    let root = std::env::temp_dir().join(format!("stubforge-merged-parts-{}", std::process::id()));
    std::fs::create_dir_all(&root).unwrap();
    let spec = root.join("api.yaml");
    std::fs::write(
        &spec,
        format!(
            "openapi: 3.0.3\ninfo: {{title: Shapes, version: \"1\"}}\npaths:\n  /uploads:\n    post:\n      \
             operationId: upload\n      requestBody:\n        required: true\n        content:\n          \
             multipart/form-data:\n{schema}      responses:\n        '204': {{description: Done.}}\n\
             components:\n  schemas:\n    Base:\n      type: object\n      properties:\n        \
             title: {{type: string}}\n        file: {{type: string, format: binary}}\n"
        ),
    )
    .unwrap();
    let generated = generate(&Settings::new(&spec));
    std::fs::remove_dir_all(&root).unwrap();
    let types = types_of(&generated.expect("generates"));
    let start = types.find("pub struct UploadParts {").expect("a parts struct");
    let parts = &types[start..types[start..].find('}').unwrap() + start];
    let fields: Vec<&str> = parts
        .split("pub ")
        .skip(2)
        .map(|f| f.trim_end_matches([' ', ',']))
        .collect();
    let fields: Vec<String> = fields
        .iter()
        .map(|f| f.split(" ///").next().unwrap().trim_end_matches(',').to_string())
        .collect();
    assert_eq!(
        fields,
        ["title: i64", "file: FilePart", "pages: Vec<FilePart>"],
        "{parts}"
    );
}

/// A multipart body composed of `allOf` `$ref` members (tests/corpus/ledgerline-expense-attachments.yaml:
/// the profile form is `ProfileFields` plus `AvatarUpload`): a part whose schema is an
/// inline object inside the referenced component is that component's type, however
/// deep (an object, an array's items), not a second struct named after the operation.
#[test]
fn a_part_taken_from_a_referenced_member_is_the_components_own_type() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let generated = generate(&Settings::new(
        root.join("tests/corpus/ledgerline-expense-attachments.yaml"),
    ))
    .expect("the expenses API generates");
    let types = types_of(&generated);
    let start = types.find("pub struct ProfileModifyParts {").expect("a parts struct");
    let parts = &types[start..types[start..].find('}').unwrap() + start];
    for expected in [
        "pub preferences: Option<ProfileFieldsPreferences>,",
        "pub approval_delegates: Option<Vec<ProfileFieldsApprovalDelegatesItem>>,",
    ] {
        assert!(parts.contains(expected), "missing `{expected}` in {parts}");
    }
    // One struct per inline schema: its members are declared once in the module.
    for member in ["pub weekly_digest:", "pub default_currency:", "pub until:"] {
        assert_eq!(types.matches(member).count(), 1, "`{member}` in more than one struct");
    }
    assert!(
        !types.contains("ProfileModifyPreferences"),
        "a copy named after the operation"
    );
}
