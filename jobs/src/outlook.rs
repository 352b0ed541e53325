//! The sending worker: claims the mails the pace allows (`app::mail::outbox`), sends each
//! from its rep's mailbox with Microsoft Graph's `sendMail`, and records what came of it.
//!
//! What an answer means decides what happens next: not sent for sure (no connection, 429,
//! 503) waits and goes again; 401 refreshes the token once; a refused message fails with its
//! reason; anything that may have left (no answer, 500, 502, 504) is "unknown" and never sent
//! again without the rep.

use std::{collections::HashMap, sync::Arc, time::Instant};

use app::{
    config::Secret,
    mail::{
        clock::Clock,
        outbox::{self, Attempt, Claimed, Outcome, Pacing},
        repo,
        seal::Sealer,
    },
};
use chrono::{DateTime, Duration, Utc};
use serde::Deserialize;
use serde_json::json;
use sqlx::PgPool;
use tokio::sync::{watch, Notify, Semaphore};
use uuid::Uuid;

/// What the sending worker needs.
#[derive(Clone)]
pub struct OutboxDeps {
    pub sealer: Sealer,
    pub pacing: Pacing,
    pub clock: Clock,
    /// Graph's base address (`https://graph.microsoft.com`).
    pub graph_url: String,
    /// The identity platform's authority (`…/organizations/v2.0`), for refreshing tokens.
    pub authority: String,
    pub client_id: String,
    pub client_secret: Secret,
    /// Mails this process sends at once.
    pub concurrency: usize,
}

impl OutboxDeps {
    /// As the configuration says, going by `clock`.
    pub fn new(config: &app::config::Config, clock: Clock) -> Self {
        OutboxDeps {
            sealer: config.sealer(),
            pacing: config.pacing(),
            clock,
            graph_url: config.graph_url.clone(),
            authority: config.microsoft_authority.clone(),
            client_id: config.microsoft_client_id.clone(),
            client_secret: config.microsoft_client_secret.clone(),
            concurrency: config.outbox_concurrency as usize,
        }
    }
}

/// The header every message carries, to find it in the rep's Sent Items.
pub const OUTBOX_HEADER: &str = "x-spine-outbox-id";

/// The scope a refresh asks for: sending, and a new refresh token.
const SCOPE: &str = "https://graph.microsoft.com/Mail.Send offline_access";

/// A token still good for less than this is refreshed before use.
const TOKEN_MARGIN_SECONDS: i64 = 120;

/// How often mails held past their lease are looked for.
const SWEEP_EVERY: std::time::Duration = std::time::Duration::from_secs(5);

/// The longest a request to Graph or to the identity platform takes (less with a short lease).
const HTTP_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(30);
const CONNECT_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(10);

/// The longest the dispatcher sleeps without looking at the outbox.
const IDLE_AT_MOST: std::time::Duration = std::time::Duration::from_secs(5);

struct Sender {
    pool: PgPool,
    deps: OutboxDeps,
    http: reqwest::Client,
    worker: String,
    /// Access tokens opened from the grants, until they near their expiry: a mail does not
    /// read and open its rep's grant again.
    tokens: std::sync::Mutex<HashMap<Uuid, (String, DateTime<Utc>)>>,
    /// Rung when a send ends: its mailbox has a place for the next request.
    wake: Arc<Notify>,
}

/// Claims and sends until `stop` says so, then lets the sends under way finish.
pub async fn dispatch(
    pool: PgPool,
    deps: OutboxDeps,
    wake: Arc<Notify>,
    mut stop: watch::Receiver<bool>,
) {
    // A request ends well within the lease renewed just before it: a worker still waiting for
    // Graph never holds a mail another could be told to send again.
    let lease = deps.pacing.lease.to_std().unwrap_or(HTTP_TIMEOUT);
    let timeout = HTTP_TIMEOUT.min(lease * 2 / 3);
    let http = reqwest::Client::builder()
        // A Graph that redirects is not to be followed with a token.
        .redirect(reqwest::redirect::Policy::none())
        .connect_timeout(CONNECT_TIMEOUT.min(timeout))
        .timeout(timeout)
        .build()
        .expect("an HTTP client without custom TLS builds");
    let sender = Arc::new(Sender {
        pool,
        worker: format!("worker-{}", std::process::id()),
        http,
        deps,
        tokens: std::sync::Mutex::default(),
        wake: wake.clone(),
    });
    let permits = Arc::new(Semaphore::new(sender.deps.concurrency.max(1)));
    let mut sends = tokio::task::JoinSet::new();
    let mut swept_at: Option<Instant> = None;
    loop {
        if *stop.borrow() {
            break;
        }
        // A short lease (tests) is swept more often.
        let sweep_every = sender
            .deps
            .pacing
            .lease
            .to_std()
            .map_or(SWEEP_EVERY, |lease| (lease / 3).min(SWEEP_EVERY));
        if swept_at.is_none_or(|at| at.elapsed() >= sweep_every) {
            swept_at = Some(Instant::now());
            match outbox::sweep(&sender.pool, sender.deps.clock.now(), &sender.worker).await {
                Ok(0) => {}
                Ok(n) => tracing::warn!(mails = n, "mails held past their lease: outcome unknown"),
                Err(e) => tracing::error!(error = %e, "sweeping the outbox"),
            }
        }
        while sends.try_join_next().is_some() {}
        let permit = tokio::select! {
            permit = permits.clone().acquire_owned() => permit.expect("the semaphore stays open"),
            _ = stop.wait_for(|stop| *stop) => break,
        };
        let jitter: f64 = rand::random();
        match outbox::claim(
            &sender.pool,
            &sender.deps.pacing,
            sender.deps.clock.now(),
            jitter,
        )
        .await
        {
            Ok(Some(mail)) => {
                let sender = sender.clone();
                sends.spawn(async move {
                    sender.send(mail).await;
                    drop(permit);
                    sender.wake.notify_one();
                });
                continue;
            }
            Ok(None) => drop(permit),
            Err(e) => {
                drop(permit);
                tracing::error!(error = %e, "claiming a mail");
                tokio::time::sleep(std::time::Duration::from_secs(1)).await;
                continue;
            }
        }
        let wait = match outbox::next_due(
            &sender.pool,
            &sender.deps.pacing,
            sender.deps.clock.now(),
        )
        .await
        {
            Ok(Some(due)) => (due - sender.deps.clock.now())
                .to_std()
                .unwrap_or_default()
                .min(IDLE_AT_MOST),
            Ok(None) => IDLE_AT_MOST,
            Err(e) => {
                tracing::error!(error = %e, "reading the outbox's next due mail");
                IDLE_AT_MOST
            }
        };
        tokio::select! {
            () = wake.notified() => {}
            () = tokio::time::sleep(wait) => {}
            _ = stop.wait_for(|stop| *stop) => break,
        }
    }
    // The sends under way end within the HTTP timeout: their outcome is recorded.
    while sends.join_next().await.is_some() {}
}

/// What one request to Graph came to.
struct Answer {
    outcome: Outcome,
    status: Option<u16>,
    request_id: Option<String>,
}

impl Answer {
    fn of(outcome: Outcome) -> Self {
        Answer {
            outcome,
            status: None,
            request_id: None,
        }
    }
}

#[derive(Debug)]
enum TokenError {
    /// The rep's consent is gone (refresh refused with `invalid_grant`, or no grant).
    Consent,
    /// The identity platform did not answer usefully: try later.
    Unavailable(String),
}

#[derive(Deserialize)]
struct TokenAnswer {
    access_token: String,
    refresh_token: Option<String>,
    expires_in: i64,
}

#[derive(Deserialize)]
struct TokenRefusal {
    error: String,
}

#[derive(Deserialize)]
struct GraphError {
    error: GraphErrorBody,
}

#[derive(Deserialize)]
struct GraphErrorBody {
    code: String,
    #[serde(default)]
    message: String,
}

impl Sender {
    async fn send(&self, mail: Claimed) {
        let started_at = self.deps.clock.now();
        let started = Instant::now();
        let Some(answer) = self.attempt(&mail).await else {
            // Swept as unknown, or decided by the rep, before anything was posted: it stays so.
            tracing::warn!(mail = %mail.id, "mail no longer held: nothing posted");
            return;
        };
        let attempt = Attempt {
            started_at,
            duration_ms: i32::try_from(started.elapsed().as_millis()).unwrap_or(i32::MAX),
            status_code: answer.status,
            request_id: answer.request_id.as_deref(),
            worker: &self.worker,
        };
        tracing::info!(
            mail = %mail.id,
            attempt = mail.attempts,
            status = answer.status,
            outcome = ?answer.outcome,
            "mail attempt"
        );
        let now = self.deps.clock.now();
        if let Err(e) = outbox::finish(&self.pool, &mail, &answer.outcome, &attempt, now).await {
            // The lease runs out and the sweep says "unknown": never sent twice.
            tracing::error!(error = %e, mail = %mail.id, "recording a mail's outcome");
            return;
        }
        // The campaign's Envois tab follows its mails live.
        if let Some(campaign) = mail.campaign_id {
            let published = async {
                let counts = repo::counts(&self.pool, mail.owner_user_id, campaign).await?;
                app::live::publish(
                    &self.pool,
                    mail.owner_user_id,
                    &repo::topic(campaign),
                    repo::progress_json(&counts),
                )
                .await
            };
            if let Err(e) = published.await {
                tracing::warn!(error = %e, "publishing a mail's progress");
            }
        }
    }

    /// What sending `mail` came to; `None` when the worker no longer held it before posting.
    async fn attempt(&self, mail: &Claimed) -> Option<Answer> {
        let token = match self.access_token(mail.owner_user_id, None).await {
            Ok(token) => token,
            Err(e) => return Some(Answer::of(token_outcome(e, mail.attempts))),
        };
        let answer = self.post(mail, &token).await?;
        if answer.status != Some(401) {
            return Some(answer);
        }
        // Expired or revoked early: a new token once, then the answer stands.
        match self.access_token(mail.owner_user_id, Some(&token)).await {
            Ok(fresh) => {
                let again = self.post(mail, &fresh).await?;
                if again.status == Some(401) {
                    return Some(Answer {
                        outcome: Outcome::NeedsConsent {
                            message: "Microsoft refuse l’accès à votre boîte : reconnectez-la dans « Envoi des mails ».".into(),
                        },
                        ..again
                    });
                }
                Some(again)
            }
            Err(e) => Some(Answer {
                outcome: token_outcome(e, mail.attempts),
                ..answer
            }),
        }
    }

    /// An access token for `owner`'s mailbox: the stored one while it is good (and is not
    /// `rejected`), else a new one from the refresh token, under the grant's lock.
    async fn access_token(
        &self,
        owner: Uuid,
        rejected: Option<&str>,
    ) -> Result<String, TokenError> {
        let now = self.deps.clock.now();
        {
            let mut cached = self
                .tokens
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner);
            match cached.get(&owner) {
                Some((token, _)) if Some(token.as_str()) == rejected => {
                    cached.remove(&owner);
                }
                Some((token, expires))
                    if *expires > now + Duration::seconds(TOKEN_MARGIN_SECONDS) =>
                {
                    return Ok(token.clone());
                }
                _ => {}
            }
        }
        let token = self.fresh_access_token(owner, rejected, now).await?;
        self.tokens
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .insert(owner, token.clone());
        Ok(token.0)
    }

    /// The grant's access token if it is good, else a new one; with its expiry.
    async fn fresh_access_token(
        &self,
        owner: Uuid,
        rejected: Option<&str>,
        now: DateTime<Utc>,
    ) -> Result<(String, DateTime<Utc>), TokenError> {
        let good = |t: &outbox::Tokens| {
            t.access_token
                .clone()
                .filter(|a| Some(a.as_str()) != rejected)
                .zip(t.access_expires_at)
                .filter(|(_, at)| *at > now + Duration::seconds(TOKEN_MARGIN_SECONDS))
        };
        let unavailable = |e: &dyn std::fmt::Display| {
            tracing::error!(error = %e, "reading a grant");
            TokenError::Unavailable("Erreur interne en lisant votre autorisation d’envoi.".into())
        };
        let stored = outbox::tokens(&self.pool, &self.deps.sealer, owner)
            .await
            .map_err(|e| unavailable(&e))?
            .ok_or(TokenError::Consent)?;
        if let Some(token) = good(&stored) {
            return Ok(token);
        }
        let mut tx = self.pool.begin().await.map_err(|e| unavailable(&e))?;
        let locked = outbox::lock_tokens(&mut tx, &self.deps.sealer, owner)
            .await
            .map_err(|e| unavailable(&e))?
            .ok_or(TokenError::Consent)?;
        // Another worker may have refreshed while this one waited for the lock.
        if let Some(token) = good(&locked) {
            return Ok(token);
        }
        let refreshed = self.refresh(&locked.refresh_token).await?;
        let refresh_token = refreshed
            .refresh_token
            .as_deref()
            .unwrap_or(&locked.refresh_token);
        let expires_at: DateTime<Utc> = now + Duration::seconds(refreshed.expires_in);
        outbox::store_refreshed(
            &mut tx,
            &self.deps.sealer,
            owner,
            refresh_token,
            &refreshed.access_token,
            expires_at,
        )
        .await
        .map_err(|e| unavailable(&e))?;
        tx.commit().await.map_err(|e| unavailable(&e))?;
        Ok((refreshed.access_token, expires_at))
    }

    async fn refresh(&self, refresh_token: &str) -> Result<TokenAnswer, TokenError> {
        let authority = self.deps.authority.trim_end_matches('/');
        let base = authority.strip_suffix("/v2.0").unwrap_or(authority);
        let url = format!("{base}/oauth2/v2.0/token");
        let form = [
            ("client_id", self.deps.client_id.as_str()),
            ("client_secret", self.deps.client_secret.expose()),
            ("grant_type", "refresh_token"),
            ("refresh_token", refresh_token),
            ("scope", SCOPE),
        ];
        let unavailable = || {
            TokenError::Unavailable(
                "Le service de connexion Microsoft ne répond pas : nouvel essai plus tard.".into(),
            )
        };
        let res = self.http.post(&url).form(&form).send().await.map_err(|e| {
            tracing::warn!(error = %without_url(&e), "refreshing a token");
            unavailable()
        })?;
        let status = res.status();
        if status.is_success() {
            return res.json().await.map_err(|e| {
                tracing::warn!(error = %without_url(&e), "reading a refreshed token");
                unavailable()
            });
        }
        let refusal: Option<TokenRefusal> = res.json().await.ok();
        match refusal {
            Some(r) if r.error == "invalid_grant" => {
                tracing::warn!("refresh token refused: the rep must consent again");
                Err(TokenError::Consent)
            }
            refusal => {
                tracing::warn!(
                    status = status.as_u16(),
                    error = refusal.map(|r| r.error).unwrap_or_default(),
                    "refreshing a token failed"
                );
                Err(unavailable())
            }
        }
    }

    /// Posts `mail` to Graph, its lease renewed first; `None` when the worker no longer holds it.
    async fn post(&self, mail: &Claimed, token: &str) -> Option<Answer> {
        let until = self.deps.clock.now() + self.deps.pacing.lease;
        match outbox::renew_lease(&self.pool, mail, until).await {
            Ok(true) => {}
            Ok(false) => return None,
            Err(e) => {
                tracing::error!(error = %e, "renewing a mail's lease");
                return Some(Answer::of(Outcome::Later {
                    after: backoff(mail.attempts),
                    class: "not_sent",
                    message: "Erreur interne avant l’envoi : nouvel essai sous peu.".into(),
                }));
            }
        }
        let url = format!(
            "{}/v1.0/me/sendMail",
            self.deps.graph_url.trim_end_matches('/')
        );
        let (content_type, content) = if mail.html_body.trim().is_empty() {
            ("Text", &mail.text_body)
        } else {
            ("HTML", &mail.html_body)
        };
        let body = json!({
            "message": {
                "subject": mail.subject,
                "body": { "contentType": content_type, "content": content },
                "toRecipients": [
                    { "emailAddress": { "address": mail.to_address, "name": mail.to_name } }
                ],
                "internetMessageHeaders": [
                    { "name": OUTBOX_HEADER, "value": mail.id.to_string() }
                ],
            },
            "saveToSentItems": true,
        });
        let sent = self
            .http
            .post(&url)
            .bearer_auth(token)
            .json(&body)
            .send()
            .await;
        let res = match sent {
            Ok(res) => res,
            Err(e) if e.is_connect() => {
                tracing::warn!(error = %without_url(&e), "Graph unreachable");
                return Some(Answer::of(Outcome::Later {
                    after: backoff(mail.attempts),
                    class: "not_sent",
                    message: "Outlook était injoignable : nouvel essai sous peu.".into(),
                }));
            }
            Err(e) => {
                tracing::warn!(error = %without_url(&e), "no answer from Graph");
                return Some(Answer::of(Outcome::Unknown {
                    class: "unknown",
                    message: UNKNOWN.into(),
                }));
            }
        };
        let status = res.status().as_u16();
        let request_id = res
            .headers()
            .get("request-id")
            .and_then(|v| v.to_str().ok())
            .map(str::to_string);
        let retry_after = res
            .headers()
            .get("retry-after")
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.trim().parse::<i64>().ok())
            .map(|s| Duration::seconds(s.clamp(0, 24 * 3600)));
        let error: Option<GraphError> = if status == 202 {
            None
        } else {
            res.json().await.ok()
        };
        let code = error
            .as_ref()
            .map(|e| e.error.code.clone())
            .unwrap_or_default();
        let outcome = match status {
            202 => Outcome::Sent {
                request_id: request_id.clone(),
            },
            429 => Outcome::Later {
                after: retry_after.unwrap_or_else(|| backoff(mail.attempts)),
                class: "throttled",
                message: "Outlook demande de ralentir : le mail attend son tour.".into(),
            },
            503 => Outcome::Later {
                after: retry_after.unwrap_or_else(|| backoff(mail.attempts)),
                class: "unavailable",
                message: "Outlook est momentanément indisponible : nouvel essai sous peu.".into(),
            },
            // Handled by the caller (one refresh), and said as is if it comes back.
            401 => Outcome::Later {
                after: backoff(mail.attempts),
                class: "unauthorized",
                message: "Microsoft a refusé le jeton d’accès : nouvel essai sous peu.".into(),
            },
            403 => Outcome::NeedsConsent {
                message: "Microsoft refuse l’envoi depuis votre boîte : reconnectez-la dans « Envoi des mails ».".into(),
            },
            400 if code == "ErrorInvalidRecipients" => Outcome::Failed {
                class: "refused",
                message: format!(
                    "Adresse refusée par Outlook : {} n’est pas une adresse valide.",
                    mail.to_address
                ),
            },
            400..=499 => Outcome::Failed {
                class: "refused",
                message: format!(
                    "Outlook a refusé ce mail ({status}{}).",
                    error
                        .as_ref()
                        .map(|e| format!(" : {} {}", e.error.code, e.error.message))
                        .unwrap_or_default()
                ),
            },
            _ => Outcome::Unknown {
                class: "unknown",
                message: UNKNOWN.into(),
            },
        };
        Some(Answer {
            outcome,
            status: Some(status),
            request_id,
        })
    }
}

const UNKNOWN: &str = "Outlook n’a pas confirmé l’envoi : ce mail est peut-être parti. Vérifiez \
     vos éléments envoyés, puis marquez-le envoyé ou renvoyez-le.";

fn token_outcome(e: TokenError, attempts: i32) -> Outcome {
    match e {
        TokenError::Consent => Outcome::NeedsConsent {
            message: "Votre autorisation d’envoi a expiré ou a été retirée : reconnectez votre boîte Outlook dans « Envoi des mails ».".into(),
        },
        TokenError::Unavailable(message) => Outcome::Later {
            after: backoff(attempts),
            class: "not_sent",
            message,
        },
    }
}

/// 30 s, 1 min, 2 min… up to 30 min, give or take a fifth.
fn backoff(attempts: i32) -> Duration {
    let base = 30_000_i64 << attempts.clamp(1, 7).saturating_sub(1);
    let base = base.min(30 * 60_000);
    let jitter: f64 = rand::random::<f64>() * 0.4 + 0.8;
    Duration::milliseconds((base as f64 * jitter) as i64)
}

/// A request error without its address (which carries nothing secret here, but logs stay
/// short and alike).
fn without_url(e: &reqwest::Error) -> String {
    let mut text = e.to_string();
    if let Some(url) = e.url() {
        text = text.replace(url.as_str(), "<url>");
    }
    text
}
