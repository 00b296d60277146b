//! `POST /api/availability`: whether someone can answer now — any of the agents the backend
//! knows (`CONVO_AGENTS`) online, by Twilio's Reachability Indicator. A widget whose page set
//! `availability: 'agents'` asks this when the visitor opens it, and offers the "leave a
//! message" form when nobody is there. The body is ignored (JSON only, so that another site
//! cannot send it without a CORS preflight).

use std::sync::Arc;

use axum::{extract::State, Json};
use serde::Serialize;

use crate::{state::AppState, BackendError};

/// What `POST /api/availability` answers.
#[derive(Debug, Serialize)]
pub(crate) struct Agents {
    /// Whether an agent is online; `None` when no agents are configured, so nobody can tell
    /// (the widget then stays open, as before).
    agents_online: Option<bool>,
}

pub(crate) async fn agents(
    State(state): State<Arc<AppState>>,
) -> Result<Json<Agents>, BackendError> {
    let agents = &state.config.agents;
    if agents.is_empty() {
        return Ok(Json(Agents { agents_online: None }));
    }
    // A handful of staff, asked one by one until someone is there.
    for agent in agents {
        if state.twilio.user_online(agent).await? {
            return Ok(Json(Agents { agents_online: Some(true) }));
        }
    }
    Ok(Json(Agents { agents_online: Some(false) }))
}
