//! The mixer's live preview: while the rep edits a template beside the mail it makes
//! (`form[data-preview]`), the mail is asked again of `POST /mixer/preview` a moment after the
//! last key and shown in place (its HTML is the server's, sanitised there); a template that
//! does not read says where, in French. An older answer never replaces a newer one.

use std::{cell::Cell, rc::Rc};

use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;
use web_sys::{HtmlFormElement, HtmlInputElement, HtmlTextAreaElement};

use super::{
    document,
    typing::{after_typing, Typed},
    window,
    wire::ANSWER_TYPE,
};

/// Quiet time after the last key before the preview is asked again.
const PAUSE_MS: i32 = 400;

thread_local! {
    static LISTENING: Cell<bool> = const { Cell::new(false) };
}

/// Listens, once, to what is typed in a template beside its preview.
pub fn sync() {
    if !LISTENING.with(|l| l.replace(true)) {
        after_typing("form[data-preview]", PAUSE_MS, preview);
    }
}

fn value(form: &HtmlFormElement, selector: &str) -> String {
    let Some(found) = form.query_selector(selector).ok().flatten() else {
        return String::new();
    };
    match found.dyn_ref::<HtmlTextAreaElement>() {
        Some(area) => area.value(),
        None => found
            .dyn_ref::<HtmlInputElement>()
            .map(HtmlInputElement::value)
            .unwrap_or_default(),
    }
}

fn get(object: &JsValue, name: &str) -> JsValue {
    js_sys::Reflect::get(object, &name.into()).unwrap_or(JsValue::UNDEFINED)
}

fn set(object: &js_sys::Object, name: &str, value: &JsValue) {
    let _ = js_sys::Reflect::set(object, &name.into(), value);
}

async fn preview(form: HtmlFormElement, typed: Rc<Typed>, asked: u32) {
    let attribute = |name: &str| form.get_attribute(name).unwrap_or_default();
    let template = js_sys::Object::new();
    set(&template, "subject", &value(&form, "[name=subject]").into());
    set(&template, "body", &value(&form, "[name=body]").into());
    let request = js_sys::Object::new();
    set(&request, "campaign", &attribute("data-campaign").into());
    set(&request, "prospect", &attribute("data-prospect").into());
    set(&request, "template", &template);
    let Ok(body) = js_sys::JSON::stringify(&request) else {
        return;
    };
    let init = web_sys::RequestInit::new();
    init.set_method("POST");
    init.set_body(&body);
    let Ok(headers) = web_sys::Headers::new() else {
        return;
    };
    let _ = headers.set("Content-Type", "application/json");
    // A template that does not read comes back as the forms' refusals do (200).
    let _ = headers.set("Accept", ANSWER_TYPE);
    init.set_headers(&headers);
    let url = attribute("data-preview");
    let Ok(answer) = JsFuture::from(window().fetch_with_str_and_init(&url, &init)).await else {
        return;
    };
    let response: web_sys::Response = answer.unchecked_into();
    let Ok(json) = response.json() else {
        return;
    };
    let Ok(answer) = JsFuture::from(json).await else {
        return;
    };
    if !typed.is_latest(asked) {
        return;
    }
    let find = |selector: &str| document().query_selector(selector).ok().flatten();
    let error = find("[data-preview-error]");
    let refused = get(&answer, "refused");
    let (answer, refused) = if refused.is_object() {
        (refused, true)
    } else {
        (answer, !response.ok())
    };
    if !refused {
        if let Some(error) = &error {
            let _ = error.set_attribute("hidden", "");
        }
        if let Some(subject) = find("[data-preview-subject]") {
            subject.set_text_content(get(&answer, "subject").as_string().as_deref());
        }
        if let Some(html) = find("[data-preview-html]") {
            html.set_inner_html(&get(&answer, "html").as_string().unwrap_or_default());
        }
        if let Some(text) = find("[data-preview-text]") {
            text.set_text_content(get(&answer, "text").as_string().as_deref());
        }
        if let Some(list) = find("[data-preview-warnings]") {
            list.set_text_content(None);
            let warnings = js_sys::Array::from(&get(&answer, "warnings"));
            for warning in warnings.iter() {
                if let Ok(item) = document().create_element("li") {
                    item.set_text_content(warning.as_string().as_deref());
                    let _ = list.append_child(&item);
                }
            }
            if warnings.length() == 0 {
                let _ = list.set_attribute("hidden", "");
            } else {
                let _ = list.remove_attribute("hidden");
            }
        }
    } else if let Some(error) = error {
        // What does not read, with where: the fields' messages, else the error's.
        let fields = get(&answer, "fields");
        let said: Vec<String> = ["subject", "body"]
            .iter()
            .filter_map(|name| get(&fields, name).as_string())
            .collect();
        let said = if said.is_empty() {
            get(&answer, "message").as_string().unwrap_or_default()
        } else {
            said.join(" ")
        };
        error.set_text_content(Some(&said));
        let _ = error.remove_attribute("hidden");
    }
}
