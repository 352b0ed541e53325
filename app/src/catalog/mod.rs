//! A show's scanned catalogue: uploaded to a campaign, read by a job (OCR, then extraction into
//! staged products, `ingesting`), reviewed and published by the rep (`api`), found by search.
//!
//! Its pages are written whole by the server (`html`), like the board: plain forms that work
//! before any WASM, the reading's progress followed live by the board's script module.

pub mod api;
#[cfg(feature = "ssr")]
pub mod html;
#[cfg(feature = "ssr")]
pub mod ingesting;
pub mod price;
#[cfg(feature = "ssr")]
pub mod repo;
pub mod ui;
