//! The `stubforge` command: a thin clap wrapper over [`stubforge::run`].

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::{Parser, Subcommand};
use stubforge::{Layout, Settings, project, run};

/// Generates a typed Rust crate from a Swagger 2.0 or OpenAPI 3.0 definition.
///
/// Without a subcommand, regenerates this project's committed crates: `generated/` from
/// `api/server-server/leaving.yaml`, and the test fixture's crate.
#[derive(Parser)]
#[command(version, about, long_about)]
struct Cli {
    /// Compare instead of writing: exit 1 and list the stale files when the output
    /// differs from what would be generated.
    #[arg(long, global = true)]
    check: bool,

    #[command(subcommand)]
    command: Option<Command>,
}

#[derive(Subcommand)]
enum Command {
    /// Generate a crate from any definition.
    Generate {
        /// The root definition file (YAML or JSON); `$ref`s are resolved relative to it.
        #[arg(long, value_name = "PATH")]
        spec: PathBuf,
        /// The crate folder to write (`Cargo.toml` and `src/`); created if missing.
        #[arg(long, value_name = "DIR")]
        out: PathBuf,
        /// The generated package's name [default: made from the definition's title].
        #[arg(long, value_name = "NAME")]
        crate_name: Option<String>,
    },
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let jobs = match cli.command {
        Some(Command::Generate { spec, out, crate_name }) => {
            let mut settings = Settings::new(spec);
            settings.layout = Layout::Crate { name: crate_name };
            vec![(settings, out)]
        }
        None => {
            let root = project::workspace_root();
            if !root.join(project::TARGETS[0].spec).exists() {
                // A binary built here and run elsewhere: there is no project to refresh.
                eprintln!(
                    "error: without a subcommand stubforge regenerates its own workspace's crates, and {} is not there\n  help: run `stubforge generate --spec PATH --out DIR` (see --help)",
                    root.display()
                );
                return ExitCode::from(2);
            }
            project::TARGETS.iter().map(|t| t.resolve(&root)).collect()
        }
    };
    let mut status = ExitCode::SUCCESS;
    for (settings, out) in &jobs {
        if !generate_one(settings, out, cli.check) {
            status = ExitCode::from(1);
        }
    }
    status
}

/// Runs one generation and reports it; false when it failed or (with `--check`) is stale.
fn generate_one(settings: &Settings, out: &Path, check: bool) -> bool {
    match run(settings, out, check) {
        Ok((generated, report)) => {
            for warning in &generated.warnings {
                eprintln!("{warning}");
            }
            if check {
                if report.is_clean() {
                    eprintln!("{} is up to date", out.display());
                    return true;
                }
                for path in report.changed.iter().chain(&report.removed) {
                    eprintln!("stale: {}", path.display());
                }
                eprintln!(
                    "error: {} is stale; run `cargo run` (or `stubforge generate` without --check) to refresh it",
                    out.display()
                );
                return false;
            }
            if report.is_clean() {
                eprintln!("{} is up to date", out.display());
            } else {
                for path in &report.changed {
                    eprintln!("wrote {}", path.display());
                }
                for path in &report.removed {
                    eprintln!("removed {}", path.display());
                }
            }
            true
        }
        Err(failure) => {
            eprintln!("{failure}");
            false
        }
    }
}
