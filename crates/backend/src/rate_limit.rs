//! Per-address rate limiting: a token bucket per client IP, refilled continuously.

use std::{
    collections::HashMap,
    net::IpAddr,
    sync::Mutex,
    time::{Duration, Instant},
};

/// Buckets idle longer than this are forgotten, bounding memory under address churn.
const IDLE: Duration = Duration::from_secs(600);

/// Allows `per_minute` requests per address, in bursts of up to `per_minute`.
#[derive(Debug)]
pub struct RateLimiter {
    per_minute: f64,
    buckets: Mutex<HashMap<IpAddr, (f64, Instant)>>,
}

impl RateLimiter {
    /// A limiter allowing `per_minute` requests per address.
    pub fn new(per_minute: u32) -> Self {
        RateLimiter { per_minute: f64::from(per_minute), buckets: Mutex::new(HashMap::new()) }
    }

    /// Takes one request from `addr`'s bucket at `now`; `Err(seconds)` to wait when empty.
    pub fn check(&self, addr: IpAddr, now: Instant) -> Result<(), u64> {
        let mut buckets = self.buckets.lock().unwrap_or_else(|p| p.into_inner());
        if buckets.len() > 10_000 {
            buckets.retain(|_, (_, seen)| now.duration_since(*seen) < IDLE);
        }
        let rate = self.per_minute / 60.0;
        let (tokens, seen) = buckets.entry(addr).or_insert((self.per_minute, now));
        *tokens = (*tokens + now.duration_since(*seen).as_secs_f64() * rate).min(self.per_minute);
        *seen = now;
        if *tokens >= 1.0 {
            *tokens -= 1.0;
            Ok(())
        } else {
            Err(((1.0 - *tokens) / rate).ceil() as u64)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn test_bursts_then_refills_per_address() {
        let limiter = RateLimiter::new(3);
        let (a, b) = ("127.0.0.1".parse().unwrap(), "127.0.0.2".parse().unwrap());
        let t0 = Instant::now();
        for _ in 0..3 {
            assert!(limiter.check(a, t0).is_ok());
        }
        assert_eq!(limiter.check(a, t0), Err(20), "one token per 20 s at 3/min");
        assert!(limiter.check(b, t0).is_ok(), "other addresses are unaffected");
        assert!(limiter.check(a, t0 + Duration::from_secs(21)).is_ok());
        assert!(limiter.check(a, t0 + Duration::from_secs(21)).is_err());
    }
}
