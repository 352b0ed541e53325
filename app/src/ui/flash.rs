//! What the previous plain post left for this page (a [`Notice`], a refused form).
//!
//! A plain post happens before the page's WASM arrived, so the page it leads to is plain too:
//! the server renders the notice, or the form with its errors and what was typed, and sends no
//! hydration scripts (see `is_plain_page`). Its forms post, its links load pages, as the rep was
//! already doing; the next page comes alive as usual. So the browser never needs this module's
//! values, and the WASM carries none of it.

#[cfg(feature = "ssr")]
use leptos::prelude::*;

use crate::ui::{notice::Notice, plain_post::Returned};

/// What a page was left.
#[cfg(feature = "ssr")]
#[derive(Clone, Debug, Default, PartialEq)]
struct Flash {
    notice: Option<Notice>,
    returned: Option<Returned>,
}

#[cfg(feature = "ssr")]
#[derive(Clone, Copy)]
struct Pending(StoredValue<Flash>);

/// Called once by the app root (the values exist on the server only).
pub fn provide_flash() {
    #[cfg(feature = "ssr")]
    if let Some(parts) = use_context::<http::request::Parts>() {
        provide_context(Pending(StoredValue::new(Flash {
            notice: parts.extensions.get::<Notice>().cloned(),
            returned: parts.extensions.get::<Returned>().cloned(),
        })));
    }
    crate::ui::notice::provide_notices();
}

/// Whether this page answers a plain post: rendered on the server, sent without hydration.
#[cfg(feature = "ssr")]
pub fn is_plain_page() -> bool {
    use_context::<http::request::Parts>().is_some_and(|parts| {
        parts.extensions.get::<Notice>().is_some() || parts.extensions.get::<Returned>().is_some()
    })
}

// Read, not taken: a view inside `Suspense` may be rendered more than once for one page,
// and each rendering must show the same thing.

/// The notice the page was left, if any.
#[cfg(feature = "ssr")]
pub fn notice_left() -> Option<Notice> {
    let Pending(flash) = use_context::<Pending>()?;
    flash.with_value(|f| f.notice.clone())
}

/// The refused post to the server function at `action`, if that is what the page was left.
#[cfg(feature = "ssr")]
pub fn returned_to(action: &str) -> Option<Returned> {
    let Pending(flash) = use_context::<Pending>()?;
    flash.with_value(|f| f.returned.clone().filter(|r| r.action == action))
}

/// In the browser there is nothing: such pages are never hydrated.
#[cfg(not(feature = "ssr"))]
pub fn notice_left() -> Option<Notice> {
    None
}

#[cfg(not(feature = "ssr"))]
pub fn returned_to(_action: &str) -> Option<Returned> {
    None
}
