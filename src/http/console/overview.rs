//! `/console`: the overview. The last 24 hours and 7 days by gateway (with a bar chart) and by
//! method, hosted-checkout conversion, refunds per currency, then the machinery: the outbox
//! backlog, open circuits, the reconciler's lag. The audit runs only when ops press its button
//! (`POST /console/audit`): on a big store it reads everything.

use super::chart::{self, Chart, BAR_X};
use super::page::{html, Chrome, ConsoleError, Page};
use super::{fmt, reviews::waited, session};
use crate::audit::AuditReport;
use crate::http::AppState;
use crate::orchestration::console_overview::{Overview, OverviewWindow};
use crate::orchestration::stats::{amount, rate, Group};
use actix_web::{web, HttpRequest};
use askama::Template;

/// Findings the console shows from an audit.
const AUDIT_FINDINGS: usize = 20;

struct GroupView {
    name: String,
    created: i64,
    completed: i64,
    rate: String,
    amounts: Vec<String>,
}

struct Table {
    caption: &'static str,
    column: &'static str,
    groups: Vec<GroupView>,
}

struct WindowView {
    label: &'static str,
    chart: Chart,
    tables: Vec<Table>,
    hosted: String,
    refunds: Vec<String>,
}

#[derive(Template)]
#[template(path = "console/overview.html")]
struct OverviewTemplate {
    chrome: Chrome,
    now: String,
    bar_x: u32,
    windows: Vec<WindowView>,
    backlog: String,
    circuits: Vec<(String, String, String)>,
    lag: String,
    audit: Option<AuditReport>,
}

fn percent(r: Option<f64>) -> String {
    r.map_or_else(|| "–".to_owned(), |r| format!("{:.1} %", r * 100.0))
}

fn group_view(g: &Group, none: &str) -> GroupView {
    GroupView {
        name: g.key.clone().unwrap_or_else(|| none.to_owned()),
        created: g.created,
        completed: g.completed,
        rate: percent(g.success_rate()),
        amounts: g
            .amounts
            .iter()
            .map(|m| {
                let (all, paid) = (
                    amount(m.amount_minor, &m.currency),
                    amount(m.completed_minor, &m.currency),
                );
                format!("{} {all} (paid {paid})", m.currency)
            })
            .collect(),
    }
}

fn window_view(w: &OverviewWindow) -> WindowView {
    let by_gateway: Vec<GroupView> = w
        .stats
        .groups
        .iter()
        .map(|g| group_view(g, "(not chosen yet)"))
        .collect();
    let rows: Vec<(String, i64, i64)> = by_gateway
        .iter()
        .map(|g| (g.name.clone(), g.created, g.completed))
        .collect();
    let (created, paid) = w.stats.hosted;
    WindowView {
        label: w.label,
        chart: chart::bars(format!("Payments by gateway, {}", w.label), &rows),
        tables: vec![
            Table {
                caption: "By gateway",
                column: "Gateway",
                groups: by_gateway,
            },
            Table {
                caption: "By method",
                column: "Method",
                groups: w
                    .by_method
                    .iter()
                    .map(|g| group_view(g, "(none)"))
                    .collect(),
            },
        ],
        hosted: format!("{paid} of {created} ({})", percent(rate(paid, created))),
        refunds: w
            .stats
            .refunds
            .iter()
            .map(|r| {
                let sum = amount(r.amount_minor, &r.currency);
                format!("{} × {} {sum}", r.count, r.currency)
            })
            .collect(),
    }
}

fn template(
    o: &Overview,
    session: &session::Session,
    audit: Option<AuditReport>,
) -> OverviewTemplate {
    let backlog = match o.backlog {
        (0, _) | (_, None) => "empty".to_owned(),
        (n, Some(oldest)) => {
            let age = waited((o.now - oldest).num_seconds().max(0));
            format!("{n} event(s), the oldest written {age} ago")
        }
    };
    let lag = match o.reconciler_lag {
        None => "keeping up: no recheck is overdue".to_owned(),
        Some((at, behind)) => format!(
            "the oldest due recheck was due at {} ({} ago)",
            fmt::time(at),
            waited(behind.num_seconds().max(0))
        ),
    };
    OverviewTemplate {
        chrome: Chrome::new("Overview", "overview", Some(session)),
        now: fmt::time(o.now),
        bar_x: BAR_X,
        windows: o.windows.iter().map(window_view).collect(),
        backlog,
        circuits: o
            .circuits
            .iter()
            .map(|c| (c.provider.clone(), c.account_id.clone(), fmt::time(c.until)))
            .collect(),
        lag,
        audit,
    }
}

/// `GET /console`.
pub async fn show(state: web::Data<AppState>, req: HttpRequest) -> Page {
    let session = session::require(&state, &req).await?;
    let overview = state.orch.console_overview().await?;
    html(&template(&overview, &session, None))
}

/// `POST /console/audit`: the overview with the audit's result. Read-only, but it reads the
/// whole store, so it takes the session's CSRF token like any post: no other site can make a
/// signed-in browser start it.
pub async fn audit(state: web::Data<AppState>, req: HttpRequest, payload: web::Payload) -> Page {
    let (session, _) = session::posted(&state, &req, payload).await?;
    let report = state
        .orch
        .audit_report(AUDIT_FINDINGS)
        .await
        .map_err(ConsoleError::from)?;
    let overview = state.orch.console_overview().await?;
    html(&template(&overview, &session, Some(report)))
}
