//! When to retry a request and how long to wait: `Retry-After`, exponential backoff with jitter.
//!
//! Pure functions; the HTTP client applies them. Waits are always capped by
//! [`CollectOptions::max_retry_delay`](super::CollectOptions::max_retry_delay).

use std::hash::{BuildHasher, RandomState};
use std::time::Duration;

use chrono::{DateTime, Utc};

/// Statuses worth another attempt: throttling, timeouts and transient server errors.
pub(crate) fn is_retryable(status: u16) -> bool {
    matches!(status, 408 | 429 | 500 | 502 | 503 | 504)
}

/// How long the server asked us to wait, from `retry-after-ms` / `x-ms-retry-after-ms`
/// (milliseconds) or `Retry-After` (delay-seconds or an HTTP date, RFC 9110 §10.2.3).
pub(crate) fn server_delay(
    headers: &reqwest::header::HeaderMap,
    now: DateTime<Utc>,
) -> Option<Duration> {
    for name in ["retry-after-ms", "x-ms-retry-after-ms"] {
        if let Some(ms) = header_str(headers, name).and_then(|v| v.trim().parse::<u64>().ok()) {
            return Some(Duration::from_millis(ms));
        }
    }
    header_str(headers, "retry-after").and_then(|v| parse_retry_after(v, now))
}

fn header_str<'h>(headers: &'h reqwest::header::HeaderMap, name: &str) -> Option<&'h str> {
    headers.get(name).and_then(|v| v.to_str().ok())
}

/// Parses a `Retry-After` value: whole seconds, or an HTTP date (a date in the past means 0).
pub(crate) fn parse_retry_after(value: &str, now: DateTime<Utc>) -> Option<Duration> {
    let value = value.trim();
    if let Ok(seconds) = value.parse::<u64>() {
        return Some(Duration::from_secs(seconds));
    }
    let date = DateTime::parse_from_rfc2822(value)
        .ok()?
        .with_timezone(&Utc);
    Some((date - now).to_std().unwrap_or(Duration::ZERO))
}

/// Exponential backoff with "equal jitter": attempt 1 waits in `[base/2, base]`, attempt 2 in
/// `[base, 2·base]`, …, never more than `cap`.
pub(crate) fn backoff(attempt: u32, base: Duration, cap: Duration) -> Duration {
    let factor = 1u32 << attempt.saturating_sub(1).min(16);
    let full = base.saturating_mul(factor).min(cap);
    let half = full / 2;
    // RandomState is seeded randomly per thread and advanced per instance: enough for jitter.
    let noise = RandomState::new().hash_one(attempt) % 1_000;
    half + half.mul_f64(noise as f64 / 1_000.0)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(s: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(s)
            .map(|d| d.with_timezone(&Utc))
            .expect("valid date")
    }

    #[test]
    fn retry_after_seconds() {
        let now = at("2026-01-01T00:00:00Z");
        assert_eq!(parse_retry_after("7", now), Some(Duration::from_secs(7)));
        assert_eq!(parse_retry_after(" 0 ", now), Some(Duration::ZERO));
    }

    #[test]
    fn retry_after_http_date() {
        let now = at("2015-10-21T07:28:00Z");
        let d = parse_retry_after("Wed, 21 Oct 2015 07:28:30 GMT", now);
        assert_eq!(d, Some(Duration::from_secs(30)));
        let past = parse_retry_after("Wed, 21 Oct 2015 07:00:00 GMT", now);
        assert_eq!(past, Some(Duration::ZERO));
    }

    #[test]
    fn retry_after_garbage_is_ignored() {
        let now = at("2026-01-01T00:00:00Z");
        assert_eq!(parse_retry_after("soon", now), None);
        assert_eq!(parse_retry_after("-3", now), None);
    }

    #[test]
    fn retry_after_ms_header_wins() {
        let mut headers = reqwest::header::HeaderMap::new();
        headers.insert("retry-after", "9".parse().expect("header"));
        headers.insert("x-ms-retry-after-ms", "250".parse().expect("header"));
        let now = at("2026-01-01T00:00:00Z");
        assert_eq!(
            server_delay(&headers, now),
            Some(Duration::from_millis(250))
        );
    }

    #[test]
    fn backoff_grows_is_jittered_and_capped() {
        let base = Duration::from_millis(100);
        let cap = Duration::from_millis(700);
        for _ in 0..50 {
            let d1 = backoff(1, base, cap);
            assert!(d1 >= Duration::from_millis(50) && d1 <= base, "{d1:?}");
            let d3 = backoff(3, base, cap);
            assert!(
                d3 >= Duration::from_millis(200) && d3 <= Duration::from_millis(400),
                "{d3:?}"
            );
            assert!(backoff(30, base, cap) <= cap);
        }
    }

    #[test]
    fn retryable_statuses() {
        for s in [408, 429, 500, 502, 503, 504] {
            assert!(is_retryable(s));
        }
        for s in [200, 400, 401, 403, 404, 409] {
            assert!(!is_retryable(s));
        }
    }
}
