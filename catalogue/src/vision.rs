//! Google Cloud Vision as the OCR of a catalogue's pages, in place of Tesseract
//! (`SPINE_CATALOGUE_OCR=google-vision`): each page image Poppler drew is sent to
//! `images:annotate` (`DOCUMENT_TEXT_DETECTION`, French and English hints) and its words come
//! back with their boxes, grouped into lines as Tesseract's are (block, paragraph, line), so
//! the extractors read them the same way. Busy or unreachable, it is asked again (its
//! `Retry-After` honoured), then the reading fails with a French reason.

use std::time::Duration;

use base64::Engine;
use serde::Deserialize;

use crate::Word;

/// Where Vision is asked, and with which key.
#[derive(Clone)]
pub struct VisionConfig {
    /// `https://vision.googleapis.com` (or a stand-in's address).
    pub base_url: String,
    /// Sent in the `x-goog-api-key` header (never in the address, which proxies log).
    pub api_key: String,
    pub timeout: Duration,
}

impl std::fmt::Debug for VisionConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("VisionConfig")
            .field("base_url", &self.base_url)
            .field("api_key", &"***")
            .field("timeout", &self.timeout)
            .finish()
    }
}

/// Why Vision read no words; the message is for the rep.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum VisionError {
    #[error(
        "Le service de lecture des pages (Google Vision) est injoignable : réessayez plus tard."
    )]
    Unreachable,
    #[error("Le service de lecture des pages (Google Vision) est saturé : réessayez plus tard.")]
    Busy,
    #[error(
        "Le service de lecture des pages (Google Vision) a refusé la demande (erreur {status}) : \
         prévenez l’administrateur de Spine."
    )]
    Refused { status: u16 },
    #[error("Le service de lecture des pages (Google Vision) a répondu de façon illisible.")]
    Unreadable,
}

/// Attempts at a page before the reading fails.
const ATTEMPTS: u32 = 3;
/// The longest wait a `Retry-After` may ask for.
const LONGEST_WAIT: Duration = Duration::from_secs(30);

/// A client of Vision's `images:annotate`.
#[derive(Debug, Clone)]
pub struct Vision {
    config: VisionConfig,
    client: reqwest::Client,
}

impl Vision {
    pub fn new(config: VisionConfig) -> Self {
        let client = reqwest::Client::builder()
            .timeout(config.timeout)
            .connect_timeout(Duration::from_secs(10))
            .build()
            // Only a TLS backend that cannot start fails here; the default client says so.
            .unwrap_or_default();
        Vision { config, client }
    }

    /// The words of a page image (PNG or JPEG), boxes in its pixels.
    pub async fn read(&self, image: &[u8]) -> Result<Vec<Word>, VisionError> {
        let body = serde_json::json!({
            "requests": [{
                "image": { "content": base64::engine::general_purpose::STANDARD.encode(image) },
                "features": [{ "type": "DOCUMENT_TEXT_DETECTION" }],
                "imageContext": { "languageHints": ["fr", "en"] },
            }]
        });
        let mut last = VisionError::Unreachable;
        for attempt in 0..ATTEMPTS {
            let wait = match self.ask(&body).await {
                Ok(words) => return Ok(words),
                Err(Failure::Final(e)) => return Err(e),
                Err(Failure::Again(e, wait)) => {
                    last = e;
                    wait.unwrap_or(Duration::from_secs(1 << attempt))
                }
            };
            if attempt + 1 < ATTEMPTS {
                tokio::time::sleep(wait.min(LONGEST_WAIT)).await;
            }
        }
        Err(last)
    }

    async fn ask(&self, body: &serde_json::Value) -> Result<Vec<Word>, Failure> {
        let url = format!(
            "{}/v1/images:annotate",
            self.config.base_url.trim_end_matches('/')
        );
        let response = self
            .client
            .post(url)
            .header("x-goog-api-key", &self.config.api_key)
            .json(body)
            .send()
            .await
            .map_err(|_| Failure::Again(VisionError::Unreachable, None))?;
        let status = response.status().as_u16();
        if status == 429 || status == 503 {
            let wait = response
                .headers()
                .get(reqwest::header::RETRY_AFTER)
                .and_then(|v| v.to_str().ok())
                .and_then(|v| v.trim().parse::<u64>().ok())
                .map(Duration::from_secs);
            return Err(Failure::Again(VisionError::Busy, wait));
        }
        if status >= 500 {
            return Err(Failure::Again(VisionError::Unreachable, None));
        }
        if !(200..300).contains(&status) {
            return Err(Failure::Final(VisionError::Refused { status }));
        }
        let annotated: Annotated = response
            .json()
            .await
            .map_err(|_| Failure::Final(VisionError::Unreadable))?;
        let first = annotated
            .responses
            .into_iter()
            .next()
            .ok_or(Failure::Final(VisionError::Unreadable))?;
        if let Some(error) = first.error {
            // A per-image error carries a gRPC code: 3 is a bad image, 8 a quota.
            return Err(match error.code {
                8 | 14 => Failure::Again(VisionError::Busy, None),
                _ => Failure::Final(VisionError::Refused { status: 400 }),
            });
        }
        Ok(first.full_text.map(words).unwrap_or_default())
    }
}

enum Failure {
    /// Worth asking again, after the wait the server asked for, if any.
    Again(VisionError, Option<Duration>),
    Final(VisionError),
}

/// `images:annotate`'s answer, as much of it as Spine reads (proto3 JSON leaves out what is
/// empty or zero).
#[derive(Deserialize)]
struct Annotated {
    #[serde(default)]
    responses: Vec<Annotation>,
}

#[derive(Deserialize)]
struct Annotation {
    #[serde(rename = "fullTextAnnotation")]
    full_text: Option<FullText>,
    error: Option<Status>,
}

#[derive(Deserialize)]
struct Status {
    #[serde(default)]
    code: i32,
}

#[derive(Deserialize)]
struct FullText {
    #[serde(default)]
    pages: Vec<Page>,
}

#[derive(Deserialize)]
struct Page {
    #[serde(default)]
    blocks: Vec<Block>,
}

#[derive(Deserialize)]
struct Block {
    #[serde(default)]
    paragraphs: Vec<Paragraph>,
}

#[derive(Deserialize)]
struct Paragraph {
    #[serde(default)]
    words: Vec<VisionWord>,
}

#[derive(Deserialize)]
struct VisionWord {
    #[serde(rename = "boundingBox")]
    bounding_box: Option<Polygon>,
    #[serde(default)]
    symbols: Vec<Symbol>,
    confidence: Option<f32>,
}

#[derive(Deserialize)]
struct Polygon {
    #[serde(default)]
    vertices: Vec<Vertex>,
}

#[derive(Deserialize)]
struct Vertex {
    #[serde(default)]
    x: i64,
    #[serde(default)]
    y: i64,
}

#[derive(Deserialize)]
struct Symbol {
    #[serde(default)]
    text: String,
    property: Option<Property>,
}

#[derive(Deserialize)]
struct Property {
    #[serde(rename = "detectedBreak")]
    detected_break: Option<Break>,
}

#[derive(Deserialize)]
struct Break {
    #[serde(rename = "type", default)]
    kind: String,
}

/// Vision's words as Tesseract's: their text, box, confidence (0 to 100), and line: a line ends
/// where Vision detected a line break.
fn words(full: FullText) -> Vec<Word> {
    let mut read = Vec::new();
    for (b, block) in full.pages.into_iter().flat_map(|p| p.blocks).enumerate() {
        for (p, paragraph) in block.paragraphs.into_iter().enumerate() {
            let mut line = 1;
            for word in paragraph.words {
                let text: String = word.symbols.iter().map(|s| s.text.as_str()).collect();
                let ends_line = word.symbols.last().is_some_and(|s| {
                    s.property
                        .as_ref()
                        .and_then(|p| p.detected_break.as_ref())
                        .is_some_and(|b| b.kind == "EOL_SURE_SPACE" || b.kind == "LINE_BREAK")
                });
                let vertices = word.bounding_box.map(|b| b.vertices).unwrap_or_default();
                let xs = vertices.iter().map(|v| v.x.max(0));
                let ys = vertices.iter().map(|v| v.y.max(0));
                let (left, right) = (xs.clone().min(), xs.max());
                let (top, bottom) = (ys.clone().min(), ys.max());
                if let (false, Some(left), Some(right), Some(top), Some(bottom)) =
                    (text.trim().is_empty(), left, right, top, bottom)
                {
                    read.push(Word {
                        text,
                        conf: word.confidence.unwrap_or(0.0).clamp(0.0, 1.0) * 100.0,
                        left: left as u32,
                        top: top as u32,
                        width: (right - left).max(1) as u32,
                        height: (bottom - top).max(1) as u32,
                        line: (b as u32 + 1, p as u32 + 1, line),
                    });
                }
                if ends_line {
                    line += 1;
                }
            }
        }
    }
    read
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn visions_words_become_lines_of_words_with_their_boxes() {
        // Two lines in one paragraph; proto3 leaves out a zero coordinate.
        let answer = r#"{"responses": [{"fullTextAnnotation": {"pages": [{"blocks": [{"paragraphs": [{"words": [
            {"boundingBox": {"vertices": [{"y": 10}, {"x": 40, "y": 10}, {"x": 40, "y": 30}, {"y": 30}]},
             "symbols": [{"text": "R"}, {"text": "é"}, {"text": "f"}, {"text": ".", "property": {"detectedBreak": {"type": "SPACE"}}}],
             "confidence": 0.97},
            {"boundingBox": {"vertices": [{"x": 50, "y": 10}, {"x": 150, "y": 10}, {"x": 150, "y": 31}, {"x": 50, "y": 31}]},
             "symbols": [{"text": "BR299126", "property": {"detectedBreak": {"type": "EOL_SURE_SPACE"}}}],
             "confidence": 0.9},
            {"boundingBox": {"vertices": [{"x": 5, "y": 40}, {"x": 60, "y": 40}, {"x": 60, "y": 60}, {"x": 5, "y": 60}]},
             "symbols": [{"text": "Tablier"}]}
        ]}]}]}]}}]}"#;
        let annotated: Annotated = serde_json::from_str(answer).unwrap();
        let full = annotated
            .responses
            .into_iter()
            .next()
            .unwrap()
            .full_text
            .unwrap();
        let read = words(full);
        let seen: Vec<(&str, u32, u32, u32, u32, crate::LineKey)> = read
            .iter()
            .map(|w| (w.text.as_str(), w.left, w.top, w.width, w.height, w.line))
            .collect();
        assert_eq!(
            seen,
            [
                ("Réf.", 0, 10, 40, 20, (1, 1, 1)),
                ("BR299126", 50, 10, 100, 21, (1, 1, 1)),
                ("Tablier", 5, 40, 55, 20, (1, 1, 2)),
            ]
        );
        assert!((read[0].conf - 97.0).abs() < 1e-3);
        assert_eq!(read[2].conf, 0.0);
    }

    #[test]
    fn the_api_key_never_shows_in_debug_output() {
        let vision = Vision::new(VisionConfig {
            base_url: "http://127.0.0.1:1".into(),
            api_key: "AIza-secret".into(),
            timeout: Duration::from_secs(1),
        });
        assert!(!format!("{vision:?}").contains("AIza-secret"));
    }
}
