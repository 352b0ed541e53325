//! Pages and components that belong to no single feature.

pub mod flash;
pub mod forms;
pub mod home;
pub mod layout;
pub mod lazy;
pub mod not_found;
pub mod notice;
pub mod params;
pub mod plain_post;
pub mod query;
pub mod server_form;
pub mod server_page;
pub mod session;
#[cfg(feature = "ssr")]
pub mod written;

/// A view rendered to HTML on the server, for a page to set as is (`inner_html`): without the
/// `<!>` markers hydration would need, as nothing hydrates it. Leptos escapes every value, so
/// no `<!>` can come from one.
#[cfg(feature = "ssr")]
pub fn server_html(view: impl leptos::prelude::RenderHtml) -> String {
    view.to_html().replace("<!>", "")
}

/// `text` as the content of a `<textarea>`, set with `inner_html`: Leptos writes a textarea's
/// children unescaped (the browser reads them as text, yet `</textarea>` would end the field and
/// `&amp;` would come back as `&`).
pub fn textarea_text(text: &str) -> String {
    text.replace('&', "&amp;").replace('<', "&lt;")
}

#[cfg(test)]
mod tests {
    #[test]
    fn a_textareas_text_cannot_end_it() {
        assert_eq!(
            super::textarea_text("a &amp; </textarea><b>x"),
            "a &amp;amp; &lt;/textarea>&lt;b>x"
        );
    }
}
