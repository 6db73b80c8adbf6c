//! Customer-facing pages: the return interceptor (`/checkout/{payment_id}/return`).

use super::AppState;
use crate::domain::ids::PaymentId;
use crate::error::AppError;
use actix_web::{web, HttpRequest, HttpResponse};

pub async fn customer_return(
    state: web::Data<AppState>,
    req: HttpRequest,
    path: web::Path<String>,
) -> Result<HttpResponse, AppError> {
    let payment_id = PaymentId::parse(&path).ok_or(AppError::NotFound)?;
    let query: Vec<(String, String)> = url::form_urlencoded::parse(req.query_string().as_bytes())
        .into_owned()
        .collect();
    let token = query
        .iter()
        .find(|(k, _)| k == "t")
        .map(|(_, v)| v.as_str())
        .ok_or(AppError::NotFound)?;
    let decision = state
        .orch
        .customer_return(payment_id.as_str(), token, &query)
        .await?;
    Ok(match decision.redirect_to {
        Some(url) => HttpResponse::SeeOther().insert_header(("Location", url)).finish(),
        None => HttpResponse::Ok().content_type("text/html; charset=utf-8").body(format!(
            "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>Payment {id}</title></head>\
             <body><main><h1>Payment {status}</h1><p>Reference {id}. You may close this page.</p></main></body></html>",
            id = html_escape::encode_text(&decision.payment_id),
            status = html_escape::encode_text(decision.status.as_str()),
        )),
    })
}
