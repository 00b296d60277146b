//! Whether support is open: always, never, or by business hours in a time zone. The page sets
//! it (`setAvailability`, `data-availability`, `init({ availability })`); here it is parsed
//! with errors that name what is wrong, and the hours are asked "open at this minute of this
//! weekday?" and "how long until that changes?". The weekday and minute in the hours' time
//! zone come from the browser's `Intl` (see `dom::zoned_now`), so no time-zone data ships.

use serde_json::Value;

/// The weekdays' keys in `hours`, Monday first (as `Intl` weekday names are mapped).
pub const DAYS: [&str; 7] = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"];

const MINUTES_PER_DAY: u32 = 24 * 60;

/// What the page says about support being there.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub enum Availability {
    /// Agents answer: the usual pre-chat form (the default).
    #[default]
    Open,
    /// Nobody answers now: visitors without a chat going on may leave a message.
    Closed,
    /// Open during these hours.
    Hours(Hours),
    /// Open while an agent is online: the backend is asked when the visitor opens the chat.
    Agents,
}

/// Weekly business hours.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Hours {
    /// The IANA time zone they are in (`Europe/Paris`); `None`: the visitor's own.
    pub time_zone: Option<String>,
    /// Each weekday's open interval (Monday first), in minutes since midnight: from the first,
    /// up to but not including the second. `None`: closed all day.
    pub days: [Option<(u32, u32)>; 7],
}

/// What `setAvailability` takes, in words, for error messages.
pub const SHAPE: &str = "'open', 'closed', 'agents' or { hours: { mon: ['09:00', '18:00'], … }, \
     timeZone: 'Europe/Paris' }";

impl Availability {
    /// Parses `'open'`, `'closed'`, or `{ hours: { mon: ['09:00', '18:00'], … }, timeZone }`
    /// (days left out are closed; `timeZone` left out is the visitor's own). The error says
    /// what is wrong.
    pub fn parse(value: &Value) -> Result<Availability, String> {
        match value {
            Value::String(word) => Self::from_word(word)
                .ok_or_else(|| format!("\"{word}\" is not an availability; expected {SHAPE}")),
            Value::Object(fields) => {
                if let Some(key) =
                    fields.keys().find(|k| !["hours", "timeZone"].contains(&k.as_str()))
                {
                    return Err(format!("unknown key \"{key}\"; expected {SHAPE}"));
                }
                let time_zone = match fields.get("timeZone") {
                    None | Some(Value::Null) => None,
                    Some(Value::String(zone)) if !zone.trim().is_empty() => {
                        Some(zone.trim().to_owned())
                    }
                    Some(_) => {
                        return Err(
                            "timeZone must be a time zone name, like 'Europe/Paris'".to_owned()
                        )
                    }
                };
                let Some(Value::Object(hours)) = fields.get("hours") else {
                    return Err(format!("hours must be an object; expected {SHAPE}"));
                };
                let mut days = [None; 7];
                for (key, interval) in hours {
                    let Some(day) = DAYS.iter().position(|d| d == key) else {
                        return Err(format!(
                            "hours: unknown day \"{key}\"; days are {}",
                            DAYS.join(", ")
                        ));
                    };
                    days[day] = interval_of(interval).map_err(|e| format!("hours.{key}: {e}"))?;
                }
                Ok(Availability::Hours(Hours { time_zone, days }))
            }
            _ => Err(format!("expected {SHAPE}")),
        }
    }

    /// `open`, `closed` or `agents` (a page attribute's words); `None` for anything else.
    pub fn from_word(word: &str) -> Option<Availability> {
        match word.trim() {
            "open" => Some(Availability::Open),
            "closed" => Some(Availability::Closed),
            "agents" => Some(Availability::Agents),
            _ => None,
        }
    }
}

/// `['09:00', '18:00']` as minutes, or `null` (closed that day).
fn interval_of(value: &Value) -> Result<Option<(u32, u32)>, String> {
    const PAIR: &str = "expected ['HH:MM', 'HH:MM'] (opening, closing) or null";
    if value.is_null() {
        return Ok(None);
    }
    let Some([from, to]) = value.as_array().map(Vec::as_slice) else { return Err(PAIR.to_owned()) };
    let (Some(from), Some(to)) = (from.as_str(), to.as_str()) else {
        return Err(PAIR.to_owned());
    };
    let (from, to) = (minute_of(from)?, minute_of(to)?);
    if from >= to {
        return Err("the closing time must come after the opening time".to_owned());
    }
    Ok(Some((from, to)))
}

/// `HH:MM` (24-hour clock; `24:00` is the end of the day) as minutes since midnight.
fn minute_of(text: &str) -> Result<u32, String> {
    let bad = || format!("\"{text}\" is not a time like '09:30'");
    let (h, m) = text.split_once(':').ok_or_else(bad)?;
    if h.len() != 2 || m.len() != 2 {
        return Err(bad());
    }
    let (h, m): (u32, u32) = (h.parse().map_err(|_| bad())?, m.parse().map_err(|_| bad())?);
    if m >= 60 || h > 24 || (h == 24 && m != 0) {
        return Err(bad());
    }
    Ok(h * 60 + m)
}

impl Hours {
    /// Whether support is open at `minute` (since midnight) of `weekday` (0 = Monday).
    pub fn open_at(&self, weekday: usize, minute: u32) -> bool {
        self.days[weekday % 7].is_some_and(|(from, to)| (from..to).contains(&minute))
    }

    /// Minutes from `minute` of `weekday` until [`Hours::open_at`] changes; a week when it
    /// never does.
    pub fn minutes_to_change(&self, weekday: usize, minute: u32) -> u32 {
        let now = self.open_at(weekday, minute);
        let week = 7 * MINUTES_PER_DAY;
        let start = (weekday % 7) as u32 * MINUTES_PER_DAY + minute;
        // Only the intervals' ends can change it: the nearest end that does (no sorting, to
        // keep the wasm small: fourteen ends at most).
        self.days
            .iter()
            .enumerate()
            .filter_map(|(day, interval)| interval.map(|i| (day as u32 * MINUTES_PER_DAY, i)))
            .flat_map(|(base, (from, to))| [base + from, base + to])
            .map(|at| (at + week - start) % week)
            .filter(|&ahead| {
                let at = start + ahead;
                ahead > 0
                    && self.open_at((at / MINUTES_PER_DAY) as usize % 7, at % MINUTES_PER_DAY)
                        != now
            })
            .min()
            .unwrap_or(week)
    }
}

/// Monday-first weekday number of an English short weekday name (`Intl`'s `en-US` `weekday:
/// 'short'`).
pub fn weekday_of(name: &str) -> Option<usize> {
    DAYS.iter().position(|d| name.get(..3).is_some_and(|n| n.eq_ignore_ascii_case(d)))
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn hours(value: Value) -> Hours {
        match Availability::parse(&json!({ "hours": value, "timeZone": "Europe/Paris" })) {
            Ok(Availability::Hours(hours)) => hours,
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn test_words_and_hours_parse() {
        assert_eq!(Availability::parse(&json!("open")), Ok(Availability::Open));
        assert_eq!(Availability::parse(&json!("closed")), Ok(Availability::Closed));
        assert_eq!(Availability::parse(&json!("agents")), Ok(Availability::Agents));
        let week =
            hours(json!({ "mon": ["09:00", "18:00"], "sat": ["10:30", "24:00"], "sun": null }));
        assert_eq!(week.time_zone.as_deref(), Some("Europe/Paris"));
        assert_eq!(week.days[0], Some((540, 1080)));
        assert_eq!(week.days[5], Some((630, 1440)));
        assert_eq!((week.days[1], week.days[6]), (None, None));
        let local = Availability::parse(&json!({ "hours": {} }));
        assert_eq!(local, Ok(Availability::Hours(Hours { time_zone: None, days: [None; 7] })));
    }

    #[test]
    fn test_bad_availability_is_refused_naming_what_is_wrong() {
        for (value, fragment) in [
            (json!("shut"), "\"shut\" is not an availability"),
            (json!(true), "expected 'open'"),
            (
                json!({ "hours": { "mon": ["09:00", "18:00"] }, "zone": "UTC" }),
                "unknown key \"zone\"",
            ),
            (json!({ "timeZone": "UTC" }), "hours must be an object"),
            (json!({ "hours": { "monday": ["09:00", "18:00"] } }), "unknown day \"monday\""),
            (json!({ "hours": { "mon": ["9:00", "18:00"] } }), "hours.mon: \"9:00\""),
            (json!({ "hours": { "mon": ["09:00", "24:30"] } }), "\"24:30\""),
            (json!({ "hours": { "mon": ["09:60", "18:00"] } }), "\"09:60\""),
            (json!({ "hours": { "tue": ["18:00", "09:00"] } }), "hours.tue: the closing time"),
            (json!({ "hours": { "wed": "09:00-18:00" } }), "hours.wed: expected ['HH:MM'"),
            (json!({ "hours": { "thu": ["09:00"] } }), "hours.thu: expected"),
            (json!({ "hours": {}, "timeZone": 1 }), "timeZone must be"),
            (json!({ "hours": {}, "timeZone": " " }), "timeZone must be"),
        ] {
            let error = Availability::parse(&value).unwrap_err();
            assert!(error.contains(fragment), "{value}: {error}");
        }
    }

    #[test]
    fn test_open_during_the_hours_only() {
        let week = hours(json!({ "mon": ["09:00", "18:00"], "sun": ["00:00", "24:00"] }));
        assert!(!week.open_at(0, 8 * 60 + 59));
        assert!(week.open_at(0, 9 * 60));
        assert!(week.open_at(0, 18 * 60 - 1));
        assert!(!week.open_at(0, 18 * 60), "closing time is closed");
        assert!(!week.open_at(1, 12 * 60), "a day left out is closed");
        assert!(week.open_at(6, 0) && week.open_at(6, 1439));
    }

    #[test]
    fn test_the_next_change_is_the_nearest_end_that_changes_anything() {
        let week = hours(json!({ "mon": ["09:00", "18:00"], "tue": ["09:00", "18:00"] }));
        assert_eq!(week.minutes_to_change(0, 8 * 60), 60, "opens at 9");
        assert_eq!(week.minutes_to_change(0, 9 * 60), 9 * 60, "closes at 18");
        assert_eq!(week.minutes_to_change(0, 20 * 60), 13 * 60, "opens Tuesday at 9");
        assert_eq!(week.minutes_to_change(1, 20 * 60), 6 * 24 * 60 - 11 * 60, "Monday next week");
        // Open through midnight: Saturday's closing and Sunday's opening change nothing.
        let weekend = hours(json!({ "sat": ["20:00", "24:00"], "sun": ["00:00", "02:00"] }));
        assert_eq!(weekend.minutes_to_change(5, 21 * 60), 3 * 60 + 2 * 60);
        assert_eq!(hours(json!({})).minutes_to_change(3, 0), 7 * 24 * 60, "never changes");
    }

    #[test]
    fn test_weekday_names() {
        assert_eq!(weekday_of("Mon"), Some(0));
        assert_eq!(weekday_of("Sun"), Some(6));
        assert_eq!(weekday_of("Xyz"), None);
    }
}
