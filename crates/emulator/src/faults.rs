//! `/_testing/*`: fault hooks over HTTP for tests that run outside this process (a browser
//! page, a Node script). Mounted only with `CONVO_EMULATOR_TESTING=1`; the hooks mirror the
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
