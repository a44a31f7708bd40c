//! Serves the in-memory leave API through the generated router on 127.0.0.1.
//!
//! `cargo run -p leave-server -- --port 8448` (or `LEAVE_SERVER_PORT=8448`); 8448 by
//! default. Any `Authorization: X-Matrix origin=…` header is trusted.

use std::process::ExitCode;

use leave_server::LeaveServer;
use matrix_federation_leave::server::router;

const DEFAULT_PORT: u16 = 8448;

fn port() -> Result<u16, String> {
    let mut args = std::env::args().skip(1);
    let text = match (args.next().as_deref(), args.next()) {
        (Some("--port"), Some(port)) => port,
        (None, _) => match std::env::var("LEAVE_SERVER_PORT") {
            Ok(port) => port,
            Err(_) => return Ok(DEFAULT_PORT),
        },
        _ => return Err("usage: leave-server [--port PORT]   (or set LEAVE_SERVER_PORT)".to_string()),
    };
    text.parse().map_err(|_| format!("`{text}` is not a port number"))
}

#[tokio::main]
async fn main() -> ExitCode {
    let port = match port() {
        Ok(port) => port,
        Err(message) => {
            eprintln!("error: {message}");
            return ExitCode::from(2);
        }
    };
    let listener = match tokio::net::TcpListener::bind(("127.0.0.1", port)).await {
        Ok(listener) => listener,
        Err(e) => {
            eprintln!("error: cannot listen on 127.0.0.1:{port}: {e}");
            return ExitCode::FAILURE;
        }
    };
    eprintln!("serving the leave API on http://127.0.0.1:{port}/_matrix/federation/v1 (room !abc123:matrix.org)");
    if let Err(e) = axum::serve(listener, router(LeaveServer::demo())).await {
        eprintln!("error: {e}");
        return ExitCode::FAILURE;
    }
    ExitCode::SUCCESS
}
