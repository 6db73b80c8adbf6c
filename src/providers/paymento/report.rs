//! Turning a verify answer or an IPN into Payrail's report, refusing what does not add up.
//!
//! Errs towards "ask again": a verify answer without `orderStatus`, or about another token or
//! another `orderId`, is an error the caller turns into `Unknown`. The amount is
//! `settlement.requestedFiatAmount` (the only fiat amount Paymento returns:
//! docs/gateways/paymento.md, "Endpoints") in the payment's own currency, since Paymento does not
//! echo the currency; Payrail compares it numerically with what it asked for. Coins received on an
//! order that closed unpaid are money that arrived short: reported as an underpaid payment, which
//! Payrail holds for review.

use super::mapping::{map_status, provider_status, OrderStatus};
use super::wire::{Ipn, VerifyAnswer};
use crate::providers::{GatewayReport, QueryRequest, ReportedAmount, ReportedStatus};

pub fn verify_report(
    answer: VerifyAnswer,
    token: &str,
    query: &QueryRequest,
) -> Result<GatewayReport, String> {
    let wire = answer
        .order_status
        .ok_or("verify answer has no orderStatus")?;
    if let Some(echoed) = answer.token.as_deref().filter(|t| !t.is_empty()) {
        if echoed != token {
            return Err(format!(
                "verify answer is about token {echoed}, not {token}"
            ));
        }
    }
    if let Some(echoed) = answer.order_id.as_deref().filter(|o| !o.is_empty()) {
        if echoed != query.reference {
            return Err(format!(
                "verify answer is about order {echoed}, not {}",
                query.reference
            ));
        }
    }
    let (mut status, mut underpaid) = map_status(OrderStatus::from_wire(&wire));
    // Coins on an order that closed unpaid (Timeout, UserCanceled, Reject) are in the merchant's
    // wallet all the same: money arrived but did not settle the order, so ops must look.
    let coins_in = answer
        .received_crypto_amount
        .is_some_and(|c| c > rust_decimal::Decimal::ZERO);
    if coins_in
        && matches!(
            status,
            ReportedStatus::Expired | ReportedStatus::Cancelled | ReportedStatus::Failed
        )
    {
        status = ReportedStatus::Paid;
        underpaid = true;
    }
    Ok(GatewayReport {
        reference: Some(query.reference.clone()),
        external_id: Some(token.to_owned()),
        provider_status: provider_status(&wire),
        status,
        amount: answer.requested_fiat_amount.map(|value| ReportedAmount {
            value,
            currency: query.currency.clone(),
        }),
        underpaid,
        received: None,
        charge_id: None,
        refunded: None,
        extra_charges: vec![],
    })
}

/// The IPN as a report, and its dedupe key `{Token}:{status number}` (a redelivery of the same
/// transition is one event; 3 then 7 are two). `PaymentId` is kept as the charge id.
pub fn ipn_report(ipn: Ipn) -> Result<(GatewayReport, String), String> {
    let token = ipn
        .token
        .filter(|t| !t.is_empty())
        .ok_or("IPN has no Token")?;
    let wire = ipn.order_status.ok_or("IPN has no OrderStatus")?;
    let known = OrderStatus::from_wire(&wire);
    let (status, underpaid) = map_status(known);
    let dedupe_key = match known {
        Some(s) => format!("{token}:{}", s.code()),
        None => format!("{token}:{}", wire.verbatim()),
    };
    let report = GatewayReport {
        reference: ipn.order_id.filter(|o| !o.is_empty()),
        external_id: Some(token),
        provider_status: provider_status(&wire),
        status,
        amount: None,
        underpaid,
        received: None,
        charge_id: ipn.payment_id.filter(|p| !p.is_empty()),
        refunded: None,
        extra_charges: vec![],
    };
    Ok((report, dedupe_key))
}
