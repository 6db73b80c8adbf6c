//! What the hosted checkout page shows (docs/checkout.md, "Hosted checkout"): the payment's state
//! as the customer should see it, the methods the merchant's eligible accounts offer (grouped card,
//! mobile banking, crypto, …, skipping gateways whose circuit is open), what became of the last
//! pick, and the gateway origins the page's form may lead to (its Content-Security-Policy
//! `form-action`).

use super::Orchestrator;
use crate::crypto::constant_time_eq;
use crate::domain::status::PaymentStatus;
use crate::error::{AppError, AppResult};
use crate::providers::{Method, ProviderId};
use crate::store::{
    self, accounts::AccountRow, attempts, attempts::AttemptRow, merchants::MerchantRow,
    payments::PaymentRow,
};

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
    pub(super) async fn payment_by_token(
        &self,
        payment_id: &str,
        token: &str,
    ) -> AppResult<PaymentRow> {
        let mut conn = self.db.acquire().await?;
        let payment = store::payments::get(&mut conn, payment_id)
            .await?
            .ok_or(AppError::NotFound)?;
        if !constant_time_eq(payment.return_token.as_bytes(), token.as_bytes()) {
            return Err(AppError::NotFound);
        }
        Ok(payment)
    }

    pub(super) fn page_state(&self, p: &PaymentRow) -> PageState {
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
    pub(super) async fn method_options(
        &self,
        p: &PaymentRow,
    ) -> AppResult<Vec<(MethodOption, Vec<AccountRow>)>> {
        let customer: crate::providers::Customer = p
            .customer
            .as_deref()
            .and_then(|c| serde_json::from_str(c).ok())
            .unwrap_or_default();
        // One read of the merchant's accounts, filtered per method.
        let enabled = self
            .up(self.enabled_accounts(&p.merchant_id).await?, false)
            .await?;
        let mut options = Vec::new();
        for method in Method::ALL {
            let accounts = self.eligible_among(&enabled, &p.currency, None, Some(method));
            let usable: Vec<AccountRow> = accounts
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

    pub(super) async fn build_page(
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
        let gateway_origins = gateway_origins(&options);
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
}

/// The origins the page's form may lead to: the eligible accounts' gateways.
pub(super) fn gateway_origins(options: &[(MethodOption, Vec<AccountRow>)]) -> Vec<String> {
    let mut origins: Vec<String> = options
        .iter()
        .flat_map(|(_, accounts)| accounts.iter().filter_map(|a| origin_of(&a.base_url)))
        .collect();
    origins.sort();
    origins.dedup();
    origins
}

/// What the customer should know about their last pick when the page shows again.
fn last_attempt_notice(a: &AttemptRow) -> Option<String> {
    let gateway = ProviderId::parse(&a.provider).map_or("the provider", ProviderId::display_name);
    match a.state_str() {
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn origins_are_spelled_as_csp_sources() {
        assert_eq!(
            origin_of("https://securecheckout.hit-pay.com/payment-request/@x/1/checkout")
                .as_deref(),
            Some("https://securecheckout.hit-pay.com")
        );
        assert_eq!(
            origin_of("http://127.0.0.1:8080/sandbox/hitpay").as_deref(),
            Some("http://127.0.0.1:8080")
        );
        assert_eq!(
            origin_of("https://x.example:443/a").as_deref(),
            Some("https://x.example")
        );
        assert_eq!(origin_of("data:text/html,hi"), None);
        assert_eq!(origin_of("not a url"), None);
    }

    #[test]
    fn every_method_has_a_customer_label() {
        let labels: Vec<&str> = Method::ALL.into_iter().map(method_label).collect();
        assert_eq!(
            labels,
            ["Card", "Mobile banking", "Crypto", "PayNow", "Wallet"]
        );
    }
}
