//! Refund endpoints: create (`POST …/refunds`) and query (`GET …/refunds?merchantRefundOrderId=`)
//! (docs/gateways/paystablecoin.md, "Refunds").
//!
//! A refund answers `PROCESSING` and completes (`SUCCEEDED`) right after; when `notifyUrl` was
//! given the refund webhook (S8) is spawned after the answer, so the adapter sees the documented
//! asynchronous shape. A refund is bounded by the money the order took less every refund so far,
//! dashboard refunds (`chaos`) included: more is `10008`, nothing left `20007`.

use actix_web::{web, HttpRequest, HttpResponse};
use rust_decimal::Decimal;
use serde_json::{json, Map, Value};

use super::api::begin_call;
use super::envelope::{self, ApiError, AMOUNT_OUT_OF_RANGE, CURRENCY_NOT_SUPPORTED};
use super::envelope::{INVALID_FORMAT, INVALID_STATUS, MISSING_PARAMETER, NOT_FOUND, ORDER_EXISTS};
use super::state::{CallKind, OrderStatus, Refund, SentWebhook};
use super::{auth, faults, validate, webhook, Mount};

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.route(
        "/api/v1/merchants/{merchant_id}/refunds",
        web::post().to(create),
    )
    .route(
        "/api/v1/merchants/{merchant_id}/refunds",
        web::get().to(query),
    );
}

async fn create(
    req: HttpRequest,
    path: web::Path<String>,
    body: web::Bytes,
    mount: web::Data<Mount>,
) -> HttpResponse {
    let reference = validate::body_field(&body, "merchantRefundOrderId");
    let fault = begin_call(&mount.sim, CallKind::Refund, reference.as_deref());
    let mut notify = None;
    let answer = faults::respond(fault, || {
        envelope::of(create_refund(&mount, &req, &path, &body, &mut notify))
    })
    .await;
    if let Some(hook) = notify {
        let sim = mount.sim.clone();
        actix_web::rt::spawn(async move {
            let _ = sim.send_webhook(&hook, false).await;
        });
    }
    answer
}

fn query_param(req: &HttpRequest) -> Option<String> {
    serde_urlencoded::from_str::<Vec<(String, String)>>(req.query_string())
        .ok()?
        .into_iter()
        .find(|(k, _)| k == "merchantRefundOrderId")
        .map(|(_, v)| v)
}

async fn query(req: HttpRequest, path: web::Path<String>, mount: web::Data<Mount>) -> HttpResponse {
    let reference = query_param(&req);
    let fault = begin_call(&mount.sim, CallKind::Query, reference.as_deref());
    faults::respond(fault, || {
        envelope::of(query_refund(&mount, &req, &path, reference.as_deref()))
    })
    .await
}

/// `refundAmount` as a string (`"10.00"`) or as `{value, currency}`; returns (value, currency?).
fn requested_amount(v: &Value) -> Result<(Decimal, Option<&str>), ApiError> {
    match v {
        Value::String(s) => Ok((validate::amount(s)?, None)),
        Value::Object(o) => Ok((
            validate::amount(validate::required(o, "value")?)?,
            validate::optional(o, "currency")?,
        )),
        _ => Err(INVALID_FORMAT),
    }
}

fn refund_view(r: &Refund, status: &str) -> Value {
    json!({
        "merchantRefundOrderId": r.merchant_refund_order_id,
        "acquiringOrderId": r.acquiring_order_id,
        "status": status,
        "refundAmount": {"value": r.amount.to_string(), "currency": r.currency},
    })
}

fn create_refund(
    mount: &Mount,
    req: &HttpRequest,
    merchant_id: &str,
    body: &[u8],
    notify: &mut Option<SentWebhook>,
) -> Result<Value, ApiError> {
    let sim = &mount.sim;
    let (_, real_path) = mount.split_path(req);
    let account = auth::authenticate(sim, req, merchant_id, real_path, body)?;
    let obj: Map<String, Value> = validate::object(body)?;
    let refund_id = validate::required(&obj, "merchantRefundOrderId")?;
    let acquiring_id = validate::required(&obj, "acquiringOrderId")?;
    validate::optional(&obj, "refundReason")?;
    let notify_url = validate::optional(&obj, "notifyUrl")?;
    let requested = obj.get("refundAmount").filter(|v| !v.is_null());
    if !validate::reference(refund_id, 1, 64) {
        return Err(INVALID_FORMAT);
    }
    let asked = requested.map(requested_amount).transpose()?;
    if let Some(u) = notify_url {
        validate::url(u)?;
    }

    let mut st = sim.lock();
    let st = &mut *st;
    let key = (merchant_id.to_owned(), refund_id.to_owned());
    if st.refunds.contains_key(&key) {
        return Err(ORDER_EXISTS);
    }
    let mut order_key = acquiring_id.to_owned();
    if !st.orders.contains_key(&order_key) && sim.config.refund_accepts_merchant_order_id {
        let by_ref = (merchant_id.to_owned(), acquiring_id.to_owned());
        order_key = st.order_refs.get(&by_ref).cloned().unwrap_or_default();
    }
    let order = st
        .orders
        .get_mut(&order_key)
        .filter(|o| o.merchant_id == merchant_id)
        .ok_or(NOT_FOUND)?;
    // Bounded by the money taken, less every refund so far (the dashboard's too).
    let remaining = order.refundable();
    if order.status != OrderStatus::Succeeded || remaining <= Decimal::ZERO {
        return Err(INVALID_STATUS);
    }
    let amount = match asked {
        Some((_, Some(c))) if c != order.currency => return Err(CURRENCY_NOT_SUPPORTED),
        Some((a, _)) if a > remaining => return Err(AMOUNT_OUT_OF_RANGE),
        Some((a, _)) => a,
        None => remaining,
    };
    order.refunded += amount;
    let refund = Refund {
        api_key: account.api_key,
        merchant_refund_order_id: refund_id.to_owned(),
        acquiring_order_id: order.acquiring_order_id.clone(),
        status: "SUCCEEDED",
        requested: requested.cloned(),
        amount,
        currency: order.currency.clone(),
    };
    let data = refund_view(&refund, "PROCESSING");
    *notify = notify_url.map(|url| SentWebhook {
        api_key: refund.api_key.clone(),
        url: url.to_owned(),
        body: webhook::refund_body(&refund),
    });
    st.refunds.insert(key, refund);
    Ok(data)
}

fn query_refund(
    mount: &Mount,
    req: &HttpRequest,
    merchant_id: &str,
    reference: Option<&str>,
) -> Result<Value, ApiError> {
    let sim = &mount.sim;
    let (_, real_path) = mount.split_path(req);
    auth::authenticate(sim, req, merchant_id, real_path, b"")?;
    let reference = reference
        .filter(|r| !r.is_empty())
        .ok_or(MISSING_PARAMETER)?;
    let st = sim.lock();
    let key = (merchant_id.to_owned(), reference.to_owned());
    let refund = st.refunds.get(&key).ok_or(NOT_FOUND)?;
    Ok(refund_view(refund, refund.status))
}
