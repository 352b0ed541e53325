//! Microsoft Graph's `POST /v1.0/me/sendMail`, for Spine's outbox: the bearer access token must
//! be one this sandbox issued (signature, audience, expiry) with the `Mail.Send` scope; the
//! message is checked as Graph checks it (a subject, a body of type Text or HTML, at least one
//! valid recipient, custom headers named `x-…` only); a message accepted is answered 202 and
//! kept, per mailbox, in the state file (`GET /_sandbox/mailbox/{address}` lists it, as JSON).
//! Exchange's limits hold per mailbox: 30 messages a minute, 4 requests at once, 10,000
//! recipients a day (429 with `Retry-After`). Tests script faults with `POST /_sandbox/graph/next`:
//! an error status, a slow answer, or a message sent whose answer never comes (the connection
//! drops after the request was read).

use std::collections::{HashMap, VecDeque};
use std::sync::Arc;
use std::time::Duration;

use axum::extract::{Path, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};

use crate::{lock, App};

/// Messages a mailbox may send per minute.
/// Exchange Online's messages a minute per mailbox (the sandbox's default; benches raise it).
pub const PER_MINUTE: u32 = 30;
/// Requests a mailbox may have in flight at once.
const AT_ONCE: usize = 4;
/// Recipients a mailbox may write to per day.
const RECIPIENTS_PER_DAY: usize = 10_000;

/// A message Graph accepted, as the sandbox keeps it.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub(crate) struct Sent {
    /// The sending account's address (lowercase).
    pub mailbox: String,
    pub at: i64,
    /// The same moment, in milliseconds (what a pace is measured with).
    #[serde(default)]
    pub at_ms: i64,
    pub request_id: String,
    pub subject: String,
    pub content_type: String,
    pub content: String,
    pub to: Vec<String>,
    pub cc: Vec<String>,
    pub bcc: Vec<String>,
    /// `internetMessageHeaders`, as sent.
    pub headers: Vec<(String, String)>,
}

/// What the next `sendMail` does instead of sending.
#[derive(Debug, Clone, Deserialize)]
pub(crate) struct Fault {
    /// Answered with this status and Graph error `code` (`Retry-After` when set).
    pub status: Option<u16>,
    pub code: Option<String>,
    pub retry_after: Option<u64>,
    /// Waits this long before answering (a slow Graph).
    pub delay_ms: Option<u64>,
    /// Sends the message, then drops the connection without answering.
    #[serde(default)]
    pub drop_after_read: bool,
}

/// Per mailbox: the times of the last minute's messages, and the requests in flight.
#[derive(Default)]
pub(crate) struct Pace {
    recent: HashMap<String, VecDeque<i64>>,
    in_flight: HashMap<String, usize>,
}

/// `POST /_sandbox/graph/next` (a [`Fault`]) → 204.
pub(crate) async fn next(State(app): State<Arc<App>>, Json(fault): Json<Fault>) -> Response {
    lock(&app.graph_faults).push_back(fault);
    StatusCode::NO_CONTENT.into_response()
}

/// `GET /_sandbox/mailbox/{address}` → the messages it sent, oldest first.
pub(crate) async fn mailbox(
    State(app): State<Arc<App>>,
    Path(address): Path<String>,
) -> Json<Vec<Sent>> {
    Json(app.store.sent_by(&address.to_lowercase()).await)
}

fn error(status: StatusCode, code: &str, message: &str) -> Response {
    let body = json!({ "error": { "code": code, "message": message,
        "innerError": { "request-id": uuid::Uuid::new_v4().to_string(),
                        "date": chrono::Utc::now().format("%Y-%m-%dT%H:%M:%S").to_string() } } });
    (status, Json(body)).into_response()
}

/// Releases a mailbox's place among the requests in flight when dropped.
struct InFlight {
    app: Arc<App>,
    mailbox: String,
}

impl Drop for InFlight {
    fn drop(&mut self) {
        let mut pace = lock(&self.app.graph_pace);
        if let Some(n) = pace.in_flight.get_mut(&self.mailbox) {
            *n = n.saturating_sub(1);
        }
    }
}

/// `POST /v1.0/me/sendMail`.
pub(crate) async fn send_mail(
    State(app): State<Arc<App>>,
    headers: HeaderMap,
    body: String,
) -> Response {
    let token = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "));
    let Some(claims) =
        token.and_then(|t| app.signing_key().verify_access_token(t, &app.base_url).ok())
    else {
        return error(
            StatusCode::UNAUTHORIZED,
            "InvalidAuthenticationToken",
            "Access token has expired or is not yet valid.",
        );
    };
    if !claims
        .scp
        .split_whitespace()
        .any(|s| s.eq_ignore_ascii_case("Mail.Send"))
    {
        return error(
            StatusCode::FORBIDDEN,
            "ErrorAccessDenied",
            "Access is denied. Check credentials and try again.",
        );
    }
    let mailbox = claims.preferred_username.to_lowercase();
    let throttled = |code: &str, message: &str, wait: u64| {
        let mut response = error(StatusCode::TOO_MANY_REQUESTS, code, message);
        response
            .headers_mut()
            .insert(header::RETRY_AFTER, wait.into());
        response
    };
    // A place among the mailbox's requests in flight, held until the answer (a slow one too).
    let _in_flight = {
        let mut pace = lock(&app.graph_pace);
        let in_flight = pace.in_flight.entry(mailbox.clone()).or_default();
        if *in_flight >= AT_ONCE {
            return throttled(
                "ApplicationThrottled",
                "Application is over its MailboxConcurrency limit.",
                1,
            );
        }
        *in_flight += 1;
        InFlight {
            app: app.clone(),
            mailbox: mailbox.clone(),
        }
    };
    let fault = lock(&app.graph_faults).pop_front();
    if let Some(delay) = fault.as_ref().and_then(|f| f.delay_ms) {
        tokio::time::sleep(Duration::from_millis(delay)).await;
    }
    if let Some(Fault {
        status: Some(status),
        code,
        retry_after,
        ..
    }) = &fault
    {
        let status = StatusCode::from_u16(*status).unwrap_or(StatusCode::SERVICE_UNAVAILABLE);
        let code = code.as_deref().unwrap_or("ServiceUnavailable");
        let mut response = error(status, code, "Scripted by the test.");
        if let Some(seconds) = retry_after {
            response
                .headers_mut()
                .insert(header::RETRY_AFTER, (*seconds).into());
        }
        return response;
    }
    let message = match check(&body) {
        Ok(message) => message,
        Err((code, text)) => return error(StatusCode::BAD_REQUEST, code, &text),
    };
    let now_ms = chrono::Utc::now().timestamp_millis();
    let now = now_ms / 1000;
    {
        let mut pace = lock(&app.graph_pace);
        let recent = pace.recent.entry(mailbox.clone()).or_default();
        while recent.front().is_some_and(|t| *t <= now_ms - 60_000) {
            recent.pop_front();
        }
        if recent.len() >= app.graph_per_minute as usize {
            let wait = recent
                .front()
                .map_or(60, |t| ((t + 60_000 - now_ms) / 1000).max(1))
                as u64;
            return throttled(
                "ErrorExceededMessageLimit",
                &format!(
                    "Message rate limit exceeded: {} messages per minute.",
                    app.graph_per_minute
                ),
                wait,
            );
        }
        recent.push_back(now_ms);
    }
    let recipients = message.to.len() + message.cc.len() + message.bcc.len();
    let today = app.store.recipients_since(&mailbox, now - 86_400).await;
    if today + recipients > RECIPIENTS_PER_DAY {
        let mut response = error(
            StatusCode::TOO_MANY_REQUESTS,
            "ErrorExceededMessageLimit",
            "Recipient rate limit exceeded: 10,000 recipients per day.",
        );
        response
            .headers_mut()
            .insert(header::RETRY_AFTER, 3600u64.into());
        return response;
    }
    let request_id = uuid::Uuid::new_v4().to_string();
    let sent = Sent {
        mailbox,
        at: now,
        at_ms: now_ms,
        request_id: request_id.clone(),
        ..message
    };
    if let Err(e) = app.store.add_sent(sent).await {
        tracing::error!(error = %e, "the sandbox could not keep a sent message");
        return error(
            StatusCode::SERVICE_UNAVAILABLE,
            "ServiceUnavailable",
            "Try again later.",
        );
    }
    if fault.is_some_and(|f| f.drop_after_read) {
        // Sent, but the answer never comes: the connection drops (the task unwinds without a
        // panic message, and the server closes its socket).
        std::panic::resume_unwind(Box::new("connection dropped by the test"));
    }
    let mut response = StatusCode::ACCEPTED.into_response();
    if let Ok(value) = request_id.parse() {
        response.headers_mut().insert("request-id", value);
    }
    if let Some(client) = headers.get("client-request-id") {
        response
            .headers_mut()
            .insert("client-request-id", client.clone());
    }
    response
}

/// The message of a `sendMail` body as Graph reads it, or its error code and message.
fn check(body: &str) -> Result<Sent, (&'static str, String)> {
    let request: Value = serde_json::from_str(body).map_err(|_| {
        (
            "BadRequest",
            "Unable to read JSON request payload.".to_string(),
        )
    })?;
    let message = request
        .get("message")
        .filter(|m| m.is_object())
        .ok_or(("ErrorInvalidRequest", "The message is missing.".to_string()))?;
    let subject = message["subject"].as_str().unwrap_or_default().to_string();
    let content_type = message["body"]["contentType"].as_str().unwrap_or_default();
    let content_type = match content_type.to_ascii_lowercase().as_str() {
        "text" => "Text",
        "html" => "HTML",
        _ => {
            return Err((
                "ErrorInvalidRequest",
                "body.contentType must be Text or HTML.".to_string(),
            ))
        }
    }
    .to_string();
    let content = message["body"]["content"]
        .as_str()
        .ok_or((
            "ErrorInvalidRequest",
            "body.content is missing.".to_string(),
        ))?
        .to_string();
    let addresses = |field: &str| -> Result<Vec<String>, (&'static str, String)> {
        let mut found = Vec::new();
        for recipient in message[field].as_array().into_iter().flatten() {
            let address = recipient["emailAddress"]["address"]
                .as_str()
                .unwrap_or_default()
                .trim();
            let valid = address.split_once('@').is_some_and(|(local, domain)| {
                !local.is_empty() && domain.contains('.') && !address.contains(char::is_whitespace)
            });
            if !valid {
                return Err((
                    "ErrorInvalidRecipients",
                    format!("At least one recipient is not valid., Recipient '{address}' is not resolved."),
                ));
            }
            found.push(address.to_lowercase());
        }
        Ok(found)
    };
    let (to, cc, bcc) = (
        addresses("toRecipients")?,
        addresses("ccRecipients")?,
        addresses("bccRecipients")?,
    );
    if to.is_empty() && cc.is_empty() && bcc.is_empty() {
        return Err((
            "ErrorInvalidRecipients",
            "At least one recipient is required.".to_string(),
        ));
    }
    let mut headers = Vec::new();
    for h in message["internetMessageHeaders"]
        .as_array()
        .into_iter()
        .flatten()
    {
        let name = h["name"].as_str().unwrap_or_default();
        if !name.to_ascii_lowercase().starts_with("x-") {
            return Err((
                "InvalidInternetMessageHeader",
                format!(
                    "The internet message header name '{name}' should start with 'x-' or 'X-'."
                ),
            ));
        }
        headers.push((
            name.to_string(),
            h["value"].as_str().unwrap_or_default().to_string(),
        ));
    }
    Ok(Sent {
        mailbox: String::new(),
        at: 0,
        at_ms: 0,
        request_id: String::new(),
        subject,
        content_type,
        content,
        to,
        cc,
        bcc,
        headers,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn mail(to: &str, header: &str) -> String {
        json!({ "message": {
            "subject": "Votre visite au salon",
            "body": { "contentType": "HTML", "content": "<p>Bonjour</p>" },
            "toRecipients": [{ "emailAddress": { "address": to } }],
            "internetMessageHeaders": [{ "name": header, "value": "42" }],
        }, "saveToSentItems": true })
        .to_string()
    }

    #[test]
    fn a_message_is_read_as_graph_reads_it() {
        let sent = check(&mail(
            "Lea.Mercier@etoile.example.test",
            "x-spine-outbox-id",
        ))
        .unwrap();
        assert_eq!(sent.to, ["lea.mercier@etoile.example.test"]);
        assert_eq!(sent.content_type, "HTML");
        assert_eq!(
            sent.headers,
            [("x-spine-outbox-id".to_string(), "42".to_string())]
        );
        assert_eq!(
            check(&mail("pas une adresse", "x-a")).unwrap_err().0,
            "ErrorInvalidRecipients"
        );
        assert_eq!(
            check(&mail("a@b.fr", "Spine-Outbox")).unwrap_err().0,
            "InvalidInternetMessageHeader"
        );
        assert_eq!(check("{}").unwrap_err().0, "ErrorInvalidRequest");
    }
}
