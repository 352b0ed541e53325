//! Sign-in with Microsoft through spine-sandbox over real HTTP, sessions, `/me`, internal
//! tokens and CSRF, on a fresh database per test.

mod common;

use common::{spawn_app, spawn_app_configured, TestApp, REDIS_URL};
use sandbox::{oid_for, DEMO_TENANT_ID, OTHER_TENANT_ID};
use serde_json::Value;
use sqlx::PgPool;

const CLAIRE: &str = "claire.martin@demo-salons.example.test";
const ALEX: &str = "alex.durand@example.test";

async fn users(pool: &PgPool) -> i64 {
    sqlx::query_scalar("SELECT count(*) FROM users")
        .fetch_one(pool)
        .await
        .unwrap()
}

fn location(res: &reqwest::Response) -> String {
    res.headers()["location"].to_str().unwrap().to_owned()
}

async fn inject_id_token_fault(app: &TestApp, fault: &str) {
    let res = app
        .client
        .post(format!("{}/_sandbox/next-id-token", app.sandbox.base_url()))
        .json(&serde_json::json!({ "fault": fault }))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 204);
}

#[sqlx::test(migrator = "app::MIGRATOR")]
async fn the_code_flow_signs_a_rep_in_and_me_names_them(pool: PgPool) {
    let app = spawn_app(pool.clone()).await;
    let browser = app.browser();
    let landing = browser.sign_in(DEMO_TENANT_ID, CLAIRE).await;
    assert_eq!(landing.status(), 303);
    assert_eq!(location(&landing), "/");

    let me: Value = browser.get("/me").await.json().await.unwrap();
    assert_eq!(me["name"], "Claire Martin");
    assert_eq!(me["email"], CLAIRE);
    assert_eq!(me["tid"], DEMO_TENANT_ID);
    assert_eq!(me["oid"], oid_for(DEMO_TENANT_ID, CLAIRE).to_string());
    assert_eq!(users(&pool).await, 1);

    let home = browser.get("/").await.text().await.unwrap();
    assert!(
        home.contains("Claire Martin") && home.contains("Se déconnecter"),
        "{home}"
    );
    app.shutdown().await.unwrap();
}

#[sqlx::test(migrator = "app::MIGRATOR")]
async fn signing_in_returns_to_the_page_that_asked_for_it(pool: PgPool) {
    let app = spawn_app(pool).await;
    let browser = app.browser();
    let res = browser.get("/compte").await;
    assert_eq!(res.status(), 303);
    assert_eq!(location(&res), "/connexion?next=/compte");

    let res = browser.get("/auth/microsoft/login?next=/compte").await;
    let authorize = location(&res);
    let callback = browser
        .choose_account(&authorize, DEMO_TENANT_ID, CLAIRE)
        .await;
    let landing = browser.get(&callback).await;
    assert_eq!(location(&landing), "/compte");
    let page = browser.get("/compte").await.text().await.unwrap();
    assert!(page.contains("Mon compte") && page.contains(CLAIRE));
    app.shutdown().await.unwrap();
}

#[sqlx::test(migrator = "app::MIGRATOR")]
async fn spine_asks_microsoft_with_pkce_s256_state_and_nonce(pool: PgPool) {
    let app = spawn_app(pool).await;
    let authorize = app.browser().start_sign_in().await;
    let url = reqwest::Url::parse(&authorize).unwrap();
    let query: std::collections::HashMap<_, _> = url.query_pairs().into_owned().collect();
    assert_eq!(query["code_challenge_method"], "S256");
    assert_eq!(query["code_challenge"].len(), 43, "a SHA-256, base64url");
    assert!(query["state"].len() >= 22 && query["nonce"].len() >= 22);
    assert_eq!(query["response_type"], "code");
    // The sandbox, as Microsoft, refuses a code exchange without the verifier
    // (sandbox/tests/flows.rs): a sign-in that succeeds proves Spine sent it.
    app.shutdown().await.unwrap();
}

#[sqlx::test(migrator = "app::MIGRATOR")]
async fn a_flood_of_sign_ins_from_one_address_is_slowed_and_the_others_are_not(pool: PgPool) {
    let app = spawn_app_configured(pool, REDIS_URL, |c| c.sign_in_per_minute = 6).await;
    let from = |ip: [u8; 4]| {
        reqwest::Client::builder()
            .local_address(std::net::IpAddr::from(ip))
            .redirect(reqwest::redirect::Policy::none())
            .timeout(std::time::Duration::from_secs(10))
            .build()
            .unwrap()
    };
    let (flood, neighbour) = (from([127, 0, 0, 1]), from([127, 0, 0, 2]));
    let login = |client: &reqwest::Client| {
        let request = client.get(app.url("/auth/microsoft/login"));
        async move { request.send().await.unwrap() }
    };
    for _ in 0..6 {
        assert_eq!(login(&flood).await.status(), 303);
    }
    let refused = login(&flood).await;
    assert_eq!(refused.status(), 429);
    assert_eq!(refused.headers()["retry-after"], "60");
    assert!(refused
        .text()
        .await
        .unwrap()
        .contains("Trop de tentatives de connexion"));
    // The callback counts too; another address is not concerned; a forged header changes nothing.
    let callback = flood
        .get(app.url("/auth/microsoft/callback?error=access_denied"))
        .header("x-forwarded-for", "203.0.113.9")
        .send()
        .await
        .unwrap();
    assert_eq!(callback.status(), 429);
    assert_eq!(login(&neighbour).await.status(), 303);
    // Pages are not limited.
    assert_eq!(flood.get(app.url("/")).send().await.unwrap().status(), 200);
    app.shutdown().await.unwrap();
}

#[sqlx::test(migrator = "app::MIGRATOR")]
async fn after_sign_in_the_rep_never_lands_on_another_site(pool: PgPool) {
    let app = spawn_app(pool).await;
    // Browsers drop tabs and newlines in URLs: `/\t/evil.example` becomes `//evil.example`.
    let attempts = [
        "/%09/evil.example",
        "/%0a/evil.example",
        "/%0d%0a/evil.example",
        "%2F%2Fevil.example",
        "//evil.example",
        "/%5cevil.example",
        "/\\evil.example",
        "%5C%5Cevil.example",
        "https://evil.example/",
        "https:evil.example",
        "javascript:alert(1)",
        "/%00/evil.example",
        "evil.example",
        // Dot segments vanish when the path is resolved: `/.//x` would become `//x`.
        "/.//evil.example",
        "/..//evil.example",
        "/%2e//evil.example",
        "/%2e%2e//evil.example",
        "",
    ];
    for next in attempts {
        let browser = app.browser();
        let res = browser
            .get(&format!("/auth/microsoft/login?next={next}"))
            .await;
        let authorize = location(&res);
        let callback = browser
            .choose_account(&authorize, DEMO_TENANT_ID, CLAIRE)
            .await;
        let landing = browser.get(&callback).await;
        assert_eq!(landing.status(), 303, "{next}");
        assert_eq!(location(&landing), "/", "next={next}");
    }
    // A path of Spine keeps its query.
    let browser = app.browser();
    let res = browser
        .get("/auth/microsoft/login?next=%2Fcampagnes%3Fstatut%3Da-venir%26q%3Dsirha")
        .await;
    let callback = browser
        .choose_account(&location(&res), DEMO_TENANT_ID, CLAIRE)
        .await;
    let landing = browser.get(&callback).await;
    assert_eq!(location(&landing), "/campagnes?statut=a-venir&q=sirha");
    app.shutdown().await.unwrap();
}

#[sqlx::test(migrator = "app::MIGRATOR")]
async fn after_microsoft_rotates_its_signing_key_reps_still_sign_in(pool: PgPool) {
    let app = spawn_app(pool).await;
    // The first sign-in makes Spine fetch (and keep) the key set.
    app.signed_in(DEMO_TENANT_ID, CLAIRE).await;
    let res = app
        .client
        .post(format!("{}/_sandbox/rotate-key", app.sandbox.base_url()))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 204);
    // Signed under a kid Spine has not seen: it fetches the key set again, once.
    let browser = app.browser();
    let landing = browser.sign_in(DEMO_TENANT_ID, CLAIRE).await;
    assert_eq!(location(&landing), "/");
    assert_eq!(browser.get("/me").await.status(), 200);
    app.shutdown().await.unwrap();
}

#[sqlx::test(migrator = "app::MIGRATOR")]
async fn bad_id_tokens_are_refused_with_a_french_error_and_nothing_stored(pool: PgPool) {
    let app = spawn_app(pool.clone()).await;
    for fault in [
        "other_key",
        "expired",
        "wrong_audience",
        "wrong_issuer",
        "wrong_nonce",
        "missing_nonce",
        "non_guid_tid",
        "alg_none",
        "hs256",
        "several_audiences",
    ] {
        inject_id_token_fault(&app, fault).await;
        let browser = app.browser();
        let landing = browser.sign_in(DEMO_TENANT_ID, CLAIRE).await;
        assert_eq!(landing.status(), 303, "{fault}");
        assert_eq!(location(&landing), "/connexion?erreur=jeton", "{fault}");
        assert_eq!(browser.get("/me").await.status(), 401, "{fault}");
        assert_eq!(users(&pool).await, 0, "{fault} stored a user");
    }
    let page = app
        .get("/connexion?erreur=jeton")
        .await
        .text()
        .await
        .unwrap();
    assert!(
        page.contains("identité que Spine n’a pas pu vérifier"),
        "{page}"
    );
    // The sandbox serves each fault once: the next sign-in works.
    app.signed_in(DEMO_TENANT_ID, CLAIRE).await;
    assert_eq!(users(&pool).await, 1);
    app.shutdown().await.unwrap();
}

#[sqlx::test(migrator = "app::MIGRATOR")]
async fn a_replayed_or_unknown_state_is_refused(pool: PgPool) {
    let app = spawn_app(pool.clone()).await;
    let browser = app.browser();
    let authorize = browser.start_sign_in().await;
    let callback = browser
        .choose_account(&authorize, DEMO_TENANT_ID, CLAIRE)
        .await;

    // Another state than the one this browser was given.
    let forged = with_state_param(&callback, "forged-state");
    assert_eq!(
        location(&browser.get(&forged).await),
        "/connexion?erreur=etat"
    );
    // The pending sign-in is single use: even the genuine callback now finds nothing.
    assert_eq!(
        location(&browser.get(&callback).await),
        "/connexion?erreur=session"
    );
    // A browser that never started a sign-in.
    assert_eq!(
        location(&app.browser().get(&callback).await),
        "/connexion?erreur=session"
    );
    assert_eq!(users(&pool).await, 0);

    let ok = app.signed_in(DEMO_TENANT_ID, CLAIRE).await;
    let replayed = ok.get(&callback).await;
    assert_eq!(location(&replayed), "/connexion?erreur=session");
    app.shutdown().await.unwrap();
}

fn with_state_param(url: &str, state: &str) -> String {
    let mut parsed = reqwest::Url::parse(url).unwrap();
    let pairs: Vec<(String, String)> = parsed
        .query_pairs()
        .map(|(k, v)| {
            if k == "state" {
                (k.into_owned(), state.to_string())
            } else {
                (k.into_owned(), v.into_owned())
            }
        })
        .collect();
    parsed.query_pairs_mut().clear().extend_pairs(pairs);
    parsed.to_string()
}

#[sqlx::test(migrator = "app::MIGRATOR")]
async fn a_refusal_from_microsoft_is_explained(pool: PgPool) {
    let app = spawn_app(pool).await;
    let browser = app.browser();
    browser.start_sign_in().await;
    let res = browser.get("/auth/microsoft/callback?error=access_denied&error_description=AADSTS65004%3A+declined&state=x").await;
    assert_eq!(location(&res), "/connexion?erreur=refus");
    app.shutdown().await.unwrap();
}

#[sqlx::test(migrator = "app::MIGRATOR")]
async fn the_same_email_in_two_tenants_gives_two_users(pool: PgPool) {
    let app = spawn_app(pool.clone()).await;
    let demo: Value = app
        .signed_in(DEMO_TENANT_ID, ALEX)
        .await
        .get("/me")
        .await
        .json()
        .await
        .unwrap();
    let other: Value = app
        .signed_in(OTHER_TENANT_ID, ALEX)
        .await
        .get("/me")
        .await
        .json()
        .await
        .unwrap();
    assert_ne!(demo["id"], other["id"]);
    assert_eq!(demo["tid"], DEMO_TENANT_ID);
    assert_eq!(other["tid"], OTHER_TENANT_ID);
    // Signing in again finds the same user.
    let again: Value = app
        .signed_in(DEMO_TENANT_ID, ALEX)
        .await
        .get("/me")
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(again["id"], demo["id"]);
    assert_eq!(users(&pool).await, 2);
    app.shutdown().await.unwrap();
}

#[sqlx::test(migrator = "app::MIGRATOR")]
async fn the_session_cookie_is_httponly_lax_and_renewed_at_sign_in(pool: PgPool) {
    let app = spawn_app(pool).await;
    let browser = app.browser();
    let res = browser.get("/auth/microsoft/login").await;
    let before = res.headers()["set-cookie"].to_str().unwrap().to_owned();
    assert!(before.starts_with("spine_session="));
    assert!(
        before.contains("HttpOnly") && before.contains("SameSite=Lax"),
        "{before}"
    );
    let authorize = location(&res);
    let callback = browser
        .choose_account(&authorize, DEMO_TENANT_ID, CLAIRE)
        .await;
    let landing = browser.get(&callback).await;
    let after = landing.headers()["set-cookie"].to_str().unwrap().to_owned();
    let id = |c: &str| c.split(';').next().unwrap().to_owned();
    assert_ne!(id(&before), id(&after), "the session id changes at sign-in");
    // A cookie planted before sign-in (session fixation) opens nothing after it.
    assert_eq!(me_with_cookie(&app, &id(&before)).await, 401);
    assert_eq!(me_with_cookie(&app, &id(&after)).await, 200);
    app.shutdown().await.unwrap();
}

/// `GET /me` from a client that sends exactly `cookie` (no jar to forget it).
async fn me_with_cookie(app: &TestApp, cookie: &str) -> u16 {
    app.client
        .get(app.url("/me"))
        .header("cookie", cookie)
        .send()
        .await
        .unwrap()
        .status()
        .as_u16()
}

/// Signs in through the sandbox; returns the browser and its session cookie (`name=value`).
async fn sign_in_keeping_cookie(app: &TestApp) -> (common::Browser, String) {
    let browser = app.browser();
    let authorize = browser.start_sign_in().await;
    let callback = browser
        .choose_account(&authorize, DEMO_TENANT_ID, CLAIRE)
        .await;
    let landing = browser.get(&callback).await;
    let cookie = landing.headers()["set-cookie"].to_str().unwrap();
    let cookie = cookie.split(';').next().unwrap().to_owned();
    (browser, cookie)
}

#[sqlx::test(migrator = "app::MIGRATOR")]
async fn over_https_the_session_cookie_is_host_only_and_browsers_stick_to_https(pool: PgPool) {
    let app = spawn_app_configured(pool.clone(), REDIS_URL, |c| {
        c.public_url = "https://spine.example".into();
        // The sandbox's settings, on an address of the network: allowed for this test only.
        c.allow_dev_secrets_on_network = true;
    })
    .await;
    let res = app.get("/auth/microsoft/login").await;
    let cookie = res.headers()["set-cookie"].to_str().unwrap().to_owned();
    assert!(cookie.starts_with("__Host-spine_session="), "{cookie}");
    assert!(
        cookie.contains("Secure") && cookie.contains("Path=/"),
        "{cookie}"
    );
    assert!(!cookie.contains("Domain"), "{cookie}");
    let hsts = app.get("/").await.headers()["strict-transport-security"].clone();
    assert_eq!(hsts, "max-age=31536000; includeSubDomains");
    app.shutdown().await.unwrap();

    // Plain-http development: no prefix (browsers would refuse it), no HSTS.
    let app = spawn_app(pool).await;
    let res = app.get("/auth/microsoft/login").await;
    assert!(res.headers()["set-cookie"]
        .to_str()
        .unwrap()
        .starts_with("spine_session="));
    assert!(app
        .get("/")
        .await
        .headers()
        .get("strict-transport-security")
        .is_none());
    app.shutdown().await.unwrap();
}

#[sqlx::test(migrator = "app::MIGRATOR")]
async fn signing_out_ends_the_session_and_pages_ask_to_sign_in_again(pool: PgPool) {
    let app = spawn_app(pool).await;
    let (browser, cookie) = sign_in_keeping_cookie(&app).await;
    assert_eq!(browser.get("/compte").await.status(), 200);
    assert_eq!(me_with_cookie(&app, &cookie).await, 200);
    let res = browser.post_form("/auth/logout", &[]).await;
    assert_eq!(res.status(), 303);
    assert_eq!(location(&res), "/connexion?deconnecte=1");
    assert_eq!(browser.get("/me").await.status(), 401);
    let page = browser.get("/compte").await;
    assert_eq!(page.status(), 303);
    assert_eq!(location(&page), "/connexion?next=/compte");
    // The server ended it: the old cookie, sent again, opens nothing.
    assert_eq!(me_with_cookie(&app, &cookie).await, 401);
    app.shutdown().await.unwrap();
}

#[sqlx::test(migrator = "app::MIGRATOR")]
async fn a_session_past_its_absolute_lifetime_is_ended(pool: PgPool) {
    let app = spawn_app(pool.clone()).await;
    let browser = app.signed_in(DEMO_TENANT_ID, CLAIRE).await;
    assert_eq!(browser.get("/me").await.status(), 200);
    // Signed in 25 hours ago; the test configuration allows 24.
    sqlx::query("UPDATE sessions SET data = jsonb_set(data, '{auth,signed_in_at}', to_jsonb(extract(epoch from now())::bigint - 25 * 3600))")
        .execute(&pool)
        .await
        .unwrap();
    assert_eq!(browser.get("/me").await.status(), 401);
    app.shutdown().await.unwrap();
}

#[sqlx::test(migrator = "app::MIGRATOR")]
async fn a_cross_site_post_to_a_server_function_is_refused_and_stores_nothing(pool: PgPool) {
    let app = spawn_app(pool).await;
    let browser = app.signed_in(DEMO_TENANT_ID, CLAIRE).await;
    let form = [
        ("form[name]", "Posté par evil.example"),
        ("form[website]", ""),
        ("form[notes]", ""),
    ];
    for (origin, site) in [
        (Some("https://evil.example"), Some("cross-site")),
        (Some("http://127.0.0.1:1"), Some("same-site")),
        (None, None),
    ] {
        let mut request = browser
            .client
            .post(app.url("/api/save_distributor"))
            .header("accept", "application/json")
            .form(&form);
        if let Some(origin) = origin {
            request = request.header("origin", origin);
        }
        if let Some(site) = site {
            request = request.header("sec-fetch-site", site);
        }
        assert_eq!(request.send().await.unwrap().status(), 403, "{origin:?}");
    }
    let (_, list) = browser.call("list_distributors", &[]).await;
    assert_eq!(list, serde_json::json!([]), "nothing stored");
    app.shutdown().await.unwrap();
}

#[sqlx::test(migrator = "app::MIGRATOR")]
async fn a_cross_site_post_is_refused_and_changes_nothing(pool: PgPool) {
    let app = spawn_app(pool).await;
    let browser = app.signed_in(DEMO_TENANT_ID, CLAIRE).await;
    let res = browser
        .client
        .post(app.url("/auth/logout"))
        .header("origin", "https://evil.example")
        .header("sec-fetch-site", "cross-site")
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 403);
    // Also without any origin header (old or non-browser client with the cookie).
    let res = browser
        .client
        .post(app.url("/auth/logout"))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 403);
    assert_eq!(browser.get("/me").await.status(), 200, "still signed in");
    app.shutdown().await.unwrap();
}

#[sqlx::test(migrator = "app::MIGRATOR")]
async fn an_internal_token_works_until_tampered_or_expired(pool: PgPool) {
    let app = spawn_app(pool).await;
    let browser = app.signed_in(DEMO_TENANT_ID, CLAIRE).await;
    let issued: Value = browser
        .post_form("/auth/token", &[])
        .await
        .json()
        .await
        .unwrap();
    let token = issued["token"].as_str().unwrap().to_owned();
    assert_eq!(issued["token_type"], "Bearer");
    assert!(issued["expires_in"].as_i64().unwrap() <= 3600);

    let me = |t: String| {
        let client = app.client.clone();
        let url = app.url("/me");
        async move { client.get(url).bearer_auth(t).send().await.unwrap() }
    };
    let res = me(token.clone()).await;
    assert_eq!(res.status(), 200);
    assert_eq!(res.json::<Value>().await.unwrap()["name"], "Claire Martin");

    let mut tampered = token.clone();
    tampered.replace_range(tampered.len() - 4.., "AAAA");
    let res = me(tampered).await;
    assert_eq!(res.status(), 401);
    assert_eq!(res.json::<Value>().await.unwrap()["error"], "unauthorized");

    let user_id = uuid::Uuid::parse_str(&issued_user(&browser).await).unwrap();
    let expired = server::auth::tokens::issue(
        &app.state.pool,
        app.state.config.token_secret.expose(),
        user_id,
        -10,
        None,
    )
    .await
    .unwrap();
    assert_eq!(me(expired.token).await.status(), 401);
    // Well signed but never issued (unknown id): refused.
    let secret = app.state.config.token_secret.expose();
    let unrecorded = server::auth::tokens::issue(&app.state.pool, secret, user_id, 60, None)
        .await
        .unwrap();
    sqlx::query("DELETE FROM api_tokens WHERE id = $1")
        .bind(unrecorded.id)
        .execute(&app.state.pool)
        .await
        .unwrap();
    assert_eq!(me(unrecorded.token).await.status(), 401);

    // A token cannot mint another one.
    let res = app
        .client
        .post(app.url("/auth/token"))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 403);
    app.shutdown().await.unwrap();
}

#[sqlx::test(migrator = "app::MIGRATOR")]
async fn signing_out_revokes_the_tokens_the_session_asked_for(pool: PgPool) {
    let app = spawn_app(pool).await;
    let browser = app.signed_in(DEMO_TENANT_ID, CLAIRE).await;
    let other_tablet = app.signed_in(DEMO_TENANT_ID, CLAIRE).await;
    let token = |b: &common::Browser| {
        let b = b.clone();
        async move {
            let issued: Value = b.post_form("/auth/token", &[]).await.json().await.unwrap();
            issued["token"].as_str().unwrap().to_owned()
        }
    };
    let mine = token(&browser).await;
    let theirs = token(&other_tablet).await;
    let me = |t: String| {
        let client = app.client.clone();
        let url = app.url("/me");
        async move {
            client
                .get(url)
                .bearer_auth(t)
                .send()
                .await
                .unwrap()
                .status()
                .as_u16()
        }
    };
    assert_eq!(me(mine.clone()).await, 200);
    browser.post_form("/auth/logout", &[]).await;
    assert_eq!(me(mine).await, 401, "the signed-out session's token");
    assert_eq!(me(theirs).await, 200, "another session's token lives on");
    app.shutdown().await.unwrap();
}

async fn issued_user(browser: &common::Browser) -> String {
    let me: Value = browser.get("/me").await.json().await.unwrap();
    me["id"].as_str().unwrap().to_owned()
}

#[sqlx::test(migrator = "app::MIGRATOR")]
async fn anonymous_api_calls_get_401_json_and_pages_redirect_to_sign_in(pool: PgPool) {
    let app = spawn_app(pool).await;
    let res = app.get("/me").await;
    assert_eq!(res.status(), 401);
    let body: Value = res.json().await.unwrap();
    assert_eq!(body["message"], "Veuillez vous connecter.");
    assert_eq!(app.get("/compte").await.status(), 303);
    assert_eq!(app.get("/").await.status(), 200);
    let sign_in = app.get("/connexion").await.text().await.unwrap();
    assert!(sign_in.contains("Se connecter avec Microsoft"));
    app.shutdown().await.unwrap();
}

/// Every server function but the public ones answers 401 to a visitor: the router refuses
/// them before the function runs, so a new one is covered even if it forgot `require_user()`.
/// That each one works for the signed-in rep only is what the owner-only tests prove (another
/// rep gets "not found").
#[sqlx::test(migrator = "app::MIGRATOR")]
async fn every_server_function_refuses_visitors_except_the_public_ones(pool: PgPool) {
    // Both answer a visitor with nothing of anyone's.
    const PUBLIC: &[&str] = &["/api/signed_in_user", "/api/today_html"];
    let app = spawn_app(pool).await;
    let mut checked = 0;
    for (path, method) in leptos::server_fn::axum::server_fn_paths() {
        if PUBLIC.contains(&path) {
            continue;
        }
        let res = app
            .client
            .request(method.clone(), app.url(path))
            .header("origin", app.origin())
            .header("content-type", "application/x-www-form-urlencoded")
            .body("")
            .send()
            .await
            .unwrap();
        assert_eq!(
            res.status(),
            401,
            "{method} {path} must require a signed-in user"
        );
        checked += 1;
    }
    assert!(checked >= 1, "no server function was checked");
    app.shutdown().await.unwrap();
}

#[sqlx::test(migrator = "app::MIGRATOR")]
async fn spine_token_mints_a_token_for_a_user_named_by_email(pool: PgPool) {
    let app = spawn_app(pool.clone()).await;
    app.signed_in(DEMO_TENANT_ID, CLAIRE).await;
    app.signed_in(DEMO_TENANT_ID, ALEX).await;
    app.signed_in(OTHER_TENANT_ID, ALEX).await;

    let options = pool.connect_options();
    let database_url = format!(
        "postgres://postgres@127.0.0.1:{}/{}",
        options.get_port(),
        options.get_database().unwrap()
    );
    let spine_with = |args: &[&str]| {
        std::process::Command::new(env!("CARGO_BIN_EXE_spine"))
            .arg("token")
            .args(args)
            .env("DATABASE_URL", &database_url)
            .env("SPINE_TOKEN_SECRET", app.state.config.token_secret.expose())
            .env("SPINE_LOG", "error")
            .output()
            .unwrap()
    };
    let spine = |owner: &str| spine_with(&["--owner", owner]);
    let out = spine(CLAIRE);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let printed: Value = serde_json::from_slice(&out.stdout).unwrap();
    let token = printed["token"]["token"].as_str().unwrap();
    let res = app
        .client
        .get(app.url("/me"))
        .bearer_auth(token)
        .send()
        .await
        .unwrap();
    assert_eq!(res.json::<Value>().await.unwrap()["email"], CLAIRE);

    let out = spine(ALEX);
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("matches 2 users"), "{err}");

    // At most 24 hours.
    let out = spine_with(&["--owner", CLAIRE, "--ttl-minutes", "1441"]);
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("1..=1440"));

    // Revoked by id, it opens nothing any more.
    let id = printed["token"]["id"].as_str().unwrap();
    let out = spine_with(&["--revoke", id]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let status = |token: String| {
        let client = app.client.clone();
        let url = app.url("/me");
        async move {
            client
                .get(url)
                .bearer_auth(token)
                .send()
                .await
                .unwrap()
                .status()
        }
    };
    assert_eq!(status(token.to_owned()).await, 401);
    let out = spine_with(&["--revoke", id]);
    assert!(!out.status.success(), "revoking twice says so");

    // Every token of a rep at once.
    let fresh: Value = serde_json::from_slice(&spine(CLAIRE).stdout).unwrap();
    let fresh = fresh["token"]["token"].as_str().unwrap().to_owned();
    assert_eq!(status(fresh.clone()).await, 200);
    let out = spine_with(&["--owner", CLAIRE, "--revoke-all"]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(status(fresh).await, 401);
    app.shutdown().await.unwrap();
}

#[sqlx::test(migrator = "app::MIGRATOR")]
async fn spine_serve_refuses_development_settings_where_they_are_dangerous_and_names_them(
    pool: PgPool,
) {
    let options = pool.connect_options();
    let database_url = format!(
        "postgres://postgres@127.0.0.1:{}/{}",
        options.get_port(),
        options.get_database().unwrap()
    );
    let serve = |env: &[(&str, &str)]| {
        let out = std::process::Command::new(env!("CARGO_BIN_EXE_spine"))
            .arg("serve")
            .env("DATABASE_URL", &database_url)
            .env("SPINE_LOG", "error")
            .envs(env.iter().copied())
            .output()
            .unwrap();
        assert!(!out.status.success(), "started with {env:?}");
        String::from_utf8_lossy(&out.stderr).into_owned()
    };
    let production = serve(&[("SPINE_ENV", "production")]);
    let on_network = serve(&[("SPINE_LISTEN", "0.0.0.0:0")]);
    let told_to_network = serve(&[("SPINE_PUBLIC_URL", "http://192.168.1.20:3000")]);
    for (what, err) in [
        ("production", &production),
        ("listening beyond loopback", &on_network),
        ("a network public URL", &told_to_network),
    ] {
        for setting in [
            "SPINE_MICROSOFT_AUTHORITY",
            "SPINE_MICROSOFT_CLIENT_SECRET",
            "SPINE_TOKEN_SECRET",
        ] {
            assert!(
                err.contains(setting),
                "{what}: {setting} missing from {err}"
            );
        }
    }
    assert!(
        on_network.contains("SPINE_ALLOW_DEV_SECRETS_ON_NETWORK"),
        "{on_network}"
    );
}

#[sqlx::test(migrator = "app::MIGRATOR")]
async fn an_active_rep_s_session_is_extended_while_they_work(pool: PgPool) {
    let app = spawn_app(pool.clone()).await;
    let browser = app.signed_in(DEMO_TENANT_ID, CLAIRE).await;
    // Last extended ten minutes ago, about to expire.
    sqlx::query(
        "UPDATE sessions SET expires_at = now() + interval '30 seconds',
                data = jsonb_set(data, '{auth,seen_at}', to_jsonb(extract(epoch from now())::bigint - 600))",
    )
    .execute(&pool)
    .await
    .unwrap();
    assert_eq!(browser.get("/me").await.status(), 200);
    let left: f64 = sqlx::query_scalar(
        "SELECT extract(epoch from max(expires_at) - now())::float8 FROM sessions",
    )
    .fetch_one(&pool)
    .await
    .unwrap();
    // The test configuration ends sessions after 60 idle minutes.
    assert!(
        left > 55.0 * 60.0,
        "expiry pushed back to an hour from now, got {left} s"
    );
    app.shutdown().await.unwrap();
}
