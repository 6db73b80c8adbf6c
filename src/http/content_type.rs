//! The merchant and admin APIs take JSON only: a non-empty body must be declared
//! `Content-Type: application/json` (parameters such as `; charset=utf-8` allowed, any case), or
//! the request is refused 415 `unsupported_media_type` before anything is parsed.
//!
//! A client that sends JSON as `text/plain` (or with no type) works by accident until a proxy,
//! WAF or framework in between treats it as what it says it is; refusing it keeps the contract
//! honest (issue 15). Gateway webhooks and the customer's checkout and return pages are exempt:
//! they never call this, since gateways and browsers post forms there
//! (`application/x-www-form-urlencoded`, some gateways' webhooks among them).

use super::body::read_body;
use crate::error::AppError;
use actix_web::http::header::CONTENT_TYPE;
use actix_web::{web, HttpRequest};

/// True when `value` is `application/json`, with or without parameters.
fn is_json(value: &str) -> bool {
    let essence = value.split(';').next().unwrap_or_default().trim();
    essence.eq_ignore_ascii_case("application/json")
}

/// Refuses a non-empty body that is not declared JSON. An empty body needs no type.
pub fn require_json(req: &HttpRequest, body: &[u8]) -> Result<(), AppError> {
    if body.is_empty() {
        return Ok(());
    }
    let declared = req
        .headers()
        .get(CONTENT_TYPE)
        .and_then(|v| v.to_str().ok());
    if declared.is_some_and(is_json) {
        Ok(())
    } else {
        Err(AppError::UnsupportedMediaType)
    }
}

/// [`read_body`] for the admin API: the body, once it is known to be JSON (or empty).
pub async fn read_json_body(
    req: &HttpRequest,
    payload: web::Payload,
) -> Result<bytes::Bytes, AppError> {
    let body = read_body(req, payload).await?;
    require_json(req, &body)?;
    Ok(body)
}

#[cfg(test)]
mod tests {
    use super::*;
    use actix_web::test::TestRequest;

    fn with_type(value: Option<&str>) -> HttpRequest {
        let mut req = TestRequest::post();
        if let Some(v) = value {
            req = req.insert_header((CONTENT_TYPE, v));
        }
        req.to_http_request()
    }

    #[test]
    fn json_with_parameters_in_any_case_is_accepted() {
        for v in [
            "application/json",
            "application/json; charset=utf-8",
            "Application/JSON;charset=UTF-8",
            " application/json ",
        ] {
            assert!(require_json(&with_type(Some(v)), b"{}").is_ok(), "{v}");
        }
    }

    #[test]
    fn a_body_of_another_or_no_type_is_415_and_an_empty_body_needs_none() {
        for v in [
            Some("text/plain"),
            Some("application/x-www-form-urlencoded"),
            Some("application/jsonp"),
            Some("application/json-patch+json"),
            Some(""),
            None,
        ] {
            let err = require_json(&with_type(v), b"{}").unwrap_err();
            assert_eq!((err.status(), err.code()), (415, "unsupported_media_type"));
        }
        assert!(require_json(&with_type(Some("text/plain")), b"").is_ok());
        assert!(require_json(&with_type(None), b"").is_ok());
    }
}
