//! The visitor's earlier conversations, read-only, above the current one once its beginning
//! is reached: first a button that shows them, then each as a titled thread of its messages.

use leptos::prelude::*;

use super::{shown, shown_or, Deferred};
use crate::{
    dom,
    state::{earlier::Thread, ChatHandle, Store},
};

/// The earlier threads, or the button that shows them.
#[component]
pub fn EarlierThreads() -> impl IntoView {
    let store = Store::expect();
    let at_beginning = move || {
        !store.has_older.get()
            && store.window_start.get() == 0
            && !store.earlier.with(Vec::is_empty)
    };
    shown(at_beginning, || view! { <Deferred load=earlier_threads_part /> })
}

crate::deferred_part!(earlier_threads_part, || {
    let store = Store::expect();
    let handle = ChatHandle::expect();
    view! {
        <div class="convo-earlier">
            {shown_or(
                move || !store.threads.with(|t| t.is_empty()),
                // Ended conversations, shown once: redrawn together, without a keyed list's
                // code (issue 15).
                move || store.threads.get().iter().cloned().map(|thread| view! { <ThreadView thread /> }).collect_view(),
                move || view! {
                    <button type="button" class="convo-link-button convo-earlier__show" on:click=Store::on(move |_| handle.show_earlier())>
                        {store.label(|s| s.show_earlier)}
                    </button>
                },
            )}
        </div>
    }
});

/// One earlier conversation: its date as a heading, then who said what, when.
#[component]
fn ThreadView(thread: Thread) -> impl IntoView {
    let store = Store::expect();
    let began = thread.began().unwrap_or_default().to_owned();
    let title = move || {
        let locale = store.locale.get();
        let strings = locale.strings();
        let day = dom::day_label(
            dom::day_number(&began),
            &began,
            locale.tag(),
            strings.today,
            strings.yesterday,
        );
        (strings.earlier_thread)(&day)
    };
    let heading = format!("convo-thread-{}", thread.sid);
    let labelled_by = heading.clone();
    let people = thread.people.clone();
    let messages = thread
        .messages
        .into_iter()
        .map(|message| {
            let people = people.clone();
            let author = message.author.clone();
            let who = move || {
                let me = store.identity.get();
                people.display_name(me.as_deref(), &author, store.strings())
            };
            let files = message
                .media
                .iter()
                .map(|m| format!("[{}]", m.filename.as_deref().unwrap_or(&m.sid)));
            let text = message.body.iter().cloned().chain(files).collect::<Vec<_>>().join(" ");
            let date = message.date_created.clone();
            let time = move || dom::clock(&date, store.locale.get().tag());
            view! {
                <li class="convo-thread__message">
                    <span class="convo-thread__who">{who}</span>
                    <span class="convo-thread__time">{time}</span>
                    <p class="convo-thread__text" dir="auto">{text}</p>
                </li>
            }
        })
        .collect::<Vec<_>>();
    view! {
        <section class="convo-thread" aria-labelledby=labelled_by>
            <h3 id=heading class="convo-thread__title">{title}</h3>
            <ol class="convo-thread__messages">{messages}</ol>
        </section>
    }
}
