//! Who changed what, when, before and after: one row per mutation of owned data, written in
//! the same transaction as the change.

#[cfg(feature = "ssr")]
pub mod diff;
pub mod model;
#[cfg(feature = "ssr")]
pub mod repo;

pub use model::{FieldChange, HistoryEntry};
