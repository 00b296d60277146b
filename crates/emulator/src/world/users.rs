//! Users and their two Sync maps (user info, my conversations).

use serde_json::{json, Value};

use super::{Access, User, World};
use crate::{
    ids::{now_millis, sid},
    sync::{Key, Kind},
};

impl World {
    /// The user for `identity`, created (with its maps) on first sight.
    pub(crate) fn ensure_user(&mut self, identity: &str) -> &User {
        if !self.users.contains_key(identity) {
            let user_sid = sid("US");
            let user_info =
                self.sync.create(Kind::Map, Some(format!("{user_sid}.info")), Value::Null);
            let my_conversations =
                self.sync.create(Kind::Map, Some(format!("{user_sid}.conversations")), Value::Null);
            self.access.insert(user_info.clone(), Access::AnyUser);
            self.access.insert(my_conversations.clone(), Access::Owner(identity.to_owned()));
            // The SDK's init fails unless both items exist (state.md §3.2).
            for (key, data) in [
                ("friendlyName", json!({ "value": null })),
                ("attributes", json!({ "value": "{}" })),
                ("reachability", json!({ "online": false, "notifiable": false })),
            ] {
                self.sync.item_set(&user_info, Key::Name(key.to_owned()), data);
            }
            let now = now_millis();
            self.users.insert(
                identity.to_owned(),
                User {
                    sid: user_sid,
                    identity: identity.to_owned(),
                    friendly_name: None,
                    attributes: "{}".to_owned(),
                    role_sid: self.roles.default_service.clone(),
                    user_info,
                    my_conversations,
                    online: false,
                    date_created: now,
                    date_updated: now,
                },
            );
        }
        &self.users[identity]
    }

    /// Changes a user's friendly name and/or attributes (a JSON string).
    pub(crate) fn update_user(
        &mut self,
        identity: &str,
        friendly_name: Option<Option<String>>,
        attributes: Option<String>,
    ) {
        self.ensure_user(identity);
        let user = self.users.get_mut(identity).expect("ensured above");
        user.date_updated = now_millis();
        let map = user.user_info.clone();
        if let Some(name) = friendly_name {
            user.friendly_name = name.clone();
            self.map_set(&map, "friendlyName", json!({ "value": name }));
        }
        if let Some(attributes) = attributes {
            self.users.get_mut(identity).expect("ensured above").attributes = attributes.clone();
            self.map_set(&map, "attributes", json!({ "value": attributes }));
        }
    }

    /// Sets a map item and publishes the event.
    pub(crate) fn map_set(&mut self, map: &str, key: &str, data: Value) {
        if let Some(event) = self.sync.item_set(map, Key::Name(key.to_owned()), data) {
            self.publish(map, Kind::Map, &event);
        }
    }

    /// Removes a map item and publishes the event.
    pub(crate) fn map_remove(&mut self, map: &str, key: &str) {
        if let Some(event) = self.sync.item_remove(map, &Key::Name(key.to_owned())) {
            self.publish(map, Kind::Map, &event);
        }
    }
}
