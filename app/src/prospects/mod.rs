//! Prospects: a rep's contacts (one per address), linked to the campaigns where they are
//! worked, and the imports that bring them.

pub mod api;
#[cfg(feature = "ssr")]
pub mod contact;
#[cfg(feature = "ssr")]
mod html;
#[cfg(feature = "ssr")]
pub mod import;
#[cfg(feature = "ssr")]
pub mod importing;
pub mod model;
#[cfg(feature = "ssr")]
pub mod repo;
#[cfg(feature = "ssr")]
pub mod suppression;
pub mod ui;
