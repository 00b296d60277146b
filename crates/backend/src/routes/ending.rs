//! The visitor ends their chat and rates it: `POST /api/end {session}` closes the session's
//! conversation, `POST /api/rating {session, score, comment?}` stores the visitor's rating in
//! its attributes. Both go through REST because a visitor's default role may neither close a
//! conversation nor change its attributes; the session handle is what authorises them, and it
//! names exactly one conversation.

use std::sync::Arc;

use axum::{extract::State, http::StatusCode, Json};
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};

use super::{session::parse_json, token::open_session};
use crate::{state::AppState, BackendError};

/// A rating's comment, at most this many characters (a sentence or two; attributes are
/// limited to 16 KB in all).
pub(crate) const MAX_COMMENT_CHARS: usize = 1000;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct EndRequest {
    session: String,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RatingRequest {
    session: String,
    score: u8,
    #[serde(default)]
    comment: Option<String>,
}

/// The conversation as the visitor left it.
#[derive(Debug, Serialize)]
pub(crate) struct Ended {
    conversation_sid: String,
    state: &'static str,
}

/// Closes the visitor's conversation, recording that the visitor ended it. Ending an ended
/// chat again is not an error: a second tab may have got there first.
pub(crate) async fn end(
    State(state): State<Arc<AppState>>,
    body: axum::body::Bytes,
) -> Result<Json<Ended>, BackendError> {
    let request: EndRequest = parse_json(&body, r#"{"session": "…"}"#)?;
    let session = open_session(&state, &request.session)?;
    let conversation = existing(&state, &session.conversation).await?;
    if conversation.state != "closed" {
        state
            .twilio
            .update_attributes(&session.conversation, |attributes| {
                attributes.insert("ended_by".to_owned(), json!("visitor"));
                true
            })
            .await?;
        state.twilio.close_conversation(&session.conversation).await?;
    }
    Ok(Json(Ended { conversation_sid: session.conversation, state: "closed" }))
}

/// Stores `{"rating": {"score", "comment"}}` in the conversation's attributes; a later rating
/// replaces an earlier one.
pub(crate) async fn rate(
    State(state): State<Arc<AppState>>,
    body: axum::body::Bytes,
) -> Result<StatusCode, BackendError> {
    let request: RatingRequest =
        parse_json(&body, r#"{"session": "…", "score": 5, "comment": "…"}"#)?;
    let rating = validate(&request)?;
    let session = open_session(&state, &request.session)?;
    existing(&state, &session.conversation).await?;
    state
        .twilio
        .update_attributes(&session.conversation, |attributes| {
            attributes.insert("rating".to_owned(), rating);
            true
        })
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

async fn existing(
    state: &AppState,
    conversation: &str,
) -> Result<crate::twilio::ConversationInfo, BackendError> {
    state.twilio.conversation(conversation).await?.ok_or_else(|| {
        BackendError::Unauthorized("the conversation no longer exists; start a new session".into())
    })
}

/// The rating to store, or why it is refused.
fn validate(request: &RatingRequest) -> Result<Value, BackendError> {
    if !(1..=5).contains(&request.score) {
        return Err(BackendError::BadRequest(format!(
            "score must be a whole number from 1 to 5, not {}",
            request.score
        )));
    }
    let comment = request.comment.as_deref().map(str::trim).filter(|c| !c.is_empty());
    if let Some(comment) = comment {
        let chars = comment.chars().count();
        if chars > MAX_COMMENT_CHARS {
            return Err(BackendError::BadRequest(format!(
                "comment is {chars} characters; at most {MAX_COMMENT_CHARS} are allowed"
            )));
        }
    }
    let mut rating = json!({ "score": request.score });
    if let Some(comment) = comment {
        rating["comment"] = json!(comment);
    }
    Ok(rating)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn request(score: u8, comment: Option<&str>) -> RatingRequest {
        RatingRequest { session: String::new(), score, comment: comment.map(str::to_owned) }
    }

    #[test]
    fn test_scores_outside_one_to_five_are_refused() {
        for bad in [0, 6, 255] {
            assert!(validate(&request(bad, None)).is_err(), "{bad}");
        }
        for good in 1..=5 {
            assert_eq!(validate(&request(good, None)).unwrap(), json!({ "score": good }));
        }
    }

    #[test]
    fn test_comments_are_trimmed_blank_ones_dropped_and_long_ones_refused() {
        assert_eq!(
            validate(&request(4, Some("  quick and kind \n"))).unwrap(),
            json!({ "score": 4, "comment": "quick and kind" })
        );
        assert_eq!(validate(&request(4, Some(" \n "))).unwrap(), json!({ "score": 4 }));
        let longest = "é".repeat(MAX_COMMENT_CHARS);
        assert!(validate(&request(3, Some(&longest))).is_ok(), "counted in characters");
        let error = validate(&request(3, Some(&format!("{longest}x")))).unwrap_err();
        assert!(error.to_string().contains("at most 1000"), "{error}");
    }
}
