//! The mixer's server functions (plain forms, answered with a page and a notice) and the
//! preview they and `POST /mixer/preview` share. Every one finds nothing of another rep's.

use std::collections::BTreeMap;

use leptos::prelude::*;
use uuid::Uuid;

use super::{
    render::{compose, Merge, Rendered},
    repo::{self, Queued, Recipient, Selection},
    template::{Field, Template},
};
use crate::{
    auth::require_user,
    error::{AppError, FormAnswer},
    state::{clock, config, jobs, pool},
    ui::{notice::Saved, plain_post::answered},
};

/// The rep's templates.
pub const TEMPLATES_PATH: &str = "/compte/modeles";
/// A new template's form.
pub const NEW_TEMPLATE_PATH: &str = "/compte/modeles/nouveau";
/// Rounds a rep may queue: the first mail, then follow-ups.
pub const ROUNDS: i16 = 3;

pub fn template_path(id: Uuid) -> String {
    format!("{TEMPLATES_PATH}/{id}")
}

pub fn mixer_path(campaign: Uuid) -> String {
    format!("/campagnes/{campaign}/mixer")
}

pub fn interests_path(campaign: Uuid, prospect: Uuid) -> String {
    format!("/campagnes/{campaign}/produits/{prospect}")
}

/// The stand screen of `campaign`, for `prospect` if one is chosen.
pub fn stand_path(campaign: Uuid, prospect: Option<Uuid>) -> String {
    match prospect {
        Some(p) => format!("/campagnes/{campaign}/stand?prospect={p}"),
        None => format!("/campagnes/{campaign}/stand"),
    }
}

/// Where a product's form sends the rep back: the stand screen (`retour=stand`), else the
/// prospect's products page. Nothing else: a client's value is never a redirect target.
fn back(campaign: Uuid, prospect: Uuid, retour: &str, q: &str) -> String {
    if retour == "stand" {
        let page = stand_path(campaign, Some(prospect));
        let q = q.trim();
        if q.is_empty() {
            page
        } else {
            let encoded: String = form_urlencoded::byte_serialize(q.as_bytes()).collect();
            format!("{page}&q={encoded}")
        }
    } else {
        with_query(interests_path(campaign, prospect), q)
    }
}

/// A template's subject and body, checked: the refusals per field, with where they are.
pub fn check_template(subject: &str, body: &str) -> Result<(Template, Template), AppError> {
    let mut fields = BTreeMap::new();
    let subject_t = match Template::parse(subject.trim()) {
        Ok(t) if t.fields().contains(&Field::Products) => {
            fields.insert(
                "subject".to_string(),
                "L’objet ne peut pas contenir {{produits}} : placez les produits dans le message."
                    .to_string(),
            );
            None
        }
        Ok(t) => Some(t),
        Err(e) => {
            fields.insert("subject".to_string(), format!("Objet : {e}"));
            None
        }
    };
    if subject.trim().is_empty() {
        fields.insert("subject".to_string(), "Saisissez un objet.".to_string());
    } else if subject.chars().count() > 500 || subject.contains(['\n', '\r']) {
        fields.insert(
            "subject".to_string(),
            "L’objet tient sur une ligne de 500 caractères au plus.".to_string(),
        );
    }
    let body_t = match Template::parse(body) {
        Ok(t) => Some(t),
        Err(e) => {
            fields.insert("body".to_string(), format!("Message : {e}"));
            None
        }
    };
    if body.trim().is_empty() {
        fields.insert("body".to_string(), "Saisissez le message.".to_string());
    } else if body.chars().count() > 50_000 {
        fields.insert(
            "body".to_string(),
            "Le message dépasse 50 000 caractères.".to_string(),
        );
    }
    match (subject_t, body_t) {
        (Some(s), Some(b)) if fields.is_empty() => Ok((s, b)),
        _ => Err(AppError::invalid(fields)),
    }
}

/// Which template a preview or a queue uses.
pub enum Source {
    Saved(Uuid),
    Inline { subject: String, body: String },
}

/// What every mail of a campaign shares: its show, its sender, its template.
pub struct Mixing {
    pub campaign: repo::CampaignContext,
    pub sender: super::render::Sender,
    pub subject: Template,
    pub body: Template,
    pub template: Option<repo::SavedTemplate>,
    /// The rep's mailbox can send.
    pub mailbox: bool,
    opt_out: super::opt_out::OptOutKey,
    public_url: String,
    owner: Uuid,
}

impl Mixing {
    /// Reads what the campaign's mails share (`not found` when the campaign or the template
    /// is not the rep's; a template that does not read is refused with where).
    pub async fn new(
        pool: &sqlx::PgPool,
        config: &crate::config::Config,
        owner: Uuid,
        campaign: Uuid,
        source: Source,
    ) -> Result<Mixing, AppError> {
        let (context, sender, mailbox) = tokio::try_join!(
            repo::campaign(pool, owner, campaign),
            repo::sender(pool, owner),
            crate::mail::repo::mailbox(pool, owner),
        )?;
        let campaign = context.ok_or_else(AppError::not_found)?;
        let (template, subject, body) = match source {
            Source::Saved(id) => {
                let t = repo::template(pool, owner, id)
                    .await?
                    .ok_or_else(AppError::not_found)?;
                let (s, b) = check_template(&t.subject, &t.body)?;
                (Some(t), s, b)
            }
            Source::Inline { subject, body } => {
                let (s, b) = check_template(&subject, &body)?;
                (None, s, b)
            }
        };
        Ok(Mixing {
            campaign,
            sender,
            subject,
            body,
            template,
            mailbox: mailbox.is_some_and(|m| m.status == "active"),
            opt_out: config.opt_out_key(),
            public_url: config.public_url.clone(),
            owner,
        })
    }

    /// The mail for `recipient`.
    pub fn mail(&self, recipient: &Recipient) -> Rendered {
        let interests: Vec<_> = recipient.interests.iter().map(|(_, i)| i.clone()).collect();
        let url = self.opt_out.url(&self.public_url, self.owner, recipient.id);
        let mut rendered = compose(
            &self.subject,
            &self.body,
            &Merge {
                contact: &recipient.contact,
                show: &self.campaign.show,
                distributor: &self.campaign.distributor,
                interests: &interests,
                sender: &self.sender,
                opt_out_url: Some(&url),
            },
        );
        if !self.mailbox {
            rendered.warnings.push(
                "Aucune boîte Outlook connectée : connectez-la dans « Envoi des mails » pour que ce mail parte."
                    .to_string(),
            );
        }
        rendered
    }
}

/// The mail `source` makes for `prospect` of `campaign`.
pub async fn preview(
    pool: &sqlx::PgPool,
    config: &crate::config::Config,
    owner: Uuid,
    campaign: Uuid,
    prospect: Uuid,
    source: Source,
) -> Result<Rendered, AppError> {
    let mixing = Mixing::new(pool, config, owner, campaign, source).await?;
    let recipient = repo::recipient(pool, owner, campaign, prospect)
        .await?
        .ok_or_else(AppError::not_found)?;
    Ok(mixing.mail(&recipient))
}

/// Where in the mixer a template was edited (`mixer[campaign]`, …): the rep goes back there.
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
pub struct MixerPlace {
    pub campaign: Uuid,
    #[serde(default)]
    pub prospect: Option<Uuid>,
    #[serde(default)]
    pub round: Option<i16>,
}

/// Saves a template (a new one when `id` is empty): subject and body are checked, a refusal
/// says where.
#[server(endpoint = "save_template", output = FormAnswer)]
pub async fn save_template(
    #[server(default)] id: Option<Uuid>,
    name: String,
    subject: String,
    body: String,
    #[server(default)] mixer: Option<MixerPlace>,
) -> Result<Saved<()>, AppError> {
    let user = require_user()?;
    let name = name.trim();
    let checked = check_template(&subject, &body);
    let mut fields = match &checked {
        Err(e) => e.fields.clone(),
        Ok(_) => BTreeMap::new(),
    };
    if name.is_empty() || name.chars().count() > 200 {
        fields.insert(
            "name".to_string(),
            "Donnez un nom au modèle (200 caractères au plus).".to_string(),
        );
    }
    if !fields.is_empty() {
        return Err(AppError::invalid(fields));
    }
    let saved = repo::save_template(&pool()?, user.id, id, name, subject.trim(), &body)
        .await?
        .ok_or_else(AppError::not_found)?;
    // Saved from the mixer: back to the same preview (an address Spine makes from ids).
    let page = match mixer {
        Some(at) => mixer_page(at.campaign, saved, at.prospect, at.round.unwrap_or(1)),
        None => template_path(saved),
    };
    Ok(answered("Modèle enregistré.", page))
}

/// Deletes a template (mails already queued keep their words).
#[server(endpoint = "delete_template", output = FormAnswer)]
pub async fn delete_template(id: Uuid) -> Result<Saved<()>, AppError> {
    let user = require_user()?;
    if !repo::delete_template(&pool()?, user.id, id).await? {
        return Err(AppError::not_found());
    }
    Ok(answered("Modèle supprimé.", TEMPLATES_PATH.to_string()))
}

/// Saves the signature every prospecting mail ends with, and the company its footer names.
#[server(endpoint = "save_signature", output = FormAnswer)]
pub async fn save_signature(signature: String, company: String) -> Result<Saved<()>, AppError> {
    let user = require_user()?;
    let mut fields = BTreeMap::new();
    if signature.chars().count() > 4000 {
        fields.insert(
            "signature".to_string(),
            "La signature dépasse 4 000 caractères.".to_string(),
        );
    }
    if company.trim().chars().count() > 300 {
        fields.insert(
            "company".to_string(),
            "Le nom de la société dépasse 300 caractères.".to_string(),
        );
    }
    if !fields.is_empty() {
        return Err(AppError::invalid(fields));
    }
    repo::save_signature(&pool()?, user.id, signature.trim(), company.trim()).await?;
    Ok(answered(
        "Signature enregistrée.",
        crate::mail::api::SETTINGS_PATH.to_string(),
    ))
}

/// Adds a published product of the campaign to what `prospect` liked.
#[server(endpoint = "add_interest", output = FormAnswer)]
pub async fn add_interest(
    campaign: Uuid,
    prospect: Uuid,
    product: Uuid,
    #[server(default)] q: String,
    #[server(default)] retour: String,
) -> Result<Saved<()>, AppError> {
    let user = require_user()?;
    if !repo::add_interest(&pool()?, user.id, campaign, prospect, product, "").await? {
        return Err(AppError::not_found());
    }
    Ok(answered(
        "Produit ajouté.",
        back(campaign, prospect, &retour, &q),
    ))
}

/// Removes a product from what `prospect` liked.
#[server(endpoint = "remove_interest", output = FormAnswer)]
pub async fn remove_interest(
    campaign: Uuid,
    prospect: Uuid,
    product: Uuid,
    #[server(default)] q: String,
    #[server(default)] retour: String,
) -> Result<Saved<()>, AppError> {
    let user = require_user()?;
    if !repo::remove_interest(&pool()?, user.id, campaign, prospect, product).await? {
        return Err(AppError::not_found());
    }
    Ok(answered(
        "Produit retiré.",
        back(campaign, prospect, &retour, &q),
    ))
}

/// The stand screen: a visitor leaving the stand, added to the campaign (or found again), then
/// their products tapped (see `add_interest`).
#[server(endpoint = "stand_add_contact", output = FormAnswer)]
pub async fn stand_add_contact(
    campaign: Uuid,
    key: Option<Uuid>,
    prospect: crate::prospects::model::ProspectFields,
) -> Result<Saved<()>, AppError> {
    let user = require_user()?;
    let (id, message) =
        crate::prospects::api::add_by_hand(&pool()?, &*config()?, user.id, campaign, key, prospect)
            .await?;
    Ok(answered(message, stand_path(campaign, Some(id))))
}

/// The stand screen's last tap: the note on the visitor, then the next visitor.
#[server(endpoint = "stand_done", output = FormAnswer)]
pub async fn stand_done(
    campaign: Uuid,
    prospect: Uuid,
    note: String,
) -> Result<Saved<()>, AppError> {
    let user = require_user()?;
    if note.chars().count() > 4000 {
        return Err(AppError::invalid_field(
            "note",
            "La note dépasse 4 000 caractères.",
        ));
    }
    let pool = pool()?;
    if !repo::save_note(&pool, user.id, campaign, prospect, note.trim()).await? {
        return Err(AppError::not_found());
    }
    Ok(answered(
        "Contact enregistré. Au suivant !",
        stand_path(campaign, None),
    ))
}

/// Saves the rep's notes: on the prospect, and on each product they liked.
#[server(endpoint = "save_interest_notes", output = FormAnswer)]
pub async fn save_interest_notes(
    campaign: Uuid,
    prospect: Uuid,
    note: String,
    #[server(default)] products: Vec<Uuid>,
    #[server(default)] notes: Vec<String>,
) -> Result<Saved<()>, AppError> {
    let user = require_user()?;
    if note.chars().count() > 4000 || notes.iter().any(|n| n.chars().count() > 2000) {
        return Err(AppError::invalid_field(
            "note",
            "Une note dépasse la longueur permise (4 000 caractères, 2 000 par produit).",
        ));
    }
    let pairs: Vec<(Uuid, String)> = products
        .into_iter()
        .zip(notes.into_iter().map(|n| n.trim().to_string()))
        .collect();
    if !repo::save_notes(&pool()?, user.id, campaign, prospect, note.trim(), &pairs).await? {
        return Err(AppError::not_found());
    }
    Ok(answered(
        "Notes enregistrées.",
        interests_path(campaign, prospect),
    ))
}

/// `path?q=…` (the search a rep was on), or `path`.
fn with_query(path: String, q: &str) -> String {
    let q = q.trim();
    if q.is_empty() {
        path
    } else {
        let encoded: String = form_urlencoded::byte_serialize(q.as_bytes()).collect();
        format!("{path}?q={encoded}")
    }
}

/// The mixer's page for `template`, `prospect` and `round`.
pub fn mixer_page(campaign: Uuid, template: Uuid, prospect: Option<Uuid>, round: i16) -> String {
    let mut path = format!("{}?modele={template}&tour={round}", mixer_path(campaign));
    if let Some(p) = prospect {
        path.push_str(&format!("&prospect={p}"));
    }
    path
}

/// Sends the rep the mail `template` makes for `prospect`, to their own address (through
/// the outbox, as every mail); `key` makes a double tap one test.
#[server(endpoint = "send_mixer_test", output = FormAnswer)]
pub async fn send_mixer_test(
    campaign: Uuid,
    template: Uuid,
    prospect: Uuid,
    round: i16,
    key: String,
) -> Result<Saved<()>, AppError> {
    let user = require_user()?;
    let pool = pool()?;
    let mixing = Mixing::new(
        &pool,
        &*config()?,
        user.id,
        campaign,
        Source::Saved(template),
    )
    .await?;
    let recipient = repo::recipient(&pool, user.id, campaign, prospect)
        .await?
        .ok_or_else(AppError::not_found)?;
    let (mailbox, key) = crate::mail::api::ready_for_test(&pool, user.id, &key).await?;
    let mail = mixing.mail(&recipient);
    let subject = format!("[Test] {}", mail.subject);
    let email = crate::mail::repo::NewEmail {
        campaign: None,
        prospect: None,
        kind: "test",
        status: "ready",
        idempotency_key: &format!("test:{key}"),
        to_address: &mailbox.address,
        to_name: &user.name,
        subject: &subject,
        html_body: &mail.html,
        text_body: &mail.text,
    };
    let mut tx = pool.begin().await?;
    let (_, added) = crate::mail::repo::add_email(&mut tx, user.id, &email, clock()?.now()).await?;
    tx.commit().await?;
    if added {
        jobs()?.wake_outbox().await?;
    }
    Ok(answered(
        format!(
            "Test en route vers {} : le mail de {} tel qu’il partira.",
            mailbox.address, recipient.contact.email
        ),
        mixer_page(campaign, template, Some(prospect), round),
    ))
}

/// Queues the mail `template` makes for each prospect of `selection` (`tous`, `produits`:
/// those with a product of interest, `choisis`: `ids`), round `round`: ready in the outbox.
/// Queuing again adds nothing; another template replaces a mail not yet sent.
#[server(endpoint = "queue_mixer", output = FormAnswer)]
pub async fn queue_mixer(
    campaign: Uuid,
    template: Uuid,
    round: i16,
    selection: String,
    #[server(default)] ids: Vec<Uuid>,
) -> Result<Saved<()>, AppError> {
    let user = require_user()?;
    let now = clock()?.now();
    let outcome = queue(
        &pool()?,
        &*config()?,
        user.id,
        campaign,
        (template, round),
        (&selection, ids),
        now,
    )
    .await?;
    if outcome.outcome.added + outcome.outcome.replaced > 0 {
        jobs()?.wake_outbox().await?;
    }
    Ok(answered(
        outcome.say(),
        mixer_page(campaign, template, None, round),
    ))
}

/// What a queue did, for the rep.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct QueueSaid {
    pub outcome: repo::QueueOutcome,
    /// Prospects left out: asked not to be contacted, or their address bounced.
    pub skipped: usize,
}

impl QueueSaid {
    pub fn say(&self) -> String {
        let o = self.outcome;
        let mut parts = Vec::new();
        let plural = |n: u64| if n > 1 { "s" } else { "" };
        if o.added > 0 {
            parts.push(format!(
                "{} mail{} mis en file d’attente",
                o.added,
                plural(o.added)
            ));
        }
        if o.replaced > 0 {
            parts.push(format!(
                "{} mail{} en attente refait{} avec ce modèle",
                o.replaced,
                plural(o.replaced),
                plural(o.replaced)
            ));
        }
        if o.unchanged > 0 {
            parts.push(format!(
                "{} déjà en file ou parti{} (inchangé{})",
                o.unchanged,
                plural(o.unchanged),
                plural(o.unchanged)
            ));
        }
        if self.skipped > 0 {
            parts.push(format!(
                "{} contact{} écarté{} (ne plus contacter ou adresse en échec)",
                self.skipped,
                plural(self.skipped as u64),
                plural(self.skipped as u64)
            ));
        }
        if parts.is_empty() {
            return "Aucun prospect dans cette sélection.".to_string();
        }
        let mut said = parts.join(" ; ");
        said.push('.');
        let mut chars = said.chars();
        chars
            .next()
            .map(|c| c.to_uppercase().chain(chars).collect())
            .unwrap_or(said)
    }
}

/// Queues the selection (see `queue_mixer`); the server expands it.
/// The caller wakes the outbox.
pub async fn queue(
    pool: &sqlx::PgPool,
    config: &crate::config::Config,
    owner: Uuid,
    campaign: Uuid,
    (template, round): (Uuid, i16),
    (selection, ids): (&str, Vec<Uuid>),
    now: chrono::DateTime<chrono::Utc>,
) -> Result<QueueSaid, AppError> {
    if !(1..=ROUNDS).contains(&round) {
        return Err(AppError::invalid_field(
            "round",
            format!("Choisissez un envoi entre 1 et {ROUNDS}."),
        ));
    }
    let selection = match selection {
        "tous" => Selection::All,
        "produits" => Selection::WithProducts,
        "choisis" if ids.is_empty() => {
            return Err(AppError::invalid_field(
                "ids",
                "Cochez au moins un prospect, ou choisissez « tous ».",
            ))
        }
        "choisis" => Selection::Ids(ids),
        _ => {
            return Err(AppError::invalid_field(
                "selection",
                "Choisissez à qui envoyer.",
            ))
        }
    };
    let mixing = Mixing::new(pool, config, owner, campaign, Source::Saved(template)).await?;
    let recipients = repo::recipients(pool, owner, campaign, &selection).await?;
    let (sendable, skipped): (Vec<_>, Vec<_>) = recipients
        .iter()
        .partition(|r| !r.contact.do_not_contact && !r.contact.bounced);
    let mails: Vec<Rendered> = sendable.iter().map(|r| mixing.mail(r)).collect();
    let queued: Vec<Queued<'_>> = sendable
        .iter()
        .zip(&mails)
        .map(|(r, mail)| Queued {
            prospect: r.id,
            to_address: &r.contact.email,
            to_name: r.contact.display_name(),
            mail,
        })
        .collect();
    let outcome = repo::queue(pool, owner, campaign, Some(template), round, &queued, now).await?;
    Ok(QueueSaid {
        outcome,
        skipped: skipped.len(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_template_is_refused_with_where_and_why() {
        let err = check_template("Bonjour {{prenom", "x").unwrap_err();
        assert!(err
            .field("subject")
            .unwrap()
            .starts_with("Objet : Ligne 1, colonne 9"));
        let err = check_template("Vos {{produits}}", "Bonjour,\n{{societé}}").unwrap_err();
        assert!(err.field("subject").unwrap().contains("{{produits}}"));
        assert!(
            err.field("body")
                .unwrap()
                .starts_with("Message : Ligne 2, colonne 1 : champ « societé » inconnu"),
            "{:?}",
            err.field("body")
        );
        assert!(check_template("Suite à {{salon}}", "{{produits}}").is_ok());
    }

    #[test]
    fn a_plain_forms_ticked_prospects_read_as_a_list() {
        #[derive(serde::Deserialize)]
        struct Form {
            #[serde(default)]
            ids: Vec<Uuid>,
        }
        let (a, b) = (Uuid::new_v4(), Uuid::new_v4());
        let form: Form = serde_qs::from_str(&format!("ids[3]={a}&ids[0]={b}")).unwrap();
        assert_eq!(form.ids, [b, a], "unticked boxes leave gaps");
        let said = QueueSaid {
            outcome: repo::QueueOutcome {
                added: 2,
                replaced: 1,
                unchanged: 0,
            },
            skipped: 1,
        };
        assert_eq!(
            said.say(),
            "2 mails mis en file d’attente ; 1 mail en attente refait avec ce modèle ; 1 contact écarté (ne plus contacter ou adresse en échec)."
        );
    }
}
