#!/usr/bin/env python3
"""Generate a sample of real definitions, compile them and run their tests.

Not run in CI: a measurement for definitions you keep outside the project (they are other
people's documents). Each definition stubforge accepts (default mode, else skip mode)
becomes a crate in ONE throwaway cargo workspace with one target folder, so the
dependencies compile once. Then, in batches:

1. `cargo clippy --tests` over the server and client features: compile errors, and the
   clippy lints `.ci/run` denies in generated crates;
2. `cargo test` of each crate that compiled: the router-start test (axum checks every
   route when the router is built) and the example round-trip tests.

Every failure is put under a cause (a compiler error code with its message shape, a
clippy lint, a router panic, a failing example) and the operations of each crate are
counted, so the report says how many operations generate, compile and start.

usage: real_compile.py DEFINITIONS_DIR [--stubforge BIN] [--work DIR] [--random N]
           [--seed S] [--max-bytes B] [--only PATH...] [--batch K] [--no-tests]

DEFINITIONS_DIR is searched for `*.json`/`*.yaml`; the named large APIs below are taken
when present, plus N random smaller ones (fixed seed). The report goes to stdout and
WORK/report.json.
"""

import argparse
import collections
import json
import os
import random
import re
import shutil
import subprocess
import sys

METHODS = {"get", "put", "post", "delete", "options", "head", "patch", "trace"}
# Large APIs of the kinds issue 9 names, taken when the folder holds them.
NAMED = [
    "kubernetes.io.json",
    "box.com.json",
    "pagerduty.com.json",
    "stripe.com.json",
    "twilio.com/api.json",
    "twilio.com/twilio_chat_v2.json",
    "twilio.com/twilio_taskrouter_v1.json",
    "twilio.com/twilio_verify_v2.json",
]
HERE = os.path.dirname(os.path.abspath(__file__))
PROJECT = os.path.dirname(HERE)


def count_operations(path):
    try:
        with open(path) as f:
            if path.endswith(".json"):
                doc = json.load(f)
            else:
                import yaml  # only needed for YAML definitions

                doc = yaml.safe_load(f)
    except Exception:
        return 0
    paths = doc.get("paths") if isinstance(doc, dict) else None
    if not isinstance(paths, dict):
        return 0
    return sum(sum(1 for k in item if k in METHODS) for item in paths.values() if isinstance(item, dict))


def sample(root, args):
    if args.only:
        return [os.path.join(root, p) if not os.path.isabs(p) else p for p in args.only]
    named = [os.path.join(root, n) for n in NAMED if os.path.isfile(os.path.join(root, n))]
    others = []
    for folder, _, files in os.walk(root):
        for f in files:
            path = os.path.join(folder, f)
            if f.endswith((".json", ".yaml")) and path not in named and os.path.getsize(path) <= args.max_bytes:
                others.append(path)
    others.sort()
    random.Random(args.seed).shuffle(others)
    return named + others[: args.random]


def crate_name(index):
    return f"real-{index:03}"


def generate(stubforge, spec, out):
    """Generates `spec` into `out`: default mode, else skip mode. Returns (mode, operations generated)."""
    for mode in ("default", "skip"):
        shutil.rmtree(out, ignore_errors=True)
        cmd = [stubforge, "generate", "--spec", spec, "--out", out, "--crate-name", os.path.basename(out)]
        if mode == "skip":
            cmd.append("--skip-unsupported")
        try:
            p = subprocess.run(cmd, capture_output=True, text=True, timeout=300)
        except subprocess.TimeoutExpired:
            return "timeout", 0
        if p.returncode == 0:
            return mode, generated_operations(out)
    shutil.rmtree(out, ignore_errors=True)
    return "refused", 0


def generated_operations(crate):
    """The operations a generated crate holds: each client method's doc names its own."""
    try:
        with open(os.path.join(crate, "src", "client.rs")) as f:
            return len(re.findall(r"^\s*/// `[A-Z]+ [^`]*` \(`", f.read(), re.M))
    except OSError:
        return 0


def shape(message):
    """A message with its names and numbers taken out, so that like failures group."""
    message = re.sub(r"`[^`]*`", "`X`", message)
    message = re.sub(r"\d+", "N", message)
    return message.strip()[:140]


def cargo(work, args, env_extra=None):
    env = dict(os.environ, CARGO_INCREMENTAL="0", CARGO_TERM_COLOR="never")
    env.update(env_extra or {})
    return subprocess.run(["cargo", *args], cwd=work, capture_output=True, text=True, env=env)


FEATURES = ["--no-default-features", "--features", "server,client"]


def check(work, crates):
    """Clippy over `crates`: {crate: [(cause, detail)]}."""
    args = ["clippy", "--keep-going", "--tests", "--message-format=json", *FEATURES]
    for c in crates:
        args += ["-p", c]
    p = cargo(work, args + ["--", "-D", "warnings"])
    failures = collections.defaultdict(list)
    for line in p.stdout.splitlines():
        try:
            msg = json.loads(line)
        except json.JSONDecodeError:
            continue
        if msg.get("reason") != "compiler-message":
            continue
        name = msg["target"]["name"].replace("_", "-")
        diag = msg["message"]
        if diag["level"] != "error" or diag["message"].startswith(("aborting", "could not compile")):
            continue
        code = (diag.get("code") or {}).get("code") or ""
        if code.startswith("clippy::"):
            cause = code
        else:
            cause = f"{code} {shape(diag['message'])}".strip()
        span = next((s for s in diag.get("spans", []) if s.get("is_primary")), None)
        where = f"{span['file_name']}:{span['line_start']}" if span else ""
        failures[name].append((cause, f"{where} {diag['message']}"))
    if p.returncode != 0 and not failures:
        failures["(cargo)"].append(("cargo failed", p.stderr[-2000:]))
    return failures


def test(work, crates):
    """`cargo test` of `crates`: {crate: [(cause, detail)]}."""
    args = ["test", "--no-fail-fast", *FEATURES]
    for c in crates:
        args += ["-p", c]
    p = cargo(work, args + ["--", "--test-threads=2"])
    failures = collections.defaultdict(list)
    current = None
    text = p.stdout + "\n" + p.stderr
    for line in text.splitlines():
        m = re.match(r"\s*Running unittests .* \(target/debug/deps/(real_\d+)-", line)
        if m:
            current = m.group(1).replace("_", "-")
            continue
        m = re.match(r"test (\S+) \.\.\. FAILED", line)
        if m and current:
            test_name = m.group(1)
            cause = "router panics at start" if test_name.endswith("the_router_starts") else "example test fails"
            failures[current].append((cause, test_name))
    panics = re.findall(r"---- (\S+) stdout ----\n(?:.*\n)*?.*panicked at [^\n]*\n([^\n]*)", text)
    details = {name: why for name, why in panics}
    for crate, items in failures.items():
        failures[crate] = [(cause, f"{name}: {details.get(name, '')[:300]}") for cause, name in items]
    if p.returncode != 0 and not failures:
        failures["(cargo)"].append(("cargo test failed", text[-2000:]))
    return failures


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("definitions")
    ap.add_argument("--stubforge", default=os.path.join(PROJECT, "target/debug/stubforge"))
    ap.add_argument("--work", default="/tmp/stubforge-real-compile")
    ap.add_argument("--random", type=int, default=100)
    ap.add_argument("--seed", type=int, default=9)
    ap.add_argument("--max-bytes", type=int, default=300_000)
    ap.add_argument("--only", nargs="*")
    ap.add_argument("--batch", type=int, default=20)
    ap.add_argument("--no-tests", action="store_true")
    ap.add_argument("--reuse", action="store_true", help="keep the crates WORK/generated.json lists")
    args = ap.parse_args()

    work = os.path.abspath(args.work)
    os.makedirs(work, exist_ok=True)
    specs = sample(os.path.abspath(args.definitions), args)
    generated = os.path.join(work, "generated.json")
    if args.reuse and os.path.exists(generated):
        with open(generated) as f:
            crates = json.load(f)
    else:
        crates = []  # dicts: name, spec, ops, mode, generated
        for i, spec in enumerate(specs):
            name = crate_name(i)
            mode, made = generate(args.stubforge, spec, os.path.join(work, name))
            ops = count_operations(spec)
            crates.append({"name": name, "spec": spec, "ops": ops, "mode": mode, "generated": made})
            print(f"[gen] {name} {mode:8} {spec}", file=sys.stderr)
        with open(generated, "w") as f:
            json.dump(crates, f, indent=1)
    built = [c for c in crates if c["mode"] in ("default", "skip")]
    members = ",\n".join(f'    "{c["name"]}"' for c in built)
    with open(os.path.join(work, "Cargo.toml"), "w") as f:
        f.write(f'[workspace]\nresolver = "3"\nmembers = [\n{members}\n]\n')
    # The project's lock file: the versions the committed crates are tested with.
    shutil.copy(os.path.join(PROJECT, "Cargo.lock"), os.path.join(work, "Cargo.lock"))

    by_name = {c["name"]: c for c in built}
    for c in built:
        c["failures"] = []
    # Small crates first and in batches, the big ones alone.
    order = sorted(built, key=lambda c: c["ops"])
    batches, batch = [], []
    for c in order:
        if c["ops"] > 300:
            batches.append([c["name"]])
            continue
        batch.append(c["name"])
        if len(batch) >= args.batch:
            batches.append(batch)
            batch = []
    if batch:
        batches.append(batch)
    for stage, run in (("check", check), ("test", test)):
        if stage == "test" and args.no_tests:
            break
        for b in batches:
            todo = [n for n in b if not by_name[n]["failures"]]
            if not todo:
                continue
            result = run(work, todo)
            for n, items in result.items():
                if n in by_name:
                    by_name[n]["failures"] += [(stage, cause, detail) for cause, detail in items]
                else:
                    print(f"[{stage}] {n}: {items}", file=sys.stderr)
            bad = [n for n in todo if by_name[n]["failures"]]
            print(f"[{stage}] {len(todo)} crates, {len(bad)} failing", file=sys.stderr)
            for n in bad:
                print(f"    {n} {by_name[n]['spec']}: {by_name[n]['failures'][0][2][:300]}", file=sys.stderr)

    report(crates, work)


def report(crates, work):
    total_ops = sum(c["ops"] for c in crates)
    gen = [c for c in crates if c["mode"] in ("default", "skip")]
    good = [c for c in gen if not c["failures"]]
    gen_ops = sum(c["generated"] for c in gen)
    good_ops = sum(c["generated"] for c in good)
    print(f"definitions {len(crates)}, operations {total_ops}")
    print(f"generated: {len(gen)} crates ({sum(c['mode'] == 'skip' for c in gen)} in skip mode), {gen_ops} operations")
    print(f"compile, start and pass examples: {len(good)} crates, {good_ops} operations "
          f"({100 * good_ops / max(total_ops, 1):.1f}% of all, {100 * good_ops / max(gen_ops, 1):.1f}% of generated)")
    causes = collections.defaultdict(lambda: [set(), 0])
    for c in gen:
        for stage, cause, _ in c["failures"]:
            causes[(stage, cause)][0].add(c["name"])
            causes[(stage, cause)][1] += 1
    print("causes (crates, occurrences):")
    for (stage, cause), (names, n) in sorted(causes.items(), key=lambda kv: (-len(kv[1][0]), -kv[1][1])):
        print(f"  {len(names):3} {n:5}  [{stage}] {cause}")
    for c in gen:
        if c["failures"]:
            print(f"{c['name']} {c['spec']} ({c['ops']} ops, {c['mode']}):")
            seen = set()
            for stage, cause, detail in c["failures"]:
                if cause not in seen:
                    seen.add(cause)
                    print(f"    [{stage}] {detail[:240]}")
    with open(os.path.join(work, "report.json"), "w") as f:
        json.dump(crates, f, indent=1)


if __name__ == "__main__":
    main()
