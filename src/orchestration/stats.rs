//! Payment statistics over a time window, shared by the console's overview and
//! `GET /v1/admin/stats` so both show the same numbers: payments created and paid per group
//! (gateway, method, merchant or currency), hosted-checkout conversion and completed refunds.
//! Amounts stay per currency: adding BDT to USD means nothing. Read-only.
//!
//! A window is read once, as cells of the hourly rollup (`store::stat_rollup`: one per kind,
//! merchant, gateway, method, currency, hosted flag and outcome), and every grouping is folded
//! from those cells here, so the overview's two groupings cost one query.

use super::Orchestrator;
use crate::domain::money::{format_minor, Currency};
use crate::error::AppResult;
use crate::store::stat_rollup::{self, Cell};
use crate::store::stats;
use chrono::{DateTime, Duration, Utc};
use serde_json::{json, Value};
use std::collections::BTreeMap;

/// The longest window a stats request may cover.
pub const MAX_RANGE_DAYS: i64 = 366;

/// What payments can be grouped by.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum GroupBy {
    Provider,
    Method,
    Merchant,
    Currency,
}

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

    /// The cell's key in this grouping; none while not known (`''` in the rollup).
    fn key(self, cell: &Cell) -> Option<&str> {
        let key = match self {
            GroupBy::Provider => &cell.provider,
            GroupBy::Method => &cell.method,
            GroupBy::Merchant => &cell.merchant_id,
            GroupBy::Currency => &cell.currency,
        };
        (!key.is_empty()).then_some(key.as_str())
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

/// One group being summed: its counts, and (amount, paid amount) per currency.
#[derive(Default)]
struct Tally<'a> {
    created: i64,
    completed: i64,
    money: BTreeMap<&'a str, (i64, i64)>,
}

/// The payment cells grouped by `by`, each group's money per currency; groups and currencies
/// in order (the unknown key first).
pub fn groups(cells: &[Cell], by: GroupBy) -> Vec<Group> {
    let mut tallies: BTreeMap<Option<&str>, Tally> = BTreeMap::new();
    for c in cells.iter().filter(|c| c.kind == "payment") {
        let t = tallies.entry(by.key(c)).or_default();
        let (amount, completed_amount) = t.money.entry(c.currency.as_str()).or_default();
        t.created += c.count;
        *amount += c.amount_minor;
        if c.done {
            t.completed += c.count;
            *completed_amount += c.amount_minor;
        }
    }
    tallies
        .into_iter()
        .filter(|(_, t)| t.created != 0)
        .map(|(key, t)| Group {
            key: key.map(str::to_owned),
            created: t.created,
            completed: t.completed,
            amounts: t
                .money
                .into_iter()
                .map(|(currency, (amount_minor, completed_minor))| Money {
                    currency: currency.to_owned(),
                    amount_minor,
                    completed_minor,
                })
                .collect(),
        })
        .collect()
}

/// Hosted-checkout payments created, and how many of them were paid.
fn hosted_conversion(cells: &[Cell]) -> (i64, i64) {
    cells
        .iter()
        .filter(|c| c.kind == "payment" && c.hosted)
        .fold((0, 0), |(created, paid), c| {
            (created + c.count, paid + if c.done { c.count } else { 0 })
        })
}

/// Completed refunds per currency.
fn refund_totals(cells: &[Cell]) -> Vec<RefundTotal> {
    let mut per_currency: BTreeMap<&str, (i64, i64)> = BTreeMap::new();
    for c in cells.iter().filter(|c| c.kind == "refund" && c.done) {
        let (count, amount) = per_currency.entry(c.currency.as_str()).or_default();
        *count += c.count;
        *amount += c.amount_minor;
    }
    per_currency
        .into_iter()
        .filter(|(_, (count, _))| *count != 0)
        .map(|(currency, (count, amount_minor))| RefundTotal {
            currency: currency.to_owned(),
            count,
            amount_minor,
        })
        .collect()
}

impl Stats {
    /// The window's stats grouped by `by`, from its cells.
    pub fn from_cells(
        cells: &[Cell],
        by: GroupBy,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
    ) -> Stats {
        Stats {
            from,
            to,
            group_by: by,
            groups: groups(cells, by),
            hosted: hosted_conversion(cells),
            refunds: refund_totals(cells),
        }
    }
}

impl Orchestrator {
    /// Every rollup cell of `[from, to)`.
    pub async fn stat_cells(&self, from: DateTime<Utc>, to: DateTime<Utc>) -> AppResult<Vec<Cell>> {
        let mut conn = self.db.acquire().await?;
        Ok(stat_rollup::window_cells(&mut conn, from, to).await?)
    }

    /// The whole picture of `[from, to)`: groups, hosted conversion, refunds.
    pub async fn stats(
        &self,
        by: GroupBy,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
    ) -> AppResult<Stats> {
        let cells = self.stat_cells(from, to).await?;
        Ok(Stats::from_cells(&cells, by, from, to))
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
