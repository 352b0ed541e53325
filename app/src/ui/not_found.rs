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

/// What a detail page shows when its item is missing: its own words, and the way back.
#[derive(Clone, Copy)]
pub struct Missing {
    pub title: &'static str,
    pub text: &'static str,
    pub back_href: &'static str,
    pub back_label: &'static str,
}

impl Missing {
    pub const CAMPAIGN: Missing = Missing {
        title: "Campagne introuvable",
        text: "Cette campagne a peut-être été supprimée, ou elle appartient à un autre compte.",
        back_href: "/campagnes",
        back_label: "Revenir aux campagnes",
    };
    pub const UPLOAD: Missing = Missing {
        title: "Fichier introuvable",
        text: "Ce fichier a peut-être déjà été importé, ou il a été effacé après un jour sans import. Envoyez-le à nouveau depuis l’onglet Prospects de la campagne.",
        back_href: "/campagnes",
        back_label: "Revenir aux campagnes",
    };
    pub const IMPORT: Missing = Missing {
        title: "Import introuvable",
        text: "Cet import n’existe pas, ou il appartient à un autre compte.",
        back_href: "/campagnes",
        back_label: "Revenir aux campagnes",
    };
    pub const PROSPECT: Missing = Missing {
        title: "Prospect introuvable",
        text: "Ce prospect n’existe pas dans cette campagne : il a peut-être été effacé, ou il appartient à un autre compte.",
        back_href: "/campagnes",
        back_label: "Revenir aux campagnes",
    };
    pub const CATALOGUE: Missing = Missing {
        title: "Catalogue introuvable",
        text: "Ce catalogue n’existe pas dans cette campagne : il a peut-être été supprimé, ou il appartient à un autre compte.",
        back_href: "/campagnes",
        back_label: "Revenir aux campagnes",
    };
    pub const PAGE: Missing = Missing {
        title: "Page introuvable",
        text: "La page demandée n’existe pas ou n’est plus disponible.",
        back_href: "/",
        back_label: "Revenir à l’accueil",
    };
    pub const TEMPLATE: Missing = Missing {
        title: "Modèle introuvable",
        text: "Ce modèle a peut-être été supprimé, ou il appartient à un autre compte.",
        back_href: "/compte/modeles",
        back_label: "Revenir aux modèles",
    };
    pub const DISTRIBUTOR: Missing = Missing {
        title: "Distributeur introuvable",
        text: "Ce distributeur a peut-être été supprimé, ou il appartient à un autre compte.",
        back_href: "/distributeurs",
        back_label: "Revenir aux distributeurs",
    };
}

/// The errors of a detail page: most often another rep's (or a deleted) item, or a session
/// that ended under the open page; any other failure says its own message.
#[component]
pub fn NotFoundOr(errors: ArcRwSignal<Errors>, missing: Missing) -> impl IntoView {
    if session_lost(&errors) {
        return view! { <crate::ui::session::SessionExpired /> }.into_any();
    }
    // Not found says so in the page's words; any other failure says its own message.
    let not_found = errors.read().iter().all(|(_, e)| {
        e.downcast_ref::<crate::error::AppError>()
            .is_some_and(|e| e.kind == crate::error::ErrorKind::NotFound)
    });
    let (title, text) = if not_found {
        (missing.title.to_string(), missing.text.to_string())
    } else {
        let messages: Vec<String> = errors.read().iter().map(|(_, e)| e.to_string()).collect();
        ("Une erreur est survenue".to_string(), messages.join(" "))
    };
    view! {
        <Title text=title.clone() />
        <section class="not-found">
            <h1>{title}</h1>
            <p>{text}</p>
            <p><a class="back" href=missing.back_href>{missing.back_label}</a></p>
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
