//! The Conversations client API ("aim"), reached through twilsock `message` frames.
//!
//! Authorization lives here: a user reads only conversations it participates in, and every
//! command is checked against the caller's roles (`world/roles.rs`): its service role, and its
//! participant role in the conversation. Refusals are Twilio error bodies.

use convo_wire::TwilioError;
use serde_json::{json, Value};

use crate::{
    routing::{bad_request, forbidden, not_found, Request, Response, Result},
    world::{ConversationUpdate, NewMessage, Permission, State, World},
};

/// Routes one client API request. A command carrying a mutation id that was already applied
/// gets the first outcome again, so a client retrying after a lost reply applies nothing twice.
pub(crate) fn handle(world: &mut World, req: &Request) -> Result {
    let mutation = req.mutation_id.as_deref().filter(|_| req.method != "GET");
    if let Some(id) = mutation {
        world.check_mutation_id(id)?;
        if let Some((status, body)) = world.applied_mutation(&req.identity, id) {
            return Ok(Response { status, body });
        }
    }
    if req.method == "POST" && creates_conversation(world, req) {
        world.check_conversation_quota(&req.identity)?;
    }
    let outcome = route(world, req);
    if let (Some(id), Ok(response)) = (mutation, &outcome) {
        world.record_mutation(&req.identity, id, (response.status, response.body.clone()));
    }
    outcome
}

/// `POST /Client/v2/Services/{IS…}/Conversations`: the SDK's `createConversation`.
fn creates_conversation(world: &World, req: &Request) -> bool {
    matches!(req.segments.as_slice(),
        [client, v2, services, service, conversations]
            if client == "Client" && v2 == "v2" && services == "Services"
                && service == world.service_sid() && conversations == "Conversations")
}

fn route(world: &mut World, req: &Request) -> Result {
    let segments: Vec<&str> = req.segments.iter().map(String::as_str).collect();
    let method = req.method.as_str();
    match segments.as_slice() {
        ["Client", "v2", "Configuration"] if method == "GET" => {
            world.ensure_user(&req.identity);
            Ok(Response::ok(world.configuration(&req.identity)))
        }
        ["Client", "v2", "Services", service, rest @ ..] if *service == world.service_sid() => {
            service_route(world, req, rest)
        }
        _ => Err(not_found(format!("/{}", req.segments.join("/")))),
    }
}

fn service_route(world: &mut World, req: &Request, rest: &[&str]) -> Result {
    let me = req.identity.as_str();
    match (req.method.as_str(), rest) {
        ("GET", ["Users", "Me", "Conversations"]) => Ok(Response::ok(my_conversations(world, me))),
        ("GET", ["Users", "Me", "Conversations", id]) => {
            let sid = participating(world, me, id)?;
            let c = &world.conversations[&sid];
            let p = c.participant_by_identity(me).expect("participating");
            Ok(Response::ok(world.user_conversation_json(c, p, me)))
        }
        ("POST", ["Users", "Me", "Conversations", id]) => {
            let sid = participating(world, me, id)?;
            if let Some(level) = req.field("notification_level") {
                world.require(me, Some(&sid), Permission::EditNotificationLevel)?;
                world.set_notification_level(&sid, me, level.as_str().unwrap_or_default())?;
            }
            if let Some(index) = req.body.get("last_read_message_index") {
                let index = match index {
                    Value::Null => None,
                    v => Some(v.as_u64().ok_or_else(|| {
                        bad_request("last_read_message_index must be a non-negative integer")
                    })?),
                };
                world.set_read_horizon(&sid, me, index)?;
            }
            let c = &world.conversations[&sid];
            let p = c.participant_by_identity(me).expect("participating");
            Ok(Response::ok(world.user_conversation_json(c, p, me)))
        }
        ("GET", ["Users", identity]) => {
            // A read never creates: unknown identities would otherwise each cost a user and
            // two Sync maps, for as long as the emulator runs.
            let user = world.users.get(*identity).ok_or_else(|| not_found(identity))?;
            Ok(Response::ok(json!({
                "identity": user.identity,
                "sid": user.sid,
                "friendly_name": user.friendly_name,
                "attributes": user.attributes,
                "is_online": user.online,
                "date_created": crate::ids::iso(user.date_created),
                "date_updated": crate::ids::iso(user.date_updated),
                "sync_objects": { "user_info_map": user.user_info },
            })))
        }
        ("POST", ["Users", identity]) => {
            if *identity != me {
                if !world.permitted(me, None, Permission::EditAnyUserInfo) {
                    return Err(forbidden("A user can only update itself"));
                }
            } else {
                world.require(me, None, Permission::EditOwnUserInfo)?;
            }
            let friendly_name = match req.body.get("friendly_name") {
                None => None,
                Some(Value::Null) => Some(None),
                Some(v) => {
                    let name = v
                        .as_str()
                        .ok_or_else(|| bad_request("friendly_name must be a string"))?
                        .to_owned();
                    world.check_friendly_name(&name)?;
                    Some(Some(name))
                }
            };
            let attributes = attributes_field(req, "attributes")?;
            if let Some(attributes) = &attributes {
                World::check_attributes(
                    "User",
                    attributes,
                    world.config.limits.conversation_attributes_bytes,
                )?;
            }
            world.update_user(identity, friendly_name, attributes);
            Ok(Response::ok(json!({ "identity": identity })))
        }
        ("POST", ["Typing"]) => {
            let channel = req
                .field("ChannelSid")
                .and_then(Value::as_str)
                .ok_or_else(|| bad_request("ChannelSid is required"))?;
            let sid = participating(world, me, channel)?;
            let timeout = world.typing(&sid, me)?;
            Ok(Response::ok(json!({ "typing_timeout": timeout })))
        }
        ("POST", ["Conversations"]) => {
            world.require(me, None, Permission::CreateConversation)?;
            let friendly_name = string_field(req, "friendly_name")?;
            let unique_name = string_field(req, "unique_name")?.filter(|n| !n.is_empty());
            let attributes = attributes_field(req, "attributes")?;
            let sid = world.create_conversation(me, friendly_name, unique_name, attributes)?;
            Ok(Response::created(world.conversation_json(&world.conversations[&sid])))
        }
        ("GET", ["Conversations", id]) => {
            let sid = participating(world, me, id)?;
            Ok(Response::ok(world.conversation_json(&world.conversations[&sid])))
        }
        ("POST", ["Conversations", id]) => {
            let sid = participating(world, me, id)?;
            if req.body.get("friendly_name").is_some() || req.body.get("unique_name").is_some() {
                world.require(me, Some(&sid), Permission::EditConversationName)?;
            }
            // Twilio names no permission of its own for the state (or timers): closing a
            // conversation is a change to it as a whole, like its attributes.
            if ["attributes", "state", "timers"].iter().any(|f| req.body.get(*f).is_some()) {
                world.require(me, Some(&sid), Permission::EditConversationAttributes)?;
            }
            let update =
                ConversationUpdate {
                    friendly_name: optional_string(req, "friendly_name")?,
                    unique_name: optional_string(req, "unique_name")?
                        .map(|n| n.filter(|n| !n.is_empty())),
                    attributes: attributes_field(req, "attributes")?,
                    state: match string_field(req, "state")? {
                        None => None,
                        Some(s) => Some(State::parse(&s).ok_or_else(|| {
                            bad_request("state must be active, inactive or closed")
                        })?),
                    },
                    ..ConversationUpdate::default()
                };
            world.update_conversation(&sid, update)?;
            Ok(Response::ok(world.conversation_json(&world.conversations[&sid])))
        }
        ("DELETE", ["Conversations", id]) => {
            let sid = participating(world, me, id)?;
            world.require(me, Some(&sid), Permission::DeleteConversation)?;
            world.delete_conversation(&sid)?;
            Ok(Response { status: 204, body: json!({}) })
        }
        ("POST", ["Conversations", id, "Participants"]) => {
            let sid = world.conversation_id(id).ok_or_else(|| not_found(id))?;
            let attributes = attributes_field(req, "attributes")?;
            let participant = if let Some(binding) = req.field("messaging_binding") {
                require_participant(world, me, &sid)?;
                world.require(me, Some(&sid), Permission::AddNonChatParticipant)?;
                let address = binding["address"]
                    .as_str()
                    .ok_or_else(|| bad_request("messaging_binding.address is required"))?;
                let proxy = binding["proxy_address"].as_str().unwrap_or_default();
                world.add_binding_participant(&sid, address, proxy, attributes)?
            } else {
                let identity = string_field(req, "identity")?
                    .ok_or_else(|| bad_request("identity is required"))?;
                if identity == me {
                    require_join(world, me, &sid)?;
                } else {
                    require_participant(world, me, &sid)?;
                    world.require(me, Some(&sid), Permission::AddParticipant)?;
                }
                world.add_chat_participant(&sid, &identity, attributes)?
            };
            let c = &world.conversations[&sid];
            Ok(Response::created(world.participant_json(c, &c.participants[&participant])))
        }
        ("POST", ["Conversations", id, "Participants", who]) => {
            let sid = participating(world, me, id)?;
            let participant = world.participant_sid(&sid, who).ok_or_else(|| not_found(who))?;
            let own = world.conversations[&sid].participants[&participant].identity.as_deref()
                == Some(me);
            if own {
                world.require(me, Some(&sid), Permission::EditOwnParticipantAttributes)?;
            } else if !world.permitted(me, Some(&sid), Permission::EditAnyParticipantAttributes) {
                return Err(forbidden("A user can only update its own participant"));
            }
            let attributes = attributes_field(req, "attributes")?
                .ok_or_else(|| bad_request("attributes is required"))?;
            world.update_participant(&sid, &participant, attributes)?;
            let c = &world.conversations[&sid];
            Ok(Response::ok(world.participant_json(c, &c.participants[&participant])))
        }
        ("DELETE", ["Conversations", id, "Participants", who]) => {
            let sid = participating(world, me, id)?;
            let participant = world.participant_sid(&sid, who).ok_or_else(|| not_found(who))?;
            let own = world.conversations[&sid].participants[&participant].identity.as_deref()
                == Some(me);
            let needed =
                if own { Permission::LeaveConversation } else { Permission::RemoveParticipant };
            world.require(me, Some(&sid), needed)?;
            world.remove_participant(&sid, &participant)?;
            Ok(Response { status: 204, body: json!({}) })
        }
        ("POST", ["Conversations", id, "Messages"]) => {
            let sid = participating(world, me, id)?;
            let media_sids = match req.field("media_sids") {
                None => Vec::new(),
                Some(Value::Array(items)) => items
                    .iter()
                    .map(|v| {
                        v.as_str()
                            .map(str::to_owned)
                            .ok_or_else(|| bad_request("media_sids must be strings"))
                    })
                    .collect::<Result<_, _>>()?,
                Some(_) => return Err(bad_request("media_sids must be an array")),
            };
            let needed = if media_sids.is_empty() {
                Permission::SendMessage
            } else {
                Permission::SendMediaMessage
            };
            world.require(me, Some(&sid), needed)?;
            for media_sid in &media_sids {
                if world.media.get(media_sid).is_some_and(|m| m.author != me) {
                    return Err(bad_request(format!("Media {media_sid} was not uploaded by {me}")));
                }
            }
            let index = world.send_message(
                &sid,
                NewMessage {
                    author: me.to_owned(),
                    body: string_field(req, "body")?,
                    subject: string_field(req, "subject")?,
                    attributes: attributes_field(req, "attributes")?,
                    media_sids,
                    date_created: None,
                },
            )?;
            let c = &world.conversations[&sid];
            Ok(Response::created(world.message_json(c, &c.messages[&index])))
        }
        ("POST", ["Conversations", id, "Messages", message]) => {
            let (sid, index) = own_message(world, me, id, message)?;
            let own = world.conversations[&sid].messages[&index].author == me;
            let body_edit = req.body.get("body").is_some();
            let attributes_edit = req.body.get("attributes").is_some();
            for (wanted, if_own, if_any) in [
                (
                    body_edit || !attributes_edit,
                    Permission::EditOwnMessage,
                    Permission::EditAnyMessage,
                ),
                (
                    attributes_edit,
                    Permission::EditOwnMessageAttributes,
                    Permission::EditAnyMessageAttributes,
                ),
            ] {
                if wanted {
                    world.require(me, Some(&sid), if own { if_own } else { if_any })?;
                }
            }
            world.update_message(
                &sid,
                index,
                string_field(req, "body")?,
                attributes_field(req, "attributes")?,
                me,
                None,
            )?;
            let c = &world.conversations[&sid];
            Ok(Response::ok(world.message_json(c, &c.messages[&index])))
        }
        ("DELETE", ["Conversations", id, "Messages", message]) => {
            let (sid, index) = own_message(world, me, id, message)?;
            let own = world.conversations[&sid].messages[&index].author == me;
            let needed =
                if own { Permission::DeleteOwnMessage } else { Permission::DeleteAnyMessage };
            world.require(me, Some(&sid), needed)?;
            world.remove_message(&sid, index)?;
            Ok(Response { status: 204, body: json!({}) })
        }
        ("GET", ["Conversations", id, "Messages", _, "Receipts"]) => {
            participating(world, me, id)?;
            // Chat participants produce no delivery receipts (Twilio documents "delivered").
            Ok(Response::ok(
                json!({ "delivery_receipts": [], "meta": { "previous_token": null, "next_token": null } }),
            ))
        }
        ("GET", ["Conversations", id, "Messages", _, "ChannelMetadata"]) => {
            participating(world, me, id)?;
            // The SDK reads this 404 body as "no metadata" (state.md §6).
            Err(TwilioError::new(404, 50530, "Channel metadata not found"))
        }
        _ => Err(not_found(format!("/{}", req.segments.join("/")))),
    }
}

fn my_conversations(world: &World, me: &str) -> Value {
    let mut entries: Vec<(u64, Value)> = world
        .conversations
        .values()
        .filter_map(|c| {
            c.participant_by_identity(me)
                .map(|p| (c.date_created, world.user_conversation_json(c, p, me)))
        })
        .collect();
    entries.sort_by_key(|(created, _)| *created);
    let conversations: Vec<Value> = entries.into_iter().map(|(_, v)| v).collect();
    json!({ "conversations": conversations, "meta": { "next_token": null, "previous_token": null } })
}

/// The conversation SID for `id` (SID or unique name) if `me` participates in it.
fn participating(world: &World, me: &str, id: &str) -> Result<String, TwilioError> {
    let sid = world.conversation_id(id).ok_or_else(|| not_found(id))?;
    require_participant(world, me, &sid)?;
    Ok(sid)
}

fn require_participant(world: &World, me: &str, sid: &str) -> Result<(), TwilioError> {
    if world.conversations.get(sid).is_some_and(|c| c.is_participant(me)) {
        Ok(())
    } else {
        Err(forbidden(format!("User {me} is not a participant of conversation {sid}")))
    }
}

/// Joining oneself needs `joinConversation` and a conversation the user can see: one it
/// created (the SDK creates, then joins), or any when its roles may add participants anyway.
/// Conversations are private, so a token holder who learnt a SID cannot walk in (F1).
fn require_join(world: &World, me: &str, sid: &str) -> Result<(), TwilioError> {
    world.require(me, Some(sid), Permission::JoinConversation)?;
    let created = world.conversations.get(sid).is_some_and(|c| c.created_by == me);
    if created || world.permitted(me, Some(sid), Permission::AddParticipant) {
        Ok(())
    } else {
        require_participant(world, me, sid)
    }
}

/// A message `me` may change: its own, or anyone's when its roles allow (checked by the caller
/// per field). A user without the "any" permissions gets the plain refusal it always got.
fn own_message(
    world: &World,
    me: &str,
    id: &str,
    message: &str,
) -> Result<(String, u64), TwilioError> {
    let sid = participating(world, me, id)?;
    let index = world.message_index(&sid, message).ok_or_else(|| not_found(message))?;
    let any = [
        Permission::EditAnyMessage,
        Permission::EditAnyMessageAttributes,
        Permission::DeleteAnyMessage,
    ];
    if world.conversations[&sid].messages[&index].author != me
        && !any.iter().any(|p| world.permitted(me, Some(&sid), *p))
    {
        return Err(forbidden("A user can only change its own messages"));
    }
    Ok((sid, index))
}

/// A string field; absent and null are `None`.
fn string_field(req: &Request, name: &str) -> Result<Option<String>, TwilioError> {
    match req.body.get(name) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) => Ok(Some(s.clone())),
        Some(_) => Err(bad_request(format!("{name} must be a string"))),
    }
}

/// A field that can be set or cleared: absent → `None`, null → `Some(None)`.
fn optional_string(req: &Request, name: &str) -> Result<Option<Option<String>>, TwilioError> {
    match req.body.get(name) {
        None => Ok(None),
        Some(Value::Null) => Ok(Some(None)),
        Some(Value::String(s)) => Ok(Some(Some(s.clone()))),
        Some(_) => Err(bad_request(format!("{name} must be a string"))),
    }
}

/// Attributes arrive as a JSON string (the SDK) or, from other clients, as a JSON value.
fn attributes_field(req: &Request, name: &str) -> Result<Option<String>, TwilioError> {
    match req.body.get(name) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) => Ok(Some(s.clone())),
        Some(other) => Ok(Some(other.to_string())),
    }
}
