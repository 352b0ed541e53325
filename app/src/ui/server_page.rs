//! The pages the server writes whole: the board, the catalogue and the sending pages. Their HTML is the
//! server's (hydrating `inner_html` keeps what it wrote), and so is their title, which the
//! browser reads back from the page to keep it; what a rep does on them is plain forms and the
//! board's script module. One component serves them all, so the app's WASM carries it once.

use leptos::prelude::*;

/// A page the server wrote: the board (`board::ui`) or a catalogue page (`catalog::ui`), by
/// what was read for it before it renders.
#[component]
pub fn ServerPage() -> impl IntoView {
    #[cfg(feature = "ssr")]
    let (title, html) = written();
    #[cfg(not(feature = "ssr"))]
    let (title, html) = (browser_title(), String::new());
    view! {
        <leptos_meta::Title text=title.clone() />
        <div class="server-page" data-title=title inner_html=html></div>
    }
}

#[cfg(feature = "ssr")]
fn written() -> (String, String) {
    let catalogue = use_context::<http::request::Parts>().is_some_and(|parts| {
        parts
            .extensions
            .get::<crate::catalog::ui::Prefetched>()
            .is_some()
    });
    let sending = use_context::<http::request::Parts>().is_some_and(|parts| {
        parts
            .extensions
            .get::<crate::mail::ui::Prefetched>()
            .is_some()
    });
    let mixer = use_context::<http::request::Parts>().is_some_and(|parts| {
        parts
            .extensions
            .get::<crate::mixer::ui::Prefetched>()
            .is_some()
    });
    let board = use_context::<http::request::Parts>().is_some_and(|parts| {
        parts
            .extensions
            .get::<crate::board::ui::Prefetched>()
            .is_some()
    });
    if mixer {
        crate::mixer::ui::server_page()
    } else if catalogue {
        crate::catalog::ui::server_page()
    } else if sending {
        crate::mail::ui::server_page()
    } else if board {
        crate::board::ui::server_page()
    } else {
        // A path of a generic route that is no page (`/campagnes/:id/nulle-part`).
        crate::ui::written::error_page(
            crate::error::AppError::not_found(),
            crate::ui::not_found::Missing::PAGE,
        )
    }
}

/// The title the server gave the page; on one the app's router brought (their links say
/// `rel="external"`, so only a link that forgot), the page is loaded from the server.
#[cfg(not(feature = "ssr"))]
fn browser_title() -> String {
    let written = document()
        .query_selector(".server-page[data-title]")
        .ok()
        .flatten()
        .and_then(|page| page.get_attribute("data-title"));
    #[cfg(feature = "hydrate")]
    if !Owner::current_shared_context().is_some_and(|c| c.during_hydration()) {
        let here = leptos_router::hooks::use_location();
        let (path, search) = (here.pathname.get_untracked(), here.search.get_untracked());
        let href = if search.is_empty() {
            path
        } else {
            format!("{path}?{search}")
        };
        // In place of the entry the router adds: Back leaves the page.
        let _ = window().location().replace(&href);
    }
    written.unwrap_or_default()
}
