//! `/v1/Users`.

use axum::http::{Method, StatusCode};
use convo_wire::TwilioError;
use serde_json::Value;

use super::{Paging, RestRequest, RestResult};
use crate::{
    routing::{bad_request, not_found},
    world::{RoleType, World},
};

pub(super) fn route(world: &mut World, req: &RestRequest, segments: &[&str]) -> RestResult {
    match (&req.method, segments) {
        (&Method::POST, ["Users"]) => {
            let identity = req
                .form
                .get("Identity")
                .filter(|i| !i.is_empty())
                .ok_or_else(|| bad_request("Identity is required"))?;
            if world.users.contains_key(identity) {
                return Err(TwilioError::new(
                    409,
                    50201,
                    format!("User {identity} already exists"),
                ));
            }
            let (name, attributes) = validated(world, req)?;
            let role = role_sid(world, req)?;
            world.ensure_user(identity);
            world.update_user(identity, name, attributes);
            if let Some(role) = role {
                world.set_user_role(identity, &role)?;
            }
            Ok((StatusCode::CREATED, world.rest_user(&req.prefix, &world.users[identity])))
        }
        (&Method::GET, ["Users"]) => {
            let paging = Paging::from(&req.query)?;
            let mut users: Vec<_> = world.users.values().collect();
            users.sort_by(|a, b| (a.date_created, &a.sid).cmp(&(b.date_created, &b.sid)));
            let items = users.into_iter().map(|u| world.rest_user(&req.prefix, u)).collect();
            Ok((
                StatusCode::OK,
                paging.render(world, &format!("{}/Users", req.prefix), "", "users", items),
            ))
        }
        (method, ["Users", id, "Conversations", rest @ ..]) => {
            let identity = user_identity(world, id)?;
            user_conversations(world, req, method, &identity, rest)
        }
        (method, ["Users", id]) => {
            let identity = world
                .users
                .values()
                .find(|u| u.sid == *id || u.identity == *id)
                .map(|u| u.identity.clone())
                .ok_or_else(|| not_found(format!("User {id}")))?;
            match *method {
                Method::GET => {}
                Method::POST => {
                    let (name, attributes) = validated(world, req)?;
                    if let Some(role) = role_sid(world, req)? {
                        world.set_user_role(&identity, &role)?;
                    }
                    world.update_user(&identity, name, attributes);
                }
                Method::DELETE => {
                    world.users.remove(&identity);
                    return Ok((StatusCode::NO_CONTENT, Value::Null));
                }
                _ => return Err(not_found(format!("{method} user"))),
            }
            Ok((StatusCode::OK, world.rest_user(&req.prefix, &world.users[&identity])))
        }
        _ => Err(not_found(format!("/v1/{}", segments.join("/")))),
    }
}

fn user_identity(world: &World, id: &str) -> Result<String, TwilioError> {
    world
        .users
        .values()
        .find(|u| u.sid == id || u.identity == id)
        .map(|u| u.identity.clone())
        .ok_or_else(|| not_found(format!("User {id}")))
}

/// `/v1/Users/{User}/Conversations[/{Conversation}]`: a user's view of its conversations.
fn user_conversations(
    world: &mut World,
    req: &RestRequest,
    method: &Method,
    identity: &str,
    rest: &[&str],
) -> RestResult {
    let user = &world.users[identity];
    match (method, rest) {
        (&Method::GET, []) => {
            let paging = Paging::from(&req.query)?;
            let mut joined: Vec<_> = world
                .conversations
                .values()
                .filter_map(|c| c.participant_by_identity(identity).map(|p| (c, p)))
                .collect();
            joined.sort_by(|a, b| (a.0.date_created, &a.0.sid).cmp(&(b.0.date_created, &b.0.sid)));
            let items = joined
                .into_iter()
                .map(|(c, p)| world.rest_user_conversation(&req.prefix, user, c, p))
                .collect();
            let path = format!("{}/Users/{}/Conversations", req.prefix, user.sid);
            Ok((StatusCode::OK, paging.render(world, &path, "", "conversations", items)))
        }
        (method, [conversation]) => {
            let sid = world
                .conversation_id(conversation)
                .ok_or_else(|| not_found(format!("Conversation {conversation}")))?;
            let participant = world
                .participant_sid(&sid, identity)
                .ok_or_else(|| not_found(format!("User Conversation {conversation}")))?;
            match *method {
                Method::GET => {}
                Method::POST => {
                    if let Some(level) = req.form.get("NotificationLevel") {
                        world.set_notification_level(&sid, identity, level)?;
                    }
                    if let Some(index) = req.form.get("LastReadMessageIndex") {
                        let index = if index.is_empty() {
                            None
                        } else {
                            Some(index.parse::<u64>().map_err(|_| {
                                bad_request("LastReadMessageIndex must be an integer")
                            })?)
                        };
                        world.set_read_horizon(&sid, identity, index)?;
                    }
                }
                // Leaving: the user is removed from the conversation.
                Method::DELETE => {
                    world.remove_participant(&sid, &participant)?;
                    return Ok((StatusCode::NO_CONTENT, Value::Null));
                }
                _ => return Err(not_found(format!("{method} user conversation"))),
            }
            let (user, c) = (&world.users[identity], &world.conversations[&sid]);
            Ok((
                StatusCode::OK,
                world.rest_user_conversation(&req.prefix, user, c, &c.participants[&participant]),
            ))
        }
        _ => Err(not_found("user conversation resource")),
    }
}

type UserFields = (Option<Option<String>>, Option<String>);

fn validated(world: &World, req: &RestRequest) -> Result<UserFields, TwilioError> {
    let name = req.form.optional("FriendlyName");
    if let Some(Some(name)) = &name {
        world.check_friendly_name(name)?;
    }
    let attributes = req.form.get("Attributes").map(str::to_owned);
    if let Some(attributes) = &attributes {
        World::check_attributes(
            "User",
            attributes,
            world.config.limits.conversation_attributes_bytes,
        )?;
    }
    Ok((name, attributes))
}

/// `RoleSid`: a service role to give the user (checked), if given.
fn role_sid(world: &World, req: &RestRequest) -> Result<Option<String>, TwilioError> {
    req.form
        .get("RoleSid")
        .filter(|v| !v.is_empty())
        .map(|sid| world.roles.check(sid, RoleType::Service))
        .transpose()
}
