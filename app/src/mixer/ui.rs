//! The mixer's pages, written whole by the server (`html`) from what `server::mixer_pages`
//! read before the page renders, like the sending pages.

use leptos::prelude::*;

use crate::error::AppError;

/// What a mixer page shows, read before it renders.
pub enum Page {
    Templates(super::html::TemplatesPage),
    Template(super::html::TemplatePage),
    Interests(Box<super::html::InterestsPage>),
    Mixer(Box<super::html::MixerPage>),
    Stand(Box<super::html::StandPage>),
}

/// The page read before rendering (`None`: not the rep's, or no such page), and what is
/// said when it is missing.
#[derive(Clone)]
pub struct Prefetched(
    pub Result<Option<std::sync::Arc<Page>>, AppError>,
    pub crate::ui::not_found::Missing,
);

/// The page's title and HTML, or why there is none.
pub(crate) fn server_page() -> (String, String) {
    let prefetched = use_context::<http::request::Parts>()
        .and_then(|parts| parts.extensions.get::<Prefetched>().cloned());
    let missing = prefetched
        .as_ref()
        .map_or(crate::ui::not_found::Missing::CAMPAIGN, |p| p.1);
    let error = match prefetched {
        Some(Prefetched(Ok(Some(page)), _)) => {
            return match &*page {
                Page::Templates(p) => (
                    "Modèles de mail".to_string(),
                    super::html::templates_page(p),
                ),
                Page::Template(p) => (
                    p.template
                        .as_ref()
                        .map_or("Nouveau modèle".to_string(), |t| {
                            format!("Modèle · {}", t.name)
                        }),
                    super::html::template_page(p),
                ),
                Page::Interests(p) => (
                    format!("Produits d’intérêt · {}", p.campaign.name),
                    super::html::interests_page(p),
                ),
                Page::Stand(p) => (
                    format!("Stand · {}", p.campaign.name),
                    super::html::stand(p),
                ),
                Page::Mixer(p) => (
                    format!("Mixer · {}", p.campaign.name),
                    super::html::mixer(p),
                ),
            }
        }
        Some(Prefetched(Err(e), _)) => e,
        _ => AppError::not_found(),
    };
    crate::ui::written::error_page(error, missing)
}
