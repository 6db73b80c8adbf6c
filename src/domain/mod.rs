//! Pure types and rules, no I/O: ids, money, the payment, attempt and refund state machines, input
//! validation (strict JSON, text, URLs and addresses), what a request signature covers.

pub mod address_class;
#[cfg(test)]
mod address_class_tests;
pub mod attempt_status;
pub mod ids;
pub mod money;
pub mod paid_money;
pub mod refund_status;
pub mod refund_totals;
pub mod request_signing;
pub mod status;
#[cfg(test)]
mod status_tests;
pub mod strict_json;
#[cfg(test)]
mod table_test;
pub mod text;
pub mod urls;
