//! The test controls under `_sim/` that work the same in every simulator (docs/sandbox.md,
//! "Test controls"), and the pieces the gateway-specific ones are built from.
//!
//! They are not part of any gateway's contract, so they answer plain JSON with ordinary HTTP
//! statuses: 400 for a bad control request, 404 for an unknown record, 409 when the record's state
//! does not allow the control, 422 for an amount beyond what is allowed. A simulator mounts the
//! generic handlers with its own `Mount`, which implements [`SimControls`]:
//! `web::post().to(set_fault::<Mount>)`.

use std::future::Future;
use std::str::FromStr;

use actix_web::{web, HttpResponse};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use serde_json::json;
use serde_json::value::RawValue;

use super::faults::{Fault, FaultRequest, SLOW_DELAY_MS};

/// What the generic control handlers need from a simulator's mount point.
pub trait SimControls: 'static {
    /// The default delay of a `slow` fault.
    const SLOW_DELAY_MS: u64 = SLOW_DELAY_MS;

    type Stats: Serialize;

    /// Arms `fault` for the next API calls (`None` disarms).
    fn arm_fault(&self, fault: Option<Fault>);

    /// A copy of the call counters.
    fn stats(&self) -> Self::Stats;

    /// Clears records, faults and stats (not accounts).
    fn reset(&self);
}

pub fn bad_request(msg: &str) -> HttpResponse {
    HttpResponse::BadRequest().json(json!({ "error": msg }))
}

pub fn not_found(msg: &str) -> HttpResponse {
    HttpResponse::NotFound().json(json!({ "error": msg }))
}

/// The record's state does not allow the control (e.g. paying an order already paid).
pub fn conflict(msg: &str) -> HttpResponse {
    HttpResponse::Conflict().json(json!({ "error": msg }))
}

/// An amount beyond what is allowed (e.g. refunding more than is left).
pub fn unprocessable(msg: &str) -> HttpResponse {
    HttpResponse::UnprocessableEntity().json(json!({ "error": msg }))
}

/// `{"ok": true}`.
pub fn ok() -> HttpResponse {
    HttpResponse::Ok().json(json!({ "ok": true }))
}

/// Parses a control body; an empty body means "all defaults". The error is for [`bad_request`].
pub fn parse<T: for<'de> Deserialize<'de>>(body: &[u8]) -> Result<T, String> {
    let body: &[u8] = if body.iter().all(u8::is_ascii_whitespace) {
        b"{}"
    } else {
        body
    };
    serde_json::from_slice(body).map_err(|e| e.to_string())
}

/// The answer of a `late_payment` control: the record's new status (the gateway's own word or
/// number, as text) and the id of the charge that took the money, when the gateway has one.
pub fn late_paid(status: &str, charge_id: Option<&str>) -> HttpResponse {
    HttpResponse::Ok().json(json!({ "ok": true, "status": status, "charge_id": charge_id }))
}

#[derive(Deserialize)]
struct AmountBody {
    amount: Option<Box<RawValue>>,
}

/// The optional `amount` of a control body (`{"amount": "12.50"}`, a JSON number also accepted,
/// read from its text, never through a float): `None` when absent or null. Anything but a
/// positive plain decimal with at most 2 decimals is refused, with the message for
/// [`bad_request`].
pub fn parse_amount(body: &[u8]) -> Result<Option<Decimal>, String> {
    let b: AmountBody = parse(body)?;
    let Some(raw) = b.amount else {
        return Ok(None);
    };
    let text = match serde_json::from_str::<Option<String>>(raw.get()) {
        Ok(None) => return Ok(None),
        Ok(Some(s)) => s,
        Err(_) => raw.get().to_owned(),
    };
    let bad = || "amount must be a positive decimal with at most 2 decimals".to_owned();
    let (int, frac) = text.split_once('.').unwrap_or((&text, "0"));
    let plain = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
    if !plain(int) || !plain(frac) || frac.len() > 2 {
        return Err(bad());
    }
    match Decimal::from_str(&text) {
        Ok(d) if d > Decimal::ZERO => Ok(Some(d)),
        _ => Err(bad()),
    }
}

/// `POST _sim/faults {"mode", "count"?, "delay_ms"?}`: arms (or with `none`, clears) a fault.
pub async fn set_fault<M: SimControls>(body: web::Bytes, mount: web::Data<M>) -> HttpResponse {
    let b: FaultRequest = match parse(&body) {
        Ok(b) => b,
        Err(e) => return bad_request(&e),
    };
    let fault = match b.fault(M::SLOW_DELAY_MS) {
        Ok(fault) => fault,
        Err(msg) => return bad_request(msg),
    };
    mount.arm_fault(fault);
    HttpResponse::Ok().json(json!({
        "ok": true,
        "mode": fault.map_or("none", |_| b.mode.as_str()),
        "count": fault.map_or(0, |f| f.remaining),
        "delay_ms": fault.map_or(0, |f| f.delay_ms),
    }))
}

/// `GET _sim/stats`.
pub async fn stats<M: SimControls>(mount: web::Data<M>) -> HttpResponse {
    HttpResponse::Ok().json(mount.stats())
}

/// `POST _sim/reset`.
pub async fn reset<M: SimControls>(mount: web::Data<M>) -> HttpResponse {
    mount.reset();
    ok()
}

/// The body of `POST _sim/checkout/{id}/webhook`: `{"copies"?, "tamper"?}`.
#[derive(Deserialize)]
pub struct Resend {
    copies: Option<u32>,
    #[serde(default)]
    tamper: bool,
}

impl Resend {
    /// Sends `copies` (1 by default, at most 100) one after the other with `send(tamper)` and
    /// answers `{"sent", "statuses"}`.
    pub async fn run<F, Fut, S>(self, mut send: F) -> HttpResponse
    where
        F: FnMut(bool) -> Fut,
        Fut: Future<Output = S>,
        S: Serialize,
    {
        let copies = self.copies.unwrap_or(1).min(100);
        let mut statuses = Vec::new();
        for _ in 0..copies {
            statuses.push(send(self.tamper).await);
        }
        HttpResponse::Ok().json(json!({ "sent": copies, "statuses": statuses }))
    }
}
