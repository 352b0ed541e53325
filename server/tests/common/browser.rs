//! A cookie-keeping HTTP client that behaves as a browser on Spine's pages: it sends `Origin`
//! on POSTs and follows no redirect by itself, so tests see each step.

use std::time::Duration;

use reqwest::{Response, Url};

#[derive(Clone)]
pub struct Browser {
    pub client: reqwest::Client,
    pub origin: String,
    pub sandbox: String,
}

impl Browser {
    pub fn new(origin: String, sandbox: String) -> Self {
        let client = reqwest::Client::builder()
            .cookie_store(true)
            .redirect(reqwest::redirect::Policy::none())
            .timeout(Duration::from_secs(30))
            .build()
            .unwrap();
        Browser {
            client,
            origin,
            sandbox,
        }
    }

    fn url(&self, path: &str) -> String {
        if path.starts_with("http") {
            path.to_string()
        } else {
            format!("{}{}", self.origin, path)
        }
    }

    pub async fn get(&self, path: &str) -> Response {
        self.client
            .get(self.url(path))
            .send()
            .await
            .expect("GET reaches the server")
    }

    /// A same-origin form POST, as a browser sends it.
    pub async fn post_form(&self, path: &str, form: &[(&str, &str)]) -> Response {
        self.client
            .post(self.url(path))
            .header("origin", &self.origin)
            .header("sec-fetch-site", "same-origin")
            .form(form)
            .send()
            .await
            .expect("POST reaches the server")
    }

    /// A form posted by the browser itself (no WASM yet): it asks for a page.
    pub async fn post_page_form(&self, path: &str, form: &[(&str, &str)]) -> Response {
        self.client
            .post(self.url(path))
            .header("origin", &self.origin)
            .header("sec-fetch-site", "same-origin")
            .header(
                "accept",
                "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8",
            )
            .form(form)
            .send()
            .await
            .expect("POST reaches the server")
    }

    /// Follows Spine's redirect to the sandbox, picks `tid|email` on its account page, and
    /// returns Spine's answer to the callback.
    pub async fn sign_in(&self, tid: &str, email: &str) -> Response {
        let authorize = self.start_sign_in().await;
        let callback = self.choose_account(&authorize, tid, email).await;
        self.get(&callback).await
    }

    /// `GET /auth/microsoft/login`; returns the sandbox authorize URL it redirects to.
    pub async fn start_sign_in(&self) -> String {
        let res = self.get("/auth/microsoft/login").await;
        assert_eq!(res.status(), 303, "login redirects to Microsoft");
        let location = res.headers()["location"].to_str().unwrap().to_owned();
        assert!(location.starts_with(&self.sandbox), "{location}");
        location
    }

    /// Submits the sandbox's account page; returns the callback URL it redirects to.
    pub async fn choose_account(&self, authorize_url: &str, tid: &str, email: &str) -> String {
        let url = Url::parse(authorize_url).unwrap();
        let mut form: Vec<(String, String)> = url.query_pairs().into_owned().collect();
        form.push(("account".into(), format!("{tid}|{email}")));
        let mut action = url.clone();
        action.set_query(None);
        let res = self.client.post(action).form(&form).send().await.unwrap();
        assert_eq!(res.status(), 302, "the sandbox redirects back to Spine");
        res.headers()["location"].to_str().unwrap().to_owned()
    }
}

impl Browser {
    /// Calls the server function at `/api/{endpoint}` as the app does, with form-encoded
    /// arguments (`form[name]` for struct fields); returns the status and the JSON answer.
    pub async fn call(&self, endpoint: &str, args: &[(&str, &str)]) -> (u16, serde_json::Value) {
        let res = self
            .client
            .post(format!("{}/api/{endpoint}", self.origin))
            .header("origin", &self.origin)
            .header("sec-fetch-site", "same-origin")
            .header("accept", "application/json")
            .form(args)
            .send()
            .await
            .expect("server function reachable");
        let status = res.status().as_u16();
        let text = res.text().await.unwrap();
        let json = serde_json::from_str(&text).unwrap_or(serde_json::Value::String(text));
        (status, json)
    }

    /// Posts the form arguments `args` to `/api/{endpoint}` as the hydrated app's forms do:
    /// asking for `app::error::FormAnswer`.
    pub async fn submit(&self, endpoint: &str, args: &[(&str, &str)]) -> reqwest::Response {
        use leptos::server_fn::ContentType;
        self.client
            .post(format!("{}/api/{endpoint}", self.origin))
            .header("origin", &self.origin)
            .header("sec-fetch-site", "same-origin")
            .header("accept", app::error::FormAnswerEncoding::CONTENT_TYPE)
            .form(args)
            .send()
            .await
            .expect("server function reachable")
    }

    /// Creates a distributor named `name` through its server function; returns its id.
    pub async fn new_distributor(&self, name: &str) -> String {
        let (status, saved) = self
            .call(
                "save_distributor",
                &[
                    ("form[name]", name),
                    ("form[website]", ""),
                    ("form[notes]", ""),
                ],
            )
            .await;
        assert!(status < 400, "{status} {saved}");
        saved["value"].as_str().unwrap().to_owned()
    }

    /// Creates a campaign named `name` (with a distributor of its own); returns its id.
    pub async fn new_campaign(&self, name: &str) -> String {
        let distributor = self
            .new_distributor(&format!("Distributeur de {name}"))
            .await;
        let (status, saved) = self
            .call(
                "save_campaign",
                &[
                    ("form[name]", name),
                    ("form[distributor_id]", &distributor),
                    ("form[venue]", "Eurexpo"),
                    ("form[city]", "Lyon"),
                    ("form[starts_on]", "21/01/2099"),
                    ("form[ends_on]", "25/01/2099"),
                ],
            )
            .await;
        assert!(status < 400, "{status} {saved}");
        saved["value"].as_str().unwrap().to_owned()
    }

    /// Sends `bytes` as the file `name` from the Prospects tab of `campaign`, as the browser
    /// posts the form (multipart, asking for a page).
    pub async fn upload(&self, campaign: &str, name: &str, bytes: Vec<u8>) -> Response {
        self.send_file(&format!("/campagnes/{campaign}/import"), name, bytes)
            .await
    }

    /// Sends `bytes` as the catalogue `name` from the Catalogue tab of `campaign`, likewise.
    pub async fn send_catalogue(&self, campaign: &str, name: &str, bytes: Vec<u8>) -> Response {
        self.send_file(
            &format!("/campagnes/{campaign}/catalogue/envoi"),
            name,
            bytes,
        )
        .await
    }

    async fn send_file(&self, path: &str, name: &str, bytes: Vec<u8>) -> Response {
        let part = reqwest::multipart::Part::bytes(bytes).file_name(name.to_string());
        let form = reqwest::multipart::Form::new().part("fichier", part);
        self.client
            .post(self.url(path))
            .header("origin", &self.origin)
            .header("sec-fetch-site", "same-origin")
            .header("accept", "text/html,application/xhtml+xml")
            .multipart(form)
            .send()
            .await
            .expect("upload reaches the server")
    }
}
