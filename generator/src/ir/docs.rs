//! Descriptions in the Matrix definitions are reStructuredText; rustdoc reads Markdown.
//! This converts the constructs those definitions use, and makes sure no description can
//! turn into a doctest.

/// Converts one description.
///
/// - ``` ``code`` ``` → `` `code` ``
/// - `` `text <url>`_ `` → `[text](url)`; `` `text`_ `` → `[text](url)` when the same
///   description defines `.. _text: url`, else plain `text`
/// - indented literal blocks and every fence (any label, backticks or tildes) →
///   ```` ```text ```` fences, so no description becomes a doctest
pub fn rst_to_markdown(rst: &str) -> String {
    let mut targets = Vec::new();
    let mut lines = Vec::new();
    for line in rst.lines() {
        let trimmed = line.trim_start();
        if let Some(rest) = trimmed.strip_prefix(".. _") {
            if let Some((name, url)) = rest.split_once(':') {
                targets.push((name.trim().to_string(), url.trim().to_string()));
                continue;
            }
        }
        lines.push(line);
    }
    let mut out: Vec<String> = Vec::new();
    let mut in_code = false;
    let mut in_fence = false;
    let mut fence_marker = "```";
    for line in lines {
        let indented = line.starts_with("    ") || line.starts_with('\t');
        if line.trim_start().starts_with("```") || line.trim_start().starts_with("~~~") {
            if !in_fence {
                fence_marker = if line.trim_start().starts_with('~') {
                    "~~~"
                } else {
                    "```"
                };
            }
            let fence = if !in_fence && line.trim() == "```" {
                "```text".to_string()
            } else {
                line.trim().to_string()
            };
            in_fence = !in_fence;
            out.push(fence);
            continue;
        }
        if in_fence {
            out.push(line.to_string());
            continue;
        }
        if in_code && !indented && !line.trim().is_empty() {
            close_code(&mut out);
            in_code = false;
        }
        if !in_code && indented && out.last().is_none_or(|l| l.trim().is_empty()) {
            out.push("```text".to_string());
            in_code = true;
        }
        if in_code {
            out.push(line.strip_prefix("    ").unwrap_or(line).to_string());
        } else {
            let mut converted = inline(line, &targets);
            if converted.ends_with("::") {
                converted.pop();
            }
            out.push(converted);
        }
    }
    if in_code {
        close_code(&mut out);
    }
    if in_fence {
        out.push(fence_marker.to_string());
    }
    while out.last().is_some_and(|l| l.trim().is_empty()) {
        out.pop();
    }
    crate::inert::inert_markdown(&out.join("\n"))
}

fn close_code(out: &mut Vec<String>) {
    let mut trailing = 0;
    while out.last().is_some_and(|l| l.trim().is_empty()) {
        out.pop();
        trailing += 1;
    }
    out.push("```".to_string());
    out.extend(std::iter::repeat_n(String::new(), trailing));
}

fn inline(line: &str, targets: &[(String, String)]) -> String {
    let line = line.replace("``", "`");
    let mut out = String::with_capacity(line.len());
    let mut rest = line.as_str();
    while let Some(start) = rest.find('`') {
        let after = &rest[start + 1..];
        let Some(end) = after.find('`') else { break };
        let text = &after[..end];
        let tail = &after[end + 1..];
        out.push_str(&rest[..start]);
        if let Some(tail) = tail.strip_prefix('_') {
            let tail = tail.strip_prefix('_').unwrap_or(tail);
            out.push_str(&link(text, targets));
            rest = tail;
        } else {
            out.push('`');
            out.push_str(text);
            out.push('`');
            rest = tail;
        }
    }
    out.push_str(rest);
    out
}

fn link(text: &str, targets: &[(String, String)]) -> String {
    if let Some((label, url)) = text.rsplit_once('<').and_then(|(l, u)| Some((l, u.strip_suffix('>')?))) {
        return format!("[{}]({url})", label.trim());
    }
    match targets.iter().find(|(name, _)| name.eq_ignore_ascii_case(text)) {
        Some((_, url)) => format!("[{text}]({url})"),
        None => text.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::rst_to_markdown;

    #[test]
    fn converts_the_constructs_matrix_uses() {
        assert_eq!(
            rst_to_markdown("The value ``m.room.member``."),
            "The value `m.room.member`."
        );
        assert_eq!(
            rst_to_markdown("check the `room version specification`_ for formats"),
            "check the room version specification for formats"
        );
        assert_eq!(
            rst_to_markdown("see `the spec <https://spec.matrix.org>`_."),
            "see [the spec](https://spec.matrix.org)."
        );
        assert_eq!(
            rst_to_markdown("see `rooms`_.\n\n.. _rooms: https://example.org/rooms"),
            "see [rooms](https://example.org/rooms)."
        );
        assert_eq!(rst_to_markdown("Keep `code` as is."), "Keep `code` as is.");
    }

    #[test]
    fn literal_blocks_never_become_doctests() {
        let md = rst_to_markdown("Example::\n\n    { \"a\": 1 }\n\nAfter.");
        assert_eq!(md, "Example:\n\n```text\n{ \"a\": 1 }\n```\n\nAfter.");
        assert_eq!(rst_to_markdown("```\nfn main() {}\n```"), "```text\nfn main() {}\n```");
    }

    #[test]
    fn every_fence_style_is_rendered_as_text() {
        let cases = [
            (
                "Run:\n\n```\nstd::process::exit(1);\n```",
                "Run:\n\n```text\nstd::process::exit(1);\n```",
            ),
            (
                "```rust\ncompile_error!(\"x\");\n```",
                "```text\ncompile_error!(\"x\");\n```",
            ),
            ("~~~\npanic!();\n~~~", "~~~text\npanic!();\n~~~"),
            ("~~~rust\npanic!();\n~~~", "~~~text\npanic!();\n~~~"),
            ("```should_panic\nfn f() {}\n```", "```text\nfn f() {}\n```"),
            ("```no_run\nloop {}\n```", "```text\nloop {}\n```"),
            ("```ignore,edition2021\nx\n```", "```text\nx\n```"),
            ("```compile_fail\nx\n```", "```text\nx\n```"),
            (
                "Indented:\n\n   ```rust\n   panic!();\n   ```",
                "Indented:\n\n```text\n   panic!();\n```",
            ),
            (
                "Unclosed:\n\n~~~rust\npanic!();",
                "Unclosed:\n\n~~~text\npanic!();\n~~~",
            ),
            // rst markup inside a fence is code, not markup.
            ("```rust\nlet x = ``y``;\n```", "```text\nlet x = ``y``;\n```"),
        ];
        for (description, expected) in cases {
            assert_eq!(rst_to_markdown(description), expected, "{description:?}");
        }
    }

    #[test]
    fn indented_code_never_becomes_a_doctest() {
        // After a paragraph's `::` (rst literal block) and without it.
        assert_eq!(
            rst_to_markdown("Do this:\n\n    assert!(false);\n\nDone."),
            "Do this:\n\n```text\nassert!(false);\n```\n\nDone."
        );
        // Deeper, as in a list item: still a text block.
        assert_eq!(
            rst_to_markdown("- step\n\n      assert!(false);"),
            "- step\n\n```text\n  assert!(false);\n```"
        );
        // A quote, where the rst conversion does not look: the Markdown pass fences it.
        assert_eq!(
            rst_to_markdown("> step\n>\n>     assert!(false);"),
            "> step\n>\n> ```text\n> assert!(false);\n> ```"
        );
    }
}
