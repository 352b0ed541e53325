//! What server functions reach through Leptos context: the state built by `server`.

use std::sync::Arc;

use axum::extract::FromRef;
use leptos::prelude::*;
use sqlx::PgPool;

use crate::{config::Config, error::AppError, jobs::Jobs};

/// Everything a request handler or server function may need, cloned cheaply.
#[derive(Clone, FromRef)]
pub struct AppState {
    pub leptos_options: LeptosOptions,
    pub pool: PgPool,
    pub jobs: Jobs,
    pub config: Arc<Config>,
    /// This process's listener of live events.
    pub live: crate::live::Live,
    /// The time sending goes by (shared with this process's worker).
    pub clock: crate::mail::clock::Clock,
}

/// The CSP nonce of this response, set as a request extension by the security middleware.
#[derive(Clone, Debug)]
pub struct CspNonce(pub String);

fn state() -> Result<AppState, AppError> {
    use_context::<AppState>()
        .ok_or_else(|| AppError::internal("AppState", "missing from Leptos context"))
}

/// The database pool.
pub fn pool() -> Result<PgPool, AppError> {
    state().map(|s| s.pool)
}

/// The job queues.
pub fn jobs() -> Result<Jobs, AppError> {
    state().map(|s| s.jobs)
}

/// The time sending goes by.
pub fn clock() -> Result<crate::mail::clock::Clock, AppError> {
    state().map(|s| s.clock)
}

/// The configuration.
pub fn config() -> Result<Arc<Config>, AppError> {
    state().map(|s| s.config)
}

/// Makes Leptos stamp its scripts with the nonce the middleware put in the CSP header.
pub fn provide_request_nonce() {
    let nonce = use_context::<http::request::Parts>()
        .and_then(|parts| parts.extensions.get::<CspNonce>().cloned());
    if let Some(CspNonce(value)) = nonce {
        provide_context(leptos::nonce::Nonce::from_value(value));
    }
}
