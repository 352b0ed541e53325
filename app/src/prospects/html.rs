//! What the prospect pages only display, rendered to HTML on the server (Leptos escapes every
//! value): the browser sets it as is and carries none of this code (see `model`).

use leptos::prelude::*;
use uuid::Uuid;

use crate::ui::server_html;

use super::model::{count, ImportLine, PreviewColumn, ProspectLine, RejectedRow, FIELDS};

/// The imports and the contacts of a campaign's Prospects tab.
pub fn tab(
    campaign: Uuid,
    total: i64,
    prospects: Vec<ProspectLine>,
    imports: Vec<ImportLine>,
) -> String {
    let shown = prospects.len() as i64;
    let imports = (!imports.is_empty()).then(|| {
        view! {
            <section class="card">
                <h2>"Imports"</h2>
                <ul class="imports">
                    {imports.into_iter().map(|i| {
                        let figures = if i.undone {
                            None
                        } else {
                            Some(format!(
                                "{} · {} · {}",
                                count(i.new_prospects.into(), "nouveau", "nouveaux"),
                                count(i.linked.into(), "ajouté", "ajoutés"),
                                count(i.rejected.into(), "rejeté", "rejetés"),
                            ))
                        };
                        view! {
                            <li>
                                <a href=format!("/campagnes/{campaign}/imports/{}", i.id)>{i.file_name}</a>
                                <span class="meta">{i.when}</span>
                                {match figures {
                                    Some(f) => view! { <span class="meta">{f}</span> }.into_any(),
                                    None => view! { <span class="badge archived">"Annulé"</span> }.into_any(),
                                }}
                            </li>
                        }
                    }).collect_view()}
                </ul>
            </section>
        }
    });
    let contacts = if total == 0 {
        view! { <p class="empty">"Aucun prospect dans cette campagne : importez un fichier de contacts."</p> }.into_any()
    } else {
        view! {
            <ul class="prospects">
                {prospects.into_iter().map(|p| view! {
                    <li>
                        <strong>{if p.name.is_empty() { p.email.clone() } else { p.name }}</strong>
                        {(!p.company.is_empty()).then(|| view! { <span class="meta">{p.company}</span> })}
                        <span class="meta">{p.email}</span>
                    </li>
                }).collect_view()}
            </ul>
            {(total > shown).then(|| view! {
                <p class="meta">{format!("… et {} de plus.", count(total - shown, "autre", "autres"))}</p>
            })}
        }
        .into_any()
    };
    server_html(view! {
        {imports}
        <section class="card">
            <h2>{format!("Prospects ({total})")}</h2>
            {contacts}
        </section>
    })
}

/// The columns of an uploaded file in the mapping form: a card per column with the select of
/// its field (`columns[i]`) and its first values, and the count of columns the form sends;
/// first, why its last import was refused, if it was.
pub fn mapping(columns: &[PreviewColumn], refused: Option<&str>) -> String {
    server_html(view! {
        {refused.map(|message| view! {
            <p class="alert error" role="alert">"Le dernier import de ce fichier n’a rien importé : " {message.to_string()}</p>
        })}
        <input type="hidden" name="column_count" value=columns.len().to_string() />
        <div class="mapping-columns">
            {columns.iter().enumerate().map(|(i, c)| {
                let header = if c.header.trim().is_empty() { format!("Colonne {}", i + 1) } else { c.header.clone() };
                // A label around the select would name it with its options too.
                let id = format!("column-{i}");
                view! {
                    <div class="card column field">
                        <label for=id.clone()>{header}</label>
                        <select id=id name=format!("columns[{i}]")>
                            <option value="" selected=c.field.is_empty()>"Données supplémentaires"</option>
                            {FIELDS.iter().map(|(key, label)| view! {
                                <option value=*key selected=c.field == *key>{*label}</option>
                            }).collect_view()}
                        </select>
                        <ul class="samples" aria-label="Premières valeurs">
                            {c.samples.iter().map(|s| view! {
                                <li>{if s.is_empty() { "—".to_string() } else { s.clone() }}</li>
                            }).collect_view()}
                        </ul>
                    </div>
                }
            }).collect_view()}
        </div>
    })
}

/// The figures of an import and its first rejected rows.
pub struct Figures {
    /// `le 25/11/2026 à 23:31`.
    pub when: String,
    pub undone: Option<String>,
    pub rows: i32,
    pub valid: i32,
    pub new_prospects: i32,
    pub already_known: i32,
    pub duplicates_in_file: i32,
    pub linked: i32,
    pub rejected: i32,
}

/// An import's figures, and its rejected rows with the link to all of them as CSV.
pub fn report(
    campaign: Uuid,
    batch: Uuid,
    figures: &Figures,
    rejections: &[RejectedRow],
) -> String {
    let rows = [
        ("Lignes lues", figures.rows),
        ("Lignes valides", figures.valid),
        ("Nouveaux prospects", figures.new_prospects),
        ("Déjà connus", figures.already_known),
        ("Doublons dans le fichier", figures.duplicates_in_file),
        ("Ajoutés à la campagne", figures.linked),
        ("Lignes rejetées", figures.rejected),
    ];
    let more = i64::from(figures.rejected) - rejections.len() as i64;
    let rejected = (figures.rejected > 0).then(|| {
        view! {
            <section class="card">
                <h2>"Lignes rejetées"</h2>
                <p>
                    <a class="button secondary" href=format!("/campagnes/{campaign}/imports/{batch}/rejets.csv") rel="external" download="">
                        "Télécharger les lignes rejetées (CSV)"
                    </a>
                </p>
                <table class="list rejections">
                    <thead><tr><th scope="col">"Ligne"</th><th scope="col">"Motif"</th></tr></thead>
                    <tbody>
                        {rejections.iter().map(|j| view! {
                            <tr>
                                <td>{j.line}</td>
                                <td>{j.reason.clone()}<span class="meta">{format!(" ({})", j.code)}</span></td>
                            </tr>
                        }).collect_view()}
                    </tbody>
                </table>
                {(more > 0).then(|| view! {
                    <p class="meta">{format!("… et {} dans le fichier CSV.", count(more, "autre", "autres"))}</p>
                })}
            </section>
        }
    });
    let when = format!(
        "Importé {}{}.",
        figures.when,
        figures
            .undone
            .as_ref()
            .map(|u| format!(", annulé {u}"))
            .unwrap_or_default()
    );
    server_html(view! {
        <p class="meta">{when}</p>
        <section class="card">
            <dl class="facts figures">
                {rows.into_iter().map(|(label, n)| view! { <dt>{label}</dt><dd>{n}</dd> }).collect_view()}
            </dl>
        </section>
        {rejected}
    })
}

/// An import reading its file: the count of rows, live once the page runs (`#import-rows`).
pub fn running(rows: i64) -> String {
    server_html(view! {
        <section class="card" aria-live="polite">
            <p>"Import en cours : " <strong id="import-rows">{rows}</strong> " lignes lues."</p>
            <p class="hint">"Vous pouvez quitter la page : l’import continue. "
                <a href="">"Actualiser"</a>
            </p>
        </section>
    })
}

/// An import whose file was refused: why, and the way back to its columns.
pub fn failed(campaign: Uuid, upload: Uuid, message: &str) -> String {
    server_html(view! {
        <section class="card">
            <p class="alert error" role="alert">"Rien n’a été importé : " {message.to_string()}</p>
            <p><a class="button secondary" href=format!("/campagnes/{campaign}/import/{upload}")>"Revoir les colonnes"</a></p>
        </section>
    })
}
