//! Rendering a console page: the template, its security headers, and the error page. The
//! policy lets a page show itself and post forms to its own origin, nothing else: no script,
//! no frames, no other origin's images or styles.

use super::session::Session;
use crate::error::AppError;
use actix_web::http::StatusCode;
use actix_web::{HttpResponse, ResponseError};
use askama::Template;
use base64::Engine;
use sha2::{Digest, Sha256};
use std::sync::OnceLock;

pub const CSS: &str = include_str!("../../../templates/console/console.css");

fn css_hash() -> &'static str {
    static HASH: OnceLock<String> = OnceLock::new();
    HASH.get_or_init(|| {
        let digest = Sha256::digest(CSS.as_bytes());
        format!(
            "'sha256-{}'",
            base64::engine::general_purpose::STANDARD.encode(digest)
        )
    })
}

/// What every page's frame shows: its title, which section is current, and the session's CSRF
/// token for the sign-out form (none on the sign-in page).
pub struct Chrome {
    pub css: &'static str,
    pub title: String,
    pub section: &'static str,
    pub csrf: Option<String>,
}

impl Chrome {
    pub fn new(title: impl Into<String>, section: &'static str, session: Option<&Session>) -> Self {
        Chrome {
            css: CSS,
            title: title.into(),
            section,
            csrf: session.map(|s| s.csrf.clone()),
        }
    }
}

/// A page, or why there is none.
pub enum ConsoleError {
    /// No live session: to the sign-in page (303), showing nothing.
    SignIn,
    /// A state-changing post without its session's CSRF token.
    Forbidden,
    App(AppError),
}

impl From<AppError> for ConsoleError {
    fn from(e: AppError) -> Self {
        ConsoleError::App(e)
    }
}

impl From<sqlx::Error> for ConsoleError {
    fn from(e: sqlx::Error) -> Self {
        ConsoleError::App(e.into())
    }
}

pub type Page = Result<HttpResponse, ConsoleError>;

/// The headers every console answer carries.
fn secure(mut b: actix_web::HttpResponseBuilder) -> actix_web::HttpResponseBuilder {
    let csp = format!(
        "default-src 'none'; style-src {}; img-src 'self'; form-action 'self'; \
         frame-ancestors 'none'; base-uri 'none'",
        css_hash()
    );
    b.insert_header(("Content-Security-Policy", csp))
        .insert_header(("Referrer-Policy", "no-referrer"))
        .insert_header(("X-Content-Type-Options", "nosniff"))
        .insert_header(("X-Frame-Options", "DENY"))
        .insert_header(("Cache-Control", "no-store"));
    b
}

pub fn html_with(status: StatusCode, template: &impl Template) -> Page {
    let body = template
        .render()
        .map_err(|e| AppError::Internal(e.into()))?;
    Ok(secure(HttpResponse::build(status))
        .content_type("text/html; charset=utf-8")
        .body(body))
}

pub fn html(template: &impl Template) -> Page {
    html_with(StatusCode::OK, template)
}

/// 303 to `location` (after a post, or to the sign-in page).
pub fn see_other(location: &str) -> HttpResponse {
    secure(HttpResponse::SeeOther())
        .insert_header(("Location", location))
        .finish()
}

#[derive(Template)]
#[template(path = "console/error.html")]
struct ErrorTemplate {
    chrome: Chrome,
    status: u16,
    message: String,
    /// Each refused field and why, as the API's `fields` says it.
    fields: Vec<(String, String)>,
}

fn error_page(status: StatusCode, message: String, fields: Vec<(String, String)>) -> HttpResponse {
    let t = ErrorTemplate {
        chrome: Chrome::new(format!("Error {}", status.as_u16()), "", None),
        status: status.as_u16(),
        message,
        fields,
    };
    match t.render() {
        Ok(body) => secure(HttpResponse::build(status))
            .content_type("text/html; charset=utf-8")
            .body(body),
        Err(_) => HttpResponse::build(status).finish(),
    }
}

impl std::fmt::Debug for ConsoleError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ConsoleError::SignIn => f.write_str("sign in"),
            ConsoleError::Forbidden => f.write_str("forbidden"),
            ConsoleError::App(e) => write!(f, "{e:?}"),
        }
    }
}

impl std::fmt::Display for ConsoleError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ConsoleError::SignIn => f.write_str("sign in first"),
            ConsoleError::Forbidden => f.write_str("the form's CSRF token is missing or wrong"),
            ConsoleError::App(e) => write!(f, "{e}"),
        }
    }
}

impl ResponseError for ConsoleError {
    fn status_code(&self) -> StatusCode {
        match self {
            ConsoleError::SignIn => StatusCode::SEE_OTHER,
            ConsoleError::Forbidden => StatusCode::FORBIDDEN,
            ConsoleError::App(e) => e.status_code(),
        }
    }

    fn error_response(&self) -> HttpResponse {
        match self {
            ConsoleError::SignIn => see_other("/console/login"),
            ConsoleError::Forbidden => error_page(StatusCode::FORBIDDEN, self.to_string(), vec![]),
            ConsoleError::App(AppError::NotFound) => {
                // The plain 404 of the API: a console that is off must look like no console.
                AppError::NotFound.error_response()
            }
            ConsoleError::App(e) => {
                if matches!(e, AppError::Internal(_) | AppError::ServiceUnavailable(_)) {
                    tracing::error!(error = ?e, "console page failed");
                }
                let fields = match e {
                    AppError::InvalidRequest { fields, .. } => fields.clone(),
                    _ => vec![],
                };
                error_page(e.status_code(), e.to_string(), fields)
            }
        }
    }
}

/// Any other path under `/console`: nothing to show, and without a session not even that.
pub async fn not_found(
    state: actix_web::web::Data<crate::http::AppState>,
    req: actix_web::HttpRequest,
) -> Page {
    super::session::require(&state, &req).await?;
    Err(AppError::NotFound.into())
}
