//! HTTP helpers shared by the endpoints: AADSTS errors, HTML pages, redirects, forms.

use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{Html, IntoResponse, Response};
use axum::Json;
use serde_json::json;
use uuid::Uuid;

/// An error as the Microsoft identity platform reports it: an OAuth `error` plus an
/// `AADSTSnnnnn` code and message.
pub(crate) struct AadError {
    pub status: StatusCode,
    pub error: &'static str,
    pub code: u32,
    pub message: String,
}

impl AadError {
    pub fn new(error: &'static str, code: u32, message: impl Into<String>) -> Self {
        Self {
            status: StatusCode::BAD_REQUEST,
            error,
            code,
            message: message.into(),
        }
    }

    pub fn with_status(mut self, status: StatusCode) -> Self {
        self.status = status;
        self
    }

    /// AADSTS900144, Microsoft's error for a missing parameter.
    pub fn missing(parameter: &str) -> Self {
        Self::new(
            "invalid_request",
            900144,
            format!("The request body must contain the following parameter: '{parameter}'."),
        )
    }

    pub fn unknown_tenant(tenant: &str) -> Self {
        Self::new(
            "invalid_tenant",
            90002,
            format!(
                "Tenant '{tenant}' not found. Check to make sure you have the correct tenant ID \
                 and are signing into the correct cloud."
            ),
        )
    }

    /// `AADSTSnnnnn: message` followed by the trace lines Microsoft appends.
    fn description(&self, trace: &Trace) -> String {
        format!(
            "AADSTS{}: {}\r\nTrace ID: {}\r\nCorrelation ID: {}\r\nTimestamp: {}",
            self.code, self.message, trace.trace_id, trace.correlation_id, trace.timestamp
        )
    }

    /// The query parameters of an error redirect from the authorize endpoint.
    pub fn redirect_params(&self) -> Vec<(&'static str, String)> {
        vec![
            ("error", self.error.to_owned()),
            ("error_description", self.description(&Trace::new())),
        ]
    }

    /// The error as a sign-in page (errors that cannot be sent back to the client).
    pub fn page(&self) -> Response {
        let trace = Trace::new();
        let body = format!(
            "<h1>Désolé, nous n'avons pas pu vous connecter.</h1>\n<p>AADSTS{}: {}</p>\n\
             <dl><dt>ID de la requête</dt><dd>{}</dd><dt>ID de corrélation</dt><dd>{}</dd>\
             <dt>Horodatage</dt><dd>{}</dd></dl>",
            self.code,
            escape(&self.message),
            trace.trace_id,
            trace.correlation_id,
            trace.timestamp
        );
        (self.status, page("Erreur de connexion", &body)).into_response()
    }
}

/// The JSON error body of the token endpoint.
impl IntoResponse for AadError {
    fn into_response(self) -> Response {
        let trace = Trace::new();
        let body = json!({
            "error": self.error,
            "error_description": self.description(&trace),
            "error_codes": [self.code],
            "timestamp": trace.timestamp,
            "trace_id": trace.trace_id,
            "correlation_id": trace.correlation_id,
        });
        (self.status, no_store(), Json(body)).into_response()
    }
}

struct Trace {
    trace_id: Uuid,
    correlation_id: Uuid,
    timestamp: String,
}

impl Trace {
    fn new() -> Self {
        Self {
            trace_id: Uuid::new_v4(),
            correlation_id: Uuid::new_v4(),
            timestamp: chrono::Utc::now().format("%Y-%m-%d %H:%M:%SZ").to_string(),
        }
    }
}

/// The cache headers Microsoft sets on token responses.
pub(crate) fn no_store() -> [(header::HeaderName, HeaderValue); 2] {
    [
        (
            header::CACHE_CONTROL,
            HeaderValue::from_static("no-store, no-cache"),
        ),
        (header::PRAGMA, HeaderValue::from_static("no-cache")),
    ]
}

/// A complete French HTML page; no script nor inline style, so any CSP allows it.
pub(crate) fn page(title: &str, body: &str) -> Html<String> {
    Html(format!(
        "<!DOCTYPE html>\n<html lang=\"fr\">\n<head>\n<meta charset=\"utf-8\">\n\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
         <link rel=\"icon\" href=\"data:,\">\n\
         <title>{}</title>\n</head>\n<body>\n<main>\n{body}\n</main>\n</body>\n</html>\n",
        escape(title)
    ))
}

pub(crate) fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            _ => out.push(c),
        }
    }
    out
}

/// A 302 to `target` with `params` appended to its query (or fragment).
pub(crate) fn redirect(target: &str, fragment: bool, params: &[(&str, String)]) -> Response {
    let mut query = form_urlencoded::Serializer::new(String::new());
    for (name, value) in params {
        query.append_pair(name, value);
    }
    let separator = if fragment {
        '#'
    } else if target.contains('?') {
        '&'
    } else {
        '?'
    };
    let query = query.finish();
    let location = if query.is_empty() {
        target.to_owned()
    } else {
        format!("{target}{separator}{query}")
    };
    match HeaderValue::from_str(&location) {
        Ok(location) => (StatusCode::FOUND, [(header::LOCATION, location)]).into_response(),
        Err(_) => AadError::new(
            "invalid_request",
            50011,
            "The redirect URI is not a valid URL.",
        )
        .page(),
    }
}

/// An `application/x-www-form-urlencoded` body or query string, in order.
pub(crate) struct Params(pub Vec<(String, String)>);

impl Params {
    pub fn parse(bytes: &[u8]) -> Self {
        Self(form_urlencoded::parse(bytes).into_owned().collect())
    }

    /// The first value of `name`; an empty value counts as absent, as at Microsoft.
    pub fn get(&self, name: &str) -> Option<&str> {
        self.0
            .iter()
            .find(|(n, v)| n == name && !v.is_empty())
            .map(|(_, v)| v.as_str())
    }
}
