//! The `stubforge` command: a thin clap wrapper over [`stubforge::run`].

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::{Parser, Subcommand};
use stubforge::{Settings, run};

/// Generates a typed Rust crate from a Swagger 2.0 or OpenAPI 3.0 definition.
///
/// Without a subcommand, regenerates this project's committed `generated/` crate from
/// `api/server-server/leaving.yaml`.
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

/// The project's own layout, for the no-argument run.
const PROJECT_SPEC: &str = "api/server-server/leaving.yaml";
const PROJECT_OUT: &str = "generated";
const PROJECT_CRATE: &str = "matrix-federation-leave";

fn main() -> ExitCode {
    let cli = Cli::parse();
    let (settings, out) = match cli.command {
        Some(Command::Generate { spec, out, crate_name }) => {
            let mut settings = Settings::new(spec);
            settings.crate_name = crate_name;
            (settings, out)
        }
        None => {
            // The workspace root, wherever cargo runs the binary from.
            let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
            let mut settings = Settings::new(root.join(PROJECT_SPEC));
            settings.source_label = Some(PROJECT_SPEC.to_string());
            settings.crate_name = Some(PROJECT_CRATE.to_string());
            (settings, root.join(PROJECT_OUT))
        }
    };
    match run(&settings, &out, cli.check) {
        Ok((generated, report)) => {
            for warning in &generated.warnings {
                eprintln!("{warning}");
            }
            if cli.check {
                if report.is_clean() {
                    eprintln!("{} is up to date", out.display());
                    return ExitCode::SUCCESS;
                }
                for path in report.changed.iter().chain(&report.removed) {
                    eprintln!("stale: {}", path.display());
                }
                eprintln!(
                    "error: generated code is stale; run `cargo run` (or `stubforge generate` without --check) to refresh it"
                );
                return ExitCode::from(1);
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
            ExitCode::SUCCESS
        }
        Err(failure) => {
            eprintln!("{failure}");
            ExitCode::from(1)
        }
    }
}
