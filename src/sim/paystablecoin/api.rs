//! Order endpoints: create (`POST …/orders`) and query (`GET …/orders/{merchantOrderId}`).
//!
//! Each call is counted and may be faulted before anything else (so tests can prove how often the
//! adapter asked), then authenticated and validated exactly as docs/gateways/paystablecoin.md
//! describes ("Signing", "Endpoints").

use actix_web::{web, HttpRequest, HttpResponse};
use chrono::{DateTime, Utc};
use rust_decimal::Decimal;
use serde_json::{json, Value};

use super::envelope::{self, ApiError, CURRENCY_NOT_SUPPORTED, EXPIRES_IN_PAST, INVALID_FORMAT};
use super::envelope::{MISSING_PARAMETER, NOT_FOUND, ORDER_EXISTS};
use super::state::{CallKind, Fault, Order, OrderStatus};
use super::webhook::PaymentWebhook;
use super::{auth, faults, validate, Mount, PscSim};

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.route(
        "/api/v1/merchants/{merchant_id}/orders",
        web::post().to(create),
    )
    .route(
        "/api/v1/merchants/{merchant_id}/orders/{merchant_order_id}",
        web::get().to(query),
    );
}

/// Counts an API call that reached its route and takes one use of the armed fault.
pub(super) fn begin_call(sim: &PscSim, kind: CallKind, reference: Option<&str>) -> Option<Fault> {
    let mut st = sim.lock();
    st.stats.count(kind, reference);
    st.fault.take_one()
}

async fn create(
    req: HttpRequest,
    path: web::Path<String>,
    body: web::Bytes,
    mount: web::Data<Mount>,
) -> HttpResponse {
    let reference = validate::body_field(&body, "merchantOrderId");
    let fault = begin_call(&mount.sim, CallKind::Create, reference.as_deref());
    faults::respond(fault, || {
        envelope::of(create_order(&mount, &req, &path, &body))
    })
    .await
}

async fn query(
    req: HttpRequest,
    path: web::Path<(String, String)>,
    mount: web::Data<Mount>,
) -> HttpResponse {
    let (merchant_id, merchant_order_id) = path.into_inner();
    let fault = begin_call(&mount.sim, CallKind::Query, Some(&merchant_order_id));
    faults::respond(fault, || {
        envelope::of(query_order(&mount, &req, &merchant_id, &merchant_order_id))
    })
    .await
}

/// A validated create-order request.
struct NewOrder {
    merchant_order_id: String,
    amount_value: String,
    amount: Decimal,
    currency: String,
    expires_at: DateTime<Utc>,
    return_url: String,
    callback_url: Option<String>,
}

fn parse_create(
    body: &[u8],
    enforce_length: bool,
    now: DateTime<Utc>,
) -> Result<NewOrder, ApiError> {
    let obj = validate::object(body)?;
    let merchant_order_id = validate::required(&obj, "merchantOrderId")?;
    let amount = match obj.get("orderAmount") {
        None | Some(Value::Null) => return Err(MISSING_PARAMETER),
        Some(Value::Object(a)) => a,
        Some(_) => return Err(INVALID_FORMAT),
    };
    let value = validate::required(amount, "value")?;
    let currency = validate::required(amount, "currency")?;
    let expires_at = validate::required(&obj, "expiresAt")?;
    let return_url = validate::required(&obj, "returnUrl")?;
    let callback_url = validate::optional(&obj, "callbackUrl")?;

    let (min, max) = if enforce_length { (16, 64) } else { (1, 64) };
    if !validate::reference(merchant_order_id, min, max) {
        return Err(INVALID_FORMAT);
    }
    let parsed_amount = validate::amount(value)?;
    if !matches!(currency, "USD" | "USDT") {
        return Err(CURRENCY_NOT_SUPPORTED);
    }
    let expires_at = DateTime::parse_from_rfc3339(expires_at)
        .map_err(|_| INVALID_FORMAT)?
        .with_timezone(&Utc);
    if expires_at <= now {
        return Err(EXPIRES_IN_PAST);
    }
    validate::url(return_url)?;
    if let Some(cb) = callback_url {
        validate::url(cb)?;
    }
    Ok(NewOrder {
        merchant_order_id: merchant_order_id.to_owned(),
        amount_value: value.to_owned(),
        amount: parsed_amount,
        currency: currency.to_owned(),
        expires_at,
        return_url: return_url.to_owned(),
        callback_url: callback_url.map(str::to_owned),
    })
}

fn create_order(
    mount: &Mount,
    req: &HttpRequest,
    merchant_id: &str,
    body: &[u8],
) -> Result<Value, ApiError> {
    let sim = &mount.sim;
    let (_, real_path) = mount.split_path(req);
    let account = auth::authenticate(sim, req, merchant_id, real_path, body)?;
    let now = Utc::now();
    let new = parse_create(body, sim.config.enforce_order_id_length, now)?;

    let mut st = sim.lock();
    let key = (merchant_id.to_owned(), new.merchant_order_id.clone());
    if st.order_refs.contains_key(&key) {
        return Err(ORDER_EXISTS);
    }
    let suffix = format!("{}_{:016X}", now.format("%Y%m%d"), rand::random::<u64>());
    let order = Order {
        merchant_id: merchant_id.to_owned(),
        api_key: account.api_key,
        acquiring_order_id: format!("ORD_{suffix}"),
        payment_order_id: format!("PAY_{suffix}"),
        merchant_order_id: new.merchant_order_id,
        status: OrderStatus::Init,
        amount_value: new.amount_value,
        amount: new.amount,
        currency: new.currency,
        crypto_payment: new.amount,
        crypto_paid: Decimal::ZERO,
        created: now,
        paid: None,
        expires_at: new.expires_at,
        return_url: new.return_url,
        callback_url: new.callback_url,
        refunded: Decimal::ZERO,
    };
    let data = json!({
        "acquiringOrderId": order.acquiring_order_id,
        "paymentOrderId": order.payment_order_id,
        "merchantOrderId": order.merchant_order_id,
        "status": order.status.as_str(),
        "orderAmount": {"value": order.amount_value, "currency": order.currency},
        "checkoutUrl": mount.checkout_url(req, &order.acquiring_order_id),
    });
    st.order_refs.insert(key, order.acquiring_order_id.clone());
    st.orders.insert(order.acquiring_order_id.clone(), order);
    Ok(data)
}

/// The query answer: the webhook's fields plus `expiresAt` and `checkoutUrl`.
pub(super) fn order_view(order: &Order, checkout_url: String) -> Value {
    let mut data = serde_json::to_value(PaymentWebhook::from(order)).unwrap_or(Value::Null);
    data["expiresAt"] = Value::String(super::webhook::iso(order.expires_at));
    data["checkoutUrl"] = Value::String(checkout_url);
    data
}

fn query_order(
    mount: &Mount,
    req: &HttpRequest,
    merchant_id: &str,
    merchant_order_id: &str,
) -> Result<Value, ApiError> {
    let sim = &mount.sim;
    let (_, real_path) = mount.split_path(req);
    auth::authenticate(sim, req, merchant_id, real_path, b"")?;
    let mut st = sim.lock();
    let key = (merchant_id.to_owned(), merchant_order_id.to_owned());
    let id = st.order_refs.get(&key).cloned().ok_or(NOT_FOUND)?;
    let order = st.orders.get_mut(&id).ok_or(NOT_FOUND)?;
    order.expire_if_due(Utc::now());
    Ok(order_view(order, mount.checkout_url(req, &id)))
}
