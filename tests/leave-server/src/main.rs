//! Serves the in-memory leave API through the generated router on 127.0.0.1, with the
//! generated `serve`: timeouts on every connection and a graceful stop on Ctrl-C.
//!
//! `cargo run -p leave-server -- --port 8448` (or `LEAVE_SERVER_PORT=8448`); 8448 by
//! default, `--port 0` picks a free one. Any `Authorization: X-Matrix origin=…` header is
//! trusted. The address is printed on stdout (`listening on 127.0.0.1:PORT`) once the
//! server accepts connections.
//!
//! The server's limits can be changed for tests and experiments:
//! `--header-timeout-ms`, `--body-timeout-ms`, `--idle-timeout-ms`, `--body-limit` and
//! `--buffered-body-cap` (bytes).
//!
//! `--openapi FILE` serves FILE (what `stubforge export` writes) on `GET /openapi.json`,
//! for tools such as schemathesis.

use std::io::Write;
use std::process::ExitCode;
use std::time::Duration;

use leave_server::LeaveServer;
use matrix_federation_leave::server::{ServerConfig, router_with_config, serve};

const DEFAULT_PORT: u16 = 8448;
const USAGE: &str = "usage: leave-server [--port PORT] [--header-timeout-ms MS] [--body-timeout-ms MS] \
                     [--idle-timeout-ms MS] [--body-limit BYTES] [--buffered-body-cap BYTES] [--openapi FILE]   (or set LEAVE_SERVER_PORT)";

struct Options {
    port: u16,
    config: ServerConfig,
}

fn options() -> Result<Options, String> {
    let mut port = match std::env::var("LEAVE_SERVER_PORT") {
        Ok(text) => number(&text)?,
        Err(_) => u64::from(DEFAULT_PORT),
    };
    let mut config = ServerConfig::default();
    let mut args = std::env::args().skip(1);
    while let Some(flag) = args.next() {
        let text = args.next().ok_or_else(|| USAGE.to_string())?;
        if flag == "--openapi" {
            let document = std::fs::read(&text).map_err(|e| format!("cannot read {text}: {e}"))?;
            config = config.with_openapi_document("/openapi.json", document);
            continue;
        }
        let value = number(&text)?;
        let ms = Duration::from_millis(value);
        let bytes = usize::try_from(value).map_err(|_| format!("{value} bytes is too many here"))?;
        match flag.as_str() {
            "--port" => port = value,
            "--header-timeout-ms" => config.header_read_timeout = ms,
            "--body-timeout-ms" => config.body_timeout = ms,
            "--idle-timeout-ms" => config.keep_alive_idle_timeout = ms,
            "--body-limit" => config.body_limit = bytes,
            "--buffered-body-cap" => config.buffered_body_cap = bytes,
            _ => return Err(USAGE.to_string()),
        }
    }
    let port = u16::try_from(port).map_err(|_| format!("`{port}` is not a port number"))?;
    Ok(Options { port, config })
}

fn number(text: &str) -> Result<u64, String> {
    text.parse().map_err(|_| format!("`{text}` is not a number"))
}

#[tokio::main]
async fn main() -> ExitCode {
    let Options { port, config } = match options() {
        Ok(options) => options,
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
    let addr = match listener.local_addr() {
        Ok(addr) => addr,
        Err(e) => {
            eprintln!("error: {e}");
            return ExitCode::FAILURE;
        }
    };
    eprintln!("serving the leave API on http://{addr}/_matrix/federation/v1 (room !abc123:matrix.org)");
    // Tests read this line to learn the port.
    println!("listening on {addr}");
    let _ = std::io::stdout().flush();
    let app = router_with_config(LeaveServer::demo(), config.clone());
    let stop = async {
        // Without a signal handler the process still stops on Ctrl-C, just not gracefully.
        if tokio::signal::ctrl_c().await.is_err() {
            std::future::pending::<()>().await;
        }
    };
    if let Err(e) = serve(listener, app, &config, stop).await {
        eprintln!("error: {e}");
        return ExitCode::FAILURE;
    }
    ExitCode::SUCCESS
}
