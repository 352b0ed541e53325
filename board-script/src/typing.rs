//! What the written pages do as the rep types (search as you type, the mixer's live preview):
//! a form's work runs a moment after the last key, and an answer to an older key is dropped.

use std::{cell::Cell, future::Future, rc::Rc};

use wasm_bindgen::{closure::Closure, JsCast};
use wasm_bindgen_futures::spawn_local;
use web_sys::{Element, Event, HtmlFormElement};

use super::{document, window};

/// The keys typed in one kind of form: the latest asked, and the pause under way.
#[derive(Default)]
pub struct Typed {
    latest: Cell<u32>,
    timer: Cell<i32>,
}

impl Typed {
    /// Whether `asked` is still the latest (its answer may be shown).
    pub fn is_latest(&self, asked: u32) -> bool {
        self.latest.get() == asked
    }
}

/// Runs `work` on a form matching `selector` `pause_ms` after the last key typed in it, with
/// the number of that key (see [`Typed::is_latest`]).
pub fn after_typing<F, Fut>(selector: &'static str, pause_ms: i32, work: F)
where
    F: Fn(HtmlFormElement, Rc<Typed>, u32) -> Fut + 'static,
    Fut: Future<Output = ()> + 'static,
{
    let typed = Rc::new(Typed::default());
    let work = Rc::new(work);
    let on_input = Closure::<dyn FnMut(Event)>::new(move |event: Event| {
        let Some(form) = event
            .target()
            .and_then(|t| t.dyn_into::<Element>().ok())
            .and_then(|e| e.closest(selector).ok().flatten())
            .and_then(|f| f.dyn_into::<HtmlFormElement>().ok())
        else {
            return;
        };
        let asked = typed.latest.get().wrapping_add(1);
        typed.latest.set(asked);
        let (typed_later, work) = (typed.clone(), work.clone());
        let later = Closure::once_into_js(move || spawn_local(work(form, typed_later, asked)));
        window().clear_timeout_with_handle(typed.timer.get());
        if let Ok(id) = window()
            .set_timeout_with_callback_and_timeout_and_arguments_0(later.unchecked_ref(), pause_ms)
        {
            typed.timer.set(id);
        }
    });
    let _ = document().add_event_listener_with_callback("input", on_input.as_ref().unchecked_ref());
    on_input.forget();
}
