use leptos::prelude::*;

use crate::VERSION;

/// Header, main area and footer around every page.
///
/// `data-hydrated` turns to `true` once the WASM has taken over the page: an Effect runs in the
/// browser only, so end-to-end tests can tell a hydrated page from server HTML.
#[component]
pub fn Layout(children: Children) -> impl IntoView {
    crate::ui::session::provide_session_lost();
    let hydrated = RwSignal::new(false);
    Effect::new(move |_| hydrated.set(true));

    view! {
        <div class="app" data-hydrated=move || hydrated.get().to_string()>
            <header class="app-header">
                <a class="brand" href="/">"Spine"</a>
                <nav aria-label="Navigation principale">
                    <a href="/">"Accueil"</a>
                    <a href="/campagnes">"Campagnes"</a>
                    <a href="/distributeurs">"Distributeurs"</a>
                </nav>
                <crate::auth::ui::UserMenu />
            </header>
            <main class="app-main">
                <ErrorBoundary fallback=|errors| {
                    view! {
                        <section class="error-page" role="alert">
                            <h1>"Une erreur est survenue"</h1>
                            <ul>
                                {move || {
                                    errors
                                        .get()
                                        .into_iter()
                                        .map(|(_, e)| view! { <li>{e.to_string()}</li> })
                                        .collect_view()
                                }}
                            </ul>
                            <p><a href="/">"Revenir à l’accueil"</a></p>
                        </section>
                    }
                }>{children()}</ErrorBoundary>
            </main>
            <crate::ui::lazy::WarmLinkedPages />
            <footer class="app-footer">
                <span>"Spine — prospection salons"</span>
                <span class="version">"version " {VERSION}</span>
            </footer>
        </div>
    }
}
