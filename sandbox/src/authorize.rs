//! `GET|POST /{tenant}/oauth2/v2.0/authorize`: the account picker and code issuance.

use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::{Path, RawQuery, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use uuid::Uuid;

use crate::directory::{is_valid_email, Account, Authority};
use crate::token::{issue_code, AuthCode};
use crate::web::{escape, page, redirect, AadError, Params};
use crate::{lock, App, ClientRegistration};

/// Fields of the page itself, as opposed to the authorization request it repeats.
const PAGE_FIELDS: [&str; 4] = ["account", "new_email", "new_name", "new_tenant"];

/// An authorization request that passed validation.
struct Request<'a> {
    authority: Authority,
    client: &'a ClientRegistration,
    redirect_uri: &'a str,
    fragment: bool,
    state: Option<&'a str>,
    scope: &'a str,
    nonce: Option<&'a str>,
    code_challenge: Option<&'a str>,
}

/// `GET`: validates the request and shows the account picker.
pub(crate) async fn show(
    State(app): State<Arc<App>>,
    Path(tenant): Path<String>,
    RawQuery(query): RawQuery,
) -> Response {
    let params = Params::parse(query.unwrap_or_default().as_bytes());
    let request = match validate(&app, &tenant, &params) {
        Ok(request) => request,
        Err(refusal) => return *refusal,
    };
    let accounts = app.store.accounts().await;
    // A hint naming a listed account needs nothing typed; another one is prefilled.
    let hint = params
        .get("login_hint")
        .filter(|h| !accounts.iter().any(|a| a.email.eq_ignore_ascii_case(h)))
        .unwrap_or_default();
    let typed = Typed {
        email: hint,
        name: "",
        tenant: "",
    };
    picker(&request, &params, &accounts, None, &typed).into_response()
}

/// `POST`: the picked or typed account gets a code, sent to the redirect URI.
pub(crate) async fn submit(
    State(app): State<Arc<App>>,
    Path(tenant): Path<String>,
    body: Bytes,
) -> Response {
    let params = Params::parse(&body);
    let request = match validate(&app, &tenant, &params) {
        Ok(request) => request,
        Err(refusal) => return *refusal,
    };
    let account = match choose_account(&app, &request, &params).await {
        Ok(account) => account,
        Err((status, message)) => {
            let accounts = app.store.accounts().await;
            let typed = Typed {
                email: params.get("new_email").unwrap_or_default(),
                name: params.get("new_name").unwrap_or_default(),
                tenant: params.get("new_tenant").unwrap_or_default(),
            };
            let html = picker(&request, &params, &accounts, Some(&message), &typed);
            return (status, html).into_response();
        }
    };
    // An organisation where users may not consent: asking for a Graph permission (anything
    // beyond signing in) needs an administrator's approval first.
    let oidc = ["openid", "profile", "email", "offline_access"];
    let asks_graph = request.scope.split_whitespace().any(|s| !oidc.contains(&s));
    if asks_graph && lock(&app.admin_consent).contains(&account.tid.to_lowercase()) {
        let mut answer = AadError::new(
            "consent_required",
            65001,
            format!(
                "The user or administrator has not consented to use the application with ID \
                 '{}' named 'Spine'. Send an interactive authorization request for this user \
                 and resource.",
                request.client.client_id
            ),
        )
        .redirect_params();
        answer.extend(request.state.map(|s| ("state", s.to_owned())));
        return redirect(request.redirect_uri, request.fragment, &answer);
    }
    tracing::info!(tid = %account.tid, "account signed in, issuing an authorization code");
    let code = issue_code(
        &app,
        AuthCode {
            client_id: request.client.client_id.clone(),
            redirect_uri: request.redirect_uri.to_owned(),
            scope: request.scope.to_owned(),
            nonce: request.nonce.map(str::to_owned),
            code_challenge: request.code_challenge.map(str::to_owned),
            account,
            issued_at: chrono::Utc::now().timestamp(),
            redeemed: false,
        },
    );
    let mut answer = vec![("code", code)];
    answer.extend(request.state.map(|s| ("state", s.to_owned())));
    answer.push(("session_state", Uuid::new_v4().to_string()));
    redirect(request.redirect_uri, request.fragment, &answer)
}

/// Microsoft's checks, in its order: problems with the client or the redirect URI are
/// shown on a page, the others are sent back to the (now trusted) redirect URI.
fn validate<'a>(
    app: &'a App,
    tenant: &str,
    params: &'a Params,
) -> Result<Request<'a>, Box<Response>> {
    let authority = Authority::parse(tenant)
        .ok_or_else(|| Box::new(AadError::unknown_tenant(tenant).page()))?;
    let client_id = params
        .get("client_id")
        .ok_or_else(|| Box::new(AadError::missing("client_id").page()))?;
    let client = app.client(client_id).ok_or_else(|| -> Box<Response> {
        let directory = match authority {
            Authority::Single(t) => t.name,
            Authority::Multi(alias) => alias,
        };
        AadError::new(
            "unauthorized_client",
            700016,
            format!(
                "Application with identifier '{client_id}' was not found in the directory \
                 '{directory}'. This can happen if the application has not been installed by \
                 the administrator of the tenant or consented to by any user in the tenant. \
                 You may have sent your authentication request to the wrong tenant."
            ),
        )
        .page()
        .into()
    })?;
    let redirect_uri = params.get("redirect_uri").unwrap_or_default();
    if !client.redirect_uris.iter().any(|uri| uri == redirect_uri) {
        return Err(Box::new(
            AadError::new(
                "invalid_request",
                50011,
                format!(
                "The redirect URI '{redirect_uri}' specified in the request does not match the \
                 redirect URIs configured for the application '{client_id}'. Make sure the \
                 redirect URI sent in the request matches one added to your application."
            ),
            )
            .page(),
        ));
    }

    let response_mode = params.get("response_mode");
    let fragment = response_mode == Some("fragment");
    let state = params.get("state");
    let refuse = |e: AadError| {
        let mut answer = e.redirect_params();
        answer.extend(state.map(|s| ("state", s.to_owned())));
        Err(Box::new(redirect(redirect_uri, fragment, &answer)))
    };
    if !matches!(response_mode, None | Some("query" | "fragment")) {
        return refuse(AadError::new(
            "invalid_request",
            900352,
            "Only the 'query' and 'fragment' response modes are supported for this application.",
        ));
    }
    match params.get("response_type") {
        None => return refuse(AadError::missing("response_type")),
        Some("code") => {}
        Some(other) => {
            return refuse(AadError::new(
                "unsupported_response_type",
                700054,
                format!("response_type '{other}' is not enabled for the application."),
            ))
        }
    }
    let scope = params.get("scope").unwrap_or_default();
    if !scope.split_whitespace().any(|s| s == "openid") {
        return refuse(AadError::new(
            "invalid_scope",
            70011,
            format!(
                "The provided value for the input parameter 'scope' is not valid. The scope \
                 '{scope}' does not include 'openid'."
            ),
        ));
    }
    let code_challenge = params.get("code_challenge");
    if let Some(challenge) = code_challenge {
        let method = params.get("code_challenge_method").unwrap_or("plain");
        if method != "S256" {
            return refuse(AadError::new(
                "invalid_request",
                501491,
                format!("Unsupported code_challenge_method '{method}': only 'S256' is accepted."),
            ));
        }
        let base64url = |b: u8| b.is_ascii_alphanumeric() || b == b'-' || b == b'_';
        if challenge.len() != 43 || !challenge.bytes().all(base64url) {
            return refuse(AadError::new(
                "invalid_request",
                501491,
                "Invalid size of Code_Challenge parameter.",
            ));
        }
    }
    if params.get("prompt") == Some("none") {
        return refuse(AadError::new(
            "login_required",
            50058,
            "A silent sign-in request was sent but no user is signed in.",
        ));
    }
    Ok(Request {
        authority,
        client,
        redirect_uri,
        fragment,
        state,
        scope,
        nonce: params.get("nonce"),
        code_challenge,
    })
}

/// The listed account that was clicked, or the typed one (saved if new).
async fn choose_account(
    app: &App,
    request: &Request<'_>,
    params: &Params,
) -> Result<Account, (StatusCode, String)> {
    let invalid = |message: &str| (StatusCode::BAD_REQUEST, message.to_owned());
    if let Some(choice) = params.get("account") {
        let found = match choice.split_once('|') {
            Some((tid, email)) if request.authority.allows(tid) => {
                app.store.find_account(tid, email).await
            }
            _ => None,
        };
        return found.ok_or_else(|| invalid("Ce compte ne peut pas se connecter ici."));
    }
    let email = params.get("new_email").unwrap_or_default().trim();
    let name = params.get("new_name").unwrap_or_default().trim();
    let tid = params.get("new_tenant").unwrap_or_default();
    if !is_valid_email(email) {
        return Err(invalid(
            "Saisissez une adresse e-mail valide, par exemple prenom.nom@entreprise.fr.",
        ));
    }
    if name.is_empty() || name.chars().count() > 100 {
        return Err(invalid(
            "Saisissez le nom complet (100 caractères au plus).",
        ));
    }
    if !request.authority.allows(tid) {
        return Err(invalid("Choisissez une organisation de la liste."));
    }
    app.store
        .add_account(Account::new(tid, email, name))
        .await
        .map_err(|e| {
            tracing::error!(error = %e, "could not save a typed account");
            (
                StatusCode::INTERNAL_SERVER_ERROR,
                "Le compte n'a pas pu être enregistré.".to_owned(),
            )
        })
}

/// What was typed in the "another account" part, shown again after an error.
struct Typed<'a> {
    email: &'a str,
    name: &'a str,
    tenant: &'a str,
}

fn picker(
    request: &Request<'_>,
    params: &Params,
    accounts: &[Account],
    error: Option<&str>,
    typed: &Typed<'_>,
) -> axum::response::Html<String> {
    let hidden: String = params
        .0
        .iter()
        .filter(|(name, _)| !PAGE_FIELDS.contains(&name.as_str()))
        .map(|(name, value)| {
            format!(
                "<input type=\"hidden\" name=\"{}\" value=\"{}\">\n",
                escape(name),
                escape(value)
            )
        })
        .collect();
    let buttons: String = accounts
        .iter()
        .filter(|a| request.authority.allows(&a.tid))
        .map(|a| {
            format!(
                "<li><button type=\"submit\" name=\"account\" value=\"{}|{}\">\
                 <strong>{}</strong> <span>{}</span> <span>({})</span></button></li>\n",
                escape(&a.tid),
                escape(&a.email),
                escape(&a.name),
                escape(&a.email),
                escape(a.tenant_name()),
            )
        })
        .collect();
    let options: String = request
        .authority
        .tenants()
        .iter()
        .map(|t| {
            let selected = if t.id == typed.tenant {
                " selected"
            } else {
                ""
            };
            format!(
                "<option value=\"{}\"{selected}>{}</option>\n",
                t.id,
                escape(t.name)
            )
        })
        .collect();
    let error = error
        .map(|e| format!("<p role=\"alert\"><strong>{}</strong></p>\n", escape(e)))
        .unwrap_or_default();
    // Two forms, so that Enter in a text field submits "Continuer" and not the first
    // account; `novalidate` leaves the checks (and their French messages) to the server.
    let body = format!(
        "<h1>Choisissez un compte</h1>\n{error}\
         <form method=\"post\">\n{hidden}<ul>\n{buttons}</ul>\n</form>\n\
         <h2>Utiliser un autre compte</h2>\n<form method=\"post\" novalidate>\n{hidden}\
         <p><label for=\"new_email\">Adresse e-mail</label><br>\
         <input type=\"email\" id=\"new_email\" name=\"new_email\" autocomplete=\"email\" \
         value=\"{}\"></p>\n\
         <p><label for=\"new_name\">Nom complet</label><br>\
         <input type=\"text\" id=\"new_name\" name=\"new_name\" autocomplete=\"name\" \
         value=\"{}\"></p>\n\
         <p><label for=\"new_tenant\">Organisation</label><br>\
         <select id=\"new_tenant\" name=\"new_tenant\">\n{options}</select></p>\n\
         <p><button type=\"submit\">Continuer</button></p>\n</form>",
        escape(typed.email),
        escape(typed.name),
    );
    page("Se connecter à votre compte", &body)
}
