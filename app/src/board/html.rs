//! The board and a card's move page, written by the server (Leptos escapes every value): the
//! browser sets them as they are. A card links to its move page, so every move works with a tap
//! and before the WASM.

use leptos::prelude::*;
use leptos::server_fn::ServerFn;
use uuid::Uuid;

use super::{
    api::{MoveCard, SEARCH_MAX},
    model::{Place, STAGES},
    repo::{Board, Card},
};
use crate::{
    prospects::{
        model::count,
        ui::{campaign_tabs, Tab},
    },
    ui::{query::Query, server_form::new_key, server_html},
};

/// The board page under the app's header: the campaign's name and tabs, the four columns with
/// their counts and cards, the search above them, and on a phone a tab per column (one shown at
/// a time).
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
    // What a plain post (a card's move page) left: said here, where the page's own view
    // cannot (it is not hydrated), as the prospect pages' notice bar would.
    let notice = crate::ui::flash::notice_left().filter(|n| n.page == path);
    server_html(view! {
        {page_stylesheet("board-css.txt")}
        <p><a class="back" href="/campagnes">"← Campagnes"</a></p>
        <h1>{board.campaign.name.clone()}</h1>
        {campaign_tabs(campaign, Tab::Board)}
        <div class="notice-slot" role="status">{notice.map(crate::ui::notice::notice_view)}</div>
        {refused.map(|message| view! { <p class="alert error" role="alert">{message}</p> })}
        <form method="get" action=path.clone() class="filters search" role="search">
            <label class="field">
                <span>"Rechercher dans le tableau"</span>
                <input type="search" name="q" value=q.to_string() maxlength=SEARCH_MAX placeholder="Nom, société, e-mail, ville" />
            </label>
            <button type="submit" class="secondary">"Afficher"</button>
            {searching.then(|| view! { <a class="button secondary" href=path.clone() rel="external">"Tout afficher"</a> })}
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
        {tools()}
        <div class="board" data-campaign=campaign.to_string() data-search=searching.then_some("")>
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
                        <h2 id=format!("titre-{stage}")>{*label}" "<span class="count" data-total=total>{figure}</span></h2>
                        <button type="button" class="secondary select-column" hidden>"Tout sélectionner"</button>
                        <ol class="cards" inner_html=cards_html(campaign, board.cards.iter().filter(|c| c.place.stage() == *stage))></ol>
                    </section>
                }
            }).collect_view()}
        </div>
        <p class="stand-link"><a rel="external" href=format!("/campagnes/{campaign}/stand")>"Écran du stand : noter les produits d’un visiteur"</a></p>
        {script_src().map(|src| view! { <script type="module" src=src data-board-script=""></script> })}
    })
}

/// Where the board's script is (`board-script`, which `./dev` builds beside the site and names
/// in `board-script.txt`); none in a site built without it, whose board works by its links.
/// The catalogue pages load it too, to follow a reading live.
pub(crate) fn script_src() -> Option<&'static str> {
    static SRC: std::sync::OnceLock<Option<String>> = std::sync::OnceLock::new();
    SRC.get_or_init(|| pkg_file("board-script.txt")).as_deref()
}

/// The stylesheet of a page the server writes (`style/<page>.css`, which `./dev` puts in `/pkg`
/// and names in `<page>-css.txt`, `list`): only that page pays for it; none in a site built
/// without it.
pub(crate) fn page_stylesheet(list: &'static str) -> impl IntoView {
    use std::{collections::HashMap, sync::Mutex, sync::OnceLock};
    static FOUND: OnceLock<Mutex<HashMap<&'static str, Option<String>>>> = OnceLock::new();
    let href = FOUND
        .get_or_init(Mutex::default)
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
        .entry(list)
        .or_insert_with(|| pkg_file(list))
        .clone();
    href.map(|href| view! { <link rel="stylesheet" href=href /> })
}

/// The address of the `/pkg` file that `list` (a file beside it, written by `./dev`) names.
pub(crate) fn pkg_file(list: &str) -> Option<String> {
    let options = use_context::<crate::state::AppState>()?.leptos_options;
    let pkg = options.site_pkg_dir.trim_matches('/');
    let dir = std::path::Path::new(&*options.site_root).join(pkg);
    let name = std::fs::read_to_string(dir.join(list)).ok()?;
    Some(format!("/{pkg}/{}", name.trim()))
}

/// What the board's script (`board-script/`) shows, written once: the keyboard's help, the
/// selection's bar, the line saying what a move did, and the move menu and the fridge's question
/// as dialogs. Hidden until the script is there: before it, a card's link opens its move page.
fn tools() -> impl IntoView {
    let buttons = |places: &[(Place, &'static str)]| {
        places
            .iter()
            .map(|(to, label)| view! { <button type="button" data-to=to.key()>{*label}</button> })
            .collect_view()
    };
    let moves = [
        (Place::Oven, "OUI → Four"),
        (Place::FridgeNo, "NON → Frigo"),
        (Place::FridgeGhost, "Ghost → Frigo"),
        (Place::Trash, "Corbeille"),
        (Place::WaitingRoom, "Salle d’attente"),
    ];
    view! {
        <div class="board-tools" hidden>
            <p class="meta" id="board-help">
                "Glissez une carte vers une autre colonne (sur tablette : appui long, puis glisser), ou touchez-la pour choisir où la mettre. "
                "Clavier : flèches pour passer d’une carte à l’autre, O Four, N Frigo (non), G Frigo (ghost), C Corbeille, S Salle d’attente, Maj + ↑ ↓ pour la remonter ou la descendre, Espace pour la sélectionner, Ctrl + Z pour annuler."
            </p>
            <button type="button" class="secondary select-mode" aria-pressed="false">"Sélection multiple"</button>
        </div>
        <div class="board-selection" role="region" aria-label="Sélection" hidden>
            <span class="selected-count"></span>
            " Déplacer vers : "
            {buttons(&moves)}
            <button type="button" class="secondary" data-clear="">"Tout désélectionner"</button>
        </div>
        <p class="alert error board-alert" role="alert" hidden></p>
        <div class="board-status" role="status"></div>
        <p class="visually-hidden board-announce" aria-live="assertive"></p>
        <dialog class="move-sheet" aria-labelledby="move-sheet-title">
            <h2 id="move-sheet-title">"Déplacer vers…"</h2>
            <div class="move-buttons">{buttons(&moves)}</div>
            <p><a class="sheet-prospect" href="">"Voir la fiche du prospect"</a></p>
            <button type="button" class="secondary" data-close="">"Fermer"</button>
        </dialog>
        // A card's own OUI / NON / Ghost / Corbeille, which the script puts on the cards as they
        // come on screen: on each of 2,000 cards they would double the page (measured: 380 →
        // 991 KB, its server time ×1.4). The stylesheet hides the one of the card's place. Out
        // of the Tab order, as O/N/G/C do the same from the keyboard.
        <template class="classify-model">
            <span class="classify">
                {[(Place::Oven, "OUI"), (Place::FridgeNo, "NON"), (Place::FridgeGhost, "Ghost"), (Place::Trash, "Corbeille")]
                    .into_iter()
                    .map(|(to, label)| view! { <button type="button" class="secondary" tabindex="-1" data-to=to.key()>{label}</button> })
                    .collect_view()}
            </span>
        </template>
        <dialog class="fridge-prompt" aria-labelledby="fridge-title" aria-describedby="fridge-countdown">
            <h2 id="fridge-title">"Non ou Ghost ?"</h2>
            <div class="move-buttons big">
                {buttons(&[(Place::FridgeNo, "Non : a répondu non"), (Place::FridgeGhost, "Ghost : pas de réponse")])}
            </div>
            <p class="meta" id="fridge-countdown"></p>
            <button type="button" class="secondary" data-close="">"Annuler"</button>
        </dialog>
    }
}

/// The cards of a column, each its name (a link to its move page), company and, in the fridge,
/// why. Written by hand rather than by `view!`: a board holds thousands, and this is most of the
/// page's server time (measured: 2,000 cards in 7 ms by `view!`, see `bench/board.sh`).
fn cards_html<'a>(campaign: Uuid, cards: impl Iterator<Item = &'a Card>) -> String {
    use html_escape::encode_text_to_string;
    use std::fmt::Write;
    // Ids need no escaping: hexadecimal digits and hyphens.
    let link = format!(r#"<a href="/campagnes/{campaign}/tableau/"#);
    let mut html = String::with_capacity(cards.size_hint().0 * 128);
    for c in cards {
        let name = if c.name.is_empty() { &c.email } else { &c.name };
        // Nothing more than it shows: a byte more per card is 5,000 more on a board of 5,000.
        html.push_str(if c.place == Place::FridgeGhost {
            r#"<li class="board-card ghost">"#
        } else {
            r#"<li class="board-card">"#
        });
        html.push_str(&link);
        let _ = write!(html, "{}", c.prospect.as_hyphenated());
        html.push_str(r#"">"#);
        encode_text_to_string(name, &mut html);
        html.push_str("</a>");
        if !c.company.is_empty() {
            html.push_str(r#"<span class="meta">"#);
            encode_text_to_string(&c.company, &mut html);
            html.push_str("</span>");
        }
        match c.place {
            Place::FridgeNo => html.push_str(r#"<span class="badge">non</span>"#),
            Place::FridgeGhost => html.push_str(r#"<span class="badge">ghost</span>"#),
            _ => {}
        }
        if c.do_not_contact {
            html.push_str(r#"<span class="badge archived">Ne plus contacter</span>"#);
        }
        html.push_str("</li>");
    }
    html
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
        // A page the server writes (the mixer's), not one of the app's router.
        <p><a href=format!("/campagnes/{campaign}/produits/{}", c.prospect) rel="external">"Ses produits d’intérêt"</a></p>
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_card_is_written_escaped_with_its_badges_and_named_by_its_email_when_nameless() {
        let n = Uuid::nil();
        let mut card = Card {
            prospect: n,
            name: r#"<b>Dupont & "Fils"</b>"#.into(),
            company: "A<B".into(),
            email: "contact@dupont.fr".into(),
            place: Place::FridgeGhost,
            do_not_contact: true,
        };
        assert_eq!(
            cards_html(n, [&card].into_iter()),
            format!(
                r#"<li class="board-card ghost"><a href="/campagnes/{n}/tableau/{n}">&lt;b&gt;Dupont &amp; "Fils"&lt;/b&gt;</a><span class="meta">A&lt;B</span><span class="badge">ghost</span><span class="badge archived">Ne plus contacter</span></li>"#
            )
        );
        (card.name, card.company, card.place, card.do_not_contact) =
            (String::new(), String::new(), Place::Oven, false);
        assert_eq!(
            cards_html(n, [&card].into_iter()),
            format!(
                r#"<li class="board-card"><a href="/campagnes/{n}/tableau/{n}">contact@dupont.fr</a></li>"#
            )
        );
    }
}
