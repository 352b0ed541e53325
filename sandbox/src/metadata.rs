//! OpenID discovery, JWKS, logout and userinfo.

use std::sync::Arc;

use axum::extract::{Path, RawQuery, State};
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde_json::json;

use crate::directory::Authority;
use crate::web::{page, redirect, AadError, Params};
use crate::App;

/// `GET /{tenant}/v2.0/.well-known/openid-configuration`
pub(crate) async fn discovery(State(app): State<Arc<App>>, Path(tenant): Path<String>) -> Response {
    let Some(authority) = Authority::parse(&tenant) else {
        return AadError::unknown_tenant(&tenant).into_response();
    };
    let base = &app.base_url;
    let segment = authority.segment();
    // Multi-tenant documents carry a template: each token names its own tenant.
    let issuer = match authority {
        Authority::Multi(_) => format!("{base}/{{tenantid}}/v2.0"),
        Authority::Single(t) => format!("{base}/{}/v2.0", t.id),
    };
    Json(json!({
        "token_endpoint": format!("{base}/{segment}/oauth2/v2.0/token"),
        "token_endpoint_auth_methods_supported":
            ["client_secret_post", "private_key_jwt", "client_secret_basic"],
        "jwks_uri": format!("{base}/{segment}/discovery/v2.0/keys"),
        "response_modes_supported": ["query", "fragment", "form_post"],
        "subject_types_supported": ["pairwise"],
        "id_token_signing_alg_values_supported": ["RS256"],
        "response_types_supported": ["code", "id_token", "code id_token", "id_token token"],
        "scopes_supported": ["openid", "profile", "email", "offline_access"],
        "issuer": issuer,
        "request_uri_parameter_supported": false,
        "userinfo_endpoint": format!("{base}/oidc/userinfo"),
        "authorization_endpoint": format!("{base}/{segment}/oauth2/v2.0/authorize"),
        "http_logout_supported": true,
        "frontchannel_logout_supported": true,
        "end_session_endpoint": format!("{base}/{segment}/oauth2/v2.0/logout"),
        "claims_supported": [
            "sub", "iss", "cloud_instance_name", "cloud_instance_host_name",
            "cloud_graph_host_name", "msgraph_host", "aud", "exp", "iat", "auth_time",
            "acr", "nonce", "preferred_username", "name", "tid", "ver", "at_hash",
            "c_hash", "email"
        ],
        "tenant_region_scope": null,
        "cloud_instance_name": "microsoftonline.com",
        "cloud_graph_host_name": "graph.windows.net",
        "msgraph_host": "graph.microsoft.com",
    }))
    .into_response()
}

/// `GET /{tenant}/discovery/v2.0/keys`
pub(crate) async fn keys(State(app): State<Arc<App>>, Path(tenant): Path<String>) -> Response {
    if Authority::parse(&tenant).is_none() {
        return AadError::unknown_tenant(&tenant).into_response();
    }
    let issuer = format!("{}/{{tenantid}}/v2.0", app.base_url);
    let mut keys = vec![app.key.jwk(&issuer)];
    keys.extend(app.rotated.get().map(|key| key.jwk(&issuer)));
    Json(json!({ "keys": keys })).into_response()
}

/// `GET /{tenant}/oauth2/v2.0/logout`: there is no session to end, so it only
/// sends the browser back when the target belongs to a registered app.
pub(crate) async fn logout(
    State(app): State<Arc<App>>,
    Path(tenant): Path<String>,
    RawQuery(query): RawQuery,
) -> Response {
    if Authority::parse(&tenant).is_none() {
        return AadError::unknown_tenant(&tenant).page();
    }
    let params = Params::parse(query.unwrap_or_default().as_bytes());
    if let Some(target) = params.get("post_logout_redirect_uri") {
        let registered = app
            .clients
            .iter()
            .flat_map(|c| &c.redirect_uris)
            .any(|uri| origin(uri).is_some() && origin(uri) == origin(target));
        if registered {
            let state: Vec<_> = params
                .get("state")
                .map(|s| ("state", s.to_owned()))
                .into_iter()
                .collect();
            return redirect(target, false, &state);
        }
    }
    page(
        "Déconnexion",
        "<h1>Vous êtes déconnecté.</h1>\n<p>Vous pouvez fermer cette fenêtre.</p>",
    )
    .into_response()
}

/// `scheme://host:port` of an absolute URL.
fn origin(url: &str) -> Option<&str> {
    let start = url.find("://")? + 3;
    let end = url[start..]
        .find(['/', '?', '#'])
        .map_or(url.len(), |i| start + i);
    Some(&url[..end])
}

/// `GET|POST /oidc/userinfo`: Spine does not use it, so it refuses every request the way
/// Graph refuses one without a valid token.
pub(crate) async fn userinfo() -> Response {
    (
        StatusCode::UNAUTHORIZED,
        [(header::WWW_AUTHENTICATE, "Bearer error=\"invalid_token\"")],
        Json(json!({"error": {
            "code": "InvalidAuthenticationToken",
            "message": "Access token is empty.",
        }})),
    )
        .into_response()
}
