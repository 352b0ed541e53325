//! Server functions of the board. Its page and a card's move page are written by the server
//! (`board::html`); moves are plain posts before the WASM, and the same functions after.

use leptos::prelude::*;
use uuid::Uuid;

use super::model::{BoardView, Moved};
use crate::{
    error::{AppError, FormAnswer},
    page_data::PageData,
    prospects::model::PageView,
    ui::notice::Saved,
};

#[cfg(feature = "ssr")]
mod ssr {
    pub use super::super::{
        model::Place,
        repo::{self, At},
    };
    pub use crate::ui::notice::Notice;
    pub use crate::{auth::require_user, prospects::repo::campaign_name, state::pool};
    pub use leptos::server_fn::ServerFn;
}

/// Ids a bulk move takes per call: a selection of 5,000 cards goes in chunks under the body
/// limit, with one `key`, so that one undo takes them all back.
pub const BULK_CHUNK: usize = 1_000;

/// The longest search of the board, in characters (longer is cut).
pub const SEARCH_MAX: usize = 200;

/// The board of campaign `id`, its cards found by the words of `q`.
#[server(endpoint = "get_board")]
pub async fn get_board(id: Uuid, q: Option<String>) -> Result<PageData<BoardView>, AppError> {
    use ssr::*;
    let user = require_user()?;
    let q: Option<String> = q.map(|q| q.chars().take(SEARCH_MAX).collect());
    let board = repo::board(&pool()?, user.id, id, q.as_deref())
        .await?
        .ok_or_else(AppError::not_found)?;
    PageData::new(&BoardView {
        html: super::html::board(&board, q.as_deref().unwrap_or_default()),
        counts: board
            .counts
            .iter()
            .map(|(place, n)| (place.key().to_string(), *n))
            .collect(),
        campaign: board.campaign,
    })
}

/// Card `prospect` of campaign `campaign`, with a button for each place it can go (for a tap,
/// and before the WASM).
#[server(endpoint = "get_board_card")]
pub async fn get_board_card(
    campaign: Uuid,
    prospect: Uuid,
) -> Result<PageData<PageView>, AppError> {
    use ssr::*;
    let user = require_user()?;
    let pool = pool()?;
    let name = campaign_name(&pool, user.id, campaign)
        .await?
        .ok_or_else(AppError::not_found)?;
    let card = repo::card(&pool, user.id, campaign, prospect)
        .await?
        .ok_or_else(AppError::not_found)?;
    PageData::of(&serde_json::json!({
        "campaign": name,
        "id": prospect,
        "name": if card.name.is_empty() { card.email.clone() } else { card.name.clone() },
        "place": card.place.key(),
        "html": super::html::card(campaign, &card),
    }))
}

/// A page of the cards at `place` (`waiting_room`, `oven`, `fridge_no`, `fridge_ghost`,
/// `trash`) of campaign `campaign`, in the column's order, after card `apres`: for scripts.
#[server(endpoint = "list_board_cards")]
pub async fn list_board_cards(
    campaign: Uuid,
    place: String,
    apres: Option<Uuid>,
) -> Result<serde_json::Value, AppError> {
    use ssr::*;
    let user = require_user()?;
    let place =
        Place::parse(&place).ok_or_else(|| AppError::invalid_field("place", "Étape inconnue."))?;
    let (cards, next) = repo::cards_at(&pool()?, user.id, campaign, place, apres)
        .await?
        .ok_or_else(AppError::not_found)?;
    Ok(serde_json::json!({ "cards": cards, "next": next }))
}

/// Where a place's cards go back to the board after a move.
#[cfg(feature = "ssr")]
fn board_page(campaign: Uuid) -> String {
    format!("/campagnes/{campaign}/tableau")
}

/// A move's notice: what moved, with its undo.
#[cfg(feature = "ssr")]
fn moved_notice(campaign: Uuid, moved: &Moved, to: ssr::Place) -> Saved<Moved> {
    use ssr::*;
    let page = board_page(campaign);
    let mut message = match moved.moved {
        0 => "Rien n’a bougé.".to_string(),
        1 => format!("Déplacé vers « {} ».", to.label()),
        n => format!("{n} prospects déplacés vers « {} ».", to.label()),
    };
    match moved.stale {
        0 => {}
        1 => message.push_str(
            " 1 avait été déplacé entre-temps (sur un autre appareil ?) : il est resté où il était.",
        ),
        n => message.push_str(&format!(
            " {n} avaient été déplacés entre-temps (sur un autre appareil ?) : ils sont restés où ils étaient."
        )),
    }
    let mut notice = Notice::new(message, page.clone());
    if moved.moved > 0 {
        notice = notice.with_undo(UndoMove::url(), moved.id);
    }
    leptos_axum::redirect(&page);
    Saved {
        value: moved.clone(),
        notice,
    }
}

/// Moves card `prospect` of campaign `campaign` from `from`, where the rep saw it, to `to`
/// (before card `before`, else at the bottom when `end`, else on top). A card moved meanwhile
/// elsewhere is not moved: a conflict, with where it is now. Posted twice with the same `key`,
/// it moves once.
#[server(endpoint = "move_card", output = FormAnswer)]
pub async fn move_card(
    campaign: Uuid,
    prospect: Uuid,
    from: String,
    to: String,
    before: Option<Uuid>,
    #[server(default)] end: bool,
    key: Option<Uuid>,
) -> Result<Saved<Moved>, AppError> {
    use ssr::*;
    let user = require_user()?;
    let (from, to) = places(&from, &to)?;
    let at = match (before, end) {
        (Some(before), _) => At::Before(before),
        (None, true) => At::Bottom,
        (None, false) => At::Top,
    };
    let pool = pool()?;
    let mut tx = repo::begin_move(&pool).await?;
    let moved = repo::move_cards(
        &mut tx,
        user.id,
        campaign,
        &[prospect],
        from,
        to,
        at,
        key.unwrap_or_else(Uuid::new_v4),
    )
    .await?
    .ok_or_else(AppError::not_found)?;
    tx.commit().await?;
    if moved.stale > 0 {
        let now = repo::card(&pool, user.id, campaign, prospect)
            .await?
            .ok_or_else(AppError::not_found)?;
        return Err(AppError::conflict(format!(
            "Ce prospect n’est plus en « {} » : il a été déplacé entre-temps vers « {} ». Le tableau est à jour.",
            from.label(),
            now.place.label()
        )));
    }
    if moved.moved == 0 {
        let found = repo::card(&pool, user.id, campaign, prospect).await?;
        if found.is_none() {
            return Err(AppError::not_found());
        }
    }
    Ok(moved_notice(campaign, &moved, to))
}

/// Moves cards of campaign `campaign` from `from` to `to`, at the bottom of that column in
/// their order (chunk after chunk): the cards
/// `ids` (at most [`BULK_CHUNK`] per call), or when none is named every card at `from` the
/// words of `q` find. Cards moved meanwhile stay where they are (counted). The chunks of one
/// selection share `key`, the move's id, so one undo takes them all back.
#[server(endpoint = "bulk_move", output = FormAnswer)]
pub async fn bulk_move(
    campaign: Uuid,
    from: String,
    to: String,
    #[server(default)] ids: Vec<Uuid>,
    q: Option<String>,
    key: Option<Uuid>,
) -> Result<Saved<Moved>, AppError> {
    use ssr::*;
    let user = require_user()?;
    let (from, to) = places(&from, &to)?;
    if ids.len() > BULK_CHUNK {
        return Err(AppError::invalid_field(
            "ids",
            format!("{BULK_CHUNK} prospects au plus par envoi."),
        ));
    }
    let pool = pool()?;
    let ids = if ids.is_empty() {
        repo::selection(&pool, user.id, campaign, from, q.as_deref()).await?
    } else {
        ids
    };
    let moved = repo::move_cards(
        &mut *pool.acquire().await?,
        user.id,
        campaign,
        &ids,
        from,
        to,
        At::Bottom,
        key.unwrap_or_else(Uuid::new_v4),
    )
    .await?
    .ok_or_else(AppError::not_found)?;
    Ok(moved_notice(campaign, &moved, to))
}

/// Undoes move `id` (a card, or every chunk of a bulk move): its cards go back where they were
/// unless moved again since.
#[server(endpoint = "undo_move", output = FormAnswer)]
pub async fn undo_move(id: Uuid) -> Result<Saved<Moved>, AppError> {
    use ssr::*;
    let user = require_user()?;
    let pool = pool()?;
    let (campaign, undone) = repo::undo(&mut *pool.acquire().await?, user.id, id)
        .await?
        .ok_or_else(AppError::not_found)?;
    let page = board_page(campaign);
    let mut message = match undone.moved {
        0 if undone.stale == 1 => "Rien à annuler : ce prospect a été déplacé depuis.".to_string(),
        0 => "Rien à annuler : ces prospects ont été déplacés depuis.".to_string(),
        1 => "Déplacement annulé.".to_string(),
        n => format!("Déplacement annulé : {n} prospects remis à leur place."),
    };
    match (undone.moved, undone.stale) {
        (0, _) | (_, 0) => {}
        (_, 1) => message.push_str(" 1 déplacé depuis reste où il est."),
        (_, n) => message.push_str(&format!(" {n} déplacés depuis restent où ils sont.")),
    }
    leptos_axum::redirect(&page);
    Ok(Saved {
        value: undone,
        notice: Notice::new(message, page),
    })
}

/// The places a move names, refused in French when unknown.
#[cfg(feature = "ssr")]
fn places(from: &str, to: &str) -> Result<(ssr::Place, ssr::Place), AppError> {
    let place = |name: &str, key: &str| {
        ssr::Place::parse(key).ok_or_else(|| AppError::invalid_field(name, "Étape inconnue."))
    };
    Ok((place("from", from)?, place("to", to)?))
}

// The board's script (`board-script/`) does not link the app: its names for the server's routes,
// limits and answers are in one file, compiled here to hold them to the server's.
#[cfg(all(test, feature = "ssr"))]
#[path = "../../../board-script/src/wire.rs"]
mod wire;

#[cfg(all(test, feature = "ssr"))]
mod tests {
    use leptos::server_fn::{ContentType, ServerFn};

    use super::*;
    use crate::error::{FormAnswerEncoding, REFUSED};

    #[test]
    fn the_board_script_calls_the_server_by_its_own_names() {
        assert_eq!(wire::MOVE_CARD, MoveCard::PATH);
        assert_eq!(wire::BULK_MOVE, BulkMove::PATH);
        assert_eq!(wire::UNDO_MOVE, UndoMove::PATH);
        assert_eq!(wire::GET_BOARD, GetBoard::PATH);
        assert_eq!(wire::GET_BOARD_CARD, GetBoardCard::PATH);
        assert_eq!(wire::BULK_CHUNK, BULK_CHUNK);
        assert_eq!(wire::ANSWER_TYPE, FormAnswerEncoding::CONTENT_TYPE);
        assert_eq!(wire::REFUSED, REFUSED);
    }
}
