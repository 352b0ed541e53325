//! Server functions of sending: the rep's settings and test mail ("Envoi des mails"), the
//! decisions of the Envois tab (plain forms answered with the page again and a notice, see
//! `server::plain_forms`), and `queue_email`, the API that puts a mail in the outbox. Every
//! one finds nothing of another rep's.

use leptos::prelude::*;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::{
    error::{AppError, FormAnswer},
    ui::notice::Saved,
};

/// "Envoi des mails", the rep's mailbox and pace.
pub const SETTINGS_PATH: &str = "/compte/envoi";

/// The Envois tab of campaign `campaign`.
pub fn sending_tab_path(campaign: Uuid) -> String {
    format!("/campagnes/{campaign}/envois")
}

#[cfg(feature = "ssr")]
mod ssr {
    pub use super::super::repo::{self, Decided, Decision, NewEmail, Settings};
    pub use crate::{
        auth::require_user,
        state::{clock, jobs, pool},
    };
}

#[cfg(feature = "ssr")]
use crate::ui::plain_post::answered;

/// `08:30` → minutes after midnight; `24:00` is the end of the day.
pub fn parse_time_of_day(text: &str) -> Option<i16> {
    let (h, m) = text.trim().split_once(':')?;
    let (h, m): (i16, i16) = (h.parse().ok()?, m.get(..2)?.parse().ok()?);
    match (h, m) {
        (24, 0) => Some(1440),
        (0..=23, 0..=59) => Some(h * 60 + m),
        _ => None,
    }
}

/// Minutes after midnight → `08:30`.
pub fn format_time_of_day(minutes: i16) -> String {
    format!("{:02}:{:02}", minutes / 60, minutes % 60)
}

/// Saves the rep's sending pace: daily cap, window, days, time zone.
#[server(endpoint = "save_send_settings", output = FormAnswer)]
pub async fn save_send_settings(
    daily_cap: String,
    window_start: String,
    window_end: String,
    #[server(default)] weekdays_only: Option<String>,
    time_zone: String,
) -> Result<Saved<()>, AppError> {
    use ssr::*;
    let user = require_user()?;
    let mut fields = std::collections::BTreeMap::new();
    let cap = daily_cap
        .trim()
        .parse::<i32>()
        .ok()
        .filter(|c| (1..=10_000).contains(c));
    if cap.is_none() {
        fields.insert(
            "daily_cap".to_string(),
            "Saisissez un nombre de mails par jour entre 1 et 10 000.".to_string(),
        );
    }
    let start = parse_time_of_day(&window_start).filter(|m| *m < 1440);
    if start.is_none() {
        fields.insert(
            "window_start".to_string(),
            "Saisissez une heure de début, par exemple 08:00.".to_string(),
        );
    }
    let end = parse_time_of_day(&window_end).filter(|m| *m > 0);
    match (start, end) {
        (_, None) => {
            fields.insert(
                "window_end".to_string(),
                "Saisissez une heure de fin, par exemple 19:00.".to_string(),
            );
        }
        (Some(s), Some(e)) if e <= s => {
            fields.insert(
                "window_end".to_string(),
                "L’heure de fin doit venir après l’heure de début.".to_string(),
            );
        }
        _ => {}
    }
    let zone = time_zone.trim();
    if zone.parse::<chrono_tz::Tz>().is_err() {
        fields.insert(
            "time_zone".to_string(),
            "Fuseau horaire inconnu : choisissez-en un de la liste (par exemple Europe/Paris)."
                .to_string(),
        );
    }
    if !fields.is_empty() {
        return Err(AppError::invalid(fields));
    }
    let settings = Settings {
        daily_cap: cap.unwrap_or(100),
        window_start: start.unwrap_or(480),
        window_end: end.unwrap_or(1140),
        weekdays_only: weekdays_only.is_some(),
        time_zone: zone.to_string(),
    };
    repo::save_settings(&pool()?, user.id, &settings)
        .await
        .map_err(|e| AppError::internal("saving the sending settings", e))?;
    Ok(answered("Rythme d’envoi enregistré.", SETTINGS_PATH.into()))
}

/// What a test to oneself needs: the rep's connected mailbox, and the form's key (which makes a
/// double tap one test).
#[cfg(feature = "ssr")]
pub async fn ready_for_test<'k>(
    pool: &sqlx::PgPool,
    user: Uuid,
    key: &'k str,
) -> Result<(super::repo::Mailbox, &'k str), AppError> {
    let mailbox = super::repo::mailbox(pool, user)
        .await
        .map_err(|e| AppError::internal("reading the mailbox", e))?
        .filter(|m| m.status == "active")
        .ok_or_else(|| {
            AppError::conflict("Connectez d’abord votre boîte Outlook pour envoyer un test.")
        })?;
    let key = key.trim();
    if key.is_empty() || key.len() > 100 {
        return Err(AppError::conflict(
            "Cette page est trop ancienne : rechargez-la puis recommencez.",
        ));
    }
    Ok((mailbox, key))
}

/// Puts a test mail to the rep themselves in the outbox: it goes the way every mail goes
/// (their consent, the outbox, the pace, Graph). `key` makes a double tap one test.
#[server(endpoint = "send_test_mail", output = FormAnswer)]
pub async fn send_test_mail(key: String) -> Result<Saved<()>, AppError> {
    use ssr::*;
    let user = require_user()?;
    let pool = pool()?;
    let (mailbox, key) = ready_for_test(&pool, user.id, &key).await?;
    let now = clock()?.now();
    let text = format!(
        "Bonjour {},\n\nCe mail de test est parti de votre boîte {} par Spine, comme partiront \
         vos mails de prospection.\n\nS’il est arrivé, tout est prêt.\n",
        user.name, mailbox.address
    );
    let html = format!(
        "<p>Bonjour {},</p><p>Ce mail de test est parti de votre boîte {} par Spine, comme \
         partiront vos mails de prospection.</p><p>S’il est arrivé, tout est prêt.</p>",
        html_escape::encode_text(&user.name),
        html_escape::encode_text(&mailbox.address)
    );
    let email = NewEmail {
        campaign: None,
        prospect: None,
        kind: "test",
        status: "ready",
        idempotency_key: &format!("test:{key}"),
        to_address: &mailbox.address,
        to_name: &user.name,
        subject: "Test d’envoi Spine",
        html_body: &html,
        text_body: &text,
    };
    let mut tx = pool
        .begin()
        .await
        .map_err(|e| AppError::internal("begin", e))?;
    let (_, added) = repo::add_email(&mut tx, user.id, &email, now)
        .await
        .map_err(|e| AppError::internal("queueing a test mail", e))?;
    tx.commit()
        .await
        .map_err(|e| AppError::internal("commit", e))?;
    if added {
        jobs()?.wake_outbox().await?;
    }
    Ok(answered(
        format!(
            "Test en route vers {} : il part dans un instant.",
            mailbox.address
        ),
        SETTINGS_PATH.into(),
    ))
}

/// What `queue_email` did.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Queued {
    pub id: Uuid,
    /// False when a mail with this key was already there (nothing added).
    pub created: bool,
}

/// Puts a mail to prospect `prospect` of campaign `campaign` in the rep's outbox, `ready` to
/// go (or a `draft`); a key already used finds the mail it made. A prospect who asked not to
/// be contacted is refused.
#[server(endpoint = "queue_email")]
pub async fn queue_email(
    campaign: Uuid,
    prospect: Uuid,
    subject: String,
    html_body: String,
    text_body: String,
    idempotency_key: String,
    #[server(default)] draft: bool,
) -> Result<Queued, AppError> {
    use ssr::*;
    let user = require_user()?;
    let pool = pool()?;
    let mut fields = std::collections::BTreeMap::new();
    if subject.trim().is_empty() || subject.chars().count() > 255 {
        fields.insert(
            "subject".into(),
            "L’objet doit faire de 1 à 255 caractères.".into(),
        );
    }
    if html_body.len() > 1_000_000 || text_body.len() > 1_000_000 {
        fields.insert(
            "html_body".into(),
            "Le mail est trop long (1 Mo au plus).".into(),
        );
    }
    if text_body.trim().is_empty() && html_body.trim().is_empty() {
        fields.insert("text_body".into(), "Le mail est vide.".into());
    }
    let key = idempotency_key.trim();
    if key.is_empty() || key.len() > 200 {
        fields.insert(
            "idempotency_key".into(),
            "Une clé d’idempotence de 1 à 200 caractères est requise.".into(),
        );
    }
    if !fields.is_empty() {
        return Err(AppError::invalid(fields));
    }
    let recipient: Option<(String, String, String, bool)> = sqlx::query_as(
        "SELECT p.email, p.first_name, p.last_name, p.do_not_contact
         FROM campaign_prospects cp
         JOIN prospects p ON p.owner_user_id = cp.owner_user_id AND p.id = cp.prospect_id
         WHERE cp.owner_user_id = $1 AND cp.campaign_id = $2 AND cp.prospect_id = $3",
    )
    .bind(user.id)
    .bind(campaign)
    .bind(prospect)
    .fetch_optional(&pool)
    .await
    .map_err(|e| AppError::internal("reading the recipient", e))?;
    let (address, first, last, do_not_contact) = recipient.ok_or_else(AppError::not_found)?;
    if do_not_contact {
        return Err(AppError::conflict(
            "Ce contact a demandé à ne plus être contacté : aucun mail ne peut lui être envoyé.",
        ));
    }
    let name: String = format!("{first} {last}").trim().chars().take(300).collect();
    let email = NewEmail {
        campaign: Some(campaign),
        prospect: Some(prospect),
        kind: "prospecting",
        status: if draft { "draft" } else { "ready" },
        idempotency_key: key,
        to_address: &address,
        to_name: &name,
        subject: subject.trim(),
        html_body: &html_body,
        text_body: &text_body,
    };
    let now = clock()?.now();
    let mut tx = pool
        .begin()
        .await
        .map_err(|e| AppError::internal("begin", e))?;
    let (id, created) = repo::add_email(&mut tx, user.id, &email, now)
        .await
        .map_err(|e| AppError::internal("queueing a mail", e))?;
    tx.commit()
        .await
        .map_err(|e| AppError::internal("commit", e))?;
    if created && !draft {
        jobs()?.wake_outbox().await?;
    }
    Ok(Queued { id, created })
}

/// The rep's decision on one mail of the Envois tab (`campaign`), or on a test (no campaign):
/// `annuler`, `reessayer`, `marquer-envoye`, `renvoyer`, `non-distribue`.
#[server(endpoint = "decide_email", output = FormAnswer)]
pub async fn decide_email(
    #[server(default)] campaign: Option<Uuid>,
    email: Uuid,
    decision: String,
) -> Result<Saved<()>, AppError> {
    use ssr::*;
    let user = require_user()?;
    let pool = pool()?;
    let (decision, done) = match decision.as_str() {
        "annuler" => (Decision::Cancel, "Envoi annulé."),
        "reessayer" => (Decision::Retry, "Le mail repart."),
        "marquer-envoye" => (Decision::MarkSent, "Mail marqué comme envoyé."),
        "renvoyer" => (Decision::SendAgain, "Le mail repart."),
        "non-distribue" => (
            Decision::Bounced,
            "Mail marqué non distribué ; le contact est signalé.",
        ),
        _ => return Err(AppError::not_found()),
    };
    if let Some(campaign) = campaign {
        // A mail is reached through its campaign: another campaign's is not found.
        let here: bool = sqlx::query_scalar(
            "SELECT EXISTS (SELECT 1 FROM outbox_emails
                            WHERE owner_user_id = $1 AND id = $2 AND campaign_id = $3)",
        )
        .bind(user.id)
        .bind(email)
        .bind(campaign)
        .fetch_one(&pool)
        .await
        .map_err(|e| AppError::internal("finding a mail", e))?;
        if !here {
            return Err(AppError::not_found());
        }
    }
    let now = clock()?.now();
    let decided = repo::decide(&pool, user.id, email, decision, now)
        .await
        .map_err(|e| AppError::internal("deciding on a mail", e))?;
    let page = campaign.map_or_else(|| SETTINGS_PATH.to_string(), sending_tab_path);
    match decided {
        Decided::Done => {
            if matches!(decision, Decision::Retry | Decision::SendAgain) {
                jobs()?.wake_outbox().await?;
            }
            Ok(answered(done, page))
        }
        Decided::NotNow => Ok(answered(
            "Ce mail a changé d’état entre-temps : voici où il en est.",
            page,
        )),
        Decided::Missing => Err(AppError::not_found()),
    }
}

/// Cancels every mail of campaign `campaign` that has not left yet.
#[server(endpoint = "cancel_campaign_emails", output = FormAnswer)]
pub async fn cancel_campaign_emails(campaign: Uuid) -> Result<Saved<()>, AppError> {
    use ssr::*;
    let user = require_user()?;
    let pool = pool()?;
    crate::prospects::repo::campaign_name(&pool, user.id, campaign)
        .await
        .map_err(|e| AppError::internal("reading the campaign", e))?
        .ok_or_else(AppError::not_found)?;
    let cancelled = repo::cancel_campaign(&pool, user.id, campaign)
        .await
        .map_err(|e| AppError::internal("cancelling mails", e))?;
    let message = match cancelled {
        0 => "Aucun mail n’attendait de partir.".to_string(),
        1 => "1 envoi annulé.".to_string(),
        n => format!("{n} envois annulés."),
    };
    Ok(answered(message, sending_tab_path(campaign)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn times_of_day_read_as_typed() {
        assert_eq!(parse_time_of_day("08:00"), Some(480));
        assert_eq!(parse_time_of_day(" 19:30 "), Some(1170));
        assert_eq!(parse_time_of_day("24:00"), Some(1440));
        assert_eq!(parse_time_of_day("08:00:00"), Some(480));
        for bad in ["", "8h", "25:00", "12:60", "-1:00", "24:30"] {
            assert_eq!(parse_time_of_day(bad), None, "{bad}");
        }
        assert_eq!(format_time_of_day(480), "08:00");
        assert_eq!(format_time_of_day(1440), "24:00");
    }
}
