//! Messages the user sent that the server has not confirmed. Each keeps one mutation id for
//! its whole life, so however often it is retried — after a lost socket, a lost reply, a
//! reconnect — the server applies it once. One message per conversation is in flight at a
//! time, so they arrive in the order they were sent. What the server has not confirmed is
//! published (`unsent`) for a page to keep across a reload, and given back by `restore` under
//! the same mutation ids.

use std::collections::VecDeque;

use crate::sorted::{SortedMap, SortedSet};

use convo_wire::json;
use futures_channel::oneshot;
use serde_json::Value;

use super::{api::mutation_id, conversation::Conversation};
use crate::{
    model::{Attachment, Message, PendingMessage, SendStatus, UnsentMessage},
    Error,
};

/// How many times in a row a step may fail retryably (server errors, timeouts, a lost
/// network) before the message is marked failed and waits for the user's retry, rather than
/// sitting "queued" forever.
pub(crate) const MAX_ATTEMPTS: u32 = 5;

/// What the outbox's tasks report.
#[derive(Debug)]
pub(crate) enum Progress {
    Uploading { conversation: String, local_id: u64, sent: u64 },
    Uploaded { conversation: String, local_id: u64, result: Result<String, Error> },
    Sent { conversation: String, local_id: u64, result: Result<u64, Error> },
}

#[derive(Debug)]
enum State {
    Queued,
    Uploading {
        sent: u64,
        cancel: Option<oneshot::Sender<()>>,
    },
    Sending,
    /// Applied by the server at this index; waiting for the message to arrive through Sync.
    Sent(u64),
    Failed(String),
}

#[derive(Debug)]
pub(crate) struct Entry {
    pub(crate) local_id: u64,
    pub(crate) body: Option<String>,
    pub(crate) attributes: Value,
    /// The bytes still to upload: empty for an entry restored from an earlier page, whose
    /// attachments were all uploaded then.
    pub(crate) attachments: Vec<Attachment>,
    /// Every attachment's name, type and size, uploaded or not.
    pub(crate) media: Vec<(String, String, u64)>,
    pub(crate) media_sids: Vec<String>,
    pub(crate) mutation_id: String,
    state: State,
    /// Retryable failures of the current step in a row.
    failures: u32,
    /// The index of the message taken for this one's before its reply came (see
    /// [`Outbox::claim`]): its echo is no longer shown.
    claimed: Option<u64>,
}

impl Entry {
    /// The state after a step's failure: queued again while retrying may help, failed after
    /// that. Returns whether it was queued again.
    fn failed(&mut self, error: &Error) -> bool {
        self.failures += 1;
        let retry = error.is_retryable() && self.failures < MAX_ATTEMPTS;
        self.state = if retry { State::Queued } else { State::Failed(error.to_string()) };
        retry
    }
}

/// What the engine should do next for a conversation.
#[derive(Debug)]
pub(crate) enum Next {
    Upload { local_id: u64, attachment: Attachment },
    Send { local_id: u64, body: Value, mutation_id: String },
}

#[derive(Debug, Default)]
pub(crate) struct Outbox {
    queues: SortedMap<String, VecDeque<Entry>>,
    next_local_id: u64,
    /// Conversations whose unsent messages may have changed since they were last published.
    dirty: SortedSet<String>,
}

impl Entry {
    fn view(&self) -> PendingMessage {
        let total: u64 = self.media.iter().map(|(_, _, size)| size).sum();
        let done: u64 = self.media[..self.media_sids.len()].iter().map(|(_, _, size)| size).sum();
        PendingMessage {
            local_id: self.local_id,
            body: self.body.clone(),
            attributes: self.attributes.clone(),
            media: self.media.clone(),
            status: match &self.state {
                State::Queued => SendStatus::Queued,
                State::Uploading { sent, .. } => SendStatus::Uploading { sent: done + sent, total },
                State::Sending | State::Sent(_) => SendStatus::Sending,
                State::Failed(error) => SendStatus::Failed { error: error.clone() },
            },
        }
    }
}

impl Outbox {
    pub(crate) fn enqueue(
        &mut self,
        conversation: &str,
        body: Option<String>,
        attributes: Value,
        attachments: Vec<Attachment>,
    ) -> u64 {
        self.next_local_id += 1;
        let media = attachments
            .iter()
            .map(|a| (a.filename.clone(), a.content_type.clone(), a.bytes.len() as u64))
            .collect();
        let entry = Entry {
            local_id: self.next_local_id,
            body,
            attributes,
            attachments,
            media,
            media_sids: Vec::new(),
            mutation_id: mutation_id(),
            state: State::Queued,
            failures: 0,
            claimed: None,
        };
        self.queue(conversation).push_back(entry);
        self.next_local_id
    }

    /// Queues messages kept from an earlier page under their own mutation ids, behind what is
    /// queued already; one whose id is in the outbox already is skipped (restored twice).
    /// Returns the local ids given to those queued. Each must have all its attachments
    /// uploaded (`media_sids` for every one of `media`): nothing else is left to upload.
    pub(crate) fn restore_unsent(
        &mut self,
        conversation: &str,
        messages: Vec<UnsentMessage>,
    ) -> Vec<u64> {
        let mut restored = Vec::new();
        for message in messages {
            let queue = self.queue(conversation);
            if queue.iter().any(|e| e.mutation_id == message.idempotency_key) {
                continue;
            }
            let local_id = self.next_local_id + 1;
            self.next_local_id = local_id;
            let entry = Entry {
                local_id,
                body: message.body,
                attributes: message.attributes,
                attachments: Vec::new(),
                media: message.media,
                media_sids: message.media_sids,
                mutation_id: message.idempotency_key,
                state: message.failed.map_or(State::Queued, State::Failed),
                failures: 0,
                claimed: None,
            };
            self.queue(conversation).push_back(entry);
            restored.push(local_id);
        }
        restored
    }

    /// The conversation's messages the server has not confirmed applying, oldest first: all
    /// but those it answered (they are on the server, and arrive through Sync). One taken for
    /// a message that arrived before its reply stays: that message may have been a twin, and
    /// sending it again under its mutation id applies nothing twice.
    pub(crate) fn unsent(&self, conversation: &str) -> Vec<UnsentMessage> {
        self.queues
            .get(conversation)
            .into_iter()
            .flatten()
            .filter(|e| !matches!(e.state, State::Sent(_)))
            .map(|e| UnsentMessage {
                idempotency_key: e.mutation_id.clone(),
                body: e.body.clone(),
                attributes: e.attributes.clone(),
                media: e.media.clone(),
                media_sids: e.media_sids.clone(),
                failed: match &e.state {
                    State::Failed(error) => Some(error.clone()),
                    _ => None,
                },
            })
            .collect()
    }

    /// The conversations whose unsent messages may have changed since the last call.
    pub(crate) fn take_dirty(&mut self) -> Vec<String> {
        self.dirty.drain().collect()
    }

    /// A conversation's queue, made if need be, to change it.
    fn queue(&mut self, conversation: &str) -> &mut VecDeque<Entry> {
        self.mark(conversation);
        self.queues.get_or_insert_with(conversation.to_owned(), VecDeque::new)
    }

    /// A conversation's queue, if it has one, to change it.
    fn queue_mut(&mut self, conversation: &str) -> Option<&mut VecDeque<Entry>> {
        if self.queues.contains_key(conversation) {
            self.mark(conversation);
        }
        self.queues.get_mut(conversation)
    }

    fn mark(&mut self, conversation: &str) {
        if !self.dirty.contains(conversation) {
            self.dirty.insert(conversation.to_owned());
        }
    }

    fn entry(&mut self, conversation: &str, local_id: u64) -> Option<&mut Entry> {
        self.queue_mut(conversation)?.iter_mut().find(|e| e.local_id == local_id)
    }

    /// Shows (or refreshes) an entry in the conversation's timeline.
    pub(crate) fn show(&mut self, conversation: &str, local_id: u64, c: &Conversation) {
        if let Some(entry) = self.entry(conversation, local_id).filter(|e| e.claimed.is_none()) {
            c.show_pending(entry.view());
        }
    }

    /// Shows every entry of a conversation that has just been (re)loaded.
    pub(crate) fn restore(&self, conversation: &str, c: &Conversation) {
        for entry in self.queues.get(conversation).into_iter().flatten() {
            match entry.state {
                State::Sent(index) if c.messages.contains(index) => {}
                _ if entry.claimed.is_some() => {}
                _ => c.show_pending(entry.view()),
            }
        }
    }

    /// The next step for `conversation`, if nothing is in flight there.
    pub(crate) fn next(&mut self, conversation: &str) -> Option<Next> {
        let queue = self.queue_mut(conversation)?;
        if queue.iter().any(|e| matches!(e.state, State::Uploading { .. } | State::Sending)) {
            return None;
        }
        let entry = queue.iter_mut().find(|e| matches!(e.state, State::Queued))?;
        if entry.media_sids.len() < entry.attachments.len() {
            entry.state = State::Uploading { sent: 0, cancel: None };
            return Some(Next::Upload {
                local_id: entry.local_id,
                attachment: entry.attachments[entry.media_sids.len()].clone(),
            });
        }
        entry.state = State::Sending;
        // A map, not `body["key"] = …`: `Value`'s `IndexMut` brings a panic message that formats
        // keys with `{:?}`, and so Rust's debug formatting of strings, into the wasm.
        let mut body = serde_json::Map::new();
        body.insert("attributes".to_owned(), json::text(&entry.attributes).into());
        if let Some(text) = &entry.body {
            body.insert("body".to_owned(), text.clone().into());
        }
        if !entry.media_sids.is_empty() {
            body.insert("media_sids".to_owned(), entry.media_sids.clone().into());
        }
        let body = Value::Object(body);
        Some(Next::Send { local_id: entry.local_id, body, mutation_id: entry.mutation_id.clone() })
    }

    /// Keeps the handle that aborts an upload.
    pub(crate) fn set_cancel(
        &mut self,
        conversation: &str,
        local_id: u64,
        cancel: oneshot::Sender<()>,
    ) {
        if let Some(Entry { state: State::Uploading { cancel: slot, .. }, .. }) =
            self.entry(conversation, local_id)
        {
            *slot = Some(cancel);
        }
    }

    /// Applies a task's report. Returns `Some(retry)` when the entry went back to the queue
    /// after a retryable failure.
    pub(crate) fn progress(&mut self, progress: Progress) -> (String, u64, bool) {
        match progress {
            Progress::Uploading { conversation, local_id, sent } => {
                if let Some(Entry { state: State::Uploading { sent: s, .. }, .. }) =
                    self.entry(&conversation, local_id)
                {
                    *s = sent;
                }
                (conversation, local_id, false)
            }
            Progress::Uploaded { conversation, local_id, result } => {
                let mut retry = false;
                if let Some(entry) = self.entry(&conversation, local_id) {
                    match result {
                        Ok(sid) => {
                            entry.media_sids.push(sid);
                            entry.failures = 0;
                            entry.state = State::Queued;
                        }
                        Err(e) => retry = entry.failed(&e),
                    }
                }
                (conversation, local_id, retry)
            }
            Progress::Sent { conversation, local_id, result } => {
                let mut retry = false;
                let mut done = false;
                if let Some(entry) = self.entry(&conversation, local_id) {
                    match result {
                        // Its message already arrived and took the echo's place. (Had that
                        // been a twin from another tab, at another index, this one's own
                        // arrives by itself: nothing is lost either way.)
                        Ok(_) if entry.claimed.is_some() => done = true,
                        Ok(index) => entry.state = State::Sent(index),
                        // Same mutation id next time: if the server did apply it, it says so
                        // again instead of applying it twice. A message taken for it was a
                        // twin: the echo shows again.
                        Err(e) => {
                            entry.claimed = None;
                            retry = entry.failed(&e);
                        }
                    }
                }
                if done {
                    self.remove(&conversation, local_id);
                }
                (conversation, local_id, retry)
            }
        }
    }

    /// This user's message arrived at `index`: the entry it confirms, whose echo it replaces.
    /// That is the entry whose reply named `index` (it leaves the outbox), or else the one in
    /// flight when its text and attachment count match, because the message can arrive
    /// before the reply: that one stays until its reply settles it.
    pub(crate) fn claim(
        &mut self,
        conversation: &str,
        index: u64,
        message: &Message,
    ) -> Option<u64> {
        let queue = self.queue_mut(conversation)?;
        if let Some(position) =
            queue.iter().position(|e| matches!(e.state, State::Sent(i) if i == index))
        {
            return queue.remove(position).map(|e| e.local_id);
        }
        let entry = queue.iter_mut().find(|e| {
            matches!(e.state, State::Sending)
                && e.claimed.is_none()
                && e.body == message.body
                && e.media.len() == message.media.len()
        })?;
        entry.claimed = Some(index);
        Some(entry.local_id)
    }

    fn remove(&mut self, conversation: &str, local_id: u64) {
        if let Some(queue) = self.queue_mut(conversation) {
            queue.retain(|e| e.local_id != local_id);
        }
    }

    /// The entry sent at `index`, if any, now that the message arrived; it leaves the outbox.
    pub(crate) fn confirmed(&mut self, conversation: &str, index: u64) -> Option<u64> {
        let queue = self.queue_mut(conversation)?;
        let position =
            queue.iter().position(|e| matches!(e.state, State::Sent(i) if i == index))?;
        queue.remove(position).map(|e| e.local_id)
    }

    /// Whether the entry was sent and its message is already known.
    pub(crate) fn sent_index(&mut self, conversation: &str, local_id: u64) -> Option<u64> {
        match self.entry(conversation, local_id)?.state {
            State::Sent(index) => Some(index),
            _ => None,
        }
    }

    pub(crate) fn retry(&mut self, conversation: &str, local_id: u64) {
        if let Some(entry) = self.entry(conversation, local_id) {
            if matches!(entry.state, State::Failed(_)) {
                entry.state = State::Queued;
                entry.failures = 0;
            }
        }
    }

    /// Drops an entry that has not been sent; aborts its upload. Returns whether it went.
    pub(crate) fn cancel(&mut self, conversation: &str, local_id: u64) -> bool {
        let Some(queue) = self.queue_mut(conversation) else { return false };
        let Some(position) = queue.iter().position(|e| e.local_id == local_id) else {
            return false;
        };
        if matches!(queue[position].state, State::Sending | State::Sent(_)) {
            return false;
        }
        if let Some(mut entry) = queue.remove(position) {
            if let State::Uploading { cancel: Some(cancel), .. } =
                std::mem::replace(&mut entry.state, State::Queued)
            {
                let _ = cancel.send(());
            }
        }
        true
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn text(outbox: &mut Outbox, body: &str) -> u64 {
        outbox.enqueue("CH1", Some(body.into()), json!({}), Vec::new())
    }

    #[test]
    fn test_one_in_flight_in_order_and_the_same_mutation_id_on_retry() {
        let mut outbox = Outbox::default();
        let a = text(&mut outbox, "a");
        let b = text(&mut outbox, "b");
        let Some(Next::Send { local_id, mutation_id: first, body }) = outbox.next("CH1") else {
            panic!()
        };
        assert_eq!((local_id, body["body"].as_str()), (a, Some("a")));
        assert!(outbox.next("CH1").is_none(), "b waits for a");
        outbox.progress(Progress::Sent {
            conversation: "CH1".into(),
            local_id: a,
            result: Err(Error::Timeout("a reply")),
        });
        let Some(Next::Send { local_id, mutation_id: again, .. }) = outbox.next("CH1") else {
            panic!()
        };
        assert_eq!((local_id, again), (a, first), "a retry reuses the idempotency key");
        outbox.progress(Progress::Sent { conversation: "CH1".into(), local_id: a, result: Ok(7) });
        let Some(Next::Send { local_id, .. }) = outbox.next("CH1") else { panic!() };
        assert_eq!(local_id, b);
        assert_eq!(outbox.confirmed("CH1", 7), Some(a));
        assert_eq!(outbox.confirmed("CH1", 7), None);
    }

    #[test]
    fn test_a_message_arriving_before_its_reply_is_claimed_and_a_failed_reply_shows_the_echo_again()
    {
        let mut outbox = Outbox::default();
        let a = text(&mut outbox, "a");
        let mine = |index: u64, body: &str| Message {
            sid: format!("IM{index}"),
            index,
            author: "me".into(),
            body: Some(body.into()),
            attributes: json!({}),
            media: Vec::new(),
            date_created: String::new(),
            date_updated: String::new(),
            last_updated_by: None,
        };
        assert_eq!(outbox.claim("CH1", 4, &mine(4, "a")), None, "nothing in flight yet");
        outbox.next("CH1");
        assert_eq!(outbox.claim("CH1", 4, &mine(4, "other text")), None);
        assert_eq!(outbox.claim("CH1", 4, &mine(4, "a")), Some(a));
        assert_eq!(outbox.claim("CH1", 5, &mine(5, "a")), None, "claimed once");
        // The reply fails: the message taken was a twin, and this one is retried.
        let (_, _, retry) = outbox.progress(Progress::Sent {
            conversation: "CH1".into(),
            local_id: a,
            result: Err(Error::Timeout("a reply")),
        });
        assert!(retry);
        assert!(outbox.entry("CH1", a).is_some_and(|e| e.claimed.is_none()), "shown again");
        outbox.next("CH1");
        assert_eq!(outbox.claim("CH1", 6, &mine(6, "a")), Some(a));
        outbox.progress(Progress::Sent { conversation: "CH1".into(), local_id: a, result: Ok(6) });
        assert!(outbox.entry("CH1", a).is_none(), "settled by its reply");
        // The reply first, then the message.
        let b = text(&mut outbox, "b");
        outbox.next("CH1");
        outbox.progress(Progress::Sent { conversation: "CH1".into(), local_id: b, result: Ok(7) });
        assert_eq!(outbox.claim("CH1", 7, &mine(7, "b")), Some(b));
        assert!(outbox.entry("CH1", b).is_none());
    }

    #[test]
    fn test_fatal_failures_wait_for_an_explicit_retry_and_others_go_on() {
        let mut outbox = Outbox::default();
        let a = text(&mut outbox, "a");
        let b = text(&mut outbox, "b");
        outbox.next("CH1");
        let refused = Error::Api { status: 400, code: Some(20001), message: "too long".into() };
        outbox.progress(Progress::Sent {
            conversation: "CH1".into(),
            local_id: a,
            result: Err(refused),
        });
        let Some(Next::Send { local_id, .. }) = outbox.next("CH1") else { panic!() };
        assert_eq!(local_id, b, "a failed: b goes on");
        outbox.progress(Progress::Sent { conversation: "CH1".into(), local_id: b, result: Ok(1) });
        assert!(outbox.next("CH1").is_none(), "a stays failed");
        outbox.retry("CH1", a);
        assert!(matches!(outbox.next("CH1"), Some(Next::Send { local_id, .. }) if local_id == a));
    }

    #[test]
    fn test_retryable_failures_give_up_after_max_attempts_until_retried() {
        let mut outbox = Outbox::default();
        let a = text(&mut outbox, "a");
        for attempt in 1..=MAX_ATTEMPTS {
            assert!(
                matches!(outbox.next("CH1"), Some(Next::Send { .. })),
                "attempt {attempt} goes out"
            );
            let (_, _, retry) = outbox.progress(Progress::Sent {
                conversation: "CH1".into(),
                local_id: a,
                result: Err(Error::Http { status: 503, message: "busy".into() }),
            });
            assert_eq!(retry, attempt < MAX_ATTEMPTS, "attempt {attempt}");
        }
        assert!(outbox.next("CH1").is_none(), "failed: no more automatic attempts");
        let status = outbox.entry("CH1", a).map(|e| e.view().status);
        assert!(matches!(status, Some(SendStatus::Failed { .. })), "{status:?}");
        outbox.retry("CH1", a);
        assert!(matches!(outbox.next("CH1"), Some(Next::Send { .. })), "the user's retry");
        let (_, _, retry) = outbox.progress(Progress::Sent {
            conversation: "CH1".into(),
            local_id: a,
            result: Err(Error::Timeout("a reply")),
        });
        assert!(retry, "the count starts again after the user's retry");
    }

    #[test]
    fn test_uploads_come_first_and_cancel_aborts_them() {
        let mut outbox = Outbox::default();
        let file = Attachment {
            filename: "a.txt".into(),
            content_type: "text/plain".into(),
            bytes: b"hello".to_vec(),
        };
        let id = outbox.enqueue("CH1", None, json!({}), vec![file.clone(), file]);
        assert!(matches!(outbox.next("CH1"), Some(Next::Upload { .. })));
        outbox.progress(Progress::Uploaded {
            conversation: "CH1".into(),
            local_id: id,
            result: Ok("ME1".into()),
        });
        assert!(matches!(outbox.next("CH1"), Some(Next::Upload { .. })), "the second attachment");
        let (cancel, cancelled) = oneshot::channel();
        outbox.set_cancel("CH1", id, cancel);
        assert!(outbox.cancel("CH1", id));
        assert!(
            futures_util::FutureExt::now_or_never(cancelled).is_some(),
            "the upload was told to stop"
        );
        assert!(outbox.next("CH1").is_none());
    }

    #[test]
    fn test_unsent_is_what_the_server_has_not_confirmed_and_a_restore_keeps_each_key() {
        let mut outbox = Outbox::default();
        let a = text(&mut outbox, "a");
        let b = text(&mut outbox, "b");
        text(&mut outbox, "c");
        assert_eq!(outbox.take_dirty(), ["CH1"], "queued messages are published");
        assert!(outbox.take_dirty().is_empty());
        let bodies = |unsent: &[UnsentMessage]| {
            unsent.iter().map(|m| m.body.clone().unwrap_or_default()).collect::<Vec<_>>()
        };
        let Some(Next::Send { mutation_id: key_a, .. }) = outbox.next("CH1") else { panic!() };
        assert_eq!(bodies(&outbox.unsent("CH1")), ["a", "b", "c"], "in flight is still unsent");
        outbox.progress(Progress::Sent { conversation: "CH1".into(), local_id: a, result: Ok(4) });
        assert_eq!(outbox.take_dirty(), ["CH1"]);
        assert_eq!(bodies(&outbox.unsent("CH1")), ["b", "c"], "applied: on the server");
        let Some(Next::Send { mutation_id: key_b, .. }) = outbox.next("CH1") else { panic!() };
        assert_ne!(key_a, key_b);
        let refused = Error::Api { status: 400, code: Some(50_000), message: "no".into() };
        outbox.progress(Progress::Sent {
            conversation: "CH1".into(),
            local_id: b,
            result: Err(refused),
        });
        let unsent = outbox.unsent("CH1");
        assert_eq!(unsent[0].idempotency_key, key_b);
        assert!(unsent[0].failed.as_deref().is_some_and(|e| e.contains("no")), "{unsent:?}");
        assert_eq!(unsent[1].failed, None);

        // The reload: a new outbox is given what was kept.
        let mut again = Outbox::default();
        let restored = again.restore_unsent("CH1", unsent.clone());
        assert_eq!(restored.len(), 2);
        assert!(again.restore_unsent("CH1", unsent.clone()).is_empty(), "restored once");
        assert_eq!(again.unsent("CH1"), unsent, "the same messages, keys and failures");
        let Some(Next::Send { local_id, body, mutation_id }) = again.next("CH1") else { panic!() };
        assert_eq!(local_id, restored[1], "the failed one waits for the user's retry");
        assert_eq!(
            (body["body"].as_str(), mutation_id),
            (Some("c"), unsent[1].idempotency_key.clone())
        );
        again.retry("CH1", restored[0]);
        again.progress(Progress::Sent {
            conversation: "CH1".into(),
            local_id: restored[1],
            result: Ok(9),
        });
        let Some(Next::Send { mutation_id, .. }) = again.next("CH1") else { panic!() };
        assert_eq!(mutation_id, key_b, "retried under its first key");
        let later = again.enqueue("CH1", Some("d".into()), json!({}), Vec::new());
        assert!(later > restored[1], "local ids stay unique");
    }

    #[test]
    fn test_uploaded_attachments_are_kept_by_media_sid_and_a_restored_message_sends_them() {
        let mut outbox = Outbox::default();
        let file = |name: &str| Attachment {
            filename: name.into(),
            content_type: "image/png".into(),
            bytes: vec![1; 10],
        };
        let id = outbox.enqueue(
            "CH1",
            Some("see".into()),
            json!({}),
            vec![file("a.png"), file("b.png")],
        );
        outbox.next("CH1");
        outbox.progress(Progress::Uploaded {
            conversation: "CH1".into(),
            local_id: id,
            result: Ok("ME1".into()),
        });
        let unsent = outbox.unsent("CH1");
        assert_eq!(unsent[0].media.len(), 2);
        assert_eq!(unsent[0].media_sids, ["ME1"], "one of two uploaded");
        outbox.next("CH1");
        outbox.progress(Progress::Uploaded {
            conversation: "CH1".into(),
            local_id: id,
            result: Ok("ME2".into()),
        });
        let unsent = outbox.unsent("CH1");

        let mut again = Outbox::default();
        again.restore_unsent("CH1", unsent);
        let Some(Next::Send { body, .. }) = again.next("CH1") else {
            panic!("nothing left to upload")
        };
        assert_eq!(body["media_sids"], json!(["ME1", "ME2"]));
        let view = again.queues["CH1"][0].view();
        assert_eq!(view.media[1], ("b.png".to_owned(), "image/png".to_owned(), 10));
        assert_eq!(view.status, SendStatus::Sending);
    }
}
