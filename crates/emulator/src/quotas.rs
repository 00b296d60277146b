//! Per-identity bounds on what a token holder can make the emulator keep: mutation ids, the
//! conversations it creates over twilsock, its unattached uploads. Twilio's own counter limits
//! answer 403 ("Chat Limits": a command that would exceed one is rejected with a 403).

use convo_wire::TwilioError;

use crate::{
    routing::{bad_request, forbidden},
    world::World,
};

impl World {
    /// A mutation id must be short: the outcome is remembered under it.
    pub(crate) fn check_mutation_id(&self, id: &str) -> Result<(), TwilioError> {
        let limit = self.config.quotas.mutation_id_bytes;
        if id.len() > limit {
            return Err(bad_request(format!(
                "X-Twilio-Mutation-Id is {} bytes; the limit is {limit}",
                id.len()
            )));
        }
        Ok(())
    }

    /// Whether `identity` may create one more conversation over twilsock.
    pub(crate) fn check_conversation_quota(&self, identity: &str) -> Result<(), TwilioError> {
        let limit = self.config.quotas.conversations_per_identity;
        let created = self.conversations.values().filter(|c| c.created_by == identity).count();
        if created >= limit {
            return Err(forbidden(format!(
                "User {identity} has created {created} conversations; the limit is {limit}"
            )));
        }
        Ok(())
    }

    /// Whether `identity` may upload `adding` more bytes while its earlier uploads wait.
    pub(crate) fn check_media_quota(
        &self,
        identity: &str,
        adding: usize,
    ) -> Result<(), TwilioError> {
        let limit = self.config.quotas.unattached_media_bytes;
        let held: usize = self
            .media
            .values()
            .filter(|m| m.author == identity && m.attached_to.is_none())
            .map(|m| m.bytes.len())
            .sum();
        if held.saturating_add(adding) > limit {
            return Err(forbidden(format!(
                "User {identity} holds {held} bytes of media not sent in any message; \
                 the limit is {limit}: send or wait for them to expire"
            )));
        }
        Ok(())
    }

    /// Deletes uploads never attached to a message whose time-to-live has passed at `now`
    /// (Unix ms).
    pub(crate) fn expire_unattached_media(&mut self, now: u64) {
        let ttl =
            u64::try_from(self.config.quotas.unattached_media_ttl.as_millis()).unwrap_or(u64::MAX);
        self.media
            .retain(|_, m| m.attached_to.is_some() || m.date_created.saturating_add(ttl) > now);
    }
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use axum::body::Bytes;

    use crate::{world::Media, EmulatorConfig};

    use super::*;

    fn media(author: &str, size: usize, at: u64, attached: bool) -> Media {
        Media {
            sid: crate::ids::sid("ME"),
            bytes: Bytes::from(vec![0; size]),
            content_type: "text/plain".to_owned(),
            filename: None,
            category: "media".to_owned(),
            author: author.to_owned(),
            date_created: at,
            attached_to: attached.then(|| ("CH1".to_owned(), "IM1".to_owned())),
            temporary_token: String::new(),
            temporary_expires: 0,
        }
    }

    fn world(quotas: impl FnOnce(&mut crate::Quotas)) -> World {
        let mut config = EmulatorConfig::default();
        quotas(&mut config.quotas);
        World::new(config, "http://127.0.0.1:1".to_owned())
    }

    #[test]
    fn test_unattached_media_expire_after_their_ttl_and_attached_stay() {
        let mut world = world(|q| q.unattached_media_ttl = Duration::from_secs(60));
        let (old, fresh, sent) =
            (media("a", 1, 1_000, false), media("a", 1, 50_000, false), media("a", 1, 1_000, true));
        let sids = [old.sid.clone(), fresh.sid.clone(), sent.sid.clone()];
        for m in [old, fresh, sent] {
            world.media.insert(m.sid.clone(), m);
        }
        world.expire_unattached_media(61_000);
        assert!(!world.media.contains_key(&sids[0]), "expired");
        assert!(world.media.contains_key(&sids[1]), "younger than the ttl");
        assert!(world.media.contains_key(&sids[2]), "attached media never expire");
    }

    #[test]
    fn test_media_quota_counts_only_the_uploaders_unattached_bytes() {
        let mut world = world(|q| q.unattached_media_bytes = 100);
        for m in [media("a", 60, 0, false), media("a", 500, 0, true), media("b", 90, 0, false)] {
            world.media.insert(m.sid.clone(), m);
        }
        assert!(world.check_media_quota("a", 40).is_ok());
        let refused = world.check_media_quota("a", 41).unwrap_err();
        assert_eq!((refused.status, refused.code), (403, 20403));
        assert!(world.check_media_quota("b", 10).is_ok());
    }

    #[test]
    fn test_mutation_ids_are_capped() {
        let world = world(|_| {});
        assert!(world.check_mutation_id(&"m".repeat(128)).is_ok());
        let refused = world.check_mutation_id(&"m".repeat(60 * 1024)).unwrap_err();
        assert_eq!((refused.status, refused.code), (400, 20001));
    }
}
