//! What the board's script says to the server and reads back. The server's own names for them
//! are in `app` (server functions, `FormAnswerEncoding`), which this module does not link: a test
//! of `app::board::api` includes this file and checks that both agree.

/// The server functions the board calls (`app::board::api`), as their forms post them.
pub const MOVE_CARD: &str = "/api/move_card";
pub const BULK_MOVE: &str = "/api/bulk_move";
pub const UNDO_MOVE: &str = "/api/undo_move";
pub const GET_BOARD: &str = "/api/get_board";
pub const GET_BOARD_CARD: &str = "/api/get_board_card";
/// Ids a bulk move sends per call (`app::board::api::BULK_CHUNK`), under the body limit.
pub const BULK_CHUNK: usize = 1_000;
/// The answer a form's server function gives a script (`app::error::FormAnswerEncoding`).
pub const ANSWER_TYPE: &str = "application/vnd.spine.answer+json";
/// How a refusal starts (`app::error::REFUSED`).
pub const REFUSED: &str = r#"{"refused":"#;
