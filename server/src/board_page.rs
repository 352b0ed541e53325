//! The board page is written whole by the server (`app::board::ui`): its board is read here,
//! before the page renders, and handed to it in the request, since the page holds no loading
//! code of its own in the browser.

use std::sync::Arc;

use app::{
    auth::CurrentUser,
    board::{api::SEARCH_MAX, repo, ui::Prefetched},
    error::AppError,
    state::AppState,
};
use axum::{
    extract::{Request, State},
    middleware::Next,
    response::Response,
};
use uuid::Uuid;

/// The app's route of the board page.
const BOARD: &str = "/campagnes/{id}/tableau";

/// Reads the board of a board page's campaign (for its rep, with the page's search).
pub async fn prefetch(State(state): State<AppState>, mut req: Request, next: Next) -> Response {
    let on_board = crate::server_pages::route(&req) == Some(BOARD);
    let user = req.extensions().get::<CurrentUser>().map(|u| u.id);
    if let (true, Some(user)) = (on_board, user) {
        let campaign = req
            .uri()
            .path()
            .split('/')
            .nth(2)
            .and_then(|id| Uuid::parse_str(id).ok());
        let q = search(req.uri().query().unwrap_or_default());
        let board = match campaign {
            // A malformed id is "not found", like another rep's.
            None => Ok(None),
            Some(campaign) => {
                let q = Some(q.as_str()).filter(|q| !q.trim().is_empty());
                repo::board(&state.pool, user, campaign, q)
                    .await
                    .map(|board| board.map(Arc::new))
                    .map_err(|e| AppError::internal("reading the board", e))
            }
        };
        req.extensions_mut().insert(Prefetched { board, q });
    }
    next.run(req).await
}

/// The `q` of a query string, cut as `get_board` cuts it.
fn search(query: &str) -> String {
    form_urlencoded::parse(query.as_bytes())
        .find(|(name, _)| name == "q")
        .map(|(_, value)| value.chars().take(SEARCH_MAX).collect())
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::{search, SEARCH_MAX};

    #[test]
    fn the_search_is_read_from_the_query_and_bounded() {
        assert_eq!(search("q=Caf%C3%A9+Dupont&x=1"), "Café Dupont");
        assert_eq!(search("x=1"), "");
        assert_eq!(search(&format!("q={}", "a".repeat(300))).len(), SEARCH_MAX);
    }
}
