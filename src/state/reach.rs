//! How far ahead of the visitor older pages are fetched while they read back. A visitor who
//! scrolls back a little fetches the few pages they may read; one the list flings back (the
//! scrollbar's thumb at the very top, Home near it, Page Up at it) is going far, and more
//! pages at once keep up with them. Back at the newest messages, the reach is near again.

/// The list's reach into older pages.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Reach {
    /// Reading back a little: the wheel, a swipe, the arrow keys.
    #[default]
    Near,
    /// Flung back: going far.
    Far,
}

impl Reach {
    /// Older messages wanted loaded (or asked for) above the window's top.
    fn rows(self) -> usize {
        match self {
            Reach::Near => 300,
            Reach::Far => 1000,
        }
    }

    /// Pages of older messages asked for at once, at most. (Measured with `scripts/bench
    /// scroll-ab`: far, 8 pages and 1,000 rows scrolled to the first of 10,000 messages 2–5 %
    /// faster than 5 and 500, in two sittings.)
    fn pages(self) -> usize {
        match self {
            Reach::Near => 3,
            Reach::Far => 8,
        }
    }

    /// After the visitor's move: `flung` when the list flung its window back, `at_bottom` when
    /// they are back at the newest messages.
    #[must_use]
    pub fn after(self, flung: bool, at_bottom: bool) -> Reach {
        if at_bottom {
            Reach::Near
        } else if flung {
            Reach::Far
        } else {
            self
        }
    }

    /// How many more pages of `page` messages to ask for now, with `above` messages loaded
    /// above the window's top and `in_flight` pages asked for: enough to cover the reach, all
    /// at once (page starts are known before pages arrive), never more than its pages at once.
    pub fn pages_to_ask(self, above: usize, in_flight: usize, page: usize) -> usize {
        let coming = above + in_flight * page;
        let short = self.rows().saturating_sub(coming);
        short.div_ceil(page.max(1)).min(self.pages().saturating_sub(in_flight))
    }
}

#[cfg(test)]
mod tests {
    use super::Reach;

    #[test]
    fn a_fling_reaches_far_until_the_bottom() {
        let reach = Reach::default();
        assert_eq!(reach, Reach::Near, "a list starts near");
        assert_eq!(reach.after(false, false), Reach::Near, "a wheel step stays near");
        let far = reach.after(true, false);
        assert_eq!(far, Reach::Far, "the very top reaches far");
        assert_eq!(far.after(false, false), Reach::Far, "and stays far while reading back");
        assert_eq!(far.after(false, true), Reach::Near, "back at the bottom, near again");
    }

    #[test]
    fn pages_cover_the_reach_at_once_within_the_limit() {
        // Near: 300 rows, 3 pages. At the loaded top with nothing coming: 3 at once.
        assert_eq!(Reach::Near.pages_to_ask(0, 0, 100), 3);
        // 150 loaded above: two more pages cover 300.
        assert_eq!(Reach::Near.pages_to_ask(150, 0, 100), 2);
        // One coming already counts.
        assert_eq!(Reach::Near.pages_to_ask(150, 1, 100), 1);
        // Covered: none.
        assert_eq!(Reach::Near.pages_to_ask(300, 0, 100), 0);
        assert_eq!(Reach::Near.pages_to_ask(100, 2, 100), 0);
        // Far: 1,000 rows, at most 8 at once.
        assert_eq!(Reach::Far.pages_to_ask(0, 0, 100), 8);
        assert_eq!(Reach::Far.pages_to_ask(0, 8, 100), 0, "never more than 8 in flight");
        assert_eq!(Reach::Far.pages_to_ask(0, 6, 100), 2);
        assert_eq!(Reach::Far.pages_to_ask(450, 0, 100), 6);
        assert_eq!(Reach::Far.pages_to_ask(950, 0, 100), 1);
        // In flight beyond the limit (the reach came back near meanwhile): none, no underflow.
        assert_eq!(Reach::Near.pages_to_ask(0, 8, 100), 0);
    }
}
