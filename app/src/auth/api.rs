use leptos::prelude::*;

use super::CurrentUser;
use crate::error::AppError;

/// The signed-in rep, or `None` for a visitor (the header shows "Se connecter").
#[server(endpoint = "signed_in_user")]
pub async fn signed_in_user() -> Result<Option<CurrentUser>, AppError> {
    Ok(super::current_user_from_request())
}

/// The signed-in rep's own account.
#[server(endpoint = "my_account")]
pub async fn my_account() -> Result<CurrentUser, AppError> {
    super::require_user()
}
