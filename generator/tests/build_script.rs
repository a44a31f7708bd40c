//! A real cargo build of a crate whose build script generates the leave API: cargo reruns
//! the script exactly when a file the definition reaches changes, and a broken
//! definition fails the build with the located message.

use std::path::{Path, PathBuf};
use std::process::Command;

use stubforge::project::workspace_root;

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let target = to.join(entry.file_name());
        if entry.file_type().unwrap().is_dir() {
            copy_dir(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), target).unwrap();
        }
    }
}

/// A consumer crate in a temporary folder, next to a copy of `api/`.
struct Consumer {
    dir: tempfile::TempDir,
}

impl Consumer {
    fn new() -> Consumer {
        let root = workspace_root();
        let dir = tempfile::tempdir().unwrap();
        copy_dir(&root.join("api"), &dir.path().join("api"));
        std::fs::write(dir.path().join("api/unrelated.yaml"), "not: referenced\n").unwrap();
        let krate = dir.path().join("consumer");
        std::fs::create_dir_all(krate.join("src")).unwrap();
        let generator = root.join("generator").display().to_string();
        std::fs::write(
            krate.join("Cargo.toml"),
            format!(
                "[package]\nname = \"consumer\"\nversion = \"0.0.0\"\nedition = \"2024\"\n\n[workspace]\n\n\
                 [dependencies]\nserde = {{ version = \"1.0\", features = [\"derive\"] }}\nserde_json = \"1.0\"\n\n\
                 [build-dependencies]\nstubforge = {{ path = {generator:?} }}\n"
            ),
        )
        .unwrap();
        std::fs::write(
            krate.join("build.rs"),
            "fn main() -> Result<(), stubforge::Failure> {\n    \
             stubforge::configure().spec(\"../api/server-server/leaving.yaml\").file_name(\"leave\")\
             .client(false).server(false).generate()?;\n    \
             Ok(())\n}\n",
        )
        .unwrap();
        std::fs::write(
            krate.join("src/lib.rs"),
            "include!(concat!(env!(\"OUT_DIR\"), \"/leave.rs\"));\n",
        )
        .unwrap();
        // The workspace's lock file pins the same versions, so nothing is fetched.
        std::fs::copy(root.join("Cargo.lock"), krate.join("Cargo.lock")).unwrap();
        Consumer { dir }
    }

    fn path(&self, relative: &str) -> PathBuf {
        self.dir.path().join(relative)
    }

    /// Runs `cargo build -v`; returns whether it succeeded, whether the build script ran,
    /// and cargo's output.
    fn build(&self) -> (bool, bool, String) {
        let output = Command::new(env!("CARGO"))
            .args(["build", "-v", "--offline"])
            .current_dir(self.path("consumer"))
            // Its own folder, kept between runs, so only the first build compiles stubforge.
            .env("CARGO_TARGET_DIR", workspace_root().join("target/build-script-test"))
            .env_remove("RUSTFLAGS")
            .output()
            .unwrap();
        let log = String::from_utf8_lossy(&output.stderr).into_owned();
        let ran = log
            .lines()
            .any(|l| l.contains("Running `") && l.contains("consumer-") && l.contains("build-script-build"));
        (output.status.success(), ran, log)
    }
}

#[test]
fn cargo_reruns_the_build_script_exactly_when_an_input_changes() {
    let consumer = Consumer::new();
    let (ok, ran, log) = consumer.build();
    assert!(ok && ran, "first build:\n{log}");

    let (ok, ran, log) = consumer.build();
    assert!(ok && !ran, "an unchanged rebuild must not run the generator:\n{log}");

    std::fs::write(consumer.path("api/unrelated.yaml"), "still: not referenced\n").unwrap();
    let (ok, ran, log) = consumer.build();
    assert!(
        ok && !ran,
        "a file the definition does not reach must not rerun it:\n{log}"
    );

    let error_yaml = consumer.path("api/client-server/definitions/errors/error.yaml");
    let text = std::fs::read_to_string(&error_yaml).unwrap();
    std::fs::write(
        &error_yaml,
        text.replace("A Matrix-level Error", "A Matrix-level error body"),
    )
    .unwrap();
    let (ok, ran, log) = consumer.build();
    assert!(ok && ran, "a referenced file changed, the script must rerun:\n{log}");

    let spec = consumer.path("api/server-server/leaving.yaml");
    let text = std::fs::read_to_string(&spec).unwrap();
    std::fs::write(&spec, text.replace("name: userId", "name: user")).unwrap();
    let (ok, _, log) = consumer.build();
    assert!(!ok, "a broken definition must fail the build:\n{log}");
    assert!(
        log.contains(
            "error: ../api/server-server/leaving.yaml:30:5: path parameter `userId` in `/make_leave/{roomId}/{userId}` is not declared"
        ),
        "{log}"
    );
    assert!(log.contains("help: add a parameter with `name: userId`"), "{log}");
    assert!(!log.contains("panicked"), "{log}");
}
