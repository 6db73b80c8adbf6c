//! Unit tests for the bKash adapter: the requests byte for byte, the token shared and renewed,
//! every class of answer, execute's outcomes, refunds, and the code table, over real HTTP
//! against the shared scripted gateway (`test_gateway`).

mod calls;
mod mapping;
mod token;

use crate::providers::{AccountContext, CheckoutRequest, Customer, QueryRequest, RefundRequest};
use chrono::TimeZone;
use rust_decimal::Decimal;

pub const APP_KEY: &str = "bk_app_key_test";
pub const APP_SECRET: &str = "bk_app_secret_test";
pub const USERNAME: &str = "sandboxTokenizedUser";
pub const PASSWORD: &str = "sandbox<*pass>";
pub const REF: &str = "att_01JD3ZK2Q4X8V9N6B5M7C1T0RA";
pub const PAYMENT_ID: &str = "TR0011ON1565154754797";
pub const TRX: &str = "6H7801QFYM";
pub const CALLBACK: &str = "https://payrail.example/checkout/return/bkash/acc_test";

pub fn account(base_url: &str) -> AccountContext {
    AccountContext {
        account_id: "acc_test".into(),
        credentials: serde_json::json!({
            "app_key": APP_KEY, "app_secret": APP_SECRET,
            "username": USERNAME, "password": PASSWORD,
        }),
        base_url: base_url.into(),
        webhook_url: "https://payrail.example/v1/webhooks/bkash/acc_test/".into(),
    }
}

pub fn checkout_request() -> CheckoutRequest {
    CheckoutRequest {
        reference: REF.into(),
        amount: Decimal::new(10000, 2),
        currency: "BDT".into(),
        description: None,
        customer: Customer::default(),
        method: None,
        return_url: "https://payrail.example/checkout/pay_1/return?t=abc".into(),
        cancel_url: "https://payrail.example/checkout/pay_1/return?t=abc&intent=cancel".into(),
        account_return_url: CALLBACK.into(),
        expires_at: chrono::Utc
            .with_ymd_and_hms(2026, 12, 31, 23, 59, 59)
            .unwrap(),
    }
}

pub fn query() -> QueryRequest {
    QueryRequest {
        reference: REF.into(),
        external_id: Some(PAYMENT_ID.into()),
        charge_id: None,
        amount: Decimal::new(10000, 2),
        currency: "BDT".into(),
    }
}

pub fn refund_request(amount: Decimal, trx: Option<&str>) -> RefundRequest {
    RefundRequest {
        reference: "rfd_01JD3ZK2Q4X8V9N6B5M7C1T0RB".into(),
        payment_external_id: PAYMENT_ID.into(),
        payment_charge_id: trx.map(Into::into),
        amount,
        currency: "BDT".into(),
        reason: Some("Customer request".into()),
    }
}

/// A grant answer whose token lives `expires_in` seconds.
pub fn granted(id_token: &str, expires_in: u64) -> String {
    format!(
        r#"{{"statusCode":"0000","statusMessage":"Successful","id_token":"{id_token}","token_type":"Bearer","expires_in":{expires_in},"refresh_token":"refresh-{id_token}"}}"#
    )
}

pub const CREATED: &str = r#"{"statusCode":"0000","statusMessage":"Successful","paymentID":"TR0011ON1565154754797","bkashURL":"https://sandbox.payment.bkash.com/redirect/tokenized/?paymentID=TR0011ON1565154754797&mode=0011","callbackURL":"https://payrail.example/checkout/return/bkash/acc_test","amount":"100.00","intent":"sale","currency":"BDT","paymentCreateTime":"2019-08-07T11:12:34:978 GMT+0600","transactionStatus":"Initiated","merchantInvoiceNumber":"att_01JD3ZK2Q4X8V9N6B5M7C1T0RA"}"#;

/// A payment's status answer.
pub fn status(word: &str, verification: &str, trx: &str) -> String {
    format!(
        r#"{{"paymentID":"{PAYMENT_ID}","mode":"0011","paymentCreateTime":"2019-08-07T11:12:34:978 GMT+0600","amount":"100.00","currency":"BDT","intent":"sale","merchantInvoice":"{REF}","transactionStatus":"{word}","verificationStatus":"{verification}","userVerificationStatus":"{verification}","payerReference":"{REF}","trxID":"{trx}","statusCode":"0000","statusMessage":"Successful"}}"#
    )
}

pub fn executed() -> String {
    format!(
        r#"{{"statusCode":"0000","statusMessage":"Successful","paymentID":"{PAYMENT_ID}","payerReference":"{REF}","customerMsisdn":"01770618575","trxID":"{TRX}","amount":"100.00","transactionStatus":"Completed","paymentExecuteTime":"2019-08-07T11:15:56:336 GMT+0600","currency":"BDT","intent":"sale","merchantInvoiceNumber":"{REF}"}}"#
    )
}

/// An error answer: HTTP 200 with a code other than `0000`.
pub fn code(code: &str, message: &str) -> String {
    format!(r#"{{"statusCode":"{code}","statusMessage":"{message}"}}"#)
}
