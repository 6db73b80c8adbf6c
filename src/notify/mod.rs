//! Merchant webhooks: how an outbox event is signed, where it may be sent, how a delivery is
//! classified and when it is tried again. The delivery worker (`workers::delivery`) drives it.

pub mod address;
pub mod client;
pub mod retry;
pub mod signing;
