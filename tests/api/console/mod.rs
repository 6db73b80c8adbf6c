//! The ops console (`/console`, issue 18) over HTTP: sign-in, sessions and CSRF (`session.rs`),
//! the pages and every action (`payments.rs`, `actions.rs`, `merchants.rs`, `overview.rs`). A
//! [`Console`] is a signed-in browser: its session cookie, and the CSRF token its pages carry.

mod actions;
mod browser;
mod merchants;
mod overview;
mod payments;
mod profile;
mod session;
mod stats;

use crate::helpers::TestApp;

/// A signed-in console session.
pub struct Console<'a> {
    pub app: &'a TestApp,
    pub cookie: String,
    pub csrf: String,
}

/// The `Set-Cookie` header of a response, if any.
pub fn set_cookie(res: &reqwest::Response) -> Option<String> {
    res.headers()
        .get("set-cookie")
        .map(|v| v.to_str().unwrap().to_owned())
}

/// The value of the first `name="csrf"` hidden field on a page.
pub fn csrf_on(page: &str) -> Option<String> {
    let at = page.find("name=\"csrf\" value=\"")? + "name=\"csrf\" value=\"".len();
    Some(page[at..].split('"').next()?.to_owned())
}

pub async fn post_login(app: &TestApp, token: &str) -> reqwest::Response {
    app.client
        .post(format!("{}/console/login", app.address))
        .form(&[("token", token)])
        .send()
        .await
        .unwrap()
}

impl<'a> Console<'a> {
    pub async fn sign_in(app: &'a TestApp) -> Console<'a> {
        let res = post_login(app, &app.admin_token).await;
        assert_eq!(res.status(), 303);
        let cookie = set_cookie(&res).expect("a session cookie");
        let cookie = cookie.split(';').next().unwrap().to_owned();
        let mut console = Console {
            app,
            cookie,
            csrf: String::new(),
        };
        let (status, page) = console.get("/console").await;
        assert_eq!(status, 200, "{page}");
        console.csrf = csrf_on(&page).expect("the sign-out form's CSRF token");
        console
    }

    pub async fn get(&self, path: &str) -> (u16, String) {
        let res = self
            .app
            .client
            .get(format!("{}{path}", self.app.address))
            .header("Cookie", &self.cookie)
            .send()
            .await
            .unwrap();
        (res.status().as_u16(), res.text().await.unwrap())
    }

    /// Posts a form with the session's CSRF token added.
    pub async fn post(&self, path: &str, fields: &[(&str, &str)]) -> reqwest::Response {
        let mut all = fields.to_vec();
        all.push(("csrf", &self.csrf));
        self.post_raw(path, &all).await
    }

    /// Posts exactly these fields (no CSRF token unless given).
    pub async fn post_raw(&self, path: &str, fields: &[(&str, &str)]) -> reqwest::Response {
        self.app
            .client
            .post(format!("{}{path}", self.app.address))
            .header("Cookie", &self.cookie)
            .form(fields)
            .send()
            .await
            .unwrap()
    }
}

/// The `Location` of a redirect.
pub fn location(res: &reqwest::Response) -> String {
    res.headers()
        .get("location")
        .map(|v| v.to_str().unwrap().to_owned())
        .unwrap_or_default()
}
