//! Distributor pages: the list with its creation form, and the edit page (lazy routes).

use leptos::prelude::*;
use leptos_meta::Title;

use super::{
    api::{get_distributor, list_distributors, DeleteDistributor, SaveDistributor},
    Distributor, DistributorForm,
};
use crate::{
    error::AppError,
    page_data::{Decoded, PageData},
    ui::{
        forms::field_error,
        lazy::lazy_page,
        not_found::{ErrorsAlert, NotFoundOr},
        params::resource_of_id,
        server_form::{Fields, ServerForm},
        session::ActionError,
    },
};

fn read_distributor_form(f: &Fields) -> SaveDistributor {
    SaveDistributor {
        id: f.parse("id"),
        version: f.parse("version"),
        form: DistributorForm {
            name: f.text("form[name]"),
            website: f.text("form[website]"),
            notes: f.text("form[notes]"),
        },
    }
}

fn read_delete_form(f: &Fields) -> DeleteDistributor {
    DeleteDistributor {
        id: f.parse("id").unwrap_or_default(),
    }
}

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
pub struct DistributorsPage {
    /// Bumped after a save or a delete, which reloads the list.
    refresh: RwSignal<usize>,
    distributors: Resource<Result<PageData<Vec<Distributor>>, AppError>>,
}

impl DistributorsPage {
    fn load() -> Self {
        let refresh = RwSignal::new(0);
        DistributorsPage {
            refresh,
            distributors: Resource::new(move || refresh.get(), |_| list_distributors()),
        }
    }
}

lazy_page!(DistributorsRoute => DistributorsPage,
    spine_page_distributors,
    spine_preload_distributors,
    |this| {
        let DistributorsPage {
            refresh,
            distributors,
        } = this;
        let save = ServerAction::<SaveDistributor>::new();
        let delete = ServerAction::<DeleteDistributor>::new();
        // The list is read again after a change, not after a refusal (which it would only echo).
        Effect::watch(
            move || (save.version().get(), delete.version().get()),
            move |_, _, _| {
                let done = |value: Option<Result<_, _>>| matches!(value, Some(Ok(_)));
                if done(save.value().get_untracked().map(|r| r.map(|_| ())))
                    || done(delete.value().get_untracked())
                {
                    refresh.update(|n| *n += 1);
                }
            },
            false,
        );
        view! {
        <Title text="Distributeurs" />
        <h1>"Distributeurs"</h1>
        <section class="card">
            <h2>"Nouveau distributeur"</h2>
            <ServerForm action=save read=read_distributor_form class="stack">
                <DistributorFields action=save current=None />
                <ActionError value=save.value() />
                <button type="submit">"Ajouter le distributeur"</button>
            </ServerForm>
        </section>
        <ActionError value=delete.value() />
        <Suspense fallback=|| view! { <p>"Chargement…"</p> }>
            <ErrorBoundary fallback=|errors| view! { <ErrorsAlert errors /> }>
                {move || Suspend::new(async move {
                    distributors.await.decoded().map(|list| {
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
    .into_any()
    }
);

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
            <ServerForm action=action read=read_delete_form>
                <input type="hidden" name="id" value=id.get_value() />
                // The list reloads after the answer, which resets this button.
                <button type="submit" class="danger">
                    {confirm_label.get_value()}
                </button>
            </ServerForm>
            <button type="button" class="secondary" on:click=move |_| confirming.set(false)>"Annuler"</button>
        </Show>
    }
}

/// `/distributeurs/:id`: edit one distributor.
pub struct DistributorEditPage {
    distributor: Resource<Result<PageData<Distributor>, AppError>>,
}

impl DistributorEditPage {
    fn load() -> Self {
        DistributorEditPage {
            distributor: resource_of_id(None, get_distributor),
        }
    }
}

lazy_page!(DistributorEditRoute => DistributorEditPage,
    spine_page_distributor_edit,
    spine_preload_distributor_edit,
    |this| {
        let distributor = this.distributor;
        let save = ServerAction::<SaveDistributor>::new();
        view! {
        <Title text="Modifier le distributeur" />
        <p><a class="back" href="/distributeurs">"← Distributeurs"</a></p>
        <Suspense fallback=|| view! { <p>"Chargement…"</p> }>
            <ErrorBoundary fallback=|errors| view! { <NotFoundOr errors /> }>
                {move || Suspend::new(async move {
                    distributor.await.decoded().map(|d| view! {
                        <h1>{d.name.clone()}</h1>
                        <section class="card">
                            <ServerForm action=save read=read_distributor_form class="stack">
                                <DistributorFields action=save current=Some(d) />
                                <ActionError value=save.value() />
                                <button type="submit">"Enregistrer"</button>
                            </ServerForm>
                        </section>
                    })
                })}
            </ErrorBoundary>
        </Suspense>
    }
    .into_any()
    }
);
