//! The catalogue and sending pages (server-written like the board): work under way
//! (`[data-follow]`, the address of its events: a catalogue's reading, a campaign's mails
//! leaving) shows its progress as it comes, and the page is read again once the work ends (unless the rep is correcting a product: then a link offers it); a form
//! marked `data-once` posts once, however often it is tapped.

use std::cell::RefCell;

use wasm_bindgen::{closure::Closure, JsCast};
use web_sys::{Element, Event, EventSource, HtmlFormElement, MessageEvent};

use super::{document, window};
use crate::reading::reading_text;

/// The readings followed, each with the handler of its events (kept while the page lives).
type Followed = (EventSource, Closure<dyn FnMut(MessageEvent)>);
/// What holds `data-once` forms to one post.
type OnSubmit = Closure<dyn FnMut(Event)>;

thread_local! {
    static FOLLOWED: RefCell<Vec<Followed>> = const { RefCell::new(Vec::new()) };
    static ONCE: RefCell<Option<(OnSubmit, OnSubmit)>> = const { RefCell::new(None) };
    /// Whether the rep typed in a product's form since the page came.
    static TYPED: std::cell::Cell<bool> = const { std::cell::Cell::new(false) };
}

/// Follows every reading on the page not followed yet; holds `data-once` forms to one post.
pub fn sync() {
    guard_forms();
    let Ok(found) = document().query_selector_all("[data-follow]:not([data-following])") else {
        return;
    };
    for i in 0..found.length() {
        let Some(element) = found.get(i).and_then(|n| n.dyn_into::<Element>().ok()) else {
            continue;
        };
        let Some(url) = element.get_attribute("data-follow") else {
            continue;
        };
        let _ = element.set_attribute("data-following", "");
        // The browser opens a lost stream again by itself; the first event is the state now.
        let Ok(source) = EventSource::new(&url) else {
            continue;
        };
        let on_message = {
            let (element, source) = (element.clone(), source.clone());
            Closure::<dyn FnMut(MessageEvent)>::new(move |event: MessageEvent| {
                let Some(data) = event.data().as_string() else {
                    return;
                };
                let Ok(state) = js_sys::JSON::parse(&data) else {
                    return;
                };
                let get = |name: &str| js_sys::Reflect::get(&state, &name.into()).ok();
                match get("state").and_then(|s| s.as_string()).as_deref() {
                    Some("running") => {
                        let number = |name| get(name).and_then(|v| v.as_f64()).unwrap_or(0.0);
                        let (done, total) = (number("done"), number("total"));
                        show(&element, done as i32, total as i32);
                        if let Some(text) = get("text").and_then(|t| t.as_string()) {
                            show_text(&element, &text);
                        }
                    }
                    // Ended: the server writes the page as it now is, unless that would lose
                    // what the rep is typing.
                    Some(_) => {
                        source.close();
                        if TYPED.with(std::cell::Cell::get) {
                            offer_reload(&element);
                        } else {
                            let _ = window().location().reload();
                        }
                    }
                    None => {}
                }
            })
        };
        source.set_onmessage(Some(on_message.as_ref().unchecked_ref()));
        FOLLOWED.with(|followed| followed.borrow_mut().push((source, on_message)));
    }
}

/// The reading's progress bar and line at `done` pages of `total`.
fn show(element: &Element, done: i32, total: i32) {
    if let Ok(Some(bar)) = element.query_selector("progress") {
        let _ = bar.set_attribute("max", &total.max(1).to_string());
        let _ = bar.set_attribute("value", &done.to_string());
    }
    if let Ok(Some(line)) = element.query_selector(".reading-text") {
        line.set_text_content(Some(&reading_text(done, total)));
    }
}

/// The progress line when the server says it (mails leaving).
fn show_text(element: &Element, text: &str) {
    if let Ok(Some(line)) = element.query_selector(".progress-text") {
        line.set_text_content(Some(text));
    }
}

/// Says the reading ended, with a link to the page as it now is.
fn offer_reload(element: &Element) {
    let Ok(Some(line)) = element.query_selector(".reading-text") else {
        return;
    };
    line.set_text_content(Some("Lecture terminée. "));
    if let Ok(link) = document().create_element("a") {
        let here = window().location().href().unwrap_or_default();
        let _ = link.set_attribute("href", &here);
        link.set_text_content(Some("Afficher les produits lus"));
        let _ = line.append_child(&link);
    }
}

/// A second tap on a `data-once` form while its post is on its way does nothing (the server
/// would do nothing more, but say so in place of what the first one did).
fn guard_forms() {
    ONCE.with(|once| {
        if once.borrow().is_some() {
            return;
        }
        let on_submit = Closure::<dyn FnMut(Event)>::new(|event: Event| {
            let Some(form) = event
                .target()
                .and_then(|t| t.dyn_into::<HtmlFormElement>().ok())
            else {
                return;
            };
            if !form.has_attribute("data-once") {
                return;
            }
            if form.has_attribute("aria-busy") {
                event.prevent_default();
                return;
            }
            let _ = form.set_attribute("aria-busy", "true");
        });
        let _ = document()
            .add_event_listener_with_callback("submit", on_submit.as_ref().unchecked_ref());
        let on_input = Closure::<dyn FnMut(Event)>::new(|event: Event| {
            let in_product = event
                .target()
                .and_then(|t| t.dyn_into::<Element>().ok())
                .and_then(|e| e.closest(".product-form").ok().flatten())
                .is_some();
            if in_product {
                TYPED.with(|typed| typed.set(true));
            }
        });
        let _ =
            document().add_event_listener_with_callback("input", on_input.as_ref().unchecked_ref());
        *once.borrow_mut() = Some((on_submit, on_input));
    });
}
