//! The anonymous sign-in routes are rate-limited per client address: each call writes a
//! session or reaches Microsoft, so a flood from one address must not fill the database.
//! The address is the connection's, never a header a client could write. The limit is far
//! above what a whole show floor behind one address does in normal use.

use std::{
    net::{IpAddr, SocketAddr},
    num::NonZeroU32,
    sync::Arc,
};

use axum::{
    extract::{ConnectInfo, Request, State},
    middleware::Next,
    response::{IntoResponse, Response},
};
use governor::{DefaultKeyedRateLimiter, Quota, RateLimiter};
use http::{header, StatusCode};

/// Distinct addresses kept before the limiter forgets those that are full again.
const FORGET_ABOVE: usize = 10_000;

/// Sign-in attempts allowed per client address.
#[derive(Clone)]
pub struct SignInLimiter(Arc<DefaultKeyedRateLimiter<IpAddr>>);

impl SignInLimiter {
    /// `per_minute` calls a minute per address, all of them available at once.
    pub fn new(per_minute: u32) -> Self {
        let per_minute = NonZeroU32::new(per_minute).unwrap_or(NonZeroU32::MIN);
        SignInLimiter(Arc::new(RateLimiter::keyed(Quota::per_minute(per_minute))))
    }
}

impl SignInLimiter {
    /// Whether `client` may make one more call now.
    pub fn allows(&self, client: IpAddr) -> bool {
        if self.0.len() > FORGET_ABOVE {
            self.0.retain_recent();
        }
        self.0.check_key(&client).is_ok()
    }
}

/// Answers 429 with a French page past the limit.
pub async fn limit_sign_in(
    State(limiter): State<SignInLimiter>,
    ConnectInfo(client): ConnectInfo<SocketAddr>,
    req: Request,
    next: Next,
) -> Response {
    if limiter.0.len() > FORGET_ABOVE {
        limiter.0.retain_recent();
    }
    if limiter.0.check_key(&client.ip()).is_ok() {
        return next.run(req).await;
    }
    tracing::warn!(client = %client.ip(), "too many sign-in attempts");
    (
        StatusCode::TOO_MANY_REQUESTS,
        [
            (header::RETRY_AFTER, "60"),
            (header::CONTENT_TYPE, "text/html; charset=utf-8"),
        ],
        "<!DOCTYPE html><html lang=\"fr\"><meta charset=\"utf-8\"><title>Connexion · Spine</title>\
         <p>Trop de tentatives de connexion depuis votre réseau. Réessayez dans une minute.</p>\
         <p><a href=\"/connexion\">Revenir à la connexion</a></p></html>",
    )
        .into_response()
}
