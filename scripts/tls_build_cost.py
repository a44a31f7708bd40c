#!/usr/bin/env python3
"""CPU time of a clean debug build of a generated crate, for each choice of TLS feature.

Each choice is built from nothing in a target directory of its own (removed afterwards),
with `cargo build --locked -p CRATE --no-default-features --features ...`, and the CPU
time of cargo and everything it ran (user + sys, from the kernel's accounting of
children) is printed beside the wall time. CPU time, not wall time, is the figure to
compare: it does not depend on what else the machine is doing, only on what is compiled.

    scripts/tls_build_cost.py [--crate matrix-federation-leave] [--target-dir DIR]
                              [--only rustls-ring,none] [--jobs N]

The choices are the generated crate's TLS features (`rustls-ring`, `rustls-aws-lc`,
`native-tls`) and `none` (a client with no TLS: the caller passes in a `reqwest::Client`),
each beside `server` and `client`, and `types` (neither). Not part of CI: it takes
minutes and the figures are to read, not to check.
"""

import argparse
import os
import resource
import shutil
import subprocess
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
CHOICES = {
    "rustls-ring": "server,client,rustls-ring",
    "rustls-aws-lc": "server,client,rustls-aws-lc",
    "native-tls": "server,client,native-tls",
    "none": "server,client",
    "types": "",
}


def children_cpu():
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def build(crate, features, target_dir, jobs):
    shutil.rmtree(target_dir, ignore_errors=True)
    command = ["cargo", "build", "--locked", "-q", "-p", crate, "--no-default-features"]
    if features:
        command += ["--features", features]
    if jobs:
        command += ["--jobs", str(jobs)]
    env = dict(os.environ, CARGO_TARGET_DIR=target_dir, CARGO_INCREMENTAL="0")
    cpu_before, wall_before = children_cpu(), time.monotonic()
    result = subprocess.run(command, cwd=ROOT, env=env, stderr=subprocess.PIPE, text=True)
    cpu, wall = children_cpu() - cpu_before, time.monotonic() - wall_before
    shutil.rmtree(target_dir, ignore_errors=True)
    if result.returncode != 0:
        return None, wall, result.stderr.strip().splitlines()[-5:]
    return cpu, wall, []


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--crate", default="matrix-federation-leave")
    parser.add_argument("--target-dir", default=os.path.join(ROOT, "target-tls"))
    parser.add_argument("--only", help="comma-separated choices, of: " + ", ".join(CHOICES))
    parser.add_argument("--jobs", type=int)
    args = parser.parse_args()
    names = args.only.split(",") if args.only else list(CHOICES)
    unknown = [name for name in names if name not in CHOICES]
    if unknown:
        sys.exit(f"error: no choice named {', '.join(unknown)}; the choices are {', '.join(CHOICES)}")
    print(f"clean debug build of {args.crate}, CPU = user + sys of cargo and all it ran")
    for name in names:
        features = CHOICES[name]
        cpu, wall, errors = build(args.crate, features, args.target_dir, args.jobs)
        shown = features or "(no features)"
        if cpu is None:
            print(f"{name:14} {shown:32} failed after {wall:6.1f} s wall:")
            for line in errors:
                print(f"    {line}")
        else:
            print(f"{name:14} {shown:32} {cpu:7.1f} s CPU  {wall:7.1f} s wall", flush=True)


if __name__ == "__main__":
    main()
