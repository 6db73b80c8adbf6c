//! `/console/reviews`: every payment in `needs_review`, oldest first, with why it is there (its
//! status detail). Each links to the payment's page, where it is settled.

use super::page::{html, Chrome, Page};
use super::{fmt, payments::Row, session};
use crate::http::AppState;
use crate::orchestration::console_queries::REVIEW_QUEUE_LIMIT;
use actix_web::{web, HttpRequest};
use askama::Template;

struct Case {
    row: Row,
    reason: String,
    waiting: String,
}

#[derive(Template)]
#[template(path = "console/reviews.html")]
struct ReviewsTemplate {
    chrome: Chrome,
    cases: Vec<Case>,
    limit: i64,
}

/// How long a case has waited, roughly (`3 d 4 h`, `2 h 5 min`).
pub fn waited(secs: i64) -> String {
    let (d, h, m) = (secs / 86_400, secs % 86_400 / 3600, secs % 3600 / 60);
    match (d, h) {
        (0, 0) => format!("{m} min"),
        (0, _) => format!("{h} h {m} min"),
        _ => format!("{d} d {h} h"),
    }
}

/// `GET /console/reviews`.
pub async fn list(state: web::Data<AppState>, req: HttpRequest) -> Page {
    let session = session::require(&state, &req).await?;
    let now = state.orch.now();
    let cases = state
        .orch
        .review_queue()
        .await?
        .iter()
        .map(|p| Case {
            row: Row::of(p),
            reason: fmt::opt(&p.status_detail).to_owned(),
            waiting: waited((now - p.updated_at).num_seconds().max(0)),
        })
        .collect();
    html(&ReviewsTemplate {
        chrome: Chrome::new("Review queue", "reviews", Some(&session)),
        cases,
        limit: REVIEW_QUEUE_LIMIT,
    })
}

#[cfg(test)]
mod tests {
    #[test]
    fn waits_read_in_the_largest_units() {
        assert_eq!(super::waited(59), "0 min");
        assert_eq!(super::waited(3700), "1 h 1 min");
        assert_eq!(super::waited(90_000), "1 d 1 h");
    }
}
