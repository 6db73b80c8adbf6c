//! The bare HTML page the simulators' customer pages are drawn in: a title (escaped) as the
//! heading, then the body as given (each page escapes its own values). One copy, so the pages
//! that share it cannot drift apart.

use actix_web::http::StatusCode;
use actix_web::HttpResponse;
use html_escape::encode_text;

pub fn html(status: StatusCode, title: &str, body: &str) -> HttpResponse {
    HttpResponse::build(status)
        .content_type("text/html; charset=utf-8")
        .body(format!(
            "<!doctype html>\n<html><head><meta charset=\"utf-8\"><title>{}</title></head>\
             <body><h1>{}</h1>{}</body></html>\n",
            encode_text(title),
            encode_text(title),
            body
        ))
}
