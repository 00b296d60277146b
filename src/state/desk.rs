//! The agent desk's rules for one conversation of its list: how many of the visitor's messages
//! the agent has not read, whether the visitor is typing, whether it is resolved; and how the
//! host's attributes read in its details. Pure: the desk's bridge loop gathers what the agent's
//! own client publishes into a [`Followed`] and asks [`marks`]; tested natively, below.

use convo_client::{ConversationInfo, ConversationState, Participant, TimelineItem};
use convo_wire::json;
use serde_json::Value;

/// What the desk's list shows of a conversation besides its summary.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Marks {
    /// Messages from the visitor after the agent's read horizon.
    pub unread: u64,
    /// The visitor is typing.
    pub typing: bool,
    /// The conversation is closed.
    pub resolved: bool,
}

/// One conversation the agent has joined, as the agent's client publishes it.
#[derive(Debug, Clone, Default)]
pub struct Followed {
    /// `None` until it is loaded, and again once the agent has left it.
    pub info: Option<ConversationInfo>,
    pub participants: Vec<Participant>,
    /// The loaded timeline, kept in step with its diffs (the messages are shared, not copied).
    pub items: Vec<TimelineItem>,
    /// Whether messages older than the loaded ones exist.
    pub has_older: bool,
    /// Identities typing now.
    pub typing: Vec<String>,
}

/// The marks of `conversation` for the agent `me`.
///
/// * The visitor is anyone but the agent and the staff the backend recorded in the
///   conversation's `staff` attribute (the bot, other agents): their messages are never unread,
///   nor is their typing a mark.
/// * The agent's horizon is the newer of the two copies Twilio keeps (their membership's and
///   their participant's last read index), as either may arrive first; no horizon yet means
///   nothing is read.
/// * Unread are the visitor's loaded messages after the horizon, plus, when more than the loaded
///   page is unread, every message between the horizon and the oldest loaded one (their authors
///   are not loaded; Twilio counts them all alike).
pub fn marks(me: &str, conversation: &Followed) -> Marks {
    let Some(info) = &conversation.info else { return Marks::default() };
    let staff = info.attributes["staff"].as_object();
    let visitor =
        |identity: &str| identity != me && staff.is_none_or(|s| !s.contains_key(identity));
    let horizon = conversation
        .participants
        .iter()
        .filter(|p| p.identity.as_deref() == Some(me))
        .filter_map(|p| p.read_horizon)
        .chain(info.read_horizon)
        .max();
    let unread_from = horizon.map_or(0, |h| h + 1);
    let mut unread = 0;
    let mut oldest = None;
    for item in conversation.items.iter().rev() {
        let TimelineItem::Remote(message) = item else { continue };
        if message.index < unread_from {
            break;
        }
        oldest = Some(message.index);
        if visitor(&message.author) {
            unread += 1;
        }
    }
    // Reaching the oldest loaded message means everything loaded is unread: older ones may be.
    let oldest_loaded = conversation.items.iter().find_map(TimelineItem::index);
    if conversation.has_older && oldest.is_some() && oldest == oldest_loaded {
        unread += oldest.unwrap_or(0).saturating_sub(unread_from);
    }
    Marks {
        unread,
        typing: conversation.typing.iter().any(|who| visitor(who)),
        resolved: info.state == ConversationState::Closed,
    }
}

/// A value the host site attached to the conversation, as the desk shows it: a string as it is,
/// anything else as JSON (never as markup: the desk renders it as text).
pub fn as_text(value: &Value) -> String {
    match value {
        Value::String(text) => text.clone(),
        other => json::text(other),
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use convo_client::{Message, PendingMessage, SendStatus};
    use serde_json::json;

    use super::*;

    const ME: &str = "demo-agent";

    fn message(index: u64, author: &str) -> TimelineItem {
        TimelineItem::Remote(Arc::new(Message {
            sid: format!("IM{index}"),
            index,
            author: author.into(),
            body: Some(format!("message {index}")),
            attributes: json!({}),
            media: Vec::new(),
            date_created: "2026-12-06T10:00:00Z".into(),
            date_updated: "2026-12-06T10:00:00Z".into(),
            last_updated_by: None,
        }))
    }

    fn pending(local_id: u64) -> TimelineItem {
        TimelineItem::Pending(Arc::new(PendingMessage {
            local_id,
            body: Some("on its way".into()),
            attributes: json!({}),
            media: Vec::new(),
            status: SendStatus::Sending,
        }))
    }

    fn followed(horizon: Option<u64>, authors: &[(u64, &str)]) -> Followed {
        Followed {
            info: Some(ConversationInfo {
                sid: "CH1".into(),
                attributes: json!({ "staff": { "convo-bot": "bot", ME: "agent", "ana": "agent" } }),
                last_message_index: authors.last().map(|(i, _)| *i),
                read_horizon: horizon,
                ..ConversationInfo::default()
            }),
            items: authors.iter().map(|(i, a)| message(*i, a)).collect(),
            ..Followed::default()
        }
    }

    fn participant(identity: &str, read_horizon: Option<u64>) -> Participant {
        Participant {
            sid: format!("MB{identity}"),
            identity: Some(identity.into()),
            kind: "chat".into(),
            read_horizon,
            ..Participant::default()
        }
    }

    #[test]
    fn test_only_the_visitors_messages_after_the_agents_horizon_are_unread() {
        let talk = [(0, "visitor-1"), (1, "convo-bot"), (2, ME), (3, "visitor-1"), (4, "ana")];
        assert_eq!(marks(ME, &followed(None, &talk)).unread, 2, "no horizon: nothing is read");
        assert_eq!(marks(ME, &followed(Some(1), &talk)).unread, 1);
        assert_eq!(marks(ME, &followed(Some(3), &talk)).unread, 0);
        let mut later = followed(Some(3), &talk);
        later.items.push(message(5, "visitor-1"));
        later.items.push(message(6, "visitor-1"));
        later.items.push(pending(1));
        assert_eq!(marks(ME, &later).unread, 2, "the agent's pending reply is not news");
    }

    #[test]
    fn test_the_newer_of_the_membership_and_participant_horizons_counts() {
        let talk = [(0, "visitor-1"), (1, "visitor-1"), (2, "visitor-1")];
        let mut c = followed(Some(0), &talk);
        c.participants = vec![participant("visitor-1", Some(2)), participant(ME, Some(1))];
        assert_eq!(marks(ME, &c).unread, 1, "the participant's copy arrived first");
        c.participants = vec![participant(ME, None)];
        assert_eq!(marks(ME, &c).unread, 2, "the membership's copy");
        c.info.as_mut().unwrap().read_horizon = Some(2);
        assert_eq!(marks(ME, &c).unread, 0);
    }

    #[test]
    fn test_messages_older_than_the_loaded_page_count_when_the_horizon_is_before_them() {
        // Messages 40..=49 are loaded; older ones exist, and the agent read up to 29.
        let talk: Vec<(u64, &str)> =
            (40..50).map(|i| (i, if i % 2 == 0 { "visitor-1" } else { "convo-bot" })).collect();
        let mut c = followed(Some(29), &talk);
        c.has_older = true;
        assert_eq!(marks(ME, &c).unread, 5 + 10, "30..=39 are not loaded: counted alike");
        c.info.as_mut().unwrap().read_horizon = None;
        assert_eq!(marks(ME, &c).unread, 5 + 40);
        c.info.as_mut().unwrap().read_horizon = Some(44);
        assert_eq!(marks(ME, &c).unread, 2, "the horizon is within the loaded page");
        c.has_older = false;
        c.info.as_mut().unwrap().read_horizon = Some(29);
        assert_eq!(marks(ME, &c).unread, 5, "nothing older exists (removed messages)");
    }

    #[test]
    fn test_only_the_visitor_typing_is_a_mark() {
        let mut c = followed(None, &[]);
        for staff in [vec![ME.to_owned()], vec!["convo-bot".to_owned(), "ana".to_owned()], vec![]] {
            c.typing = staff;
            assert!(!marks(ME, &c).typing, "{:?}", c.typing);
        }
        c.typing = vec!["ana".into(), "visitor-1".into()];
        assert!(marks(ME, &c).typing);
    }

    #[test]
    fn test_host_attributes_show_as_text() {
        assert_eq!(as_text(&json!("<b>gold</b>")), "<b>gold</b>");
        assert_eq!(as_text(&json!(3)), "3");
        assert_eq!(as_text(&json!({ "a": [1, true] })), r#"{"a":[1,true]}"#);
    }

    #[test]
    fn test_a_closed_conversation_is_resolved_and_one_not_followed_has_no_marks() {
        let mut c = followed(None, &[(0, "visitor-1")]);
        assert!(!marks(ME, &c).resolved);
        c.info.as_mut().unwrap().state = ConversationState::Closed;
        assert_eq!(marks(ME, &c), Marks { unread: 1, typing: false, resolved: true });
        c.info = None;
        c.typing = vec!["visitor-1".into()];
        assert_eq!(marks(ME, &c), Marks::default(), "left, or not loaded yet");
    }
}
