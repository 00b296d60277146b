//! The reactive side of the view model: the [`Chat`] behind signals that components read.
//! Every change to the chat goes through [`Store::apply`] (its one reducer); then the mirror
//! signals whose values changed are set, and nothing else writes those. The message list's rows
//! are keyed by a stable `u64` and each has its own signal, so a new message adds one row and a
//! status change touches one row. The rest (the draft, notices, the list's window, the locale)
//! is the visitor's own state in the widget, written by the handle and the components.

use std::{sync::Arc, time::Duration};

use convo_client::{ConnectionState, ConversationInfo, SortedMap};
use leptos::prelude::*;

use super::{
    chat::{Alerts, Announcement, Chat, Event, Feedback, Outcome, OwnMessage, Phase},
    earlier::Thread,
    media::MediaLink,
    people::People,
    timeline::{Entry, Notice},
};
use crate::i18n::Locale;

/// A file the visitor attached but has not sent.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DraftFile {
    /// Identifies it in the draft.
    pub id: u64,
    /// The file name.
    pub name: String,
    /// The MIME type.
    pub content_type: String,
    /// The bytes.
    pub bytes: Arc<Vec<u8>>,
    /// An object URL for an image preview.
    pub preview: Option<String>,
}

/// One message row of the list: its key and what it shows.
#[derive(Debug, Clone, Copy)]
pub struct RowHandle {
    pub key: u64,
    pub entry: RwSignal<Arc<Entry>>,
}

/// The most rows in the DOM at once.
pub const WINDOW: usize = 120;
/// The window's size until the visitor scrolls back, and what it shrinks to at the end.
const INITIAL: usize = WINDOW / 3 * 2;

/// Widget state as signals. `Copy`, so components capture it freely.
#[derive(Debug, Clone, Copy)]
pub struct Store {
    /// The model; read it through the signals below, change it through [`Store::apply`].
    chat: StoredValue<Chat>,
    /// Signals created for rows belong to the widget, not to whatever task made them.
    owner: StoredValue<Owner>,

    // Mirrors of the chat.
    pub open: RwSignal<bool>,
    pub page_visible: RwSignal<bool>,
    pub phase: RwSignal<Phase>,
    pub connection: RwSignal<ConnectionState>,
    pub identity: RwSignal<Option<String>>,
    pub info: RwSignal<Option<ConversationInfo>>,
    /// Names and roles; equal values do not notify, so read-horizon changes never reach rows.
    pub people: RwSignal<Arc<People>>,
    pub typing: RwSignal<Vec<String>>,
    pub has_older: RwSignal<bool>,
    pub unread: RwSignal<u64>,
    /// The latest message by someone else, for the screen-reader live region.
    pub announcement: RwSignal<Option<Announcement>>,
    /// Desktop notifications.
    pub alerts: RwSignal<Alerts>,
    /// The newest message from someone else, previewed beside the closed launcher.
    pub preview: RwSignal<Option<(String, String)>>,
    /// Messages from others that arrived so far (the list counts those it did not show).
    pub arrivals: RwSignal<u64>,
    /// Messages the visitor sent from this widget so far (the list shows each).
    pub sent: RwSignal<u64>,
    /// "End this chat?" is being asked.
    pub asking_end: RwSignal<bool>,
    /// An "End chat" request is in flight.
    pub ending: RwSignal<bool>,
    /// The ended chat's rating.
    pub feedback: RwSignal<Feedback>,
    /// The visitor's earlier (ended) conversations, by SID, and those shown.
    pub earlier: RwSignal<Vec<String>>,
    pub threads: RwSignal<Arc<[Thread]>>,
    /// The message being edited in the composer, and the one "Delete this message?" is about.
    pub editing: RwSignal<Option<OwnMessage>>,
    pub asking_delete: RwSignal<Option<OwnMessage>>,
    /// The page's greeting beside the closed launcher, and at the top of the open panel.
    pub greeting_bubble: RwSignal<Option<String>>,
    pub greeting_panel: RwSignal<Option<String>>,
    /// Whether support is open, and the email a message left while closed is answered at.
    pub available: RwSignal<bool>,
    pub message_left: RwSignal<Option<String>>,
    /// The list's window of rows, oldest first.
    pub rows: RwSignal<Vec<RowHandle>>,
    /// Participant notices below the last row, while the window reaches the end.
    pub trailing: RwSignal<Vec<Notice>>,
    /// Messages in the whole loaded timeline, and the window's start in it.
    pub loaded: RwSignal<usize>,
    pub window_start: RwSignal<usize>,

    // The list's window: `from_end` messages below it are not rendered; it holds `size`.
    pub from_end: RwSignal<usize>,
    pub size: RwSignal<usize>,

    // The visitor's own state in the widget.
    /// Seconds until the next reconnect attempt, while reconnecting.
    pub countdown: RwSignal<Option<u64>>,
    /// Pages of older messages asked for that have not arrived.
    pub older_pages: RwSignal<usize>,
    pub draft: RwSignal<String>,
    /// The text of the message being edited (the draft waits meanwhile, untouched).
    pub edit_text: RwSignal<String>,
    pub files: RwSignal<Vec<DraftFile>>,
    /// Problems to show the visitor (refused files, failed actions).
    pub notices: RwSignal<Vec<String>>,
    /// An image shown full size: `(media SID, name)`.
    pub lightbox: RwSignal<Option<(String, String)>>,
    /// Attachments' temporary URLs, by media SID, one signal each: a URL arriving touches only
    /// the views of its attachment. Read through [`Store::media`]; the handle writes them.
    media: StoredValue<SortedMap<String, RwSignal<MediaLink>>>,
    pub locale: RwSignal<Locale>,
    /// Whether the launcher shows (the page's `hideLauncher()` / `showLauncher()`).
    pub launcher_visible: RwSignal<bool>,
    /// Pre-chat form errors by field name.
    pub form_errors: RwSignal<SortedMap<String, String>>,
    /// The custom pre-chat fields' errors, by field id.
    pub field_errors: RwSignal<SortedMap<String, String>>,
    /// Why the backend refused the session the pre-chat form asked for.
    pub form_refused: RwSignal<Option<String>>,
    /// The custom fields' answers the visitor last submitted in the pre-chat form, by id, given
    /// back to it when the backend refuses the session (the built-in fields are the store's
    /// own, and stay until a session is attached).
    pub form_kept: RwSignal<Option<FormKept>>,
    /// What the visitor typed in the pre-chat and "leave a message" forms, by field name:
    /// kept in the store so that swapping one form for the other (support opening or closing)
    /// keeps the fields they share. Read through [`Store::form_value`].
    form_values: StoredValue<SortedMap<&'static str, RwSignal<String>>>,
}

/// The pre-chat form's custom answers as submitted.
pub type FormKept = serde_json::Map<String, serde_json::Value>;

impl Store {
    /// A closed widget that has not connected yet.
    pub fn new(locale: Locale) -> Self {
        let chat =
            Chat::new(crate::dom::day_number, crate::dom::today(), !crate::dom::page_hidden());
        Store {
            open: RwSignal::new(chat.open),
            page_visible: RwSignal::new(chat.page_visible),
            phase: RwSignal::new(chat.phase),
            connection: RwSignal::new(chat.connection.clone()),
            identity: RwSignal::new(None),
            info: RwSignal::new(None),
            people: RwSignal::new(Arc::default()),
            typing: RwSignal::new(Vec::new()),
            has_older: RwSignal::new(false),
            unread: RwSignal::new(0),
            announcement: RwSignal::new(None),
            alerts: RwSignal::new(Alerts::Off),
            preview: RwSignal::new(None),
            arrivals: RwSignal::new(0),
            sent: RwSignal::new(0),
            asking_end: RwSignal::new(false),
            ending: RwSignal::new(false),
            feedback: RwSignal::new(Feedback::Open),
            earlier: RwSignal::new(Vec::new()),
            threads: RwSignal::new(Arc::default()),
            editing: RwSignal::new(None),
            asking_delete: RwSignal::new(None),
            greeting_bubble: RwSignal::new(None),
            greeting_panel: RwSignal::new(None),
            available: RwSignal::new(chat.available),
            message_left: RwSignal::new(None),
            rows: RwSignal::new(Vec::new()),
            trailing: RwSignal::new(Vec::new()),
            loaded: RwSignal::new(0),
            window_start: RwSignal::new(0),
            from_end: RwSignal::new(0),
            size: RwSignal::new(INITIAL),
            chat: StoredValue::new(chat),
            owner: StoredValue::new(Owner::current().unwrap_or_default()),
            countdown: RwSignal::new(None),
            older_pages: RwSignal::new(0),
            draft: RwSignal::new(String::new()),
            edit_text: RwSignal::new(String::new()),
            files: RwSignal::new(Vec::new()),
            notices: RwSignal::new(Vec::new()),
            lightbox: RwSignal::new(None),
            media: StoredValue::new(SortedMap::new()),
            locale: RwSignal::new(locale),
            launcher_visible: RwSignal::new(true),
            form_errors: RwSignal::new(SortedMap::new()),
            field_errors: RwSignal::new(SortedMap::new()),
            form_refused: RwSignal::new(None),
            form_kept: RwSignal::new(None),
            form_values: StoredValue::new(SortedMap::new()),
        }
    }

    /// The value of the form field `name`: the same signal for every form that has the field,
    /// owned by the widget (not by the form, which comes and goes).
    pub fn form_value(&self, name: &'static str) -> RwSignal<String> {
        let owner = self.owner.get_value();
        self.form_values
            .try_update_value(|values| {
                *values.get_or_insert_with(name, || owner.with(|| RwSignal::new(String::new())))
            })
            .unwrap_or_else(|| RwSignal::new(String::new()))
    }

    /// Empties the forms' fields (what they held was sent and accepted, or the visitor was
    /// forgotten).
    pub fn clear_form(&self) {
        self.form_values.try_with_value(|values| {
            for value in values.values() {
                value.set(String::new());
            }
        });
    }

    /// The store provided by the enclosing [`crate::App`].
    #[track_caller]
    pub fn expect() -> Self {
        // Not `expect_context`: its panic message formats with `{:?}`, which brings Rust's debug
        // formatting of strings (and its Unicode tables) into the wasm.
        use_context::<Store>().expect("the Store is provided by the App")
    }

    /// The active strings (tracks the locale).
    pub fn strings(&self) -> &'static crate::i18n::Catalogue {
        self.locale.get().strings()
    }

    /// A label that follows the locale, for a view: `store.label(|s| s.edited)`. Every label
    /// is this one closure type, so the view code that renders and updates it is compiled once
    /// for all of them, not once for each label's closure.
    pub fn label(
        self,
        pick: fn(&'static crate::i18n::Catalogue) -> &'static str,
    ) -> impl Fn() -> &'static str + Copy + Send + Sync + 'static {
        move || pick(self.strings())
    }

    /// Text that follows signals, for a view: `Store::text(move || …)`. As with
    /// [`Store::label`], every such text is one closure type (the function boxed), so the view
    /// code that renders and updates it is compiled once, not once per closure.
    pub fn text(
        f: impl Fn() -> String + Send + Sync + 'static,
    ) -> impl Fn() -> String + Clone + Send + Sync + 'static {
        shared_text(Arc::new(f))
    }

    /// An event handler for a view (`on:click=Store::on(move |_| …)`): every handler of one
    /// event type is one closure type (the function boxed), so the code that attaches and
    /// calls it is compiled once per event type, not once per handler.
    pub fn on<E: 'static>(f: impl FnMut(E) + 'static) -> impl FnMut(E) + 'static {
        shared_on(Box::new(f))
    }

    /// Applies one event to the chat and updates the signals.
    pub fn apply(&self, event: Event) -> Outcome {
        self.apply_all([event])
    }

    /// Applies events in order, then updates the signals once: a burst of changes (a page of
    /// history, a reconnect's catch-up) renders once.
    pub fn apply_all(&self, events: impl IntoIterator<Item = Event>) -> Outcome {
        let mut outcome = Outcome::default();
        self.chat.update_value(|chat| {
            for event in events {
                let Outcome { arrived, notify } = chat.apply(event);
                outcome.arrived.extend(arrived);
                outcome.notify = notify.or(outcome.notify.take());
            }
        });
        self.sync();
        outcome
    }

    /// Reads the model; `None` once the widget is gone.
    pub fn with_chat<R>(&self, f: impl FnOnce(&Chat) -> R) -> Option<R> {
        self.chat.try_with_value(f)
    }

    /// The URL state of the attachment `sid` (created on first use, owned by the widget).
    pub fn media(&self, sid: &str) -> RwSignal<MediaLink> {
        if let Some(link) = self.media.with_value(|m| m.get(sid).copied()) {
            return link;
        }
        let link = self.owner.get_value().with(|| RwSignal::new(MediaLink::default()));
        self.media.update_value(|m| {
            m.insert(sid.to_owned(), link);
        });
        link
    }

    /// The read horizon to send now, if any (see [`Chat::horizon_to_send`]).
    pub fn horizon_to_send(&self) -> Option<u64> {
        self.chat.try_update_value(Chat::horizon_to_send).flatten()
    }

    /// Copies what changed from the chat into the signals.
    fn sync(&self) {
        // The rows first: the view's effects run in the order their signals were set, and a
        // message shows before the launcher, the live region and the header catch up.
        self.sync_rows();
        self.chat.with_value(|chat| {
            set_if_changed(self.open, &chat.open);
            set_if_changed(self.page_visible, &chat.page_visible);
            set_if_changed(self.phase, &chat.phase);
            set_if_changed(self.connection, &chat.connection);
            set_if_changed(self.identity, &chat.me);
            set_if_changed(self.info, &chat.info);
            set_if_changed(self.people, &chat.people);
            set_if_changed(self.typing, &chat.typing);
            set_if_changed(self.has_older, &chat.has_older);
            set_if_changed(self.unread, &chat.unread);
            set_if_changed(self.announcement, &chat.announcement);
            set_if_changed(self.alerts, &chat.alerts);
            let preview = chat.preview_bubble();
            if self.preview.with_untracked(|now| now.as_ref() != preview) {
                self.preview.set(preview.cloned());
            }
            set_if_changed(self.arrivals, &chat.arrivals);
            set_if_changed(self.sent, &chat.sent);
            set_if_changed(self.asking_end, &chat.asking_end);
            set_if_changed(self.ending, &chat.ending);
            set_if_changed(self.feedback, &chat.feedback);
            set_if_changed(self.editing, &chat.editing);
            set_if_changed(self.asking_delete, &chat.asking_delete);
            set_text_if_changed(self.greeting_bubble, chat.greeting_bubble());
            set_text_if_changed(self.greeting_panel, chat.greeting_panel());
            set_if_changed(self.available, &chat.available);
            set_if_changed(self.message_left, &chat.message_left);
            // Every message syncs: compare in place, and copy only what changed.
            if self.earlier.with_untracked(|now| !now.iter().eq(chat.earlier())) {
                self.earlier.set(chat.earlier().cloned().collect());
            }
            if self.threads.with_untracked(|now| !Arc::ptr_eq(now, &chat.threads)) {
                self.threads.set(Arc::clone(&chat.threads));
            }
        });
    }

    /// Brings the list's rows in step with the chat and the window: rows that stay keep their
    /// signal (set only when their entry changed), new ones get one, gone ones are disposed.
    /// O(window), a few hundred pointer comparisons. Which rows: [`window`].
    pub fn sync_rows(&self) {
        let (from_end, size) = (self.from_end.get_untracked(), self.size.get_untracked());
        let Some(old) = self.rows.try_get_untracked() else { return };
        let owner = self.owner.get_value();
        let (rows, loaded, start, size) = self.chat.with_value(|chat| {
            let entries = chat.timeline.entries();
            let first = old.first().and_then(|first| chat.timeline.position(first.key));
            let (start, end, size) = window(entries.len(), from_end, size, first);
            // Few, and usually none: compared in place.
            let trailing = if end == entries.len() { chat.timeline.trailing() } else { &[] };
            if self.trailing.with_untracked(|now| now.as_slice() != trailing) {
                self.trailing.set(trailing.to_vec());
            }
            // Rows that stay are in the same order: each is the next old row, or (where rows
            // came or went) found by a scan of the window.
            let mut stays = vec![false; old.len()];
            let mut next = 0;
            let rows: Vec<RowHandle> = entries[start..end]
                .iter()
                .map(|entry| {
                    let found = if old.get(next).is_some_and(|h| h.key == entry.key) {
                        Some(next)
                    } else {
                        old.iter().position(|h| h.key == entry.key)
                    };
                    let Some(at) = found else {
                        let signal = owner.with(|| RwSignal::new(Arc::clone(entry)));
                        return RowHandle { key: entry.key, entry: signal };
                    };
                    stays[at] = true;
                    next = at + 1;
                    let handle = old[at];
                    if handle.entry.with_untracked(|e| !Arc::ptr_eq(e, entry)) {
                        handle.entry.set(Arc::clone(entry));
                    }
                    handle
                })
                .collect();
            let gone: Vec<_> = old
                .iter()
                .zip(&stays)
                .filter(|(_, stays)| !**stays)
                .map(|(h, _)| h.entry)
                .collect();
            if !gone.is_empty() {
                // Disposed once the list has taken their rows away (later in this turn): until
                // then a row may still be drawn again (the roster or the locale changed in the
                // same turn) and read its entry.
                set_timeout(move || gone.into_iter().for_each(|e| e.dispose()), Duration::ZERO);
            }
            (rows, entries.len(), start, size)
        });
        set_if_changed(self.size, &size);
        set_if_changed(self.loaded, &loaded);
        set_if_changed(self.window_start, &start);
        if old.len() != rows.len() || old.iter().zip(&rows).any(|(a, b)| a.key != b.key) {
            self.rows.set(rows);
        }
    }
}

/// The window over a timeline of `len` entries, `from_end` of them below it: its `start..end`,
/// and its size from now on. `first` is where the window's first row is now.
///
/// At the end, new messages join the window without its oldest rows leaving, until it holds
/// [`WINDOW`]; then the oldest leave together, down to [`INITIAL`]. A row leaving the top moves
/// every row below it, which makes the browser lay out and paint the whole list again: once in
/// forty messages instead of with each one.
fn window(len: usize, from_end: usize, size: usize, first: Option<usize>) -> (usize, usize, usize) {
    let end = len - from_end.min(len);
    let start = end.saturating_sub(size);
    match first {
        Some(first) if from_end == 0 && first < start => {
            if end - first <= WINDOW {
                (first, end, size)
            } else {
                let size = size.min(INITIAL);
                (end.saturating_sub(size), end, size)
            }
        }
        _ => (start, end, size),
    }
}

/// [`Store::text`]'s one closure type: outside the generic function, so it does not vary with
/// the boxed function's type.
fn shared_text(
    f: Arc<dyn Fn() -> String + Send + Sync>,
) -> impl Fn() -> String + Clone + Send + Sync + 'static {
    move || f()
}

/// [`Store::on`]'s one closure type per event type (see [`shared_text`]).
fn shared_on<E: 'static>(mut f: Box<dyn FnMut(E)>) -> impl FnMut(E) + 'static {
    move |event| f(event)
}

/// Sets `signal` only when `value` differs: readers of unchanged values are not woken.
fn set_if_changed<T: Clone + PartialEq + Send + Sync + 'static>(signal: RwSignal<T>, value: &T) {
    if signal.with_untracked(|now| now != value) {
        signal.set(value.clone());
    }
}

/// [`set_if_changed`] for text the chat lends: copied only when it changed.
fn set_text_if_changed(signal: RwSignal<Option<String>>, value: Option<&str>) {
    if signal.with_untracked(|now| now.as_deref() != value) {
        signal.set(value.map(str::to_owned));
    }
}

#[cfg(test)]
mod tests {
    use super::{window, INITIAL, WINDOW};

    #[test]
    fn test_at_the_end_the_window_grows_to_its_most_then_drops_its_oldest_rows_together() {
        // A first page: the newest INITIAL rows.
        assert_eq!(window(500, 0, INITIAL, None), (500 - INITIAL, 500, INITIAL));
        let first = 500 - INITIAL;
        // Messages arrive: the first row stays, up to WINDOW rows.
        assert_eq!(window(501, 0, INITIAL, Some(first)), (first, 501, INITIAL));
        let full = first + WINDOW;
        assert_eq!(window(full, 0, INITIAL, Some(first)), (first, full, INITIAL));
        // One more: back to INITIAL rows in one step.
        assert_eq!(
            window(full + 1, 0, INITIAL, Some(first)),
            (full + 1 - INITIAL, full + 1, INITIAL)
        );
        // A window the visitor grew to WINDOW shrinks to INITIAL on the next arrival.
        let grown = 600 - WINDOW;
        assert_eq!(window(601, 0, WINDOW, Some(grown)), (601 - INITIAL, 601, INITIAL));
    }

    #[test]
    fn test_the_window_follows_its_size_when_growing_or_read_back() {
        // Growing (the visitor scrolled to the top): the size, not the first row, decides.
        assert_eq!(window(500, 0, WINDOW, Some(500 - INITIAL)), (500 - WINDOW, 500, WINDOW));
        // Scrolled back (`from_end` > 0): exactly `size` rows, wherever the first row was.
        assert_eq!(window(500, 100, WINDOW, Some(10)), (400 - WINDOW, 400, WINDOW));
        // Shorter timelines than the window, and a first row gone from the timeline.
        assert_eq!(window(30, 0, INITIAL, Some(0)), (0, 30, INITIAL));
        assert_eq!(window(30, 0, INITIAL, None), (0, 30, INITIAL));
        assert_eq!(window(30, 40, INITIAL, None), (0, 0, INITIAL));
    }
}
