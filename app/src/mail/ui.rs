//! The sending pages (`/compte/envoi` and `/campagnes/:id/envois`): written whole by the server
//! (`html`) from what `server::sending_pages` read before the page renders, like the catalogue's.

use leptos::prelude::*;

use crate::error::AppError;

/// What a sending page shows, read before it renders.
pub enum Page {
    Settings(super::html::SettingsPage),
    Tab(super::html::SendingTab),
}

/// The page read before rendering (`None`: not the rep's, or no such page).
#[derive(Clone)]
pub struct Prefetched(pub Result<Option<std::sync::Arc<Page>>, AppError>);

/// The page's title and HTML, or why there is none.
pub(crate) fn server_page() -> (String, String) {
    use crate::ui::{
        not_found::{Missing, NotFoundOr},
        server_html,
    };
    let prefetched = use_context::<http::request::Parts>()
        .and_then(|parts| parts.extensions.get::<Prefetched>().cloned());
    let error = match prefetched {
        Some(Prefetched(Ok(Some(page)))) => {
            return match &*page {
                Page::Settings(settings) => (
                    "Envoi des mails".to_string(),
                    super::html::settings_page(settings),
                ),
                Page::Tab(tab) => (
                    format!("Envois · {}", tab.campaign.name),
                    super::html::sending_tab(tab),
                ),
            }
        }
        Some(Prefetched(Err(e))) => e,
        _ => AppError::not_found(),
    };
    error.set_response_status();
    let missing = Missing::CAMPAIGN;
    let title = if error.kind == crate::error::ErrorKind::NotFound {
        missing.title.to_string()
    } else {
        "Une erreur est survenue".to_string()
    };
    let errors = ArcRwSignal::new(Errors::default());
    errors.update(|e| e.insert_with_default_key(error));
    (title, server_html(view! { <NotFoundOr errors missing /> }))
}
