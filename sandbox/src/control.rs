//! `/_sandbox/*` control endpoints, for tests that need a misbehaving provider.

use std::sync::Arc;

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde::Deserialize;

use crate::keys::SigningKey;
use crate::{lock, App};

/// A single defect of the next ID token; every other claim stays right.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub(crate) enum Fault {
    /// Signed by a key that is not in the JWKS, under the published kid.
    OtherKey,
    /// Expired an hour ago.
    Expired,
    /// Issued to another client id.
    WrongAudience,
    /// The issuer names another tenant than `tid`.
    WrongIssuer,
    /// Not the nonce of the authorization request.
    WrongNonce,
    /// No nonce at all.
    MissingNonce,
    /// A `tid` that is not a GUID (and the issuer that goes with it).
    NonGuidTid,
    /// Not signed: `alg: none` and an empty signature.
    AlgNone,
    /// Signed with HS256 using the client secret, as if the client shared a key.
    Hs256,
    /// Issued to the client and to another audience.
    SeveralAudiences,
}

/// `POST /_sandbox/rotate-key` → 204: tokens are signed from now on with a new key under a
/// new kid, which the JWKS publishes beside the old one (what Microsoft does).
pub(crate) async fn rotate_key(State(app): State<Arc<App>>) -> Response {
    match app.rotated.get_or_try_init(SigningKey::rotated).await {
        Ok(key) => {
            tracing::info!(kid = %key.kid, "signing key rotated");
            StatusCode::NO_CONTENT.into_response()
        }
        Err(e) => {
            tracing::error!(error = %e, "could not generate the new key");
            StatusCode::INTERNAL_SERVER_ERROR.into_response()
        }
    }
}

#[derive(Deserialize)]
pub(crate) struct NextIdToken {
    fault: Fault,
}

/// `POST /_sandbox/next-id-token` `{"fault": "..."}` → 204.
pub(crate) async fn next_id_token(
    State(app): State<Arc<App>>,
    Json(request): Json<NextIdToken>,
) -> Response {
    if request.fault == Fault::OtherKey {
        let kid = app.key.kid.clone();
        if let Err(e) = app
            .impostor
            .get_or_try_init(|| SigningKey::impostor(&kid))
            .await
        {
            tracing::error!(error = %e, "could not generate the impostor key");
            return StatusCode::INTERNAL_SERVER_ERROR.into_response();
        }
    }
    tracing::info!(fault = ?request.fault, "the next ID token will be faulty");
    *lock(&app.next_fault) = Some(request.fault);
    StatusCode::NO_CONTENT.into_response()
}

#[derive(Deserialize)]
pub(crate) struct AdminConsent {
    tenant: String,
    required: bool,
}

/// `POST /_sandbox/admin-consent-required` `{"tenant": "<tid>", "required": true}` → 204: from
/// now on that tenant's users cannot consent to a Graph permission themselves (as when an
/// organisation turns user consent off): the authorization answers `consent_required`
/// (AADSTS65001).
pub(crate) async fn admin_consent_required(
    State(app): State<Arc<App>>,
    Json(request): Json<AdminConsent>,
) -> Response {
    let mut tenants = lock(&app.admin_consent);
    if request.required {
        tenants.insert(request.tenant.to_lowercase());
    } else {
        tenants.remove(&request.tenant.to_lowercase());
    }
    StatusCode::NO_CONTENT.into_response()
}

#[derive(Deserialize)]
pub(crate) struct Revoke {
    email: String,
}

/// `POST /_sandbox/revoke-refresh-tokens` `{"email": "..."}` → 204: every refresh token of
/// that account is revoked (the user changed their password, or an administrator revoked their
/// sessions); using one answers `invalid_grant` (AADSTS50173).
pub(crate) async fn revoke_refresh_tokens(
    State(app): State<Arc<App>>,
    Json(request): Json<Revoke>,
) -> Response {
    match app.store.revoke_refresh_grants(&request.email).await {
        Ok(()) => StatusCode::NO_CONTENT.into_response(),
        Err(e) => {
            tracing::error!(error = %e, "could not revoke refresh tokens");
            StatusCode::INTERNAL_SERVER_ERROR.into_response()
        }
    }
}
