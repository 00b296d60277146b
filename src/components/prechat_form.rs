//! The pre-chat form: the configured fields, each labelled, validated with messages tied to
//! the field. Any Unicode name is accepted.

use std::collections::HashMap;

use leptos::prelude::*;

use crate::{
    config::FieldKind,
    state::{ChatHandle, Store},
};

/// The pre-chat form.
#[component]
pub fn PreChatForm() -> impl IntoView {
    let store = Store::expect();
    let handle = ChatHandle::expect();
    let fields = handle.config().prechat;
    let values: HashMap<FieldKind, RwSignal<String>> =
        fields.iter().map(|f| (f.kind, RwSignal::new(String::new()))).collect();
    let submitted = values.clone();
    let on_submit = move |ev: web_sys::SubmitEvent| {
        ev.prevent_default();
        handle.submit_prechat(submitted.iter().map(|(k, v)| (*k, v.get_untracked())).collect());
    };
    let inputs = fields
        .into_iter()
        .map(|field| {
            let value = values[&field.kind];
            let strings = store.locale.get_untracked().strings();
            let (key, label, input_type, autocomplete) = match field.kind {
                FieldKind::Name => ("name", strings.name, "text", "name"),
                FieldKind::Email => ("email", strings.email, "email", "email"),
                FieldKind::Question => ("question", strings.question, "textarea", "off"),
            };
            let id = format!("convo-field-{key}");
            let error_id = format!("{id}-error");
            let error = move || store.form_errors.with(|e| e.get(key).cloned());
            let label_text = move || {
                let strings = store.strings();
                let label = match field.kind {
                    FieldKind::Name => strings.name,
                    FieldKind::Email => strings.email,
                    FieldKind::Question => strings.question,
                };
                if field.required { format!("{label} *") } else { format!("{label} ({})", strings.optional) }
            };
            let _ = label;
            let described = error_id.clone();
            let input = if input_type == "textarea" {
                view! {
                    <textarea
                        id=id.clone()
                        class="convo-input"
                        rows="3"
                        required=field.required
                        aria-invalid=move || error().is_some().to_string()
                        aria-describedby=described
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
                        type=input_type
                        autocomplete=autocomplete
                        required=field.required
                        aria-invalid=move || error().is_some().to_string()
                        aria-describedby=described
                        prop:value=move || value.get()
                        on:input=move |ev| value.set(event_target_value(&ev))
                    />
                }
                .into_any()
            };
            view! {
                <div class="convo-field">
                    <label for=id class="convo-field__label">{label_text}</label>
                    {input}
                    <p id=error_id class="convo-field__error" aria-live="polite">{move || error().unwrap_or_default()}</p>
                </div>
            }
        })
        .collect::<Vec<_>>();
    view! {
        <form class="convo-prechat" novalidate on:submit=on_submit>
            <p class="convo-prechat__intro">{move || store.strings().prechat_intro}</p>
            {inputs}
            <button type="submit" class="convo-button">{move || store.strings().start_chat}</button>
        </form>
    }
}
