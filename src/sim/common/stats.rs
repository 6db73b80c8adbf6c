//! The `_sim/stats` counters, whose JSON every simulator answers in the same shape:
//! `{"calls": {"create","query","refund","cancel"}, "by_reference": {...}, "webhooks_sent": n}`.
//!
//! Tests (and the adapters' tests) read these to prove how often a client asked; one definition
//! keeps the shape the same at every gateway. `by_reference` is keyed by Payrail's reference; its
//! entries are [`RefCounts`] (`{"create","query"}`), or [`Calls`] where a simulator counts every
//! kind per reference.

use std::collections::BTreeMap;

use serde::Serialize;

/// Which kind of API call reached its route, in Payrail's words.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CallKind {
    Create,
    /// Any read of a record (query, verify, recheck, a refund's query).
    Query,
    Refund,
    Cancel,
}

/// Calls by kind; kinds a gateway has no API for stay 0.
#[derive(Clone, Debug, Default, Serialize)]
pub struct Calls {
    pub create: u64,
    pub query: u64,
    pub refund: u64,
    pub cancel: u64,
}

/// Calls under one reference: the ones that made a record (create, refund) and the others.
#[derive(Clone, Debug, Default, Serialize)]
pub struct RefCounts {
    pub create: u64,
    pub query: u64,
}

/// What `by_reference` counts per reference.
pub trait Counter: Default {
    fn bump(&mut self, kind: CallKind);
}

impl Counter for Calls {
    fn bump(&mut self, kind: CallKind) {
        match kind {
            CallKind::Create => self.create += 1,
            CallKind::Query => self.query += 1,
            CallKind::Refund => self.refund += 1,
            CallKind::Cancel => self.cancel += 1,
        }
    }
}

impl Counter for RefCounts {
    fn bump(&mut self, kind: CallKind) {
        match kind {
            CallKind::Create | CallKind::Refund => self.create += 1,
            CallKind::Query | CallKind::Cancel => self.query += 1,
        }
    }
}

/// The `_sim/stats` answer, serialised as is.
#[derive(Clone, Debug, Default, Serialize)]
pub struct Stats<R = RefCounts> {
    pub calls: Calls,
    pub by_reference: BTreeMap<String, R>,
    pub webhooks_sent: u64,
}

impl<R: Counter> Stats<R> {
    /// Counts one call, and under `reference` when the call names one.
    pub fn count(&mut self, kind: CallKind, reference: Option<&str>) {
        self.calls.bump(kind);
        if let Some(r) = reference {
            self.by_reference
                .entry(r.to_owned())
                .or_default()
                .bump(kind);
        }
    }
}
