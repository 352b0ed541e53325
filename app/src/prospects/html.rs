//! What the prospect pages only display, rendered to HTML on the server (Leptos escapes every
//! value): the browser sets it as is and carries none of this code (see `model`).

use leptos::prelude::*;
use uuid::Uuid;

use crate::{
    audit::diff::AuditEntry,
    ui::{query::Query, server_html},
};

use super::{
    contact::{ListPage, ListQuery, Sort, Stored},
    model::{count, max_chars, ImportLine, PreviewColumn, ProspectFields, RejectedRow, FIELDS},
};

/// The imports and a page of the contacts of a campaign's Prospects tab, with the search.
pub fn tab(
    campaign: Uuid,
    total: i64,
    page: &ListPage,
    query: &ListQuery,
    imports: &[ImportLine],
) -> String {
    let imports = (!imports.is_empty()).then(|| {
        view! {
            <section class="card">
                <h2>"Imports"</h2>
                <ul class="imports">
                    {imports.iter().map(|i| {
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
                                <a href=format!("/campagnes/{campaign}/imports/{}", i.id)>{i.file_name.clone()}</a>
                                <span class="meta">{i.when.clone()}</span>
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
    let path = format!("/campagnes/{campaign}/prospects");
    let q = query.q.clone().unwrap_or_default();
    let searching = !q.trim().is_empty();
    let link = |after: Option<Uuid>| {
        Query::new()
            .set("q", &q)
            .set_opt(
                "tri",
                (query.sort != Sort::Name).then(|| query.sort.as_str()),
            )
            .set_opt("apres", after)
            .href(&path)
    };
    let search = (total > 0).then(|| {
        let sorts = [(Sort::Name, "Nom"), (Sort::Company, "Société"), (Sort::Recent, "Ajout le plus récent")];
        view! {
            <form method="get" action=path.clone() class="filters search" role="search">
                <label class="field">
                    <span>"Rechercher"</span>
                    <input type="search" name="q" value=q.clone() maxlength="200" placeholder="Nom, société, e-mail, ville" />
                </label>
                <label class="field">
                    <span>"Trier par"</span>
                    <select name="tri">
                        {sorts.into_iter().map(|(sort, label)| view! {
                            <option value=sort.as_str() selected=query.sort == sort>{label}</option>
                        }).collect_view()}
                    </select>
                </label>
                <button type="submit" class="secondary">"Afficher"</button>
            </form>
        }
    });
    let contacts = if total == 0 {
        view! { <p class="empty">"Aucun prospect dans cette campagne : importez un fichier de contacts ou ajoutez-en un."</p> }.into_any()
    } else if page.items.is_empty() {
        view! { <p class="empty">"Aucun prospect ne correspond à cette recherche."</p> }.into_any()
    } else {
        view! {
            {searching.then(|| view! { <p class="meta">{count(page.matching, "prospect trouvé", "prospects trouvés")}</p> })}
            <ul class="prospects">
                {page.items.iter().map(|p| view! {
                    <li>
                        <a href=format!("{path}/{}", p.id)><strong>{if p.name.is_empty() { p.email.clone() } else { p.name.clone() }}</strong></a>
                        {(!p.company.is_empty()).then(|| view! { <span class="meta">{p.company.clone()}</span> })}
                        <span class="meta">{p.email.clone()}</span>
                        {p.do_not_contact.then(|| view! { <span class="badge archived">"Ne plus contacter"</span> })}
                    </li>
                }).collect_view()}
            </ul>
            <nav class="pager" aria-label="Pages de prospects">
                {query.after.is_some().then(|| view! { <a class="button secondary" href=link(None)>"← Début de la liste"</a> })}
                {page.next.map(|next| view! { <a class="button secondary" href=link(Some(next)) rel="next">"Suivants →"</a> })}
            </nav>
        }
        .into_any()
    };
    server_html(view! {
        {imports}
        <section class="card" id="prospects">
            <h2>{format!("Prospects ({total})")}</h2>
            {search}
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

/// The French label of field `key`.
fn label(key: &str) -> &'static str {
    FIELDS
        .iter()
        .find(|(k, _)| *k == key)
        .map_or("Champ", |(_, l)| *l)
}

/// A prospect's page below its name: its fields in a form that saves them, the file's other
/// columns, where it came from and its campaigns, the "ne plus contacter" mark, its history,
/// and its erasure. Every form is a plain post (see `ui::plain_post`): after a refusal this page
/// comes back from the server with what was typed and what to correct.
pub fn prospect(campaign: Uuid, p: &Stored, history: &[AuditEntry]) -> String {
    use leptos::server_fn::ServerFn;

    use super::api::{EraseProspect, SetDoNotContact, UpdateProspect};
    use crate::ui::{flash::returned_to, server_form::new_key};

    let page = format!("/campagnes/{campaign}/prospects/{}", p.id);
    let hidden =
        |name: &'static str, value: String| view! { <input type="hidden" name=name value=value /> };
    let ids = move || {
        view! {
            <input type="hidden" name="_page" value=page.clone() />
            <input type="hidden" name="campaign" value=campaign.to_string() />
            <input type="hidden" name="id" value=p.id.to_string() />
        }
    };

    // The edit: as stored, or as typed before a refusal.
    let update_url = UpdateProspect::url();
    let refused = returned_to(update_url);
    let mut shown: ProspectFields = p.fields.clone();
    if let Some(r) = &refused {
        for (name, value) in &r.fields {
            if let Some(key) = name
                .strip_prefix("prospect[")
                .and_then(|n| n.strip_suffix(']'))
            {
                shown.set(key, value.clone());
            }
        }
    }
    let field_error = |key: &str| refused.as_ref().and_then(|r| r.error.field(key));
    let whole_error = refused
        .as_ref()
        .filter(|r| r.error.fields.is_empty())
        .map(|r| r.error.message.clone());
    let inputs = shown.pairs().into_iter().map(|(key, value)| {
        let id = format!("prospect-{key}");
        let name = format!("prospect[{key}]");
        let error = field_error(key);
        let error_id = format!("{id}-error");
        let described = error.is_some().then(|| error_id.clone());
        let invalid = error.is_some().then_some("true");
        let max = max_chars(key).to_string();
        let input = match key {
            "notes" => view! {
                <textarea id=id.clone() name=name rows="4" maxlength=max aria-invalid=invalid aria-describedby=described inner_html=crate::ui::textarea_text(value)></textarea>
            }.into_any(),
            _ => {
                let (kind, mode) = match key {
                    "phone" | "mobile" => ("tel", None),
                    "email" => ("text", Some("email")),
                    _ => ("text", None),
                };
                view! {
                    <input id=id.clone() name=name type=kind inputmode=mode value=value.to_string() maxlength=max
                        autocomplete="off" required=key == "email" aria-invalid=invalid aria-describedby=described />
                }.into_any()
            }
        };
        view! {
            <div class="field">
                <label for=id>{label(key)}</label>
                {input}
                {error.map(|e| view! { <span class="field-error" id=error_id role="alert">{e}</span> })}
            </div>
        }
    }).collect_view();

    let origin = {
        let o = &p.origin;
        let at = format!(
            "le {} à {:02}:{:02}",
            crate::ui::forms::format_french_date(o.at.date()),
            chrono::Timelike::hour(&o.at),
            chrono::Timelike::minute(&o.at)
        );
        let show = o
            .show
            .as_ref()
            .map(|s| format!(" au salon « {s} »"))
            .unwrap_or_default();
        match (o.kind.as_str(), &o.file) {
            ("import", Some(file)) => format!("Importé du fichier « {file} »{show}, {at}."),
            ("import", None) => format!("Importé{show}, {at}."),
            _ => format!("Saisi à la main{show}, {at}."),
        }
    };

    let mark_url = SetDoNotContact::url();
    let erase_url = EraseProspect::url();
    let erase_error =
        returned_to(erase_url).map(|r| r.error.field("confirm").unwrap_or(r.error.message));

    server_html(view! {
        {p.do_not_contact.then(|| view! {
            <p class="alert info">"Ce contact ne veut plus être contacté : aucun mail ne lui sera envoyé."</p>
        })}
        <section class="card">
            <h2>"Coordonnées"</h2>
            <form method="post" action=update_url class="stack prospect-fields">
                {ids()}
                {hidden("version", p.version.to_string())}
                <div class="grid-fields">{inputs}</div>
                {whole_error.map(|e| view! { <p class="alert error" role="alert">{e}</p> })}
                <button type="submit">"Enregistrer"</button>
            </form>
        </section>
        {(!p.extra.is_empty()).then(|| view! {
            <section class="card">
                <h2>"Autres colonnes du fichier"</h2>
                <dl class="facts">
                    {p.extra.iter().map(|(k, v)| view! { <dt>{k.clone()}</dt><dd>{v.clone()}</dd> }).collect_view()}
                </dl>
            </section>
        })}
        <section class="card">
            <h2>"Produits d’intérêt"</h2>
            // A page the server writes (the mixer's), not one of the app's router.
            <p><a href=format!("/campagnes/{campaign}/produits/{}", p.id) rel="external">"Noter les produits qui l’ont intéressé, et vos notes"</a></p>
        </section>
        <section class="card">
            <h2>"Origine"</h2>
            <p>{origin}</p>
            <p>"Dans vos campagnes : "
                {p.campaigns.iter().enumerate().map(|(i, c)| view! {
                    {(i > 0).then_some(", ")}
                    <a href=format!("/campagnes/{}/prospects", c.id)>{c.name.clone()}</a>
                }).collect_view()}
            </p>
        </section>
        <section class="card">
            <h2>"Ne plus contacter"</h2>
            <form method="post" action=mark_url class="stack">
                {ids()}
                {hidden("on", (!p.do_not_contact).to_string())}
                <p class="hint">{if p.do_not_contact {
                    "Retirer la marque si le contact accepte de nouveau vos mails."
                } else {
                    "Le contact a demandé à ne plus recevoir de mails : plus aucun envoi, et aucun import ne le rajoutera à une campagne."
                }}</p>
                <button type="submit" class="secondary">{if p.do_not_contact { "Retirer la marque" } else { "Ne plus contacter" }}</button>
            </form>
        </section>
        {(!history.is_empty()).then(|| view! {
            <section class="card">
                <h2>"Historique"</h2>
                <ol class="history-list">
                    {history.iter().map(|e| view! {
                        <li>
                            <strong>{history_label(e)}</strong>
                            <span class="meta">{format!(" {} · {}", e.when(), e.actor_name)}</span>
                            {history_changes(e)}
                        </li>
                    }).collect_view()}
                </ol>
            </section>
        })}
        <section class="card danger-zone">
            <h2>"Effacer ce contact (RGPD)"</h2>
            <p class="hint">"À la demande du contact : il est supprimé de toutes vos campagnes, avec ce que vos imports gardaient de lui. Son adresse n’est gardée que sous une forme hachée, irréversible, pour qu’aucun import ne le rajoute. C’est définitif."</p>
            <form method="post" action=erase_url class="stack">
                {ids()}
                {hidden("key", new_key())}
                <label class="check">
                    <input type="checkbox" name="confirm" value="oui" required
                        aria-invalid=erase_error.is_some().then_some("true") />
                    " Je confirme l’effacement définitif de ce contact"
                </label>
                {erase_error.map(|e| view! { <p class="field-error" role="alert">{e}</p> })}
                <button type="submit" class="secondary danger">"Effacer définitivement"</button>
            </form>
        </section>
    })
}

/// What an entry of a prospect's history did, in French.
fn history_label(e: &AuditEntry) -> &'static str {
    let after = |key: &str| e.after.as_ref().and_then(|a| a.get(key)).cloned();
    match e.action.as_str() {
        "create" => "Ajouté à la main",
        "update" => "Modifié",
        "do_not_contact" if after("do_not_contact") == Some(serde_json::Value::Bool(true)) => {
            "Marqué « ne plus contacter »"
        }
        "do_not_contact" => "Marque « ne plus contacter » retirée",
        "move" => "Déplacé sur le tableau",
        "opted_out_by_link" => "Désinscrit par le lien d’un mail",
        _ => "Changement",
    }
}

/// The fields an edit changed (`Ville : Lyon → Chassieu`), or where a move took the card.
fn history_changes(e: &AuditEntry) -> Option<AnyView> {
    if e.action == "move" {
        let place = |v: &Option<serde_json::Value>| {
            v.as_ref()
                .and_then(|v| v.get("place"))
                .and_then(|p| p.as_str())
                .and_then(crate::board::model::Place::parse)
                .map_or("—", |p| p.label())
        };
        let line = format!("{} → {}", place(&e.before), place(&e.after));
        return Some(view! { <ul class="changes"><li>{line}</li></ul> }.into_any());
    }
    if e.action != "update" {
        return None;
    }
    let before = e.before.as_ref()?.as_object()?;
    let after = e.after.as_ref()?.as_object()?;
    let shown = |v: Option<&serde_json::Value>| match v.and_then(|v| v.as_str()) {
        Some("") | None => "—".to_string(),
        Some(s) => s.to_string(),
    };
    Some(
        view! {
            <ul class="changes">
                {FIELDS.iter().filter(|(k, _)| after.contains_key(*k)).map(|(k, l)| view! {
                    <li>{format!("{l} : {} → {}", shown(before.get(*k)), shown(after.get(*k)))}</li>
                }).collect_view()}
            </ul>
        }
        .into_any(),
    )
}
