//! Payrail: one HimoSoft-compatible payments API in front of many gateways.
//!
//! The map, outside in:

/// Pure types and rules: ids, money, the transition table, URL policy.
pub mod domain;
/// Gateway adapters: one folder per gateway, speaking only its wire format.
pub mod providers;
/// Faithful gateway simulators for tests and the sandbox (`payrail sim`).
pub mod sim;
