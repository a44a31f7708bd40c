#!/usr/bin/env python3
"""Writes tests/corpus/keel-cluster-api.json: a Swagger 2.0 definition in the style of a
container-orchestration API, large enough to show how the generator and the compile
corpus behave on the big cluster definitions users bring.

It has what such definitions are made of: resource kinds in API groups, namespaced
and cluster-wide, each with list / watch / create / replace / patch / delete /
deletecollection operations, `status` and `scale` subresources, proxy operations whose
`path` parameter is both in the path and in the query, patch bodies in the three JSON
patch media types and the YAML one of server-side apply, `*/*` request bodies, the `pretty` / `dryRun` / `fieldManager` query
parameters shared through `#/parameters`, and 200 / 201 / 202 / 401 responses.

The output is deterministic (no clock, no randomness, keys in a fixed order); run it
again after changing it and commit both:

    python3 scripts/cluster_api.py            # writes the file
    python3 scripts/cluster_api.py --check    # exits 1 when the file is stale
"""

import json
import sys
from pathlib import Path

OUT = Path(__file__).resolve().parent.parent / "tests" / "corpus" / "keel-cluster-api.json"

META = "io.keel.apimachinery.meta.v1"

# (group, version, kind, plural, namespaced, subresources)
# group "" is the core group, served under /api/v1; every other under /apis/GROUP/VERSION.
KINDS = [
    ("", "v1", "Pod", "pods", True, ["status", "proxy", "log"]),
    ("", "v1", "Service", "services", True, ["status", "proxy"]),
    ("", "v1", "ConfigMap", "configmaps", True, []),
    ("", "v1", "Secret", "secrets", True, []),
    ("", "v1", "ServiceAccount", "serviceaccounts", True, []),
    ("", "v1", "PersistentVolumeClaim", "persistentvolumeclaims", True, ["status"]),
    ("", "v1", "ReplicationController", "replicationcontrollers", True, ["status", "scale"]),
    ("", "v1", "ResourceQuota", "resourcequotas", True, ["status"]),
    ("", "v1", "Namespace", "namespaces", False, ["status"]),
    ("", "v1", "Node", "nodes", False, ["status", "proxy"]),
    ("", "v1", "PersistentVolume", "persistentvolumes", False, ["status"]),
    ("apps", "v1", "Deployment", "deployments", True, ["status", "scale"]),
    ("apps", "v1", "StatefulSet", "statefulsets", True, ["status", "scale"]),
    ("apps", "v1", "DaemonSet", "daemonsets", True, ["status"]),
    ("batch", "v1", "Job", "jobs", True, ["status"]),
    ("batch", "v1", "CronJob", "cronjobs", True, ["status"]),
    ("autoscaling", "v2", "HorizontalPodAutoscaler", "horizontalpodautoscalers", True, ["status"]),
    ("networking.keel.dev", "v1", "Ingress", "ingresses", True, ["status"]),
    ("networking.keel.dev", "v1", "NetworkPolicy", "networkpolicies", True, []),
    ("policy", "v1", "PodDisruptionBudget", "poddisruptionbudgets", True, ["status"]),
    ("rbac.keel.dev", "v1", "Role", "roles", True, []),
    ("rbac.keel.dev", "v1", "ClusterRoleBinding", "clusterrolebindings", False, []),
    ("storage.keel.dev", "v1", "StorageClass", "storageclasses", False, []),
    ("coordination.keel.dev", "v1", "Lease", "leases", True, []),
]

PROXY_METHODS = ["get", "put", "post", "delete", "options", "head", "patch"]

JSON = "application/json"
PRODUCES = [JSON, "application/yaml", "application/vnd.keel.protobuf"]
PATCH_TYPES = [
    "application/json-patch+json",
    "application/merge-patch+json",
    "application/strategic-merge-patch+json",
    "application/apply-patch+yaml",
]


def camel(text):
    """`networking.keel.dev` -> `NetworkingKeelDev`, `v1` -> `V1`."""
    parts = text.replace("-", ".").split(".")
    return "".join(p[:1].upper() + p[1:] for p in parts if p)


def group_name(group):
    return "Core" if group == "" else camel(group.split(".")[0])


def schema_key(group, version, name):
    owner = "core" if group == "" else group.split(".")[0]
    return f"io.keel.api.{owner}.{version}.{name}"


def ref(key):
    return {"$ref": f"#/definitions/{key}"}


def param_ref(name):
    return {"$ref": f"#/parameters/{name}"}


def base_path(group, version):
    return f"/api/{version}" if group == "" else f"/apis/{group}/{version}"


# ---------------------------------------------------------------------------------------
# Shared parameters and meta schemas
# ---------------------------------------------------------------------------------------


def shared_parameters():
    def query(name, typ, description, unique=True, **extra):
        p = {"name": name, "in": "query", "type": typ, "description": description}
        if unique:
            p["uniqueItems"] = True
        p.update(extra)
        return p

    return {
        "pretty": query("pretty", "string", "If 'true', the output is indented for people to read."),
        "dryRun": query(
            "dryRun",
            "string",
            "When present, the change is validated and not stored. The only valid value is `All`.",
        ),
        "fieldManager": query(
            "fieldManager",
            "string",
            "A name for the actor making the change, recorded in the object's managed fields.",
        ),
        "fieldValidation": query(
            "fieldValidation",
            "string",
            "What to do with unknown or duplicate fields in the body: `Ignore`, `Warn` or `Strict`.",
        ),
        "force": query("force", "boolean", "Take over fields that other managers own (apply patches only)."),
        "allowWatchBookmarks": query(
            "allowWatchBookmarks", "boolean", "Ask for BOOKMARK events in a watch; the server may ignore it."
        ),
        "continue": query(
            "continue", "string", "The token a previous list returned, to fetch the next chunk of results."
        ),
        "fieldSelector": query("fieldSelector", "string", "Only objects whose fields match, e.g. `status.phase=Running`."),
        "labelSelector": query("labelSelector", "string", "Only objects whose labels match, e.g. `tier=frontend`."),
        "limit": query("limit", "integer", "At most this many objects in one response."),
        "resourceVersion": query(
            "resourceVersion", "string", "Which version of the collection to read; see the consistency notes."
        ),
        "resourceVersionMatch": query(
            "resourceVersionMatch", "string", "How `resourceVersion` is applied: `Exact` or `NotOlderThan`."
        ),
        "sendInitialEvents": query(
            "sendInitialEvents", "boolean", "Start a watch with synthetic ADDED events for what exists now."
        ),
        "timeoutSeconds": query("timeoutSeconds", "integer", "End the call after this many seconds."),
        "watch": query("watch", "boolean", "Watch for changes instead of listing once."),
        "gracePeriodSeconds": query(
            "gracePeriodSeconds", "integer", "Seconds to wait before the object is removed; 0 removes it at once."
        ),
        "orphanDependents": query(
            "orphanDependents", "boolean", "Deprecated: use propagationPolicy. Whether dependents are orphaned."
        ),
        "propagationPolicy": query(
            "propagationPolicy",
            "string",
            "Whether and how garbage collection removes dependents: `Orphan`, `Background` or `Foreground`.",
        ),
        "namespace": {
            "name": "namespace",
            "in": "path",
            "required": True,
            "type": "string",
            "description": "The namespace the object is in.",
            "uniqueItems": True,
        },
        "body-delete": {
            "name": "body",
            "in": "body",
            "schema": ref(f"{META}.DeleteOptions"),
        },
        "body-patch": {
            "name": "body",
            "in": "body",
            "required": True,
            "schema": ref(f"{META}.Patch"),
        },
    }


LIST_PARAMS = [
    "allowWatchBookmarks",
    "continue",
    "fieldSelector",
    "labelSelector",
    "limit",
    "resourceVersion",
    "resourceVersionMatch",
    "sendInitialEvents",
    "timeoutSeconds",
    "watch",
]


def meta_definitions():
    time = {"type": "string", "format": "date-time", "description": "An instant, as RFC 3339 text."}
    string_map = {"type": "object", "additionalProperties": {"type": "string"}}
    return {
        f"{META}.Time": time,
        f"{META}.ObjectMeta": {
            "description": "What every stored object has: its name, namespace, labels and bookkeeping.",
            "type": "object",
            "properties": {
                "name": {"type": "string", "description": "Unique within the namespace."},
                "generateName": {"type": "string", "description": "A prefix the server completes to a unique name."},
                "namespace": {"type": "string"},
                "uid": {"type": "string", "description": "Unique in time and space; set by the server."},
                "resourceVersion": {"type": "string", "description": "Opaque; changes on every write."},
                "generation": {"type": "integer", "format": "int64"},
                "creationTimestamp": ref(f"{META}.Time"),
                "deletionTimestamp": ref(f"{META}.Time"),
                "deletionGracePeriodSeconds": {"type": "integer", "format": "int64"},
                "labels": string_map,
                "annotations": string_map,
                "finalizers": {"type": "array", "items": {"type": "string"}, "x-keel-patch-strategy": "merge"},
                "ownerReferences": {
                    "type": "array",
                    "items": ref(f"{META}.OwnerReference"),
                    "x-keel-patch-merge-key": "uid",
                    "x-keel-patch-strategy": "merge",
                },
                "managedFields": {"type": "array", "items": ref(f"{META}.ManagedFieldsEntry")},
            },
        },
        f"{META}.ListMeta": {
            "description": "What every list response has.",
            "type": "object",
            "properties": {
                "continue": {"type": "string", "description": "Pass it as `continue` to read the next chunk."},
                "remainingItemCount": {"type": "integer", "format": "int64"},
                "resourceVersion": {"type": "string"},
            },
        },
        f"{META}.OwnerReference": {
            "type": "object",
            "required": ["apiVersion", "kind", "name", "uid"],
            "properties": {
                "apiVersion": {"type": "string"},
                "kind": {"type": "string"},
                "name": {"type": "string"},
                "uid": {"type": "string"},
                "controller": {"type": "boolean"},
                "blockOwnerDeletion": {"type": "boolean"},
            },
        },
        f"{META}.ManagedFieldsEntry": {
            "type": "object",
            "properties": {
                "manager": {"type": "string"},
                "operation": {"type": "string", "enum": ["Apply", "Update"]},
                "apiVersion": {"type": "string"},
                "time": ref(f"{META}.Time"),
                "fieldsType": {"type": "string"},
                "fieldsV1": {"type": "object", "description": "The fields this manager owns, as a tree."},
                "subresource": {"type": "string"},
            },
        },
        f"{META}.Status": {
            "description": "The outcome of a call that returns no object.",
            "type": "object",
            "properties": {
                "apiVersion": {"type": "string"},
                "kind": {"type": "string"},
                "metadata": ref(f"{META}.ListMeta"),
                "status": {"type": "string", "description": "`Success` or `Failure`."},
                "message": {"type": "string"},
                "reason": {"type": "string"},
                "details": ref(f"{META}.StatusDetails"),
                "code": {"type": "integer", "format": "int32"},
            },
        },
        f"{META}.StatusDetails": {
            "type": "object",
            "properties": {
                "name": {"type": "string"},
                "group": {"type": "string"},
                "kind": {"type": "string"},
                "uid": {"type": "string"},
                "causes": {"type": "array", "items": ref(f"{META}.StatusCause")},
                "retryAfterSeconds": {"type": "integer", "format": "int32"},
            },
        },
        f"{META}.StatusCause": {
            "type": "object",
            "properties": {
                "reason": {"type": "string"},
                "message": {"type": "string"},
                "field": {"type": "string", "description": "Where the cause is, e.g. `spec.containers[0].name`."},
            },
        },
        f"{META}.DeleteOptions": {
            "type": "object",
            "properties": {
                "apiVersion": {"type": "string"},
                "kind": {"type": "string"},
                "dryRun": {"type": "array", "items": {"type": "string"}},
                "gracePeriodSeconds": {"type": "integer", "format": "int64"},
                "preconditions": ref(f"{META}.Preconditions"),
                "propagationPolicy": {"type": "string"},
            },
        },
        f"{META}.Preconditions": {
            "type": "object",
            "properties": {"resourceVersion": {"type": "string"}, "uid": {"type": "string"}},
        },
        f"{META}.Patch": {
            "description": "A patch: a JSON Patch list, a merge patch or a strategic merge patch, by Content-Type.",
            "type": "object",
        },
        f"{META}.WatchEvent": {
            "description": "One change seen by a watch.",
            "type": "object",
            "required": ["type", "object"],
            "properties": {
                "type": {"type": "string", "enum": ["ADDED", "MODIFIED", "DELETED", "BOOKMARK", "ERROR"]},
                "object": {"type": "object", "description": "The object as it is after the change."},
            },
        },
        f"{META}.LabelSelector": {
            "type": "object",
            "properties": {
                "matchLabels": string_map,
                "matchExpressions": {
                    "type": "array",
                    "items": {
                        "type": "object",
                        "required": ["key", "operator"],
                        "properties": {
                            "key": {"type": "string"},
                            "operator": {"type": "string", "enum": ["In", "NotIn", "Exists", "DoesNotExist"]},
                            "values": {"type": "array", "items": {"type": "string"}},
                        },
                    },
                },
            },
        },
        f"{META}.Condition": {
            "type": "object",
            "required": ["type", "status"],
            "properties": {
                "type": {"type": "string"},
                "status": {"type": "string", "enum": ["True", "False", "Unknown"]},
                "lastTransitionTime": ref(f"{META}.Time"),
                "reason": {"type": "string"},
                "message": {"type": "string"},
                "observedGeneration": {"type": "integer", "format": "int64"},
            },
        },
        f"{META}.APIResource": {
            "type": "object",
            "required": ["name", "kind", "namespaced", "verbs"],
            "properties": {
                "name": {"type": "string"},
                "singularName": {"type": "string"},
                "namespaced": {"type": "boolean"},
                "kind": {"type": "string"},
                "verbs": {"type": "array", "items": {"type": "string"}},
                "shortNames": {"type": "array", "items": {"type": "string"}},
            },
        },
        f"{META}.APIResourceList": {
            "type": "object",
            "required": ["groupVersion", "resources"],
            "properties": {
                "apiVersion": {"type": "string"},
                "kind": {"type": "string"},
                "groupVersion": {"type": "string"},
                "resources": {"type": "array", "items": ref(f"{META}.APIResource")},
            },
        },
        "io.keel.api.autoscaling.v1.Scale": {
            "description": "The replica count of a resource that scales.",
            "type": "object",
            "properties": {
                "apiVersion": {"type": "string"},
                "kind": {"type": "string"},
                "metadata": ref(f"{META}.ObjectMeta"),
                "spec": {"type": "object", "properties": {"replicas": {"type": "integer", "format": "int32"}}},
                "status": {
                    "type": "object",
                    "required": ["replicas"],
                    "properties": {
                        "replicas": {"type": "integer", "format": "int32"},
                        "selector": {"type": "string"},
                    },
                },
            },
        },
        "io.keel.api.core.v1.Container": {
            "type": "object",
            "required": ["name"],
            "properties": {
                "name": {"type": "string"},
                "image": {"type": "string"},
                "command": {"type": "array", "items": {"type": "string"}},
                "args": {"type": "array", "items": {"type": "string"}},
                "env": {
                    "type": "array",
                    "items": {
                        "type": "object",
                        "required": ["name"],
                        "properties": {"name": {"type": "string"}, "value": {"type": "string"}},
                    },
                },
                "ports": {
                    "type": "array",
                    "items": {
                        "type": "object",
                        "required": ["containerPort"],
                        "properties": {
                            "containerPort": {"type": "integer", "format": "int32"},
                            "protocol": {"type": "string", "enum": ["TCP", "UDP", "SCTP"]},
                        },
                    },
                },
                "resources": {
                    "type": "object",
                    "properties": {
                        "limits": string_map,
                        "requests": string_map,
                    },
                },
            },
        },
        "io.keel.api.core.v1.PodTemplateSpec": {
            "type": "object",
            "properties": {
                "metadata": ref(f"{META}.ObjectMeta"),
                "spec": ref("io.keel.api.core.v1.PodSpec"),
            },
        },
    }


# ---------------------------------------------------------------------------------------
# Per kind: schemas
# ---------------------------------------------------------------------------------------

# Fields of each kind's spec, in a few shapes so that the kinds are not all alike.
SPECS = {
    "Pod": {
        "containers": {"type": "array", "items": ref("io.keel.api.core.v1.Container")},
        "nodeName": {"type": "string"},
        "restartPolicy": {"type": "string", "enum": ["Always", "OnFailure", "Never"]},
        "serviceAccountName": {"type": "string"},
        "terminationGracePeriodSeconds": {"type": "integer", "format": "int64"},
        "nodeSelector": {"type": "object", "additionalProperties": {"type": "string"}},
    },
    "Service": {
        "type": {"type": "string", "enum": ["ClusterIP", "NodePort", "LoadBalancer", "ExternalName"]},
        "selector": {"type": "object", "additionalProperties": {"type": "string"}},
        "clusterIP": {"type": "string"},
        "ports": {
            "type": "array",
            "items": {
                "type": "object",
                "required": ["port"],
                "properties": {
                    "name": {"type": "string"},
                    "port": {"type": "integer", "format": "int32"},
                    "targetPort": {"type": "string", "format": "int-or-string"},
                    "protocol": {"type": "string"},
                },
            },
        },
    },
    "Deployment": {
        "replicas": {"type": "integer", "format": "int32"},
        "selector": ref(f"{META}.LabelSelector"),
        "template": ref("io.keel.api.core.v1.PodTemplateSpec"),
        "minReadySeconds": {"type": "integer", "format": "int32"},
        "paused": {"type": "boolean"},
        "strategy": {
            "type": "object",
            "properties": {
                "type": {"type": "string", "enum": ["Recreate", "RollingUpdate"]},
                "rollingUpdate": {
                    "type": "object",
                    "properties": {
                        "maxSurge": {"type": "string", "format": "int-or-string"},
                        "maxUnavailable": {"type": "string", "format": "int-or-string"},
                    },
                },
            },
        },
    },
    "Job": {
        "parallelism": {"type": "integer", "format": "int32"},
        "completions": {"type": "integer", "format": "int32"},
        "backoffLimit": {"type": "integer", "format": "int32"},
        "activeDeadlineSeconds": {"type": "integer", "format": "int64"},
        "template": ref("io.keel.api.core.v1.PodTemplateSpec"),
    },
    "CronJob": {
        "schedule": {"type": "string", "description": "Cron syntax, e.g. `*/5 * * * *`."},
        "suspend": {"type": "boolean"},
        "concurrencyPolicy": {"type": "string", "enum": ["Allow", "Forbid", "Replace"]},
        "jobTemplate": {
            "type": "object",
            "properties": {"metadata": ref(f"{META}.ObjectMeta"), "spec": ref("io.keel.api.batch.v1.JobSpec")},
        },
    },
}

# Kinds that hold data rather than a spec.
DATA_KINDS = {
    "ConfigMap": {
        "data": {"type": "object", "additionalProperties": {"type": "string"}},
        "binaryData": {"type": "object", "additionalProperties": {"type": "string", "format": "byte"}},
        "immutable": {"type": "boolean"},
    },
    "Secret": {
        "data": {"type": "object", "additionalProperties": {"type": "string", "format": "byte"}},
        "stringData": {"type": "object", "additionalProperties": {"type": "string"}},
        "type": {"type": "string"},
        "immutable": {"type": "boolean"},
    },
    "ServiceAccount": {
        "secrets": {"type": "array", "items": {"type": "object", "properties": {"name": {"type": "string"}}}},
        "automountServiceAccountToken": {"type": "boolean"},
    },
    "Lease": {
        "spec": {
            "type": "object",
            "properties": {
                "holderIdentity": {"type": "string"},
                "leaseDurationSeconds": {"type": "integer", "format": "int32"},
                "acquireTime": {"type": "string", "format": "date-time"},
                "renewTime": {"type": "string", "format": "date-time"},
                "leaseTransitions": {"type": "integer", "format": "int32"},
            },
        }
    },
    "ClusterRoleBinding": {
        "roleRef": {
            "type": "object",
            "required": ["apiGroup", "kind", "name"],
            "properties": {"apiGroup": {"type": "string"}, "kind": {"type": "string"}, "name": {"type": "string"}},
        },
        "subjects": {
            "type": "array",
            "items": {
                "type": "object",
                "required": ["kind", "name"],
                "properties": {
                    "kind": {"type": "string"},
                    "name": {"type": "string"},
                    "namespace": {"type": "string"},
                },
            },
        },
    },
    "Role": {
        "rules": {
            "type": "array",
            "items": {
                "type": "object",
                "required": ["verbs"],
                "properties": {
                    "apiGroups": {"type": "array", "items": {"type": "string"}},
                    "resources": {"type": "array", "items": {"type": "string"}},
                    "verbs": {"type": "array", "items": {"type": "string"}},
                },
            },
        }
    },
    "StorageClass": {
        "provisioner": {"type": "string"},
        "parameters": {"type": "object", "additionalProperties": {"type": "string"}},
        "reclaimPolicy": {"type": "string"},
        "allowVolumeExpansion": {"type": "boolean"},
        "volumeBindingMode": {"type": "string", "enum": ["Immediate", "WaitForFirstConsumer"]},
    },
}


def default_spec(kind):
    """A spec for kinds without a hand-written one: a selector, a count, a few settings."""
    return {
        "selector": ref(f"{META}.LabelSelector"),
        "replicas": {"type": "integer", "format": "int32"},
        "description": {"type": "string", "description": f"Free text about this {kind}."},
        "settings": {"type": "object", "additionalProperties": {"type": "string"}},
    }


def kind_definitions(group, version, kind, subresources):
    key = schema_key(group, version, kind)
    api_version = version if group == "" else f"{group}/{version}"
    defs = {}
    properties = {
        "apiVersion": {"type": "string", "description": f"`{api_version}`."},
        "kind": {"type": "string", "description": f"`{kind}`."},
        "metadata": ref(f"{META}.ObjectMeta"),
    }
    if kind in DATA_KINDS:
        properties.update(DATA_KINDS[kind])
    else:
        defs[f"{key}Spec"] = {
            "description": f"What the {kind} should be.",
            "type": "object",
            "properties": SPECS.get(kind, default_spec(kind)),
        }
        properties["spec"] = ref(f"{key}Spec")
    if "status" in subresources:
        defs[f"{key}Status"] = {
            "description": f"What the {kind} is, as last observed. Written by controllers.",
            "type": "object",
            "properties": {
                "observedGeneration": {"type": "integer", "format": "int64"},
                "conditions": {
                    "type": "array",
                    "items": ref(f"{META}.Condition"),
                    "x-keel-list-map-keys": ["type"],
                    "x-keel-list-type": "map",
                },
                "phase": {"type": "string"},
                "readyReplicas": {"type": "integer", "format": "int32"},
            },
        }
        properties["status"] = ref(f"{key}Status")
    defs[key] = {
        "description": f"A {kind} of the {api_version} API.",
        "type": "object",
        "properties": properties,
        "x-keel-group-version-kind": [{"group": group, "version": version, "kind": kind}],
    }
    defs[f"{key}List"] = {
        "description": f"A list of {kind} objects.",
        "type": "object",
        "required": ["items"],
        "properties": {
            "apiVersion": {"type": "string"},
            "kind": {"type": "string"},
            "items": {"type": "array", "items": ref(key)},
            "metadata": ref(f"{META}.ListMeta"),
        },
    }
    return defs


# ---------------------------------------------------------------------------------------
# Per kind: operations
# ---------------------------------------------------------------------------------------


def responses(codes, schema_key_of):
    out = {}
    text = {200: "OK", 201: "Created", 202: "Accepted"}
    for code in codes:
        out[str(code)] = {"description": text[code], "schema": ref(schema_key_of)}
    out["401"] = {"description": "Unauthorized"}
    return out


def operation(op_id, tag, description, params, resp, consumes=None, produces=None, action=None, gvk=None):
    op = {
        "description": description,
        "operationId": op_id,
        "tags": [tag],
        "produces": produces or PRODUCES,
        "schemes": ["https"],
        "responses": resp,
    }
    if consumes:
        op["consumes"] = consumes
    if params:
        op["parameters"] = params
    if action:
        op["x-keel-action"] = action
    if gvk:
        op["x-keel-group-version-kind"] = gvk
    return op


def kind_paths(group, version, kind, plural, namespaced, subresources):
    gv = camel(group_name(group)) + camel(version)
    tag = f"{'core' if group == '' else group.split('.')[0]}_{version}"
    key = schema_key(group, version, kind)
    gvk = {"group": group, "version": version, "kind": kind}
    base = base_path(group, version)
    scope = "Namespaced" if namespaced else ""
    ns_seg = "/namespaces/{namespace}" if namespaced else ""
    collection = f"{base}{ns_seg}/{plural}"
    item = f"{collection}/{{name}}"
    name_param = {
        "name": "name",
        "in": "path",
        "required": True,
        "type": "string",
        "description": f"The name of the {kind}.",
        "uniqueItems": True,
    }
    shared = [param_ref("namespace")] if namespaced else []
    watch_produces = PRODUCES + [f"{JSON};stream=watch", "application/vnd.keel.protobuf;stream=watch"]
    paths = {}
    body = {"name": "body", "in": "body", "required": True, "schema": ref(key)}
    write_params = [body, param_ref("dryRun"), param_ref("fieldManager"), param_ref("fieldValidation")]

    paths[collection] = {
        "parameters": shared + [param_ref("pretty")],
        "get": operation(
            f"list{gv}{scope}{kind}",
            tag,
            f"List or watch objects of kind {kind}.",
            [param_ref(p) for p in LIST_PARAMS],
            responses([200], f"{key}List"),
            consumes=["*/*"],
            produces=watch_produces,
            action="list",
            gvk=gvk,
        ),
        "post": operation(
            f"create{gv}{scope}{kind}",
            tag,
            f"Create a {kind}.",
            write_params,
            responses([200, 201, 202], key),
            consumes=["*/*"],
            action="post",
            gvk=gvk,
        ),
        "delete": operation(
            f"deleteCollection{gv}{scope}{kind}",
            tag,
            f"Delete every {kind} that the selectors match.",
            [
                param_ref("body-delete"),
                param_ref("continue"),
                param_ref("dryRun"),
                param_ref("fieldSelector"),
                param_ref("gracePeriodSeconds"),
                param_ref("labelSelector"),
                param_ref("limit"),
                param_ref("orphanDependents"),
                param_ref("propagationPolicy"),
                param_ref("resourceVersion"),
                param_ref("timeoutSeconds"),
            ],
            responses([200], f"{META}.Status"),
            consumes=["*/*"],
            action="deletecollection",
            gvk=gvk,
        ),
    }
    paths[item] = {
        "parameters": [name_param] + shared + [param_ref("pretty")],
        "get": operation(
            f"read{gv}{scope}{kind}",
            tag,
            f"Read the given {kind}.",
            [],
            responses([200], key),
            consumes=["*/*"],
            action="get",
            gvk=gvk,
        ),
        "put": operation(
            f"replace{gv}{scope}{kind}",
            tag,
            f"Replace the given {kind}.",
            write_params,
            responses([200, 201], key),
            consumes=["*/*"],
            action="put",
            gvk=gvk,
        ),
        "patch": operation(
            f"patch{gv}{scope}{kind}",
            tag,
            f"Change parts of the given {kind}.",
            [param_ref("body-patch"), param_ref("dryRun"), param_ref("fieldManager"), param_ref("force")],
            responses([200, 201], key),
            consumes=PATCH_TYPES,
            action="patch",
            gvk=gvk,
        ),
        "delete": operation(
            f"delete{gv}{scope}{kind}",
            tag,
            f"Delete the given {kind}.",
            [
                param_ref("body-delete"),
                param_ref("dryRun"),
                param_ref("gracePeriodSeconds"),
                param_ref("orphanDependents"),
                param_ref("propagationPolicy"),
            ],
            responses([200, 202], f"{META}.Status"),
            consumes=["*/*"],
            action="delete",
            gvk=gvk,
        ),
    }
    # Watches: the collection, one object, and (namespaced kinds) every namespace.
    watch_params = [param_ref(p) for p in LIST_PARAMS] + [param_ref("pretty")]
    paths[f"{base}/watch{ns_seg}/{plural}"] = {
        "parameters": shared + watch_params,
        "get": operation(
            f"watch{gv}{scope}{kind}List",
            tag,
            f"Watch changes to the list of {kind}. Deprecated: use `watch` on the list operation.",
            [],
            responses([200], f"{META}.WatchEvent"),
            consumes=["*/*"],
            produces=watch_produces,
            action="watchlist",
            gvk=gvk,
        ),
    }
    paths[f"{base}/watch{ns_seg}/{plural}/{{name}}"] = {
        "parameters": [name_param] + shared + watch_params,
        "get": operation(
            f"watch{gv}{scope}{kind}",
            tag,
            f"Watch changes to one {kind}. Deprecated: use `watch` with a fieldSelector on the list operation.",
            [],
            responses([200], f"{META}.WatchEvent"),
            consumes=["*/*"],
            produces=watch_produces,
            action="watch",
            gvk=gvk,
        ),
    }
    if namespaced:
        paths[f"{base}/{plural}"] = {
            "parameters": [param_ref(p) for p in LIST_PARAMS] + [param_ref("pretty")],
            "get": operation(
                f"list{gv}{kind}ForAllNamespaces",
                tag,
                f"List or watch {kind} objects of every namespace.",
                [],
                responses([200], f"{key}List"),
                consumes=["*/*"],
                produces=watch_produces,
                action="list",
                gvk=gvk,
            ),
        }
    if "status" in subresources:
        paths[f"{item}/status"] = {
            "parameters": [name_param] + shared + [param_ref("pretty")],
            "get": operation(
                f"read{gv}{scope}{kind}Status",
                tag,
                f"Read the status of the given {kind}.",
                [],
                responses([200], key),
                consumes=["*/*"],
                action="get",
                gvk=gvk,
            ),
            "put": operation(
                f"replace{gv}{scope}{kind}Status",
                tag,
                f"Replace the status of the given {kind}.",
                write_params,
                responses([200, 201], key),
                consumes=["*/*"],
                action="put",
                gvk=gvk,
            ),
            "patch": operation(
                f"patch{gv}{scope}{kind}Status",
                tag,
                f"Change parts of the status of the given {kind}.",
                [param_ref("body-patch"), param_ref("dryRun"), param_ref("fieldManager"), param_ref("force")],
                responses([200, 201], key),
                consumes=PATCH_TYPES,
                action="patch",
                gvk=gvk,
            ),
        }
    if "scale" in subresources:
        scale = "io.keel.api.autoscaling.v1.Scale"
        scale_gvk = {"group": "autoscaling", "version": "v1", "kind": "Scale"}
        scale_body = {"name": "body", "in": "body", "required": True, "schema": ref(scale)}
        paths[f"{item}/scale"] = {
            "parameters": [name_param] + shared + [param_ref("pretty")],
            "get": operation(
                f"read{gv}{scope}{kind}Scale",
                tag,
                f"Read the scale of the given {kind}.",
                [],
                responses([200], scale),
                consumes=["*/*"],
                action="get",
                gvk=scale_gvk,
            ),
            "put": operation(
                f"replace{gv}{scope}{kind}Scale",
                tag,
                f"Replace the scale of the given {kind}.",
                [scale_body, param_ref("dryRun"), param_ref("fieldManager"), param_ref("fieldValidation")],
                responses([200, 201], scale),
                consumes=["*/*"],
                action="put",
                gvk=scale_gvk,
            ),
            "patch": operation(
                f"patch{gv}{scope}{kind}Scale",
                tag,
                f"Change parts of the scale of the given {kind}.",
                [param_ref("body-patch"), param_ref("dryRun"), param_ref("fieldManager"), param_ref("force")],
                responses([200, 201], scale),
                consumes=PATCH_TYPES,
                action="patch",
                gvk=scale_gvk,
            ),
        }
    if "log" in subresources:
        paths[f"{item}/log"] = {
            "parameters": [name_param]
            + shared
            + [
                {"name": "container", "in": "query", "type": "string", "description": "Which container's log."},
                {"name": "follow", "in": "query", "type": "boolean", "description": "Stream the log as it grows."},
                {"name": "previous", "in": "query", "type": "boolean", "description": "The last ended run's log."},
                {"name": "sinceSeconds", "in": "query", "type": "integer", "description": "Only this recent."},
                {"name": "tailLines", "in": "query", "type": "integer", "description": "Only the last lines."},
                {"name": "timestamps", "in": "query", "type": "boolean", "description": "Prefix each line."},
                param_ref("pretty"),
            ],
            "get": operation(
                f"read{gv}{scope}{kind}Log",
                tag,
                f"Read the log of the given {kind}'s container.",
                [],
                {"200": {"description": "OK", "schema": {"type": "string"}}, "401": {"description": "Unauthorized"}},
                consumes=["*/*"],
                produces=["text/plain", JSON, "application/yaml", "application/vnd.keel.protobuf"],
                action="get",
                gvk=gvk,
            ),
        }
    if "proxy" in subresources:
        port_hint = f"The port of the {kind} to proxy to; a name or a number."
        proxy_text = {"200": {"description": "OK", "schema": {"type": "string"}}, "401": {"description": "Unauthorized"}}
        for with_path in (False, True):
            route = f"{item}/proxy" + ("/{path}" if with_path else "")
            params = [name_param] + shared
            if with_path:
                params.append(
                    {
                        "name": "path",
                        "in": "path",
                        "required": True,
                        "type": "string",
                        "description": "The path on the target to proxy to.",
                        "uniqueItems": True,
                    }
                )
            # The query `path` is kept beside the path one, as the real APIs of this
            # kind do: the two are different parameters with the same name.
            params.append(
                {
                    "name": "path",
                    "in": "query",
                    "type": "string",
                    "description": "The path on the target to proxy to (query form).",
                    "uniqueItems": True,
                }
            )
            if kind == "Pod":
                params.append({"name": "port", "in": "query", "type": "string", "description": port_hint})
            paths[route] = {"parameters": params}
            for method in PROXY_METHODS:
                suffix = "WithPath" if with_path else ""
                verb = method[:1].upper() + method[1:]
                paths[route][method] = operation(
                    f"connect{verb}{scope}{kind}Proxy{suffix}",
                    tag,
                    f"Send a {method.upper()} request to the {kind}'s proxy.",
                    [],
                    dict(proxy_text),
                    consumes=["*/*"],
                    produces=["*/*"],
                    action="connect",
                    gvk={"group": group, "version": version, "kind": f"{kind}ProxyOptions"},
                )
    return paths


def group_discovery(group, version):
    tag = f"{'core' if group == '' else group.split('.')[0]}_{version}"
    gv = camel(group_name(group)) + camel(version)
    return {
        base_path(group, version)
        + "/": {
            "get": operation(
                f"get{gv}APIResources",
                tag,
                "List the resources of this API group version.",
                [],
                responses([200], f"{META}.APIResourceList"),
                consumes=[JSON, "application/yaml", "application/vnd.keel.protobuf"],
            )
        }
    }


def build():
    definitions = meta_definitions()
    # The pod spec is shared by the workload kinds through PodTemplateSpec.
    definitions["io.keel.api.core.v1.PodSpec"] = {
        "description": "The containers of a pod and how they run.",
        "type": "object",
        "required": ["containers"],
        "properties": SPECS["Pod"],
    }
    paths = {}
    groups = []
    for group, version, kind, plural, namespaced, subresources in KINDS:
        if (group, version) not in groups:
            groups.append((group, version))
            paths.update(group_discovery(group, version))
        definitions.update(kind_definitions(group, version, kind, subresources))
        paths.update(kind_paths(group, version, kind, plural, namespaced, subresources))
    return {
        "swagger": "2.0",
        "info": {
            "title": "Keel Cluster",
            "version": "v1.31.4",
            "description": "The control-plane API of a Keel container cluster: workloads, services, "
            "configuration, storage and access control, grouped by API group and version.",
        },
        "securityDefinitions": {
            "BearerToken": {
                "type": "apiKey",
                "in": "header",
                "name": "authorization",
                "description": "A bearer token: `Bearer <token>`.",
            }
        },
        "security": [{"BearerToken": []}],
        "paths": dict(sorted(paths.items())),
        "definitions": dict(sorted(definitions.items())),
        "parameters": shared_parameters(),
    }


def main():
    text = json.dumps(build(), indent=1, ensure_ascii=False) + "\n"
    if "--check" in sys.argv[1:]:
        if not OUT.exists() or OUT.read_text() != text:
            print(f"{OUT} is stale; run python3 scripts/cluster_api.py", file=sys.stderr)
            return 1
        return 0
    OUT.write_text(text)
    document = json.loads(text)
    operations = sum(1 for item in document["paths"].values() for key in item if key != "parameters")
    print(f"wrote {OUT}: {len(document['paths'])} paths, {operations} operations, {len(document['definitions'])} schemas")
    return 0


if __name__ == "__main__":
    sys.exit(main())
