//! The visitor's earlier conversations, ended, shown read-only above the current one (a known
//! user who comes back, on any device, finds what was said before). The client already holds
//! every conversation the visitor has joined; these rules pick and order the ended ones.

use std::sync::Arc;

use convo_client::{ConversationInfo, ConversationState, Message};

use super::people::People;

/// An earlier conversation as shown: its messages (what the client loaded: the newest page)
/// and who took part.
#[derive(Debug, Clone, PartialEq)]
pub struct Thread {
    /// CH…
    pub sid: String,
    /// Oldest first.
    pub messages: Vec<Arc<Message>>,
    /// Names and roles in that conversation.
    pub people: Arc<People>,
}

impl Thread {
    /// When it began (its first loaded message), RFC 3339.
    pub fn began(&self) -> Option<&str> {
        self.messages.first().map(|m| m.date_created.as_str())
    }
}

/// The ended conversations among `all`, other than `current`, by SID (a stable order; threads
/// are ordered by date once loaded).
pub fn ended_others(all: &[ConversationInfo], current: Option<&str>) -> Vec<String> {
    let mut sids: Vec<String> = all
        .iter()
        .filter(|c| c.state == ConversationState::Closed && Some(c.sid.as_str()) != current)
        .map(|c| c.sid.clone())
        .collect();
    sort_small(&mut sids, |sid| sid.clone());
    sids
}

/// Threads in reading order: the oldest at the top, the one just before the current chat last.
/// Empty ones (nothing was said) are left out.
pub fn in_reading_order(mut threads: Vec<Thread>) -> Vec<Thread> {
    threads.retain(|t| !t.messages.is_empty());
    // RFC 3339 in UTC sorts as text.
    sort_small(&mut threads, |t| t.began().map(str::to_owned));
    threads
}

/// Sorts a handful of items by `key`, stably. The standard sorts are built for any length
/// and cost kilobytes of wasm per item type; a visitor has a few conversations.
fn sort_small<T, K: Ord>(items: &mut [T], key: impl Fn(&T) -> K) {
    for i in 1..items.len() {
        let mut j = i;
        while j > 0 && key(&items[j - 1]) > key(&items[j]) {
            items.swap(j - 1, j);
            j -= 1;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::state::timeline::tests::message;

    fn info(sid: &str, state: ConversationState) -> ConversationInfo {
        ConversationInfo { sid: sid.into(), state, ..ConversationInfo::default() }
    }

    #[test]
    fn test_only_other_ended_conversations_are_earlier() {
        let all = [
            info("CH3", ConversationState::Closed),
            info("CH1", ConversationState::Closed),
            info("CH2", ConversationState::Active),
            info("CH4", ConversationState::Inactive),
            info("CH5", ConversationState::Closed),
        ];
        assert_eq!(ended_others(&all, Some("CH5")), ["CH1", "CH3"]);
        assert_eq!(ended_others(&all, None), ["CH1", "CH3", "CH5"]);
        assert!(ended_others(&[], Some("CH1")).is_empty());
    }

    #[test]
    fn test_threads_read_oldest_first_and_empty_ones_are_left_out() {
        let thread = |sid: &str, days: &[u32]| Thread {
            sid: sid.into(),
            messages: days
                .iter()
                .filter_map(|d| match message(u64::from(*d), "ana", *d) {
                    convo_client::TimelineItem::Remote(m) => Some(m),
                    convo_client::TimelineItem::Pending(_) => None,
                })
                .collect(),
            people: Arc::default(),
        };
        let ordered =
            in_reading_order(vec![thread("CHb", &[5, 6]), thread("CHe", &[]), thread("CHa", &[2])]);
        let sids: Vec<&str> = ordered.iter().map(|t| t.sid.as_str()).collect();
        assert_eq!(sids, ["CHa", "CHb"]);
    }

    #[test]
    fn test_the_small_sort_is_stable() {
        let mut items = [(3, 'a'), (1, 'b'), (3, 'c'), (2, 'd'), (1, 'e')];
        sort_small(&mut items, |i| i.0);
        assert_eq!(items, [(1, 'b'), (1, 'e'), (2, 'd'), (3, 'a'), (3, 'c')]);
    }
}
