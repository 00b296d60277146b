//! The reconnect schedule, as a pure function of the attempt number and a random draw.

use std::time::Duration;

use crate::BackoffConfig;

/// The wait before reconnect attempt `attempt` (1 = after the first failure):
/// `min · 2^(attempt-1)` capped at `max`, scaled by a factor in `[1 - jitter, 1 + jitter)`
/// chosen by `random_unit` (a draw from `[0, 1)`).
pub fn backoff_delay(config: &BackoffConfig, attempt: u32, random_unit: f64) -> Duration {
    let exponent = attempt.saturating_sub(1).min(30);
    let base = config.min.saturating_mul(1u32 << exponent).min(config.max);
    let factor = 1.0 + config.jitter * (2.0 * random_unit.clamp(0.0, 1.0) - 1.0);
    base.mul_f64(factor.max(0.0))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn test_doubles_from_one_second_to_the_cap() {
        let c = BackoffConfig::default();
        let mid = |n| backoff_delay(&c, n, 0.5).as_secs_f64();
        assert_eq!([mid(1), mid(2), mid(3), mid(4), mid(5)], [1.0, 2.0, 4.0, 8.0, 16.0]);
        assert_eq!(mid(8), 120.0, "capped at max");
        assert_eq!(mid(1000), 120.0, "no overflow");
    }

    #[test]
    fn test_jitter_is_twenty_percent_each_way() {
        let c = BackoffConfig::default();
        assert_eq!(backoff_delay(&c, 3, 0.0), Duration::from_millis(3200));
        assert!((backoff_delay(&c, 3, 0.999_999).as_secs_f64() - 4.8).abs() < 1e-3);
    }
}
