//! Distributor pages: the list, the creation page and the edit page (lazy routes).

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

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
        not_found::{ErrorsAlert, Missing, NotFoundOr},
        notice::NoticeBar,
        params::resource_of_id,
        plain_post::typed,
        server_form::{focus_later, form_action, Fields, FormAction, ServerForm},
        session::ActionError,
    },
};

fn read_distributor_form(f: &Fields) -> SaveDistributor {
    SaveDistributor {
        id: f.parse("id"),
        version: f.parse("version"),
        key: f.parse("key"),
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
    action: FormAction<SaveDistributor>,
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
    let (name, website, notes) = (
        typed("form[name]", name),
        typed("form[website]", website),
        typed("form[notes]", notes),
    );
    let name_error = field_error(value, "name");
    view! {
        {current.map(|d| view! {
            <input type="hidden" name="id" value=d.id.to_string() />
            <input type="hidden" name="version" value=typed("version", d.version.to_string()) />
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
            <textarea name="form[notes]" maxlength="2000" rows="3" inner_html=crate::ui::textarea_text(&notes)></textarea>
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
        let delete = form_action::<DeleteDistributor>();
        // The list is read again after a delete, not after a refusal (which it would only echo).
        Effect::watch(
            move || delete.version().get(),
            move |_, _, _| {
                if delete.value().with_untracked(|v| matches!(v, Some(Ok(_)))) {
                    refresh.update(|n| *n += 1);
                }
            },
            false,
        );
        view! {
        <Title text="Distributeurs" />
        <NoticeBar />
        <div class="page-head">
            <h1>"Distributeurs"</h1>
            <a class="button" href="/distributeurs/nouveau">"Nouveau distributeur"</a>
        </div>
        <ActionError value=delete.value() />
        <Suspense fallback=|| view! { <p>"Chargement…"</p> }>
            <ErrorBoundary fallback=|errors| view! { <ErrorsAlert errors /> }>
                {move || Suspend::new(async move {
                    distributors.await.decoded().map(|list| {
                        if list.is_empty() {
                            return view! {
                                <div class="empty-state">
                                    <p>"Aucun distributeur pour l’instant. Ajoutez ceux pour qui vous travaillez les salons, puis créez vos campagnes."</p>
                                    <a class="button" href="/distributeurs/nouveau">"Ajouter votre premier distributeur"</a>
                                </div>
                            }.into_any();
                        }
                        view! {
                            <table class="list">
                                <thead><tr><th>"Nom"</th><th>"Campagnes"</th><th>"Actions"</th></tr></thead>
                                <tbody>
                                    {list.into_iter().map(|d| view! {
                                        <tr>
                                            <td><a href=format!("/distributeurs/{}", d.id)>{d.name.clone()}</a></td>
                                            <td>{match d.campaign_count { 0 => "Aucune campagne".to_string(), 1 => "1 campagne".to_string(), n => format!("{n} campagnes") }}</td>
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
/// delete a distributor. Before the WASM arrives, "Supprimer" is a link to this page with the
/// confirmation open (`?supprimer=<id>`); after, it opens in place. Focus moves to the
/// confirmation; "Annuler" or Escape closes it and gives focus back to "Supprimer".
#[component]
fn DeleteButton(action: FormAction<DeleteDistributor>, distributor: Distributor) -> impl IntoView {
    let query = use_query_map();
    let id = distributor.id.to_string();
    let confirming =
        RwSignal::new(query.with_untracked(|q| q.get("supprimer").as_deref() == Some(id.as_str())));
    // Copy handles: both branches are rendered again each time they are shown.
    let id = StoredValue::new(id);
    let name = StoredValue::new(distributor.name);
    let button_id = move || format!("supprimer-{}", id.get_value());
    let cancel = move || {
        confirming.set(false);
        focus_later(button_id());
    };
    view! {
        <Show
            when=move || confirming.get()
            fallback=move || view! {
                <a class="button secondary danger" id=button_id()
                    href=format!("/distributeurs?supprimer={}", id.get_value())
                    aria-label=format!("Supprimer {}", name.get_value())
                    on:click=move |ev| {
                        ev.prevent_default();
                        confirming.set(true);
                    }>"Supprimer"</a>
            }
        >
            {
                let confirm = NodeRef::<leptos::html::Button>::new();
                Effect::new(move |_| {
                    if let Some(confirm) = confirm.get() {
                        let _ = confirm.focus();
                    }
                });
                view! {
                    <div class="confirm" role="group"
                        aria-label=format!("Supprimer {} ?", name.get_value())
                        on:keydown=move |ev| {
                            if ev.key() == "Escape" {
                                ev.prevent_default();
                                cancel();
                            }
                        }>
                        <ServerForm action=action read=read_delete_form>
                            <input type="hidden" name="id" value=id.get_value() />
                            // The list reloads after the answer, which resets this button.
                            <button node_ref=confirm type="submit" class="danger" autofocus>
                                {format!("Confirmer la suppression de {}", name.get_value())}
                            </button>
                        </ServerForm>
                        <a class="button secondary" href="/distributeurs"
                            on:click=move |ev| {
                                ev.prevent_default();
                                cancel();
                            }>"Annuler"</a>
                    </div>
                }
            }
        </Show>
    }
}

/// `/distributeurs/nouveau` (add a distributor, then back to the list, which says so) and
/// `/distributeurs/:id` (edit one): one page, and one chunk of WASM, as they are the same form.
pub struct DistributorFormPage {
    /// The distributor edited; `None` for a new one.
    distributor: Option<Resource<Result<PageData<Distributor>, AppError>>>,
}

impl DistributorFormPage {
    fn load() -> Self {
        let editing =
            leptos_router::hooks::use_params_map().with_untracked(|p| p.get("id").is_some());
        DistributorFormPage {
            distributor: editing.then(|| resource_of_id(None, get_distributor)),
        }
    }
}

lazy_page!(DistributorFormRoute => DistributorFormPage,
    spine_page_distributor_form,
    spine_preload_distributor_form,
    |this| {
        let save = form_action::<SaveDistributor>();
        match this.distributor {
        None => view! {
            <Title text="Nouveau distributeur" />
            <p><a class="back" href="/distributeurs">"← Distributeurs"</a></p>
            <h1>"Nouveau distributeur"</h1>
            <section class="card">
                <ServerForm action=save read=read_distributor_form class="stack" create=true>
                    <DistributorFields action=save current=None />
                    <ActionError value=save.value() />
                    <button type="submit">"Ajouter le distributeur"</button>
                </ServerForm>
            </section>
        }
        .into_any(),
        Some(distributor) => view! {
        <Title text="Modifier le distributeur" />
        <p><a class="back" href="/distributeurs">"← Distributeurs"</a></p>
        <Suspense fallback=|| view! { <p>"Chargement…"</p> }>
            <ErrorBoundary fallback=|errors| view! { <NotFoundOr errors missing=Missing::DISTRIBUTOR /> }>
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
        .into_any(),
        }
    }
);
