//! The dialect profile as the committed crates show it (`--check` keeps them what the
//! generator writes): a Matrix API gets Matrix error bodies and the `X-Matrix` notes,
//! any other API problem+json bodies and docs without Matrix's words.

use stubforge::project::{TARGETS, workspace_root};

/// The modules emitted from the definition (the runtimes are fixed files, hidden from
/// the docs, and hold both bodies).
const EMITTED: [&str; 4] = ["lib.rs", "types.rs", "server.rs", "client.rs"];

fn read(crate_dir: &str, file: &str) -> String {
    let path = workspace_root().join(crate_dir).join("src").join(file);
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// Every doc line of a generated file.
fn doc_lines(text: &str) -> Vec<String> {
    text.lines()
        .map(str::trim)
        .filter(|line| line.starts_with("///") || line.starts_with("//!") || line.starts_with("#[doc"))
        .map(str::to_string)
        .collect()
}

fn is_matrix(crate_dir: &str) -> bool {
    let server = read(crate_dir, "server.rs");
    let matrix = server.contains("matrix_error_response(error)");
    let problem = server.contains("problem_response(error)");
    assert!(matrix != problem, "{crate_dir}: one default error body");
    matrix
}

#[test]
fn matrix_apis_are_recognised_by_their_paths_or_their_error_schema() {
    // Served under /_matrix/ (and with Matrix's error schema).
    assert!(is_matrix("generated"));
    assert!(is_matrix("tests/leave-current"));
    // Matrix's error schema under another base path (`/_test/v1`).
    assert!(is_matrix("tests/dialect-generated"));
    // Neither: a problem schema of its own, or none.
    for other in [
        "tests/package-registry",
        "tests/file-storage",
        "tests/search-analytics",
        "tests/params-api",
    ] {
        assert!(!is_matrix(other), "{other}");
    }
}

/// Whether `word` starts a word of `line`: `M_FORBIDDEN` counts, `TRIM_HORIZON` does not.
fn has_word_start(line: &str, word: &str) -> bool {
    line.match_indices(word).any(|(at, _)| {
        !line[..at]
            .chars()
            .next_back()
            .is_some_and(|c| c.is_alphanumeric() || c == '_')
    })
}

#[test]
fn other_apis_have_no_matrix_words_in_their_docs() {
    let mut checked = 0;
    for target in TARGETS.iter().filter(|target| !is_matrix(target.out)) {
        for file in EMITTED {
            for line in doc_lines(&read(target.out, file)) {
                for word in ["Matrix", "matrix.", "M_", "errcode", "_matrix"] {
                    assert!(
                        !has_word_start(&line, word),
                        "{}/src/{file}: `{word}` in {line}",
                        target.out
                    );
                }
            }
        }
        checked += 1;
    }
    assert!(checked >= 5, "{checked}");
}

#[test]
fn matrix_apis_keep_their_codes_and_the_x_matrix_notes() {
    let docs = doc_lines(&read("generated", "server.rs")).join("\n");
    for expected in [
        "M_UNAUTHORIZED",
        "M_FORBIDDEN",
        "M_UNRECOGNIZED",
        "# Verifying a Matrix `X-Matrix` signature",
    ] {
        assert!(
            docs.contains(expected),
            "`{expected}` missing from the leave server's docs"
        );
    }
    let client = doc_lines(&read("generated", "client.rs")).join("\n");
    assert!(client.contains("https://matrix.example.org:8448"));
    let other = doc_lines(&read("tests/file-storage", "server.rs")).join("\n");
    assert!(other.contains("RFC 9457"), "{other}");
}
