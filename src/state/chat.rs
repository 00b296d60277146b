//! The chat as one view model, and the one reducer that holds its rules: [`Chat::apply`].
//! Where the visitor is in the chat's life (the phase), what counts as news and as unread,
//! what the list's rows show, who is who, which read horizon to send, and which of the
//! visitor's messages is being edited or asked about before deletion, and where the page's
//! greeting shows. Pure: events in, state and [`Outcome`]s out; the bridge feeds it from
//! `convo-client`, the handle from the visitor's actions, and the view mirrors it into
//! signals. Tested natively, below.

use std::sync::Arc;

use convo_client::{
    ConnectionState, ConversationInfo, ConversationState, Message, Participant, TimelineItem,
    VectorDiff,
};

use super::{
    earlier::{self, Thread},
    people::{People, Role},
    timeline::{Calendar, Notice, NoticeKind, Timeline},
};

/// Where the visitor is in the chat's life.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Phase {
    /// Nothing started yet.
    #[default]
    Idle,
    /// The pre-chat form is shown.
    PreChat,
    /// A session is being started or resumed.
    Starting,
    /// Chatting.
    Chat,
    /// The conversation was closed.
    Ended,
    /// The chat cannot be reached (a refused session, the backend down for good).
    Unavailable,
}

/// Everything that changes the chat.
#[derive(Debug, Clone)]
pub enum Event {
    /// The panel opened.
    Opened,
    /// The panel closed.
    Closed,
    /// The page became visible or hidden.
    PageVisible(bool),
    /// The pre-chat form is shown (the visitor opened the panel with no session).
    PreChatShown,
    /// A session is being started or resumed.
    Starting,
    /// The session named its conversation: chatting.
    Attached,
    /// The client is gone (a new session replaces it, or the visitor was forgotten): the
    /// conversation's state goes with it.
    Detached,
    /// Back to the start (`reset()`, or a refused stored session on open).
    Reset,
    /// The backend refused to start the session the pre-chat form asked for (an answer it
    /// does not accept): back to the form, to correct it.
    FormRefused,
    /// The connection's state.
    Connection(ConnectionState),
    /// This user's identity.
    Identity(Option<String>),
    /// The conversation's description.
    Info(Option<ConversationInfo>),
    /// Its members.
    Participants(Vec<Participant>),
    /// Who is typing.
    Typing(Vec<String>),
    /// Whether older messages exist.
    HasOlder(bool),
    /// A change of the timeline.
    Timeline(VectorDiff<TimelineItem>),
    /// The visitor has seen the message with this index (it showed in the open panel).
    Viewed(u64),
    /// "End chat" asks "End this chat?" (`true`), or the visitor kept chatting (`false`).
    AskEnd(bool),
    /// The visitor confirmed "End chat": the backend is asked to close the conversation.
    Ending,
    /// The backend closed it (the conversation's own update follows).
    EndedByVisitor,
    /// The backend could not close it: still chatting.
    EndFailed,
    /// The rating form's progress.
    Feedback(Feedback),
    /// The visitor's ended conversations, by SID ([`earlier::ended_others`] of all they
    /// joined): all but this one are earlier threads.
    EndedConversations(Vec<String>),
    /// The earlier threads, loaded to be shown.
    Threads(Vec<Thread>),
    /// Edit the message of row `key`, or (`None`: Up arrow in an empty composer) the newest
    /// one the visitor can edit. Ignored unless it can be edited ([`Chat::editable`]).
    Edit(Option<u64>),
    /// The edit was saved or cancelled.
    EditEnd,
    /// "Delete this message?" for the message of row `key`, or (`None`) not any more.
    AskDelete(Option<u64>),
    /// The page's proactive greeting (`greet(text)`), replacing any earlier one; it waits for
    /// [`Event::GreetingDue`]. `stored`: the visitor has a stored session (a conversation is
    /// going on, even if not resumed yet), so there is nobody to greet.
    Greet { text: String, stored: bool },
    /// The greeting's delay has passed: it may show at the launcher.
    GreetingDue,
    /// The visitor dismissed the greeting (for the rest of the browser session).
    GreetingDismissed,
    /// Desktop notifications: what the visitor chose and the browser allowed.
    Alerts(Alerts),
    /// The visitor dismissed the preview of the newest message at the closed launcher (the
    /// next message shows again).
    PreviewDismissed,
    /// Whether support is open (the page's availability, or its business hours now).
    Availability(bool),
    /// The visitor left a message while support was closed, to be answered at this email: the
    /// chat that starts with it says so.
    MessageLeft(String),
}

/// Desktop notifications of others' messages while the page is hidden.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Alerts {
    /// Not asked for (or turned off).
    #[default]
    Off,
    /// Asked for, and the browser allows them.
    On,
    /// Asked for, and the browser refused (the visitor blocked them for the site).
    Blocked,
}

/// The page's proactive greeting.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Greeting {
    /// What the team says (plain text from the page).
    text: String,
    /// Its delay has passed.
    due: bool,
}

/// A message previewed beside the closed launcher.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Preview {
    /// Its index, to follow its edits and its deletion.
    index: u64,
    /// `(author, text)`.
    shown: (String, String),
}

/// One of the visitor's messages, as an edit or a deletion needs it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OwnMessage {
    /// Its row.
    pub key: u64,
    /// Its SID, for the server.
    pub sid: String,
    /// Its text when the action began.
    pub body: String,
}

/// The ended view's optional rating, once per conversation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Feedback {
    /// Not given (yet).
    #[default]
    Open,
    /// Being sent.
    Sending,
    /// Stored: the form gives way to thanks.
    Sent,
}

/// What the screen-reader live region says last.
#[derive(Debug, Clone, PartialEq)]
pub enum Announcement {
    /// Someone else's new message: its author's identity and its text.
    Message { author: String, text: String },
    /// A participant notice (its key makes each one news, even with the same words).
    Notice(Notice),
}

/// What an event brought that is not state: news to tell the page and screen readers.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Outcome {
    /// New messages (not history being loaded), own ones included.
    pub arrived: Vec<Arc<Message>>,
    /// The newest of them to show as a desktop notification: someone else's, arrived while
    /// the page was hidden, with notifications on.
    pub notify: Option<Arc<Message>>,
}

/// The chat.
#[derive(Debug, Clone)]
pub struct Chat {
    pub phase: Phase,
    pub open: bool,
    pub page_visible: bool,
    pub connection: ConnectionState,
    pub me: Option<String>,
    pub info: Option<ConversationInfo>,
    pub people: Arc<People>,
    pub typing: Vec<String>,
    pub has_older: bool,
    pub timeline: Timeline,
    /// Messages from others the visitor has not seen (badge, title).
    pub unread: u64,
    /// The newest message from someone else or participant notice, for screen readers.
    pub announcement: Option<Announcement>,
    /// Desktop notifications.
    pub alerts: Alerts,
    /// The newest message from someone else since the panel was last open, previewed beside
    /// the closed launcher.
    preview: Option<Preview>,
    /// Messages from others that have arrived so far (the list counts those it did not show).
    pub arrivals: u64,
    /// Messages the visitor sent from this widget so far (the list goes to the bottom to show
    /// each, wherever they were reading).
    pub sent: u64,
    /// "End this chat?" is being asked.
    pub asking_end: bool,
    /// An "End chat" request is in flight.
    pub ending: bool,
    /// The rating of the ended chat.
    pub feedback: Feedback,
    /// Every ended conversation of the visitor's, by SID (this one too, once it ends).
    ended: Vec<String>,
    /// The earlier ones shown, oldest first.
    pub threads: Arc<[Thread]>,
    /// The message being edited in the composer.
    pub editing: Option<OwnMessage>,
    /// The message "Delete this message?" asks about.
    pub asking_delete: Option<OwnMessage>,
    /// The page's proactive greeting, if any.
    greeting: Option<Greeting>,
    /// The visitor dismissed the greeting: no greeting shows again.
    greeting_dismissed: bool,
    /// The visitor started a chat while greeted: the greeting stays at the top of its panel.
    greeting_answered: bool,
    /// Whether support is open: when it is not, a visitor with no chat going on is offered the
    /// "leave a message" form instead of the pre-chat form.
    pub available: bool,
    /// The email a message left while closed will be answered at, in the chat it started.
    pub message_left: Option<String>,
    /// The roster was seen since the client attached: later changes are joins and leaves.
    roster_known: bool,
    /// Who joined this session before the backend named them staff (it adds the participant,
    /// then writes the conversation's `staff`): announced once it does.
    newcomers: Vec<String>,
    /// The newest message index when the conversation was first described: what comes after
    /// it is news. `None` until then, when nothing is news.
    history_end: Option<Option<u64>>,
    /// The newest message seen in the open panel.
    viewed: Option<u64>,
    /// The read horizon last asked for, so it never repeats or moves back.
    horizon_sent: Option<u64>,
}

impl Chat {
    /// A closed widget that has not connected yet.
    pub fn new(calendar: Calendar, today: i32, page_visible: bool) -> Self {
        Chat {
            phase: Phase::Idle,
            open: false,
            page_visible,
            connection: ConnectionState::Disconnected,
            me: None,
            info: None,
            people: Arc::default(),
            typing: Vec::new(),
            has_older: false,
            timeline: Timeline::new(calendar, today),
            unread: 0,
            announcement: None,
            alerts: Alerts::Off,
            preview: None,
            arrivals: 0,
            sent: 0,
            roster_known: false,
            newcomers: Vec::new(),
            asking_end: false,
            ending: false,
            feedback: Feedback::Open,
            ended: Vec::new(),
            threads: Arc::default(),
            editing: None,
            asking_delete: None,
            greeting: None,
            greeting_dismissed: false,
            greeting_answered: false,
            available: true,
            message_left: None,
            history_end: None,
            viewed: None,
            horizon_sent: None,
        }
    }

    /// Whether what shows in the panel is being seen.
    pub fn watching(&self) -> bool {
        self.open && self.page_visible
    }

    /// Whether seeing the message at `index` could still move what the visitor has seen: only
    /// a message newer than the newest one seen. Rows scrolled back through need no watching.
    pub fn may_see(&self, index: u64) -> bool {
        self.viewed.is_none_or(|viewed| index > viewed)
    }

    /// Applies one event.
    pub fn apply(&mut self, event: Event) -> Outcome {
        let mut outcome = Outcome::default();
        match event {
            Event::Opened => {
                self.open = true;
                self.preview = None;
                // The marker goes after what had been read when the panel opened.
                let horizon = self.info.as_ref().and_then(|i| i.read_horizon);
                self.timeline.set_marker_after(horizon);
            }
            Event::Closed => self.open = false,
            Event::PageVisible(visible) => self.page_visible = visible,
            Event::PreChatShown => {
                if self.phase == Phase::Idle {
                    self.phase = Phase::PreChat;
                }
            }
            Event::Starting => {
                // Answering the greeting (from the form, or by opening without one) keeps it
                // as the team's first words; a new chat after an ended one is another chat.
                self.greeting_answered = matches!(self.phase, Phase::Idle | Phase::PreChat)
                    && self.greeting_panel().is_some();
                self.message_left = None;
                self.phase = Phase::Starting;
            }
            Event::Attached => {
                if self.phase == Phase::Starting {
                    self.phase = Phase::Chat;
                }
            }
            Event::Detached => self.detach(),
            Event::Reset => {
                self.detach();
                self.greeting_answered = false;
                self.message_left = None;
                // The next visitor on this device chooses for themselves.
                self.alerts = Alerts::Off;
                self.phase = Phase::Idle;
                self.open = false;
                self.unread = 0;
                self.connection = ConnectionState::Disconnected;
            }
            Event::FormRefused => {
                if self.phase == Phase::Starting {
                    self.phase = Phase::PreChat;
                    self.connection = ConnectionState::Disconnected;
                }
            }
            Event::Connection(state) => {
                if matches!(state, ConnectionState::Denied { .. }) && self.phase != Phase::Ended {
                    self.phase = Phase::Unavailable;
                }
                self.connection = state;
            }
            Event::Identity(me) => {
                self.timeline.set_me(me.clone());
                self.me = me;
                self.refresh_people();
            }
            Event::Info(info) => self.described(info),
            Event::Participants(participants) => {
                let others = participants
                    .iter()
                    .filter(|p| p.identity.is_some() && p.identity != self.me)
                    .filter_map(|p| p.read_horizon)
                    .max();
                self.timeline.set_read_by_others(others);
                let people = People::new(participants, self.info.as_ref().map(|i| &i.attributes));
                self.roster_changed(people);
            }
            Event::Typing(typing) => self.typing = typing,
            Event::HasOlder(has_older) => self.has_older = has_older,
            Event::Timeline(diff) => {
                let before = self.timeline.newest_index();
                // Only this widget's own sends come in as pending messages.
                let sent =
                    matches!(diff, VectorDiff::Insert { value: TimelineItem::Pending(_), .. });
                let news = match &diff {
                    VectorDiff::Insert { value: TimelineItem::Remote(m), .. }
                    | VectorDiff::Set { value: TimelineItem::Remote(m), .. } => Some(Arc::clone(m)),
                    _ => None,
                }
                .filter(|m| {
                    before.is_none_or(|b| m.index > b)
                        && self.history_end.is_some_and(|end| end.is_none_or(|e| m.index > e))
                });
                self.timeline.apply(diff);
                self.sent += u64::from(sent);
                self.follow_preview();
                // A message deleted elsewhere (another tab) leaves nothing to ask about. An
                // edit of it stays open: the text is the visitor's, and saving it says why it
                // cannot be saved rather than dropping what they wrote.
                if self
                    .asking_delete
                    .as_ref()
                    .is_some_and(|t| self.timeline.by_key(t.key).is_none_or(|e| !e.actionable()))
                {
                    self.asking_delete = None;
                }
                if let Some(message) = news {
                    if self.arrived(&message) {
                        outcome.notify = Some(Arc::clone(&message));
                    }
                    outcome.arrived.push(message);
                }
            }
            Event::Viewed(index) => {
                if self.watching() {
                    self.viewed = self.viewed.max(Some(index));
                }
            }
            Event::AskEnd(asking) => self.asking_end = asking && self.phase == Phase::Chat,
            Event::Ending => self.ending = self.phase == Phase::Chat,
            Event::EndedByVisitor => {
                self.ending = false;
                if self.phase == Phase::Chat {
                    self.phase = Phase::Ended;
                }
            }
            Event::EndFailed => self.ending = false,
            Event::EndedConversations(ended) => self.ended = ended,
            Event::Threads(threads) => self.threads = earlier::in_reading_order(threads).into(),
            Event::Edit(key) => {
                if let Some(message) = self.editable(key) {
                    self.asking_delete = None;
                    self.editing = Some(message);
                }
            }
            Event::EditEnd => self.editing = None,
            Event::AskDelete(key) => {
                self.asking_delete = key.and_then(|key| self.actionable(key));
            }
            Event::Greet { text, stored } => {
                self.greeting = (!stored).then_some(Greeting { text, due: false });
            }
            Event::GreetingDue => {
                if let Some(greeting) = &mut self.greeting {
                    greeting.due = true;
                }
            }
            Event::Alerts(alerts) => self.alerts = alerts,
            Event::PreviewDismissed => self.preview = None,
            Event::GreetingDismissed => self.greeting_dismissed = true,
            // A chat going on goes on: availability only decides which form a newcomer sees.
            Event::Availability(available) => self.available = available,
            Event::MessageLeft(email) => {
                if matches!(self.phase, Phase::Starting | Phase::Chat) {
                    self.message_left = Some(email);
                }
            }
            Event::Feedback(feedback) => {
                // Only an ended chat is rated, and once stored it stays so.
                if self.phase == Phase::Ended && self.feedback != Feedback::Sent {
                    self.feedback = feedback;
                }
            }
        }
        if self.watching() {
            self.unread = 0;
        }
        // Only a chat can be ended: the question goes with it, whoever ended it. Messages
        // are edited and deleted only while chatting, too.
        if self.phase != Phase::Chat {
            self.asking_end = false;
            self.editing = None;
            self.asking_delete = None;
        }
        outcome
    }

    /// The greeting's text to show beside the closed launcher: once its delay has passed, while
    /// nothing has started (no pre-chat form on screen, no session, no chat) and the visitor
    /// has not dismissed it.
    pub fn greeting_bubble(&self) -> Option<&str> {
        let greeting = self.greeting.as_ref().filter(|g| g.due)?;
        (!self.greeting_dismissed && !self.open && self.phase == Phase::Idle)
            .then_some(greeting.text.as_str())
    }

    /// The newest message from someone else to preview beside the closed launcher, while
    /// chatting: `(author, text)`. Gone once the panel opens or the visitor dismisses it.
    pub fn preview_bubble(&self) -> Option<&(String, String)> {
        let preview = self.preview.as_ref().filter(|_| !self.open && self.phase == Phase::Chat);
        preview.map(|p| &p.shown)
    }

    /// The greeting's text at the top of the open panel, as the team's (local) first words:
    /// above the pre-chat form, and in the chat the visitor started while greeted. Shown even
    /// before its delay has passed (the visitor opened the panel first); never once dismissed.
    pub fn greeting_panel(&self) -> Option<&str> {
        let greeting = self.greeting.as_ref().filter(|_| !self.greeting_dismissed)?;
        let shows = match self.phase {
            Phase::Idle | Phase::PreChat => true,
            Phase::Starting | Phase::Chat | Phase::Ended => self.greeting_answered,
            Phase::Unavailable => false,
        };
        shows.then_some(greeting.text.as_str())
    }

    /// The message of row `key` if the visitor may act on it (edit or delete): their own,
    /// confirmed, not deleted, while chatting.
    fn actionable(&self, key: u64) -> Option<OwnMessage> {
        if self.phase != Phase::Chat {
            return None;
        }
        let entry = self.timeline.by_key(key).filter(|e| e.actionable())?;
        let TimelineItem::Remote(message) = &entry.item else { return None };
        Some(OwnMessage {
            key,
            sid: message.sid.clone(),
            body: message.body.clone().unwrap_or_default(),
        })
    }

    /// What [`Event::Edit`] would edit: the message of row `key`, or the visitor's newest one;
    /// only messages with text (an attachment alone has nothing to edit).
    pub fn editable(&self, key: Option<u64>) -> Option<OwnMessage> {
        let key = match key {
            Some(key) => key,
            None => {
                self.timeline
                    .entries()
                    .iter()
                    .rev()
                    .find(|e| e.actionable() && super::timeline::body(&e.item).is_some())?
                    .key
            }
        };
        self.actionable(key).filter(|m| !m.body.is_empty())
    }

    fn detach(&mut self) {
        let (calendar, today) = self.timeline.settings();
        self.info = None;
        self.people = Arc::default();
        self.typing = Vec::new();
        self.has_older = false;
        self.timeline = Timeline::new(calendar, today);
        self.timeline.set_me(self.me.clone());
        self.history_end = None;
        self.roster_known = false;
        self.newcomers = Vec::new();
        self.viewed = None;
        self.horizon_sent = None;
        self.asking_end = false;
        self.editing = None;
        self.asking_delete = None;
        self.ending = false;
        self.feedback = Feedback::Open;
        self.ended = Vec::new();
        self.threads = Arc::default();
        self.preview = None;
    }

    /// The visitor's earlier conversations: the ended ones other than this one, by SID.
    pub fn earlier(&self) -> impl Iterator<Item = &String> {
        let current = self.info.as_ref().map(|i| i.sid.as_str());
        self.ended.iter().filter(move |sid| Some(sid.as_str()) != current)
    }

    fn described(&mut self, info: Option<ConversationInfo>) {
        if let (None, Some(info)) = (self.history_end, &info) {
            self.history_end = Some(info.last_message_index);
        }
        if let Some(info) = &info {
            if info.state == ConversationState::Closed {
                self.phase = Phase::Ended;
                self.ending = false;
            }
            // A session resumed with the panel closed shows what came in while the visitor
            // was away (arrivals count themselves as they come, so never lower it).
            let unread = info.unread_count.unwrap_or(0);
            if !self.watching() && unread > self.unread {
                self.unread = unread;
            }
        }
        let staff_changed = self.info.as_ref().map(|i| &i.attributes["staff"])
            != info.as_ref().map(|i| &i.attributes["staff"]);
        self.info = info;
        if staff_changed {
            self.refresh_people();
            // Newcomers the backend has now named staff join the chat now.
            let people = Arc::clone(&self.people);
            let named: Vec<String> =
                self.newcomers.extract_if(.., |who| people.role(who) == Role::Agent).collect();
            for who in named {
                self.notice(NoticeKind::Joined, people.name(&who));
            }
        }
    }

    /// The roster changed: staff who joined or left while the visitor is here are noticed.
    /// Only staff: the visitor's own joins say nothing new to them, and the bot is there from
    /// the start (announcing it would be noise). The first roster after attaching is who was
    /// already here; an empty one (not loaded yet, or gone while reconnecting) says nothing,
    /// and the next is who is here again (changes meanwhile were not seen happen).
    fn roster_changed(&mut self, people: People) {
        // Who left keeps their name on their messages (and in the notice that they left).
        let departed = self.people.participants().iter().chain(self.people.former());
        let people = people.with_former(departed.cloned().collect());
        let before = std::mem::replace(&mut self.people, Arc::new(people));
        if self.people.participants().is_empty() {
            self.roster_known = false;
            return;
        }
        if !self.roster_known || self.phase != Phase::Chat {
            self.roster_known = true;
            return;
        }
        let identities = |p: &People| -> Vec<String> {
            p.participants().iter().filter_map(|p| p.identity.clone()).collect()
        };
        let (old, new) = (identities(&before), identities(&self.people));
        let me = self.me.clone();
        for who in new.iter().filter(|who| !old.contains(who) && Some(*who) != me.as_ref()) {
            match self.people.role(who) {
                Role::Agent => {
                    let name = self.people.name(who).map(str::to_owned);
                    self.notice(NoticeKind::Joined, name.as_deref());
                }
                Role::Visitor => self.newcomers.push(who.clone()),
                Role::Bot => {}
            }
        }
        for who in old.iter().filter(|who| !new.contains(who) && Some(*who) != me.as_ref()) {
            self.newcomers.retain(|n| n != who);
            if before.role(who) == Role::Agent {
                self.notice(NoticeKind::Left, before.name(who));
            }
        }
    }

    /// Adds a participant notice to the timeline and announces it.
    fn notice(&mut self, kind: NoticeKind, name: Option<&str>) {
        let notice = self.timeline.add_notice(kind, name.map(str::to_owned));
        self.announcement = Some(Announcement::Notice(notice));
    }

    fn refresh_people(&mut self) {
        let participants = self.people.participants().to_vec();
        let people = People::new(participants, self.info.as_ref().map(|i| &i.attributes));
        self.people = Arc::new(people.with_former(self.people.former().to_vec()));
    }

    /// The previewed message was edited or deleted by its author: the preview shows the new
    /// text, or goes with the message (nobody should read beside the launcher what its author
    /// took back).
    fn follow_preview(&mut self) {
        let Some(previewed) = &self.preview else { return };
        match self.timeline.by_index(previewed.index).map(|e| (&e.item, e.deleted)) {
            Some((TimelineItem::Remote(message), false)) => {
                let text = preview(message);
                if let Some(p) = &mut self.preview {
                    p.shown.1 = text;
                }
            }
            _ => self.preview = None,
        }
    }

    /// A new message: someone else's is announced, and counted while nobody is watching.
    /// Returns whether it is due as a desktop notification: only while the page is hidden (in
    /// a visible page the panel or the launcher's badge tells), and only when asked for.
    fn arrived(&mut self, message: &Message) -> bool {
        if self.me.as_deref() == Some(message.author.as_str()) {
            return false;
        }
        let text = preview(message);
        if !self.open {
            let shown = (message.author.clone(), text.clone());
            self.preview = Some(Preview { index: message.index, shown });
        }
        self.announcement = Some(Announcement::Message { author: message.author.clone(), text });
        self.arrivals += 1;
        if !self.watching() {
            self.unread += 1;
        }
        self.alerts == Alerts::On && !self.page_visible
    }

    /// The read horizon to send now, if any: the newest message from someone else the visitor
    /// has seen, when it is past both the server's horizon and the last one asked for. Own
    /// messages are never unread, so seeing one never moves the horizon.
    pub fn horizon_to_send(&mut self) -> Option<u64> {
        let viewed = self.viewed?;
        let entries = self.timeline.entries();
        let end = entries.partition_point(|e| e.item.index().is_some_and(|i| i <= viewed));
        let target = entries[..end].iter().rev().find(|e| !e.own && !e.deleted)?.item.index()?;
        let known = self.info.as_ref().and_then(|i| i.read_horizon).max(self.horizon_sent);
        if known.is_some_and(|k| k >= target) {
            return None;
        }
        self.horizon_sent = Some(target);
        Some(target)
    }
}

/// What a message says in a line: its text, or its first file's name.
pub fn preview(message: &Message) -> String {
    message.body.clone().unwrap_or_else(|| {
        message.media.first().and_then(|m| m.filename.clone()).unwrap_or_default()
    })
}

/// Whether a stored session reconnects as the page loads (so news shows on the launcher) or
/// waits until the visitor opens the panel: only while the chat was active in the last
/// `within_ms` (Unix ms). A connection is a billed active user, and an idle chat's timers are
/// about to make it inactive or close it anyway.
pub fn resumes_at_load(active_at_ms: Option<u64>, now_ms: u64, within_ms: u64) -> bool {
    active_at_ms.is_some_and(|at| within_ms > 0 && now_ms.saturating_sub(at) <= within_ms)
}

/// What a pending message's status line says, in the locale of `strings`. Queued behind
/// another message while connected is, to the visitor, sending.
pub fn status_label(
    status: &convo_client::SendStatus,
    connected: bool,
    strings: &crate::i18n::Catalogue,
) -> String {
    use convo_client::SendStatus;
    match status {
        SendStatus::Queued if connected => strings.sending.to_owned(),
        SendStatus::Queued => strings.queued.to_owned(),
        SendStatus::Sending => strings.sending.to_owned(),
        SendStatus::Uploading { sent, total } => {
            (strings.uploading)((sent * 100).checked_div(*total).unwrap_or(0).min(100) as u8)
        }
        SendStatus::Failed { error } => format!("{} — {error}", strings.failed),
    }
}

#[cfg(test)]
mod tests {
    use convo_client::{PendingMessage, SendStatus};
    use serde_json::json;

    use super::*;
    use crate::state::timeline::tests::{message, pending, utc_days};
    use crate::state::{Notice, NoticeKind};

    fn chat() -> Chat {
        let mut chat = Chat::new(utc_days, utc_days("2026-12-06T00:00:00Z"), true);
        chat.apply(Event::Identity(Some("me".into())));
        chat
    }

    fn info(last: Option<u64>, horizon: Option<u64>, unread: Option<u64>) -> ConversationInfo {
        ConversationInfo {
            sid: "CH1".into(),
            last_message_index: last,
            read_horizon: horizon,
            unread_count: unread,
            attributes: json!({ "staff": { "ana": "agent", "convo-bot": "bot" } }),
            ..ConversationInfo::default()
        }
    }

    fn insert(chat: &mut Chat, item: TimelineItem) -> Outcome {
        let index = chat.timeline.len();
        chat.apply(Event::Timeline(VectorDiff::Insert { index, value: item }))
    }

    /// A chatting visitor with the conversation described (history up to `last`).
    fn chatting(last: Option<u64>) -> Chat {
        let mut chat = chat();
        chat.apply(Event::Starting);
        chat.apply(Event::Attached);
        chat.apply(Event::Info(Some(info(last, last, Some(0)))));
        chat
    }

    fn greeted(text: &str) -> Chat {
        let mut chat = chat();
        chat.apply(Event::Greet { text: text.into(), stored: false });
        chat
    }

    #[test]
    fn test_a_greeting_shows_at_the_launcher_only_once_due_and_a_new_one_replaces_it() {
        let mut chat = greeted("Hi there");
        assert_eq!(chat.greeting_bubble(), None, "not before its delay");
        chat.apply(Event::GreetingDue);
        assert_eq!(chat.greeting_bubble(), Some("Hi there"));
        // A second greet replaces the text and re-arms the delay.
        chat.apply(Event::Greet { text: "Need help?".into(), stored: false });
        assert_eq!(chat.greeting_bubble(), None);
        chat.apply(Event::GreetingDue);
        assert_eq!(chat.greeting_bubble(), Some("Need help?"));
        // Due with nothing to greet with changes nothing.
        let mut none = super::tests::chat();
        none.apply(Event::GreetingDue);
        assert_eq!((none.greeting_bubble(), none.greeting_panel()), (None, None));
    }

    #[test]
    fn test_a_dismissed_greeting_never_shows_again_even_when_greeted_anew() {
        let mut chat = greeted("Hi");
        chat.apply(Event::GreetingDue);
        chat.apply(Event::GreetingDismissed);
        assert_eq!((chat.greeting_bubble(), chat.greeting_panel()), (None, None));
        chat.apply(Event::Greet { text: "Hello again".into(), stored: false });
        chat.apply(Event::GreetingDue);
        assert_eq!((chat.greeting_bubble(), chat.greeting_panel()), (None, None));
        chat.apply(Event::Opened);
        assert_eq!(chat.greeting_panel(), None);
        // Dismissed before being greeted at all (a reload in the same session) counts too.
        let mut reloaded = super::tests::chat();
        reloaded.apply(Event::GreetingDismissed);
        reloaded.apply(Event::Greet { text: "Hi".into(), stored: false });
        reloaded.apply(Event::GreetingDue);
        assert_eq!(reloaded.greeting_bubble(), None);
    }

    #[test]
    fn test_opening_moves_the_greeting_into_the_panel_above_the_form_and_into_the_chat() {
        let mut chat = greeted("Hi");
        chat.apply(Event::GreetingDue);
        chat.apply(Event::Opened);
        assert_eq!(chat.greeting_bubble(), None, "not at the launcher of an open panel");
        chat.apply(Event::PreChatShown);
        assert_eq!(chat.greeting_panel(), Some("Hi"));
        chat.apply(Event::Closed);
        assert_eq!(chat.greeting_bubble(), None, "the form was seen: the bubble stays away");
        chat.apply(Event::Opened);
        // The visitor answers: the greeting stays the team's first words in their chat.
        chat.apply(Event::Detached);
        chat.apply(Event::Starting);
        chat.apply(Event::Attached);
        assert_eq!(chat.phase, Phase::Chat);
        assert_eq!((chat.greeting_bubble(), chat.greeting_panel()), (None, Some("Hi")));
        // Back to the start (`reset()`, the host's log-out): the next visitor is greeted anew.
        chat.apply(Event::Reset);
        assert_eq!(chat.greeting_bubble(), Some("Hi"));
        // An ended chat keeps its greeting; a chat resumed from Starting (a stored session)
        // never takes one.
        let mut ended = greeted("Hi");
        ended.apply(Event::Starting);
        ended.apply(Event::Attached);
        ended.apply(Event::EndedByVisitor);
        assert_eq!((ended.phase, ended.greeting_panel()), (Phase::Ended, Some("Hi")));
        // "Start a new chat" from there: the greeting was for the first one.
        ended.apply(Event::Detached);
        ended.apply(Event::Starting);
        ended.apply(Event::Attached);
        assert_eq!((ended.greeting_bubble(), ended.greeting_panel()), (None, None));
    }

    #[test]
    fn test_a_greeting_opened_before_its_delay_shows_in_the_panel() {
        let mut chat = greeted("Hi");
        chat.apply(Event::Opened);
        chat.apply(Event::PreChatShown);
        assert_eq!((chat.greeting_bubble(), chat.greeting_panel()), (None, Some("Hi")));
    }

    #[test]
    fn test_no_greeting_with_a_chat_going_on() {
        // A stored session, not resumed yet: nobody to greet, at the launcher or in the panel.
        let mut stored = chat();
        stored.apply(Event::Greet { text: "Hi".into(), stored: true });
        stored.apply(Event::GreetingDue);
        assert_eq!((stored.greeting_bubble(), stored.greeting_panel()), (None, None));
        stored.apply(Event::Starting);
        stored.apply(Event::Attached);
        assert_eq!((stored.greeting_bubble(), stored.greeting_panel()), (None, None));
        // A chat resumed at page load, panel closed.
        let mut resumed = chatting(Some(3));
        resumed.apply(Event::Greet { text: "Hi".into(), stored: false });
        resumed.apply(Event::GreetingDue);
        assert_eq!((resumed.greeting_bubble(), resumed.greeting_panel()), (None, None));
        // A chat being resumed (its session was stored; greeted before the stored flag was
        // known) is not answering the greeting: Starting from Starting.
        let mut starting = chat();
        starting.apply(Event::Starting);
        starting.apply(Event::Greet { text: "Hi".into(), stored: false });
        starting.apply(Event::GreetingDue);
        starting.apply(Event::Attached);
        assert_eq!((starting.greeting_bubble(), starting.greeting_panel()), (None, None));
        // An unavailable chat shows its error, not a greeting.
        let mut down = greeted("Hi");
        down.apply(Event::Opened);
        down.apply(Event::Starting);
        down.apply(Event::Connection(ConnectionState::Denied { code: 401, reason: "x".into() }));
        assert_eq!(down.phase, Phase::Unavailable);
        assert_eq!(down.greeting_panel(), None);
    }

    #[test]
    fn test_a_refused_form_goes_back_to_the_form_not_to_unavailable() {
        let mut chat = chat();
        chat.apply(Event::PreChatShown);
        chat.apply(Event::Starting);
        chat.apply(Event::Connection(ConnectionState::Connecting));
        chat.apply(Event::Detached);
        chat.apply(Event::FormRefused);
        assert_eq!(chat.phase, Phase::PreChat);
        assert_eq!(chat.connection, ConnectionState::Disconnected, "no connection line");
        // Only a session being started goes back: a chat, or an ended one, stays.
        chat.apply(Event::Starting);
        chat.apply(Event::Attached);
        chat.apply(Event::FormRefused);
        assert_eq!(chat.phase, Phase::Chat);
    }

    #[test]
    fn test_phases_from_start_to_end() {
        let mut chat = chat();
        chat.apply(Event::PreChatShown);
        assert_eq!(chat.phase, Phase::PreChat);
        chat.apply(Event::Attached);
        assert_eq!(chat.phase, Phase::PreChat, "only a starting session becomes a chat");
        chat.apply(Event::Starting);
        chat.apply(Event::Attached);
        assert_eq!(chat.phase, Phase::Chat);
        let mut closed = info(None, None, None);
        closed.state = ConversationState::Closed;
        chat.apply(Event::Info(Some(closed)));
        assert_eq!(chat.phase, Phase::Ended);
        chat.apply(Event::Connection(ConnectionState::Denied { code: 401, reason: "x".into() }));
        assert_eq!(chat.phase, Phase::Ended, "an ended chat stays ended");
        chat.apply(Event::Reset);
        assert_eq!((chat.phase, chat.open, chat.timeline.len()), (Phase::Idle, false, 0));
    }

    /// The panel shows the "leave a message" form in the pre-chat form's place (`PreChat`)
    /// while support is closed (`!available`): what these two say is what it shows.
    #[test]
    fn test_closed_support_offers_the_message_form_only_to_a_visitor_with_no_chat() {
        let form = |c: &Chat| (c.phase, c.available);
        let mut chat = chat();
        chat.apply(Event::Availability(false));
        assert_eq!(form(&chat), (Phase::Idle, false), "nothing on screen yet");
        chat.apply(Event::PreChatShown);
        assert_eq!(form(&chat), (Phase::PreChat, false), "the message form");
        // Opening while the form is on screen swaps it back, and closing again swaps it again.
        chat.apply(Event::Availability(true));
        assert_eq!(form(&chat), (Phase::PreChat, true), "the pre-chat form");
        chat.apply(Event::Availability(false));
        assert_eq!(form(&chat), (Phase::PreChat, false));
        // A chat going on is not interrupted by closing time.
        let mut going_on = chatting(Some(3));
        going_on.apply(Event::Availability(false));
        assert_eq!(going_on.phase, Phase::Chat);
    }

    #[test]
    fn test_a_message_left_is_confirmed_in_the_chat_it_started_and_only_there() {
        let mut chat = chat();
        chat.apply(Event::MessageLeft("ana@example.org".into()));
        assert_eq!(chat.message_left, None, "no chat started with it");
        chat.apply(Event::Availability(false));
        chat.apply(Event::PreChatShown);
        chat.apply(Event::Starting);
        chat.apply(Event::MessageLeft("ana@example.org".into()));
        chat.apply(Event::Attached);
        assert_eq!(chat.message_left.as_deref(), Some("ana@example.org"));
        // The next chat (after this one ended, or a reset) is another chat.
        chat.apply(Event::Starting);
        assert_eq!(chat.message_left, None);
        chat.apply(Event::MessageLeft("ana@example.org".into()));
        chat.apply(Event::Reset);
        assert_eq!(chat.message_left, None);
    }

    #[test]
    fn test_the_end_question_goes_with_the_chat_and_does_not_come_back_in_the_next() {
        let mut chat = chatting(Some(3));
        chat.apply(Event::AskEnd(true));
        assert!(chat.asking_end);
        chat.apply(Event::AskEnd(false));
        assert!(!chat.asking_end, "kept chatting");
        chat.apply(Event::AskEnd(true));
        let mut closed = info(Some(3), Some(3), None);
        closed.state = ConversationState::Closed;
        chat.apply(Event::Info(Some(closed)));
        assert!(!chat.asking_end, "ended elsewhere: nothing left to ask");
        chat.apply(Event::Detached);
        chat.apply(Event::Starting);
        chat.apply(Event::Attached);
        assert_eq!(
            (chat.phase, chat.asking_end),
            (Phase::Chat, false),
            "a new chat starts unasked"
        );
        let mut idle = super::tests::chat();
        idle.apply(Event::AskEnd(true));
        assert!(!idle.asking_end, "no chat, no question");
    }

    #[test]
    fn test_end_chat_ends_only_a_chat_and_a_failure_keeps_chatting() {
        let mut chat = chatting(Some(3));
        chat.apply(Event::Ending);
        assert!(chat.ending);
        chat.apply(Event::EndFailed);
        assert_eq!((chat.phase, chat.ending), (Phase::Chat, false), "a failure keeps the chat");
        chat.apply(Event::Ending);
        chat.apply(Event::EndedByVisitor);
        assert_eq!((chat.phase, chat.ending), (Phase::Ended, false));
        // The conversation's own update arrives after; nothing changes.
        let mut closed = info(Some(3), Some(3), None);
        closed.state = ConversationState::Closed;
        chat.apply(Event::Info(Some(closed)));
        assert_eq!(chat.phase, Phase::Ended);

        let mut idle = super::tests::chat();
        idle.apply(Event::Ending);
        idle.apply(Event::EndedByVisitor);
        assert_eq!((idle.phase, idle.ending), (Phase::Idle, false), "no chat, nothing to end");
    }

    #[test]
    fn test_an_ended_chat_is_rated_once_and_a_new_chat_can_be_rated_again() {
        let mut chat = chatting(Some(1));
        chat.apply(Event::Feedback(Feedback::Sending));
        assert_eq!(chat.feedback, Feedback::Open, "a chat still going is not rated");
        chat.apply(Event::EndedByVisitor);
        chat.apply(Event::Feedback(Feedback::Sending));
        assert_eq!(chat.feedback, Feedback::Sending);
        chat.apply(Event::Feedback(Feedback::Open));
        assert_eq!(chat.feedback, Feedback::Open, "a failed rating can be sent again");
        chat.apply(Event::Feedback(Feedback::Sent));
        chat.apply(Event::Feedback(Feedback::Sending));
        assert_eq!(chat.feedback, Feedback::Sent, "stored stays stored");
        chat.apply(Event::Detached);
        assert_eq!(chat.feedback, Feedback::Open, "the next conversation starts unrated");
    }

    #[test]
    fn test_earlier_conversations_are_the_ended_ones_but_this_one_and_go_with_the_client() {
        let mut chat = chatting(Some(1));
        chat.apply(Event::EndedConversations(vec!["CH0".into(), "CH1".into()]));
        let earlier: Vec<&String> = chat.earlier().collect();
        assert_eq!(earlier, ["CH0"], "this conversation (CH1) ended too: not earlier");
        chat.apply(Event::Detached);
        assert_eq!(chat.earlier().count(), 0, "a new client tells its own");
    }

    #[test]
    fn test_a_stored_session_resumes_at_load_only_while_recently_active() {
        let minute = 60_000;
        let now = 1_000 * minute;
        assert!(resumes_at_load(Some(now - 5 * minute), now, 30 * minute));
        assert!(resumes_at_load(Some(now - 30 * minute), now, 30 * minute), "inclusive");
        assert!(!resumes_at_load(Some(now - 31 * minute), now, 30 * minute));
        assert!(!resumes_at_load(None, now, 30 * minute), "never active: wait to be opened");
        assert!(!resumes_at_load(Some(now), now, 0), "zero: only when opened");
        assert!(resumes_at_load(Some(now + minute), now, 30 * minute), "a clock set back");
    }

    #[test]
    fn test_a_refused_session_makes_the_chat_unavailable() {
        let mut chat = chatting(None);
        chat.apply(Event::Connection(ConnectionState::Denied { code: 401, reason: "x".into() }));
        assert_eq!(chat.phase, Phase::Unavailable);
    }

    #[test]
    fn test_resume_with_the_panel_closed_shows_the_servers_unread_count() {
        let mut chat = chat();
        chat.apply(Event::Starting);
        chat.apply(Event::Attached);
        chat.apply(Event::Info(Some(info(Some(9), Some(6), Some(3)))));
        assert_eq!(chat.unread, 3);
        chat.apply(Event::Info(Some(info(Some(9), Some(6), Some(2)))));
        assert_eq!(chat.unread, 3, "never lowered while closed");
        chat.apply(Event::Opened);
        assert_eq!(chat.unread, 0, "seen once the panel opens");
    }

    #[test]
    fn test_news_with_the_panel_closed_counts_and_own_messages_never_do() {
        let mut chat = chatting(Some(1));
        chat.apply(Event::Timeline(VectorDiff::Reset {
            values: vec![message(0, "ana", 6), message(1, "ana", 6)],
        }));
        assert_eq!(chat.unread, 0, "history is not news");
        let outcome = insert(&mut chat, message(2, "ana", 6));
        assert_eq!(outcome.arrived.len(), 1);
        assert_eq!(chat.unread, 1);
        assert_eq!(
            chat.announcement,
            Some(Announcement::Message { author: "ana".to_owned(), text: "m2".to_owned() })
        );
        assert_eq!(chat.arrivals, 1);
        let outcome = insert(&mut chat, message(3, "me", 6));
        assert_eq!(outcome.arrived.len(), 1, "own messages are news for the page");
        assert_eq!(chat.unread, 1, "but never unread");
        assert_eq!(chat.arrivals, 1, "nor counted on the jump button");
        chat.apply(Event::PageVisible(false));
        chat.apply(Event::Opened);
        insert(&mut chat, message(4, "ana", 6));
        assert_eq!(chat.unread, 2, "open in a hidden tab: not seen");
        chat.apply(Event::PageVisible(true));
        assert_eq!(chat.unread, 0);
    }

    #[test]
    fn test_desktop_notifications_only_for_others_news_in_a_hidden_page_when_on() {
        let mut chat = chatting(Some(0));
        chat.apply(Event::Timeline(VectorDiff::Reset { values: vec![message(0, "ana", 6)] }));
        chat.apply(Event::PageVisible(false));
        assert_eq!(insert(&mut chat, message(1, "ana", 6)).notify, None, "not asked for");
        chat.apply(Event::Alerts(Alerts::Blocked));
        assert_eq!(insert(&mut chat, message(2, "ana", 6)).notify, None, "refused");
        chat.apply(Event::Alerts(Alerts::On));
        let notify = insert(&mut chat, message(3, "ana", 6)).notify;
        assert_eq!(notify.map(|m| m.index), Some(3));
        assert_eq!(insert(&mut chat, message(4, "me", 6)).notify, None, "own messages never");
        chat.apply(Event::PageVisible(true));
        assert_eq!(insert(&mut chat, message(5, "ana", 6)).notify, None, "a visible page");
        chat.apply(Event::PageVisible(false));
        let reload = chat.apply(Event::Timeline(VectorDiff::Reset {
            values: (0..8).map(|i| message(i, "ana", 6)).collect(),
        }));
        assert_eq!(reload.notify, None, "a reload's catch-up is not news");
        chat.apply(Event::Alerts(Alerts::Off));
        assert_eq!(insert(&mut chat, message(8, "ana", 6)).notify, None, "turned off");
        // Forgetting the visitor forgets their choice.
        chat.apply(Event::Alerts(Alerts::On));
        chat.apply(Event::Reset);
        assert_eq!(chat.alerts, Alerts::Off);
    }

    #[test]
    fn test_the_newest_message_from_others_is_previewed_at_the_closed_launcher() {
        let mut chat = chatting(Some(0));
        chat.apply(Event::Opened);
        insert(&mut chat, message(1, "ana", 6));
        assert_eq!(chat.preview_bubble(), None, "the panel is open");
        chat.apply(Event::Closed);
        insert(&mut chat, message(2, "ana", 6));
        insert(&mut chat, message(3, "bob", 6));
        assert_eq!(chat.preview_bubble(), Some(&("bob".to_owned(), "m3".to_owned())), "the newest");
        insert(&mut chat, message(4, "me", 6));
        assert_eq!(chat.preview_bubble().map(|p| p.1.as_str()), Some("m3"), "never own messages");
        chat.apply(Event::PreviewDismissed);
        assert_eq!(chat.preview_bubble(), None, "dismissed");
        insert(&mut chat, message(5, "ana", 6));
        assert_eq!(chat.preview_bubble().map(|p| p.1.as_str()), Some("m5"), "until the next one");
        // Its author edits it, then deletes it.
        let mut edited = message(5, "ana", 6);
        if let TimelineItem::Remote(m) = &mut edited {
            Arc::make_mut(m).body = Some("m5, corrected".to_owned());
        }
        chat.apply(Event::Timeline(VectorDiff::Set { index: 4, value: edited }));
        assert_eq!(chat.preview_bubble().map(|p| p.1.as_str()), Some("m5, corrected"));
        chat.apply(Event::Timeline(VectorDiff::Remove { index: 4 }));
        assert_eq!(chat.preview_bubble(), None, "gone with the message");
        insert(&mut chat, message(6, "ana", 6));
        chat.apply(Event::Opened);
        chat.apply(Event::Closed);
        assert_eq!(chat.preview_bubble(), None, "seen once the panel opened");
        insert(&mut chat, message(7, "ana", 6));
        chat.apply(Event::EndedByVisitor);
        chat.apply(Event::Info(Some(ConversationInfo {
            state: ConversationState::Closed,
            ..info(Some(6), Some(6), Some(0))
        })));
        assert_eq!(chat.preview_bubble(), None, "only while chatting");
    }

    #[test]
    fn test_reload_replaces_the_timeline_without_news() {
        let mut chat = chatting(Some(1));
        chat.apply(Event::Timeline(VectorDiff::Reset { values: vec![message(0, "ana", 6)] }));
        let outcome = chat.apply(Event::Timeline(VectorDiff::Reset {
            values: vec![message(0, "ana", 6), message(1, "ana", 6)],
        }));
        assert!(outcome.arrived.is_empty());
        assert_eq!(chat.unread, 0);
    }

    #[test]
    fn test_nothing_is_news_before_the_conversation_is_described() {
        let mut chat = chat();
        chat.apply(Event::Starting);
        chat.apply(Event::Attached);
        assert!(insert(&mut chat, message(0, "ana", 6)).arrived.is_empty());
        assert_eq!(chat.unread, 0);
    }

    #[test]
    fn test_pending_to_confirmed_is_news_once_and_keeps_its_row() {
        let mut chat = chatting(Some(0));
        chat.apply(Event::Timeline(VectorDiff::Reset { values: vec![message(0, "ana", 6)] }));
        insert(&mut chat, pending(1));
        let key = chat.timeline.entries()[1].key;
        let outcome =
            chat.apply(Event::Timeline(VectorDiff::Set { index: 1, value: message(1, "me", 6) }));
        assert_eq!(outcome.arrived.len(), 1);
        assert_eq!(chat.timeline.entries()[1].key, key);
        let edit =
            chat.apply(Event::Timeline(VectorDiff::Set { index: 1, value: message(1, "me", 6) }));
        assert!(edit.arrived.is_empty(), "an edit is not news");
    }

    #[test]
    fn test_edits_and_removals_are_not_news() {
        let mut chat = chatting(Some(0));
        chat.apply(Event::Timeline(VectorDiff::Reset { values: vec![message(0, "ana", 6)] }));
        insert(&mut chat, message(1, "ana", 6));
        chat.apply(Event::Timeline(VectorDiff::Set { index: 1, value: message(1, "ana", 6) }));
        chat.apply(Event::Timeline(VectorDiff::Remove { index: 1 }));
        assert_eq!(chat.unread, 1);
        assert_eq!(chat.timeline.len(), 2, "the removed message stays, as a placeholder");
        assert!(chat.timeline.entries()[1].deleted);
    }

    #[test]
    fn test_the_read_horizon_skips_own_messages_never_repeats_and_never_moves_back() {
        let mut chat = chatting(Some(0));
        chat.apply(Event::Timeline(VectorDiff::Reset {
            values: vec![message(0, "ana", 6), message(1, "ana", 6), message(2, "me", 6)],
        }));
        chat.apply(Event::Viewed(2));
        assert_eq!(chat.horizon_to_send(), None, "not watching: nothing is seen");
        chat.apply(Event::Opened);
        chat.apply(Event::Viewed(2));
        assert_eq!(chat.horizon_to_send(), Some(1), "the newest from someone else");
        assert_eq!(chat.horizon_to_send(), None, "never twice");
        chat.apply(Event::Viewed(0));
        assert_eq!(chat.horizon_to_send(), None, "never back");
        insert(&mut chat, message(3, "me", 6));
        chat.apply(Event::Viewed(3));
        assert_eq!(chat.horizon_to_send(), None, "own messages do not move it");
        insert(&mut chat, message(4, "ana", 6));
        chat.apply(Event::Viewed(4));
        assert_eq!(chat.horizon_to_send(), Some(4));
    }

    #[test]
    fn test_only_messages_newer_than_the_newest_seen_may_still_be_seen() {
        let mut chat = chatting(Some(0));
        chat.apply(Event::Timeline(VectorDiff::Reset {
            values: (0..6).map(|i| message(i, "ana", 6)).collect(),
        }));
        assert!(chat.may_see(0), "nothing seen yet: every message may be");
        chat.apply(Event::Viewed(4));
        assert!(chat.may_see(2), "not watching: what shows is not seen");
        chat.apply(Event::Opened);
        chat.apply(Event::Viewed(4));
        assert!(!chat.may_see(4) && !chat.may_see(2), "seen, and older than the newest seen");
        assert!(chat.may_see(5));
        chat.apply(Event::Viewed(1));
        assert!(!chat.may_see(3), "seeing an older message moves nothing back");
    }

    #[test]
    fn test_the_marker_goes_after_what_was_read_when_the_panel_opened() {
        let mut chat = chat();
        chat.apply(Event::Starting);
        chat.apply(Event::Attached);
        chat.apply(Event::Info(Some(info(Some(2), Some(0), Some(2)))));
        chat.apply(Event::Timeline(VectorDiff::Reset {
            values: vec![message(0, "ana", 6), message(1, "ana", 6), message(2, "ana", 6)],
        }));
        assert!(chat.timeline.entries().iter().all(|e| !e.marker), "closed: no marker");
        chat.apply(Event::Opened);
        let marked: Vec<u64> =
            chat.timeline.entries().iter().filter(|e| e.marker).map(|e| e.key).collect();
        assert_eq!(marked, [1]);
    }

    #[test]
    fn test_roles_come_only_from_the_staff_the_backend_wrote() {
        let mut chat = chatting(None);
        let participant = |identity: &str, attributes: serde_json::Value| Participant {
            sid: format!("MB{identity}"),
            identity: Some(identity.into()),
            kind: "chat".into(),
            attributes,
            ..Participant::default()
        };
        chat.apply(Event::Participants(vec![
            participant("me", json!({ "role": "agent", "friendlyName": "Support" })),
            participant("ana", json!({ "friendlyName": "Ana" })),
            participant("convo-bot", json!({})),
            participant("robot-fan", json!({ "role": "agent" })),
        ]));
        let people = &chat.people;
        use crate::state::people::Role;
        assert_eq!(people.role("ana"), Role::Agent);
        assert_eq!(people.role("convo-bot"), Role::Bot);
        assert_eq!(people.role("robot-fan"), Role::Visitor, "its own attributes say nothing");
        assert_eq!(people.role("me"), Role::Visitor);
        assert_eq!(people.name("ana"), Some("Ana"));
        assert_eq!(people.agents(Some("me")).collect::<Vec<_>>().len(), 1);
    }

    #[test]
    fn test_a_locale_change_relabels_statuses_and_keeps_every_row() {
        use crate::i18n::Locale;
        let mut chat = chatting(Some(0));
        chat.apply(Event::Timeline(VectorDiff::Reset { values: vec![message(0, "ana", 6)] }));
        insert(&mut chat, pending(1));
        let keys: Vec<u64> = chat.timeline.entries().iter().map(|e| e.key).collect();
        let TimelineItem::Pending(p) = &chat.timeline.entries()[1].item else { panic!() };
        let label =
            |locale: Locale, connected| status_label(&p.status, connected, locale.strings());
        assert_eq!(label(Locale::En, true), "Sending…");
        assert_eq!(label(Locale::Fr, true), "Envoi…");
        let queued = SendStatus::Queued;
        assert_eq!(status_label(&queued, false, Locale::Fr.strings()), "En attente de connexion");
        assert_eq!(status_label(&queued, true, Locale::En.strings()), "Sending…");
        let uploading = SendStatus::Uploading { sent: 1, total: 4 };
        assert_eq!(
            status_label(&uploading, true, Locale::Fr.strings()),
            (Locale::Fr.strings().uploading)(25)
        );
        // Labels come from the locale at render time: no row is keyed by its text.
        assert_eq!(keys, chat.timeline.entries().iter().map(|e| e.key).collect::<Vec<_>>());
    }

    #[test]
    fn test_a_message_sent_here_is_counted_for_the_list_not_one_from_elsewhere() {
        let mut chat = chatting(Some(0));
        chat.apply(Event::Timeline(VectorDiff::Reset { values: vec![message(0, "ana", 6)] }));
        insert(&mut chat, message(1, "ana", 6));
        insert(&mut chat, message(2, "me", 6));
        assert_eq!(chat.sent, 0, "others' messages and own ones sent from another tab are not");
        insert(&mut chat, pending(3));
        assert_eq!(chat.sent, 1);
        chat.apply(Event::Timeline(VectorDiff::Set { index: 3, value: message(3, "me", 6) }));
        assert_eq!(chat.sent, 1, "its confirmation is the same message");
        assert_eq!(chat.arrivals, 1, "and never an arrival");
    }

    #[test]
    fn test_a_pending_message_with_a_failed_status_stays_own() {
        let mut chat = chatting(None);
        insert(
            &mut chat,
            TimelineItem::Pending(Arc::new(PendingMessage {
                local_id: 3,
                body: Some("x".into()),
                attributes: json!({}),
                media: vec![],
                status: SendStatus::Failed { error: "no".into() },
            })),
        );
        assert!(chat.timeline.entries()[0].own);
        assert_eq!(chat.unread, 0);
    }

    fn participant(identity: &str, horizon: Option<u64>) -> Participant {
        Participant {
            sid: format!("MB{identity}"),
            identity: Some(identity.into()),
            kind: "chat".into(),
            read_horizon: horizon,
            ..Participant::default()
        }
    }

    #[test]
    fn test_own_messages_are_read_by_other_participants_horizons_not_the_visitors() {
        use crate::state::timeline::Receipt::{Read, Sent};
        let mut chat = chatting(Some(0));
        chat.apply(Event::Timeline(VectorDiff::Reset {
            values: vec![message(0, "me", 6), message(1, "ana", 6), message(2, "me", 6)],
        }));
        let receipts =
            |chat: &Chat| chat.timeline.entries().iter().map(|e| e.receipt()).collect::<Vec<_>>();
        chat.apply(Event::Participants(vec![participant("me", Some(2)), participant("ana", None)]));
        assert_eq!(receipts(&chat), [Some(Sent), None, Some(Sent)], "my own horizon says nothing");
        chat.apply(Event::Participants(vec![
            participant("me", Some(2)),
            participant("ana", Some(1)),
        ]));
        assert_eq!(receipts(&chat), [Some(Read), None, Some(Sent)]);
        chat.apply(Event::Participants(vec![
            participant("me", Some(2)),
            participant("ana", Some(1)),
            participant("ben", Some(2)),
        ]));
        assert_eq!(receipts(&chat), [Some(Read), None, Some(Read)], "anyone else's counts");
    }

    #[test]
    fn test_up_arrow_edits_the_newest_own_message_with_text_and_escape_cancels() {
        let mut chat = chatting(Some(0));
        let media_only = TimelineItem::Remote(Arc::new(Message {
            body: None,
            ..(*match message(3, "me", 6) {
                TimelineItem::Remote(m) => m,
                TimelineItem::Pending(_) => unreachable!(),
            })
            .clone()
        }));
        chat.apply(Event::Timeline(VectorDiff::Reset {
            values: vec![
                message(0, "me", 6),
                message(1, "me", 6),
                message(2, "ana", 6),
                media_only,
            ],
        }));
        insert(&mut chat, pending(8));
        chat.apply(Event::Edit(None));
        let editing = chat.editing.clone().expect("editing");
        assert_eq!(
            (editing.key, editing.sid.as_str(), editing.body.as_str()),
            (1, "IM1", "m1"),
            "not the pending one, not the attachment alone, not the agent's"
        );
        chat.apply(Event::EditEnd);
        assert_eq!(chat.editing, None, "cancelled");
        chat.apply(Event::Edit(Some(2)));
        assert_eq!(chat.editing, None, "someone else's message is not editable");
        chat.apply(Event::Edit(Some(0)));
        assert_eq!(chat.editing.as_ref().map(|e| e.key), Some(0), "a chosen row");
        let mut idle = super::tests::chat();
        idle.apply(Event::Timeline(VectorDiff::Reset { values: vec![message(0, "me", 6)] }));
        idle.apply(Event::Edit(None));
        assert_eq!(idle.editing, None, "only while chatting");
    }

    #[test]
    fn test_a_delete_question_ends_with_its_message_an_edit_outlives_it_both_end_with_the_chat() {
        let mut chat = chatting(Some(0));
        chat.apply(Event::Timeline(VectorDiff::Reset {
            values: vec![message(0, "me", 6), message(1, "me", 6)],
        }));
        chat.apply(Event::Edit(Some(1)));
        chat.apply(Event::AskDelete(Some(0)));
        assert_eq!(chat.asking_delete.as_ref().map(|m| m.sid.as_str()), Some("IM0"));
        // Deleted elsewhere (another tab): the row is a placeholder, nothing to ask about.
        chat.apply(Event::Timeline(VectorDiff::Remove { index: 0 }));
        assert_eq!(chat.asking_delete, None);
        assert!(chat.editing.is_some(), "the other message is still being edited");
        chat.apply(Event::AskDelete(Some(0)));
        assert_eq!(chat.asking_delete, None, "a deleted message cannot be deleted again");
        chat.apply(Event::Edit(Some(0)));
        assert_eq!(chat.editing.as_ref().map(|m| m.key), Some(1), "nor edited");
        // The message being edited is deleted elsewhere: the edit (the visitor's text) stays
        // until they save (refused, said so) or cancel it.
        chat.apply(Event::Timeline(VectorDiff::Remove { index: 0 }));
        assert_eq!(chat.editing.as_ref().map(|m| m.key), Some(1));
        chat.apply(Event::EditEnd);
        assert_eq!(chat.editing, None);
        chat.apply(Event::Edit(Some(1)));
        assert_eq!(chat.editing, None, "and it cannot be edited again");
        chat.apply(Event::EndedByVisitor);
        assert_eq!((chat.editing.clone(), chat.asking_delete.clone()), (None, None), "ended");
    }

    /// `(identity, friendlyName)` participants.
    fn roster(people: &[(&str, &str)]) -> Event {
        Event::Participants(
            people
                .iter()
                .map(|(identity, name)| Participant {
                    sid: format!("MB{identity}"),
                    identity: Some((*identity).into()),
                    kind: "chat".into(),
                    attributes: json!({ "friendlyName": name }),
                    ..Participant::default()
                })
                .collect(),
        )
    }

    /// The conversation's description with `staff` (`{ identity: role }`).
    fn staffed(staff: serde_json::Value) -> Event {
        Event::Info(Some(ConversationInfo {
            attributes: json!({ "staff": staff }),
            ..info(Some(1), Some(1), Some(0))
        }))
    }

    /// The timeline's notices above rows and trailing, as `+name` / `-name`, with each row as
    /// `^key` when it starts a run.
    fn notices(chat: &Chat) -> String {
        let sign = |n: &Notice| {
            let s = if n.kind == NoticeKind::Joined { "+" } else { "-" };
            format!("{s}{}", n.name.as_deref().unwrap_or("?"))
        };
        let mut out = Vec::new();
        for e in chat.timeline.entries() {
            out.extend(e.notices.iter().map(sign));
            out.push(format!("{}{}", if e.first { "^" } else { "" }, e.key));
        }
        out.extend(chat.timeline.trailing().iter().map(sign));
        out.join(" ")
    }

    #[test]
    fn test_staff_joining_and_leaving_while_chatting_are_noticed_and_nothing_else_is() {
        let mut chat = chatting(Some(1));
        chat.apply(staffed(json!({ "convo-bot": "bot", "ana": "agent", "ben": "agent" })));
        chat.apply(Event::Timeline(VectorDiff::Reset {
            values: vec![message(0, "me", 6), message(1, "me", 6)],
        }));
        chat.apply(roster(&[]));
        chat.apply(roster(&[("me", "Sam"), ("convo-bot", "Bot"), ("ben", "Ben")]));
        assert_eq!(notices(&chat), "^0 1", "who was already here is not news, nor not knowing");
        chat.apply(roster(&[("me", "Sam"), ("convo-bot", "Bot"), ("ben", "Ben"), ("ana", "Ana")]));
        assert_eq!(notices(&chat), "^0 1 +Ana");
        let Some(Announcement::Notice(joined)) = chat.announcement.clone() else { panic!() };
        assert_eq!((joined.kind, joined.name.as_deref()), (NoticeKind::Joined, Some("Ana")));
        assert_eq!((chat.unread, chat.arrivals), (0, 0), "a notice is not a message");
        insert(&mut chat, message(2, "me", 6));
        assert_eq!(notices(&chat), "^0 1 +Ana ^2", "it breaks the visitor's run");
        // Leaving: the name they had, though they are gone from the roster; their messages
        // keep it, and the header no longer lists them.
        chat.apply(roster(&[("me", "Sam"), ("convo-bot", "Bot"), ("ana", "Ana")]));
        assert_eq!(notices(&chat), "^0 1 +Ana ^2 -Ben");
        assert_eq!(chat.people.name("ben"), Some("Ben"));
        assert_eq!(chat.people.agents(Some("me")).count(), 1, "Ana only");
        chat.apply(staffed(json!({ "ana": "agent", "ben": "agent", "convo-bot": "bot" })));
        assert_eq!(chat.people.name("ben"), Some("Ben"), "through a change of staff too");
        // The bot, and the visitor's own (other tab) joins and leaves, say nothing.
        chat.apply(roster(&[("ana", "Ana")]));
        chat.apply(roster(&[("me", "Sam"), ("convo-bot", "Bot"), ("ana", "Ana")]));
        assert_eq!(notices(&chat), "^0 1 +Ana ^2 -Ben");
        // Gone while reconnecting: an empty roster says nothing; nor does the same one again.
        chat.apply(roster(&[]));
        chat.apply(roster(&[("me", "Sam"), ("convo-bot", "Bot"), ("ana", "Ana")]));
        assert_eq!(notices(&chat), "^0 1 +Ana ^2 -Ben");
        assert_eq!(chat.unread, 0);
        // A new client (a new session) starts over: notices are session-only.
        chat.apply(Event::Detached);
        assert_eq!(notices(&chat), "");
    }

    #[test]
    fn test_a_participant_named_staff_after_joining_is_noticed_then() {
        let mut chat = chatting(Some(0));
        chat.apply(staffed(json!({})));
        chat.apply(Event::Timeline(VectorDiff::Reset { values: vec![message(0, "me", 6)] }));
        chat.apply(roster(&[("me", "Sam")]));
        // The backend adds the agent, then writes the conversation's `staff`.
        chat.apply(roster(&[("me", "Sam"), ("ana", "Ana"), ("eve", "Eve")]));
        assert_eq!(notices(&chat), "^0", "not staff (yet): a participant's own word is not enough");
        chat.apply(staffed(json!({ "ana": "agent" })));
        assert_eq!(notices(&chat), "^0 +Ana", "eve was never named: never noticed");
        chat.apply(staffed(json!({ "ana": "agent", "eve": "bot" })));
        assert_eq!(notices(&chat), "^0 +Ana", "once, and bots not at all");
    }

    #[test]
    fn test_nothing_is_noticed_before_chatting() {
        let mut chat = chat();
        chat.apply(roster(&[("me", "Sam")]));
        chat.apply(staffed(json!({ "ana": "agent" })));
        chat.apply(roster(&[("me", "Sam"), ("ana", "Ana")]));
        assert_eq!(notices(&chat), "", "not chatting: the roster is who is here");
        chat.apply(Event::Starting);
        chat.apply(Event::Attached);
        chat.apply(roster(&[("me", "Sam")]));
        assert_eq!(notices(&chat), "-Ana", "chatting: leaving is news");
    }

    #[test]
    fn test_the_read_horizon_skips_deleted_placeholders() {
        let mut chat = chatting(Some(0));
        chat.apply(Event::Timeline(VectorDiff::Reset {
            values: vec![message(0, "ana", 6), message(1, "ana", 6)],
        }));
        chat.apply(Event::Timeline(VectorDiff::Remove { index: 1 }));
        chat.apply(Event::Opened);
        chat.apply(Event::Viewed(1));
        assert_eq!(chat.horizon_to_send(), None, "message 0 is read already; 1 is gone");
    }
}
