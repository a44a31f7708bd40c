//! `cargo bench -p stubforge`: what generation costs, each figure against a baseline
//! measured in the same run. The machines are shared and noisy, so subject and baseline
//! run in turns and are timed in CPU time, not wall time: load from other processes
//! then moves both alike, and the ratios travel.
//!
//! - the seed in-process, against reading and parsing the seed alone;
//! - the release binary end to end on the seed, against spawning `true`;
//! - flat definitions of 10, 100 and 1,000 operations, as CPU per operation relative to
//!   the 10-operation one (1.0 everywhere means linear growth);
//! - a cluster-shaped definition (a few hundred operations, deep `$ref`s, long
//!   descriptions) through the binary: CPU, peak memory and generated lines, each against
//!   a floor run in turns with it as a process of its own (this benchmark again, told by
//!   [`FLOOR`] to only read the input and parse and format the output), so that both
//!   are measured by the kernel alike. Every process measured is started by a small one
//!   ([`cpu::MEASURE`]), so that its peak memory is its own.

mod cpu;
mod synthetic;

use std::path::Path;

use cpu::{Interleaved, cpu_of, measure_if_asked, median, ms, run_alone};
use stubforge::{Settings, generate};

/// Set to `INPUT;CRATE_DIR`, the benchmark runs only the floor of the cluster case.
const FLOOR: &str = "STUBFORGE_BENCH_FLOOR";

fn main() {
    if measure_if_asked() {
        return;
    }
    if let Ok(job) = std::env::var(FLOOR) {
        let (input, crate_dir) = job.split_once(';').expect("FLOOR is INPUT;CRATE_DIR");
        floor(Path::new(input), &generated_sources(Path::new(crate_dir)));
        return;
    }
    let root = stubforge::project::workspace_root();
    let seed = root.join("api/server-server/leaving.yaml");
    let binary = env!("CARGO_BIN_EXE_stubforge");
    let scratch = tempfile::tempdir().unwrap();
    println!("stubforge generation benchmark (CPU time, medians; baselines measured in turns with the subject)");

    seed_in_process(&seed);
    seed_binary(&seed, binary, scratch.path());
    scaling(scratch.path());
    cluster(binary, scratch.path());
}

fn seed_in_process(seed: &Path) {
    let settings = Settings::new(seed);
    let size = std::fs::metadata(seed).unwrap().len();
    let pair = Interleaved::measure(
        200,
        || cpu_of(|| drop(generate(&settings).unwrap())),
        || cpu_of(|| drop(stubforge::read_file(seed).unwrap())),
    );
    println!(
        "seed, in-process:        {:>8.3} ms   baseline (read + parse the seed alone, {size} bytes): {:.3} ms   ratio {:.1}x",
        ms(pair.subject_median()),
        ms(pair.baseline_median()),
        pair.ratio()
    );
}

fn seed_binary(seed: &Path, binary: &str, scratch: &Path) {
    let out = scratch.join("seed");
    let mut peak = 0;
    let pair = Interleaved::measure(
        30,
        || {
            let args = [
                "generate".as_ref(),
                "--spec".as_ref(),
                seed.as_os_str(),
                "--out".as_ref(),
                out.as_os_str(),
            ];
            let cost = run_alone(Path::new(binary), &args, &[]);
            peak = peak.max(cost.peak_memory);
            cost.cpu
        },
        || run_alone(Path::new("true"), &[], &[]).cpu,
    );
    println!(
        "seed, binary end to end: {:>8.3} ms   baseline (spawn `true`): {:.3} ms   difference {:.3} ms   peak memory {:.1} MiB",
        ms(pair.subject_median()),
        ms(pair.baseline_median()),
        ms(pair.subject_median().saturating_sub(pair.baseline_median())),
        mib(peak)
    );
}

fn scaling(scratch: &Path) {
    let mut per_op_base = None;
    for n in [10, 100, 1000] {
        let path = scratch.join(format!("flat{n}.json"));
        std::fs::write(&path, synthetic::flat(n)).unwrap();
        let settings = Settings::new(&path);
        let runs = if n == 1000 { 5 } else { 21 };
        drop(generate(&settings).unwrap());
        let times: Vec<_> = (0..runs)
            .map(|_| cpu_of(|| drop(generate(&settings).unwrap())))
            .collect();
        let time = median(&times);
        let per_op = time.as_secs_f64() / n as f64;
        let base = *per_op_base.get_or_insert(per_op);
        println!(
            "{n:>5} operations:        {:>8.3} ms   {:.1} µs per operation   per-operation cost vs 10 operations: {:.2}",
            ms(time),
            per_op * 1e6,
            per_op / base
        );
    }
}

fn cluster(binary: &str, scratch: &Path) {
    let definition = synthetic::cluster(60);
    let path = scratch.join("cluster.json");
    std::fs::write(&path, &definition).unwrap();
    let out = scratch.join("cluster");
    let generate_once = || {
        let args = [
            "generate".as_ref(),
            "--spec".as_ref(),
            path.as_os_str(),
            "--out".as_ref(),
            out.as_os_str(),
        ];
        run_alone(Path::new(binary), &args, &[])
    };
    generate_once();
    let sources = generated_sources(&out);
    let lines: usize = sources.iter().map(|(_, text)| text.lines().count()).sum();
    let text_bytes: usize = sources.iter().map(|(_, text)| text.len()).sum();
    drop(sources);

    // The floor: what any generator must do with this input and this much output, in a
    // process of its own like the subject.
    let this = std::env::current_exe().expect("the benchmark knows its own path");
    let floor_job = [(FLOOR, format!("{};{}", path.display(), out.display()))];
    let floor_once = || run_alone(&this, &[], &floor_job);
    let (mut peak, mut floor_peak) = (0, 0);
    let pair = Interleaved::measure(
        7,
        || {
            let cost = generate_once();
            peak = peak.max(cost.peak_memory);
            cost.cpu
        },
        || {
            let cost = floor_once();
            floor_peak = floor_peak.max(cost.peak_memory);
            cost.cpu
        },
    );
    let operations = definition.matches("\"operationId\"").count();
    let input_lines = definition.lines().count();
    println!(
        "cluster-shaped, {operations} operations, {:.1} MiB of JSON ({input_lines} lines), through the binary:",
        mib(definition.len() as u64)
    );
    println!(
        "  CPU                    {:>8.1} ms   floor (read the input, parse + format the output): {:.1} ms   ratio {:.2}x",
        ms(pair.subject_median()),
        ms(pair.baseline_median()),
        pair.ratio()
    );
    println!(
        "  peak memory            {:>8.1} MiB  floor: {:.1} MiB   ratio {:.2}x   ({:.1}x the input)",
        mib(peak),
        mib(floor_peak),
        peak as f64 / floor_peak.max(1) as f64,
        peak as f64 / definition.len() as f64
    );
    let sources = generated_sources(&out);
    let by_file: Vec<String> = sources
        .iter()
        .map(|(name, text)| format!("{name} {}", text.lines().count()))
        .collect();
    println!(
        "  generated lines        {lines:>8}      {:.1} per input line, {:.0} per operation, {:.1} MiB ({})",
        lines as f64 / input_lines.max(1) as f64,
        lines as f64 / operations.max(1) as f64,
        mib(text_bytes as u64),
        by_file.join(", ")
    );
}

/// Reads the input as stubforge does and parses and formats every generated file: the
/// least a generator of this output from this input must do.
fn floor(input: &Path, sources: &[(String, String)]) {
    drop(stubforge::read_file(input).unwrap());
    for (_, text) in sources {
        let file = syn::parse_file(text).unwrap();
        drop(prettyplease::unparse(&file));
    }
}

/// The generated `.rs` files: name and text.
fn generated_sources(crate_dir: &Path) -> Vec<(String, String)> {
    let mut files: Vec<_> = std::fs::read_dir(crate_dir.join("src"))
        .unwrap()
        .map(|entry| entry.unwrap().path())
        .filter(|path| path.extension().is_some_and(|e| e == "rs"))
        .map(|path| {
            let name = path.file_name().unwrap().to_string_lossy().into_owned();
            (name, std::fs::read_to_string(&path).unwrap())
        })
        .collect();
    files.sort();
    files
}

fn mib(bytes: u64) -> f64 {
    bytes as f64 / (1024.0 * 1024.0)
}
