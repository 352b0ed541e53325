//! Cross-site request refusal for every state-changing request (forms and server functions),
//! on top of SameSite=Lax cookies: browsers say where a request comes from in
//! `Sec-Fetch-Site` and `Origin`.

use app::state::AppState;
use axum::{
    extract::{Request, State},
    middleware::Next,
    response::{IntoResponse, Response},
    Json,
};
use http::{header, Method, StatusCode};

/// Refuses non-safe requests that a browser marks as coming from another origin.
pub async fn refuse_cross_site(
    State(state): State<AppState>,
    req: Request,
    next: Next,
) -> Response {
    if is_cross_site(&req, &state.config.public_origin()) {
        tracing::warn!(method = %req.method(), path = %req.uri().path(), "cross-site request refused");
        return (
            StatusCode::FORBIDDEN,
            Json(serde_json::json!({
                "error": "cross_site_request",
                "message": "Requête refusée : elle ne vient pas de Spine.",
            })),
        )
            .into_response();
    }
    next.run(req).await
}

fn is_cross_site(req: &Request, public_origin: &str) -> bool {
    if matches!(*req.method(), Method::GET | Method::HEAD | Method::OPTIONS) {
        return false;
    }
    let headers = req.headers();
    let fetch_site = headers.get("sec-fetch-site").and_then(|v| v.to_str().ok());
    let origin = headers.get(header::ORIGIN).and_then(|v| v.to_str().ok());
    if let Some(site) = fetch_site {
        if site != "same-origin" && site != "none" {
            return true;
        }
    }
    if let Some(origin) = origin {
        return origin != public_origin;
    }
    // Neither header: not a current browser. Only token-authenticated clients, which carry no
    // ambient credentials, may do this.
    fetch_site.is_none() && !headers.contains_key(header::AUTHORIZATION)
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::body::Body;

    const ORIGIN: &str = "http://127.0.0.1:3000";

    fn post(headers: &[(&str, &str)]) -> Request {
        let mut builder = Request::builder().method("POST").uri("/api/x");
        for (k, v) in headers {
            builder = builder.header(*k, *v);
        }
        builder.body(Body::empty()).unwrap()
    }

    #[test]
    fn same_origin_posts_pass() {
        assert!(!is_cross_site(
            &post(&[("origin", ORIGIN), ("sec-fetch-site", "same-origin")]),
            ORIGIN
        ));
        assert!(!is_cross_site(&post(&[("origin", ORIGIN)]), ORIGIN));
    }

    #[test]
    fn cross_site_and_same_site_posts_are_refused() {
        assert!(is_cross_site(
            &post(&[
                ("origin", "https://evil.example"),
                ("sec-fetch-site", "cross-site")
            ]),
            ORIGIN
        ));
        assert!(is_cross_site(
            &post(&[("sec-fetch-site", "same-site")]),
            ORIGIN
        ));
        assert!(is_cross_site(
            &post(&[("origin", "http://127.0.0.1:3002")]),
            ORIGIN
        ));
    }

    #[test]
    fn a_post_without_origin_needs_a_bearer_token() {
        assert!(is_cross_site(&post(&[]), ORIGIN));
        assert!(!is_cross_site(
            &post(&[("authorization", "Bearer x")]),
            ORIGIN
        ));
    }

    #[test]
    fn reads_are_never_refused() {
        let get = Request::builder()
            .uri("/")
            .header("sec-fetch-site", "cross-site")
            .body(Body::empty())
            .unwrap();
        assert!(!is_cross_site(&get, ORIGIN));
    }
}
