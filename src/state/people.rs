//! Who is who in the conversation: names and roles, from one place. Roles come only from the
//! conversation's `staff` attribute, which the host backend writes through REST and visitors
//! cannot change; a participant's own attributes (which it may edit) never make it an agent
//! or the bot.

use convo_client::{Participant, SortedMap};
use serde_json::Value;

/// What a participant is to the widget.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Role {
    /// A person on the support team.
    Agent,
    /// The automatic assistant.
    Bot,
    /// Anyone else: the visitor, seen from the desk.
    Visitor,
}

/// The participants, their public names and roles.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct People {
    participants: Vec<Participant>,
    roles: SortedMap<String, Role>,
    /// Who left while the visitor was here: their messages keep their name and picture.
    former: Vec<Participant>,
}

impl People {
    /// From the participants and the conversation's attributes (their `staff` map:
    /// `{ identity: "agent" | "bot" }`).
    pub fn new(mut participants: Vec<Participant>, attributes: Option<&Value>) -> Self {
        // Read horizons are the timeline's business: without them, a horizon moving leaves
        // `People` equal, and nothing that shows names renders again.
        for participant in &mut participants {
            participant.read_horizon = None;
        }
        let roles = attributes
            .and_then(|a| a["staff"].as_object())
            .map(|staff| {
                staff
                    .iter()
                    .filter_map(|(identity, role)| {
                        let role = match role.as_str()? {
                            "agent" => Role::Agent,
                            "bot" => Role::Bot,
                            _ => return None,
                        };
                        Some((identity.clone(), role))
                    })
                    .collect()
            })
            .unwrap_or_default();
        People { participants, roles, former: Vec::new() }
    }

    /// With `former` participants (see [`People::former`]): those back in the roster are not.
    pub fn with_former(mut self, mut former: Vec<Participant>) -> Self {
        former.retain(|f| !self.participants.iter().any(|p| p.identity == f.identity));
        self.former = former;
        self
    }

    /// Who left while the visitor was here (named still, never listed as present).
    pub fn former(&self) -> &[Participant] {
        &self.former
    }

    /// The participants as the client described them.
    pub fn participants(&self) -> &[Participant] {
        &self.participants
    }

    /// What `identity` is.
    pub fn role(&self, identity: &str) -> Role {
        self.roles.get(identity).copied().unwrap_or(Role::Visitor)
    }

    /// The name `identity` chose (its attributes' `friendlyName`) or its user's friendly
    /// name; `None` when it has neither (the view then shows a role word, never the raw
    /// identity).
    pub fn name(&self, identity: &str) -> Option<&str> {
        let participant = self.participant(identity)?;
        participant.attributes["friendlyName"]
            .as_str()
            .or(participant.user_friendly_name.as_deref())
            .filter(|name| !name.trim().is_empty())
    }

    /// `identity`'s participant attributes (its own: only for what it may choose, such as its
    /// name and picture; never for its role).
    pub fn attributes(&self, identity: &str) -> Option<&Value> {
        self.participant(identity).map(|p| &p.attributes)
    }

    /// `identity`'s public name: "You" for `me`, its chosen name, or a role word — never its
    /// raw identity.
    pub fn display_name(
        &self,
        me: Option<&str>,
        identity: &str,
        strings: &crate::i18n::Catalogue,
    ) -> String {
        if me == Some(identity) {
            return strings.you.to_owned();
        }
        match (self.name(identity), self.role(identity)) {
            (Some(name), _) => name.to_owned(),
            (None, Role::Bot) => strings.assistant.to_owned(),
            (None, _) => strings.agent.to_owned(),
        }
    }

    /// The agents in the conversation other than `me`: `(participant, name)`.
    pub fn agents<'a>(&'a self, me: Option<&'a str>) -> impl Iterator<Item = &'a Participant> + 'a {
        self.participants.iter().filter(move |p| {
            p.identity.as_deref().is_some_and(|i| Some(i) != me && self.role(i) == Role::Agent)
        })
    }

    fn participant(&self, identity: &str) -> Option<&Participant> {
        let is = |p: &&Participant| p.identity.as_deref() == Some(identity);
        self.participants.iter().find(is).or_else(|| self.former.iter().find(is))
    }
}
