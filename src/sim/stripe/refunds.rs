//! Refund endpoints: `POST /v1/refunds` (by `payment_intent`, or `charge`; `amount` optional,
//! all that is left by default) and `GET /v1/refunds/{id}`.
//!
//! Refunds succeed at once, partial ones included; the charge's `amount_refunded` grows, and a
//! refund beyond what is left (after every refund so far, dashboard ones included) is Stripe's
//! 400 `amount_too_large` (`charge_already_refunded` once nothing is left). A refund sends
//! `charge.refunded` and `refund.created` after answering.

use actix_web::{web, HttpRequest, HttpResponse};
use std::collections::BTreeMap;

use super::api::{authenticate, begin_call, idempotency_key, REFUNDS};
use super::errors::{self, Answer, ApiError};
use super::idempotency;
use super::input::Form;
use super::state::{new_id, CallKind, Refund, SentWebhook, Session, State};
use super::views::{charge_view, refund_view};
use super::{faults, Mount, StripeSim};

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.route("/v1/refunds", web::post().to(create))
        .route("/v1/refunds/{id}", web::get().to(read));
}

/// The session holding the intent or charge a refund form names.
fn session_id_of(st: &State, form: &Form) -> Option<String> {
    let by_intent = form.get("payment_intent");
    let by_charge = form.get("charge");
    st.sessions
        .values()
        .find(|s| {
            s.intent.as_ref().is_some_and(|i| {
                by_intent == Some(i.id.as_str())
                    || (by_charge.is_some() && i.charge.as_ref().map(|c| c.id.as_str()) == by_charge)
            })
        })
        .map(|s| s.id.clone())
}

async fn create(req: HttpRequest, body: web::Bytes, mount: web::Data<Mount>) -> HttpResponse {
    let form = Form::parse(&body);
    let fault = begin_call(&mount.sim, CallKind::Refund, |st| {
        let id = session_id_of(st, &form)?;
        st.sessions.get(&id)?.client_reference_id.clone()
    });
    let mut hooks = Vec::new();
    let response = faults::respond(fault, || {
        let mut st = mount.sim.lock();
        errors::of(authenticate(&st, &req, &[REFUNDS]).and_then(|sk| {
            let key = idempotency_key(&req);
            idempotency::once(&mut st, &sk, key.as_deref(), "POST /v1/refunds", &form, |st| {
                let id = session_id_of(st, &form)
                    .filter(|id| st.sessions[id].secret_key == sk)
                    .ok_or_else(|| missing_target(&form))?;
                let asked = form.int("amount")?;
                let refund = refund(&mount.sim, st, &id, asked, form.hash("metadata"), &mut hooks)?;
                Ok(Answer::ok(&refund_view(&refund)))
            })
        }))
    })
    .await;
    mount.sim.deliver_later(hooks);
    response
}

fn missing_target(form: &Form) -> ApiError {
    match (form.get("payment_intent"), form.get("charge")) {
        (Some(id), _) => ApiError::Missing { object: "payment_intent", id: id.to_owned() },
        (None, Some(id)) => ApiError::Missing { object: "charge", id: id.to_owned() },
        (None, None) => ApiError::invalid("payment_intent", "One of `charge` or `payment_intent` is required."),
    }
}

/// Refunds `asked` (all that is left when `None`) of session `id`'s charge, and queues the
/// `charge.refunded` and `refund.created` events in `hooks`. Returns a copy of the refund.
pub(super) fn refund(
    sim: &StripeSim,
    st: &mut State,
    id: &str,
    asked: Option<i64>,
    metadata: BTreeMap<String, String>,
    hooks: &mut Vec<SentWebhook>,
) -> Result<Refund, ApiError> {
    let s: &mut Session = st.sessions.get_mut(id).expect("the caller found it");
    let intent = s.intent.as_mut().expect("a session found by its intent has one");
    let charge = intent.charge.as_mut().ok_or_else(|| ApiError::Invalid {
        param: Some("payment_intent"),
        code: Some("charge_not_refundable"),
        message: format!("This PaymentIntent ({}) does not have a successful charge to refund.", intent.id),
    })?;
    let left = charge.amount - charge.refunded;
    if left == 0 {
        let message = format!("Charge {} has already been refunded.", charge.id);
        return Err(ApiError::Invalid { param: None, code: Some("charge_already_refunded"), message });
    }
    let amount = asked.unwrap_or(left);
    if amount < 1 || amount > left {
        let message = format!("Refund amount ({amount}) is greater than unrefunded amount on charge ({left})");
        return Err(ApiError::Invalid { param: Some("amount"), code: Some("amount_too_large"), message });
    }
    charge.refunded += amount;
    let refund = Refund {
        id: new_id("re_"),
        secret_key: s.secret_key.clone(),
        intent_id: intent.id.clone(),
        charge_id: charge.id.clone(),
        session_id: s.id.clone(),
        amount,
        currency: s.currency.clone(),
        metadata,
        created: chrono::Utc::now().timestamp(),
        failed: false,
        seq: st.refunds.len(),
    };
    let (s, i) = (&*s, s.intent.as_ref().expect("checked"));
    let charged = charge_view(s, i, i.charge.as_ref().expect("checked"));
    hooks.push(sim.event(&s.secret_key, "charge.refunded", charged));
    hooks.push(sim.event(&s.secret_key, "refund.created", refund_view(&refund)));
    st.last_webhook.insert(id.to_owned(), hooks[hooks.len() - 2].clone());
    st.refunds.insert(refund.id.clone(), refund.clone());
    Ok(refund)
}

async fn read(req: HttpRequest, id: web::Path<String>, mount: web::Data<Mount>) -> HttpResponse {
    let fault = begin_call(&mount.sim, CallKind::Query, |st| {
        let r = st.refunds.get(id.as_str())?;
        st.sessions.get(&r.session_id)?.client_reference_id.clone()
    });
    faults::respond(fault, || {
        let st = mount.sim.lock();
        errors::of(authenticate(&st, &req, &[REFUNDS]).and_then(|sk| {
            let r = st
                .refunds
                .get(id.as_str())
                .filter(|r| r.secret_key == sk)
                .ok_or_else(|| ApiError::Missing { object: "refund", id: id.to_string() })?;
            Ok(Answer::ok(&refund_view(r)))
        }))
    })
    .await
}
