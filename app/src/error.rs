//! The one error type of server functions: a status, a French message for the rep and, for
//! internal failures, the request id to quote to support. Internals are logged, never sent.

use leptos::server_fn::codec::{JsonEncoding, Post};
use leptos::server_fn::error::{FromServerFnError, ServerFnErrorErr};
use leptos::server_fn::{Bytes, ContentType, Decodes, Encodes, Format, FormatType};
use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

/// What kind of failure, which decides the HTTP status.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ErrorKind {
    BadRequest,
    Unauthorized,
    NotFound,
    Conflict,
    /// The request's body is over the limit of its route.
    TooLarge,
    Unprocessable,
    Unavailable,
    Internal,
}

impl ErrorKind {
    /// The HTTP status answered for this kind.
    pub fn status(self) -> u16 {
        match self {
            ErrorKind::BadRequest => 400,
            ErrorKind::Unauthorized => 401,
            ErrorKind::NotFound => 404,
            ErrorKind::Conflict => 409,
            ErrorKind::TooLarge => 413,
            ErrorKind::Unprocessable => 422,
            ErrorKind::Unavailable => 503,
            ErrorKind::Internal => 500,
        }
    }
}

/// An error a server function returns to the browser.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
#[error("{message}{}", request_id.as_ref().map(|id| format!(" (référence : {id})")).unwrap_or_default())]
pub struct AppError {
    pub kind: ErrorKind,
    /// Shown to the rep as is: French, no internals.
    pub message: String,
    /// Set for internal failures so support can find the logged cause.
    pub request_id: Option<String>,
    /// Field name -> French message, for forms.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub fields: BTreeMap<String, String>,
}

impl AppError {
    /// An error whose message the rep can act on.
    pub fn new(kind: ErrorKind, message: impl Into<String>) -> Self {
        let error = AppError {
            kind,
            message: message.into(),
            request_id: None,
            fields: BTreeMap::new(),
        };
        error.set_response_status();
        error
    }

    /// Another user's row answers exactly like a missing one.
    pub fn not_found() -> Self {
        Self::new(ErrorKind::NotFound, "Élément introuvable.")
    }

    /// A form with fields to correct (422).
    pub fn invalid(fields: BTreeMap<String, String>) -> Self {
        let mut error = Self::new(ErrorKind::Unprocessable, "Certains champs sont à corriger.");
        error.fields = fields;
        error
    }

    /// One field to correct (422).
    pub fn invalid_field(field: &str, message: impl Into<String>) -> Self {
        Self::invalid(BTreeMap::from([(field.to_string(), message.into())]))
    }

    /// A change that lost a race or breaks a rule (409), said in French.
    pub fn conflict(message: impl Into<String>) -> Self {
        Self::new(ErrorKind::Conflict, message)
    }

    /// The message for `field`, if it has one.
    pub fn field(&self, field: &str) -> Option<String> {
        self.fields.get(field).cloned()
    }

    pub fn unauthorized() -> Self {
        Self::new(ErrorKind::Unauthorized, "Veuillez vous connecter.")
    }

    /// Logs `cause` with `context` on the server and returns a generic message with the
    /// request id.
    pub fn internal(context: &str, cause: impl std::fmt::Display) -> Self {
        let request_id = current_request_id();
        #[cfg(feature = "ssr")]
        tracing::error!(request_id = request_id.as_deref().unwrap_or("-"), %cause, "{context}");
        #[cfg(not(feature = "ssr"))]
        let _ = (context, cause);
        let error = AppError {
            kind: ErrorKind::Internal,
            message: "Une erreur interne est survenue. Réessayez dans un instant.".into(),
            request_id,
            fields: BTreeMap::new(),
        };
        error.set_response_status();
        error
    }

    /// Answers the page being rendered with this error's status.
    pub(crate) fn set_response_status(&self) {
        #[cfg(feature = "ssr")]
        if let Some(response) = leptos::prelude::use_context::<leptos_axum::ResponseOptions>() {
            if let Ok(status) = http::StatusCode::from_u16(self.kind.status()) {
                response.set_status(status);
            }
        }
    }
}

#[cfg(feature = "ssr")]
fn current_request_id() -> Option<String> {
    let parts = leptos::prelude::use_context::<http::request::Parts>()?;
    parts
        .headers
        .get("x-request-id")
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned)
}

#[cfg(not(feature = "ssr"))]
fn current_request_id() -> Option<String> {
    None
}

/// The constraint a database error violated, to turn it into a precise message.
#[cfg(feature = "ssr")]
pub fn violated_constraint(e: &sqlx::Error) -> Option<String> {
    e.as_database_error()
        .and_then(|d| d.constraint())
        .map(str::to_owned)
}

#[cfg(feature = "ssr")]
impl From<sqlx::Error> for AppError {
    fn from(e: sqlx::Error) -> Self {
        match e {
            sqlx::Error::RowNotFound => AppError::not_found(),
            other => AppError::internal("database error", other),
        }
    }
}

impl FromServerFnError for AppError {
    type Encoder = JsonEncoding;

    fn from_server_fn_error(value: ServerFnErrorErr) -> Self {
        match value {
            ServerFnErrorErr::Deserialization(answer) if answer.starts_with(REFUSED) => {
                refusal(&answer)
            }
            ServerFnErrorErr::Args(_)
            | ServerFnErrorErr::Deserialization(_)
            | ServerFnErrorErr::MissingArg(_) => AppError::new(
                ErrorKind::BadRequest,
                "La requête est invalide. Rechargez la page et réessayez.",
            ),
            ServerFnErrorErr::Request(_) | ServerFnErrorErr::Response(_) => AppError::new(
                ErrorKind::Unavailable,
                "Le serveur est injoignable. Vérifiez votre connexion et réessayez.",
            ),
            other => AppError::internal("server function failure", other),
        }
    }
}

/// The output encoding of the server functions behind forms: JSON, where a refusal comes
/// back with status 200 as `{"refused": AppError}`. A refused submit is an answer the form
/// shows, but browsers log every 4xx as a failed load in the console; the server only answers
/// this way to a client that asks for this type (see the server's `plain_forms`).
pub struct FormAnswerEncoding;

/// `#[server(output = FormAnswer)]`
pub type FormAnswer = Post<FormAnswerEncoding>;

/// What a refusal's body starts with.
pub const REFUSED: &str = r#"{"refused":"#;

impl ContentType for FormAnswerEncoding {
    const CONTENT_TYPE: &'static str = "application/vnd.spine.answer+json";
}

impl FormatType for FormAnswerEncoding {
    const FORMAT_TYPE: Format = Format::Text;
}

impl<T: Serialize> Encodes<T> for FormAnswerEncoding {
    type Error = serde_json::Error;

    fn encode(output: &T) -> Result<Bytes, Self::Error> {
        serde_json::to_vec(output).map(Bytes::from)
    }
}

impl<T: serde::de::DeserializeOwned> Decodes<T> for FormAnswerEncoding {
    /// A refusal is handed on as is, through `ServerFnErrorErr::Deserialization`, the one way
    /// Leptos lets a decoder fail; `from_server_fn_error` reads it back.
    type Error = String;

    fn decode(bytes: Bytes) -> Result<T, String> {
        if bytes.starts_with(REFUSED.as_bytes()) {
            return Err(String::from_utf8_lossy(&bytes).into_owned());
        }
        serde_json::from_slice(&bytes).map_err(|e| e.to_string())
    }
}

/// The error inside a `{"refused": …}` answer.
fn refusal(answer: &str) -> AppError {
    #[derive(Deserialize)]
    struct Refused {
        refused: AppError,
    }
    serde_json::from_str::<Refused>(answer)
        .map(|r| r.refused)
        .unwrap_or_else(|_| {
            AppError::new(
                ErrorKind::BadRequest,
                "La réponse du serveur est illisible. Rechargez la page et réessayez.",
            )
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_internal_error_shows_a_generic_french_message_and_never_its_cause() {
        let e = AppError::internal("loading campaigns", "password authentication failed");
        assert_eq!(e.kind.status(), 500);
        assert!(!e.to_string().contains("password"));
        assert!(e.message.starts_with("Une erreur interne"));
    }

    #[test]
    fn a_refusal_answered_with_200_reads_back_as_the_error_the_form_shows() {
        let refused = AppError::invalid_field("name", "Le nom est obligatoire.");
        let body = format!("{REFUSED}{}}}", serde_json::to_string(&refused).unwrap());
        let answer = <FormAnswerEncoding as Decodes<Vec<u8>>>::decode(body.into()).unwrap_err();
        let back = AppError::from_server_fn_error(ServerFnErrorErr::Deserialization(answer));
        assert_eq!(back, refused);
        // A success decodes as usual; a body that is neither is a French error, not a panic.
        let ok: Vec<u8> = FormAnswerEncoding::decode("[1,2]".into()).unwrap();
        assert_eq!(ok, [1, 2]);
        let garbled = format!("{REFUSED}nonsense");
        let answer = <FormAnswerEncoding as Decodes<Vec<u8>>>::decode(garbled.into()).unwrap_err();
        let back = AppError::from_server_fn_error(ServerFnErrorErr::Deserialization(answer));
        assert_eq!(back.kind, ErrorKind::BadRequest);
    }

    #[test]
    fn errors_round_trip_through_the_server_function_encoding() {
        let e = AppError::not_found();
        let back = AppError::de(e.ser());
        assert_eq!(back, e);
        assert_eq!(back.kind.status(), 404);
    }
}
