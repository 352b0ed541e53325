//! The catalogue pages (`/campagnes/:id/catalogue` and `/campagnes/:id/catalogue/:catalog`):
//! written whole by the server (`html`) from what `server::catalogue_files` read before the
//! page renders, like the board page (`ui::server_page`); no WASM of their own.

#[cfg(feature = "ssr")]
use leptos::prelude::*;

#[cfg(feature = "ssr")]
use crate::error::AppError;

/// What a catalogue page shows, read before it renders.
#[cfg(feature = "ssr")]
pub enum Page {
    Tab(super::html::TabPage),
    Review(super::html::ReviewPage),
}

/// The page read before rendering (`None`: not the rep's, or no such page).
#[cfg(feature = "ssr")]
#[derive(Clone)]
pub struct Prefetched(pub Result<Option<std::sync::Arc<Page>>, AppError>);

/// The page's title and HTML: the tab or the review, or why there is none.
#[cfg(feature = "ssr")]
pub(crate) fn server_page() -> (String, String) {
    let prefetched = use_context::<http::request::Parts>()
        .and_then(|parts| parts.extensions.get::<Prefetched>().cloned());
    let error = match prefetched {
        Some(Prefetched(Ok(Some(page)))) => {
            return match &*page {
                Page::Tab(tab) => (
                    format!("Catalogue · {}", tab.campaign.name),
                    super::html::tab(tab),
                ),
                Page::Review(review) => (
                    format!("Vérifier · {}", review.catalog.file_name),
                    super::html::review(review),
                ),
            }
        }
        Some(Prefetched(Err(e))) => e,
        _ => AppError::not_found(),
    };
    crate::ui::written::error_page(error, crate::ui::not_found::Missing::CATALOGUE)
}
