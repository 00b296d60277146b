//! The confirmation at the top of a chat started by leaving a message while support was
//! closed: where the answer will go. The email is the visitor's own text, so it is isolated
//! (`<bdi>`) from the sentence around it.

use leptos::prelude::*;

use crate::{state::Store, util::bidi};

/// "Thanks — we'll get back to you at <email>", while the chat it started is on screen.
#[component]
pub fn MessageLeft() -> impl IntoView {
    let store = Store::expect();
    move || {
        store.message_left.get().map(|email| {
            let sentence = (store.strings().offline_thanks)(bidi::PLACEHOLDER);
            let (before, after) = bidi::around(&sentence);
            let (before, after) = (before.to_owned(), after.to_owned());
            view! {
                <p class="convo-message-left" role="status">
                    {before}<bdi dir="ltr">{email}</bdi>{after}
                </p>
            }
        })
    }
}
