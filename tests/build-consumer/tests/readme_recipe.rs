//! This crate is the README's `build.rs` recipe: the test fails when the two part ways, or
//! when the recipe no longer lists what a generated crate depends on.

use std::collections::BTreeMap;
use std::path::Path;

const CRATE: &str = env!("CARGO_MANIFEST_DIR");

fn read(relative: &str) -> String {
    let path = Path::new(CRATE).join(relative);
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// The fenced blocks of the README section "2. Generation in `build.rs`", in order.
fn recipe_blocks() -> Vec<String> {
    let readme = read("../../README.md");
    let start = readme
        .find("**2. Generation in `build.rs`**")
        .expect("the README has the build.rs recipe");
    let end = readme[start..].find("**3. ").map_or(readme.len(), |i| start + i);
    let mut blocks = Vec::new();
    let mut current: Option<String> = None;
    for line in readme[start..end].lines() {
        match (&mut current, line.starts_with("```")) {
            (None, true) => current = Some(String::new()),
            (Some(block), true) => {
                blocks.push(std::mem::take(block));
                current = None;
            }
            (Some(block), false) => {
                block.push_str(line);
                block.push('\n');
            }
            (None, false) => {}
        }
    }
    blocks
}

/// `name = spec` lines of one `[table]` of a manifest, comments left out.
fn table(manifest: &str, name: &str) -> BTreeMap<String, String> {
    let header = format!("[{name}]");
    let mut inside = false;
    let mut entries = BTreeMap::new();
    for line in manifest.lines().map(str::trim) {
        if line.starts_with('[') {
            inside = line == header;
        } else if inside && !line.is_empty() && !line.starts_with('#') {
            let (key, value) = line.split_once('=').expect("a `name = spec` line");
            entries.insert(key.trim().to_string(), value.trim().to_string());
        }
    }
    entries
}

#[test]
fn the_recipe_manifest_is_this_crates_and_lists_what_generated_code_uses() {
    let blocks = recipe_blocks();
    assert_eq!(
        blocks.len(),
        3,
        "the recipe is a Cargo.toml, a build.rs and a src/lib.rs"
    );
    let recipe = &blocks[0];
    let ours = read("Cargo.toml");
    assert_eq!(
        table(recipe, "dependencies"),
        table(&ours, "dependencies"),
        "README recipe and tests/build-consumer/Cargo.toml list different dependencies"
    );
    let recipe_build = table(recipe, "build-dependencies");
    let our_build = table(&ours, "build-dependencies");
    assert_eq!(
        recipe_build["stubforge"].replace("../stubforge/generator", "../../generator"),
        our_build["stubforge"],
        "the recipe's stubforge dependency differs from this crate's"
    );

    // Every dependency the types, server and client of a generated crate need, at the
    // version the generated crate asks for (TLS is the recipe's own choice of features).
    let template = read("../../templates/generated.Cargo.toml");
    let features = table(&template, "features");
    let recipe_deps = table(recipe, "dependencies");
    for (name, spec) in table(&template, "dependencies") {
        let needed = !spec.contains("optional = true")
            || ["server", "client"]
                .iter()
                .any(|f| features[*f].contains(&format!("\"dep:{name}\"")));
        if !needed {
            continue;
        }
        let recipe_spec = recipe_deps
            .get(&name)
            .unwrap_or_else(|| panic!("generated crates depend on `{name}`; the README recipe must list it"));
        assert_eq!(
            version(recipe_spec),
            version(&spec),
            "the README recipe asks for another version of `{name}` than generated crates"
        );
    }
}

/// The version requirement of a dependency spec: `"2.3"` or `{ version = "2.3", … }`.
fn version(spec: &str) -> &str {
    let start = spec.find('"').expect("a quoted version") + 1;
    let end = start + spec[start..].find('"').expect("a closing quote");
    &spec[start..end]
}

#[test]
fn the_recipe_build_script_and_lib_are_this_crates() {
    let blocks = recipe_blocks();
    let ours = read("build.rs");
    let recipe_build = blocks[1].replace("// build.rs\n", "");
    assert_eq!(
        recipe_build.replace("\"api/", "\"../../api/"),
        ours,
        "README's build.rs and tests/build-consumer/build.rs differ"
    );
    let include = blocks[2].replace("// src/lib.rs\n", "");
    assert!(
        read("src/lib.rs").contains(include.trim()),
        "tests/build-consumer/src/lib.rs lacks the README's `{}`",
        include.trim()
    );
}
