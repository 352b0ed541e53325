//! The catalogue pages, written by the server (Leptos escapes every value): the Catalogue tab
//! (upload, the catalogues and their readings, the published products' search) and a
//! catalogue's review (each product beside the crop of the page it was read from). Every action
//! is a plain form, so it works with a tap before any WASM; a reading's progress is followed
//! live by the board's script module (`data-follow`).

use leptos::prelude::*;
use leptos::server_fn::ServerFn;
use uuid::Uuid;

use super::{
    api::{
        review_path, tab_path, ApproveProducts, CancelCatalogueReading, MergeProduct,
        PublishCatalogue, ReadCatalogueAgain, SaveProduct,
    },
    price::{format_price, price_field},
    repo::{Catalog, Published, Reading, ReviewedProduct, SEARCH_MAX},
};
use crate::{
    prospects::{
        model::CampaignName,
        ui::{campaign_tabs, Tab},
    },
    ui::{
        forms::format_french_date,
        plain_post::PAGE_FIELD,
        server_html,
        written::{hidden, notice, refused},
    },
};

/// Below this, a field's reading is doubtful: highlighted for the rep to check.
pub const DOUBTFUL: f32 = 0.8;

/// Products shown per review page.
pub const REVIEW_PAGE: i64 = 60;

/// Published products listed on the Catalogue tab (the search narrows them).
pub const LISTED: i64 = 50;

/// What the Catalogue tab shows.
pub struct TabPage {
    pub campaign: CampaignName,
    pub catalogs: Vec<Catalog>,
    pub q: String,
    pub found: Vec<Published>,
    pub found_total: i64,
    pub max_mb: u64,
    pub max_pages: u32,
}

/// What a catalogue's review shows.
pub struct ReviewPage {
    pub campaign: CampaignName,
    pub catalog: Catalog,
    /// `a-verifier`, `approuves`, `publies`, `rejetes` or `tous`.
    pub filter: String,
    pub offset: i64,
    pub products: Vec<ReviewedProduct>,
    pub total: i64,
}

/// The upload's route (a multipart post, see `server::catalogue_files`).
pub fn upload_action(campaign: Uuid) -> String {
    format!("/campagnes/{campaign}/catalogue/envoi")
}

/// A product's crop (an image of the page region it was read from).
pub fn crop_href(campaign: Uuid, product: Uuid, version: Option<Uuid>) -> String {
    let v = version
        .map(|v| format!("?v={}", v.simple()))
        .unwrap_or_default();
    format!("/campagnes/{campaign}/catalogue/produits/{product}/extrait.jpg{v}")
}

/// Where the page follows reading of `catalog` live.
pub fn progress_href(campaign: Uuid, catalog: Uuid) -> String {
    format!("/campagnes/{campaign}/catalogue/{catalog}/progression")
}

/// The catalogue pages' own stylesheet (`style/catalogue.css`): only these pages pay for it.
fn stylesheet() -> impl IntoView {
    crate::board::html::page_stylesheet("catalogue-css.txt")
}

/// `n` and its noun, singular up to one as French has it ("0 produit", "1 produit").
fn plural(n: i64, one: &str, many: &str) -> String {
    if n <= 1 {
        format!("{n} {one}")
    } else {
        format!("{n} {many}")
    }
}

/// The Catalogue tab.
pub fn tab(page: &TabPage) -> String {
    let campaign = page.campaign.id;
    let path = tab_path(campaign);
    let action = upload_action(campaign);
    let upload_refused = crate::ui::flash::returned_to(&action).map(|r| r.error.message);
    let searching = !page.q.trim().is_empty();
    server_html(view! {
        {stylesheet()}
        <p><a class="back" href="/campagnes">"← Campagnes"</a></p>
        <h1>{page.campaign.name.clone()}</h1>
        {campaign_tabs(campaign, Tab::Catalogue)}
        {notice(&path)}
        {refused(&[CancelCatalogueReading::url(), ReadCatalogueAgain::url()])}
        <section class="card">
            <h2>"Envoyer le catalogue du salon"</h2>
            <form method="post" action=action enctype="multipart/form-data" class="stack" data-once="">
                <label class="field">
                    <span>"Catalogue (PDF)"</span>
                    <input type="file" name="fichier" required accept=".pdf,application/pdf"
                        aria-describedby="catalogue-hint" aria-invalid=upload_refused.is_some().to_string() />
                    <span class="hint" id="catalogue-hint">
                        {format!("Le PDF du catalogue, même scanné : {} Mo et {} pages au plus. Spine lit chaque page et vous propose les produits à vérifier avant de les publier.", page.max_mb, page.max_pages)}
                    </span>
                    {upload_refused.map(|e| view! { <span class="field-error" role="alert">{e}</span> })}
                </label>
                <button type="submit">"Envoyer le catalogue"</button>
            </form>
        </section>
        <section aria-labelledby="titre-catalogues">
            <h2 id="titre-catalogues">"Catalogues"</h2>
            {if page.catalogs.is_empty() {
                view! { <p class="empty">"Aucun catalogue pour l’instant : envoyez le PDF du salon ci-dessus."</p> }.into_any()
            } else {
                view! {
                    <ul class="catalogues">
                        {page.catalogs.iter().map(catalog_item).collect_view()}
                    </ul>
                }.into_any()
            }}
        </section>
        <section class="card" aria-labelledby="titre-produits">
            <h2 id="titre-produits">{format!("Produits publiés ({})", page.found_total)}</h2>
            <form method="get" action=path.clone() class="filters search" role="search">
                <label class="field">
                    <span>"Rechercher un produit"</span>
                    <input type="search" name="q" value=page.q.clone() maxlength=SEARCH_MAX placeholder="Nom, référence, mot de la description" />
                </label>
                <button type="submit" class="secondary">"Rechercher"</button>
                {searching.then(|| view! { <a class="button secondary" href=path.clone() rel="external">"Tout afficher"</a> })}
            </form>
            {published_list(page, searching)}
        </section>
        {crate::board::html::script_src().map(|src| view! { <script type="module" src=src data-board-script=""></script> })}
    })
}

fn published_list(page: &TabPage, searching: bool) -> AnyView {
    if page.found.is_empty() {
        let text = if searching {
            format!(
                "Aucun produit publié ne correspond à « {} ».",
                page.q.trim()
            )
        } else {
            "Aucun produit publié : vérifiez ceux d’un catalogue, puis publiez-les.".to_string()
        };
        return view! { <p class="empty">{text}</p> }.into_any();
    }
    let more = page.found_total - page.found.len() as i64;
    view! {
        <ul class="products">
            {page.found.iter().map(|p| {
                let description: String = p.description.chars().take(160).collect();
                view! {
                    <li>
                        <span class="reference">{p.reference.clone()}</span>
                        <strong class="name">{p.name.clone()}</strong>
                        <span class="price">{format_price(p.price_cents, &p.currency)}</span>
                        {(!description.is_empty()).then(|| view! { <span class="meta">{description}</span> })}
                    </li>
                }
            }).collect_view()}
        </ul>
        {(more > 0).then(|| view! { <p class="hint">{format!("Et {} : précisez la recherche.", plural(more, "autre", "autres"))}</p> })}
    }
    .into_any()
}

/// A catalogue on the tab: its file, its reading, what to do next.
fn catalog_item(c: &Catalog) -> impl IntoView {
    let campaign = c.campaign;
    let on = c.reading.as_ref().is_some_and(Reading::is_on);
    let follow = on.then(|| progress_href(campaign, c.id));
    let uploaded = format_french_date(c.created_on);
    view! {
        <li class="card catalogue" id=format!("catalogue-{}", c.id) data-follow=follow>
            <h3>{c.file_name.clone()}</h3>
            <p class="meta">{format!("{} · envoyé le {uploaded}", plural(c.pages as i64, "page", "pages"))}</p>
            {reading_view(c)}
        </li>
    }
}

/// A catalogue's reading: its progress and its cancel while it runs, else how it ended and
/// reading again; and, whenever it has products, what they are and their review.
fn reading_view(c: &Catalog) -> impl IntoView {
    let campaign = c.campaign;
    let again = move |label: &'static str| {
        view! {
            <form method="post" action=ReadCatalogueAgain::url() data-once="">
                {hidden("campaign", campaign)}
                {hidden("catalog", c.id)}
                <button type="submit" class="secondary">{label}</button>
            </form>
        }
        .into_any()
    };
    let (state, action) = match c.reading.as_ref() {
        None => (None, again("Lire le catalogue")),
        Some(reading) if reading.is_on() => {
            let text = if reading.status == "queued" {
                "En attente de lecture…".to_string()
            } else {
                reading_text(reading.pages_done, reading.pages_total)
            };
            let state = view! {
                <div class="reading">
                    <progress max=reading.pages_total value=reading.pages_done aria-label="Pages lues"></progress>
                    <p class="reading-text" aria-live="polite">{text}</p>
                </div>
            };
            let cancel = view! {
                <form method="post" action=CancelCatalogueReading::url() data-once="">
                    {hidden("campaign", campaign)}
                    {hidden("catalog", c.id)}
                    <button type="submit" class="secondary danger">"Annuler la lecture"</button>
                </form>
            };
            (Some(state.into_any()), cancel.into_any())
        }
        Some(reading) if reading.status == "failed" => {
            let error = reading
                .error
                .clone()
                .unwrap_or_else(|| "La lecture a échoué.".to_string());
            let state = view! { <p class="alert error">{error}</p> };
            (Some(state.into_any()), again("Relancer la lecture"))
        }
        Some(reading) if reading.status == "cancelled" => {
            let state = view! { <p class="meta">"Lecture annulée."</p> };
            (Some(state.into_any()), again("Relancer la lecture"))
        }
        Some(_) => (None, again("Relire le catalogue")),
    };
    let n = &c.counts;
    let total = n.staged + n.approved + n.published + n.rejected;
    let summary = (total > 0).then(|| {
        format!(
            "{} : {} à vérifier, {}, {}, {}.",
            plural(total, "produit lu", "produits lus"),
            n.staged,
            plural(n.approved, "approuvé", "approuvés"),
            plural(n.published, "publié", "publiés"),
            plural(n.rejected, "rejeté", "rejetés"),
        )
    });
    view! {
        {state}
        {summary.map(|summary| view! { <p>{summary}</p> })}
        <div class="actions">
            {(total > 0).then(|| view! {
                <a class="button" href=review_path(campaign, c.id) rel="external">"Vérifier les produits"</a>
            })}
            {action}
        </div>
    }
}

// The same line as the board's script writes as it follows a reading.
#[path = "../../../board-script/src/reading.rs"]
mod reading;
use reading::reading_text;

/// The review's filters: label, query value, count.
fn filters(c: &Catalog) -> [(&'static str, &'static str, Option<i64>); 5] {
    let n = &c.counts;
    [
        ("À vérifier", "a-verifier", Some(n.staged)),
        ("Approuvés", "approuves", Some(n.approved)),
        ("Publiés", "publies", Some(n.published)),
        ("Rejetés", "rejetes", Some(n.rejected)),
        ("Tous", "tous", None),
    ]
}

/// A catalogue's review.
pub fn review(page: &ReviewPage) -> String {
    let campaign = page.campaign.id;
    let catalog = &page.catalog;
    let path = review_path(campaign, catalog.id);
    let here = if page.filter == "a-verifier" && page.offset == 0 {
        path.clone()
    } else {
        format!("{path}?vue={}&apres={}", page.filter, page.offset)
    };
    let version = catalog.last_read;
    let reading_on = catalog.reading.as_ref().is_some_and(Reading::is_on);
    let returned = crate::ui::flash::returned_to(SaveProduct::url());
    let staged_view = page.filter == "a-verifier";
    server_html(view! {
        {stylesheet()}
        <p><a class="back" href=tab_path(campaign) rel="external">{format!("← Catalogue · {}", page.campaign.name)}</a></p>
        <h1>{format!("Vérifier · {}", catalog.file_name)}</h1>
        {notice(&path)}
        {refused(&[ApproveProducts::url(), PublishCatalogue::url(), MergeProduct::url()])}
        {reading_on.then(|| view! {
            <div class="reading card" data-follow=progress_href(campaign, catalog.id)>
                {catalog.reading.as_ref().map(|r| view! {
                    <progress max=r.pages_total value=r.pages_done aria-label="Pages lues"></progress>
                    <p class="reading-text" aria-live="polite">{reading_text(r.pages_done, r.pages_total)}</p>
                })}
            </div>
        })}
        <nav class="tabs review-filters" aria-label="Produits du catalogue">
            {filters(catalog).into_iter().map(|(label, value, count)| {
                let href = if value == "a-verifier" { path.clone() } else { format!("{path}?vue={value}") };
                let text = match count { Some(n) => format!("{label} ({n})"), None => label.to_string() };
                view! { <a href=href rel="external" aria-current=(value == page.filter).then_some("page")>{text}</a> }
            }).collect_view()}
        </nav>
        <div class="actions">
            <form method="post" action=PublishCatalogue::url() data-once="">
                {hidden("campaign", campaign)}
                {hidden("catalog", catalog.id)}
                <button type="submit">{format!("Publier les produits approuvés ({})", catalog.counts.approved)}</button>
            </form>
            {(staged_view && catalog.counts.staged > 0).then(|| view! {
                <form method="post" action=ApproveProducts::url() id="approuver" data-once="">
                    {hidden("campaign", campaign)}
                    {hidden("catalog", catalog.id)}
                    <button type="submit" class="secondary">"Approuver la sélection"</button>
                    <button type="submit" class="secondary" name="tous" value="true">{format!("Tout approuver ({})", catalog.counts.staged)}</button>
                </form>
            })}
        </div>
        {if page.products.is_empty() {
            view! { <p class="empty">{empty_review(&page.filter)}</p> }.into_any()
        } else {
            view! {
                <ol class="review-grid">
                    {page.products.iter().enumerate().map(|(i, p)| {
                        let typed = returned.as_ref().filter(|r| {
                            r.fields.iter().any(|(k, v)| k == "product" && *v == p.id.to_string())
                        });
                        product_item(campaign, p, i, &here, version, staged_view, typed)
                    }).collect_view()}
                </ol>
            }.into_any()
        }}
        {pager(&path, &page.filter, page.offset, page.products.len() as i64, page.total)}
        {crate::board::html::script_src().map(|src| view! { <script type="module" src=src data-board-script=""></script> })}
    })
}

fn empty_review(filter: &str) -> &'static str {
    match filter {
        "a-verifier" => "Plus rien à vérifier : publiez les produits approuvés.",
        "approuves" => "Aucun produit approuvé en attente de publication.",
        "publies" => "Aucun produit publié.",
        "rejetes" => "Aucun produit rejeté.",
        _ => "Aucun produit lu dans ce catalogue.",
    }
}

fn status_label(status: &str) -> &'static str {
    match status {
        "staged" => "À vérifier",
        "approved" => "Approuvé",
        "published" => "Publié",
        "rejected" => "Rejeté",
        _ => "",
    }
}

/// A product of the review: its crop beside its fields, to correct and decide on.
fn product_item(
    campaign: Uuid,
    p: &ReviewedProduct,
    i: usize,
    here: &str,
    version: Option<Uuid>,
    selectable: bool,
    returned: Option<&crate::ui::plain_post::Returned>,
) -> impl IntoView {
    let id = p.id;
    let dom = |field: &str| format!("{field}-{}", id.simple());
    // What the rep typed before a refusal, else what is stored.
    let value = |name: &str, stored: String| {
        returned
            .and_then(|r| r.fields.iter().find(|(k, _)| k == name))
            .map(|(_, v)| v.clone())
            .unwrap_or(stored)
    };
    let error = |name: &str| returned.and_then(|r| r.error.field(name));
    let doubtful = |field: &str, confidence: f32| {
        confidence < DOUBTFUL && !p.edited.iter().any(|e| e == field)
    };
    let field = move |name: &'static str,
                      label: &'static str,
                      stored: String,
                      doubt: bool,
                      multi: bool| {
        let error = error(name);
        let input_id = dom(name);
        let hint_id = format!("{input_id}-aide");
        let described = (doubt || error.is_some()).then(|| hint_id.clone());
        let input = if multi {
            view! { <textarea id=input_id.clone() name=name rows="3" maxlength="4000" aria-describedby=described.clone() aria-invalid=error.is_some().to_string() inner_html=crate::ui::textarea_text(&value(name, stored))></textarea> }.into_any()
        } else {
            let inputmode = (name == "price").then_some("decimal");
            view! { <input id=input_id.clone() name=name value=value(name, stored) inputmode=inputmode required=name != "description" aria-describedby=described.clone() aria-invalid=error.is_some().to_string() /> }.into_any()
        };
        view! {
            <div class="field" class:doubtful=doubt>
                <label for=input_id>{label}</label>
                {input}
                {match (error, doubt) {
                    (Some(e), _) => Some(view! { <span class="field-error" id=hint_id role="alert">{e}</span> }.into_any()),
                    (None, true) => Some(view! { <span class="hint doubt" id=hint_id>"Lecture incertaine : vérifiez."</span> }.into_any()),
                    _ => None,
                }}
            </div>
        }
    };
    let merge_form = format!("fusion-{}", id.simple());
    // A refusal comes back to this product, not to the top of the page.
    let back = format!("{here}#produit-{id}");
    // A published product is not merged away from the campaign's search.
    let same_name_as = p.same_name_as.as_ref().filter(|_| p.status != "published");
    view! {
        <li class=format!("review-item {}", p.status) id=format!("produit-{id}")>
            <figure class="crop">
                {if p.has_crop {
                    view! { <img src=crop_href(campaign, id, version) alt=format!("Extrait de la page {} : {}", p.page, p.name) loading="lazy" decoding="async" /> }.into_any()
                } else {
                    view! { <p class="meta">"Pas d’extrait de page."</p> }.into_any()
                }}
                <figcaption>{format!("Page {}", p.page)}</figcaption>
            </figure>
            <form method="post" action=SaveProduct::url() class="product-form" data-once="">
                {hidden("campaign", campaign)}
                {hidden("product", id)}
                {hidden("retour", here)}
                {hidden(PAGE_FIELD, back.clone())}
                <p class="product-head">
                    <span class=format!("badge {}", p.status)>{status_label(&p.status)}</span>
                    {(selectable && p.status == "staged").then(|| view! {
                        <label class="check">
                            <input type="checkbox" form="approuver" name=format!("ids[{i}]") value=id.to_string() />
                            " Sélectionner"<span class="visually-hidden">{format!(" {}", p.reference)}</span>
                        </label>
                    })}
                </p>
                <div class="grid-fields">
                    {field("reference", "Référence", p.reference.clone(), doubtful("reference", p.confidence.reference), false)}
                    {field("price", "Prix HT (€)", price_field(p.price_cents), doubtful("price_cents", p.confidence.price), false)}
                    {field("name", "Nom", p.name.clone(), doubtful("name", p.confidence.name), false)}
                    {field("description", "Description", p.description.clone(), doubtful("description", p.confidence.description) && !p.description.is_empty(), true)}
                </div>
                {same_name_as.map(|(other, reference)| view! {
                    <p class="duplicate">
                        {format!("Même nom que {reference} : doublon ? ")}
                        <button type="submit" form=merge_form.clone() class="secondary">{format!("Fusionner dans {reference}")}</button>
                    </p>
                    <input type="hidden" form=merge_form.clone() name="into" value=other.to_string() />
                })}
                <div class="actions">
                    {match p.status.as_str() {
                        // The first button is the one Enter presses: saving, never approving.
                        "staged" => view! {
                            <button type="submit" name="decision" value="enregistrer" class="secondary">"Enregistrer"</button>
                            <button type="submit" name="decision" value="approuver">"Approuver"</button>
                            <button type="submit" name="decision" value="rejeter" class="secondary danger">"Rejeter"</button>
                        }.into_any(),
                        "rejected" => view! {
                            <button type="submit" name="decision" value="remettre" class="secondary">"Remettre à vérifier"</button>
                        }.into_any(),
                        _ => view! {
                            <button type="submit" name="decision" value="enregistrer">"Enregistrer"</button>
                            <button type="submit" name="decision" value="rejeter" class="secondary danger">"Retirer"</button>
                        }.into_any(),
                    }}
                </div>
            </form>
            {same_name_as.is_some().then(|| view! {
                <form method="post" action=MergeProduct::url() id=merge_form.clone() hidden data-once="">
                    {hidden("campaign", campaign)}
                    {hidden("product", id)}
                    {hidden("retour", here)}
                    {hidden(PAGE_FIELD, back.clone())}
                </form>
            })}
        </li>
    }
}

fn pager(path: &str, filter: &str, offset: i64, shown: i64, total: i64) -> impl IntoView {
    let href = |offset: i64| format!("{path}?vue={filter}&apres={offset}");
    (total > shown).then(|| {
        view! {
            <nav class="pager" aria-label="Pages de produits">
                <span>{format!("Produits {} à {} sur {total}", offset + 1, offset + shown)}</span>
                {(offset > 0).then(|| view! { <a class="button secondary" href=href((offset - REVIEW_PAGE).max(0)) rel="external">"← Précédents"</a> })}
                {(offset + shown < total).then(|| view! { <a class="button secondary" href=href(offset + shown) rel="external">"Suivants →"</a> })}
            </nav>
        }
    })
}

#[cfg(test)]
mod tests {
    use super::plural;

    #[test]
    fn counts_are_singular_up_to_one_as_in_french() {
        assert_eq!(plural(0, "publié", "publiés"), "0 publié");
        assert_eq!(plural(1, "publié", "publiés"), "1 publié");
        assert_eq!(plural(12, "publié", "publiés"), "12 publiés");
    }
}
