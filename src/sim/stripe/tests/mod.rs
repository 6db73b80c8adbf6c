//! Tests of the Stripe simulator: its signing against the note's vectors, the API (validation,
//! auth, expansion, expire, idempotency), the checkout page and its webhooks, refunds (API and
//! dashboard), faults and the chaos controls. Signatures are checked with code written here from
//! `docs/gateways/stripe.md`, not the simulator's own.

mod api;
mod checkout;
mod idempotency;
mod refunds;
mod support;
mod vectors;
