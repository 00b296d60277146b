//! Post-event webhooks. Commands record what happened as domain events; the API layer that ran
//! the command decides whether they fire (SDK actions always do; REST writes only with
//! `X-Twilio-Webhook-Enabled: true`, as Twilio documents). Delivery is a background task:
//! form-encoded, signed with `X-Twilio-Signature`, retried a bounded number of times, never
//! holding the world lock or delaying chat traffic.

use std::time::Duration;

use tokio::sync::mpsc;

use crate::{
    ids::iso,
    world::{Conversation, Message, Participant, World},
};

/// Delivery attempts per webhook (the first try and two retries).
const ATTEMPTS: u32 = 3;
const ATTEMPT_TIMEOUT: Duration = Duration::from_secs(5);

/// The service's webhook settings.
#[derive(Debug, Clone)]
pub(crate) struct WebhookConfig {
    pub(crate) pre_url: Option<String>,
    pub(crate) post_url: Option<String>,
    pub(crate) method: String,
    pub(crate) filters: Vec<String>,
}

impl Default for WebhookConfig {
    fn default() -> Self {
        WebhookConfig {
            pre_url: None,
            post_url: None,
            method: "POST".to_owned(),
            filters: Vec::new(),
        }
    }
}

/// Who caused an event.
#[derive(Debug, Clone)]
pub(crate) enum Source {
    /// An SDK client of this identity.
    Sdk(String),
    /// The REST API (or the service itself, e.g. a timer).
    Api,
}

/// Something that happened, with the event's own fields.
#[derive(Debug, Clone)]
pub(crate) struct DomainEvent {
    pub(crate) event_type: &'static str,
    pub(crate) fields: Vec<(String, String)>,
}

/// One signed request to deliver.
#[derive(Debug)]
pub(crate) struct WebhookJob {
    url: String,
    params: Vec<(String, String)>,
}

impl World {
    /// Records an event for the API layer to fire or drop.
    pub(crate) fn record(&mut self, event_type: &'static str, fields: Vec<(&str, String)>) {
        let fields = fields.into_iter().map(|(k, v)| (k.to_owned(), v)).collect();
        self.pending_events.push(DomainEvent { event_type, fields });
    }

    /// Fires the recorded events as webhooks when `source` is given; drops them otherwise.
    pub(crate) fn flush_webhooks(&mut self, source: Option<&Source>) {
        let events = std::mem::take(&mut self.pending_events);
        let (Some(source), Some(url), Some(queue)) =
            (source, self.webhooks.post_url.clone(), self.webhook_queue.clone())
        else {
            return;
        };
        for event in events {
            if !self.webhooks.filters.iter().any(|f| f == event.event_type) {
                continue;
            }
            let mut params = vec![
                ("EventType".to_owned(), event.event_type.to_owned()),
                ("AccountSid".to_owned(), self.config.credentials.account_sid.clone()),
                ("ChatServiceSid".to_owned(), self.service_sid().to_owned()),
                ("RetryCount".to_owned(), "0".to_owned()),
                ("WebhookType".to_owned(), "webhook".to_owned()),
            ];
            match source {
                Source::Sdk(identity) => {
                    params.push(("Source".to_owned(), "SDK".to_owned()));
                    params.push(("ClientIdentity".to_owned(), identity.clone()));
                }
                Source::Api => params.push(("Source".to_owned(), "API".to_owned())),
            }
            params.extend(event.fields);
            let _ = queue.send(WebhookJob { url: url.clone(), params });
        }
    }
}

/// Starts the delivery task; returns its queue.
pub(crate) fn spawn_delivery(auth_token: String) -> mpsc::UnboundedSender<WebhookJob> {
    let (queue, mut jobs) = mpsc::unbounded_channel::<WebhookJob>();
    tokio::spawn(async move {
        let client =
            reqwest::Client::builder().timeout(ATTEMPT_TIMEOUT).build().unwrap_or_default();
        while let Some(job) = jobs.recv().await {
            // One task per webhook: a slow endpoint must not hold up the next event.
            tokio::spawn(deliver(client.clone(), auth_token.clone(), job));
        }
    });
    queue
}

async fn deliver(client: reqwest::Client, auth_token: String, job: WebhookJob) {
    for attempt in 0..ATTEMPTS {
        let mut params = job.params.clone();
        if let Some(retry) = params.iter_mut().find(|(k, _)| k == "RetryCount") {
            retry.1 = attempt.to_string();
        }
        let signature = convo_wire::webhook::signature(&auth_token, &job.url, &params);
        let body = params
            .iter()
            .map(|(k, v)| format!("{}={}", form_encode(k), form_encode(v)))
            .collect::<Vec<_>>()
            .join("&");
        let result = client
            .post(&job.url)
            .header("Content-Type", "application/x-www-form-urlencoded; charset=utf-8")
            .header("X-Twilio-Signature", signature)
            .header("I-Twilio-Idempotency-Token", uuid::Uuid::new_v4().to_string())
            .body(body)
            .send()
            .await;
        match result {
            Ok(response) if !response.status().is_server_error() => return,
            Ok(response) => {
                tracing::debug!(url = job.url, status = %response.status(), "webhook failed")
            }
            Err(e) => tracing::debug!(url = job.url, "webhook failed: {e}"),
        }
        tokio::time::sleep(Duration::from_secs(1 << attempt)).await;
    }
    tracing::warn!(url = job.url, "webhook dropped after {ATTEMPTS} attempts");
}

fn form_encode(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'*' => {
                out.push(b as char)
            }
            b' ' => out.push('+'),
            _ => out.push_str(&format!("%{b:02X}")),
        }
    }
    out
}

/// The fields every conversation event carries.
pub(crate) fn conversation_fields(c: &Conversation) -> Vec<(&'static str, String)> {
    vec![
        ("ConversationSid", c.sid.clone()),
        ("FriendlyName", c.friendly_name.clone().unwrap_or_default()),
        ("UniqueName", c.unique_name.clone().unwrap_or_default()),
        ("Attributes", c.attributes.clone()),
        ("State", c.state.as_str().to_owned()),
        ("DateCreated", iso(c.date_created)),
        ("DateUpdated", iso(c.date_updated)),
    ]
}

/// The fields every message event carries.
pub(crate) fn message_fields(c: &Conversation, m: &Message) -> Vec<(&'static str, String)> {
    let mut fields = vec![
        ("ConversationSid", c.sid.clone()),
        ("MessageSid", m.sid.clone()),
        ("Index", m.index.to_string()),
        ("Author", m.author.clone()),
        ("Body", m.body.clone().unwrap_or_default()),
        ("Attributes", m.attributes.clone()),
        ("DateCreated", iso(m.date_created)),
        ("DateUpdated", iso(m.date_updated)),
    ];
    if let Some(p) = &m.participant_sid {
        fields.push(("ParticipantSid", p.clone()));
    }
    if !m.media.is_empty() {
        let media: Vec<serde_json::Value> = m
            .media
            .iter()
            .map(|x| serde_json::json!({ "Sid": x.sid, "Filename": x.filename, "ContentType": x.content_type, "Size": x.size, "Category": x.category }))
            .collect();
        fields.push(("Media", serde_json::Value::Array(media).to_string()));
    }
    fields
}

/// The fields every participant event carries.
pub(crate) fn participant_fields(c: &Conversation, p: &Participant) -> Vec<(&'static str, String)> {
    let mut fields = vec![
        ("ConversationSid", c.sid.clone()),
        ("ParticipantSid", p.sid.clone()),
        ("Attributes", p.attributes.clone()),
        ("RoleSid", p.role_sid.clone()),
        ("DateCreated", iso(p.date_created)),
        ("DateUpdated", iso(p.date_updated)),
    ];
    if let Some(identity) = &p.identity {
        fields.push(("Identity", identity.clone()));
    }
    if let Some(binding) = &p.messaging_binding {
        for (field, key) in [
            ("MessagingBinding.Type", "type"),
            ("MessagingBinding.Address", "address"),
            ("MessagingBinding.ProxyAddress", "proxy_address"),
        ] {
            fields.push((field, binding[key].as_str().unwrap_or_default().to_owned()));
        }
    }
    fields
}
