//! Prospects: a rep's contacts (one per address), linked to the campaigns where they are
//! worked, and the imports that bring them.

#[cfg(feature = "ssr")]
pub mod import;
