//! Campaigns: one trade show worked for one distributor; the hub of everything else.

pub mod api;
pub mod model;
#[cfg(feature = "ssr")]
pub mod repo;
#[cfg(feature = "ssr")]
pub mod today;
pub mod ui;

pub use model::*;
