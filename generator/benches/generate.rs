//! `cargo bench -p stubforge`: how long generation takes, against baselines measured in
//! the same run (the machine is shared and noisy, so only ratios travel well).
//!
//! - the seed in-process, against parsing the seed's YAML alone;
//! - the release binary end to end on the seed, against spawning a process that does
//!   nothing;
//! - synthetic definitions of 10, 100 and 1,000 operations, as time per operation
//!   relative to the 10-operation one (1.0 everywhere means linear growth).

use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant};

use serde_json::json;
use stubforge::{Settings, generate};

/// Median wall time of `runs` calls of `f`, after one warm-up call.
fn median(runs: usize, mut f: impl FnMut()) -> Duration {
    f();
    let mut times: Vec<Duration> = (0..runs)
        .map(|_| {
            let start = Instant::now();
            f();
            start.elapsed()
        })
        .collect();
    times.sort();
    times[runs / 2]
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

/// A Swagger 2.0 definition with `n` operations, each with a path parameter, a body
/// object, and two responses (one of them a shared error definition).
fn synthetic(n: usize) -> String {
    let mut paths = serde_json::Map::new();
    for i in 0..n {
        paths.insert(
            format!("/things{i}/{{thingId}}"),
            json!({
                "put": {
                    "operationId": format!("putThing{i}"),
                    "parameters": [
                        {"in": "path", "name": "thingId", "type": "string", "required": true},
                        {"in": "body", "name": "body", "required": true, "schema": {
                            "type": "object",
                            "title": format!("Thing {i}"),
                            "properties": {
                                "name": {"type": "string", "description": "The name."},
                                "count": {"type": "integer", "format": "int64"},
                                "tags": {"type": "array", "items": {"type": "string"}}
                            },
                            "required": ["name"]
                        }, "example": {"name": "x", "count": 1}}
                    ],
                    "responses": {
                        "200": {"description": "Stored.", "schema": {"type": "object", "properties": {"id": {"type": "string"}}}},
                        "400": {"description": "Bad.", "schema": {"$ref": "#/definitions/Error"}}
                    }
                }
            }),
        );
    }
    let doc = json!({
        "swagger": "2.0",
        "info": {"title": "Synthetic", "version": "1"},
        "basePath": "/v1",
        "paths": paths,
        "definitions": {"Error": {"type": "object", "properties": {"errcode": {"type": "string"}}, "required": ["errcode"]}}
    });
    serde_json::to_string_pretty(&doc).unwrap()
}

fn main() {
    let root = stubforge::project::workspace_root();
    let seed = root.join("api/server-server/leaving.yaml");
    let settings = Settings::new(&seed);

    println!("stubforge generation benchmark (medians; baselines measured in this run)");
    let seed_text = std::fs::read_to_string(&seed).unwrap();
    let parse = median(200, || {
        stubforge::read_file(&seed).unwrap();
    });
    let in_process = median(200, || {
        generate(&settings).unwrap();
    });
    println!(
        "seed, in-process:      {:>8.3} ms   baseline (read + parse the seed's YAML alone, {} bytes): {:.3} ms   ratio {:.1}x",
        ms(in_process),
        seed_text.len(),
        ms(parse),
        in_process.as_secs_f64() / parse.as_secs_f64()
    );

    let out = tempfile::tempdir().unwrap();
    let binary = env!("CARGO_BIN_EXE_stubforge");
    let spec = seed.display().to_string();
    let dir = out.path().display().to_string();
    let end_to_end = median(30, || {
        let status = Command::new(binary)
            .args(["generate", "--spec", &spec, "--out", &dir])
            .output()
            .unwrap()
            .status;
        assert!(status.success());
    });
    let spawn = median(30, || {
        Command::new("true").status().unwrap();
    });
    println!(
        "seed, binary end to end: {:>6.3} ms   baseline (spawn `true`): {:.3} ms   difference {:.3} ms",
        ms(end_to_end),
        ms(spawn),
        ms(end_to_end.saturating_sub(spawn))
    );

    let dir = tempfile::tempdir().unwrap();
    let mut per_op_base = None;
    for n in [10, 100, 1000] {
        let path = dir.path().join(format!("synthetic{n}.json"));
        std::fs::write(&path, synthetic(n)).unwrap();
        let settings = Settings::new(Path::new(&path));
        let runs = if n == 1000 { 5 } else { 21 };
        let time = median(runs, || {
            generate(&settings).unwrap();
        });
        let per_op = time.as_secs_f64() / n as f64;
        let base = *per_op_base.get_or_insert(per_op);
        println!(
            "{n:>5} operations:      {:>8.3} ms   {:.1} µs per operation   per-operation cost vs 10 operations: {:.2}",
            ms(time),
            per_op * 1e6,
            per_op / base
        );
    }
}
