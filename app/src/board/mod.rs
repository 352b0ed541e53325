//! The pipeline board of a campaign: each prospect's reply classified by hand, from the waiting
//! room to the oven (yes), the fridge (no, or no answer) or the trash. The board page is written
//! whole by the server (`ui`, no chunk of WASM) and brought to life by the board's script
//! (`board-script/`); a card's move page, plain forms, is a step of the prospect pages' route
//! (`prospects::ui`).

pub mod api;
#[cfg(feature = "ssr")]
pub mod html;
pub mod model;
#[cfg(feature = "ssr")]
pub mod repo;
pub mod ui;
