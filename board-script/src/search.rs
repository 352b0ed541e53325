//! Search as the rep types, on the pages the server writes (a prospect's products, the stand
//! screen): a `form[data-live]`'s results (`[data-live-results]`) are read again from the
//! server's own page a moment after the last key, so the same HTML serves with and without
//! the script; the address follows, and an older answer never replaces a newer one.

use std::{cell::Cell, rc::Rc};

use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;
use web_sys::{HtmlFormElement, HtmlInputElement, HtmlTemplateElement};

use super::{
    document,
    typing::{after_typing, Typed},
    window,
};

/// Quiet time after the last key before the results are read again.
const PAUSE_MS: i32 = 250;

thread_local! {
    static LISTENING: Cell<bool> = const { Cell::new(false) };
}

/// Listens, once, to what is typed in live search forms.
pub fn sync() {
    if !LISTENING.with(|l| l.replace(true)) {
        after_typing("form[data-live]", PAUSE_MS, search);
    }
}

/// The form's address with what it holds: `action?name=value&…`.
fn address(form: &HtmlFormElement) -> Option<String> {
    let params = web_sys::UrlSearchParams::new().ok()?;
    let fields = form.query_selector_all("input[name]").ok()?;
    for i in 0..fields.length() {
        if let Some(input) = fields
            .get(i)
            .and_then(|n| n.dyn_into::<HtmlInputElement>().ok())
        {
            params.append(&input.name(), &input.value());
        }
    }
    let query = String::from(params.to_string());
    let action = form.get_attribute("action").unwrap_or_default();
    Some(format!("{action}?{query}"))
}

async fn search(form: HtmlFormElement, typed: Rc<Typed>, asked: u32) {
    let Some(url) = address(&form) else {
        return;
    };
    let Ok(answer) = JsFuture::from(window().fetch_with_str(&url)).await else {
        return;
    };
    let response: web_sys::Response = answer.unchecked_into();
    if !response.ok() {
        return;
    }
    let Ok(text) = response.text() else {
        return;
    };
    let Some(html) = JsFuture::from(text).await.ok().and_then(|t| t.as_string()) else {
        return;
    };
    if !typed.is_latest(asked) {
        return;
    }
    let (Some(shown), Ok(template)) = (
        document()
            .query_selector("[data-live-results]")
            .ok()
            .flatten(),
        document().create_element("template"),
    ) else {
        return;
    };
    let template: HtmlTemplateElement = template.unchecked_into();
    template.set_inner_html(&html);
    let Some(found) = template
        .content()
        .query_selector("[data-live-results]")
        .ok()
        .flatten()
    else {
        return;
    };
    let _ = shown.replace_with_with_node_1(&found);
    if let Ok(history) = window().history() {
        let _ = history.replace_state_with_url(&wasm_bindgen::JsValue::NULL, "", Some(&url));
    }
}
