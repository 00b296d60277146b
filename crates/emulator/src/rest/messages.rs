//! `/v1/Conversations/{CH}/Messages`.

use axum::http::{Method, StatusCode};
use serde_json::Value;

use super::{Form, Paging, RestRequest, RestResult};
use crate::{
    routing::{bad_request, not_found},
    world::{NewMessage, World},
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
            let index = world.send_message(
                conversation,
                NewMessage {
                    author: form
                        .get("Author")
                        .filter(|a| !a.is_empty())
                        .unwrap_or("system")
                        .to_owned(),
                    body: form.get("Body").map(str::to_owned),
                    subject: form.get("Subject").map(str::to_owned),
                    attributes: form.get("Attributes").map(str::to_owned),
                    media_sids: form.all("MediaSid").into_iter().map(str::to_owned).collect(),
                    date_created: date(form, "DateCreated")?,
                },
            )?;
            let c = &world.conversations[conversation];
            Ok((StatusCode::CREATED, world.rest_message(&req.prefix, c, &c.messages[&index])))
        }
        (&Method::GET, []) => {
            let paging = Paging::from(&req.query)?;
            let descending = match req.query.get("Order") {
                None | Some("asc") => false,
                Some("desc") => true,
                Some(other) => {
                    return Err(bad_request(format!("Order must be asc or desc, not {other}")))
                }
            };
            let c = &world.conversations[conversation];
            let mut items: Vec<Value> =
                c.messages.values().map(|m| world.rest_message(&req.prefix, c, m)).collect();
            if descending {
                items.reverse();
            }
            let path = format!("{}/Conversations/{conversation}/Messages", req.prefix);
            let extra = if descending { "Order=desc&" } else { "" };
            Ok((StatusCode::OK, paging.render(world, &path, extra, "messages", items)))
        }
        (method, [message]) => {
            let index = world
                .message_index(conversation, message)
                .ok_or_else(|| not_found(format!("Message {message}")))?;
            match *method {
                Method::GET => {}
                Method::POST => {
                    let author =
                        req.form.get("Author").filter(|a| !a.is_empty()).map(str::to_owned);
                    let updated_by = author.clone().unwrap_or_else(|| "system".to_owned());
                    world.update_message(
                        conversation,
                        index,
                        req.form.get("Body").map(str::to_owned),
                        req.form.get("Attributes").map(str::to_owned),
                        &updated_by,
                        author,
                    )?;
                }
                Method::DELETE => {
                    world.remove_message(conversation, index)?;
                    return Ok((StatusCode::NO_CONTENT, Value::Null));
                }
                _ => return Err(not_found(format!("{method} message"))),
            }
            let c = &world.conversations[conversation];
            Ok((StatusCode::OK, world.rest_message(&req.prefix, c, &c.messages[&index])))
        }
        _ => Err(not_found("message resource")),
    }
}

/// An ISO 8601 date parameter (Twilio's `DateCreated`), as Unix ms.
fn date(form: &Form, name: &str) -> Result<Option<u64>, convo_wire::TwilioError> {
    match form.get(name).filter(|v| !v.is_empty()) {
        None => Ok(None),
        Some(v) => convo_wire::time::parse_rfc3339(v)
            .map(Some)
            .ok_or_else(|| bad_request(format!("{name} must be an ISO 8601 date-time, not {v}"))),
    }
}
