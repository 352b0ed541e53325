//! Pages and components that belong to no single feature.

pub mod forms;
pub mod home;
pub mod layout;
pub mod lazy;
pub mod not_found;
pub mod params;
pub mod query;
pub mod server_form;
pub mod session;
