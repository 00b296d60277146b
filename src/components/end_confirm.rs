//! "End this chat?": the confirmation the header's "End chat" asks for. Focus lands on "Keep
//! chatting", the harmless choice; Escape keeps chatting too.

use leptos::prelude::*;

use super::{Confirm, Deferred};
use crate::state::{ChatHandle, Event, Store};

/// The confirmation, shown while the visitor is deciding.
#[component]
pub fn EndConfirm() -> impl IntoView {
    view! { <Deferred load=end_confirm_part /> }
}

crate::deferred_part!(end_confirm_part, || {
    let store = Store::expect();
    let handle = ChatHandle::expect();
    view! {
        <Confirm
            id="convo-end-confirm-text"
            question=|s| s.end_confirm
            keep=|s| s.keep_chatting
            act=|s| s.end_chat
            on_keep=Callback::new(move |_| {
                store.apply(Event::AskEnd(false));
            })
            on_act=Callback::new(move |_| handle.end_chat())
            busy=Signal::derive(move || store.ending.get())
        />
    }
});
