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

/// Whether one of `errors` says the session is gone.
fn session_lost(errors: &ArcRwSignal<Errors>) -> bool {
    errors.read().iter().any(|(_, e)| {
        e.downcast_ref::<crate::error::AppError>()
            .is_some_and(crate::ui::session::is_session_lost)
    })
}

/// The errors of a detail page: most often another rep's (or a deleted) item, or a session
/// that ended under the open page.
#[component]
pub fn NotFoundOr(errors: ArcRwSignal<Errors>) -> impl IntoView {
    if session_lost(&errors) {
        return view! { <crate::ui::session::SessionExpired /> }.into_any();
    }
    view! {
        <section class="not-found">
            <h1>"Introuvable"</h1>
            {move || errors.get().into_iter().map(|(_, e)| view! { <p>{e.to_string()}</p> }).collect_view()}
            <p>"Elle a peut-être été supprimée, ou elle appartient à un autre compte."</p>
            <p><a class="back" href="/campagnes">"Revenir aux campagnes"</a></p>
        </section>
    }
    .into_any()
}

/// The errors of a list or a form, in an alert (French messages from the server).
#[component]
pub fn ErrorsAlert(errors: ArcRwSignal<Errors>) -> impl IntoView {
    if session_lost(&errors) {
        return view! { <crate::ui::session::SessionExpired /> }.into_any();
    }
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
    .into_any()
}
