//! Fault injection for the API routes (`_sim/faults`, docs/sandbox.md, "Test controls"), the same
//! at every gateway.
//!
//! Lets tests prove an adapter survives a timed-out, failed, garbled or refused call. Faults that
//! "process" (timeout, slow, malformed) run the real handler first, so the record exists when the
//! client gives up; `queued` runs it after its delay (a race's other side goes first); `http_500`, `refuse` and `rate_limited` (HTTP 429 with `Retry-After`, a
//! gateway throttling its caller) answer without touching any record. The `http_500`
//! body is each gateway's own and is passed in; so is how a simulator renders its answers.

use std::time::Duration;

use actix_web::HttpResponse;
use serde::Deserialize;

/// The default delay of `timeout`, long enough for any client to give up.
pub const TIMEOUT_DELAY_MS: u64 = 10_000;
/// The default delay of `slow` (a simulator may choose another, see `SimControls`).
pub const SLOW_DELAY_MS: u64 = 1_500;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FaultMode {
    Timeout,
    Http500,
    Malformed,
    Slow,
    Refuse,
    RateLimited,
    /// Waits in the gateway's queue for the delay, then is processed and answered: a test can
    /// hold a call between its arrival and its effect (`slow` acts first and answers late).
    Queued,
}

impl FaultMode {
    pub fn parse(s: &str) -> Option<Self> {
        Some(match s {
            "timeout" => FaultMode::Timeout,
            "http_500" => FaultMode::Http500,
            "malformed" => FaultMode::Malformed,
            "slow" => FaultMode::Slow,
            "refuse" => FaultMode::Refuse,
            "rate_limited" => FaultMode::RateLimited,
            "queued" => FaultMode::Queued,
            _ => return None,
        })
    }

    /// The delay when the request names none; `slow_ms` is the simulator's `slow` default.
    pub fn default_delay_ms(self, slow_ms: u64) -> u64 {
        match self {
            FaultMode::Timeout => TIMEOUT_DELAY_MS,
            FaultMode::Slow | FaultMode::Queued => slow_ms,
            _ => 0,
        }
    }
}

/// A fault armed for the next `remaining` API calls, once `after` calls have passed untouched.
#[derive(Clone, Copy, Debug)]
pub struct Fault {
    pub mode: FaultMode,
    pub remaining: u32,
    /// API calls still to let through before the fault applies: a test can fault the second call
    /// of an exchange (a recheck's confirm after its query) without a name per operation.
    pub after: u32,
    pub delay_ms: u64,
    /// The `Retry-After` seconds of `rate_limited`.
    pub retry_after_secs: u64,
}

/// The armed fault of a simulator, if any, used up one API call at a time.
#[derive(Clone, Copy, Debug, Default)]
pub struct ArmedFault(Option<Fault>);

impl ArmedFault {
    /// Arms `fault` (replacing any other); `None` disarms.
    pub fn arm(&mut self, fault: Option<Fault>) {
        self.0 = fault;
    }

    /// Consumes one use of the armed fault, if any (none while calls are still let through).
    pub fn take_one(&mut self) -> Option<Fault> {
        let fault = self.0.as_mut()?;
        if fault.after > 0 {
            fault.after -= 1;
            return None;
        }
        let taken = *fault;
        fault.remaining = fault.remaining.saturating_sub(1);
        if fault.remaining == 0 {
            self.0 = None;
        }
        Some(taken)
    }
}

/// The body of `POST _sim/faults`:
/// `{"mode", "count"?, "after"?, "delay_ms"?, "retry_after_secs"?}`.
#[derive(Deserialize)]
pub struct FaultRequest {
    pub mode: String,
    count: Option<u32>,
    after: Option<u32>,
    delay_ms: Option<u64>,
    retry_after_secs: Option<u64>,
}

/// `Retry-After` of `rate_limited` when the request names none.
pub const DEFAULT_RETRY_AFTER_SECS: u64 = 60;

impl FaultRequest {
    /// The fault to arm (`None` for mode `none` or a count of 0), or why the mode is refused.
    pub fn fault(&self, slow_ms: u64) -> Result<Option<Fault>, &'static str> {
        let count = self.count.unwrap_or(1);
        if self.mode == "none" || count == 0 {
            return Ok(None);
        }
        let mode = FaultMode::parse(&self.mode).ok_or(
            "mode must be timeout, http_500, malformed, slow, queued, refuse, rate_limited or none",
        )?;
        Ok(Some(Fault {
            mode,
            remaining: count,
            after: self.after.unwrap_or(0),
            delay_ms: self.delay_ms.unwrap_or(mode.default_delay_ms(slow_ms)),
            retry_after_secs: self.retry_after_secs.unwrap_or(DEFAULT_RETRY_AFTER_SECS),
        }))
    }
}

/// A gateway's answer to a faulted `http_500`: status 500 with exactly these bytes.
pub struct ServerError {
    pub content_type: &'static str,
    pub body: &'static str,
}

/// A simulator's API answer before faults are applied.
pub trait Answer {
    /// Whether `malformed` cuts the body back to a UTF-8 character boundary (text bodies) rather
    /// than at exactly half its bytes.
    const CUT_ON_CHAR_BOUNDARY: bool = true;

    /// The answer as the gateway sends it.
    fn into_response(self) -> HttpResponse;

    /// The body alone, for `malformed` to cut.
    fn into_body(self) -> Vec<u8>;
}

/// Runs `work` (the handler body) under `fault`, if any; `server_error` answers `http_500`.
pub async fn respond<A, F>(
    fault: Option<Fault>,
    server_error: &ServerError,
    work: F,
) -> HttpResponse
where
    A: Answer,
    F: FnOnce() -> A,
{
    let Some(fault) = fault else {
        return work().into_response();
    };
    match fault.mode {
        FaultMode::Http500 => HttpResponse::InternalServerError()
            .content_type(server_error.content_type)
            .body(server_error.body),
        FaultMode::Refuse => HttpResponse::ServiceUnavailable()
            .insert_header(("Connection", "close"))
            .force_close()
            .finish(),
        FaultMode::RateLimited => HttpResponse::TooManyRequests()
            .insert_header(("Retry-After", fault.retry_after_secs.to_string()))
            .content_type("application/json")
            .body(r#"{"message":"Too Many Attempts."}"#),
        FaultMode::Queued => {
            actix_web::rt::time::sleep(Duration::from_millis(fault.delay_ms)).await;
            work().into_response()
        }
        FaultMode::Timeout | FaultMode::Slow => {
            let answer = work();
            actix_web::rt::time::sleep(Duration::from_millis(fault.delay_ms)).await;
            answer.into_response()
        }
        FaultMode::Malformed => {
            // The real answer cut in half, then an HTML error page: what a client sees when a
            // proxy drops the connection mid-body.
            let mut body = work().into_body();
            let mut at = body.len() / 2;
            let text = std::str::from_utf8(&body).ok();
            if let Some(text) = text.filter(|_| A::CUT_ON_CHAR_BOUNDARY) {
                while !text.is_char_boundary(at) {
                    at -= 1;
                }
            }
            body.truncate(at);
            body.extend_from_slice(b"<html>502 Bad Gateway</html>");
            HttpResponse::Ok()
                .content_type("application/json")
                .body(body)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn armed(body: serde_json::Value) -> ArmedFault {
        let request: FaultRequest = serde_json::from_value(body).unwrap();
        let mut armed = ArmedFault::default();
        armed.arm(request.fault(SLOW_DELAY_MS).unwrap());
        armed
    }

    #[test]
    fn a_fault_applies_to_the_next_count_calls_after_those_let_through() {
        let mut f = armed(serde_json::json!({"mode": "rate_limited", "count": 2, "after": 1}));
        let modes: Vec<_> = (0..5).map(|_| f.take_one().map(|f| f.mode)).collect();
        let limited = Some(FaultMode::RateLimited);
        assert_eq!(modes, [None, limited, limited, None, None]);

        let mut f = armed(serde_json::json!({"mode": "http_500"}));
        assert_eq!(f.take_one().map(|f| f.mode), Some(FaultMode::Http500));
        assert!(f.take_one().is_none());
    }
}
