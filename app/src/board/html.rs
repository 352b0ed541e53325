//! The board and a card's move page, written by the server (Leptos escapes every value): the
//! browser sets them as they are. A card links to its move page, so every move works with a tap
//! and before the WASM.

use leptos::prelude::*;
use leptos::server_fn::ServerFn;
use uuid::Uuid;

use super::{
    api::MoveCard,
    model::{Place, STAGES},
    repo::{Board, Card},
};
use crate::{
    prospects::model::count,
    ui::{query::Query, server_form::new_key, server_html},
};

/// The four columns with their counts and cards, the search above them, and on a phone a tab
/// per column (one shown at a time).
pub fn board(board: &Board, q: &str) -> String {
    // A move refused (the card had moved meanwhile), posted before the WASM: said here.
    let refused = crate::ui::flash::returned_to(MoveCard::url()).map(|r| r.error.message);
    let campaign = board.campaign.id;
    let path = format!("/campagnes/{campaign}/tableau");
    let count = |stage: &str| -> i64 {
        board
            .counts
            .iter()
            .filter(|(place, _)| place.stage() == stage)
            .map(|(_, n)| n)
            .sum()
    };
    let searching = !q.trim().is_empty();
    let shown = |stage: &str| {
        board
            .cards
            .iter()
            .filter(|c| c.place.stage() == stage)
            .count()
    };
    server_html(view! {
        {refused.map(|message| view! { <p class="alert error" role="alert">{message}</p> })}
        <form method="get" action=path.clone() class="filters search" role="search">
            <label class="field">
                <span>"Rechercher dans le tableau"</span>
                <input type="search" name="q" value=q.to_string() maxlength="200" placeholder="Nom, société, e-mail, ville" />
            </label>
            <button type="submit" class="secondary">"Afficher"</button>
            {searching.then(|| view! { <a class="button secondary" href=path.clone()>"Tout afficher"</a> })}
        </form>
        <p class="exports">"Exporter : "
            {[("four", "le Four"), ("frigo", "le Frigo"), ("tout", "tout")].into_iter().enumerate().map(|(i, (which, label))| {
                let href = |format: &str| format!("/campagnes/{campaign}/export?etape={which}&format={format}");
                view! {
                    {(i > 0).then_some(" · ")}
                    <a href=href("xlsx") rel="external" download="">{format!("{label} (Excel)")}</a>
                    " "
                    <a href=href("csv") rel="external" download="">"(CSV)"</a>
                }
            }).collect_view()}
        </p>
        <nav class="stage-tabs" aria-label="Étapes">
            {STAGES.iter().map(|(stage, label)| view! {
                // The browser's own jump (not the app's router) makes the column `:target`.
                <a href=format!("#etape-{stage}") rel="external">{format!("{label} ({})", count(stage))}</a>
            }).collect_view()}
        </nav>
        <div class="board" data-campaign=campaign.to_string()>
            {STAGES.iter().map(|(stage, label)| {
                let heading = format!("titre-{stage}");
                let total = count(stage);
                let figure = if searching {
                    format!("{} sur {total}", shown(stage))
                } else {
                    total.to_string()
                };
                view! {
                    <section class=format!("column {stage}") id=format!("etape-{stage}") aria-labelledby=heading data-stage=*stage>
                        <h2 id=format!("titre-{stage}")>{*label}" "<span class="count">{figure}</span></h2>
                        <ol class="cards">
                            {board.cards.iter().filter(|c| c.place.stage() == *stage).map(|c| card_item(campaign, c)).collect_view()}
                        </ol>
                    </section>
                }
            }).collect_view()}
        </div>
    })
}

/// A card of the board: its name (a link to its move page), company and, in the fridge, why.
fn card_item(campaign: Uuid, c: &Card) -> impl IntoView {
    let name = if c.name.is_empty() {
        c.email.clone()
    } else {
        c.name.clone()
    };
    let why = match c.place {
        Place::FridgeNo => Some("non"),
        Place::FridgeGhost => Some("ghost"),
        _ => None,
    };
    view! {
        // Nothing more than it shows: a byte more per card is 5,000 more on a board of 5,000.
        <li class="board-card">
            <a href=format!("/campagnes/{campaign}/tableau/{}", c.prospect)>{name}</a>
            {(!c.company.is_empty()).then(|| view! { <span class="meta">{c.company.clone()}</span> })}
            {why.map(|w| view! { <span class="badge">{w}</span> })}
            {c.do_not_contact.then(|| view! { <span class="badge archived">"Ne plus contacter"</span> })}
        </li>
    }
}

/// A card's move page: where it is, and a button for each other place (plain posts).
pub fn card(campaign: Uuid, c: &Card) -> String {
    let board = format!("/campagnes/{campaign}/tableau");
    let buttons = [
        (Place::Oven, "OUI → Four"),
        (Place::FridgeNo, "NON → Frigo"),
        (Place::FridgeGhost, "Ghost → Frigo"),
        (Place::Trash, "Corbeille"),
        (Place::WaitingRoom, "Salle d’attente"),
    ];
    let form = |to: Place, label: &'static str| {
        view! {
            <form method="post" action=MoveCard::url()>
                <input type="hidden" name="_page" value=board.clone() />
                <input type="hidden" name="campaign" value=campaign.to_string() />
                <input type="hidden" name="prospect" value=c.prospect.to_string() />
                <input type="hidden" name="from" value=c.place.key() />
                <input type="hidden" name="to" value=to.key() />
                <input type="hidden" name="key" value=new_key() />
                <button type="submit" class=if to == Place::Trash { "secondary danger" } else { "" }>{label}</button>
            </form>
        }
    };
    server_html(view! {
        <p>"Étape : " <strong>{c.place.label()}</strong></p>
        {(!c.company.is_empty()).then(|| view! { <p class="meta">{c.company.clone()}</p> })}
        <p class="meta">{c.email.clone()}</p>
        <section class="card">
            <h2>"Déplacer vers…"</h2>
            <div class="move-buttons">
                {buttons.into_iter().filter(|(to, _)| *to != c.place).map(|(to, label)| form(to, label)).collect_view()}
            </div>
        </section>
        <p><a href=Query::new().href(&format!("/campagnes/{campaign}/prospects/{}", c.prospect))>"Voir la fiche du prospect"</a></p>
    })
}

/// The campaign hub's picture of its pipeline: a bar per stage with its count (the fridge's
/// noes and ghosts side by side), as SVG written here, so it costs the page no code.
pub fn pipeline(counts: &[(Place, i64)]) -> String {
    let n = |place: Place| {
        counts
            .iter()
            .find(|(p, _)| *p == place)
            .map_or(0, |(_, n)| *n)
    };
    // A bar per stage: its label, what its parts are, and each part's count and colour.
    type Bar = (&'static str, &'static str, Vec<(i64, &'static str)>);
    let rows: [Bar; 4] = [
        (
            "Salle d’attente",
            "",
            vec![(n(Place::WaitingRoom), "#1f5fbf")],
        ),
        ("Four (oui)", "", vec![(n(Place::Oven), "#b4501a")]),
        (
            "Frigo",
            "non · ghost",
            vec![
                (n(Place::FridgeNo), "#2f6f9f"),
                (n(Place::FridgeGhost), "#8fb3cf"),
            ],
        ),
        ("Corbeille", "", vec![(n(Place::Trash), "#5b6475")]),
    ];
    let total: i64 = counts.iter().map(|(_, n)| n).sum();
    let widest = rows
        .iter()
        .map(|(_, _, parts)| parts.iter().map(|(n, _)| n).sum::<i64>())
        .max()
        .unwrap_or(0)
        .max(1);
    let classified = total - n(Place::WaitingRoom);
    let summary = format!(
        "{} : {} en salle d’attente, {} au four, {} au frigo ({} non, {} ghost), {} à la corbeille.",
        count(total, "prospect", "prospects"),
        n(Place::WaitingRoom),
        n(Place::Oven),
        n(Place::FridgeNo) + n(Place::FridgeGhost),
        n(Place::FridgeNo),
        n(Place::FridgeGhost),
        n(Place::Trash)
    );
    // 400 units wide: labels on the left, bars up to 200 units, the count after.
    let mut svg = format!(
        r#"<svg viewBox="0 0 400 {}" role="img" aria-labelledby="pipeline-title"><title id="pipeline-title">{summary}</title>"#,
        rows.len() * 36 + 4
    );
    for (i, (label, detail, parts)) in rows.iter().enumerate() {
        let y = i * 36 + 4;
        svg.push_str(&format!(
            r##"<text x="0" y="{}" font-size="14" fill="#1d2433">{label}</text>"##,
            y + 19
        ));
        let mut x = 130.0;
        let mut figures = Vec::new();
        for (count, color) in parts {
            let width = 200.0 * *count as f64 / widest as f64;
            if width > 0.0 {
                svg.push_str(&format!(
                    r#"<rect x="{x:.1}" y="{y}" width="{width:.1}" height="26" rx="4" fill="{color}"/>"#
                ));
            }
            x += width;
            figures.push(count.to_string());
        }
        let figure = if detail.is_empty() {
            figures.join("")
        } else {
            format!("{} ({detail})", figures.join(" · "))
        };
        svg.push_str(&format!(
            r##"<text x="{:.1}" y="{}" font-size="14" fill="#1d2433">{figure}</text>"##,
            x + 6.0,
            y + 19
        ));
    }
    svg.push_str("</svg>");
    format!(
        r#"<section class="card pipeline"><h2>Pipeline</h2>{svg}<p class="meta">{}</p></section>"#,
        if total == 0 {
            "Aucun prospect : importez-en depuis l’onglet Prospects.".to_string()
        } else {
            format!("{} sur {total}.", count(classified, "classé", "classés"))
        }
    )
}
