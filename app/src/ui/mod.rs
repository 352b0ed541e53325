//! Pages and components that belong to no single feature.

pub mod flash;
pub mod forms;
pub mod home;
pub mod layout;
pub mod lazy;
pub mod not_found;
pub mod notice;
pub mod params;
pub mod plain_post;
pub mod query;
pub mod server_form;
pub mod session;
