//! Refuses a control character anywhere in the decoded request path or query before routing.
//!
//! Path segments and query parameters are ids, filters and gateway references: one line of
//! printable text (`domain::text`). A `%00` reached Postgres as a 500 (it cannot store NUL)
//! while SQLite stored it, on unauthenticated routes too (`/v1/webhooks/{provider}/%00`). One
//! check here covers every route, the ones added later included.

use crate::domain::text::single_line_problem;
use crate::error::AppError;
use actix_web::body::{EitherBody, MessageBody};
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::middleware::Next;
use actix_web::{Error, ResponseError};
use percent_encoding::percent_decode_str;

pub async fn refuse_control_characters(
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<EitherBody<impl MessageBody>>, Error> {
    if let Some(error) = problem(req.path(), req.query_string()) {
        let response = error.error_response();
        return Ok(req.into_response(response).map_into_right_body());
    }
    Ok(next.call(req).await?.map_into_left_body())
}

fn problem(path: &str, query: &str) -> Option<AppError> {
    let decoded = percent_decode_str(path).decode_utf8_lossy();
    if let Some(problem) = single_line_problem(&decoded) {
        return Some(AppError::invalid("path", problem));
    }
    for (key, value) in url::form_urlencoded::parse(query.as_bytes()) {
        if single_line_problem(&key).is_some() {
            return Some(AppError::invalid(
                "query",
                "has a parameter name with control characters",
            ));
        }
        if let Some(problem) = single_line_problem(&value) {
            return Some(AppError::invalid(&key, problem));
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn field(path: &str, query: &str) -> Option<String> {
        problem(path, query).map(|e| match e {
            AppError::InvalidRequest { fields, .. } => fields[0].0.clone(),
            other => panic!("{other:?}"),
        })
    }

    #[test]
    fn control_characters_in_the_path_or_a_query_value_are_named() {
        assert_eq!(field("/v1/webhooks/hitpay/%00", ""), Some("path".into()));
        assert_eq!(field("/v1/payments/pay_%0A", ""), Some("path".into()));
        assert_eq!(
            field("/v1/payments", "order_id=a%00b"),
            Some("order_id".into())
        );
        assert_eq!(field("/v1/payments", "x%01=1"), Some("query".into()));
        assert_eq!(field("/v1/payments", "order_id=a+b%20c&limit=5"), None);
        assert_eq!(field("/v1/payments/caf%C3%A9", "q=%E2%9C%93"), None);
    }
}
