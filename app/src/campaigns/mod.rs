//! Campaigns: one trade show worked for one distributor; the hub of everything else.

pub mod api;
pub mod model;
#[cfg(feature = "ssr")]
pub mod repo;
pub mod ui;

pub use model::*;
