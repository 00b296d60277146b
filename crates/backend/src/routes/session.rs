//! `POST /api/session`: starts a visitor's conversation, or resumes theirs.
//!
//! With a valid `session` handle whose conversation is still open, the same conversation is
//! resumed. When that conversation has closed, a new one starts only if the request says
//! `new_conversation: true` — never silently. Host-supplied identities must carry the host's
//! HMAC signature; such a verified user with no handle (a second device, a cleared browser)
//! resumes their newest open conversation, found through `ParticipantConversations`, instead
//! of starting another.

use std::sync::Arc;

use axum::{extract::State, Json};
use serde::{de::DeserializeOwned, Deserialize};
use serde_json::{json, Map, Value};

use super::token::{grant, open_session, Grant};
use crate::{
    session::{identity_signature_valid, Session},
    state::AppState,
    BackendError,
};

const MAX_NAME_CHARS: usize = 256;
const MAX_QUESTION_BYTES: usize = 32 * 1024;
const MAX_ATTRIBUTES_BYTES: usize = 4 * 1024;
/// Twilio's limit for a conversation's attributes.
const MAX_CONVERSATION_ATTRIBUTES_BYTES: usize = 16 * 1024;
/// A page address: what browsers and CDNs reliably handle; the widget cuts longer ones.
const MAX_PAGE_URL_CHARS: usize = 2048;
/// A page title, as long as a friendly name; the widget cuts longer ones.
const MAX_PAGE_TITLE_CHARS: usize = 256;
/// How much of the question the conversation's attributes keep for agents' lists (the whole
/// question, up to 32 KB, is the first message): everything the session stores there stays
/// under Twilio's 16 KB for a conversation's attributes.
const QUESTION_EXCERPT_CHARS: usize = 1000;

/// The attributes of a message left while support was closed (its conversation's first).
pub(crate) const OFFLINE_MESSAGE: &str = r#"{"offline":true}"#;

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct SessionRequest {
    name: Option<String>,
    email: Option<String>,
    question: Option<String>,
    locale: Option<String>,
    attributes: Option<Map<String, Value>>,
    identity: Option<String>,
    identity_signature: Option<String>,
    session: Option<String>,
    /// The address of the page the visitor is on (`http:` or `https:`).
    page_url: Option<String>,
    /// That page's title.
    page_title: Option<String>,
    #[serde(default)]
    new_conversation: bool,
    /// Answers to the custom pre-chat fields, by id (see `prechat_fields`).
    fields: Option<Map<String, Value>>,
    /// Their labels as the page declared them, by id (kept when the backend has no declaration).
    field_labels: Option<Map<String, Value>>,
    /// A message left while support is closed ("leave a message"): the conversation is marked
    /// `offline` in its attributes, so agents know to answer by email.
    #[serde(default)]
    offline: bool,
}

pub(crate) async fn create(
    State(state): State<Arc<AppState>>,
    body: axum::body::Bytes,
) -> Result<Json<Grant>, BackendError> {
    let request: SessionRequest = if body.iter().all(u8::is_ascii_whitespace) {
        SessionRequest::default()
    } else {
        parse_json(&body, r#"{"name": "…", "question": "…"}"#)?
    };
    let form = validate(&request, &state.config.prechat_fields)?;
    let previous = request.session.as_deref().map(|h| open_session(&state, h)).transpose()?;
    let verified = request.identity.is_some();
    let identity = match (&request.identity, &request.identity_signature) {
        (Some(identity), Some(signature)) => {
            let secret = state.config.identity_secret.as_deref().ok_or_else(|| {
                BackendError::Forbidden(
                    "host-supplied identities are not enabled (CONVO_IDENTITY_SECRET)".to_owned(),
                )
            })?;
            if !identity_signature_valid(secret, identity, signature) {
                return Err(BackendError::Forbidden(
                    "identity_signature does not match identity".to_owned(),
                ));
            }
            identity.clone()
        }
        (Some(_), None) => {
            return Err(BackendError::Forbidden("identity needs an identity_signature".to_owned()))
        }
        (None, Some(_)) => {
            return Err(BackendError::BadRequest("identity_signature without identity".to_owned()))
        }
        (None, None) => match &previous {
            Some(session) => session.identity.clone(),
            None => format!("visitor-{}", uuid::Uuid::new_v4().simple()),
        },
    };

    if verified && previous.is_none() && !request.new_conversation {
        if let Some(open) = state.twilio.open_conversation_of(&identity).await? {
            // What this device's visitor typed must not be lost: it joins the conversation.
            if let Some(question) = &form.question {
                state.twilio.send_message(&open, &identity, question, "{}", true).await?;
            }
            return Ok(Json(grant(
                &state,
                Session { identity, conversation: open, expires: None },
            )));
        }
    }

    if let Some(previous) = previous.filter(|p| p.identity == identity) {
        match state.twilio.conversation(&previous.conversation).await? {
            Some(conversation) if conversation.state != "closed" => {
                return Ok(Json(grant(&state, previous)))
            }
            Some(_) if !request.new_conversation => {
                return Err(BackendError::ConversationClosed(
                    "this conversation has ended; send new_conversation: true to start a new one"
                        .to_owned(),
                ))
            }
            // Closed (and a new one was asked for), or deleted: start afresh below.
            _ => {}
        }
    }

    // A visitor the host identified never sees the form; anyone else starting a chat must have
    // answered what the site owner requires. A message left while support is closed is not a
    // chat: its form asks only for the email and the message (answers given are still judged).
    if let (Some(missing), false, false) = (&form.missing_field, verified, request.offline) {
        return Err(BackendError::BadRequest(missing.clone()));
    }
    let conversation = state
        .twilio
        .create_conversation(
            &form.friendly_name,
            &form.conversation_attributes,
            &state.config.timers,
        )
        .await?;
    state
        .twilio
        .add_participant(&conversation.sid, &identity, &form.participant_attributes)
        .await?;
    if let Some(question) = &form.question {
        // Posted as the visitor, with webhooks on, so agents' tools and the bot see it (and
        // the bot sees from its attributes that nobody will be "with you shortly").
        let attributes = if request.offline { OFFLINE_MESSAGE } else { "{}" };
        state.twilio.send_message(&conversation.sid, &identity, question, attributes, true).await?;
    }
    Ok(Json(grant(&state, Session { identity, conversation: conversation.sid, expires: None })))
}

struct Validated {
    friendly_name: String,
    conversation_attributes: String,
    participant_attributes: String,
    question: Option<String>,
    /// A required custom field left unanswered: refused if a conversation is to start.
    missing_field: Option<String>,
}

fn validate(
    request: &SessionRequest,
    declared: &[convo_wire::prechat::CustomField],
) -> Result<Validated, BackendError> {
    let bad = |m: String| Err(BackendError::BadRequest(m));
    let name = request.name.as_deref().map(str::trim).filter(|n| !n.is_empty());
    if let Some(name) = name {
        let chars = name.chars().count();
        if chars > MAX_NAME_CHARS {
            return bad(format!("name is {chars} characters; the limit is {MAX_NAME_CHARS}"));
        }
        if name.chars().any(char::is_control) {
            return bad("name must not contain control characters".to_owned());
        }
    }
    let email = request.email.as_deref().map(str::trim).filter(|e| !e.is_empty());
    if let Some(email) = email {
        if !convo_wire::prechat::plausible_email(email) {
            return bad(format!("email is not an email address: {email}"));
        }
    }
    let question = request.question.as_deref().map(str::trim).filter(|q| !q.is_empty());
    if let Some(question) = question {
        if question.len() > MAX_QUESTION_BYTES {
            return bad(format!(
                "question is {} bytes; the limit is {MAX_QUESTION_BYTES}",
                question.len()
            ));
        }
    }
    if let Some(locale) = &request.locale {
        let ok = !locale.is_empty()
            && locale.len() <= 35
            && locale.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-');
        if !ok {
            return bad(format!("locale is not a language tag: {locale}"));
        }
    }
    if let Some(identity) = &request.identity {
        if identity.trim().is_empty()
            || identity.chars().count() > 256
            || identity.chars().any(char::is_control)
        {
            return bad(
                "identity must be 1 to 256 characters without control characters".to_owned()
            );
        }
    }
    let host_attributes = request.attributes.clone().unwrap_or_default();
    if Value::Object(host_attributes.clone()).to_string().len() > MAX_ATTRIBUTES_BYTES {
        return bad(format!("attributes are over the {MAX_ATTRIBUTES_BYTES} byte limit"));
    }
    let page_url = request.page_url.as_deref().map(str::trim).filter(|u| !u.is_empty());
    if let Some(url) = page_url {
        let chars = url.chars().count();
        if chars > MAX_PAGE_URL_CHARS {
            return bad(format!(
                "page_url is {chars} characters; the limit is {MAX_PAGE_URL_CHARS}"
            ));
        }
        let web = ["http://", "https://"]
            .iter()
            .any(|scheme| url.get(..scheme.len()).is_some_and(|s| s.eq_ignore_ascii_case(scheme)));
        if !web || url.chars().any(|c| c.is_whitespace() || c.is_control()) {
            return bad(format!("page_url is not an http or https address: {url}"));
        }
    }
    let page_title = request.page_title.as_deref().map(str::trim).filter(|t| !t.is_empty());
    if let Some(title) = page_title {
        let chars = title.chars().count();
        if chars > MAX_PAGE_TITLE_CHARS {
            return bad(format!(
                "page_title is {chars} characters; the limit is {MAX_PAGE_TITLE_CHARS}"
            ));
        }
        if title.chars().any(char::is_control) {
            return bad("page_title must not contain control characters".to_owned());
        }
    }
    let visitor = json!({
        "name": name,
        "email": email,
        "locale": request.locale,
        "question": question.map(excerpt),
    });
    let mut attributes =
        json!({ "source": "convo-widget", "visitor": visitor, "host": host_attributes });
    if request.offline {
        offline_message(email, question)?;
        attributes["offline"] = json!(true);
    }
    if page_url.is_some() || page_title.is_some() {
        attributes["page"] = json!({ "url": page_url, "title": page_title });
    }
    let answers = super::prechat_fields::judge(
        request.fields.as_ref(),
        request.field_labels.as_ref(),
        declared,
    )?;
    if !answers.kept.is_empty() {
        attributes["fields"] = Value::Array(answers.kept);
    }
    let conversation_attributes = attributes.to_string();
    if conversation_attributes.len() > MAX_CONVERSATION_ATTRIBUTES_BYTES {
        return bad(format!(
            "the visitor's details are over Twilio's {MAX_CONVERSATION_ATTRIBUTES_BYTES} byte \
             limit for a conversation's attributes; send shorter fields"
        ));
    }
    Ok(Validated {
        // Twilio advises against personal data in friendly names; the name lives in attributes.
        friendly_name: "Website visitor".to_owned(),
        conversation_attributes,
        // Display names come from this explicit field, never from raw identities.
        participant_attributes: json!({ "role": "visitor", "friendlyName": name }).to_string(),
        question: question.map(str::to_owned),
        missing_field: answers.missing,
    })
}

/// A message left while support is closed needs a way to reply (the email) and something to
/// reply to (the question, the message itself): nobody is there to ask for them.
fn offline_message(email: Option<&str>, question: Option<&str>) -> Result<(), BackendError> {
    if email.is_none() {
        return Err(BackendError::BadRequest(
            "an offline message needs an email to reply to".to_owned(),
        ));
    }
    if question.is_none() {
        return Err(BackendError::BadRequest(
            "an offline message needs a question (the message)".to_owned(),
        ));
    }
    Ok(())
}

/// The question's first [`QUESTION_EXCERPT_CHARS`] characters, with `…` when cut.
fn excerpt(question: &str) -> String {
    match question.char_indices().nth(QUESTION_EXCERPT_CHARS) {
        Some((end, _)) => format!("{}…", &question[..end]),
        None => question.to_owned(),
    }
}

/// Parses a JSON body, explaining the expected shape on failure.
pub(crate) fn parse_json<T: DeserializeOwned>(body: &[u8], shape: &str) -> Result<T, BackendError> {
    serde_json::from_slice(body).map_err(|e| {
        BackendError::BadRequest(format!("the body must be a JSON object like {shape}: {e}"))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn test_a_long_question_is_cut_at_a_character_for_the_attributes() {
        assert_eq!(excerpt("Where is my parcel?"), "Where is my parcel?");
        let long = "é".repeat(QUESTION_EXCERPT_CHARS + 5);
        let cut = excerpt(&long);
        assert_eq!(cut.chars().count(), QUESTION_EXCERPT_CHARS + 1);
        assert!(cut.ends_with("é…"), "{cut}");
        assert_eq!(excerpt(&"a".repeat(QUESTION_EXCERPT_CHARS)).len(), QUESTION_EXCERPT_CHARS);
    }
}
