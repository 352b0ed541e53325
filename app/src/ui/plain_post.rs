//! Forms posted before the WASM arrives.
//!
//! On a slow show-floor network a rep can tap "Créer" before the page is interactive: the
//! browser then posts the form itself. The server (`server/src/plain_forms.rs`) answers such a
//! post with a redirect, never JSON: to the page the server function names on success, or back
//! to the form's page on a refusal, keeping the refusal and the fields as typed in the session
//! for that next page only, which the server renders plain (see `ui::flash`); this module
//! hands them to the form.

use serde::{Deserialize, Serialize};

use crate::error::AppError;

/// The form field naming the page a plain post returns to.
pub const PAGE_FIELD: &str = "_page";

/// A refused plain post, for the page it returns to.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Returned {
    /// URL of the server function the form posted to.
    pub action: String,
    /// Path of the page it returns to, where it is shown (and only there).
    pub page: String,
    /// The fields as the rep typed them.
    pub fields: Vec<(String, String)>,
    pub error: AppError,
}

impl Returned {
    /// The session key it waits under until the next page takes it.
    pub const SESSION_KEY: &'static str = "returned_form";
}

/// What the rep typed in the form around the caller, for the fields a refused plain post sent
/// back (provided by `ServerForm`).
#[cfg(feature = "ssr")]
#[derive(Clone, Default)]
pub struct TypedBack(Option<std::sync::Arc<Vec<(String, String)>>>);

#[cfg(feature = "ssr")]
impl TypedBack {
    pub fn new(fields: Option<Vec<(String, String)>>) -> Self {
        TypedBack(fields.map(std::sync::Arc::new))
    }
}

/// The value of field `name` as the rep typed it before a refused plain post, else `initial`
/// (in the browser, always `initial`: such a page is never hydrated).
#[cfg(not(feature = "ssr"))]
pub fn typed(_name: &str, initial: String) -> String {
    initial
}

/// The value of field `name` as the rep typed it before a refused plain post, else `initial`.
#[cfg(feature = "ssr")]
pub fn typed(name: &str, initial: String) -> String {
    leptos::prelude::use_context::<TypedBack>()
        .and_then(|TypedBack(fields)| fields)
        .and_then(|fields| {
            fields
                .iter()
                .find(|(field, _)| field == name)
                .map(|(_, value)| value.clone())
        })
        .unwrap_or(initial)
}

/// What a form's server function answers to send the rep back to `page` (its query and place
/// kept), where `message` is said: the notice is for the page's path, whatever the query.
#[cfg(feature = "ssr")]
pub fn answered(message: impl Into<String>, page: String) -> crate::ui::notice::Saved<()> {
    leptos_axum::redirect(&page);
    let path = page.split(['?', '#']).next().unwrap_or_default();
    crate::ui::notice::Saved {
        value: (),
        notice: crate::ui::notice::Notice::new(message, path),
    }
}
