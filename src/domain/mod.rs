//! Pure types and rules, no I/O: ids, money, the payment state machine, input validation.

pub mod ids;
pub mod money;
pub mod status;
#[cfg(test)]
mod status_tests;
pub mod urls;
