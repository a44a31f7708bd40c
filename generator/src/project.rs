//! This repository's own generated crates: what `cargo run` with no arguments
//! regenerates, and what the staleness test compares.

use std::path::{Path, PathBuf};

use crate::{Layout, Settings};

/// One committed crate and the definition it is generated from, relative to the
/// workspace root.
pub struct Target {
    /// The root definition.
    pub spec: &'static str,
    /// The crate folder it is written to.
    pub out: &'static str,
    /// The package name.
    pub crate_name: &'static str,
}

/// Every committed crate, in the order `cargo run` writes them.
pub const TARGETS: [Target; 15] = [
    Target {
        spec: "api/server-server/leaving.yaml",
        out: "generated",
        crate_name: "matrix-federation-leave",
    },
    Target {
        spec: "tests/fixtures/dialect/api.yaml",
        out: "tests/dialect-generated",
        crate_name: "dialect-generated",
    },
    Target {
        spec: "tests/fixtures/params.yaml",
        out: "tests/params-api",
        crate_name: "params-api",
    },
    Target {
        spec: "tests/corpus/switchboard-voice.yaml",
        out: "tests/switchboard-voice",
        crate_name: "switchboard-voice",
    },
    Target {
        spec: "tests/corpus/package-registry-status-ranges.yaml",
        out: "tests/package-registry",
        crate_name: "package-registry",
    },
    Target {
        spec: "tests/fixtures/leave-current/api.yaml",
        out: "tests/leave-current",
        crate_name: "matrix-federation-leave-current",
    },
    Target {
        spec: "tests/corpus/report-exports.yaml",
        out: "tests/report-exports",
        crate_name: "report-exports",
    },
    Target {
        spec: "tests/corpus/file-storage-uploads.yaml",
        out: "tests/file-storage",
        crate_name: "file-storage",
    },
    Target {
        spec: "tests/corpus/search-analytics-param-styles.yaml",
        out: "tests/search-analytics",
        crate_name: "search-analytics",
    },
    Target {
        spec: "tests/corpus/callwire-telephony-forms.yaml",
        out: "tests/callwire-telephony",
        crate_name: "callwire-telephony",
    },
    Target {
        spec: "tests/corpus/ledgerline-expense-attachments.yaml",
        out: "tests/ledgerline-expenses",
        crate_name: "ledgerline-expenses",
    },
    Target {
        spec: "tests/fixtures/join/api.yaml",
        out: "tests/join-api",
        crate_name: "matrix-federation-join",
    },
    Target {
        spec: "tests/fixtures/server-keys/api.yaml",
        out: "tests/server-keys",
        crate_name: "matrix-server-keys",
    },
    Target {
        spec: "tests/corpus/stream-ledger-json-targets.json",
        out: "tests/stream-ledger",
        crate_name: "stream-ledger",
    },
    Target {
        spec: "tests/corpus/relay-queue-query-actions.json",
        out: "tests/relay-queue",
        crate_name: "relay-queue",
    },
];

impl Target {
    /// The settings and output folder for a workspace at `root`. The header names the
    /// definition by its workspace-relative path, so output is the same on every machine.
    pub fn resolve(&self, root: &Path) -> (Settings, PathBuf) {
        let mut settings = Settings::new(root.join(self.spec));
        settings.source_label = Some(self.spec.to_string());
        settings.layout = Layout::Crate {
            name: Some(self.crate_name.to_string()),
        };
        (settings, root.join(self.out))
    }
}

/// The workspace root of this repository, as seen from the generator crate.
pub fn workspace_root() -> PathBuf {
    crate::load::normalize(&Path::new(env!("CARGO_MANIFEST_DIR")).join(".."))
}
