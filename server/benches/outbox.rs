//! The outbox's numbers, against spine-sandbox's Graph over HTTP.
//!
//! 1. **Dispatcher overhead**: 1,000 ready prospecting mails across 50 mailboxes, the sandbox
//!    answering at once, pacing off: the time the worker's dispatcher takes to send them all
//!    (claim with a lease, token, Graph call, outcome and log recorded, the campaign's Envois
//!    tab told), beside the bare cost of the same 1,000 Graph calls made by a plain loop with as
//!    many requests at once, in the same run and interleaved. Overhead per mail =
//!    (dispatcher − loop) / 1,000; goal ≤ 5 ms.
//! 2. **Pacing accuracy**, Exchange's pace alone (the rep's pace off): one mailbox, the limit
//!    scaled up to 600 a minute over 300 mails, then the real 30 a minute over 60 mails (two
//!    minutes). The rate measured from the sandbox's arrival times against the limit (goal:
//!    within 5 %), the most messages in any 60-second window (never above the limit), and the
//!    429s Graph answered (none).
//!
//! `cargo bench -p server --bench outbox` (or `bench/outbox.sh`); `BENCH_RUNS` (3) for part 1,
//! `BENCH_PART=overhead|pace` for one part. Needs PostgreSQL and Redis at their development
//! addresses. Times are printed, never asserted.

// Not every bench uses every shared helper.
#[allow(dead_code)]
mod common;

use std::{
    sync::Arc,
    time::{Duration, Instant},
};

use anyhow::{ensure, Context};
use app::mail::{clock::Clock, outbox::Pacing, pace::ExchangeLimits, repo};
use jobs::outlook::{dispatch, OutboxDeps};
use sandbox::{ClientRegistration, Sandbox, SandboxConfig, DEMO_TENANT_ID};
use serde_json::{json, Value};
use sqlx::PgPool;
use uuid::Uuid;

const DATABASE_URL: &str = "postgres://postgres@127.0.0.1:5432/spine_bench_outbox";
const REDIRECT: &str = "http://127.0.0.1:9/callback";
const MAILS: usize = 1000;
const MAILBOXES: usize = 50;
/// Requests at once, for the dispatcher and the loop alike.
const AT_ONCE: usize = 16;

/// A rep of the bench, their mailbox's tokens, a campaign and a prospect of theirs.
struct Rep {
    user: Uuid,
    access_token: String,
    campaign: Uuid,
    prospect: Uuid,
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let runs: usize = std::env::var("BENCH_RUNS")
        .ok()
        .map(|r| r.parse())
        .transpose()
        .context("BENCH_RUNS must be a number")?
        .unwrap_or(3);
    let part = std::env::var("BENCH_PART").unwrap_or_default();
    let address = "127.0.0.1:9".parse()?;
    let config = common::config(DATABASE_URL, address, "spine-bench-outbox");
    let pool = server::startup::connect_database(&config).await?;
    let work = std::env::temp_dir().join(format!("spine-bench-outbox-{}", Uuid::new_v4()));
    std::fs::create_dir_all(&work)?;
    let cpus = std::thread::available_parallelism().map_or(1, |n| n.get());
    println!("outbox bench: {cpus} cores");
    if part.is_empty() || part == "overhead" {
        overhead(&pool, &config, &work, runs).await?;
    }
    if part.is_empty() || part == "pace" {
        pace(&pool, &config, &work, 600, 300).await?;
        pace(&pool, &config, &work, 30, 60).await?;
    }
    std::fs::remove_dir_all(&work)?;
    Ok(())
}

async fn start_sandbox(work: &std::path::Path, per_minute: u32) -> anyhow::Result<Sandbox> {
    Sandbox::start(SandboxConfig {
        listen: "127.0.0.1:0".parse()?,
        state_file: work.join(format!("sandbox-{}.json", Uuid::new_v4())),
        key_file: work.join("sandbox-key.pem"),
        clients: vec![ClientRegistration::dev(vec![REDIRECT.to_string()])],
        enable_control: false,
        graph_per_minute: per_minute,
    })
    .await
}

/// `count` reps, each with a mailbox connected as Spine connects one: an account typed on the
/// sandbox's page, its code exchanged, the grant sealed.
async fn reps(
    pool: &PgPool,
    config: &app::config::Config,
    sandbox: &Sandbox,
    count: usize,
) -> anyhow::Result<Vec<Rep>> {
    sqlx::query("TRUNCATE users CASCADE").execute(pool).await?;
    let http = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()?;
    let base = format!("{}/organizations/oauth2/v2.0", sandbox.base_url());
    let sealer = config.sealer();
    let mut reps = Vec::new();
    for n in 0..count {
        let tag = format!("rep{n}-{}", Uuid::new_v4().simple());
        let email = format!("{tag}@bench.test");
        let res = http
            .post(format!("{base}/authorize"))
            .form(&[
                ("client_id", sandbox::DEV_CLIENT_ID),
                ("redirect_uri", REDIRECT),
                ("response_type", "code"),
                ("scope", "openid Mail.Send offline_access"),
                ("new_email", &email),
                ("new_name", &format!("Rep {n}")),
                ("new_tenant", DEMO_TENANT_ID),
            ])
            .send()
            .await?;
        let location = res
            .headers()
            .get("location")
            .context("the sandbox sends a code")?
            .to_str()?;
        let code = reqwest::Url::parse(location)?
            .query_pairs()
            .find(|(k, _)| k == "code")
            .map(|(_, v)| v.into_owned())
            .context("a code")?;
        let tokens: Value = http
            .post(format!("{base}/token"))
            .form(&[
                ("grant_type", "authorization_code"),
                ("code", &code),
                ("redirect_uri", REDIRECT),
                ("client_id", sandbox::DEV_CLIENT_ID),
                ("client_secret", sandbox::DEV_CLIENT_SECRET),
            ])
            .send()
            .await?
            .json()
            .await?;
        let access = tokens["access_token"].as_str().context("an access token")?;
        let refresh = tokens["refresh_token"]
            .as_str()
            .context("a refresh token")?;
        let user = Uuid::new_v4();
        let campaign = Uuid::new_v4();
        let mut tx = pool.begin().await?;
        common::add_rep(&mut tx, user, &format!("Rep {n}"), &tag).await?;
        common::add_campaign(&mut tx, user, &tag, campaign, &tag, 1).await?;
        tx.commit().await?;
        let prospect: Uuid = sqlx::query_scalar("SELECT md5($1 || '-1')::uuid")
            .bind(&tag)
            .fetch_one(pool)
            .await?;
        let grant = repo::NewGrant {
            tid: DEMO_TENANT_ID.parse()?,
            oid: Uuid::new_v4(),
            address: &email,
            refresh_token: refresh,
            access_token: access,
            access_expires_at: chrono::Utc::now() + chrono::Duration::minutes(55),
            scopes: "openid Mail.Send",
        };
        repo::save_grant(pool, &sealer, user, &grant).await?;
        reps.push(Rep {
            user,
            access_token: access.to_string(),
            campaign,
            prospect,
        });
    }
    Ok(reps)
}

/// `count` ready prospecting mails, round-robin over `reps` (each to its rep's prospect, in its
/// campaign: the Envois tab is told of each as it leaves).
async fn queue(pool: &PgPool, reps: &[Rep], count: usize) -> anyhow::Result<()> {
    sqlx::query("DELETE FROM outbox_emails")
        .execute(pool)
        .await?;
    let pick = |f: fn(&Rep) -> Uuid| -> Vec<Uuid> {
        (0..count).map(|i| f(&reps[i % reps.len()])).collect()
    };
    let owners = pick(|r| r.user);
    sqlx::query(
        "INSERT INTO outbox_emails (id, owner_user_id, campaign_id, prospect_id, kind, status,
             idempotency_key, to_address, subject, html_body, text_body)
         SELECT gen_random_uuid(), owner, campaign, prospect, 'prospecting', 'ready',
             'bench-' || n, 'client@example.test', 'Salon : nos nouveautés',
             '<p>Bonjour,</p><p>Suite à notre rencontre…</p>', 'Bonjour, suite à notre rencontre…'
         FROM unnest($1::uuid[], $2::uuid[], $3::uuid[]) WITH ORDINALITY
             AS t(owner, campaign, prospect, n)",
    )
    .bind(&owners)
    .bind(pick(|r| r.campaign))
    .bind(pick(|r| r.prospect))
    .execute(pool)
    .await?;
    sqlx::query("INSERT INTO send_pace (owner_user_id) SELECT DISTINCT unnest($1::uuid[]) ON CONFLICT (owner_user_id) DO UPDATE SET exchange_next_at = 'epoch'")
        .bind(&owners)
        .execute(pool)
        .await?;
    Ok(())
}

fn deps(config: &app::config::Config, sandbox: &Sandbox, per_minute: u32) -> OutboxDeps {
    OutboxDeps {
        sealer: config.sealer(),
        pacing: Pacing {
            exchange: ExchangeLimits {
                per_minute,
                ..ExchangeLimits::default()
            },
            rep_pace: false,
            lease: chrono::Duration::seconds(90),
        },
        clock: Clock::default(),
        graph_url: sandbox.base_url(),
        authority: format!("{}/organizations/v2.0", sandbox.base_url()),
        client_id: sandbox::DEV_CLIENT_ID.into(),
        client_secret: app::config::Secret::new(sandbox::DEV_CLIENT_SECRET),
        concurrency: AT_ONCE,
    }
}

/// Sends what is ready with the worker's dispatcher; how long until all `count` were sent.
async fn send_all(pool: &PgPool, deps: OutboxDeps, count: usize) -> anyhow::Result<Duration> {
    let wake = Arc::new(tokio::sync::Notify::new());
    let (stop, stopped) = tokio::sync::watch::channel(false);
    let started = Instant::now();
    let dispatcher = tokio::spawn(dispatch(pool.clone(), deps, wake.clone(), stopped));
    wake.notify_one();
    loop {
        let (sent, other): (i64, i64) = sqlx::query_as(
            "SELECT count(*) FILTER (WHERE status = 'sent'),
                    count(*) FILTER (WHERE status NOT IN ('sent', 'ready', 'sending'))
             FROM outbox_emails",
        )
        .fetch_one(pool)
        .await?;
        ensure!(other == 0, "{other} mails ended otherwise than sent");
        if sent as usize == count {
            break;
        }
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    let took = started.elapsed();
    let _ = stop.send(true);
    dispatcher.await?;
    Ok(took)
}

/// The same Graph calls as a plain loop: `AT_ONCE` at a time, nothing recorded.
async fn plain_loop(sandbox: &Sandbox, reps: &[Rep], count: usize) -> anyhow::Result<Duration> {
    let http = reqwest::Client::new();
    let url = format!("{}/v1.0/me/sendMail", sandbox.base_url());
    let gate = Arc::new(tokio::sync::Semaphore::new(AT_ONCE));
    let mut calls = tokio::task::JoinSet::new();
    let started = Instant::now();
    for i in 0..count {
        let permit = gate.clone().acquire_owned().await?;
        let (http, url) = (http.clone(), url.clone());
        let token = reps[i % reps.len()].access_token.clone();
        calls.spawn(async move {
            let body = json!({
                "message": {
                    "subject": "Salon : nos nouveautés",
                    "body": { "contentType": "HTML", "content": "<p>Bonjour,</p><p>Suite à notre rencontre…</p>" },
                    "toRecipients": [{ "emailAddress": { "address": "client@example.test", "name": "" } }],
                    "internetMessageHeaders": [{ "name": "x-spine-outbox-id", "value": Uuid::new_v4().to_string() }],
                },
                "saveToSentItems": true,
            });
            let res = http.post(&url).bearer_auth(token).json(&body).send().await;
            drop(permit);
            res.map(|r| r.status().as_u16())
        });
    }
    while let Some(status) = calls.join_next().await {
        let status = status??;
        ensure!(status == 202, "Graph answered {status}");
    }
    Ok(started.elapsed())
}

fn median(mut times: Vec<Duration>) -> Duration {
    times.sort();
    times[times.len() / 2]
}

async fn overhead(
    pool: &PgPool,
    config: &app::config::Config,
    work: &std::path::Path,
    runs: usize,
) -> anyhow::Result<()> {
    // Graph's pace is not what is measured here.
    let sandbox = start_sandbox(work, 1_000_000).await?;
    let reps = reps(pool, config, &sandbox, MAILBOXES).await?;
    let (mut dispatched, mut looped) = (Vec::new(), Vec::new());
    for run in 0..runs {
        // Interleaved, each going first in turn.
        for first in [run % 2 == 0, run % 2 == 1] {
            if first {
                queue(pool, &reps, MAILS).await?;
                dispatched.push(send_all(pool, deps(config, &sandbox, 0), MAILS).await?);
            } else {
                looped.push(plain_loop(&sandbox, &reps, MAILS).await?);
            }
        }
    }
    let (d, l) = (median(dispatched), median(looped));
    let per_mail = (d.as_secs_f64() - l.as_secs_f64()) * 1000.0 / MAILS as f64;
    println!(
        "dispatcher: {MAILS} mails across {MAILBOXES} mailboxes, {AT_ONCE} at once, medians of {runs}: \
         {:.2} s ({:.0} mails/s) vs plain loop {:.2} s ({:.0} mails/s): overhead {per_mail:.2} ms per mail (goal ≤ 5 ms)",
        d.as_secs_f64(),
        MAILS as f64 / d.as_secs_f64(),
        l.as_secs_f64(),
        MAILS as f64 / l.as_secs_f64(),
    );
    sandbox.stop().await;
    Ok(())
}

async fn pace(
    pool: &PgPool,
    config: &app::config::Config,
    work: &std::path::Path,
    per_minute: u32,
    count: usize,
) -> anyhow::Result<()> {
    let sandbox = start_sandbox(work, per_minute).await?;
    let reps = reps(pool, config, &sandbox, 1).await?;
    queue(pool, &reps, count).await?;
    let took = send_all(pool, deps(config, &sandbox, per_minute), count).await?;
    let mailbox: Vec<Value> = reqwest::get(format!(
        "{}/_sandbox/mailbox/{}",
        sandbox.base_url(),
        sqlx::query_scalar::<_, String>("SELECT address FROM graph_grants")
            .fetch_one(pool)
            .await?
    ))
    .await?
    .json()
    .await?;
    let mut arrivals: Vec<i64> = mailbox.iter().filter_map(|m| m["at_ms"].as_i64()).collect();
    arrivals.sort_unstable();
    ensure!(
        arrivals.len() == count,
        "{} of {count} arrived",
        arrivals.len()
    );
    let span = (arrivals[count - 1] - arrivals[0]) as f64 / 60_000.0;
    let rate = (count - 1) as f64 / span;
    let most_in = |window_ms: i64| {
        let mut most = 0;
        let mut start = 0;
        for end in 0..arrivals.len() {
            while arrivals[end] - arrivals[start] >= window_ms {
                start += 1;
            }
            most = most.max(end - start + 1);
        }
        most
    };
    let throttled: i64 =
        sqlx::query_scalar("SELECT count(*) FROM email_send_logs WHERE outcome = 'throttled'")
            .fetch_one(pool)
            .await?;
    println!(
        "pace: {count} mails to one mailbox at {per_minute}/min: {rate:.1} a minute measured \
         ({:+.1} % of the limit), at most {} in any 60 s, at most {} in any {} s (limit {}), \
         {throttled} answered 429, {:.1} s in all",
        (rate / f64::from(per_minute) - 1.0) * 100.0,
        most_in(60_000),
        most_in(6_000),
        6,
        per_minute / 10,
        took.as_secs_f64(),
    );
    sandbox.stop().await;
    Ok(())
}
