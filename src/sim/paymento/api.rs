//! The API: create (`/v1/payment/request`), verify (`/v1/payment/verify`) and the IPN settings
//! (`/v1/payment/settings`), authenticated by `Api-Key` (docs/gateways/paymento.md, "Endpoints" and
//! "Authentication").
//!
//! Create and verify are counted (verify as `query`, by the order's `orderId`) and every API call
//! may be faulted before anything else, so tests can prove how often the adapter asked.

use actix_web::http::StatusCode;
use actix_web::{web, HttpRequest, HttpResponse};
use chrono::Utc;
use rust_decimal::Decimal;
use serde::Serialize;
use serde_json::value::RawValue;

use super::envelope::{self, Answer, ApiError};
use super::envelope::{API_KEY_MISSING, INVALID_API_KEY, INVALID_IPN_METHOD, INVALID_IPN_URL};
use super::envelope::{HTTPS_ONLY, INVALID_AMOUNT, INVALID_CURRENCY, INVALID_REQUEST};
use super::envelope::{INVALID_RETURN_URL, INVALID_RISK_SPEED, INVALID_TOKEN, RETURN_URL_REQUIRED};
use super::json::Body;
use super::state::{Account, CallKind, Fault, Order, Status};
use super::{faults, Mount, PaymentoConfig, PaymentoSim};

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.route("/v1/payment/request", web::post().to(create))
        .route("/v1/payment/verify", web::post().to(verify))
        .route("/v1/payment/settings", web::post().to(set_settings))
        .route("/v1/payment/settings", web::get().to(get_settings));
}

/// Counts a call (when it is one the stats name; an empty `orderId` is no reference) and takes
/// one use of the armed fault.
fn begin_call(sim: &PaymentoSim, kind: Option<CallKind>, reference: Option<&str>) -> Option<Fault> {
    let mut st = sim.lock();
    if let Some(kind) = kind {
        st.stats.count(kind, reference.filter(|r| !r.is_empty()));
    }
    st.fault.take_one()
}

/// `Api-Key` (header names are case-insensitive): missing → 400 `API_KEY_MISSING`, unknown → 401.
pub fn authenticate(sim: &PaymentoSim, req: &HttpRequest) -> Result<Account, ApiError> {
    let key = req
        .headers()
        .get("Api-Key")
        .and_then(|v| v.to_str().ok())
        .map(str::trim)
        .filter(|k| !k.is_empty())
        .ok_or(API_KEY_MISSING)?;
    sim.lock().accounts.get(key).cloned().ok_or(INVALID_API_KEY)
}

async fn create(req: HttpRequest, body: web::Bytes, mount: web::Data<Mount>) -> HttpResponse {
    let reference = Body::parse(&body).and_then(|b| b.string(&["orderid"]).ok().flatten());
    let fault = begin_call(&mount.sim, Some(CallKind::Create), reference.as_deref());
    faults::respond(fault, || {
        envelope::of(create_order(&mount.sim, &req, &body))
    })
    .await
}

/// A validated create request.
struct NewOrder {
    order_id: String,
    fiat_amount: Decimal,
    fiat_currency: String,
    return_url: String,
    risk_speed: u8,
    additional_data: Vec<(String, String)>,
}

fn parse_create(config: &PaymentoConfig, body: &[u8]) -> Result<NewOrder, ApiError> {
    let b = Body::parse(body).ok_or(INVALID_REQUEST)?;
    let fiat_amount = b
        .decimal(&["fiatamount"])
        .map_err(|_| INVALID_AMOUNT)?
        .filter(|a| *a > Decimal::ZERO)
        .ok_or(INVALID_AMOUNT)?;
    let fiat_currency = b
        .string(&["fiatcurrency"])
        .map_err(|_| INVALID_CURRENCY)?
        .filter(|c| config.currencies.contains(c))
        .ok_or(INVALID_CURRENCY)?;
    let return_url = b
        .string(&["returnurl"])
        .map_err(|_| INVALID_RETURN_URL)?
        .filter(|u| !u.trim().is_empty())
        .ok_or(RETURN_URL_REQUIRED)?;
    check_return_url(&return_url, config.allow_loopback_http)?;
    // P4: every spelling the docs and plugins use; ASP.NET's int default is 0.
    let risk_speed = match b.integer(&["riskspeed", "speed"]) {
        Ok(None | Some(0)) => 0,
        Ok(Some(1)) => 1,
        _ => return Err(INVALID_RISK_SPEED),
    };
    Ok(NewOrder {
        order_id: b
            .string(&["orderid"])
            .map_err(|_| INVALID_REQUEST)?
            .unwrap_or_default(),
        fiat_amount,
        fiat_currency,
        return_url,
        risk_speed,
        additional_data: b.pairs(&["additionaldata"]),
    })
}

/// https only (the plugin-observed rule), except http on a loopback host when allowed.
fn check_return_url(raw: &str, allow_loopback_http: bool) -> Result<(), ApiError> {
    let url = url::Url::parse(raw).map_err(|_| INVALID_RETURN_URL)?;
    let loopback = match url.host() {
        Some(url::Host::Domain(d)) => d.eq_ignore_ascii_case("localhost"),
        Some(url::Host::Ipv4(ip)) => ip.is_loopback(),
        Some(url::Host::Ipv6(ip)) => ip.is_loopback(),
        None => false,
    };
    match url.scheme() {
        "https" => Ok(()),
        "http" if allow_loopback_http && loopback => Ok(()),
        "http" => Err(HTTPS_ONLY),
        _ => Err(INVALID_RETURN_URL),
    }
}

fn create_order(sim: &PaymentoSim, req: &HttpRequest, body: &[u8]) -> Result<Answer, ApiError> {
    let account = authenticate(sim, req)?;
    let new = parse_create(&sim.config, body)?;
    let token = format!("{:032x}", rand::random::<u128>());
    let mut st = sim.lock();
    let payment_id = st.next_payment_id;
    st.next_payment_id += 1;
    st.orders.insert(
        token.clone(),
        Order {
            token: token.clone(),
            payment_id,
            api_key: account.api_key,
            order_id: new.order_id,
            fiat_amount: new.fiat_amount,
            fiat_currency: new.fiat_currency,
            return_url: new.return_url,
            risk_speed: new.risk_speed,
            status: Status::Initialize,
            received: Decimal::ZERO,
            confirmed: Decimal::ZERO,
            additional_data: new.additional_data,
            created: Utc::now(),
        },
    );
    Ok(envelope::ok(token))
}

async fn verify(req: HttpRequest, body: web::Bytes, mount: web::Data<Mount>) -> HttpResponse {
    let token = Body::parse(&body)
        .and_then(|b| b.string(&["token"]).ok().flatten())
        .map(|t| t.trim().to_owned());
    let reference = token
        .as_deref()
        .and_then(|t| mount.sim.lock().orders.get(t).map(|o| o.order_id.clone()));
    let fault = begin_call(&mount.sim, Some(CallKind::Query), reference.as_deref());
    faults::respond(fault, || {
        envelope::of(verify_order(&mount.sim, &req, token.as_deref()))
    })
    .await
}

/// P7: verify approves a Paid order (7 → 8) and answers `success:true` only for Approve; any
/// other known order answers `success:false` with its body. No IPN for 7 → 8: the store caused it
/// and has the answer in hand [INFERRED].
fn verify_order(
    sim: &PaymentoSim,
    req: &HttpRequest,
    token: Option<&str>,
) -> Result<Answer, ApiError> {
    let account = authenticate(sim, req)?;
    let mut st = sim.lock();
    let order = token
        .and_then(|t| st.orders.get_mut(t))
        .filter(|o| o.api_key == account.api_key)
        .ok_or(INVALID_TOKEN)?;
    if order.status == Status::Paid {
        order.status = Status::Approve;
    }
    let view = OrderView::from(&*order);
    Ok(if order.status == Status::Approve {
        envelope::ok(view)
    } else {
        let message = format!(
            "Payment is not approved. Order status: {}",
            order.status.name()
        );
        envelope::answer(StatusCode::OK, false, &message, view)
    })
}

/// A decimal as a JSON number with its own digits.
fn number(d: Decimal) -> Box<RawValue> {
    RawValue::from_string(d.to_string()).expect("a decimal is a JSON number")
}

#[derive(Serialize)]
struct KeyValue<'a> {
    key: &'a str,
    value: &'a str,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Settlement {
    expected_crypto_amount: Box<RawValue>,
    requested_fiat_amount: Box<RawValue>,
    received_crypto_amount: Box<RawValue>,
    pending_tx_hash: String,
    coin: &'static str,
}

/// The verify answer's body ("Endpoints"; `orderId` out of additionalData, no top-level amount).
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub struct OrderView<'a> {
    token: &'a str,
    order_id: &'a str,
    order_status: u8,
    additional_data: Vec<KeyValue<'a>>,
    settlement: Settlement,
}

impl<'a> From<&'a Order> for OrderView<'a> {
    fn from(o: &'a Order) -> Self {
        let tx = if o.received > Decimal::ZERO {
            format!("0x{}{}", o.token, o.token)
        } else {
            String::new()
        };
        OrderView {
            token: &o.token,
            order_id: &o.order_id,
            order_status: o.status.code(),
            additional_data: o
                .additional_data
                .iter()
                .map(|(key, value)| KeyValue { key, value })
                .collect(),
            settlement: Settlement {
                expected_crypto_amount: number(o.fiat_amount),
                requested_fiat_amount: number(o.fiat_amount),
                received_crypto_amount: number(o.received),
                pending_tx_hash: tx,
                coin: "USDT",
            },
        }
    }
}

/// P5: the swagger spelling on the way out.
#[derive(Serialize)]
struct SettingsView<'a> {
    #[serde(rename = "ipN_URL")]
    url: Option<&'a str>,
    #[serde(rename = "ipN_Method")]
    method: u8,
}

async fn set_settings(req: HttpRequest, body: web::Bytes, mount: web::Data<Mount>) -> HttpResponse {
    let fault = begin_call(&mount.sim, None, None);
    faults::respond(fault, || {
        envelope::of(write_settings(&mount.sim, &req, &body))
    })
    .await
}

fn write_settings(sim: &PaymentoSim, req: &HttpRequest, body: &[u8]) -> Result<Answer, ApiError> {
    let account = authenticate(sim, req)?;
    let b = Body::parse(body).ok_or(INVALID_REQUEST)?;
    let url = b
        .string(&["ipn_url", "ipnurl"])
        .map_err(|_| INVALID_IPN_URL)?
        .map(|u| u.trim().to_owned())
        .filter(|u| url::Url::parse(u).is_ok_and(|p| matches!(p.scheme(), "http" | "https")))
        .ok_or(INVALID_IPN_URL)?;
    let method = match b.integer(&["ipn_method", "ipnmethod"]) {
        Ok(None) => 1,
        Ok(Some(m @ 0..=2)) => m as u8,
        _ => return Err(INVALID_IPN_METHOD),
    };
    let mut st = sim.lock();
    let acc = st
        .accounts
        .get_mut(&account.api_key)
        .ok_or(INVALID_API_KEY)?;
    acc.ipn_url = Some(url.clone());
    acc.ipn_method = method;
    acc.settings_updates += 1;
    Ok(envelope::ok(SettingsView {
        url: Some(&url),
        method,
    }))
}

async fn get_settings(req: HttpRequest, mount: web::Data<Mount>) -> HttpResponse {
    let fault = begin_call(&mount.sim, None, None);
    faults::respond(fault, || {
        envelope::of(authenticate(&mount.sim, &req).map(|a| {
            envelope::ok(SettingsView {
                url: a.ipn_url.as_deref(),
                method: a.ipn_method,
            })
        }))
    })
    .await
}
