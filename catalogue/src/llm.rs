//! The extractor a rep's Spine may use in place of the local one: an OpenAI-compatible chat
//! completions server (a local llama.cpp or Ollama, or a hosted one) asked, page by page, for
//! the page's products as JSON under a strict schema. Its answer is not trusted: every product
//! is checked as the local extractor's are (reference, name, price over zero in cents, a
//! currency code) and must name the OCR lines it was read from, which give its box; a product
//! that fails is dropped, and counted. Busy or unreachable, the server is asked again (its
//! `Retry-After` honoured), then the reading fails with a French reason.

use std::{collections::BTreeMap, time::Duration};

use serde::Deserialize;

use crate::{Confidence, LineKey, PageWords, PdfBox, Product, Word};

/// Where the completions are asked, and as whom.
#[derive(Clone)]
pub struct LlmConfig {
    /// The API's base URL, up to `/v1` (`http://127.0.0.1:11434/v1` for Ollama).
    pub base_url: String,
    pub model: String,
    /// Sent as a bearer token when set; never logged.
    pub api_key: Option<String>,
    /// The longest a page's answer may take.
    pub timeout: Duration,
}

impl std::fmt::Debug for LlmConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("LlmConfig")
            .field("base_url", &self.base_url)
            .field("model", &self.model)
            .field("api_key", &self.api_key.as_ref().map(|_| "***"))
            .field("timeout", &self.timeout)
            .finish()
    }
}

/// Why the LLM gave no products; the message is for the rep.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum LlmError {
    #[error("Le service d’extraction des produits est injoignable : réessayez plus tard.")]
    Unreachable,
    #[error("Le service d’extraction des produits est saturé : réessayez plus tard.")]
    Busy,
    #[error(
        "Le service d’extraction des produits a refusé la demande (erreur {status}) : \
         prévenez l’administrateur de Spine."
    )]
    Refused { status: u16 },
    #[error("Le service d’extraction des produits a répondu de façon illisible.")]
    Unreadable,
}

/// What the LLM found, once checked.
#[derive(Debug, Clone, PartialEq)]
pub struct Extraction {
    pub products: Vec<Product>,
    /// Products of its answers that failed the checks.
    pub dropped: usize,
}

/// Attempts at a page before the reading fails.
const ATTEMPTS: u32 = 3;
/// The longest wait a `Retry-After` may ask for.
const LONGEST_WAIT: Duration = Duration::from_secs(30);

/// The answer's schema (OpenAI's strict mode: every property required, nothing else allowed).
fn schema() -> serde_json::Value {
    serde_json::json!({
        "type": "object",
        "additionalProperties": false,
        "required": ["products"],
        "properties": {
            "products": {
                "type": "array",
                "items": {
                    "type": "object",
                    "additionalProperties": false,
                    "required": ["reference", "name", "description", "price_cents", "currency", "lines"],
                    "properties": {
                        "reference": { "type": "string" },
                        "name": { "type": "string" },
                        "description": { "type": "string" },
                        "price_cents": { "type": "integer" },
                        "currency": { "type": "string" },
                        "lines": { "type": "array", "items": { "type": "string" } }
                    }
                }
            }
        }
    })
}

const INSTRUCTIONS: &str = "Tu lis une page de catalogue de salon professionnel, lue par OCR : \
chaque ligne est précédée de son identifiant (L1, L2…). Donne chaque produit de la page : sa \
référence telle qu'imprimée, sans son libellé (« Réf. », « Référence », « Code article : »…), \
son nom, sa description (vide s'il n'y en a pas), son prix hors taxe en centimes (un entier : \
« 1 234,50 € HT » donne 123450), sa devise (code ISO 4217 : EUR pour €) et les identifiants des \
lignes où il est imprimé. N'invente rien : sans référence, nom et prix lisibles, ce n'est pas un \
produit. Réponds en JSON selon le schéma.";

/// A client of the completions server.
#[derive(Debug, Clone)]
pub struct Llm {
    config: LlmConfig,
    client: reqwest::Client,
}

/// A page's lines as the LLM is shown them: `L<n>` and their words.
struct Lines<'a> {
    page: &'a PageWords,
    /// In reading order (top to bottom, then left to right).
    lines: Vec<(String, Vec<&'a Word>)>,
}

impl<'a> Lines<'a> {
    fn of(page: &'a PageWords) -> Self {
        let mut by_key: BTreeMap<LineKey, Vec<&Word>> = BTreeMap::new();
        for word in page.words.iter().filter(|w| !w.text.trim().is_empty()) {
            by_key.entry(word.line).or_default().push(word);
        }
        let mut lines: Vec<Vec<&Word>> = by_key.into_values().collect();
        for words in &mut lines {
            words.sort_by_key(|w| w.left);
        }
        lines.sort_by_key(|words| {
            let top = words.iter().map(|w| w.top).min().unwrap_or(0);
            let left = words.iter().map(|w| w.left).min().unwrap_or(0);
            (top, left)
        });
        let lines = lines
            .into_iter()
            .enumerate()
            .map(|(i, words)| (format!("L{}", i + 1), words))
            .collect();
        Lines { page, lines }
    }

    fn prompt(&self) -> String {
        let mut text = format!("Page {} :\n", self.page.page);
        for (id, words) in &self.lines {
            let line: Vec<&str> = words.iter().map(|w| w.text.as_str()).collect();
            text.push_str(&format!("{id}: {}\n", line.join(" ")));
        }
        text
    }

    fn words(&self, id: &str) -> Option<&[&'a Word]> {
        self.lines
            .iter()
            .find(|(line, _)| line == id)
            .map(|(_, words)| words.as_slice())
    }
}

/// A product as the LLM answers it.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Answered {
    reference: String,
    name: String,
    description: String,
    price_cents: i64,
    currency: String,
    lines: Vec<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Answer {
    products: Vec<Answered>,
}

impl Llm {
    pub fn new(config: LlmConfig) -> Self {
        let client = reqwest::Client::builder()
            .timeout(config.timeout)
            .connect_timeout(Duration::from_secs(10))
            .build()
            // Only a TLS backend that cannot start fails here; the default client says so.
            .unwrap_or_default();
        Llm { config, client }
    }

    /// The products of `pages`, a request per page, one after another (a local model serves
    /// one at a time).
    pub async fn extract(&self, pages: &[PageWords]) -> Result<Extraction, LlmError> {
        let mut found = Extraction {
            products: Vec::new(),
            dropped: 0,
        };
        for page in pages {
            let lines = Lines::of(page);
            if lines.lines.is_empty() {
                continue;
            }
            let answer = self.ask(&lines).await?;
            for answered in answer.products {
                match checked(&lines, answered) {
                    Some(product) => found.products.push(product),
                    None => found.dropped += 1,
                }
            }
        }
        Ok(found)
    }

    /// The page's answer, asked again while the server is busy, unreachable or garbled.
    async fn ask(&self, lines: &Lines<'_>) -> Result<Answer, LlmError> {
        let mut last = LlmError::Unreachable;
        for attempt in 0..ATTEMPTS {
            let wait = match self.ask_once(lines).await {
                Ok(answer) => return Ok(answer),
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

    async fn ask_once(&self, lines: &Lines<'_>) -> Result<Answer, Failure> {
        let body = serde_json::json!({
            "model": self.config.model,
            "temperature": 0,
            "messages": [
                { "role": "system", "content": INSTRUCTIONS },
                { "role": "user", "content": lines.prompt() },
            ],
            "response_format": {
                "type": "json_schema",
                "json_schema": { "name": "produits", "strict": true, "schema": schema() },
            },
        });
        let url = format!(
            "{}/chat/completions",
            self.config.base_url.trim_end_matches('/')
        );
        let mut request = self.client.post(url).json(&body);
        if let Some(key) = &self.config.api_key {
            request = request.bearer_auth(key);
        }
        let response = match request.send().await {
            Ok(response) => response,
            Err(e) if e.is_timeout() => return Err(Failure::Again(LlmError::Unreachable, None)),
            Err(_) => return Err(Failure::Again(LlmError::Unreachable, None)),
        };
        let status = response.status().as_u16();
        if status == 429 || status == 503 {
            let wait = response
                .headers()
                .get(reqwest::header::RETRY_AFTER)
                .and_then(|v| v.to_str().ok())
                .and_then(|v| v.trim().parse::<u64>().ok())
                .map(Duration::from_secs);
            return Err(Failure::Again(LlmError::Busy, wait));
        }
        if status >= 500 {
            return Err(Failure::Again(LlmError::Unreachable, None));
        }
        if !(200..300).contains(&status) {
            return Err(Failure::Final(LlmError::Refused { status }));
        }
        #[derive(Deserialize)]
        struct Completion {
            choices: Vec<Choice>,
        }
        #[derive(Deserialize)]
        struct Choice {
            message: Message,
        }
        #[derive(Deserialize)]
        struct Message {
            content: Option<String>,
        }
        let garbled = || Failure::Again(LlmError::Unreadable, Some(Duration::ZERO));
        let completion: Completion = response.json().await.map_err(|_| garbled())?;
        let content = completion
            .choices
            .into_iter()
            .next()
            .and_then(|c| c.message.content)
            .ok_or_else(garbled)?;
        serde_json::from_str(&content).map_err(|_| garbled())
    }
}

enum Failure {
    /// Worth asking again, after the wait the server asked for, if any.
    Again(LlmError, Option<Duration>),
    Final(LlmError),
}

/// `answered` as a product, if it holds: a reference, a name and a price over zero within what a
/// product may hold, a currency code, and lines of the page (its box is theirs).
fn checked(lines: &Lines<'_>, answered: Answered) -> Option<Product> {
    let reference = answered.reference.trim().to_string();
    let name = answered.name.trim().to_string();
    let description = answered.description.trim().to_string();
    let currency = answered.currency.trim().to_uppercase();
    let sized = |text: &str, min: usize, max: usize| (min..=max).contains(&text.chars().count());
    if !sized(&reference, 1, 100)
        || !sized(&name, 1, 300)
        || !sized(&description, 0, 4000)
        || !(1..1_000_000_000).contains(&answered.price_cents)
        || currency.len() != 3
        || !currency.chars().all(|c| c.is_ascii_uppercase())
        || answered.lines.is_empty()
    {
        return None;
    }
    let mut words: Vec<&Word> = Vec::new();
    for id in &answered.lines {
        words.extend(lines.words(id.trim())?);
    }
    let left = words.iter().map(|w| w.left).min()?;
    let top = words.iter().map(|w| w.top).min()?;
    let right = words.iter().map(|w| w.left + w.width).max()?;
    let bottom = words.iter().map(|w| w.top + w.height).max()?;
    let points = 72.0 / f64::from(lines.page.dpi.max(1));
    // The reading is as sure as the words it cites.
    let sure = words.iter().map(|w| w.conf).sum::<f32>() / words.len() as f32 / 100.0;
    let sure = sure.clamp(0.0, 1.0);
    Some(Product {
        reference,
        name,
        description,
        price_cents: answered.price_cents,
        currency,
        page: lines.page.page,
        bbox: PdfBox {
            x: f64::from(left) * points,
            y: f64::from(top) * points,
            w: f64::from(right - left) * points,
            h: f64::from(bottom - top) * points,
        },
        confidence: Confidence {
            reference: sure,
            name: sure,
            description: sure,
            price: sure,
        },
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn word(text: &str, left: u32, top: u32, line: u32) -> Word {
        Word {
            text: text.into(),
            conf: 90.0,
            left,
            top,
            width: 100,
            height: 30,
            line: (1, 1, line),
        }
    }

    fn page() -> PageWords {
        PageWords {
            page: 2,
            dpi: 300,
            words: vec![
                word("14,25", 700, 400, 3),
                word("Tablier", 100, 300, 2),
                word("isotherme", 220, 300, 2),
                word("Réf.", 100, 100, 1),
                word("BR299126", 220, 100, 1),
            ],
        }
    }

    fn answered(lines: &[&str], price_cents: i64) -> Answered {
        Answered {
            reference: " BR299126 ".into(),
            name: "Tablier isotherme".into(),
            description: String::new(),
            price_cents,
            currency: "eur".into(),
            lines: lines.iter().map(|l| l.to_string()).collect(),
        }
    }

    #[test]
    fn the_page_is_shown_line_by_line_in_reading_order_with_ids() {
        let page = page();
        assert_eq!(
            Lines::of(&page).prompt(),
            "Page 2 :\nL1: Réf. BR299126\nL2: Tablier isotherme\nL3: 14,25\n"
        );
    }

    #[test]
    fn a_product_answered_is_checked_and_boxed_by_the_lines_it_cites() {
        let page = page();
        let lines = Lines::of(&page);
        let product = checked(&lines, answered(&["L1", "L3"], 1425)).unwrap();
        assert_eq!(
            (product.reference.as_str(), product.currency.as_str()),
            ("BR299126", "EUR")
        );
        assert_eq!(product.page, 2);
        // Lines 1 and 3: pixels 100..800 × 100..430 at 300 dpi.
        let b = product.bbox;
        for (got, want) in [(b.x, 24.0), (b.y, 24.0), (b.w, 168.0), (b.h, 79.2)] {
            assert!((got - want).abs() < 1e-9, "{b:?}");
        }
        assert!((product.confidence.price - 0.9).abs() < 1e-6);
        // Nothing invented: a line the page has not, no line, no price, a bad currency.
        assert_eq!(checked(&lines, answered(&["L9"], 1425)), None);
        assert_eq!(checked(&lines, answered(&[], 1425)), None);
        assert_eq!(checked(&lines, answered(&["L1"], 0)), None);
        assert_eq!(checked(&lines, answered(&["L1"], -5)), None);
        let mut euro = answered(&["L1"], 1425);
        euro.currency = "€".into();
        assert_eq!(checked(&lines, euro), None);
    }

    #[test]
    fn the_api_key_never_shows_in_debug_output() {
        let config = LlmConfig {
            base_url: "http://127.0.0.1:1/v1".into(),
            model: "m".into(),
            api_key: Some("sk-secret-value".into()),
            timeout: Duration::from_secs(1),
        };
        let llm = Llm::new(config);
        assert!(!format!("{llm:?}").contains("sk-secret-value"));
    }
}
