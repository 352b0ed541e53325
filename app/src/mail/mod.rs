//! Sending from the rep's own Outlook mailbox through Microsoft Graph.
//!
//! The rep connects their mailbox once (a consent to `Mail.Send` only; the grant is sealed at
//! rest, `seal`), sets how fast and when it may send (`pace`), and mails wait in the outbox
//! (`repo`), which is the truth about each of them: a worker claims what the pace allows
//! (`outbox`), sends it, and records every attempt. The pages are written by the server
//! (`html`), their actions plain forms (`api`).

pub mod api;
#[cfg(feature = "ssr")]
pub mod clock;
#[cfg(feature = "ssr")]
pub mod html;
#[cfg(feature = "ssr")]
pub mod outbox;
#[cfg(feature = "ssr")]
pub mod pace;
#[cfg(feature = "ssr")]
pub mod repo;
#[cfg(feature = "ssr")]
pub mod seal;
#[cfg(feature = "ssr")]
pub mod ui;
