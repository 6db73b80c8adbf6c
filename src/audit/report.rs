//! The audit as one answer (the admin API's body, the test harness's teardown): the counts, the
//! total of violations, and the first findings up to a limit, so the answer stays small
//! however broken the store is.

use super::{run, AuditOptions, Check, Checked, Finding};
use crate::store::Db;
use serde::Serialize;

#[derive(Debug, Clone, Serialize)]
pub struct AuditReport {
    pub clean: bool,
    pub checked: Checked,
    /// Every violation found, including those left out of `findings`.
    pub violations: u64,
    /// The first `limit` findings, in the order they were found.
    pub findings: Vec<FindingView>,
    /// More violations were found than `findings` holds.
    pub truncated: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FindingView {
    pub check: Check,
    pub id: String,
    pub payment_id: Option<String>,
    pub message: String,
}

impl From<Finding> for FindingView {
    fn from(f: Finding) -> Self {
        Self {
            check: f.check,
            id: f.id,
            payment_id: f.payment_id,
            message: f.message,
        }
    }
}

impl std::fmt::Display for FindingView {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} {}: {}", self.check, self.id, self.message)
    }
}

/// Runs the audit, keeping the first `limit` findings.
pub async fn report(db: &Db, options: &AuditOptions, limit: usize) -> sqlx::Result<AuditReport> {
    let mut findings = Vec::new();
    let summary = run(
        db,
        options,
        |f| {
            if findings.len() < limit {
                findings.push(FindingView::from(f));
            }
        },
        |_| {},
    )
    .await?;
    Ok(AuditReport {
        clean: summary.is_clean(),
        checked: summary.checked,
        violations: summary.violations,
        truncated: summary.violations > findings.len() as u64,
        findings,
    })
}
