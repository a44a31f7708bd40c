//! CPU time and peak memory, which load from other processes on a shared machine moves
//! far less than wall time.

use std::process::Command;
use std::time::Duration;

/// CPU time this process has used so far, all threads (the pipeline runs on a thread of
/// its own).
pub fn process_cpu() -> Duration {
    let mut now = libc::timespec { tv_sec: 0, tv_nsec: 0 };
    // SAFETY: `now` is a valid timespec for the call to fill.
    let ok = unsafe { libc::clock_gettime(libc::CLOCK_PROCESS_CPUTIME_ID, &mut now) };
    assert_eq!(ok, 0, "clock_gettime(CLOCK_PROCESS_CPUTIME_ID) failed");
    Duration::new(now.tv_sec as u64, now.tv_nsec as u32)
}

/// CPU time `f` takes in this process.
pub fn cpu_of(f: impl FnOnce()) -> Duration {
    let start = process_cpu();
    f();
    process_cpu().saturating_sub(start)
}

/// What one child process cost.
#[derive(Debug, Clone, Copy)]
pub struct ChildCost {
    pub cpu: Duration,
    /// Peak resident memory, in bytes.
    pub peak_memory: u64,
}

/// Runs `command` to its end and reads its own CPU time and peak memory from the kernel.
// `wait4` reaps the child, which `Child::wait` cannot report on.
#[allow(clippy::zombie_processes)]
pub fn run_child(command: &mut Command) -> ChildCost {
    let child = command
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .expect("the command starts");
    let pid = child.id() as libc::pid_t;
    let mut status = 0;
    // SAFETY: all-zero is a valid rusage for the kernel to fill.
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    // SAFETY: `pid` is our child, not yet reaped (the `Child` is never waited on).
    let reaped = unsafe { libc::wait4(pid, &mut status, 0, &mut usage) };
    assert_eq!(reaped, pid, "wait4 on the child failed");
    assert!(
        libc::WIFEXITED(status) && libc::WEXITSTATUS(status) == 0,
        "the command failed: {command:?}"
    );
    let time = |t: libc::timeval| Duration::new(t.tv_sec as u64, t.tv_usec as u32 * 1000);
    ChildCost {
        cpu: time(usage.ru_utime) + time(usage.ru_stime),
        // Linux reports kilobytes.
        peak_memory: usage.ru_maxrss as u64 * 1024,
    }
}

/// Subject and baseline measured in turns (ABBA order), so that a change in load lands
/// on both alike.
pub struct Interleaved {
    pub subject: Vec<Duration>,
    pub baseline: Vec<Duration>,
}

impl Interleaved {
    pub fn measure(runs: usize, mut subject: impl FnMut() -> Duration, mut baseline: impl FnMut() -> Duration) -> Self {
        // Warm caches and lazy statics for both before counting.
        subject();
        baseline();
        let mut pair = Interleaved {
            subject: Vec::with_capacity(runs),
            baseline: Vec::with_capacity(runs),
        };
        for i in 0..runs {
            if i % 2 == 0 {
                pair.baseline.push(baseline());
                pair.subject.push(subject());
            } else {
                pair.subject.push(subject());
                pair.baseline.push(baseline());
            }
        }
        pair
    }

    pub fn subject_median(&self) -> Duration {
        median(&self.subject)
    }

    pub fn baseline_median(&self) -> Duration {
        median(&self.baseline)
    }

    /// The median of the per-turn ratios: each compares runs made moments apart.
    pub fn ratio(&self) -> f64 {
        let mut ratios: Vec<f64> = self
            .subject
            .iter()
            .zip(&self.baseline)
            .map(|(s, b)| s.as_secs_f64() / b.as_secs_f64().max(1e-9))
            .collect();
        ratios.sort_by(f64::total_cmp);
        ratios[ratios.len() / 2]
    }
}

pub fn median(times: &[Duration]) -> Duration {
    let mut sorted = times.to_vec();
    sorted.sort();
    sorted[sorted.len() / 2]
}

pub fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

/// Set, the benchmark only runs the command its arguments name and prints that command's
/// CPU time (ns) and peak memory (bytes). Linux carries a process's peak memory across
/// fork and exec, so a command spawned by the benchmark itself would start from the
/// benchmark's own peak; spawned by this small process instead, it starts near zero.
pub const MEASURE: &str = "STUBFORGE_BENCH_MEASURE";

/// When this process is the small one [`MEASURE`] asks for: runs the command, prints
/// what it cost, and says so (the caller then exits).
pub fn measure_if_asked() -> bool {
    if std::env::var_os(MEASURE).is_none() {
        return false;
    }
    let mut args = std::env::args_os().skip(1);
    let program = args.next().expect("a command to measure");
    let cost = run_child(Command::new(program).args(args).env_remove(MEASURE));
    println!("{} {}", cost.cpu.as_nanos(), cost.peak_memory);
    true
}

/// Runs `program` with `args` (and `envs`) through a small process of this benchmark, so
/// that its peak memory is its own; its CPU time likewise excludes that process.
pub fn run_alone(program: &std::path::Path, args: &[&std::ffi::OsStr], envs: &[(&str, String)]) -> ChildCost {
    let this = std::env::current_exe().expect("the benchmark knows its own path");
    let output = Command::new(this)
        .env(MEASURE, "1")
        .envs(envs.iter().map(|(k, v)| (k, v)))
        .arg(program)
        .args(args)
        .stderr(std::process::Stdio::inherit())
        .output()
        .expect("the measuring process starts");
    assert!(output.status.success(), "measuring {program:?} failed");
    let text = String::from_utf8(output.stdout).expect("the measurement is text");
    let (cpu, peak) = text.trim().split_once(' ').expect("CPU and peak memory");
    ChildCost {
        cpu: Duration::from_nanos(cpu.parse().expect("CPU in ns")),
        peak_memory: peak.parse().expect("peak memory in bytes"),
    }
}
