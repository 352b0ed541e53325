use leptos::prelude::*;
use leptos_meta::Title;

/// The home page: what Spine does, in the rep's words.
#[component]
pub fn HomePage() -> impl IntoView {
    view! {
        <Title text="Accueil" />
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
        </section>
    }
}
