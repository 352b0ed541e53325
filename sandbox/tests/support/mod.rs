//! Shared helpers: a sandbox in a temporary directory and a client that drives the
//! sign-in like a browser would (GET the page, POST the choice, follow nothing).

// Each test binary uses its own subset of the helpers.
#![allow(dead_code)]

use std::path::{Path, PathBuf};

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use jsonwebtoken::{Algorithm, DecodingKey, TokenData, Validation};
use reqwest::{StatusCode, Url};
use sandbox::{ClientRegistration, Sandbox, SandboxConfig, DEV_CLIENT_ID, DEV_CLIENT_SECRET};
use serde_json::Value;
use sha2::{Digest, Sha256};
use uuid::Uuid;

pub const REDIRECT_URI: &str = "http://127.0.0.1:3000/auth/microsoft/callback";

/// A fresh directory for the key and the state file, removed when dropped.
pub struct TempDir(PathBuf);

impl TempDir {
    pub fn create() -> Self {
        let dir = std::env::temp_dir().join(format!("spine-sandbox-test-{}", Uuid::new_v4()));
        std::fs::create_dir_all(&dir).expect("create the temporary directory");
        Self(dir)
    }
}

impl std::ops::Deref for TempDir {
    type Target = Path;

    fn deref(&self) -> &Path {
        &self.0
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

pub async fn start(dir: &Path, enable_control: bool) -> Sandbox {
    Sandbox::start(SandboxConfig {
        listen: "127.0.0.1:0".parse().expect("a socket address"),
        state_file: dir.join("state.json"),
        key_file: dir.join("key.pem"),
        clients: vec![ClientRegistration {
            client_id: DEV_CLIENT_ID.to_owned(),
            client_secret: DEV_CLIENT_SECRET.to_owned(),
            redirect_uris: vec![REDIRECT_URI.to_owned()],
        }],
        enable_control,
        graph_per_minute: sandbox::GRAPH_PER_MINUTE,
    })
    .await
    .expect("the sandbox starts")
}

/// A client that shows redirects instead of following them.
pub fn http() -> reqwest::Client {
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .timeout(std::time::Duration::from_secs(10))
        .build()
        .expect("a reqwest client")
}

pub struct Pkce {
    pub verifier: String,
    pub challenge: String,
}

pub fn pkce() -> Pkce {
    let verifier = format!("{}{}", Uuid::new_v4().simple(), Uuid::new_v4().simple());
    let challenge = URL_SAFE_NO_PAD.encode(Sha256::digest(verifier.as_bytes()));
    Pkce {
        verifier,
        challenge,
    }
}

/// A code-flow authorization request as Spine sends it.
pub struct Authorize {
    pub params: Vec<(String, String)>,
    pub nonce: String,
    pub state: String,
    pub pkce: Pkce,
}

impl Authorize {
    pub fn new(scope: &str) -> Self {
        let pkce = pkce();
        let nonce = Uuid::new_v4().to_string();
        let state = Uuid::new_v4().to_string();
        let params = [
            ("client_id", DEV_CLIENT_ID),
            ("response_type", "code"),
            ("redirect_uri", REDIRECT_URI),
            ("scope", scope),
            ("state", &state),
            ("nonce", &nonce),
            ("code_challenge", &pkce.challenge),
            ("code_challenge_method", "S256"),
        ]
        .into_iter()
        .map(|(k, v)| (k.to_owned(), v.to_owned()))
        .collect();
        Self {
            params,
            nonce,
            state,
            pkce,
        }
    }

    /// Replaces (or adds, or with `None` removes) one parameter.
    pub fn with(mut self, name: &str, value: Option<&str>) -> Self {
        self.params.retain(|(n, _)| n != name);
        if let Some(value) = value {
            self.params.push((name.to_owned(), value.to_owned()));
        }
        self
    }

    pub fn url(&self, base: &str, tenant: &str) -> Url {
        Url::parse_with_params(
            &format!("{base}/{tenant}/oauth2/v2.0/authorize"),
            &self.params,
        )
        .expect("an authorize URL")
    }

    /// Shows the page (checking it is the account picker), then posts `choice` with
    /// every request parameter, as the page's form does.
    pub async fn submit(
        &self,
        http: &reqwest::Client,
        base: &str,
        tenant: &str,
        choice: &[(&str, &str)],
    ) -> reqwest::Response {
        let url = self.url(base, tenant);
        let page = http.get(url.clone()).send().await.expect("GET authorize");
        assert_eq!(page.status(), StatusCode::OK);
        assert!(page
            .text()
            .await
            .expect("page")
            .contains("Choisissez un compte"));
        let mut form: Vec<(String, String)> = self.params.clone();
        form.extend(
            choice
                .iter()
                .map(|(k, v)| ((*k).to_owned(), (*v).to_owned())),
        );
        http.post(url)
            .form(&form)
            .send()
            .await
            .expect("POST authorize")
    }

    /// Signs in with the listed account `tid|email` and returns the code.
    pub async fn code_for(
        &self,
        http: &reqwest::Client,
        base: &str,
        tenant: &str,
        account: &str,
    ) -> String {
        let answer = self
            .submit(http, base, tenant, &[("account", account)])
            .await;
        assert_eq!(answer.status(), StatusCode::FOUND);
        let location = location(&answer);
        assert!(location.as_str().starts_with(REDIRECT_URI), "{location}");
        assert_eq!(
            param(&location, "state").as_deref(),
            Some(self.state.as_str())
        );
        assert!(param(&location, "session_state").is_some());
        param(&location, "code").expect("a code in the redirect")
    }

    /// Redeems `code` with this request's verifier (client_secret_post).
    pub async fn redeem(
        &self,
        http: &reqwest::Client,
        base: &str,
        tenant: &str,
        code: &str,
    ) -> reqwest::Response {
        token(
            http,
            base,
            tenant,
            &[
                ("grant_type", "authorization_code"),
                ("code", code),
                ("redirect_uri", REDIRECT_URI),
                ("code_verifier", &self.pkce.verifier),
                ("client_id", DEV_CLIENT_ID),
                ("client_secret", DEV_CLIENT_SECRET),
            ],
        )
        .await
    }

    /// The whole flow: sign in as `account`, redeem, expect 200 and return the JSON.
    pub async fn tokens(
        &self,
        http: &reqwest::Client,
        base: &str,
        tenant: &str,
        account: &str,
    ) -> Value {
        let code = self.code_for(http, base, tenant, account).await;
        let response = self.redeem(http, base, tenant, &code).await;
        assert_eq!(response.status(), StatusCode::OK);
        response.json().await.expect("token JSON")
    }
}

pub async fn token(
    http: &reqwest::Client,
    base: &str,
    tenant: &str,
    form: &[(&str, &str)],
) -> reqwest::Response {
    http.post(format!("{base}/{tenant}/oauth2/v2.0/token"))
        .form(form)
        .send()
        .await
        .expect("POST token")
}

pub fn location(response: &reqwest::Response) -> Url {
    let location = response
        .headers()
        .get(reqwest::header::LOCATION)
        .expect("a Location header")
        .to_str()
        .expect("an ASCII Location");
    Url::parse(location).expect("an absolute Location")
}

pub fn param(url: &Url, name: &str) -> Option<String> {
    url.query_pairs()
        .find(|(n, _)| n == name)
        .map(|(_, v)| v.into_owned())
}

/// Asserts a Microsoft-shaped token endpoint error and returns its description.
pub async fn expect_error(
    response: reqwest::Response,
    status: StatusCode,
    error: &str,
    code: u64,
) -> String {
    assert_eq!(response.status(), status);
    let body: Value = response.json().await.expect("error JSON");
    assert_eq!(body["error"], error, "{body}");
    assert_eq!(body["error_codes"][0], code, "{body}");
    for field in ["timestamp", "trace_id", "correlation_id"] {
        assert!(body[field].is_string(), "{field} missing in {body}");
    }
    let description = body["error_description"]
        .as_str()
        .expect("error_description");
    assert!(
        description.starts_with(&format!("AADSTS{code}: ")),
        "{description}"
    );
    description.to_owned()
}

/// The only key of the JWKS, as a verifier would build it.
pub async fn jwks_key(http: &reqwest::Client, base: &str) -> (String, DecodingKey) {
    let jwks: Value = http
        .get(format!("{base}/common/discovery/v2.0/keys"))
        .send()
        .await
        .expect("GET keys")
        .json()
        .await
        .expect("JWKS JSON");
    let key = &jwks["keys"][0];
    assert_eq!(jwks["keys"].as_array().map(Vec::len), Some(1));
    let n = key["n"].as_str().expect("n");
    let e = key["e"].as_str().expect("e");
    let kid = key["kid"].as_str().expect("kid").to_owned();
    (
        kid,
        DecodingKey::from_rsa_components(n, e).expect("an RSA key"),
    )
}

/// Verifies an ID token as Spine must: signature, audience, issuer of its tenant, expiry.
pub fn verify_id_token(
    token: &str,
    key: &DecodingKey,
    base: &str,
    tid: &str,
) -> Result<TokenData<Value>, jsonwebtoken::errors::Error> {
    let mut validation = Validation::new(Algorithm::RS256);
    validation.set_audience(&[DEV_CLIENT_ID]);
    validation.set_issuer(&[format!("{base}/{tid}/v2.0")]);
    jsonwebtoken::decode::<Value>(token, key, &validation)
}

/// The claims of a JWT, unverified: to look at what is wrong with a faulty one.
pub fn claims(token: &str) -> Value {
    let payload = token.split('.').nth(1).expect("a JWT");
    serde_json::from_slice(&URL_SAFE_NO_PAD.decode(payload).expect("base64url")).expect("JSON")
}

pub fn header_kid(token: &str) -> String {
    jsonwebtoken::decode_header(token)
        .expect("a JWT header")
        .kid
        .expect("a kid")
}
