//! Twilio's role model: service-scope roles (held by users) and conversation-scope roles (held by
//! participants), each a named set of permissions, and the three default roles the service
//! Configuration names.
//!
//! Where the names come from:
//! * Permission values and role fields — the Conversations Role resource,
//!   <https://www.twilio.com/docs/conversations/api/role-resource> ("Permission Values").
//! * Default-role fields — the Service Configuration resource,
//!   <https://www.twilio.com/docs/conversations/api/service-configuration-resource>
//!   (`default_chat_service_role_sid`, `default_conversation_role_sid`,
//!   `default_conversation_creator_role_sid`).
//! * The default roles' names and permission sets — the roles every new service is created with,
//!   <https://www.twilio.com/docs/chat/permissions> ("Default Roles and Permissions": Service
//!   Admin, Service User, Channel Admin, Channel User), with the Chat names carried over to their
//!   Conversations values (channel → conversation, member → participant, destroyChannel →
//!   deleteConversation; `inviteMember` has no Conversations counterpart). That service-scope
//!   roles may also hold conversation permissions, which then apply in every conversation, is
//!   shown by the Flex Conversations roles,
//!   <https://www.twilio.com/docs/flex/admin-guide/setup/conversations/conversations-roles>.
//! * A refusal for a missing permission is error 50107 "User not authorized for command",
//!   <https://www.twilio.com/docs/api/errors/50107>, with status 403.

use std::collections::BTreeMap;

use convo_wire::TwilioError;

use super::World;
use crate::{
    ids::{now_millis, sid},
    routing::bad_request,
};

/// A permission a role can grant.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Permission {
    // Conversation scope.
    AddNonChatParticipant,
    AddParticipant,
    DeleteAnyMessage,
    DeleteConversation,
    DeleteOwnMessage,
    EditAnyMessage,
    EditAnyMessageAttributes,
    EditAnyParticipantAttributes,
    EditConversationAttributes,
    EditConversationName,
    EditNotificationLevel,
    EditOwnMessage,
    EditOwnMessageAttributes,
    EditOwnParticipantAttributes,
    LeaveConversation,
    RemoveParticipant,
    SendMediaMessage,
    SendMessage,
    // Service scope only.
    CreateConversation,
    EditAnyUserInfo,
    EditOwnUserInfo,
    JoinConversation,
}

use Permission::*;

/// Every permission with its Twilio value, and whether only a service role may hold it.
const PERMISSIONS: &[(Permission, &str, bool)] = &[
    (AddNonChatParticipant, "addNonChatParticipant", false),
    (AddParticipant, "addParticipant", false),
    (DeleteAnyMessage, "deleteAnyMessage", false),
    (DeleteConversation, "deleteConversation", false),
    (DeleteOwnMessage, "deleteOwnMessage", false),
    (EditAnyMessage, "editAnyMessage", false),
    (EditAnyMessageAttributes, "editAnyMessageAttributes", false),
    (EditAnyParticipantAttributes, "editAnyParticipantAttributes", false),
    (EditConversationAttributes, "editConversationAttributes", false),
    (EditConversationName, "editConversationName", false),
    (EditNotificationLevel, "editNotificationLevel", false),
    (EditOwnMessage, "editOwnMessage", false),
    (EditOwnMessageAttributes, "editOwnMessageAttributes", false),
    (EditOwnParticipantAttributes, "editOwnParticipantAttributes", false),
    (LeaveConversation, "leaveConversation", false),
    (RemoveParticipant, "removeParticipant", false),
    (SendMediaMessage, "sendMediaMessage", false),
    (SendMessage, "sendMessage", false),
    (CreateConversation, "createConversation", true),
    (EditAnyUserInfo, "editAnyUserInfo", true),
    (EditOwnUserInfo, "editOwnUserInfo", true),
    (JoinConversation, "joinConversation", true),
];

impl Permission {
    pub(crate) fn as_str(self) -> &'static str {
        PERMISSIONS.iter().find(|(p, _, _)| *p == self).map_or("", |(_, name, _)| name)
    }

    fn parse(name: &str) -> Option<(Permission, bool)> {
        PERMISSIONS
            .iter()
            .find(|(_, n, _)| *n == name)
            .map(|(p, _, service_only)| (*p, *service_only))
    }
}

/// Which kind of holder a role is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum RoleType {
    /// Held by a participant, within one conversation.
    Conversation,
    /// Held by a user, across the service.
    Service,
}

impl RoleType {
    pub(crate) fn as_str(self) -> &'static str {
        match self {
            RoleType::Conversation => "conversation",
            RoleType::Service => "service",
        }
    }

    pub(crate) fn parse(s: &str) -> Option<RoleType> {
        match s {
            "conversation" => Some(RoleType::Conversation),
            "service" => Some(RoleType::Service),
            _ => None,
        }
    }
}

#[derive(Debug, Clone)]
pub(crate) struct Role {
    pub(crate) sid: String,
    pub(crate) friendly_name: String,
    pub(crate) kind: RoleType,
    pub(crate) permissions: Vec<Permission>,
    pub(crate) date_created: u64,
    pub(crate) date_updated: u64,
}

/// The service's roles and which of them are the defaults.
#[derive(Debug)]
pub(crate) struct Roles {
    by_sid: BTreeMap<String, Role>,
    /// SIDs in creation order: lists are oldest first, and SIDs are random.
    order: Vec<String>,
    /// Given to users when they first appear (`default_chat_service_role_sid`).
    pub(crate) default_service: String,
    /// Given to participants when they are added (`default_conversation_role_sid`).
    pub(crate) default_conversation: String,
    /// Given to a conversation's creator when it joins (`default_conversation_creator_role_sid`).
    pub(crate) default_creator: String,
}

const SERVICE_ADMIN: &[Permission] = &[
    CreateConversation,
    JoinConversation,
    DeleteConversation,
    EditConversationAttributes,
    EditConversationName,
    AddParticipant,
    RemoveParticipant,
    EditAnyParticipantAttributes,
    EditAnyMessage,
    DeleteAnyMessage,
    EditAnyMessageAttributes,
    EditAnyUserInfo,
];
const SERVICE_USER: &[Permission] = &[CreateConversation, JoinConversation, EditOwnUserInfo];
const CHANNEL_ADMIN: &[Permission] = &[
    AddParticipant,
    AddNonChatParticipant,
    RemoveParticipant,
    DeleteConversation,
    EditConversationName,
    EditConversationAttributes,
    EditAnyParticipantAttributes,
    EditAnyMessage,
    EditAnyMessageAttributes,
    DeleteAnyMessage,
    SendMessage,
    SendMediaMessage,
    LeaveConversation,
    EditOwnMessage,
    EditOwnMessageAttributes,
    DeleteOwnMessage,
    EditOwnParticipantAttributes,
    EditNotificationLevel,
];
// A visitor in a support chat holds this role: it writes and edits its own things and leaves,
// and nothing that reaches other participants or the conversation itself.
const CHANNEL_USER: &[Permission] = &[
    SendMessage,
    SendMediaMessage,
    LeaveConversation,
    EditOwnMessage,
    EditOwnMessageAttributes,
    DeleteOwnMessage,
    EditOwnParticipantAttributes,
    EditNotificationLevel,
];

impl Roles {
    /// The roles a new service starts with.
    pub(crate) fn new() -> Roles {
        let mut roles = Roles {
            by_sid: BTreeMap::new(),
            order: Vec::new(),
            default_service: String::new(),
            default_conversation: String::new(),
            default_creator: String::new(),
        };
        roles.insert("service admin", RoleType::Service, SERVICE_ADMIN);
        roles.default_service = roles.insert("service user", RoleType::Service, SERVICE_USER);
        roles.default_creator =
            roles.insert("channel admin", RoleType::Conversation, CHANNEL_ADMIN);
        roles.default_conversation =
            roles.insert("channel user", RoleType::Conversation, CHANNEL_USER);
        roles
    }

    fn insert(&mut self, name: &str, kind: RoleType, permissions: &[Permission]) -> String {
        let now = now_millis();
        let role = Role {
            sid: sid("RL"),
            friendly_name: name.to_owned(),
            kind,
            permissions: permissions.to_vec(),
            date_created: now,
            date_updated: now,
        };
        let sid = role.sid.clone();
        self.by_sid.insert(sid.clone(), role);
        self.order.push(sid.clone());
        sid
    }

    pub(crate) fn get(&self, sid: &str) -> Option<&Role> {
        self.by_sid.get(sid)
    }

    /// Every role, oldest first.
    pub(crate) fn list(&self) -> Vec<&Role> {
        self.order.iter().filter_map(|sid| self.by_sid.get(sid)).collect()
    }

    /// Creates a role from Twilio's create parameters. Returns its SID.
    pub(crate) fn create(
        &mut self,
        friendly_name: &str,
        kind: &str,
        permissions: &[&str],
    ) -> Result<String, TwilioError> {
        if friendly_name.is_empty() || friendly_name.chars().count() > 64 {
            return Err(bad_request("FriendlyName is required and at most 64 characters"));
        }
        let kind = RoleType::parse(kind)
            .ok_or_else(|| bad_request("Type must be conversation or service"))?;
        let permissions = parse_permissions(kind, permissions)?;
        Ok(self.insert(friendly_name, kind, &permissions))
    }

    /// Replaces a role's permissions (Twilio's update replaces, it does not add).
    pub(crate) fn update(&mut self, sid: &str, permissions: &[&str]) -> Result<(), TwilioError> {
        let kind = self.by_sid.get(sid).map(|r| r.kind).ok_or_else(|| role_not_found(sid))?;
        let permissions = parse_permissions(kind, permissions)?;
        let role = self.by_sid.get_mut(sid).ok_or_else(|| role_not_found(sid))?;
        role.permissions = permissions;
        role.date_updated = now_millis();
        Ok(())
    }

    /// Removes a role that no default names; `in_use` says whether a user or participant holds
    /// it (those keep working only while the role exists, so it stays).
    pub(crate) fn delete(&mut self, sid: &str, in_use: bool) -> Result<(), TwilioError> {
        if !self.by_sid.contains_key(sid) {
            return Err(role_not_found(sid));
        }
        if [&self.default_service, &self.default_conversation, &self.default_creator]
            .contains(&&sid.to_owned())
        {
            return Err(bad_request(format!("Role {sid} is a default role of the service")));
        }
        if in_use {
            return Err(bad_request(format!("Role {sid} is assigned to users or participants")));
        }
        self.by_sid.remove(sid);
        self.order.retain(|s| s != sid);
        Ok(())
    }

    /// `sid` if it names a role of type `kind` (for `RoleSid` parameters).
    pub(crate) fn check(&self, sid: &str, kind: RoleType) -> Result<String, TwilioError> {
        match self.by_sid.get(sid) {
            Some(role) if role.kind == kind => Ok(role.sid.clone()),
            Some(_) => Err(bad_request(format!("Role {sid} is not a {} role", kind.as_str()))),
            None => Err(bad_request(format!("Role {sid} does not exist"))),
        }
    }

    fn grants(&self, sid: &str, permission: Permission) -> bool {
        self.by_sid.get(sid).is_some_and(|r| r.permissions.contains(&permission))
    }
}

fn parse_permissions(kind: RoleType, names: &[&str]) -> Result<Vec<Permission>, TwilioError> {
    if names.is_empty() {
        return Err(bad_request("At least one Permission is required"));
    }
    let mut permissions = Vec::with_capacity(names.len());
    for name in names {
        let (permission, service_only) = Permission::parse(name)
            .ok_or_else(|| bad_request(format!("{name} is not a permission")))?;
        if service_only && kind == RoleType::Conversation {
            return Err(bad_request(format!(
                "{name} is a service permission, not a conversation one"
            )));
        }
        if !permissions.contains(&permission) {
            permissions.push(permission);
        }
    }
    Ok(permissions)
}

fn role_not_found(sid: &str) -> TwilioError {
    crate::routing::not_found(format!("Role {sid}"))
}

/// Twilio's refusal for a command the caller's roles do not allow.
pub(crate) fn not_permitted(identity: &str, permission: Permission) -> TwilioError {
    TwilioError::new(
        403,
        50107,
        format!(
            "User {identity} not authorized for command: needs the {} permission",
            permission.as_str()
        ),
    )
}

impl World {
    /// Whether `identity` holds `permission`: through its service role (which applies in every
    /// conversation) or, inside `conversation`, through its participant role there.
    pub(crate) fn permitted(
        &self,
        identity: &str,
        conversation: Option<&str>,
        permission: Permission,
    ) -> bool {
        let service_role = self
            .users
            .get(identity)
            .map_or(self.roles.default_service.as_str(), |u| u.role_sid.as_str());
        if self.roles.grants(service_role, permission) {
            return true;
        }
        conversation
            .and_then(|c| self.conversations.get(c))
            .and_then(|c| c.participant_by_identity(identity))
            .is_some_and(|p| self.roles.grants(&p.role_sid, permission))
    }

    /// `permitted`, as a Twilio refusal when not.
    pub(crate) fn require(
        &self,
        identity: &str,
        conversation: Option<&str>,
        permission: Permission,
    ) -> Result<(), TwilioError> {
        if self.permitted(identity, conversation, permission) {
            Ok(())
        } else {
            Err(not_permitted(identity, permission))
        }
    }

    /// Whether any user or participant holds role `sid`.
    pub(crate) fn role_in_use(&self, sid: &str) -> bool {
        self.users.values().any(|u| u.role_sid == sid)
            || self
                .conversations
                .values()
                .any(|c| c.participants.values().any(|p| p.role_sid == sid))
    }

    /// Gives a participant another conversation role and publishes it.
    pub(crate) fn set_participant_role(
        &mut self,
        conversation: &str,
        participant_sid: &str,
        role_sid: &str,
    ) -> Result<(), TwilioError> {
        let role = self.roles.check(role_sid, RoleType::Conversation)?;
        let c = self
            .conversations
            .get_mut(conversation)
            .ok_or_else(|| crate::routing::not_found(conversation))?;
        let participant = c
            .participants
            .get_mut(participant_sid)
            .ok_or_else(|| crate::routing::not_found(participant_sid))?;
        participant.role_sid = role;
        participant.date_updated = now_millis();
        let fields = crate::webhooks::participant_fields(c, &c.participants[participant_sid]);
        self.record("onParticipantUpdated", fields);
        self.publish_participant(conversation, participant_sid);
        Ok(())
    }

    /// Gives a user another service role.
    pub(crate) fn set_user_role(
        &mut self,
        identity: &str,
        role_sid: &str,
    ) -> Result<(), TwilioError> {
        let role = self.roles.check(role_sid, RoleType::Service)?;
        self.ensure_user(identity);
        if let Some(user) = self.users.get_mut(identity) {
            user.role_sid = role;
            user.date_updated = now_millis();
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn test_default_roles_are_twilio_defaults() {
        let roles = Roles::new();
        let names: Vec<(&str, &str)> =
            roles.list().iter().map(|r| (r.friendly_name.as_str(), r.kind.as_str())).collect();
        assert_eq!(
            names,
            [
                ("service admin", "service"),
                ("service user", "service"),
                ("channel admin", "conversation"),
                ("channel user", "conversation"),
            ]
        );
        let user = roles.get(&roles.default_conversation).unwrap();
        for denied in [AddParticipant, RemoveParticipant, EditConversationName, DeleteConversation]
        {
            assert!(!user.permissions.contains(&denied), "{denied:?}");
        }
        let creator = roles.get(&roles.default_creator).unwrap();
        assert!(creator.permissions.contains(&RemoveParticipant));
    }

    #[test]
    fn test_conversation_roles_refuse_service_permissions() {
        let mut roles = Roles::new();
        assert!(roles.create("x", "conversation", &["createConversation"]).is_err());
        assert!(roles.create("x", "conversation", &["sendMesage"]).is_err());
        assert!(roles.create("x", "conversation", &[]).is_err());
        let sid = roles.create("x", "service", &["createConversation", "addParticipant"]).unwrap();
        roles.update(&sid, &["joinConversation"]).unwrap();
        assert_eq!(roles.get(&sid).unwrap().permissions, [JoinConversation]);
        assert!(roles.delete(&roles.default_service.clone(), false).is_err());
        roles.delete(&sid, false).unwrap();
    }

    #[test]
    fn test_every_permission_has_a_name() {
        for (permission, name, _) in PERMISSIONS {
            assert_eq!(permission.as_str(), *name);
            assert_eq!(Permission::parse(name).map(|p| p.0), Some(*permission));
        }
    }
}
