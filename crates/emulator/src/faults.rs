//! `/_testing/*`: fault hooks (and a clock hook for conversation timers) over HTTP for tests
//! that run outside this process (a browser page, a Node script). Mounted only with `CONVO_EMULATOR_TESTING=1`; the hooks mirror the
//! `testing` feature's methods. CORS is open because test pages run on other origins.

use axum::{
    extract::{Query, State},
    http::StatusCode,
    routing::post,
    Router,
};
use convo_wire::Status;
use serde::Deserialize;
use tower_http::cors::CorsLayer;

use crate::state::AppState;

pub(crate) fn router() -> Router<AppState> {
    Router::new()
        .route("/_testing/drop", post(drop_connections))
        .route("/_testing/close", post(close))
        .route("/_testing/idle", post(idle))
        .layer(CorsLayer::permissive())
}

#[derive(Debug, Deserialize)]
struct Target {
    identity: String,
    code: Option<u16>,
}

/// Closes every socket of `identity` without a twilsock `close`, as a network drop would.
async fn drop_connections(
    State(state): State<AppState>,
    Query(target): Query<Target>,
) -> StatusCode {
    state.world().close_connections(Some(&target.identity), None);
    StatusCode::NO_CONTENT
}

/// Ends `identity`'s sessions with a twilsock `close` carrying `code`.
async fn close(State(state): State<AppState>, Query(target): Query<Target>) -> StatusCode {
    let status = Status::new(target.code.unwrap_or(308), "Closed by test");
    state.world().close_connections(Some(&target.identity), Some(status));
    StatusCode::NO_CONTENT
}

#[derive(Debug, Deserialize)]
struct Idle {
    conversation: Option<String>,
    seconds: Option<String>,
}

/// Makes a conversation `seconds` idler: its last activity moves back by that much, so its
/// timers fire exactly as if the time had passed in silence. Twilio's timers are a minute or
/// more; this is how a test of them takes no minutes. Timers due after the move fire before
/// the answer (the next tick, within 250 ms, would fire them anyway), so a test can check the
/// state right after the hook, either way, without waiting for a tick.
async fn idle(
    State(state): State<AppState>,
    Query(target): Query<Idle>,
) -> Result<StatusCode, (StatusCode, String)> {
    let bad = |m: &str| (StatusCode::BAD_REQUEST, m.to_owned());
    let conversation = target.conversation.filter(|c| !c.is_empty()).ok_or_else(|| {
        bad("conversation is required: POST /_testing/idle?conversation=CH…&seconds=N")
    })?;
    let seconds = target
        .seconds
        .as_deref()
        .and_then(|s| s.parse::<u64>().ok())
        .filter(|&s| s > 0)
        .ok_or_else(|| bad("seconds must be a whole number of seconds, at least 1"))?;
    if state.idle_conversation(&conversation, seconds.saturating_mul(1000)) {
        Ok(StatusCode::NO_CONTENT)
    } else {
        Err((StatusCode::NOT_FOUND, format!("no conversation {conversation}")))
    }
}
