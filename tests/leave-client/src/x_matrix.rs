//! The `X-Matrix` request signing recipe from the README, as an [`Authorizer`] and as the
//! check a receiving server makes. The ed25519 signature is replaced by a keyed digest so
//! that the tests need no crypto crate; everything around it (the signed JSON object, its
//! canonical form, the header) is what a real signer does.

use std::hash::{DefaultHasher, Hash, Hasher};

use matrix_federation_leave::client::{AuthRequest, AuthorizeError, AuthorizeFuture, Authorizer};
use serde_json::Value;

/// The `Authorization` scheme Matrix federation uses.
pub const SCHEME: &str = "X-Matrix ";

/// Signs requests as server `origin` with the key `key_id`.
#[derive(Debug, Clone)]
pub struct XMatrixSigner {
    pub origin: String,
    pub key_id: String,
}

impl Authorizer for XMatrixSigner {
    fn authorize<'a>(&'a self, request: AuthRequest<'a>) -> AuthorizeFuture<'a> {
        Box::pin(async move { self.header(&request) })
    }
}

impl XMatrixSigner {
    fn header(&self, request: &AuthRequest<'_>) -> Result<String, AuthorizeError> {
        let content = request.body.map(serde_json::from_slice::<Value>).transpose()?;
        let signed = signed_json(
            request.method,
            request.path_and_query,
            &self.origin,
            request.destination,
            content,
        );
        Ok(format!(
            "{SCHEME}origin=\"{}\",destination=\"{}\",key=\"{}\",sig=\"{}\"",
            self.origin,
            request.destination,
            self.key_id,
            sign(&canonical_json(&signed))
        ))
    }
}

/// `{method, uri, origin, destination[, content]}`: what an `X-Matrix` signature covers.
fn signed_json(method: &str, uri: &str, origin: &str, destination: &str, content: Option<Value>) -> Value {
    let mut object = serde_json::Map::new();
    object.insert("method".into(), method.into());
    object.insert("uri".into(), uri.into());
    object.insert("origin".into(), origin.into());
    object.insert("destination".into(), destination.into());
    if let Some(content) = content {
        object.insert("content".into(), content);
    }
    Value::Object(object)
}

/// Canonical JSON: object keys sorted at every level, no insignificant whitespace. Keys are
/// sorted here rather than trusting `serde_json::Map`'s order, which the `preserve_order`
/// feature (on in this workspace) changes.
pub fn canonical_json(value: &Value) -> String {
    let mut out = String::new();
    write_canonical(value, &mut out);
    out
}

fn write_canonical(value: &Value, out: &mut String) {
    match value {
        Value::Object(object) => {
            let mut entries: Vec<_> = object.iter().collect();
            entries.sort_by(|a, b| a.0.cmp(b.0));
            out.push('{');
            for (i, (key, value)) in entries.into_iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                out.push_str(&Value::from(key.as_str()).to_string());
                out.push(':');
                write_canonical(value, out);
            }
            out.push('}');
        }
        Value::Array(items) => {
            out.push('[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                write_canonical(item, out);
            }
            out.push(']');
        }
        scalar => out.push_str(&scalar.to_string()),
    }
}

/// Stand-in for an ed25519 signature over the canonical bytes.
fn sign(canonical: &str) -> String {
    let mut hasher = DefaultHasher::new();
    ("test signing key", canonical).hash(&mut hasher);
    format!("{:016x}", hasher.finish())
}

/// What a receiving server checks: the header names this server as destination, and its
/// signature matches the request as it arrived.
pub fn verify(authorization: &str, method: &str, uri: &str, host: &str, body: &[u8]) -> bool {
    let Some(params) = authorization.strip_prefix(SCHEME) else {
        return false;
    };
    let param = |name: &str| {
        params.split(',').find_map(|pair| {
            let (key, value) = pair.split_once('=')?;
            (key.trim() == name).then(|| value.trim().trim_matches('"').to_string())
        })
    };
    let (Some(origin), Some(destination), Some(sig)) = (param("origin"), param("destination"), param("sig")) else {
        return false;
    };
    let content = if body.is_empty() {
        None
    } else {
        match serde_json::from_slice(body) {
            Ok(content) => Some(content),
            Err(_) => return false,
        }
    };
    let signed = signed_json(method, uri, &origin, &destination, content);
    destination == host && sig == sign(&canonical_json(&signed))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn canonical_json_sorts_keys_at_every_level_without_spaces() {
        let value = serde_json::json!({"b": 1, "a": {"d": [true, null], "c": "é"}});
        assert_eq!(canonical_json(&value), r#"{"a":{"c":"é","d":[true,null]},"b":1}"#);
    }
}
