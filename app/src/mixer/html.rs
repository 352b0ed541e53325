//! The mixer's pages, written by the server (Leptos escapes every value; a mail's HTML is
//! ammonia's): the rep's templates (`/compte/modeles`), a template's form, the products a prospect
//! liked (`/campagnes/:id/produits/:prospect`) and the mixer
//! (`/campagnes/:id/mixer`). Every action is a plain form, so it works before any WASM.

use std::collections::HashMap;

use leptos::prelude::*;
use leptos::server_fn::ServerFn;
use uuid::Uuid;

use super::{
    api::{
        interests_path, mixer_page, mixer_path, template_path, AddInterest, DeleteTemplate,
        QueueMixer, RemoveInterest, SaveInterestNotes, SaveTemplate, SendMixerTest,
        NEW_TEMPLATE_PATH, ROUNDS, TEMPLATES_PATH,
    },
    render::Rendered,
    repo::{Recipient, SavedTemplate},
    template::FIELDS,
};
use crate::{
    catalog::{price::format_price, repo::Published},
    error::AppError,
    prospects::{
        model::CampaignName,
        ui::{campaign_tabs, Tab},
    },
    ui::{
        server_html, textarea_text,
        written::{hidden, notice, refused},
    },
};

/// The pages' own stylesheet (`style/mixer.css`), and the board's script module: search as
/// the rep types, and a form tapped twice posts once.
fn stylesheet() -> impl IntoView {
    view! {
        {crate::board::html::page_stylesheet("mixer-css.txt")}
        {crate::board::html::script_src().map(|src| view! { <script type="module" src=src data-board-script=""></script> })}
    }
}

/// "1 contact", "2 contacts".
fn plural(n: usize, one: &str, many: &str) -> String {
    format!("{n} {}", if n > 1 { many } else { one })
}

/// A field's value as typed before a refused post of `action`, else `value`; and its error.
struct Typed {
    returned: Option<crate::ui::plain_post::Returned>,
}

impl Typed {
    fn new(action: &str) -> Self {
        Typed {
            returned: crate::ui::flash::returned_to(action),
        }
    }

    fn value(&self, name: &str, value: String) -> String {
        self.returned
            .as_ref()
            .and_then(|r| r.fields.iter().find(|(n, _)| n == name))
            .map_or(value, |(_, v)| v.clone())
    }

    fn error(&self, name: &str) -> Option<String> {
        self.returned.as_ref().and_then(|r| r.error.field(name))
    }

    fn error_view(&self, name: &str) -> Option<impl IntoView> {
        self.error(name)
            .map(|e| view! { <span class="field-error" role="alert">{e}</span> })
    }
}

/// `/compte/modeles`: the rep's templates.
pub struct TemplatesPage {
    pub templates: Vec<SavedTemplate>,
}

pub fn templates_page(page: &TemplatesPage) -> String {
    server_html(view! {
        {stylesheet()}
        <h1>"Modèles de mail"</h1>
        {notice(TEMPLATES_PATH)}
        <p class="hint">"Un modèle sert à toutes vos campagnes : le mixer en fait un mail personnel par prospect, avec les produits qui l’ont intéressé."</p>
        <p><a rel="external" class="button" href=NEW_TEMPLATE_PATH>"Nouveau modèle"</a></p>
        {if page.templates.is_empty() {
            view! { <p class="empty">"Aucun modèle pour l’instant."</p> }.into_any()
        } else {
            view! {
                <ul class="templates">
                    {page.templates.iter().map(|t| view! {
                        <li class="card">
                            <a rel="external" href=template_path(t.id)><strong>{t.name.clone()}</strong></a>
                            <span class="meta">{t.subject.clone()}</span>
                        </li>
                    }).collect_view()}
                </ul>
            }.into_any()
        }}
    })
}

/// `/compte/modeles/nouveau` and `/compte/modeles/:id`: a template's form.
pub struct TemplatePage {
    pub template: Option<SavedTemplate>,
}

/// What a new template starts with.
const STARTER_SUBJECT: &str = "Suite à notre rencontre au salon {{salon}}";
const STARTER_BODY: &str = "Bonjour {{prenom|Madame, Monsieur}},\n\nMerci de votre visite sur notre stand au salon {{salon}}. Comme convenu, voici les produits dont nous avons parlé :\n\n{{produits}}\n\nJe reste à votre disposition pour un devis ou une démonstration.\n\nBien cordialement,";

pub fn template_page(page: &TemplatePage) -> String {
    let t = page.template.as_ref();
    let typed = Typed::new(SaveTemplate::url());
    let title = t.map_or("Nouveau modèle".to_string(), |t| t.name.clone());
    let path = t.map_or(NEW_TEMPLATE_PATH.to_string(), |t| template_path(t.id));
    server_html(view! {
        {stylesheet()}
        <p><a rel="external" class="back" href=TEMPLATES_PATH>"← Modèles de mail"</a></p>
        <h1>{title}</h1>
        {notice(&path)}
        {refused(&[DeleteTemplate::url()])}
        <form method="post" action=SaveTemplate::url() class="stack card" data-once="">
            {t.map(|t| hidden("id", t.id))}
            <label class="field">
                <span>"Nom du modèle"</span>
                <input name="name" required maxlength="200" value=typed.value("name", t.map_or(String::new(), |t| t.name.clone()))
                    aria-invalid=typed.error("name").is_some().to_string() />
                {typed.error_view("name")}
            </label>
            <label class="field">
                <span>"Objet"</span>
                <input name="subject" required maxlength="500" value=typed.value("subject", t.map_or(STARTER_SUBJECT.to_string(), |t| t.subject.clone()))
                    aria-invalid=typed.error("subject").is_some().to_string() />
                {typed.error_view("subject")}
            </label>
            <label class="field">
                <span>"Message (Markdown : **gras**, *italique*, listes avec « - »)"</span>
                <textarea name="body" required rows="14" aria-invalid=typed.error("body").is_some().to_string()
                    inner_html=textarea_text(&typed.value("body", t.map_or(STARTER_BODY.to_string(), |t| t.body.clone())))></textarea>
                {typed.error_view("body")}
            </label>
            <details class="fields-help">
                <summary>"Champs de fusion"</summary>
                <p class="hint">"Écrivez un champ entre doubles accolades ; après une barre, le texte à mettre quand le contact n’a pas la valeur : {{prenom|Madame, Monsieur}}. Votre signature et le lien de désinscription sont ajoutés à la fin de chaque mail."</p>
                <ul>
                    {FIELDS.iter().map(|(name, _, what)| view! {
                        <li><code>{format!("{{{{{name}}}}}")}</code>" : "{*what}</li>
                    }).collect_view()}
                </ul>
            </details>
            <button type="submit">"Enregistrer"</button>
        </form>
        {t.map(|t| view! {
            <form method="post" action=DeleteTemplate::url() data-once="" class="danger-zone">
                {hidden("id", t.id)}
                <button type="submit" class="secondary danger">"Supprimer ce modèle"</button>
            </form>
        })}
    })
}

/// `/campagnes/:id/produits/:prospect`: what a prospect liked, and the campaign's
/// published products to add.
pub struct InterestsPage {
    pub campaign: CampaignName,
    pub recipient: Recipient,
    pub q: String,
    pub found: Vec<Published>,
    pub found_total: i64,
}

pub fn interests_page(page: &InterestsPage) -> String {
    let campaign = page.campaign.id;
    let r = &page.recipient;
    let path = interests_path(campaign, r.id);
    let name = r.contact.display_name();
    let who = if name.is_empty() {
        r.contact.email.clone()
    } else {
        name
    };
    let liked: std::collections::HashSet<Uuid> = r.interests.iter().map(|(id, _)| *id).collect();
    server_html(view! {
        {stylesheet()}
        <p><a class="back" href=format!("/campagnes/{campaign}/prospects/{}", r.id)>{format!("← {who}")}</a></p>
        <h1>{format!("Produits d’intérêt · {who}")}</h1>
        <p class="meta">{[r.contact.company.clone(), r.contact.email.clone()].into_iter().filter(|s| !s.is_empty()).collect::<Vec<_>>().join(" · ")}</p>
        {notice(&path)}
        {refused(&[AddInterest::url(), RemoveInterest::url(), SaveInterestNotes::url()])}
        <section class="card" aria-labelledby="titre-interets">
            <h2 id="titre-interets">{format!("Ses produits ({})", r.interests.len())}</h2>
            {if r.interests.is_empty() {
                view! { <p class="empty">"Aucun produit noté : ajoutez ceux qui l’ont intéressé ci-dessous."</p> }.into_any()
            } else {
                view! {
                    <ul class="liked">
                        {r.interests.iter().enumerate().map(|(i, (id, p))| view! {
                            <li class="liked-item">
                                <div class="liked-head">
                                    <span class="reference">{p.reference.clone()}</span>
                                    <strong>{p.name.clone()}</strong>
                                    <span class="price">{format!("{}\u{202F}HT", format_price(p.price_cents, &p.currency))}</span>
                                    <form method="post" action=RemoveInterest::url() data-once="">
                                        {hidden("campaign", campaign)}
                                        {hidden("prospect", r.id)}
                                        {hidden("product", id)}
                                        <button type="submit" class="secondary" aria-label=format!("Retirer {}", p.name)>"Retirer"</button>
                                    </form>
                                </div>
                                <input type="hidden" form="notes" name=format!("products[{i}]") value=id.to_string() />
                                <label class="field">
                                    <span>"Note sur ce produit"</span>
                                    <textarea form="notes" name=format!("notes[{i}]") rows="2" maxlength="2000" inner_html=textarea_text(&p.note)></textarea>
                                </label>
                            </li>
                        }).collect_view()}
                    </ul>
                }.into_any()
            }}
            <label class="field">
                <span>"Note sur ce contact (pour cette campagne)"</span>
                <textarea form="notes" name="note" rows="3" maxlength="4000" inner_html=textarea_text(&r.note)></textarea>
            </label>
            <form id="notes" method="post" action=SaveInterestNotes::url() data-once="">
                {hidden("campaign", campaign)}
                {hidden("prospect", r.id)}
                <button type="submit">"Enregistrer les notes"</button>
            </form>
        </section>
        <section class="card" aria-labelledby="titre-ajouter">
            <h2 id="titre-ajouter">"Ajouter un produit"</h2>
            <form method="get" action=path.clone() class="search" role="search" data-live="">
                <label class="field">
                    <span>"Rechercher dans les produits publiés"</span>
                    <input type="search" name="q" value=page.q.clone() maxlength="200" placeholder="Nom, référence" autocomplete="off" />
                </label>
                <button type="submit" class="secondary">"Rechercher"</button>
            </form>
            <div data-live-results="">
            {if page.found.is_empty() {
                let text = if page.q.trim().is_empty() {
                    "Aucun produit publié dans cette campagne : publiez ceux du catalogue d’abord.".to_string()
                } else {
                    format!("Aucun produit publié ne correspond à « {} ».", page.q.trim())
                };
                view! { <p class="empty">{text}</p> }.into_any()
            } else {
                view! {
                    <ul class="pick">
                        {page.found.iter().map(|p| {
                            let there = liked.contains(&p.id);
                            view! {
                                <li>
                                    <form method="post" action=AddInterest::url() data-once="">
                                        {hidden("campaign", campaign)}
                                        {hidden("prospect", r.id)}
                                        {hidden("product", p.id)}
                                        {hidden("q", page.q.clone())}
                                        <button type="submit" class="pick-button" disabled=there aria-pressed=there.to_string()>
                                            <span class="reference">{p.reference.clone()}</span>
                                            <strong>{p.name.clone()}</strong>
                                            <span class="price">{format!("{}\u{202F}HT", format_price(p.price_cents, &p.currency))}</span>
                                            <span class="add">{if there { "✓ Noté" } else { "+ Ajouter" }}</span>
                                        </button>
                                    </form>
                                </li>
                            }
                        }).collect_view()}
                    </ul>
                    {(page.found_total > page.found.len() as i64).then(|| view! {
                        <p class="hint">{format!("Et {} autres : précisez la recherche.", page.found_total - page.found.len() as i64)}</p>
                    })}
                }.into_any()
            }}
            </div>
        </section>
        <p><a rel="external" class="button secondary" href=mixer_path(campaign)>"Aller au mixer"</a></p>
    })
}

/// `/campagnes/:id/mixer`.
pub struct MixerPage {
    pub campaign: CampaignName,
    pub templates: Vec<SavedTemplate>,
    pub template: Option<Uuid>,
    pub round: i16,
    /// Every prospect of the campaign: id, name, products liked.
    pub roster: Vec<(Uuid, String, i64)>,
    /// The prospect previewed, and their mail (or why there is none).
    pub current: Option<(Recipient, Result<Rendered, AppError>)>,
    /// The last round queued to each prospect, and its mail's status.
    pub rounds: HashMap<Uuid, (i16, String)>,
    pub mailbox: bool,
    /// When the mails of those with a product would all have gone, queued now (the rep's pace,
    /// what already waits included): "demain vers 9 h 10".
    pub finish: Option<String>,
}

fn round_label(round: i16) -> String {
    match round {
        1 => "Premier mail".to_string(),
        n => format!("Relance {}", n - 1),
    }
}

fn status_label(status: &str) -> &'static str {
    match status {
        "draft" => "brouillon",
        "ready" => "en attente",
        "sending" => "en cours d’envoi",
        "sent" => "envoyé",
        "failed" => "échec",
        "cancelled" => "annulé",
        "unknown" => "envoi incertain",
        "bounced" => "non distribué",
        _ => "—",
    }
}

pub fn mixer(page: &MixerPage) -> String {
    let campaign = page.campaign.id;
    let path = mixer_path(campaign);
    server_html(view! {
        {stylesheet()}
        <h1>{format!("Mixer · {}", page.campaign.name)}</h1>
        {campaign_tabs(campaign, Tab::Mixer)}
        <p><a rel="external" href=format!("/campagnes/{campaign}/stand")>"Écran du stand : noter les produits d’un visiteur"</a></p>
        {notice(&path)}
        {refused(&[QueueMixer::url(), SendMixerTest::url()])}
        {crate::ui::flash::returned_to(SaveTemplate::url()).map(|r| view! { <p class="alert error" role="alert">{r.error.message}</p> })}
        {(!page.mailbox).then(|| view! {
            <p class="alert error" role="alert">"Aucune boîte Outlook connectée : vos mails attendront que vous la connectiez dans "<a rel="external" href=crate::mail::api::SETTINGS_PATH>"Envoi des mails"</a>"."</p>
        })}
        {if page.templates.is_empty() {
            view! {
                <section class="card">
                    <p>"Le mixer fait un mail personnel par prospect à partir d’un modèle. Créez d’abord votre modèle."</p>
                    <p><a rel="external" class="button" href=NEW_TEMPLATE_PATH>"Créer un modèle"</a></p>
                </section>
            }.into_any()
        } else {
            view! {
                {choose(page)}
                {page.template.map(|template| view! {
                    {preview(page, template)}
                    {queue_form(page, template)}
                })}
            }.into_any()
        }}
    })
}

/// Which template and which round.
fn choose(page: &MixerPage) -> impl IntoView {
    let current = page.current.as_ref().map(|(r, _)| r.id);
    view! {
        <form method="get" action=mixer_path(page.campaign.id) class="card choose">
            {current.map(|p| hidden("prospect", p))}
            <label class="field">
                <span>"Modèle"</span>
                <select name="modele">
                    {page.templates.iter().map(|t| view! {
                        <option value=t.id.to_string() selected=page.template == Some(t.id)>{t.name.clone()}</option>
                    }).collect_view()}
                </select>
            </label>
            <label class="field">
                <span>"Envoi"</span>
                <select name="tour">
                    {(1..=ROUNDS).map(|n| view! {
                        <option value=n.to_string() selected=page.round == n>{round_label(n)}</option>
                    }).collect_view()}
                </select>
            </label>
            <button type="submit" class="secondary">"Afficher"</button>
            <a rel="external" href=TEMPLATES_PATH>"Gérer les modèles"</a>
        </form>
    }
}

/// The mail for the current prospect, and the way to the others.
fn preview(page: &MixerPage, template: Uuid) -> impl IntoView {
    let campaign = page.campaign.id;
    let Some((recipient, rendered)) = page.current.as_ref() else {
        return view! {
            <section class="card"><p class="empty">"Aucun prospect dans cette campagne : importez-en ou ajoutez-en depuis l’onglet Prospects."</p></section>
        }
        .into_any();
    };
    let at = page
        .roster
        .iter()
        .position(|(id, _, _)| *id == recipient.id)
        .unwrap_or(0);
    let step = |to: Option<&(Uuid, String, i64)>, label: &'static str, rel: &'static str| {
        to.map(|(id, _, _)| {
            view! { <a class="button secondary" rel=rel href=mixer_page(campaign, template, Some(*id), page.round)>{label}</a> }
        })
    };
    // Written pages: the browser loads them (`external`), not the app's router.
    let prev = step(
        at.checked_sub(1).and_then(|i| page.roster.get(i)),
        "← Précédent",
        "prev external",
    );
    let next = step(page.roster.get(at + 1), "Suivant →", "next external");
    let who = {
        let name = recipient.contact.display_name();
        if name.is_empty() {
            recipient.contact.email.clone()
        } else {
            format!("{name} <{}>", recipient.contact.email)
        }
    };
    let (mail, error) = match rendered {
        Ok(mail) => (Some(mail), None),
        Err(e) => (
            None,
            Some(e.fields.values().cloned().collect::<Vec<_>>().join(" ")),
        ),
    };
    let warnings = mail.map(|m| m.warnings.clone()).unwrap_or_default();
    // Marked for the board's script, which shows here what the template being edited makes.
    let body = view! {
        <p class="alert error" role="alert" data-preview-error="" hidden=error.is_none()>{error.clone()}</p>
        <ul class="warnings" aria-label="Avertissements" data-preview-warnings="" hidden=warnings.is_empty()>
            {warnings.iter().map(|w| view! { <li>{w.clone()}</li> }).collect_view()}
        </ul>
        <p class="subject"><span class="meta">"Objet : "</span><strong data-preview-subject="">{mail.map(|m| m.subject.clone())}</strong></p>
        <div class="mail-preview" data-preview-html="" inner_html=mail.map(|m| m.html.clone()).unwrap_or_default()></div>
        <details>
            <summary>"Version texte"</summary>
            <pre class="mail-text" data-preview-text="">{mail.map(|m| m.text.clone())}</pre>
        </details>
        {edit_template(page, template, recipient.id, error.is_some())}
        <form method="post" action=SendMixerTest::url() data-once="">
            {hidden("campaign", campaign)}
            {hidden("template", template)}
            {hidden("prospect", recipient.id)}
            {hidden("round", page.round)}
            {hidden("key", Uuid::new_v4())}
            <button type="submit" class="secondary">"M’envoyer un test"</button>
        </form>
    };
    view! {
        <section class="card preview" aria-labelledby="titre-apercu">
            <h2 id="titre-apercu">{format!("Aperçu · {} sur {}", at + 1, page.roster.len())}</h2>
            <div class="stepper">
                {prev}
                <p class="to"><span class="meta">"À : "</span>{who}</p>
                {next}
            </div>
            <p><a rel="external" href=interests_path(campaign, recipient.id)>{format!("Ses produits d’intérêt ({})", recipient.interests.len())}</a></p>
            {body}
        </section>
    }
    .into_any()
}

/// The template, edited beside its preview: the board's script previews what is typed
/// (`POST /mixer/preview`), saving keeps it for every campaign.
fn edit_template(page: &MixerPage, template: Uuid, prospect: Uuid, open: bool) -> impl IntoView {
    let typed = Typed::new(SaveTemplate::url());
    let saved = page.templates.iter().find(|t| t.id == template);
    let subject = typed.value(
        "subject",
        saved.map(|t| t.subject.clone()).unwrap_or_default(),
    );
    let body = typed.value("body", saved.map(|t| t.body.clone()).unwrap_or_default());
    let open = open || typed.returned.is_some();
    view! {
        <details class="edit-template" open=open>
            <summary>"Modifier ce modèle (l’aperçu suit)"</summary>
            <form method="post" action=SaveTemplate::url() class="stack" data-once=""
                data-preview="/mixer/preview" data-campaign=page.campaign.id.to_string() data-prospect=prospect.to_string()>
                {hidden("id", template)}
                {hidden("name", saved.map(|t| t.name.clone()).unwrap_or_default())}
                {hidden("mixer[campaign]", page.campaign.id)}
                {hidden("mixer[prospect]", prospect)}
                {hidden("mixer[round]", page.round)}
                <label class="field">
                    <span>"Objet du modèle"</span>
                    <input name="subject" required maxlength="500" value=subject aria-invalid=typed.error("subject").is_some().to_string() />
                    {typed.error_view("subject")}
                </label>
                <label class="field">
                    <span>"Message du modèle"</span>
                    <textarea name="body" required rows="10" aria-invalid=typed.error("body").is_some().to_string()
                        inner_html=textarea_text(&body)></textarea>
                    {typed.error_view("body")}
                </label>
                <button type="submit">"Enregistrer le modèle"</button>
            </form>
        </details>
    }
}

/// Who to send to, and the button.
fn queue_form(page: &MixerPage, template: Uuid) -> impl IntoView {
    let campaign = page.campaign.id;
    let with_products = page.roster.iter().filter(|(_, _, n)| *n > 0).count();
    view! {
        <section class="card" aria-labelledby="titre-file">
            <h2 id="titre-file">{format!("Mettre en file d’attente · {}", round_label(page.round))}</h2>
            <p class="hint">"Chaque prospect reçoit un seul mail par envoi : remettre en file ne l’ajoute pas deux fois, et un autre modèle remplace le mail qui n’est pas encore parti. Les contacts « ne plus contacter » sont écartés."</p>
            {page.finish.clone().map(|when| view! {
                <p class="finish">{format!("Mis en file maintenant, les mails de ceux qui ont un produit d’intérêt seront tous partis {when}, à votre rythme d’envoi.")}</p>
            })}
            <form method="post" action=QueueMixer::url() data-once="" class="stack">
                {hidden("campaign", campaign)}
                {hidden("template", template)}
                {hidden("round", page.round)}
                <fieldset>
                    <legend>"À qui"</legend>
                    <label class="check"><input type="radio" name="selection" value="produits" checked={with_products > 0} />
                        <span>{format!("Ceux qui ont un produit d’intérêt ({with_products})")}</span></label>
                    <label class="check"><input type="radio" name="selection" value="tous" checked={with_products == 0} />
                        <span>{format!("Tous les prospects de la campagne ({})", page.roster.len())}</span></label>
                    <label class="check"><input type="radio" name="selection" value="choisis" />
                        <span>"Ceux que je coche ci-dessous"</span></label>
                </fieldset>
                <details>
                    <summary>{plural(page.roster.len(), "prospect", "prospects")}</summary>
                    <ul class="roster">
                        {page.roster.iter().enumerate().map(|(i, (id, name, products))| {
                            let sent = page.rounds.get(id).map(|(round, status)| format!(" · {} : {}", round_label(*round), status_label(status)));
                            view! {
                                <li><label class="check">
                                    <input type="checkbox" name=format!("ids[{i}]") value=id.to_string() />
                                    <span>{name.clone()}<span class="meta">{format!(" · {}", plural(*products as usize, "produit", "produits"))}{sent}</span></span>
                                </label></li>
                            }
                        }).collect_view()}
                    </ul>
                </details>
                <button type="submit">"Mettre en file d’attente"</button>
            </form>
            <p><a rel="external" href=crate::mail::api::sending_tab_path(campaign)>"Suivre les envois"</a></p>
        </section>
    }
}

/// `/campagnes/:id/stand`: the moment a visitor leaves the stand, in a few taps.
pub struct StandPage {
    pub campaign: CampaignName,
    /// The contact search, or (a visitor chosen) the product search.
    pub q: String,
    /// Contacts found (no visitor chosen): id, name, company, address.
    pub contacts: Vec<crate::prospects::model::ProspectLine>,
    pub chosen: Option<Recipient>,
    pub products: Vec<Published>,
    pub products_total: i64,
}

pub fn stand(page: &StandPage) -> String {
    use super::api::{stand_path, StandAddContact, StandDone};
    let campaign = page.campaign.id;
    let path = format!("/campagnes/{campaign}/stand");
    let body = match &page.chosen {
        None => {
            let typed = Typed::new(StandAddContact::url());
            let field = |name: &'static str,
                         label: &'static str,
                         kind: &'static str,
                         required: bool| {
                let key = format!("prospect[{name}]");
                view! {
                    <label class="field">
                        <span>{label}</span>
                        <input name=key.clone() type=kind required=required maxlength="300" autocomplete="off"
                            value=typed.value(&key, String::new()) aria-invalid=typed.error(name).is_some().to_string() />
                        {typed.error_view(name)}
                    </label>
                }
            };
            view! {
                <section class="card" aria-labelledby="titre-nouveau">
                    <h2 id="titre-nouveau">"Nouveau contact"</h2>
                    <form method="post" action=StandAddContact::url() class="stack" data-once="">
                        {hidden("campaign", campaign)}
                        {hidden("key", Uuid::new_v4())}
                        {field("email", "E-mail", "email", true)}
                        <div class="row">
                            {field("first_name", "Prénom", "text", false)}
                            {field("last_name", "Nom", "text", false)}
                        </div>
                        <div class="row">
                            {field("company", "Société", "text", false)}
                            {field("phone", "Téléphone", "tel", false)}
                        </div>
                        <button type="submit">"Ajouter et choisir ses produits"</button>
                    </form>
                </section>
                <section class="card" aria-labelledby="titre-trouver">
                    <h2 id="titre-trouver">"Ou retrouver un contact"</h2>
                    <form method="get" action=path.clone() class="search" role="search" data-live="">
                        <label class="field">
                            <span>"Nom, société ou e-mail"</span>
                            <input type="search" name="q" value=page.q.clone() maxlength="200" autocomplete="off" />
                        </label>
                        <button type="submit" class="secondary">"Chercher"</button>
                    </form>
                    <div data-live-results="">
                    {if page.contacts.is_empty() {
                        view! { <p class="empty">{if page.q.trim().is_empty() { "Aucun contact dans cette campagne pour l’instant." } else { "Aucun contact ne correspond." }}</p> }.into_any()
                    } else {
                        view! {
                            <ul class="pick">
                                {page.contacts.iter().map(|c| view! {
                                    <li><a rel="external" class="pick-button" href=stand_path(campaign, Some(c.id))>
                                        <strong>{if c.name.trim().is_empty() { c.email.clone() } else { c.name.clone() }}</strong>
                                        <span class="meta">{[c.company.clone(), c.email.clone()].into_iter().filter(|s| !s.is_empty()).collect::<Vec<_>>().join(" · ")}</span>
                                    </a></li>
                                }).collect_view()}
                            </ul>
                        }.into_any()
                    }}
                    </div>
                </section>
            }
            .into_any()
        }
        Some(r) => {
            let name = r.contact.display_name();
            let who = if name.is_empty() {
                r.contact.email.clone()
            } else {
                name
            };
            let liked: std::collections::HashSet<Uuid> =
                r.interests.iter().map(|(id, _)| *id).collect();
            let here = stand_path(campaign, Some(r.id));
            view! {
                <section class="card visitor" aria-labelledby="titre-visiteur">
                    <h2 id="titre-visiteur">{who}</h2>
                    <p class="meta">{[r.contact.company.clone(), r.contact.email.clone()].into_iter().filter(|s| !s.is_empty()).collect::<Vec<_>>().join(" · ")}</p>
                    <p><a rel="external" href=stand_path(campaign, None)>"Changer de contact"</a></p>
                </section>
                <section class="card" aria-labelledby="titre-produits">
                    <h2 id="titre-produits">{format!("Produits qui l’ont intéressé ({})", r.interests.len())}</h2>
                    <p class="hint">"Touchez un produit pour le noter, touchez-le encore pour le retirer."</p>
                    <form method="get" action=path.clone() class="search" role="search" data-live="">
                        {hidden("prospect", r.id)}
                        <label class="field">
                            <span>"Filtrer les produits"</span>
                            <input type="search" name="q" value=page.q.clone() maxlength="200" autocomplete="off" />
                        </label>
                        <button type="submit" class="secondary">"Filtrer"</button>
                    </form>
                    <div data-live-results="">
                    {if page.products.is_empty() {
                        view! { <p class="empty">"Aucun produit publié ne correspond : publiez ceux du catalogue d’abord."</p> }.into_any()
                    } else {
                        view! {
                            <ul class="pick">
                                {page.products.iter().map(|p| {
                                    let there = liked.contains(&p.id);
                                    let action = if there { RemoveInterest::url() } else { AddInterest::url() };
                                    view! {
                                        <li>
                                            <form method="post" action=action data-once="">
                                                {hidden("campaign", campaign)}
                                                {hidden("prospect", r.id)}
                                                {hidden("product", p.id)}
                                                {hidden("q", page.q.clone())}
                                                {hidden("retour", "stand")}
                                                <button type="submit" class="pick-button" aria-pressed=there.to_string()>
                                                    <span class="reference">{p.reference.clone()}</span>
                                                    <strong>{p.name.clone()}</strong>
                                                    <span class="price">{format!("{}\u{202F}HT", format_price(p.price_cents, &p.currency))}</span>
                                                    <span class="add">{if there { "✓ Noté" } else { "+" }}</span>
                                                </button>
                                            </form>
                                        </li>
                                    }
                                }).collect_view()}
                            </ul>
                            {(page.products_total > page.products.len() as i64).then(|| view! {
                                <p class="hint">{format!("Et {} autres : filtrez.", page.products_total - page.products.len() as i64)}</p>
                            })}
                        }.into_any()
                    }}
                    </div>
                </section>
                <section class="card" aria-labelledby="titre-note">
                    <h2 id="titre-note">"Note"</h2>
                    <form method="post" action=StandDone::url() class="stack" data-once="">
                        {hidden("campaign", campaign)}
                        {hidden("prospect", r.id)}
                        <label class="field">
                            <span>"Ce qu’il faut retenir (projet, délai, budget…)"</span>
                            <textarea name="note" rows="3" maxlength="4000" inner_html=textarea_text(&r.note)></textarea>
                        </label>
                        <button type="submit">"Terminé — contact suivant"</button>
                    </form>
                    <p><a rel="external" href=interests_path(campaign, r.id)>"Notes par produit"</a>" · "<a rel="external" href=here>"Recharger"</a></p>
                </section>
            }
            .into_any()
        }
    };
    server_html(view! {
        {stylesheet()}
        <h1>{format!("Stand · {}", page.campaign.name)}</h1>
        {notice(&path)}
        {refused(&[super::api::StandAddContact::url(), StandDone::url(), AddInterest::url(), RemoveInterest::url()])}
        {body}
    })
}
