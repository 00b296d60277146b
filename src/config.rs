//! Widget configuration: where to get tokens and where the twilsock endpoint is.

/// How the widget connects.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WidgetConfig {
    /// The host backend's session endpoint, which starts or resumes a visitor's conversation
    /// (absolute, or relative to the page).
    pub session_url: String,
    /// The host backend's token endpoint, which refreshes a session's token.
    pub token_url: String,
    /// The twilsock websocket URL (absolute `ws(s)://`, or a path on the page's host).
    pub twilsock_url: String,
}

impl Default for WidgetConfig {
    fn default() -> Self {
        WidgetConfig {
            session_url: "/api/session".to_owned(),
            token_url: "/api/token".to_owned(),
            twilsock_url: "/v3/wsconnect".to_owned(),
        }
    }
}

impl WidgetConfig {
    /// Defaults, overridden by `data-convo-session-url`, `data-convo-token-url` and
    /// `data-convo-twilsock-url` on `<body>`.
    pub fn from_document() -> Self {
        let mut config = WidgetConfig::default();
        if let Some(body) = web_sys::window().and_then(|w| w.document()).and_then(|d| d.body()) {
            if let Some(url) = body.get_attribute("data-convo-session-url") {
                config.session_url = url;
            }
            if let Some(url) = body.get_attribute("data-convo-token-url") {
                config.token_url = url;
            }
            if let Some(url) = body.get_attribute("data-convo-twilsock-url") {
                config.twilsock_url = url;
            }
        }
        config
    }

    /// The twilsock URL made absolute against the page's location (`http` → `ws`).
    pub fn absolute_twilsock_url(&self, page_origin: &str) -> String {
        resolve_ws_url(&self.twilsock_url, page_origin)
    }
}

/// Resolves a websocket URL given as absolute (`ws://…`, `wss://…`), or as a path on the page's
/// origin (`http://host:port` → `ws://host:port/path`, `https` → `wss`).
pub fn resolve_ws_url(url: &str, page_origin: &str) -> String {
    if url.starts_with("ws://") || url.starts_with("wss://") {
        return url.to_owned();
    }
    let origin = page_origin.trim_end_matches('/');
    let ws_origin = if let Some(rest) = origin.strip_prefix("https://") {
        format!("wss://{rest}")
    } else if let Some(rest) = origin.strip_prefix("http://") {
        format!("ws://{rest}")
    } else {
        origin.to_owned()
    };
    if url.starts_with('/') {
        format!("{ws_origin}{url}")
    } else {
        format!("{ws_origin}/{url}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn test_ws_urls_resolve_against_the_page() {
        assert_eq!(
            resolve_ws_url("/v3/wsconnect", "http://127.0.0.1:8080"),
            "ws://127.0.0.1:8080/v3/wsconnect"
        );
        assert_eq!(
            resolve_ws_url("/v3/wsconnect", "https://shop.example/"),
            "wss://shop.example/v3/wsconnect"
        );
        assert_eq!(
            resolve_ws_url("wss://tsock.us1.twilio.com/v3/wsconnect", "http://x"),
            "wss://tsock.us1.twilio.com/v3/wsconnect"
        );
    }
}
