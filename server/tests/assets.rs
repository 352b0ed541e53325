//! The compiled site under /pkg: what a tablet downloads, and how long it may keep it.

mod common;

use common::spawn_app_with_site;
use sandbox::DEMO_TENANT_ID;
use sqlx::PgPool;

const HASHED: &str = "spine.IYyVqbXv3dxVmQ1lD6ZBpA.wasm";

/// A site directory with a hashed WASM (and its brotli and gzip twins) and an unhashed file.
fn site() -> tempdir::TempSite {
    let site = tempdir::TempSite::new();
    let pkg = site.path().join("pkg");
    std::fs::create_dir_all(&pkg).unwrap();
    std::fs::write(pkg.join(HASHED), b"\0asm raw bytes, raw bytes, raw bytes").unwrap();
    std::fs::write(pkg.join(format!("{HASHED}.br")), b"brotli").unwrap();
    std::fs::write(pkg.join(format!("{HASHED}.gz")), b"gzip bytes").unwrap();
    std::fs::write(pkg.join("notes.txt"), b"not hashed").unwrap();
    site
}

mod tempdir {
    /// A directory removed when dropped.
    pub struct TempSite(std::path::PathBuf);

    impl TempSite {
        pub fn new() -> Self {
            let dir =
                std::env::temp_dir().join(format!("spine-site-{}", uuid::Uuid::new_v4().simple()));
            std::fs::create_dir_all(&dir).unwrap();
            TempSite(dir)
        }

        pub fn path(&self) -> &std::path::Path {
            &self.0
        }
    }

    impl Drop for TempSite {
        fn drop(&mut self) {
            let _ = std::fs::remove_dir_all(&self.0);
        }
    }
}

fn root(site: &tempdir::TempSite) -> &str {
    site.path().to_str().unwrap()
}

#[sqlx::test(migrator = "app::MIGRATOR")]
async fn a_hashed_file_is_sent_in_brotli_or_gzip_as_accepted_and_cached_for_a_year(pool: PgPool) {
    let site = site();
    let app = spawn_app_with_site(pool, root(&site)).await;
    let url = app.url(&format!("/pkg/{HASHED}"));
    let get = |encoding: &'static str| {
        let request = app.client.get(&url);
        let request = if encoding.is_empty() {
            request
        } else {
            request.header("accept-encoding", encoding)
        };
        async move { request.send().await.unwrap() }
    };

    let br = get("br, gzip").await;
    assert_eq!(br.status(), 200);
    assert_eq!(br.headers()["content-encoding"], "br");
    assert_eq!(
        br.headers()["cache-control"],
        "public, max-age=31536000, immutable"
    );
    assert!(br.headers()["vary"]
        .to_str()
        .unwrap()
        .to_lowercase()
        .contains("accept-encoding"));
    assert_eq!(br.bytes().await.unwrap().as_ref(), b"brotli");

    let gz = get("gzip").await;
    assert_eq!(gz.headers()["content-encoding"], "gzip");
    assert_eq!(gz.bytes().await.unwrap().as_ref(), b"gzip bytes");

    let raw = get("").await;
    assert!(raw.headers().get("content-encoding").is_none());
    assert_eq!(raw.headers()["content-type"], "application/wasm");
    assert!(raw.bytes().await.unwrap().starts_with(b"\0asm"));
    app.shutdown().await.unwrap();
}

#[sqlx::test(migrator = "app::MIGRATOR")]
async fn an_unhashed_file_is_revalidated_and_a_missing_one_is_a_plain_404(pool: PgPool) {
    let site = site();
    let app = spawn_app_with_site(pool, root(&site)).await;

    let unhashed = app.get("/pkg/notes.txt").await;
    assert_eq!(unhashed.status(), 200);
    assert_eq!(unhashed.headers()["cache-control"], "no-cache");

    // An old tab asking for a chunk a new version no longer has: no HTML page, no long cache.
    let gone = app
        .get("/pkg/split_spine_page_campaigns.AAAAAAAAAAAAAAAAAAAAAA.wasm")
        .await;
    assert_eq!(gone.status(), 404);
    assert_eq!(gone.headers()["cache-control"], "no-cache");
    assert!(!gone.text().await.unwrap().contains("<html"));
    app.shutdown().await.unwrap();
}

#[sqlx::test(migrator = "app::MIGRATOR")]
async fn pages_and_answers_are_never_stored_by_the_browser(pool: PgPool) {
    let site = site();
    let app = spawn_app_with_site(pool, root(&site)).await;
    for path in ["/", "/connexion", "/nulle-part"] {
        let res = app.get(path).await;
        assert_eq!(res.headers()["cache-control"], "no-store", "{path}");
    }
    // A rep's own pages and data: a shared show tablet must not keep them.
    let claire = app
        .signed_in(DEMO_TENANT_ID, "claire.martin@demo-salons.example.test")
        .await;
    for path in ["/campagnes", "/compte", "/me"] {
        let res = claire.get(path).await;
        assert_eq!(res.status(), 200, "{path}");
        assert_eq!(res.headers()["cache-control"], "no-store", "{path}");
    }
    let answer = claire
        .client
        .post(app.url("/api/list_distributors"))
        .header("origin", app.origin())
        .header("sec-fetch-site", "same-origin")
        .send()
        .await
        .unwrap();
    assert_eq!(answer.status(), 200);
    assert_eq!(answer.headers()["cache-control"], "no-store");
    app.shutdown().await.unwrap();
}
