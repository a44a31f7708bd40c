//! Bounded mutation fuzz on the stable toolchain: mutated copies of the seed
//! (`api/server-server/leaving.yaml` and the files it reaches) and of every corpus
//! definition go through `stubforge::generate` in-process. Each must end, in a few
//! seconds, in generated files or in errors; a panic or a hang fails the test, naming the
//! seed, the case and the mutation.
//!
//! Deterministic: the cases follow from the seed alone. `STUBFORGE_FUZZ_CASES=20000` runs
//! more cases, `STUBFORGE_FUZZ_SEED=N` other ones; a failure says how to rerun it.

use std::io::Write as _;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::path::{Path, PathBuf};
use std::sync::mpsc;
use std::time::Duration;

use stubforge::{Settings, generate};

const DEFAULT_SEED: u64 = 0x5eed_0008_f022_2026;
const DEFAULT_CASES: usize = 2500;
/// Far above what any case needs in a debug build on a loaded machine: only a hang
/// reaches it.
const CASE_DEADLINE: Duration = Duration::from_secs(60);
/// Like the CLI's main thread, so that a case overflows here only when it would there.
const CASE_STACK: usize = 8 << 20;

/// xorshift64*: small, fast and plenty for choosing mutations.
struct Rng(u64);

impl Rng {
    fn new(seed: u64) -> Rng {
        Rng(seed.max(1))
    }

    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }

    /// A number in `0..n` (`n > 0`).
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }

    fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len())]
    }
}

/// One definition: its root and every file it reads, relative to the workspace.
struct Definition {
    root: PathBuf,
    files: Vec<PathBuf>,
}

fn workspace() -> PathBuf {
    stubforge::project::workspace_root()
}

/// The seed first, then the fixtures and every corpus definition that generates today.
fn definitions() -> Vec<Definition> {
    let ws = workspace();
    let mut roots: Vec<PathBuf> = [
        "api/server-server/leaving.yaml",
        "api/server-server/leaving.openapi3.yaml",
        "tests/fixtures/dialect/api.yaml",
        "tests/fixtures/params.yaml",
    ]
    .iter()
    .map(PathBuf::from)
    .collect();
    let mut corpus: Vec<PathBuf> = std::fs::read_dir(ws.join("tests/corpus"))
        .map(|entries| entries.flatten().map(|e| e.path()).collect())
        .unwrap_or_default();
    corpus.sort();
    for path in corpus {
        let relative = path.strip_prefix(&ws).unwrap().to_path_buf();
        if path.is_dir() && path.join("api.yaml").is_file() {
            roots.push(relative.join("api.yaml"));
        } else if path.extension().is_some_and(|e| e == "yaml" || e == "json") && !is_large(&path) {
            roots.push(relative);
        }
    }
    roots
        .into_iter()
        .filter_map(|root| {
            let generated = generate(&Settings::new(ws.join(&root))).ok()?;
            let files = generated
                .inputs
                .iter()
                .filter_map(|p| p.strip_prefix(&ws).ok().map(Path::to_path_buf))
                .collect();
            Some(Definition { root, files })
        })
        .collect()
}

/// A corpus file so large that each mutated case of it would take seconds to generate
/// (the cluster API, 344 operations): it is there to be compiled, and what it is made
/// of is in the smaller definitions, which the fuzz mutates many times as often.
fn is_large(path: &Path) -> bool {
    const LARGE: u64 = 256 * 1024;
    std::fs::metadata(path).is_ok_and(|m| m.len() > LARGE)
}

/// Values of another kind than the one a mutation replaces.
const VALUES: [&str; 16] = [
    "[]",
    "{}",
    "null",
    "~",
    "42",
    "-1.5e300",
    "true",
    "\"\"",
    "'x: y'",
    "[a, {b: c}]",
    ".nan",
    "0x1F",
    "!!binary aGk=",
    "&anchor {type: string}",
    "*anchor",
    "\"\\ud83d\\udc4d\"",
];

/// Targets a `$ref` may be pointed at instead of its own, the file's own root included.
const REF_TARGETS: [&str; 10] = [
    "'#'",
    "''",
    "'#/'",
    "'#/definitions'",
    "'#/paths'",
    "'#/definitions/~1x~0y'",
    "nowhere.yaml",
    "'../..'",
    "'#/components/schemas/%ZZ'",
    "'./'",
];

/// Characters that mean something to YAML or JSON.
const SYNTAX: &[u8] = b"{}[]:,-?'\"&*!|>#%@` \t\n\\";

/// Applies one mutation to `text` and says what it did (line numbers 1-based). Only a
/// byte flip can make the file something other than UTF-8.
fn mutate(text: &str, rng: &mut Rng) -> (Vec<u8>, String) {
    let mut lines: Vec<String> = text.lines().map(String::from).collect();
    if lines.is_empty() {
        lines.push(String::new());
    }
    let n = rng.below(lines.len());
    let line_no = n + 1;
    let description;
    match rng.below(8) {
        0 => {
            let mut bytes = text.as_bytes().to_vec();
            if bytes.is_empty() {
                bytes.push(b' ');
            }
            let at = rng.below(bytes.len());
            let old = bytes[at];
            bytes[at] = if rng.below(4) == 0 {
                old ^ (1 << rng.below(8))
            } else {
                *rng.pick(SYNTAX)
            };
            return (bytes.clone(), format!("byte {at}: {old:#04x} → {:#04x}", bytes[at]));
        }
        1 => {
            lines.remove(n);
            description = format!("line {line_no} deleted");
        }
        2 => {
            let copies = 1 + rng.below(3);
            for _ in 0..copies {
                lines.insert(n, lines[n].clone());
            }
            description = format!("line {line_no} repeated {copies} more times");
        }
        3 => {
            // Swap the keys of two `key:` lines, keeping each line's indentation and value.
            let keyed: Vec<usize> = (0..lines.len()).filter(|&i| key_of(&lines[i]).is_some()).collect();
            if keyed.len() < 2 {
                return (text.as_bytes().to_vec(), "no keys to swap".to_string());
            }
            let (a, b) = (*rng.pick(&keyed), *rng.pick(&keyed));
            let (ka, kb) = (key_of(&lines[a]).unwrap(), key_of(&lines[b]).unwrap());
            lines[a] = lines[a].replacen(&ka, &kb, 1);
            lines[b] = lines[b].replacen(&kb, &ka, 1);
            description = format!("keys `{ka}` (line {}) and `{kb}` (line {}) swapped", a + 1, b + 1);
        }
        4 => {
            // Replace a value by one of another kind.
            let valued: Vec<usize> = (0..lines.len()).filter(|&i| value_of(&lines[i]).is_some()).collect();
            let Some(&at) = (!valued.is_empty()).then(|| rng.pick(&valued)) else {
                return (text.as_bytes().to_vec(), "no values to swap".to_string());
            };
            let (key_end, old) = value_of(&lines[at]).unwrap();
            let new = rng.pick(&VALUES);
            lines[at] = format!("{} {new}", &lines[at][..key_end]);
            description = format!("value `{old}` on line {} → `{new}`", at + 1);
        }
        5 => {
            // Point a `$ref` elsewhere: another ref of the file, or somewhere odd.
            let refs: Vec<usize> = (0..lines.len()).filter(|&i| lines[i].contains("$ref")).collect();
            let Some(&at) = (!refs.is_empty()).then(|| rng.pick(&refs)) else {
                return (text.as_bytes().to_vec(), "no $ref to retarget".to_string());
            };
            let target = if rng.below(2) == 0 {
                let other = &lines[*rng.pick(&refs)];
                other
                    .split_once("$ref")
                    .map(|(_, t)| t.trim_start_matches(['"', ':', ' ']).to_string())
            } else {
                None
            }
            .unwrap_or_else(|| rng.pick(&REF_TARGETS).to_string());
            let indent = indentation(&lines[at]);
            let dash = if lines[at].trim_start().starts_with('-') {
                "- "
            } else {
                ""
            };
            lines[at] = format!("{indent}{dash}$ref: {target}");
            description = format!("`$ref` on line {} → {target}", at + 1);
        }
        6 => {
            // Nest deeply under a new key: flow collections or block mappings.
            let depth = 1 + rng.below(300);
            let indent = indentation(&lines[n]);
            let nested = match rng.below(3) {
                0 => format!("{indent}deep: {}{}", "[".repeat(depth), "]".repeat(depth)),
                1 => format!("{indent}deep: {}1{}", "{a: ".repeat(depth), "}".repeat(depth)),
                _ => {
                    let mut block = String::new();
                    for level in 0..depth.min(120) {
                        let pad = " ".repeat(indent.len() + 2 * level);
                        block.push_str(&format!("{pad}properties:\n{pad}  p{level}:\n{pad}    type: object\n"));
                    }
                    block.trim_end().to_string()
                }
            };
            lines.insert(n, nested);
            description = format!("nesting {depth} deep inserted before line {line_no}");
        }
        _ => {
            // Move a line to another indentation.
            let trimmed = lines[n].trim_start().to_string();
            let indent = 2 * rng.below(8);
            lines[n] = format!("{}{trimmed}", " ".repeat(indent));
            description = format!("line {line_no} re-indented to {indent}");
        }
    }
    let mut out = lines.join("\n");
    out.push('\n');
    (out.into_bytes(), description)
}

fn indentation(line: &str) -> &str {
    &line[..line.len() - line.trim_start().len()]
}

/// The key of a `key:` or `key: value` line.
fn key_of(line: &str) -> Option<String> {
    let body = line.trim_start().trim_start_matches("- ");
    let (key, _) = body.split_once(':')?;
    let plain = !key.is_empty() && !key.contains([' ', '{', '[', '"', '\'', '#']);
    plain.then(|| key.to_string())
}

/// Where a `key: value` line's value starts (after the colon) and the value.
fn value_of(line: &str) -> Option<(usize, String)> {
    let colon = line.find(": ")?;
    let value = line[colon + 2..].trim();
    (!value.is_empty() && key_of(line).is_some()).then(|| (colon + 1, value.to_string()))
}

/// Set in the child process that runs the cases: the first case it runs.
const CHILD_FROM: &str = "STUBFORGE_FUZZ_CHILD_FROM";
const TEST_NAME: &str = "mutated_definitions_never_panic_or_hang";

/// The cases run in a child process (this test binary again), so that a case that
/// aborts the process (a stack overflow cannot be caught) is reported like a panic and
/// the run goes on with the next case.
#[test]
fn mutated_definitions_never_panic_or_hang() {
    let seed = env_number("STUBFORGE_FUZZ_SEED").unwrap_or(DEFAULT_SEED);
    let cases = env_number("STUBFORGE_FUZZ_CASES").map_or(DEFAULT_CASES, |n| n as usize);
    if let Some(from) = env_number(CHILD_FROM) {
        run_cases(seed, from as usize, cases);
        return;
    }
    // Printed past the test harness's capture, so that it shows whatever happens.
    let _ = writeln!(
        std::io::stderr(),
        "mutation fuzz: {cases} cases, seed {seed:#x} (STUBFORGE_FUZZ_SEED, STUBFORGE_FUZZ_CASES)"
    );
    let mut failures = Vec::new();
    let mut refused = 0;
    let mut from = 0;
    while from < cases {
        let child = std::process::Command::new(std::env::current_exe().unwrap())
            .args(["--exact", TEST_NAME, "--nocapture", "--test-threads=1"])
            .env(CHILD_FROM, from.to_string())
            .env("STUBFORGE_FUZZ_SEED", seed.to_string())
            .env("STUBFORGE_FUZZ_CASES", cases.to_string())
            .output()
            .unwrap();
        let stdout = String::from_utf8_lossy(&child.stdout);
        let mut last_started: Option<(usize, String)> = None;
        let mut done = false;
        for line in stdout.lines() {
            let Some((tag, rest)) = line.split_once(' ') else {
                continue;
            };
            match tag {
                "fuzz-start" => {
                    let (case, label) = rest.split_once(' ').unwrap();
                    last_started = Some((case.parse().unwrap(), label.to_string()));
                }
                "fuzz-refused" => refused += 1,
                "fuzz-panic" => failures.push(rest.replace("\\n", "\n")),
                "fuzz-done" => done = true,
                _ => {}
            }
        }
        if done {
            break;
        }
        let Some((case, label)) = last_started else {
            panic!(
                "the fuzz child ran no case ({}):\n{}",
                child.status,
                String::from_utf8_lossy(&child.stderr)
            );
        };
        let stderr = String::from_utf8_lossy(&child.stderr);
        let why = stderr
            .lines()
            .rev()
            .find(|l| !l.trim().is_empty())
            .unwrap_or("no message");
        failures.push(format!("{label}\n  ended the process ({}): {why}", child.status));
        from = case + 1;
    }
    assert!(
        failures.is_empty(),
        "{} of {cases} cases panicked, hung or crashed; rerun with STUBFORGE_FUZZ_SEED={seed:#x} STUBFORGE_FUZZ_CASES={cases}\n\n{}",
        failures.len(),
        failures.join("\n\n")
    );
    // Mutations that never break anything would test nothing.
    assert!(
        refused > cases / 10,
        "only {refused} of {cases} mutated definitions were refused; the mutations are too mild"
    );
}

/// Runs cases `from..cases` (the random choices of the earlier ones are made and
/// skipped, so that case numbers mean the same in every process), reporting each on
/// stdout for the parent: `fuzz-start`, then `fuzz-refused` or `fuzz-panic`.
fn run_cases(seed: u64, from: usize, cases: usize) {
    let definitions = definitions();
    assert!(
        definitions.len() >= 4,
        "the seed and the fixtures must generate before they can be mutated"
    );
    // A copy of every file any definition reads, laid out as in the workspace so that
    // relative `$ref`s between folders still resolve.
    let temp = tempfile::tempdir().unwrap();
    for definition in &definitions {
        for file in &definition.files {
            let to = temp.path().join(file);
            std::fs::create_dir_all(to.parent().unwrap()).unwrap();
            std::fs::copy(workspace().join(file), &to).unwrap();
        }
    }
    let report = |line: String| {
        let mut out = std::io::stdout().lock();
        let _ = writeln!(out, "{line}");
        let _ = out.flush();
    };

    let mut rng = Rng::new(seed);
    for case in 0..cases {
        // A third of the cases mutate the seed, the rest spread over the others.
        let definition = if rng.below(3) == 0 {
            &definitions[0]
        } else {
            rng.pick(&definitions)
        };
        let file = rng.pick(&definition.files).clone();
        let path = temp.path().join(&file);
        let original = std::fs::read_to_string(&path).unwrap();
        let (mutated, what) = mutate(&original, &mut rng);
        if case < from {
            continue;
        }
        let label = format!(
            "case {case} of seed {seed:#x}: {} with {}: {what}",
            definition.root.display(),
            file.display()
        )
        .replace('\n', " ");
        report(format!("fuzz-start {case} {label}"));
        std::fs::write(&path, &mutated).unwrap();

        let spec = temp.path().join(&definition.root);
        let (sender, receiver) = mpsc::channel();
        std::thread::Builder::new()
            .name(label.clone())
            .stack_size(CASE_STACK)
            .spawn(move || {
                let result = catch_unwind(AssertUnwindSafe(|| generate(&Settings::new(spec)).is_err()));
                let _ = sender.send(result.map_err(|payload| panic_message(&*payload)));
            })
            .unwrap();
        match receiver.recv_timeout(CASE_DEADLINE) {
            Ok(Ok(refused)) => {
                if refused {
                    report("fuzz-refused -".to_string());
                }
            }
            Ok(Err(message)) => report(format!("fuzz-panic {label}\\n  panicked: {message}").replace('\n', "\\n")),
            Err(_) => {
                // The parent sees a process that ended after this case started.
                eprintln!("did not finish within {CASE_DEADLINE:?}");
                std::process::exit(3);
            }
        }
        std::fs::write(&path, &original).unwrap();
    }
    report("fuzz-done -".to_string());
}

fn env_number(name: &str) -> Option<u64> {
    let text = std::env::var(name).ok()?;
    let parsed = match text.strip_prefix("0x") {
        Some(hex) => u64::from_str_radix(hex, 16),
        None => text.parse(),
    };
    Some(parsed.unwrap_or_else(|_| panic!("{name}={text} is not a number")))
}

fn panic_message(payload: &(dyn std::any::Any + Send)) -> String {
    payload
        .downcast_ref::<&str>()
        .map(|s| s.to_string())
        .or_else(|| payload.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "a non-text panic payload".to_string())
}
