//! Where a card of the board can be, shared by the server and the browser.

use serde::{Deserialize, Serialize};
use uuid::Uuid;

// The board's script (`board-script`) compiles the same file.
#[path = "../../../board-script/src/place.rs"]
mod place;
pub use place::{Place, STAGES};

/// The board page as the browser reads it: the rest is HTML the server wrote.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct BoardView {
    pub campaign: crate::prospects::model::CampaignName,
    pub html: String,
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
