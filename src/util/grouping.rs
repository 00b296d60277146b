//! How a timeline is laid out: day separators, runs of messages by one author, the "new
//! messages" divider.

/// What a row needs to know for layout.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RowMeta {
    /// The author's identity (`None` for the visitor's own pending messages).
    pub author: Option<String>,
    /// The calendar day (`YYYY-MM-DD`, local time) the message belongs to.
    pub day: String,
    /// The message index (`None` for pending ones).
    pub index: Option<u64>,
}

/// Layout decisions for one row.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct Layout {
    /// A day separator goes above this row.
    pub day_break: bool,
    /// This row starts a run of one author (show the name/avatar).
    pub first_of_group: bool,
    /// This row ends a run (show the time).
    pub last_of_group: bool,
    /// The "new messages" divider goes above this row.
    pub unread_break: bool,
}

/// Lays out `rows`; `unread_after` is the read horizon when the panel opened (the divider goes
/// above the first later message by someone else).
pub fn layout(rows: &[RowMeta], unread_after: Option<u64>, me: Option<&str>) -> Vec<Layout> {
    let mut out = vec![Layout::default(); rows.len()];
    let mut divider_placed = false;
    for (i, row) in rows.iter().enumerate() {
        let previous = i.checked_sub(1).map(|p| &rows[p]);
        let next = rows.get(i + 1);
        let same_day_as_previous = previous.is_some_and(|p| p.day == row.day);
        out[i].day_break = !same_day_as_previous;
        out[i].first_of_group =
            !same_day_as_previous || previous.is_some_and(|p| p.author != row.author);
        out[i].last_of_group = next.is_none_or(|n| n.author != row.author || n.day != row.day);
        let from_someone_else = row.author.is_some() && row.author.as_deref() != me;
        if !divider_placed && from_someone_else {
            if let (Some(horizon), Some(index)) = (unread_after, row.index) {
                if index > horizon {
                    out[i].unread_break = true;
                    out[i].first_of_group = true;
                    divider_placed = true;
                }
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(author: &str, day: &str, index: u64) -> RowMeta {
        RowMeta { author: Some(author.into()), day: day.into(), index: Some(index) }
    }

    #[test]
    fn test_groups_by_author_and_day() {
        let rows = [
            row("a", "d1", 0),
            row("a", "d1", 1),
            row("b", "d1", 2),
            row("b", "d2", 3),
            row("b", "d2", 4),
        ];
        let l = layout(&rows, None, Some("a"));
        let firsts: Vec<bool> = l.iter().map(|x| x.first_of_group).collect();
        let lasts: Vec<bool> = l.iter().map(|x| x.last_of_group).collect();
        let days: Vec<bool> = l.iter().map(|x| x.day_break).collect();
        assert_eq!(firsts, [true, false, true, true, false]);
        assert_eq!(lasts, [false, true, true, false, true]);
        assert_eq!(days, [true, false, false, true, false]);
    }

    #[test]
    fn test_unread_divider_goes_above_the_first_unread_message_from_others() {
        let rows = [
            row("me", "d", 0),
            row("agent", "d", 1),
            row("me", "d", 2),
            row("agent", "d", 3),
            row("agent", "d", 4),
        ];
        let l = layout(&rows, Some(1), Some("me"));
        let dividers: Vec<bool> = l.iter().map(|x| x.unread_break).collect();
        assert_eq!(dividers, [false, false, false, true, false], "my own message 2 is not unread");
        assert!(
            layout(&rows, None, Some("me")).iter().all(|x| !x.unread_break),
            "no horizon, no divider"
        );
        assert!(layout(&rows, Some(9), Some("me")).iter().all(|x| !x.unread_break), "all read");
    }
}
