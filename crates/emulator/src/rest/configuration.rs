//! `/v1/Configuration` (account settings), `/v1/Services/{IS…}/Configuration` (the service's
//! default roles), `/v1/Configuration/Webhooks` and the service-scoped webhook configuration
//! (one service here, so both edit the same settings).

use axum::http::{Method, StatusCode};
use serde_json::json;

use super::{timer, RestRequest, RestResult, TimerKind};
use crate::{
    routing::not_found,
    world::{RoleType, World},
};

pub(super) fn route(world: &mut World, req: &RestRequest, segments: &[&str]) -> RestResult {
    match (&req.method, segments) {
        (method @ (&Method::GET | &Method::POST), ["Configuration"]) if req.prefix != "/v1" => {
            if method == Method::POST {
                service_configuration_update(world, req)?;
            }
            Ok((StatusCode::OK, service_configuration(world, req)))
        }
        (method @ (&Method::GET | &Method::POST), ["Configuration"]) => {
            if method == Method::POST {
                default_timers_update(world, req)?;
            }
            let url = format!("{}{}/Configuration", world.base_url, req.prefix);
            let given = |t: &Option<(String, f64)>| t.as_ref().map(|(given, _)| given.clone());
            Ok((
                StatusCode::OK,
                json!({
                    "account_sid": world.config.credentials.account_sid,
                    "chat_service_sid": world.service_sid(),
                    "default_chat_service_sid": world.service_sid(),
                    "default_messaging_service_sid": null,
                    "default_inactive_timer": given(&world.default_timers.inactive),
                    "default_closed_timer": given(&world.default_timers.closed),
                    "url": url,
                    "links": { "webhooks": format!("{url}/Webhooks") },
                }),
            ))
        }
        (method @ (&Method::GET | &Method::POST), ["Configuration", "Webhooks"]) => {
            if method == Method::POST {
                let form = &req.form;
                let hooks = &mut world.webhooks;
                if let Some(url) = form.optional("PostWebhookUrl") {
                    hooks.post_url = url;
                }
                if let Some(url) = form.optional("PreWebhookUrl") {
                    hooks.pre_url = url;
                }
                if let Some(method) = form.get("Method") {
                    hooks.method = method.to_ascii_uppercase();
                }
                let filters = form.all("Filters");
                if !filters.is_empty() {
                    // The helper libraries send a list as repeated `Filters` parameters.
                    hooks.filters =
                        filters.into_iter().filter(|f| !f.is_empty()).map(str::to_owned).collect();
                }
            }
            let hooks = &world.webhooks;
            Ok((
                StatusCode::OK,
                json!({
                    "account_sid": world.config.credentials.account_sid,
                    "chat_service_sid": world.service_sid(),
                    "method": hooks.method,
                    "filters": hooks.filters,
                    "pre_webhook_url": hooks.pre_url,
                    "post_webhook_url": hooks.post_url,
                    "target": "webhook",
                    "url": format!("{}{}/Configuration/Webhooks", world.base_url, req.prefix),
                }),
            ))
        }
        _ => Err(not_found(format!("/v1/{}", segments.join("/")))),
    }
}

/// The Service Configuration resource
/// (<https://www.twilio.com/docs/conversations/api/service-configuration-resource>).
fn service_configuration(world: &World, req: &RestRequest) -> serde_json::Value {
    let url = format!("{}{}/Configuration", world.base_url, req.prefix);
    json!({
        "chat_service_sid": world.service_sid(),
        "default_conversation_creator_role_sid": world.roles.default_creator,
        "default_conversation_role_sid": world.roles.default_conversation,
        "default_chat_service_role_sid": world.roles.default_service,
        "reachability_enabled": true,
        "url": url,
        "links": {
            "notifications": format!("{url}/Notifications"),
            "webhooks": format!("{url}/Webhooks"),
        },
    })
}

/// Points the defaults at other roles; each must exist and be of the matching type. All are
/// checked before any changes, so a bad one changes nothing.
fn service_configuration_update(
    world: &mut World,
    req: &RestRequest,
) -> Result<(), convo_wire::TwilioError> {
    let form = &req.form;
    let pick = |name: &str, kind: RoleType| {
        form.get(name).filter(|v| !v.is_empty()).map(|sid| world.roles.check(sid, kind)).transpose()
    };
    let creator = pick("DefaultConversationCreatorRoleSid", RoleType::Conversation)?;
    let conversation = pick("DefaultConversationRoleSid", RoleType::Conversation)?;
    let service = pick("DefaultChatServiceRoleSid", RoleType::Service)?;
    let roles = &mut world.roles;
    if let Some(sid) = creator {
        roles.default_creator = sid;
    }
    if let Some(sid) = conversation {
        roles.default_conversation = sid;
    }
    if let Some(sid) = service {
        roles.default_service = sid;
    }
    Ok(())
}

/// `DefaultInactiveTimer` / `DefaultClosedTimer`: the timers every conversation created from now
/// on gets. Twilio documents the same minimums for them as for a conversation's own timers
/// ("Minimum value for this timer is 1 minute" / "… 10 minutes",
/// <https://www.twilio.com/docs/conversations/api/configuration-resource>). No Twilio error page
/// we found names a code of its own for the defaults, so the conversation timers' codes
/// (50375/50376, 50379/50380) refuse them. Both are checked before either changes. Empty clears one.
fn default_timers_update(
    world: &mut World,
    req: &RestRequest,
) -> Result<(), convo_wire::TwilioError> {
    let form = &req.form;
    let inactive = timer(form, "DefaultInactiveTimer", TimerKind::Inactive)?;
    let closed = timer(form, "DefaultClosedTimer", TimerKind::Closed)?;
    let with_text = |name: &str, secs: Option<f64>| {
        secs.map(|secs| (form.get(name).unwrap_or_default().to_owned(), secs))
    };
    if let Some(secs) = inactive {
        world.default_timers.inactive = with_text("DefaultInactiveTimer", secs);
    }
    if let Some(secs) = closed {
        world.default_timers.closed = with_text("DefaultClosedTimer", secs);
    }
    Ok(())
}
