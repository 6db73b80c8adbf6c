//! Payrail's hosted checkout (docs/checkout.md, "Hosted checkout"): for a payment created with
//! neither `provider` nor `method`, the customer picks a method on Payrail's page and each pick
//! becomes a new attempt at the best account for that method (falling through on `NotSent`,
//! like create).
//!
//! One payment, many attempts, at most one paid: a pick is only taken while the payment is
//! `pending` and inside its window, under the payment lock; a failed or cancelled attempt closes
//! only itself (`reports::apply_report`), so the customer can come back and pick again.

use super::hosted_page::{gateway_origins, method_label, origin_of, CheckoutPage, PageState};
use super::transition::attempt::change_attempt;
use super::Orchestrator;
use crate::domain::attempt_status::AttemptState;
use crate::domain::ids::AttemptId;
use crate::domain::status::Source;
use crate::error::{AppError, AppResult};
use crate::providers::{CheckoutCreated, GatewayFailure, Method, Outcome};
use crate::store::{self, accounts::AccountRow, attempts::AttemptRow, payments::PaymentRow};
use serde_json::json;

/// The answer to a pick.
pub enum Choice {
    /// Send the customer to the gateway's page. `csp_allows`: the page's `form-action` covers
    /// the gateway's origin, so a 303 works; otherwise a page with a link does it.
    Gateway { url: String, csp_allows: bool },
    /// Show the page again (the pick did not work, or there is nothing left to pick).
    Page(Box<CheckoutPage>),
}

enum Opened {
    Attempt(Box<(PaymentRow, AttemptRow)>),
    /// No longer open for a pick (paid, expired, closed).
    Closed(PaymentRow),
    /// `payments.max_hosted_attempts` reached.
    TooMany(PaymentRow),
}

impl Orchestrator {
    /// `POST /checkout/{id}`: the customer picked `method`.
    pub async fn choose_method(
        &self,
        payment_id: &str,
        token: &str,
        method: &str,
    ) -> AppResult<Choice> {
        let payment = self.payment_by_token(payment_id, token).await?;
        if !payment.hosted || self.page_state(&payment) != PageState::Choose {
            return self.page_again(payment).await;
        }
        let Some(method) = Method::parse(method) else {
            return self
                .page_with(
                    payment,
                    "Please choose one of the payment methods below.".into(),
                )
                .await;
        };
        let options = self.method_options(&payment).await?;
        // The origins the page's form-action allowed (built from these same options).
        let origins = gateway_origins(&options);
        let mut accounts = options
            .into_iter()
            .find(|(o, _)| o.method == method)
            .map(|(_, accounts)| accounts)
            .unwrap_or_default();
        if accounts.is_empty() {
            return self.page_with(payment, not_available(method)).await;
        }
        let first = accounts.remove(0);
        let (payment, attempt) = match self.open_attempt(payment_id, &first, method).await? {
            Opened::Attempt(opened) => *opened,
            Opened::TooMany(p) => {
                let text = "This payment has had too many attempts. Please return to the shop.";
                return self.page_with(p, text.into()).await;
            }
            // Settled or closed between the page and the pick.
            Opened::Closed(p) => return self.page_again(p).await,
        };
        let (payment, attempt, outcome) = self
            .create_at_gateway(payment, attempt, Some(first), accounts)
            .await?;
        self.answer_pick(payment, attempt, outcome, method, &origins)
            .await
    }

    /// Records what the gateway answered to the pick and answers the customer: its page when
    /// the attempt opened, else Payrail's page again with a note saying what went wrong.
    async fn answer_pick(
        &self,
        payment: PaymentRow,
        attempt: AttemptRow,
        outcome: Outcome<CheckoutCreated>,
        method: Method,
        origins: &[String],
    ) -> AppResult<Choice> {
        let label = method_label(method);
        let (state, kind, reason, notice) = match outcome {
            Outcome::Succeeded(created) | Outcome::Pending(created) => {
                return self
                    .send_to_gateway(&payment.id, attempt, created, origins)
                    .await;
            }
            Outcome::Declined(reason) => (
                AttemptState::Declined,
                "attempt.declined",
                reason,
                format!("{label} payment was declined. Please choose another method."),
            ),
            Outcome::NotSent(GatewayFailure { reason, .. }) => (
                AttemptState::NotSent,
                "attempt.not_sent",
                reason,
                not_available(method),
            ),
            // The gateway may have the order: the attempt stays `creating` for the reconciler,
            // and the customer may try again.
            Outcome::Unknown(GatewayFailure { reason, .. }) => (
                AttemptState::Creating,
                "attempt.outcome_unknown",
                reason,
                format!(
                    "We could not reach the {label} provider. Please try again or choose another method."
                ),
            ),
        };
        self.record_attempt(&payment.id, attempt, state, kind, |a| {
            a.last_error = Some(reason)
        })
        .await?;
        self.page_with(payment, notice).await
    }

    /// The attempt opened at the gateway: records it, and sends the customer to the gateway's
    /// page (by a 303 when the checkout page's `form-action` allows its origin).
    async fn send_to_gateway(
        &self,
        payment_id: &str,
        attempt: AttemptRow,
        created: CheckoutCreated,
        origins: &[String],
    ) -> AppResult<Choice> {
        let url = created.checkout_url.clone();
        self.record_attempt(
            payment_id,
            attempt,
            AttemptState::Open,
            "attempt.created",
            |a| {
                a.external_id = created.external_id;
                a.checkout_url = Some(created.checkout_url);
                a.provider_status = Some(created.provider_status);
            },
        )
        .await?;
        let csp_allows = origin_of(&url)
            .is_some_and(|o| origins.contains(&o) || origin_of(&self.public_url) == Some(o));
        Ok(Choice::Gateway { url, csp_allows })
    }

    /// The checkout page as it stands, without a note (nothing to pick, or nothing left to).
    async fn page_again(&self, p: PaymentRow) -> AppResult<Choice> {
        Ok(Choice::Page(Box::new(self.build_page(p, None).await?)))
    }

    /// The checkout page again, with a note on why the pick did not go through.
    async fn page_with(&self, p: PaymentRow, notice: String) -> AppResult<Choice> {
        Ok(Choice::Page(Box::new(
            self.build_page(p, Some(notice)).await?,
        )))
    }

    /// Records the pick: a new attempt at `account`, only while the payment is still pending
    /// and has attempts left (under its lock).
    async fn open_attempt(
        &self,
        payment_id: &str,
        account: &AccountRow,
        method: Method,
    ) -> AppResult<Opened> {
        let mut tx = self.db.begin().await?;
        let mut p = store::payments::lock(&mut tx, payment_id)
            .await?
            .ok_or(AppError::NotFound)?;
        if self.page_state(&p) != PageState::Choose {
            return Ok(Opened::Closed(p));
        }
        let made = store::attempts::for_payment(&mut tx, payment_id)
            .await?
            .len();
        if made >= self.settings.payments.max_hosted_attempts as usize {
            return Ok(Opened::TooMany(p));
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
        store::payments::record_pick(&mut tx, &p).await?;
        self.note(
            &mut tx,
            payment_id,
            "attempt.chosen",
            Source::Return,
            json!({ "attempt_id": id, "method": method.as_str(), "provider": account.provider }),
        )
        .await?;
        tx.commit().await?;
        Ok(Opened::Attempt(Box::new((p, attempt))))
    }

    /// Writes what the gateway answered to a pick onto the attempt (and, when it opened, the
    /// gateway's ids onto the payment; its `checkout_url` stays Payrail's page).
    async fn record_attempt(
        &self,
        payment_id: &str,
        mut attempt: AttemptRow,
        state: AttemptState,
        kind: &str,
        fill: impl FnOnce(&mut AttemptRow),
    ) -> AppResult<()> {
        fill(&mut attempt);
        let mut tx = self.db.begin().await?;
        store::attempts::set_provider_fields(&mut tx, &attempt).await?;
        change_attempt(&mut tx, &mut attempt, state, Source::Return).await?;
        if state == AttemptState::Open {
            let mut p = store::payments::lock(&mut tx, payment_id)
                .await?
                .ok_or(AppError::NotFound)?;
            if p.paid_attempt_id.is_none() {
                p.external_id.clone_from(&attempt.external_id);
                p.provider_status.clone_from(&attempt.provider_status);
                p.updated_at = self.now();
                store::payments::set_provider_fields(&mut tx, &p).await?;
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
}

/// The note for a method whose gateways cannot take the pick right now.
fn not_available(method: Method) -> String {
    format!(
        "{} is not available right now. Please choose another method.",
        method_label(method)
    )
}
