//! Campaign pages: the filtered list, the form, and the campaign hub with its history.

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::{
    components::Form,
    hooks::{use_params_map, use_query_map},
};
use uuid::Uuid;

use super::{
    api::{campaign_history, get_campaign, list_campaigns, SaveCampaign, SetCampaignArchived},
    Campaign, CampaignFilter, CampaignForm, CampaignStatus, StatusFilter,
};
use crate::{
    distributors::{api::list_distributors, ui::NotFoundOr},
    error::AppError,
    ui::forms::{encode_query_value, field_error, format_date_range},
};

fn status_badge(status: CampaignStatus) -> impl IntoView {
    let class = match status {
        CampaignStatus::Upcoming => "badge upcoming",
        CampaignStatus::Running => "badge running",
        CampaignStatus::Past => "badge past",
        CampaignStatus::Archived => "badge archived",
    };
    view! { <span class=class>{status.label()}</span> }
}

fn place(c: &Campaign) -> String {
    match (&c.venue, &c.city) {
        (Some(v), Some(city)) => format!("{v}, {city}"),
        (Some(v), None) => v.clone(),
        (None, Some(city)) => city.clone(),
        (None, None) => String::new(),
    }
}

/// `/campagnes`: search, status tabs, distributor filter, and pages of 25.
#[component]
pub fn CampaignsPage() -> impl IntoView {
    let query = use_query_map();
    let filter = move || {
        let q = query.read();
        CampaignFilter {
            q: q.get("q").filter(|s| !s.trim().is_empty()),
            status: StatusFilter::from_slug(&q.get("statut").unwrap_or_default()),
            distributor: q.get("distributeur").and_then(|s| Uuid::parse_str(&s).ok()),
            after: q.get("apres"),
        }
    };
    let campaigns = Resource::new(filter, list_campaigns);
    let distributors = Resource::new(|| (), |_| list_distributors());

    // Links keep the other filters and start again from the first page.
    let link = move |status: StatusFilter| {
        let f = filter();
        let mut params = vec![format!("statut={}", status.slug())];
        if let Some(q) = f.q {
            params.push(format!("q={}", encode_query_value(&q)));
        }
        if let Some(d) = f.distributor {
            params.push(format!("distributeur={d}"));
        }
        format!("/campagnes?{}", params.join("&"))
    };
    let next_link = move |after: String| {
        let f = filter();
        let mut params = vec![
            format!("statut={}", f.status.slug()),
            format!("apres={after}"),
        ];
        if let Some(q) = f.q {
            params.push(format!("q={}", encode_query_value(&q)));
        }
        if let Some(d) = f.distributor {
            params.push(format!("distributeur={d}"));
        }
        format!("/campagnes?{}", params.join("&"))
    };

    view! {
        <Title text="Campagnes" />
        <div class="page-head">
            <h1>"Campagnes"</h1>
            <a class="button" href="/campagnes/nouvelle">"Nouvelle campagne"</a>
        </div>
        <nav class="tabs" aria-label="Statut des campagnes">
            {StatusFilter::ALL.into_iter().map(|s| view! {
                <a href=move || link(s) aria-current=move || (filter().status == s).then_some("page")>{s.label()}</a>
            }).collect_view()}
        </nav>
        <Form method="GET" action="/campagnes" attr:class="filters">
            <input type="hidden" name="statut" value=move || filter().status.slug() />
            <label class="field">
                <span>"Rechercher un salon"</span>
                <input type="search" name="q" value=move || filter().q.unwrap_or_default() placeholder="ex. Sirha, Equip’Hôtel…" />
            </label>
            <label class="field">
                <span>"Distributeur"</span>
                <select name="distributeur">
                    <option value="">"Tous"</option>
                    <Suspense fallback=|| ()>
                        {move || Suspend::new(async move {
                            let selected = filter().distributor;
                            distributors.await.unwrap_or_default().into_iter().map(|d| view! {
                                <option value=d.id.to_string() selected=selected == Some(d.id)>{d.name}</option>
                            }).collect_view()
                        })}
                    </Suspense>
                </select>
            </label>
            <button type="submit" class="secondary">"Filtrer"</button>
        </Form>
        <Suspense fallback=|| view! { <p>"Chargement…"</p> }>
            <ErrorBoundary fallback=|errors| view! { <NotFoundOr errors /> }>
                {move || Suspend::new(async move {
                    campaigns.await.map(|page| {
                        if page.items.is_empty() {
                            return view! { <p class="empty">"Aucune campagne ne correspond."</p> }.into_any();
                        }
                        view! {
                            <ul class="campaigns">
                                {page.items.into_iter().map(|c| {
                                    let where_ = place(&c);
                                    view! {
                                        <li class="campaign-row">
                                            <a class="campaign-name" href=format!("/campagnes/{}", c.id)>{c.name.clone()}</a>
                                            {status_badge(c.status)}
                                            <span class="meta">{c.distributor_name.clone()}</span>
                                            <span class="meta">{where_}</span>
                                            <span class="meta">{format_date_range(c.starts_on, c.ends_on)}</span>
                                        </li>
                                    }
                                }).collect_view()}
                            </ul>
                            {page.next.map(|after| view! {
                                <p><a class="button secondary" href=next_link(after)>"Campagnes suivantes →"</a></p>
                            })}
                        }.into_any()
                    })
                })}
            </ErrorBoundary>
        </Suspense>
    }
}

/// The campaign form; `current` fills it and names the campaign and version when editing.
#[component]
fn CampaignFormView(current: Option<Campaign>) -> impl IntoView {
    let save = ServerAction::<SaveCampaign>::new();
    let value = save.value();
    let distributors = Resource::new(|| (), |_| list_distributors());
    let initial = current.as_ref().map(CampaignForm::from).unwrap_or_default();
    let selected = current.as_ref().map(|c| c.distributor_id);
    let error = move |field: &'static str| field_error(value, field);
    let general = move || match value.get() {
        Some(Err(e)) if e.fields.is_empty() => Some(e.to_string()),
        Some(Err(_)) => Some("Certains champs sont à corriger.".to_string()),
        _ => None,
    };
    let field = move |name: &'static str,
                      label: &'static str,
                      value: String,
                      extra: &'static str| {
        let message = error(name);
        let input_name = format!("form[{name}]");
        view! {
            <label class="field">
                <span>{label}</span>
                <input name=input_name value=value placeholder=extra
                    aria-invalid=move || message().is_some().to_string() />
                {move || message().map(|e| view! { <span class="field-error" role="alert">{e}</span> })}
            </label>
        }
    };
    let distributor_error = error("distributor_id");
    view! {
        <ActionForm action=save attr:class="stack campaign-form">
            {current.as_ref().map(|c| view! {
                <input type="hidden" name="id" value=c.id.to_string() />
                <input type="hidden" name="version" value=c.version.to_string() />
            })}
            {field("name", "Nom du salon", initial.name.clone(), "ex. Sirha Lyon 2027")}
            <label class="field">
                <span>"Distributeur"</span>
                <select name="form[distributor_id]" aria-invalid=move || distributor_error().is_some().to_string()>
                    <option value="">"Choisir…"</option>
                    <Suspense fallback=|| ()>
                        {move || Suspend::new(async move {
                            distributors.await.unwrap_or_default().into_iter().map(|d| view! {
                                <option value=d.id.to_string() selected=selected == Some(d.id)>{d.name}</option>
                            }).collect_view()
                        })}
                    </Suspense>
                </select>
                {move || distributor_error().map(|e| view! { <span class="field-error" role="alert">{e}</span> })}
            </label>
            <a href="/distributeurs" class="hint">"Gérer les distributeurs"</a>
            {field("venue", "Lieu (facultatif)", initial.venue.clone(), "ex. Eurexpo")}
            {field("city", "Ville (facultatif)", initial.city.clone(), "ex. Lyon")}
            <div class="dates">
                {field("starts_on", "Début (jj/mm/aaaa)", initial.starts_on.clone(), "jj/mm/aaaa")}
                {field("ends_on", "Fin (jj/mm/aaaa)", initial.ends_on.clone(), "jj/mm/aaaa")}
            </div>
            {move || general().map(|e| view! { <p class="alert error" role="alert">{e}</p> })}
            <button type="submit">{if current.is_some() { "Enregistrer" } else { "Créer la campagne" }}</button>
        </ActionForm>
    }
}

/// `/campagnes/nouvelle`.
#[component]
pub fn CampaignNewPage() -> impl IntoView {
    view! {
        <Title text="Nouvelle campagne" />
        <p><a class="back" href="/campagnes">"← Campagnes"</a></p>
        <h1>"Nouvelle campagne"</h1>
        <section class="card"><CampaignFormView current=None /></section>
    }
}

fn campaign_id() -> impl Fn() -> Option<Uuid> + Copy + Send + Sync + 'static {
    let params = use_params_map();
    move || {
        params
            .read()
            .get("id")
            .and_then(|s| Uuid::parse_str(&s).ok())
    }
}

async fn load(id: Option<Uuid>) -> Result<Campaign, AppError> {
    match id {
        Some(id) => get_campaign(id).await,
        None => Err(AppError::not_found()),
    }
}

/// `/campagnes/:id/modifier`.
#[component]
pub fn CampaignEditPage() -> impl IntoView {
    let id = campaign_id();
    let campaign = Resource::new(id, load);
    view! {
        <Title text="Modifier la campagne" />
        <Suspense fallback=|| view! { <p>"Chargement…"</p> }>
            <ErrorBoundary fallback=|errors| view! { <NotFoundOr errors /> }>
                {move || Suspend::new(async move {
                    campaign.await.map(|c| view! {
                        <p><a class="back" href=format!("/campagnes/{}", c.id)>"← "{c.name.clone()}</a></p>
                        <h1>"Modifier la campagne"</h1>
                        <section class="card"><CampaignFormView current=Some(c) /></section>
                    })
                })}
            </ErrorBoundary>
        </Suspense>
    }
}

/// `/campagnes/:id`: the hub. Tabs appear as the features behind them exist.
#[component]
pub fn CampaignHubPage() -> impl IntoView {
    let id = campaign_id();
    let archive = ServerAction::<SetCampaignArchived>::new();
    let campaign = Resource::new(move || (id(), archive.version().get()), |(id, _)| load(id));
    let history = Resource::new(
        move || (id(), archive.version().get()),
        |(id, _)| async move {
            match id {
                Some(id) => campaign_history(id).await,
                None => Err(AppError::not_found()),
            }
        },
    );
    view! {
        <Title text="Campagne" />
        <p><a class="back" href="/campagnes">"← Campagnes"</a></p>
        <Suspense fallback=|| view! { <p>"Chargement…"</p> }>
            <ErrorBoundary fallback=|errors| view! { <NotFoundOr errors /> }>
                {move || Suspend::new(async move {
                    campaign.await.map(|c| {
                        let archived = c.status == CampaignStatus::Archived;
                        view! {
                            <Title text=c.name.clone() />
                            <div class="page-head">
                                <h1>{c.name.clone()}</h1>
                                {status_badge(c.status)}
                            </div>
                            <nav class="tabs" aria-label="Sections de la campagne">
                                <a href=format!("/campagnes/{}", c.id) aria-current="page">"Vue d’ensemble"</a>
                            </nav>
                            <section class="card">
                                <dl class="facts">
                                    <dt>"Distributeur"</dt><dd>{c.distributor_name.clone()}</dd>
                                    <dt>"Lieu"</dt><dd>{c.venue.clone().unwrap_or_else(|| "—".into())}</dd>
                                    <dt>"Ville"</dt><dd>{c.city.clone().unwrap_or_else(|| "—".into())}</dd>
                                    <dt>"Dates"</dt><dd>{format_date_range(c.starts_on, c.ends_on)}</dd>
                                </dl>
                                <div class="actions">
                                    <a class="button secondary" href=format!("/campagnes/{}/modifier", c.id)>"Modifier"</a>
                                    <ActionForm action=archive>
                                        <input type="hidden" name="id" value=c.id.to_string() />
                                        <input type="hidden" name="archived" value=(!archived).to_string() />
                                        <button type="submit" class="secondary">
                                            {if archived { "Restaurer" } else { "Archiver" }}
                                        </button>
                                    </ActionForm>
                                </div>
                            </section>
                        <section class="card history">
                            <h2>"Historique"</h2>
                            <Suspense fallback=|| view! { <p>"Chargement…"</p> }>
                                {move || Suspend::new(async move {
                                    history.await.ok().map(|entries| view! {
                                        <ol class="history-list">
                                            {entries.into_iter().map(|e| {
                                                let changes = e.changes();
                                                view! {
                                                    <li>
                                                        <strong>{e.action_label()}</strong>
                                                        " par " {e.actor_name.clone()} " "
                                                        <time datetime=e.at.to_rfc3339()>{e.when()}</time>
                                                        <ul class="changes">
                                                            {changes.into_iter().map(|(field, before, after)| view! {
                                                                <li>{field}" : "{before}" → "{after}</li>
                                                            }).collect_view()}
                                                        </ul>
                                                    </li>
                                                }
                                            }).collect_view()}
                                        </ol>
                                    })
                                })}
                            </Suspense>
                        </section>
                        }
                    })
                })}
            </ErrorBoundary>
        </Suspense>
    }
}
