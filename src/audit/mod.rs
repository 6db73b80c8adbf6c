//! `payrail audit`: checks the store's money and event invariants against each other, on a
//! store of any size, without changing anything.
//!
//! Why: the orchestration keeps a payment's status, its refunded amount, its refund rows, its
//! attempts, its timeline and its merchant events consistent inside each transaction. A bug, a
//! hand edit or a restore gone wrong breaks that silently; the audit says where, by invariant
//! ([`Check`]) and by the id of the row concerned.
//!
//! How, in constant memory: payments are walked in keyset order by id, [`AuditOptions::batch_size`]
//! at a time, each batch in one read-only snapshot (`REPEATABLE READ` on Postgres, a deferred
//! read transaction on SQLite), so a live store gives no false alarms. A batch covering ids
//! `(lo, hi]` reads the related rows of every table by the range `payment_id > lo AND payment_id
//! <= hi` (the last batch has no upper bound), which the `…_by_payment` indexes and the outbox's
//! unique `(payment_id, sequence)` serve. The ranges of all batches tile the whole key space, so
//! a row pointing at a payment that does not exist falls in exactly one range and is reported
//! there as an orphan, without any extra scan and without trusting the foreign keys (Postgres
//! enforces them; SQLite only on connections that enable them, which the `sqlite3` shell does
//! not). Idempotency records have no index by payment, so they are walked on their own in
//! primary-key order with their payments and refunds looked up by id. Findings go to the
//! caller as they are found and are never collected here.

mod console;
mod events;
mod idempotency;
mod money;
mod read;
mod report;
mod rollup;

pub use console::print;
pub use report::{report, AuditReport, FindingView};

use crate::store::Db;
use serde::Serialize;
use std::fmt;

/// One invariant; its name is what the CLI prints and the admin API answers.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Check {
    /// `refunded_minor` is the sum of the payment's completed refunds, whatever their origin.
    RefundedSum,
    /// `0 <= refunded_minor <= amount_minor`, and no more than arrived (`received_minor`).
    RefundedBound,
    /// The status agrees with the money (`refunded` is all that arrived given back,
    /// `domain::paid_money`) and with the refunds a status may have.
    StatusMoney,
    /// A paid payment names its paying attempt (of itself, with the gateway's id of the money)
    /// and has a `completed_at`; any `paid_attempt_id` names an attempt of the payment.
    PaidAttempt,
    /// Double payments (a `double_paid` attempt, an unsettled duplicate charge) only in review.
    OnePaidAttempt,
    /// The outbox holds sequences exactly `1..=event_sequence`.
    EventSequence,
    /// Every merchant event has exactly one matching timeline entry and the other way round;
    /// status changes announce `payment.<to>`; one creation entry per payment.
    EventTimeline,
    /// The status changes form a chain from `pending` to the current status.
    StatusChain,
    /// Each refund's `refund.*` events match its state.
    RefundEvents,
    /// A refund belongs to an existing payment of its merchant and currency, through an attempt
    /// of that payment.
    RefundRefs,
    /// Outbox events and timeline entries belong to existing payments (of the same merchant).
    EventRefs,
    /// Attempts and duplicate charges belong to existing payments.
    AttemptRefs,
    /// Idempotency records name existing payments and refunds of their merchant.
    IdempotencyRefs,
    /// The hourly stats rollup (folded hours plus pending deltas) counts and sums exactly the
    /// payments and refunds in each of its cells.
    StatRollup,
}

impl Check {
    pub const ALL: [Check; 14] = [
        Check::RefundedSum,
        Check::RefundedBound,
        Check::StatusMoney,
        Check::PaidAttempt,
        Check::OnePaidAttempt,
        Check::EventSequence,
        Check::EventTimeline,
        Check::StatusChain,
        Check::RefundEvents,
        Check::RefundRefs,
        Check::EventRefs,
        Check::AttemptRefs,
        Check::IdempotencyRefs,
        Check::StatRollup,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Check::RefundedSum => "refunded_sum",
            Check::RefundedBound => "refunded_bound",
            Check::StatusMoney => "status_money",
            Check::PaidAttempt => "paid_attempt",
            Check::OnePaidAttempt => "one_paid_attempt",
            Check::EventSequence => "event_sequence",
            Check::EventTimeline => "event_timeline",
            Check::StatusChain => "status_chain",
            Check::RefundEvents => "refund_events",
            Check::RefundRefs => "refund_refs",
            Check::EventRefs => "event_refs",
            Check::AttemptRefs => "attempt_refs",
            Check::IdempotencyRefs => "idempotency_refs",
            Check::StatRollup => "stat_rollup",
        }
    }
}

impl fmt::Display for Check {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One violation of one invariant.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Finding {
    pub check: Check,
    /// The row concerned: a payment, refund, attempt, outbox event (`evt_…`) or timeline entry
    /// id, or `merchant_id/key` for an idempotency record.
    pub id: String,
    /// The payment the row belongs to (or points at), when there is one.
    pub payment_id: Option<String>,
    pub message: String,
}

impl fmt::Display for Finding {
    /// `<check> <id>: <message>`, the CLI's line.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {}: {}", self.check, self.id, self.message)
    }
}

/// How many rows of each kind were read.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize)]
pub struct Checked {
    pub payments: u64,
    pub refunds: u64,
    /// Merchant events (outbox rows); their timeline entries are read beside them.
    pub events: u64,
    pub attempts: u64,
    pub idempotency_keys: u64,
}

/// What a run found.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct AuditSummary {
    pub checked: Checked,
    /// Findings reported, all checks together.
    pub violations: u64,
}

impl AuditSummary {
    pub fn is_clean(&self) -> bool {
        self.violations == 0
    }
}

impl fmt::Display for AuditSummary {
    /// `audit: clean (payments 3, …)` or `audit: 2 violations (payments 3, …)`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let c = &self.checked;
        match self.violations {
            0 => write!(f, "audit: clean")?,
            1 => write!(f, "audit: 1 violation")?,
            n => write!(f, "audit: {n} violations")?,
        }
        write!(
            f,
            " (payments {}, refunds {}, events {}, attempts {}, idempotency keys {})",
            c.payments, c.refunds, c.events, c.attempts, c.idempotency_keys
        )
    }
}

/// Where the walk is, after each batch of payments.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Progress {
    pub payments_done: u64,
    /// Counted when the run started (payments created since may make `done` pass it).
    pub payments_total: u64,
}

#[derive(Clone, Debug)]
pub struct AuditOptions {
    /// Payments (and idempotency records) read per snapshot; memory is proportional to it.
    pub batch_size: u32,
}

impl Default for AuditOptions {
    fn default() -> Self {
        Self { batch_size: 500 }
    }
}

/// Runs every check over the whole store: `on_finding` gets each violation as it is found,
/// `on_progress` is called after each batch of payments.
pub async fn run(
    db: &Db,
    options: &AuditOptions,
    mut on_finding: impl FnMut(Finding),
    mut on_progress: impl FnMut(Progress),
) -> sqlx::Result<AuditSummary> {
    let mut summary = AuditSummary::default();
    let batch_size = options.batch_size.max(1);
    let mut sink = |f: Finding| {
        summary.violations += 1;
        on_finding(f);
    };
    let mut checked = Checked::default();
    let total = read::count_payments(db).await?;
    let mut after: Option<String> = None;
    loop {
        let batch = read::batch(db, after.as_deref(), batch_size, &mut checked, &mut sink).await?;
        for facts in batch.payments() {
            money::check(&facts, &mut sink);
            events::check(&facts, &mut sink);
        }
        on_progress(Progress {
            payments_done: checked.payments,
            payments_total: total,
        });
        match batch.next_after() {
            Some(next) => after = Some(next),
            None => break,
        }
    }
    idempotency::check_all(db, batch_size, &mut checked, &mut sink).await?;
    rollup::check_all(db, &mut sink).await?;
    summary.checked = checked;
    Ok(summary)
}
