//! `/console/payments`: the search across merchants (id, order id, external id, merchant,
//! status, gateway, method, date range), keyset-paginated like the API's list, and its CSV
//! export (`/console/payments.csv`, at most [`CSV_LIMIT`] rows, cells defused: `csv.rs`).

use super::page::{html, html_with, Chrome, ConsoleError, Page};
use super::session::{self, Session};
use super::{csv, fmt};
use crate::domain::ids::{MerchantId, PaymentId};
use crate::domain::status::PaymentStatus;
use crate::error::AppError;
use crate::http::AppState;
use crate::orchestration::queries::decode_cursor;
use crate::providers::ProviderId;
use crate::store::payments::{ListFilter, PaymentRow};
use actix_web::http::StatusCode;
use actix_web::{web, HttpRequest, HttpResponse};
use askama::Template;
use chrono::{DateTime, NaiveDate, Utc};

/// Rows per page.
pub const PAGE_SIZE: i64 = 50;
/// Rows an export holds at most; the page says when it was cut.
pub const CSV_LIMIT: usize = 10_000;

/// The search form's fields, as typed.
#[derive(Default, serde::Deserialize)]
pub struct Search {
    #[serde(default)]
    pub id: String,
    #[serde(default)]
    pub order_id: String,
    #[serde(default)]
    pub external_id: String,
    #[serde(default)]
    pub merchant: String,
    #[serde(default)]
    pub status: String,
    #[serde(default)]
    pub gateway: String,
    #[serde(default)]
    pub method: String,
    /// `YYYY-MM-DD`, from the start of that day (UTC).
    #[serde(default)]
    pub from: String,
    /// `YYYY-MM-DD`, to the end of that day (UTC).
    #[serde(default)]
    pub to: String,
    #[serde(default)]
    pub cursor: String,
}

fn some(v: &str) -> Option<String> {
    Some(v.trim().to_owned()).filter(|v| !v.is_empty())
}

fn day(field: &str, raw: &str, next: bool) -> Result<Option<DateTime<Utc>>, AppError> {
    let Some(raw) = some(raw) else {
        return Ok(None);
    };
    let date = NaiveDate::parse_from_str(&raw, "%Y-%m-%d")
        .map_err(|_| AppError::invalid(field, "must be a date, YYYY-MM-DD"))?;
    let date = if next { date.succ_opt() } else { Some(date) };
    Ok(date
        .and_then(|d| d.and_hms_opt(0, 0, 0))
        .map(|t| t.and_utc()))
}

impl Search {
    /// The store's filter and the merchant, or which field is wrong.
    pub fn filter(&self) -> Result<(ListFilter, Option<String>), AppError> {
        let checked = |field: &str, v: &str, ok: fn(&str) -> bool| -> Result<_, AppError> {
            match some(v) {
                Some(v) if !ok(&v) => Err(AppError::invalid(field, "is not valid")),
                v => Ok(v),
            }
        };
        let filter = ListFilter {
            id: checked("id", &self.id, |v| PaymentId::parse(v).is_some())?,
            order_id: some(&self.order_id),
            external_id: some(&self.external_id),
            status: checked("status", &self.status, |v| {
                PaymentStatus::parse(v).is_some()
            })?,
            provider: checked("gateway", &self.gateway, |v| ProviderId::parse(v).is_some())?,
            method: some(&self.method),
            created_after: day("from", &self.from, false)?,
            created_before: day("to", &self.to, true)?,
            after: match some(&self.cursor) {
                None => None,
                Some(c) => Some(
                    decode_cursor(&c).ok_or_else(|| AppError::invalid("cursor", "is not valid"))?,
                ),
            },
        };
        let merchant = checked("merchant", &self.merchant, |v| {
            MerchantId::parse(v).is_some()
        })?;
        Ok((filter, merchant))
    }

    /// The query string of this search (without the cursor), for links.
    pub fn query(&self) -> String {
        let mut q = url::form_urlencoded::Serializer::new(String::new());
        for (k, v) in [
            ("id", &self.id),
            ("order_id", &self.order_id),
            ("external_id", &self.external_id),
            ("merchant", &self.merchant),
            ("status", &self.status),
            ("gateway", &self.gateway),
            ("method", &self.method),
            ("from", &self.from),
            ("to", &self.to),
        ] {
            if !v.trim().is_empty() {
                q.append_pair(k, v.trim());
            }
        }
        q.finish()
    }
}

/// A payment as a row of the results.
pub struct Row {
    pub id: String,
    pub merchant_id: String,
    pub order_id: String,
    pub status: String,
    pub amount: String,
    pub currency: String,
    pub gateway: String,
    pub method: String,
    pub created_at: String,
}

impl Row {
    pub fn of(p: &PaymentRow) -> Row {
        Row {
            id: p.id.clone(),
            merchant_id: p.merchant_id.clone(),
            order_id: p.order_id.clone(),
            status: p.status_str().to_owned(),
            amount: fmt::amount(p.amount_minor, &p.currency),
            currency: p.currency.clone(),
            gateway: fmt::opt(&p.provider).to_owned(),
            method: fmt::opt(&p.method).to_owned(),
            created_at: fmt::time(p.created_at),
        }
    }
}

#[derive(Template)]
#[template(path = "console/payments.html")]
struct PaymentsTemplate {
    chrome: Chrome,
    s: Search,
    statuses: Vec<&'static str>,
    gateways: Vec<&'static str>,
    problem: Option<String>,
    rows: Vec<Row>,
    next: Option<String>,
    csv: String,
}

fn template(session: &Session, s: Search) -> PaymentsTemplate {
    let csv = format!("/console/payments.csv?{}", s.query());
    PaymentsTemplate {
        chrome: Chrome::new("Payments", "payments", Some(session)),
        s,
        statuses: PaymentStatus::ALL.iter().map(|s| s.as_str()).collect(),
        gateways: ProviderId::all().map(ProviderId::as_str).collect(),
        problem: None,
        rows: Vec::new(),
        next: None,
        csv,
    }
}

fn search_of(req: &HttpRequest) -> Search {
    web::Query::<Search>::from_query(req.query_string())
        .map(web::Query::into_inner)
        .unwrap_or_default()
}

/// `GET /console/payments`.
pub async fn list(state: web::Data<AppState>, req: HttpRequest) -> Page {
    let session = session::require(&state, &req).await?;
    let search = search_of(&req);
    let (filter, merchant) = match search.filter() {
        Ok(f) => f,
        Err(e) => {
            let mut t = template(&session, search);
            t.problem = Some(e.to_string());
            return html_with(StatusCode::BAD_REQUEST, &t);
        }
    };
    let page = state
        .orch
        .search_payments(merchant.as_deref(), &filter, PAGE_SIZE)
        .await?;
    let mut t = template(&session, search);
    t.rows = page.rows.iter().map(Row::of).collect();
    t.next = page
        .next_cursor
        .map(|c| format!("/console/payments?{}&cursor={c}", t.s.query()));
    html(&t)
}

/// `GET /console/payments.csv`: the search's payments (every page, at most [`CSV_LIMIT`]).
pub async fn export(state: web::Data<AppState>, req: HttpRequest) -> Page {
    session::require(&state, &req).await?;
    let (mut filter, merchant) = search_of(&req).filter().map_err(ConsoleError::App)?;
    let mut out = csv::line([
        "id",
        "merchant_id",
        "order_id",
        "status",
        "amount",
        "currency",
        "gateway",
        "method",
        "external_id",
        "created_at",
        "updated_at",
    ]);
    let mut written = 0;
    while written < CSV_LIMIT {
        let page = state
            .orch
            .search_payments(merchant.as_deref(), &filter, 1000)
            .await?;
        for p in page.rows.iter().take(CSV_LIMIT - written) {
            let amount = fmt::amount(p.amount_minor, &p.currency);
            let (created, updated) = (fmt::time(p.created_at), fmt::time(p.updated_at));
            out.push_str(&csv::line([
                p.id.as_str(),
                &p.merchant_id,
                &p.order_id,
                p.status_str(),
                &amount,
                &p.currency,
                fmt::opt(&p.provider),
                fmt::opt(&p.method),
                fmt::opt(&p.external_id),
                &created,
                &updated,
            ]));
            written += 1;
        }
        match (page.next_cursor, page.rows.last()) {
            (Some(_), Some(last)) => filter.after = Some((last.created_at, last.id.clone())),
            _ => break,
        }
    }
    Ok(HttpResponse::Ok()
        .content_type("text/csv; charset=utf-8")
        .insert_header((
            "Content-Disposition",
            "attachment; filename=\"payments.csv\"",
        ))
        .insert_header(("Cache-Control", "no-store"))
        .insert_header(("X-Content-Type-Options", "nosniff"))
        .body(out))
}
