#!/usr/bin/env python3
"""What a generated crate costs to rebuild, against the previous commit's output.

Builds the generator at two revisions (the previous commit and the working tree, by
default), generates the same definition with each, builds each crate once so that its
dependencies are compiled, then rebuilds each crate alone (`touch src/lib.rs && cargo
build`) several times, alternating the two so that a change of load on the machine falls
on both. It prints the lines of each module and, per rebuild, the CPU time (user + system,
rustc included) and the peak resident memory of the largest process (rustc).

    scripts/rebuild_cost.py --spec DEF [--base REV] [--head REV] [--features default|none|LIST]
                            [--rounds 2] [--release] [--work DIR] [--keep]
                            [--base-bin PATH] [--head-bin PATH] [--target-dir DIR]

`--base` defaults to `HEAD~1`; `--head` to the working tree. `--features none` builds the
types alone (`--no-default-features`). Both crates share one target directory under
`--work` (default: a fresh folder under the system's temporary directory), removed at the
end unless `--keep`. `--base-bin`/`--head-bin` use a generator already built instead of
building one; `--target-dir` reuses a target directory that has the dependencies. The
dependencies are built once per feature set; the first run on a
definition takes as long as a clean build.

Not part of CI: rustc's time and memory depend on the machine, and this is a measurement
to read, not a pass/fail check.
"""

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def measured(cmd, cwd, env):
    """Runs `cmd` and returns (CPU seconds, peak RSS MiB) of it and every process it waited
    for: cargo waits for rustc, and Linux reports the largest descendant's peak."""
    proc = subprocess.Popen(cmd, cwd=cwd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    stderr = proc.stderr.read()
    _, status, usage = os.wait4(proc.pid, 0)
    if os.waitstatus_to_exitcode(status) != 0:
        sys.stderr.write(stderr.decode(errors="replace")[-4000:])
        sys.exit(f"failed: {' '.join(cmd)} in {cwd}")
    return usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024


def generator(rev, work, release):
    """The stubforge binary of `rev` (`None`: the working tree)."""
    profile = "release" if release else "debug"
    if rev is None:
        source = ROOT
        target = os.path.join(work, "gen-target-head")
    else:
        source = os.path.join(work, "src-" + rev.replace("/", "_").replace("~", "_"))
        if not os.path.isdir(source):
            subprocess.run(["git", "-C", ROOT, "worktree", "add", "--detach", "--quiet", source, rev], check=True)
        target = os.path.join(work, "gen-target-rev")
    env = dict(os.environ, CARGO_TARGET_DIR=target, CARGO_INCREMENTAL="0")
    cmd = ["cargo", "build", "-p", "stubforge", "--locked"] + (["--release"] if release else [])
    print(f"building the generator at {rev or 'the working tree'} ({profile})", flush=True)
    subprocess.run(cmd, cwd=source, env=env, check=True)
    return os.path.join(target, profile, "stubforge")


def generate(binary, spec, out, name):
    if os.path.isdir(out):
        shutil.rmtree(out)
    subprocess.run(
        [binary, "generate", "--spec", spec, "--out", out, "--crate-name", name],
        check=True,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    # A crate of its own, whatever folder `--work` is under; the repository's lock file
    # pins the same dependency versions for both.
    with open(os.path.join(out, "Cargo.toml"), "a") as manifest:
        manifest.write("\n[workspace]\n")
    shutil.copy(os.path.join(ROOT, "Cargo.lock"), os.path.join(out, "Cargo.lock"))


def lines(crate):
    counts = {}
    src = os.path.join(crate, "src")
    for name in sorted(os.listdir(src)):
        with open(os.path.join(src, name)) as f:
            counts[name] = sum(1 for _ in f)
    return counts


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--spec", required=True)
    parser.add_argument("--base", default="HEAD~1")
    parser.add_argument("--head", default=None, help="a revision; default: the working tree")
    parser.add_argument("--features", default="default")
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--release", action="store_true", help="release generators (same output, slower to build)")
    parser.add_argument("--work")
    parser.add_argument("--keep", action="store_true")
    parser.add_argument("--base-bin")
    parser.add_argument("--head-bin")
    parser.add_argument("--target-dir")
    args = parser.parse_args()

    spec = os.path.abspath(args.spec)
    work = os.path.abspath(args.work) if args.work else tempfile.mkdtemp(prefix="stubforge-rebuild-")
    os.makedirs(work, exist_ok=True)
    sides = [("base", args.base), ("head", args.head)]
    try:
        crates = {}
        prebuilt = {"base": args.base_bin, "head": args.head_bin}
        for side, rev in sides:
            binary = os.path.abspath(prebuilt[side]) if prebuilt[side] else generator(rev, work, args.release)
            crates[side] = os.path.join(work, f"crate-{side}")
            generate(binary, spec, crates[side], f"rebuild-{side}")
        features = {"default": [], "none": ["--no-default-features"]}.get(
            args.features, ["--no-default-features", "--features", args.features]
        )
        env = dict(os.environ, CARGO_TARGET_DIR=os.path.abspath(args.target_dir or os.path.join(work, "crate-target")), CARGO_INCREMENTAL="0")
        build = ["cargo", "build", "--offline", "--quiet"] + features
        for side, _ in sides:
            print(f"building {side}'s crate and its dependencies once", flush=True)
            measured(build, crates[side], env)
        results = {side: [] for side, _ in sides}
        for round in range(args.rounds):
            for side, _ in sides if round % 2 == 0 else reversed(sides):
                os.utime(os.path.join(crates[side], "src", "lib.rs"))
                cpu, peak = measured(build, crates[side], env)
                results[side].append((cpu, peak))
                print(f"  round {round + 1} {side}: {cpu:.1f} s CPU, rustc peak {peak:.0f} MiB", flush=True)

        print(f"\n{os.path.basename(spec)}, features: {args.features}")
        base_lines, head_lines = lines(crates["base"]), lines(crates["head"])
        print(f"{'module':24} {'base':>9} {'head':>9}")
        for name in sorted(set(base_lines) | set(head_lines)):
            print(f"{name:24} {base_lines.get(name, 0):9,} {head_lines.get(name, 0):9,}")
        print(f"{'total':24} {sum(base_lines.values()):9,} {sum(head_lines.values()):9,}")
        for side, rev in sides:
            source = prebuilt[side] or rev or "working tree"
            cpu = statistics.median(r[0] for r in results[side])
            peak = max(r[1] for r in results[side])
            print(f"{side} ({source}): crate-only rebuild {cpu:.1f} s CPU (median), rustc peak {peak:.0f} MiB")
    finally:
        for side, rev in sides:
            source = os.path.join(work, "src-" + (rev or "").replace("/", "_").replace("~", "_"))
            if rev is not None and os.path.isdir(source):
                subprocess.run(["git", "-C", ROOT, "worktree", "remove", "--force", source], check=False)
        if not args.keep:
            shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
