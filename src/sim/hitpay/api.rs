//! Payment request endpoints (docs/gateways/hitpay.md, "Endpoints"): `POST /v1/payment-requests`,
//! `GET …/{id}`, `DELETE …/{id}`.
//!
//! Each call is counted and may be faulted before anything else (so tests can prove how often the
//! adapter asked), then authenticated (`X-BUSINESS-API-KEY`) and validated as HitPay does. The
//! official PHP wrapper adds a trailing slash to the path, so both spellings are routed.

use actix_web::{web, HttpRequest, HttpResponse};
use chrono::{DateTime, Duration, FixedOffset, NaiveDateTime, Utc};
use rust_decimal::Decimal;

use super::errors::{self, Answer, ApiError};
use super::input::{self, Input};
use super::state::{CallKind, Fault, PaymentRequest, RequestStatus, State};
use super::views::request_view;
use super::{HitPaySim, Mount};

pub fn routes(cfg: &mut web::ServiceConfig) {
    for path in ["/v1/payment-requests", "/v1/payment-requests/"] {
        cfg.route(path, web::post().to(create));
    }
    cfg.route("/v1/payment-requests/{id}", web::get().to(query))
        .route("/v1/payment-requests/{id}", web::delete().to(cancel));
}

/// Currencies the simulator accepts (HitPay's common ones).
const CURRENCIES: [&str; 13] = [
    "SGD", "MYR", "PHP", "USD", "AUD", "EUR", "GBP", "HKD", "IDR", "THB", "VND", "INR", "BDT",
];

/// Payment method names of the OpenAPI and of the older seed list ("Endpoints").
const METHODS: [&str; 13] = [
    "card",
    "paynow_online",
    "grabpay_direct",
    "grabpay_paylater",
    "shopee_pay",
    "wechat",
    "alipay",
    "grabpay",
    "fave_duit",
    "shopback",
    "atome",
    "qrph_netbank",
    "doku_qris",
];

/// Counts an API call that reached its route and takes one use of the armed fault.
pub(super) fn begin_call(
    sim: &HitPaySim,
    kind: CallKind,
    reference: impl FnOnce(&State) -> Option<String>,
) -> Option<Fault> {
    let mut st = sim.lock();
    let r = reference(&st);
    st.stats.count(kind, r.as_deref());
    st.fault.take_one()
}

fn reference_of(st: &State, id: &str) -> Option<String> {
    st.requests.get(id).and_then(|r| r.reference_number.clone())
}

/// The caller's account key, or 401.
pub(super) fn authenticate(sim: &HitPaySim, req: &HttpRequest) -> Result<String, ApiError> {
    let key = req
        .headers()
        .get("X-BUSINESS-API-KEY")
        .and_then(|v| v.to_str().ok())
        .ok_or(ApiError::Unauthenticated)?;
    if sim.lock().accounts.contains_key(key) {
        Ok(key.to_owned())
    } else {
        Err(ApiError::Unauthenticated)
    }
}

async fn create(req: HttpRequest, body: web::Bytes, mount: web::Data<Mount>) -> HttpResponse {
    let input = Input::parse(&req, &body);
    let reference = input.get("reference_number").map(str::to_owned);
    let fault = begin_call(&mount.sim, CallKind::Create, |_| reference);
    super::faults::respond(fault, || errors::of(create_request(&mount, &req, &input))).await
}

async fn query(req: HttpRequest, id: web::Path<String>, mount: web::Data<Mount>) -> HttpResponse {
    let fault = begin_call(&mount.sim, CallKind::Query, |st| reference_of(st, &id));
    super::faults::respond(fault, || errors::of(read_request(&mount, &req, &id))).await
}

async fn cancel(req: HttpRequest, id: web::Path<String>, mount: web::Data<Mount>) -> HttpResponse {
    let fault = begin_call(&mount.sim, CallKind::Cancel, |st| reference_of(st, &id));
    super::faults::respond(fault, || errors::of(delete_request(&mount.sim, &req, &id))).await
}

/// `expiry_date` (`Y-m-d H:i:s`, SGT, T10) or `expires_after` (`30 mins`, `2 hours`, `7 days`).
fn expiry(input: &Input, now: DateTime<Utc>) -> Result<Option<DateTime<Utc>>, ApiError> {
    if let Some(raw) = input.get("expiry_date") {
        let naive = NaiveDateTime::parse_from_str(raw, "%Y-%m-%d %H:%M:%S").map_err(|_| {
            ApiError::invalid(
                "expiry_date",
                "The expiry date does not match the format Y-m-d H:i:s.".into(),
            )
        })?;
        let sgt = FixedOffset::east_opt(8 * 3600).expect("UTC+8");
        let at = naive
            .and_local_timezone(sgt)
            .single()
            .map(|t| t.with_timezone(&Utc))
            .ok_or_else(|| {
                ApiError::invalid("expiry_date", "The expiry date is not a valid date.".into())
            })?;
        if at <= now {
            return Err(ApiError::invalid(
                "expiry_date",
                "The expiry date must be a date after now.".into(),
            ));
        }
        return Ok(Some(at));
    }
    let Some(raw) = input.get("expires_after") else {
        return Ok(None);
    };
    let bad = || {
        ApiError::invalid(
            "expires_after",
            "The expires after format is invalid.".into(),
        )
    };
    let (n, unit) = raw.split_once(' ').ok_or_else(bad)?;
    let n: i64 = n.parse().map_err(|_| bad())?;
    // Checked: a huge count must be refused, not overflow chrono (a panic in the handler).
    let span = match unit {
        "min" | "mins" | "minute" | "minutes" => Duration::try_minutes(n),
        "hour" | "hours" => Duration::try_hours(n),
        "day" | "days" => Duration::try_days(n),
        _ => return Err(bad()),
    };
    span.and_then(|span| now.checked_add_signed(span))
        .map(Some)
        .ok_or_else(bad)
}

fn create_request(mount: &Mount, req: &HttpRequest, input: &Input) -> Result<Answer, ApiError> {
    let sim = &mount.sim;
    let api_key = authenticate(sim, req)?;
    let now = Utc::now();
    let amount = input::amount(
        "amount",
        input.required("amount", "amount")?,
        Decimal::new(3, 1),
        Decimal::new(99_999_999_999, 2),
        "The amount must be between 0.3 and 999999999.99.",
    )?;
    let currency = input.required("currency", "currency")?.to_ascii_uppercase();
    if !CURRENCIES.contains(&currency.as_str()) {
        return Err(ApiError::invalid(
            "currency",
            "The selected currency is invalid.".into(),
        ));
    }
    let email = input.text_max("email", "email", 255)?;
    if email.as_deref().is_some_and(|e| !e.contains('@')) {
        return Err(ApiError::invalid(
            "email",
            "The email must be a valid email address.".into(),
        ));
    }
    let methods = input.list("payment_methods");
    if methods.iter().any(|m| !METHODS.contains(&m.as_str())) {
        return Err(ApiError::invalid(
            "payment_methods",
            "The selected payment methods is invalid.".into(),
        ));
    }
    let mut request = PaymentRequest {
        id: super::state::uuid(),
        api_key,
        amount,
        currency,
        status: RequestStatus::Pending,
        reference_number: input.text_max("reference_number", "reference number", 255)?,
        redirect_url: input.url("redirect_url", "redirect url", 1028)?,
        webhook: input.url("webhook", "webhook", 2048)?,
        email,
        name: input.text_max("name", "name", 255)?,
        phone: input.text_max("phone", "phone", 255)?,
        purpose: input.text_max("purpose", "purpose", 255)?,
        payment_methods: methods.to_vec(),
        allow_repeated_payments: input
            .boolean("allow_repeated_payments", "allow repeated payments")?,
        expiry: expiry(input, now)?,
        created: now,
        updated: now,
        payments: Vec::new(),
    };
    if request.payment_methods.is_empty() {
        request.payment_methods = vec!["card".into(), "paynow_online".into()];
    }
    let view = request_view(&request, &mount.checkout_url(req, &request.id), false);
    sim.lock().requests.insert(request.id.clone(), request);
    Ok(Answer::ok(&view))
}

fn read_request(mount: &Mount, req: &HttpRequest, id: &str) -> Result<Answer, ApiError> {
    let api_key = authenticate(&mount.sim, req)?;
    let mut st = mount.sim.lock();
    let request = st
        .requests
        .get_mut(id)
        .filter(|r| r.api_key == api_key)
        .ok_or_else(|| ApiError::not_found("PaymentRequest", id))?;
    request.expire_if_due(Utc::now());
    Ok(Answer::ok(&request_view(
        request,
        &mount.checkout_url(req, id),
        true,
    )))
}

fn delete_request(sim: &HitPaySim, req: &HttpRequest, id: &str) -> Result<Answer, ApiError> {
    let api_key = authenticate(sim, req)?;
    let mut st = sim.lock();
    let request = st
        .requests
        .get_mut(id)
        .filter(|r| r.api_key == api_key)
        .ok_or_else(|| ApiError::not_found("PaymentRequest", id))?;
    if request.status == RequestStatus::Completed {
        return Err(ApiError::BadRequest(
            "A completed payment request cannot be deleted.".into(),
        ));
    }
    request.status = RequestStatus::Canceled;
    request.updated = Utc::now();
    Ok(Answer::ok(&serde_json::json!({ "success": true })))
}
