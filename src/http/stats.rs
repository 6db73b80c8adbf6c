//! `GET /v1/admin/stats`: the overview's numbers as JSON for ops tooling. Parses and bounds the
//! query here (each bad parameter named in the 400); the numbers come from
//! `orchestration/stats.rs`, the module the console's overview reads too.

use super::auth::require_admin;
use super::{json_response, AppState};
use crate::error::AppError;
use crate::orchestration::stats::{stats_json, GroupBy, MAX_RANGE_DAYS};
use actix_web::{web, HttpRequest, HttpResponse};
use chrono::{DateTime, Duration, Utc};

/// A validated stats query.
#[derive(Debug, PartialEq)]
pub struct StatsQuery {
    pub from: DateTime<Utc>,
    pub to: DateTime<Utc>,
    pub group_by: GroupBy,
}

fn time(field: &str, raw: &str) -> Result<DateTime<Utc>, AppError> {
    DateTime::parse_from_rfc3339(raw)
        .map(|t| t.with_timezone(&Utc))
        .map_err(|_| {
            AppError::invalid(
                field,
                "must be an RFC 3339 time such as 2026-11-21T10:00:00Z",
            )
        })
}

/// Reads `from`, `to` (default: now and 7 days before `to`) and `group_by` (default
/// `provider`); anything else, a repeated parameter, an empty or inverted window or one longer
/// than [`MAX_RANGE_DAYS`] is a 400 naming the parameter.
pub fn parse_query(query: &str, now: DateTime<Utc>) -> Result<StatsQuery, AppError> {
    let pairs: Vec<(String, String)> = serde_urlencoded::from_str(query)
        .map_err(|_| AppError::invalid("query", "is not a valid query string"))?;
    let (mut from, mut to, mut group_by) = (None, None, None);
    for (key, value) in &pairs {
        let slot = match key.as_str() {
            "from" => &mut from,
            "to" => &mut to,
            "group_by" => &mut group_by,
            _ => return Err(AppError::invalid(key, "is not a known parameter")),
        };
        if slot.replace(value.as_str()).is_some() {
            return Err(AppError::invalid(key, "is given more than once"));
        }
    }
    let to = to.map(|raw| time("to", raw)).transpose()?.unwrap_or(now);
    let from = match from {
        Some(raw) => time("from", raw)?,
        None => to - Duration::days(7),
    };
    if from >= to {
        return Err(AppError::invalid("from", "must be before to"));
    }
    if to - from > Duration::days(MAX_RANGE_DAYS) {
        return Err(AppError::invalid(
            "from",
            format!("must be at most {MAX_RANGE_DAYS} days before to"),
        ));
    }
    let group_by = match group_by {
        None => GroupBy::Provider,
        Some(raw) => GroupBy::parse(raw).ok_or_else(|| {
            AppError::invalid("group_by", "must be provider, method, merchant or currency")
        })?,
    };
    Ok(StatsQuery { from, to, group_by })
}

/// `GET /v1/admin/stats`.
pub async fn get(state: web::Data<AppState>, req: HttpRequest) -> Result<HttpResponse, AppError> {
    require_admin(&state, &req)?;
    let q = parse_query(req.query_string(), state.orch.now())?;
    let stats = state.orch.stats(q.group_by, q.from, q.to).await?;
    Ok(json_response(200, &stats_json(&stats)))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn field(query: &str) -> String {
        match parse_query(query, Utc::now()) {
            Err(AppError::InvalidRequest { fields, .. }) => fields[0].0.clone(),
            other => panic!("{query}: {other:?}"),
        }
    }

    #[test]
    fn defaults_to_the_last_seven_days_by_provider() {
        let now = Utc::now();
        let q = parse_query("", now).unwrap();
        assert_eq!(
            (q.from, q.to, q.group_by),
            (now - Duration::days(7), now, GroupBy::Provider)
        );
    }

    #[test]
    fn names_each_bad_parameter() {
        assert_eq!(field("from=yesterday"), "from");
        assert_eq!(field("to=2026-13-01T00:00:00Z"), "to");
        assert_eq!(field("group_by=status"), "group_by");
        assert_eq!(field("limit=3"), "limit");
        assert_eq!(field("group_by=method&group_by=method"), "group_by");
        assert_eq!(
            field("from=2026-01-02T00:00:00Z&to=2026-01-01T00:00:00Z"),
            "from"
        );
        assert_eq!(
            field("from=2024-01-01T00:00:00Z&to=2026-01-01T00:00:00Z"),
            "from"
        );
    }
}
