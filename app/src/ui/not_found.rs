use leptos::prelude::*;
use leptos_meta::Title;

/// The French 404 page; the server answers it with status 404.
#[component]
pub fn NotFound() -> impl IntoView {
    #[cfg(feature = "ssr")]
    {
        if let Some(response) = use_context::<leptos_axum::ResponseOptions>() {
            response.set_status(http::StatusCode::NOT_FOUND);
        }
    }

    view! {
        <Title text="Page introuvable" />
        <section class="not-found">
            <h1>"Page introuvable"</h1>
            <p>"La page demandée n’existe pas ou n’est plus disponible."</p>
            <p><a href="/">"Revenir à l’accueil"</a></p>
        </section>
    }
}

/// The errors of a detail page: most often another rep's (or a deleted) item.
#[component]
pub fn NotFoundOr(errors: ArcRwSignal<Errors>) -> impl IntoView {
    view! {
        <section class="not-found">
            <h1>"Introuvable"</h1>
            {move || errors.get().into_iter().map(|(_, e)| view! { <p>{e.to_string()}</p> }).collect_view()}
            <p>"Elle a peut-être été supprimée, ou elle appartient à un autre compte."</p>
            <p><a class="back" href="/campagnes">"Revenir aux campagnes"</a></p>
        </section>
    }
}

/// The errors of a list or a form, in an alert (French messages from the server).
#[component]
pub fn ErrorsAlert(errors: ArcRwSignal<Errors>) -> impl IntoView {
    view! {
        <div class="alert error" role="alert">
            {move || {
                errors
                    .get()
                    .into_iter()
                    .map(|(_, e)| view! { <p>{e.to_string()}</p> })
                    .collect_view()
            }}
        </div>
    }
}
