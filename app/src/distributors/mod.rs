//! Distributors: the companies a rep works shows for.

pub mod api;
pub mod model;
#[cfg(feature = "ssr")]
pub mod repo;
pub mod ui;

pub use model::{Distributor, DistributorDraft, DistributorForm};
