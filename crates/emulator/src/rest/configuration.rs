//! `/v1/Configuration`, `/v1/Configuration/Webhooks` and the service-scoped webhook
//! configuration (one service here, so both edit the same settings).

use axum::http::{Method, StatusCode};
use serde_json::json;

use super::{RestRequest, RestResult};
use crate::{routing::not_found, world::World};

pub(super) fn route(world: &mut World, req: &RestRequest, segments: &[&str]) -> RestResult {
    match (&req.method, segments) {
        (&Method::GET | &Method::POST, ["Configuration"]) => {
            let url = format!("{}{}/Configuration", world.base_url, req.prefix);
            Ok((
                StatusCode::OK,
                json!({
                    "account_sid": world.config.credentials.account_sid,
                    "chat_service_sid": world.service_sid(),
                    "default_chat_service_sid": world.service_sid(),
                    "default_messaging_service_sid": null,
                    "default_inactive_timer": null,
                    "default_closed_timer": null,
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
