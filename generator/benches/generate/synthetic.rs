//! Definitions made up for the benchmark: a flat one that grows by operations, and one
//! shaped like a cluster API.

use serde_json::{Map, Value, json};

/// A Swagger 2.0 definition with `n` operations, each with a path parameter, a body
/// object, and two responses (one of them a shared error definition).
pub fn flat(n: usize) -> String {
    let mut paths = Map::new();
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

/// A paragraph of prose of the length real cluster APIs put on every field.
fn prose(subject: &str, i: usize) -> String {
    format!(
        "{subject} describes the desired state of the object as the user asked for it. \
         The system reconciles the observed state towards it and reports progress in the \
         status. Changing it after creation may restart dependent workloads; see the \
         reference documentation, section {i}, for which fields may change in place.\n\n\
         Values are validated when the object is admitted. Unknown fields are kept \
         when the server runs with field preservation enabled, and dropped otherwise."
    )
}

fn reference(name: &str) -> Value {
    json!({"$ref": format!("#/definitions/{name}")})
}

/// Definitions every kind shares, chained several `$ref`s deep:
/// `Spec → Template → WorkloadSpec → Container → Probe → Action`.
fn shared_definitions(definitions: &mut Map<String, Value>) {
    let string = |d: &str| json!({"type": "string", "description": d});
    definitions.insert(
        "ObjectMeta".into(),
        json!({"type": "object", "description": prose("ObjectMeta", 1), "properties": {
            "name": string("Unique within a namespace."),
            "namespace": string("The namespace of the object."),
            "uid": string("Set by the system."),
            "resourceVersion": string("Opaque version for optimistic concurrency."),
            "generation": {"type": "integer", "format": "int64"},
            "creationTimestamp": {"type": "string", "format": "date-time"},
            "labels": {"type": "object", "additionalProperties": {"type": "string"}},
            "annotations": {"type": "object", "additionalProperties": {"type": "string"}},
            "ownerReferences": {"type": "array", "items": reference("OwnerReference")}
        }}),
    );
    definitions.insert(
        "OwnerReference".into(),
        json!({"type": "object", "required": ["apiVersion", "kind", "name", "uid"], "properties": {
            "apiVersion": string("API version of the referent."),
            "kind": string("Kind of the referent."),
            "name": string("Name of the referent."),
            "uid": string("UID of the referent."),
            "controller": {"type": "boolean"}
        }}),
    );
    definitions.insert(
        "ListMeta".into(),
        json!({"type": "object", "properties": {
            "continue": string("Token for the next page."),
            "remainingItemCount": {"type": "integer", "format": "int64"},
            "resourceVersion": string("Version of the list.")
        }}),
    );
    definitions.insert(
        "Condition".into(),
        json!({"type": "object", "required": ["type", "status"], "description": prose("Condition", 2), "properties": {
            "type": string("Type of condition."),
            "status": {"type": "string", "enum": ["True", "False", "Unknown"]},
            "lastTransitionTime": {"type": "string", "format": "date-time"},
            "reason": string("Machine-readable reason."),
            "message": string("Human-readable message.")
        }}),
    );
    definitions.insert(
        "Action".into(),
        json!({"type": "object", "properties": {
            "exec": {"type": "object", "properties": {"command": {"type": "array", "items": {"type": "string"}}}},
            "httpGet": {"type": "object", "properties": {"path": string("Path to GET."), "port": {"type": "integer", "format": "int32"}}}
        }}),
    );
    definitions.insert(
        "Probe".into(),
        json!({"type": "object", "description": prose("Probe", 3), "properties": {
            "handler": reference("Action"),
            "initialDelaySeconds": {"type": "integer", "format": "int32"},
            "periodSeconds": {"type": "integer", "format": "int32"}
        }}),
    );
    definitions.insert(
        "Container".into(),
        json!({"type": "object", "required": ["name"], "description": prose("Container", 4), "properties": {
            "name": string("Name of the container."),
            "image": string("Image reference."),
            "args": {"type": "array", "items": {"type": "string"}},
            "env": {"type": "array", "items": {"type": "object", "properties": {"name": string("Variable."), "value": string("Value.")}}},
            "livenessProbe": reference("Probe"),
            "readinessProbe": reference("Probe"),
            "resources": {"type": "object", "properties": {
                "limits": {"type": "object", "additionalProperties": {"type": "string"}},
                "requests": {"type": "object", "additionalProperties": {"type": "string"}}
            }}
        }}),
    );
    definitions.insert(
        "WorkloadSpec".into(),
        json!({"type": "object", "description": prose("WorkloadSpec", 5), "properties": {
            "containers": {"type": "array", "items": reference("Container")},
            "initContainers": {"type": "array", "items": reference("Container")},
            "nodeSelector": {"type": "object", "additionalProperties": {"type": "string"}},
            "restartPolicy": {"type": "string", "enum": ["Always", "OnFailure", "Never"]}
        }}),
    );
    definitions.insert(
        "Template".into(),
        json!({"type": "object", "properties": {"metadata": reference("ObjectMeta"), "spec": reference("WorkloadSpec")}}),
    );
    definitions.insert(
        "Status".into(),
        json!({"type": "object", "description": prose("Status", 6), "properties": {
            "kind": string("Status."), "apiVersion": string("v1"),
            "status": string("Success or Failure."), "message": string("What happened."),
            "reason": string("Why."), "code": {"type": "integer", "format": "int32"}
        }}),
    );
    definitions.insert(
        "Patch".into(),
        json!({"type": "object", "description": "A patch in one of the accepted patch formats."}),
    );
}

/// A Swagger 2.0 cluster-style API: `kinds` namespaced resource kinds, each with its own
/// spec, status and list definitions and six operations (list, create, read, replace,
/// patch, delete), long descriptions everywhere, and `$ref`s several levels deep.
pub fn cluster(kinds: usize) -> String {
    let mut definitions = Map::new();
    shared_definitions(&mut definitions);
    let mut paths = Map::new();
    let query = |name: &str, kind: &str, description: &str| json!({"in": "query", "name": name, "type": kind, "description": description, "uniqueItems": true});
    for k in 0..kinds {
        let kind = format!("Widget{k}");
        let plural = format!("widget{k}s");
        let spec = format!("{kind}Spec");
        definitions.insert(
            spec.clone(),
            json!({"type": "object", "description": prose(&spec, k), "properties": {
                "replicas": {"type": "integer", "format": "int32", "description": prose("replicas", k)},
                "selector": {"type": "object", "additionalProperties": {"type": "string"}},
                "template": reference("Template"),
                "paused": {"type": "boolean"},
                "strategy": {"type": "string", "enum": ["Recreate", "RollingUpdate"]}
            }}),
        );
        definitions.insert(
            format!("{kind}Status"),
            json!({"type": "object", "properties": {
                "observedGeneration": {"type": "integer", "format": "int64"},
                "readyReplicas": {"type": "integer", "format": "int32"},
                "conditions": {"type": "array", "items": reference("Condition")}
            }}),
        );
        definitions.insert(
            kind.clone(),
            json!({"type": "object", "description": prose(&kind, k), "properties": {
                "apiVersion": {"type": "string"}, "kind": {"type": "string"},
                "metadata": reference("ObjectMeta"),
                "spec": reference(&spec),
                "status": reference(&format!("{kind}Status"))
            }}),
        );
        definitions.insert(
            format!("{kind}List"),
            json!({"type": "object", "required": ["items"], "properties": {
                "apiVersion": {"type": "string"}, "kind": {"type": "string"},
                "metadata": reference("ListMeta"),
                "items": {"type": "array", "items": reference(&kind)}
            }}),
        );
        let common = json!([
            {"in": "path", "name": "namespace", "type": "string", "required": true, "description": "Object name and auth scope."},
            query("pretty", "string", "If 'true', the output is pretty printed.")
        ]);
        let ok = |schema: &str| json!({"description": "OK", "schema": reference(schema)});
        let unauthorized = json!({"description": "Unauthorized"});
        paths.insert(
            format!("/apis/widgets/v1/namespaces/{{namespace}}/{plural}"),
            json!({
                "parameters": common,
                "get": {
                    "operationId": format!("listNamespaced{kind}"),
                    "description": prose(&format!("list {kind}"), k),
                    "produces": ["application/json", "application/yaml"],
                    "parameters": [
                        query("labelSelector", "string", "Restricts the list by label."),
                        query("continue", "string", "Token from a previous page."),
                        {"in": "query", "name": "limit", "type": "integer", "description": "Page size."},
                        {"in": "query", "name": "watch", "type": "boolean", "description": "Stream changes."}
                    ],
                    "responses": {"200": ok(&format!("{kind}List")), "401": unauthorized}
                },
                "post": {
                    "operationId": format!("createNamespaced{kind}"),
                    "consumes": ["*/*"],
                    "parameters": [
                        {"in": "body", "name": "body", "required": true, "schema": reference(&kind)},
                        query("dryRun", "string", "When present, changes are not persisted."),
                        query("fieldManager", "string", "Name of the actor making the change.")
                    ],
                    "responses": {"200": ok(&kind), "201": ok(&kind), "202": ok(&kind), "401": unauthorized}
                }
            }),
        );
        paths.insert(
            format!("/apis/widgets/v1/namespaces/{{namespace}}/{plural}/{{name}}"),
            json!({
                "parameters": [
                    {"in": "path", "name": "name", "type": "string", "required": true, "description": "Name of the object."},
                    common[0], common[1]
                ],
                "get": {
                    "operationId": format!("readNamespaced{kind}"),
                    "responses": {"200": ok(&kind), "401": unauthorized}
                },
                "put": {
                    "operationId": format!("replaceNamespaced{kind}"),
                    "consumes": ["*/*"],
                    "parameters": [{"in": "body", "name": "body", "required": true, "schema": reference(&kind)}],
                    "responses": {"200": ok(&kind), "201": ok(&kind), "401": unauthorized}
                },
                "patch": {
                    "operationId": format!("patchNamespaced{kind}"),
                    "consumes": ["application/json-patch+json", "application/merge-patch+json", "application/strategic-merge-patch+json"],
                    "parameters": [
                        {"in": "body", "name": "body", "required": true, "schema": reference("Patch")},
                        query("force", "boolean", "Force the apply.")
                    ],
                    "responses": {"200": ok(&kind), "401": unauthorized}
                },
                "delete": {
                    "operationId": format!("deleteNamespaced{kind}"),
                    "parameters": [{"in": "query", "name": "gracePeriodSeconds", "type": "integer"}],
                    "responses": {"200": ok("Status"), "202": ok("Status"), "401": unauthorized}
                }
            }),
        );
    }
    let doc = json!({
        "swagger": "2.0",
        "info": {"title": "Widget Cluster", "version": "v1.31.0"},
        "consumes": ["application/json"],
        "produces": ["application/json"],
        "paths": paths,
        "definitions": definitions,
        "securityDefinitions": {"BearerToken": {"type": "apiKey", "in": "header", "name": "authorization"}},
        "security": [{"BearerToken": []}]
    });
    serde_json::to_string_pretty(&doc).unwrap()
}
