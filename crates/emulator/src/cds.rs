//! Sync (CDS) through twilsock: object and item reads, and `/v4/Subscriptions` with replay.
//! Conversations clients only read Sync; every write goes through the client API.

use convo_wire::TwilioError;
use serde_json::{json, Value};

use crate::{
    routing::{bad_request, forbidden, Request, Response, Result},
    sync::{ItemQuery, Key, Kind},
    world::World,
};

/// How long the client should wait for the subscription notifications before re-asking.
const ESTIMATED_DELIVERY_MS: u64 = 5_000;

/// Routes one Sync request from `connection`.
pub(crate) fn handle(world: &mut World, connection: u64, req: &Request) -> Result {
    let segments: Vec<&str> = req.segments.iter().map(String::as_str).collect();
    match (req.method.as_str(), segments.as_slice()) {
        ("GET", ["v3", kind, id]) => {
            let sid = readable(world, &req.identity, kind_of(kind)?, id)?;
            let object = world.sync.get(&sid).expect("resolved");
            let include_items = req.param("Include").is_some_and(|v| v == "items");
            Ok(Response::ok(world.sync.descriptor(object, include_items)))
        }
        ("GET", ["v3", kind, id, "Items"]) => {
            let kind = kind_of(kind)?;
            let sid = readable(world, &req.identity, kind, id)?;
            let query = ItemQuery::parse(kind, |name| req.param(name)).map_err(bad_request)?;
            let object = world.sync.get(&sid).expect("resolved");
            Ok(Response::ok(world.sync.query(object, &query)))
        }
        ("GET", ["v3", kind, id, "Items", key]) => {
            let kind = kind_of(kind)?;
            let sid = readable(world, &req.identity, kind, id)?;
            let object = world.sync.get(&sid).expect("resolved");
            let key = match kind {
                Kind::List => Key::Index(key.parse().map_err(|_| bad_request("not a list index"))?),
                _ => Key::Name((*key).to_owned()),
            };
            match object.items.get(&key) {
                Some(item) => Ok(Response::ok(world.sync.item_json(object, &key, item))),
                None if kind == Kind::List => {
                    Err(TwilioError::new(404, 54151, "The specified List Item does not exist"))
                }
                None => Err(TwilioError::new(404, 54201, "The specified Map Item does not exist")),
            }
        }
        ("POST", ["v4", "Subscriptions"]) => subscriptions(world, connection, req),
        (_, ["v3", ..]) => {
            Err(forbidden("Conversations Sync objects are read-only; use the Conversations API"))
        }
        _ => Err(crate::routing::not_found(format!("/{}", req.segments.join("/")))),
    }
}

fn kind_of(path: &str) -> Result<Kind, TwilioError> {
    match path {
        "Documents" => Ok(Kind::Document),
        "Lists" => Ok(Kind::List),
        "Maps" => Ok(Kind::Map),
        other => Err(crate::routing::not_found(format!("/v3/{other}"))),
    }
}

/// The SID of object `id` (SID or unique name) if `identity` may read it. A missing object is
/// 404 with Sync's codes; an unreadable one is 403.
fn readable(world: &World, identity: &str, kind: Kind, id: &str) -> Result<String, TwilioError> {
    let Some(sid) = world.sync.resolve(kind, id) else {
        let code = match kind {
            Kind::Document => 54100,
            Kind::List => 54150,
            Kind::Map => 54200,
        };
        return Err(TwilioError::new(
            404,
            code,
            format!("The requested {} {id} was not found", kind.as_str()),
        ));
    };
    if !world.can_read(identity, sid) {
        return Err(forbidden(format!("User {identity} may not read {} {id}", kind.as_str())));
    }
    Ok(sid.to_owned())
}

/// `POST /v4/Subscriptions`: the reply says when to expect delivery; the outcome arrives as
/// notifications on this connection — replayed events first, then one `subscription_*`
/// message per outcome, all carrying the request's `correlation_id` (echoed as the same number).
fn subscriptions(world: &mut World, connection: u64, req: &Request) -> Result {
    let action = req.field("action").and_then(Value::as_str).unwrap_or("establish");
    let correlation_id = req.field("correlation_id").cloned().unwrap_or(Value::Null);
    let requests = match req.field("requests") {
        Some(Value::Array(requests)) => requests.clone(),
        _ => return Err(bad_request("requests must be an array")),
    };
    let (mut established, mut failed, mut canceled) = (Vec::new(), Vec::new(), Vec::new());
    for request in &requests {
        let sid = request["object_sid"].as_str().unwrap_or_default();
        let type_name = request["object_type"].as_str().unwrap_or_default();
        let Some(kind) = Kind::parse(type_name) else {
            let error = json!({ "status": 400, "code": 54007, "message": format!("unsupported object_type {type_name}") });
            failed.push(json!({ "object_sid": sid, "object_type": type_name, "error": error }));
            continue;
        };
        if action == "cancel" {
            world.unsubscribe(connection, sid);
            canceled.push(json!({ "object_sid": sid, "object_type": type_name }));
            continue;
        }
        match readable(world, &req.identity, kind, sid) {
            Err(e) => failed.push(json!({
                "object_sid": sid,
                "object_type": type_name,
                "error": { "status": e.status, "code": e.code, "message": e.message },
            })),
            Ok(sid) => {
                // Replay and subscribe under one lock, so no event falls between them.
                if let Some(since) = request["last_event_id"].as_u64() {
                    for event in world.sync.replay(&sid, since) {
                        let payload = json!({
                            "event_type": event.event_type,
                            "correlation_id": correlation_id,
                            "event_protocol_version": 4,
                            "event": event.body,
                        });
                        world.notify(connection, "twilio.sync.event", &payload);
                    }
                }
                world.subscribe(connection, &sid);
                let last_event_id = world.sync.get(&sid).map(|o| o.last_event_id);
                established.push(json!({
                    "object_sid": sid,
                    "object_type": type_name,
                    "replay_status": "completed",
                    "last_event_id": last_event_id,
                }));
            }
        }
    }
    for (event_type, events) in [
        ("subscription_established", established),
        ("subscription_failed", failed),
        ("subscription_canceled", canceled),
    ] {
        if !events.is_empty() {
            let payload = json!({
                "event_type": event_type,
                "correlation_id": correlation_id,
                "event_protocol_version": 4,
                "events": events,
            });
            world.notify(connection, "twilio.sync.event", &payload);
        }
    }
    Ok(Response::ok(
        json!({ "estimated_delivery_in_ms": ESTIMATED_DELIVERY_MS, "max_batch_size": 100 }),
    ))
}
