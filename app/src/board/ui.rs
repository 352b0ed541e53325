//! The board page (`/campagnes/:id/tableau`). The server writes it whole (`html`), from the board
//! read before the page renders (`server::board_page` puts it in the request); what a rep does on
//! it — drag and drop, keys, the move menu, selection, the moves made on other devices — is the
//! board's script (`board-script/`), a WASM module of its own that the page's HTML loads.
//!
//! So the app's WASM holds almost nothing of it: no resource, no chunk. A lazy route of its own
//! shared its loading code with the other pages' chunks and cut them into more, smaller files:
//! 3 to 5 KB more on every campaign page, over their budget. Reached through the app's router,
//! the page is loaded from the server instead, like a link with `rel="external"`.

#[cfg(feature = "ssr")]
use leptos::prelude::*;

#[cfg(feature = "ssr")]
use crate::error::AppError;

/// The board of the page's campaign, read before the page renders (`None`: not the rep's).
#[cfg(feature = "ssr")]
#[derive(Clone)]
pub struct Prefetched {
    /// Shared: each read of the request's context copies what it holds.
    pub board: Result<Option<std::sync::Arc<super::repo::Board>>, AppError>,
    /// The board's search.
    pub q: String,
}

/// The page's title and HTML (`ui::server_page`): the board, or why there is none.
#[cfg(feature = "ssr")]
pub(crate) fn server_page() -> (String, String) {
    let prefetched = use_context::<http::request::Parts>()
        .and_then(|parts| parts.extensions.get::<Prefetched>().cloned());
    let error = match prefetched {
        Some(Prefetched {
            board: Ok(Some(board)),
            q,
        }) => {
            let title = format!("Tableau · {}", board.campaign.name);
            return (title, super::html::board(&board, &q));
        }
        Some(Prefetched { board: Err(e), .. }) => e,
        // Another rep's campaign, a deleted one or a malformed id.
        _ => AppError::not_found(),
    };
    crate::ui::written::error_page(error, crate::ui::not_found::Missing::CAMPAIGN)
}
