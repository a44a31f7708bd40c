//! Hostile definitions end in a located error or in a crate, within bounded time and
//! memory, and never in a stack overflow. Each runs the real (debug) binary as a child
//! process on its 8 MiB main thread, with a timeout, and measures the child's peak memory.

#![cfg(unix)]

use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use tempfile::TempDir;

/// Far above what any of these inputs needs; far below what they took before.
const MEMORY_LIMIT_KB: i64 = 200 * 1024;
const TIME_LIMIT: Duration = Duration::from_secs(120);

const HEAD: &str = "swagger: '2.0'\ninfo:\n  title: Hostile\n  version: '1'\n";

/// A definition whose one operation answers with the schema `schema_ref`, followed by `rest`.
fn api(schema_ref: &str, rest: &str) -> String {
    format!(
        "{HEAD}paths:\n  /things:\n    get:\n      operationId: getThings\n      responses:\n        200:\n          description: ok\n          schema:\n            $ref: '{schema_ref}'\n{rest}"
    )
}

struct Run {
    success: bool,
    stderr: String,
    peak_kb: i64,
    dir: TempDir,
}

impl Run {
    /// Writes `files` into a new folder and runs `stubforge generate` on its `api.yaml`.
    fn new(files: &[(String, String)]) -> Run {
        let dir = tempfile::tempdir().unwrap();
        for (name, text) in files {
            std::fs::write(dir.path().join(name), text).unwrap();
        }
        let stderr_path = dir.path().join("stderr.txt");
        // Reaped by `wait4` below, which also reports the child's peak memory.
        #[allow(clippy::zombie_processes)]
        let mut child = Command::new(env!("CARGO_BIN_EXE_stubforge"))
            .arg("generate")
            .arg("--spec")
            .arg(dir.path().join("api.yaml"))
            .arg("--out")
            .arg(dir.path().join("out"))
            .stdout(Stdio::null())
            .stderr(std::fs::File::create(&stderr_path).unwrap())
            .spawn()
            .unwrap();
        let pid = child.id() as libc::pid_t;
        let started = Instant::now();
        let (status, usage) = loop {
            let mut status = 0;
            // SAFETY: plain C structs the call fills in, for a child of this process.
            let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
            let done = unsafe { libc::wait4(pid, &mut status, libc::WNOHANG, &mut usage) };
            if done == pid {
                break (status, usage);
            }
            assert!(done == 0, "wait4 failed: {}", std::io::Error::last_os_error());
            if started.elapsed() > TIME_LIMIT {
                child.kill().unwrap();
                let _ = child.wait();
                panic!("stubforge ran longer than {TIME_LIMIT:?}");
            }
            std::thread::sleep(Duration::from_millis(20));
        };
        let stderr = std::fs::read_to_string(&stderr_path).unwrap();
        assert!(
            libc::WIFEXITED(status),
            "stubforge died (signal {}): {stderr}",
            libc::WTERMSIG(status)
        );
        Run {
            success: libc::WEXITSTATUS(status) == 0,
            stderr: stderr.replace(&dir.path().display().to_string(), "DIR"),
            peak_kb: usage.ru_maxrss,
            dir,
        }
    }

    /// Asserts a failure whose first line is a located error containing `message`.
    fn assert_error(&self, location: &str, message: &str) {
        assert!(!self.success, "generation must fail:\n{}", self.stderr);
        assert!(
            self.stderr.starts_with(&format!("error: {location}")),
            "{}",
            self.stderr
        );
        assert!(self.stderr.contains(message), "{}", self.stderr);
        assert!(self.stderr.contains("\n  help: "), "{}", self.stderr);
        assert_eq!(
            self.stderr.matches("error:").count(),
            1,
            "one error, not a flood:\n{}",
            self.stderr
        );
        assert!(!self.dir.path().join("out").exists(), "nothing may be written");
        self.assert_memory();
    }

    fn assert_generated(&self) -> String {
        assert!(self.success, "{}", self.stderr);
        self.assert_memory();
        std::fs::read_to_string(self.dir.path().join("out/src/types.rs")).unwrap()
    }

    fn assert_memory(&self) {
        assert!(
            self.peak_kb < MEMORY_LIMIT_KB,
            "peak memory {} KiB is over {MEMORY_LIMIT_KB} KiB",
            self.peak_kb
        );
    }
}

fn file(name: impl Into<String>, text: impl Into<String>) -> (String, String) {
    (name.into(), text.into())
}

/// `levels` of `{type: object, properties: {next: …}}` around `inner`, in flow style.
fn nested_properties(levels: usize, inner: &str) -> String {
    format!(
        "{}{inner}{}",
        "{type: object, properties: {next: ".repeat(levels),
        "}}".repeat(levels)
    )
}

#[test]
fn sixty_levels_of_inline_properties_twice_over_generate() {
    // 120 levels of properties in two files, the second copied in place by a `$ref` with a
    // sibling description: about 245 JSON levels after resolution, near the limit.
    let outer = nested_properties(60, "{$ref: inner.yaml, description: The inner part.}");
    let run = Run::new(&[
        file(
            "api.yaml",
            api("#/definitions/Deep", &format!("definitions:\n  Deep: {outer}\n")),
        ),
        file("inner.yaml", nested_properties(60, "{type: string}")),
    ]);
    let types = run.assert_generated();
    assert!(types.contains("pub struct Deep {"), "{types}");
}

#[test]
fn nesting_5000_levels_deep_through_refs_is_a_located_error() {
    // 100 files of 50 levels each, each copying the next in place (a sibling that changes
    // the shape, unlike an annotation, makes a copy): 5,000 levels.
    let mut files = vec![file("api.yaml", api("part0.yaml", ""))];
    for i in 0..100 {
        let inner = if i == 99 {
            // Integers: no text path to find, so only the step budget ends the walk.
            "{type: integer}".to_string()
        } else {
            format!("{{$ref: part{}.yaml, minProperties: 1}}", i + 1)
        };
        files.push(file(format!("part{i}.yaml"), nested_properties(50, &inner)));
    }
    let run = Run::new(&files);
    run.assert_error("DIR/part2.yaml:1:", "nests deeper than 256 levels here");
    assert!(
        run.stderr
            .contains("inside the refs DIR/part0.yaml → DIR/part1.yaml → DIR/part2.yaml"),
        "{}",
        run.stderr
    );
}

#[test]
fn a_chain_of_10000_refs_in_one_file_is_a_located_error() {
    let mut rest = String::from("x:\n");
    for i in 0..10_000 {
        rest.push_str(&format!("  link{i}:\n    $ref: '#/x/link{}'\n", i + 1));
    }
    rest.push_str("  link10000:\n    type: string\n");
    let run = Run::new(&[file("api.yaml", api("#/x/link0", &rest))]);
    run.assert_error(
        "DIR/api.yaml:13:13:",
        "a chain of more than 64 `$ref`s that only point at further `$ref`s starts here: DIR/api.yaml#/x/link0 → DIR/api.yaml#/x/link1",
    );
}

#[test]
fn a_chain_of_10000_refs_copied_in_place_is_a_located_error() {
    // Each link has a sibling that changes its shape, so each is copied into the one before.
    let mut rest = String::from("x:\n");
    for i in 0..10_000 {
        rest.push_str(&format!(
            "  link{i}:\n    type: object\n    properties:\n      next:\n        $ref: '#/x/link{}'\n        minProperties: 1\n",
            i + 1
        ));
    }
    rest.push_str("  link10000:\n    type: string\n");
    let run = Run::new(&[file("api.yaml", api("#/x/link0", &rest))]);
    run.assert_error(
        "DIR/api.yaml:",
        "more than 64 `$ref`s are copied in place inside one another here",
    );
}

#[test]
fn a_chain_of_3000_files_of_schemas_generates_one_type_each() {
    let mut files = vec![file("api.yaml", api("link0.yaml", ""))];
    for i in 0..3000 {
        files.push(file(
            format!("link{i}.yaml"),
            format!(
                "type: object\ndescription: Link {i} of the chain.\nproperties:\n  next:\n    $ref: link{}.yaml\n",
                i + 1
            ),
        ));
    }
    files.push(file("link3000.yaml", "type: string\n"));
    let run = Run::new(&files);
    let types = run.assert_generated();
    assert!(types.contains("pub struct Link0 {"), "Link0 missing");
    assert!(types.contains("pub struct Link2999 {"), "Link2999 missing");
    assert_eq!(types.matches("pub struct Link").count(), 3000);
}

#[test]
fn a_chain_of_3000_files_that_only_refer_onwards_is_a_located_error() {
    let mut files = vec![file("api.yaml", api("link0.yaml", ""))];
    for i in 0..3000 {
        files.push(file(format!("link{i}.yaml"), format!("$ref: link{}.yaml\n", i + 1)));
    }
    files.push(file("link3000.yaml", "type: string\n"));
    let run = Run::new(&files);
    run.assert_error(
        "DIR/api.yaml:13:13:",
        "a chain of more than 64 `$ref`s that only point at further `$ref`s starts here: DIR/link0.yaml → DIR/link1.yaml",
    );
}

/// Level `i` has two members that both refer to level `i - 1`.
fn doubled_level(previous: &str) -> String {
    format!("type: object\nproperties:\n  left:\n    $ref: '{previous}'\n  right:\n    $ref: '{previous}'\n")
}

fn indent(text: &str, by: &str) -> String {
    text.lines().map(|l| format!("{by}{l}\n")).collect()
}

#[test]
fn thirty_levels_of_doubled_file_refs_give_thirty_types() {
    let mut files = vec![
        file("api.yaml", api("level30.yaml", "")),
        file("level0.yaml", "type: string\n"),
    ];
    for i in 1..=30 {
        files.push(file(
            format!("level{i}.yaml"),
            doubled_level(&format!("level{}.yaml", i - 1)),
        ));
    }
    let run = Run::new(&files);
    let types = run.assert_generated();
    assert_eq!(types.matches("pub struct Level").count(), 30, "{types}");
    assert!(types.contains("pub left: Option<Level29>"), "{types}");
}

#[test]
fn thirty_levels_of_doubled_pointer_refs_give_thirty_types() {
    let mut rest = String::from("x:\n  level0:\n    type: string\n");
    for i in 1..=30 {
        rest.push_str(&format!("  level{i}:\n"));
        rest.push_str(&indent(&doubled_level(&format!("#/x/level{}", i - 1)), "    "));
    }
    let run = Run::new(&[file("api.yaml", api("#/x/level30", &rest))]);
    let types = run.assert_generated();
    assert_eq!(types.matches("pub struct Level").count(), 30, "{types}");
    assert!(types.contains("pub right: Option<Level3>"), "{types}");
}

#[test]
fn thirty_levels_of_doubled_refs_in_an_example_are_a_located_error() {
    // Refs in examples are copied: 2^30 copies would not fit any machine.
    let mut rest = String::from(
        "definitions:\n  Thing:\n    type: object\n    example:\n      $ref: '#/x/level30'\nx:\n  level0: leaf\n",
    );
    for i in 1..=30 {
        rest.push_str(&format!(
            "  level{i}:\n    left:\n      $ref: '#/x/level{0}'\n    right:\n      $ref: '#/x/level{0}'\n",
            i - 1
        ));
    }
    let run = Run::new(&[file("api.yaml", api("#/definitions/Thing", &rest))]);
    run.assert_error("DIR/api.yaml:", "resolving `$ref`s grows the definition beyond");
    assert!(
        run.stderr
            .contains("inside the refs DIR/api.yaml#/x/level30 → DIR/api.yaml#/x/level29"),
        "{}",
        run.stderr
    );
}

#[test]
fn thirty_levels_of_doubled_refs_with_sibling_keys_are_a_located_error() {
    // A `$ref` with a sibling that changes its shape is a copy with changes, so these
    // double at every level. (Annotation siblings such as `description` keep the ref.)
    let mut rest = String::from("x:\n  level0:\n    type: string\n");
    for i in 1..=30 {
        rest.push_str(&format!(
            "  level{i}:\n    type: object\n    properties:\n      left:\n        $ref: '#/x/level{0}'\n        minProperties: 1\n      right:\n        $ref: '#/x/level{0}'\n        maxProperties: 9\n",
            i - 1
        ));
    }
    let run = Run::new(&[file("api.yaml", api("#/x/level30", &rest))]);
    run.assert_error("DIR/api.yaml:", "resolving `$ref`s grows the definition beyond");
}

#[test]
fn a_chain_of_10000_all_of_refs_is_one_located_error() {
    let mut rest = String::from("definitions:\n");
    for i in 0..10_000 {
        rest.push_str(&format!(
            "  Layer{i}:\n    allOf:\n      - $ref: '#/definitions/Layer{}'\n      - properties:\n          field{i}: {{type: string}}\n",
            i + 1
        ));
    }
    rest.push_str("  Layer10000:\n    type: object\n    properties:\n      last: {type: string}\n");
    let run = Run::new(&[file("api.yaml", api("#/definitions/Layer0", &rest))]);
    // Reported once, where the chain first exceeds the limit counted from its end.
    run.assert_error(
        "DIR/api.yaml:49695:3:",
        "schema `Layer9936` is built through more than 64 nested `$ref`/`allOf`/`oneOf` steps",
    );
    assert_eq!(run.stderr.matches("error:").count(), 1, "{}", run.stderr);
}

#[test]
fn all_of_refs_that_loop_are_a_located_error() {
    let rest = "definitions:\n  Event:\n    allOf:\n      - $ref: '#/definitions/RoomEvent'\n  RoomEvent:\n    description: An event in a room.\n    allOf:\n      - $ref: '#/definitions/Event'\n    example: {type: m.room.message}\n";
    let run = Run::new(&[file("api.yaml", api("#/definitions/Event", rest))]);
    run.assert_error(
        "DIR/api.yaml:21:9:",
        "schema `Event` is defined as itself: Event → RoomEvent → Event",
    );
}

#[test]
fn an_example_that_contains_itself_is_a_located_error() {
    let rest = "definitions:\n  Comment:\n    type: object\n    properties:\n      text: {type: string}\n      replies:\n        type: array\n        items:\n          $ref: '#/definitions/Comment'\n    example:\n      $ref: '#/x/thread'\nx:\n  thread:\n    text: First!\n    replies:\n      - $ref: '#/x/thread'\n";
    let run = Run::new(&[file("api.yaml", api("#/definitions/Comment", rest))]);
    run.assert_error(
        "DIR/api.yaml:29:9:",
        "this example contains itself through `$ref`s: DIR/api.yaml#/x/thread → DIR/api.yaml#/x/thread",
    );
}

/// Multipart parts merged from `allOf` members that each name the level below twice:
/// 2^40 paths through the members, one part per level.
#[test]
fn forty_levels_of_doubled_all_of_parts_give_one_part_each() {
    let mut text = String::from(
        "openapi: 3.0.3\ninfo: {title: Hostile, version: '1'}\npaths:\n  /uploads:\n    post:\n      \
         operationId: upload\n      requestBody:\n        content:\n          multipart/form-data:\n            \
         schema: {$ref: '#/components/schemas/Level40'}\n      responses:\n        '204': {description: ok}\n\
         components:\n  schemas:\n    Level0:\n      type: object\n      properties:\n        \
         file: {type: string, format: binary}\n",
    );
    for i in 1..=40 {
        text.push_str(&format!(
            "    Level{i}:\n      allOf:\n        - $ref: '#/components/schemas/Level{p}'\n        \
             - $ref: '#/components/schemas/Level{p}'\n        - properties: {{field{i}: {{type: string}}}}\n",
            p = i - 1
        ));
    }
    let run = Run::new(&[file("api.yaml", text)]);
    let types = run.assert_generated();
    let parts = types.split("pub struct UploadParts {").nth(1).expect("a parts struct");
    let parts = parts.split("\n}").next().unwrap();
    assert_eq!(parts.matches(": Option<").count(), 41, "{parts}");
    assert!(parts.contains("pub file: Option<FilePart>"), "{parts}");
    assert!(parts.contains("pub field40: Option<String>"), "{parts}");
}

/// `levels` schemas `L0`…, each with `width` members (or `allOf` members when `all_of`)
/// that all refer to the next: small to write, `width^levels` ways through.
fn wide_levels(levels: usize, width: usize, all_of: bool) -> String {
    let mut schemas = String::new();
    for level in 0..levels {
        let next = if level + 1 == levels {
            // Integers: no text path to find, so only the step budget ends the walk.
            "{type: integer}".to_string()
        } else {
            format!("{{$ref: '#/components/schemas/L{}'}}", level + 1)
        };
        let members: Vec<String> = if all_of {
            (0..width).map(|_| next.clone()).collect()
        } else {
            (0..width).map(|i| format!("m{i}: {next}")).collect()
        };
        schemas.push_str(&if all_of {
            format!("    L{level}: {{allOf: [{}]}}\n", members.join(", "))
        } else {
            format!(
                "    L{level}: {{type: object, properties: {{{}}}}}\n",
                members.join(", ")
            )
        });
    }
    schemas
}

#[test]
fn query_values_nesting_wide_types_many_levels_deep_generate_in_bounded_time() {
    // A deepObject parameter of a type with 40 object members, 8 levels deep, and an array
    // whose items are an `allOf` of 40 `allOf`s, 8 levels deep: the server's text paths and
    // the scalar check each have a bounded number of steps.
    let text = format!(
        "openapi: 3.0.3\ninfo: {{title: Hostile, version: '1'}}\npaths:\n  /things:\n    get:\n      operationId: getThings\n      parameters:\n        - {{name: filter, in: query, style: deepObject, schema: {{$ref: '#/components/schemas/L0'}}}}\n        - {{name: ids, in: query, schema: {{type: array, items: {{$ref: '#/components/schemas/A0'}}}}}}\n      responses:\n        '200': {{description: ok}}\ncomponents:\n  schemas:\n{}{}",
        wide_levels(8, 40, false),
        wide_levels(8, 40, true).replace("L", "A"),
    );
    let run = Run::new(&[file("api.yaml", text)]);
    run.assert_generated();
}

#[test]
fn refs_that_repeat_their_targets_type_name_the_target_instead_of_copying_it() {
    // Exporters write `{$ref, description, readOnly, type: object}` on every object field.
    // The `type` only repeats the target's, so each field is the one named type; copied in
    // place, every level would multiply the copies (and the warnings about their names).
    let run = Run::new(&[file("api.yaml", include_str!("hostile_input/ledger_events.yaml"))]);
    let types = run.assert_generated();
    assert!(!run.stderr.contains("warning:"), "{}", run.stderr);
    let mut structs: Vec<&str> = types
        .lines()
        .filter_map(|line| line.strip_prefix("pub struct ")?.strip_suffix(" {"))
        .filter(|name| !name.ends_with("Request"))
        .collect();
    structs.sort_unstable();
    assert_eq!(
        structs,
        [
            "Amount",
            "Avatar",
            "Error",
            "Event",
            "EventListing",
            "EventObject",
            "Image",
            "MonetaryAccountLabel",
            "Payment",
            "UserLabel"
        ],
        "{types}"
    );
    for field in [
        "pub chargeback: Option<Payment>",
        "pub counterparty_alias: Option<MonetaryAccountLabel>",
        "pub delegate: Option<UserLabel>",
        "pub thumbnail: Option<Image>",
        "pub previous_object: Option<EventObject>",
    ] {
        assert!(types.contains(field), "{field}:\n{types}");
    }
}

#[test]
fn thirty_levels_of_doubled_refs_that_repeat_their_targets_type_give_thirty_types() {
    let mut rest = String::from("x:\n  level0:\n    type: object\n    properties:\n      name: {type: string}\n");
    for i in 1..=30 {
        rest.push_str(&format!(
            "  level{i}:\n    type: object\n    properties:\n      left:\n        $ref: '#/x/level{0}'\n        type: object\n      right:\n        $ref: '#/x/level{0}'\n        description: The other half.\n        type: object\n",
            i - 1
        ));
    }
    let run = Run::new(&[file("api.yaml", api("#/x/level30", &rest))]);
    let types = run.assert_generated();
    assert_eq!(types.matches("pub struct Level").count(), 31, "{types}");
    assert!(types.contains("pub right: Option<Level3>"), "{types}");
}
