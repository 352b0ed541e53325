//! A prospecting mail made from a template: the merged Markdown rendered to HTML by
//! `pulldown-cmark` and sanitised by `ammonia`, the same Markdown read as plain text, the
//! products' block Spine writes, the rep's signature and the legal footer with its opt-out link.

use pulldown_cmark::{Event, Options, Parser, Tag, TagEnd};

use super::template::{Escape, Field, Template};
use crate::catalog::price::format_price;

/// The narrow no-break space French typography puts before "HT".
const THIN: char = '\u{202F}';

/// A product a prospect liked, with the rep's note.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Interest {
    pub reference: String,
    pub name: String,
    pub price_cents: i64,
    pub currency: String,
    pub note: String,
}

/// The contact a mail is for.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Contact {
    pub email: String,
    pub civility: String,
    pub first_name: String,
    pub last_name: String,
    pub company: String,
    pub job_title: String,
    pub city: String,
    pub do_not_contact: bool,
    pub bounced: bool,
}

impl Contact {
    /// The name a mail is addressed to.
    pub fn display_name(&self) -> String {
        format!("{} {}", self.first_name.trim(), self.last_name.trim())
            .trim()
            .to_string()
    }
}

/// Who sends: the rep, the company they speak for, their signature (plain text).
#[derive(Debug, Clone, Default)]
pub struct Sender {
    pub name: String,
    pub company: String,
    pub signature: String,
}

/// Everything one mail is made of.
pub struct Merge<'a> {
    pub contact: &'a Contact,
    pub show: &'a str,
    pub distributor: &'a str,
    pub interests: &'a [Interest],
    pub sender: &'a Sender,
    /// The footer's link to stop receiving mails (`None` in a template's preview without a
    /// contact of the rep's).
    pub opt_out_url: Option<&'a str>,
}

/// A mail ready for the outbox, and what the rep should know before sending it.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Rendered {
    pub subject: String,
    pub html: String,
    pub text: String,
    pub warnings: Vec<String>,
}

/// The products' block, Markdown: one item per product, "RÉF — Nom : 1 234,50 € HT", the
/// note below. Every word is the catalogue's or the rep's: escaped.
pub fn products_block(interests: &[Interest]) -> Option<String> {
    if interests.is_empty() {
        return None;
    }
    let md = |text: &str| Escape::Markdown.apply(text);
    let mut out = String::from("\n\n");
    for i in interests {
        out.push_str(&format!(
            "- **{} — {}** : {}{THIN}HT",
            md(&i.reference),
            md(&i.name),
            format_price(i.price_cents, &i.currency)
        ));
        if !i.note.trim().is_empty() {
            // A line break within the item, not a paragraph: the list stays tight.
            out.push_str(&format!("\\\n  *{}*", md(&i.note)));
        }
        out.push('\n');
    }
    out.push('\n');
    Some(out)
}

/// What a field holds for this mail.
fn value(merge: &Merge<'_>, field: Field) -> Option<String> {
    let c = merge.contact;
    let text = |s: &str| Some(s.to_string());
    match field {
        Field::Civility => text(&c.civility),
        Field::FirstName => text(&c.first_name),
        Field::LastName => text(&c.last_name),
        Field::Company => text(&c.company),
        Field::JobTitle => text(&c.job_title),
        Field::City => text(&c.city),
        Field::Show => text(merge.show),
        Field::Distributor => text(merge.distributor),
        Field::Products => products_block(merge.interests),
    }
}

/// The mail `subject` and `body` make for `merge`.
pub fn compose(subject: &Template, body: &Template, merge: &Merge<'_>) -> Rendered {
    let (subject_text, subject_missing) = subject.render(|f| value(merge, f), Escape::Plain);
    let (markdown, body_missing) = body.render(|f| value(merge, f), Escape::Markdown);
    let mut html = markdown_html(&markdown);
    let mut text = markdown_text(&markdown);

    let signature = merge.sender.signature.trim();
    if !signature.is_empty() {
        let lines: Vec<String> = signature
            .lines()
            .map(|l| html_escape::encode_text(l.trim_end()).into_owned())
            .collect();
        html.push_str(&format!(
            "<p class=\"signature\">{}</p>\n",
            lines.join("<br>\n")
        ));
        text.push_str(&format!("\n\n-- \n{signature}"));
    }
    let (footer_html, footer_text) = footer(merge);
    html.push_str(&footer_html);
    text.push_str("\n\n");
    text.push_str(&footer_text);
    text.push('\n');

    let mut warnings = Vec::new();
    let c = merge.contact;
    if c.do_not_contact {
        warnings.push(
            "Ce contact a demandé à ne plus être contacté : il ne recevra pas ce mail.".to_string(),
        );
    }
    if c.bounced {
        warnings.push("Un mail précédent n’a pas été distribué à cette adresse.".to_string());
    }
    let uses = |field: Field| subject.fields().contains(&field) || body.fields().contains(&field);
    if uses(Field::FirstName) && c.first_name.trim().is_empty() {
        warnings.push("Pas de prénom pour ce contact.".to_string());
    }
    if merge.interests.is_empty() {
        warnings.push("Aucun produit d’intérêt noté pour ce contact.".to_string());
    }
    let mut missing = subject_missing;
    for field in body_missing {
        if !missing.contains(&field) {
            missing.push(field);
        }
    }
    for field in missing {
        if field == Field::FirstName || field == Field::Products {
            continue;
        }
        warnings.push(format!(
            "{{{{{}}}}} est vide pour ce contact, et le modèle n’a pas de texte de repli.",
            field.name()
        ));
    }
    Rendered {
        subject: subject_text.trim().to_string(),
        html,
        text,
        warnings,
    }
}

/// The legal footer: who sends, why, and how to stop (French rules on B2B prospecting).
fn footer(merge: &Merge<'_>) -> (String, String) {
    let sender = &merge.sender;
    let company = if sender.company.trim().is_empty() {
        merge.distributor.trim()
    } else {
        sender.company.trim()
    };
    let who = if company.is_empty() {
        sender.name.trim().to_string()
    } else {
        format!("{} ({company})", sender.name.trim())
    };
    let why = format!(
        "Vous recevez ce message de {who} à la suite de notre rencontre au salon {}.",
        merge.show.trim()
    );
    let esc = |s: &str| html_escape::encode_text(s).into_owned();
    match merge.opt_out_url {
        Some(url) => (
            format!(
                "<p class=\"footer\"><small>{} Pour ne plus recevoir de messages de sa part : \
                 <a href=\"{}\">se désinscrire</a>.</small></p>\n",
                esc(&why),
                html_escape::encode_double_quoted_attribute(url)
            ),
            format!("{why} Pour ne plus recevoir de messages de sa part : {url}"),
        ),
        None => (
            format!("<p class=\"footer\"><small>{}</small></p>\n", esc(&why)),
            why,
        ),
    }
}

fn options() -> Options {
    Options::ENABLE_STRIKETHROUGH
}

/// Markdown → HTML a mail client shows: no script, no style, no image from elsewhere, links
/// opening apart.
pub fn markdown_html(markdown: &str) -> String {
    let mut html = String::with_capacity(markdown.len() * 3 / 2);
    pulldown_cmark::html::push_html(&mut html, Parser::new_ext(markdown, options()));
    ammonia::Builder::default()
        .rm_tags(["img"])
        .clean(&html)
        .to_string()
}

/// Markdown → the plain text body: paragraphs apart, list items with "- ", a link's address
/// after its words.
pub fn markdown_text(markdown: &str) -> String {
    let mut out = String::with_capacity(markdown.len());
    let mut lists: Vec<Option<u64>> = Vec::new();
    let mut links: Vec<String> = Vec::new();
    let mut link_start = 0;
    for event in Parser::new_ext(markdown, options()) {
        match event {
            Event::Text(t) | Event::Code(t) => out.push_str(&t),
            Event::SoftBreak | Event::HardBreak => {
                out.push('\n');
                out.push_str(&"  ".repeat(lists.len()));
            }
            Event::Start(Tag::List(first)) => {
                if !out.is_empty() && !out.ends_with('\n') {
                    out.push('\n');
                }
                lists.push(first);
            }
            Event::End(TagEnd::List(_)) => {
                lists.pop();
                if lists.is_empty() {
                    out.push('\n');
                }
            }
            Event::Start(Tag::Item) => {
                if !out.is_empty() && !out.ends_with('\n') {
                    out.push('\n');
                }
                out.push_str(&"  ".repeat(lists.len().saturating_sub(1)));
                match lists.last_mut() {
                    Some(Some(n)) => {
                        out.push_str(&format!("{n}. "));
                        *n += 1;
                    }
                    _ => out.push_str("- "),
                }
            }
            Event::End(TagEnd::Item) if !out.ends_with('\n') => out.push('\n'),
            Event::End(TagEnd::Paragraph | TagEnd::Heading(_) | TagEnd::BlockQuote(_)) => {
                if lists.is_empty() {
                    out.push_str("\n\n");
                } else {
                    out.push('\n');
                }
            }
            Event::End(TagEnd::CodeBlock) => out.push('\n'),
            Event::Rule => out.push_str("----\n\n"),
            Event::Start(Tag::Link { dest_url, .. }) => {
                links.push(dest_url.to_string());
                link_start = out.len();
            }
            Event::End(TagEnd::Link) => {
                if let Some(url) = links.pop() {
                    let words = out[link_start..].trim();
                    let bare = url.strip_prefix("mailto:").unwrap_or(&url);
                    if words != bare {
                        out.push_str(&format!(" ({url})"));
                    }
                }
            }
            // Raw HTML in a template is for the HTML body only.
            _ => {}
        }
    }
    let mut text = String::with_capacity(out.len());
    let mut blank = 0;
    for line in out.trim().lines() {
        if line.trim().is_empty() {
            blank += 1;
            if blank > 1 {
                continue;
            }
        } else {
            blank = 0;
        }
        text.push_str(line.trim_end());
        text.push('\n');
    }
    text.trim_end().to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn contact() -> Contact {
        Contact {
            email: "lea@example.fr".into(),
            civility: "Mme".into(),
            first_name: "Léa".into(),
            last_name: "Mercier".into(),
            company: "[Étoile](http://evil.example) **gras** <script>x</script>".into(),
            ..Contact::default()
        }
    }

    fn interests() -> Vec<Interest> {
        vec![
            Interest {
                reference: "FR-220".into(),
                name: "Four mixte <10 niveaux>".into(),
                price_cents: 123_450,
                currency: "EUR".into(),
                note: "Veut une démo *en mars*".into(),
            },
            Interest {
                reference: "CF-3".into(),
                name: "Cellule de refroidissement".into(),
                price_cents: 99_000,
                currency: "EUR".into(),
                note: String::new(),
            },
        ]
    }

    fn sender() -> Sender {
        Sender {
            name: "Paul Rep".into(),
            company: String::new(),
            signature: "Paul Rep\nDirecteur commercial <Ouest>\n06 12 34 56 78".into(),
        }
    }

    fn mail(body: &str, contact: &Contact, interests: &[Interest]) -> Rendered {
        let sender = sender();
        compose(
            &Template::parse("Suite à {{salon}}, {{prenom|Madame, Monsieur}}").unwrap(),
            &Template::parse(body).unwrap(),
            &Merge {
                contact,
                show: "Sirha Lyon",
                distributor: "Rational France",
                interests,
                sender: &sender,
                opt_out_url: Some("https://spine.example/desinscription/abc?x=1&y=2"),
            },
        )
    }

    #[test]
    fn a_mail_has_its_products_prices_and_notes_in_html_and_text() {
        let rendered = mail(
            "Bonjour {{prenom}},\n\nVoici ce qui vous a plu :\n{{produits}}\nÀ bientôt !",
            &contact(),
            &interests(),
        );
        assert_eq!(rendered.subject, "Suite à Sirha Lyon, Léa");
        let html = &rendered.html;
        assert!(html.contains("<p>Bonjour Léa,</p>"), "{html}");
        assert!(
            html.contains("<li><strong>FR-220 — Four mixte &lt;10 niveaux&gt;</strong> : 1\u{202F}234,50\u{202F}€\u{202F}HT"),
            "{html}"
        );
        assert!(html.contains("<em>Veut une démo *en mars*</em>"), "{html}");
        assert!(html.contains("990,00\u{202F}€\u{202F}HT"), "{html}");
        let text = &rendered.text;
        assert!(
            text.starts_with("Bonjour Léa,\n\nVoici ce qui vous a plu :\n"),
            "{text}"
        );
        assert!(
            text.contains("- FR-220 — Four mixte <10 niveaux> : 1\u{202F}234,50\u{202F}€\u{202F}HT\n  Veut une démo *en mars*\n- CF-3"),
            "{text}"
        );
        assert!(text.contains("À bientôt !"), "{text}");
        assert!(rendered.warnings.is_empty(), "{:?}", rendered.warnings);
    }

    #[test]
    fn a_contacts_words_stay_text_and_raw_html_is_cleaned() {
        let rendered = mail(
            "Chez {{societe}}.\n\n<script>alert(1)</script><a href=\"javascript:x\" onclick=\"y\">lien</a> <img src=\"https://tracker.example/p.gif\">",
            &contact(),
            &[],
        );
        let html = &rendered.html;
        assert!(!html.contains("<a href=\"http://evil"), "{html}");
        assert!(
            html.contains("[Étoile](http://evil.example) **gras** &lt;script&gt;"),
            "{html}"
        );
        assert!(!html.contains("<script"), "{html}");
        assert!(!html.contains("javascript:"), "{html}");
        assert!(!html.contains("onclick"), "{html}");
        assert!(!html.contains("<img"), "{html}");
        assert!(rendered
            .text
            .starts_with("Chez [Étoile](http://evil.example) **gras** <script>x</script>."));
    }

    #[test]
    fn every_mail_ends_with_the_signature_and_the_footer_and_its_link() {
        let rendered = mail("Bonjour.", &contact(), &interests());
        let html = &rendered.html;
        assert!(
            !html.contains("style="),
            "the pages' CSP refuses inline styles: {html}"
        );
        assert!(
            html.contains("Paul Rep<br>\nDirecteur commercial &lt;Ouest&gt;<br>\n06 12 34 56 78"),
            "{html}"
        );
        assert!(
            html.contains(
                "de Paul Rep (Rational France) à la suite de notre rencontre au salon Sirha Lyon."
            ),
            "{html}"
        );
        assert!(
            html.contains("<a href=\"https://spine.example/desinscription/abc?x=1&amp;y=2\">se désinscrire</a>"),
            "{html}"
        );
        let text = &rendered.text;
        assert!(
            text.contains("\n\n-- \nPaul Rep\nDirecteur commercial <Ouest>"),
            "{text}"
        );
        assert!(text.trim_end().ends_with(
            "Pour ne plus recevoir de messages de sa part : https://spine.example/desinscription/abc?x=1&y=2"
        ), "{text}");
    }

    #[test]
    fn warnings_say_what_the_contact_lacks() {
        let bare = Contact {
            email: "x@example.fr".into(),
            do_not_contact: true,
            ..Contact::default()
        };
        let rendered = mail(
            "Bonjour {{prenom}} de {{societe}}, {{produits}}",
            &bare,
            &[],
        );
        assert_eq!(
            rendered.warnings,
            [
                "Ce contact a demandé à ne plus être contacté : il ne recevra pas ce mail.",
                "Pas de prénom pour ce contact.",
                "Aucun produit d’intérêt noté pour ce contact.",
                "{{societe}} est vide pour ce contact, et le modèle n’a pas de texte de repli.",
            ]
        );
        assert_eq!(rendered.subject, "Suite à Sirha Lyon, Madame, Monsieur");
    }

    #[test]
    fn markdown_reads_as_plain_text() {
        assert_eq!(
            markdown_text("# Titre\n\nUn **gras** et [un lien](https://a.example).\n\n1. un\n2. deux\n\nFin  \nligne"),
            "Titre\n\nUn gras et un lien (https://a.example).\n\n1. un\n2. deux\n\nFin\nligne"
        );
    }
}
