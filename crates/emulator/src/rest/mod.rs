//! Twilio's Conversations REST API v1 (`/v1/...`), as the helper libraries call it: HTTP Basic
//! auth (account SID + auth token, or API key SID + secret), form-encoded writes, JSON
//! responses with Twilio's field names, paging `meta`, and Twilio error bodies. The default
//! service's short paths and the `/v1/Services/{IS…}/…` paths reach the same handlers.
//!
//! It shares the world with the SDK path: a message created here arrives live in connected
//! clients. Webhooks fire for REST writes only with `X-Twilio-Webhook-Enabled: true`.

mod configuration;
mod conversations;
mod json;
mod messages;
mod participants;
mod roles;
mod users;

use axum::{
    body::Bytes,
    extract::{RawQuery, State},
    http::{HeaderMap, Method, StatusCode, Uri},
    response::{IntoResponse, Response},
    routing::any,
    Json, Router,
};
use base64::{engine::general_purpose::STANDARD, Engine as _};
use convo_wire::TwilioError;
use serde_json::{json, Value};

use crate::{
    routing::{not_found, percent_decode},
    state::AppState,
    webhooks::Source,
    world::World,
};

pub(crate) fn router() -> Router<AppState> {
    Router::new().route("/v1/{*path}", any(handle))
}

/// A decoded REST request.
#[derive(Debug)]
pub(crate) struct RestRequest {
    pub(crate) method: Method,
    /// Path segments after `/v1` (and after `Services/{IS…}` for service-scoped paths).
    pub(crate) segments: Vec<String>,
    /// `/v1` or `/v1/Services/{IS…}`: resource URLs in responses use the form asked for.
    pub(crate) prefix: String,
    pub(crate) query: Form,
    pub(crate) form: Form,
}

/// Form or query parameters, in order, repeated names kept.
#[derive(Debug, Default)]
pub(crate) struct Form(Vec<(String, String)>);

impl Form {
    fn parse(text: &str) -> Form {
        Form(
            text.split('&')
                .filter(|p| !p.is_empty())
                .map(|pair| {
                    let (k, v) = pair.split_once('=').unwrap_or((pair, ""));
                    let decode = |s: &str| {
                        percent_decode(&s.replace('+', " ")).unwrap_or_else(|| s.to_owned())
                    };
                    (decode(k), decode(v))
                })
                .collect(),
        )
    }

    /// The last value of `name`.
    pub(crate) fn get(&self, name: &str) -> Option<&str> {
        self.0.iter().rev().find(|(k, _)| k == name).map(|(_, v)| v.as_str())
    }

    /// Every value of `name`, in order.
    pub(crate) fn all(&self, name: &str) -> Vec<&str> {
        self.0.iter().filter(|(k, _)| k == name).map(|(_, v)| v.as_str()).collect()
    }

    /// A field that can be set or cleared: absent → `None`; empty → `Some(None)`.
    pub(crate) fn optional(&self, name: &str) -> Option<Option<String>> {
        self.get(name).map(|v| (!v.is_empty()).then(|| v.to_owned()))
    }
}

type RestResult = Result<(StatusCode, Value), TwilioError>;

async fn handle(
    State(state): State<AppState>,
    method: Method,
    uri: Uri,
    RawQuery(query): RawQuery,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let outcome = (|| {
        authenticate(&state, &headers)?;
        let request = decode(&state, method, &uri, query.as_deref(), &body)?;
        let webhooks_enabled = headers
            .get("x-twilio-webhook-enabled")
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v.eq_ignore_ascii_case("true"));
        let mut world = state.world();
        let result = dispatch(&mut world, &request);
        world.flush_webhooks(webhooks_enabled.then_some(&Source::Api));
        result
    })();
    match outcome {
        Ok((StatusCode::NO_CONTENT, _)) => StatusCode::NO_CONTENT.into_response(),
        Ok((status, body)) => (status, Json(body)).into_response(),
        Err(error) => {
            let status = StatusCode::from_u16(error.status).unwrap_or(StatusCode::BAD_REQUEST);
            (status, Json(error)).into_response()
        }
    }
}

/// Basic auth with the account SID and auth token, or an API key SID and its secret.
fn authenticate(state: &AppState, headers: &HeaderMap) -> Result<(), TwilioError> {
    let refused =
        || TwilioError::new(401, 20003, "Authentication Error - invalid username or password");
    let header = headers.get("authorization").and_then(|v| v.to_str().ok()).ok_or_else(refused)?;
    let encoded = header.strip_prefix("Basic ").ok_or_else(refused)?;
    let decoded = STANDARD.decode(encoded.trim()).map_err(|_| refused())?;
    let text = String::from_utf8(decoded).map_err(|_| refused())?;
    let (user, password) = text.split_once(':').ok_or_else(refused)?;
    let c = &state.config().credentials;
    let ok = (user == c.account_sid && crate::auth::same_secret(password, &c.auth_token))
        || (user == c.api_key && crate::auth::same_secret(password, &c.api_secret));
    if ok {
        Ok(())
    } else {
        Err(refused())
    }
}

fn decode(
    state: &AppState,
    method: Method,
    uri: &Uri,
    query: Option<&str>,
    body: &[u8],
) -> Result<RestRequest, TwilioError> {
    let mut segments: Vec<String> = uri
        .path()
        .split('/')
        .filter(|s| !s.is_empty())
        .skip(1) // "v1"
        .map(|s| percent_decode(s).unwrap_or_else(|| s.to_owned()))
        .collect();
    let service = &state.config().credentials.chat_service_sid;
    let mut prefix = "/v1".to_owned();
    // `/v1/Services/{IS}/X…` is the service-scoped form of `/v1/X…` (but `/v1/Services`
    // itself, and `/v1/Services/{IS}`, are the Service resource).
    if segments.len() > 2 && segments[0] == "Services" {
        if &segments[1] != service {
            return Err(not_found(uri.path()));
        }
        prefix = format!("/v1/Services/{service}");
        segments.drain(..2);
    }
    let text = std::str::from_utf8(body)
        .map_err(|_| crate::routing::bad_request("the body is not UTF-8"))?;
    Ok(RestRequest {
        method,
        segments,
        prefix,
        query: Form::parse(query.unwrap_or_default()),
        form: Form::parse(text),
    })
}

fn dispatch(world: &mut World, req: &RestRequest) -> RestResult {
    let segments: Vec<&str> = req.segments.iter().map(String::as_str).collect();
    match segments.as_slice() {
        ["Conversations", ..] | ["ConversationWithParticipants"] => {
            conversations::route(world, req, &segments)
        }
        ["Users", ..] => users::route(world, req, &segments),
        ["ParticipantConversations"] if req.method == Method::GET => {
            participant_conversations(world, req)
        }
        ["Configuration", ..] => configuration::route(world, req, &segments),
        ["Roles", ..] => roles::route(world, req, &segments),
        _ => Err(not_found(format!("/v1/{}", req.segments.join("/")))),
    }
}

/// `GET /v1/ParticipantConversations?Identity=…` (or `?Address=…`): the conversations a chat
/// user or a phone number takes part in.
fn participant_conversations(world: &World, req: &RestRequest) -> RestResult {
    let paging = Paging::from(&req.query)?;
    let (identity, address) = (req.query.get("Identity"), req.query.get("Address"));
    if identity.is_none() && address.is_none() {
        return Err(crate::routing::bad_request("Identity or Address is required"));
    }
    let mut found: Vec<_> = world
        .conversations
        .values()
        .flat_map(|c| c.participants.values().map(move |p| (c, p)))
        .filter(|(_, p)| {
            identity.is_some_and(|i| p.identity.as_deref() == Some(i))
                || address.is_some_and(|a| {
                    p.messaging_binding.as_ref().is_some_and(|b| b["address"] == a)
                })
        })
        .collect();
    found.sort_by(|a, b| (a.0.date_created, &a.0.sid).cmp(&(b.0.date_created, &b.0.sid)));
    let items = found
        .into_iter()
        .map(|(c, p)| world.rest_participant_conversation(&req.prefix, c, p))
        .collect();
    let filter = match (identity, address) {
        (Some(i), _) => format!("Identity={}&", convo_wire::url::path_segment(i)),
        (None, Some(a)) => format!("Address={}&", convo_wire::url::path_segment(a)),
        _ => String::new(),
    };
    let path = format!("{}/ParticipantConversations", req.prefix);
    Ok((StatusCode::OK, paging.render(world, &path, &filter, "conversations", items)))
}

/// Paging parameters: `PageSize` (default 50, at most 1000), `Page`, and `PageToken`
/// (ours: `PT<offset>`).
pub(crate) struct Paging {
    pub(crate) page: usize,
    pub(crate) page_size: usize,
}

impl Paging {
    pub(crate) fn from(query: &Form) -> Result<Paging, TwilioError> {
        let bad = |m: &str| crate::routing::bad_request(m.to_owned());
        let page_size = match query.get("PageSize") {
            None => 50,
            Some(v) => v
                .parse::<usize>()
                .ok()
                .filter(|n| (1..=1000).contains(n))
                .ok_or_else(|| bad("PageSize must be between 1 and 1000"))?,
        };
        let page = match query.get("Page") {
            None => 0,
            Some(v) => {
                v.parse::<usize>().map_err(|_| bad("Page must be a non-negative integer"))?
            }
        };
        // Validated here so `render` can multiply freely: no page starts past usize::MAX.
        let start = page.checked_mul(page_size).ok_or_else(|| bad("Page is out of range"))?;
        if let Some(token) = query.get("PageToken").filter(|t| !t.is_empty()) {
            let offset = token
                .strip_prefix("PT")
                .and_then(|o| o.parse::<usize>().ok())
                .ok_or_else(|| bad("invalid PageToken"))?;
            if offset != start {
                return Err(bad("PageToken does not match Page and PageSize"));
            }
        }
        Ok(Paging { page, page_size })
    }

    /// One page of `items` with Twilio's `meta`, under the list key `key`.
    pub(crate) fn render(
        &self,
        world: &World,
        path: &str,
        extra_query: &str,
        key: &str,
        items: Vec<Value>,
    ) -> Value {
        let start = self.page * self.page_size;
        let total = items.len();
        let page: Vec<Value> = items.into_iter().skip(start).take(self.page_size).collect();
        let url = |page: usize| {
            let token = if page == 0 {
                String::new()
            } else {
                format!("&PageToken=PT{}", page * self.page_size)
            };
            format!(
                "{}{path}?{extra_query}PageSize={}&Page={page}{token}",
                world.base_url, self.page_size
            )
        };
        json!({
            key: page,
            "meta": {
                "page": self.page,
                "page_size": self.page_size,
                "first_page_url": url(0),
                "previous_page_url": (self.page > 0).then(|| url(self.page - 1)),
                "url": url(self.page),
                "next_page_url": (start.saturating_add(self.page_size) < total)
                    .then(|| url(self.page + 1)),
                "key": key,
            }
        })
    }
}

/// A conversation timer: the two differ in Twilio's minimum and in the error codes that refuse
/// them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum TimerKind {
    Inactive,
    Closed,
}

impl TimerKind {
    /// Twilio's documented minimums: "Minimum value for this timer is 1 minute" (`inactive`) and
    /// "… is 10 minutes" (`closed`), the same words on the Conversation resource's
    /// `Timers.Inactive` / `Timers.Closed`, on ConversationWithParticipants, and on the
    /// Configuration resource's `DefaultInactiveTimer` / `DefaultClosedTimer`
    /// (<https://www.twilio.com/docs/conversations/api/configuration-resource>).
    pub(crate) const fn min_secs(self) -> f64 {
        match self {
            TimerKind::Inactive => 60.0,
            TimerKind::Closed => 600.0,
        }
    }

    /// Refused for being below the minimum: 50375 / 50376
    /// (<https://www.twilio.com/docs/api/errors/50375>, <https://www.twilio.com/docs/api/errors/50376>).
    fn too_short(self, name: &str, value: &str) -> TwilioError {
        let (code, title) = match self {
            TimerKind::Inactive => (50375, "TimeToInactive should be greater or equal to 1 minute"),
            TimerKind::Closed => (50376, "TimeToClosed should be greater or equal to 10 minutes"),
        };
        TwilioError::new(400, code, format!("{title} ({name} is {value})"))
    }

    /// Refused for not being an ISO 8601 duration: 50379 / 50380
    /// (<https://www.twilio.com/docs/api/errors/50379>, <https://www.twilio.com/docs/api/errors/50380>).
    fn malformed(self, name: &str, value: &str) -> TwilioError {
        let (code, title) = match self {
            TimerKind::Inactive => (50379, "TimeToInactive format is invalid"),
            TimerKind::Closed => (50380, "TimeToClosed format is invalid"),
        };
        TwilioError::new(
            400,
            code,
            format!(
                "{title}: {name} must be an ISO 8601 duration such as PT10M or P1D, not {value}"
            ),
        )
    }
}

/// Parses a timer parameter (`Timers.Inactive`, `DefaultClosedTimer`, …): an ISO 8601 duration
/// of at least Twilio's minimum, or empty to clear. Absent → `None`; empty → `Some(None)`.
///
/// `PT0S` is a well-formed duration (Twilio's 50379/50380 pages give it as an example of the
/// format) and no Twilio page says zero disables a timer (the empty value clears one), so it is
/// refused like any other duration under the minimum.
pub(crate) fn timer(
    form: &Form,
    name: &str,
    kind: TimerKind,
) -> Result<Option<Option<f64>>, TwilioError> {
    match form.get(name) {
        None => Ok(None),
        Some("") => Ok(Some(None)),
        Some(v) => match convo_wire::time::parse_iso8601_duration(v) {
            Some(secs) if secs >= kind.min_secs() => Ok(Some(Some(secs))),
            Some(_) => Err(kind.too_short(name, v)),
            None => Err(kind.malformed(name, v)),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(name: &str, value: &str, kind: TimerKind) -> Result<Option<Option<f64>>, u32> {
        let form = Form::parse(&format!("{name}={value}"));
        timer(&form, name, kind).map_err(|e| {
            assert_eq!(e.status, 400, "{e:?}");
            e.code
        })
    }

    #[test]
    fn test_timers_are_refused_below_twilios_minimums_with_its_codes() {
        use TimerKind::{Closed, Inactive};
        assert_eq!(parse("Timers.Inactive", "PT1M", Inactive), Ok(Some(Some(60.0))));
        assert_eq!(parse("Timers.Inactive", "PT60S", Inactive), Ok(Some(Some(60.0))));
        assert_eq!(parse("Timers.Inactive", "PT59.9S", Inactive), Err(50375));
        assert_eq!(parse("Timers.Inactive", "PT30S", Inactive), Err(50375));
        assert_eq!(parse("Timers.Inactive", "PT0S", Inactive), Err(50375));
        assert_eq!(parse("Timers.Closed", "PT10M", Closed), Ok(Some(Some(600.0))));
        assert_eq!(parse("Timers.Closed", "P1D", Closed), Ok(Some(Some(86_400.0))));
        assert_eq!(parse("Timers.Closed", "PT9M59S", Closed), Err(50376));
        assert_eq!(parse("Timers.Closed", "PT5M", Closed), Err(50376));
        assert_eq!(parse("Timers.Closed", "PT0S", Closed), Err(50376));
        for bad in ["soon", "10M", "PT", "P1Y", "-PT10M"] {
            assert_eq!(parse("Timers.Inactive", bad, Inactive), Err(50379), "{bad}");
            assert_eq!(parse("DefaultClosedTimer", bad, Closed), Err(50380), "{bad}");
        }
        // Empty clears; absent leaves alone.
        assert_eq!(parse("Timers.Closed", "", Closed), Ok(Some(None)));
        assert_eq!(timer(&Form::default(), "Timers.Closed", Closed).unwrap(), None);
    }
}
