//! Who is signed in. The server's authentication middleware puts the [`CurrentUser`] in the
//! request; server functions get it only through [`require_user`].

pub mod api;
pub mod model;
#[cfg(feature = "ssr")]
pub mod repo;
pub mod ui;

pub use model::CurrentUser;

#[cfg(feature = "ssr")]
use crate::error::AppError;

/// The signed-in rep, or 401 "Veuillez vous connecter." Every server function of owned data
/// starts here and passes `user.id` to the repository.
#[cfg(feature = "ssr")]
pub fn require_user() -> Result<CurrentUser, AppError> {
    current_user_from_request().ok_or_else(AppError::unauthorized)
}

/// The signed-in rep if any (for pages that show something else to visitors).
#[cfg(feature = "ssr")]
pub fn current_user_from_request() -> Option<CurrentUser> {
    leptos::prelude::use_context::<http::request::Parts>()?
        .extensions
        .get::<CurrentUser>()
        .cloned()
}
