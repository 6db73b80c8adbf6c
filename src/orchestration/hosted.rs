//! Payrail's hosted checkout (design §4): for a payment created with neither `provider` nor
//! `method`, the customer picks a method on Payrail's page and each pick becomes a new attempt
//! at the best account for that method (falling through on `NotSent`, like create).
//!
//! One payment, many attempts, at most one paid: a pick is only taken while the payment is
//! `pending` and inside its window, under the payment lock; a failed or cancelled attempt closes
//! only itself (`reports::apply_report`), so the customer can come back and pick again.

use super::Orchestrator;
use crate::crypto::constant_time_eq;
use crate::domain::ids::AttemptId;
use crate::domain::status::{PaymentStatus, Source};
use crate::error::{AppError, AppResult};
use crate::providers::{Method, Outcome, ProviderId};
use crate::store::{
    self, accounts::AccountRow, attempts, attempts::AttemptRow, merchants::MerchantRow,
    payments::PaymentRow,
};
use serde_json::json;

/// What the page shows.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PageState {
    /// The customer may pick a method.
    Choose,
    /// Money is on its way; nothing to pick.
    Processing,
    /// The payment is settled one way or another.
    Final(PaymentStatus),
}

/// One method the customer may pick, and the gateways behind it (best first).
#[derive(Debug, Clone)]
pub struct MethodOption {
    pub method: Method,
    pub gateways: Vec<&'static str>,
}

/// Everything the checkout page needs, already decided.
#[derive(Debug, Clone)]
pub struct CheckoutPage {
    pub payment: PaymentRow,
    pub merchant: MerchantRow,
    pub state: PageState,
    pub methods: Vec<MethodOption>,
    /// Origins a form on the page may lead to (the eligible gateways' checkout hosts).
    pub gateway_origins: Vec<String>,
    /// What happened to the customer's last pick, in words for the customer.
    pub notice: Option<String>,
    /// Back to the merchant (final states), with `payment_id` and `status` appended.
    pub merchant_link: Option<String>,
}

/// The answer to a pick.
pub enum Choice {
    /// Send the customer to the gateway's page. `csp_allows`: the page's `form-action` covers
    /// the gateway's origin, so a 303 works; otherwise a page with a link does it.
    Gateway { url: String, csp_allows: bool },
    /// Show the page again (the pick did not work, or there is nothing left to pick).
    Page(Box<CheckoutPage>),
}

/// The customer's word for a method.
pub fn method_label(m: Method) -> &'static str {
    match m {
        Method::Card => "Card",
        Method::MobileBanking => "Mobile banking",
        Method::Crypto => "Crypto",
        Method::Paynow => "PayNow",
        Method::Wallet => "Wallet",
    }
}

/// `scheme://host[:port]` of a URL, as CSP source expressions spell it.
pub fn origin_of(raw: &str) -> Option<String> {
    let url = url::Url::parse(raw).ok()?;
    match url.origin() {
        origin @ url::Origin::Tuple(..) => Some(origin.ascii_serialization()),
        url::Origin::Opaque(_) => None,
    }
}

impl Orchestrator {
    /// The payment behind a hosted-page URL; a wrong token reads as absent.
    async fn payment_by_token(&self, payment_id: &str, token: &str) -> AppResult<PaymentRow> {
        let mut conn = self.db.acquire().await?;
        let payment = store::payments::get(&mut conn, payment_id)
            .await?
            .ok_or(AppError::NotFound)?;
        if !constant_time_eq(payment.return_token.as_bytes(), token.as_bytes()) {
            return Err(AppError::NotFound);
        }
        Ok(payment)
    }

    fn page_state(&self, p: &PaymentRow) -> PageState {
        let status = super::views::status_of(p);
        match status {
            PaymentStatus::Pending if self.now() >= p.expires_at => {
                PageState::Final(PaymentStatus::Expired)
            }
            PaymentStatus::Pending => PageState::Choose,
            PaymentStatus::Processing => PageState::Processing,
            other => PageState::Final(other),
        }
    }

    /// Eligible accounts for the payment, grouped by method in the page's order (card, mobile
    /// banking, crypto, …), skipping gateways whose circuit is open or that need customer
    /// fields the payment lacks.
    async fn method_options(
        &self,
        p: &PaymentRow,
    ) -> AppResult<Vec<(MethodOption, Vec<AccountRow>)>> {
        let customer: crate::providers::Customer = p
            .customer
            .as_deref()
            .and_then(|c| serde_json::from_str(c).ok())
            .unwrap_or_default();
        let mut options = Vec::new();
        for method in Method::ALL {
            let accounts = self
                .eligible_accounts(&p.merchant_id, &p.currency, None, Some(method))
                .await?;
            let usable: Vec<AccountRow> = self
                .up(accounts)
                .into_iter()
                .filter(|a| self.customer_fits(a, &customer))
                .collect();
            if usable.is_empty() {
                continue;
            }
            let gateways = usable
                .iter()
                .filter_map(|a| ProviderId::parse(&a.provider).map(ProviderId::display_name))
                .fold(Vec::new(), |mut names, n| {
                    if !names.contains(&n) {
                        names.push(n);
                    }
                    names
                });
            options.push((MethodOption { method, gateways }, usable));
        }
        Ok(options)
    }

    async fn build_page(
        &self,
        payment: PaymentRow,
        notice: Option<String>,
    ) -> AppResult<CheckoutPage> {
        let mut conn = self.db.acquire().await?;
        let merchant = store::merchants::get(&mut conn, &payment.merchant_id)
            .await?
            .ok_or_else(|| AppError::Internal(anyhow::anyhow!("merchant of a payment vanished")))?;
        let last = store::attempts::latest_for_payment(&mut conn, &payment.id).await?;
        drop(conn);
        let state = self.page_state(&payment);
        let options = if state == PageState::Choose {
            self.method_options(&payment).await?
        } else {
            Vec::new()
        };
        let mut gateway_origins: Vec<String> = options
            .iter()
            .flat_map(|(_, accounts)| accounts.iter().filter_map(|a| origin_of(&a.base_url)))
            .collect();
        gateway_origins.sort();
        gateway_origins.dedup();
        let notice = notice.or_else(|| {
            (state == PageState::Choose)
                .then(|| last.as_ref().and_then(last_attempt_notice))
                .flatten()
        });
        let merchant_link = match &state {
            PageState::Final(status) => merchant_link(&payment, *status),
            _ => None,
        };
        Ok(CheckoutPage {
            methods: options.into_iter().map(|(m, _)| m).collect(),
            payment,
            merchant,
            state,
            gateway_origins,
            notice,
            merchant_link,
        })
    }

    /// `GET /checkout/{id}?t=`: the page for this payment as it is now.
    pub async fn checkout_page(&self, payment_id: &str, token: &str) -> AppResult<CheckoutPage> {
        let payment = self.payment_by_token(payment_id, token).await?;
        self.build_page(payment, None).await
    }

    /// `POST /checkout/{id}`: the customer picked `method`.
    pub async fn choose_method(
        &self,
        payment_id: &str,
        token: &str,
        method: &str,
    ) -> AppResult<Choice> {
        let payment = self.payment_by_token(payment_id, token).await?;
        if !payment.hosted || self.page_state(&payment) != PageState::Choose {
            return Ok(Choice::Page(Box::new(
                self.build_page(payment, None).await?,
            )));
        }
        let Some(method) = Method::parse(method) else {
            return self
                .page_with(
                    payment,
                    "Please choose one of the payment methods below.".into(),
                )
                .await;
        };
        let mut accounts = self
            .method_options(&payment)
            .await?
            .into_iter()
            .find(|(o, _)| o.method == method)
            .map(|(_, accounts)| accounts)
            .unwrap_or_default();
        if accounts.is_empty() {
            let text = format!(
                "{} is not available right now. Please choose another method.",
                method_label(method)
            );
            return self.page_with(payment, text).await;
        }
        let first = accounts.remove(0);
        let Some((mut payment, mut attempt)) =
            self.open_attempt(payment_id, &first, method).await?
        else {
            // Settled or closed between the page and the pick.
            let fresh = self.payment_by_token(payment_id, token).await?;
            return Ok(Choice::Page(Box::new(self.build_page(fresh, None).await?)));
        };
        accounts.reverse();
        let outcome = loop {
            let account = self.load_account(&attempt.account_id).await?;
            let outcome = self.call_create(&payment, &attempt, &account).await?;
            self.breakers
                .record(&account.id, &account.provider, &outcome, self.now());
            match (&outcome, accounts.pop()) {
                (Outcome::NotSent(reason), Some(next)) => {
                    (payment, attempt) = self.fall_through(payment, attempt, reason, &next).await?;
                }
                _ => break outcome,
            }
        };
        let label = method_label(method);
        match outcome {
            Outcome::Succeeded(created) | Outcome::Pending(created) => {
                let url = created.checkout_url.clone();
                self.record_attempt(
                    &payment.id,
                    attempt,
                    attempts::OPEN,
                    "attempt.created",
                    |a| {
                        a.external_id = created.external_id;
                        a.checkout_url = Some(created.checkout_url);
                        a.provider_status = Some(created.provider_status);
                    },
                )
                .await?;
                let csp_allows = self.page_allows(&payment, &url).await?;
                Ok(Choice::Gateway { url, csp_allows })
            }
            Outcome::Declined(reason) => {
                self.record_attempt(
                    &payment.id,
                    attempt,
                    attempts::DECLINED,
                    "attempt.declined",
                    |a| a.last_error = Some(reason),
                )
                .await?;
                let text = format!("{label} payment was declined. Please choose another method.");
                self.page_with(payment, text).await
            }
            Outcome::NotSent(reason) => {
                self.record_attempt(
                    &payment.id,
                    attempt,
                    attempts::NOT_SENT,
                    "attempt.not_sent",
                    |a| a.last_error = Some(reason),
                )
                .await?;
                let text =
                    format!("{label} is not available right now. Please choose another method.");
                self.page_with(payment, text).await
            }
            Outcome::Unknown(reason) => {
                // The gateway may have the order: the attempt stays `creating` for the
                // reconciler, and the customer may try again.
                self.record_attempt(
                    &payment.id,
                    attempt,
                    attempts::CREATING,
                    "attempt.outcome_unknown",
                    |a| a.last_error = Some(reason),
                )
                .await?;
                let text = format!(
                    "We could not reach the {label} provider. Please try again or choose another method."
                );
                self.page_with(payment, text).await
            }
        }
    }

    async fn page_with(&self, p: PaymentRow, notice: String) -> AppResult<Choice> {
        Ok(Choice::Page(Box::new(
            self.build_page(p, Some(notice)).await?,
        )))
    }

    /// Records the pick: a new attempt at `account`, only while the payment is still pending
    /// (under its lock). `None` when it is not any more.
    async fn open_attempt(
        &self,
        payment_id: &str,
        account: &AccountRow,
        method: Method,
    ) -> AppResult<Option<(PaymentRow, AttemptRow)>> {
        let mut tx = self.db.begin().await?;
        let mut p = store::payments::lock(&mut tx, payment_id)
            .await?
            .ok_or(AppError::NotFound)?;
        if self.page_state(&p) != PageState::Choose {
            return Ok(None);
        }
        let id = AttemptId::generate();
        let attempt = store::attempts::insert(
            &mut tx,
            id.as_str(),
            payment_id,
            &account.id,
            &account.provider,
            id.as_str(),
        )
        .await?;
        p.provider = Some(account.provider.clone());
        p.account_id = Some(account.id.clone());
        p.method = Some(method.as_str().to_owned());
        p.updated_at = self.now();
        store::payments::save(&mut tx, &p).await?;
        self.note(
            &mut tx,
            payment_id,
            "attempt.chosen",
            Source::Return,
            json!({ "attempt_id": id, "method": method.as_str(), "provider": account.provider }),
        )
        .await?;
        tx.commit().await?;
        Ok(Some((p, attempt)))
    }

    /// Writes what the gateway answered to a pick onto the attempt (and, when it opened, the
    /// gateway's ids onto the payment; its `checkout_url` stays Payrail's page).
    async fn record_attempt(
        &self,
        payment_id: &str,
        mut attempt: AttemptRow,
        state: &str,
        kind: &str,
        fill: impl FnOnce(&mut AttemptRow),
    ) -> AppResult<()> {
        fill(&mut attempt);
        attempt.state = state.to_owned();
        let mut tx = self.db.begin().await?;
        store::attempts::save(&mut tx, &attempt).await?;
        if state == attempts::OPEN {
            let mut p = store::payments::lock(&mut tx, payment_id)
                .await?
                .ok_or(AppError::NotFound)?;
            if p.paid_attempt_id.is_none() {
                p.external_id.clone_from(&attempt.external_id);
                p.provider_status.clone_from(&attempt.provider_status);
                p.updated_at = self.now();
                store::payments::save(&mut tx, &p).await?;
            }
        }
        self.note(
            &mut tx,
            payment_id,
            kind,
            Source::Return,
            json!({ "attempt_id": attempt.id, "provider": attempt.provider, "external_id": attempt.external_id, "reason": attempt.last_error }),
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// Whether the page's `form-action` (built from the eligible accounts) covers `url`.
    async fn page_allows(&self, p: &PaymentRow, url: &str) -> AppResult<bool> {
        let Some(origin) = origin_of(url) else {
            return Ok(false);
        };
        if origin_of(&self.public_url).as_ref() == Some(&origin) {
            return Ok(true);
        }
        let options = self.method_options(p).await?;
        Ok(options
            .iter()
            .flat_map(|(_, accounts)| accounts.iter())
            .any(|a| origin_of(&a.base_url).as_ref() == Some(&origin)))
    }
}

/// What the customer should know about their last pick when the page shows again.
fn last_attempt_notice(a: &AttemptRow) -> Option<String> {
    let gateway = ProviderId::parse(&a.provider).map_or("the provider", ProviderId::display_name);
    match a.state.as_str() {
        attempts::CLOSED => Some(format!(
            "Your payment with {gateway} was not completed. You can choose a method again."
        )),
        attempts::DECLINED => Some(format!(
            "{gateway} declined the payment. Please choose another method."
        )),
        attempts::NOT_SENT => Some(format!(
            "{gateway} is not available right now. Please choose another method."
        )),
        attempts::OPEN => Some(format!(
            "Your payment with {gateway} has not been completed yet. You can choose a method again."
        )),
        _ => None,
    }
}

/// The merchant's page for a settled payment (`cancel_url` for unpaid endings).
fn merchant_link(p: &PaymentRow, status: PaymentStatus) -> Option<String> {
    let unpaid = matches!(
        status,
        PaymentStatus::Failed | PaymentStatus::Cancelled | PaymentStatus::Expired
    );
    let base = if unpaid {
        p.cancel_url.clone().or(p.return_url.clone())
    } else {
        p.return_url.clone()
    }?;
    let mut url = url::Url::parse(&base).ok()?;
    url.query_pairs_mut()
        .append_pair("payment_id", &p.id)
        .append_pair("status", status.as_str());
    Some(url.to_string())
}
