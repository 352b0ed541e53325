//! Pieces of the pages the server writes whole (the board, the catalogue and the sending
//! pages, see `ui::server_page`): their error page, and what their plain forms share.

use leptos::prelude::*;

use crate::{
    error::{AppError, ErrorKind},
    ui::{
        not_found::{Missing, NotFoundOr},
        server_html,
    },
};

/// The title and HTML of a written page that could not be shown: "not found" in the words of
/// `missing`, or the error and its reference; answered with the error's status.
pub fn error_page(error: AppError, missing: Missing) -> (String, String) {
    error.set_response_status();
    let title = if error.kind == ErrorKind::NotFound {
        missing.title.to_string()
    } else {
        "Une erreur est survenue".to_string()
    };
    let errors = ArcRwSignal::new(Errors::default());
    errors.update(|e| e.insert_with_default_key(error));
    (title, server_html(view! { <NotFoundOr errors missing /> }))
}

/// A hidden field of a plain form.
pub fn hidden(name: &'static str, value: impl ToString) -> impl IntoView {
    view! { <input type="hidden" name=name value=value.to_string() /> }
}

/// What a plain post left for the page at `path`: its notice.
pub fn notice(path: &str) -> impl IntoView {
    let notice = crate::ui::flash::notice_left().filter(|n| n.page == path);
    view! { <div class="notice-slot" role="status">{notice.map(crate::ui::notice::notice_view)}</div> }
}

/// A refusal of one of `actions` (server functions' URLs) posted from this page.
pub fn refused(actions: &[&str]) -> Option<impl IntoView> {
    let returned = actions
        .iter()
        .find_map(|action| crate::ui::flash::returned_to(action))?;
    Some(view! { <p class="alert error" role="alert">{returned.error.message}</p> })
}
