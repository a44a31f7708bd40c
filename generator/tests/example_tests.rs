//! The generated `examples` tests are there only where they can fail: an example that
//! serde_json reads and writes back unchanged whenever it fits (a string into `String`,
//! an integer into `i64`, a number into `f64`, compared by value) gets no test; one read
//! into a generated type does.

use stubforge::{Settings, generate};

const DEFINITION: &str = r#"swagger: "2.0"
info:
  title: Examples
  version: "1"
paths:
  /rooms/{roomId}:
    get:
      operationId: getRoom
      parameters:
        - in: path
          name: roomId
          type: string
          required: true
          x-example: "!room:example.org"
        - in: query
          name: order
          type: string
          enum: [newest, oldest]
          x-example: newest
        - in: query
          name: limit
          type: integer
          x-example: 10
        - in: query
          name: weight
          type: number
          format: float
          x-example: 0.5
        - in: query
          name: tags
          type: array
          items:
            type: string
          x-example: [a, b]
      responses:
        200:
          description: The room.
          schema:
            type: object
            properties:
              name:
                type: string
                example: Lounge
          examples:
            application/json: {"name": "Lounge"}
"#;

fn examples_module() -> String {
    let dir = tempfile::tempdir().unwrap();
    let spec = dir.path().join("api.yaml");
    std::fs::write(&spec, DEFINITION).unwrap();
    let generated = generate(&Settings::new(&spec)).unwrap();
    let file = generated
        .files
        .iter()
        .find(|f| f.path.ends_with("examples.rs"))
        .unwrap();
    file.contents.clone()
}

#[test]
fn only_examples_whose_test_can_fail_get_one() {
    let module = examples_module();
    let tests: Vec<&str> = module
        .lines()
        .filter_map(|l| l.strip_prefix("fn ")?.strip_suffix("() {"))
        .collect();
    assert_eq!(tests, ["get_room_order_example", "get_room_ok_example"], "{module}");
}
