//! Forms that call a server function.
//!
//! Before the WASM arrives the `<form>` posts to the server function like any HTML form. Once
//! hydrated, a submit reads the fields with the form's own `read` function and dispatches the
//! server action. Leptos's `ActionForm` does the same by decoding the fields generically
//! (serde_qs in the browser), which costs every page with a form about 14 KB of WASM over the
//! wire; naming the fields by hand costs a few lines per form.

use leptos::{prelude::*, server_fn::ServerFn};

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

/// A form posting to the server function of `action`; `read` turns its fields into the
/// function's arguments. A submit while the previous one is still in flight is ignored.
#[component]
pub fn ServerForm<F>(
    action: ServerAction<F>,
    read: fn(&Fields) -> F,
    #[prop(optional, into)] class: Option<&'static str>,
    children: Children,
) -> impl IntoView
where
    F: ServerFn + Clone + Send + Sync + 'static,
    F::Output: Send + Sync + 'static,
    F::Error: Send + Sync + 'static,
{
    let on_submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        if action.pending().get_untracked() {
            return;
        }
        #[cfg(feature = "hydrate")]
        {
            use wasm_bindgen::JsCast;
            let Some(form) = ev
                .target()
                .and_then(|t| t.dyn_into::<web_sys::HtmlFormElement>().ok())
            else {
                return;
            };
            let Ok(data) = web_sys::FormData::new_with_form(&form) else {
                return;
            };
            action.dispatch(read(&Fields { data }));
        }
        #[cfg(not(feature = "hydrate"))]
        let _ = read;
    };
    view! {
        <form method="post" action=F::url() class=class on:submit=on_submit>
            {children()}
        </form>
    }
}
