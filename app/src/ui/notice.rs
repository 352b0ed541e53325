//! "What just happened": after every save the rep reads a short French line (with "Annuler"
//! where a change can be undone), whether the page's WASM made the call or the browser posted
//! the form itself.
//!
//! A server function that saves returns [`Saved`]: its value and the [`Notice`]. `ServerForm`
//! shows the notice after a call; for a plain post, the server keeps it in the session for the
//! page the rep lands on (see `server/src/plain_forms.rs`), and `ui::flash` brings it there.

use leptos::prelude::*;
use leptos_router::hooks::use_location;
use serde::{Deserialize, Serialize};

/// A change that can be undone: a form posting `id` to the server function at `action`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Undo {
    pub action: String,
    pub id: String,
}

/// A line telling the rep what a save did.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Notice {
    pub message: String,
    /// The path of the page the rep lands on; the notice goes once they leave it.
    pub page: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub undo: Option<Undo>,
}

impl Notice {
    /// The session key a plain post's notice waits under for the next page.
    pub const SESSION_KEY: &'static str = "notice";

    pub fn new(message: impl Into<String>, page: impl Into<String>) -> Self {
        Notice {
            message: message.into(),
            page: page.into(),
            undo: None,
        }
    }

    pub fn with_undo(mut self, action: &str, id: impl ToString) -> Self {
        self.undo = Some(Undo {
            action: action.to_string(),
            id: id.to_string(),
        });
        self
    }
}

/// What a saving server function answers: what it saved, and what to tell the rep.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Saved<T> {
    pub value: T,
    pub notice: Notice,
}

/// Answers that may carry a notice (`ServerForm` shows it).
pub trait Noticed {
    fn notice(&self) -> Option<&Notice> {
        None
    }
}

impl<T> Noticed for Saved<T> {
    fn notice(&self) -> Option<&Notice> {
        Some(&self.notice)
    }
}

/// The notice on screen, if any, and whether a page has shown it already.
#[derive(Clone, Copy)]
pub struct Notices {
    notice: RwSignal<Option<Notice>>,
    shown: StoredValue<bool>,
}

impl Notices {
    pub fn show(self, notice: Notice) {
        self.shown.set_value(false);
        self.notice.set(Some(notice));
    }
}

/// Called once by the app root; calls add their notices (`ServerForm`).
pub(crate) fn provide_notices() {
    provide_context(Notices {
        notice: RwSignal::new(None),
        shown: StoredValue::new(false),
    });
}

/// Shows the notice of the last save on its page, once: a page opened later does not show it
/// again. Each page a save lands on has one (the main WASM carries none).
#[component]
pub fn NoticeBar() -> impl IntoView {
    let Some(Notices { notice, shown }) = use_context::<Notices>() else {
        return ().into_any();
    };
    // What a plain post left for this page (on the server), else the last call's notice,
    // unless an earlier page showed it.
    let left = crate::ui::flash::notice_left();
    if left.is_none() && shown.get_value() {
        notice.set(None);
    }
    // A notice for another page (a call whose redirect is on its way) waits for it.
    let here = use_location();
    view! {
        <div class="notice-slot" role="status">
            {move || {
                let current = left.clone().or_else(|| notice.get());
                current.filter(|n| n.page == here.pathname.get()).map(|n| {
                    shown.set_value(true);
                    notice_view(n)
                })
            }}
        </div>
    }
    .into_any()
}

/// A notice and its "Annuler", as the bar shows it (and the board's HTML, written whole by the
/// server).
pub fn notice_view(n: Notice) -> impl IntoView {
    view! {
        <div class="notice">
            <span>{n.message}</span>
            {n.undo.map(|undo| view! {
                // A plain post: it works before the WASM and reloads the page.
                <form method="post" action=undo.action>
                    <input type="hidden" name="id" value=undo.id />
                    <button type="submit" class="secondary">"Annuler"</button>
                </form>
            })}
        </div>
    }
}
