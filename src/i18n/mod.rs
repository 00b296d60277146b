//! Every string the widget shows, one catalogue per locale: English, French and Arabic
//! (right to left). Components ask [`Catalogue::get`] for the active locale's strings.

mod ar;
mod en;
mod fr;

use std::time::Duration;

use convo_client::ConnectionState;

/// A supported language.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Locale {
    /// English.
    #[default]
    En,
    /// French.
    Fr,
    /// Arabic (right to left).
    Ar,
}

impl Locale {
    /// The best match for a BCP 47 tag (`fr-CA` → French); English otherwise.
    pub fn from_tag(tag: &str) -> Locale {
        match tag.split(['-', '_']).next().unwrap_or_default().to_ascii_lowercase().as_str() {
            "fr" => Locale::Fr,
            "ar" => Locale::Ar,
            _ => Locale::En,
        }
    }

    /// The tag for `lang` and `Intl`.
    pub fn tag(self) -> &'static str {
        match self {
            Locale::En => "en",
            Locale::Fr => "fr",
            Locale::Ar => "ar",
        }
    }

    /// Whether the script runs right to left.
    pub fn is_rtl(self) -> bool {
        self == Locale::Ar
    }

    /// The strings.
    pub fn strings(self) -> &'static Catalogue {
        match self {
            Locale::En => &en::CATALOGUE,
            Locale::Fr => &fr::CATALOGUE,
            Locale::Ar => &ar::CATALOGUE,
        }
    }

    /// The demo agent desk's strings.
    #[cfg(any(test, feature = "agent-desk"))]
    pub fn desk(self) -> &'static DeskCatalogue {
        match self {
            Locale::En => &en::DESK,
            Locale::Fr => &fr::DESK,
            Locale::Ar => &ar::DESK,
        }
    }
}

/// The demo agent desk's strings (`www/agent.html`), apart from the widget's: the widget a
/// site ships leaves them out with the desk.
#[cfg(any(test, feature = "agent-desk"))]
#[derive(Debug)]
pub struct DeskCatalogue {
    pub conversations: &'static str,
    pub none_yet: &'static str,
    pub choose: &'static str,
    pub visitor: &'static str,
    pub resolved: &'static str,
    /// A message left while support was closed, and what that means for the agent.
    pub offline: &'static str,
    pub offline_note: &'static str,
    pub typing: &'static str,
    pub details: &'static str,
    pub name: &'static str,
    pub email: &'static str,
    pub question: &'static str,
    pub page: &'static str,
    pub host: &'static str,
    pub not_given: &'static str,
    pub answers: &'static str,
    pub yes: &'static str,
    pub no: &'static str,
    pub resolve: &'static str,
    pub resolve_question: &'static str,
    pub resolve_confirm: &'static str,
    pub keep_open: &'static str,
    pub resolving: &'static str,
    pub is_resolved: &'static str,
    pub resolve_failed: fn(&str) -> String,
}

/// The strings of one locale. Functions build the ones with values in them.
#[derive(Debug)]
pub struct Catalogue {
    pub open_chat: &'static str,
    pub close_chat: &'static str,
    pub minimise: &'static str,
    /// The header's bell: desktop notifications of replies (a toggle).
    pub notify_replies: &'static str,
    /// The bell, when the browser refused them.
    pub notify_blocked: &'static str,
    pub unread: fn(u64) -> String,
    /// A comma and its space (Arabic has its own).
    pub comma: &'static str,
    pub team_default: &'static str,
    pub online: &'static str,
    pub offline: &'static str,
    pub agent: &'static str,
    pub you: &'static str,
    pub assistant: &'static str,
    pub prechat_intro: &'static str,
    /// The "leave a message" form (support is closed), and its confirmation in the chat.
    pub offline_intro: &'static str,
    pub offline_message: &'static str,
    pub leave_message: &'static str,
    pub offline_thanks: fn(&str) -> String,
    pub name: &'static str,
    pub email: &'static str,
    pub question: &'static str,
    pub optional: &'static str,
    pub start_chat: &'static str,
    pub required: &'static str,
    pub invalid_email: &'static str,
    pub too_long: fn(usize) -> String,
    pub invalid_phone: &'static str,
    pub not_an_option: &'static str,
    pub consent_required: &'static str,
    pub choose: &'static str,
    pub new_tab: &'static str,
    pub form_refused: fn(&str) -> String,
    pub starting: &'static str,
    pub composer_placeholder: &'static str,
    pub send: &'static str,
    pub attach: &'static str,
    pub remove_attachment: fn(&str) -> String,
    pub bytes_left: fn(usize) -> String,
    pub over_limit: &'static str,
    pub drop_files: &'static str,
    pub file_too_big: fn(&str, &str) -> String,
    pub file_type: fn(&str) -> String,
    pub file_too_many: fn(usize) -> String,
    pub file_empty: fn(&str) -> String,
    /// Files attached or queued before the page reloaded, whose bytes were not kept.
    pub files_not_kept: fn(&str) -> String,
    pub connected: &'static str,
    pub connecting: &'static str,

    pub reconnecting_in: fn(u64) -> String,
    pub retry_now: &'static str,
    pub offline_banner: &'static str,
    pub unavailable: &'static str,
    pub try_again: &'static str,
    pub sending: &'static str,
    pub queued: &'static str,
    pub uploading: fn(u8) -> String,
    pub failed: &'static str,
    pub retry: &'static str,
    pub cancel: &'static str,
    /// An own message's receipts: the server has it; someone else read it.
    pub sent: &'static str,
    pub read: &'static str,
    /// The row menu of an own message, and what it offers.
    pub more_actions: &'static str,
    pub edit: &'static str,
    pub delete: &'static str,
    /// After a message's text that was changed.
    pub edited: &'static str,
    /// What a deleted message's row shows.
    pub message_deleted: &'static str,
    /// The composer's mode while it edits a message, and its save button.
    pub editing: &'static str,
    pub save_edit: &'static str,
    pub edit_empty: &'static str,
    pub edit_failed: &'static str,
    /// "Delete this message?" and its harmless answer.
    pub delete_confirm: &'static str,
    pub keep_message: &'static str,
    pub delete_failed: &'static str,
    pub typing: fn(&str) -> String,
    pub new_messages: &'static str,
    pub jump_to_latest: fn(u64) -> String,
    pub loading_older: &'static str,
    pub beginning: &'static str,
    pub ended: &'static str,
    pub download_transcript: &'static str,
    pub start_new: &'static str,
    pub end_chat: &'static str,
    pub previous_expired: &'static str,
    pub previous_ended: &'static str,
    pub end_confirm: &'static str,
    pub keep_chatting: &'static str,
    pub end_failed: &'static str,
    pub inactive: &'static str,
    pub show_earlier: &'static str,
    pub earlier_thread: fn(&str) -> String,
    pub rating_prompt: &'static str,
    pub rating_score: fn(u8) -> String,
    pub rating_comment: &'static str,
    pub rating_send: &'static str,
    pub rating_thanks: &'static str,
    pub rating_failed: &'static str,
    /// A part of the panel whose code could not be fetched (`components/deferred.rs`).
    pub part_failed: &'static str,
    pub image: fn(&str) -> String,
    pub dismiss: &'static str,
    /// The greeting bubble's name: "Message from {team}".
    pub greeting_from: fn(&str) -> String,
    /// The preview bubble's name: "Message from Ana".
    pub preview_from: fn(&str) -> String,
    /// The greeting's × button.
    pub greeting_dismiss: &'static str,
    pub close_image: &'static str,

    pub download: fn(&str) -> String,
    /// An attachment that could not be loaded, even with a fresh URL.
    pub media_failed: fn(&str) -> String,
    /// Its retry button's name: it starts with (or holds) the visible `retry`.
    pub retry_media: fn(&str) -> String,
    pub announce: fn(&str, &str) -> String,
    pub title_unread: fn(u64) -> String,
    pub messages_label: &'static str,
    pub today: &'static str,
    pub yesterday: &'static str,
    /// Participant notices in the timeline: "Ana joined the chat", "Ana left the chat".
    pub joined: fn(&str) -> String,
    pub left: fn(&str) -> String,
}

impl Catalogue {
    /// The status line for a connection state; `None` when all is well.
    pub fn connection(&self, state: &ConnectionState) -> Option<String> {
        match state {
            ConnectionState::Connected => None,
            ConnectionState::Connecting => Some(self.connecting.to_owned()),
            ConnectionState::Reconnecting { retry_in, .. } => {
                Some((self.reconnecting_in)(seconds(*retry_in)))
            }
            ConnectionState::Disconnected => Some(self.offline_banner.to_owned()),
            ConnectionState::Denied { .. } | ConnectionState::Terminated { .. } => {
                Some(self.unavailable.to_owned())
            }
        }
    }
}

/// Whole seconds, rounded up (a countdown never shows 0 while waiting).
pub fn seconds(d: Duration) -> u64 {
    d.as_secs_f64().ceil().max(1.0) as u64
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn test_locales_from_tags() {
        assert_eq!(Locale::from_tag("fr-CA"), Locale::Fr);
        assert_eq!(Locale::from_tag("ar_EG"), Locale::Ar);
        assert_eq!(Locale::from_tag("de"), Locale::En);
        assert!(Locale::Ar.is_rtl() && !Locale::Fr.is_rtl());
    }

    #[test]
    fn test_every_locale_fills_every_string() {
        for locale in [Locale::En, Locale::Fr, Locale::Ar] {
            let c = locale.strings();
            for s in [
                c.open_chat,
                c.send,
                c.ended,
                c.start_new,
                c.sent,
                c.read,
                c.retry_now,
                c.prechat_intro,
                c.greeting_dismiss,
                c.invalid_phone,
                c.not_an_option,
                c.consent_required,
                c.choose,
                c.new_tab,
                c.offline_intro,
                c.offline_message,
                c.leave_message,
            ] {
                assert!(!s.trim().is_empty(), "{locale:?}");
            }
            assert!((c.typing)("Ana").contains("Ana"));
            assert!((c.reconnecting_in)(3).contains('3'));
            assert!((c.announce)("Ana", "hi").contains("hi"));
            assert!((c.files_not_kept)("a.png, b.pdf").contains("a.png, b.pdf"));
            assert!((c.media_failed)("photo.png").contains("photo.png"));
            assert!((c.greeting_from)("Acme").contains("Acme"), "{locale:?}");
            assert!((c.preview_from)("Ana").contains("Ana"), "{locale:?}");
            assert!((c.form_refused)("fields.plan").contains("fields.plan"), "{locale:?}");
            assert!((c.offline_thanks)("a@b.co").contains("a@b.co"), "{locale:?}");
            assert!((c.joined)("Ana").contains("Ana") && (c.left)("Ana").contains("Ana"));
            assert_ne!((c.joined)("Ana"), (c.left)("Ana"), "{locale:?}");
            let retry = (c.retry_media)("photo.png");
            assert!(retry.contains("photo.png") && retry.contains(c.retry), "{locale:?}: {retry}");
        }
        assert_ne!(Locale::Fr.strings().send, Locale::En.strings().send);
    }

    #[test]
    fn test_every_locale_fills_every_desk_string() {
        for locale in [Locale::En, Locale::Fr, Locale::Ar] {
            let d = locale.desk();
            for s in [
                d.conversations,
                d.none_yet,
                d.choose,
                d.visitor,
                d.resolved,
                d.typing,
                d.details,
                d.name,
                d.email,
                d.question,
                d.page,
                d.host,
                d.not_given,
                d.resolve,
                d.resolve_question,
                d.resolve_confirm,
                d.keep_open,
                d.resolving,
                d.is_resolved,
                d.answers,
                d.yes,
                d.no,
                d.offline,
                d.offline_note,
            ] {
                assert!(!s.trim().is_empty(), "{locale:?}");
            }
            assert!((d.resolve_failed)("timeout").contains("timeout"), "{locale:?}");
        }
        assert_ne!(Locale::Fr.desk().resolve, Locale::En.desk().resolve);
        assert_ne!(Locale::Ar.desk().resolve, Locale::En.desk().resolve);
    }

    #[test]
    fn test_connection_lines() {
        let en = Locale::En.strings();
        assert_eq!(en.connection(&ConnectionState::Connected), None);
        let line = en.connection(&ConnectionState::Reconnecting {
            attempt: 1,
            retry_in: Duration::from_millis(800),
        });
        assert_eq!(line.as_deref(), Some("Connection lost. Reconnecting in 1 s…"));
    }
}
