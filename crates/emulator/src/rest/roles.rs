//! `/v1/Roles` and `/v1/Services/{IS…}/Roles`: the service's roles (one service here, so both
//! forms reach the same roles), as the Conversations Role resource documents them
//! (<https://www.twilio.com/docs/conversations/api/role-resource>).

use axum::http::{Method, StatusCode};
use serde_json::{json, Value};

use super::{json::date, Paging, RestRequest, RestResult};
use crate::{
    routing::{bad_request, not_found},
    world::{Role, World},
};

pub(super) fn route(world: &mut World, req: &RestRequest, segments: &[&str]) -> RestResult {
    match (&req.method, segments) {
        (&Method::POST, ["Roles"]) => {
            let form = &req.form;
            let name = form.get("FriendlyName").unwrap_or_default();
            let kind = form.get("Type").ok_or_else(|| bad_request("Type is required"))?;
            // The helper libraries send a list as repeated `Permission` parameters.
            let sid = world.roles.create(name, kind, &form.all("Permission"))?;
            Ok((StatusCode::CREATED, rest_role(world, req, &sid)))
        }
        (&Method::GET, ["Roles"]) => {
            let paging = Paging::from(&req.query)?;
            let items = world.roles.list().into_iter().map(|r| role_json(world, req, r)).collect();
            let path = format!("{}/Roles", req.prefix);
            Ok((StatusCode::OK, paging.render(world, &path, "", "roles", items)))
        }
        (&Method::GET, ["Roles", sid]) => {
            world.roles.get(sid).ok_or_else(|| not_found(format!("Role {sid}")))?;
            Ok((StatusCode::OK, rest_role(world, req, sid)))
        }
        (&Method::POST, ["Roles", sid]) => {
            world.roles.update(sid, &req.form.all("Permission"))?;
            Ok((StatusCode::OK, rest_role(world, req, sid)))
        }
        (&Method::DELETE, ["Roles", sid]) => {
            let in_use = world.role_in_use(sid);
            world.roles.delete(sid, in_use)?;
            Ok((StatusCode::NO_CONTENT, Value::Null))
        }
        _ => Err(not_found(format!("/v1/{}", segments.join("/")))),
    }
}

fn rest_role(world: &World, req: &RestRequest, sid: &str) -> Value {
    world.roles.get(sid).map(|r| role_json(world, req, r)).unwrap_or(Value::Null)
}

fn role_json(world: &World, req: &RestRequest, r: &Role) -> Value {
    json!({
        "sid": r.sid,
        "account_sid": world.config.credentials.account_sid,
        "chat_service_sid": world.service_sid(),
        "friendly_name": r.friendly_name,
        "type": r.kind.as_str(),
        "permissions": r.permissions.iter().map(|p| p.as_str()).collect::<Vec<_>>(),
        "date_created": date(r.date_created),
        "date_updated": date(r.date_updated),
        "url": format!("{}{}/Roles/{}", world.base_url, req.prefix, r.sid),
    })
}
