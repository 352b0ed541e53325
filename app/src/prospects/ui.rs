//! Prospect pages: the campaign's Prospects tab (upload, imports, contacts), the mapping of an
//! uploaded file, and an import's report with its undo. Each is a lazy route.
//!
//! The file goes up in a plain multipart form, before or after the WASM: the server stores it,
//! reads its first rows and opens the mapping page (see `server/src/prospect_files.rs`).

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_params_map;
use uuid::Uuid;

use super::{
    api::{get_import_report, get_import_upload, get_prospects_tab, StartImport, UndoImport},
    model::{count, CampaignName, ImportReport, ProspectsTab, UploadPreview, FIELDS},
};
use crate::{
    error::AppError,
    page_data::{Decoded, PageData},
    ui::{
        forms::field_error,
        lazy::lazy_page,
        not_found::{Missing, NotFoundOr},
        notice::NoticeBar,
        params::resource_of_id,
        server_form::{Fields, ServerForm},
        session::ActionError,
    },
};

type Loaded<T> = Resource<Result<PageData<T>, AppError>>;

/// The tabs of a campaign's pages.
pub fn campaign_tabs(campaign: Uuid, prospects: bool) -> impl IntoView {
    let current = |on: bool| on.then_some("page");
    view! {
        <nav class="tabs" aria-label="Sections de la campagne">
            <a href=format!("/campagnes/{campaign}") aria-current=current(!prospects)>"Vue d’ensemble"</a>
            <a href=format!("/campagnes/{campaign}/prospects") aria-current=current(prospects)>"Prospects"</a>
        </nav>
    }
}

fn back_to_prospects(c: &CampaignName) -> impl IntoView {
    view! { <p><a class="back" href=format!("/campagnes/{}/prospects", c.id)>"← Prospects · "{c.name.clone()}</a></p> }
}

/// A resource of `fetch(campaign, other)` for the page's `:id` and its `:$param`; a malformed
/// id is "not found".
fn resource_of_ids<T, Fut>(
    param: &'static str,
    fetch: fn(Uuid, Uuid) -> Fut,
) -> Resource<Result<T, AppError>>
where
    T: serde::Serialize + serde::de::DeserializeOwned + Send + Sync + 'static,
    Fut: std::future::Future<Output = Result<T, AppError>> + Send + 'static,
{
    let params = use_params_map();
    let ids = move || {
        let p = params.read();
        let id = |name: &str| p.get(name).and_then(|s| Uuid::parse_str(&s).ok());
        id("id").zip(id(param))
    };
    Resource::new(ids, move |ids| async move {
        match ids {
            Some((campaign, other)) => fetch(campaign, other).await,
            None => Err(AppError::not_found()),
        }
    })
}

/// `/campagnes/:id/prospects`.
pub struct ProspectsPage {
    tab: Loaded<ProspectsTab>,
}

impl ProspectsPage {
    fn load() -> Self {
        ProspectsPage {
            tab: resource_of_id(None, get_prospects_tab),
        }
    }
}

lazy_page!(ProspectsRoute => ProspectsPage,
    spine_page_prospects,
    spine_preload_prospects,
    |this| {
        let ProspectsPage { tab } = this;
        view! {
        <Title text="Prospects" />
        <NoticeBar />
        <p><a class="back" href="/campagnes">"← Campagnes"</a></p>
        <Suspense fallback=|| view! { <p>"Chargement…"</p> }>
            <ErrorBoundary fallback=|errors| view! { <NotFoundOr errors missing=Missing::CAMPAIGN /> }>
                {move || Suspend::new(async move {
                    tab.await.decoded().map(|tab| view! {
                        <Title text=format!("Prospects · {}", tab.campaign.name) />
                        <h1>{tab.campaign.name.clone()}</h1>
                        {campaign_tabs(tab.campaign.id, true)}
                        <UploadForm campaign=tab.campaign.id max_mb=tab.max_mb />
                        <Imports tab=tab.clone() />
                        <Prospects tab />
                    })
                })}
            </ErrorBoundary>
        </Suspense>
    }
    .into_any()
    }
);

/// The upload: a plain multipart post, whatever the WASM; once it is there, a second tap
/// while the file goes up does nothing.
#[component]
fn UploadForm(campaign: Uuid, max_mb: u64) -> impl IntoView {
    let action = format!("/campagnes/{campaign}/import");
    #[cfg(feature = "ssr")]
    let refused = crate::ui::flash::returned_to(&action).map(|r| r.error.message);
    #[cfg(not(feature = "ssr"))]
    let refused: Option<String> = None;
    let sending = RwSignal::new(false);
    view! {
        <section class="card">
            <h2>"Importer des contacts"</h2>
            <form method="post" action=action enctype="multipart/form-data" class="stack"
                aria-busy=move || sending.get().then_some("true")
                on:submit=move |ev| {
                    if sending.get_untracked() {
                        ev.prevent_default();
                    }
                    sending.set(true);
                }>
                <label class="field">
                    <span>"Fichier de contacts"</span>
                    <input type="file" name="fichier" required
                        accept=".csv,.txt,.tsv,.xlsx,.xls,.ods,text/csv"
                        aria-describedby="upload-hint"
                        aria-invalid=refused.is_some().to_string() />
                    <span class="hint" id="upload-hint">
                        {format!("CSV (Excel, Outlook, LinkedIn, Google…) ou classeur .xlsx, .xls, .ods ; {max_mb} Mo au plus. Vous vérifiez les colonnes avant l’import.")}
                    </span>
                    {refused.map(|e| view! { <span class="field-error" role="alert">{e}</span> })}
                </label>
                <button type="submit">"Envoyer le fichier"</button>
            </form>
        </section>
    }
}

#[component]
fn Imports(tab: ProspectsTab) -> impl IntoView {
    (!tab.imports.is_empty()).then(|| {
        let campaign = tab.campaign.id;
        view! {
            <section class="card">
                <h2>"Imports"</h2>
                <ul class="imports">
                    {tab.imports.into_iter().map(|i| view! {
                        <li>
                            <a href=format!("/campagnes/{campaign}/imports/{}", i.id)>{i.file_name}</a>
                            " " <span class="meta">{i.when}</span> " "
                            {if i.undone {
                                view! { <span class="badge archived">"Annulé"</span> }.into_any()
                            } else {
                                view! { <span class="meta">{format!(
                                    "{} · {} · {}",
                                    count(i.new_prospects.into(), "nouveau", "nouveaux"),
                                    count(i.linked.into(), "ajouté", "ajoutés"),
                                    count(i.rejected.into(), "rejeté", "rejetés"),
                                )}</span> }.into_any()
                            }}
                        </li>
                    }).collect_view()}
                </ul>
            </section>
        }
    })
}

#[component]
fn Prospects(tab: ProspectsTab) -> impl IntoView {
    let shown = tab.prospects.len() as i64;
    view! {
        <section class="card">
            <h2>{format!("Prospects ({})", tab.total)}</h2>
            {if tab.total == 0 {
                view! { <p class="empty">"Aucun prospect dans cette campagne : importez un fichier de contacts."</p> }.into_any()
            } else {
                view! {
                    <ul class="prospects">
                        {tab.prospects.into_iter().map(|p| view! {
                            <li>
                                <strong>{if p.name.is_empty() { p.email.clone() } else { p.name }}</strong>
                                {(!p.company.is_empty()).then(|| view! { <span class="meta">{p.company}</span> })}
                                <span class="meta">{p.email}</span>
                            </li>
                        }).collect_view()}
                    </ul>
                    {(tab.total > shown).then(|| view! {
                        <p class="meta">{format!("… et {} de plus.", count(tab.total - shown, "autre", "autres"))}</p>
                    })}
                }.into_any()
            }}
        </section>
    }
}

/// `/campagnes/:id/import/:upload`: the columns of an uploaded file, the field proposed for
/// each beside its first values; the rep corrects them and imports.
pub struct ImportMappingPage {
    upload: Loaded<UploadPreview>,
}

impl ImportMappingPage {
    fn load() -> Self {
        ImportMappingPage {
            upload: resource_of_ids("upload", get_import_upload),
        }
    }
}

fn read_start_form(f: &Fields) -> StartImport {
    let columns: usize = f.parse("column_count").unwrap_or_default();
    StartImport {
        campaign: f.parse("campaign").unwrap_or_default(),
        upload: f.parse("upload").unwrap_or_default(),
        columns: (0..columns)
            .map(|i| f.text(&format!("columns[{i}]")))
            .collect(),
    }
}

lazy_page!(ImportMappingRoute => ImportMappingPage,
    spine_page_import_mapping,
    spine_preload_import_mapping,
    |this| {
        let ImportMappingPage { upload } = this;
        view! {
        <Title text="Vérifier les colonnes" />
        <Suspense fallback=|| view! { <p>"Chargement…"</p> }>
            <ErrorBoundary fallback=|errors| view! { <NotFoundOr errors missing=Missing::UPLOAD /> }>
                {move || Suspend::new(async move {
                    upload.await.decoded().map(|u| view! { <Mapping upload=u /> })
                })}
            </ErrorBoundary>
        </Suspense>
    }
    .into_any()
    }
);

#[component]
fn Mapping(upload: UploadPreview) -> impl IntoView {
    let start = ServerAction::<StartImport>::new();
    let value = start.value();
    let columns_error = field_error(value, "columns");
    let width = upload.columns.len();
    view! {
        {back_to_prospects(&upload.campaign)}
        <h1>"Vérifier les colonnes"</h1>
        <p class="meta">
            {format!("{} · {} · en-tête ligne {}", upload.file_name, upload.size, upload.header_line)}
        </p>
        {upload.batch.map(|b| view! {
            <p class="alert info">"Cet import est déjà lancé. "
                <a href=format!("/campagnes/{}/imports/{b}", upload.campaign.id)>"Voir son résultat"</a>
            </p>
        })}
        <p>"Pour chaque colonne du fichier, choisissez le champ du prospect. Les colonnes sans champ sont gardées avec le contact, rien n’est perdu."</p>
        <ServerForm action=start read=read_start_form class="mapping">
            <input type="hidden" name="campaign" value=upload.campaign.id.to_string() />
            <input type="hidden" name="upload" value=upload.id.to_string() />
            <input type="hidden" name="column_count" value=width.to_string() />
            <div class="mapping-columns">
                {upload.columns.into_iter().enumerate().map(|(i, c)| {
                    let header = if c.header.trim().is_empty() { format!("Colonne {}", i + 1) } else { c.header };
                    view! {
                        <div class="card column">
                            <label class="field">
                                <span>{header}</span>
                                <select name=format!("columns[{i}]")
                                    aria-invalid=move || columns_error().is_some().to_string()>
                                    <option value="" selected=c.field.is_empty()>"Données supplémentaires"</option>
                                    {FIELDS.iter().map(|(key, label)| view! {
                                        <option value=*key selected=c.field == *key>{*label}</option>
                                    }).collect_view()}
                                </select>
                            </label>
                            <ul class="samples" aria-label="Premières valeurs">
                                {c.samples.into_iter().map(|s| view! {
                                    <li>{if s.is_empty() { "—".to_string() } else { s }}</li>
                                }).collect_view()}
                            </ul>
                        </div>
                    }
                }).collect_view()}
            </div>
            {move || columns_error().map(|e| view! { <p class="field-error" role="alert">{e}</p> })}
            <ActionError value />
            <button type="submit">"Importer les contacts"</button>
        </ServerForm>
    }
}

/// `/campagnes/:id/imports/:batch`: what an import did, its rejected rows, its undo.
pub struct ImportReportPage {
    refresh: RwSignal<usize>,
    report: Loaded<ImportReport>,
}

impl ImportReportPage {
    fn load() -> Self {
        let refresh = RwSignal::new(0);
        let params = use_params_map();
        let report = Resource::new(
            move || {
                let p = params.read();
                let id = |name: &str| p.get(name).and_then(|s| Uuid::parse_str(&s).ok());
                (id("id").zip(id("batch")), refresh.get())
            },
            |(ids, _)| async move {
                match ids {
                    Some((campaign, batch)) => get_import_report(campaign, batch).await,
                    None => Err(AppError::not_found()),
                }
            },
        );
        ImportReportPage { refresh, report }
    }
}

fn read_undo_form(f: &Fields) -> UndoImport {
    UndoImport {
        id: f.parse("id").unwrap_or_default(),
    }
}

lazy_page!(ImportReportRoute => ImportReportPage,
    spine_page_import_report,
    spine_preload_import_report,
    |this| {
        let ImportReportPage { refresh, report } = this;
        let undo = ServerAction::<UndoImport>::new();
        Effect::watch(
            move || undo.version().get(),
            move |_, _, _| refresh.update(|n| *n += 1),
            false,
        );
        view! {
        <Title text="Import" />
        <NoticeBar />
        <Suspense fallback=|| view! { <p>"Chargement…"</p> }>
            <ErrorBoundary fallback=|errors| view! { <NotFoundOr errors missing=Missing::IMPORT /> }>
                {move || Suspend::new(async move {
                    report.await.decoded().map(|r| view! { <Report report=r undo /> })
                })}
            </ErrorBoundary>
        </Suspense>
    }
    .into_any()
    }
);

#[component]
fn Report(report: ImportReport, undo: ServerAction<UndoImport>) -> impl IntoView {
    let r = report;
    let csv = format!("/campagnes/{}/imports/{}/rejets.csv", r.campaign.id, r.id);
    let figures = [
        ("Lignes lues", r.rows),
        ("Lignes valides", r.valid),
        ("Nouveaux prospects", r.new_prospects),
        ("Déjà connus", r.already_known),
        ("Doublons dans le fichier", r.duplicates_in_file),
        ("Ajoutés à la campagne", r.linked),
        ("Lignes rejetées", r.rejected),
    ];
    view! {
        <Title text=format!("Import de {}", r.file_name) />
        {back_to_prospects(&r.campaign)}
        <div class="page-head">
            <h1>{format!("Import de {}", r.file_name)}</h1>
            {r.undone.as_ref().map(|_| view! { <span class="badge archived">"Annulé"</span> })}
        </div>
        <p class="meta">{format!("Importé {}", r.when)}
            {r.undone.clone().map(|when| format!(", annulé {when}"))}"."</p>
        <section class="card">
            <dl class="facts figures">
                {figures.into_iter().map(|(label, n)| view! { <dt>{label}</dt><dd>{n}</dd> }).collect_view()}
            </dl>
            {r.undone.is_none().then(|| view! {
                <div class="actions">
                    <ServerForm action=undo read=read_undo_form>
                        <input type="hidden" name="id" value=r.id.to_string() />
                        <button type="submit" class="secondary danger">"Annuler cet import"</button>
                    </ServerForm>
                </div>
                <p class="hint">"Annuler retire de la campagne les contacts que cet import a ajoutés, supprime ceux qu’il a créés (sauf s’ils servent dans une autre campagne) et rend aux contacts connus les champs qu’il avait remplis."</p>
            })}
        </section>
        {(r.rejected > 0).then(|| {
            let more = i64::from(r.rejected) - r.rejections.len() as i64;
            view! {
                <section class="card">
                    <h2>"Lignes rejetées"</h2>
                    <p><a class="button secondary" href=csv rel="external" download="">"Télécharger les lignes rejetées (CSV)"</a></p>
                    <table class="list rejections">
                        <thead><tr><th scope="col">"Ligne"</th><th scope="col">"Motif"</th></tr></thead>
                        <tbody>
                            {r.rejections.into_iter().map(|j| view! {
                                <tr><td>{j.line}</td><td>{j.reason}<span class="meta">{format!(" ({})", j.code)}</span></td></tr>
                            }).collect_view()}
                        </tbody>
                    </table>
                    {(more > 0).then(|| view! { <p class="meta">{format!("… et {} dans le fichier CSV.", count(more, "autre", "autres"))}</p> })}
                </section>
            }
        })}
    }
}
