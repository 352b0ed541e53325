//! Sending from the rep's own Outlook: connecting the mailbox (consent to `Mail.Send` only,
//! the account checked, the grant sealed), the test to oneself, and the outbox's worker against
//! the sandbox's Graph: what each answer leads to.

mod common;

use std::time::Duration;

use common::{connect, eventually, mailbox, spawn_app, Browser, TestApp};
use sandbox::{DEMO_TENANT_ID, OTHER_TENANT_ID};
use serde_json::{json, Value};
use sqlx::PgPool;

const CLAIRE: &str = "claire.martin@demo-salons.example.test";
const JULIEN: &str = "julien.bernard@demo-salons.example.test";
/// In both organisations, under the same address.
const ALEX: &str = "alex.durand@example.test";

fn location(res: &reqwest::Response) -> String {
    res.headers()["location"].to_str().unwrap().to_owned()
}

async fn graph_next(app: &TestApp, fault: Value) {
    let url = format!("{}/_sandbox/graph/next", app.sandbox.base_url());
    let res = reqwest::Client::new()
        .post(url)
        .json(&fault)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 204);
}

async fn status_of(pool: &PgPool, subject: &str) -> Option<String> {
    sqlx::query_scalar("SELECT status FROM outbox_emails WHERE subject = $1")
        .bind(subject)
        .fetch_optional(pool)
        .await
        .unwrap()
}

/// Waits until the mail `subject` is in `status`.
async fn until_status(pool: &PgPool, subject: &str, status: &str) {
    let reached = eventually(Duration::from_secs(20), || async {
        status_of(pool, subject).await.as_deref() == Some(status)
    })
    .await;
    assert!(
        reached,
        "{subject}: {:?}, expected {status}",
        status_of(pool, subject).await
    );
}

/// A campaign with one prospect of `address`; (campaign, prospect).
async fn campaign_with_prospect(
    pool: &PgPool,
    browser: &Browser,
    address: &str,
) -> (String, String) {
    let campaign = browser.new_campaign("Salon des envois").await;
    let owner: uuid::Uuid =
        sqlx::query_scalar("SELECT owner_user_id FROM campaigns WHERE id = $1::uuid")
            .bind(&campaign)
            .fetch_one(pool)
            .await
            .unwrap();
    let prospect = uuid::Uuid::now_v7();
    sqlx::query(
        "INSERT INTO prospects (id, owner_user_id, email, first_name, last_name, company, origin)
         VALUES ($1, $2, $3, 'Paul', 'Durand', 'Durand SA', 'hand')",
    )
    .bind(prospect)
    .bind(owner)
    .bind(address)
    .execute(pool)
    .await
    .unwrap();
    sqlx::query(
        "INSERT INTO campaign_prospects (owner_user_id, campaign_id, prospect_id)
         VALUES ($1, $2::uuid, $3)",
    )
    .bind(owner)
    .bind(&campaign)
    .bind(prospect)
    .execute(pool)
    .await
    .unwrap();
    (campaign, prospect.to_string())
}

async fn queue(
    browser: &Browser,
    campaign: &str,
    prospect: &str,
    subject: &str,
    key: &str,
) -> (u16, Value) {
    browser
        .call(
            "queue_email",
            &[
                ("campaign", campaign),
                ("prospect", prospect),
                ("subject", subject),
                ("html_body", "<p>Bonjour Paul,</p>"),
                ("text_body", "Bonjour Paul,"),
                ("idempotency_key", key),
            ],
        )
        .await
}

#[sqlx::test(migrator = "app::MIGRATOR")]
async fn a_rep_connects_their_mailbox_and_their_test_arrives_in_it(pool: PgPool) {
    let app = spawn_app(pool.clone()).await;
    let claire = app.signed_in(DEMO_TENANT_ID, CLAIRE).await;
    let page = claire.get("/compte/envoi").await.text().await.unwrap();
    assert!(page.contains("Connecter ma boîte Outlook"), "{page}");

    let res = connect(&app, &claire, DEMO_TENANT_ID, CLAIRE).await;
    assert_eq!(res.status(), 303);
    assert_eq!(location(&res), "/compte/envoi");
    let page = claire.get("/compte/envoi").await.text().await.unwrap();
    assert!(page.contains("Boîte Outlook connectée"), "the notice");
    assert!(page.contains("M’envoyer un test"));

    // Sealed at rest: no token in the clear, a key id beside it.
    let (refresh, access, key_id, scopes): (Vec<u8>, Vec<u8>, String, String) =
        sqlx::query_as("SELECT refresh_token, access_token, key_id, scopes FROM graph_grants")
            .fetch_one(&pool)
            .await
            .unwrap();
    assert_eq!(key_id, "1");
    assert!(scopes.contains("Mail.Send"), "{scopes}");
    for sealed in [&refresh, &access] {
        assert!(sealed.len() > 40);
        assert!(std::str::from_utf8(sealed).is_err() || !sealed.starts_with(b"ey"));
    }
    let sealer = app.state.config.sealer();
    let user: uuid::Uuid = sqlx::query_scalar("SELECT user_id FROM graph_grants")
        .fetch_one(&pool)
        .await
        .unwrap();
    let token = sealer
        .open("1", user, app::mail::seal::Purpose::AccessToken, &access)
        .unwrap();
    let claims = app.sandbox.verify_access_token(&token).unwrap();
    assert_eq!(
        claims.scp, "openid Mail.Send",
        "an access token for sending only"
    );
    assert!(!page.contains(&token[..20]), "no token in the page");

    // A double tap is one test.
    let key = uuid::Uuid::new_v4().to_string();
    for _ in 0..2 {
        let res = claire
            .post_page_form("/api/send_test_mail", &[("key", &key)])
            .await;
        assert_eq!(res.status(), 303);
    }
    until_status(&pool, "Test d’envoi Spine", "sent").await;
    let sent = mailbox(&app, CLAIRE).await;
    assert_eq!(sent.len(), 1, "{sent:?}");
    assert_eq!(sent[0]["to"], json!([CLAIRE]));
    let id: uuid::Uuid = sqlx::query_scalar("SELECT id FROM outbox_emails")
        .fetch_one(&pool)
        .await
        .unwrap();
    assert_eq!(
        sent[0]["headers"],
        json!([["x-spine-outbox-id", id.to_string()]]),
        "traceable in the rep's Sent Items"
    );
    let logged: Vec<(String, Option<i32>, Option<String>)> =
        sqlx::query_as("SELECT outcome, status_code, request_id FROM email_send_logs")
            .fetch_all(&pool)
            .await
            .unwrap();
    assert_eq!(logged.len(), 1);
    assert_eq!(logged[0].0, "sent");
    assert_eq!(logged[0].1, Some(202));
    assert_eq!(
        logged[0].2.as_deref(),
        sent[0]["request_id"].as_str(),
        "Graph's request id kept"
    );
    let page = claire.get("/compte/envoi").await.text().await.unwrap();
    assert!(page.contains("Derniers tests") && page.contains("Envoyé"));

    // Disconnected: nothing sent any more, and the tokens are gone.
    let res = claire.post_page_form("/auth/outlook/disconnect", &[]).await;
    assert_eq!(res.status(), 303);
    let (status, tokens): (String, bool) = sqlx::query_as(
        "SELECT status, refresh_token IS NOT NULL OR access_token IS NOT NULL FROM graph_grants",
    )
    .fetch_one(&pool)
    .await
    .unwrap();
    assert_eq!((status.as_str(), tokens), ("revoked", false));
    let (code, _) = claire.call("send_test_mail", &[("key", "again")]).await;
    assert_eq!(code, 409, "no test without a mailbox");
    app.shutdown().await.unwrap();
}

#[sqlx::test(migrator = "app::MIGRATOR")]
async fn another_account_or_an_organisation_that_wants_an_administrator_is_refused_clearly(
    pool: PgPool,
) {
    let app = spawn_app(pool.clone()).await;
    let claire = app.signed_in(DEMO_TENANT_ID, CLAIRE).await;
    // Julien's mailbox is not Claire's.
    let res = connect(&app, &claire, DEMO_TENANT_ID, JULIEN).await;
    assert_eq!(location(&res), "/compte/envoi?erreur=autre-compte");
    let page = claire.get(&location(&res)).await.text().await.unwrap();
    assert!(
        page.contains("n’est pas celle de votre compte Spine"),
        "{page}"
    );
    // Nor is the account of the same address in another organisation.
    let alex = app.signed_in(DEMO_TENANT_ID, ALEX).await;
    let res = connect(&app, &alex, OTHER_TENANT_ID, ALEX).await;
    assert_eq!(location(&res), "/compte/envoi?erreur=autre-compte");

    // An organisation where only an administrator may consent.
    let url = format!("{}/_sandbox/admin-consent-required", app.sandbox.base_url());
    reqwest::Client::new()
        .post(url)
        .json(&json!({ "tenant": DEMO_TENANT_ID, "required": true }))
        .send()
        .await
        .unwrap();
    let res = connect(&app, &claire, DEMO_TENANT_ID, CLAIRE).await;
    assert_eq!(location(&res), "/compte/envoi?erreur=admin");
    let page = claire.get(&location(&res)).await.text().await.unwrap();
    assert!(page.contains("consentement administrateur"), "{page}");
    assert!(
        page.contains(app::config::SANDBOX_CLIENT_ID),
        "the id to give IT"
    );
    let grants: i64 = sqlx::query_scalar("SELECT count(*) FROM graph_grants")
        .fetch_one(&pool)
        .await
        .unwrap();
    assert_eq!(grants, 0, "nothing kept");

    // A callback replayed (or never asked for) stores nothing.
    let res = claire
        .get("/auth/outlook/callback?code=abc&state=forged")
        .await;
    assert_eq!(location(&res), "/compte/envoi?erreur=session");
    app.shutdown().await.unwrap();
}

#[sqlx::test(migrator = "app::MIGRATOR")]
async fn mails_go_paced_a_throttled_one_waits_and_goes_a_bad_address_fails_a_batch_is_cancelled(
    pool: PgPool,
) {
    let app = spawn_app(pool.clone()).await;
    let claire = app.signed_in(DEMO_TENANT_ID, CLAIRE).await;
    connect(&app, &claire, DEMO_TENANT_ID, CLAIRE).await;
    let (campaign, prospect) = campaign_with_prospect(&pool, &claire, "paul@durand.example").await;

    // Throttled once, with Retry-After: 1 s. It waits, then goes.
    graph_next(
        &app,
        json!({ "status": 429, "code": "ApplicationThrottled", "retry_after": 1 }),
    )
    .await;
    let (code, queued) = queue(&claire, &campaign, &prospect, "Premier", "round-1").await;
    assert_eq!(code, 200, "{queued}");
    assert_eq!(queued["created"], true);
    // The same key again adds nothing.
    let (_, again) = queue(&claire, &campaign, &prospect, "Premier", "round-1").await;
    assert_eq!(again["created"], false);
    assert_eq!(again["id"], queued["id"]);
    until_status(&pool, "Premier", "sent").await;
    let outcomes: Vec<String> =
        sqlx::query_scalar("SELECT outcome FROM email_send_logs ORDER BY id")
            .fetch_all(&pool)
            .await
            .unwrap();
    assert_eq!(outcomes, ["throttled", "sent"]);
    assert_eq!(mailbox(&app, CLAIRE).await.len(), 1, "sent once");

    // Graph refuses the address: failed for good, with the reason in French.
    graph_next(
        &app,
        json!({ "status": 400, "code": "ErrorInvalidRecipients" }),
    )
    .await;
    queue(&claire, &campaign, &prospect, "Deuxième", "round-2").await;
    until_status(&pool, "Deuxième", "failed").await;
    let tab = claire
        .get(&format!("/campagnes/{campaign}/envois"))
        .await
        .text()
        .await
        .unwrap();
    assert!(tab.contains("Adresse refusée par Outlook"), "{tab}");

    // An access token refused (expired early): refreshed once, then sent.
    graph_next(
        &app,
        json!({ "status": 401, "code": "InvalidAuthenticationToken" }),
    )
    .await;
    queue(&claire, &campaign, &prospect, "Troisième", "round-3").await;
    until_status(&pool, "Troisième", "sent").await;
    let refreshed: bool = sqlx::query_scalar("SELECT refreshed_at IS NOT NULL FROM graph_grants")
        .fetch_one(&pool)
        .await
        .unwrap();
    assert!(refreshed, "a new access token, under the grant's lock");

    // No answer after the request was read: unknown, never sent again by itself.
    graph_next(&app, json!({ "drop_after_read": true })).await;
    queue(&claire, &campaign, &prospect, "Quatrième", "round-4").await;
    until_status(&pool, "Quatrième", "unknown").await;
    assert_eq!(mailbox(&app, CLAIRE).await.len(), 3);
    tokio::time::sleep(Duration::from_secs(2)).await;
    assert_eq!(mailbox(&app, CLAIRE).await.len(), 3, "not re-sent blindly");
    // The rep checked their Sent Items: it left.
    let id: String =
        sqlx::query_scalar("SELECT id::text FROM outbox_emails WHERE subject = 'Quatrième'")
            .fetch_one(&pool)
            .await
            .unwrap();
    let res = claire
        .post_page_form(
            "/api/decide_email",
            &[
                ("campaign", &campaign),
                ("email", &id),
                ("decision", "marquer-envoye"),
            ],
        )
        .await;
    assert_eq!(res.status(), 303);
    assert_eq!(status_of(&pool, "Quatrième").await.as_deref(), Some("sent"));

    // A batch cancelled: what has not left stays unsent. (The mailbox is held by a slow
    // answer meanwhile, so nothing leaves before the cancel.)
    sqlx::query("UPDATE graph_grants SET status = 'needs_consent', refresh_token = NULL, access_token = NULL")
        .execute(&pool)
        .await
        .unwrap();
    for n in 5..8 {
        queue(
            &claire,
            &campaign,
            &prospect,
            &format!("Lot {n}"),
            &format!("lot-{n}"),
        )
        .await;
    }
    let tab = claire
        .get(&format!("/campagnes/{campaign}/envois"))
        .await
        .text()
        .await
        .unwrap();
    assert!(tab.contains("vos mails attendent"), "the banner says why");
    let res = claire
        .post_page_form("/api/cancel_campaign_emails", &[("campaign", &campaign)])
        .await;
    assert_eq!(res.status(), 303);
    let cancelled: i64 = sqlx::query_scalar(
        "SELECT count(*) FROM outbox_emails WHERE status = 'cancelled' AND subject LIKE 'Lot %'",
    )
    .fetch_one(&pool)
    .await
    .unwrap();
    assert_eq!(cancelled, 3);
    assert_eq!(mailbox(&app, CLAIRE).await.len(), 3);
    app.shutdown().await.unwrap();
}

#[sqlx::test(migrator = "app::MIGRATOR")]
async fn a_revoked_consent_pauses_the_reps_mails_and_says_so(pool: PgPool) {
    let app = spawn_app(pool.clone()).await;
    let claire = app.signed_in(DEMO_TENANT_ID, CLAIRE).await;
    connect(&app, &claire, DEMO_TENANT_ID, CLAIRE).await;
    let (campaign, prospect) = campaign_with_prospect(&pool, &claire, "paul@durand.example").await;
    // Microsoft revokes the rep's refresh tokens, and the access token is refused.
    reqwest::Client::new()
        .post(format!(
            "{}/_sandbox/revoke-refresh-tokens",
            app.sandbox.base_url()
        ))
        .json(&json!({ "email": CLAIRE }))
        .send()
        .await
        .unwrap();
    graph_next(
        &app,
        json!({ "status": 401, "code": "InvalidAuthenticationToken" }),
    )
    .await;
    queue(&claire, &campaign, &prospect, "En pause", "pause-1").await;
    let paused = eventually(Duration::from_secs(20), || async {
        sqlx::query_scalar::<_, String>("SELECT status FROM graph_grants")
            .fetch_one(&pool)
            .await
            .unwrap()
            == "needs_consent"
    })
    .await;
    assert!(paused, "the grant needs a new consent");
    assert_eq!(
        status_of(&pool, "En pause").await.as_deref(),
        Some("ready"),
        "it waits"
    );
    let page = claire.get("/compte/envoi").await.text().await.unwrap();
    assert!(page.contains("Reconnecter ma boîte Outlook"), "{page}");
    // Connected again: it goes.
    connect(&app, &claire, DEMO_TENANT_ID, CLAIRE).await;
    claire.call("send_test_mail", &[("key", "wake")]).await;
    until_status(&pool, "En pause", "sent").await;
    app.shutdown().await.unwrap();
}

#[sqlx::test(migrator = "app::MIGRATOR")]
async fn another_rep_finds_nothing_of_claires_mails(pool: PgPool) {
    let app = spawn_app(pool.clone()).await;
    let claire = app.signed_in(DEMO_TENANT_ID, CLAIRE).await;
    let julien = app.signed_in(DEMO_TENANT_ID, JULIEN).await;
    let (campaign, prospect) = campaign_with_prospect(&pool, &claire, "paul@durand.example").await;
    let (code, queued) = queue(&claire, &campaign, &prospect, "À Paul", "k-1").await;
    assert_eq!(code, 200, "{queued}");
    let id = queued["id"].as_str().unwrap().to_owned();

    let res = julien.get(&format!("/campagnes/{campaign}/envois")).await;
    assert_eq!(res.status(), 404);
    let (code, _) = queue(&julien, &campaign, &prospect, "Intrus", "k-2").await;
    assert_eq!(code, 404);
    for decision in [
        "annuler",
        "reessayer",
        "marquer-envoye",
        "renvoyer",
        "non-distribue",
    ] {
        let (code, _) = julien
            .call("decide_email", &[("email", &id), ("decision", decision)])
            .await;
        assert_eq!(code, 404, "{decision}");
        let (code, _) = julien
            .call(
                "decide_email",
                &[
                    ("campaign", &campaign),
                    ("email", &id),
                    ("decision", decision),
                ],
            )
            .await;
        assert_eq!(code, 404, "{decision} through the campaign");
    }
    let (code, _) = julien
        .call("cancel_campaign_emails", &[("campaign", &campaign)])
        .await;
    assert_eq!(code, 404);
    // Julien's own test does not reach Claire's mailbox (he has none connected: refused).
    let (code, _) = julien.call("send_test_mail", &[("key", "x")]).await;
    assert_eq!(code, 409);
    assert_eq!(status_of(&pool, "À Paul").await.as_deref(), Some("ready"));
    // And Claire can cancel it.
    let (code, _) = claire
        .call("decide_email", &[("email", &id), ("decision", "annuler")])
        .await;
    assert_eq!(code, 200);
    assert_eq!(
        status_of(&pool, "À Paul").await.as_deref(),
        Some("cancelled")
    );
    app.shutdown().await.unwrap();
}

#[sqlx::test(migrator = "app::MIGRATOR")]
async fn prospecting_keeps_to_the_reps_window_and_daily_cap_whatever_the_time_of_the_run(
    pool: PgPool,
) {
    use chrono::TimeZone;
    let app = common::spawn_app_configured(pool.clone(), common::REDIS_URL, |c| {
        c.outbox_rep_pace = true;
    })
    .await;
    let paris = |d: u32, h: u32, m: u32| {
        chrono_tz::Europe::Paris
            .with_ymd_and_hms(2026, 12, d, h, m, 0)
            .unwrap()
            .with_timezone(&chrono::Utc)
    };
    let clock = app.state.clock.clone();
    let move_clock = |at| {
        clock.set(at);
        let jobs = app.state.jobs.clone();
        async move { jobs.wake_outbox().await.unwrap() }
    };
    let claire = app.signed_in(DEMO_TENANT_ID, CLAIRE).await;
    connect(&app, &claire, DEMO_TENANT_ID, CLAIRE).await;
    let res = claire
        .post_page_form(
            "/api/save_send_settings",
            &[
                ("daily_cap", "2"),
                ("window_start", "08:00"),
                ("window_end", "19:00"),
                ("weekdays_only", "on"),
                ("time_zone", "Europe/Paris"),
            ],
        )
        .await;
    assert_eq!(res.status(), 303);
    let (campaign, prospect) = campaign_with_prospect(&pool, &claire, "paul@durand.example").await;

    // Tuesday 1 December, 18:00 in Paris: an hour of window left for a cap of two.
    move_clock(paris(1, 18, 0)).await;
    for n in 1..=3 {
        queue(
            &claire,
            &campaign,
            &prospect,
            &format!("Relance {n}"),
            &format!("r-{n}"),
        )
        .await;
    }
    until_status(&pool, "Relance 1", "sent").await;
    tokio::time::sleep(Duration::from_secs(2)).await;
    assert_eq!(
        status_of(&pool, "Relance 2").await.as_deref(),
        Some("ready"),
        "spread, not a burst"
    );
    let tab = claire
        .get(&format!("/campagnes/{campaign}/envois"))
        .await
        .text()
        .await
        .unwrap();
    assert!(tab.contains("reste 1 mail sur 2"), "today's budget: {tab}");
    assert!(
        tab.contains("fin estimée demain vers 8 h 00"),
        "the cap holds the third: {tab}"
    );

    // The second goes within the hour (half of it, give or take the spread).
    move_clock(paris(1, 18, 40)).await;
    until_status(&pool, "Relance 2", "sent").await;
    // The cap is reached: the third waits for Wednesday's window, not just the next minute.
    move_clock(paris(1, 18, 59)).await;
    tokio::time::sleep(Duration::from_secs(2)).await;
    assert_eq!(
        status_of(&pool, "Relance 3").await.as_deref(),
        Some("ready")
    );
    move_clock(paris(2, 7, 59)).await;
    tokio::time::sleep(Duration::from_secs(2)).await;
    assert_eq!(
        status_of(&pool, "Relance 3").await.as_deref(),
        Some("ready"),
        "not before 8:00"
    );
    move_clock(paris(2, 8, 0)).await;
    until_status(&pool, "Relance 3", "sent").await;

    // A test to oneself never waits for the window: Saturday evening, it goes.
    move_clock(paris(5, 22, 0)).await;
    queue(&claire, &campaign, &prospect, "Samedi", "samedi").await;
    claire.call("send_test_mail", &[("key", "samedi")]).await;
    until_status(&pool, "Test d’envoi Spine", "sent").await;
    assert_eq!(
        status_of(&pool, "Samedi").await.as_deref(),
        Some("ready"),
        "Monday, 8:00"
    );
    move_clock(paris(7, 8, 1)).await;
    until_status(&pool, "Samedi", "sent").await;
    assert_eq!(mailbox(&app, CLAIRE).await.len(), 5);
    app.shutdown().await.unwrap();
}

/// Every log line of this test binary, from the moment a test asks for them.
fn captured_logs() -> std::sync::Arc<std::sync::Mutex<Vec<u8>>> {
    use std::sync::{Arc, Mutex, OnceLock};
    static LOGS: OnceLock<Arc<Mutex<Vec<u8>>>> = OnceLock::new();
    LOGS.get_or_init(|| {
        let logs = Arc::new(Mutex::new(Vec::new()));
        let writer = logs.clone();
        #[derive(Clone)]
        struct Sink(Arc<Mutex<Vec<u8>>>);
        impl std::io::Write for Sink {
            fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
                self.0.lock().unwrap().extend_from_slice(buf);
                Ok(buf.len())
            }
            fn flush(&mut self) -> std::io::Result<()> {
                Ok(())
            }
        }
        // Spine's own logs at debug, and what its HTTP clients say; the sandbox's are its own.
        tracing_subscriber::fmt()
            .with_env_filter("debug,sandbox=off")
            .with_writer(move || Sink(writer.clone()))
            .try_init()
            .expect("no other log subscriber in this test binary (unset SPINE_TEST_LOG)");
        logs
    })
    .clone()
}

#[sqlx::test(migrator = "app::MIGRATOR")]
async fn tokens_never_reach_the_logs_the_pages_or_debug_output(pool: PgPool) {
    let logs = captured_logs();
    let app = spawn_app(pool.clone()).await;
    let claire = app.signed_in(DEMO_TENANT_ID, CLAIRE).await;
    connect(&app, &claire, DEMO_TENANT_ID, CLAIRE).await;
    let opened = || async {
        let (user, refresh, access): (uuid::Uuid, Vec<u8>, Vec<u8>) =
            sqlx::query_as("SELECT user_id, refresh_token, access_token FROM graph_grants")
                .fetch_one(&pool)
                .await
                .unwrap();
        let sealer = app.state.config.sealer();
        use app::mail::seal::Purpose;
        [
            sealer
                .open("1", user, Purpose::RefreshToken, &refresh)
                .unwrap(),
            sealer
                .open("1", user, Purpose::AccessToken, &access)
                .unwrap(),
        ]
    };
    let mut secrets: Vec<String> = opened().await.to_vec();
    // A refused access token makes the worker refresh: new tokens, which must not leak either.
    graph_next(
        &app,
        json!({ "status": 401, "code": "InvalidAuthenticationToken" }),
    )
    .await;
    claire.call("send_test_mail", &[("key", "logs")]).await;
    until_status(&pool, "Test d’envoi Spine", "sent").await;
    let refreshed = opened().await;
    assert_ne!(
        refreshed[0], secrets[0],
        "Microsoft rotated the refresh token; it was kept"
    );
    secrets.extend(refreshed);
    secrets.push(
        app.state
            .config
            .microsoft_client_secret
            .expose()
            .to_string(),
    );
    secrets.push(app.state.config.grant_key.expose().to_string());

    let page = claire.get("/compte/envoi").await.text().await.unwrap();
    let debug = format!("{:?} {:?}", app.state.config, app.state.config.sealer());
    let logged = String::from_utf8_lossy(&logs.lock().unwrap()).into_owned();
    assert!(logged.contains("mail attempt"), "the logs were captured");
    for secret in &secrets {
        // Tokens are long; a fifth of one is plenty to recognise it.
        let piece = &secret[..secret.len().min(24)];
        assert!(!logged.contains(piece), "a secret in the logs");
        assert!(!page.contains(piece), "a secret in the page");
        assert!(!debug.contains(piece), "a secret in Debug output");
    }
    app.shutdown().await.unwrap();
}

#[sqlx::test(migrator = "app::MIGRATOR")]
async fn unavailable_goes_again_a_gateway_error_is_unknown_an_opt_out_stops_a_mail_and_erasure_leaves_none(
    pool: PgPool,
) {
    let app = spawn_app(pool.clone()).await;
    let claire = app.signed_in(DEMO_TENANT_ID, CLAIRE).await;
    connect(&app, &claire, DEMO_TENANT_ID, CLAIRE).await;
    let (campaign, prospect) = campaign_with_prospect(&pool, &claire, "paul@durand.example").await;

    // 503 is "not sent": it goes again after Retry-After.
    graph_next(
        &app,
        json!({ "status": 503, "code": "ServiceUnavailable", "retry_after": 1 }),
    )
    .await;
    queue(&claire, &campaign, &prospect, "Indisponible", "k-503").await;
    until_status(&pool, "Indisponible", "sent").await;
    // 502 may have been sent: unknown, never again by itself.
    graph_next(&app, json!({ "status": 502, "code": "BadGateway" })).await;
    queue(&claire, &campaign, &prospect, "Passerelle", "k-502").await;
    until_status(&pool, "Passerelle", "unknown").await;
    let outcomes: Vec<String> =
        sqlx::query_scalar("SELECT outcome FROM email_send_logs ORDER BY id")
            .fetch_all(&pool)
            .await
            .unwrap();
    assert_eq!(outcomes, ["unavailable", "sent", "unknown"]);

    // A mail waits (the mailbox paused) while the contact asks for no more mails: it never
    // leaves, and no new one is accepted.
    sqlx::query("UPDATE graph_grants SET status = 'needs_consent', refresh_token = NULL, access_token = NULL")
        .execute(&pool)
        .await
        .unwrap();
    queue(&claire, &campaign, &prospect, "Avant le refus", "k-avant").await;
    let (code, _) = claire
        .call(
            "set_do_not_contact",
            &[("campaign", &campaign), ("id", &prospect), ("on", "true")],
        )
        .await;
    assert_eq!(code, 200);
    connect(&app, &claire, DEMO_TENANT_ID, CLAIRE).await;
    claire.call("send_test_mail", &[("key", "wake")]).await;
    until_status(&pool, "Avant le refus", "failed").await;
    let reason: String =
        sqlx::query_scalar("SELECT last_error FROM outbox_emails WHERE subject = 'Avant le refus'")
            .fetch_one(&pool)
            .await
            .unwrap();
    assert!(reason.contains("ne plus être contacté"), "{reason}");
    let (code, refused) = queue(&claire, &campaign, &prospect, "Après", "k-apres").await;
    assert_eq!(code, 409, "{refused}");
    assert!(refused["message"]
        .as_str()
        .unwrap()
        .contains("ne plus être contacté"));
    let sent_to_paul = mailbox(&app, CLAIRE)
        .await
        .iter()
        .filter(|m| m["to"] == json!(["paul@durand.example"]))
        .count();
    // The 503 one once; the 502 one the sandbox refused without sending (the rep would find
    // nothing in their Sent Items and send it again).
    assert_eq!(sent_to_paul, 1);

    // Erased on request: its mails and their logs go with it.
    let res = claire
        .post_page_form(
            "/api/erase_prospect",
            &[
                ("campaign", &campaign),
                ("id", &prospect),
                ("confirm", "on"),
            ],
        )
        .await;
    assert_eq!(res.status(), 303);
    let left: (i64, i64) = sqlx::query_as(
        "SELECT (SELECT count(*) FROM outbox_emails WHERE kind = 'prospecting'),
                (SELECT count(*) FROM email_send_logs l JOIN outbox_emails o ON o.id = l.email_id
                 WHERE o.kind = 'prospecting') + (SELECT count(*) FROM email_send_logs
                 WHERE email_id NOT IN (SELECT id FROM outbox_emails))",
    )
    .fetch_one(&pool)
    .await
    .unwrap();
    assert_eq!(left, (0, 0));
    app.shutdown().await.unwrap();
}

/// The events of the stream at `path` until its work ends (or `within` passes).
async fn follow(browser: &Browser, path: &str, within: Duration) -> Vec<Value> {
    let mut res = browser.get(path).await;
    assert_eq!(res.status(), 200, "{path}");
    let mut text = String::new();
    let _ = tokio::time::timeout(within, async {
        while let Ok(Some(chunk)) = res.chunk().await {
            text.push_str(&String::from_utf8_lossy(&chunk));
            if text.contains("\"state\":\"done\"") {
                break;
            }
        }
    })
    .await;
    text.lines()
        .filter_map(|l| l.strip_prefix("data: ").or_else(|| l.strip_prefix("data:")))
        .map(|data| serde_json::from_str(data).unwrap())
        .collect()
}

#[sqlx::test(migrator = "app::MIGRATOR")]
async fn the_envois_tab_follows_its_mails_leaving_live(pool: PgPool) {
    let app = spawn_app(pool.clone()).await;
    let claire = app.signed_in(DEMO_TENANT_ID, CLAIRE).await;
    let julien = app.signed_in(DEMO_TENANT_ID, JULIEN).await;
    let (campaign, prospect) = campaign_with_prospect(&pool, &claire, "paul@durand.example").await;
    // No mailbox yet: the mails wait.
    for n in 1..=3 {
        queue(
            &claire,
            &campaign,
            &prospect,
            &format!("Suivi {n}"),
            &format!("suivi-{n}"),
        )
        .await;
    }
    let tab = format!("/campagnes/{campaign}/envois");
    let page = claire.get(&tab).await.text().await.unwrap();
    let progress = format!("{tab}/progression");
    assert!(
        page.contains(&format!("data-follow=\"{progress}\"")),
        "{page}"
    );
    assert!(page.contains("Envoi en cours : 0 mail envoyé sur 3, 3 en attente…"));
    assert_eq!(julien.get(&progress).await.status(), 404, "another rep's");

    // The stream says where things are, then each mail as it leaves, then the end.
    let watching = {
        let claire = claire.clone();
        let progress = progress.clone();
        tokio::spawn(async move { follow(&claire, &progress, Duration::from_secs(30)).await })
    };
    tokio::time::sleep(Duration::from_millis(300)).await;
    connect(&app, &claire, DEMO_TENANT_ID, CLAIRE).await;
    claire.call("send_test_mail", &[("key", "go")]).await;
    let events = watching.await.unwrap();
    assert_eq!(events[0]["state"], "running", "{events:?}");
    assert_eq!(
        (events[0]["done"].as_i64(), events[0]["total"].as_i64()),
        (Some(0), Some(3))
    );
    let last = events.last().unwrap();
    assert_eq!(last["state"], "done", "{events:?}");
    assert_eq!(last["done"], 3);
    assert!(events.len() >= 3, "mails told as they leave: {events:?}");
    // Nothing waits: the page follows nothing.
    let page = claire.get(&tab).await.text().await.unwrap();
    assert!(!page.contains("data-follow"), "{page}");
    app.shutdown().await.unwrap();
}

#[sqlx::test(migrator = "app::MIGRATOR")]
async fn graph_asking_to_slow_down_holds_the_whole_mailbox_not_just_the_mail(pool: PgPool) {
    let app = spawn_app(pool.clone()).await;
    let claire = app.signed_in(DEMO_TENANT_ID, CLAIRE).await;
    connect(&app, &claire, DEMO_TENANT_ID, CLAIRE).await;
    let (campaign, prospect) = campaign_with_prospect(&pool, &claire, "paul@durand.example").await;
    graph_next(
        &app,
        json!({ "status": 429, "code": "ApplicationThrottled", "retry_after": 5 }),
    )
    .await;
    queue(&claire, &campaign, &prospect, "Lent 1", "lent-1").await;
    queue(&claire, &campaign, &prospect, "Lent 2", "lent-2").await;
    until_status(&pool, "Lent 1", "sent").await;
    until_status(&pool, "Lent 2", "sent").await;
    let attempts: Vec<(String, chrono::DateTime<chrono::Utc>)> =
        sqlx::query_as("SELECT outcome, started_at FROM email_send_logs ORDER BY started_at")
            .fetch_all(&pool)
            .await
            .unwrap();
    assert_eq!(attempts.len(), 3, "{attempts:?}");
    assert_eq!(attempts[0].0, "throttled");
    // Exchange's own spacing is 2 s: the next request waited for Retry-After's 5.
    let waited = attempts[1].1 - attempts[0].1;
    assert!(waited >= chrono::Duration::milliseconds(4900), "{waited}");
    app.shutdown().await.unwrap();
}
