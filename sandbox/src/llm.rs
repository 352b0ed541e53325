//! An OpenAI-compatible chat completions server (`POST /v1/chat/completions`), for Spine's LLM
//! catalogue extractor: the request is checked as OpenAI checks it (bearer key, model,
//! messages, a `json_schema` response format whose schema obeys strict mode's rules) and
//! answered in OpenAI's shape. What the "model" answers is scripted by tests
//! (`POST /_sandbox/llm/next`), products citing the prompt's lines by a text they contain, as a
//! model cites what it read; unscripted, it finds no product. `GET /_sandbox/llm/requests`
//! gives the requests received (without their keys).

use std::sync::Arc;

use axum::extract::State;
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde::Deserialize;
use serde_json::{json, Value};

use crate::{lock, App};

/// The key the sandbox's completions server accepts.
pub const LLM_API_KEY: &str = "sandbox-llm-key";

/// What the next completion answers.
#[derive(Debug, Clone, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub(crate) enum Scripted {
    /// These products (JSON objects, passed on as they are, bad ones included); a product's
    /// `"containing": [text…]` becomes `"lines"`: the ids of the prompt's lines holding them.
    Products { products: Vec<Value> },
    /// This message content, as it is (garbled JSON, another shape).
    Content { content: String },
    /// This status, with `Retry-After` when set, and an OpenAI error body.
    Status {
        status: u16,
        retry_after: Option<u64>,
    },
}

/// `POST /_sandbox/llm/next` (a [`Scripted`]) → 204: queued for the next completion.
pub(crate) async fn next(State(app): State<Arc<App>>, Json(scripted): Json<Scripted>) -> Response {
    lock(&app.llm_script).push_back(scripted);
    StatusCode::NO_CONTENT.into_response()
}

/// `GET /_sandbox/llm/requests` → the completion requests received, oldest first.
pub(crate) async fn requests(State(app): State<Arc<App>>) -> Json<Vec<Value>> {
    Json(lock(&app.llm_requests).clone())
}

fn error(status: StatusCode, message: &str, code: &str) -> Response {
    let body = json!({
        "error": { "message": message, "type": "invalid_request_error", "param": null, "code": code }
    });
    (status, Json(body)).into_response()
}

/// `POST /v1/chat/completions`.
pub(crate) async fn completions(
    State(app): State<Arc<App>>,
    headers: HeaderMap,
    body: String,
) -> Response {
    let bearer = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "));
    if bearer != Some(LLM_API_KEY) {
        return error(
            StatusCode::UNAUTHORIZED,
            "Incorrect API key provided.",
            "invalid_api_key",
        );
    }
    let Ok(request) = serde_json::from_str::<Value>(&body) else {
        return error(
            StatusCode::BAD_REQUEST,
            "We could not parse the JSON body of your request.",
            "invalid_json",
        );
    };
    if let Err(message) = check(&request) {
        return error(StatusCode::BAD_REQUEST, &message, "invalid_request");
    }
    lock(&app.llm_requests).push(request.clone());
    let scripted = lock(&app.llm_script).pop_front();
    let content = match scripted {
        None => json!({ "products": [] }).to_string(),
        Some(Scripted::Content { content }) => content,
        Some(Scripted::Status {
            status,
            retry_after,
        }) => {
            let status = StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
            let mut response = error(status, "The server is busy.", "rate_limit_exceeded");
            if let Some(seconds) = retry_after {
                response
                    .headers_mut()
                    .insert(header::RETRY_AFTER, seconds.into());
            }
            return response;
        }
        Some(Scripted::Products { products }) => {
            let prompt = user_prompt(&request);
            let products: Vec<Value> = products
                .into_iter()
                .map(|product| cite(product, &prompt))
                .collect();
            json!({ "products": products }).to_string()
        }
    };
    let model = request["model"].as_str().unwrap_or_default();
    Json(json!({
        "id": format!("chatcmpl-{}", uuid::Uuid::new_v4().simple()),
        "object": "chat.completion",
        "created": chrono::Utc::now().timestamp(),
        "model": model,
        "choices": [{
            "index": 0,
            "message": { "role": "assistant", "content": content },
            "finish_reason": "stop",
        }],
        "usage": { "prompt_tokens": body.len() / 4, "completion_tokens": content.len() / 4,
                   "total_tokens": (body.len() + content.len()) / 4 },
    }))
    .into_response()
}

/// What OpenAI refuses with a 400: no model, no messages, a message without a role or text, a
/// response format other than a named JSON schema, a strict schema that breaks strict mode.
fn check(request: &Value) -> Result<(), String> {
    if request["model"].as_str().is_none_or(str::is_empty) {
        return Err("you must provide a model parameter".into());
    }
    let messages = request["messages"]
        .as_array()
        .filter(|m| !m.is_empty())
        .ok_or("'messages' must be a non-empty array")?;
    for message in messages {
        let role = message["role"].as_str().unwrap_or_default();
        if !["system", "developer", "user", "assistant"].contains(&role)
            || !message["content"].is_string()
        {
            return Err("each message needs a known role and a text content".into());
        }
    }
    let format = &request["response_format"];
    if format["type"] != "json_schema" {
        return Err("response_format.type must be 'json_schema' here".into());
    }
    let name = format["json_schema"]["name"].as_str().unwrap_or_default();
    if name.is_empty()
        || name.len() > 64
        || !name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
    {
        return Err("response_format.json_schema.name must match ^[a-zA-Z0-9_-]{1,64}$".into());
    }
    if format["json_schema"]["strict"] == true {
        strict(&format["json_schema"]["schema"], "schema")?;
    }
    Ok(())
}

/// Strict mode's rules: every object closes its properties and requires each of them.
fn strict(schema: &Value, at: &str) -> Result<(), String> {
    match schema["type"].as_str() {
        Some("object") => {
            let properties = schema["properties"]
                .as_object()
                .ok_or(format!("Invalid schema: {at} has no 'properties'"))?;
            if schema["additionalProperties"] != false {
                return Err(format!(
                    "Invalid schema: 'additionalProperties' is required to be false at {at}"
                ));
            }
            let required: Vec<&str> = schema["required"]
                .as_array()
                .map(|r| r.iter().filter_map(Value::as_str).collect())
                .unwrap_or_default();
            for (key, property) in properties {
                if !required.contains(&key.as_str()) {
                    return Err(format!(
                        "Invalid schema: 'required' must include every property ({key} at {at})"
                    ));
                }
                strict(property, &format!("{at}.{key}"))?;
            }
            Ok(())
        }
        Some("array") => strict(&schema["items"], &format!("{at}.items")),
        Some("string" | "integer" | "number" | "boolean" | "null") => Ok(()),
        _ => Err(format!("Invalid schema: unknown type at {at}")),
    }
}

/// The text of the request's user messages.
fn user_prompt(request: &Value) -> String {
    request["messages"]
        .as_array()
        .into_iter()
        .flatten()
        .filter(|m| m["role"] == "user")
        .filter_map(|m| m["content"].as_str())
        .collect::<Vec<_>>()
        .join("\n")
}

/// `product` with its `containing` texts turned into the ids of the prompt's lines (`L3: …`)
/// that hold them.
fn cite(mut product: Value, prompt: &str) -> Value {
    let Some(texts) = product.get("containing").and_then(Value::as_array).cloned() else {
        return product;
    };
    let mut lines: Vec<Value> = Vec::new();
    for text in texts.iter().filter_map(Value::as_str) {
        for line in prompt.lines() {
            if let Some((id, words)) = line.split_once(": ") {
                let id = Value::from(id);
                if words.contains(text) && !lines.contains(&id) {
                    lines.push(id);
                }
            }
        }
    }
    if let Some(object) = product.as_object_mut() {
        object.remove("containing");
        object.insert("lines".into(), Value::from(lines));
    }
    product
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_strict_schema_must_close_and_require_every_object() {
        let good = json!({"type": "object", "additionalProperties": false, "required": ["a"],
                          "properties": {"a": {"type": "array", "items": {"type": "string"}}}});
        assert_eq!(strict(&good, "schema"), Ok(()));
        let open =
            json!({"type": "object", "required": ["a"], "properties": {"a": {"type": "string"}}});
        assert!(strict(&open, "schema").is_err());
        let optional = json!({"type": "object", "additionalProperties": false, "required": [],
                              "properties": {"a": {"type": "string"}}});
        assert!(strict(&optional, "schema").is_err());
    }

    #[test]
    fn a_scripted_product_cites_the_lines_holding_its_texts() {
        let prompt = "Page 1 :\nL1: Réf. BR299126\nL2: Tablier isotherme\nL3: 14,25 € HT\n";
        let product = cite(
            json!({"reference": "BR299126", "containing": ["BR299126", "14,25"]}),
            prompt,
        );
        assert_eq!(
            product,
            json!({"reference": "BR299126", "lines": ["L1", "L3"]})
        );
    }
}
