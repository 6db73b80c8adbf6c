//! What ops do on a merchant's page: `POST /console/merchants/{id}/profile` (display name,
//! logo URL, signature policy), `…/accounts/{account}` (an
//! account's routing), `…/rotate` (a new secret, shown once on the answer, the old one valid
//! for the grace period) and `…/test-webhook`. Each form carries the session's CSRF token (403
//! without) and a ticked `confirm` (400 without: nothing is done); each calls an existing use
//! case in `orchestration/`.

use super::merchants::{merchant_id, page, Outcome};
use super::page::{see_other, ConsoleError, Page};
use super::session::{self, Form, Session};
use crate::domain::request_signing::SignaturePolicy;
use crate::error::AppError;
use crate::http::AppState;
use crate::orchestration::account_settings::RoutingSettings;
use crate::orchestration::merchant_profile::ProfileUpdate;
use actix_web::{web, HttpRequest};
use secrecy::ExposeSecret;

async fn confirmed(
    state: &AppState,
    req: &HttpRequest,
    payload: web::Payload,
    raw_id: &str,
) -> Result<(Session, String, Form), ConsoleError> {
    let (session, form) = session::posted(state, req, payload).await?;
    let id = merchant_id(raw_id)?;
    if !form.checked("confirm") {
        return Err(AppError::invalid("confirm", "must be ticked to go ahead").into());
    }
    Ok((session, id, form))
}

/// `USD, BDT` → `["USD", "BDT"]` (blank: none, meaning everything the gateway offers).
fn list_field(form: &Form, name: &str) -> Vec<String> {
    form.get(name)
        .unwrap_or_default()
        .split(',')
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_owned)
        .collect()
}

fn routing(form: &Form) -> Result<RoutingSettings, AppError> {
    let priority = form
        .get("priority")
        .unwrap_or_default()
        .trim()
        .parse::<i32>()
        .map_err(|_| AppError::invalid("priority", "must be a whole number"))?;
    Ok(RoutingSettings {
        enabled: form.checked("enabled"),
        priority,
        currencies: list_field(form, "currencies"),
        methods: list_field(form, "methods"),
    })
}

/// A profile field as the admin API's `PATCH` takes it: absent is kept, blank clears it; the
/// rest goes to its checks untrimmed (a control character is refused there, as in the API).
fn profile_field(form: &Form, name: &str) -> Option<Option<String>> {
    form.get(name)
        .map(|v| (!v.trim().is_empty()).then(|| v.to_owned()))
}

fn profile(form: &Form) -> Result<ProfileUpdate, AppError> {
    let signature_policy = match form.get("signature_policy") {
        None => None,
        Some(raw) => Some(
            serde_json::from_value::<SignaturePolicy>(raw.into()).map_err(|_| {
                AppError::invalid(
                    "signature_policy",
                    "must be one of compatible, bound_reads, v2_only",
                )
            })?,
        ),
    };
    Ok(ProfileUpdate {
        display_name: profile_field(form, "display_name"),
        logo_url: profile_field(form, "logo_url"),
        signature_policy,
    })
}

/// `POST /console/merchants/{id}/profile`: the checks and the write of the admin API's
/// `PATCH /v1/admin/merchants/{id}`; a refused value changes nothing.
pub async fn set_profile(
    state: web::Data<AppState>,
    req: HttpRequest,
    path: web::Path<String>,
    payload: web::Payload,
) -> Page {
    let (_, id, form) = confirmed(&state, &req, payload, &path).await?;
    let update = profile(&form)?;
    state.orch.edit_profile_from_console(&id, &update).await?;
    if update.signature_policy.is_some() {
        state.secret_cache.forget(&id);
    }
    Ok(see_other(&format!("/console/merchants/{id}?done=profile")))
}

/// `POST /console/merchants/{id}/accounts/{account}`.
pub async fn set_routing(
    state: web::Data<AppState>,
    req: HttpRequest,
    path: web::Path<(String, String)>,
    payload: web::Payload,
) -> Page {
    let (raw_id, account) = path.into_inner();
    let (_, id, form) = confirmed(&state, &req, payload, &raw_id).await?;
    let settings = routing(&form)?;
    state
        .orch
        .set_account_routing(&id, &account, &settings)
        .await?;
    Ok(see_other(&format!("/console/merchants/{id}?done=routing")))
}

/// `POST /console/merchants/{id}/rotate`: answers with the page showing the new secret; it is
/// never shown again (the page is `no-store`, and nothing reads a secret back).
pub async fn rotate(
    state: web::Data<AppState>,
    req: HttpRequest,
    path: web::Path<String>,
    payload: web::Payload,
) -> Page {
    let (session, id, _) = confirmed(&state, &req, payload, &path).await?;
    let (secret, grace_until) = state.orch.rotate_secret(&id).await?;
    state.secret_cache.forget(&id);
    let file = state.orch.merchant_file(&id).await?;
    let outcome = Outcome::Rotated {
        secret: secret.expose_secret().to_owned(),
        grace_until: super::fmt::time(grace_until),
    };
    page(&session, &file, outcome)
}

/// `POST /console/merchants/{id}/test-webhook`: sends a signed `test` event to the merchant's
/// webhook URL now and shows what came back.
pub async fn test_webhook(
    state: web::Data<AppState>,
    req: HttpRequest,
    path: web::Path<String>,
    payload: web::Payload,
) -> Page {
    let (session, id, _) = confirmed(&state, &req, payload, &path).await?;
    let r = state.orch.test_webhook(&id, None, &state.delivery).await?;
    let line = match r["status"].as_u64() {
        Some(code) => format!(
            "{} answered {code} in {} ms{}",
            r["url"].as_str().unwrap_or_default(),
            r["latency_ms"],
            if r["delivered"] == true {
                " (delivered)"
            } else {
                " (not accepted)"
            }
        ),
        None => format!(
            "{} could not be reached: {}",
            r["url"].as_str().unwrap_or_default(),
            r["error"].as_str().unwrap_or("no answer")
        ),
    };
    let file = state.orch.merchant_file(&id).await?;
    page(&session, &file, Outcome::Tested(line))
}
