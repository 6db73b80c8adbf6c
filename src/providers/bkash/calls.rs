//! The adapter's calls: create, the payment's status, execute (confirm) and refund, each sent
//! with the account's shared token (`token`).
//!
//! Execute is the call that moves money (B1). Its answer decides directly when it is `0000`;
//! when bKash says the payment was executed already (`2062`, `2068`, `2117`, `2119`) the
//! payment's status decides, so a second execute (a concurrent return, a retry after a lost
//! answer) reports the same completed payment and never a failure; when the customer's wallet
//! refused the money the payment is reported failed (B7); any other refusal moved nothing.

use super::credentials::Credentials;
use super::mapping::{self, Class};
use super::requests::{self, CREATE, EXECUTE, REFUND, STATUS};
use super::wire::Answer;
use super::Bkash;
use crate::providers::failure::Failure;
use crate::providers::http_call;
use crate::providers::{
    AccountContext, CheckoutCreated, CheckoutRequest, GatewayFailure, GatewayReport, Outcome,
    QueryRequest, RefundReport, RefundRequest, RefundStatus, ReportedStatus,
};

/// The word a fresh payment is reported with (what bKash's create answers).
const CREATED_STATUS: &str = "Initiated";

impl Bkash {
    /// POSTs `body` to `path` with the account's token. A token refused at the door (HTTP 401 or
    /// 403: nothing ran) is renewed and the call sent once more.
    async fn call(
        &self,
        account: &AccountContext,
        creds: &Credentials,
        path: &str,
        body: Vec<u8>,
    ) -> Result<Answer, Failure> {
        let base = account.base_url.as_str();
        let mut renewed = false;
        loop {
            let token = self.tokens.id_token(&self.client, base, creds).await?;
            let auth = (token.as_str(), creds.app_key.as_str());
            let call = requests::api_call(&self.client, base, path, auth, body.clone());
            let response = http_call::send(call).await?;
            if matches!(response.status, 401 | 403) && !renewed {
                self.tokens.forget(base, creds, &token).await;
                renewed = true;
                continue;
            }
            return mapping::read(&response).map_err(|f| f.throttled_for(response.retry_after));
        }
    }

    pub(super) async fn create(
        &self,
        account: &AccountContext,
        req: &CheckoutRequest,
    ) -> Result<CheckoutCreated, Failure> {
        let creds = credentials(account)?;
        let body = requests::create_body(req).map_err(Failure::unsendable)?;
        let answer = mapping::checked(self.call(account, &creds, CREATE, body).await?)?;
        if answer.invoice().is_some_and(|i| i != req.reference) {
            return Err(mapping::bad_answer("the answer is about another invoice"));
        }
        let payment_id = answer
            .payment_id
            .filter(|p| !p.is_empty())
            .ok_or_else(|| mapping::bad_answer("the answer has no paymentID"))?;
        let url = answer
            .bkash_url
            .ok_or_else(|| mapping::bad_answer("the answer has no bkashURL"))?;
        match url::Url::parse(&url) {
            Ok(u) if matches!(u.scheme(), "https" | "http") => Ok(CheckoutCreated {
                external_id: Some(payment_id),
                checkout_url: url,
                provider_status: answer
                    .transaction_status
                    .unwrap_or_else(|| CREATED_STATUS.into()),
            }),
            _ => Err(mapping::bad_answer(format!(
                "bkashURL {url:?} is not an http(s) URL"
            ))),
        }
    }

    /// The payment's status (`/payment/status`).
    pub(super) async fn status(
        &self,
        account: &AccountContext,
        query: &QueryRequest,
    ) -> Outcome<GatewayReport> {
        match self.status_report(account, query).await {
            Ok(report) => payment_outcome(report),
            Err(f) => f.into_outcome(),
        }
    }

    async fn status_report(
        &self,
        account: &AccountContext,
        query: &QueryRequest,
    ) -> Result<GatewayReport, Failure> {
        let payment_id = payment_id(query)?;
        let creds = credentials(account)?;
        let body = requests::payment_body(payment_id);
        let answer = mapping::checked(self.call(account, &creds, STATUS, body).await?)?;
        about(&answer, payment_id)?;
        mapping::payment_report(&answer)
    }

    /// Execute (`confirm`): the call that moves the money.
    pub(super) async fn execute(
        &self,
        account: &AccountContext,
        query: &QueryRequest,
    ) -> Outcome<GatewayReport> {
        let answer = match self.send_execute(account, query).await {
            Ok(answer) => answer,
            Err(f) => return f.into_outcome(),
        };
        let payment_id = query.external_id.as_deref().unwrap_or_default();
        match answer.code().map(mapping::class) {
            Some(Class::AlreadyDone) => self.status(account, query).await,
            Some(Class::CustomerRefused) => {
                Outcome::Succeeded(mapping::refused_execute(&answer, payment_id))
            }
            _ => match mapping::checked(answer)
                .and_then(|a| about(&a, payment_id).and_then(|()| mapping::payment_report(&a)))
            {
                Ok(report) => payment_outcome(report),
                Err(f) => f.into_outcome(),
            },
        }
    }

    async fn send_execute(
        &self,
        account: &AccountContext,
        query: &QueryRequest,
    ) -> Result<Answer, Failure> {
        let payment_id = payment_id(query)?;
        let creds = credentials(account)?;
        let body = requests::payment_body(payment_id);
        self.call(account, &creds, EXECUTE, body).await
    }

    /// A partial or full refund of the paid transaction (`/payment/refund`).
    pub(super) async fn refund_payment(
        &self,
        account: &AccountContext,
        req: &RefundRequest,
    ) -> Result<RefundReport, Failure> {
        let creds = credentials(account)?;
        let trx_id = self.paid_transaction(account, req).await?;
        let body = requests::refund_body(
            &req.payment_external_id,
            &trx_id,
            req.amount,
            &req.currency,
            req.reason.as_deref(),
        )
        .map_err(Failure::unsendable)?;
        let answer = mapping::checked(self.call(account, &creds, REFUND, body).await?)?;
        if answer.original_trx_id.as_deref().is_some_and(|t| t != trx_id) {
            return Err(mapping::bad_answer(format!(
                "the refund answer is about another transaction than {trx_id}"
            )));
        }
        mapping::refund_report(&answer, &req.reference)
    }

    /// The `trxID` bKash refunds against: the one Payrail holds, else the payment's status.
    async fn paid_transaction(
        &self,
        account: &AccountContext,
        req: &RefundRequest,
    ) -> Result<String, Failure> {
        if let Some(trx) = req.payment_charge_id.as_deref().filter(|t| !t.is_empty()) {
            return Ok(trx.to_owned());
        }
        let query = QueryRequest {
            reference: String::new(),
            external_id: Some(req.payment_external_id.clone()),
            charge_id: None,
            amount: req.amount,
            currency: req.currency.clone(),
        };
        let report = self.status_report(account, &query).await?;
        match (report.status, report.charge_id) {
            (ReportedStatus::Paid, Some(trx)) => Ok(trx),
            _ => Err(Failure::Declined(format!(
                "bKash payment {} has no completed transaction to refund",
                req.payment_external_id
            ))),
        }
    }
}

/// The refund's outcome: final once completed or failed.
pub fn refund_outcome(report: RefundReport) -> Outcome<RefundReport> {
    match report.status {
        RefundStatus::Completed | RefundStatus::Failed => Outcome::Succeeded(report),
        _ => Outcome::Pending(report),
    }
}

/// A report that will not change any more is `Succeeded`; one still moving is `Pending`.
fn payment_outcome(report: GatewayReport) -> Outcome<GatewayReport> {
    match report.status {
        ReportedStatus::Paid
        | ReportedStatus::Failed
        | ReportedStatus::Expired
        | ReportedStatus::Cancelled
        | ReportedStatus::Refunded
        | ReportedStatus::PartiallyRefunded => Outcome::Succeeded(report),
        ReportedStatus::Pending
        | ReportedStatus::Processing
        | ReportedStatus::Authorized
        | ReportedStatus::Unknown => Outcome::Pending(report),
    }
}

fn credentials(account: &AccountContext) -> Result<Credentials, Failure> {
    Credentials::parse(&account.credentials)
        .map_err(|e| Failure::unsendable(format!("bKash credentials: {e}")))
}

/// The payment's bKash id; without it (the create never answered) there is nothing to ask
/// about, and no customer could have reached bKash's page (B10).
fn payment_id(query: &QueryRequest) -> Result<&str, Failure> {
    query
        .external_id
        .as_deref()
        .filter(|p| !p.is_empty())
        .ok_or_else(|| Failure::Declined("no bKash paymentID yet".into()))
}

/// An answer that names another payment cannot be trusted.
fn about(answer: &Answer, payment_id: &str) -> Result<(), Failure> {
    match answer.payment_id.as_deref() {
        Some(p) if !p.is_empty() && p != payment_id => Err(Failure::Unknown(
            GatewayFailure::bad_answer(format!("the answer is about payment {p}")),
        )),
        _ => Ok(()),
    }
}
