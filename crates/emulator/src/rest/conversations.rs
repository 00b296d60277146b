//! `/v1/Conversations` and `/v1/ConversationWithParticipants`.

use axum::http::{Method, StatusCode};
use convo_wire::TwilioError;
use serde_json::Value;

use super::{timer, Paging, RestRequest, RestResult, TimerKind};
use crate::{
    routing::{bad_request, not_found},
    world::{ConversationUpdate, State, World},
};

pub(super) fn route(world: &mut World, req: &RestRequest, segments: &[&str]) -> RestResult {
    match (&req.method, segments) {
        (&Method::POST, ["Conversations"]) => {
            let sid = create(world, req)?;
            Ok((
                StatusCode::CREATED,
                world.rest_conversation(&req.prefix, &world.conversations[&sid]),
            ))
        }
        (&Method::GET, ["Conversations"]) => list(world, req),
        (&Method::POST, ["ConversationWithParticipants"]) => with_participants(world, req),
        (&Method::GET, ["Conversations", id]) => {
            let sid = existing(world, id)?;
            Ok((StatusCode::OK, world.rest_conversation(&req.prefix, &world.conversations[&sid])))
        }
        (&Method::POST, ["Conversations", id]) => {
            let sid = existing(world, id)?;
            world.update_conversation(&sid, update(req)?)?;
            Ok((StatusCode::OK, world.rest_conversation(&req.prefix, &world.conversations[&sid])))
        }
        (&Method::DELETE, ["Conversations", id]) => {
            let sid = existing(world, id)?;
            world.delete_conversation(&sid)?;
            Ok((StatusCode::NO_CONTENT, Value::Null))
        }
        (_, ["Conversations", id, "Participants", rest @ ..]) => {
            let sid = existing(world, id)?;
            super::participants::route(world, req, &sid, rest)
        }
        (_, ["Conversations", id, "Messages", rest @ ..]) => {
            let sid = existing(world, id)?;
            super::messages::route(world, req, &sid, rest)
        }
        _ => Err(not_found(format!("/v1/{}", segments.join("/")))),
    }
}

/// The SID of conversation `id` (SID or unique name).
fn existing(world: &World, id: &str) -> Result<String, TwilioError> {
    world.conversation_id(id).ok_or_else(|| not_found(format!("Conversation {id}")))
}

fn state(req: &RestRequest) -> Result<Option<State>, TwilioError> {
    req.form
        .get("State")
        .map(|s| {
            State::parse(s).ok_or_else(|| {
                bad_request(format!("State must be active, inactive or closed, not {s}"))
            })
        })
        .transpose()
}

fn update(req: &RestRequest) -> Result<ConversationUpdate, TwilioError> {
    Ok(ConversationUpdate {
        friendly_name: req.form.optional("FriendlyName"),
        unique_name: req.form.optional("UniqueName"),
        attributes: req.form.get("Attributes").map(str::to_owned),
        state: state(req)?,
        timer_inactive: timer(&req.form, "Timers.Inactive", TimerKind::Inactive)?,
        timer_closed: timer(&req.form, "Timers.Closed", TimerKind::Closed)?,
    })
}

fn create(world: &mut World, req: &RestRequest) -> Result<String, TwilioError> {
    let form = &req.form;
    // Validate everything before creating anything: a refused request stores nothing.
    let update = update(req)?;
    // Twilio refuses timers on a create that names no State: error 50382, "Timer can't be set
    // without state" (<https://www.twilio.com/docs/api/errors/50382>). An empty timer counts:
    // the parameter is present, and being stricter than Twilio here only fails a local test,
    // where being laxer would fail in production.
    let timers_given = ["Timers.Inactive", "Timers.Closed"].iter().any(|t| form.get(t).is_some());
    if timers_given && form.get("State").is_none() {
        return Err(TwilioError::new(
            400,
            50382,
            "Timer can't be set without state: add State to a create that sets Timers.Inactive \
             or Timers.Closed",
        ));
    }
    let sid = world.create_conversation(
        "system",
        form.get("FriendlyName").map(str::to_owned),
        form.get("UniqueName").filter(|n| !n.is_empty()).map(str::to_owned),
        form.get("Attributes").map(str::to_owned),
    )?;
    if update.state.is_some() || update.timer_inactive.is_some() || update.timer_closed.is_some() {
        let timers_and_state = ConversationUpdate {
            state: update.state,
            timer_inactive: update.timer_inactive,
            timer_closed: update.timer_closed,
            ..ConversationUpdate::default()
        };
        world.update_conversation(&sid, timers_and_state)?;
    }
    Ok(sid)
}

fn list(world: &World, req: &RestRequest) -> RestResult {
    let paging = Paging::from(&req.query)?;
    let filter = req
        .query
        .get("State")
        .map(|s| {
            State::parse(s).ok_or_else(|| {
                bad_request(format!("State must be active, inactive or closed, not {s}"))
            })
        })
        .transpose()?;
    let mut conversations: Vec<_> =
        world.conversations.values().filter(|c| filter.is_none_or(|s| c.state == s)).collect();
    conversations.sort_by(|a, b| (a.date_created, &a.sid).cmp(&(b.date_created, &b.sid)));
    let items =
        conversations.into_iter().map(|c| world.rest_conversation(&req.prefix, c)).collect();
    let extra = filter.map(|s| format!("State={}&", s.as_str())).unwrap_or_default();
    Ok((
        StatusCode::OK,
        paging.render(
            world,
            &format!("{}/Conversations", req.prefix),
            &extra,
            "conversations",
            items,
        ),
    ))
}

/// `POST /v1/ConversationWithParticipants`: a conversation and its participants at once; each
/// `Participant` is a JSON object `{"identity": …}` or `{"messaging_binding": {…}}`.
fn with_participants(world: &mut World, req: &RestRequest) -> RestResult {
    let mut participants = Vec::new();
    for raw in req.form.all("Participant") {
        let value: Value = serde_json::from_str(raw)
            .map_err(|_| bad_request(format!("Participant must be JSON: {raw}")))?;
        participants.push(value);
    }
    let sid = create(world, req)?;
    for p in &participants {
        let attributes =
            p.get("attributes").map(|a| a.as_str().map_or_else(|| a.to_string(), str::to_owned));
        let result = if let Some(identity) = p["identity"].as_str() {
            world.add_chat_participant(&sid, identity, attributes).map(drop)
        } else if let Some(address) = p["messaging_binding"]["address"].as_str() {
            let proxy = p["messaging_binding"]["proxy_address"].as_str().unwrap_or_default();
            world.add_binding_participant(&sid, address, proxy, attributes).map(drop)
        } else {
            Err(bad_request("each Participant needs an identity or a messaging_binding.address"))
        };
        if let Err(e) = result {
            // All or nothing, as the resource promises.
            let _ = world.delete_conversation(&sid);
            world.pending_events.clear();
            return Err(e);
        }
    }
    Ok((StatusCode::CREATED, world.rest_conversation(&req.prefix, &world.conversations[&sid])))
}
