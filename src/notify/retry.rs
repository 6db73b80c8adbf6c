//! When a merchant webhook is tried again: a pure function of the attempt number and what the
//! receiver answered, so it is tested without a clock.
//!
//! About 1 min, 5 min, 30 min, 2 h, 5 h, 10 h, 10 h, 24 h, 24 h (a little over three days in
//! all), each ±10 % jitter so receivers that failed together are not hit together again.
//! `Retry-After` is honoured (never sooner than it asks) but bounded to 24 h. 410 Gone stops.

use std::time::Duration;

pub const SCHEDULE_SECS: [u64; 9] = [60, 300, 1800, 7200, 18_000, 36_000, 36_000, 86_400, 86_400];
const RETRY_AFTER_CAP_SECS: u64 = 86_400;

/// What one delivery attempt got back.
#[derive(Clone, Debug, PartialEq)]
pub struct AttemptResult {
    /// HTTP status, when an answer arrived.
    pub status: Option<u16>,
    pub retry_after: Option<Duration>,
}

#[derive(Clone, Debug, PartialEq)]
pub enum Next {
    Delivered,
    RetryIn(Duration),
    GiveUp(&'static str),
}

/// `attempts_made` counts this one (1 after the first try); `jitter` is uniform in [0, 1).
pub fn next_step(attempts_made: u32, result: &AttemptResult, jitter: f64) -> Next {
    match result.status {
        Some(s) if (200..300).contains(&s) => return Next::Delivered,
        Some(410) => return Next::GiveUp("the receiver answered 410 Gone"),
        _ => {}
    }
    let Some(&base) = SCHEDULE_SECS.get(attempts_made.saturating_sub(1) as usize) else {
        return Next::GiveUp("retries exhausted");
    };
    let factor = 0.9 + 0.2 * jitter.clamp(0.0, 1.0);
    let scheduled = Duration::from_secs_f64(base as f64 * factor);
    let asked = result
        .retry_after
        .map(|d| d.min(Duration::from_secs(RETRY_AFTER_CAP_SECS)));
    Next::RetryIn(asked.map_or(scheduled, |a| a.max(scheduled)))
}

/// Parses `Retry-After` as delta-seconds (HTTP dates are rare from webhook receivers: ignored).
pub fn parse_retry_after(value: &str) -> Option<Duration> {
    value.trim().parse::<u64>().ok().map(Duration::from_secs)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn failed(status: Option<u16>) -> AttemptResult {
        AttemptResult {
            status,
            retry_after: None,
        }
    }

    #[test]
    fn success_and_gone_end_the_story() {
        assert_eq!(next_step(1, &failed(Some(204)), 0.5), Next::Delivered);
        assert_eq!(
            next_step(3, &failed(Some(410)), 0.5),
            Next::GiveUp("the receiver answered 410 Gone")
        );
    }

    #[test]
    fn the_schedule_spans_a_little_over_three_days_then_stops() {
        let mut total = Duration::ZERO;
        for n in 1..=9 {
            match next_step(n, &failed(Some(500)), 0.5) {
                Next::RetryIn(d) => total += d,
                other => panic!("attempt {n}: {other:?}"),
            }
        }
        assert_eq!(total, Duration::from_secs(272_160));
        assert!(total > Duration::from_secs(3 * 86_400) && total < Duration::from_secs(4 * 86_400));
        assert_eq!(
            next_step(10, &failed(None), 0.5),
            Next::GiveUp("retries exhausted")
        );
    }

    #[test]
    fn jitter_stays_within_ten_percent() {
        assert_eq!(
            next_step(1, &failed(None), 0.0),
            Next::RetryIn(Duration::from_secs(54))
        );
        assert_eq!(
            next_step(1, &failed(None), 1.0),
            Next::RetryIn(Duration::from_secs(66))
        );
    }

    #[test]
    fn retry_after_is_honoured_but_bounded() {
        let later = AttemptResult {
            status: Some(503),
            retry_after: Some(Duration::from_secs(600)),
        };
        assert_eq!(
            next_step(1, &later, 0.5),
            Next::RetryIn(Duration::from_secs(600))
        );
        let sooner = AttemptResult {
            status: Some(429),
            retry_after: Some(Duration::from_secs(5)),
        };
        assert_eq!(
            next_step(2, &sooner, 0.5),
            Next::RetryIn(Duration::from_secs(300))
        );
        let absurd = AttemptResult {
            status: Some(503),
            retry_after: Some(Duration::from_secs(10 * 86_400)),
        };
        assert_eq!(
            next_step(1, &absurd, 0.5),
            Next::RetryIn(Duration::from_secs(86_400))
        );
        assert_eq!(parse_retry_after(" 120 "), Some(Duration::from_secs(120)));
        assert_eq!(parse_retry_after("Wed, 21 Oct 2015 07:28:00 GMT"), None);
    }
}
