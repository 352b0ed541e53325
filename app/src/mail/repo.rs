//! The rep's mailbox (the Graph grant), sending settings and mails, as the pages read and
//! change them. Every query takes the rep and finds nothing of another's.

use chrono::{DateTime, NaiveDate, Utc};
use sqlx::{PgPool, Postgres, Transaction};
use uuid::Uuid;

use super::{
    pace::RepPace,
    seal::{Purpose, Sealer},
};

/// The connected mailbox, as "Mon compte" shows it.
#[derive(Debug, Clone)]
pub struct Mailbox {
    pub address: String,
    /// `active`, `needs_consent` or `revoked`.
    pub status: String,
    pub connected_at: DateTime<Utc>,
}

/// Tokens just given by Microsoft for the rep's mailbox.
pub struct NewGrant<'a> {
    pub tid: Uuid,
    pub oid: Uuid,
    pub address: &'a str,
    pub refresh_token: &'a str,
    pub access_token: &'a str,
    pub access_expires_at: DateTime<Utc>,
    pub scopes: &'a str,
}

/// Keeps the rep's grant, sealed (a new consent replaces the old one).
pub async fn save_grant(
    pool: &PgPool,
    sealer: &Sealer,
    user: Uuid,
    grant: &NewGrant<'_>,
) -> sqlx::Result<()> {
    sqlx::query(
        "INSERT INTO graph_grants (user_id, tid, oid, address, refresh_token, access_token,
             access_expires_at, key_id, scopes, status)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, 'active')
         ON CONFLICT (user_id) DO UPDATE SET tid = $2, oid = $3, address = $4,
             refresh_token = $5, access_token = $6, access_expires_at = $7, key_id = $8,
             scopes = $9, status = 'active', connected_at = now(), refreshed_at = NULL,
             updated_at = now()",
    )
    .bind(user)
    .bind(grant.tid)
    .bind(grant.oid)
    .bind(grant.address)
    .bind(sealer.seal(user, Purpose::RefreshToken, grant.refresh_token))
    .bind(sealer.seal(user, Purpose::AccessToken, grant.access_token))
    .bind(grant.access_expires_at)
    .bind(sealer.key_id())
    .bind(grant.scopes)
    .execute(pool)
    .await?;
    Ok(())
}

/// The rep's mailbox, if they ever connected one.
pub async fn mailbox(pool: &PgPool, user: Uuid) -> sqlx::Result<Option<Mailbox>> {
    let row: Option<(String, String, DateTime<Utc>)> =
        sqlx::query_as("SELECT address, status, connected_at FROM graph_grants WHERE user_id = $1")
            .bind(user)
            .fetch_optional(pool)
            .await?;
    Ok(row.map(|(address, status, connected_at)| Mailbox {
        address,
        status,
        connected_at,
    }))
}

/// Forgets the rep's tokens: nothing is sent from their mailbox until they connect it again.
pub async fn disconnect(pool: &PgPool, user: Uuid) -> sqlx::Result<bool> {
    let done = sqlx::query(
        "UPDATE graph_grants SET status = 'revoked', refresh_token = NULL, access_token = NULL,
             access_expires_at = NULL, updated_at = now()
         WHERE user_id = $1 AND status <> 'revoked'",
    )
    .bind(user)
    .execute(pool)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// The rep's sending settings as stored (defaults until they change them).
#[derive(Debug, Clone, PartialEq)]
pub struct Settings {
    pub daily_cap: i32,
    pub window_start: i16,
    pub window_end: i16,
    pub weekdays_only: bool,
    pub time_zone: String,
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            daily_cap: 100,
            window_start: 8 * 60,
            window_end: 19 * 60,
            weekdays_only: true,
            time_zone: "Europe/Paris".into(),
        }
    }
}

impl Settings {
    /// The pace they make (an unknown time zone, which Spine never stores, is Paris).
    pub fn pace(&self) -> RepPace {
        RepPace {
            daily_cap: u32::try_from(self.daily_cap).unwrap_or(1),
            window: (
                u16::try_from(self.window_start).unwrap_or(0),
                u16::try_from(self.window_end).unwrap_or(1440),
            ),
            weekdays_only: self.weekdays_only,
            time_zone: self.time_zone.parse().unwrap_or(chrono_tz::Europe::Paris),
        }
    }
}

type SettingsRow = (i32, i16, i16, bool, String);

pub async fn settings(db: impl sqlx::PgExecutor<'_>, user: Uuid) -> sqlx::Result<Settings> {
    let row: Option<SettingsRow> = sqlx::query_as(
        "SELECT daily_cap, window_start, window_end, weekdays_only, time_zone
         FROM rep_settings WHERE user_id = $1",
    )
    .bind(user)
    .fetch_optional(db)
    .await?;
    Ok(row
        .map(
            |(daily_cap, window_start, window_end, weekdays_only, time_zone)| Settings {
                daily_cap,
                window_start,
                window_end,
                weekdays_only,
                time_zone,
            },
        )
        .unwrap_or_default())
}

/// Saves the rep's settings; the pace of their mails starts again from them.
pub async fn save_settings(pool: &PgPool, user: Uuid, s: &Settings) -> sqlx::Result<()> {
    let mut tx = pool.begin().await?;
    sqlx::query(
        "INSERT INTO rep_settings (user_id, daily_cap, window_start, window_end, weekdays_only,
             time_zone)
         VALUES ($1, $2, $3, $4, $5, $6)
         ON CONFLICT (user_id) DO UPDATE SET daily_cap = $2, window_start = $3, window_end = $4,
             weekdays_only = $5, time_zone = $6, updated_at = now()",
    )
    .bind(user)
    .bind(s.daily_cap)
    .bind(s.window_start)
    .bind(s.window_end)
    .bind(s.weekdays_only)
    .bind(&s.time_zone)
    .execute(&mut *tx)
    .await?;
    sqlx::query("UPDATE send_pace SET paced_next_at = 'epoch' WHERE owner_user_id = $1")
        .bind(user)
        .execute(&mut *tx)
        .await?;
    tx.commit().await
}

/// Where a mailbox's pace stands.
#[derive(Debug, Clone, Default)]
pub struct PaceState {
    pub paced_next_at: Option<DateTime<Utc>>,
    pub day: Option<NaiveDate>,
    pub sent_on_day: i32,
}

pub async fn pace_state(pool: &PgPool, user: Uuid) -> sqlx::Result<PaceState> {
    let row: Option<(Option<DateTime<Utc>>, Option<NaiveDate>, i32)> = sqlx::query_as(
        "SELECT CASE WHEN paced_next_at > 'epoch' THEN paced_next_at END, day, sent_on_day
         FROM send_pace WHERE owner_user_id = $1",
    )
    .bind(user)
    .fetch_optional(pool)
    .await?;
    Ok(row
        .map(|(paced_next_at, day, sent_on_day)| PaceState {
            paced_next_at,
            day,
            sent_on_day,
        })
        .unwrap_or_default())
}

/// A mail to put in the outbox.
pub struct NewEmail<'a> {
    pub campaign: Option<Uuid>,
    pub prospect: Option<Uuid>,
    pub kind: &'a str,
    /// `draft` or `ready`.
    pub status: &'a str,
    pub idempotency_key: &'a str,
    pub to_address: &'a str,
    pub to_name: &'a str,
    pub subject: &'a str,
    pub html_body: &'a str,
    pub text_body: &'a str,
}

/// Adds `email` to the rep's outbox, or finds the one already there under its key; whether it
/// is new.
pub async fn add_email(
    tx: &mut Transaction<'_, Postgres>,
    user: Uuid,
    email: &NewEmail<'_>,
    now: DateTime<Utc>,
) -> sqlx::Result<(Uuid, bool)> {
    let added: Option<Uuid> = sqlx::query_scalar(
        "INSERT INTO outbox_emails (id, owner_user_id, campaign_id, prospect_id, kind, status,
             idempotency_key, to_address, to_name, subject, html_body, text_body,
             next_attempt_at, created_at, updated_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $13, $13)
         ON CONFLICT (owner_user_id, idempotency_key) DO NOTHING
         RETURNING id",
    )
    .bind(Uuid::now_v7())
    .bind(user)
    .bind(email.campaign)
    .bind(email.prospect)
    .bind(email.kind)
    .bind(email.status)
    .bind(email.idempotency_key)
    .bind(email.to_address)
    .bind(email.to_name)
    .bind(email.subject)
    .bind(email.html_body)
    .bind(email.text_body)
    .bind(now)
    .fetch_optional(&mut **tx)
    .await?;
    if let Some(id) = added {
        sqlx::query("INSERT INTO send_pace (owner_user_id) VALUES ($1) ON CONFLICT DO NOTHING")
            .bind(user)
            .execute(&mut **tx)
            .await?;
        return Ok((id, true));
    }
    let id = sqlx::query_scalar(
        "SELECT id FROM outbox_emails WHERE owner_user_id = $1 AND idempotency_key = $2",
    )
    .bind(user)
    .bind(email.idempotency_key)
    .fetch_one(&mut **tx)
    .await?;
    Ok((id, false))
}

/// A mail as the Envois tab lists it.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct Listed {
    pub id: Uuid,
    pub kind: String,
    pub status: String,
    pub to_address: String,
    pub to_name: String,
    pub subject: String,
    pub attempts: i32,
    pub next_attempt_at: DateTime<Utc>,
    pub last_error: Option<String>,
    pub created_at: DateTime<Utc>,
    pub sent_at: Option<DateTime<Utc>>,
}

/// The rep's mails of `campaign` (`None`: their tests), newest first.
pub async fn emails(
    pool: &PgPool,
    user: Uuid,
    campaign: Option<Uuid>,
    limit: i64,
) -> sqlx::Result<Vec<Listed>> {
    let sql = match campaign {
        Some(_) => {
            "SELECT id, kind, status, to_address, to_name, subject, attempts, next_attempt_at,
                 last_error, created_at, sent_at
             FROM outbox_emails WHERE owner_user_id = $1 AND campaign_id = $2
             ORDER BY created_at DESC, id DESC LIMIT $3"
        }
        None => {
            "SELECT id, kind, status, to_address, to_name, subject, attempts, next_attempt_at,
                 last_error, created_at, sent_at
             FROM outbox_emails WHERE owner_user_id = $1 AND kind = 'test' AND $2::uuid IS NULL
             ORDER BY created_at DESC, id DESC LIMIT $3"
        }
    };
    sqlx::query_as(sql)
        .bind(user)
        .bind(campaign)
        .bind(limit)
        .fetch_all(pool)
        .await
}

/// Where the live events of `campaign`'s mails are published (the Envois tab follows them).
pub fn topic(campaign: Uuid) -> String {
    format!("outbox:{campaign}")
}

/// What the Envois tab's progress shows of `counts` (mails per status): the mails that reached
/// an outcome out of those that did or wait, `running` while some wait, then `done`.
pub fn progress_json(counts: &[(String, i64)]) -> serde_json::Value {
    let n = |status: &str| {
        counts
            .iter()
            .find(|(s, _)| s == status)
            .map_or(0, |(_, n)| *n)
    };
    let waiting = n("ready") + n("sending");
    let sent = n("sent") + n("bounced");
    let ended = sent + n("failed") + n("unknown");
    let total = ended + waiting;
    let plural = |k: i64| if k > 1 { "s" } else { "" };
    serde_json::json!({
        "state": if waiting > 0 { "running" } else { "done" },
        "done": ended,
        "total": total,
        "text": format!(
            "Envoi en cours : {sent} mail{} envoyé{} sur {total}, {waiting} en attente…",
            plural(sent),
            plural(sent)
        ),
    })
}

/// How many of the rep's mails of `campaign` are in each status.
pub async fn counts(
    db: impl sqlx::PgExecutor<'_>,
    user: Uuid,
    campaign: Uuid,
) -> sqlx::Result<Vec<(String, i64)>> {
    sqlx::query_as(
        "SELECT status, count(*) FROM outbox_emails
         WHERE owner_user_id = $1 AND campaign_id = $2 GROUP BY status",
    )
    .bind(user)
    .bind(campaign)
    .fetch_all(db)
    .await
}

/// A rep's decision on one mail.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Decision {
    /// A ready (or draft) mail will not leave.
    Cancel,
    /// A failed or cancelled mail goes again, now.
    Retry,
    /// An unknown outcome: the rep saw it in their Sent Items.
    MarkSent,
    /// An unknown outcome: the rep wants it sent (it may then arrive twice).
    SendAgain,
    /// A sent mail came back undelivered: the prospect is flagged.
    Bounced,
}

impl Decision {
    fn sql(self) -> &'static str {
        match self {
            Decision::Cancel => {
                "UPDATE outbox_emails SET status = 'cancelled', updated_at = now()
                 WHERE owner_user_id = $1 AND id = $2 AND status IN ('draft', 'ready')
                 RETURNING prospect_id"
            }
            Decision::Retry => {
                "UPDATE outbox_emails SET status = 'ready', next_attempt_at = $3, error_class = NULL,
                     last_error = NULL, attempts = 0, updated_at = now()
                 WHERE owner_user_id = $1 AND id = $2 AND status IN ('failed', 'cancelled')
                 RETURNING prospect_id"
            }
            Decision::MarkSent => {
                "UPDATE outbox_emails SET status = 'sent', sent_at = $3, updated_at = now()
                 WHERE owner_user_id = $1 AND id = $2 AND status = 'unknown'
                 RETURNING prospect_id"
            }
            Decision::SendAgain => {
                "UPDATE outbox_emails SET status = 'ready', next_attempt_at = $3, error_class = NULL,
                     last_error = NULL, updated_at = now()
                 WHERE owner_user_id = $1 AND id = $2 AND status = 'unknown'
                 RETURNING prospect_id"
            }
            Decision::Bounced => {
                "UPDATE outbox_emails SET status = 'bounced', updated_at = now()
                 WHERE owner_user_id = $1 AND id = $2 AND status IN ('sent', 'unknown')
                 RETURNING prospect_id"
            }
        }
    }
}

/// What a decision found.
#[derive(Debug, PartialEq, Eq)]
pub enum Decided {
    Done,
    /// The mail is not in a state the decision applies to (it left meanwhile, say).
    NotNow,
    /// No such mail of the rep's.
    Missing,
}

/// Applies the rep's `decision` to mail `id`.
pub async fn decide(
    pool: &PgPool,
    user: Uuid,
    id: Uuid,
    decision: Decision,
    now: DateTime<Utc>,
) -> sqlx::Result<Decided> {
    let mut tx = pool.begin().await?;
    let changed: Option<Option<Uuid>> = sqlx::query_scalar(decision.sql())
        .bind(user)
        .bind(id)
        .bind(now)
        .fetch_optional(&mut *tx)
        .await?;
    let Some(prospect) = changed else {
        let exists: bool = sqlx::query_scalar(
            "SELECT EXISTS (SELECT 1 FROM outbox_emails WHERE owner_user_id = $1 AND id = $2)",
        )
        .bind(user)
        .bind(id)
        .fetch_one(&mut *tx)
        .await?;
        return Ok(if exists {
            Decided::NotNow
        } else {
            Decided::Missing
        });
    };
    if let (Decision::Bounced, Some(prospect)) = (decision, prospect) {
        sqlx::query("UPDATE prospects SET bounced_at = now() WHERE owner_user_id = $1 AND id = $2")
            .bind(user)
            .bind(prospect)
            .execute(&mut *tx)
            .await?;
    }
    tx.commit().await?;
    Ok(Decided::Done)
}

/// Cancels every mail of `campaign` that has not left yet; how many.
pub async fn cancel_campaign(pool: &PgPool, user: Uuid, campaign: Uuid) -> sqlx::Result<u64> {
    let done = sqlx::query(
        "UPDATE outbox_emails SET status = 'cancelled', updated_at = now()
         WHERE owner_user_id = $1 AND campaign_id = $2 AND status IN ('draft', 'ready')",
    )
    .bind(user)
    .bind(campaign)
    .execute(pool)
    .await?;
    Ok(done.rows_affected())
}
