//! The "leave a message" form, in the pre-chat form's place while support is closed: the
//! email to answer at and the message (both required), and the name if the visitor likes. Its
//! fields are the store's (shared with the pre-chat form), so support opening or closing while
//! the visitor types swaps the form without losing what the two have in common.

use leptos::prelude::*;

use crate::state::{ChatHandle, Store};

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
        let value = store.form_value(key);
        let id = format!("convo-offline-{key}");
        let error_id = format!("{id}-error");
        let error = move || store.form_errors.with(|e| e.get(key).cloned());
        let label = move || {
            let strings = store.strings();
            let label = match key {
                "name" => strings.name,
                "email" => strings.email,
                _ => strings.offline_message,
            };
            if required {
                format!("{label} *")
            } else {
                format!("{label} ({})", strings.optional)
            }
        };
        let invalid = move || error().is_some().to_string();
        let input = if kind == "textarea" {
            view! {
                <textarea
                    id=id.clone()
                    class="convo-input"
                    rows="4"
                    required=required
                    aria-invalid=invalid
                    aria-describedby=error_id.clone()
                    prop:value=move || value.get()
                    on:input=move |ev| value.set(event_target_value(&ev))
                ></textarea>
            }
            .into_any()
        } else {
            view! {
                <input
                    id=id.clone()
                    class="convo-input"
                    type=kind
                    autocomplete=key
                    required=required
                    aria-invalid=invalid
                    aria-describedby=error_id.clone()
                    prop:value=move || value.get()
                    on:input=move |ev| value.set(event_target_value(&ev))
                />
            }
            .into_any()
        };
        view! {
            <div class="convo-field">
                <label for=id class="convo-field__label">{label}</label>
                {input}
                <p id=error_id class="convo-field__error" aria-live="polite">{move || error().unwrap_or_default()}</p>
            </div>
        }
    };
    view! {
        <form class="convo-prechat convo-offline" novalidate on:submit=on_submit>
            <p class="convo-prechat__intro">{move || store.strings().offline_intro}</p>
            {field("email", "email", true)}
            {field("question", "textarea", true)}
            {field("name", "text", false)}
            <button type="submit" class="convo-button">{move || store.strings().leave_message}</button>
        </form>
    }
}
