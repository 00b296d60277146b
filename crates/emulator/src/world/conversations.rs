//! Conversations and their participants.

use std::collections::BTreeMap;

use convo_wire::TwilioError;
use serde_json::{json, Value};

use super::{Access, Conversation, Participant, World};
use crate::{
    ids::{iso, now_millis, sid},
    routing::{bad_request, not_found},
    sync::{Key, Kind},
    webhooks::{conversation_fields, participant_fields},
};

/// The lifecycle state of a conversation.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum State {
    Active,
    Inactive,
    Closed,
}

impl State {
    pub(crate) fn as_str(self) -> &'static str {
        match self {
            State::Active => "active",
            State::Inactive => "inactive",
            State::Closed => "closed",
        }
    }

    pub(crate) fn parse(s: &str) -> Option<State> {
        match s {
            "active" => Some(State::Active),
            "inactive" => Some(State::Inactive),
            "closed" => Some(State::Closed),
            _ => None,
        }
    }
}

/// Changes to a conversation; `None` leaves a field alone, `Some(None)` clears it.
#[derive(Debug, Default, Clone)]
pub(crate) struct ConversationUpdate {
    pub(crate) friendly_name: Option<Option<String>>,
    pub(crate) unique_name: Option<Option<String>>,
    pub(crate) attributes: Option<String>,
    pub(crate) state: Option<State>,
    /// `Timers.Inactive` / `Timers.Closed` in seconds; `Some(None)` clears a timer.
    pub(crate) timer_inactive: Option<Option<f64>>,
    pub(crate) timer_closed: Option<Option<f64>>,
}

impl World {
    /// Validates a friendly name against the service limit.
    pub(crate) fn check_friendly_name(&self, name: &str) -> Result<(), TwilioError> {
        let limit = self.config.limits.friendly_name_chars;
        let chars = name.chars().count();
        if chars > limit {
            return Err(bad_request(format!(
                "FriendlyName is {chars} characters; the limit is {limit}"
            )));
        }
        Ok(())
    }

    /// Validates attributes: JSON text within `limit` bytes.
    pub(crate) fn check_attributes(
        what: &str,
        attributes: &str,
        limit: usize,
    ) -> Result<(), TwilioError> {
        if attributes.len() > limit {
            return Err(bad_request(format!(
                "{what} attributes are {} bytes; the limit is {limit}",
                attributes.len()
            )));
        }
        if serde_json::from_str::<Value>(attributes).is_err() {
            return Err(bad_request(format!("{what} attributes must be valid JSON")));
        }
        Ok(())
    }

    /// Creates a conversation (the creator is not joined). Returns its SID.
    pub(crate) fn create_conversation(
        &mut self,
        created_by: &str,
        friendly_name: Option<String>,
        unique_name: Option<String>,
        attributes: Option<String>,
    ) -> Result<String, TwilioError> {
        let attributes = attributes.unwrap_or_else(|| "{}".to_owned());
        if let Some(name) = &friendly_name {
            self.check_friendly_name(name)?;
        }
        Self::check_attributes(
            "Conversation",
            &attributes,
            self.config.limits.conversation_attributes_bytes,
        )?;
        if let Some(name) = &unique_name {
            self.check_unique_name(name, None)?;
        }
        let sid = sid("CH");
        let now = now_millis();
        let list = self.sync.create(Kind::List, Some(format!("{sid}.messages")), Value::Null);
        let roster = self.sync.create(Kind::Map, Some(format!("{sid}.roster")), Value::Null);
        let document =
            self.sync.create(Kind::Document, Some(format!("{sid}.channel")), Value::Null);
        for object in [&list, &roster, &document] {
            self.access.insert(object.clone(), Access::Participants(sid.clone()));
        }
        if let Some(name) = &unique_name {
            self.conversation_names.insert(name.clone(), sid.clone());
        }
        let conversation = Conversation {
            sid: sid.clone(),
            unique_name,
            friendly_name,
            attributes,
            created_by: created_by.to_owned(),
            date_created: now,
            date_updated: now,
            state: State::Active,
            state_updated: now,
            next_index: 0,
            timer_inactive: self.default_timers.inactive.as_ref().map(|(_, secs)| *secs),
            timer_closed: self.default_timers.closed.as_ref().map(|(_, secs)| *secs),
            last_activity: now,
            document: document.clone(),
            list,
            roster,
            participants: BTreeMap::new(),
            messages: BTreeMap::new(),
        };
        let data = document_data(&conversation);
        self.record("onConversationAdded", conversation_fields(&conversation));
        self.conversations.insert(sid.clone(), conversation);
        self.sync.document_set(&document, data);
        Ok(sid)
    }

    fn check_unique_name(&self, name: &str, except: Option<&str>) -> Result<(), TwilioError> {
        match self.conversation_names.get(name) {
            Some(existing) if Some(existing.as_str()) != except => Err(TwilioError::new(
                409,
                50353,
                format!("A conversation with unique name {name} already exists"),
            )),
            _ => Ok(()),
        }
    }

    /// Applies `update`; publishes the new document and, for a state change, the timers' effects.
    pub(crate) fn update_conversation(
        &mut self,
        sid: &str,
        update: ConversationUpdate,
    ) -> Result<(), TwilioError> {
        if let Some(Some(name)) = &update.friendly_name {
            self.check_friendly_name(name)?;
        }
        if let Some(attributes) = &update.attributes {
            Self::check_attributes(
                "Conversation",
                attributes,
                self.config.limits.conversation_attributes_bytes,
            )?;
        }
        if let Some(Some(name)) = &update.unique_name {
            self.check_unique_name(name, Some(sid))?;
        }
        let now = now_millis();
        let conversation = self.conversations.get_mut(sid).ok_or_else(|| not_found(sid))?;
        if let Some(name) = update.friendly_name {
            conversation.friendly_name = name;
        }
        if let Some(attributes) = update.attributes {
            conversation.attributes = attributes;
        }
        if let Some(name) = update.unique_name {
            if let Some(old) = conversation.unique_name.take() {
                self.conversation_names.remove(&old);
            }
            if let Some(new) = &name {
                self.conversation_names.insert(new.clone(), sid.to_owned());
            }
            self.conversations.get_mut(sid).expect("checked above").unique_name = name;
        }
        let conversation = self.conversations.get_mut(sid).expect("checked above");
        if let Some(timer) = update.timer_inactive {
            conversation.timer_inactive = timer;
        }
        if let Some(timer) = update.timer_closed {
            conversation.timer_closed = timer;
        }
        conversation.date_updated = now;
        let fields = conversation_fields(conversation);
        self.record("onConversationUpdated", fields);
        if let Some(state) = update.state {
            self.set_state(sid, state, "API");
        }
        self.publish_document(sid);
        Ok(())
    }

    /// Moves a conversation to `state` (a closed one stays closed), recording why.
    pub(crate) fn set_state(&mut self, sid: &str, state: State, reason: &str) {
        let Some(conversation) = self.conversations.get_mut(sid) else { return };
        let from = conversation.state;
        if from == state || from == State::Closed {
            return;
        }
        let now = now_millis();
        conversation.state = state;
        conversation.state_updated = now;
        conversation.date_updated = now;
        self.record(
            "onConversationStateUpdated",
            vec![
                ("ConversationSid", sid.to_owned()),
                ("StateFrom", from.as_str().to_owned()),
                ("StateTo", state.as_str().to_owned()),
                ("StateUpdated", iso(now)),
                ("Reason", reason.to_owned()),
            ],
        );
        self.publish_document(sid);
    }

    /// Applies the conversation timers that are due at `now` (Unix ms). Returns whether any
    /// state changed.
    ///
    /// Deadlines that passed since the last look fire in the order they fell due, as a tick at
    /// each would have fired them: an active conversation that is past both (the idle hook's
    /// jump, or a stalled ticker) goes inactive, then closed, unless its closed deadline came
    /// first (or at the same time), which closes it straight away.
    pub(crate) fn apply_timers(&mut self, now: u64) -> bool {
        let due: Vec<(String, Vec<State>)> = self
            .conversations
            .values()
            .filter(|c| c.state != State::Closed)
            .filter_map(|c| {
                let (inactive, closed) = c.timer_deadlines();
                let closes = closed.is_some_and(|at| at <= now);
                let sleeps = c.state == State::Active
                    && inactive.is_some_and(|at| at <= now && closed.is_none_or(|c| at < c));
                let steps: Vec<State> = [(sleeps, State::Inactive), (closes, State::Closed)]
                    .into_iter()
                    .filter_map(|(due, state)| due.then_some(state))
                    .collect();
                (!steps.is_empty()).then(|| (c.sid.clone(), steps))
            })
            .collect();
        for (sid, steps) in &due {
            for state in steps {
                self.set_state(sid, *state, "TIMER");
            }
        }
        !due.is_empty()
    }

    /// Makes conversation `id` (SID or unique name) `by_ms` idler: its last activity moves back,
    /// so its timers fall due as if that much more time had passed in silence. The timer tick
    /// fires them; the `/_testing/idle` hook and the `testing` feature's `AppState::idle` also
    /// fire them at once, so tests of minutes-long timers take no minutes and need not wait
    /// for a tick. Whether the conversation exists.
    pub(crate) fn idle(&mut self, id: &str, by_ms: u64) -> bool {
        let Some(sid) = self.conversation_id(id) else { return false };
        let c = self.conversations.get_mut(&sid).expect("resolved above");
        c.last_activity = c.last_activity.saturating_sub(by_ms);
        true
    }

    /// Deletes a conversation and every Sync object of it.
    pub(crate) fn delete_conversation(&mut self, sid: &str) -> Result<(), TwilioError> {
        let participants: Vec<String> = {
            let conversation = self.conversations.get(sid).ok_or_else(|| not_found(sid))?;
            conversation.participants.keys().cloned().collect()
        };
        for participant in participants {
            self.remove_participant(sid, &participant)?;
        }
        let conversation = self.conversations.remove(sid).ok_or_else(|| not_found(sid))?;
        self.record("onConversationRemoved", conversation_fields(&conversation));
        if let Some(name) = &conversation.unique_name {
            self.conversation_names.remove(name);
        }
        for (object, kind) in [
            (&conversation.document, Kind::Document),
            (&conversation.list, Kind::List),
            (&conversation.roster, Kind::Map),
        ] {
            if let Some(event) = self.sync.remove(object) {
                self.publish(object, kind, &event);
            }
            self.access.remove(object);
        }
        Ok(())
    }

    /// Adds a chat participant with the default role. Returns the participant SID.
    pub(crate) fn add_chat_participant(
        &mut self,
        conversation: &str,
        identity: &str,
        attributes: Option<String>,
    ) -> Result<String, TwilioError> {
        self.add_chat_participant_with_role(conversation, identity, attributes, None)
    }

    /// Adds a chat participant with conversation role `role` (a checked SID), or the default
    /// one: the creator's role for the conversation's creator, the participant role otherwise.
    pub(crate) fn add_chat_participant_with_role(
        &mut self,
        conversation: &str,
        identity: &str,
        attributes: Option<String>,
        role: Option<String>,
    ) -> Result<String, TwilioError> {
        let attributes = attributes.unwrap_or_else(|| "{}".to_owned());
        Self::check_attributes("Participant", &attributes, self.config.limits.attributes_bytes)?;
        let c = self.conversations.get(conversation).ok_or_else(|| not_found(conversation))?;
        if c.is_participant(identity) {
            return Err(TwilioError::new(
                409,
                50433,
                format!("Participant {identity} is already in the conversation"),
            ));
        }
        let role = role.unwrap_or_else(|| {
            if c.created_by == identity {
                self.roles.default_creator.clone()
            } else {
                self.roles.default_conversation.clone()
            }
        });
        self.ensure_user(identity);
        self.insert_participant(
            conversation,
            Some(identity.to_owned()),
            "chat".to_owned(),
            attributes,
            None,
            role,
        )
    }

    /// Adds a non-chat (SMS, WhatsApp) participant by its messaging binding.
    pub(crate) fn add_binding_participant(
        &mut self,
        conversation: &str,
        address: &str,
        proxy_address: &str,
        attributes: Option<String>,
    ) -> Result<String, TwilioError> {
        let attributes = attributes.unwrap_or_else(|| "{}".to_owned());
        Self::check_attributes("Participant", &attributes, self.config.limits.attributes_bytes)?;
        self.conversations.get(conversation).ok_or_else(|| not_found(conversation))?;
        // One conversation per address pair, service-wide.
        let taken = self.conversations.values().find(|c| {
            c.participants.values().any(|p| {
                p.messaging_binding
                    .as_ref()
                    .is_some_and(|b| b["address"] == address && b["proxy_address"] == proxy_address)
            })
        });
        if let Some(existing) = taken {
            // Twilio names the conversation; integrations parse the SID out of this message.
            return Err(TwilioError::new(
                409,
                50416,
                format!(
                    "A binding for this participant and proxy address already exists in Conversation {}",
                    existing.sid
                ),
            ));
        }
        let kind = if address.starts_with("whatsapp:") { "whatsapp" } else { "sms" };
        let binding = json!({ "type": kind, "address": address, "proxy_address": proxy_address });
        let role = self.roles.default_conversation.clone();
        self.insert_participant(
            conversation,
            None,
            kind.to_owned(),
            attributes,
            Some(binding),
            role,
        )
    }

    fn insert_participant(
        &mut self,
        conversation: &str,
        identity: Option<String>,
        kind: String,
        attributes: String,
        messaging_binding: Option<Value>,
        role_sid: String,
    ) -> Result<String, TwilioError> {
        let now = now_millis();
        let participant = Participant {
            sid: sid("MB"),
            identity,
            kind,
            attributes,
            messaging_binding,
            role_sid,
            date_created: now,
            date_updated: now,
            last_read: None,
            last_read_at: None,
            notification_level: "default".to_owned(),
        };
        let participant_sid = participant.sid.clone();
        let c = self.conversations.get_mut(conversation).ok_or_else(|| not_found(conversation))?;
        c.participants.insert(participant_sid.clone(), participant.clone());
        let fields = participant_fields(c, &participant);
        self.record("onParticipantAdded", fields);
        let c = &self.conversations[conversation];
        let roster = c.roster.clone();
        let data = self.roster_data(&participant);
        if let Some(event) = self.sync.item_set(&roster, Key::Name(participant_sid.clone()), data) {
            self.publish(&roster, Kind::Map, &event);
        }
        if let Some(identity) = &participant.identity {
            self.refresh_my_conversation(conversation, identity);
        }
        Ok(participant_sid)
    }

    /// The participant SID for an identity or SID.
    pub(crate) fn participant_sid(
        &self,
        conversation: &str,
        identity_or_sid: &str,
    ) -> Option<String> {
        let c = self.conversations.get(conversation)?;
        if c.participants.contains_key(identity_or_sid) {
            return Some(identity_or_sid.to_owned());
        }
        c.participant_by_identity(identity_or_sid).map(|p| p.sid.clone())
    }

    /// Removes a participant by SID.
    pub(crate) fn remove_participant(
        &mut self,
        conversation: &str,
        participant_sid: &str,
    ) -> Result<(), TwilioError> {
        let c = self.conversations.get_mut(conversation).ok_or_else(|| not_found(conversation))?;
        let participant =
            c.participants.remove(participant_sid).ok_or_else(|| not_found(participant_sid))?;
        let fields = participant_fields(c, &participant);
        let roster = c.roster.clone();
        self.record("onParticipantRemoved", fields);
        if let Some(event) = self.sync.item_remove(&roster, &Key::Name(participant_sid.to_owned()))
        {
            self.publish(&roster, Kind::Map, &event);
        }
        if let Some(identity) = &participant.identity {
            let map = self.ensure_user(identity).my_conversations.clone();
            self.map_remove(&map, conversation);
            // The removed user's connections lose their subscriptions to this conversation.
            let objects: Vec<String> = {
                let c = &self.conversations[conversation];
                vec![c.document.clone(), c.list.clone(), c.roster.clone()]
            };
            let connections: Vec<u64> = self
                .connections
                .iter()
                .filter(|(_, conn)| conn.identity.as_deref() == Some(identity.as_str()))
                .map(|(id, _)| *id)
                .collect();
            for connection in connections {
                for object in &objects {
                    self.unsubscribe(connection, object);
                }
            }
        }
        Ok(())
    }

    /// Updates a participant's attributes.
    pub(crate) fn update_participant(
        &mut self,
        conversation: &str,
        participant_sid: &str,
        attributes: String,
    ) -> Result<(), TwilioError> {
        Self::check_attributes("Participant", &attributes, self.config.limits.attributes_bytes)?;
        let c = self.conversations.get_mut(conversation).ok_or_else(|| not_found(conversation))?;
        let participant =
            c.participants.get_mut(participant_sid).ok_or_else(|| not_found(participant_sid))?;
        participant.attributes = attributes;
        participant.date_updated = now_millis();
        let fields = participant_fields(c, &c.participants[participant_sid]);
        self.record("onParticipantUpdated", fields);
        self.publish_participant(conversation, participant_sid);
        Ok(())
    }

    /// Sets `identity`'s read horizon; returns the unread count.
    pub(crate) fn set_read_horizon(
        &mut self,
        conversation: &str,
        identity: &str,
        index: Option<u64>,
    ) -> Result<Option<u64>, TwilioError> {
        let c = self.conversations.get_mut(conversation).ok_or_else(|| not_found(conversation))?;
        let participant_sid = c
            .participant_by_identity(identity)
            .map(|p| p.sid.clone())
            .ok_or_else(|| not_found(identity))?;
        // Clamped to the last message's index: past it means the same (nothing unread), and
        // an index near u64::MAX only invites overflow wherever it is used.
        let last = c.messages.keys().next_back().copied();
        let index = index.map(|i| last.map_or(i, |last| i.min(last)));
        let now = now_millis();
        let participant = c.participants.get_mut(&participant_sid).expect("found above");
        participant.last_read = index;
        participant.last_read_at = Some(now);
        participant.date_updated = now;
        self.publish_participant(conversation, &participant_sid);
        self.refresh_my_conversation(conversation, identity);
        Ok(self.unread_count(conversation, identity))
    }

    /// Sets `identity`'s notification level (`default` or `muted`).
    pub(crate) fn set_notification_level(
        &mut self,
        conversation: &str,
        identity: &str,
        level: &str,
    ) -> Result<(), TwilioError> {
        if !matches!(level, "default" | "muted") {
            return Err(bad_request("notification_level must be default or muted"));
        }
        let c = self.conversations.get_mut(conversation).ok_or_else(|| not_found(conversation))?;
        let sid = c
            .participant_by_identity(identity)
            .map(|p| p.sid.clone())
            .ok_or_else(|| not_found(identity))?;
        c.participants.get_mut(&sid).expect("found above").notification_level = level.to_owned();
        self.refresh_my_conversation(conversation, identity);
        Ok(())
    }

    /// Messages after `identity`'s horizon (capped at 1000, as Twilio documents); `None`
    /// while the user has no horizon.
    pub(crate) fn unread_count(&self, conversation: &str, identity: &str) -> Option<u64> {
        let c = self.conversations.get(conversation)?;
        let horizon = c.participant_by_identity(identity)?.last_read?;
        let after = (std::ops::Bound::Excluded(horizon), std::ops::Bound::Unbounded);
        Some((c.messages.range(after).count() as u64).min(1000))
    }

    /// Sends a typing notification for `identity` to the other chat participants.
    pub(crate) fn typing(
        &mut self,
        conversation: &str,
        identity: &str,
    ) -> Result<u64, TwilioError> {
        let c = self.conversations.get(conversation).ok_or_else(|| not_found(conversation))?;
        let others: Vec<String> = c
            .participants
            .values()
            .filter_map(|p| p.identity.clone())
            .filter(|i| i != identity)
            .collect();
        let timeout = self.config.typing_timeout.as_secs();
        let payload = json!({ "channel_sid": conversation, "identity": identity, "typing_timeout": timeout + 1 });
        self.notify_identities(&others, "twilio.ipmsg.typing_indicator", &payload);
        Ok(timeout)
    }

    /// Rewrites the conversation document and publishes it.
    pub(crate) fn publish_document(&mut self, conversation: &str) {
        let Some(c) = self.conversations.get(conversation) else { return };
        let (document, data) = (c.document.clone(), document_data(c));
        if let Some(event) = self.sync.document_set(&document, data) {
            self.publish(&document, Kind::Document, &event);
        }
    }

    pub(super) fn publish_participant(&mut self, conversation: &str, participant_sid: &str) {
        let c = &self.conversations[conversation];
        let roster = c.roster.clone();
        let data = self.roster_data(&c.participants[participant_sid]);
        if let Some(event) =
            self.sync.item_set(&roster, Key::Name(participant_sid.to_owned()), data)
        {
            self.publish(&roster, Kind::Map, &event);
        }
    }

    /// Rewrites `identity`'s my-conversations item for `conversation`.
    pub(crate) fn refresh_my_conversation(&mut self, conversation: &str, identity: &str) {
        let c = &self.conversations[conversation];
        let Some(participant) = c.participant_by_identity(identity) else { return };
        let data = json!({
            "channel_sid": c.sid,
            "status": "joined",
            "channel": c.document,
            "messages": c.list,
            "roster": c.roster,
            "lastConsumedMessageIndex": participant.last_read,
            "notificationLevel": participant.notification_level,
        });
        let map = self.ensure_user(identity).my_conversations.clone();
        self.map_set(&map, conversation, data);
    }

    fn roster_data(&self, p: &Participant) -> Value {
        let user_info =
            p.identity.as_ref().and_then(|i| self.users.get(i)).map(|u| u.user_info.clone());
        let mut data = json!({
            "identity": p.identity,
            "type": p.kind,
            "attributes": p.attributes,
            "dateCreated": iso(p.date_created),
            "dateUpdated": iso(p.date_updated),
            "lastConsumedMessageIndex": p.last_read,
            "lastConsumptionTimestamp": p.last_read_at.map(iso),
            "roleSid": p.role_sid,
            "userInfo": user_info,
        });
        if let Some(b) = &p.messaging_binding {
            let kind = b["type"].as_str().unwrap_or("sms");
            data["bindings"] =
                json!({ kind: { "address": b["address"], "proxy_address": b["proxy_address"] } });
        }
        data
    }
}

/// The conversation document (no per-user fields: state.md §3.3).
fn document_data(c: &Conversation) -> Value {
    let mut data = json!({
        "messages": c.list,
        "roster": c.roster,
        "friendlyName": c.friendly_name,
        "uniqueName": c.unique_name,
        "attributes": c.attributes,
        "createdBy": c.created_by,
        "dateCreated": iso(c.date_created),
        "dateUpdated": iso(c.date_updated),
        "state": { "current": c.state.as_str(), "dateUpdated": iso(c.state_updated) },
    });
    // Absent, not null, until there is a message: the SDK reads its fields when present.
    if let Some((index, m)) = c.messages.last_key_value() {
        data["lastMessage"] = json!({ "index": index, "timestamp": iso(m.date_created) });
    }
    data
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::EmulatorConfig;

    /// A world with one conversation carrying these timers (seconds), and the conversation's
    /// last activity, which the tests use as "now": time is an input here, not the wall clock.
    fn world_with(inactive: Option<f64>, closed: Option<f64>) -> (World, String, u64) {
        let mut world = World::new(EmulatorConfig::default(), "http://127.0.0.1:1".to_owned());
        let sid =
            world.create_conversation("system", None, Some("timed".to_owned()), None).unwrap();
        let timers = ConversationUpdate {
            timer_inactive: Some(inactive),
            timer_closed: Some(closed),
            ..ConversationUpdate::default()
        };
        world.update_conversation(&sid, timers).unwrap();
        world.pending_events.clear();
        let now = world.conversations[&sid].last_activity;
        (world, sid, now)
    }

    /// The state changes recorded since the last call: `(from, to, reason)`.
    fn transitions(world: &mut World) -> Vec<(String, String, String)> {
        let field = |fields: &[(String, String)], name: &str| {
            fields.iter().find(|(k, _)| k == name).map(|(_, v)| v.clone()).unwrap_or_default()
        };
        std::mem::take(&mut world.pending_events)
            .into_iter()
            .filter(|e| e.event_type == "onConversationStateUpdated")
            .map(|e| {
                let f = &e.fields;
                (field(f, "StateFrom"), field(f, "StateTo"), field(f, "Reason"))
            })
            .collect()
    }

    fn step(from: &str, to: &str) -> (String, String, String) {
        (from.to_owned(), to.to_owned(), "TIMER".to_owned())
    }

    #[test]
    fn test_timers_fire_once_the_last_activity_is_moved_back_past_them() {
        let (mut world, sid, now) = world_with(Some(60.0), Some(600.0));
        assert!(!world.apply_timers(now), "nothing due at creation");
        assert!(world.idle(&sid, 59_000));
        assert!(!world.apply_timers(now), "59 s idle: not yet");
        assert_eq!(world.conversations[&sid].state, State::Active);
        assert!(world.idle("timed", 1_000), "by unique name too");
        assert!(world.apply_timers(now), "60 s idle: the inactive timer is due");
        assert_eq!(world.conversations[&sid].state, State::Inactive);
        assert_eq!(transitions(&mut world), [step("active", "inactive")]);

        assert!(world.idle(&sid, 539_000));
        assert!(!world.apply_timers(now), "599 s idle: not closed yet");
        assert!(world.idle(&sid, 1_000));
        assert!(world.apply_timers(now));
        assert_eq!(world.conversations[&sid].state, State::Closed);
        assert_eq!(transitions(&mut world), [step("inactive", "closed")]);
        assert!(!world.apply_timers(now + 86_400_000), "closed stays closed, fires nothing more");
        assert_eq!(transitions(&mut world), []);
    }

    #[test]
    fn test_a_jump_past_both_deadlines_fires_them_in_the_order_they_fell_due() {
        let (mut world, sid, now) = world_with(Some(60.0), Some(600.0));
        world.idle(&sid, 3_600_000);
        assert!(world.apply_timers(now));
        assert_eq!(
            transitions(&mut world),
            [step("active", "inactive"), step("inactive", "closed")]
        );

        // A closed deadline before the inactive one closes without passing through inactive.
        let (mut world, sid, now) = world_with(Some(86_400.0), Some(600.0));
        world.idle(&sid, 90_000_000);
        assert!(world.apply_timers(now));
        assert_eq!(transitions(&mut world), [step("active", "closed")]);

        // The closed timer alone.
        let (mut world, sid, now) = world_with(None, Some(600.0));
        world.idle(&sid, 600_000);
        assert!(world.apply_timers(now));
        assert_eq!(transitions(&mut world), [step("active", "closed")]);
    }

    #[test]
    fn test_idle_knows_only_existing_conversations_and_never_underflows() {
        let (mut world, sid, now) = world_with(Some(60.0), None);
        assert!(!world.idle("CH00000000000000000000000000000000", 1_000));
        assert!(world.idle(&sid, u64::MAX));
        assert_eq!(world.conversations[&sid].last_activity, 0);
        assert!(world.apply_timers(now));
        // A huge timer saturates instead of overflowing.
        let (mut world, sid, now) = world_with(Some(1e30), None);
        assert_eq!(world.conversations[&sid].timer_deadlines().0, Some(u64::MAX));
        assert!(!world.apply_timers(now));
    }

    #[test]
    fn test_the_default_timers_are_set_on_conversations_created_afterwards() {
        let mut world = World::new(EmulatorConfig::default(), "http://127.0.0.1:1".to_owned());
        let before = world.create_conversation("system", None, None, None).unwrap();
        world.default_timers.inactive = Some(("PT1M".to_owned(), 60.0));
        world.default_timers.closed = Some(("PT10M".to_owned(), 600.0));
        let after = world.create_conversation("alice", None, None, None).unwrap();
        let c = &world.conversations[&after];
        assert_eq!((c.timer_inactive, c.timer_closed), (Some(60.0), Some(600.0)));
        let c = &world.conversations[&before];
        assert_eq!((c.timer_inactive, c.timer_closed), (None, None), "earlier ones keep theirs");
    }
}
