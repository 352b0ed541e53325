//! Pages and components that belong to no single feature.

pub mod forms;
pub mod home;
pub mod layout;
pub mod not_found;
