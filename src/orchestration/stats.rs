//! Payment statistics over a time window, shared by the console's overview and
//! `GET /v1/admin/stats` so both show the same numbers: payments created and paid per group
//! (gateway, method, merchant or currency), hosted-checkout conversion and completed refunds.
//! Amounts stay per currency: adding BDT to USD means nothing. Read-only.

use super::Orchestrator;
use crate::domain::money::{format_minor, Currency};
use crate::error::AppResult;
pub use crate::store::stats::Column as GroupBy;
use crate::store::stats::{self, GroupRow};
use chrono::{DateTime, Duration, Utc};
use serde_json::{json, Value};

/// The longest window a stats request may cover.
pub const MAX_RANGE_DAYS: i64 = 366;

impl GroupBy {
    pub const ALL: [GroupBy; 4] = [
        GroupBy::Provider,
        GroupBy::Method,
        GroupBy::Merchant,
        GroupBy::Currency,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            GroupBy::Provider => "provider",
            GroupBy::Method => "method",
            GroupBy::Merchant => "merchant",
            GroupBy::Currency => "currency",
        }
    }

    pub fn parse(raw: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|g| g.as_str() == raw)
    }
}

/// One currency's money in a group, in minor units.
#[derive(Debug, Clone)]
pub struct Money {
    pub currency: String,
    pub amount_minor: i64,
    pub completed_minor: i64,
}

/// One group: its key (`None`: not known yet, e.g. a hosted payment before the customer's pick).
#[derive(Debug, Clone)]
pub struct Group {
    pub key: Option<String>,
    pub created: i64,
    pub completed: i64,
    /// Per currency, by code.
    pub amounts: Vec<Money>,
}

impl Group {
    pub fn success_rate(&self) -> Option<f64> {
        rate(self.completed, self.created)
    }
}

/// Completed refunds in one currency.
#[derive(Debug, Clone)]
pub struct RefundTotal {
    pub currency: String,
    pub count: i64,
    pub amount_minor: i64,
}

/// Everything known about one window.
#[derive(Debug, Clone)]
pub struct Stats {
    pub from: DateTime<Utc>,
    pub to: DateTime<Utc>,
    pub group_by: GroupBy,
    pub groups: Vec<Group>,
    /// Hosted-checkout payments created, and how many of them were paid.
    pub hosted: (i64, i64),
    pub refunds: Vec<RefundTotal>,
}

/// `part / whole`, none when nothing was created.
pub fn rate(part: i64, whole: i64) -> Option<f64> {
    (whole > 0).then(|| part as f64 / whole as f64)
}

/// Minor units written with the currency's digits (`1234` USD: `12.34`); a code the money
/// module does not know (it cannot be stored, but still) is written in minor units.
pub fn amount(minor: i64, currency: &str) -> String {
    match Currency::parse(currency) {
        Some(c) => format_minor(minor, c),
        None => minor.to_string(),
    }
}

/// Folds the (group, currency) rows, ordered by group, into groups.
fn fold(rows: Vec<GroupRow>) -> Vec<Group> {
    let mut groups: Vec<Group> = Vec::new();
    for r in rows {
        let money = Money {
            currency: r.currency,
            amount_minor: r.amount_minor,
            completed_minor: r.completed_minor,
        };
        match groups.last_mut() {
            Some(g) if g.key == r.group_key => {
                g.created += r.created;
                g.completed += r.completed;
                g.amounts.push(money);
            }
            _ => groups.push(Group {
                key: r.group_key,
                created: r.created,
                completed: r.completed,
                amounts: vec![money],
            }),
        }
    }
    groups
}

impl Orchestrator {
    /// Payments created in `[from, to)`, grouped by `by` (and currency).
    pub async fn stat_groups(
        &self,
        by: GroupBy,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
    ) -> AppResult<Vec<Group>> {
        let mut conn = self.db.acquire().await?;
        Ok(fold(stats::payment_groups(&mut conn, by, from, to).await?))
    }

    /// The whole picture of `[from, to)`: groups, hosted conversion, refunds.
    pub async fn stats(
        &self,
        by: GroupBy,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
    ) -> AppResult<Stats> {
        let groups = self.stat_groups(by, from, to).await?;
        let mut conn = self.db.acquire().await?;
        let hosted = stats::hosted_conversion(&mut conn, from, to).await?;
        let refunds = stats::refund_totals(&mut conn, from, to)
            .await?
            .into_iter()
            .map(|(currency, count, amount_minor)| RefundTotal {
                currency,
                count,
                amount_minor,
            })
            .collect();
        Ok(Stats {
            from,
            to,
            group_by: by,
            groups,
            hosted,
            refunds,
        })
    }

    /// The oldest due recheck not yet done, and how long it is overdue (none: keeping up).
    pub async fn reconciler_lag(&self) -> AppResult<Option<(DateTime<Utc>, Duration)>> {
        let now = self.now();
        let mut conn = self.db.acquire().await?;
        let oldest = stats::oldest_due_recheck(&mut conn, now).await?;
        Ok(oldest.map(|t| (t, now - t)))
    }
}

/// The JSON of `GET /v1/admin/stats` (openapi.yaml, `Stats`).
pub fn stats_json(s: &Stats) -> Value {
    let groups: Vec<Value> = s
        .groups
        .iter()
        .map(|g| {
            let amounts: Vec<Value> = g
                .amounts
                .iter()
                .map(|m| {
                    json!({
                        "currency": m.currency,
                        "amount": amount(m.amount_minor, &m.currency),
                        "completed_amount": amount(m.completed_minor, &m.currency),
                    })
                })
                .collect();
            json!({
                "key": g.key,
                "count": g.created,
                "completed": g.completed,
                "success_rate": g.success_rate(),
                "amounts": amounts,
            })
        })
        .collect();
    let refunds: Vec<Value> = s
        .refunds
        .iter()
        .map(|r| json!({ "currency": r.currency, "count": r.count, "amount": amount(r.amount_minor, &r.currency) }))
        .collect();
    json!({
        "from": super::views::ts(s.from),
        "to": super::views::ts(s.to),
        "group_by": s.group_by.as_str(),
        "groups": groups,
        "hosted_checkout": {
            "created": s.hosted.0,
            "completed": s.hosted.1,
            "conversion_rate": rate(s.hosted.1, s.hosted.0),
        },
        "refunds": refunds,
    })
}
