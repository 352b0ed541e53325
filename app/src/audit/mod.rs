//! Who changed what, when, before and after: one row per mutation of owned data, written in
//! the same transaction as the change.

pub mod model;
#[cfg(feature = "ssr")]
pub mod repo;

pub use model::AuditEntry;
