//! Connections: registration, presence, and pushing notifications to them.

use axum::body::Bytes;
use convo_wire::{message::Notification, Frame, Message, Status};
use serde_json::{json, Value};
use tokio::sync::mpsc;

use super::{Connection, Outbound, World};
use crate::sync::{Event, Kind};

impl World {
    pub(crate) fn register_connection(&mut self, outbound: mpsc::UnboundedSender<Outbound>) -> u64 {
        let id = self.next_connection;
        self.next_connection += 1;
        self.connections
            .insert(id, Connection { identity: None, outbound, subscriptions: Default::default() });
        id
    }

    /// Marks the connection as `identity`'s, creating the user on first sight; the user goes
    /// online with its first connection.
    pub(crate) fn authenticate_connection(&mut self, connection: u64, identity: &str) {
        self.ensure_user(identity);
        if let Some(c) = self.connections.get_mut(&connection) {
            c.identity = Some(identity.to_owned());
        }
        self.refresh_presence(identity);
    }

    pub(crate) fn unregister_connection(&mut self, connection: u64) {
        if let Some(Connection { identity: Some(identity), .. }) =
            self.connections.remove(&connection)
        {
            self.refresh_presence(&identity);
        }
    }

    /// Identities of authenticated connections, one entry per connection.
    pub(crate) fn connected_identities(&self) -> Vec<String> {
        self.connections.values().filter_map(|c| c.identity.clone()).collect()
    }

    /// Asks every connection (or those of one identity) to close, optionally with a twilsock
    /// status first.
    pub(crate) fn close_connections(&self, identity: Option<&str>, status: Option<Status>) {
        for c in self.connections.values() {
            if identity.is_none() || c.identity.as_deref() == identity {
                let _ = c.outbound.send(Outbound::Close(status.clone()));
            }
        }
    }

    fn refresh_presence(&mut self, identity: &str) {
        let online = self.connections.values().any(|c| c.identity.as_deref() == Some(identity));
        let Some(user) = self.users.get_mut(identity) else { return };
        if user.online == online {
            return;
        }
        user.online = online;
        let map = user.user_info.clone();
        self.map_set(&map, "reachability", json!({ "online": online, "notifiable": false }));
    }

    pub(crate) fn subscribe(&mut self, connection: u64, sid: &str) {
        if let Some(c) = self.connections.get_mut(&connection) {
            c.subscriptions.insert(sid.to_owned());
        }
    }

    pub(crate) fn unsubscribe(&mut self, connection: u64, sid: &str) {
        if let Some(c) = self.connections.get_mut(&connection) {
            c.subscriptions.remove(sid);
        }
    }

    /// Sends a notification to one connection.
    pub(crate) fn notify(&mut self, connection: u64, message_type: &str, payload: &Value) {
        let frame = self.notification(message_type, payload);
        if let Some(c) = self.connections.get(&connection) {
            let _ = c.outbound.send(Outbound::Frame(frame));
        }
    }

    /// Sends a notification to every connection of the given identities.
    pub(crate) fn notify_identities(
        &mut self,
        identities: &[String],
        message_type: &str,
        payload: &Value,
    ) {
        let frame = self.notification(message_type, payload);
        for c in self.connections.values() {
            if c.identity.as_ref().is_some_and(|i| identities.contains(i)) {
                let _ = c.outbound.send(Outbound::Frame(frame.clone()));
            }
        }
    }

    /// Pushes a live Sync event to every connection subscribed to `sid`.
    pub(crate) fn publish(&mut self, sid: &str, kind: Kind, event: &Event) {
        let payload = json!({ "event_type": event.event_type, "event_protocol_version": 4, "event": event.body });
        let frame = self.notification(&format!("com.twilio.rtd.cds.{}", kind.as_str()), &payload);
        for c in self.connections.values() {
            if c.subscriptions.contains(sid) {
                let _ = c.outbound.send(Outbound::Frame(frame.clone()));
            }
        }
    }

    /// Encodes a notification once; the same bytes go to every recipient.
    fn notification(&mut self, message_type: &str, payload: &Value) -> Bytes {
        let id = format!("TN{:016x}", self.next_push);
        self.next_push += 1;
        let header = Notification {
            id,
            message_type: message_type.to_owned(),
            payload_type: Some("application/json".to_owned()),
            extra: Default::default(),
        };
        Bytes::from(Frame::with_json(Message::Notification(header), payload).encode())
    }
}
