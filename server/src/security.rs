//! Security headers on every response. The CSP carries a fresh nonce per response, which the
//! shell gives to Leptos so its hydration scripts run; `'wasm-unsafe-eval'` lets the WASM
//! compile. Responses that set no caching of their own (pages, API answers) are `no-store`:
//! they hold a rep's data, and a shared show tablet must not show it from its cache.

use app::state::CspNonce;
use axum::{
    extract::{Request, State},
    middleware::Next,
    response::Response,
};

/// Whether Spine's public URL is https.
#[derive(Clone, Copy)]
pub struct Https(pub bool);
use http::{header, HeaderValue};
use uuid::Uuid;

/// Adds CSP (with nonce), `nosniff`, `Referrer-Policy`, framing refusal and, when Spine is
/// served over https, `Strict-Transport-Security` (the browser never tries plain http again).
pub async fn headers(State(https): State<Https>, mut req: Request, next: Next) -> Response {
    let nonce = Uuid::new_v4().simple().to_string();
    req.extensions_mut().insert(CspNonce(nonce.clone()));
    let mut res = next.run(req).await;

    let csp = format!(
        "default-src 'self'; script-src 'self' 'nonce-{nonce}' 'wasm-unsafe-eval'; \
         style-src 'self'; img-src 'self' data:; font-src 'self'; connect-src 'self'; \
         object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'"
    );
    let h = res.headers_mut();
    if let Ok(value) = HeaderValue::from_str(&csp) {
        h.insert(header::CONTENT_SECURITY_POLICY, value);
    }
    h.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    h.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("strict-origin-when-cross-origin"),
    );
    h.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    if https.0 {
        h.insert(
            header::STRICT_TRANSPORT_SECURITY,
            HeaderValue::from_static("max-age=31536000; includeSubDomains"),
        );
    }
    if !h.contains_key(header::CACHE_CONTROL) {
        h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    }
    res
}
