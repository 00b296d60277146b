//! Widget configuration: where the backend is, the language, the pre-chat form, attachment
//! rules, sound.

pub use convo_wire::prechat::CustomField;

use crate::util::{hours::Availability, validate::AttachmentPolicy};

/// A pre-chat form field.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum FieldKind {
    /// The visitor's name (any Unicode).
    Name,
    /// An email address.
    Email,
    /// The question, posted as the first message.
    Question,
}

/// A field of the pre-chat form.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Field {
    /// Which field.
    pub kind: FieldKind,
    /// Whether it must be filled in.
    pub required: bool,
}

/// A visitor the host has already identified (the pre-chat form is skipped).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct HostUser {
    /// The host's user id.
    pub identity: Option<String>,
    /// HMAC-SHA256 of the id under the backend's identity secret (lowercase hex).
    pub identity_signature: Option<String>,
    /// Display name.
    pub name: Option<String>,
    /// Email.
    pub email: Option<String>,
}

/// How the widget connects and behaves.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WidgetConfig {
    /// The host backend's session endpoint, which starts or resumes a visitor's conversation
    /// (absolute, or relative to the page).
    pub session_url: String,
    /// The host backend's token endpoint, which refreshes a session's token.
    pub token_url: String,
    /// The host backend's endpoint that ends the visitor's conversation ("End chat").
    pub end_url: String,
    /// The host backend's endpoint that stores the visitor's rating of an ended chat.
    pub rating_url: String,
    /// The host backend's endpoint that says whether an agent is online (availability
    /// `agents`).
    pub availability_url: String,
    /// How long after the chat's last activity a page load still reconnects a stored session
    /// by itself (so news shows on the launcher); later, the widget connects when opened. Zero:
    /// only when opened.
    pub resume_within: std::time::Duration,
    /// The twilsock websocket URL (absolute `ws(s)://`, or a path on the page's host).
    pub twilsock_url: String,
    /// Whether the host set [`Self::twilsock_url`]; otherwise the backend's grants name it and
    /// the default is only the fallback.
    pub twilsock_url_set: bool,
    /// The team name in the header.
    pub team_name: Option<String>,
    /// A BCP 47 language tag; the browser's language when unset.
    pub locale: Option<String>,
    /// The pre-chat form's fields (empty: no form).
    pub prechat: Vec<Field>,
    /// The host's own fields, after the built-in ones (`prechat-fields`): answers go to the
    /// backend as `fields`.
    pub custom_fields: Vec<CustomField>,
    /// A visitor the host already knows (skips the form).
    pub user: Option<HostUser>,
    /// What may be attached.
    pub attachments: AttachmentPolicy,
    /// Play a sound for new messages while the tab is hidden.
    pub sound: bool,
    /// Offer the visitor desktop notifications of replies while the tab is hidden.
    pub notifications: bool,
    /// Put the launcher at the inline start (left in left-to-right pages) instead of the end.
    pub launcher_start: bool,
    /// An image URL (`https:`, or a path on the page) for the launcher instead of the chat icon.
    pub launcher_icon: Option<String>,
    /// A proactive greeting (`greeting`) and its delay (`greeting-delay`, ms), as
    /// `ConvoWidget.greet(text, { delay })` would set; `None` when unset or unusable.
    pub greeting: Option<(String, std::time::Duration)>,
    /// Whether support is open (`availability`: `open` or `closed` as an attribute; business
    /// hours too through `init` and `setAvailability`): when it is not, visitors with no chat
    /// going on may leave a message.
    pub availability: Availability,
    /// Attributes the host attaches to the visitor's next conversation (`setAttributes`).
    pub attributes: serde_json::Map<String, serde_json::Value>,
    /// The panel in place, always open and without the launcher: the agent desk's view of a
    /// conversation (not a page option).
    pub inline: bool,
}

impl Default for WidgetConfig {
    fn default() -> Self {
        WidgetConfig {
            session_url: "/api/session".to_owned(),
            token_url: "/api/token".to_owned(),
            end_url: "/api/end".to_owned(),
            rating_url: "/api/rating".to_owned(),
            availability_url: "/api/availability".to_owned(),
            resume_within: DEFAULT_RESUME_WITHIN,
            twilsock_url: "/v3/wsconnect".to_owned(),
            twilsock_url_set: false,
            team_name: None,
            locale: None,
            prechat: vec![
                Field { kind: FieldKind::Name, required: true },
                Field { kind: FieldKind::Email, required: false },
                Field { kind: FieldKind::Question, required: false },
            ],
            custom_fields: Vec::new(),
            user: None,
            attachments: AttachmentPolicy::default(),
            sound: false,
            notifications: false,
            launcher_start: false,
            launcher_icon: None,
            greeting: None,
            availability: Availability::Open,
            attributes: serde_json::Map::new(),
            inline: false,
        }
    }
}

/// The longest greeting, in characters: a bubble beside the launcher, not a message.
pub const GREETING_CHARS: usize = 500;

/// A stored session reconnects at page load for this long after the chat's last activity
/// (the backend's default inactive timer: an idle chat costs no connection on later pages).
pub const DEFAULT_RESUME_WITHIN: std::time::Duration = std::time::Duration::from_secs(30 * 60);

/// The options a page can set, as attribute names (`ConvoWidget.init` takes them in camelCase).
pub const OPTIONS: [&str; 22] = [
    "session-url",
    "token-url",
    "end-url",
    "rating-url",
    "resume-within",
    "twilsock-url",
    "team",
    "locale",
    "prechat",
    "prechat-fields",
    "sound",
    "notifications",
    "launcher-position",
    "launcher-icon",
    "user-id",
    "user-signature",
    "user-name",
    "user-email",
    "greeting",
    "greeting-delay",
    "availability",
    "availability-url",
];

impl WidgetConfig {
    /// Defaults, overridden by `element`'s attributes named `prefix` + an option of [`OPTIONS`];
    /// what cannot be used is told to `report`.
    pub fn from_element(
        element: &web_sys::Element,
        prefix: &str,
        report: impl FnMut(String),
    ) -> Self {
        Self::from_options_reporting(
            |name| element.get_attribute(&format!("{prefix}{name}")),
            report,
        )
    }

    /// [`Self::from_options_reporting`], with nothing reported (the tests' shorthand).
    #[cfg(test)]
    pub fn from_options(option: impl Fn(&str) -> Option<String>) -> Self {
        Self::from_options_reporting(option, |_| ())
    }

    /// Defaults, overridden by the options `option(name)` has: `session-url`, `token-url`,
    /// `end-url`, `rating-url`, `resume-within` (minutes), `twilsock-url`, `team`, `locale`, `prechat` (e.g. `name!,email,question`; `!` marks
    /// required, `none` turns the form off), `sound` and `notifications` (`on` or `true`), `launcher-position`
    /// (`start`/`end`), `launcher-icon`, `greeting` (at most [`GREETING_CHARS`] characters) and `greeting-delay`
    /// (milliseconds, default 0), `availability` (`open`, `closed` or `agents`; others are left
    /// to `init`, which says what is wrong), and a visitor the host knows: `user-id`,
    /// `user-signature`, `user-name`, `user-email`. Empty values count as unset. `prechat-fields`
    /// is the JSON array of custom fields ([`convo_wire::prechat`]): a field that cannot be used
    /// is left out and told to `report`, naming it, so one typo never breaks the form.
    pub fn from_options_reporting(
        option: impl Fn(&str) -> Option<String>,
        mut report: impl FnMut(String),
    ) -> Self {
        let mut config = WidgetConfig::default();
        let attr = |name: &str| option(name).filter(|v| !v.is_empty());
        if let Some(url) = attr("session-url") {
            config.session_url = url;
        }
        if let Some(url) = attr("token-url") {
            config.token_url = url;
        }
        if let Some(url) = attr("end-url") {
            config.end_url = url;
        }
        if let Some(url) = attr("rating-url") {
            config.rating_url = url;
        }
        if let Some(url) = attr("availability-url") {
            config.availability_url = url;
        }
        if let Some(minutes) = attr("resume-within").and_then(|m| m.trim().parse::<u32>().ok()) {
            config.resume_within = std::time::Duration::from_secs(u64::from(minutes) * 60);
        }
        if let Some(url) = attr("twilsock-url") {
            config.twilsock_url = url;
            config.twilsock_url_set = true;
        }
        config.team_name = attr("team");
        config.locale = attr("locale");
        if let Some(spec) = attr("prechat") {
            config.prechat = parse_prechat(&spec);
        }
        if let Some(declaration) = attr("prechat-fields") {
            let (fields, errors) = convo_wire::prechat::parse_declaration_text(&declaration);
            for error in errors {
                report(error.to_string());
            }
            config.custom_fields = fields;
        }
        config.sound = attr("sound").is_some_and(|v| v == "on" || v == "true");
        config.notifications = attr("notifications").is_some_and(|v| v == "on" || v == "true");
        config.launcher_start = attr("launcher-position").is_some_and(|v| v == "start");
        config.launcher_icon = attr("launcher-icon").filter(|url| safe_image_url(url));
        // A delay that is not a whole number of milliseconds (a typo) greets at once.
        let delay = attr("greeting-delay").and_then(|ms| ms.trim().parse::<u32>().ok());
        let delay = delay.map_or(0, |ms| ms.min(i32::MAX as u32));
        config.greeting = attr("greeting")
            .map(|text| text.trim().to_owned())
            .filter(|text| !text.is_empty() && text.chars().count() <= GREETING_CHARS)
            .map(|text| (text, std::time::Duration::from_millis(delay.into())));
        if let Some(availability) = attr("availability").and_then(|a| Availability::from_word(&a)) {
            config.availability = availability;
        }
        let user = HostUser {
            identity: attr("user-id"),
            identity_signature: attr("user-signature"),
            name: attr("user-name"),
            email: attr("user-email"),
        };
        if user != HostUser::default() {
            config.user = Some(user);
        }
        config
    }

    /// The twilsock URL made absolute against the page's location (`http` → `ws`).
    pub fn absolute_twilsock_url(&self, page_origin: &str) -> String {
        resolve_ws_url(&self.twilsock_url, page_origin)
    }

    /// The key the visitor's session is stored under (one per backend).
    pub fn storage_key(&self) -> String {
        format!("convo:v1:{}", self.session_url)
    }
}

/// Whether an image URL may be used: `https:` or a same-site path (never `javascript:` or
/// `data:` from a host's markup typo or injection).
pub fn safe_image_url(url: &str) -> bool {
    // Browsers read `\` as `/` in a URL's path and drop tabs and newlines, so `/\evil.example`
    // would be protocol-relative: only a plain path of our own site passes.
    if url.contains(['\\', '\t', '\n', '\r']) {
        return false;
    }
    url.starts_with("https://") || (url.starts_with('/') && !url.starts_with("//"))
}

/// Parses `name!,email,question` (`!` = required; `none` = no form).
pub fn parse_prechat(spec: &str) -> Vec<Field> {
    spec.split(',')
        .filter_map(|part| {
            let part = part.trim();
            let (name, required) = part.strip_suffix('!').map_or((part, false), |n| (n, true));
            let kind = match name {
                "name" => FieldKind::Name,
                "email" => FieldKind::Email,
                "question" => FieldKind::Question,
                _ => return None,
            };
            Some(Field { kind, required })
        })
        .collect()
}

/// Resolves a websocket URL given as absolute (`ws://…`, `wss://…`), or as a path on the page's
/// origin (`http://host:port` → `ws://host:port/path`, `https` → `wss`).
pub fn resolve_ws_url(url: &str, page_origin: &str) -> String {
    if url.starts_with("ws://") || url.starts_with("wss://") {
        return url.to_owned();
    }
    let origin = page_origin.trim_end_matches('/');
    let ws_origin = if let Some(rest) = origin.strip_prefix("https://") {
        format!("wss://{rest}")
    } else if let Some(rest) = origin.strip_prefix("http://") {
        format!("ws://{rest}")
    } else {
        origin.to_owned()
    };
    if url.starts_with('/') {
        format!("{ws_origin}{url}")
    } else {
        format!("{ws_origin}/{url}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn test_ws_urls_resolve_against_the_page() {
        assert_eq!(
            resolve_ws_url("/v3/wsconnect", "http://127.0.0.1:8080"),
            "ws://127.0.0.1:8080/v3/wsconnect"
        );
        assert_eq!(
            resolve_ws_url("/v3/wsconnect", "https://shop.example/"),
            "wss://shop.example/v3/wsconnect"
        );
        assert_eq!(
            resolve_ws_url("wss://tsock.us1.twilio.com/v3/wsconnect", "http://x"),
            "wss://tsock.us1.twilio.com/v3/wsconnect"
        );
    }

    #[test]
    fn test_launcher_icons_must_be_safe_urls() {
        assert!(safe_image_url("https://cdn.example/icon.svg"));
        assert!(safe_image_url("/static/icon.png"));
        for bad in [
            "javascript:alert(1)",
            "data:image/svg+xml,<svg onload=alert(1)>",
            "//evil.example/x.png",
            "/\\evil.example/x.png",
            "/\t/evil.example/x.png",
            "https://ok.example\\@evil.example/x.png",
            "http://x/y.png",
        ] {
            assert!(!safe_image_url(bad), "{bad}");
        }
    }

    #[test]
    fn test_prechat_specs() {
        assert_eq!(
            parse_prechat("name!, email ,question!"),
            [
                Field { kind: FieldKind::Name, required: true },
                Field { kind: FieldKind::Email, required: false },
                Field { kind: FieldKind::Question, required: true },
            ]
        );
        assert!(parse_prechat("none").is_empty());
    }

    #[test]
    fn test_custom_fields_are_declared_as_json_and_bad_ones_reported_by_name() {
        let declared = |json: &str| {
            let json = json.to_owned();
            let mut reported = Vec::new();
            let config = WidgetConfig::from_options_reporting(
                move |n| (n == "prechat-fields").then(|| json.clone()),
                |problem| reported.push(problem),
            );
            (config.custom_fields.iter().map(|f| f.id.clone()).collect::<Vec<_>>(), reported)
        };
        let (ids, reported) = declared(
            r#"[{"id":"plan","label":"Plan","type":"select","options":["a"]},
                {"id":"when","label":"When","type":"date"},
                {"id":"terms","label":"Terms","type":"consent","required":true}]"#,
        );
        assert_eq!(ids, ["plan", "terms"]);
        assert_eq!(reported.len(), 1);
        assert!(reported[0].starts_with("pre-chat field \"when\": unknown type"), "{reported:?}");
        let (ids, reported) = declared("plan!");
        assert!(ids.is_empty());
        assert!(reported[0].contains("not JSON"), "{reported:?}");
        assert!(WidgetConfig::from_options(|_| None).custom_fields.is_empty());
    }

    #[test]
    fn test_greeting_options() {
        let set = |pairs: &[(&str, &str)]| {
            let pairs: Vec<(String, String)> =
                pairs.iter().map(|(n, v)| ((*n).to_owned(), (*v).to_owned())).collect();
            WidgetConfig::from_options(move |n| {
                pairs.iter().find(|(name, _)| name == n).map(|(_, v)| v.clone())
            })
            .greeting
        };
        let ms = std::time::Duration::from_millis;
        assert_eq!(set(&[]), None);
        assert_eq!(set(&[("greeting", " Hi! ")]), Some(("Hi!".to_owned(), ms(0))));
        assert_eq!(
            set(&[("greeting", "Hi"), ("greeting-delay", "1500")]),
            Some(("Hi".to_owned(), ms(1500)))
        );
        for typo in ["-5", "soon", "1.5"] {
            assert_eq!(
                set(&[("greeting", "Hi"), ("greeting-delay", typo)]),
                Some(("Hi".to_owned(), ms(0))),
                "{typo}"
            );
        }
        assert_eq!(set(&[("greeting", "   ")]), None);
        assert_eq!(set(&[("greeting", &"x".repeat(GREETING_CHARS + 1))]), None);
        assert!(set(&[("greeting", &"é".repeat(GREETING_CHARS))]).is_some());
        assert_eq!(set(&[("greeting-delay", "100")]), None);
    }

    #[test]
    fn test_ending_rating_and_resume_options() {
        let defaults = WidgetConfig::from_options(|_| None);
        assert_eq!(
            (defaults.end_url.as_str(), defaults.rating_url.as_str()),
            ("/api/end", "/api/rating")
        );
        assert_eq!(defaults.resume_within, DEFAULT_RESUME_WITHIN);
        let set = |name: &str, value: &str| {
            let (name, value) = (name.to_owned(), value.to_owned());
            WidgetConfig::from_options(move |n| (n == name).then(|| value.clone()))
        };
        assert_eq!(set("end-url", "https://x.example/end").end_url, "https://x.example/end");
        assert_eq!(set("rating-url", "/rate").rating_url, "/rate");
        assert_eq!(set("resume-within", "5").resume_within.as_secs(), 300);
        assert_eq!(set("resume-within", "0").resume_within.as_secs(), 0);
        assert_eq!(defaults.availability, Availability::Open);
        assert_eq!(set("availability", "closed").availability, Availability::Closed);
        assert_eq!(set("availability", "shut").availability, Availability::Open);
        assert_eq!(set("availability", "agents").availability, Availability::Agents);
        assert_eq!(defaults.availability_url, "/api/availability");
        assert_eq!(set("availability-url", "/help/agents").availability_url, "/help/agents");
        for unusable in ["-1", "soon", "1.5"] {
            assert_eq!(
                set("resume-within", unusable).resume_within,
                DEFAULT_RESUME_WITHIN,
                "{unusable}"
            );
        }
    }

    #[test]
    fn test_notifications_are_offered_only_when_the_page_asks() {
        let set = |value: &'static str| {
            WidgetConfig::from_options(move |n| (n == "notifications").then(|| value.to_owned()))
                .notifications
        };
        assert!(!WidgetConfig::default().notifications);
        assert!(set("on") && set("true"));
        assert!(!set("off") && !set("false") && !set("yes"));
    }
}
