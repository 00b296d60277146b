//! Twilio-style SIDs: a two-letter prefix and 32 hex digits.

/// A fresh random SID with `prefix` (`CH`, `IM`, `MB`, `US`, `ME`, `ET`, `ES`, `MP`, …).
pub(crate) fn sid(prefix: &str) -> String {
    format!("{prefix}{}", uuid::Uuid::new_v4().simple())
}

/// Milliseconds since the Unix epoch.
pub(crate) fn now_millis() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_millis() as u64)
        .unwrap_or_default()
}

/// `now` as the ISO 8601 string Sync data carries.
pub(crate) fn iso(millis: u64) -> String {
    convo_wire::time::rfc3339_millis(millis)
}
