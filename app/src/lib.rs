//! Spine's product: pages, components, server functions and the types they share.
//!
//! Compiled twice: with `ssr` for the server (repositories, state, jobs payloads) and with
//! `hydrate` for the browser (WASM).

// Leptos erases component types on the server and in the browser alike, or hydration breaks:
// the flag comes from .cargo/config.toml, which an exported RUSTFLAGS silently replaces.
#[cfg(not(erase_components))]
compile_error!(
    "Spine must be built with `--cfg erase_components` (set in .cargo/config.toml): \
     unset RUSTFLAGS, or add `--cfg erase_components` to it"
);

pub mod audit;
pub mod auth;
pub mod board;
pub mod campaigns;
pub mod catalog;
pub mod distributors;
pub mod error;
pub mod mail;
#[cfg(feature = "ssr")]
pub mod mixer;
pub mod page_data;
pub mod prospects;
pub mod system;
pub mod ui;

#[cfg(feature = "ssr")]
pub mod db;

#[cfg(feature = "ssr")]
pub mod config;
#[cfg(feature = "ssr")]
pub mod jobs;
#[cfg(feature = "ssr")]
pub mod live;
#[cfg(feature = "ssr")]
pub mod state;

use leptos::prelude::*;
use leptos_meta::{provide_meta_context, HashedStylesheet, MetaTags, Title};
use leptos_router::{
    components::{Route, Router, Routes},
    path, Lazy, SsrMode,
};

use auth::ui::AccountRoute;
use campaigns::ui::{CampaignFormRoute, CampaignHubRoute, CampaignsRoute};
use distributors::ui::{DistributorFormRoute, DistributorsRoute};
use prospects::ui::ProspectsRoute;

pub use ui::layout::Layout;

/// The version shown in the footer.
pub const VERSION: &str = env!("CARGO_PKG_VERSION");

/// Migrations embedded in the binary and run at start-up.
#[cfg(feature = "ssr")]
pub static MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!("../migrations");

/// The HTML document around the app, rendered on the server only.
pub fn shell(options: LeptosOptions) -> impl IntoView {
    #[cfg(feature = "ssr")]
    state::provide_request_nonce();
    // A page answering a plain post stays plain (see `ui::flash`).
    #[cfg(feature = "ssr")]
    let hydrate = !ui::flash::is_plain_page();
    #[cfg(not(feature = "ssr"))]
    let hydrate = true;

    view! {
        <!DOCTYPE html>
        <html lang="fr">
            <head>
                <meta charset="utf-8" />
                <meta name="viewport" content="width=device-width, initial-scale=1" />
                <link rel="icon" href="/favicon.svg" type="image/svg+xml" />
                <AutoReload options=options.clone() />
                <HashedStylesheet options=options.clone() id="leptos" />
                {hydrate.then(|| view! { <HydrationScripts options /> })}
                <MetaTags />
            </head>
            <body>
                <App />
            </body>
        </html>
    }
}

/// The root component: router, meta tags and the page layout. The shell, home and sign-in
/// pages are in the main WASM; every feature page is a lazy route with a chunk of its own.
#[component]
pub fn App() -> impl IntoView {
    provide_meta_context();
    ui::flash::provide_flash();

    view! {
        <Title formatter=|page: String| {
            if page.is_empty() { "Spine".to_string() } else { format!("{page} · Spine") }
        } />
        <Router>
            <Layout>
                <Routes fallback=ui::not_found::NotFound>
                    <Route path=path!("/") view=ui::home::HomePage ssr=SsrMode::Async />
                    <Route path=path!("/connexion") view=auth::ui::SignInPage />
                    <Route path=path!("/compte") view={Lazy::<AccountRoute>::new()} ssr=SsrMode::Async />
                    <Route path=path!("/distributeurs") view={Lazy::<DistributorsRoute>::new()} ssr=SsrMode::Async />
                    <Route path=path!("/distributeurs/nouveau") view={Lazy::<DistributorFormRoute>::new()} ssr=SsrMode::Async />
                    <Route path=path!("/distributeurs/:id") view={Lazy::<DistributorFormRoute>::new()} ssr=SsrMode::Async />
                    <Route path=path!("/campagnes") view={Lazy::<CampaignsRoute>::new()} ssr=SsrMode::Async />
                    <Route path=path!("/campagnes/nouvelle") view={Lazy::<CampaignFormRoute>::new()} ssr=SsrMode::Async />
                    <Route path=path!("/campagnes/:id") view={Lazy::<CampaignHubRoute>::new()} ssr=SsrMode::Async />
                    <Route path=path!("/campagnes/:id/modifier") view={Lazy::<CampaignFormRoute>::new()} ssr=SsrMode::Async />
                    <Route path=path!("/campagnes/:id/prospects") view={Lazy::<ProspectsRoute>::new()} ssr=SsrMode::Async />
                    <Route path=path!("/campagnes/:id/tableau/:card") view={Lazy::<ProspectsRoute>::new()} ssr=SsrMode::Async />
                    <Route path=path!("/campagnes/:id/prospects/:prospect") view={Lazy::<ProspectsRoute>::new()} ssr=SsrMode::Async />
                    <Route path=path!("/campagnes/:id/import/:upload") view={Lazy::<ProspectsRoute>::new()} ssr=SsrMode::Async />
                    <Route path=path!("/campagnes/:id/imports/:batch") view={Lazy::<ProspectsRoute>::new()} ssr=SsrMode::Async />
                    // The pages the server writes (board, catalogue, sending, mixer, the rep's
                    // settings and templates), after every route of the app's own: one generic
                    // route per depth costs the WASM less than one per page (the server knows
                    // each, see `server::server_pages`).
                    <Route path=path!("/campagnes/:id/:page") view=ui::server_page::ServerPage />
                    <Route path=path!("/campagnes/:id/:page/:sub") view=ui::server_page::ServerPage />
                    <Route path=path!("/compte/:page") view=ui::server_page::ServerPage />
                    <Route path=path!("/compte/:page/:id") view=ui::server_page::ServerPage />
                </Routes>
            </Layout>
        </Router>
    }
}

/// Downloads the code of the page at `path` ahead of a tap, when it is a lazy route; a failed
/// download is ignored (the tap tries again). The table follows the routes above: `false` for a
/// path it does not know, which a test checks never happens to a lazy route.
pub async fn preload_page(path: &str) -> bool {
    let segments: Vec<&str> = path.trim_matches('/').split('/').collect();
    let _ = match segments.as_slice() {
        ["compte"] => AccountRoute::preload_chunk().await,
        ["distributeurs"] => DistributorsRoute::preload_chunk().await,
        ["distributeurs", _] => DistributorFormRoute::preload_chunk().await,
        ["campagnes"] => CampaignsRoute::preload_chunk().await,
        ["campagnes", "nouvelle"] => CampaignFormRoute::preload_chunk().await,
        ["campagnes", _] => CampaignHubRoute::preload_chunk().await,
        ["campagnes", _, "modifier"] => CampaignFormRoute::preload_chunk().await,
        ["campagnes", _, "prospects"] => ProspectsRoute::preload_chunk().await,
        ["campagnes", _, "import" | "imports" | "prospects" | "tableau", _] => {
            ProspectsRoute::preload_chunk().await
        }
        _ => return false,
    };
    true
}
