//! The message list. Only a window of at most [`WINDOW`] rows is in the DOM, whatever the
//! history's length: the window grows or slides as the visitor scrolls, older pages are
//! fetched ahead of it, and a visitor reading back keeps their place as rows come and go above
//! them (the list keeps it: the browser's scroll anchoring loses rows the keyed list moves).
//! Near the top, the Home key or the scrollbar flings the window back a page past itself; a
//! wheel or Page Up goes on step by step. New messages are followed only when the visitor is at
//! the bottom; otherwise a "jump to latest" button counts them. Nothing here reads layout when a
//! message arrives at the bottom: following writes the scroll position once in the next
//! frame; there the newest message is seen by construction, and scrolled up an
//! `IntersectionObserver` tells which rows show (it watches rows only then: at the bottom it
//! would cost every frame for nothing).
//! A visitor at the bottom stays there when the list itself changes size (a phone's on-screen
//! keyboard, a composer growing to several lines), a photo loads, a notice comes below the last
//! row or the last row changes; a visitor who sends a message is taken there to see it; and a
//! visitor who scrolls up just as a message arrives is not pulled back down.

use std::sync::Arc;

use leptos::prelude::*;
use wasm_bindgen::{closure::Closure, JsCast};

use super::{bind, shown, EarlierThreads, MessageRow, ParticipantNotice, RowMenus, Slot};
use crate::dom;
use crate::effect::effect;
use crate::state::{ChatHandle, Reach, Store, WINDOW};

/// How many rows the window grows or slides by as the visitor scrolls.
const STEP: usize = 40;
/// At the very top (the Home key, the scrollbar's thumb held there), the window moves back by
/// this many: past itself and a page more. The visitor is shown the new window's top; the rows
/// between it and the old window, which they would only have passed over, are not built
/// (scrolling down brings them in, [`STEP`] at a time). A fling back through a long history
/// then builds 120 rows for every 220 messages it goes back, not every message's row.
const FLING: usize = WINDOW + 100;
/// How close to an edge (px) counts as "at" it.
const EDGE: i32 = 150;
/// How long (ms) after the visitor's input that scrolls up a scroll event is taken as theirs.
const INPUT_MS: u64 = 250;

/// An observer and the callback it calls.
type Observer = (web_sys::IntersectionObserver, Closure<dyn FnMut(js_sys::Array)>);

/// The IntersectionObserver rows register with while the visitor is scrolled up; shared
/// through context.
#[derive(Clone, Copy)]
pub struct SeenObserver {
    store: Store,
    observer: StoredValue<Option<Observer>, LocalStorage>,
    watching: StoredValue<bool>,
}

/// A row registered with the list's seen observer while it is in the DOM: a directive
/// (`use:seen=observer` on the row), so a row costs no node reference or effect for it.
/// The row passes `None` when seeing it can tell nothing ([`SeenObserver::wants`]).
pub fn seen(element: web_sys::Element, observer: Option<SeenObserver>) {
    let Some(observer) = observer else { return };
    observer.observe(&element);
    let element = send_wrapper::SendWrapper::new(element);
    on_cleanup(move || observer.unobserve(&element));
}

impl SeenObserver {
    /// Whether the row of the message at `index` is worth watching: only one newer than the
    /// newest the visitor has seen. A fling back through a long history mounts and unmounts
    /// ten thousand rows, all seen already, and the observer would track each of them.
    pub fn wants(&self, index: Option<u64>) -> bool {
        index.is_some_and(|i| self.store.with_chat(|c| c.may_see(i)).unwrap_or(false))
    }

    /// Watches a message row (its `data-index`) while rows are watched.
    fn observe(&self, element: &web_sys::Element) {
        if self.watching.try_get_value() == Some(true) {
            self.with(|o| o.observe(element));
        }
    }

    /// Stops watching a row.
    fn unobserve(&self, element: &web_sys::Element) {
        self.with(|o| o.unobserve(element));
    }

    /// Starts watching the rows in `list` (the visitor scrolled up), or stops watching any.
    fn watch(&self, on: bool, list: Option<web_sys::Element>) {
        if self.watching.try_get_value() == Some(on) {
            return;
        }
        self.watching.set_value(on);
        if !on {
            self.with(|o| o.disconnect());
            return;
        }
        let Some(list) = list else { return };
        for row in crate::dom::elements(&list, "[data-index]") {
            if self.wants(row_index(&row)) {
                self.with(|o| o.observe(&row));
            }
        }
    }

    fn with(&self, f: impl FnOnce(&web_sys::IntersectionObserver)) {
        self.observer.try_with_value(|o| {
            if let Some((o, _)) = o {
                f(o);
            }
        });
    }
}

/// The message list with its window, jump button and edge indicators.
#[component]
pub fn MessageList() -> impl IntoView {
    let store = Store::expect();
    let handle = ChatHandle::expect();
    let scroller = Slot::new();
    let at_bottom = RwSignal::new(true);
    // Arrivals from others when the visitor left the bottom: the jump button counts past it.
    let arrivals_when_left = RwSignal::new(0u64);
    let unseen = move || store.arrivals.get().saturating_sub(arrivals_when_left.get());
    // The last scroll position, to tell the visitor scrolling up from rows arriving.
    let last_scroll_top = StoredValue::new(0i32);
    // Follows asked for and not yet settled. From the moment rows change until the frame after
    // the list is scrolled to the bottom, scroll events are the rows' doing, not the visitor's:
    // with a full window a new row at the bottom comes with the oldest row leaving the top, and
    // the browser's scroll anchoring then moves the position up before the follow lands. Read as
    // the visitor scrolling up, that left the bottom and slid the window back, so new messages
    // stopped showing.
    let following = StoredValue::new(0u32);
    // When the visitor last did something that scrolls the list up, and whether it asked for
    // the start (Home, the scrollbar). Only input tells their scrolling from the rows' (both
    // move the position up), so a scroll event soon after it is theirs even while a new row is
    // being followed: otherwise a visitor turning the wheel as messages stream in would be
    // pulled back to the bottom with each one. Near the top, only an input that asks for the
    // start, or none at all at the very top (the thumb held there), flings the window back; a
    // wheel or Page Up there goes on step by step.
    let asked_up = StoredValue::new((0u64, false));
    // The list can outlive its element for a frame (the ended view replaces it), so every
    // deferred callback goes through this rather than `scroller.get()`.
    let element = move || scroller.try_get_untracked();

    let observer = SeenObserver {
        store,
        observer: StoredValue::new_local(seen_observer(handle)),
        watching: StoredValue::new(false),
    };
    provide_context(observer);
    // The own rows' "More actions" menus: their listeners are the list's, not each row's.
    let menus = RowMenus::new(store, handle, scroller);
    on_cleanup(move || {
        observer.observer.try_update_value(|o| {
            if let Some((o, _)) = o.take() {
                o.disconnect();
            }
        });
    });
    // Rows are watched only while the visitor is scrolled up.
    effect(move || observer.watch(!at_bottom.get(), element()));
    // At the bottom, the newest message is on screen: it is seen while the panel is watched.
    effect(move || {
        let _ = (store.loaded.get(), store.open.get(), store.page_visible.get());
        if at_bottom.get() {
            if let Some(Some(newest)) = store.with_chat(|c| c.timeline.newest_index()) {
                handle.viewed(newest);
            }
        }
    });

    let scroll_to_bottom = move || {
        following.try_update_value(|n| *n += 1);
        request_animation_frame(move || {
            // Unless the visitor has left the bottom since (their scroll event comes before
            // this frame's callbacks).
            if let Some(el) = element().filter(|_| at_bottom.get_untracked()) {
                // Past the end is the end: no need to read how far that is.
                el.set_scroll_top(i32::MAX);
            }
            // Its scroll event (if the position moved at all) comes before the next frame's
            // callbacks: after that, scrolling is the visitor's again.
            request_animation_frame(move || {
                following.try_update_value(|n| *n = n.saturating_sub(1));
            });
        });
    };

    // At the bottom, follow what comes there while the visitor is there: new rows, notices
    // below the last one ("Bea joined the chat"), and the last row changing (an edit that
    // makes it longer, a send that failed and offers to retry).
    let mut previous: Option<Bottom> = None;
    effect(move || {
        let now = Bottom {
            loaded: store.loaded.get(),
            trailing: store.trailing.with(Vec::len),
            last: store.rows.with(|rows| {
                rows.last().map(|r| (r.key, r.entry.with(|e| Arc::as_ptr(e) as usize)))
            }),
        };
        if previous.as_ref().is_some_and(|p| now.moved_since(p))
            && at_bottom.get_untracked()
            && store.from_end.get_untracked() == 0
        {
            scroll_to_bottom();
        }
        previous = Some(now);
    });
    // A photo that loads at the bottom grows its row below the fold: follow it there. (Loads
    // do not bubble: the list hears them on their way down.)
    listen(scroller, &["load"], true, move |_| {
        if at_bottom.get_untracked() && store.from_end.get_untracked() == 0 {
            scroll_to_bottom();
        }
    });
    // The list shrinking (the keyboard opening) would leave the newest messages below its
    // fold: at the bottom, stay there. Sizes change rarely, never per message.
    let resized = Closure::<dyn FnMut()>::new(move || {
        if at_bottom.get_untracked() && store.from_end.get_untracked() == 0 {
            scroll_to_bottom();
        }
    });
    if let Ok(resize) = web_sys::ResizeObserver::new(resized.as_ref().unchecked_ref()) {
        scroller.on_load({
            let resize = resize.clone();
            move |el| resize.observe(&el)
        });
        let kept = send_wrapper::SendWrapper::new((resize, resized));
        on_cleanup(move || kept.take().0.disconnect());
    }
    // Opening the panel shows the newest messages.
    effect(move || {
        if store.open.get() {
            at_bottom.set(true);
            if store.from_end.get_untracked() != 0 {
                store.from_end.set(0);
                store.sync_rows();
            }
            scroll_to_bottom();
        }
    });
    // Scrolling back, older pages keep coming as the window's top nears what is loaded (the
    // window moving back, or a page arriving above it); further ahead, and more at a time, after
    // the visitor went to the very top ([`Reach`]). Not when a request settles: one the client
    // answers at once (nothing older to ask for) would be asked again, and again.
    let reach = StoredValue::new(Reach::Near);
    effect(move || {
        let at_bottom = at_bottom.get();
        reach.update_value(|r| *r = r.after(false, at_bottom));
        store.window_start.track();
        if !at_bottom && store.has_older.get() {
            handle.load_older(reach.get_value());
        }
    });

    // Where the visitor is reading while scrolled up: the message at the top of the view and how
    // far below the list's top edge it starts, as of their last scroll. Rows that come in above
    // it (a page arriving, the window growing or sliding back) push it down, and the browser's
    // scroll anchoring does not help: the keyed list puts new rows first by moving the rows that
    // stay, and a moved row is no anchor. So after each change of rows it is put back.
    let place = StoredValue::new(None::<(u64, f64)>);
    // From a change of rows until the place is kept: scroll events then (the rest of a wheel's
    // smooth scroll) would take the row pushed into view for the one read.
    let keeping = StoredValue::new(false);
    effect(move || {
        store.rows.track();
        if place.get_value().is_some() && !keeping.get_value() {
            keeping.set_value(true);
            request_animation_frame(move || {
                // (The list may have gone since: the ended view replaces it.)
                if let (Some(el), Some(Some((index, offset)))) = (element(), place.try_get_value())
                {
                    keep_place(&el, index, offset);
                }
                keeping.try_set_value(false);
            });
        }
    });

    // Near the top: more of the loaded rows above (the window grows, or slides back while the
    // visitor reads back: by a fling if they went to the very top), and more pages.
    let near_top = move |fling: bool| {
        reach.update_value(|r| *r = r.after(fling, at_bottom.get_untracked()));
        let start = store.window_start.get_untracked();
        if start > 0 {
            if store.size.get_untracked() < WINDOW {
                store.size.update(|s| *s = (*s + STEP).min(WINDOW));
            } else if !at_bottom.get_untracked() {
                // Only a visitor reading back slides the window off the newest rows.
                let by = if fling { FLING } else { STEP };
                if fling {
                    // Asked to go far: shown the new window's top, not kept where they were.
                    place.set_value(None);
                }
                store.from_end.update(|f| *f += by.min(start));
            }
            store.sync_rows();
        }
        handle.load_older(reach.get_value());
    };
    // The wheel turned up, or a key that scrolls up, with the list at its very top: no scroll
    // event comes, so the input itself asks for what is above (Home and Page Up by a fling), in
    // the next frame, unless a scroll event came first (the list was still moving up: the
    // scroll asks).
    let asked_at_top = StoredValue::new(false);
    on_scroll_up_input(scroller, asked_up, move |el, far| {
        if el.scroll_top() <= 0 && !asked_at_top.get_value() {
            asked_at_top.set_value(true);
            request_animation_frame(move || {
                if asked_at_top.try_get_value() == Some(true) {
                    asked_at_top.set_value(false);
                    near_top(far);
                }
            });
        }
    });

    let on_scroll = move |_| {
        let Some(el) = element() else { return };
        asked_at_top.set_value(false);
        let theirs = dom::now_ms().saturating_sub(asked_up.get_value().0) < INPUT_MS;
        if following.get_value() > 0 && !theirs {
            last_scroll_top.set_value(el.scroll_top());
            return;
        }
        let top = el.scroll_top();
        let distance_to_bottom = el.scroll_height() - top - el.client_height();
        let bottom = distance_to_bottom < 48 && store.from_end.get_untracked() == 0;
        let scrolled_up = top < last_scroll_top.get_value();
        last_scroll_top.set_value(top);
        // Rows arriving push the bottom away without the visitor moving: only their own
        // scrolling up leaves the bottom, so a burst of messages keeps being followed.
        if bottom {
            at_bottom.set(true);
        } else if scrolled_up && at_bottom.get_untracked() {
            at_bottom.set(false);
            arrivals_when_left.set(store.arrivals.get_untracked());
        }
        if !keeping.get_value() {
            place.set_value(if at_bottom.get_untracked() { None } else { top_row(&el) });
        }
        if top < EDGE {
            // A fling: near the top by the visitor's Home key or the scrollbar's thumb (their
            // smooth scroll seldom reaches the very top: rows come in above, and the place is
            // kept), once per input, not once per scroll event of it; or at the very top with
            // no input of theirs (the thumb held there).
            let (asked_at, start) = asked_up.get_value();
            let fling = if theirs { start } else { top == 0 };
            if fling && theirs {
                asked_up.set_value((asked_at, false));
            }
            near_top(fling);
        } else if distance_to_bottom < EDGE && store.from_end.get_untracked() > 0 {
            store.from_end.update(|f| *f = f.saturating_sub(STEP));
            store.sync_rows();
        }
    };

    let jump = move || {
        store.from_end.set(0);
        store.sync_rows();
        at_bottom.set(true);
        scroll_to_bottom();
    };
    // The visitor sent a message: show it, wherever they were reading. (At the bottom, the
    // follow of new rows above shows it already.)
    let mut sent_before = None;
    effect(move || {
        let sent = store.sent.get();
        let reading_back = !at_bottom.get_untracked() || store.from_end.get_untracked() != 0;
        if sent_before.is_some_and(|b| sent > b) && reading_back {
            jump();
        }
        sent_before = Some(sent);
    });

    view! {
        <div
            class="convo-messages"
            use:bind=scroller
            on:scroll=Store::on(on_scroll)
            on:click=Store::on(move |ev| menus.on_click(&ev))
            on:keydown=Store::on(move |ev| menus.on_keydown(&ev))
            on:focusout=Store::on(move |ev| menus.on_focusout(&ev))
            role="log"
            aria-label=store.label(|s| s.messages_label)
            tabindex="0"
        >
            <EarlierThreads />
            <p class="convo-messages__edge" aria-live="polite">
                {move || {
                    let strings = store.strings();
                    if store.older_pages.get() > 0 {
                        strings.loading_older
                    } else if !store.has_older.get() && store.window_start.get() == 0 && store.loaded.get() > 0 {
                        strings.beginning
                    } else {
                        ""
                    }
                }}
            </p>
            <For each=move || store.rows.get() key=|row| row.key let:row>
                <MessageRow entry=row.entry />
            </For>
            // Notices nothing has come after yet; the next message takes them into its row.
            // Few and rare: redrawn together, without a keyed list's code.
            {move || {
                store.trailing.get().into_iter().map(|notice| view! { <ParticipantNotice notice /> }).collect_view()
            }}
        </div>
        {shown(move || !at_bottom.get(), move || view! {
            <button type="button" class="convo-jump" on:click=Store::on(move |_| jump())>
                {Store::text(move || (store.strings().jump_to_latest)(unseen()))}
            </button>
        })}
    }
}

/// What is at the bottom of the list, to tell when something came or changed there.
struct Bottom {
    loaded: usize,
    trailing: usize,
    /// The last row's key and its entry's address (a new `Arc` whenever the entry changes).
    last: Option<(u64, usize)>,
}

impl Bottom {
    /// Whether a message or a notice came since `before`, or the same last row changed.
    fn moved_since(&self, before: &Bottom) -> bool {
        let last_changed = match (self.last, before.last) {
            (Some((key, entry)), Some((was_key, was_entry))) => {
                key == was_key && entry != was_entry
            }
            _ => false,
        };
        self.loaded > before.loaded || self.trailing > before.trailing || last_changed
    }
}

/// Stamps `asked_up` with the time of the visitor's input on the list that scrolls it up: a
/// wheel turned up, a key that scrolls up, a finger moving on it, a press on its scrollbar (the
/// list itself, not a row). Passive, so the browser never waits for it to scroll. Calls `on_up`
/// when the input asks to go up (a wheel, a key on the list itself), with whether it asks to go
/// far (Home, Page Up, a press on the scrollbar); `asked_up` learns whether it asks for the start
/// (Home, a press on the scrollbar).
fn on_scroll_up_input(
    scroller: Slot,
    asked_up: StoredValue<(u64, bool)>,
    on_up: impl Fn(&web_sys::Element, bool) + 'static,
) {
    const EVENTS: &[&str] = &["wheel", "keydown", "touchmove", "pointerdown"];
    listen(scroller, EVENTS, false, move |event| {
        let on_list = event.target() == event.current_target();
        // Whether the input scrolls the list (as the visitor's), whether it asks to go up, far,
        // and for the start. Keys in a row (its menu's arrows) are not the list's to act on.
        let (scrolls, up, far, start) = match event.type_().as_str() {
            "wheel" => {
                let up = event.dyn_ref::<web_sys::WheelEvent>().is_some_and(|w| w.delta_y() < 0.0);
                (up, up, false, false)
            }
            "keydown" => {
                let key =
                    event.dyn_ref::<web_sys::KeyboardEvent>().map(|k| (k.key(), k.shift_key()));
                let start = key.as_ref().is_some_and(|(k, _)| k == "Home");
                let far = start
                    || key.as_ref().is_some_and(|(k, shift)| k == "PageUp" || (k == " " && *shift));
                let up = far || key.is_some_and(|(k, _)| k == "ArrowUp");
                (up, up && on_list, far, start)
            }
            "touchmove" => (true, false, false, false),
            _ => (on_list, false, on_list, on_list),
        };
        if scrolls {
            asked_up.try_set_value((dom::now_ms(), start));
        }
        if up {
            if let Some(el) = event.current_target().and_then(|t| t.dyn_into().ok()) {
                on_up(&el, far);
            }
        }
    });
}

/// Calls `callback` with each of the events `names` on the list (in their capture phase if
/// `capture`, for events that do not bubble) until the list goes. Passive listeners.
fn listen(
    scroller: Slot,
    names: &'static [&'static str],
    capture: bool,
    callback: impl FnMut(web_sys::Event) + 'static,
) {
    let listener = Closure::<dyn FnMut(web_sys::Event)>::new(callback);
    let options = web_sys::AddEventListenerOptions::new();
    options.set_passive(true);
    options.set_capture(capture);
    // The element the listeners are on, to take them off when the list goes (before the
    // closure they call is dropped).
    let on = std::rc::Rc::new(std::cell::RefCell::new(None::<web_sys::Element>));
    scroller.on_load({
        let (on, callback) =
            (on.clone(), listener.as_ref().unchecked_ref::<js_sys::Function>().clone());
        move |el| {
            for name in names {
                let _ = el.add_event_listener_with_callback_and_add_event_listener_options(
                    name, &callback, &options,
                );
            }
            *on.borrow_mut() = Some(el);
        }
    });
    let kept = send_wrapper::SendWrapper::new((listener, on));
    on_cleanup(move || {
        let (listener, on) = kept.take();
        if let Some(el) = on.take() {
            for name in names {
                let _ = el.remove_event_listener_with_callback_and_bool(
                    name,
                    listener.as_ref().unchecked_ref(),
                    capture,
                );
            }
        }
    });
}

/// The message row at the top of the list's view (the first whose bottom is below the list's
/// top edge) and how far below that edge it starts. Rows are in order: a binary search reads
/// the layout of a few of them.
fn top_row(list: &web_sys::Element) -> Option<(u64, f64)> {
    let edge = list.get_bounding_client_rect().top();
    let rows = dom::elements(list, "[data-index]");
    let at = rows.partition_point(|row| row.get_bounding_client_rect().bottom() <= edge);
    let row = rows.get(at)?;
    Some((row_index(row)?, row.get_bounding_client_rect().top() - edge))
}

/// Scrolls `list` so that the row of message `index` starts `offset` below its top edge again,
/// if it is still there.
fn keep_place(list: &web_sys::Element, index: u64, offset: f64) {
    let Ok(Some(row)) = list.query_selector(&format!("[data-index=\"{index}\"]")) else { return };
    let moved =
        row.get_bounding_client_rect().top() - list.get_bounding_client_rect().top() - offset;
    if moved.abs() >= 1.0 {
        list.set_scroll_top(list.scroll_top() + moved.round() as i32);
    }
}

/// The index of the message a row shows (its `data-index`; pending rows have none).
fn row_index(row: &web_sys::Element) -> Option<u64> {
    row.get_attribute("data-index")?.parse().ok()
}

/// An observer that reports the newest message row at least half shown (clipped by the
/// list's scrolling box, so rows scrolled away are not seen), while the panel is watched (the
/// reducer ignores it otherwise).
fn seen_observer(handle: ChatHandle) -> Option<Observer> {
    let callback = Closure::<dyn FnMut(js_sys::Array)>::new(move |entries: js_sys::Array| {
        let newest = entries
            .iter()
            .filter_map(|e| e.dyn_into::<web_sys::IntersectionObserverEntry>().ok())
            .filter(|e| e.is_intersecting() && e.intersection_ratio() >= 0.5)
            .filter_map(|e| row_index(&e.target()))
            .max();
        if let Some(index) = newest {
            handle.viewed(index);
        }
    });
    let options = web_sys::IntersectionObserverInit::new();
    options.set_threshold(&wasm_bindgen::JsValue::from_f64(0.5));
    let observer = web_sys::IntersectionObserver::new_with_options(
        callback.as_ref().unchecked_ref(),
        &options,
    )
    .ok()?;
    Some((observer, callback))
}
