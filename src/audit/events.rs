//! The checks of one payment's history: its merchant events (the outbox) against its
//! `event_sequence`, against its timeline, against its status, and against its refunds.
//!
//! The refund rule is per refund, which implies the per-payment counts: every `refund.*` event
//! names a refund of its payment (`data.id`), and a refund has exactly one `refund.completed`
//! event when it is completed or reversed (it completed first) and none otherwise, exactly one
//! `refund.failed` when failed and none otherwise, exactly one `refund.reversed` when reversed
//! and none otherwise, and `refund.needs_review` events: exactly one while in review, at most one
//! once settled (it may have been settled without passing through review), none while pending.
//! So per payment: `refund.completed` events = completed + reversed refunds, `refund.failed`
//! events = failed refunds, and refunds in review ≤ `refund.needs_review` events ≤ refunds in
//! review + settled refunds.

use super::read::{PaymentView, TimelineFacts};
use super::{Check, Finding};
use crate::domain::refund_status::RefundStatus;
use crate::domain::status::PaymentStatus;
use std::collections::HashMap;

/// The `refund.*` merchant event types, in the order of [`RefundCounts`].
const REFUND_EVENTS: [RefundStatus; 4] = [
    RefundStatus::Completed,
    RefundStatus::Failed,
    RefundStatus::NeedsReview,
    RefundStatus::Reversed,
];

type RefundCounts = [usize; 4];

pub(super) fn check(v: &PaymentView<'_>, sink: &mut impl FnMut(Finding)) {
    let p = v.payment;
    let mut report = |check: Check, id: &str, message: String| {
        sink(Finding {
            check,
            id: id.to_owned(),
            payment_id: Some(p.id.clone()),
            message,
        })
    };

    // event_sequence: exactly 1..=event_sequence.
    let n = p.event_sequence;
    let mut seqs: Vec<i32> = v.outbox.iter().map(|e| e.sequence).collect();
    seqs.sort_unstable();
    let beyond: Vec<i32> = seqs.iter().copied().filter(|s| *s < 1 || *s > n).collect();
    if !beyond.is_empty() {
        let message = format!(
            "sequences {} are outside 1..={n} (event_sequence)",
            list(&beyond)
        );
        report(Check::EventSequence, &p.id, message);
    }
    seqs.dedup();
    let present = seqs.iter().filter(|s| (1..=n).contains(*s)).count() as i64;
    if present < i64::from(n.max(0)) {
        let gaps = first_gaps(&seqs, n, 5);
        let message = format!(
            "event_sequence is {n} but {} of sequences 1..={n} are missing (first: {})",
            i64::from(n) - present,
            list(&gaps)
        );
        report(Check::EventSequence, &p.id, message);
    }

    // event_timeline: outbox ⇄ timeline, one to one.
    let mut by_sequence: HashMap<i32, Vec<&TimelineFacts>> = HashMap::new();
    for t in v.timeline {
        if let Some(s) = t.sequence {
            by_sequence.entry(s).or_default().push(t);
        }
    }
    for e in v.outbox {
        if e.merchant_id != p.merchant_id {
            let message = format!(
                "merchant event of merchant {} on a payment of merchant {}",
                e.merchant_id, p.merchant_id
            );
            report(Check::EventRefs, &e.id, message);
        }
        if !is_merchant_event(&e.kind) {
            let message = format!("{:?} is not a merchant event type", e.kind);
            report(Check::EventTimeline, &e.id, message);
        }
        match by_sequence.get(&e.sequence).map(Vec::as_slice) {
            None | Some([]) => report(
                Check::EventTimeline,
                &e.id,
                format!("{} (sequence {}) has no timeline entry", e.kind, e.sequence),
            ),
            Some([t]) if t.kind != e.kind => report(
                Check::EventTimeline,
                &e.id,
                format!(
                    "{} (sequence {}) has timeline entry {} of type {}",
                    e.kind, e.sequence, t.id, t.kind
                ),
            ),
            Some([_]) => {}
            Some(many) => report(
                Check::EventTimeline,
                &e.id,
                format!(
                    "{} (sequence {}) has {} timeline entries",
                    e.kind,
                    e.sequence,
                    many.len()
                ),
            ),
        }
    }
    let mut creations = Vec::new();
    for t in v.timeline {
        if let Some(s) = t.sequence {
            if !v.outbox.iter().any(|e| e.sequence == s) {
                let message = format!(
                    "{} entry names sequence {s}, which no merchant event has",
                    t.kind
                );
                report(Check::EventTimeline, &t.id, message);
            }
        }
        if let Some(from) = &t.from_status {
            let to = t.to_status.as_deref().unwrap_or("");
            if t.sequence.is_none() {
                let message = format!("status change {from} → {to} has no sequence");
                report(Check::EventTimeline, &t.id, message);
            }
            if t.kind != format!("payment.{to}") {
                let message = format!("status change {from} → {to} is of type {}", t.kind);
                report(Check::EventTimeline, &t.id, message);
            }
        }
        if t.kind == "payment.created" {
            creations.push(t);
        }
    }
    match creations.as_slice() {
        [t] if t.from_status.is_none() && t.to_status.as_deref() == Some("pending") => {}
        [t] => report(
            Check::EventTimeline,
            &t.id,
            format!(
                "creation entry goes {:?} → {:?}, not none → pending",
                t.from_status, t.to_status
            ),
        ),
        other => report(
            Check::EventTimeline,
            &p.id,
            format!(
                "{} creation entries (payment.created), not one",
                other.len()
            ),
        ),
    }

    // status_chain: pending → … → the current status.
    let mut changes: Vec<&TimelineFacts> = v
        .timeline
        .iter()
        .filter(|t| t.from_status.is_some())
        .collect();
    changes.sort_by_key(|t| (t.sequence.unwrap_or(i32::MAX), t.id.as_str()));
    let mut current = PaymentStatus::Pending.as_str();
    let mut broken = false;
    for t in &changes {
        let from = t.from_status.as_deref().unwrap_or("");
        if from != current {
            let message = format!(
                "status change {} (sequence {}) goes from {from} but the status was {current}",
                t.id,
                t.sequence.map_or("none".into(), |s| s.to_string())
            );
            report(Check::StatusChain, &p.id, message);
            broken = true;
            break;
        }
        current = t.to_status.as_deref().unwrap_or("");
    }
    if !broken && current != p.status {
        let message = format!(
            "the status changes end at {current} but the status is {}",
            p.status
        );
        report(Check::StatusChain, &p.id, message);
    }

    // refund_events: each refund's events match its state.
    let mut counts: HashMap<&str, RefundCounts> = HashMap::new();
    for e in v.outbox.iter().filter(|e| e.kind.starts_with("refund.")) {
        let Some(k) = REFUND_EVENTS.iter().position(|s| s.event_type() == e.kind) else {
            continue; // an unknown type: event_timeline reports it
        };
        let named = e.refund_payload.as_deref().and_then(refund_id_of);
        match named
            .as_deref()
            .and_then(|id| v.refunds.iter().find(|r| r.id == id))
        {
            Some(r) => counts.entry(r.id.as_str()).or_default()[k] += 1,
            None => report(
                Check::RefundEvents,
                &e.id,
                match named {
                    Some(id) => format!(
                        "{} names refund {id}, which is not a refund of this payment",
                        e.kind
                    ),
                    None => format!("{} payload names no refund (data.id)", e.kind),
                },
            ),
        }
    }
    for r in v.refunds {
        let Some(status) = RefundStatus::parse(&r.status) else {
            continue; // status_money reports it
        };
        let got = counts.get(r.id.as_str()).copied().unwrap_or_default();
        for (k, event) in REFUND_EVENTS.iter().enumerate() {
            let (min, max) = expected_refund_events(status, *event);
            if got[k] < min || got[k] > max {
                let want = if min == max {
                    min.to_string()
                } else {
                    format!("{min} to {max}")
                };
                let message = format!(
                    "refund is {status} with {} {} event(s), expected {want}",
                    got[k],
                    event.event_type()
                );
                report(Check::RefundEvents, &r.id, message);
            }
        }
    }
}

/// How many `event` events a refund in `status` has: (at least, at most).
fn expected_refund_events(status: RefundStatus, event: RefundStatus) -> (usize, usize) {
    use RefundStatus::*;
    match (event, status) {
        (Completed, Completed | Reversed)
        | (Failed, Failed)
        | (NeedsReview, NeedsReview)
        | (Reversed, Reversed) => (1, 1),
        (NeedsReview, Completed | Failed | Reversed) => (0, 1),
        _ => (0, 0),
    }
}

/// `payment.<status>` or one of the `refund.*` types.
fn is_merchant_event(kind: &str) -> bool {
    kind.strip_prefix("payment.")
        .is_some_and(|s| PaymentStatus::parse(s).is_some())
        || REFUND_EVENTS.iter().any(|s| s.event_type() == kind)
}

/// The refund a `refund.*` event's payload is about.
fn refund_id_of(payload: &str) -> Option<String> {
    #[derive(serde::Deserialize)]
    struct Event {
        data: Data,
    }
    #[derive(serde::Deserialize)]
    struct Data {
        id: String,
    }
    serde_json::from_str::<Event>(payload)
        .ok()
        .map(|e| e.data.id)
}

/// Up to `limit` of the numbers in `1..=n` missing from the sorted, deduplicated `seqs`.
fn first_gaps(seqs: &[i32], n: i32, limit: usize) -> Vec<i32> {
    let (n, mut next) = (i64::from(n), 1_i64);
    let mut gaps = Vec::new();
    let mut note = |upto: i64, next: &mut i64| {
        while *next < upto && gaps.len() < limit {
            gaps.push(*next as i32);
            *next += 1;
        }
    };
    for s in seqs
        .iter()
        .map(|s| i64::from(*s))
        .filter(|s| (1..=n).contains(s))
    {
        note(s, &mut next);
        next = s + 1;
    }
    note(n + 1, &mut next);
    gaps
}

fn list(v: &[i32]) -> String {
    v.iter().map(i32::to_string).collect::<Vec<_>>().join(", ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn gaps_are_found_without_walking_the_whole_range() {
        assert_eq!(first_gaps(&[1, 2, 3], 3, 5), Vec::<i32>::new());
        assert_eq!(first_gaps(&[1, 3], 3, 5), vec![2]);
        assert_eq!(first_gaps(&[], 3, 5), vec![1, 2, 3]);
        assert_eq!(first_gaps(&[2], i32::MAX, 2), vec![1, 3]);
        assert_eq!(first_gaps(&[0, 1, 9], 2, 5), vec![2]);
    }

    #[test]
    fn refund_events_follow_the_refund_life() {
        use RefundStatus::*;
        assert_eq!(expected_refund_events(Pending, Completed), (0, 0));
        assert_eq!(expected_refund_events(Pending, NeedsReview), (0, 0));
        assert_eq!(expected_refund_events(Completed, Completed), (1, 1));
        assert_eq!(expected_refund_events(Completed, NeedsReview), (0, 1));
        assert_eq!(expected_refund_events(Failed, Completed), (0, 0));
        assert_eq!(expected_refund_events(NeedsReview, NeedsReview), (1, 1));
        assert_eq!(expected_refund_events(NeedsReview, Failed), (0, 0));
        assert_eq!(expected_refund_events(Reversed, Completed), (1, 1));
        assert_eq!(expected_refund_events(Reversed, Reversed), (1, 1));
        assert_eq!(expected_refund_events(Completed, Reversed), (0, 0));
        assert_eq!(expected_refund_events(Reversed, NeedsReview), (0, 1));
    }

    #[test]
    fn merchant_event_types_and_refund_payloads() {
        assert!(is_merchant_event("payment.refunded"));
        assert!(is_merchant_event("refund.needs_review"));
        assert!(!is_merchant_event("refund.pending"));
        assert!(!is_merchant_event("payment.created"));
        let payload = r#"{"id":"evt_1","type":"refund.completed","data":{"id":"rfd_1","status":"completed"}}"#;
        assert_eq!(refund_id_of(payload).as_deref(), Some("rfd_1"));
        assert_eq!(refund_id_of("{}"), None);
    }
}
