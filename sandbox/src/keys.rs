//! The RSA signing key, its JWKS entry, token signing and verification.

use std::path::Path;

use anyhow::Context;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use jsonwebtoken::{Algorithm, DecodingKey, EncodingKey, Header, Validation};
use rsa::pkcs1::EncodeRsaPrivateKey;
use rsa::pkcs8::{DecodePrivateKey, EncodePrivateKey, LineEnding};
use rsa::rand_core::{OsRng, RngCore};
use rsa::traits::PublicKeyParts;
use rsa::RsaPrivateKey;
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};
use sha2::{Digest, Sha256};
use tokio::io::AsyncWriteExt;

/// The application id of Microsoft Graph: the audience of the access tokens.
pub const GRAPH_RESOURCE_ID: &str = "00000003-0000-0000-c000-000000000000";

/// Claims of an access token issued by the sandbox for Microsoft Graph.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct AccessTokenClaims {
    /// Always [`GRAPH_RESOURCE_ID`].
    pub aud: String,
    /// `{base}/{tid}/v2.0`.
    pub iss: String,
    pub iat: i64,
    pub nbf: i64,
    pub exp: i64,
    /// The client id the token was issued to.
    pub appid: String,
    pub name: String,
    /// Object id of the user, see [`crate::oid_for`].
    pub oid: String,
    pub preferred_username: String,
    /// Space-separated delegated scopes, e.g. `"openid profile User.Read"`.
    pub scp: String,
    pub sub: String,
    /// Tenant id of the user.
    pub tid: String,
    pub uti: String,
    pub ver: String,
}

pub(crate) struct SigningKey {
    pub kid: String,
    encoding: EncodingKey,
    decoding: DecodingKey,
    n: String,
    e: String,
}

impl SigningKey {
    /// Reads the PKCS#8 PEM key at `path`, generating and saving one if it is missing.
    pub async fn load_or_generate(path: &Path) -> anyhow::Result<Self> {
        match tokio::fs::read_to_string(path).await {
            Ok(pem) => Self::from_pem(path, &pem),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                let key = generate().await?;
                let pem = key.to_pkcs8_pem(LineEnding::LF)?;
                if publish(path, pem.as_bytes()).await? {
                    tracing::info!(path = %path.display(), "generated a new signing key");
                    Self::from_private(&key, None)
                } else {
                    let pem = tokio::fs::read_to_string(path).await?;
                    Self::from_pem(path, &pem)
                }
            }
            Err(e) => Err(e).with_context(|| format!("reading {}", path.display())),
        }
    }

    fn from_pem(path: &Path, pem: &str) -> anyhow::Result<Self> {
        let key = RsaPrivateKey::from_pkcs8_pem(pem)
            .with_context(|| format!("{} is not a PKCS#8 RSA key", path.display()))?;
        Self::from_private(&key, None)
    }

    /// A new key with a kid of its own, as after Microsoft rotates its signing keys.
    pub async fn rotated() -> anyhow::Result<Self> {
        Self::from_private(&generate().await?, None)
    }

    /// A fresh key that claims to be `kid`: what an impostor would sign with.
    pub async fn impostor(kid: &str) -> anyhow::Result<Self> {
        Self::from_private(&generate().await?, Some(kid.to_owned()))
    }

    fn from_private(key: &RsaPrivateKey, kid: Option<String>) -> anyhow::Result<Self> {
        let der = key.to_pkcs1_der()?;
        let n_bytes = key.n().to_bytes_be();
        let n = URL_SAFE_NO_PAD.encode(&n_bytes);
        let e = URL_SAFE_NO_PAD.encode(key.e().to_bytes_be());
        // Microsoft's kids are 27-character base64url thumbprints (20 bytes).
        let kid = kid.unwrap_or_else(|| URL_SAFE_NO_PAD.encode(&Sha256::digest(&n_bytes)[..20]));
        Ok(Self {
            kid,
            encoding: EncodingKey::from_rsa_der(der.as_bytes()),
            decoding: DecodingKey::from_rsa_components(&n, &e)?,
            n,
            e,
        })
    }

    pub fn sign(&self, claims: &impl Serialize) -> anyhow::Result<String> {
        let mut header = Header::new(Algorithm::RS256);
        header.kid = Some(self.kid.clone());
        Ok(jsonwebtoken::encode(&header, claims, &self.encoding)?)
    }

    /// The JWKS entry, shaped as Microsoft publishes it (minus the certificate chain).
    pub fn jwk(&self, issuer: &str) -> Value {
        json!({
            "kty": "RSA",
            "use": "sig",
            "kid": self.kid,
            "x5t": self.kid,
            "n": self.n,
            "e": self.e,
            "issuer": issuer,
        })
    }

    /// Checks signature, audience, expiry and that `iss` names the token's own tenant.
    pub fn verify_access_token(
        &self,
        token: &str,
        base_url: &str,
    ) -> anyhow::Result<AccessTokenClaims> {
        let mut validation = Validation::new(Algorithm::RS256);
        validation.set_audience(&[GRAPH_RESOURCE_ID]);
        let claims =
            jsonwebtoken::decode::<AccessTokenClaims>(token, &self.decoding, &validation)?.claims;
        anyhow::ensure!(
            claims.iss == format!("{base_url}/{}/v2.0", claims.tid),
            "the issuer does not name the token's tenant"
        );
        Ok(claims)
    }
}

async fn generate() -> anyhow::Result<RsaPrivateKey> {
    // Key generation takes a noticeable time: keep it off the async workers.
    let key = tokio::task::spawn_blocking(|| RsaPrivateKey::new(&mut OsRng, 2048)).await??;
    Ok(key)
}

/// Writes the key beside `path` then links it in place, so that a reader never sees half
/// a key. Returns false when another process published one first: theirs wins.
async fn publish(path: &Path, pem: &[u8]) -> anyhow::Result<bool> {
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        tokio::fs::create_dir_all(dir).await?;
    }
    let mut tmp = path.as_os_str().to_owned();
    tmp.push(format!(".{}.tmp", uuid::Uuid::new_v4().simple()));
    let mut options = tokio::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    options.mode(0o600);
    let mut file = options
        .open(&tmp)
        .await
        .with_context(|| format!("creating {}", Path::new(&tmp).display()))?;
    file.write_all(pem).await?;
    file.sync_all().await?;
    let linked = tokio::fs::hard_link(&tmp, path).await;
    tokio::fs::remove_file(&tmp).await?;
    match linked {
        Ok(()) => Ok(true),
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => Ok(false),
        Err(e) => Err(e).with_context(|| format!("creating {}", path.display())),
    }
}

/// `bytes` random bytes, base64url-encoded: codes, refresh tokens, token ids.
pub(crate) fn random_token(bytes: usize) -> String {
    let mut buf = vec![0u8; bytes];
    OsRng.fill_bytes(&mut buf);
    URL_SAFE_NO_PAD.encode(buf)
}

pub(crate) fn sha256_hex(data: &[u8]) -> String {
    Sha256::digest(data)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

pub(crate) fn sha256_b64url(data: &[u8]) -> String {
    URL_SAFE_NO_PAD.encode(Sha256::digest(data))
}
