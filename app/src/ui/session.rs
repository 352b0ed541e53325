//! When the session ends under an open page (expired, or signed out in another tab), server
//! functions answer 401: the page says so in French, offers to sign in again and come back,
//! and the header stops naming the rep.

use leptos::prelude::*;
use leptos_router::hooks::use_location;

use crate::error::{AppError, ErrorKind};

/// Set once a request found the session gone; the header then offers to sign in.
#[derive(Clone, Copy)]
pub struct SessionLost(pub RwSignal<bool>);

/// Provides [`SessionLost`] to the whole app (called by the layout).
pub fn provide_session_lost() -> SessionLost {
    let lost = SessionLost(RwSignal::new(false));
    provide_context(lost);
    lost
}

/// Whether `error` says the session is gone.
pub fn is_session_lost(error: &AppError) -> bool {
    error.kind == ErrorKind::Unauthorized
}

/// The sign-in page saying the session expired, coming back to `path` after.
pub fn sign_in_href(path: &str) -> String {
    crate::ui::query::Query::new()
        .set("next", path)
        .set("erreur", "expiree")
        .href("/connexion")
}

/// "Your session has expired": a link to sign in again and come back here. In a form
/// (`in_form`), signing in happens in another tab so what the rep typed stays on this page.
#[component]
pub fn SessionExpired(#[prop(optional)] in_form: bool) -> impl IntoView {
    if let Some(SessionLost(lost)) = use_context::<SessionLost>() {
        Effect::new(move |_| lost.set(true));
    }
    let here = use_location();
    let href = move || {
        let search = here.search.get();
        let path = if search.is_empty() {
            here.pathname.get()
        } else {
            format!("{}?{search}", here.pathname.get())
        };
        sign_in_href(&path)
    };
    view! {
        <div class="alert error session-expired" role="alert">
            <p><strong>"Votre session a expiré."</strong></p>
            {if in_form {
                view! {
                    <p>
                        "Reconnectez-vous dans un nouvel onglet, puis revenez ici et enregistrez à "
                        "nouveau : ce que vous avez saisi est conservé."
                    </p>
                    <a class="button" href=href target="_blank" rel="external noopener">"Se reconnecter (nouvel onglet)"</a>
                }
                .into_any()
            } else {
                view! {
                    <p>"Reconnectez-vous pour revenir à cette page."</p>
                    <a class="button" href=href rel="external">"Se reconnecter"</a>
                }
                .into_any()
            }}
        </div>
    }
}

/// The message of a form's last answer when it is not about one field: the session gone, or
/// any other refusal in an alert. Field errors show beside their fields.
#[component]
pub fn ActionError<T, S>(value: S) -> impl IntoView
where
    T: Send + Sync + 'static,
    S: Get<Value = Option<Result<T, AppError>>> + Copy + Send + Sync + 'static,
{
    // Generic only for reading the answer: the view is compiled once for every form.
    let error = Signal::derive(move || match value.get() {
        Some(Err(e)) => Some(e),
        _ => None,
    });
    action_error_view(error)
}

fn action_error_view(error: Signal<Option<AppError>>) -> AnyView {
    (move || match error.get() {
        Some(e) if is_session_lost(&e) => view! { <SessionExpired in_form=true /> }.into_any(),
        Some(e) => {
            let message = if e.fields.is_empty() {
                e.to_string()
            } else {
                "Certains champs sont à corriger.".to_string()
            };
            view! { <p class="alert error" role="alert">{message}</p> }.into_any()
        }
        None => ().into_any(),
    })
    .into_any()
}

#[cfg(test)]
mod tests {
    use super::sign_in_href;

    #[test]
    fn signing_in_again_comes_back_to_the_page() {
        assert_eq!(
            sign_in_href("/campagnes?statut=a-venir"),
            "/connexion?next=/campagnes%3Fstatut%3Da-venir&erreur=expiree"
        );
    }
}
