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
    crate::ui::written::error_page(error, crate::ui::not_found::Missing::CAMPAIGN)
}
