//! Request parameters as Mastodon accepts them: a JSON body, a form body
//! (`source[privacy]=…`, `fields_attributes[0][name]=…`, `scopes[]=…`), multipart text
//! fields, and the query string, merged into one JSON value and then deserialised. Unknown
//! parameters are ignored; a wrong type names the field.

use axum::body::Bytes;
use axum::extract::{FromRequest, Multipart, Request};
use axum::http::header::CONTENT_TYPE;
use canteen_app::AppError;
use serde::de::DeserializeOwned;
use serde_json::{Map, Value};

use crate::error::ApiError;

/// Largest body accepted for parameters (media uploads have their own limit later).
pub const MAX_BODY_BYTES: usize = 1024 * 1024;

/// Parameters of type `T` from the query string and the body, whatever its encoding.
/// File fields of a multipart body are ignored (see [`ParamsWithFiles`]).
pub struct Params<T>(pub T);

impl<S: Send + Sync, T: DeserializeOwned> FromRequest<S> for Params<T> {
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &S) -> Result<Self, ApiError> {
        let ParamsWithFiles(t, _) = ParamsWithFiles::<T>::from_request(req, state).await?;
        Ok(Params(t))
    }
}

/// A file field of a multipart body: (field name, bytes).
pub type FileField = (String, Vec<u8>);

/// Like [`Params`], also keeping the multipart file fields (for avatar and header uploads).
pub struct ParamsWithFiles<T>(pub T, pub Vec<FileField>);

impl<S: Send + Sync, T: DeserializeOwned> FromRequest<S> for ParamsWithFiles<T> {
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &S) -> Result<Self, ApiError> {
        let mut files = Vec::new();
        let mut root = Value::Object(Map::new());
        if let Some(q) = req.uri().query() {
            merge_pairs(&mut root, url_pairs(q.as_bytes()));
        }
        let ctype = req.headers().get(CONTENT_TYPE).and_then(|v| v.to_str().ok()).unwrap_or("").to_ascii_lowercase();
        if ctype.starts_with("multipart/form-data") {
            let mut mp = Multipart::from_request(req, state)
                .await
                .map_err(|e| ApiError::bad_request(format!("Malformed multipart body: {e}")))?;
            let mut pairs = Vec::new();
            while let Some(field) =
                mp.next_field().await.map_err(|e| ApiError::bad_request(format!("Malformed multipart body: {e}")))?
            {
                let Some(name) = field.name().map(str::to_string) else {
                    continue;
                };
                if field.file_name().is_some() {
                    let bytes = field
                        .bytes()
                        .await
                        .map_err(|e| ApiError::bad_request(format!("Malformed multipart field `{name}`: {e}")))?;
                    files.push((name, bytes.to_vec()));
                    continue;
                }
                let text = field
                    .text()
                    .await
                    .map_err(|e| ApiError::bad_request(format!("Malformed multipart field `{name}`: {e}")))?;
                pairs.push((name, text));
            }
            merge_pairs(&mut root, pairs);
        } else {
            let body = Bytes::from_request(req, state).await.map_err(|e| {
                if e.status() == axum::http::StatusCode::PAYLOAD_TOO_LARGE {
                    ApiError(AppError::TooLarge(format!("Request body is larger than {MAX_BODY_BYTES} bytes")))
                } else {
                    ApiError::bad_request(format!("Could not read the request body: {e}"))
                }
            })?;
            if !body.is_empty() {
                if ctype.starts_with("application/json") || (ctype.is_empty() && body.first() == Some(&b'{')) {
                    let json: Value = serde_json::from_slice(&body)
                        .map_err(|e| ApiError::bad_request(format!("Body is not valid JSON: {e}")))?;
                    let Value::Object(map) = json else {
                        return Err(ApiError::bad_request("Body must be a JSON object"));
                    };
                    if let Value::Object(r) = &mut root {
                        r.extend(map);
                    }
                } else {
                    merge_pairs(&mut root, url_pairs(&body));
                }
            }
        }
        from_value(root).map(|t| ParamsWithFiles(t, files))
    }
}

/// Deserialises merged parameters, naming the field on error: a missing required field is
/// a 400 (Rails' "param is missing"), a value of the wrong type a 422.
pub fn from_value<T: DeserializeOwned>(v: Value) -> Result<T, ApiError> {
    serde_path_to_error::deserialize(v).map_err(|e| {
        let path = e.path().to_string();
        let inner = e.inner().to_string();
        if let Some(rest) = inner.strip_prefix("missing field ") {
            ApiError::bad_request(format!("Param is missing or the value is empty: {}", rest.trim_matches('`')))
        } else if path == "." {
            ApiError(AppError::Unprocessable(format!("Invalid parameters: {inner}")))
        } else {
            ApiError(AppError::Unprocessable(format!("Invalid value for `{path}`: {inner}")))
        }
    })
}

fn url_pairs(s: &[u8]) -> Vec<(String, String)> {
    url::form_urlencoded::parse(s).into_owned().collect()
}

/// Builds nested values from bracketed keys: `a[b]=1` → `{"a":{"b":"1"}}`, `a[]=1&a[]=2` →
/// `{"a":["1","2"]}`, `a[0][n]=x` → `{"a":{"0":{"n":"x"}}}`.
fn merge_pairs(root: &mut Value, pairs: Vec<(String, String)>) {
    for (key, value) in pairs {
        let mut parts: Vec<&str> = Vec::new();
        let (head, rest) = match key.find('[') {
            Some(i) => (&key[..i], &key[i..]),
            None => (key.as_str(), ""),
        };
        parts.push(head);
        let mut rest = rest;
        while let Some(stripped) = rest.strip_prefix('[') {
            let Some(end) = stripped.find(']') else { break };
            parts.push(&stripped[..end]);
            rest = &stripped[end + 1..];
        }
        insert(root, &parts, Value::String(value));
    }
}

fn insert(node: &mut Value, parts: &[&str], value: Value) {
    let Some((first, rest)) = parts.split_first() else {
        return;
    };
    if first.is_empty() {
        // `[]`: append to an array.
        if !node.is_array() {
            *node = Value::Array(Vec::new());
        }
        if let Value::Array(items) = node {
            if rest.is_empty() {
                items.push(value);
            } else {
                let mut child = Value::Object(Map::new());
                insert(&mut child, rest, value);
                items.push(child);
            }
        }
        return;
    }
    if !node.is_object() {
        *node = Value::Object(Map::new());
    }
    if let Value::Object(map) = node {
        if rest.is_empty() {
            map.insert((*first).to_string(), value);
        } else {
            let child = map.entry((*first).to_string()).or_insert(Value::Null);
            insert(child, rest, value);
        }
    }
}

/// Deserialisers that accept both JSON types and the strings form bodies carry.
pub mod lenient {
    use serde::Deserialize;
    use serde::de::{self, Deserializer};
    use serde_json::Value;

    fn to_bool(v: &Value) -> Result<Option<bool>, String> {
        match v {
            Value::Null => Ok(None),
            Value::Bool(b) => Ok(Some(*b)),
            Value::Number(n) => Ok(Some(n.as_i64() != Some(0))),
            Value::String(s) => match s.to_ascii_lowercase().as_str() {
                "true" | "1" | "on" | "yes" | "t" => Ok(Some(true)),
                "false" | "0" | "off" | "no" | "f" => Ok(Some(false)),
                "" => Ok(None),
                _ => Err(format!("expected a boolean, got `{s}`")),
            },
            other => Err(format!("expected a boolean, got {other}")),
        }
    }

    pub fn opt_bool<'de, D: Deserializer<'de>>(d: D) -> Result<Option<bool>, D::Error> {
        to_bool(&Value::deserialize(d)?).map_err(de::Error::custom)
    }

    pub fn bool<'de, D: Deserializer<'de>>(d: D) -> Result<bool, D::Error> {
        Ok(opt_bool(d)?.unwrap_or(false))
    }

    /// A string, accepting numbers too (some clients send ids as numbers).
    pub fn opt_string<'de, D: Deserializer<'de>>(d: D) -> Result<Option<String>, D::Error> {
        match Value::deserialize(d)? {
            Value::Null => Ok(None),
            Value::String(s) => Ok(Some(s)),
            Value::Number(n) => Ok(Some(n.to_string())),
            other => Err(de::Error::custom(format!("expected a string, got {other}"))),
        }
    }

    /// Like `opt_list` of strings, also taking numbers (ids and choices sent as JSON numbers).
    pub fn opt_string_list<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Vec<String>>, D::Error> {
        let Some(items) = opt_list::<D, Value>(d)? else { return Ok(None) };
        items
            .into_iter()
            .map(|v| match v {
                Value::String(s) => Ok(s),
                Value::Number(n) => Ok(n.to_string()),
                other => Err(de::Error::custom(format!("expected a string or number, got {other}"))),
            })
            .collect::<Result<Vec<String>, _>>()
            .map(Some)
    }

    /// A list given as an array, as a map of index → item (`a[0]=…`), or as one item.
    pub fn opt_list<'de, D: Deserializer<'de>, T: serde::de::DeserializeOwned>(
        d: D,
    ) -> Result<Option<Vec<T>>, D::Error> {
        let items = match Value::deserialize(d)? {
            Value::Null => return Ok(None),
            Value::Array(items) => items,
            Value::Object(map) => {
                let mut entries: Vec<(String, Value)> = map.into_iter().collect();
                entries.sort_by_key(|(k, _)| k.parse::<u64>().unwrap_or(u64::MAX));
                entries.into_iter().map(|(_, v)| v).collect()
            }
            one => vec![one],
        };
        items
            .into_iter()
            .map(|v| serde_json::from_value(v).map_err(de::Error::custom))
            .collect::<Result<Vec<T>, _>>()
            .map(Some)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn bracketed_keys_nest() {
        let mut root = Value::Object(Map::new());
        merge_pairs(
            &mut root,
            vec![
                ("source[privacy]".into(), "private".into()),
                ("fields_attributes[0][name]".into(), "Ward".into()),
                ("fields_attributes[0][value]".into(), "7".into()),
                ("id[]".into(), "1".into()),
                ("id[]".into(), "2".into()),
                ("plain".into(), "x".into()),
            ],
        );
        assert_eq!(
            root,
            json!({"source": {"privacy": "private"}, "fields_attributes": {"0": {"name": "Ward", "value": "7"}},
                   "id": ["1", "2"], "plain": "x"})
        );
    }
}
