//! Pages that load their own code: each feature page is a lazy route whose code sits in a WASM
//! chunk of its own, so the first screen only pays for the shell.
//!
//! The page's data is loaded by its chunk too: `load()` runs in the chunk, just before the view.
//! Starting the requests from the main chunk instead (Leptos's `LazyRoute::data()`) would put
//! every page's request and resource code in the main chunk that every page downloads: measured
//! 20 KB more over the wire, past its budget. To keep taps instant anyway, the chunks of the
//! pages the current one links to are downloaded while the rep reads it ([`WarmLinkedPages`]);
//! the first page of a visit comes with its data in the HTML and its chunk preloaded.
//!
//! A chunk can fail to arrive (the show-floor Wi-Fi drops, or a new version was deployed while
//! the tab was open and the old chunk is gone). Leptos's `#[lazy_route]` panics then, which
//! kills the whole app; [`lazy_page!`] declares the split point `fallible` instead and shows
//! [`ChunkFailed`], a French message with a "Recharger" button, while the rest of the app keeps
//! working and a later visit tries again.

use leptos::prelude::*;
use leptos_meta::Title;

/// The code of a page could not be downloaded.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ChunkUnavailable;

impl From<leptos::wasm_split::SplitLoaderError> for ChunkUnavailable {
    fn from(_: leptos::wasm_split::SplitLoaderError) -> Self {
        ChunkUnavailable
    }
}

/// Declares `$route`, the lazy route of page `$page`: in the WASM chunk `$chunk`,
/// `$page::load()` creates the page's data (its resources start their requests) and `$body`
/// builds the view from it (`$this`).
///
/// `$chunk` names the chunk in the split manifest and in WASM symbols: it must be unique, and so
/// must `$preload`, the function that downloads it. `$route::preload_chunk()` downloads the chunk
/// ahead of a tap and reports a failure instead of panicking.
#[rustfmt::skip] // rustfmt indents the split attribute further at every run
macro_rules! lazy_page {
    ($route:ident => $page:ident, $chunk:ident, $preload:ident, |$this:ident| $body:block) => {
        /// The lazy route of the page.
        pub struct $route;
        #[::leptos::wasm_split::wasm_split(
            $chunk,
            wasm_split_path = ::leptos::wasm_split,
            fallible,
            preload($preload)
        )]
        fn $chunk(
            _route: $route,
        ) -> ::core::result::Result<::leptos::prelude::AnyView, $crate::ui::lazy::ChunkUnavailable>
        {
            let $this = $page::load();
            ::core::result::Result::Ok($body)
        }

        impl $route {
            /// Downloads this page's code without showing it.
            pub async fn preload_chunk(
            ) -> ::core::result::Result<(), $crate::ui::lazy::ChunkUnavailable> {
                Ok($preload().await?)
            }
        }

        impl ::leptos_router::LazyRoute for $route {
            fn data() -> Self {
                $route
            }

            async fn view(this: Self) -> ::leptos::prelude::AnyView {
                #[cfg(feature = "ssr")]
                $crate::ui::lazy::preload_in_head(stringify!($chunk));
                match $chunk(this).await {
                    Ok(view) => ::leptos::prelude::IntoAny::into_any(::leptos::prelude::view! {
                        {view}
                        <$crate::ui::lazy::WarmLinkedPages />
                    }),
                    Err(_) => $crate::ui::lazy::chunk_failed(),
                }
            }

            async fn preload() {
                let _ = $route::preload_chunk().await;
            }
        }
    };
}
pub(crate) use lazy_page;

/// Adds to the page's `<head>` a preload of each file of `chunk` (from the split manifest), so
/// the browser fetches them alongside the main WASM instead of after it has started.
#[cfg(feature = "ssr")]
pub fn preload_in_head(chunk: &str) {
    use leptos_meta::Link;
    let Some(manifest) = use_context::<leptos::WasmSplitManifest>() else {
        return;
    };
    if crate::ui::flash::is_plain_page() {
        return;
    }
    let hrefs = manifest.0.with_value(|(pkg, files, loader)| {
        let modules = files.get(chunk).into_iter().flatten();
        let mut hrefs: Vec<_> = modules.map(|m| format!("{pkg}/{m}.wasm")).collect();
        hrefs.push(format!("{pkg}/{loader}"));
        hrefs
    });
    let (loader, modules) = hrefs.split_last().expect("the loader was pushed");
    // Registered with the meta context, which writes them into <head>: not part of the page.
    for href in modules {
        // `anonymous`, as the chunk loader's own fetch, or the browser downloads it twice.
        let _ = view! {
            <Link rel="preload" href=href.clone() as_="fetch" type_="application/wasm" crossorigin="anonymous" />
        }
        .to_html();
    }
    let _ = view! { <Link rel="modulepreload" href=loader.clone() /> }.to_html();
}

/// What a lazy route shows when its chunk did not arrive.
pub fn chunk_failed() -> AnyView {
    // The page sent by the server cannot come alive without its code, and another view cannot
    // take its place while it is being hydrated: it stays readable, and the banner says to
    // reload.
    #[cfg(feature = "hydrate")]
    if Owner::current_shared_context().is_some_and(|context| context.during_hydration()) {
        show_reload_banner();
        return ().into_any();
    }
    view! { <ChunkFailed /> }.into_any()
}

/// The address of the current page, for a full reload.
fn reload_href(path: &str, search: &str) -> String {
    if search.is_empty() {
        path.to_string()
    } else {
        format!("{path}?{search}")
    }
}

/// Shown instead of a page whose code did not arrive.
#[component]
pub fn ChunkFailed() -> impl IntoView {
    let here = leptos_router::hooks::use_location();
    let href = move || reload_href(&here.pathname.get(), &here.search.get());
    view! {
        <Title text="Page indisponible" />
        <section class="chunk-failed card" role="alert">
            <h1>"Cette page n’a pas pu se charger"</h1>
            <p>
                "La connexion a peut-être été coupée, ou une nouvelle version de Spine vient d’être "
                "publiée. Rien de ce que vous avez enregistré n’est perdu."
            </p>
            // A full page load (not the app's router): it also picks up a new version.
            <a class="button" href=href rel="external">"Recharger"</a>
        </section>
    }
}

/// When the browser is idle after the page came alive, after each navigation and after each
/// lazy page is shown, downloads the code of the pages the current one links to, so the next
/// tap on the show floor does not wait for it. Failures are ignored: the tap will try again.
#[component]
pub fn WarmLinkedPages() -> impl IntoView {
    #[cfg(feature = "hydrate")]
    {
        let location = leptos_router::hooks::use_location();
        Effect::new(move |_| {
            location.pathname.track();
            request_idle_callback(|| leptos::task::spawn_local(warm_linked_pages()));
        });
    }
}

#[cfg(feature = "hydrate")]
async fn warm_linked_pages() {
    use wasm_bindgen::JsCast;
    use web_sys::HtmlAnchorElement;

    let links = document().links();
    let origin = window().location().origin().ok();
    let mut paths: Vec<String> = (0..links.length())
        .filter_map(|i| links.item(i)?.dyn_into::<HtmlAnchorElement>().ok())
        .filter(|a| Some(a.origin()) == origin && a.rel() != "external")
        .map(|a| a.pathname())
        .collect();
    paths.sort_unstable();
    paths.dedup();
    // One after the other: a weak network stays free for what the rep does meanwhile.
    for path in paths {
        crate::preload_page(&path).await;
    }
}

/// The last resort when the app cannot go on (a panic stops the WASM for good, or the page sent
/// by the server cannot come alive): rather than a page that silently ignores every tap, the
/// rep sees why and a way out. Plain DOM calls, as nothing of the app may run any more.
#[cfg(feature = "hydrate")]
pub fn show_reload_banner() {
    let document = document();
    if document.get_element_by_id("fatal-error").is_some() {
        return;
    }
    let (Some(body), Ok(banner), Ok(link)) = (
        document.body(),
        document.create_element("div"),
        document.create_element("a"),
    ) else {
        return;
    };
    let href = window().location().href().unwrap_or_else(|_| "/".into());
    let _ = banner.set_attribute("id", "fatal-error");
    let _ = banner.set_attribute("role", "alert");
    banner.set_text_content(Some(
        "Spine a rencontré un problème et ne répond plus sur cette page. \
         Rechargez-la : rien de ce que vous avez enregistré n’est perdu. ",
    ));
    let _ = link.set_attribute("href", &href);
    let _ = link.set_attribute("class", "button");
    // A full page load: the app's router, in the stopped WASM, must not handle it.
    let _ = link.set_attribute("rel", "external");
    link.set_text_content(Some("Recharger"));
    let _ = banner.append_child(&link);
    let _ = body.append_child(&banner);
}

#[cfg(test)]
mod tests {
    use super::reload_href;

    #[test]
    fn the_reload_link_keeps_the_query_of_the_page() {
        assert_eq!(reload_href("/campagnes", ""), "/campagnes");
        assert_eq!(
            reload_href("/campagnes", "statut=a-venir&q=sirha"),
            "/campagnes?statut=a-venir&q=sirha"
        );
    }
}
