//! Choosing gateway accounts for a payment (docs/checkout.md, "Routing"): `provider` pins one;
//! otherwise the merchant's enabled accounts that accept the currency (and `method`, when given),
//! best priority (lowest number) first, skipping accounts whose circuit is open. A `NotSent` answer
//! falls through to the next account; `Declined` and `Unknown` never do.

use super::create_input::CreateRequest;
use super::transition::attempt::change_attempt;
use super::Orchestrator;
use crate::domain::attempt_status::AttemptState;
use crate::domain::ids::{AttemptId, TimelineId};
use crate::domain::status::Source;
use crate::error::{AppError, AppResult};
use crate::providers::{Capabilities, CheckoutCreated, Customer, Method, Outcome, ProviderId};
use crate::store::{self, accounts::AccountRow, attempts::AttemptRow, payments::PaymentRow};
use serde_json::json;

/// Whether an account takes this currency and method: the gateway's declared capabilities,
/// narrowed by the account's own lists (empty = the gateway's).
pub fn eligible(
    caps: &Capabilities,
    account: &AccountRow,
    currency: &str,
    method: Option<Method>,
) -> bool {
    let listed = |raw: &str, item: &str| {
        serde_json::from_str::<Vec<String>>(raw)
            .map(|v| v.is_empty() || v.iter().any(|x| x == item))
            .unwrap_or(false)
    };
    caps.currencies.contains(&currency)
        && listed(&account.currencies, currency)
        && method.is_none_or(|m| caps.methods.contains(&m) && listed(&account.methods, m.as_str()))
}

impl Orchestrator {
    /// The merchant's enabled accounts that take this currency (and provider and method, when
    /// given), best priority first, whatever their circuits say.
    pub(super) async fn eligible_accounts(
        &self,
        merchant_id: &str,
        currency: &str,
        provider: Option<ProviderId>,
        method: Option<Method>,
    ) -> AppResult<Vec<AccountRow>> {
        let accounts = self.enabled_accounts(merchant_id).await?;
        Ok(self.eligible_among(&accounts, currency, provider, method))
    }

    pub(super) async fn enabled_accounts(&self, merchant_id: &str) -> AppResult<Vec<AccountRow>> {
        let mut conn = self.db.acquire().await?;
        Ok(store::accounts::enabled_for_merchant(&mut conn, merchant_id).await?)
    }

    /// Those of `accounts` (in their order) that take this currency, provider and method.
    pub(super) fn eligible_among(
        &self,
        accounts: &[AccountRow],
        currency: &str,
        provider: Option<ProviderId>,
        method: Option<Method>,
    ) -> Vec<AccountRow> {
        accounts
            .iter()
            .filter(|a| {
                let Some(id) = ProviderId::parse(&a.provider) else {
                    return false;
                };
                let Some(adapter) = self.providers.get(id) else {
                    return false;
                };
                provider.is_none_or(|p| p == id)
                    && eligible(adapter.capabilities(), a, currency, method)
            })
            .cloned()
            .collect()
    }

    /// Whether the gateway behind `account` can take a payment with this customer.
    pub(super) fn customer_fits(&self, account: &AccountRow, customer: &Customer) -> bool {
        self.adapter(&account.provider).is_ok_and(|(_, adapter)| {
            !adapter.capabilities().requires_customer
                || (customer.name.is_some() && customer.email.is_some())
        })
    }

    /// The accounts to try, in order. At least one, or `no_provider_available`; a 502 when every
    /// eligible account's circuit is open.
    pub(super) async fn route(
        &self,
        merchant_id: &str,
        req: &CreateRequest,
    ) -> AppResult<Vec<AccountRow>> {
        let currency = req.money.currency.code();
        let (accounts, circuits) = self.enabled_accounts_and_circuits(merchant_id).await?;
        let candidates = self.eligible_among(&accounts, currency, req.provider, req.method);
        if candidates.is_empty() {
            return Err(AppError::NoProviderAvailable(match req.provider {
                Some(p) => format!("no enabled {p} account accepts {currency} for this merchant"),
                None => format!("no enabled gateway account accepts {currency} for this merchant"),
            }));
        }
        let up = self.up_among(candidates, circuits, true).await?;
        if up.is_empty() {
            return Err(AppError::ProviderUnavailable(
                "every eligible gateway is marked down; retry later".into(),
            ));
        }
        // Customer fields are checked against the first choice (the gateway that will see them).
        if !self.customer_fits(&up[0], &req.customer) {
            for (field, value) in [
                ("customer.name", &req.customer.name),
                ("customer.email", &req.customer.email),
            ] {
                if value.is_none() {
                    return Err(AppError::invalid(
                        field,
                        format!("is required by {}", up[0].provider),
                    ));
                }
            }
        }
        Ok(up)
    }

    /// Asks the attempt's gateway for a checkout; on `NotSent` hands the payment to the next of
    /// `fallbacks` (best first) as a new attempt and asks again. `known` is the attempt's account
    /// when the caller has just read it (else it is read). Every answer feeds the breakers.
    pub(super) async fn create_at_gateway(
        &self,
        mut payment: PaymentRow,
        mut attempt: AttemptRow,
        known: Option<AccountRow>,
        mut fallbacks: Vec<AccountRow>,
    ) -> AppResult<(PaymentRow, AttemptRow, Outcome<CheckoutCreated>)> {
        fallbacks.reverse();
        let mut known = known;
        loop {
            // The account just routed to was read for this request: not read again.
            let account = match known.take() {
                Some(a) if a.id == attempt.account_id => a,
                _ => self.load_account(&attempt.account_id).await?,
            };
            let outcome = self.call_create(&payment, &attempt, &account).await?;
            self.record_call(&account, &outcome).await;
            // Certainly not sent: the next account in priority order may take it.
            match (&outcome, fallbacks.pop()) {
                (Outcome::NotSent(reason), Some(next)) => {
                    (payment, attempt) = self
                        .fall_through(payment, attempt, &reason.reason, &next)
                        .await?;
                    known = Some(next);
                }
                _ => return Ok((payment, attempt, outcome)),
            }
        }
    }

    /// Closes a `NotSent` attempt and opens the next one at `next`, re-pointing the payment.
    pub(super) async fn fall_through(
        &self,
        mut payment: PaymentRow,
        mut attempt: AttemptRow,
        reason: &str,
        next: &AccountRow,
    ) -> AppResult<(PaymentRow, AttemptRow)> {
        let id = AttemptId::generate();
        let mut tx = self.db.begin().await?;
        attempt.last_error = Some(reason.to_owned());
        store::attempts::set_provider_fields(&mut tx, &attempt).await?;
        change_attempt(&mut tx, &mut attempt, AttemptState::NotSent, Source::Api).await?;
        let fresh = store::attempts::insert(
            &mut tx,
            id.as_str(),
            &payment.id,
            &next.id,
            &next.provider,
            id.as_str(),
        )
        .await?;
        store::payments::set_route(&mut tx, &payment.id, &next.provider, &next.id).await?;
        store::timeline::insert(
            &mut tx,
            &store::timeline::NewEntry {
                id: TimelineId::generate().as_str(),
                payment_id: &payment.id,
                kind: "attempt.not_sent",
                from_status: None,
                to_status: None,
                source: Source::Api.as_str(),
                detail: Some(&json!({ "attempt_id": attempt.id, "reason": reason, "next_attempt_id": id, "next_provider": next.provider }).to_string()),
                at: self.now(),
                sequence: None,
            },
        )
        .await?;
        tx.commit().await?;
        tracing::warn!(payment_id = %payment.id, from = %attempt.provider, to = %next.provider, %reason, "gateway not reached; falling through");
        payment.provider = Some(next.provider.clone());
        payment.account_id = Some(next.id.clone());
        Ok((payment, fresh))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::providers::Registry;

    fn account(currencies: &str, methods: &str) -> AccountRow {
        AccountRow {
            id: "acc_x".into(),
            merchant_id: "mer_x".into(),
            provider: "x".into(),
            credentials_enc: vec![],
            base_url: String::new(),
            enabled: true,
            priority: 100,
            currencies: currencies.into(),
            methods: methods.into(),
            created_at: chrono::Utc::now(),
            updated_at: chrono::Utc::now(),
        }
    }

    #[test]
    fn eligibility_follows_the_capability_table_and_the_accounts_own_lists() {
        let registry = Registry::new(reqwest::Client::new());
        let caps = |p| {
            registry
                .get(ProviderId::parse(p).unwrap())
                .unwrap()
                .capabilities()
        };
        let open = account("[]", "[]");
        assert!(eligible(
            caps("paystablecoin"),
            &open,
            "USD",
            Some(Method::Crypto)
        ));
        assert!(!eligible(caps("paystablecoin"), &open, "BDT", None));
        assert!(!eligible(
            caps("paystablecoin"),
            &open,
            "USD",
            Some(Method::Card)
        ));
        assert!(eligible(
            caps("pakhipay"),
            &open,
            "BDT",
            Some(Method::MobileBanking)
        ));
        assert!(eligible(caps("hitpay"), &open, "SGD", Some(Method::Card)));
        assert!(
            !eligible(caps("hitpay"), &account(r#"["MYR"]"#, "[]"), "SGD", None),
            "the account narrows currencies"
        );
        assert!(
            !eligible(
                caps("himosoft"),
                &account("[]", r#"["card"]"#),
                "BDT",
                Some(Method::Crypto)
            ),
            "and methods"
        );
        assert!(eligible(
            caps("himosoft"),
            &account("[]", r#"["card"]"#),
            "BDT",
            Some(Method::Card)
        ));
    }
}
