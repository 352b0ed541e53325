//! Discovery, the authorization code flow and its errors, over real HTTP.

mod support;

use openidconnect::core::{CoreJsonWebKeySet, CoreProviderMetadata};
use reqwest::StatusCode;
use sandbox::{oid_for, DEMO_TENANT_ID, DEV_CLIENT_ID, DEV_CLIENT_SECRET, OTHER_TENANT_ID};
use serde_json::Value;
use support::*;

const CLAIRE: &str = "c0ffee00-5a1e-4d00-8000-000000000001|claire.martin@demo-salons.example.test";

#[tokio::test]
async fn discovery_for_organizations_has_the_tenantid_template_issuer() {
    let dir = TempDir::create();
    let sandbox = start(&dir, false).await;
    let base = sandbox.base_url();
    let text = http()
        .get(format!(
            "{base}/organizations/v2.0/.well-known/openid-configuration"
        ))
        .send()
        .await
        .expect("GET discovery")
        .text()
        .await
        .expect("body");
    let doc: Value = serde_json::from_str(&text).expect("JSON");
    assert_eq!(doc["issuer"], format!("{base}/{{tenantid}}/v2.0"));
    assert_eq!(
        doc["authorization_endpoint"],
        format!("{base}/organizations/oauth2/v2.0/authorize")
    );
    assert_eq!(
        doc["token_endpoint"],
        format!("{base}/organizations/oauth2/v2.0/token")
    );
    assert_eq!(
        doc["jwks_uri"],
        format!("{base}/organizations/discovery/v2.0/keys")
    );
    assert_eq!(doc["tenant_region_scope"], Value::Null);
    assert_eq!(doc["request_uri_parameter_supported"], false);
    // Spine reads it with the openidconnect crate: every required field must be there.
    let metadata: CoreProviderMetadata = serde_json::from_str(&text).expect("provider metadata");
    assert_eq!(
        metadata.jwks_uri().url().as_str(),
        format!("{base}/organizations/discovery/v2.0/keys")
    );
    let jwks = http()
        .get(format!("{base}/organizations/discovery/v2.0/keys"))
        .send()
        .await
        .expect("GET keys")
        .text()
        .await
        .expect("body");
    let keys: CoreJsonWebKeySet = serde_json::from_str(&jwks).expect("JWKS");
    assert_eq!(keys.keys().len(), 1);
    sandbox.stop().await;
}

#[tokio::test]
async fn discovery_for_a_tenant_names_it_and_an_unknown_tenant_is_aadsts90002() {
    let dir = TempDir::create();
    let sandbox = start(&dir, false).await;
    let base = sandbox.base_url();
    let doc: Value = http()
        .get(format!(
            "{base}/{OTHER_TENANT_ID}/v2.0/.well-known/openid-configuration"
        ))
        .send()
        .await
        .expect("GET discovery")
        .json()
        .await
        .expect("JSON");
    assert_eq!(doc["issuer"], format!("{base}/{OTHER_TENANT_ID}/v2.0"));
    assert_eq!(
        doc["token_endpoint"],
        format!("{base}/{OTHER_TENANT_ID}/oauth2/v2.0/token")
    );
    let unknown = http()
        .get(format!(
            "{base}/0badc0de-0000-4000-8000-000000000000/v2.0/.well-known/openid-configuration"
        ))
        .send()
        .await
        .expect("GET discovery");
    assert_eq!(unknown.status(), StatusCode::BAD_REQUEST);
    let body: Value = unknown.json().await.expect("JSON");
    assert!(body["error_description"]
        .as_str()
        .is_some_and(|d| d.starts_with("AADSTS90002: ")));
    sandbox.stop().await;
}

#[tokio::test]
async fn the_code_flow_with_pkce_returns_a_signed_id_token_with_tid_and_oid() {
    let dir = TempDir::create();
    let sandbox = start(&dir, false).await;
    let base = sandbox.base_url();
    let http = http();
    let request = Authorize::new("openid profile email User.Read");
    let tokens = request.tokens(&http, &base, "organizations", CLAIRE).await;
    assert_eq!(tokens["token_type"], "Bearer");
    assert_eq!(tokens["expires_in"], 3599);
    assert_eq!(tokens["ext_expires_in"], 3599);
    assert!(
        tokens.get("refresh_token").is_none(),
        "no offline_access asked"
    );

    let (kid, key) = jwks_key(&http, &base).await;
    let id_token = tokens["id_token"].as_str().expect("an id_token");
    assert_eq!(header_kid(id_token), kid);
    let claims = verify_id_token(id_token, &key, &base, DEMO_TENANT_ID)
        .expect("a valid ID token")
        .claims;
    let email = "claire.martin@demo-salons.example.test";
    assert_eq!(claims["tid"], DEMO_TENANT_ID);
    assert_eq!(claims["oid"], oid_for(DEMO_TENANT_ID, email).to_string());
    assert_eq!(claims["nonce"], request.nonce.as_str());
    assert_eq!(claims["name"], "Claire Martin");
    assert_eq!(claims["preferred_username"], email);
    assert_eq!(claims["email"], email);
    assert_eq!(claims["ver"], "2.0");
    assert!(claims["sub"].as_str().is_some_and(|s| s.len() == 43));
    assert_eq!(
        claims["exp"]
            .as_i64()
            .zip(claims["iat"].as_i64())
            .map(|(e, i)| e - i),
        Some(3600)
    );

    let access = sandbox
        .verify_access_token(tokens["access_token"].as_str().expect("an access_token"))
        .expect("a valid access token");
    assert_eq!(access.aud, "00000003-0000-0000-c000-000000000000");
    assert_eq!(access.tid, DEMO_TENANT_ID);
    assert_eq!(access.oid, claims["oid"]);
    assert!(
        access.scp.split(' ').any(|s| s == "User.Read"),
        "{}",
        access.scp
    );
    assert!(
        sandbox.verify_access_token(id_token).is_err(),
        "an ID token is no access token"
    );
    sandbox.stop().await;
}

#[tokio::test]
async fn a_code_cannot_be_redeemed_twice() {
    let dir = TempDir::create();
    let sandbox = start(&dir, false).await;
    let base = sandbox.base_url();
    let http = http();
    let request = Authorize::new("openid profile");
    let code = request.code_for(&http, &base, "common", CLAIRE).await;
    let first = request.redeem(&http, &base, "common", &code).await;
    assert_eq!(first.status(), StatusCode::OK);
    let again = request.redeem(&http, &base, "common", &code).await;
    expect_error(again, StatusCode::BAD_REQUEST, "invalid_grant", 54005).await;
    let unknown = request.redeem(&http, &base, "common", "not-a-code").await;
    expect_error(unknown, StatusCode::BAD_REQUEST, "invalid_grant", 9002313).await;
    sandbox.stop().await;
}

#[tokio::test]
async fn a_wrong_pkce_verifier_is_refused_with_aadsts501481() {
    let dir = TempDir::create();
    let sandbox = start(&dir, false).await;
    let base = sandbox.base_url();
    let http = http();
    let request = Authorize::new("openid profile");
    let code = request
        .code_for(&http, &base, "organizations", CLAIRE)
        .await;
    let redeem = |verifier: Option<String>| {
        let (http, base, code) = (&http, &base, &code);
        async move {
            let mut form = vec![
                ("grant_type", "authorization_code".to_owned()),
                ("code", code.clone()),
                ("redirect_uri", REDIRECT_URI.to_owned()),
                ("client_id", DEV_CLIENT_ID.to_owned()),
                ("client_secret", DEV_CLIENT_SECRET.to_owned()),
            ];
            form.extend(verifier.map(|v| ("code_verifier", v)));
            http.post(format!("{base}/organizations/oauth2/v2.0/token"))
                .form(&form)
                .send()
                .await
                .expect("POST token")
        }
    };
    let wrong = redeem(Some(pkce().verifier)).await;
    let description = expect_error(wrong, StatusCode::BAD_REQUEST, "invalid_grant", 501481).await;
    assert!(description.contains("The Code_Verifier does not match the code_challenge"));
    let missing = redeem(None).await;
    expect_error(missing, StatusCode::BAD_REQUEST, "invalid_grant", 50148).await;
    // Failed attempts do not burn the code.
    let right = redeem(Some(request.pkce.verifier.clone())).await;
    assert_eq!(right.status(), StatusCode::OK);
    sandbox.stop().await;
}

#[tokio::test]
async fn an_unregistered_redirect_uri_shows_aadsts50011() {
    let dir = TempDir::create();
    let sandbox = start(&dir, false).await;
    let base = sandbox.base_url();
    for uri in [
        "http://127.0.0.1:3000/auth/microsoft/callback/",
        "http://evil.example.test/callback",
    ] {
        let request = Authorize::new("openid").with("redirect_uri", Some(uri));
        let page = http()
            .get(request.url(&base, "organizations"))
            .send()
            .await
            .expect("GET authorize");
        assert_eq!(page.status(), StatusCode::BAD_REQUEST);
        assert!(page.headers().get(reqwest::header::LOCATION).is_none());
        assert!(page.text().await.expect("page").contains("AADSTS50011"));
    }
    sandbox.stop().await;
}

#[tokio::test]
async fn an_unknown_client_shows_aadsts700016() {
    let dir = TempDir::create();
    let sandbox = start(&dir, false).await;
    let request =
        Authorize::new("openid").with("client_id", Some("00000000-0000-4000-8000-0000000000ff"));
    let page = http()
        .get(request.url(&sandbox.base_url(), "common"))
        .send()
        .await
        .expect("GET authorize");
    assert_eq!(page.status(), StatusCode::BAD_REQUEST);
    assert!(page.text().await.expect("page").contains("AADSTS700016"));
    sandbox.stop().await;
}

#[tokio::test]
async fn request_errors_are_sent_back_to_the_redirect_uri_with_the_state() {
    let dir = TempDir::create();
    let sandbox = start(&dir, false).await;
    let base = sandbox.base_url();
    let cases = [
        (
            "response_type",
            Some("token"),
            "unsupported_response_type",
            "",
        ),
        (
            "scope",
            Some("profile User.Read"),
            "invalid_scope",
            "AADSTS70011: ",
        ),
        (
            "code_challenge_method",
            Some("plain"),
            "invalid_request",
            "AADSTS501491: ",
        ),
        (
            "code_challenge_method",
            None,
            "invalid_request",
            "AADSTS501491: ",
        ),
        ("prompt", Some("none"), "login_required", "AADSTS50058: "),
    ];
    for (name, value, error, prefix) in cases {
        let request = Authorize::new("openid profile").with(name, value);
        let answer = http()
            .get(request.url(&base, "organizations"))
            .send()
            .await
            .expect("GET authorize");
        assert_eq!(answer.status(), StatusCode::FOUND, "{name}={value:?}");
        let location = location(&answer);
        assert!(location.as_str().starts_with(REDIRECT_URI));
        assert_eq!(param(&location, "error").as_deref(), Some(error), "{name}");
        assert_eq!(param(&location, "state"), Some(request.state.clone()));
        assert!(param(&location, "code").is_none());
        let description = param(&location, "error_description").expect("a description");
        assert!(description.starts_with("AADSTS") && description.starts_with(prefix));
    }
    sandbox.stop().await;
}

#[tokio::test]
async fn a_wrong_client_secret_is_refused_with_401_aadsts7000215() {
    let dir = TempDir::create();
    let sandbox = start(&dir, false).await;
    let base = sandbox.base_url();
    let http = http();
    let request = Authorize::new("openid");
    let code = request
        .code_for(&http, &base, "organizations", CLAIRE)
        .await;
    let form = [
        ("grant_type", "authorization_code"),
        ("code", code.as_str()),
        ("redirect_uri", REDIRECT_URI),
        ("code_verifier", request.pkce.verifier.as_str()),
    ];
    let url = format!("{base}/organizations/oauth2/v2.0/token");
    let wrong = http
        .post(&url)
        .basic_auth(DEV_CLIENT_ID, Some("not-the-secret"))
        .form(&form)
        .send()
        .await
        .expect("POST token");
    expect_error(wrong, StatusCode::UNAUTHORIZED, "invalid_client", 7000215).await;
    // client_secret_basic is accepted as well as client_secret_post.
    let right = http
        .post(&url)
        .basic_auth(DEV_CLIENT_ID, Some(DEV_CLIENT_SECRET))
        .form(&form)
        .send()
        .await
        .expect("POST token");
    assert_eq!(right.status(), StatusCode::OK);
    sandbox.stop().await;
}

#[tokio::test]
async fn a_code_is_bound_to_its_redirect_uri() {
    let dir = TempDir::create();
    let sandbox = start(&dir, false).await;
    let base = sandbox.base_url();
    let http = http();
    let request = Authorize::new("openid");
    let code = request
        .code_for(&http, &base, "organizations", CLAIRE)
        .await;
    let answer = token(
        &http,
        &base,
        "organizations",
        &[
            ("grant_type", "authorization_code"),
            ("code", &code),
            ("redirect_uri", "http://127.0.0.1:3000/other"),
            ("code_verifier", &request.pkce.verifier),
            ("client_id", DEV_CLIENT_ID),
            ("client_secret", DEV_CLIENT_SECRET),
        ],
    )
    .await;
    expect_error(answer, StatusCode::BAD_REQUEST, "invalid_grant", 500112).await;
    sandbox.stop().await;
}

#[tokio::test]
async fn the_same_email_in_two_tenants_has_two_oids() {
    let dir = TempDir::create();
    let sandbox = start(&dir, false).await;
    let base = sandbox.base_url();
    let http = http();
    let (_, key) = jwks_key(&http, &base).await;
    let mut oids = Vec::new();
    for tid in [DEMO_TENANT_ID, OTHER_TENANT_ID] {
        let request = Authorize::new("openid profile");
        let account = format!("{tid}|alex.durand@example.test");
        let tokens = request.tokens(&http, &base, "common", &account).await;
        let id_token = tokens["id_token"].as_str().expect("an id_token");
        let claims = verify_id_token(id_token, &key, &base, tid)
            .expect("a valid ID token")
            .claims;
        assert_eq!(claims["tid"], tid);
        assert_eq!(claims["preferred_username"], "alex.durand@example.test");
        assert_eq!(
            claims["oid"],
            oid_for(tid, "alex.durand@example.test").to_string()
        );
        oids.push(claims["oid"].clone());
    }
    assert_ne!(oids[0], oids[1]);
    sandbox.stop().await;
}

#[tokio::test]
async fn a_tenant_authority_only_lets_its_own_accounts_in() {
    let dir = TempDir::create();
    let sandbox = start(&dir, false).await;
    let base = sandbox.base_url();
    let http = http();
    let request = Authorize::new("openid");
    let page = http
        .get(request.url(&base, OTHER_TENANT_ID))
        .send()
        .await
        .expect("GET authorize")
        .text()
        .await
        .expect("page");
    assert!(page.contains("Sophie Leroy"));
    assert!(!page.contains("Claire Martin"));
    let refused = request
        .submit(&http, &base, OTHER_TENANT_ID, &[("account", CLAIRE)])
        .await;
    assert_eq!(refused.status(), StatusCode::BAD_REQUEST);
    // A code from one tenant cannot be redeemed at another tenant's endpoint.
    let code = request.code_for(&http, &base, "common", CLAIRE).await;
    let elsewhere = request.redeem(&http, &base, OTHER_TENANT_ID, &code).await;
    expect_error(elsewhere, StatusCode::BAD_REQUEST, "invalid_grant", 700005).await;
    sandbox.stop().await;
}

#[tokio::test]
async fn a_typed_account_needs_a_valid_email_and_a_name() {
    let dir = TempDir::create();
    let sandbox = start(&dir, false).await;
    let base = sandbox.base_url();
    let http = http();
    let request = Authorize::new("openid profile");
    for (email, name) in [
        ("pas-une-adresse", "Zoé Petit"),
        ("zoe.petit@example.test", "  "),
    ] {
        let answer = request
            .submit(
                &http,
                &base,
                "organizations",
                &[
                    ("new_email", email),
                    ("new_name", name),
                    ("new_tenant", DEMO_TENANT_ID),
                ],
            )
            .await;
        assert_eq!(answer.status(), StatusCode::BAD_REQUEST);
        let page = answer.text().await.expect("page");
        assert!(
            page.contains("role=\"alert\"") && page.contains("Saisissez"),
            "{page}"
        );
        assert!(page.contains("Choisissez un compte"));
    }
    let answer = request
        .submit(
            &http,
            &base,
            "organizations",
            &[
                ("new_email", "Zoe.Petit@Example.test"),
                ("new_name", "Zoé Petit"),
                ("new_tenant", OTHER_TENANT_ID),
            ],
        )
        .await;
    assert_eq!(answer.status(), StatusCode::FOUND);
    let code = param(&location(&answer), "code").expect("a code");
    let tokens: Value = request
        .redeem(&http, &base, "organizations", &code)
        .await
        .json()
        .await
        .expect("JSON");
    let claims = claims(tokens["id_token"].as_str().expect("an id_token"));
    assert_eq!(claims["name"], "Zoé Petit");
    assert_eq!(claims["preferred_username"], "zoe.petit@example.test");
    assert_eq!(claims["tid"], OTHER_TENANT_ID);
    sandbox.stop().await;
}

#[tokio::test]
async fn a_refresh_token_gives_new_tokens_within_the_consented_scope() {
    let dir = TempDir::create();
    let sandbox = start(&dir, false).await;
    let base = sandbox.base_url();
    let http = http();
    let request = Authorize::new("openid profile offline_access User.Read");
    let tokens = request.tokens(&http, &base, "organizations", CLAIRE).await;
    assert!(!tokens["scope"]
        .as_str()
        .is_some_and(|s| s.contains("offline_access")));
    let refresh_token = tokens["refresh_token"].as_str().expect("a refresh_token");
    let refreshed = token(
        &http,
        &base,
        "organizations",
        &[
            ("grant_type", "refresh_token"),
            ("refresh_token", refresh_token),
            ("client_id", DEV_CLIENT_ID),
            ("client_secret", DEV_CLIENT_SECRET),
        ],
    )
    .await;
    assert_eq!(refreshed.status(), StatusCode::OK);
    let refreshed: Value = refreshed.json().await.expect("JSON");
    let rotated = refreshed["refresh_token"]
        .as_str()
        .expect("a new refresh_token");
    assert_ne!(rotated, refresh_token);
    let (_, key) = jwks_key(&http, &base).await;
    let id_token = refreshed["id_token"].as_str().expect("an id_token");
    verify_id_token(id_token, &key, &base, DEMO_TENANT_ID).expect("a valid ID token");
    sandbox
        .verify_access_token(refreshed["access_token"].as_str().expect("access_token"))
        .expect("a valid access token");

    let wider = token(
        &http,
        &base,
        "organizations",
        &[
            ("grant_type", "refresh_token"),
            ("refresh_token", rotated),
            ("scope", "openid Mail.Send"),
            ("client_id", DEV_CLIENT_ID),
            ("client_secret", DEV_CLIENT_SECRET),
        ],
    )
    .await;
    expect_error(wider, StatusCode::BAD_REQUEST, "invalid_grant", 65001).await;
    sandbox.stop().await;
}

#[tokio::test]
async fn logout_returns_only_to_a_registered_origin() {
    let dir = TempDir::create();
    let sandbox = start(&dir, false).await;
    let base = sandbox.base_url();
    let logout = |target: &str| {
        let url = reqwest::Url::parse_with_params(
            &format!("{base}/organizations/oauth2/v2.0/logout"),
            [("post_logout_redirect_uri", target), ("state", "s1")],
        )
        .expect("a logout URL");
        async move { http().get(url).send().await.expect("GET logout") }
    };
    let home = logout("http://127.0.0.1:3000/connexion").await;
    assert_eq!(home.status(), StatusCode::FOUND);
    assert_eq!(
        location(&home).as_str(),
        "http://127.0.0.1:3000/connexion?state=s1"
    );
    let elsewhere = logout("http://evil.example.test/").await;
    assert_eq!(elsewhere.status(), StatusCode::OK);
    assert!(elsewhere.text().await.expect("page").contains("déconnecté"));
    sandbox.stop().await;
}
