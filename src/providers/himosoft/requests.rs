//! Building HimoSoft's requests (docs/gateways/himosoft.md, "Endpoints"), signed, with the
//! timestamp passed in so the "Test vectors" can be rebuilt exactly.
//!
//! Paths keep their trailing slash ("Endpoints": Django's APPEND_SLASH cannot redirect a POST). The
//! account's base URL (`https://pay.himosoft.com.bd/api`, or the simulator's `…/himosoft`) is
//! joined on when sending; HimoSoft signs only timestamp ‖ body, so the path is never signed.
//! A HimoSoft payment id goes into the path, so it is held to `[A-Za-z0-9_-]` (the documented
//! `pay_…` shape): anything else could walk to another path and is refused before sending.

use super::credentials::Credentials;
use super::signing::sign;
use super::wire::CreateBody;
use crate::providers::http_call::join;
use crate::providers::CheckoutRequest;
use reqwest::Method;
use rust_decimal::Decimal;

pub const CREATE_PATH: &str = "/v1/payments/";

/// The three read endpoints of one payment (H3: all GET).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Read {
    /// `/v1/payments/{id}/recheck/`: live query of the upstream provider (our `query`).
    Recheck,
    /// `/v1/payments/{id}/verify/`: DB-only, the fallback when the recheck fails.
    Verify,
    /// `/v1/payments/{id}/`: the only answer documented with `amount` and `currency`.
    Retrieve,
}

#[derive(Debug)]
pub struct SignedRequest {
    pub method: Method,
    /// Gateway path under the base URL.
    pub path: String,
    /// Exact body bytes (what was signed); `None` for a GET, which signs `""`.
    pub body: Option<Vec<u8>>,
    /// `X-Timestamp`: Unix seconds.
    pub timestamp: String,
    /// `X-HMAC-Signature`.
    pub signature: String,
}

impl SignedRequest {
    fn new(secret: &str, method: Method, path: String, body: Option<Vec<u8>>, ts: i64) -> Self {
        let timestamp = ts.to_string();
        let signature = sign(secret, &timestamp, body.as_deref().unwrap_or(b""));
        Self {
            method,
            path,
            body,
            timestamp,
            signature,
        }
    }

    pub fn into_builder(
        self,
        client: &reqwest::Client,
        base_url: &str,
        creds: &Credentials,
    ) -> reqwest::RequestBuilder {
        let mut builder = client
            .request(self.method, join(base_url, &self.path))
            .header("Accept", "application/json")
            .header(creds.timestamp_header.as_str(), self.timestamp)
            .header("X-HMAC-Signature", self.signature);
        if let Some(key) = &creds.api_key {
            builder = builder.header("X-API-Key", key);
        }
        if let Some(body) = self.body {
            builder = builder
                .header("Content-Type", "application/json")
                .body(body);
        }
        builder
    }
}

/// The create body, byte for byte as signed and sent.
pub fn create_body(
    amount: &str,
    currency: &str,
    order_id: &str,
    callback_url: &str,
    idempotency_key: &str,
) -> Vec<u8> {
    serde_json::to_vec(&CreateBody {
        amount,
        currency,
        order_id,
        callback_url,
        idempotency_key,
    })
    .expect("a struct of strings serialises")
}

/// `POST /v1/payments/`: our reference is both `order_id` and `idempotency_key` ("Endpoints"), so
/// a retried create is answered from HimoSoft's 24 h idempotency cache ("Idempotency").
pub fn create(
    creds: &Credentials,
    callback_url: &str,
    req: &CheckoutRequest,
    ts: i64,
) -> Result<SignedRequest, String> {
    let amount = amount_text(req.amount)?;
    let body = create_body(
        &amount,
        &req.currency,
        &req.reference,
        callback_url,
        &req.reference,
    );
    Ok(SignedRequest::new(
        &creds.secret,
        Method::POST,
        CREATE_PATH.to_string(),
        Some(body),
        ts,
    ))
}

/// `GET /v1/payments/{id}/recheck/`, `…/verify/` or `…/`.
pub fn read(creds: &Credentials, id: &str, what: Read, ts: i64) -> Result<SignedRequest, String> {
    if !payment_id_ok(id) {
        return Err(format!("{id:?} is not a HimoSoft payment id"));
    }
    let path = match what {
        Read::Recheck => format!("{CREATE_PATH}{id}/recheck/"),
        Read::Verify => format!("{CREATE_PATH}{id}/verify/"),
        Read::Retrieve => format!("{CREATE_PATH}{id}/"),
    };
    Ok(SignedRequest::new(
        &creds.secret,
        Method::GET,
        path,
        None,
        ts,
    ))
}

pub fn payment_id_ok(id: &str) -> bool {
    (1..=128).contains(&id.len())
        && id
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-')
}

/// `"1500.00"`: a positive amount with two decimals (BDT and USD), never rounded.
pub fn amount_text(amount: Decimal) -> Result<String, String> {
    let mut value = amount.normalize();
    if value <= Decimal::ZERO || value.scale() > 2 {
        return Err(format!(
            "amount {amount} is not a positive amount with at most 2 decimals"
        ));
    }
    value.rescale(2);
    Ok(value.to_string())
}
