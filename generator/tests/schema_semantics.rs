//! Schemas become the types they describe, or a located error: never a type that
//! compiles but says something else, never a hang or a stack overflow.
//!
//! Refusals run the binary as a subprocess with a time limit, since what they guard
//! against (an alias loop with an example, an `allOf` loop) used to overflow the stack or
//! hang. The compile corpus (`tests/corpus/`) compiles what these tests accept.

use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use stubforge::{Settings, generate};

const HEAD: &str = "swagger: '2.0'\ninfo:\n  title: Shapes\n  version: '1'\n";

/// One operation answering 200 with `#/definitions/Root`, and the given definitions.
fn spec(definitions: &str) -> String {
    format!(
        "{HEAD}paths:\n  /root:\n    get:\n      operationId: getRoot\n      responses:\n        200:\n          description: ok\n          schema:\n            $ref: '#/definitions/Root'\ndefinitions:\n{definitions}"
    )
}

/// Runs `stubforge generate` on `text` and returns its stderr (temporary folder as
/// `DIR`); fails the test if it exits 0, does not exit within a minute, or writes.
fn refused(text: &str) -> String {
    let dir = tempfile::tempdir().unwrap();
    let spec = dir.path().join("api.yaml");
    std::fs::write(&spec, text).unwrap();
    let out = dir.path().join("out");
    let mut child = Command::new(env!("CARGO_BIN_EXE_stubforge"))
        .args(["generate", "--spec"])
        .arg(&spec)
        .arg("--out")
        .arg(&out)
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let started = Instant::now();
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break status;
        }
        if started.elapsed() > Duration::from_secs(60) {
            child.kill().unwrap();
            panic!("stubforge did not finish within a minute on:\n{text}");
        }
        std::thread::sleep(Duration::from_millis(20));
    };
    let mut stderr = String::new();
    std::io::Read::read_to_string(child.stderr.as_mut().unwrap(), &mut stderr).unwrap();
    assert_eq!(status.code(), Some(1), "{stderr}");
    assert!(!out.exists(), "a refused definition wrote output");
    stderr.replace(&dir.path().display().to_string(), "DIR")
}

/// The generated `src/types.rs` of an accepted definition.
fn types_of(text: &str) -> String {
    types_of_files(text, &[])
}

/// The same, with more files beside `api.yaml` for its refs to reach.
fn types_of_files(text: &str, others: &[(&str, &str)]) -> String {
    let dir = tempfile::tempdir().unwrap();
    let spec = dir.path().join("api.yaml");
    std::fs::write(&spec, text).unwrap();
    for (name, text) in others {
        let path = dir.path().join(name);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, text).unwrap();
    }
    let generated = generate(&Settings::new(&spec)).unwrap_or_else(|e| panic!("{e}"));
    let types = generated.files.iter().find(|f| f.path == Path::new("src/types.rs"));
    types.expect("types.rs is generated").contents.clone()
}

/// `types` without blank lines and runs of spaces, to match items regardless of layout.
/// The code on one line, without the doc lines stubforge writes where the definition gives
/// none: the assertions are about shapes and the definition's own docs, and those filler
/// lines would come between the parts they look for.
fn squeezed(types: &str) -> String {
    let filler = |line: &str| {
        let line = line.trim();
        line.starts_with("///")
            && (line.ends_with("(it has no description).")
                || line.ends_with(" member.") && line.starts_with("/// The `")
                || line.ends_with(" alternative.") && line.starts_with("/// The `"))
    };
    types
        .lines()
        .filter(|line| !filler(line))
        .flat_map(str::split_whitespace)
        .collect::<Vec<_>>()
        .join(" ")
}

#[test]
fn an_alias_loop_is_refused_even_with_an_example() {
    let stderr = refused(&spec(
        "  Root: {$ref: '#/definitions/Alias'}\n  Alias:\n    $ref: '#/definitions/Root'\n    example: {a: 1}\n",
    ));
    assert_eq!(
        stderr,
        "error: DIR/api.yaml:16:3: schema `Root` is defined as itself: Root → Alias → Root; no value can be read as it (at /definitions/Alias)\n  \
         help: give one of these schemas content of its own (properties, a type), or hold the recursion in a property or `items`\n"
    );
}

#[test]
fn a_loop_through_all_of_wrappers_and_longer_chains_is_refused() {
    let stderr = refused(&spec(
        "  Root:\n    allOf: [{$ref: '#/definitions/Middle'}]\n    description: the root\n  Middle:\n    allOf:\n      - $ref: '#/definitions/Leaf'\n      - {type: object, properties: {m: {type: string}}}\n  Leaf:\n    $ref: '#/definitions/Root'\n",
    ));
    assert_eq!(
        stderr,
        "error: DIR/api.yaml:22:3: schema `Root` is defined as itself: Root → Middle → Leaf → Root; no value can be read as it (at /definitions/Leaf)\n  \
         help: give one of these schemas content of its own (properties, a type), or hold the recursion in a property or `items`\n"
    );
}

#[test]
fn a_union_that_lists_itself_is_refused() {
    let stderr = refused(&spec(
        "  Root:\n    oneOf:\n      - {type: string}\n      - $ref: '#/definitions/Root'\n",
    ));
    assert_eq!(
        stderr,
        "error: DIR/api.yaml:18:9: schema `Root` is defined as itself: Root → Root; no value can be read as it (at /definitions/Root/oneOf/1)\n  \
         help: give one of these schemas content of its own (properties, a type), or hold the recursion in a property or `items`\n"
    );
}

#[test]
fn enum_values_of_another_type_are_read_as_meant_and_a_null_only_enum_as_nullable() {
    let types = squeezed(&types_of(&spec(
        "  Root:\n    type: object\n    properties:\n      level: {type: string, enum: [1, two]}\n      flag: {type: string, enum: [true]}\n      nothing: {type: string, enum: [null]}\n      mode: {type: integer, enum: [Fast, Slow]}\n      size: {type: integer, enum: ['8', '16']}\n",
    )));
    for wanted in [
        r#"#[serde(rename = "1")] T1,"#,
        r#"#[serde(rename = "two")] Two,"#,
        r#"#[serde(rename = "true")] True,"#,
        r#"pub nothing: Option<Option<String>>,"#,
        r#"#[serde(rename = "Fast")] Fast,"#,
        r#"pub size: Option<i64>,"#,
    ] {
        assert!(types.contains(wanted), "{wanted} in {types}");
    }
}

/// A value that can never be of the type (an array or object under a scalar type, a text
/// beside booleans) is never valid, so leaving it out keeps the meaning.
#[test]
fn enum_values_that_can_never_be_of_the_type_are_left_out() {
    let types = squeezed(&types_of(&spec(
        "  Root:\n    type: object\n    properties:\n      scope: {type: string, enum: [all, none, [p1, p2]]}\n      reason: {type: string, enum: [{override: true}, DEFAULT]}\n      legend: {type: boolean, enum: ['0', '1', true, false]}\n",
    )));
    for wanted in [
        r#"#[serde(rename = "all")] All, /// `none` #[serde(rename = "none")] None, }"#,
        r#"pub enum RootReason { /// `DEFAULT` #[serde(rename = "DEFAULT")] Default, }"#,
        r#"pub legend: Option<bool>,"#,
    ] {
        assert!(types.contains(wanted), "{wanted} in {types}");
    }
}

/// With no value of the type left, the schema describes no value: refused.
#[test]
fn enum_values_with_no_reading_are_refused() {
    let stderr = refused(&spec(
        "  Root:\n    type: object\n    properties:\n      level: {type: string, enum: [[one], [two, three]]}\n      mode: {type: integer, enum: [Slow, [1]]}\n",
    ));
    assert_eq!(
        stderr,
        "error: DIR/api.yaml:18:36: enum value `[\"one\"]` is not of the schema's `type: string` (at /definitions/Root/properties/level/enum/0)\n  \
         help: make the values match `type`, or change `type` to match the values\n\
         error: DIR/api.yaml:18:43: enum value `[\"two\",\"three\"]` is not of the schema's `type: string` (at /definitions/Root/properties/level/enum/1)\n  \
         help: make the values match `type`, or change `type` to match the values\n\
         error: DIR/api.yaml:19:36: enum value `\"Slow\"` is not of the schema's `type: integer` (at /definitions/Root/properties/mode/enum/0)\n  \
         help: make the values match `type`, or change `type` to match the values\n\
         error: DIR/api.yaml:19:42: enum value `[1]` is not of the schema's `type: integer` (at /definitions/Root/properties/mode/enum/1)\n  \
         help: make the values match `type`, or change `type` to match the values\n"
    );
}

#[test]
fn all_of_over_a_string_and_an_object_is_refused() {
    let stderr = refused(&spec(
        "  Name: {type: string}\n  Root:\n    allOf:\n      - $ref: '#/definitions/Name'\n      - {type: object, properties: {a: {type: string}}}\n",
    ));
    assert_eq!(
        stderr,
        "error: DIR/api.yaml:18:9: this `allOf` member is a string, but the other members describe an object: no value is both (at /definitions/Root/allOf/0)\n  \
         help: remove the member, or use `oneOf` if the value may be either\n"
    );
}

#[test]
fn members_that_add_no_type_are_annotations_beside_a_string() {
    // AWS-style `allOf: [{$ref: __string}, {pattern, description}]`, a string enum closed
    // with `additionalProperties: false`, and an XSD-style `type: object` around a
    // `oneOf` of string values: each is the string-valued member, with no object around it.
    let types = squeezed(&types_of(&spec(
        "  Text: {type: string}\n  Icons: {type: string, enum: ['icon://star', 'icon://globe']}\n  Icon:\n    additionalProperties: false\n    description: One of the predefined icons.\n    allOf: [{$ref: '#/definitions/Icons'}]\n  MimeType: {type: string, pattern: '.+/.+'}\n  TextKind: {enum: [text, html]}\n  ContentType:\n    type: object\n    additionalProperties: false\n    oneOf: [{$ref: '#/definitions/TextKind'}, {$ref: '#/definitions/MimeType'}]\n  Root:\n    type: object\n    properties:\n      arn:\n        allOf:\n          - $ref: '#/definitions/Text'\n          - {pattern: '^arn:.+$', description: The resource name.}\n      icon: {$ref: '#/definitions/Icon'}\n      content: {$ref: '#/definitions/ContentType'}\n",
    )));
    for wanted in [
        "pub arn: Option<Text>,",
        "pub type Icon = Icons;",
        "pub content: Option<ContentType>,",
        "pub enum ContentType { TextKind(TextKind), MimeType(MimeType), }",
    ] {
        assert!(types.contains(wanted), "{wanted} in {types}");
    }
    assert!(!types.contains("pub struct ContentType"), "{types}");
}

#[test]
fn boolean_schemas_and_non_text_annotations_are_read_with_warnings() {
    let types = squeezed(&types_of(&spec(
        "  Root:\n    type: object\n    title: 2024\n    properties:\n      additionalProperties: false\n      anything: true\n      code: {type: string, pattern: 0, description: {en: The code.}}\n      list: {type: array, items: true}\n",
    )));
    for wanted in [
        "pub anything: Option<::serde_json::Value>,",
        "pub code: Option<String>,",
        "pub list: Option<Vec<::serde_json::Value>>,",
    ] {
        assert!(types.contains(wanted), "{wanted} in {types}");
    }
    assert!(!types.contains("additional_properties"), "{types}");
}

#[test]
fn all_of_with_two_unions_or_a_union_of_strings_is_refused() {
    let stderr = refused(&spec(
        "  Root:\n    allOf:\n      - oneOf: [{type: object, properties: {a: {type: string}}}, {type: string}]\n      - anyOf: [{type: object}]\n",
    ));
    assert_eq!(
        stderr,
        "error: DIR/api.yaml:17:66: alternative 1 of this `oneOf` is a string, but it is merged with the objects around the `oneOf` (at /definitions/Root/allOf/0/oneOf/1)\n  \
         help: make every alternative an object, or move the shared properties into each alternative\n\
         error: DIR/api.yaml:18:9: an `allOf` with more than one `oneOf`/`anyOf` member is not supported (at /definitions/Root/allOf/1)\n  \
         help: combine the alternatives into one `oneOf` of objects\n"
    );
}

#[test]
fn statuses_outside_100_to_599_are_refused_instead_of_dropped() {
    let stderr = refused(&format!(
        "{HEAD}paths:\n  /a:\n    get:\n      responses:\n        0: {{description: zero}}\n        99999: {{description: big}}\n        200: {{description: ok}}\n"
    ));
    assert_eq!(
        stderr,
        "error: DIR/api.yaml:9:9: response `0` is not an HTTP status code (100 to 599) (at /paths/~1a/get/responses/0)\n  \
         help: use a status from 100 to 599, a range such as `4XX`, or `default` for any other status\n\
         error: DIR/api.yaml:10:9: response `99999` is not an HTTP status code (100 to 599) (at /paths/~1a/get/responses/99999)\n  \
         help: use a status from 100 to 599, a range such as `4XX`, or `default` for any other status\n"
    );
}

#[test]
fn a_ref_plus_description_is_the_referenced_type() {
    let types = squeezed(&types_of(&spec(
        "  RoomId: {type: string}\n  Meta: {type: object, properties: {name: {type: string}}}\n  Root:\n    type: object\n    required: [room_id]\n    properties:\n      room_id:\n        allOf: [{$ref: '#/definitions/RoomId'}]\n        description: The room.\n      meta:\n        $ref: '#/definitions/Meta'\n        description: Current metadata.\n      previous:\n        $ref: '#/definitions/Meta'\n        description: Earlier metadata.\n        x-nullable: true\n",
    )));
    assert!(types.contains("/// The room. pub room_id: RoomId,"), "{types}");
    assert!(
        types.contains("/// Current metadata. pub meta: Option<Meta>,"),
        "{types}"
    );
    assert!(types.contains("pub previous: Option<Option<Meta>>,"), "{types}");
    assert!(
        types.contains(
            "serde_object!(Root { required room_id = \"room_id\"; optional meta = \"meta\"; optional_nullable previous = \"previous\"; ..extra });"
        ),
        "{types}"
    );
    assert!(!types.contains("Meta2") && !types.contains("RootRoomId"), "{types}");
}

#[test]
fn annotated_refs_to_another_file_are_one_type() {
    let types = squeezed(&types_of_files(
        &spec(
            "  Root:\n    type: object\n    properties:\n      sender: {$ref: defs/user.yaml, description: Who sent it.}\n      target: {$ref: defs/user.yaml, description: Who it is about., x-nullable: true}\n      other:\n        allOf: [{$ref: defs/user.yaml}]\n        description: Another one.\n",
        ),
        &[(
            "defs/user.yaml",
            "type: object\ndescription: A user.\nproperties:\n  user_id: {type: string}\n",
        )],
    ));
    assert!(types.contains("/// Who sent it. pub sender: Option<User>,"), "{types}");
    assert!(types.contains("pub target: Option<Option<User>>,"), "{types}");
    assert!(types.contains("/// Another one. pub other: Option<User>,"), "{types}");
    assert_eq!(types.matches("pub struct User").count(), 1, "{types}");
    assert!(!types.contains("User2"), "{types}");
}

#[test]
fn all_of_merges_sibling_properties_type_object_and_distributes_one_of() {
    let types = squeezed(&types_of(&spec(
        "  Base: {type: object, required: [id], properties: {id: {type: string}}}\n  Root:\n    allOf: [{$ref: '#/definitions/Base'}]\n    properties: {extra: {type: integer}}\n  Typed:\n    type: object\n    allOf:\n      - $ref: '#/definitions/Base'\n      - {type: object, properties: {more: {type: boolean}}}\n  Either:\n    allOf:\n      - $ref: '#/definitions/Base'\n      - oneOf:\n          - {title: ByName, type: object, required: [name], properties: {name: {type: string}}}\n          - {title: ByNumber, type: object, required: [number], properties: {number: {type: integer}}}\n",
    )));
    assert!(
        types.contains("pub struct Root { pub id: String, pub extra: Option<i64>,"),
        "{types}"
    );
    assert!(types.contains("pub struct Typed { pub id: String,"), "{types}");
    assert!(types.contains("pub more: Option<bool>,"), "{types}");
    assert!(
        types.contains("pub enum Either { ByName(EitherByName), ByNumber(EitherByNumber), }"),
        "{types}"
    );
    assert!(
        types.contains("pub struct EitherByName { pub id: String, pub name: String,"),
        "{types}"
    );
    assert!(
        types.contains("pub struct EitherByNumber { pub id: String, pub number: i64,"),
        "{types}"
    );
}

#[test]
fn properties_beside_one_of_are_shared_by_every_alternative() {
    let types = squeezed(&types_of(&spec(
        "  Root:\n    type: object\n    required: [id]\n    properties:\n      id: {type: string}\n      note: {type: string}\n    oneOf:\n      - required: [note]\n      - {title: Flagged, type: object, required: [flag], properties: {flag: {type: boolean}}}\n",
    )));
    assert!(
        types.contains("pub enum Root { Note(RootNote), Flagged(RootFlagged), }"),
        "{types}"
    );
    assert!(
        types.contains("pub struct RootNote { pub id: String, pub note: String,"),
        "{types}"
    );
    assert!(
        types.contains("pub struct RootFlagged { pub id: String, pub note: Option<String>, pub flag: bool,"),
        "{types}"
    );
}

#[test]
fn scalars_stay_typed_and_escaped_names_resolve() {
    let text = format!(
        "{HEAD}paths:\n  /a:\n    get:\n      operationId: getA\n      parameters:\n        - {{name: one, in: query, type: string, uniqueItems: true}}\n        - {{name: many, in: query, type: array, items: {{type: integer}}, uniqueItems: true}}\n      responses:\n        200:\n          description: ok\n          schema: {{$ref: '#/definitions/Root'}}\ndefinitions:\n  a/b~c: {{type: object, properties: {{z: {{type: string}}}}}}\n  Root:\n    type: object\n    properties:\n      slashed: {{$ref: '#/definitions/a~1b~0c'}}\n      encoded: {{$ref: '#/definitions/a%7E1b%7E0c'}}\n      ratio: {{type: number, format: float}}\n      state: {{type: string, enum: [open, null]}}\n"
    );
    let types = squeezed(&types_of(&text));
    assert!(types.contains("pub one: Option<String>,"), "{types}");
    assert!(types.contains("pub many: Option<Vec<i64>>,"), "{types}");
    assert!(types.contains("pub slashed: Option<ABC>,"), "{types}");
    assert!(types.contains("pub encoded: Option<ABC>,"), "{types}");
    assert!(types.contains("pub ratio: Option<f64>,"), "{types}");
    assert!(types.contains("pub state: Option<Option<RootState>>,"), "{types}");
    assert!(
        !types.contains("Option<::serde_json::Value>") && !types.contains("f32"),
        "{types}"
    );
}

#[test]
fn recursion_through_arrays_maps_tuples_unions_and_fields_gets_indirection() {
    let types = squeezed(&types_of(&spec(
        "  Root:\n    type: object\n    properties:\n      list: {$ref: '#/definitions/List'}\n      map: {$ref: '#/definitions/Map'}\n      expr: {$ref: '#/definitions/Expr'}\n      parent: {$ref: '#/definitions/Root'}\n      a: {$ref: '#/definitions/A'}\n  List: {type: array, items: {$ref: '#/definitions/List'}}\n  Map: {additionalProperties: {$ref: '#/definitions/Map'}}\n  Expr:\n    oneOf:\n      - {type: integer}\n      - {$ref: '#/definitions/Pair'}\n  Pair:\n    type: array\n    items: [{$ref: '#/definitions/Expr'}, {$ref: '#/definitions/Expr'}]\n  A: {type: object, properties: {b: {$ref: '#/definitions/B'}}}\n  B: {type: object, properties: {a: {$ref: '#/definitions/A'}}}\n",
    )));
    assert!(
        types.contains("#[serde(transparent)] pub struct List(pub Vec<List>);"),
        "{types}"
    );
    assert!(
        types.contains("#[serde(transparent)] pub struct Map(pub ::std::collections::BTreeMap<String, Map>);"),
        "{types}"
    );
    assert!(
        types.contains("pub enum Expr { Integer(i64), Pair(Box<Pair>), }"),
        "{types}"
    );
    assert!(
        types.contains("pub struct Pair(pub Box<Expr>, pub Box<Expr>);"),
        "{types}"
    );
    assert!(types.contains("pub parent: Option<Box<Root>>,"), "{types}");
    assert!(types.contains("pub b: Option<Box<B>>,"), "{types}");
    assert!(types.contains("pub a: Option<Box<A>>,"), "{types}");
}

#[test]
fn deep_inline_nesting_is_boxed_every_32_levels() {
    let mut schema = "{type: string}".to_string();
    for level in 0..60 {
        schema = format!("{{type: object, properties: {{level{level}: {schema}}}}}");
    }
    let text = spec(&format!("  Root: {schema}\n"));
    // In debug builds the generator needs more than a test thread's 2 MiB of stack for 60
    // levels; a build script or the CLI runs on a main thread with 8 MiB.
    let types = std::thread::Builder::new()
        .stack_size(16 << 20)
        .spawn(move || types_of(&text))
        .unwrap()
        .join()
        .unwrap();
    // 60 nested structs plus `Root`: one box where the chain passes 32 by-value levels.
    assert_eq!(types.matches("Box<").count(), 1, "{types}");
}

/// `count` definitions `D0` … each written by `link(i)`, the last one a string.
fn chain(count: usize, link: impl Fn(usize) -> String) -> String {
    let mut definitions: String = (0..count).map(link).collect();
    definitions.push_str(&format!("  D{count}: {{type: string}}\n"));
    spec(&definitions).replace("#/definitions/Root", "#/definitions/D0")
}

#[test]
fn a_chain_of_10_000_alias_definitions_ends_at_a_depth_limit() {
    let stderr = refused(&chain(10_000, |i| {
        format!("  D{i}: {{$ref: '#/definitions/D{}'}}\n", i + 1)
    }));
    assert_eq!(
        stderr,
        "error: DIR/api.yaml:9951:3: schema `D9936` is built through more than 64 nested `$ref`/`allOf`/`oneOf` steps (at /definitions/D9936)\n  \
         help: refer to the schema that holds the content directly instead of through a chain\n"
    );
}

#[test]
fn a_chain_of_10_000_nested_structs_generates_in_bounded_time() {
    let text = chain(10_000, |i| {
        format!(
            "  D{i}: {{type: object, properties: {{next: {{$ref: '#/definitions/D{}'}}}}}}\n",
            i + 1
        )
    });
    let dir = tempfile::tempdir().unwrap();
    let spec = dir.path().join("api.yaml");
    std::fs::write(&spec, text).unwrap();
    let mut child = Command::new(env!("CARGO_BIN_EXE_stubforge"))
        .args(["generate", "--spec"])
        .arg(&spec)
        .arg("--out")
        .arg(dir.path().join("out"))
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let started = Instant::now();
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break status;
        }
        assert!(
            started.elapsed() < Duration::from_secs(120),
            "no result within two minutes"
        );
        std::thread::sleep(Duration::from_millis(20));
    };
    assert!(status.success());
    let types = std::fs::read_to_string(dir.path().join("out/src/types.rs")).unwrap();
    // One box every 32 levels keeps the chain inside rustc's layout depth.
    assert_eq!(types.matches("Box<").count(), 10_000 / 32, "boxes");
}

#[test]
fn union_variants_are_named_by_title_by_ref_without_the_union_name_or_by_the_member_they_require() {
    let types = squeezed(&types_of(&spec(
        "  RootCard: {type: object, properties: {last4: {type: string}}}\n  BankRoot: {type: object, properties: {iban: {type: string}}}\n  Root:\n    oneOf:\n      - $ref: '#/definitions/RootCard'\n      - $ref: '#/definitions/BankRoot'\n      - {type: string, title: Stored method id}\n      - {type: object, required: [voucher_code], properties: {voucher_code: {type: string}, note: {type: string}}}\n",
    )));
    assert!(
        types.contains(
            "pub enum Root { Card(RootCard), Bank(BankRoot), StoredMethodId(String), VoucherCode(RootVoucherCode), }"
        ),
        "{types}"
    );
}

#[test]
fn a_swagger_two_discriminator_makes_the_base_a_tagged_enum_of_its_subtypes() {
    let types = squeezed(&types_of(&spec(
        "  Root:\n    type: object\n    discriminator: kind\n    required: [kind]\n    properties: {kind: {type: string}, label: {type: string}}\n  Circle:\n    allOf:\n      - $ref: '#/definitions/Root'\n      - {type: object, properties: {radius: {type: number}}}\n  Marker:\n    allOf: [{$ref: '#/definitions/Root'}]\n  Pin:\n    allOf: [{$ref: '#/definitions/Marker'}, {properties: {colour: {type: string}}}]\n",
    )));
    assert!(
        types.contains("pub enum Root { /// `kind: Circle` Circle(Circle), /// `kind: Marker` Marker(Marker), /// `kind: Pin` Pin(Pin),"),
        "{types}"
    );
    assert!(types.contains("Other(RootBase), }"), "{types}");
    // A subtype that adds nothing is still a struct with the tag as its own field.
    assert!(types.contains("pub struct Marker { pub kind: String,"), "{types}");
    assert!(types.contains("pub struct Pin { pub kind: String,"), "{types}");
    assert!(
        types.contains("\"Pin\" => ::serde_json::from_value(value).map(Self::Pin),"),
        "{types}"
    );
    assert!(
        types.contains("Self::Pin(value) => write_tagged(serializer, \"kind\", \"Pin\", value),"),
        "{types}"
    );
}

#[test]
fn a_discriminator_mapping_gives_each_value_a_variant_and_unmapped_members_their_names() {
    let text = "openapi: 3.0.3\ninfo: {title: Shapes, version: '1'}\npaths:\n  /root:\n    get:\n      operationId: getRoot\n      responses:\n        '200':\n          description: ok\n          content:\n            application/json:\n              schema: {$ref: '#/components/schemas/Root'}\ncomponents:\n  schemas:\n    Wallet: {type: object, required: [type], properties: {type: {type: string}}}\n    Card: {type: object, required: [type], properties: {type: {type: string}}}\n    Transfer: {type: object, required: [type], properties: {type: {type: string}}}\n    Root:\n      oneOf:\n        - $ref: '#/components/schemas/Card'\n        - $ref: '#/components/schemas/Wallet'\n        - $ref: '#/components/schemas/Transfer'\n      discriminator:\n        propertyName: type\n        mapping:\n          card: '#/components/schemas/Card'\n          apple_pay: Wallet\n          google_pay: '#/components/schemas/Wallet'\n";
    let types = squeezed(&types_of(text));
    assert!(
        types.contains("pub enum Root { /// `type: card` Card(Card), /// `type: apple_pay` ApplePay(Wallet), /// `type: google_pay` GooglePay(Wallet), /// `type: Transfer` Transfer(Transfer), /// A kind the definition does not list, kept whole. Other(::serde_json::Map<String, ::serde_json::Value>), }"),
        "{types}"
    );
}

#[test]
fn integer_formats_choose_the_rust_integer_and_minimum_zero_does_not() {
    let types = squeezed(&types_of(&spec(
        "  Root:\n    type: object\n    required: [a, b, c, d, e, f, g, h, i, j, k]\n    properties:\n      a: {type: integer, format: int8}\n      b: {type: integer, format: int16}\n      c: {type: integer, format: int32}\n      d: {type: integer, format: int64}\n      e: {type: integer, format: uint8}\n      f: {type: integer, format: uint16}\n      g: {type: integer, format: uint32}\n      h: {type: integer, format: uint64}\n      i: {type: integer, minimum: 0}\n      j: {type: integer, format: int24}\n      k: {type: number, format: float}\n",
    )));
    assert!(
        types.contains("pub a: i8, pub b: i16, pub c: i32, pub d: i64, pub e: u8, pub f: u16, pub g: u32, pub h: u64, pub i: i64, pub j: i64, pub k: f64,"),
        "{types}"
    );
}

#[test]
fn a_required_read_only_member_is_optional_only_where_a_request_carries_it() {
    let text = "swagger: '2.0'\ninfo: {title: Shapes, version: '1'}\npaths:\n  /things:\n    post:\n      operationId: addThing\n      parameters:\n        - {in: body, name: body, required: true, schema: {$ref: '#/definitions/Thing'}}\n      responses:\n        201: {description: ok, schema: {$ref: '#/definitions/Thing'}}\n    get:\n      operationId: listReceipts\n      responses:\n        200: {description: ok, schema: {$ref: '#/definitions/Receipt'}}\ndefinitions:\n  Thing:\n    type: object\n    required: [id, name, secret]\n    properties:\n      id: {type: string, readOnly: true}\n      name: {type: string}\n      secret: {type: string, writeOnly: true}\n  Receipt:\n    type: object\n    required: [id]\n    properties:\n      id: {type: string, readOnly: true}\n";
    let types = squeezed(&types_of(text));
    // `Thing` goes both ways: neither one-way member can be required.
    assert!(
        types.contains(
            "serde_object!(Thing { optional id = \"id\"; required name = \"name\"; optional secret = \"secret\"; ..extra });"
        ),
        "{types}"
    );
    assert!(
        types.contains("pub struct Thing { /// Read-only: the server sends it; a request may leave it out. pub id: Option<String>, pub name: String, /// Write-only: the client sends it; a response may leave it out. pub secret: Option<String>,"),
        "{types}"
    );
    // `Receipt` only comes back: its read-only id stays required.
    assert!(
        types.contains("pub struct Receipt { /// Read-only: the server sends it. pub id: String,"),
        "{types}"
    );
}

#[test]
fn a_discriminator_mapping_to_no_schema_leaves_the_alternatives_tried_in_order() {
    // DigitalOcean-style: the mapping still names the files of the unbundled source.
    let types = squeezed(&types_of(
        "openapi: 3.0.3\ninfo: {title: Shapes, version: '1'}\npaths:\n  /root:\n    get:\n      operationId: getRoot\n      responses:\n        '200':\n          description: ok\n          content:\n            application/json:\n              schema: {$ref: '#/components/schemas/Root'}\ncomponents:\n  schemas:\n    Card: {type: object, required: [type, number], properties: {type: {type: string}, number: {type: string}}}\n    Iban: {type: object, required: [type, iban], properties: {type: {type: string}, iban: {type: string}}}\n    Root:\n      oneOf: [{$ref: '#/components/schemas/Card'}, {$ref: '#/components/schemas/Iban'}]\n      discriminator: {propertyName: type, mapping: {card: 'models/methods.yml#/Card', iban: Iban}}\n",
    ));
    assert!(
        types.contains(
            "#[serde(untagged)] #[allow(clippy::large_enum_variant)] pub enum Root { Card(Card), Iban(Iban), }"
        ),
        "{types}"
    );
}

/// An alternative of a discriminated `oneOf` whose schema the caller maps to a Rust type of
/// their own (`--map-type`) is still a kind the tag names, as a base's subtype is: the enum
/// stays tagged (it was untagged, with no word of why) and that variant holds their type.
#[test]
fn a_discriminated_alternative_mapped_to_a_rust_type_is_still_read_by_its_tag() {
    let text = "openapi: 3.0.3\ninfo: {title: Payments, version: '1'}\npaths:\n  /methods/{id}:\n    get:\n      operationId: getMethod\n      parameters:\n        - {name: id, in: path, required: true, schema: {type: string}}\n      responses:\n        '200':\n          description: ok\n          content:\n            application/json:\n              schema: {$ref: '#/components/schemas/Method'}\ncomponents:\n  schemas:\n    Card: {type: object, required: [type, number], properties: {type: {type: string}, number: {type: string}}}\n    Iban: {type: object, required: [type, iban], properties: {type: {type: string}, iban: {type: string}}}\n    Method:\n      oneOf: [{$ref: '#/components/schemas/Card'}, {$ref: '#/components/schemas/Iban'}]\n      discriminator: {propertyName: type, mapping: {card: Card, iban: '#/components/schemas/Iban'}}\n";
    let dir = tempfile::tempdir().unwrap();
    let spec = dir.path().join("api.yaml");
    std::fs::write(&spec, text).unwrap();
    let mut settings = Settings::new(&spec);
    settings
        .types
        .replacements
        .push(("Card".to_string(), "::wallet::Card".to_string()));
    let generated = generate(&settings).unwrap_or_else(|e| panic!("{e}"));
    let types = generated.files.iter().find(|f| f.path == Path::new("src/types.rs"));
    let types = squeezed(&types.expect("types.rs is generated").contents);
    assert!(
        types.contains("pub enum Method { /// `type: card` Card(::wallet::Card), /// `type: iban` Iban(Iban),"),
        "{types}"
    );
    assert!(
        types.contains("\"card\" => ::serde_json::from_value(value).map(Self::Card),"),
        "{types}"
    );
    assert!(!types.contains("untagged"), "{types}");
}
