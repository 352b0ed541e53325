//! Sign-in page, account page and the user menu of the header.

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

use super::{
    api::{my_account, signed_in_user},
    CurrentUser,
};
use crate::{
    error::AppError,
    ui::{lazy::lazy_page, query::Query, session::SessionLost},
};

/// What went wrong during sign-in, from the `erreur` code the callback redirects with.
pub fn sign_in_error_message(code: &str) -> &'static str {
    match code {
        "refus" => "La connexion a été annulée ou refusée par Microsoft.",
        "session" => {
            "Cette demande de connexion a expiré ou a déjà servi. Cliquez à nouveau sur « Se connecter avec Microsoft »."
        }
        "etat" => {
            "La réponse de Microsoft ne correspond pas à votre demande de connexion. Recommencez la connexion."
        }
        "echange" => "Microsoft n’a pas validé la connexion. Recommencez dans un instant.",
        "jeton" => {
            "Microsoft a renvoyé une identité que Spine n’a pas pu vérifier : connexion refusée. Réessayez ; si cela se reproduit, prévenez votre administrateur."
        }
        "indisponible" => "Le service de connexion Microsoft est injoignable. Réessayez dans un instant.",
        "expiree" => {
            "Votre session a expiré. Connectez-vous à nouveau : vous reviendrez à la page où vous étiez."
        }
        _ => "La connexion a échoué. Recommencez.",
    }
}

/// `/connexion`: the one button, and why the last attempt failed if it did.
#[component]
pub fn SignInPage() -> impl IntoView {
    let query = use_query_map();
    let error = move || {
        query
            .read()
            .get("erreur")
            .map(|code| sign_in_error_message(&code))
    };
    let signed_out = move || query.read().get("deconnecte").is_some();
    let login_href = move || {
        Query::new()
            .set_opt("next", query.read().get("next"))
            .href("/auth/microsoft/login")
    };

    view! {
        <Title text="Connexion" />
        <section class="sign-in card">
            <h1>"Connexion"</h1>
            <p>"Connectez-vous avec votre compte professionnel Microsoft (Outlook, Office 365)."</p>
            <Show when=signed_out>
                <p class="alert info" role="status">"Déconnexion effectuée."</p>
            </Show>
            {move || error().map(|message| view! { <p class="alert error" role="alert">{message}</p> })}
            // A server route, not a page of the app: the router must not intercept it.
            <a class="button" href=login_href rel="external">"Se connecter avec Microsoft"</a>
        </section>
    }
}

/// `/compte`: who the rep is signed in as.
pub struct AccountPage {
    account: OnceResource<Result<CurrentUser, AppError>>,
}

impl AccountPage {
    fn load() -> Self {
        AccountPage {
            account: OnceResource::new(my_account()),
        }
    }
}

lazy_page!(AccountRoute => AccountPage,
    spine_page_account,
    spine_preload_account,
    |this| {
        let account = this.account;
        view! {
        <Title text="Mon compte" />
        <section class="account card">
            <h1>"Mon compte"</h1>
            <Suspense fallback=|| view! { <p>"Chargement…"</p> }>
                <ErrorBoundary fallback=|_| view! { <p class="alert error">"Compte indisponible."</p> }>
                    {move || Suspend::new(async move {
                        account.await.map(|user| view! {
                            <dl class="facts">
                                <dt>"Nom"</dt><dd class="account-name">{user.name}</dd>
                                <dt>"Adresse e-mail"</dt><dd>{user.email.unwrap_or_else(|| "—".into())}</dd>
                                <dt>"Annuaire Microsoft (tenant)"</dt><dd><code>{user.tid.to_string()}</code></dd>
                                <dt>"Identifiant du compte"</dt><dd><code>{user.oid.to_string()}</code></dd>
                            </dl>
                            // Written by the server, not by the app's router.
                            <p><a href="/compte/envoi" rel="external">"Envoi des mails : boîte Outlook, rythme d’envoi et signature"</a></p>
                            <p><a href="/compte/modeles" rel="external">"Modèles de mail"</a></p>
                        })
                    })}
                </ErrorBoundary>
            </Suspense>
        </section>
    }
    .into_any()
    }
);

/// The header's right side: the rep's name and "Se déconnecter", or "Se connecter".
#[component]
pub fn UserMenu() -> impl IntoView {
    let user = OnceResource::new(signed_in_user());
    let lost = use_context::<SessionLost>();
    view! {
        <Suspense fallback=|| ()>
            {move || {
                // A request found the session gone: the rep is no longer signed in here.
                let lost = lost.is_some_and(|SessionLost(lost)| lost.get());
                Suspend::new(async move {
                match user.await {
                    Ok(Some(user)) if !lost => view! {
                        <div class="user-menu">
                            <a class="user-name" href="/compte">{user.name}</a>
                            // A plain form: signing out works before the WASM has loaded.
                            <form method="post" action="/auth/logout">
                                <button type="submit" class="secondary">"Se déconnecter"</button>
                            </form>
                        </div>
                    }.into_any(),
                    _ => view! {
                        <div class="user-menu">
                            <a class="button" href="/connexion">"Se connecter"</a>
                        </div>
                    }.into_any(),
                }
            })}}
        </Suspense>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_known_error_code_has_its_own_french_message() {
        let codes = [
            "expiree",
            "refus",
            "session",
            "etat",
            "echange",
            "jeton",
            "indisponible",
        ];
        let messages: std::collections::HashSet<_> =
            codes.iter().map(|c| sign_in_error_message(c)).collect();
        assert_eq!(messages.len(), codes.len());
    }
}
