//! User-facing strings. Every string the widget shows comes from here.

use std::time::Duration;

use convo_client::ConnectionState;

/// The launcher's accessible name when the panel is closed.
pub const OPEN_CHAT: &str = "Open support chat";
/// The launcher's accessible name when the panel is open.
pub const CLOSE_CHAT: &str = "Close support chat";
/// The panel's title.
pub const PANEL_TITLE: &str = "Support";

/// The status line for a connection state.
pub fn connection_label(state: &ConnectionState) -> String {
    match state {
        ConnectionState::Disconnected => "Offline".to_owned(),
        ConnectionState::Connecting => "Connecting…".to_owned(),
        ConnectionState::Connected => "Connected".to_owned(),
        ConnectionState::Reconnecting { retry_in, .. } => {
            format!("Connection lost. Reconnecting in {}…", seconds(*retry_in))
        }
        ConnectionState::Denied { .. } => "Chat is unavailable: access was refused.".to_owned(),
        ConnectionState::Terminated { .. } => "Chat is unavailable.".to_owned(),
    }
}

fn seconds(d: Duration) -> String {
    let s = d.as_secs_f64().ceil() as u64;
    if s == 1 {
        "1 second".to_owned()
    } else {
        format!("{s} seconds")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn test_reconnecting_label_rounds_up() {
        let state =
            ConnectionState::Reconnecting { attempt: 1, retry_in: Duration::from_millis(800) };
        assert_eq!(connection_label(&state), "Connection lost. Reconnecting in 1 second…");
    }
}
