//! The state that survives a restart: typed accounts, refresh tokens and the messages Graph
//! sent.

use std::path::{Path, PathBuf};

use anyhow::Context;
use serde::{Deserialize, Serialize};
use tokio::sync::Mutex;

use crate::directory::{preset_accounts, Account};
use crate::keys::sha256_hex;

#[derive(Default, Serialize, Deserialize)]
struct State {
    #[serde(default)]
    accounts: Vec<Account>,
    #[serde(default)]
    refresh_tokens: Vec<RefreshGrant>,
    /// Kept in a file of their own, one message a line, appended to (a mailbox that sent a
    /// thousand messages is not rewritten a thousand times).
    #[serde(default, skip_serializing)]
    sent: Vec<crate::graph::Sent>,
}

/// The file of the sent messages, beside the state file.
fn sent_path(state: &Path) -> PathBuf {
    let mut path = state.as_os_str().to_owned();
    path.push(".sent.jsonl");
    PathBuf::from(path)
}

/// What a refresh token grants; the token itself is only kept as a SHA-256 hash.
#[derive(Clone, Serialize, Deserialize)]
pub(crate) struct RefreshGrant {
    pub token_sha256: String,
    pub client_id: String,
    pub tid: String,
    pub email: String,
    pub scope: String,
    pub expires_at: i64,
    #[serde(default)]
    pub revoked: bool,
}

pub(crate) struct Store {
    path: PathBuf,
    // A tokio mutex because the file is written while it is held: two writers
    // could otherwise rename their snapshots in the wrong order.
    state: Mutex<State>,
}

impl Store {
    /// Loads `path`, or creates it with an empty state.
    pub async fn open(path: &Path) -> anyhow::Result<Self> {
        let state = match tokio::fs::read(path).await {
            Ok(bytes) => serde_json::from_slice(&bytes)
                .with_context(|| format!("{} is not a sandbox state file", path.display()))?,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                let state = State::default();
                write_atomically(path, &state).await?;
                state
            }
            Err(e) => return Err(e).with_context(|| format!("reading {}", path.display())),
        };
        let mut state = state;
        match tokio::fs::read_to_string(sent_path(path)).await {
            Ok(lines) => {
                for line in lines.lines().filter(|l| !l.trim().is_empty()) {
                    state.sent.push(serde_json::from_str(line).with_context(|| {
                        format!(
                            "{} is not a list of sent messages",
                            sent_path(path).display()
                        )
                    })?);
                }
            }
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
            Err(e) => return Err(e).context("reading the sent messages"),
        }
        Ok(Self {
            path: path.to_owned(),
            state: Mutex::new(state),
        })
    }

    /// Preset accounts first, then the typed ones in creation order.
    pub async fn accounts(&self) -> Vec<Account> {
        let mut accounts = preset_accounts();
        accounts.extend(self.state.lock().await.accounts.iter().cloned());
        accounts
    }

    pub async fn find_account(&self, tid: &str, email: &str) -> Option<Account> {
        let email = email.to_lowercase();
        self.accounts()
            .await
            .into_iter()
            .find(|a| a.tid == tid && a.email == email)
    }

    /// Saves a typed account, or returns the existing account with the same email.
    pub async fn add_account(&self, account: Account) -> anyhow::Result<Account> {
        let mut state = self.state.lock().await;
        let existing = preset_accounts()
            .into_iter()
            .chain(state.accounts.iter().cloned())
            .find(|a| a.tid == account.tid && a.email == account.email);
        if let Some(existing) = existing {
            return Ok(existing);
        }
        state.accounts.push(account.clone());
        write_atomically(&self.path, &state).await?;
        Ok(account)
    }

    pub async fn add_refresh_grant(&self, grant: RefreshGrant, now: i64) -> anyhow::Result<()> {
        let mut state = self.state.lock().await;
        state.refresh_tokens.retain(|g| g.expires_at > now);
        state.refresh_tokens.push(grant);
        write_atomically(&self.path, &state).await
    }

    /// Keeps a message Graph accepted.
    pub async fn add_sent(&self, sent: crate::graph::Sent) -> anyhow::Result<()> {
        use tokio::io::AsyncWriteExt;
        let mut state = self.state.lock().await;
        let mut line = serde_json::to_vec(&sent)?;
        line.push(b'\n');
        let mut file = tokio::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(sent_path(&self.path))
            .await
            .context("opening the sent messages")?;
        file.write_all(&line).await?;
        state.sent.push(sent);
        Ok(())
    }

    /// The messages `mailbox` sent, oldest first.
    pub async fn sent_by(&self, mailbox: &str) -> Vec<crate::graph::Sent> {
        let state = self.state.lock().await;
        state
            .sent
            .iter()
            .filter(|s| s.mailbox == mailbox)
            .cloned()
            .collect()
    }

    /// The recipients `mailbox` wrote to since `since` (a Unix time).
    pub async fn recipients_since(&self, mailbox: &str, since: i64) -> usize {
        let state = self.state.lock().await;
        state
            .sent
            .iter()
            .filter(|s| s.mailbox == mailbox && s.at > since)
            .map(|s| s.to.len() + s.cc.len() + s.bcc.len())
            .sum()
    }

    /// Revokes every refresh token of `email`.
    pub async fn revoke_refresh_grants(&self, email: &str) -> anyhow::Result<()> {
        let mut state = self.state.lock().await;
        for grant in &mut state.refresh_tokens {
            if grant.email.eq_ignore_ascii_case(email) {
                grant.revoked = true;
            }
        }
        write_atomically(&self.path, &state).await
    }

    pub async fn find_refresh_grant(&self, token: &str) -> Option<RefreshGrant> {
        let hash = sha256_hex(token.as_bytes());
        let state = self.state.lock().await;
        state
            .refresh_tokens
            .iter()
            .find(|g| g.token_sha256 == hash)
            .cloned()
    }
}

/// Writes a temporary file then renames it, so a crash never leaves half a state.
async fn write_atomically(path: &Path, state: &State) -> anyhow::Result<()> {
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        tokio::fs::create_dir_all(dir)
            .await
            .with_context(|| format!("creating {}", dir.display()))?;
    }
    let mut tmp = path.as_os_str().to_owned();
    tmp.push(".tmp");
    let json = serde_json::to_vec_pretty(state)?;
    tokio::fs::write(&tmp, json)
        .await
        .with_context(|| format!("writing {}", Path::new(&tmp).display()))?;
    tokio::fs::rename(&tmp, path)
        .await
        .with_context(|| format!("replacing {}", path.display()))
}
