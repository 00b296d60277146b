//! The reactive store: everything components render. Only the bridge and the handle write it.

use std::collections::HashMap;

use convo_client::{ConnectionState, ConversationInfo, Participant, TimelineItem};
use leptos::prelude::*;

use crate::i18n::Locale;

/// Where the visitor is in the chat's life.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub enum Phase {
    /// Nothing started yet.
    #[default]
    Idle,
    /// The pre-chat form is shown.
    PreChat,
    /// A session is being started or resumed.
    Starting,
    /// Chatting.
    Chat,
    /// The conversation was closed.
    Ended,
    /// The chat cannot be reached (a refused session, the backend down for good).
    Unavailable,
}

/// A file the visitor attached but has not sent.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DraftFile {
    /// Identifies it in the draft.
    pub id: u64,
    /// The file name.
    pub name: String,
    /// The MIME type.
    pub content_type: String,
    /// The bytes.
    pub bytes: std::sync::Arc<Vec<u8>>,
    /// An object URL for an image preview.
    pub preview: Option<String>,
}

/// Widget state as signals. `Copy`, so components capture it freely.
#[derive(Debug, Clone, Copy)]
pub struct Store {
    pub open: RwSignal<bool>,
    pub phase: RwSignal<Phase>,
    pub connection: RwSignal<ConnectionState>,
    /// Seconds until the next reconnect attempt, while reconnecting.
    pub countdown: RwSignal<Option<u64>>,
    pub identity: RwSignal<Option<String>>,
    pub info: RwSignal<Option<ConversationInfo>>,
    pub participants: RwSignal<Vec<Participant>>,
    pub typing: RwSignal<Vec<String>>,
    pub timeline: RwSignal<Vec<TimelineItem>>,
    pub has_older: RwSignal<bool>,
    pub loading_older: RwSignal<bool>,
    pub draft: RwSignal<String>,
    pub files: RwSignal<Vec<DraftFile>>,
    /// Problems to show the visitor (refused files, failed actions).
    pub notices: RwSignal<Vec<String>>,
    /// The latest message by someone else, for the screen-reader live region.
    pub announcement: RwSignal<String>,
    /// Messages from others the visitor has not seen (badge, title).
    pub unread: RwSignal<u64>,
    /// The read horizon when the panel opened: the "new messages" divider goes after it.
    pub divider_after: RwSignal<Option<u64>>,
    /// An image shown full size: `(url, name)`.
    pub lightbox: RwSignal<Option<(String, String)>>,
    /// Temporary URLs of attachments, by media SID.
    pub media_urls: RwSignal<HashMap<String, String>>,
    pub locale: RwSignal<Locale>,
    /// Whether the launcher shows (the page's `hideLauncher()` / `showLauncher()`).
    pub launcher_visible: RwSignal<bool>,
    /// Whether the page is visible (kept by the bridge from `visibilitychange`).
    pub visible: RwSignal<bool>,
    /// Pre-chat form errors by field name.
    pub form_errors: RwSignal<HashMap<&'static str, String>>,
}

impl Store {
    /// A closed widget that has not connected yet.
    pub fn new(locale: Locale) -> Self {
        Store {
            open: RwSignal::new(false),
            phase: RwSignal::new(Phase::Idle),
            connection: RwSignal::new(ConnectionState::Disconnected),
            countdown: RwSignal::new(None),
            identity: RwSignal::new(None),
            info: RwSignal::new(None),
            participants: RwSignal::new(Vec::new()),
            typing: RwSignal::new(Vec::new()),
            timeline: RwSignal::new(Vec::new()),
            has_older: RwSignal::new(false),
            loading_older: RwSignal::new(false),
            draft: RwSignal::new(String::new()),
            files: RwSignal::new(Vec::new()),
            notices: RwSignal::new(Vec::new()),
            announcement: RwSignal::new(String::new()),
            unread: RwSignal::new(0),
            divider_after: RwSignal::new(None),
            lightbox: RwSignal::new(None),
            media_urls: RwSignal::new(HashMap::new()),
            locale: RwSignal::new(locale),
            visible: RwSignal::new(!crate::dom::page_hidden()),
            launcher_visible: RwSignal::new(true),

            form_errors: RwSignal::new(HashMap::new()),
        }
    }

    /// The store provided by the enclosing [`crate::App`].
    #[track_caller]
    pub fn expect() -> Self {
        expect_context::<Store>()
    }

    /// The active strings (tracks the locale).
    pub fn strings(&self) -> &'static crate::i18n::Catalogue {
        self.locale.get().strings()
    }
}
