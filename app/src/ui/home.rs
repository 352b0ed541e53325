//! `/`: for a signed-in rep, what the day holds (the shows running and the next ones, one tap
//! away); for a visitor, what Spine does.
//!
//! The home page is in the main WASM (it is the first screen): its day is written as HTML by
//! the server (names escaped there) and shown as is, so the main WASM carries no campaign
//! decoding. Its links are plain links the router follows.

use leptos::prelude::*;
use leptos_meta::Title;

use crate::campaigns::api::today_html;

#[component]
pub fn HomePage() -> impl IntoView {
    let today = Resource::new(|| (), |_| today_html());
    view! {
        <Title text="Accueil" />
        <Suspense fallback=|| view! { <p>"Chargement…"</p> }>
            {move || Suspend::new(async move {
                match today.await {
                    Ok(Some(html)) => view! { <section class="home" inner_html=html></section> }.into_any(),
                    // A visitor, or a day that cannot be read now: what Spine does.
                    _ => view! { <Welcome /> }.into_any(),
                }
            })}
        </Suspense>
    }
}

/// What Spine does, for a visitor.
#[component]
fn Welcome() -> impl IntoView {
    view! {
        <section class="home">
            <h1>"Bienvenue sur Spine"</h1>
            <p class="lead">
                "Préparez vos salons, importez vos prospects, envoyez-leur les produits qui les "
                "intéressent depuis votre propre boîte Outlook, et suivez leurs réponses."
            </p>
            <ol class="steps">
                <li>"Créez une campagne : un salon, un distributeur, un lieu et des dates."</li>
                <li>"Importez vos prospects depuis Excel, Outlook ou LinkedIn."</li>
                <li>"Déposez le catalogue du salon : Spine en extrait les produits."</li>
                <li>"Composez vos mails dans le mixeur et envoyez-les."</li>
                <li>"Classez les réponses sur le tableau du pipeline."</li>
            </ol>
            <p><a class="button" href="/connexion">"Se connecter"</a></p>
        </section>
    }
}
