//! Checkout Session and PaymentIntent endpoints: `POST /v1/checkout/sessions`,
//! `GET /v1/checkout/sessions/{id}`, `POST /v1/checkout/sessions/{id}/expire`,
//! `GET /v1/payment_intents/{id}`.
//!
//! Each call is counted and may be faulted before anything else (so tests can prove how often
//! the adapter asked), then authenticated (`Authorization: Bearer sk_…` or `rk_…`, with the
//! resources the call touches) and validated as Stripe does; a POST runs under its
//! `Idempotency-Key` (`idempotency`). Creating validates in `create`; an expire sends
//! `checkout.session.expired` after answering.

use actix_web::{web, HttpRequest, HttpResponse};

use super::create::new_session;
use super::errors::{self, Answer, ApiError};
use super::idempotency;
use super::input::{expansions, Form};
use super::state::{CallKind, Fault, SessionStatus, State};
use super::views::{intent_view, session_view, Expand};
use super::{faults, Mount, StripeSim};

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.route("/v1/checkout/sessions", web::post().to(create))
        .route("/v1/checkout/sessions/{id}", web::get().to(read))
        .route("/v1/checkout/sessions/{id}/expire", web::post().to(expire))
        .route("/v1/payment_intents/{id}", web::get().to(read_intent));
}

/// Counts an API call that reached its route and takes one use of the armed fault.
pub(super) fn begin_call(
    sim: &StripeSim,
    kind: CallKind,
    reference: impl FnOnce(&State) -> Option<String>,
) -> Option<Fault> {
    let mut st = sim.lock();
    let r = reference(&st);
    st.stats.count(kind, r.as_deref());
    st.fault.take_one()
}

pub(super) fn reference_of(st: &State, session_id: &str) -> Option<String> {
    st.sessions
        .get(session_id)
        .and_then(|s| s.client_reference_id.clone())
}

/// The caller's key (401 if unknown), when it may use every one of `resources` (403 if a
/// restricted key was given no permission for one of them).
pub(super) fn authenticate(
    st: &State,
    req: &HttpRequest,
    resources: &[&'static str],
) -> Result<String, ApiError> {
    let key = req
        .headers()
        .get("Authorization")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .ok_or(ApiError::Unauthorized)?;
    let account = st.accounts.get(key).ok_or(ApiError::Unauthorized)?;
    match resources.iter().find(|r| account.denied.iter().any(|d| d == *r)) {
        Some(resource) => Err(ApiError::Permission { resource }),
        None => Ok(key.to_owned()),
    }
}

/// What a session read touches: the session, and the objects it expands.
fn session_resources(expand: Expand) -> &'static [&'static str] {
    match (expand.intent, expand.charge) {
        (_, true) => &[SESSIONS, INTENTS, CHARGES],
        (true, false) => &[SESSIONS, INTENTS],
        _ => &[SESSIONS],
    }
}

/// Resource names, as a restricted key's permissions are named.
pub(super) const SESSIONS: &str = "checkout_sessions";
pub(super) const INTENTS: &str = "payment_intents";
pub(super) const CHARGES: &str = "charges";
pub(super) const REFUNDS: &str = "refunds";

pub(super) fn idempotency_key(req: &HttpRequest) -> Option<String> {
    req.headers()
        .get("Idempotency-Key")
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned)
}

async fn create(req: HttpRequest, body: web::Bytes, mount: web::Data<Mount>) -> HttpResponse {
    let form = Form::parse(&body);
    let reference = form.get("client_reference_id").map(str::to_owned);
    let fault = begin_call(&mount.sim, CallKind::Create, |_| reference);
    faults::respond(fault, || {
        let mut st = mount.sim.lock();
        errors::of(authenticate(&st, &req, &[SESSIONS]).and_then(|sk| {
            let key = idempotency_key(&req);
            idempotency::once(&mut st, &sk, key.as_deref(), "POST /v1/checkout/sessions", &form, |st| {
                let s = new_session(&form, &sk)?;
                let view = session_view(&s, &mount.checkout_url(&req, &s.id), Expand::default());
                st.sessions.insert(s.id.clone(), s);
                Ok(Answer::ok(&view))
            })
        }))
    })
    .await
}

async fn read(req: HttpRequest, id: web::Path<String>, mount: web::Data<Mount>) -> HttpResponse {
    let fault = begin_call(&mount.sim, CallKind::Query, |st| reference_of(st, &id));
    let expand = Expand::for_session(&expansions(req.query_string()));
    faults::respond(fault, || {
        let mut st = mount.sim.lock();
        errors::of(authenticate(&st, &req, session_resources(expand)).and_then(|sk| {
            let s = own_session(&mut st, &sk, &id)?;
            Ok(Answer::ok(&session_view(s, &mount.checkout_url(&req, &id), expand)))
        }))
    })
    .await
}

/// The account's session `id`, expired first if it is due.
pub(super) fn own_session<'a>(
    st: &'a mut State,
    secret_key: &str,
    id: &str,
) -> Result<&'a mut super::state::Session, ApiError> {
    let s = st
        .sessions
        .get_mut(id)
        .filter(|s| s.secret_key == secret_key)
        .ok_or_else(|| ApiError::Missing {
            object: "checkout.session",
            id: id.to_owned(),
        })?;
    s.expire_if_due(chrono::Utc::now().timestamp());
    Ok(s)
}

async fn expire(
    req: HttpRequest,
    id: web::Path<String>,
    body: web::Bytes,
    mount: web::Data<Mount>,
) -> HttpResponse {
    let fault = begin_call(&mount.sim, CallKind::Cancel, |st| reference_of(st, &id));
    let form = Form::parse(&body);
    let mut hooks = Vec::new();
    let response = faults::respond(fault, || {
        let mut st = mount.sim.lock();
        errors::of(authenticate(&st, &req, &[SESSIONS]).and_then(|sk| {
            let key = idempotency_key(&req);
            let endpoint = format!("POST /v1/checkout/sessions/{id}/expire");
            idempotency::once(&mut st, &sk, key.as_deref(), &endpoint, &form, |st| {
                let s = own_session(st, &sk, &id)?;
                if s.status != SessionStatus::Open {
                    return Err(ApiError::Invalid {
                        param: None,
                        code: None,
                        message: format!(
                            "Only Checkout Sessions with a status in [\"open\"] can be expired; this one is {}.",
                            s.status.as_str()
                        ),
                    });
                }
                s.expire();
                let view = session_view(s, "", Expand::default());
                hooks.push(mount.sim.event(&sk, "checkout.session.expired", view.clone()));
                st.last_webhook.insert(id.to_string(), hooks[0].clone());
                Ok(Answer::ok(&view))
            })
        }))
    })
    .await;
    mount.sim.deliver_later(hooks);
    response
}

async fn read_intent(
    req: HttpRequest,
    id: web::Path<String>,
    mount: web::Data<Mount>,
) -> HttpResponse {
    let fault = begin_call(&mount.sim, CallKind::Query, |st| {
        st.session_of_intent(&id)
            .and_then(|s| s.client_reference_id.clone())
    });
    let expand = Expand::for_intent(&expansions(req.query_string()));
    let resources: &[&str] = if expand.charge {
        &[INTENTS, CHARGES]
    } else {
        &[INTENTS]
    };
    faults::respond(fault, || {
        let st = mount.sim.lock();
        errors::of(authenticate(&st, &req, resources).and_then(|sk| {
            let missing = || ApiError::Missing {
                object: "payment_intent",
                id: id.to_string(),
            };
            let s = st
                .session_of_intent(&id)
                .filter(|s| s.secret_key == sk)
                .ok_or_else(missing)?;
            let i = s.intent.as_ref().ok_or_else(missing)?;
            Ok(Answer::ok(&intent_view(s, i, expand.charge)))
        }))
    })
    .await
}
