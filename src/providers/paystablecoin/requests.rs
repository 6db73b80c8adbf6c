//! Building PSC's four Hosted Payments requests (docs/gateways/paystablecoin.md, "Endpoints"),
//! signed, with the timestamp passed in so the "Test vectors" can be rebuilt exactly.
//!
//! The signed path is the gateway path only (`/api/v1/merchants/{id}/…`); the account's base URL
//! may carry its own prefix (the simulator's `/paystablecoin`), which is joined on when sending and
//! never signed. References go into the path or the query string unencoded, so they are held to
//! PSC's merchantOrderId rule (16–64 of `[A-Za-z0-9_-]`, S5); merchantRefundOrderId gets the same
//! rule because PSC documents none and our refund references satisfy it. A request that cannot be
//! built is refused here, before anything is sent.

use super::credentials::Credentials;
use super::signing::{body_hash_b64, sign, string_to_sign};
use super::wire::{AmountOut, CreateOrderBody, CreateRefundBody};
use crate::providers::http_call::join;
use crate::providers::{CheckoutRequest, RefundRequest};
use reqwest::Method;

/// Sent when the refund request carries no reason (PSC's field is required in the seed).
pub const DEFAULT_REFUND_REASON: &str = "Customer request";

#[derive(Debug)]
pub struct SignedRequest {
    pub method: Method,
    /// Gateway path, exactly as signed.
    pub path: String,
    /// Raw query string (without `?`), signed through its hash.
    pub query: Option<String>,
    /// Exact body bytes, signed through their hash.
    pub body: Option<Vec<u8>>,
    /// `X-Timestamp`, Unix milliseconds.
    pub timestamp: String,
    /// `X-Signature`.
    pub signature: String,
}

impl SignedRequest {
    fn new(
        secret: &str,
        method: Method,
        path: String,
        query: Option<String>,
        body: Option<Vec<u8>>,
        ts_ms: i64,
    ) -> Self {
        let timestamp = ts_ms.to_string();
        let hash = match (&body, &query) {
            (Some(body), _) => Some(body_hash_b64(body)),
            (None, Some(query)) => Some(body_hash_b64(query.as_bytes())),
            (None, None) => None,
        };
        let signature = sign(
            secret,
            string_to_sign(&timestamp, method.as_str(), &path, hash.as_deref()),
        );
        Self {
            method,
            path,
            query,
            body,
            timestamp,
            signature,
        }
    }

    /// Full URL under the account's base.
    pub fn url(&self, base_url: &str) -> String {
        let url = join(base_url, &self.path);
        match &self.query {
            Some(q) => format!("{url}?{q}"),
            None => url,
        }
    }

    pub fn into_builder(
        self,
        client: &reqwest::Client,
        base_url: &str,
        api_key: &str,
    ) -> reqwest::RequestBuilder {
        let mut builder = client
            .request(self.method.clone(), self.url(base_url))
            .header("X-Api-Key", api_key)
            .header("X-Timestamp", self.timestamp)
            .header("X-Signature", self.signature);
        if let Some(body) = self.body {
            builder = builder
                .header(reqwest::header::CONTENT_TYPE, "application/json")
                .body(body);
        }
        builder
    }
}

pub fn create_order(
    creds: &Credentials,
    callback_url: &str,
    req: &CheckoutRequest,
    ts_ms: i64,
) -> Result<SignedRequest, String> {
    let body = create_order_body(req, callback_url)?;
    let path = format!("/api/v1/merchants/{}/orders", creds.merchant_id);
    Ok(SignedRequest::new(
        &creds.api_secret,
        Method::POST,
        path,
        None,
        Some(body),
        ts_ms,
    ))
}

pub fn create_order_body(req: &CheckoutRequest, callback_url: &str) -> Result<Vec<u8>, String> {
    check_reference("merchantOrderId", &req.reference)?;
    let body = CreateOrderBody {
        merchant_order_id: &req.reference,
        order_amount: AmountOut {
            value: two_decimals(req.amount)?,
            currency: &req.currency,
        },
        expires_at: req.expires_at.format("%Y-%m-%dT%H:%M:%SZ").to_string(),
        return_url: &req.return_url,
        callback_url,
    };
    serde_json::to_vec(&body).map_err(|e| format!("order body not serialisable: {e}"))
}

pub fn query_order(
    creds: &Credentials,
    reference: &str,
    ts_ms: i64,
) -> Result<SignedRequest, String> {
    check_reference("merchantOrderId", reference)?;
    let path = format!("/api/v1/merchants/{}/orders/{reference}", creds.merchant_id);
    Ok(SignedRequest::new(
        &creds.api_secret,
        Method::GET,
        path,
        None,
        None,
        ts_ms,
    ))
}

pub fn create_refund(
    creds: &Credentials,
    req: &RefundRequest,
    ts_ms: i64,
) -> Result<SignedRequest, String> {
    let body = refund_body(req)?;
    let path = format!("/api/v1/merchants/{}/refunds", creds.merchant_id);
    Ok(SignedRequest::new(
        &creds.api_secret,
        Method::POST,
        path,
        None,
        Some(body),
        ts_ms,
    ))
}

/// Full refund only (S8): no `refundAmount`, which PSC reads as "the whole order".
pub fn refund_body(req: &RefundRequest) -> Result<Vec<u8>, String> {
    check_reference("merchantRefundOrderId", &req.reference)?;
    if req.payment_external_id.trim().is_empty() {
        return Err("refund needs the payment's acquiringOrderId".into());
    }
    let reason = req
        .reason
        .as_deref()
        .filter(|r| !r.trim().is_empty())
        .unwrap_or(DEFAULT_REFUND_REASON);
    let body = CreateRefundBody {
        merchant_refund_order_id: &req.reference,
        acquiring_order_id: &req.payment_external_id,
        refund_reason: reason,
    };
    serde_json::to_vec(&body).map_err(|e| format!("refund body not serialisable: {e}"))
}

pub fn query_refund(
    creds: &Credentials,
    reference: &str,
    ts_ms: i64,
) -> Result<SignedRequest, String> {
    check_reference("merchantRefundOrderId", reference)?;
    let path = format!("/api/v1/merchants/{}/refunds", creds.merchant_id);
    let query = format!("merchantRefundOrderId={reference}");
    Ok(SignedRequest::new(
        &creds.api_secret,
        Method::GET,
        path,
        Some(query),
        None,
        ts_ms,
    ))
}

fn check_reference(field: &str, reference: &str) -> Result<(), String> {
    let ok_chars = reference
        .bytes()
        .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-');
    if (16..=64).contains(&reference.len()) && ok_chars {
        Ok(())
    } else {
        Err(format!(
            "{field} {reference:?} must be 16-64 characters of A-Z a-z 0-9 _ -"
        ))
    }
}

/// `orderAmount.value`: a positive amount with exactly two decimals, never rounded.
fn two_decimals(amount: rust_decimal::Decimal) -> Result<String, String> {
    let mut value = amount.normalize();
    if value <= rust_decimal::Decimal::ZERO || value.scale() > 2 {
        return Err(format!(
            "amount {amount} is not a positive amount with at most 2 decimals"
        ));
    }
    value.rescale(2);
    Ok(value.to_string())
}
