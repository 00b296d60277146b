//! Attachments' temporary URLs. Twilio's last five minutes (the client reads each one's life
//! from the URL), and a chat stays open far longer, so each attachment's URL is kept with the
//! time it stops being fresh: a stale one is fetched again before it is used (shown, opened,
//! downloaded), and a load that fails asks for a fresh one once before the attachment shows as
//! not loaded, with a retry button. No timers: staleness is only checked when a URL is about to
//! be used. Pure, with the clock as an input; the handle does the fetching.

use std::time::Duration;

/// The most taken off a URL's life before it counts as stale: the time for it to travel from
/// here to the browser's request, with room for clocks and slow networks. Twilio's five
/// minutes are used for four.
const MAX_MARGIN: Duration = Duration::from_secs(60);

/// How long after it was fetched a URL valid for `life` is still handed out: all but a fifth of
/// its life (so a short one is not stale on arrival), at most [`MAX_MARGIN`] less.
pub fn fresh_for(life: Duration) -> Duration {
    life - (life / 5).min(MAX_MARGIN)
}

/// What the widget knows of one attachment's URL.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct MediaLink {
    /// The URL to use; none before the first arrives, nor once it failed to load.
    url: Option<String>,
    /// When `url` stops being fresh (milliseconds since the epoch).
    fresh_until: u64,
    /// A fetch is under way.
    fetching: bool,
    /// The URL being fetched or held was asked for because the previous one failed to load: if
    /// it fails too, the attachment shows as not loaded.
    retrying: bool,
    /// Neither a URL nor a retry could load it: "could not load", until the visitor retries.
    failed: bool,
    /// The visitor opened it (a download chip) before a fresh URL was at hand: open it, under
    /// this file name, on arrival.
    open_on_arrival: Option<String>,
}

impl MediaLink {
    /// The URL to show or link to, if any (it may be stale: see [`MediaLink::is_fresh`]).
    pub fn url(&self) -> Option<&str> {
        self.url.as_deref().filter(|_| !self.failed)
    }

    /// Whether it could not be loaded (a retry is up to the visitor).
    pub fn failed(&self) -> bool {
        self.failed
    }

    /// Whether there is a URL that still works at `now`.
    pub fn is_fresh(&self, now: u64) -> bool {
        self.url().is_some() && now < self.fresh_until
    }

    /// The attachment is about to be shown or opened at `now`: whether a URL must be fetched
    /// first (none yet, or stale, and no fetch under way). A stale URL is no longer handed out
    /// (an image would show broken until the fresh one came). A failed one is tried again: this
    /// is a new showing, not a loop.
    pub fn wanted(&mut self, now: u64) -> bool {
        if self.fetching || self.is_fresh(now) {
            return false;
        }
        self.url = None;
        self.failed = false;
        self.retrying = false;
        self.fetching = true;
        true
    }

    /// The visitor opens it (a download chip, file `name`) at `now`: `true` when the URL at
    /// hand is fresh and may be followed at once; otherwise it opens when the fresh one arrives
    /// (the caller fetches one when [`MediaLink::wanted`] says so).
    pub fn open(&mut self, now: u64, name: &str) -> bool {
        if self.is_fresh(now) {
            return true;
        }
        self.open_on_arrival = Some(name.to_owned());
        false
    }

    /// A URL arrived at `now`, valid for `life`. Returns the file name to open it as, when the
    /// visitor asked for it while it was on its way.
    pub fn fetched(&mut self, url: String, life: Duration, now: u64) -> Option<String> {
        let fresh = u64::try_from(fresh_for(life).as_millis()).unwrap_or(u64::MAX);
        self.url = Some(url);
        self.fresh_until = now.saturating_add(fresh);
        self.fetching = false;
        self.failed = false;
        std::mem::take(&mut self.open_on_arrival)
    }

    /// Asking for a URL failed. Returns the file name when the visitor was waiting to open it
    /// (they need to be told).
    pub fn fetch_failed(&mut self) -> Option<String> {
        self.fetching = false;
        self.failed = true;
        self.url = None;
        std::mem::take(&mut self.open_on_arrival)
    }

    /// `url` loaded: a later failure of it earns a retry again.
    pub fn loaded(&mut self, url: &str) {
        if self.url.as_deref() == Some(url) {
            self.retrying = false;
        }
    }

    /// Loading `url` failed (expired, or the network): whether to fetch a fresh one. Once per
    /// failure: a URL fetched after a failure that fails too gives up. Failures of a URL
    /// already replaced (another view of the same attachment, a late event) change nothing.
    pub fn load_failed(&mut self, url: &str) -> bool {
        if self.fetching || self.url.as_deref() != Some(url) {
            return false;
        }
        self.url = None;
        if self.retrying {
            self.retrying = false;
            self.failed = true;
            return false;
        }
        self.retrying = true;
        self.fetching = true;
        true
    }

    /// The visitor asks again after a failure: whether to fetch.
    pub fn retry(&mut self) -> bool {
        if self.fetching || !self.failed {
            return false;
        }
        self.failed = false;
        self.retrying = true;
        self.fetching = true;
        true
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const FIVE_MINUTES: Duration = Duration::from_secs(300);

    /// A link holding `url`, fetched at `at` for Twilio's five minutes.
    fn fetched_at(at: u64, url: &str) -> MediaLink {
        let mut link = MediaLink::default();
        assert!(link.wanted(at));
        link.fetched(url.to_owned(), FIVE_MINUTES, at);
        link
    }

    #[test]
    fn test_a_url_is_fresh_for_four_fifths_of_its_life_at_most_a_minute_less() {
        assert_eq!(fresh_for(FIVE_MINUTES), Duration::from_secs(240));
        assert_eq!(fresh_for(Duration::from_secs(5)), Duration::from_secs(4));
        assert_eq!(fresh_for(Duration::from_secs(3600)), Duration::from_secs(3540));
        assert_eq!(fresh_for(Duration::ZERO), Duration::ZERO);
    }

    #[test]
    fn test_a_stale_url_is_fetched_again_before_use_and_a_fresh_one_is_not() {
        let mut link = MediaLink::default();
        assert!(!link.is_fresh(0));
        assert!(link.wanted(1_000), "none yet: fetch");
        assert!(!link.wanted(1_001), "one fetch at a time");
        assert_eq!(link.url(), None);
        link.fetched("u1".into(), FIVE_MINUTES, 2_000);
        assert_eq!(link.url(), Some("u1"));
        assert!(link.is_fresh(2_000 + 239_999));
        assert!(!link.wanted(2_000 + 239_999), "fresh: used as it is");
        assert!(!link.is_fresh(2_000 + 240_000), "four minutes on, stale");
        assert!(link.wanted(2_000 + 240_000), "stale: fetched again");
        assert_eq!(link.url(), None, "and no longer handed out");
        link.fetched("u2".into(), FIVE_MINUTES, 250_000);
        assert!(link.is_fresh(250_000));
        assert_eq!(link.url(), Some("u2"));
    }

    #[test]
    fn test_a_short_life_is_learned_from_the_url() {
        let mut link = MediaLink::default();
        assert!(link.wanted(0));
        link.fetched("u1".into(), Duration::from_secs(5), 0);
        assert!(link.is_fresh(3_999));
        assert!(!link.is_fresh(4_000));
    }

    #[test]
    fn test_a_failed_load_is_retried_once_with_a_fresh_url_then_shows_as_failed() {
        let mut link = fetched_at(0, "u1");
        assert!(link.load_failed("u1"), "first failure: fetch a fresh URL");
        assert_eq!(link.url(), None, "the dead URL is not shown again");
        assert!(
            !link.load_failed("u1"),
            "the other view's failure of the same URL: no second fetch"
        );
        assert!(!link.wanted(1), "already fetching");
        link.fetched("u2".into(), FIVE_MINUTES, 10);
        assert!(!link.load_failed("u2"), "the retry failed too: no loop");
        assert!(link.failed());
        assert_eq!(link.url(), None);
        assert!(!link.load_failed("u2"));
        assert!(link.wanted(20), "a new showing (scrolled back, reopened) tries again");
        assert!(!link.failed());
    }

    #[test]
    fn test_a_url_that_loaded_earns_a_retry_again() {
        let mut link = fetched_at(0, "u1");
        assert!(link.load_failed("u1"));
        link.fetched("u2".into(), FIVE_MINUTES, 10);
        link.loaded("u2");
        assert!(link.load_failed("u2"), "it loaded before: this is a new failure");
        link.fetched("u3".into(), FIVE_MINUTES, 20);
        link.loaded("u2");
        assert!(!link.load_failed("u3"), "a stale load event does not reset the retry");
        assert!(link.failed());
    }

    #[test]
    fn test_the_visitor_retries_a_failed_one() {
        let mut link = fetched_at(0, "u1");
        assert!(!link.retry(), "nothing to retry");
        assert!(link.load_failed("u1"));
        assert_eq!(link.fetch_failed(), None, "nobody was waiting to open it");
        assert!(link.failed(), "fetching failed: shown as failed");
        assert!(link.retry());
        assert!(!link.failed());
        assert!(!link.retry(), "once at a time");
        link.fetched("u2".into(), FIVE_MINUTES, 10);
        assert_eq!(link.url(), Some("u2"));
        assert!(!link.load_failed("u2"), "a retry's URL that fails shows as failed again");
        assert!(link.failed());
    }

    #[test]
    fn test_opening_a_file_follows_a_fresh_url_or_waits_for_the_next() {
        let mut link = fetched_at(0, "u1");
        assert!(link.open(1_000, "a.pdf"), "fresh: follow the link");
        assert!(!link.open(240_000, "a.pdf"), "stale: wait");
        assert!(link.wanted(240_000));
        let open = link.fetched("u2".into(), FIVE_MINUTES, 240_100);
        assert_eq!(open.as_deref(), Some("a.pdf"), "then open the fresh one");
        assert_eq!(link.fetched("u3".into(), FIVE_MINUTES, 240_200), None, "once");

        let mut link = MediaLink::default();
        assert!(!link.open(0, "a.pdf"), "none yet");
        assert!(link.wanted(0));
        assert_eq!(link.fetch_failed().as_deref(), Some("a.pdf"), "the visitor is told");
        assert_eq!(link.fetch_failed(), None);
    }
}
