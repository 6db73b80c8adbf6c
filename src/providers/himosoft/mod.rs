//! HimoSoft adapter: an upstream HimoSoft-style gateway. Wire contract and the labels H1–H6:
//! docs/gateways/himosoft.md; what an adapter is: docs/gateways/README.md, "The adapter boundary".
//!
//! HimoSoft's public doc is partial and private ("What is known"), so this adapter follows the
//! note's "Ambiguities and decisions" and trusts as little as it can:
//! * create: `POST /v1/payments/` with our attempt reference as both `order_id` and
//!   `idempotency_key`; a retried create is answered from HimoSoft's 24 h cache with the same
//!   payment and checkout ("Idempotency"), which is how a create whose answer was lost is resumed.
//! * query: `GET /v1/payments/{id}/recheck/` (live, reconciles upstream). Without a HimoSoft id
//!   there is nothing to ask (HimoSoft has no lookup by `order_id`): Declined. When the recheck
//!   fails, `/verify/` (DB-only) is asked instead ("Endpoints"). A `completed` answer without an
//!   amount is completed with `GET /v1/payments/{id}/` (the only answer documented with amount and
//!   currency), so Payrail's amount check can run.
//! * callbacks are hints (`webhook`); `confirm_webhooks` makes Payrail recheck before applying.
//! * the customer comes back to the account-level return URL ("Return"): `parse_return` reads
//!   HimoSoft's payment `id` from it to find the attempt, never its `status`; Payrail rechecks.
//! * no refund and no cancel API is documented.
//!
//! H6 says to gate the integration until HimoSoft confirms its contract: the gate is the
//! merchant's explicit connection of a `himosoft` account (nothing routes to it otherwise).

mod credentials;
mod mapping;
mod report;
mod requests;
pub mod signing;
mod webhook;
mod wire;

#[cfg(test)]
mod tests;

use self::credentials::Credentials;
use self::mapping::{check_http, payment_outcome, Failure, Op};
use self::requests::{Read, SignedRequest};
use self::wire::PaymentObject;
use super::failure::GatewayFailure;
use super::http_call;
use super::{
    AccountContext, AckKind, Capabilities, CheckoutCreated, GatewayDescriptor, CheckoutRequest, GatewayReport,
    IncomingWebhook, Method, Outcome, ParsedWebhook, ProviderAdapter, ProviderId, QueryRequest,
    ReportedStatus, ReturnHints, WebhookAck, WebhookVerification,
};

const CAPABILITIES: Capabilities = Capabilities {
    create: true,
    query: true,
    // No refund or cancel endpoint is documented ("Refunds").
    refund: false,
    cancel: false,
    currencies: &["BDT", "USD"],
    // HimoSoft's checkout offers "card, mobile banking, or crypto" (the note's first paragraph).
    methods: &[Method::Card, Method::MobileBanking, Method::Crypto],
    webhook_scheme: "hint only, confirmed by recheck; a present X-HMAC-Signature (hex HMAC-SHA256 of timestamp+body) must match",
    requires_customer: false,
    partial_refund: false,
    // H5: the callback is undocumented and unauthenticated; only /recheck/ is trusted.
    confirm_webhooks: true,
    refund_lookup_by_reference: false,
};

/// HimoSoft, as the rest of Payrail knows it.
pub static GATEWAY: GatewayDescriptor = GatewayDescriptor {
    id: "himosoft",
    display_name: "HimoSoft",
    default_base_url: "https://pay.himosoft.com.bd/api",
    capabilities: CAPABILITIES,
    credentials_shape: r#"{"secret", "api_key"?, "timestamp_header"?}"#,
    validate_credentials: |c| Credentials::parse(c).map(|_| ()),
    webhook_header_prefixes: &[],
    adapter: |client| std::sync::Arc::new(HimoSoft::new(client)),
};

/// This gateway's id.
pub const ID: ProviderId = ProviderId::of(&GATEWAY);

pub struct HimoSoft {
    client: reqwest::Client,
}

impl HimoSoft {
    pub fn new(client: reqwest::Client) -> Self {
        Self { client }
    }

    /// Sends one signed request and reads the payment object it answers.
    async fn call(
        &self,
        account: &AccountContext,
        creds: &Credentials,
        signed: SignedRequest,
        op: Op,
    ) -> Result<PaymentObject, Failure> {
        let builder = signed.into_builder(&self.client, &account.base_url, creds);
        let response = http_call::send(builder).await?;
        check_http(&response, op).map_err(|f| f.throttled_for(response.retry_after))?;
        report::read_object(&response.body).map_err(Failure::bad_answer)
    }

    async fn read(
        &self,
        account: &AccountContext,
        creds: &Credentials,
        id: &str,
        what: Read,
    ) -> Result<PaymentObject, Failure> {
        let signed = requests::read(creds, id, what, now_s()).map_err(Failure::Declined)?;
        self.call(account, creds, signed, Op::Query).await
    }

    /// `/recheck/`, or `/verify/` when the recheck could not answer ("Endpoints"). A Declined
    /// recheck (no such payment) is final: the DB-only verify would not know more.
    async fn current(
        &self,
        account: &AccountContext,
        creds: &Credentials,
        id: &str,
    ) -> Result<PaymentObject, Failure> {
        match self.read(account, creds, id, Read::Recheck).await {
            Ok(obj) => Ok(obj),
            Err(Failure::Declined(m)) => Err(Failure::Declined(m)),
            Err(first) => {
                tracing::warn!(payment = id, reason = ?first, "HimoSoft recheck failed; asking verify");
                self.read(account, creds, id, Read::Verify)
                    .await
                    .map_err(|_| first)
            }
        }
    }
}

fn now_s() -> i64 {
    chrono::Utc::now().timestamp()
}

fn credentials<T>(account: &AccountContext) -> Result<Credentials, Outcome<T>> {
    Credentials::parse(&account.credentials).map_err(|e| {
        Outcome::NotSent(GatewayFailure::unsendable(format!(
            "HimoSoft credentials: {e}"
        )))
    })
}

#[async_trait::async_trait]
impl ProviderAdapter for HimoSoft {
    fn id(&self) -> ProviderId {
        ID
    }

    async fn create_checkout(
        &self,
        account: &AccountContext,
        req: &CheckoutRequest,
    ) -> Outcome<CheckoutCreated> {
        let creds = match credentials(account) {
            Ok(c) => c,
            Err(o) => return o,
        };
        let signed = match requests::create(&creds, &account.webhook_url, req, now_s()) {
            Ok(s) => s,
            Err(e) => return Outcome::NotSent(GatewayFailure::unsendable(e)),
        };
        match self.call(account, &creds, signed, Op::Create).await {
            Ok(obj) => match report::checkout_created(obj, req.amount) {
                Ok(created) => Outcome::Pending(created),
                Err(e) => Outcome::Unknown(GatewayFailure::bad_answer(e)),
            },
            Err(f) => f.into_outcome(),
        }
    }

    async fn query(
        &self,
        account: &AccountContext,
        query: &QueryRequest,
    ) -> Outcome<GatewayReport> {
        let Some(id) = query.external_id.as_deref().filter(|s| !s.is_empty()) else {
            return Outcome::Declined(format!(
                "no HimoSoft payment id is known for {} (HimoSoft cannot be asked by order_id)",
                query.reference
            ));
        };
        let creds = match credentials(account) {
            Ok(c) => c,
            Err(o) => return o,
        };
        let obj = match self.current(account, &creds, id).await {
            Ok(obj) => obj,
            Err(f) => return f.into_outcome(),
        };
        let mut report = match report::payment_report(obj, id, &query.reference, &query.currency) {
            Ok(r) => r,
            Err(e) => return Outcome::Unknown(GatewayFailure::bad_answer(e)),
        };
        if report.status == ReportedStatus::Paid && report.amount.is_none() {
            // Best effort: without it the payment completes on the recheck's word alone.
            match self.read(account, &creds, id, Read::Retrieve).await {
                Ok(obj) => match report::amount_of(&obj, &query.currency) {
                    Ok(amount) => report.amount = amount,
                    Err(e) => return Outcome::Unknown(GatewayFailure::bad_answer(e)),
                },
                Err(f) => tracing::warn!(payment = id, reason = ?f, "HimoSoft amount unreadable"),
            }
        }
        payment_outcome(report.status, report)
    }

    fn verify_webhook(
        &self,
        account: &AccountContext,
        hook: &IncomingWebhook<'_>,
    ) -> WebhookVerification {
        webhook::verify_webhook(account, hook)
    }

    fn parse_webhook(&self, hook: &IncomingWebhook<'_>) -> Result<ParsedWebhook, String> {
        webhook::parse_webhook(hook)
    }

    fn webhook_ack(&self, ack: AckKind) -> WebhookAck {
        webhook::webhook_ack(ack)
    }

    /// "Return": the account-level return URL gets HimoSoft's payment `id` (and a `status` that is
    /// never trusted); the id finds the attempt.
    fn parse_return(&self, query: &[(String, String)]) -> ReturnHints {
        let external_id = query
            .iter()
            .find(|(k, v)| k == "id" && !v.trim().is_empty() && v.len() <= 128)
            .map(|(_, v)| v.trim().to_owned());
        ReturnHints {
            external_id,
            charge_id: None,
        }
    }
}
