//! What survives a restart, and the control endpoints that make ID tokens faulty.

mod support;

use jsonwebtoken::errors::ErrorKind;
use reqwest::StatusCode;
use sandbox::{oid_for, DEMO_TENANT_ID, DEV_CLIENT_ID, DEV_CLIENT_SECRET, OTHER_TENANT_ID};
use serde_json::{json, Value};
use support::*;

const JULIEN: &str = "c0ffee00-5a1e-4d00-8000-000000000001|julien.bernard@demo-salons.example.test";

#[tokio::test]
async fn a_refresh_token_survives_a_restart() {
    let dir = TempDir::create();
    let sandbox = start(&dir, false).await;
    let http = http();
    let request = Authorize::new("openid profile offline_access");
    let tokens = request
        .tokens(&http, &sandbox.base_url(), "organizations", JULIEN)
        .await;
    let refresh_token = tokens["refresh_token"]
        .as_str()
        .expect("a refresh_token")
        .to_owned();
    let (kid_before, _) = jwks_key(&http, &sandbox.base_url()).await;
    sandbox.stop().await;

    let state = std::fs::read_to_string(dir.join("state.json")).expect("the state file");
    assert!(!state.contains(&refresh_token), "only a hash is stored");

    let sandbox = start(&dir, false).await;
    let base = sandbox.base_url();
    let (kid_after, key) = jwks_key(&http, &base).await;
    assert_eq!(kid_before, kid_after, "the signing key is kept");
    let refreshed = token(
        &http,
        &base,
        "organizations",
        &[
            ("grant_type", "refresh_token"),
            ("refresh_token", &refresh_token),
            ("client_id", DEV_CLIENT_ID),
            ("client_secret", DEV_CLIENT_SECRET),
        ],
    )
    .await;
    assert_eq!(refreshed.status(), StatusCode::OK);
    let refreshed: Value = refreshed.json().await.expect("JSON");
    let id_token = refreshed["id_token"].as_str().expect("an id_token");
    let claims = verify_id_token(id_token, &key, &base, DEMO_TENANT_ID)
        .expect("a valid ID token")
        .claims;
    assert_eq!(claims["name"], "Julien Bernard");
    sandbox.stop().await;
}

#[tokio::test]
async fn typed_accounts_survive_a_restart() {
    let dir = TempDir::create();
    let sandbox = start(&dir, false).await;
    let http = http();
    let request = Authorize::new("openid profile");
    let answer = request
        .submit(
            &http,
            &sandbox.base_url(),
            "common",
            &[
                ("new_email", "hugo.moreau@autre-distribution.example.test"),
                ("new_name", "Hugo Moreau"),
                ("new_tenant", OTHER_TENANT_ID),
            ],
        )
        .await;
    assert_eq!(answer.status(), StatusCode::FOUND);
    sandbox.stop().await;

    let sandbox = start(&dir, false).await;
    let base = sandbox.base_url();
    let request = Authorize::new("openid profile");
    let page = http
        .get(request.url(&base, OTHER_TENANT_ID))
        .send()
        .await
        .expect("GET authorize")
        .text()
        .await
        .expect("page");
    let account = format!("{OTHER_TENANT_ID}|hugo.moreau@autre-distribution.example.test");
    assert!(page.contains("Hugo Moreau"), "{page}");
    assert!(page.contains(&format!("value=\"{account}\"")), "{page}");
    let tokens = request.tokens(&http, &base, "common", &account).await;
    let claims = claims(tokens["id_token"].as_str().expect("an id_token"));
    assert_eq!(claims["name"], "Hugo Moreau");
    assert_eq!(
        claims["oid"],
        oid_for(
            OTHER_TENANT_ID,
            "hugo.moreau@autre-distribution.example.test"
        )
        .to_string()
    );
    sandbox.stop().await;
}

#[tokio::test]
async fn control_endpoints_are_absent_unless_enabled() {
    let http = http();
    for enabled in [false, true] {
        let dir = TempDir::create();
        let sandbox = start(&dir, enabled).await;
        let base = sandbox.base_url();
        let answer = http
            .post(format!("{base}/_sandbox/next-id-token"))
            .json(&json!({"fault": "expired"}))
            .send()
            .await
            .expect("POST control");
        let expected = if enabled {
            StatusCode::NO_CONTENT
        } else {
            StatusCode::NOT_FOUND
        };
        assert_eq!(answer.status(), expected);
        let health = http
            .get(format!("{base}/_sandbox/health"))
            .send()
            .await
            .expect("GET health");
        assert_eq!(health.status(), StatusCode::OK);
        assert_eq!(health.text().await.expect("body"), "ok");
        sandbox.stop().await;
    }
}

#[tokio::test]
async fn a_faulty_next_id_token_is_served_once() {
    let dir = TempDir::create();
    let sandbox = start(&dir, true).await;
    let base = sandbox.base_url();
    let http = http();
    let (kid, key) = jwks_key(&http, &base).await;
    for fault in [
        "other_key",
        "expired",
        "wrong_audience",
        "wrong_issuer",
        "wrong_nonce",
    ] {
        let armed = http
            .post(format!("{base}/_sandbox/next-id-token"))
            .json(&json!({ "fault": fault }))
            .send()
            .await
            .expect("POST control");
        assert_eq!(armed.status(), StatusCode::NO_CONTENT);

        let request = Authorize::new("openid profile");
        let tokens = request.tokens(&http, &base, "organizations", JULIEN).await;
        let id_token = tokens["id_token"].as_str().expect("an id_token");
        let claims = claims(id_token);
        let verified = verify_id_token(id_token, &key, &base, DEMO_TENANT_ID);
        match fault {
            "other_key" => {
                assert_eq!(header_kid(id_token), kid, "the impostor reuses the kid");
                assert!(matches!(
                    verified.map_err(|e| e.into_kind()),
                    Err(ErrorKind::InvalidSignature)
                ));
            }
            "expired" => assert!(matches!(
                verified.map_err(|e| e.into_kind()),
                Err(ErrorKind::ExpiredSignature)
            )),
            "wrong_audience" => {
                assert_ne!(claims["aud"], DEV_CLIENT_ID);
                assert!(matches!(
                    verified.map_err(|e| e.into_kind()),
                    Err(ErrorKind::InvalidAudience)
                ));
            }
            "wrong_issuer" => {
                assert_eq!(claims["tid"], DEMO_TENANT_ID);
                assert_eq!(claims["iss"], format!("{base}/{OTHER_TENANT_ID}/v2.0"));
                assert!(matches!(
                    verified.map_err(|e| e.into_kind()),
                    Err(ErrorKind::InvalidIssuer)
                ));
            }
            _ => {
                verified.expect("only the nonce is wrong");
                assert!(claims["nonce"].is_string());
                assert_ne!(claims["nonce"], request.nonce.as_str());
            }
        }

        // Consumed: the next sign-in gets a sound token again.
        let request = Authorize::new("openid profile");
        let tokens = request.tokens(&http, &base, "organizations", JULIEN).await;
        let id_token = tokens["id_token"].as_str().expect("an id_token");
        let sound = verify_id_token(id_token, &key, &base, DEMO_TENANT_ID)
            .unwrap_or_else(|e| panic!("after {fault}: {e}"));
        assert_eq!(sound.claims["nonce"], request.nonce.as_str());
    }
    sandbox.stop().await;
}
