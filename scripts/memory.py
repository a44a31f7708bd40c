#!/usr/bin/env python3
"""Peak memory of one `stubforge generate` run on a large definition, against its size.

Writes a definition shaped like a cluster API (hundreds of definitions in API groups,
an object-metadata schema every kind refers to, specs and statuses nested several refs
deep, long descriptions, shared parameters, several hundred operations), runs the
release binary on it, and prints the peak resident memory and its ratio to the input.

    cargo build --release -p stubforge
    scripts/memory.py [--kinds 70] [--format json|yaml] [--layout one-file|files] [--keep DIR]

`--layout files` puts each definition in a file of its own under `definitions/`, the way
the Matrix specification is laid out, so every use of a schema is a `$ref` to a file.

Not part of CI: the figure depends on the machine's allocator, and it is a measurement
to read, not a pass/fail check (the hostile-input tests bound memory in CI).
"""

import argparse
import json
import os
import resource
import shutil
import subprocess
import sys
import tempfile

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
GROUPS = ["apps", "batch", "core", "networking", "policy", "storage", "autoscaling", "scheduling", "node", "discovery"]
WORDS = (
    "the object is observed by the controller which reconciles desired and actual state "
    "across every node of the cluster and records conditions transitions generation and "
    "resource version so that clients can follow changes without polling more than needed"
).split()


# Descriptions in real cluster APIs run to paragraphs.
SCALE = 5


def prose(seed, words):
    """A long description, varied enough that nothing compresses it away."""
    words *= SCALE
    return " ".join(WORDS[(seed * 7 + i * 3) % len(WORDS)] for i in range(words)).capitalize() + "."


def ref(name):
    return {"$ref": f"#/definitions/{name}"}


def definitions(kinds):
    defs = {}
    defs["meta.v1.ObjectMeta"] = {
        "description": prose(1, 60),
        "type": "object",
        "properties": {
            "name": {"type": "string", "description": prose(2, 40)},
            "namespace": {"type": "string", "description": prose(3, 40)},
            "uid": {"type": "string", "description": prose(4, 30)},
            "resourceVersion": {"type": "string", "description": prose(5, 50)},
            "generation": {"type": "integer", "format": "int64", "description": prose(6, 20)},
            "labels": {"type": "object", "additionalProperties": {"type": "string"}, "description": prose(7, 40)},
            "annotations": {"type": "object", "additionalProperties": {"type": "string"}, "description": prose(8, 40)},
            "ownerReferences": {"type": "array", "items": ref("meta.v1.OwnerReference"), "description": prose(9, 40)},
            "managedFields": {"type": "array", "items": ref("meta.v1.ManagedFieldsEntry"), "description": prose(10, 40)},
        },
    }
    defs["meta.v1.OwnerReference"] = {
        "description": prose(11, 30),
        "type": "object",
        "required": ["apiVersion", "kind", "name", "uid"],
        "properties": {k: {"type": "string", "description": prose(12 + i, 25)} for i, k in enumerate(["apiVersion", "kind", "name", "uid"])},
    }
    defs["meta.v1.ManagedFieldsEntry"] = {
        "description": prose(20, 30),
        "type": "object",
        "properties": {
            "manager": {"type": "string", "description": prose(21, 20)},
            "operation": {"type": "string", "enum": ["Apply", "Update"], "description": prose(22, 20)},
            "fieldsV1": {"type": "object", "description": prose(23, 20)},
        },
    }
    defs["meta.v1.Condition"] = {
        "description": prose(30, 40),
        "type": "object",
        "required": ["type", "status"],
        "properties": {
            "type": {"type": "string", "description": prose(31, 30)},
            "status": {"type": "string", "enum": ["True", "False", "Unknown"], "description": prose(32, 20)},
            "reason": {"type": "string", "description": prose(33, 30)},
            "message": {"type": "string", "description": prose(34, 40)},
            "lastTransitionTime": {"type": "string", "format": "date-time", "description": prose(35, 20)},
        },
    }
    defs["meta.v1.ListMeta"] = {
        "description": prose(40, 40),
        "type": "object",
        "properties": {"continue": {"type": "string", "description": prose(41, 50)}, "resourceVersion": {"type": "string", "description": prose(42, 30)}},
    }
    defs["meta.v1.Status"] = {
        "description": prose(50, 40),
        "type": "object",
        "properties": {"message": {"type": "string", "description": prose(51, 30)}, "code": {"type": "integer", "format": "int32", "description": prose(52, 20)}},
    }
    for k in range(kinds):
        group = GROUPS[k % len(GROUPS)]
        kind = f"Kind{k}"
        base = f"{group}.v1.{kind}"
        # Five helper schemas per kind, chained: spec → template → container → port/probe.
        defs[f"{base}Port"] = {
            "description": prose(k + 100, 40),
            "type": "object",
            "required": ["port"],
            "properties": {
                "port": {"type": "integer", "format": "int32", "description": prose(k + 101, 30)},
                "protocol": {"type": "string", "enum": ["TCP", "UDP", "SCTP"], "description": prose(k + 102, 30)},
                "name": {"type": "string", "description": prose(k + 103, 30)},
            },
        }
        defs[f"{base}Probe"] = {
            "description": prose(k + 110, 50),
            "type": "object",
            "properties": {
                "periodSeconds": {"type": "integer", "format": "int32", "description": prose(k + 111, 30)},
                "exec": {"type": "object", "properties": {"command": {"type": "array", "items": {"type": "string"}, "description": prose(k + 112, 30)}}},
                "httpGet": {"type": "object", "properties": {"path": {"type": "string", "description": prose(k + 113, 30)}, "port": ref(f"{base}Port")}},
            },
        }
        defs[f"{base}Container"] = {
            "description": prose(k + 120, 60),
            "type": "object",
            "required": ["name"],
            "properties": {
                "name": {"type": "string", "description": prose(k + 121, 30)},
                "image": {"type": "string", "description": prose(k + 122, 40)},
                "args": {"type": "array", "items": {"type": "string"}, "description": prose(k + 123, 40)},
                "env": {"type": "object", "additionalProperties": {"type": "string"}, "description": prose(k + 124, 40)},
                "ports": {"type": "array", "items": ref(f"{base}Port"), "description": prose(k + 125, 30)},
                "livenessProbe": ref(f"{base}Probe"),
                "readinessProbe": ref(f"{base}Probe"),
                "resources": {
                    "type": "object",
                    "description": prose(k + 126, 40),
                    "properties": {
                        "limits": {"type": "object", "additionalProperties": {"type": "string"}, "description": prose(k + 127, 30)},
                        "requests": {"type": "object", "additionalProperties": {"type": "string"}, "description": prose(k + 128, 30)},
                    },
                },
            },
        }
        defs[f"{base}Template"] = {
            "description": prose(k + 130, 40),
            "type": "object",
            "properties": {
                "metadata": ref("meta.v1.ObjectMeta"),
                "containers": {"type": "array", "items": ref(f"{base}Container"), "description": prose(k + 131, 40)},
                "initContainers": {"type": "array", "items": ref(f"{base}Container"), "description": prose(k + 132, 40)},
            },
        }
        defs[f"{base}Spec"] = {
            "description": prose(k + 140, 60),
            "type": "object",
            "properties": {
                "replicas": {"type": "integer", "format": "int32", "description": prose(k + 141, 40)},
                "selector": {"type": "object", "additionalProperties": {"type": "string"}, "description": prose(k + 142, 40)},
                "template": ref(f"{base}Template"),
                "paused": {"type": "boolean", "description": prose(k + 143, 30)},
            },
        }
        defs[f"{base}Status"] = {
            "description": prose(k + 150, 40),
            "type": "object",
            "properties": {
                "observedGeneration": {"type": "integer", "format": "int64", "description": prose(k + 151, 30)},
                "conditions": {"type": "array", "items": ref("meta.v1.Condition"), "description": prose(k + 152, 40)},
                "readyReplicas": {"type": "integer", "format": "int32", "description": prose(k + 153, 30)},
            },
        }
        defs[base] = {
            "description": prose(k + 160, 80),
            "type": "object",
            "properties": {
                "apiVersion": {"type": "string", "description": prose(k + 161, 50)},
                "kind": {"type": "string", "description": prose(k + 162, 50)},
                "metadata": ref("meta.v1.ObjectMeta"),
                "spec": ref(f"{base}Spec"),
                "status": ref(f"{base}Status"),
            },
        }
        defs[f"{base}List"] = {
            "description": prose(k + 170, 40),
            "type": "object",
            "required": ["items"],
            "properties": {"metadata": ref("meta.v1.ListMeta"), "items": {"type": "array", "items": ref(base), "description": prose(k + 171, 30)}},
        }
    return defs


def operations(kinds):
    paths = {}
    for k in range(kinds):
        group = GROUPS[k % len(GROUPS)]
        kind = f"Kind{k}"
        base = f"{group}.v1.{kind}"
        plural = f"kind{k}s"
        common = [{"$ref": "#/parameters/pretty"}]
        ok = lambda name: {"description": prose(k + 200, 12), "schema": ref(name)}
        unauthorized = {"description": "Unauthorized", "schema": ref("meta.v1.Status")}
        collection = f"/apis/{group}/v1/namespaces/{{namespace}}/{plural}"
        paths[collection] = {
            "parameters": [{"$ref": "#/parameters/namespace"}],
            "get": {
                "operationId": f"list{kind}",
                "description": prose(k + 210, 40),
                "parameters": common + [{"$ref": "#/parameters/limit"}, {"$ref": "#/parameters/continue"}, {"$ref": "#/parameters/labelSelector"}],
                "responses": {"200": ok(f"{base}List"), "401": unauthorized},
            },
            "post": {
                "operationId": f"create{kind}",
                "description": prose(k + 211, 40),
                "parameters": common + [{"in": "body", "name": "body", "required": True, "schema": ref(base)}, {"$ref": "#/parameters/dryRun"}],
                "responses": {"200": ok(base), "201": ok(base), "401": unauthorized},
            },
        }
        item = f"{collection}/{{name}}"
        paths[item] = {
            "parameters": [{"$ref": "#/parameters/namespace"}, {"in": "path", "name": "name", "type": "string", "required": True, "description": prose(k + 220, 20)}],
            "get": {"operationId": f"read{kind}", "description": prose(k + 221, 40), "parameters": common, "responses": {"200": ok(base), "401": unauthorized}},
            "put": {
                "operationId": f"replace{kind}",
                "description": prose(k + 222, 40),
                "parameters": common + [{"in": "body", "name": "body", "required": True, "schema": ref(base)}],
                "responses": {"200": ok(base), "401": unauthorized},
            },
            "delete": {"operationId": f"delete{kind}", "description": prose(k + 223, 40), "parameters": common + [{"$ref": "#/parameters/dryRun"}], "responses": {"200": ok("meta.v1.Status"), "401": unauthorized}},
        }
        paths[f"{item}/status"] = {
            "parameters": [{"$ref": "#/parameters/namespace"}, {"in": "path", "name": "name", "type": "string", "required": True, "description": prose(k + 230, 20)}],
            "get": {"operationId": f"read{kind}Status", "description": prose(k + 231, 40), "parameters": common, "responses": {"200": ok(base), "401": unauthorized}},
        }
    return paths


def parameters():
    simple = lambda name, where, kind, words: {"name": name, "in": where, "type": kind, "description": prose(len(name), words)}
    return {
        "pretty": simple("pretty", "query", "string", 20),
        "limit": simple("limit", "query", "integer", 80),
        "continue": simple("continue", "query", "string", 120),
        "labelSelector": simple("labelSelector", "query", "string", 30),
        "dryRun": simple("dryRun", "query", "string", 40),
        "namespace": {**simple("namespace", "path", "string", 20), "required": True},
    }


def to_file_refs(value, prefix, extension):
    """`#/definitions/X` → `{prefix}X.{extension}`, throughout `value`."""
    if isinstance(value, dict):
        out = {k: to_file_refs(v, prefix, extension) for k, v in value.items()}
        target = out.get("$ref", "")
        if target.startswith("#/definitions/"):
            out["$ref"] = f"{prefix}{target[len('#/definitions/'):]}.{extension}"
        return out
    if isinstance(value, list):
        return [to_file_refs(v, prefix, extension) for v in value]
    return value


def to_yaml(value, indent=0):
    """Block-style YAML, as hand-written definitions are."""
    pad = "  " * indent
    if isinstance(value, dict):
        if not value:
            return " {}\n"
        out = "\n"
        for key, item in value.items():
            out += f"{pad}{json.dumps(key)}:{to_yaml(item, indent + 1)}"
        return out
    if isinstance(value, list):
        if not value:
            return " []\n"
        out = "\n"
        for item in value:
            text = to_yaml(item, indent + 1)
            out += f"{pad}-{text if not text.startswith(chr(10)) else chr(10) + text[1:]}"
        return out
    return " " + json.dumps(value) + "\n"


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--kinds", type=int, default=70, help="API kinds; each adds 8 definitions and 6 operations")
    parser.add_argument("--format", choices=["json", "yaml"], default="json")
    parser.add_argument("--binary", default=os.path.join(ROOT, "target/release/stubforge"))
    parser.add_argument("--layout", choices=["one-file", "files"], default="one-file")
    parser.add_argument("--keep", help="write the definition and crate here instead of a temporary folder")
    args = parser.parse_args()

    document = {
        "swagger": "2.0",
        "info": {"title": "Cluster API", "version": "v1", "description": prose(0, 200)},
        "paths": operations(args.kinds),
        "parameters": parameters(),
        "definitions": definitions(args.kinds),
    }
    work = args.keep or tempfile.mkdtemp(prefix="stubforge-memory-")
    os.makedirs(work, exist_ok=True)
    spec = os.path.join(work, f"cluster.{args.format}")
    files = {}
    if args.layout == "files":
        definitions_section = document.pop("definitions")
        document = to_file_refs(document, "definitions/", args.format)
        for name, schema in definitions_section.items():
            files[f"definitions/{name}.{args.format}"] = to_file_refs(schema, "", args.format)
    files[f"cluster.{args.format}"] = document
    size = 0
    for name, value in files.items():
        path = os.path.join(work, name)
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, "w") as f:
            f.write(json.dumps(value, indent=1) if args.format == "json" else to_yaml(value)[1:])
        size += os.path.getsize(path)
    operations_count = sum(1 for item in document["paths"].values() for k in item if k != "parameters")

    out = os.path.join(work, "crate")
    run = subprocess.run([args.binary, "generate", "--spec", spec, "--out", out], capture_output=True, text=True)
    peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss * 1024
    if run.returncode != 0:
        sys.stderr.write(run.stderr)
        sys.exit(f"stubforge failed (exit {run.returncode})")
    print(
        f"definition: {size / 1e6:.1f} MB {args.format} in {len(files)} files, "
        f"{args.kinds * 8 + 6} definitions, {operations_count} operations"
    )
    print(f"peak memory: {peak / 1e6:.0f} MB = {peak / size:.0f}x the input")
    if not args.keep:
        shutil.rmtree(work)


if __name__ == "__main__":
    main()
