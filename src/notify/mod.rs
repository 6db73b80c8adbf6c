//! Merchant webhooks: how an outbox event is signed, where it may be sent, how a delivery is
//! classified and when it is tried again. `orchestration::deliveries` drives it, on the
//! delivery worker's timer.

pub mod address;
pub mod client;
pub mod retry;
pub mod signing;
