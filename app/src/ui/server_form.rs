//! Forms that call a server function.
//!
//! Before the WASM arrives the `<form>` posts to the server function like any HTML form. Once
//! hydrated, a submit reads the fields with the form's own `read` function and dispatches the
//! server action. Leptos's `ActionForm` does the same by decoding the fields generically
//! (serde_qs in the browser), which costs every page with a form about 14 KB of WASM over the
//! wire; naming the fields by hand costs a few lines per form.

use leptos::{prelude::*, server_fn::ServerFn};
use leptos_router::hooks::use_location;

use crate::{
    error::AppError,
    ui::{
        notice::{Noticed, Notices},
        plain_post,
    },
};

/// A new idempotency key for a plain form that creates (one the browser posts itself, with no
/// action): written by the server into the page, or made in the browser when it draws the form.
pub fn new_key() -> String {
    #[cfg(feature = "hydrate")]
    {
        browser_key()
    }
    #[cfg(not(feature = "hydrate"))]
    {
        server_key()
    }
}

/// The fields of a submitted form.
pub struct Fields {
    #[cfg(feature = "hydrate")]
    data: web_sys::FormData,
}

impl Fields {
    /// The text of field `name`, empty when absent.
    pub fn text(&self, name: &str) -> String {
        #[cfg(feature = "hydrate")]
        {
            self.data.get(name).as_string().unwrap_or_default()
        }
        #[cfg(not(feature = "hydrate"))]
        {
            let _ = name;
            String::new()
        }
    }

    /// Field `name` parsed; `None` when absent or blank. A malformed value (only a tampered
    /// form has one) becomes `T`'s default, which the server refuses (an unknown id, a stale
    /// version) rather than, say, turning an update into a create.
    pub fn parse<T: std::str::FromStr + Default>(&self, name: &str) -> Option<T> {
        let text = self.text(name);
        let text = text.trim();
        (!text.is_empty()).then(|| text.parse().unwrap_or_default())
    }
}

/// A new idempotency key for a create form (see `db::claim` on the server). The server writes
/// one into the page for a post made before the WASM arrives; in the browser a key is made at
/// submit time, when the form has none.
#[cfg(feature = "ssr")]
fn server_key() -> String {
    uuid::Uuid::new_v4().to_string()
}

#[cfg(not(feature = "ssr"))]
fn server_key() -> String {
    String::new()
}

#[cfg(feature = "hydrate")]
fn browser_key() -> String {
    web_sys::window()
        .and_then(|w| w.crypto().ok())
        .map(|c| c.random_uuid())
        .unwrap_or_default()
}

/// A server function called by a form: Leptos's `ServerAction` without its reading of errors
/// from the URL (for Leptos's own forms without JavaScript; Spine's are in `plain_post`), which
/// would put a base64 decoder and an error decoder in every page with a form.
pub type FormAction<F> = Action<F, Result<<F as ServerFn>::Output, AppError>>;

/// A new [`FormAction`] of the server function `F`.
pub fn form_action<F>() -> FormAction<F>
where
    F: ServerFn<Error = AppError> + Clone + Send + Sync + 'static,
    F::Output: Send + Sync + 'static,
{
    Action::new(|input: &F| F::run_on_client(input.clone()))
}

/// A form posting to the server function of `action`; `read` turns its fields into the
/// function's arguments.
///
/// - Before the WASM arrives the browser posts it; the server answers with a page, never JSON
///   (see `ui::plain_post`), and a refusal comes back here with the fields as typed (read them
///   with `plain_post::typed`).
/// - While a request is in flight the form is `aria-busy` (its buttons look pending) and
///   further submits are ignored.
/// - `create` adds a hidden `key`, new after each success: the same form posted twice (a double
///   tap before the WASM arrived) creates once.
/// - After a refusal, focus goes to the first field in error.
#[component]
pub fn ServerForm<F>(
    action: FormAction<F>,
    read: fn(&Fields) -> F,
    #[prop(optional, into)] class: Option<&'static str>,
    #[prop(optional)] create: bool,
    children: Children,
) -> impl IntoView
where
    F: ServerFn<Error = AppError> + Clone + Send + Sync + 'static,
    F::Output: Noticed + Send + Sync + 'static,
{
    // Only what needs `F` is generic: every page has several forms, and each generic line is
    // compiled once per form into the page's WASM.
    let returned = crate::ui::flash::returned_to(F::url());
    if let Some(returned) = &returned {
        action.value().set(Some(Err(returned.error.clone())));
    }
    let answer = RwSignal::new(Answer::None);
    Effect::watch(
        move || action.version().get(),
        move |_, _, _| {
            answer.set(action.value().with_untracked(|v| match v {
                Some(Err(_)) => Answer::Refused,
                Some(Ok(out)) => Answer::Done(out.notice().cloned()),
                None => Answer::None,
            }))
        },
        false,
    );
    let pending = Signal::derive(move || action.pending().get());
    let submit = move |data: FormData| {
        if !action.pending().get_untracked() {
            #[cfg(feature = "hydrate")]
            let fields = Fields { data };
            #[cfg(not(feature = "hydrate"))]
            let fields = {
                let () = data;
                Fields {}
            };
            action.dispatch(read(&fields));
        }
    };
    form_view(FormSetup {
        url: F::url(),
        class,
        create,
        returned: returned.map(|r| r.fields),
        answer,
        pending,
        submit: Callback::new(submit),
        children,
    })
}

/// What the browser's form data is where this runs.
#[cfg(feature = "hydrate")]
type FormData = web_sys::FormData;
#[cfg(not(feature = "hydrate"))]
type FormData = ();

/// How the last call of a form ended.
#[derive(Clone, PartialEq)]
enum Answer {
    None,
    Refused,
    Done(Option<crate::ui::notice::Notice>),
}

struct FormSetup {
    url: &'static str,
    class: Option<&'static str>,
    create: bool,
    returned: Option<Vec<(String, String)>>,
    answer: RwSignal<Answer>,
    pending: Signal<bool>,
    submit: Callback<FormData>,
    children: Children,
}

/// The part of `ServerForm` every form shares.
fn form_view(setup: FormSetup) -> AnyView {
    let FormSetup {
        url,
        class,
        create,
        returned,
        answer,
        pending,
        submit,
        children,
    } = setup;
    let form = NodeRef::<leptos::html::Form>::new();
    let notices = use_context::<Notices>();
    // What a refused plain post typed (its page is rendered on the server only).
    #[cfg(feature = "ssr")]
    provide_context(plain_post::TypedBack::new(returned));
    #[cfg(not(feature = "ssr"))]
    let _ = returned;
    // Only a post made before the WASM arrived reads it: the page as the server rendered it.
    let page = {
        let here = use_location();
        let (path, search) = (here.pathname.get_untracked(), here.search.get_untracked());
        if search.is_empty() {
            path
        } else {
            format!("{path}?{search}")
        }
    };
    Effect::watch(
        move || answer.get(),
        move |answer, _, _| match answer {
            Answer::Refused => focus_first_invalid(form),
            Answer::Done(notice) => {
                if let (Some(notice), Some(notices)) = (notice.clone(), notices) {
                    notices.show(notice);
                }
                // The next create from this form is another one: a new key at its submit.
                if let Some(key) = form
                    .get_untracked()
                    .and_then(|f| f.query_selector("input[name=key]").ok().flatten())
                {
                    let _ = key.set_attribute("value", "");
                }
            }
            Answer::None => {}
        },
        false,
    );

    let on_submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        #[cfg(feature = "hydrate")]
        {
            use wasm_bindgen::JsCast;
            let form = ev
                .target()
                .and_then(|t| t.dyn_into::<web_sys::HtmlFormElement>().ok());
            if let Some(key) = form
                .as_ref()
                .and_then(|f| f.query_selector("input[name=key][value='']").ok().flatten())
            {
                let _ = key.set_attribute("value", &browser_key());
            }
            let data = form.and_then(|form| web_sys::FormData::new_with_form(&form).ok());
            if let Some(data) = data {
                submit.run(data);
            }
        }
        #[cfg(not(feature = "hydrate"))]
        let _ = submit;
    };
    view! {
        <form node_ref=form method="post" action=url class=class on:submit=on_submit
            aria-busy=move || pending.get().then_some("true")>
            <input type="hidden" name=plain_post::PAGE_FIELD value=page />
            {create.then(|| view! { <input type="hidden" name="key" value=server_key() /> })}
            {children()}
        </form>
    }
    .into_any()
}

/// Moves focus to the element `id` once the page is drawn (back to the button that opened
/// something just closed).
pub fn focus_later(id: String) {
    request_animation_frame(move || {
        #[cfg(feature = "hydrate")]
        {
            use wasm_bindgen::JsCast;
            if let Some(element) = document()
                .get_element_by_id(&id)
                .and_then(|e| e.dyn_into::<web_sys::HtmlElement>().ok())
            {
                let _ = element.focus();
            }
        }
        #[cfg(not(feature = "hydrate"))]
        let _ = id;
    });
}

/// Moves focus to the form's first field marked invalid, once the marks are drawn.
fn focus_first_invalid(form: NodeRef<leptos::html::Form>) {
    request_animation_frame(move || {
        #[cfg(feature = "hydrate")]
        {
            use wasm_bindgen::JsCast;
            if let Some(field) = form
                .get_untracked()
                .and_then(|f| f.query_selector("[aria-invalid=\"true\"]").ok().flatten())
                .and_then(|e| e.dyn_into::<web_sys::HtmlElement>().ok())
            {
                let _ = field.focus();
            }
        }
        #[cfg(not(feature = "hydrate"))]
        let _ = form;
    });
}
