//! Where a card of the board can be, shared by the server and the browser.

use serde::{Deserialize, Serialize};
use uuid::Uuid;

// The board's script (`board-script`) compiles the same file.
#[path = "../../../board-script/src/place.rs"]
mod place;
pub use place::{Place, STAGES};

/// What `get_board` answers (the board's script reads it again after a large move elsewhere):
/// the board as the server writes it, and how many cards each place holds whatever the search.
/// The cards themselves are in the HTML; scripts read them by column with `list_board_cards`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct BoardView {
    pub campaign: crate::prospects::model::CampaignName,
    pub html: String,
    pub counts: std::collections::BTreeMap<String, i64>,
}

/// What a move answers: the move's id (for its undo) and where the card is now.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Moved {
    pub id: Uuid,
    /// Cards moved (0: they were already there).
    pub moved: u64,
    /// Cards not moved because they were no longer where the rep saw them.
    pub stale: u64,
}
