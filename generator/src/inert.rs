//! Text from the definition stays text. Descriptions, summaries, titles and paths end up
//! in doc comments, and the spec path in each file's header; there they must neither run
//! (rustdoc compiles and runs every code block of a doc comment that it takes for Rust)
//! nor break the build (rustc rejects a bare carriage return in a doc comment and, by
//! deny-by-default lints, the characters that reorder how text is shown).
//!
//! The write stage passes every token stream through [`inert_docs`], so this holds for
//! each doc comment as rustdoc reads it: all the doc attributes of one item, joined.

use std::borrow::Cow;
use std::fmt::Write as _;

use proc_macro2::{Delimiter, Group, Punct, Spacing, TokenStream, TokenTree};
use pulldown_cmark::{CodeBlockKind, Event, Options, Parser, Tag};

/// The characters rustc's `text_direction_codepoint_in_comment` and
/// `text_direction_codepoint_in_literal` lints reject where they appear unescaped.
fn reorders_text(c: char) -> bool {
    matches!(c, '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}')
}

fn needs_escape(c: char, keep_line_breaks: bool) -> bool {
    match c {
        '\n' => !keep_line_breaks,
        '\t' => false,
        _ => c.is_control() || reorders_text(c),
    }
}

/// Replaces carriage returns, other control characters and text-direction overrides by
/// a visible escape (`\r`, `\u{202E}`); with `keep_line_breaks`, `\n` stays.
pub fn visible_controls(text: &str, keep_line_breaks: bool) -> Cow<'_, str> {
    if !text.chars().any(|c| needs_escape(c, keep_line_breaks)) {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 8);
    for c in text.chars() {
        match c {
            _ if !needs_escape(c, keep_line_breaks) => out.push(c),
            '\r' => out.push_str("\\r"),
            '\n' => out.push_str("\\n"),
            _ => {
                let _ = write!(out, "\\u{{{:X}}}", c as u32);
            }
        }
    }
    Cow::Owned(out)
}

/// A label for one comment line (the `@generated` header, the manifest's first line):
/// no line break or other control character can leave the line.
pub fn one_line(text: &str) -> Cow<'_, str> {
    visible_controls(text, false)
}

/// The Markdown options rustdoc reads doc comments with.
fn rustdoc_options() -> Options {
    Options::ENABLE_TABLES
        | Options::ENABLE_FOOTNOTES
        | Options::ENABLE_STRIKETHROUGH
        | Options::ENABLE_TASKLISTS
        | Options::ENABLE_SMART_PUNCTUATION
}

/// A code block rustdoc could take for a doctest: every block but a ```` ```text ````
/// fence. `fenced` tells how it was written; `start..end` is its byte range.
#[derive(Debug)]
struct CodeBlock {
    fenced: bool,
    start: usize,
    end: usize,
}

fn runnable_blocks(markdown: &str) -> Vec<CodeBlock> {
    Parser::new_ext(markdown, rustdoc_options())
        .into_offset_iter()
        .filter_map(|(event, range)| match event {
            Event::Start(Tag::CodeBlock(CodeBlockKind::Fenced(info))) if info.trim() == "text" => None,
            Event::Start(Tag::CodeBlock(kind)) => Some(CodeBlock {
                fenced: matches!(kind, CodeBlockKind::Fenced(_)),
                start: range.start,
                end: range.end,
            }),
            _ => None,
        })
        .collect()
}

/// Markdown in which no code block can become a doctest: every fence (```` ``` ````,
/// ```` ```rust ````, `~~~`, ```` ```should_panic ````, with any attributes, in lists
/// and quotes too) is relabelled `text`, and every indented code block is put inside a
/// ```` ```text ```` fence. Text without code blocks comes back unchanged.
pub fn inert_markdown(markdown: &str) -> String {
    let mut text = markdown.to_string();
    // Each round fixes every block it finds; a fix can only uncover another block in
    // contrived nesting, and the last resort below is inert by construction.
    for _ in 0..4 {
        let blocks = runnable_blocks(&text);
        if blocks.is_empty() {
            return text;
        }
        text = relabel(&text, &blocks);
    }
    if runnable_blocks(&text).is_empty() {
        return text;
    }
    fence_everything(markdown)
}

/// One pass of fixes, each on whole lines.
fn relabel(text: &str, blocks: &[CodeBlock]) -> String {
    let mut lines: Vec<String> = text.split('\n').map(str::to_string).collect();
    let line_starts: Vec<usize> = std::iter::once(0)
        .chain(text.match_indices('\n').map(|(i, _)| i + 1))
        .collect();
    let line_of = |offset: usize| line_starts.partition_point(|start| *start <= offset) - 1;
    // Lines to insert before line `n` (`n == lines.len()` appends).
    let mut inserts: Vec<Vec<String>> = vec![Vec::new(); lines.len() + 1];
    for block in blocks {
        let first = line_of(block.start);
        let column = block.start - line_starts[first];
        if block.fenced {
            let line = &lines[first];
            let Some(fence_at) = line[column..].find(['`', '~']).map(|i| i + column) else {
                continue;
            };
            let marker = line.as_bytes()[fence_at];
            let fence_len = line[fence_at..].bytes().take_while(|b| *b == marker).count();
            lines[first] = format!("{}text", &line[..fence_at + fence_len]);
        } else {
            let last = line_of(block.end.max(block.start + 1) - 1);
            let fence = "`".repeat(longest_run(&text[block.start..block.end], '`').max(2) + 1);
            // The fence sits where the block's indentation begins, inside any container.
            let first_line = &lines[first];
            let content = first_line.len() - first_line[column..].trim_start().len();
            let indent_start = first_line[..content]
                .char_indices()
                .rfind(|(_, c)| *c != ' ')
                .map_or(0, |(i, c)| i + c.len_utf8());
            let mut cut = indent_start.max(content.saturating_sub(4)).min(content);
            while !first_line.is_char_boundary(cut) {
                cut += 1;
            }
            let prefix = first_line[..cut].to_string();
            // Inside the fence the code needs no indentation of its own.
            let code_indent = format!("{prefix}    ");
            for line in &mut lines[first..=last] {
                if let Some(code) = line.strip_prefix(&code_indent) {
                    *line = format!("{prefix}{code}");
                }
            }
            inserts[first].push(format!("{prefix}{fence}text"));
            inserts[last + 1].push(format!("{prefix}{fence}"));
        }
    }
    let mut out = Vec::with_capacity(lines.len() + blocks.len() * 2);
    for (n, line) in lines.into_iter().enumerate() {
        out.append(&mut inserts[n]);
        out.push(line);
    }
    out.append(&mut inserts.last_mut().map(std::mem::take).unwrap_or_default());
    out.join("\n")
}

/// The last resort: the whole text in one `text` fence longer than any backtick run in
/// it, so nothing inside can close it.
fn fence_everything(markdown: &str) -> String {
    let fence = "`".repeat(longest_run(markdown, '`').max(2) + 1);
    format!("{fence}text\n{markdown}\n{fence}")
}

fn longest_run(text: &str, c: char) -> usize {
    let mut longest = 0;
    let mut current = 0;
    for ch in text.chars() {
        current = if ch == c { current + 1 } else { 0 };
        longest = longest.max(current);
    }
    longest
}

/// Rewrites the doc attributes of every item in `tokens` so that each item's docs, read
/// as rustdoc reads them (joined, common indentation removed), are inert Markdown
/// without control characters. Items whose docs need nothing keep their tokens.
pub fn inert_docs(tokens: TokenStream) -> TokenStream {
    let trees: Vec<TokenTree> = tokens.into_iter().collect();
    let mut out: Vec<TokenTree> = Vec::with_capacity(trees.len());
    let mut i = 0;
    while i < trees.len() {
        let mut end = i;
        while let Some(len) = attribute_at(&trees[end..]) {
            end += len;
        }
        if end > i {
            rewrite_attributes(&trees[i..end], &mut out);
            i = end;
            continue;
        }
        match &trees[i] {
            TokenTree::Group(group) => {
                let mut inner = Group::new(group.delimiter(), inert_docs(group.stream()));
                inner.set_span(group.span());
                out.push(inner.into());
            }
            other => out.push(other.clone()),
        }
        i += 1;
    }
    out.into_iter().collect()
}

/// The length of the attribute (`#[..]` or `#![..]`) at the start of `trees`.
fn attribute_at(trees: &[TokenTree]) -> Option<usize> {
    let is_punct = |tree: Option<&TokenTree>, c: char| matches!(tree, Some(TokenTree::Punct(p)) if p.as_char() == c);
    let is_bracket =
        |tree: Option<&TokenTree>| matches!(tree, Some(TokenTree::Group(g)) if g.delimiter() == Delimiter::Bracket);
    if !is_punct(trees.first(), '#') {
        return None;
    }
    if is_bracket(trees.get(1)) {
        Some(2)
    } else if is_punct(trees.get(1), '!') && is_bracket(trees.get(2)) {
        Some(3)
    } else {
        None
    }
}

/// The value of `doc = "…"` inside an attribute's brackets.
fn doc_value(attribute: &[TokenTree]) -> Option<String> {
    let TokenTree::Group(group) = attribute.last()? else {
        return None;
    };
    let inner: Vec<TokenTree> = group.stream().into_iter().collect();
    match inner.as_slice() {
        [TokenTree::Ident(name), TokenTree::Punct(eq), TokenTree::Literal(lit)]
            if name == "doc" && eq.as_char() == '=' =>
        {
            let lit: syn::LitStr = syn::parse2(TokenTree::Literal(lit.clone()).into()).ok()?;
            Some(lit.value())
        }
        _ => None,
    }
}

/// One run of attributes in front of an item (or at the top of a module): the outer
/// docs and the inner docs are each rewritten as a whole when they need it, the new doc
/// attributes standing where the first old one stood.
fn rewrite_attributes(run: &[TokenTree], out: &mut Vec<TokenTree>) {
    let mut attributes: Vec<Vec<TokenTree>> = Vec::new();
    let mut i = 0;
    while let Some(len) = attribute_at(&run[i..]) {
        attributes.push(run[i..i + len].to_vec());
        i += len;
    }
    for inner in [false, true] {
        let is_doc = |a: &[TokenTree]| (a.len() == 3) == inner && doc_value(a).is_some();
        let docs: Vec<String> = attributes
            .iter()
            .filter(|a| (a.len() == 3) == inner)
            .filter_map(|a| doc_value(a))
            .collect();
        let Some(lines) = rewritten_docs(&docs) else { continue };
        let Some(first) = attributes.iter().position(|a| is_doc(a)) else {
            continue;
        };
        let mut rebuilt = Vec::with_capacity(attributes.len() + lines.len());
        for (index, attribute) in attributes.into_iter().enumerate() {
            if index == first {
                rebuilt.extend(lines.iter().map(|line| doc_attribute(line, inner)));
            }
            if !is_doc(&attribute) {
                rebuilt.push(attribute);
            }
        }
        attributes = rebuilt;
    }
    out.extend(attributes.into_iter().flatten());
}

fn doc_attribute(line: &str, inner: bool) -> Vec<TokenTree> {
    let value = if line.is_empty() {
        String::new()
    } else {
        format!(" {line}")
    };
    let mut tokens = vec![TokenTree::Punct(Punct::new('#', Spacing::Alone))];
    if inner {
        tokens.push(TokenTree::Punct(Punct::new('!', Spacing::Alone)));
    }
    let body: TokenStream = quote::quote!(doc = #value);
    tokens.push(TokenTree::Group(Group::new(Delimiter::Bracket, body)));
    tokens
}

/// The doc lines of one item made inert, or `None` when they already are and rustdoc
/// reads them exactly as this module does (every line indented by the one space the
/// emitters put, no line break inside a value, no tab in an indentation).
fn rewritten_docs(values: &[String]) -> Option<Vec<String>> {
    if values.is_empty() {
        return None;
    }
    let mut normalize = false;
    let mut lines: Vec<String> = Vec::new();
    for value in values {
        let visible = visible_controls(value, true);
        normalize |= matches!(visible, Cow::Owned(_)) || value.contains('\n');
        for line in visible.split('\n') {
            normalize |= !(line.is_empty() || line.starts_with(' ')) || leading_whitespace(line).contains('\t');
            lines.push(line.to_string());
        }
    }
    // rustdoc removes the indentation common to all lines, counting a tab as one
    // character; Markdown then reads a tab as the way to the next multiple of four.
    let is_blank = |line: &str| line.chars().all(char::is_whitespace);
    let common = lines
        .iter()
        .filter(|l| !is_blank(l))
        .map(|l| leading_whitespace(l).chars().count())
        .min()
        .unwrap_or(0);
    let markdown = lines
        .iter()
        .map(|l| {
            if is_blank(l) {
                return String::new();
            }
            let rest = &l[common..];
            let indentation = leading_whitespace(rest);
            expand_tabs(indentation) + &rest[indentation.len()..]
        })
        .collect::<Vec<_>>()
        .join("\n");
    let inert = inert_markdown(&markdown);
    if !normalize && inert == markdown {
        return None;
    }
    Some(inert.split('\n').map(str::to_string).collect())
}

fn leading_whitespace(line: &str) -> &str {
    &line[..line.len() - line.trim_start_matches([' ', '\t']).len()]
}

/// Leading whitespace as spaces, a tab to the next multiple of four columns.
fn expand_tabs(indentation: &str) -> String {
    let mut out = String::new();
    for c in indentation.chars() {
        if c == '\t' {
            out.push_str(&" ".repeat(4 - out.len() % 4));
        } else {
            out.push(' ');
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_fence_style_becomes_text() {
        let cases = [
            ("```\nfn main() {}\n```", "```text\nfn main() {}\n```"),
            ("```rust\npanic!()\n```", "```text\npanic!()\n```"),
            ("~~~\nx\n~~~", "~~~text\nx\n~~~"),
            ("~~~rust\nx\n~~~", "~~~text\nx\n~~~"),
            ("```should_panic\npanic!()\n```", "```text\npanic!()\n```"),
            ("```no_run\nloop {}\n```", "```text\nloop {}\n```"),
            ("```ignore,edition2021\nx\n```", "```text\nx\n```"),
            ("```{.rust .should_panic}\nx\n```", "```text\nx\n```"),
            ("   ```rust\n   x\n   ```", "   ```text\n   x\n   ```"),
            ("````rust\n```\nx\n````", "````text\n```\nx\n````"),
            ("- item\n\n  ```rust\n  x\n  ```", "- item\n\n  ```text\n  x\n  ```"),
            ("> ```rust\n> x\n> ```", "> ```text\n> x\n> ```"),
            ("```json\n{}\n```", "```text\n{}\n```"),
            ("```text\nfine\n```", "```text\nfine\n```"),
            // An unclosed fence runs to the end, and is relabelled all the same.
            ("Intro.\n\n```rust\nfn main() {}", "Intro.\n\n```text\nfn main() {}"),
        ];
        for (markdown, expected) in cases {
            assert_eq!(inert_markdown(markdown), expected, "{markdown:?}");
            assert!(runnable_blocks(expected).is_empty(), "{expected:?}");
        }
    }

    #[test]
    fn indented_code_goes_into_a_text_fence() {
        let cases = [
            (
                "Para.\n\n    let x = 1;\n    assert!(false);\n\nAfter.",
                "Para.\n\n```text\nlet x = 1;\nassert!(false);\n```\n\nAfter.",
            ),
            ("    panic!()", "```text\npanic!()\n```"),
            ("- item\n\n      code\n", "- item\n\n  ```text\n  code\n  ```\n"),
            ("> quote\n>\n>     code", "> quote\n>\n> ```text\n> code\n> ```"),
            ("x\n\n    ```\n    inner\n", "x\n\n````text\n```\ninner\n````\n"),
        ];
        for (markdown, expected) in cases {
            assert_eq!(inert_markdown(markdown), expected, "{markdown:?}");
        }
    }

    #[test]
    fn what_cannot_be_relabelled_is_fenced_whole() {
        // A list item that starts with indented code: a fence in front opens a new
        // item; whatever the rounds make of it, no code block is left.
        let out = inert_markdown("-     panic!()\n-     more()");
        assert!(runnable_blocks(&out).is_empty(), "{out}");
        assert!(out.contains("panic!()") && out.contains("more()"), "{out}");
        let whole = fence_everything("-     a\n````rust\nb");
        assert_eq!(whole, "`````text\n-     a\n````rust\nb\n`````");
        assert!(runnable_blocks(&whole).is_empty());
    }

    #[test]
    fn text_without_code_is_unchanged() {
        let text = "A *list*:\n\n- one\n- two\n\n> quoted `code`\n\n| a | b |\n|---|---|\n| 1 | 2 |";
        assert_eq!(inert_markdown(text), text);
    }

    #[test]
    fn controls_and_direction_overrides_become_visible() {
        assert_eq!(
            visible_controls("a\rb\u{202E}c\u{2066}d\te\nf", true),
            "a\\rb\\u{202E}c\\u{2066}d\te\nf"
        );
        assert_eq!(one_line("api\n// injected\u{0}.yaml"), "api\\n// injected\\u{0}.yaml");
        assert!(matches!(visible_controls("plain — ü", true), Cow::Borrowed(_)));
    }

    /// Markdown made of the characters that build blocks, in every small arrangement a
    /// seeded generator finds: fixing never panics and always leaves no code block.
    #[test]
    fn any_arrangement_of_block_syntax_ends_inert() {
        let alphabet = [
            "`", "~", " ", "    ", "\t", "\n", ">", "- ", "1. ", "x", "é", "```", "~~~", "rust", "<pre>", "[^1]: ",
        ];
        let mut seed: u64 = 0x5EED;
        let mut next = || {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            seed
        };
        for _ in 0..3000 {
            let len = (next() % 24) as usize;
            let text: String = (0..len)
                .map(|_| alphabet[(next() % alphabet.len() as u64) as usize])
                .collect();
            let out = inert_markdown(&text);
            assert!(runnable_blocks(&out).is_empty(), "{text:?} -> {out:?}");
        }
    }

    #[test]
    fn many_blocks_take_linear_time() {
        // 20,000 fences and indented blocks: one pass each, no quadratic insertions.
        let text = "```rust\nx\n```\n\n    y\n\n".repeat(20_000);
        let out = inert_markdown(&text);
        assert!(runnable_blocks(&out).is_empty());
        assert_eq!(out.matches("```text").count(), 40_000);
    }

    #[test]
    fn string_literals_escape_what_rustc_rejects() {
        // Names, examples and paths reach the code as string literals; proc-macro2
        // writes these characters escaped, and prettyplease keeps the literal as written.
        let text = "a\rb\u{202E}c\u{2066}d";
        let source = crate::write::format_rust(quote::quote!(pub const X: &str = #text;), "//").unwrap();
        assert!(source.contains(r#""a\rb\u{202e}c\u{2066}d""#), "{source}");
    }

    fn docs_of(tokens: TokenStream) -> Vec<String> {
        let file: syn::File = syn::parse2(tokens).unwrap();
        file.items
            .iter()
            .flat_map(|item| match item {
                syn::Item::Struct(s) => s.attrs.iter(),
                _ => [].iter(),
            })
            .chain(&file.attrs)
            .filter_map(|attr| match &attr.meta {
                syn::Meta::NameValue(nv) if nv.path.is_ident("doc") => match &nv.value {
                    syn::Expr::Lit(syn::ExprLit {
                        lit: syn::Lit::Str(s), ..
                    }) => Some(s.value()),
                    _ => None,
                },
                _ => None,
            })
            .collect()
    }

    #[test]
    fn the_docs_of_one_item_are_made_inert_together() {
        // A summary that opens a fence, then the description: one doc comment for rustdoc.
        let tokens = quote::quote! {
            #[doc = " ```rust"]
            #[doc = ""]
            #[doc = " assert!(false);"]
            #[derive(Debug)]
            #[doc = " bidi \u{202E} and \r"]
            pub struct A;
        };
        assert_eq!(
            docs_of(inert_docs(tokens)),
            [" ```text", "", " assert!(false);", " bidi \\u{202E} and \\r"]
        );
    }

    #[test]
    fn docs_that_need_nothing_keep_their_tokens() {
        let tokens = quote::quote! {
            #![doc = " Crate docs."]
            #[doc = " A `thing`."]
            #[doc = ""]
            #[doc = " - a list"]
            #[serde(rename = "x")]
            pub struct A { #[doc = " field"] pub x: i32 }
        };
        assert_eq!(inert_docs(tokens.clone()).to_string(), tokens.to_string());
    }

    #[test]
    fn indentation_is_read_as_rustdoc_reads_it() {
        // Every line indented alike: rustdoc removes the common part, so this is a
        // paragraph, not code, and is left alone.
        let tokens = quote::quote! { #[doc = "     text"] #[doc = "     more"] pub struct A; };
        assert_eq!(inert_docs(tokens.clone()).to_string(), tokens.to_string());
        // One line further in than the rest after a blank line: code.
        let tokens = quote::quote! { #[doc = " text"] #[doc = ""] #[doc = "     code"] pub struct A; };
        assert_eq!(docs_of(inert_docs(tokens)), [" text", "", " ```text", " code", " ```"]);
        // A tab counts as indentation too.
        let tokens = quote::quote! { #[doc = " text"] #[doc = ""] #[doc = " \tcode"] pub struct A; };
        assert_eq!(docs_of(inert_docs(tokens)), [" text", "", " ```text", " code", " ```"]);
    }
}
