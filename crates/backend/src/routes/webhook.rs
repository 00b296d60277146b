//! `POST /api/webhook`: Twilio's post-event webhooks, verified by `X-Twilio-Signature`. The
//! demo bot answers a conversation's first message.

use std::sync::Arc;

use axum::{body::Bytes, extract::State, http::HeaderMap, http::StatusCode};

use crate::{state::AppState, BackendError};

pub(crate) async fn receive(
    State(state): State<Arc<AppState>>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<StatusCode, BackendError> {
    let text = std::str::from_utf8(&body)
        .map_err(|_| BackendError::BadRequest("the body is not UTF-8".to_owned()))?;
    let params = parse_form(text);
    let signature =
        headers.get("x-twilio-signature").and_then(|v| v.to_str().ok()).unwrap_or_default();
    if !convo_wire::webhook::verify(
        &state.config.credentials.auth_token,
        &state.webhook_url,
        &params,
        signature,
    ) {
        return Err(BackendError::Forbidden("X-Twilio-Signature does not match".to_owned()));
    }
    let get = |name: &str| params.iter().find(|(k, _)| k == name).map(|(_, v)| v.as_str());
    let bot = &state.config.bot;
    if bot.enabled
        && get("EventType") == Some("onMessageAdded")
        && get("Index") == Some("0")
        && get("Author") != Some(&bot.identity)
        // A message left while support was closed is answered by email, not greeted.
        && get("Attributes") != Some(super::session::OFFLINE_MESSAGE)
    {
        if let Some(conversation) = get("ConversationSid").map(str::to_owned) {
            let first_time = state
                .greeted
                .lock()
                .unwrap_or_else(|p| p.into_inner())
                .insert(conversation.clone());
            if first_time {
                // Answer after acknowledging: Twilio waits for our response, the visitor does not.
                let state = state.clone();
                tokio::spawn(async move {
                    let bot = &state.config.bot;
                    // `{"bot":true}` styles the message, but any author can write it; the
                    // `staff` map, written only here through REST, says who the bot is (F11).
                    if let Err(e) =
                        state.twilio.record_staff(&conversation, &bot.identity, "bot").await
                    {
                        tracing::warn!("recording the bot in {conversation} failed: {e}");
                    }
                    let attributes = r#"{"bot":true}"#;
                    if let Err(e) = state
                        .twilio
                        .send_message(
                            &conversation,
                            &bot.identity,
                            &bot.greeting,
                            attributes,
                            false,
                        )
                        .await
                    {
                        tracing::warn!("bot reply to {conversation} failed: {e}");
                    }
                });
            }
        }
    }
    Ok(StatusCode::OK)
}

fn parse_form(text: &str) -> Vec<(String, String)> {
    text.split('&')
        .filter(|p| !p.is_empty())
        .map(|pair| {
            let (k, v) = pair.split_once('=').unwrap_or((pair, ""));
            (decode(k), decode(v))
        })
        .collect()
}

fn decode(s: &str) -> String {
    let bytes = s.replace('+', " ").into_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let hex = (bytes[i] == b'%')
            .then(|| bytes.get(i + 1..i + 3))
            .flatten()
            .and_then(|h| std::str::from_utf8(h).ok())
            .and_then(|h| u8::from_str_radix(h, 16).ok());
        match hex {
            Some(byte) => {
                out.push(byte);
                i += 3;
            }
            None => {
                out.push(bytes[i]);
                i += 1;
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}
