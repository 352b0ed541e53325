//! Distributor pages: the list with its creation form, and the edit page.

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_params_map;
use uuid::Uuid;

use super::{
    api::{get_distributor, list_distributors, DeleteDistributor, SaveDistributor},
    Distributor,
};
use crate::ui::forms::{field_error, form_error};

/// The name/website/notes fields, filled with `current` when editing.
#[component]
fn DistributorFields(
    action: ServerAction<SaveDistributor>,
    current: Option<Distributor>,
) -> impl IntoView {
    let value = action.value();
    let (name, website, notes) = match &current {
        Some(d) => (
            d.name.clone(),
            d.website.clone().unwrap_or_default(),
            d.notes.clone().unwrap_or_default(),
        ),
        None => Default::default(),
    };
    let name_error = field_error(value, "name");
    view! {
        {current.map(|d| view! {
            <input type="hidden" name="id" value=d.id.to_string() />
            <input type="hidden" name="version" value=d.version.to_string() />
        })}
        <label class="field">
            <span>"Nom du distributeur"</span>
            <input name="form[name]" value=name required maxlength="120" autocomplete="organization"
                aria-invalid=move || name_error().is_some().to_string() />
            {move || name_error().map(|e| view! { <span class="field-error" role="alert">{e}</span> })}
        </label>
        <label class="field">
            <span>"Site web (facultatif)"</span>
            <input name="form[website]" value=website maxlength="300" inputmode="url" />
        </label>
        <label class="field">
            <span>"Notes (facultatif)"</span>
            <textarea name="form[notes]" maxlength="2000" rows="3">{notes}</textarea>
        </label>
    }
}

/// `/distributeurs`: every distributor of the rep and a form to add one.
#[component]
pub fn DistributorsPage() -> impl IntoView {
    let save = ServerAction::<SaveDistributor>::new();
    let delete = ServerAction::<DeleteDistributor>::new();
    let distributors = Resource::new(
        move || (save.version().get(), delete.version().get()),
        |_| list_distributors(),
    );
    let delete_error = form_error(delete.value());
    let save_error = move || match save.value().get() {
        Some(Err(e)) if e.fields.is_empty() => Some(e.to_string()),
        _ => None,
    };

    view! {
        <Title text="Distributeurs" />
        <h1>"Distributeurs"</h1>
        <section class="card">
            <h2>"Nouveau distributeur"</h2>
            <ActionForm action=save attr:class="stack">
                <DistributorFields action=save current=None />
                {move || save_error().map(|e| view! { <p class="alert error" role="alert">{e}</p> })}
                <button type="submit">"Ajouter le distributeur"</button>
            </ActionForm>
        </section>
        {move || delete_error().map(|e| view! { <p class="alert error" role="alert">{e}</p> })}
        <Suspense fallback=|| view! { <p>"Chargement…"</p> }>
            <ErrorBoundary fallback=|_| view! { <p class="alert error">"Liste indisponible."</p> }>
                {move || Suspend::new(async move {
                    distributors.await.map(|list| {
                        if list.is_empty() {
                            return view! { <p class="empty">"Aucun distributeur pour l’instant."</p> }.into_any();
                        }
                        view! {
                            <table class="list">
                                <thead><tr><th>"Nom"</th><th>"Campagnes"</th><th>"Actions"</th></tr></thead>
                                <tbody>
                                    {list.into_iter().map(|d| view! {
                                        <tr>
                                            <td><a href=format!("/distributeurs/{}", d.id)>{d.name.clone()}</a></td>
                                            <td>{d.campaign_count}</td>
                                            <td class="row-actions">
                                                <DeleteButton action=delete distributor=d.clone() />
                                            </td>
                                        </tr>
                                    }).collect_view()}
                                </tbody>
                            </table>
                        }.into_any()
                    })
                })}
            </ErrorBoundary>
        </Suspense>
    }
}

/// "Supprimer", then "Confirmer la suppression" or "Annuler": one tap on a tablet must not
/// delete a distributor.
#[component]
fn DeleteButton(
    action: ServerAction<DeleteDistributor>,
    distributor: Distributor,
) -> impl IntoView {
    let confirming = RwSignal::new(false);
    let name = distributor.name.clone();
    // Copy handles: the confirmation is rendered again each time it is shown.
    let id = StoredValue::new(distributor.id.to_string());
    let confirm_label =
        StoredValue::new(format!("Confirmer la suppression de {}", distributor.name));
    view! {
        <Show
            when=move || confirming.get()
            fallback=move || view! {
                <button type="button" class="secondary danger" aria-label=format!("Supprimer {name}")
                    on:click=move |_| confirming.set(true)>"Supprimer"</button>
            }
        >
            <ActionForm action=action>
                <input type="hidden" name="id" value=id.get_value() />
                // The list reloads after the answer, which resets this button.
                <button type="submit" class="danger">
                    {confirm_label.get_value()}
                </button>
            </ActionForm>
            <button type="button" class="secondary" on:click=move |_| confirming.set(false)>"Annuler"</button>
        </Show>
    }
}

/// `/distributeurs/:id`: edit one distributor.
#[component]
pub fn DistributorEditPage() -> impl IntoView {
    let params = use_params_map();
    let id = move || {
        params
            .read()
            .get("id")
            .and_then(|s| Uuid::parse_str(&s).ok())
    };
    let save = ServerAction::<SaveDistributor>::new();
    let distributor = Resource::new(id, |id| async move {
        match id {
            Some(id) => get_distributor(id).await,
            None => Err(crate::error::AppError::not_found()),
        }
    });
    let save_error = move || match save.value().get() {
        Some(Err(e)) if e.fields.is_empty() => Some(e.to_string()),
        _ => None,
    };
    view! {
        <Title text="Modifier le distributeur" />
        <p><a class="back" href="/distributeurs">"← Distributeurs"</a></p>
        <Suspense fallback=|| view! { <p>"Chargement…"</p> }>
            <ErrorBoundary fallback=|errors| view! { <NotFoundOr errors /> }>
                {move || Suspend::new(async move {
                    distributor.await.map(|d| view! {
                        <h1>{d.name.clone()}</h1>
                        <section class="card">
                            <ActionForm action=save attr:class="stack">
                                <DistributorFields action=save current=Some(d) />
                                {move || save_error().map(|e| view! { <p class="alert error" role="alert">{e}</p> })}
                                <button type="submit">"Enregistrer"</button>
                            </ActionForm>
                        </section>
                    })
                })}
            </ErrorBoundary>
        </Suspense>
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
