//! The "leave a message" form, in the pre-chat form's place while support is closed: the
//! email to answer at and the message (both required), and the name if the visitor likes. Its
//! fields are the store's (shared with the pre-chat form), so support opening or closing while
//! the visitor types swaps the form without losing what the two have in common.

use leptos::prelude::*;

use super::{FormRefusal, TextField};
use crate::{
    i18n::Catalogue,
    state::{ChatHandle, Store},
};

/// The "leave a message" form.
#[component]
pub fn OfflineForm() -> impl IntoView {
    let store = Store::expect();
    let handle = ChatHandle::expect();
    let on_submit = move |ev: web_sys::SubmitEvent| {
        ev.prevent_default();
        handle.submit_offline();
    };
    // `question` is the message: the pre-chat form's question is the same first message.
    let field = |key: &'static str, kind: &'static str, required: bool| {
        let label: fn(&Catalogue) -> &'static str = match key {
            "name" => |s| s.name,
            "email" => |s| s.email,
            _ => |s| s.offline_message,
        };
        view! {
            <TextField
                name=key
                id=format!("convo-offline-{key}")
                label
                kind
                autocomplete=key
                rows=4
                required
            />
        }
    };
    view! {
        <form class="convo-prechat convo-offline" novalidate on:submit=Store::on(on_submit)>
            <p class="convo-prechat__intro">{store.label(|s| s.offline_intro)}</p>
            {field("email", "email", true)}
            {field("question", "textarea", true)}
            {field("name", "text", false)}
            <FormRefusal />
            <button type="submit" class="convo-button">{store.label(|s| s.leave_message)}</button>
        </form>
    }
}
