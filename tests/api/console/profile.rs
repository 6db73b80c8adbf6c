//! Editing a merchant's profile from the console: display name, logo URL and signature policy,
//! through the admin API's use case (the same refusals, shown on the page), each change needing
//! the CSRF token and the confirmation box, and a `v2_only` set here really refusing v1.

use super::{location, Console};
use crate::helpers::{Merchant, TestApp};
use reqwest::Method;
use serde_json::{json, Value};

async fn admin_view(app: &TestApp, m: &Merchant) -> Value {
    let (status, body) = app
        .admin(Method::GET, &format!("/v1/admin/merchants/{}", m.id), "")
        .await;
    assert_eq!(status, 200, "{body}");
    body
}

/// (display_name, logo_url, signature_policy) as the admin API reads them.
async fn profile(app: &TestApp, m: &Merchant) -> (Value, Value, Value) {
    let b = admin_view(app, m).await;
    (
        b["display_name"].clone(),
        b["logo_url"].clone(),
        b["signature_policy"].clone(),
    )
}

fn form<'a>(name: &'a str, logo: &'a str, policy: &'a str) -> Vec<(&'a str, &'a str)> {
    vec![
        ("display_name", name),
        ("logo_url", logo),
        ("signature_policy", policy),
        ("confirm", "on"),
    ]
}

#[tokio::test]
async fn each_profile_field_is_edited_shown_escaped_and_read_back_by_the_admin_api() {
    let app = crate::helpers::spawn_app().await;
    let m = app.merchant_with_psc().await;
    let console = Console::sign_in(&app).await;
    let page = format!("/console/merchants/{}", m.id);
    let action = format!("{page}/profile");
    let (_, before) = console.get(&page).await;
    assert!(
        before.contains("<label for=\"display-name\">") && before.contains("id=\"display-name\"")
    );
    assert!(before.contains("<label for=\"signature-policy\">"));

    let logo = "https://cdn.example/logo.png?a=1&b=2";
    let edit = form("<i>Leaf</i> & \"Co\"", logo, "bound_reads");
    let res = console.post(&action, &edit).await;
    assert_eq!(res.status(), 303);
    assert_eq!(location(&res), format!("{page}?done=profile"));
    assert_eq!(
        profile(&app, &m).await,
        (
            json!("<i>Leaf</i> & \"Co\""),
            json!(logo),
            json!("bound_reads")
        )
    );
    let (status, html) = console.get(&format!("{page}?done=profile")).await;
    assert_eq!(status, 200);
    assert!(html.contains("The profile was saved."));
    assert!(!html.contains("<i>Leaf"), "escaped: {html}");
    assert!(
        html.contains("value=\"&#60;i&#62;Leaf&#60;/i&#62; &#38; &#34;Co&#34;\"")
            && !html.contains("\"Co\""),
        "escaped in text and in the input's value: {html}"
    );
    assert!(html.contains("https://cdn.example/logo.png?a=1&#38;b=2"));
    assert!(html.contains("value=\"bound_reads\" selected"));
    assert!(!html.contains("value=\"compatible\" selected"));

    // Blank clears a profile field, as `null` does in the admin API.
    let res = console.post(&action, &form("", "", "compatible")).await;
    assert_eq!(res.status(), 303);
    assert_eq!(
        profile(&app, &m).await,
        (Value::Null, Value::Null, json!("compatible"))
    );
    let (_, html) = console.get(&page).await;
    assert!(html.contains("value=\"compatible\" selected") && !html.contains("cdn.example"));
}

#[tokio::test]
async fn profile_edits_without_csrf_confirm_or_with_bad_values_change_nothing() {
    let app = crate::helpers::spawn_app().await;
    let m = app.merchant_with_psc().await;
    let console = Console::sign_in(&app).await;
    let action = format!("/console/merchants/{}/profile", m.id);
    let ok = form("Leaf", "https://cdn.example/a.png", "v2_only");
    assert_eq!(console.post(&action, &ok).await.status(), 303);
    let kept = profile(&app, &m).await;

    let changed = form("Other", "https://cdn.example/b.png", "compatible");
    assert_eq!(console.post_raw(&action, &changed).await.status(), 403);
    assert_eq!(console.post(&action, &changed[..3]).await.status(), 400);
    assert_eq!(profile(&app, &m).await, kept, "nothing changed");

    let long = "x".repeat(101);
    let refusals = [
        form("Other", "ftp://cdn.example/b.png", "compatible"),
        form(&long, "https://cdn.example/b.png", "compatible"),
        form("Other", "https://cdn.example/b.png", "v3_only"),
        form("Tea\u{7}", "https://cdn.example/b.png", "compatible"),
    ];
    for (bad, field) in refusals.iter().zip([
        "logo_url",
        "display_name",
        "signature_policy",
        "display_name",
    ]) {
        let res = console.post(&action, bad).await;
        assert_eq!(res.status(), 400, "{bad:?}");
        let html = res.text().await.unwrap();
        assert!(html.contains(&format!("<code>{field}</code>")), "{html}");
        assert_eq!(profile(&app, &m).await, kept, "nothing changed by {bad:?}");
    }
    // The page says what the admin API says about the same value.
    let bad_logo = (
        "logo_url",
        "ftp://cdn.example/b.png",
        "must be an https URL",
    );
    let too_long = (
        "display_name",
        long.as_str(),
        "must be 1 to 100 printable characters",
    );
    for ((field, value, problem), bad) in [bad_logo, too_long].into_iter().zip(&refusals) {
        let (status, api) = app
            .admin(
                Method::PATCH,
                &format!("/v1/admin/merchants/{}", m.id),
                &json!({ field: value }).to_string(),
            )
            .await;
        assert_eq!(status, 400, "{api}");
        assert!(api.to_string().contains(problem), "the API says {api}");
        let html = console.post(&action, bad).await.text().await.unwrap();
        assert!(html.contains(problem), "{problem} on {html}");
    }
    assert_eq!(profile(&app, &m).await, kept);
}

#[tokio::test]
async fn v2_only_set_from_the_console_refuses_a_v1_signed_request() {
    let app = crate::helpers::spawn_app().await;
    let m = app.merchant_with_psc().await;
    let console = Console::sign_in(&app).await;
    assert_eq!(app.get("/v1/payments", &m).await.0, 200, "v1 works before");
    let action = format!("/console/merchants/{}/profile", m.id);
    let res = console.post(&action, &form("", "", "v2_only")).await;
    assert_eq!(res.status(), 303);
    assert_eq!(profile(&app, &m).await.2, json!("v2_only"));
    assert_eq!(
        app.get("/v1/payments", &m).await.0,
        401,
        "v1 refused at once"
    );
}
