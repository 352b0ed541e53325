//! Prospect pages: the campaign's Prospects tab (upload, imports, contacts), the mapping of an
//! uploaded file, and an import's report with its undo.
//!
//! One lazy route (one chunk of WASM) serves the three steps a rep goes through in a row, with
//! one resource type: a route per page, or a type per page, would each add their own copy of
//! the loading and hydrating code to the download. What the pages only display comes as HTML
//! written by the server (see `model`).
//!
//! The file goes up in a plain multipart form, before or after the WASM: the server stores it,
//! reads its first rows and opens the mapping page (see `server/src/prospect_files.rs`).

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::{use_params_map, use_query_map};
use uuid::Uuid;

use super::{
    api::{
        get_import_report, get_import_upload, get_prospect, get_prospects_tab, AddProspect,
        StartImport, UndoImport,
    },
    model::{CampaignName, PageView, COMPANY_MAX, EMAIL_MAX, NAME_MAX, NOTES_MAX, PHONE_MAX},
};
use crate::{
    board::api::get_board_card,
    error::AppError,
    page_data::{Decoded, PageCodec, PageData},
    ui::{
        forms::field_error,
        lazy::lazy_page,
        not_found::{Missing, NotFoundOr},
        notice::NoticeBar,
        server_form::{form_action, new_key, Fields, FormAction, ServerForm},
        session::ActionError,
    },
};

/// A section of a campaign.
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Tab {
    Overview,
    Prospects,
    Board,
    Catalogue,
    Mixer,
    Sending,
}

/// The tabs of a campaign's pages.
pub fn campaign_tabs(campaign: Uuid, tab: Tab) -> impl IntoView {
    let current = |on: Tab| (on == tab).then_some("page");
    view! {
        <nav class="tabs" aria-label="Sections de la campagne">
            <a href=format!("/campagnes/{campaign}") aria-current=current(Tab::Overview)>"Vue d’ensemble"</a>
            <a href=format!("/campagnes/{campaign}/prospects") aria-current=current(Tab::Prospects)>"Prospects"</a>
            // The board is written whole by the server (see `board::ui`), not by the app's router.
            <a href=format!("/campagnes/{campaign}/tableau") aria-current=current(Tab::Board) rel="external">"Tableau"</a>
            <a href=format!("/campagnes/{campaign}/catalogue") aria-current=current(Tab::Catalogue) rel="external">"Catalogue"</a>
            <a href=format!("/campagnes/{campaign}/mixer") aria-current=current(Tab::Mixer) rel="external">"Mixer"</a>
            <a href=format!("/campagnes/{campaign}/envois") aria-current=current(Tab::Sending) rel="external">"Envois"</a>
        </nav>
    }
}

/// Which of the prospect pages this is.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Step {
    /// `/campagnes/:id/prospects`.
    Tab,
    /// `/campagnes/:id/import/:upload`: the columns of an uploaded file, the field proposed for
    /// each beside its first values; the rep corrects them and imports.
    Mapping,
    /// `/campagnes/:id/imports/:batch`: what an import did, its rejected rows, its undo.
    Report,
    /// `/campagnes/:id/prospects/:prospect`: a prospect, its edit, mark and erasure.
    Prospect,
    /// `/campagnes/:id/tableau/:card`: a card of the board and its moves.
    Card,
}

impl Step {
    fn missing(self) -> Missing {
        match self {
            Step::Tab => Missing::CAMPAIGN,
            Step::Mapping => Missing::UPLOAD,
            Step::Report => Missing::IMPORT,
            Step::Prospect | Step::Card => Missing::PROSPECT,
        }
    }
}

pub struct ProspectsPage {
    step: Step,
    /// Bumped after an undo, which reloads the report.
    refresh: RwSignal<usize>,
    data: Resource<Result<PageData<PageView>, AppError>, PageCodec>,
}

impl ProspectsPage {
    fn load() -> Self {
        let params = use_params_map();
        let query = use_query_map();
        let step = params.with_untracked(|p| {
            if p.get("card").is_some() {
                Step::Card
            } else if p.get("prospect").is_some() {
                Step::Prospect
            } else if p.get("upload").is_some() {
                Step::Mapping
            } else if p.get("batch").is_some() {
                Step::Report
            } else {
                Step::Tab
            }
        });
        let refresh = RwSignal::new(0);
        let data = Resource::new_with_options(
            move || {
                let p = params.read();
                let id = |name: &str| p.get(name).and_then(|s| Uuid::parse_str(&s).ok());
                // The tab's search, sort and page.
                let q = query.read();
                let list = (q.get("q"), q.get("tri"), q.get("apres"));
                let other = id("upload")
                    .or(id("batch"))
                    .or(id("prospect"))
                    .or(id("card"));
                (id("id"), other, list, refresh.get())
            },
            move |(campaign, other, (q, tri, apres), _)| async move {
                // A malformed id is "not found", like another rep's.
                match (step, campaign, other) {
                    (Step::Tab, Some(campaign), _) => {
                        let apres = apres.and_then(|a| Uuid::parse_str(&a).ok());
                        get_prospects_tab(campaign, q, tri, apres).await
                    }
                    (Step::Prospect, Some(campaign), Some(id)) => get_prospect(campaign, id).await,
                    (Step::Card, Some(campaign), Some(card)) => {
                        get_board_card(campaign, card).await
                    }
                    (Step::Mapping, Some(campaign), Some(upload)) => {
                        get_import_upload(campaign, upload).await
                    }
                    (Step::Report, Some(campaign), Some(batch)) => {
                        get_import_report(campaign, batch).await
                    }
                    _ => Err(AppError::not_found()),
                }
            },
            false,
        );
        ProspectsPage {
            step,
            refresh,
            data,
        }
    }
}

lazy_page!(ProspectsRoute => ProspectsPage,
    spine_page_prospects,
    spine_preload_prospects,
    |this| {
        let ProspectsPage { step, refresh, data } = this;
        let undo = form_action::<UndoImport>();
        Effect::watch(
            move || undo.version().get(),
            move |_, _, _| refresh.update(|n| *n += 1),
            false,
        );
        let missing = step.missing();
        view! {
        <Title text="Prospects" />
        // Not on the mapping page: its import's notice is for the report it opens, and a bar
        // here would count it as shown while the page changes.
        {(step != Step::Mapping).then(|| view! { <NoticeBar /> })}
        <Suspense fallback=|| view! { <p>"Chargement…"</p> }>
            <ErrorBoundary fallback=move |errors| view! { <NotFoundOr errors missing /> }>
                {move || Suspend::new(async move {
                    data.await.decoded().map(|page| match step {
                        Step::Tab => tab_view(page),
                        Step::Mapping => mapping_view(page),
                        Step::Report => report_view(page, undo, refresh),
                        Step::Prospect => prospect_view(page),
                        Step::Card => card_view(page),
                    })
                })}
            </ErrorBoundary>
        </Suspense>
    }
    .into_any()
    }
);

fn back_to_prospects(c: &CampaignName) -> impl IntoView {
    view! { <p><a class="back" href=format!("/campagnes/{}/prospects", c.id)>"← Prospects · "{c.name.clone()}</a></p> }
}

/// A card of the board and the buttons of its moves (plain posts).
fn card_view(page: PageView) -> AnyView {
    view! {
        <Title text=format!("{} · Tableau", page.name) />
        <p><a class="back" href=format!("/campagnes/{}/tableau", page.campaign.id) rel="external">"← Tableau · "{page.campaign.name.clone()}</a></p>
        <h1>{page.name}</h1>
        <div inner_html=page.html></div>
    }
    .into_any()
}

/// A prospect: its name, and the rest as the server wrote it (its forms are plain posts).
fn prospect_view(page: PageView) -> AnyView {
    view! {
        <Title text=format!("{} · Prospects", page.name) />
        {back_to_prospects(&page.campaign)}
        <h1>{page.name}</h1>
        <div inner_html=page.html></div>
    }
    .into_any()
}

fn tab_view(page: PageView) -> AnyView {
    view! {
        <Title text=format!("Prospects · {}", page.campaign.name) />
        <p><a class="back" href="/campagnes">"← Campagnes"</a></p>
        <h1>{page.campaign.name.clone()}</h1>
        {campaign_tabs(page.campaign.id, Tab::Prospects)}
        <UploadForm campaign=page.campaign.id max_mb=page.max_mb />
        <HandEntryForm campaign=page.campaign.id />
        <div inner_html=page.html></div>
    }
    .into_any()
}

/// The fields of the hand-entry form: name, label and `maxlength`. The address takes text with
/// the e-mail keyboard, so that the server's French message says what is wrong rather than the
/// browser's.
const HAND_FIELDS: [(&str, &str, usize); 6] = [
    ("email", "E-mail", EMAIL_MAX),
    ("first_name", "Prénom", NAME_MAX),
    ("last_name", "Nom", NAME_MAX),
    ("company", "Société", COMPANY_MAX),
    ("job_title", "Fonction", COMPANY_MAX),
    ("phone", "Téléphone", PHONE_MAX),
];

/// The hand-entry fields as HTML, with `typed` values (a refused post's): set as is, as a view
/// per field would weigh on the page's WASM. Values are escaped.
fn hand_fields(typed: &[(String, String)]) -> String {
    #[cfg(feature = "ssr")]
    let escape = |text: &str| html_escape::encode_double_quoted_attribute(text).into_owned();
    // In the browser there is never a refused post's values (such a page is not hydrated).
    #[cfg(not(feature = "ssr"))]
    let escape = |text: &str| text.to_string();
    let value = |name: &str| {
        typed
            .iter()
            .find(|(field, _)| field == name)
            .map(|(_, v)| escape(v))
            .unwrap_or_default()
    };
    let mut html = String::new();
    for (name, label, max) in HAND_FIELDS {
        let field = format!("prospect[{name}]");
        let kind = if name == "email" {
            r#"inputmode="email" autocapitalize="off""#
        } else if name == "phone" {
            r#"type="tel""#
        } else {
            ""
        };
        html.push_str(&format!(
            r#"<label class="field"><span>{label}</span><input name="{field}" {kind} maxlength="{max}" autocomplete="off" value="{}"></label>"#,
            value(&field)
        ));
    }
    html.push_str(&format!(
        r#"<label class="field"><span>Notes</span><textarea name="prospect[notes]" rows="3" maxlength="{NOTES_MAX}">{}</textarea></label>"#,
        value("prospect[notes]")
    ));
    html
}

/// One prospect typed in at the stand: a plain form, with or without the WASM (the tab comes
/// again with its notice, or with what was typed and what to correct), so the page carries no
/// code for calling `add_prospect`.
#[component]
fn HandEntryForm(campaign: Uuid) -> impl IntoView {
    let action = <AddProspect as leptos::server_fn::ServerFn>::url();
    // A refused post's fields and corrections (such a page is rendered on the server only).
    #[cfg(feature = "ssr")]
    let (typed, corrections) = crate::ui::flash::returned_to(action)
        .map(|r| {
            (
                r.fields,
                r.error.fields.into_values().collect::<Vec<_>>().join(" "),
            )
        })
        .unwrap_or_default();
    #[cfg(not(feature = "ssr"))]
    let (typed, corrections): (Vec<(String, String)>, String) = Default::default();
    view! {
        <section class="card">
            <h2>"Ajouter un prospect"</h2>
            <form method="post" action=action class="stack">
                <input type="hidden" name="_page" value=format!("/campagnes/{campaign}/prospects") />
                <input type="hidden" name="campaign" value=campaign.to_string() />
                <input type="hidden" name="key" value=new_key() />
                <div class="stack" inner_html=hand_fields(&typed)></div>
                {(!corrections.is_empty()).then(|| view! { <p class="field-error" role="alert">{corrections}</p> })}
                <button type="submit">"Ajouter le prospect"</button>
            </form>
        </section>
    }
}

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

fn mapping_view(page: PageView) -> AnyView {
    let start = form_action::<StartImport>();
    let columns_error = field_error(start.value(), "columns");
    view! {
        <Title text="Vérifier les colonnes" />
        {back_to_prospects(&page.campaign)}
        <h1>"Vérifier les colonnes"</h1>
        {page.batch.map(|b| view! {
            <p class="alert info">"Cet import est déjà lancé. "
                <a href=format!("/campagnes/{}/imports/{b}", page.campaign.id)>"Voir son résultat"</a>
            </p>
        })}
        <ServerForm action=start read=read_start_form class="mapping">
            <input type="hidden" name="campaign" value=page.campaign.id.to_string() />
            <input type="hidden" name="upload" value=page.id.map(|id| id.to_string()) />
            <div inner_html=page.html></div>
            {move || columns_error().map(|e| view! { <p class="field-error" role="alert">{e}</p> })}
            <ActionError value=start.value() />
            <button type="submit">"Importer les contacts"</button>
        </ServerForm>
    }
    .into_any()
}

fn read_undo_form(f: &Fields) -> UndoImport {
    UndoImport {
        id: f.parse("id").unwrap_or_default(),
    }
}

fn report_view(page: PageView, undo: FormAction<UndoImport>, refresh: RwSignal<usize>) -> AnyView {
    let title = format!("Import de {}", page.file_name);
    if page.running.is_some() || page.failed {
        if page.running.is_some() {
            follow_import(page.campaign.id, page.id, refresh);
        }
        return view! {
            <Title text=title.clone() />
            {back_to_prospects(&page.campaign)}
            <h1>{title}</h1>
            <div inner_html=page.html></div>
        }
        .into_any();
    }
    view! {
        <Title text=title.clone() />
        {back_to_prospects(&page.campaign)}
        <div class="page-head">
            <h1>{title}</h1>
            {page.undone.is_some().then(|| view! { <span class="badge archived">"Annulé"</span> })}
        </div>
        <div inner_html=page.html></div>
        {page.undone.is_none().then(|| view! {
            <section class="card">
                <ServerForm action=undo read=read_undo_form>
                    <input type="hidden" name="id" value=page.id.map(|id| id.to_string()) />
                    <button type="submit" class="secondary danger">"Annuler cet import"</button>
                </ServerForm>
                <p class="hint">"Annuler retire de la campagne les contacts que cet import a ajoutés, supprime ceux qu’il a créés (sauf s’ils servent dans une autre campagne) et rend aux contacts connus les champs qu’il avait remplis."</p>
            </section>
        })}
    }
    .into_any()
}

/// Follows a running import: the count of rows read goes up as the server says, and the
/// report replaces it once the import ends. The browser reconnects a lost stream by itself,
/// and the server then starts with the current state.
fn follow_import(campaign: Uuid, batch: Option<Uuid>, refresh: RwSignal<usize>) {
    #[cfg(feature = "hydrate")]
    {
        use wasm_bindgen::{closure::Closure, JsCast};

        #[derive(serde::Deserialize)]
        struct Progress {
            state: String,
            #[serde(default)]
            rows: u64,
        }

        let Some(batch) = batch else { return };
        let url = format!("/campagnes/{campaign}/imports/{batch}/progression");
        let Ok(source) = web_sys::EventSource::new(&url) else {
            return;
        };
        let on_message = Closure::<dyn FnMut(web_sys::MessageEvent)>::new({
            let source = source.clone();
            move |event: web_sys::MessageEvent| {
                let Some(text) = event.data().as_string() else {
                    return;
                };
                match serde_json::from_str::<Progress>(&text) {
                    Ok(p) if p.state == "running" => {
                        if let Some(count) = document().get_element_by_id("import-rows") {
                            count.set_text_content(Some(&p.rows.to_string()));
                        }
                    }
                    Ok(_) => {
                        source.close();
                        refresh.update(|n| *n += 1);
                    }
                    Err(_) => {}
                }
            }
        });
        source.set_onmessage(Some(on_message.as_ref().unchecked_ref()));
        let open = StoredValue::new_local((source, on_message));
        on_cleanup(move || open.with_value(|(source, _)| source.close()));
    }
    #[cfg(not(feature = "hydrate"))]
    let _ = (campaign, batch, refresh);
}
