//! The pipeline board of a campaign: each prospect's reply classified by hand, from the waiting
//! room to the oven (yes), the fridge (no, or no answer) or the trash. Its pages are steps of
//! the prospect pages' lazy route (`prospects::ui`): a route of their own would split the code
//! they share into more, smaller downloads.

pub mod api;
#[cfg(feature = "ssr")]
pub mod html;
pub mod model;
#[cfg(feature = "ssr")]
pub mod repo;
