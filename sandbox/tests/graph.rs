//! Microsoft Graph's `sendMail` as Spine's outbox will call it: a send-only token, the message
//! checked as Graph checks it, the mailbox kept across a restart, Exchange's limits and the
//! faults tests script.

mod support;

use reqwest::StatusCode;
use serde_json::{json, Value};
use support::*;

const CLAIRE: &str = "c0ffee00-5a1e-4d00-8000-000000000001|claire.martin@demo-salons.example.test";
const CLAIRE_ADDRESS: &str = "claire.martin@demo-salons.example.test";

fn mail(to: &str, outbox_id: &str) -> Value {
    json!({ "message": {
        "subject": "Votre visite au salon",
        "body": { "contentType": "HTML", "content": "<p>Bonjour Léa,</p>" },
        "toRecipients": [{ "emailAddress": { "address": to } }],
        "internetMessageHeaders": [{ "name": "x-spine-outbox-id", "value": outbox_id }],
    }, "saveToSentItems": true })
}

async fn send(
    http: &reqwest::Client,
    base: &str,
    token: Option<&str>,
    body: &Value,
) -> reqwest::Response {
    let mut request = http.post(format!("{base}/v1.0/me/sendMail")).json(body);
    if let Some(token) = token {
        request = request.bearer_auth(token);
    }
    request.send().await.expect("Graph answers")
}

async fn code(response: reqwest::Response) -> (StatusCode, String) {
    let status = response.status();
    let body: Value = response.json().await.expect("a Graph error");
    (
        status,
        body["error"]["code"]
            .as_str()
            .unwrap_or_default()
            .to_string(),
    )
}

#[tokio::test]
async fn a_mail_sent_with_a_send_only_token_is_in_the_mailbox_after_a_restart() {
    let dir = TempDir::create();
    let sandbox = start(&dir, true).await;
    let (base, http) = (sandbox.base_url(), http());
    let tokens = Authorize::new("openid Mail.Send offline_access")
        .tokens(&http, &base, "organizations", CLAIRE)
        .await;
    let token = tokens["access_token"].as_str().expect("an access token");
    let sent = send(
        &http,
        &base,
        Some(token),
        &mail("lea.mercier@etoile.example.test", "41"),
    )
    .await;
    assert_eq!(sent.status(), StatusCode::ACCEPTED);
    assert!(sent.headers().contains_key("request-id"));
    sandbox.stop().await;

    let sandbox = start(&dir, true).await;
    let mailbox: Vec<Value> = http
        .get(format!(
            "{}/_sandbox/mailbox/{CLAIRE_ADDRESS}",
            sandbox.base_url()
        ))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(mailbox.len(), 1);
    assert_eq!(mailbox[0]["to"], json!(["lea.mercier@etoile.example.test"]));
    assert_eq!(mailbox[0]["headers"], json!([["x-spine-outbox-id", "41"]]));
    assert_eq!(mailbox[0]["content_type"], "HTML");
    sandbox.stop().await;
}

#[tokio::test]
async fn graph_refuses_what_graph_refuses() {
    let dir = TempDir::create();
    let sandbox = start(&dir, true).await;
    let (base, http) = (sandbox.base_url(), http());
    let ok = mail("lea.mercier@etoile.example.test", "1");
    assert_eq!(
        code(send(&http, &base, None, &ok).await).await,
        (
            StatusCode::UNAUTHORIZED,
            "InvalidAuthenticationToken".into()
        )
    );
    assert_eq!(
        code(send(&http, &base, Some("not.a.token"), &ok).await).await,
        (
            StatusCode::UNAUTHORIZED,
            "InvalidAuthenticationToken".into()
        )
    );
    let read_only = Authorize::new("openid User.Read")
        .tokens(&http, &base, "organizations", CLAIRE)
        .await;
    let read_only = read_only["access_token"].as_str().unwrap();
    assert_eq!(
        code(send(&http, &base, Some(read_only), &ok).await).await,
        (StatusCode::FORBIDDEN, "ErrorAccessDenied".into())
    );
    let tokens = Authorize::new("openid Mail.Send")
        .tokens(&http, &base, "organizations", CLAIRE)
        .await;
    let token = tokens["access_token"].as_str().unwrap();
    assert_eq!(
        code(send(&http, &base, Some(token), &mail("pas-une-adresse", "2")).await).await,
        (StatusCode::BAD_REQUEST, "ErrorInvalidRecipients".into())
    );
    let mut not_custom = ok.clone();
    not_custom["message"]["internetMessageHeaders"] = json!([{ "name": "Reply-To", "value": "x" }]);
    assert_eq!(
        code(send(&http, &base, Some(token), &not_custom).await).await,
        (
            StatusCode::BAD_REQUEST,
            "InvalidInternetMessageHeader".into()
        )
    );
    let nothing: Vec<Value> = http
        .get(format!("{base}/_sandbox/mailbox/{CLAIRE_ADDRESS}"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert!(nothing.is_empty(), "nothing refused was sent");
    sandbox.stop().await;
}

#[tokio::test]
async fn exchange_holds_a_mailbox_to_30_messages_a_minute_and_faults_are_served_once() {
    let dir = TempDir::create();
    let sandbox = start(&dir, true).await;
    let (base, http) = (sandbox.base_url(), http());
    let tokens = Authorize::new("openid Mail.Send")
        .tokens(&http, &base, "organizations", CLAIRE)
        .await;
    let token = tokens["access_token"].as_str().unwrap();
    let fault = http
        .post(format!("{base}/_sandbox/graph/next"))
        .json(&json!({ "status": 503, "retry_after": 7 }))
        .send()
        .await
        .unwrap();
    assert_eq!(fault.status(), StatusCode::NO_CONTENT);
    let busy = send(&http, &base, Some(token), &mail("a@exemple.fr", "0")).await;
    assert_eq!(busy.status(), StatusCode::SERVICE_UNAVAILABLE);
    assert_eq!(busy.headers()["retry-after"], "7");
    for i in 1..=30 {
        let sent = send(
            &http,
            &base,
            Some(token),
            &mail("a@exemple.fr", &i.to_string()),
        )
        .await;
        assert_eq!(sent.status(), StatusCode::ACCEPTED, "message {i}");
    }
    let held = send(&http, &base, Some(token), &mail("a@exemple.fr", "31")).await;
    assert_eq!(held.status(), StatusCode::TOO_MANY_REQUESTS);
    let wait: u64 = held.headers()["retry-after"]
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    assert!((1..=60).contains(&wait), "{wait}");
    assert_eq!(code(held).await.1, "ErrorExceededMessageLimit");
    sandbox.stop().await;
}

#[tokio::test]
async fn a_slow_mailbox_takes_four_requests_at_once_and_a_dropped_answer_still_sent_the_mail() {
    let dir = TempDir::create();
    let sandbox = start(&dir, true).await;
    let (base, http) = (sandbox.base_url(), http());
    let tokens = Authorize::new("openid Mail.Send")
        .tokens(&http, &base, "organizations", CLAIRE)
        .await;
    let token = tokens["access_token"].as_str().unwrap().to_string();
    let script = |fault: Value| {
        let (http, base) = (http.clone(), base.clone());
        async move {
            let res = http
                .post(format!("{base}/_sandbox/graph/next"))
                .json(&fault)
                .send()
                .await
                .unwrap();
            assert_eq!(res.status(), StatusCode::NO_CONTENT);
        }
    };
    for _ in 0..4 {
        script(json!({ "delay_ms": 1500 })).await;
    }
    let slow: Vec<_> = (0..4)
        .map(|i| {
            let (http, base, token) = (http.clone(), base.clone(), token.clone());
            tokio::spawn(async move {
                send(
                    &http,
                    &base,
                    Some(&token),
                    &mail("a@exemple.fr", &format!("slow-{i}")),
                )
                .await
                .status()
            })
        })
        .collect();
    tokio::time::sleep(std::time::Duration::from_millis(500)).await;
    let fifth = send(&http, &base, Some(&token), &mail("a@exemple.fr", "fifth")).await;
    assert_eq!(fifth.status(), StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(code(fifth).await.1, "ApplicationThrottled");
    for sent in slow {
        assert_eq!(sent.await.unwrap(), StatusCode::ACCEPTED);
    }

    // The request is read and the mail sent, but the answer never comes.
    script(json!({ "drop_after_read": true })).await;
    let dropped = http
        .post(format!("{base}/v1.0/me/sendMail"))
        .bearer_auth(&token)
        .json(&mail("b@exemple.fr", "dropped"))
        .send()
        .await;
    assert!(dropped.is_err(), "no answer: {dropped:?}");
    let mailbox: Vec<Value> = http
        .get(format!("{base}/_sandbox/mailbox/{CLAIRE_ADDRESS}"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let ids: Vec<&str> = mailbox
        .iter()
        .map(|m| m["headers"][0][1].as_str().unwrap())
        .collect();
    assert_eq!(ids.len(), 5);
    assert!(ids.contains(&"dropped"), "it was sent: {ids:?}");
    assert!(!ids.contains(&"fifth"));
    sandbox.stop().await;
}
