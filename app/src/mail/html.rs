//! The sending pages, written by the server (Leptos escapes every value): "Envoi des mails"
//! (`/compte/envoi`: the rep's mailbox, their pace, a test to themselves) and a campaign's
//! Envois tab (`/campagnes/:id/envois`: its mails, what happened to each, what the rep may do).
//! Every action is a plain form, so it works with a tap before any WASM; the Envois tab follows
//! its mails leaving live with the board's script module (`data-follow`).

use chrono::{DateTime, Utc};
use chrono_tz::Tz;
use leptos::prelude::*;
use leptos::server_fn::ServerFn;
use uuid::Uuid;

use super::{
    api::{
        format_time_of_day, sending_tab_path, CancelCampaignEmails, DecideEmail, SaveSendSettings,
        SendTestMail, SETTINGS_PATH,
    },
    pace::{french_when, ExchangeLimits},
    repo::{Listed, Mailbox, PaceState, Settings},
};
use crate::{
    prospects::{
        model::CampaignName,
        ui::{campaign_tabs, Tab},
    },
    ui::{
        server_html,
        written::{hidden, notice, refused},
    },
};

/// Where the rep connects their mailbox (a link: it leaves for Microsoft).
pub const CONNECT_HREF: &str = "/auth/outlook/connect";
/// Where the rep disconnects it.
pub const DISCONNECT_ACTION: &str = "/auth/outlook/disconnect";

/// Time zones offered (any IANA name is accepted).
const TIME_ZONES: &[(&str, &str)] = &[
    ("Europe/Paris", "France métropolitaine (Paris)"),
    ("Europe/Brussels", "Belgique (Bruxelles)"),
    ("Europe/Luxembourg", "Luxembourg"),
    ("Europe/Zurich", "Suisse (Zurich)"),
    ("Europe/Monaco", "Monaco"),
    ("Europe/London", "Royaume-Uni (Londres)"),
    ("Europe/Madrid", "Espagne (Madrid)"),
    ("Europe/Berlin", "Allemagne (Berlin)"),
    ("Europe/Rome", "Italie (Rome)"),
    ("Africa/Casablanca", "Maroc (Casablanca)"),
    ("America/Montreal", "Québec (Montréal)"),
    ("America/Guadeloupe", "Guadeloupe"),
    ("America/Martinique", "Martinique"),
    ("America/Cayenne", "Guyane (Cayenne)"),
    ("Indian/Reunion", "La Réunion"),
    ("Indian/Mayotte", "Mayotte"),
    ("Pacific/Noumea", "Nouvelle-Calédonie (Nouméa)"),
    ("Pacific/Tahiti", "Polynésie française (Tahiti)"),
];

/// What "Envoi des mails" shows.
pub struct SettingsPage {
    pub user_email: Option<String>,
    /// Who the rep's mails come from: signature and company.
    pub sender: crate::mixer::render::Sender,
    pub mailbox: Option<Mailbox>,
    pub settings: Settings,
    pub pace: PaceState,
    pub tests: Vec<Listed>,
    /// Why connecting failed (`?erreur=`), said in French.
    pub error: Option<String>,
    /// The application id an administrator approves.
    pub client_id: String,
    pub now: DateTime<Utc>,
}

/// What a campaign's Envois tab shows.
pub struct SendingTab {
    pub campaign: CampaignName,
    pub mailbox: Option<Mailbox>,
    pub settings: Settings,
    pub pace: PaceState,
    /// Mails per status.
    pub counts: Vec<(String, i64)>,
    pub emails: Vec<Listed>,
    pub rep_pace: bool,
    pub exchange: ExchangeLimits,
    pub now: DateTime<Utc>,
}

/// The pages' own stylesheet (`style/sending.css`).
fn stylesheet() -> impl IntoView {
    crate::board::html::page_stylesheet("sending-css.txt")
}

/// Why connecting the mailbox failed, from the `erreur` code the callback redirects with.
pub fn connect_error_message(code: &str, client_id: &str, email: Option<&str>) -> String {
    match code {
        "admin" => format!(
            "Votre organisation demande qu’un administrateur approuve Spine avant que vous puissiez \
             l’autoriser à envoyer vos mails. Transmettez à votre service informatique : « Merci \
             d’accorder le consentement administrateur à l’application Spine (ID d’application : \
             {client_id}) pour la seule permission déléguée Microsoft Graph Mail.Send (envoyer des \
             mails en tant que l’utilisateur). » Ils le font dans le centre d’administration \
             Microsoft Entra : Applications d’entreprise, Spine, Autorisations. Revenez ensuite \
             cliquer sur « Connecter ma boîte Outlook »."
        ),
        "autre-compte" => format!(
            "Cette boîte n’est pas celle de votre compte Spine : connectez la boîte du compte avec \
             lequel vous vous êtes connecté{}.",
            email.map(|e| format!(" ({e})")).unwrap_or_default()
        ),
        "refus" => "Vous n’avez pas donné votre accord à Microsoft : aucune boîte n’a été connectée."
            .into(),
        "portee" => "Microsoft n’a pas accordé à Spine l’envoi de mails depuis votre boîte : \
             recommencez et acceptez la permission demandée."
            .into(),
        "session" => "Cette demande a expiré ou a déjà servi : cliquez à nouveau sur « Connecter \
             ma boîte Outlook »."
            .into(),
        "etat" => "La réponse de Microsoft ne correspond pas à votre demande : recommencez.".into(),
        "adresse" => "Microsoft n’a pas donné l’adresse de cette boîte : Spine ne peut pas \
             l’utiliser. Prévenez votre administrateur."
            .into(),
        "indisponible" => {
            "Le service Microsoft est injoignable : réessayez dans un instant.".into()
        }
        _ => "La connexion de votre boîte a échoué : recommencez.".into(),
    }
}

/// A moment in the rep's time zone: "27/11 à 14 h 36".
fn at(when: DateTime<Utc>, tz: Tz) -> String {
    let local = when.with_timezone(&tz);
    format!("{}", local.format("%d/%m à %H h %M"))
}

/// "Envoi des mails".
pub fn settings_page(page: &SettingsPage) -> String {
    let s = &page.settings;
    let tz = s.pace().time_zone;
    server_html(view! {
        {stylesheet()}
        <p><a class="back" href="/compte">"← Mon compte"</a></p>
        <h1>"Envoi des mails"</h1>
        {notice(SETTINGS_PATH)}
        {refused(&[SendTestMail::url(), SaveSendSettings::url(), crate::mixer::api::SaveSignature::url()])}
        {page.error.clone().map(|e| view! { <p class="alert error" role="alert">{e}</p> })}
        {mailbox_section(page, tz)}
        {settings_section(page)}
        {signature_section(page)}
    })
}

fn mailbox_section(page: &SettingsPage, tz: Tz) -> impl IntoView {
    // A server route, not a page of the app.
    let connect = |label: &'static str| {
        view! { <p><a class="button" href=CONNECT_HREF rel="external">{label}</a></p> }
    };
    let body = match &page.mailbox {
        Some(m) if m.status == "active" => view! {
            <p class="mailbox connected">
                "Connectée : " <strong>{m.address.clone()}</strong>
                {format!(" depuis le {}", at(m.connected_at, tz))}
            </p>
            <p class="hint">"Spine envoie vos mails depuis cette boîte, avec la seule permission d’envoyer (il ne lit rien). Ils apparaissent dans vos éléments envoyés."</p>
            <div class="actions">
                <form method="post" action=SendTestMail::url() data-once="">
                    {hidden("key", uuid::Uuid::new_v4())}
                    <button type="submit">"M’envoyer un test"</button>
                </form>
                <form method="post" action=DISCONNECT_ACTION data-once="">
                    <button type="submit" class="secondary danger">"Déconnecter ma boîte"</button>
                </form>
            </div>
        }
        .into_any(),
        Some(m) if m.status == "needs_consent" => view! {
            <p class="alert error" role="alert">
                {format!("Microsoft a retiré à Spine l’accès à votre boîte {} : vos mails attendent. Reconnectez-la pour qu’ils partent.", m.address)}
            </p>
            {connect("Reconnecter ma boîte Outlook")}
        }
        .into_any(),
        _ => view! {
            <p>"Spine envoie vos mails depuis votre propre boîte Outlook : vos prospects reçoivent un mail de vous, et vous le retrouvez dans vos éléments envoyés."</p>
            <p class="hint">"Microsoft vous demandera d’autoriser Spine à envoyer des mails en votre nom (et rien d’autre)."</p>
            {connect("Connecter ma boîte Outlook")}
        }
        .into_any(),
    };
    view! {
        <section class="card" aria-labelledby="titre-boite">
            <h2 id="titre-boite">"Boîte Outlook"</h2>
            {body}
            {(!page.tests.is_empty()).then(|| view! {
                <h3>"Derniers tests"</h3>
                <ul class="mails">{page.tests.iter().map(|m| mail_item(m, None, tz)).collect_view()}</ul>
            })}
        </section>
    }
}

fn settings_section(page: &SettingsPage) -> impl IntoView {
    let s = &page.settings;
    let returned = crate::ui::flash::returned_to(SaveSendSettings::url());
    let typed = |name: &str, value: String| {
        returned
            .as_ref()
            .and_then(|r| {
                r.fields
                    .iter()
                    .find(|(n, _)| n == name)
                    .map(|(_, v)| v.clone())
            })
            .unwrap_or(value)
    };
    let error = |name: &str| returned.as_ref().and_then(|r| r.error.field(name));
    let field_error = move |name: &str| {
        error(name).map(|e| view! { <span class="field-error" role="alert">{e}</span> })
    };
    let zone = typed("time_zone", s.time_zone.clone());
    let known = TIME_ZONES.iter().any(|(id, _)| *id == zone);
    let pace = s.pace();
    let today = pace.day(page.now);
    let sent = if page.pace.day == Some(today) {
        page.pace.sent_on_day
    } else {
        0
    };
    view! {
        <section class="card" aria-labelledby="titre-rythme">
            <h2 id="titre-rythme">"Rythme d’envoi"</h2>
            <p class="hint">"Une boîte qui envoie beaucoup d’un coup finit dans les indésirables : Spine étale vos mails de prospection dans votre plage d’envoi, sans dépasser votre plafond du jour. Les tests partent tout de suite."</p>
            <p class="budget">{format!("Aujourd’hui : {sent} mail{} de prospection envoyé{} sur {} ; reste {}.",
                if sent > 1 { "s" } else { "" }, if sent > 1 { "s" } else { "" }, s.daily_cap, (s.daily_cap - sent).max(0))}</p>
            <form method="post" action=SaveSendSettings::url() class="stack" data-once="">
                <label class="field">
                    <span>"Mails de prospection par jour, au plus"</span>
                    <input type="number" name="daily_cap" min="1" max="10000" required inputmode="numeric"
                        value=typed("daily_cap", s.daily_cap.to_string()) aria-invalid=error("daily_cap").is_some().to_string() />
                    {field_error("daily_cap")}
                </label>
                <div class="row">
                    <label class="field">
                        <span>"Envoyer à partir de"</span>
                        <input type="time" name="window_start" required
                            value=typed("window_start", format_time_of_day(s.window_start)) aria-invalid=error("window_start").is_some().to_string() />
                        {field_error("window_start")}
                    </label>
                    <label class="field">
                        <span>"Jusqu’à"</span>
                        <input type="time" name="window_end" required
                            value=typed("window_end", format_time_of_day(s.window_end)) aria-invalid=error("window_end").is_some().to_string() />
                        {field_error("window_end")}
                    </label>
                </div>
                <label class="check">
                    <input type="checkbox" name="weekdays_only" value="on" checked=s.weekdays_only />
                    <span>"Du lundi au vendredi seulement"</span>
                </label>
                <label class="field">
                    <span>"Fuseau horaire"</span>
                    <select name="time_zone" aria-invalid=error("time_zone").is_some().to_string()>
                        {(!known).then(|| view! { <option value=zone.clone() selected>{zone.clone()}</option> })}
                        {TIME_ZONES.iter().map(|(id, label)| view! {
                            <option value=*id selected=*id == zone>{*label}</option>
                        }).collect_view()}
                    </select>
                    {field_error("time_zone")}
                </label>
                <button type="submit">"Enregistrer"</button>
            </form>
        </section>
    }
}

/// The signature every prospecting mail ends with, and the company its footer names.
fn signature_section(page: &SettingsPage) -> impl IntoView {
    use crate::mixer::api::SaveSignature;
    let returned = crate::ui::flash::returned_to(SaveSignature::url());
    let typed = |name: &str, value: &str| {
        returned
            .as_ref()
            .and_then(|r| r.fields.iter().find(|(n, _)| n == name))
            .map_or(value.to_string(), |(_, v)| v.clone())
    };
    let error = |name: &str| returned.as_ref().and_then(|r| r.error.field(name));
    view! {
        <section class="card" aria-labelledby="titre-signature">
            <h2 id="titre-signature">"Signature"</h2>
            <p class="hint">"Microsoft n’ajoute pas votre signature Outlook aux mails envoyés par Spine : chaque mail de prospection se termine par celle-ci, puis par une mention qui vous nomme, avec un lien pour ne plus recevoir vos messages (obligatoire en prospection)."</p>
            <form method="post" action=SaveSignature::url() class="stack" data-once="">
                <label class="field">
                    <span>"Votre signature"</span>
                    <textarea name="signature" rows="5" maxlength="4000" placeholder="Prénom Nom\nFonction\nTéléphone"
                        aria-invalid=error("signature").is_some().to_string() inner_html=crate::ui::textarea_text(&typed("signature", &page.sender.signature))></textarea>
                    {error("signature").map(|e| view! { <span class="field-error" role="alert">{e}</span> })}
                </label>
                <label class="field">
                    <span>"Société que vous représentez (sinon, le distributeur de la campagne)"</span>
                    <input name="company" maxlength="300" value=typed("company", &page.sender.company)
                        aria-invalid=error("company").is_some().to_string() />
                    {error("company").map(|e| view! { <span class="field-error" role="alert">{e}</span> })}
                </label>
                <button type="submit">"Enregistrer la signature"</button>
            </form>
        </section>
    }
}

/// French for a mail's status.
fn status_label(status: &str) -> &'static str {
    match status {
        "draft" => "Brouillon",
        "ready" => "En attente",
        "sending" => "En cours d’envoi",
        "sent" => "Envoyé",
        "failed" => "Échec",
        "cancelled" => "Annulé",
        "unknown" => "Envoi incertain",
        "bounced" => "Non distribué",
        _ => "—",
    }
}

/// One mail, and what the rep may do with it.
fn mail_item(m: &Listed, campaign: Option<Uuid>, tz: Tz) -> impl IntoView {
    let decide = move |decision: &'static str, label: &'static str, class: &'static str| {
        view! {
            <form method="post" action=DecideEmail::url() data-once="">
                {campaign.map(|c| hidden("campaign", c))}
                {hidden("email", m.id)}
                {hidden("decision", decision)}
                <button type="submit" class=class>{label}</button>
            </form>
        }
    };
    let actions = match m.status.as_str() {
        "ready" | "draft" => vec![decide("annuler", "Annuler", "secondary")],
        "failed" | "cancelled" => vec![decide("reessayer", "Réessayer", "secondary")],
        "unknown" => vec![
            decide("marquer-envoye", "Il est parti", "secondary"),
            decide("renvoyer", "Renvoyer", "secondary"),
        ],
        "sent" if m.kind == "prospecting" => {
            vec![decide("non-distribue", "Non distribué", "secondary")]
        }
        _ => vec![],
    };
    let when = match m.status.as_str() {
        "sent" => m.sent_at.map(|t| format!("envoyé le {}", at(t, tz))),
        "ready" if m.attempts > 0 => Some(format!("nouvel essai le {}", at(m.next_attempt_at, tz))),
        _ => Some(format!("créé le {}", at(m.created_at, tz))),
    };
    let to = if m.to_name.is_empty() {
        m.to_address.clone()
    } else {
        format!("{} <{}>", m.to_name, m.to_address)
    };
    view! {
        <li class=format!("mail status-{}", m.status) id=format!("mail-{}", m.id)>
            <div class="mail-head">
                <span class="badge">{status_label(&m.status)}</span>
                <strong class="subject">{m.subject.clone()}</strong>
            </div>
            <p class="meta">
                {to}
                {when.map(|w| format!(" · {w}"))}
                {(m.attempts > 1).then(|| format!(" · {} essais", m.attempts))}
            </p>
            {m.last_error.clone().filter(|_| m.status != "sent").map(|e| view! { <p class="mail-error">{e}</p> })}
            {(!actions.is_empty()).then(|| view! { <div class="actions">{actions}</div> })}
        </li>
    }
}

/// A campaign's Envois tab.
pub fn sending_tab(page: &SendingTab) -> String {
    let campaign = page.campaign.id;
    let path = sending_tab_path(campaign);
    let pace = page.settings.pace();
    let tz = pace.time_zone;
    let count = |status: &str| {
        page.counts
            .iter()
            .find(|(s, _)| s == status)
            .map_or(0, |(_, n)| *n)
    };
    let waiting = count("ready") + count("sending");
    let today = pace.day(page.now);
    let sent_today = if page.pace.day == Some(today) {
        page.pace.sent_on_day
    } else {
        0
    };
    let left_today = (page.settings.daily_cap - sent_today).max(0);
    let finish = (waiting > 0 && page.rep_pace).then(|| {
        let not_before = page.pace.paced_next_at.unwrap_or(page.now);
        let end = pace.finish(
            page.now,
            not_before,
            page.pace.day,
            u32::try_from(page.pace.sent_on_day).unwrap_or(0),
            u32::try_from(waiting).unwrap_or(u32::MAX),
            page.exchange.spacing(),
        );
        format!(
            "{waiting} mail{} en attente — fin estimée {}.",
            if waiting > 1 { "s" } else { "" },
            french_when(end, page.now, tz)
        )
    });
    let banner = match &page.mailbox {
        Some(m) if m.status == "active" => None,
        Some(m) if m.status == "needs_consent" => Some(format!(
            "Microsoft a retiré à Spine l’accès à votre boîte {} : vos mails attendent. Reconnectez-la dans « Envoi des mails ».",
            m.address
        )),
        _ => Some(
            "Aucune boîte Outlook connectée : vos mails attendent. Connectez la vôtre dans « Envoi des mails »."
                .to_string(),
        ),
    };
    server_html(view! {
        {stylesheet()}
        <p><a class="back" href="/campagnes">"← Campagnes"</a></p>
        <h1>{page.campaign.name.clone()}</h1>
        {campaign_tabs(campaign, Tab::Sending)}
        {notice(&path)}
        {refused(&[DecideEmail::url(), CancelCampaignEmails::url()])}
        {banner.map(|b| view! {
            <p class="alert error" role="alert">{b} " " <a href=SETTINGS_PATH rel="external">"Envoi des mails"</a></p>
        })}
        <section class="card" aria-labelledby="titre-envois">
            <h2 id="titre-envois">"Envois"</h2>
            <ul class="counts">
                <li>{format!("En attente : {}", count("ready") + count("draft"))}</li>
                <li>{format!("Envoyés : {}", count("sent"))}</li>
                <li>{format!("Échecs : {}", count("failed"))}</li>
                <li>{format!("Incertains : {}", count("unknown"))}</li>
                <li>{format!("Annulés : {}", count("cancelled"))}</li>
            </ul>
            <p class="budget">{format!("Budget d’aujourd’hui : reste {left_today} mail{} sur {}.",
                if left_today > 1 { "s" } else { "" }, page.settings.daily_cap)}</p>
            {finish.map(|f| view! { <p class="finish">{f}</p> })}
            {(waiting > 0).then(|| {
                let progress = super::repo::progress_json(&page.counts);
                let number = |name: &str| progress[name].as_i64().unwrap_or(0);
                view! {
                    // Followed live by the board's script: the page is read again when none waits.
                    <div class="sending-progress" data-follow=format!("{path}/progression")>
                        <progress max=number("total").max(1) value=number("done") aria-label="Progression des envois"></progress>
                        <p class="progress-text" role="status">{progress["text"].as_str().unwrap_or_default().to_string()}</p>
                    </div>
                }
            })}
            {(waiting > 0).then(|| view! {
                <form method="post" action=CancelCampaignEmails::url() data-once="">
                    {hidden("campaign", campaign)}
                    <button type="submit" class="secondary danger">"Annuler les envois en attente"</button>
                </form>
            })}
        </section>
        <section aria-labelledby="titre-mails">
            <h2 id="titre-mails">"Mails"</h2>
            {if page.emails.is_empty() {
                view! { <p class="empty">"Aucun mail pour cette campagne pour l’instant."</p> }.into_any()
            } else {
                view! {
                    <ul class="mails">{page.emails.iter().map(|m| mail_item(m, Some(campaign), tz)).collect_view()}</ul>
                }.into_any()
            }}
        </section>
        {crate::board::html::script_src().map(|src| view! { <script type="module" src=src data-board-script=""></script> })}
    })
}
