//! bKash's `id_token`: one per account in this process, shared by every call, renewed before it
//! runs out (B5).
//!
//! bKash grants a token (`/token/grant`: `username`/`password` headers, `app_key`/`app_secret`
//! in the body) valid for `expires_in` seconds (an hour), with a `refresh_token` that renews it
//! (`/token/refresh`). It limits how often a merchant may grant, so Payrail keeps one token per
//! account and never grants per request. Each account (its credentials at its base URL) has one
//! slot behind an async mutex: the first caller that finds the token missing or due grants or
//! refreshes while the others wait on the same lock, then all use the one answer (single-flight).
//! A token is renewed [`EARLY`] before bKash's expiry; a refresh that fails falls back to a
//! grant. A call refused at the door with a token (HTTP 401) drops it ([`Tokens::forget`]) so
//! the next caller renews. Tokens live in memory only: a restart grants once per account.

use super::credentials::Credentials;
use super::mapping;
use super::requests::{self, GRANT, REFRESH};
use crate::providers::failure::Failure;
use crate::providers::http_call;
use crate::providers::GatewayFailure;
use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// Renew this long before bKash's expiry, so no call carries a token that runs out on the way.
pub const EARLY: Duration = Duration::from_secs(60);
/// bKash's documented lifetime, when the answer does not say (`expires_in`).
const DEFAULT_LIFETIME_SECS: u64 = 3600;

struct Token {
    id_token: String,
    refresh_token: Option<String>,
    good_until: Instant,
}

type Slot = Arc<tokio::sync::Mutex<Option<Token>>>;

/// Every account's token, by [`Credentials::token_key`].
#[derive(Default)]
pub struct Tokens {
    slots: Mutex<HashMap<String, Slot>>,
}

impl Tokens {
    fn slot(&self, base_url: &str, creds: &Credentials) -> Slot {
        let mut slots = self.slots.lock().unwrap_or_else(|e| e.into_inner());
        slots.entry(creds.token_key(base_url)).or_default().clone()
    }

    /// A valid `id_token`: the one held, else a refreshed one, else a new grant. A failure to
    /// get one means the call it was for was certainly not sent.
    pub async fn id_token(
        &self,
        client: &reqwest::Client,
        base_url: &str,
        creds: &Credentials,
    ) -> Result<String, Failure> {
        let slot = self.slot(base_url, creds);
        let mut held = slot.lock().await;
        if let Some(token) = held.as_ref().filter(|t| Instant::now() < t.good_until) {
            return Ok(token.id_token.clone());
        }
        let refresh = held.as_ref().and_then(|t| t.refresh_token.clone());
        let grant = || ask(client, base_url, creds, GRANT, requests::grant_body(creds));
        let fresh = match refresh {
            Some(r) => {
                let body = requests::refresh_body(creds, &r);
                match ask(client, base_url, creds, REFRESH, body).await {
                    Ok(mut token) => {
                        token.refresh_token.get_or_insert(r);
                        Ok(token)
                    }
                    Err(_) => grant().await,
                }
            }
            None => grant().await,
        };
        match fresh {
            Ok(token) => {
                let id = token.id_token.clone();
                *held = Some(token);
                Ok(id)
            }
            Err(failure) => {
                *held = None;
                Err(Failure::NotSent(GatewayFailure::new(
                    failure.kind(),
                    format!("no bKash token: {}", failure.reason()),
                )))
            }
        }
    }

    /// Marks `stale` (a call was refused with it) as due, so the next caller renews it; a token
    /// renewed meanwhile by another caller is kept.
    pub async fn forget(&self, base_url: &str, creds: &Credentials, stale: &str) {
        let slot = self.slot(base_url, creds);
        let mut held = slot.lock().await;
        if let Some(token) = held.as_mut().filter(|t| t.id_token == stale) {
            token.good_until = Instant::now();
        }
    }
}

/// One grant or refresh call.
async fn ask(
    client: &reqwest::Client,
    base_url: &str,
    creds: &Credentials,
    path: &str,
    body: Vec<u8>,
) -> Result<Token, Failure> {
    let call = requests::token_call(client, base_url, path, creds, body);
    let response = http_call::send(call).await?;
    let answer = mapping::read(&response).and_then(mapping::checked)?;
    let id_token = answer
        .id_token
        .filter(|t| !t.is_empty())
        .ok_or_else(|| mapping::bad_answer("the token answer has no id_token"))?;
    let lifetime = answer
        .expires_in
        .and_then(|e| e.trim().parse::<u64>().ok())
        .unwrap_or(DEFAULT_LIFETIME_SECS);
    Ok(Token {
        id_token,
        refresh_token: answer.refresh_token.filter(|t| !t.is_empty()),
        good_until: Instant::now() + Duration::from_secs(lifetime).saturating_sub(EARLY),
    })
}
