//! The home page's day as HTML, written on the server (see `ui::home`): every value from the
//! database is escaped here.

use std::fmt::Write;

use super::Campaign;
use crate::ui::forms::format_date_range;

/// Escapes text for HTML content and double-quoted attributes (`html-escape`, which Leptos
/// itself escapes with).
fn escape(text: &str) -> String {
    html_escape::encode_double_quoted_attribute(text).into_owned()
}

fn rows(out: &mut String, campaigns: &[Campaign]) {
    out.push_str(r#"<ul class="campaigns">"#);
    for c in campaigns {
        let place = [c.venue.as_deref(), c.city.as_deref()]
            .into_iter()
            .flatten()
            .collect::<Vec<_>>()
            .join(", ");
        let _ = write!(
            out,
            r#"<li class="today-row"><a class="campaign-name" href="/campagnes/{id}">{name}</a><span class="meta">{distributor}</span><span class="meta">{place}</span><span class="meta">{dates}</span></li>"#,
            id = c.id,
            name = escape(&c.name),
            distributor = escape(&c.distributor_name),
            place = escape(&place),
            dates = escape(&format_date_range(c.starts_on, c.ends_on)),
        );
    }
    out.push_str("</ul>");
}

/// The day of a rep with `owned` campaigns: the shows `running` and the next ones.
pub fn html(running: &[Campaign], upcoming: &[Campaign], owned: i64) -> String {
    if owned == 0 {
        return concat!(
            "<h1>Bienvenue sur Spine</h1>",
            r#"<p class="lead">Commencez par votre premier salon : un nom, un distributeur, un lieu et des dates.</p>"#,
            r#"<p><a class="button" href="/campagnes/nouvelle">Créer votre première campagne</a></p>"#
        )
        .to_string();
    }
    let mut out = String::from(
        r#"<div class="page-head"><h1>Aujourd’hui</h1><a class="button" href="/campagnes/nouvelle">Nouvelle campagne</a></div>"#,
    );
    out.push_str("<h2>Salons en cours</h2>");
    if running.is_empty() {
        out.push_str(r#"<p class="empty">Aucun salon en cours aujourd’hui.</p>"#);
    } else {
        rows(&mut out, running);
    }
    out.push_str("<h2>Prochains salons</h2>");
    if upcoming.is_empty() {
        out.push_str(
            r#"<p class="empty">Aucun salon à venir : préparez le prochain avec « Nouvelle campagne ».</p>"#,
        );
    } else {
        rows(&mut out, upcoming);
    }
    out.push_str(
        r#"<p><a class="button secondary" href="/campagnes">Toutes les campagnes</a></p>"#,
    );
    out
}

#[cfg(test)]
mod tests {
    use chrono::NaiveDate;
    use uuid::Uuid;

    use super::*;
    use crate::campaigns::CampaignStatus;

    fn campaign(name: &str) -> Campaign {
        let day = NaiveDate::from_ymd_opt(2099, 3, 14).unwrap();
        Campaign {
            id: Uuid::nil(),
            name: name.into(),
            distributor_id: Uuid::nil(),
            distributor_name: "Métro & Fils".into(),
            venue: Some("Eurexpo".into()),
            city: None,
            starts_on: day,
            ends_on: day,
            status: CampaignStatus::Running,
            version: 1,
            pipeline: String::new(),
        }
    }

    #[test]
    fn names_from_the_database_are_escaped() {
        let html = html(&[campaign("<script>alert('x')</script>")], &[], 1);
        assert!(!html.contains("<script>"), "{html}");
        assert!(html.contains("&lt;script&gt;alert('x')&lt;/script&gt;"));
        assert!(html.contains("Métro &amp; Fils"));
        assert!(html.contains("Eurexpo"));
        assert!(html.contains("le 14/03/2099"));
        assert!(html.contains("Aucun salon à venir"));
    }

    #[test]
    fn a_first_time_rep_is_invited_to_create_a_campaign() {
        assert!(html(&[], &[], 0).contains("Créer votre première campagne"));
    }
}
