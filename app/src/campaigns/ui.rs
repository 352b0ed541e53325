//! Campaign pages: the filtered list, the form, and the campaign hub with its history. Each is
//! a lazy route (see `ui::lazy`): its data and its view come with its own WASM chunk.

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;
use uuid::Uuid;

use super::{
    api::{campaign_history, get_campaign, list_campaigns, SaveCampaign, SetCampaignArchived},
    Campaign, CampaignFilter, CampaignForm, CampaignPage, CampaignStatus, StatusFilter, CITY_MAX,
    NAME_MAX, VENUE_MAX,
};
use crate::{
    audit::HistoryEntry,
    distributors::api::distributor_options,
    error::AppError,
    page_data::{Decoded, PageData},
    ui::{
        forms::{field_error, format_date_range},
        lazy::lazy_page,
        not_found::{ErrorsAlert, Missing, NotFoundOr},
        notice::NoticeBar,
        params::resource_of_id,
        plain_post::typed,
        query::Query,
        server_form::{form_action, Fields, ServerForm},
        session::ActionError,
    },
};

/// A resource of page data, decoded in the page's view (see [`PageData`]).
type Loaded<T> = Resource<Result<PageData<T>, AppError>>;

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

/// The `<option>`s of a distributor dropdown, written by the server.
type Options = Resource<Result<String, AppError>>;

/// A distributor dropdown named `name`, with the `options` the server wrote. Options read
/// again replace those of the same `<select>` (a `Transition`, not a `Suspense`): it keeps the
/// focus a refused save gave it.
fn distributor_select(
    name: &'static str,
    options: Options,
    invalid: impl Fn() -> bool + Copy + Send + Sync + 'static,
) -> impl IntoView {
    view! {
        <Transition fallback=move || view! { <select name=name><option value="">"…"</option></select> }>
            {move || Suspend::new(async move {
                let html = options.await.unwrap_or_default();
                view! { <select name=name inner_html=html aria-invalid=move || invalid().to_string()></select> }
            })}
        </Transition>
    }
}

/// `/campagnes`: search, status tabs, distributor filter, and pages of 25.
pub struct CampaignsPage {
    filter: Memo<CampaignFilter>,
    campaigns: Loaded<CampaignPage>,
    distributors: Options,
}

impl CampaignsPage {
    fn load() -> Self {
        let query = use_query_map();
        let filter = Memo::new(move |_| {
            let q = query.read();
            CampaignFilter {
                q: q.get("q").filter(|s| !s.trim().is_empty()),
                status: StatusFilter::from_slug(&q.get("statut").unwrap_or_default()),
                distributor: q.get("distributeur").and_then(|s| Uuid::parse_str(&s).ok()),
                after: q.get("apres"),
                before: q.get("avant"),
            }
        });
        CampaignsPage {
            filter,
            campaigns: Resource::new(move || filter.get(), list_campaigns),
            distributors: Resource::new(
                move || filter.read().distributor,
                |selected| distributor_options(true, selected, None),
            ),
        }
    }
}

/// Which page of the list a link opens.
enum At {
    First,
    After(String),
    Before(String),
}

/// A link to the list with `filter`'s search and distributor, in `status`, at page `at`.
fn list_href(filter: &CampaignFilter, status: StatusFilter, at: At) -> String {
    let (after, before) = match at {
        At::First => (None, None),
        At::After(cursor) => (Some(cursor), None),
        At::Before(cursor) => (None, Some(cursor)),
    };
    Query::new()
        .set("statut", status.slug())
        .set_opt("q", filter.q.as_ref())
        .set_opt("distributeur", filter.distributor)
        .set_opt("apres", after)
        .set_opt("avant", before)
        .href("/campagnes")
}

/// The filters form: a plain GET form before the WASM; after, the same link built without
/// blank fields, followed in the app.
fn filter_href(ev: &leptos::ev::SubmitEvent) -> Option<String> {
    #[cfg(not(feature = "hydrate"))]
    {
        let _ = ev;
        None
    }
    #[cfg(feature = "hydrate")]
    {
        use wasm_bindgen::JsCast;
        let form = ev
            .target()
            .and_then(|t| t.dyn_into::<web_sys::HtmlFormElement>().ok())?;
        let data = web_sys::FormData::new_with_form(&form).ok()?;
        let field = |name: &str| data.get(name).as_string().unwrap_or_default();
        Some(
            Query::new()
                .set("statut", field("statut"))
                .set("q", field("q").trim())
                .set("distributeur", field("distributeur"))
                .href("/campagnes"),
        )
    }
}

lazy_page!(CampaignsRoute => CampaignsPage,
    spine_page_campaigns,
    spine_preload_campaigns,
    |this| {
        let CampaignsPage {
            filter,
            campaigns,
            distributors,
        } = this;
        let navigate = leptos_router::hooks::use_navigate();
        view! {
        <Title text="Campagnes" />
        <div class="page-head">
            <h1>"Campagnes"</h1>
            <a class="button" href="/campagnes/nouvelle">"Nouvelle campagne"</a>
        </div>
        <nav class="tabs" aria-label="Statut des campagnes">
            {StatusFilter::ALL.into_iter().map(|s| view! {
                <a href=move || list_href(&filter.read(), s, At::First)
                    aria-current=move || (filter.read().status == s).then_some("page")>{s.label()}</a>
            }).collect_view()}
        </nav>
        <form method="get" action="/campagnes" class="filters" role="search" on:submit=move |ev| {
            ev.prevent_default();
            if let Some(href) = filter_href(&ev) {
                navigate(&href, Default::default());
            }
        }>
            <input type="hidden" name="statut" value=move || filter.read().status.slug() />
            <label class="field">
                <span>"Rechercher un salon"</span>
                <input type="search" name="q" value=move || filter.read().q.clone().unwrap_or_default() placeholder="ex. Sirha, Equip’Hôtel…" maxlength="100" />
            </label>
            <label class="field">
                <span>"Distributeur"</span>
                {distributor_select("distributeur", distributors, || false)}
            </label>
            <button type="submit" class="secondary">"Filtrer"</button>
        </form>
        <Suspense fallback=|| view! { <p>"Chargement…"</p> }>
            <ErrorBoundary fallback=|errors| view! { <ErrorsAlert errors /> }>
                {move || Suspend::new(async move {
                    campaigns.await.decoded().map(|page| {
                        if page.owned == 0 {
                            return view! {
                                <div class="empty-state">
                                    <p>"Vous n’avez pas encore de campagne. Une campagne, c’est un salon, "
                                       "un distributeur, un lieu et des dates : tout le reste s’y range."</p>
                                    <a class="button" href="/campagnes/nouvelle">"Créer votre première campagne"</a>
                                </div>
                            }.into_any();
                        }
                        if page.items.is_empty() {
                            let f = filter.read_untracked();
                            let everything = list_href(&CampaignFilter::default(), StatusFilter::Active, At::First);
                            let filtered = f.q.is_some() || f.distributor.is_some();
                            return view! {
                                <div class="empty-state">
                                    <p>{if filtered {
                                        "Aucune campagne ne correspond à cette recherche."
                                    } else {
                                        "Aucune campagne dans cet onglet."
                                    }}</p>
                                    <a class="button secondary" href=everything>"Voir toutes les campagnes"</a>
                                </div>
                            }.into_any();
                        }
                        let (next, previous) = {
                            let f = filter.read_untracked();
                            (
                                page.next.map(|c| list_href(&f, f.status, At::After(c))),
                                page.previous.map(|c| list_href(&f, f.status, At::Before(c))),
                            )
                        };
                        let total = match page.total {
                            1 => "1 campagne".to_string(),
                            n => format!("{n} campagnes"),
                        };
                        view! {
                            <p class="meta total">{total}</p>
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
                            <nav class="pager" aria-label="Pages de la liste">
                                {previous.map(|href| view! {
                                    <a class="button secondary" href=href rel="prev">"← Campagnes précédentes"</a>
                                })}
                                {next.map(|href| view! {
                                    <a class="button secondary" href=href rel="next">"Campagnes suivantes →"</a>
                                })}
                            </nav>
                        }.into_any()
                    })
                })}
            </ErrorBoundary>
        </Suspense>
    }
    .into_any()
    }
);

fn read_campaign_form(f: &Fields) -> SaveCampaign {
    SaveCampaign {
        id: f.parse("id"),
        version: f.parse("version"),
        key: f.parse("key"),
        form: CampaignForm {
            name: f.text("form[name]"),
            distributor_id: f.text("form[distributor_id]"),
            venue: f.text("form[venue]"),
            city: f.text("form[city]"),
            starts_on: f.text("form[starts_on]"),
            ends_on: f.text("form[ends_on]"),
        },
    }
}

fn read_archive_form(f: &Fields) -> SetCampaignArchived {
    SetCampaignArchived {
        id: f.parse("id").unwrap_or_default(),
        archived: f.parse("archived").unwrap_or_default(),
    }
}

/// The campaign form; `current` fills it and names the campaign and version when editing.
#[component]
fn CampaignFormView(
    current: Option<Campaign>,
    distributors: Options,
    refresh: RwSignal<usize>,
) -> impl IntoView {
    let save = form_action::<SaveCampaign>();
    let value = save.value();
    let initial = current.as_ref().map(CampaignForm::from).unwrap_or_default();
    let error = move |field: &'static str| field_error(value, field);
    // A distributor deleted meanwhile: the list is read again so it leaves the dropdown.
    Effect::watch(
        move || save.version().get(),
        move |_, _, _| {
            if error("distributor_id")().is_some() {
                refresh.update(|n| *n += 1);
            }
        },
        false,
    );
    let field = move |name: &'static str, label: &'static str, value: String, input: Input| {
        let message = error(name);
        let input_name = format!("form[{name}]");
        let value = typed(&input_name, value);
        view! {
            <label class="field">
                <span>{label}</span>
                <input name=input_name value=value placeholder=input.placeholder
                    maxlength=input.max_length inputmode=input.mode autocomplete="off"
                    aria-invalid=move || message().is_some().to_string() />
                {move || message().map(|e| view! { <span class="field-error" role="alert">{e}</span> })}
            </label>
        }
    };
    let distributor_error = error("distributor_id");
    let text = |max: usize, placeholder: &'static str| Input {
        max_length: max,
        mode: "text",
        placeholder,
    };
    let date = Input {
        max_length: 10,
        mode: "numeric",
        placeholder: "jj/mm/aaaa",
    };
    view! {
        <ServerForm action=save read=read_campaign_form class="stack campaign-form" create=current.is_none()>
            {current.as_ref().map(|c| view! {
                <input type="hidden" name="id" value=c.id.to_string() />
                <input type="hidden" name="version" value=typed("version", c.version.to_string()) />
            })}
            {field("name", "Nom du salon", initial.name.clone(), text(NAME_MAX, "ex. Sirha Lyon 2027"))}
            <label class="field">
                <span>"Distributeur"</span>
                {distributor_select("form[distributor_id]", distributors, move || distributor_error().is_some())}
                {move || distributor_error().map(|e| view! { <span class="field-error" role="alert">{e}</span> })}
            </label>
            <a href="/distributeurs" class="hint">"Gérer les distributeurs"</a>
            {field("venue", "Lieu (facultatif)", initial.venue.clone(), text(VENUE_MAX, "ex. Eurexpo"))}
            {field("city", "Ville (facultatif)", initial.city.clone(), text(CITY_MAX, "ex. Lyon"))}
            <div class="dates">
                {field("starts_on", "Début (jj/mm/aaaa)", initial.starts_on.clone(), date)}
                {field("ends_on", "Fin (jj/mm/aaaa)", initial.ends_on.clone(), date)}
            </div>
            <ActionError value />
            <button type="submit">{if current.is_some() { "Enregistrer" } else { "Créer la campagne" }}</button>
        </ServerForm>
    }
}

/// How a text input of the campaign form is typed: the server's limit, and the keyboard a
/// tablet shows (digits for dates).
#[derive(Clone, Copy)]
struct Input {
    max_length: usize,
    mode: &'static str,
    placeholder: &'static str,
}

/// `/campagnes/nouvelle` and `/campagnes/:id/modifier`: one page (and one chunk of WASM) for
/// both, as they are the same form.
pub struct CampaignFormPage {
    /// The campaign edited; `None` for a new one.
    campaign: Option<Loaded<Campaign>>,
    /// The distributors dropdown, loaded beside the campaign; bumping `refresh` reads it again.
    distributors: Options,
    refresh: RwSignal<usize>,
}

impl CampaignFormPage {
    fn load() -> Self {
        let editing = leptos_router::hooks::use_params_map()
            .with_untracked(|p| p.get("id").and_then(|id| Uuid::parse_str(&id).ok()));
        // After a refused plain post, the distributor the rep had chosen.
        #[cfg(feature = "ssr")]
        let typed =
            crate::ui::flash::returned_to(<SaveCampaign as leptos::server_fn::ServerFn>::url())
                .and_then(|r| {
                    r.fields
                        .into_iter()
                        .find(|(name, _)| name == "form[distributor_id]")
                })
                .and_then(|(_, id)| Uuid::parse_str(&id).ok());
        #[cfg(not(feature = "ssr"))]
        let typed = None;
        let refresh = RwSignal::new(0);
        CampaignFormPage {
            campaign: editing.map(|_| resource_of_id(None, get_campaign)),
            distributors: Resource::new(
                move || refresh.get(),
                move |_| distributor_options(false, typed, editing),
            ),
            refresh,
        }
    }
}

lazy_page!(CampaignFormRoute => CampaignFormPage,
    spine_page_campaign_form,
    spine_preload_campaign_form,
    |this| {
        let CampaignFormPage {
            campaign,
            distributors,
            refresh,
        } = this;
        match campaign {
        None => view! {
            <Title text="Nouvelle campagne" />
            <p><a class="back" href="/campagnes">"← Campagnes"</a></p>
            <h1>"Nouvelle campagne"</h1>
            <section class="card"><CampaignFormView current=None distributors refresh /></section>
        }
        .into_any(),
        Some(campaign) => view! {
        <Title text="Modifier la campagne" />
        <Suspense fallback=|| view! { <p>"Chargement…"</p> }>
            <ErrorBoundary fallback=|errors| view! { <NotFoundOr errors missing=Missing::CAMPAIGN /> }>
                {move || Suspend::new(async move {
                    campaign.await.decoded().map(|c| view! {
                        <p><a class="back" href=format!("/campagnes/{}", c.id)>"← "{c.name.clone()}</a></p>
                        <h1>"Modifier la campagne"</h1>
                        <section class="card"><CampaignFormView current=Some(c) distributors refresh /></section>
                    })
                })}
            </ErrorBoundary>
        </Suspense>
        }
        .into_any(),
        }
    }
);

/// `/campagnes/:id`: the hub. Tabs appear as the features behind them exist.
pub struct CampaignHubPage {
    /// Bumped after archiving or restoring, which reloads the campaign and its history.
    refresh: RwSignal<usize>,
    campaign: Loaded<Campaign>,
    history: Loaded<Vec<HistoryEntry>>,
}

impl CampaignHubPage {
    fn load() -> Self {
        let refresh = RwSignal::new(0);
        CampaignHubPage {
            refresh,
            campaign: resource_of_id(Some(refresh), get_campaign),
            history: resource_of_id(Some(refresh), campaign_history),
        }
    }
}

lazy_page!(CampaignHubRoute => CampaignHubPage,
    spine_page_campaign_hub,
    spine_preload_campaign_hub,
    |this| {
        let CampaignHubPage {
            refresh,
            campaign,
            history,
        } = this;
        let archive = form_action::<SetCampaignArchived>();
        Effect::watch(
            move || archive.version().get(),
            move |_, _, _| refresh.update(|n| *n += 1),
            false,
        );
        view! {
        <Title text="Campagne" />
        <NoticeBar />
        <p><a class="back" href="/campagnes">"← Campagnes"</a></p>
        <Suspense fallback=|| view! { <p>"Chargement…"</p> }>
            <ErrorBoundary fallback=|errors| view! { <NotFoundOr errors missing=Missing::CAMPAIGN /> }>
                {move || Suspend::new(async move {
                    campaign.await.decoded().map(|c| {
                        let archived = c.status == CampaignStatus::Archived;
                        view! {
                            <Title text=c.name.clone() />
                            <div class="page-head">
                                <h1>{c.name.clone()}</h1>
                                {status_badge(c.status)}
                            </div>
                            {crate::prospects::ui::campaign_tabs(c.id, crate::prospects::ui::Tab::Overview)}
                            <div inner_html=c.pipeline.clone()></div>
                            <section class="card">
                                <dl class="facts">
                                    <dt>"Distributeur"</dt><dd>{c.distributor_name.clone()}</dd>
                                    <dt>"Lieu"</dt><dd>{c.venue.clone().unwrap_or_else(|| "—".into())}</dd>
                                    <dt>"Ville"</dt><dd>{c.city.clone().unwrap_or_else(|| "—".into())}</dd>
                                    <dt>"Dates"</dt><dd>{format_date_range(c.starts_on, c.ends_on)}</dd>
                                </dl>
                                <div class="actions">
                                    <a class="button secondary" href=format!("/campagnes/{}/modifier", c.id)>"Modifier"</a>
                                    <ServerForm action=archive read=read_archive_form>
                                        <input type="hidden" name="id" value=c.id.to_string() />
                                        <input type="hidden" name="archived" value=(!archived).to_string() />
                                        <button type="submit" class="secondary">
                                            {if archived { "Restaurer" } else { "Archiver" }}
                                        </button>
                                    </ServerForm>
                                </div>
                            </section>
                            <section class="card history">
                                <h2>"Historique"</h2>
                                <Suspense fallback=|| view! { <p>"Chargement…"</p> }>
                                    {move || Suspend::new(async move {
                                        history.await.decoded().ok().map(|entries| view! { <History entries /> })
                                    })}
                                </Suspense>
                            </section>
                        }
                    })
                })}
            </ErrorBoundary>
        </Suspense>
    }
    .into_any()
    }
);

/// Who changed the campaign, when, and what (lines prepared by the server).
#[component]
fn History(entries: Vec<HistoryEntry>) -> impl IntoView {
    view! {
        <ol class="history-list">
            {entries.into_iter().map(|e| view! {
                <li>
                    <strong>{e.action}</strong>
                    " par " {e.actor_name} " "
                    <time datetime=e.at>{e.when}</time>
                    <ul class="changes">
                        {e.changes.into_iter().map(|c| {
                            // A creation has no "before": it lists what was set.
                            let line = if c.before.is_empty() {
                                format!("{} : {}", c.field, c.after)
                            } else {
                                format!("{} : {} → {}", c.field, c.before, c.after)
                            };
                            view! { <li>{line}</li> }
                        }).collect_view()}
                    </ul>
                </li>
            }).collect_view()}
        </ol>
    }
}
