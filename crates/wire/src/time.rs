//! RFC 3339 / ISO 8601 UTC timestamps, formatted without a date-time dependency (this crate
//! is compiled into the browser bundle, where every dependency costs download time).

/// Formats Unix milliseconds as `YYYY-MM-DDTHH:MM:SS.mmmZ` (the form Twilio's Sync data uses).
pub fn rfc3339_millis(unix_millis: u64) -> String {
    let (date, secs_of_day) = split(unix_millis / 1000);
    format!("{date}T{}.{:03}Z", hms(secs_of_day), unix_millis % 1000)
}

/// Formats Unix seconds as `YYYY-MM-DDTHH:MM:SSZ` (the form Twilio's REST API uses).
pub fn rfc3339(unix_secs: u64) -> String {
    let (date, secs_of_day) = split(unix_secs);
    format!("{date}T{}Z", hms(secs_of_day))
}

fn hms(secs_of_day: u64) -> String {
    format!("{:02}:{:02}:{:02}", secs_of_day / 3600, secs_of_day / 60 % 60, secs_of_day % 60)
}

fn split(unix_secs: u64) -> (String, u64) {
    let days = (unix_secs / 86_400) as i64;
    let (y, m, d) = civil_from_days(days);
    (format!("{y:04}-{m:02}-{d:02}"), unix_secs % 86_400)
}

// Howard Hinnant's days-to-civil algorithm (proleptic Gregorian calendar).
fn civil_from_days(z: i64) -> (i64, u32, u32) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    let y = yoe + era * 400 + i64::from(m <= 2);
    (y, m, d)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn test_known_instants() {
        assert_eq!(rfc3339(0), "1970-01-01T00:00:00Z");
        assert_eq!(rfc3339(951_782_400), "2000-02-29T00:00:00Z");
        assert_eq!(rfc3339(1_795_238_603), "2026-11-21T05:23:23Z");
        assert_eq!(rfc3339_millis(1_795_238_603_076), "2026-11-21T05:23:23.076Z");
        assert_eq!(rfc3339(4_102_444_799), "2099-12-31T23:59:59Z");
    }
}

/// Parses an ISO 8601 duration (`P1DT2H`, `PT10M`, `PT0.5S`, `P2W`) into seconds. Years and
/// months are refused: their length depends on the calendar.
pub fn parse_iso8601_duration(s: &str) -> Option<f64> {
    let rest = s.strip_prefix('P')?;
    if rest.is_empty() {
        return None;
    }
    let (date, time) = match rest.split_once('T') {
        Some((d, t)) if !t.is_empty() => (d, Some(t)),
        Some(_) => return None,
        None => (rest, None),
    };
    let mut total = 0.0;
    let mut sum = |part: &str, units: &[(char, f64)]| -> Option<()> {
        let mut number = String::new();
        let mut last_unit = None;
        for c in part.chars() {
            if c.is_ascii_digit() || c == '.' {
                number.push(c);
                continue;
            }
            let position = units.iter().position(|(u, _)| *u == c)?;
            // Units must appear once each, in order.
            if last_unit.is_some_and(|last| position <= last) || number.is_empty() {
                return None;
            }
            last_unit = Some(position);
            total += number.parse::<f64>().ok()? * units[position].1;
            number.clear();
        }
        number.is_empty().then_some(())
    };
    sum(date, &[('W', 604_800.0), ('D', 86_400.0)])?;
    if let Some(time) = time {
        sum(time, &[('H', 3600.0), ('M', 60.0), ('S', 1.0)])?;
    }
    Some(total)
}

#[cfg(test)]
mod duration_tests {
    use super::parse_iso8601_duration as p;

    #[test]
    fn test_durations() {
        assert_eq!(p("PT10M"), Some(600.0));
        assert_eq!(p("P1DT2H"), Some(93_600.0));
        assert_eq!(p("PT1.5S"), Some(1.5));
        assert_eq!(p("P2W"), Some(1_209_600.0));
        for bad in ["", "P", "PT", "10M", "PT10X", "P1Y", "PT1S2M", "PTM", "P1DT"] {
            assert_eq!(p(bad), None, "{bad}");
        }
    }
}

/// Parses an RFC 3339 / ISO 8601 UTC timestamp (`2026-11-21T05:23:23Z`, with optional
/// fractional seconds and a `+HH:MM` offset) into Unix milliseconds.
pub fn parse_rfc3339(s: &str) -> Option<u64> {
    let number = |part: &str| -> Option<i64> {
        (!part.is_empty() && part.bytes().all(|b| b.is_ascii_digit()))
            .then(|| part.parse().ok())
            .flatten()
    };
    let (date, rest) = s.split_once(['T', 't', ' '])?;
    let mut d = date.split('-');
    let (y, m, day) = (number(d.next()?)?, number(d.next()?)?, number(d.next()?)?);
    if d.next().is_some() || !(1..=12).contains(&m) || !(1..=31).contains(&day) {
        return None;
    }
    let (clock, offset_secs) = if let Some(clock) = rest.strip_suffix(['Z', 'z']) {
        (clock, 0)
    } else {
        let split = rest.rfind(['+', '-'])?;
        let (clock, offset) = rest.split_at(split);
        let sign = if offset.starts_with('-') { -1 } else { 1 };
        let (oh, om) = offset[1..].split_once(':')?;
        (clock, sign * (number(oh)? * 3600 + number(om)? * 60))
    };
    let (hms, fraction) = clock.split_once('.').unwrap_or((clock, ""));
    let mut t = hms.split(':');
    let (h, mi, sec) = (number(t.next()?)?, number(t.next()?)?, number(t.next()?)?);
    if t.next().is_some() || h > 23 || mi > 59 || sec > 60 {
        return None;
    }
    let millis = if fraction.is_empty() {
        0
    } else {
        let digits: String = fraction.chars().chain("000".chars()).take(3).collect();
        number(&digits)?
    };
    let days = days_from_civil(y, m as u32, day as u32);
    let secs = days * 86_400 + h * 3600 + mi * 60 + sec - offset_secs;
    u64::try_from(secs * 1000 + millis).ok()
}

// The inverse of `civil_from_days` (Howard Hinnant's algorithm).
fn days_from_civil(y: i64, m: u32, d: u32) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y.rem_euclid(400);
    let mp = i64::from((m + 9) % 12);
    let doy = (153 * mp + 2) / 5 + i64::from(d) - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

#[cfg(test)]
mod parse_tests {
    use super::*;

    #[test]
    fn test_parses_what_it_formats_and_offsets() {
        for ms in [0, 951_782_400_000, 1_795_238_603_076, 4_102_444_799_000] {
            assert_eq!(parse_rfc3339(&rfc3339_millis(ms)), Some(ms));
        }
        assert_eq!(parse_rfc3339("2026-11-21T07:23:23+02:00"), Some(1_795_238_603_000));
        assert_eq!(parse_rfc3339("2026-11-21T05:23:23.5Z"), Some(1_795_238_603_500));
        for bad in [
            "",
            "2026-11-21",
            "2026-13-01T00:00:00Z",
            "2026-11-21T25:00:00Z",
            "yesterday",
            "2026-11-21T05:23:23",
        ] {
            assert_eq!(parse_rfc3339(bad), None, "{bad}");
        }
    }
}
