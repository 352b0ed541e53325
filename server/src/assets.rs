//! The compiled site under `/pkg` (WASM, its chunks, JS, CSS): precompressed brotli or gzip as
//! the browser accepts, and file names that carry a content hash cached for a year. A missing
//! file is a plain 404, never the app's HTML (an old tab asking for a chunk a new version no
//! longer has must get an error it can show, not a page).

use std::path::Path;

use app::state::AppState;
use axum::{extract::Request, middleware::Next, response::Response, Router};
use http::{header, HeaderValue};
use leptos::config::LeptosOptions;
use tower_http::services::ServeDir;

/// Cache-Control of a file whose name changes with its content.
pub const IMMUTABLE: &str = "public, max-age=31536000, immutable";

/// `/pkg/*` served from the site directory.
pub fn router(options: &LeptosOptions) -> Router<AppState> {
    let pkg = options.site_pkg_dir.trim_matches('/');
    let dir = Path::new(&*options.site_root).join(pkg);
    let files = ServeDir::new(dir).precompressed_br().precompressed_gzip();
    Router::new()
        .nest_service(&format!("/{pkg}"), files)
        .layer(axum::middleware::from_fn(cache_headers))
}

async fn cache_headers(req: Request, next: Next) -> Response {
    let hashed = has_content_hash(req.uri().path());
    let mut res = next.run(req).await;
    // A 304 refreshes the cached copy's headers: it must not demote it to `no-cache`.
    let found = res.status().is_success() || res.status() == http::StatusCode::NOT_MODIFIED;
    let value = if hashed && found {
        IMMUTABLE
    } else {
        "no-cache"
    };
    let headers = res.headers_mut();
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static(value));
    // The same URL is brotli, gzip or raw depending on the request: caches must tell them apart.
    headers.insert(header::VARY, HeaderValue::from_static("accept-encoding"));
    res
}

/// `spine.Ab3…(22 characters).wasm`: cargo-leptos puts a base64url MD5 of the content between
/// the name and the extension.
fn has_content_hash(path: &str) -> bool {
    let name = path.rsplit('/').next().unwrap_or_default();
    let parts: Vec<&str> = name.split('.').collect();
    parts.len() >= 3
        && parts[1..parts.len() - 1].iter().any(|part| {
            part.len() == 22
                && part
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
        })
}

#[cfg(test)]
mod tests {
    use super::has_content_hash;

    #[test]
    fn only_names_carrying_a_content_hash_are_cached_for_good() {
        assert!(has_content_hash("/pkg/spine.IYyVqbXv3dxVmQ1lD6ZBpA.wasm"));
        assert!(has_content_hash(
            "/pkg/__wasm_split.sYkt9l-5_ZVTTSc0xQXl0Q.js"
        ));
        assert!(has_content_hash(
            "/pkg/spine_page_campaigns.kQ2IGoYLMcehRvR_UdY2tA.wasm"
        ));
        assert!(!has_content_hash("/pkg/spine.wasm"));
        assert!(!has_content_hash("/pkg/spine.css"));
        assert!(!has_content_hash("/pkg/snippets/x/inline0.js"));
        assert!(!has_content_hash("/pkg/a.tooshort.wasm"));
    }
}
