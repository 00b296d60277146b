//! `/v1/Conversations/{CH}/Participants`.

use axum::http::{Method, StatusCode};
use serde_json::Value;

use super::{Paging, RestRequest, RestResult};
use crate::{
    routing::{bad_request, not_found},
    world::{RoleType, World},
};

pub(super) fn route(
    world: &mut World,
    req: &RestRequest,
    conversation: &str,
    rest: &[&str],
) -> RestResult {
    match (&req.method, rest) {
        (&Method::POST, []) => {
            let form = &req.form;
            let attributes = form.get("Attributes").map(str::to_owned);
            let role = role_sid(world, req)?;
            let participant = match (form.get("Identity"), form.get("MessagingBinding.Address")) {
                (Some(identity), None) if !identity.is_empty() => world
                    .add_chat_participant_with_role(conversation, identity, attributes, role)?,
                (None, Some(address)) if !address.is_empty() => {
                    let proxy = form
                        .get("MessagingBinding.ProxyAddress")
                        .or_else(|| form.get("MessagingBinding.ProjectedAddress"))
                        .filter(|p| !p.is_empty())
                        .ok_or_else(|| bad_request("MessagingBinding.ProxyAddress is required with MessagingBinding.Address"))?;
                    let participant =
                        world.add_binding_participant(conversation, address, proxy, attributes)?;
                    if let Some(role) = role {
                        world.set_participant_role(conversation, &participant, &role)?;
                    }
                    participant
                }
                _ => {
                    return Err(bad_request("Provide either Identity or MessagingBinding.Address"))
                }
            };
            let c = &world.conversations[conversation];
            Ok((
                StatusCode::CREATED,
                world.rest_participant(&req.prefix, c, &c.participants[&participant]),
            ))
        }
        (&Method::GET, []) => {
            let paging = Paging::from(&req.query)?;
            let c = &world.conversations[conversation];
            let items = c
                .participants
                .values()
                .map(|p| world.rest_participant(&req.prefix, c, p))
                .collect();
            let path = format!("{}/Conversations/{conversation}/Participants", req.prefix);
            Ok((StatusCode::OK, paging.render(world, &path, "", "participants", items)))
        }
        (method, [who]) => {
            let participant = world
                .participant_sid(conversation, who)
                .ok_or_else(|| not_found(format!("Participant {who}")))?;
            match *method {
                Method::GET => {}
                Method::POST => {
                    // Checked first, so a bad RoleSid changes nothing.
                    if let Some(role) = role_sid(world, req)? {
                        world.set_participant_role(conversation, &participant, &role)?;
                    }
                    if let Some(attributes) = req.form.get("Attributes") {
                        world.update_participant(
                            conversation,
                            &participant,
                            attributes.to_owned(),
                        )?;
                    }
                    if let Some(index) = req.form.get("LastReadMessageIndex") {
                        let identity = world.conversations[conversation].participants[&participant]
                            .identity
                            .clone();
                        let identity = identity.ok_or_else(|| {
                            bad_request("only chat participants have a read horizon")
                        })?;
                        let index = if index.is_empty() {
                            None
                        } else {
                            Some(index.parse::<u64>().map_err(|_| {
                                bad_request("LastReadMessageIndex must be an integer")
                            })?)
                        };
                        world.set_read_horizon(conversation, &identity, index)?;
                    }
                }
                Method::DELETE => {
                    world.remove_participant(conversation, &participant)?;
                    return Ok((StatusCode::NO_CONTENT, Value::Null));
                }
                _ => return Err(not_found(format!("{method} participant"))),
            }
            let c = &world.conversations[conversation];
            Ok((
                StatusCode::OK,
                world.rest_participant(&req.prefix, c, &c.participants[&participant]),
            ))
        }
        _ => Err(not_found("participant resource")),
    }
}

/// `RoleSid`: a conversation role to give the participant (checked), if given.
fn role_sid(world: &World, req: &RestRequest) -> Result<Option<String>, convo_wire::TwilioError> {
    req.form
        .get("RoleSid")
        .filter(|v| !v.is_empty())
        .map(|sid| world.roles.check(sid, RoleType::Conversation))
        .transpose()
}
