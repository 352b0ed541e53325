//! The outbox as the sending worker sees it: claim the next mail a mailbox's pace allows (with
//! a lease), record what Graph answered, and sweep the attempts whose worker vanished. Every
//! worker process shares the pace through the mailbox's `send_pace` row, locked while a mail
//! is claimed.

use chrono::{DateTime, Duration, NaiveDate, Utc};
use sqlx::{PgPool, Postgres, Transaction};
use uuid::Uuid;

use super::{
    pace::{ExchangeLimits, Slot},
    repo,
    seal::{Purpose, SealError, Sealer},
};

/// How the worker paces mailboxes.
#[derive(Debug, Clone, Copy)]
pub struct Pacing {
    pub exchange: ExchangeLimits,
    /// The rep's pace (window, daily cap, spread) on prospecting mails; off for benchmarks
    /// of Exchange's pace alone.
    pub rep_pace: bool,
    /// How long a worker holds a mail it is sending; past it the outcome is unknown.
    pub lease: Duration,
}

impl Default for Pacing {
    fn default() -> Self {
        Pacing {
            exchange: ExchangeLimits::default(),
            rep_pace: true,
            lease: Duration::seconds(90),
        }
    }
}

/// A mail a worker holds, to send.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct Claimed {
    pub id: Uuid,
    pub owner_user_id: Uuid,
    /// `None` for a test to the rep.
    pub campaign_id: Option<Uuid>,
    pub kind: String,
    pub attempt_id: Uuid,
    pub attempts: i32,
    pub to_address: String,
    pub to_name: String,
    pub subject: String,
    pub html_body: String,
    pub text_body: String,
}

/// Attempts after which a mail that keeps being refused for a while fails for good.
pub const MAX_ATTEMPTS: i32 = 8;

const DO_NOT_CONTACT: &str =
    "Ce contact a demandé à ne plus être contacté : le mail n’est pas parti.";

/// Claims the next mail some mailbox may send at `now`, if any. `jitter` (in [0, 1)) spreads
/// the rep's pace.
pub async fn claim(
    pool: &PgPool,
    pacing: &Pacing,
    now: DateTime<Utc>,
    jitter: f64,
) -> sqlx::Result<Option<Claimed>> {
    // A mailbox found unable to send right now is passed over; a few tries, then the caller
    // waits for the next due time.
    for _ in 0..8 {
        let mut tx = pool.begin().await?;
        // A mailbox with a mail due, whose pace allows a request now and which has a place
        // among its requests in flight; and how many recipients it wrote to in 24 hours.
        let mailbox: Option<PaceTuple> = sqlx::query_as(
            "SELECT p.owner_user_id, p.paced_next_at, p.day, p.sent_on_day,
                     (SELECT count(*) FROM email_send_logs l
                      WHERE l.owner_user_id = p.owner_user_id
                        AND l.started_at > $1 - interval '24 hours'
                        AND l.outcome IN ('sent', 'unknown', 'lease_lost'))
                 FROM send_pace p
                 WHERE p.exchange_next_at <= $1
                   AND EXISTS (SELECT 1 FROM graph_grants g
                               WHERE g.user_id = p.owner_user_id AND g.status = 'active')
                   AND EXISTS (SELECT 1 FROM outbox_emails o
                               WHERE o.owner_user_id = p.owner_user_id AND o.status = 'ready'
                                 AND o.next_attempt_at <= $1
                                 AND (o.kind = 'test' OR NOT $2 OR p.paced_next_at <= $1))
                   AND (SELECT count(*) FROM outbox_emails s
                        WHERE s.owner_user_id = p.owner_user_id AND s.status = 'sending'
                          AND s.lease_until > $1) < $3
                 ORDER BY p.exchange_next_at
                 LIMIT 1
                 FOR UPDATE OF p SKIP LOCKED",
        )
        .bind(now)
        .bind(pacing.rep_pace)
        .bind(i64::from(pacing.exchange.in_flight))
        .fetch_optional(&mut *tx)
        .await?;
        let Some((owner, paced_next_at, day, sent_on_day, recipients)) = mailbox else {
            return Ok(None);
        };
        let state = PaceRow {
            owner,
            paced_next_at,
            day,
            sent_on_day,
            recipients,
        };
        let claimed = claim_from(&mut tx, pacing, now, jitter, &state).await?;
        tx.commit().await?;
        if claimed.is_some() {
            return Ok(claimed);
        }
    }
    Ok(None)
}

/// The columns of a [`PaceRow`].
type PaceTuple = (Uuid, DateTime<Utc>, Option<NaiveDate>, i32, i64);

/// A mailbox's pace, as read (and locked) by a claim.
struct PaceRow {
    owner: Uuid,
    paced_next_at: DateTime<Utc>,
    day: Option<NaiveDate>,
    sent_on_day: i32,
    /// Recipients written to in the last 24 hours.
    recipients: i64,
}

async fn claim_from(
    tx: &mut Transaction<'_, Postgres>,
    pacing: &Pacing,
    now: DateTime<Utc>,
    jitter: f64,
    pace_row: &PaceRow,
) -> sqlx::Result<Option<Claimed>> {
    let owner = pace_row.owner;
    if pace_row.recipients >= i64::from(pacing.exchange.recipients_per_day) {
        hold_exchange(tx, owner, now + Duration::minutes(10)).await?;
        return Ok(None);
    }
    let paced_ok = !pacing.rep_pace || pace_row.paced_next_at <= now;
    let mail: Option<(Uuid, String, Option<bool>)> = sqlx::query_as(
        "SELECT o.id, o.kind, p.do_not_contact
         FROM outbox_emails o
         LEFT JOIN prospects p ON p.owner_user_id = o.owner_user_id AND p.id = o.prospect_id
         WHERE o.owner_user_id = $1 AND o.status = 'ready' AND o.next_attempt_at <= $2
           AND (o.kind = 'test' OR $3)
         ORDER BY o.kind = 'test' DESC, o.next_attempt_at, o.id
         LIMIT 1
         FOR UPDATE OF o SKIP LOCKED",
    )
    .bind(owner)
    .bind(now)
    .bind(paced_ok)
    .fetch_optional(&mut **tx)
    .await?;
    let Some((id, kind, do_not_contact)) = mail else {
        return Ok(None);
    };
    if do_not_contact == Some(true) {
        sqlx::query(
            "UPDATE outbox_emails SET status = 'failed', error_class = 'do_not_contact',
                 last_error = $2, updated_at = $3
             WHERE id = $1",
        )
        .bind(id)
        .bind(DO_NOT_CONTACT)
        .bind(now)
        .execute(&mut **tx)
        .await?;
        return Ok(None);
    }
    if kind == "prospecting" && pacing.rep_pace {
        let pace = repo::settings(&mut **tx, owner).await?.pace();
        let sent = u32::try_from(pace_row.sent_on_day).unwrap_or(0);
        match pace.slot(now, pace_row.day, sent) {
            Slot::Later(at) => {
                sqlx::query("UPDATE send_pace SET paced_next_at = $2 WHERE owner_user_id = $1")
                    .bind(owner)
                    .bind(at)
                    .execute(&mut **tx)
                    .await?;
                return Ok(None);
            }
            Slot::Now {
                day: today,
                spacing,
            } => {
                let sent = if pace_row.day == Some(today) {
                    pace_row.sent_on_day
                } else {
                    0
                };
                // Between 0.7 and 1.3 times the even spacing: no clockwork a filter could spot.
                let spread = spacing.num_milliseconds() as f64 * (0.7 + 0.6 * jitter);
                sqlx::query(
                    "UPDATE send_pace SET paced_next_at = $2, day = $3, sent_on_day = $4
                     WHERE owner_user_id = $1",
                )
                .bind(owner)
                .bind(now + Duration::milliseconds(spread as i64))
                .bind(today)
                .bind(sent + 1)
                .execute(&mut **tx)
                .await?;
            }
        }
    }
    // The mailbox's next request waits Exchange's spacing; this one is leased to its worker.
    let claimed = sqlx::query_as(
        "WITH paced AS (
             UPDATE send_pace SET exchange_next_at = $5 WHERE owner_user_id = $6)
         UPDATE outbox_emails SET status = 'sending', attempts = attempts + 1, attempt_id = $2,
             lease_until = $3, updated_at = $4
         WHERE id = $1
         RETURNING id, owner_user_id, campaign_id, kind, attempt_id, attempts, to_address,
             to_name, subject, html_body, text_body",
    )
    .bind(id)
    .bind(Uuid::new_v4())
    .bind(now + pacing.lease)
    .bind(now)
    .bind(now + pacing.exchange.spacing())
    .bind(owner)
    .fetch_one(&mut **tx)
    .await?;
    Ok(Some(claimed))
}

/// No request from `owner`'s mailbox before `until`.
async fn hold_exchange(
    tx: &mut Transaction<'_, Postgres>,
    owner: Uuid,
    until: DateTime<Utc>,
) -> sqlx::Result<()> {
    sqlx::query("UPDATE send_pace SET exchange_next_at = $2 WHERE owner_user_id = $1")
        .bind(owner)
        .bind(until)
        .execute(&mut **tx)
        .await?;
    Ok(())
}

/// What one attempt came to.
#[derive(Debug, Clone, PartialEq)]
pub enum Outcome {
    /// Graph took it (202).
    Sent { request_id: Option<String> },
    /// Not sent, for sure (no connection, 429, 503): again after `after`.
    Later {
        after: Duration,
        class: &'static str,
        message: String,
    },
    /// Refused for good (a bad address, another 4xx).
    Failed {
        class: &'static str,
        message: String,
    },
    /// It may have left (no answer, 502, 504): never sent again without the rep.
    Unknown {
        class: &'static str,
        message: String,
    },
    /// The rep's consent is gone: their mails wait until they connect their mailbox again.
    NeedsConsent { message: String },
}

impl Outcome {
    fn label(&self) -> &'static str {
        match self {
            Outcome::Sent { .. } => "sent",
            Outcome::Later { class, .. }
            | Outcome::Failed { class, .. }
            | Outcome::Unknown { class, .. } => class,
            Outcome::NeedsConsent { .. } => "needs_consent",
        }
    }
}

/// What the log keeps of an attempt besides its outcome.
pub struct Attempt<'a> {
    pub started_at: DateTime<Utc>,
    pub duration_ms: i32,
    pub status_code: Option<u16>,
    pub request_id: Option<&'a str>,
    pub worker: &'a str,
}

/// Records what the attempt on `mail` came to, and logs it. A worker whose lease was swept
/// meanwhile still records what it learnt: the truth beats "unknown".
pub async fn finish(
    pool: &PgPool,
    mail: &Claimed,
    outcome: &Outcome,
    attempt: &Attempt<'_>,
    now: DateTime<Utc>,
) -> sqlx::Result<()> {
    let (status, next, class, message): (&str, Option<DateTime<Utc>>, Option<&str>, Option<&str>) =
        match outcome {
            Outcome::Sent { .. } => ("sent", None, None, None),
            Outcome::Later {
                after,
                class,
                message,
            } if mail.attempts < MAX_ATTEMPTS => (
                "ready",
                Some(now + *after),
                Some(class),
                Some(message.as_str()),
            ),
            Outcome::Later { class, message, .. } | Outcome::Failed { class, message } => {
                ("failed", None, Some(class), Some(message.as_str()))
            }
            Outcome::Unknown { class, message } => {
                ("unknown", None, Some(class), Some(message.as_str()))
            }
            Outcome::NeedsConsent { message } => (
                "ready",
                Some(now),
                Some("needs_consent"),
                Some(message.as_str()),
            ),
        };
    let request_id = match outcome {
        Outcome::Sent { request_id } => request_id.as_deref(),
        _ => attempt.request_id,
    };
    // Graph asked the whole mailbox to slow down: its other mails wait too. And a mail that did
    // not leave gives its place in the rep's day back.
    let (hold_until, give_back) = match outcome {
        Outcome::Later { after, class, .. } => (
            matches!(*class, "throttled" | "unavailable").then(|| now + *after),
            i32::from(mail.kind == "prospecting"),
        ),
        _ => (None, 0),
    };
    // One statement: the mail's outcome, its log line, and a consent gone (its grant paused).
    sqlx::query(
        "WITH done AS (
             UPDATE outbox_emails SET status = $3, next_attempt_at = coalesce($4, next_attempt_at),
                 error_class = $5, last_error = $6,
                 provider_request_id = coalesce($7, provider_request_id),
                 sent_at = CASE WHEN $3 = 'sent' THEN $8 END, lease_until = NULL, updated_at = $8,
                 attempts = attempts - CASE WHEN $5 = 'needs_consent' THEN 1 ELSE 0 END
             WHERE id = $1 AND attempt_id = $2 AND status IN ('sending', 'unknown')
             RETURNING id),
         -- Only the grant this attempt used: a rep who connected again since keeps theirs.
         paused AS (
             UPDATE graph_grants SET status = 'needs_consent', refresh_token = NULL,
                 access_token = NULL, access_expires_at = NULL, updated_at = now()
             WHERE user_id = $9 AND status = 'active' AND $5 = 'needs_consent'
               AND EXISTS (SELECT 1 FROM done) AND connected_at <= $11),
         held AS (
             UPDATE send_pace SET
                 exchange_next_at = greatest(exchange_next_at, coalesce($16, exchange_next_at)),
                 sent_on_day = greatest(sent_on_day - $17, 0)
             WHERE owner_user_id = $9 AND ($16 IS NOT NULL OR $17 > 0)
               AND EXISTS (SELECT 1 FROM done))
         INSERT INTO email_send_logs (email_id, owner_user_id, attempt, started_at, duration_ms,
             status_code, outcome, request_id, worker)
         VALUES ($1, $9, $10, $11, $12, $13, $14, $7, $15)",
    )
    .bind(mail.id)
    .bind(mail.attempt_id)
    .bind(status)
    .bind(next)
    .bind(class)
    .bind(message)
    .bind(request_id)
    .bind(now)
    .bind(mail.owner_user_id)
    .bind(mail.attempts)
    .bind(attempt.started_at)
    .bind(attempt.duration_ms)
    .bind(attempt.status_code.map(i32::from))
    .bind(outcome.label())
    .bind(attempt.worker)
    .bind(hold_until)
    .bind(give_back)
    .execute(pool)
    .await?;
    Ok(())
}

/// Keeps `mail` for one more request, just before it is posted: `false` when the worker no
/// longer holds it (its lease was swept, or the rep decided), and then nothing is posted.
pub async fn renew_lease(
    pool: &PgPool,
    mail: &Claimed,
    until: DateTime<Utc>,
) -> sqlx::Result<bool> {
    let renewed = sqlx::query(
        "UPDATE outbox_emails SET lease_until = $3
         WHERE id = $1 AND attempt_id = $2 AND status = 'sending'",
    )
    .bind(mail.id)
    .bind(mail.attempt_id)
    .bind(until)
    .execute(pool)
    .await?;
    Ok(renewed.rows_affected() == 1)
}

const LEASE_LOST: &str =
    "L’envoi a été interrompu (serveur arrêté) : ce mail est peut-être parti. \
     Vérifiez vos éléments envoyés dans Outlook, puis marquez-le envoyé ou renvoyez-le.";

/// Mails whose worker held them past their lease (it stopped, or lost its connection) become
/// "unknown": they may have left, so they are never sent again without the rep. How many.
pub async fn sweep(pool: &PgPool, now: DateTime<Utc>, worker: &str) -> sqlx::Result<u64> {
    let done = sqlx::query(
        "WITH lost AS (
             UPDATE outbox_emails SET status = 'unknown', error_class = 'lease_lost',
                 last_error = $2, lease_until = NULL, updated_at = $1
             WHERE status = 'sending' AND lease_until < $1
             RETURNING id, owner_user_id, attempts)
         INSERT INTO email_send_logs (email_id, owner_user_id, attempt, started_at, duration_ms,
             outcome, worker)
         SELECT id, owner_user_id, attempts, $1, 0, 'lease_lost', $3 FROM lost",
    )
    .bind(now)
    .bind(LEASE_LOST)
    .bind(worker)
    .execute(pool)
    .await?;
    Ok(done.rows_affected())
}

/// When the next ready mail may be claimed, if any is waiting for a connected mailbox with a
/// place among its requests in flight (a request ending wakes the dispatcher).
pub async fn next_due(
    pool: &PgPool,
    pacing: &Pacing,
    now: DateTime<Utc>,
) -> sqlx::Result<Option<DateTime<Utc>>> {
    sqlx::query_scalar(
        "SELECT min(greatest(o.next_attempt_at, p.exchange_next_at,
                   CASE WHEN o.kind = 'test' OR NOT $1 THEN 'epoch' ELSE p.paced_next_at END))
         FROM send_pace p
         JOIN outbox_emails o ON o.owner_user_id = p.owner_user_id AND o.status = 'ready'
         WHERE EXISTS (SELECT 1 FROM graph_grants g
                       WHERE g.user_id = p.owner_user_id AND g.status = 'active')
           AND (SELECT count(*) FROM outbox_emails s
                WHERE s.owner_user_id = p.owner_user_id AND s.status = 'sending'
                  AND s.lease_until > $3) < $2",
    )
    .bind(pacing.rep_pace)
    .bind(i64::from(pacing.exchange.in_flight))
    .bind(now)
    .fetch_one(pool)
    .await
}

/// A grant's tokens, opened.
pub struct Tokens {
    pub refresh_token: String,
    pub access_token: Option<String>,
    pub access_expires_at: Option<DateTime<Utc>>,
    pub tid: Uuid,
}

#[derive(Debug, thiserror::Error)]
pub enum GrantError {
    #[error(transparent)]
    Database(#[from] sqlx::Error),
    #[error(transparent)]
    Seal(#[from] SealError),
}

type GrantRow = (
    String,
    Option<Vec<u8>>,
    Option<Vec<u8>>,
    Option<DateTime<Utc>>,
    Uuid,
);

fn open(sealer: &Sealer, owner: Uuid, row: GrantRow) -> Result<Option<Tokens>, SealError> {
    let (key_id, refresh, access, access_expires_at, tid) = row;
    let Some(refresh) = refresh else {
        return Ok(None);
    };
    Ok(Some(Tokens {
        refresh_token: sealer.open(&key_id, owner, Purpose::RefreshToken, &refresh)?,
        access_token: access
            .map(|a| sealer.open(&key_id, owner, Purpose::AccessToken, &a))
            .transpose()?,
        access_expires_at,
        tid,
    }))
}

/// The active grant of `owner`, opened (no lock).
pub async fn tokens(
    pool: &PgPool,
    sealer: &Sealer,
    owner: Uuid,
) -> Result<Option<Tokens>, GrantError> {
    let row: Option<GrantRow> = sqlx::query_as(
        "SELECT key_id, refresh_token, access_token, access_expires_at, tid
         FROM graph_grants WHERE user_id = $1 AND status = 'active'",
    )
    .bind(owner)
    .fetch_optional(pool)
    .await?;
    Ok(row
        .map(|row| open(sealer, owner, row))
        .transpose()?
        .flatten())
}

/// The active grant of `owner`, locked until `tx` ends: one worker refreshes it at a time
/// (Microsoft rotates refresh tokens; two refreshing at once would lose one).
pub async fn lock_tokens(
    tx: &mut Transaction<'_, Postgres>,
    sealer: &Sealer,
    owner: Uuid,
) -> Result<Option<Tokens>, GrantError> {
    let row: Option<GrantRow> = sqlx::query_as(
        "SELECT key_id, refresh_token, access_token, access_expires_at, tid
         FROM graph_grants WHERE user_id = $1 AND status = 'active' FOR UPDATE",
    )
    .bind(owner)
    .fetch_optional(&mut **tx)
    .await?;
    Ok(row
        .map(|row| open(sealer, owner, row))
        .transpose()?
        .flatten())
}

/// Keeps the tokens a refresh gave, sealed under the current key.
pub async fn store_refreshed(
    tx: &mut Transaction<'_, Postgres>,
    sealer: &Sealer,
    owner: Uuid,
    refresh_token: &str,
    access_token: &str,
    access_expires_at: DateTime<Utc>,
) -> sqlx::Result<()> {
    sqlx::query(
        "UPDATE graph_grants SET refresh_token = $2, access_token = $3, access_expires_at = $4,
             key_id = $5, refreshed_at = now(), updated_at = now()
         WHERE user_id = $1",
    )
    .bind(owner)
    .bind(sealer.seal(owner, Purpose::RefreshToken, refresh_token))
    .bind(sealer.seal(owner, Purpose::AccessToken, access_token))
    .bind(access_expires_at)
    .bind(sealer.key_id())
    .execute(&mut **tx)
    .await?;
    Ok(())
}
