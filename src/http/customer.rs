//! The return interceptor (`/checkout/{payment_id}/return`, and an account's own
//! `/checkout/return/{provider}/{account_id}`): where gateways send the customer back. The
//! payment is rechecked live, then the customer goes on to the merchant's page (or, for a hosted
//! payment still open, back to the choice).

use super::AppState;
use crate::domain::ids::PaymentId;
use crate::error::AppError;
use crate::orchestration::customer_return::ReturnDecision;
use actix_web::{web, HttpRequest, HttpResponse};

pub async fn customer_return(
    state: web::Data<AppState>,
    req: HttpRequest,
    path: web::Path<String>,
) -> Result<HttpResponse, AppError> {
    let payment_id = PaymentId::parse(&path).ok_or(AppError::NotFound)?;
    let query = query_pairs(&req);
    let token = query
        .iter()
        .find(|(k, _)| k == "t")
        .map(|(_, v)| v.as_str())
        .ok_or(AppError::NotFound)?;
    // Each return may ask gateways live: a payment's returns share a small token bucket, and
    // past it the customer is sent on with the stored status.
    let decision = state
        .orch
        .customer_return(payment_id.as_str(), token, &query)
        .await?;
    send_on(&state, decision).await
}

/// `GET /checkout/return/{provider}/{account_id}`: where a gateway that takes no return URL per
/// payment sends every customer of the account, with its payment id on the query.
pub async fn account_return(
    state: web::Data<AppState>,
    req: HttpRequest,
    path: web::Path<(String, String)>,
) -> Result<HttpResponse, AppError> {
    let (provider, account_id) = path.into_inner();
    let query = query_pairs(&req);
    let decision = state
        .orch
        .account_return(&provider, &account_id, &query)
        .await?;
    send_on(&state, decision).await
}

fn query_pairs(req: &HttpRequest) -> Vec<(String, String)> {
    url::form_urlencoded::parse(req.query_string().as_bytes())
        .into_owned()
        .collect()
}

async fn send_on(state: &AppState, decision: ReturnDecision) -> Result<HttpResponse, AppError> {
    match decision.redirect_to {
        Some(url) => Ok(HttpResponse::SeeOther()
            .insert_header(("Location", url))
            .finish()),
        // No merchant page to go back to: Payrail's page shows where the payment stands.
        None => {
            let page = state
                .orch
                .checkout_page(&decision.payment_id, &decision.token)
                .await?;
            Ok(super::checkout::render(&page, 200, None))
        }
    }
}
