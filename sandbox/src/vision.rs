//! Google Cloud Vision's `POST /v1/images:annotate`, for Spine's Vision OCR: the key
//! (`x-goog-api-key` or `?key=`), the requests and their images are checked as Vision checks
//! them, and a page is really read: by Tesseract, on this machine, its words given back in
//! Vision's shape (blocks, paragraphs, words of symbols with their breaks, bounding boxes,
//! confidences between 0 and 1). Faults are scripted by tests (`POST /_sandbox/vision/next`);
//! `GET /_sandbox/vision/requests` counts the images received.

use std::collections::BTreeMap;
use std::sync::Arc;

use axum::extract::{Query, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use base64::Engine;
use serde::Deserialize;
use serde_json::{json, Value};

use crate::{lock, App};

/// The key the sandbox's Vision accepts.
pub const VISION_API_KEY: &str = "sandbox-vision-key";

/// What the next `images:annotate` answers instead of reading.
#[derive(Debug, Clone, Deserialize)]
pub(crate) struct Fault {
    /// An HTTP status, with `Retry-After` when set.
    status: u16,
    retry_after: Option<u64>,
}

/// `POST /_sandbox/vision/next` (a [`Fault`]) → 204.
pub(crate) async fn next(State(app): State<Arc<App>>, Json(fault): Json<Fault>) -> Response {
    lock(&app.vision_faults).push_back(fault);
    StatusCode::NO_CONTENT.into_response()
}

/// `GET /_sandbox/vision/requests` → `{"images": n, "keys_in_address": n}`.
pub(crate) async fn requests(State(app): State<Arc<App>>) -> Json<Value> {
    let (images, in_address) = *lock(&app.vision_seen);
    Json(json!({ "images": images, "keys_in_address": in_address }))
}

fn error(status: StatusCode, message: &str, reason: &str) -> Response {
    let body =
        json!({ "error": { "code": status.as_u16(), "message": message, "status": reason } });
    (status, Json(body)).into_response()
}

/// `POST /v1/images:annotate`.
pub(crate) async fn annotate(
    State(app): State<Arc<App>>,
    Query(query): Query<BTreeMap<String, String>>,
    headers: HeaderMap,
    body: String,
) -> Response {
    let header_key = headers.get("x-goog-api-key").and_then(|v| v.to_str().ok());
    let key = header_key.or(query.get("key").map(String::as_str));
    if key != Some(VISION_API_KEY) {
        return error(
            StatusCode::FORBIDDEN,
            "The request is missing a valid API key.",
            "PERMISSION_DENIED",
        );
    }
    let Ok(request) = serde_json::from_str::<Value>(&body) else {
        return error(
            StatusCode::BAD_REQUEST,
            "Invalid JSON payload received.",
            "INVALID_ARGUMENT",
        );
    };
    let Some(requests) = request["requests"]
        .as_array()
        .filter(|r| (1..=16).contains(&r.len()))
    else {
        return error(
            StatusCode::BAD_REQUEST,
            "requests must hold 1 to 16 images.",
            "INVALID_ARGUMENT",
        );
    };
    {
        let mut seen = lock(&app.vision_seen);
        seen.0 += requests.len();
        seen.1 += usize::from(query.contains_key("key"));
    }
    if let Some(fault) = lock(&app.vision_faults).pop_front() {
        let status =
            StatusCode::from_u16(fault.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
        let mut response = error(status, "Quota exceeded.", "RESOURCE_EXHAUSTED");
        if let Some(seconds) = fault.retry_after {
            response
                .headers_mut()
                .insert(header::RETRY_AFTER, seconds.into());
        }
        return response;
    }
    let mut responses = Vec::new();
    for one in requests {
        let text_detection = one["features"].as_array().into_iter().flatten().any(|f| {
            matches!(
                f["type"].as_str(),
                Some("DOCUMENT_TEXT_DETECTION" | "TEXT_DETECTION")
            )
        });
        let image = one["image"]["content"]
            .as_str()
            .and_then(|c| base64::engine::general_purpose::STANDARD.decode(c).ok())
            .filter(|bytes| {
                bytes.starts_with(b"\x89PNG\r\n\x1a\n") || bytes.starts_with(b"\xff\xd8\xff")
            });
        responses.push(match (text_detection, image) {
            (false, _) => {
                json!({ "error": { "code": 3, "message": "No text detection feature requested." } })
            }
            (true, None) => json!({ "error": { "code": 3, "message": "Bad image data." } }),
            (true, Some(image)) => match read(&image).await {
                Ok(full) => json!({ "fullTextAnnotation": full }),
                Err(e) => {
                    tracing::warn!(error = %e, "the sandbox's Vision could not read an image");
                    json!({ "error": { "code": 13, "message": "Internal error." } })
                }
            },
        });
    }
    Json(json!({ "responses": responses })).into_response()
}

/// The image's text as Vision's `fullTextAnnotation`, read by Tesseract.
async fn read(image: &[u8]) -> anyhow::Result<Value> {
    let path =
        std::env::temp_dir().join(format!("sandbox-vision-{}", uuid::Uuid::new_v4().simple()));
    tokio::fs::write(&path, image).await?;
    let out = tokio::process::Command::new("tesseract")
        .arg(&path)
        .args(["stdout", "-l", "fra+eng", "tsv"])
        .env("OMP_THREAD_LIMIT", "1")
        .kill_on_drop(true)
        .output()
        .await;
    let _ = tokio::fs::remove_file(&path).await;
    let out = out?;
    anyhow::ensure!(out.status.success(), "tesseract failed");
    Ok(full_text(&String::from_utf8_lossy(&out.stdout)))
}

/// Tesseract's TSV words as Vision's blocks, paragraphs and words: each character a symbol,
/// a word's last one breaking with a space, or with `EOL_SURE_SPACE` at the end of its line.
fn full_text(tsv: &str) -> Value {
    // (block, paragraph) → lines → words (text, left, top, width, height, confidence).
    type Read = (String, i64, i64, i64, i64, f64);
    let mut paragraphs: BTreeMap<(u32, u32), BTreeMap<u32, Vec<Read>>> = BTreeMap::new();
    for row in tsv.lines().skip(1) {
        let cells: Vec<&str> = row.split('\t').collect();
        if cells.len() < 12 || cells[0] != "5" || cells[11].trim().is_empty() {
            continue;
        }
        let n = |i: usize| cells[i].parse::<i64>().unwrap_or(0);
        paragraphs
            .entry((n(2) as u32, n(3) as u32))
            .or_default()
            .entry(n(4) as u32)
            .or_default()
            .push((
                cells[11].to_string(),
                n(6),
                n(7),
                n(8),
                n(9),
                cells[10].parse::<f64>().unwrap_or(0.0) / 100.0,
            ));
    }
    let mut blocks: BTreeMap<u32, Vec<Value>> = BTreeMap::new();
    let mut text = String::new();
    for ((block, _), lines) in paragraphs {
        let mut words = Vec::new();
        for line in lines.into_values() {
            let last = line.len().saturating_sub(1);
            for (i, (word, left, top, width, height, confidence)) in line.into_iter().enumerate() {
                let chars: Vec<char> = word.chars().collect();
                let symbols: Vec<Value> = chars
                    .iter()
                    .enumerate()
                    .map(|(j, c)| {
                        if j + 1 < chars.len() {
                            json!({ "text": c.to_string() })
                        } else {
                            let kind = if i == last { "EOL_SURE_SPACE" } else { "SPACE" };
                            json!({ "text": c.to_string(), "property": { "detectedBreak": { "type": kind } } })
                        }
                    })
                    .collect();
                text.push_str(&word);
                text.push(if i == last { '\n' } else { ' ' });
                // Proto3 JSON leaves out zero coordinates, as Vision does.
                let vertex = |x: i64, y: i64| {
                    let mut v = serde_json::Map::new();
                    if x != 0 {
                        v.insert("x".into(), x.into());
                    }
                    if y != 0 {
                        v.insert("y".into(), y.into());
                    }
                    Value::Object(v)
                };
                words.push(json!({
                    "boundingBox": { "vertices": [
                        vertex(left, top), vertex(left + width, top),
                        vertex(left + width, top + height), vertex(left, top + height),
                    ] },
                    "symbols": symbols,
                    "confidence": confidence,
                }));
            }
        }
        blocks
            .entry(block)
            .or_default()
            .push(json!({ "words": words }));
    }
    let blocks: Vec<Value> = blocks
        .into_values()
        .map(|paragraphs| json!({ "paragraphs": paragraphs, "blockType": "TEXT" }))
        .collect();
    json!({ "pages": [{ "blocks": blocks }], "text": text })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tesseracts_words_are_given_in_visions_shape() {
        let tsv = "level\tpage_num\tblock_num\tpar_num\tline_num\tword_num\tleft\ttop\twidth\theight\tconf\ttext\n\
                   5\t1\t1\t1\t1\t1\t0\t10\t40\t20\t97\tRéf.\n\
                   5\t1\t1\t1\t1\t2\t50\t10\t100\t21\t90\tBR299126\n\
                   5\t1\t1\t1\t2\t1\t5\t40\t55\t20\t88\tTablier\n";
        let full = full_text(tsv);
        let words = &full["pages"][0]["blocks"][0]["paragraphs"][0]["words"];
        assert_eq!(words.as_array().unwrap().len(), 3);
        assert_eq!(words[0]["boundingBox"]["vertices"][0], json!({ "y": 10 }));
        assert_eq!(
            words[0]["symbols"][3]["property"]["detectedBreak"]["type"],
            "SPACE"
        );
        assert_eq!(
            words[1]["symbols"][7]["property"]["detectedBreak"]["type"],
            "EOL_SURE_SPACE"
        );
        assert_eq!(words[1]["confidence"], 0.9);
        assert_eq!(full["text"], "Réf. BR299126\nTablier\n");
    }
}
