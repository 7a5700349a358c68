//! What an answer means for a delivery: delivered, retried (and when),
//! dropped, or the destination disabled.

#[allow(unused_imports)]
use crate::core::prelude::*;
use crate::core::text::{self, parse_uint};
/// What came back from one attempt.
#[derive(Clone, Debug, PartialEq)]
pub enum Answer {
    /// An HTTP status, with the `Retry-After` delay when the header was readable.
    Status {
        /// HTTP status code.
        code: u16,
        /// Delay asked for by `Retry-After`, in ms.
        retry_after_ms: Option<f64>,
    },
    /// A `no-cors` answer: the request left, nothing can be read.
    Opaque,
    /// The destination answered with a redirect, which is not followed: a
    /// redirect could move a secret header to another host, or turn a POST
    /// into a body-less GET.
    Redirect,
    /// The network failed (offline, DNS, refused, reset, CORS refused).
    Network(String),
    /// No answer within the destination's `timeoutMs`.
    Timeout,
}

/// The decision for a delivery after an attempt.
#[derive(Clone, Debug, PartialEq)]
pub enum Verdict {
    /// A 2xx (or 3xx) answer.
    Delivered,
    /// An opaque `no-cors` answer: sent, but not confirmed.
    Sent,
    /// Try again after this many ms.
    Retry(f64),
    /// 401 with a renewable token: renew it and try again at once.
    Reauthorize,
    /// Retries are used up.
    Failed(String),
    /// Not retryable (4xx).
    Dropped(String),
    /// 410 Gone: the destination is disabled for the page's life.
    Gone,
}

/// First retry delay.
pub const BASE_DELAY_MS: f64 = 1_000.0;
/// Longest computed backoff.
pub const MAX_DELAY_MS: f64 = 5.0 * 60_000.0;
/// Longest `Retry-After` honoured (a longer one waits this long).
pub const MAX_RETRY_AFTER_MS: f64 = 24.0 * 3_600_000.0;

/// Exponential backoff with jitter for the retry after attempt `attempt`
/// (1-based): `1 s · 2^(attempt-1)`, capped at 5 min, scaled by a random
/// factor in [0.5, 1) so that many clients do not retry in step.
pub fn backoff(attempt: u32, random: f64) -> f64 {
    backoff_with(attempt, random, BASE_DELAY_MS, MAX_DELAY_MS)
}

/// [`backoff`] with another first delay and cap.
pub fn backoff_with(attempt: u32, random: f64, base_ms: f64, max_ms: f64) -> f64 {
    let exp = base_ms * crate::core::num::pow2(attempt.saturating_sub(1).min(30));
    exp.min(max_ms) * (0.5 + crate::core::num::clamp(random, 0.0, 1.0) * 0.5)
}

/// Decides what `answer` to attempt number `attempt` (1-based) of
/// `max_attempts` means. `renewable` says a 401 may be cured by fetching a
/// new token (OAuth 2.0 or a host provider) and that has not been tried yet.
pub fn classify(
    answer: &Answer,
    attempt: u32,
    max_attempts: u32,
    renewable: bool,
    random: f64,
) -> Verdict {
    let delay = backoff(attempt, random);
    classify_with(answer, attempt, max_attempts, renewable, delay)
}

/// [`classify`] with the backoff delay already computed.
pub fn classify_with(
    answer: &Answer,
    attempt: u32,
    max_attempts: u32,
    renewable: bool,
    delay: f64,
) -> Verdict {
    let retry = |why: String, after: Option<f64>| {
        if attempt >= max_attempts {
            let mut text = String::from("gave up after ");
            super::value::push_uint(&mut text, u64::from(attempt));
            text.push_str(if attempt == 1 {
                " attempt: "
            } else {
                " attempts: "
            });
            text.push_str(&why);
            Verdict::Failed(text)
        } else {
            Verdict::Retry(after.map_or(delay, |a| {
                crate::core::num::clamp(a, 0.0, MAX_RETRY_AFTER_MS)
            }))
        }
    };
    match answer {
        Answer::Opaque => Verdict::Sent,
        Answer::Redirect => Verdict::Dropped(REDIRECT.into()),
        Answer::Network(e) => {
            let mut why = String::from("network error (");
            why.push_str(e);
            why.push(')');
            retry(why, None)
        }
        Answer::Timeout => retry("timed out".into(), None),
        Answer::Status {
            code,
            retry_after_ms,
        } => match *code {
            200..=299 => Verdict::Delivered,
            300..=399 => Verdict::Dropped(REDIRECT.into()),
            401 if renewable => Verdict::Reauthorize,
            408 | 429 | 500..=599 => retry(http(*code, ""), *retry_after_ms),
            410 => Verdict::Gone,
            code => Verdict::Dropped(http(
                code,
                ": the destination refused the request; it will not be retried",
            )),
        },
    }
}

/// Why a redirect is not followed.
pub const REDIRECT: &str = "the destination answered with a redirect, which is not followed (it could carry the request's headers to another host, or turn it into a GET without its body); set the destination's final URL";

fn http(code: u16, rest: &str) -> String {
    let mut s = String::from("HTTP ");
    super::value::push_uint(&mut s, u64::from(code));
    s.push_str(rest);
    s
}

/// Parses a `Retry-After` value: delay seconds, or an HTTP date
/// (`Sun, 06 Nov 1994 08:49:37 GMT`) relative to `now_ms`.
pub fn parse_retry_after(value: &str, now_ms: f64) -> Option<f64> {
    let v = value.trim();
    if !v.is_empty() && text::all_digits(v) {
        return parse_uint(v).map(|s| s.min(u32::MAX as u64) as f64 * 1000.0);
    }
    http_date_ms(v).map(|at| (at - now_ms).max(0.0))
}

/// IMF-fixdate (`Sun, 06 Nov 1994 08:49:37 GMT`) to ms since the epoch.
fn http_date_ms(v: &str) -> Option<f64> {
    let rest = text::split_once(v, ", ").map_or(v, |(_, r)| r);
    let mut it = rest.split_whitespace();
    // Past the ranges checked below, any size will do.
    let field = |t: &str| parse_uint(t).map(|n| n.min(1 << 40) as i64);
    let day = field(it.next()?)?;
    let month_name = it.next()?;
    let month = [
        "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
    ]
    .iter()
    .position(|m| *m == month_name)? as i64
        + 1;
    let year = field(it.next()?)?;
    // Unsigned fields (no "-5"), and a year a Retry-After can mean: the
    // arithmetic below then cannot overflow.
    // `hh:mm:ss`; what follows a third `:` is not looked at.
    let (h, rest) = text::split_once(it.next()?, ":")?;
    let (m, rest) = text::split_once(rest, ":")?;
    let (h, m, s) = (field(h)?, field(m)?, field(text::until(rest, b":"))?);
    if it.next()? != "GMT"
        || !(1..=31).contains(&day)
        || !(1970..=9999).contains(&year)
        || h > 23
        || m > 59
        || s > 60
    {
        return None;
    }
    // Days from civil date (Howard Hinnant's algorithm).
    let y = if month <= 2 { year - 1 } else { year };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (month + 9) % 12;
    let doy = (153 * mp + 2) / 5 + day - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    let days = era * 146_097 + doe - 719_468;
    Some(((days * 86_400 + h * 3600 + m * 60 + s) * 1000) as f64)
}

#[cfg(all(test, not(target_arch = "wasm32")))]
mod tests {
    use super::*;

    fn status(code: u16) -> Answer {
        Answer::Status {
            code,
            retry_after_ms: None,
        }
    }

    #[test]
    fn classes_of_answers() {
        assert_eq!(classify(&status(200), 1, 8, false, 0.5), Verdict::Delivered);
        assert_eq!(classify(&status(204), 1, 8, false, 0.5), Verdict::Delivered);
        assert_eq!(classify(&Answer::Opaque, 1, 8, false, 0.5), Verdict::Sent);
        for code in [408, 429, 500, 502, 503, 504] {
            assert!(
                matches!(classify(&status(code), 1, 8, false, 0.5), Verdict::Retry(_)),
                "{code}"
            );
        }
        assert!(matches!(
            classify(&Answer::Timeout, 1, 8, false, 0.5),
            Verdict::Retry(_)
        ));
        assert!(matches!(
            classify(&Answer::Network("x".into()), 1, 8, false, 0.5),
            Verdict::Retry(_)
        ));
        assert_eq!(classify(&status(410), 1, 8, false, 0.5), Verdict::Gone);
        assert!(matches!(
            classify(&status(400), 1, 8, false, 0.5),
            Verdict::Dropped(_)
        ));
        assert!(matches!(
            classify(&status(401), 1, 8, false, 0.5),
            Verdict::Dropped(_)
        ));
        assert_eq!(
            classify(&status(401), 1, 8, true, 0.5),
            Verdict::Reauthorize
        );
        assert!(matches!(
            classify(&status(404), 1, 8, true, 0.5),
            Verdict::Dropped(_)
        ));
        match classify(&status(503), 8, 8, false, 0.5) {
            Verdict::Failed(why) => {
                assert!(why.contains("8 attempts") && why.contains("503"), "{why}")
            }
            v => panic!("{v:?}"),
        }
    }

    #[test]
    fn backoff_doubles_with_jitter_and_a_cap() {
        assert_eq!(backoff(1, 0.0), 500.0);
        assert_eq!(backoff(1, 1.0), 1000.0);
        assert_eq!(backoff(2, 1.0), 2000.0);
        assert_eq!(backoff(4, 1.0), 8000.0);
        assert_eq!(backoff(40, 1.0), MAX_DELAY_MS);
        for a in 1..20 {
            let d = backoff(a, 0.3);
            assert!((500.0..=MAX_DELAY_MS).contains(&d));
        }
    }

    #[test]
    fn retry_after_is_honoured() {
        let after = Answer::Status {
            code: 429,
            retry_after_ms: Some(30_000.0),
        };
        assert_eq!(classify(&after, 1, 8, false, 0.5), Verdict::Retry(30_000.0));
        // Retry-After wins over the computed backoff, also when it is shorter.
        let zero = Answer::Status {
            code: 503,
            retry_after_ms: Some(0.0),
        };
        assert_eq!(classify(&zero, 1, 8, false, 0.5), Verdict::Retry(0.0));
        let huge = Answer::Status {
            code: 503,
            retry_after_ms: Some(1e12),
        };
        assert_eq!(
            classify(&huge, 1, 8, false, 0.5),
            Verdict::Retry(MAX_RETRY_AFTER_MS)
        );
    }

    #[test]
    fn retry_after_values() {
        assert_eq!(parse_retry_after("120", 0.0), Some(120_000.0));
        assert_eq!(parse_retry_after(" 0 ", 0.0), Some(0.0));
        let at = 784_111_777_000.0; // Sun, 06 Nov 1994 08:49:37 GMT
        assert_eq!(
            parse_retry_after("Sun, 06 Nov 1994 08:49:37 GMT", at - 5_000.0),
            Some(5_000.0)
        );
        assert_eq!(
            parse_retry_after("Sun, 06 Nov 1994 08:49:37 GMT", at + 5_000.0),
            Some(0.0)
        );
        assert_eq!(parse_retry_after("soon", 0.0), None);
        assert_eq!(parse_retry_after("-5", 0.0), None);
        assert_eq!(
            parse_retry_after("Sun, 06 Foo 1994 08:49:37 GMT", 0.0),
            None
        );
    }
}
