//! Spine's product: pages, components, server functions and the types they share.
//!
//! Compiled twice: with `ssr` for the server (repositories, state, jobs payloads) and with
//! `hydrate` for the browser (WASM).

pub mod audit;
pub mod auth;
pub mod campaigns;
pub mod distributors;
pub mod error;
pub mod system;
pub mod ui;

#[cfg(feature = "ssr")]
pub mod config;
#[cfg(feature = "ssr")]
pub mod jobs;
#[cfg(feature = "ssr")]
pub mod state;

use leptos::prelude::*;
use leptos_meta::{provide_meta_context, MetaTags, Stylesheet, Title};
use leptos_router::{
    components::{Route, Router, Routes},
    path, SsrMode,
};

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

    view! {
        <!DOCTYPE html>
        <html lang="fr">
            <head>
                <meta charset="utf-8" />
                <meta name="viewport" content="width=device-width, initial-scale=1" />
                <link rel="icon" href="/favicon.svg" type="image/svg+xml" />
                <AutoReload options=options.clone() />
                <HydrationScripts options />
                <MetaTags />
            </head>
            <body>
                <App />
            </body>
        </html>
    }
}

/// The root component: router, meta tags and the page layout.
#[component]
pub fn App() -> impl IntoView {
    provide_meta_context();

    view! {
        <Stylesheet id="leptos" href="/pkg/spine.css" />
        <Title formatter=|page: String| {
            if page.is_empty() { "Spine".to_string() } else { format!("{page} · Spine") }
        } />
        <Router>
            <Layout>
                <Routes fallback=ui::not_found::NotFound>
                    <Route path=path!("/") view=ui::home::HomePage />
                    <Route path=path!("/connexion") view=auth::ui::SignInPage />
                    <Route path=path!("/compte") view=auth::ui::AccountPage />
                    <Route path=path!("/distributeurs") view=distributors::ui::DistributorsPage ssr=SsrMode::Async />
                    <Route path=path!("/distributeurs/:id") view=distributors::ui::DistributorEditPage ssr=SsrMode::Async />
                    <Route path=path!("/campagnes") view=campaigns::ui::CampaignsPage ssr=SsrMode::Async />
                    <Route path=path!("/campagnes/nouvelle") view=campaigns::ui::CampaignNewPage ssr=SsrMode::Async />
                    <Route path=path!("/campagnes/:id") view=campaigns::ui::CampaignHubPage ssr=SsrMode::Async />
                    <Route path=path!("/campagnes/:id/modifier") view=campaigns::ui::CampaignEditPage ssr=SsrMode::Async />
                </Routes>
            </Layout>
        </Router>
    }
}
