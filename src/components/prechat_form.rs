//! The pre-chat form: the configured fields, then the host's custom ones, each labelled,
//! validated with messages tied to the field; the first one refused gets the focus. Any
//! Unicode name is accepted. After the backend refused the session, the form comes back with
//! the visitor's answers and the reason.

use leptos::prelude::*;
use serde_json::{Map, Value};

use super::{
    bind,
    custom_field::{control_id, CustomFieldInput},
    FormRefusal, Slot, TextField,
};
use crate::{
    config::FieldKind,
    i18n::Catalogue,
    state::{ChatHandle, Store},
};

/// The pre-chat form.
#[component]
pub fn PreChatForm() -> impl IntoView {
    let store = Store::expect();
    let handle = ChatHandle::expect();
    let config = handle.config();
    let fields = config.prechat;
    let kept_answers = store.form_kept.get_untracked().unwrap_or_default();
    // The store's fields: the "leave a message" form shares them (support opening or closing
    // swaps the forms without losing what was typed), and they keep what was sent until a
    // session is attached, so a refused session gives it back.
    let values: Vec<(FieldKind, RwSignal<String>)> =
        fields.iter().map(|f| (f.kind, store.form_value(builtin_key(f.kind)))).collect();
    let answers: Vec<(String, RwSignal<Value>)> = config
        .custom_fields
        .iter()
        .map(|f| {
            let given = kept_answers.get(&f.id).cloned().unwrap_or(Value::Null);
            (f.id.clone(), RwSignal::new(given))
        })
        .collect();
    let form_ref = Slot::new();
    // Where the focus goes when fields are refused: the first of them in the form's order.
    let order: Vec<(Option<&'static str>, String)> = fields
        .iter()
        .map(|f| {
            let key = builtin_key(f.kind);
            (Some(key), format!("convo-field-{key}"))
        })
        .chain(config.custom_fields.iter().map(|f| (None, control_id(&f.id))))
        .collect();
    let submitted = values;
    let submitted_answers = answers.clone();
    let on_submit = move |ev: web_sys::SubmitEvent| {
        ev.prevent_default();
        let answers: Map<String, Value> = submitted_answers
            .iter()
            .map(|(id, v)| (id.clone(), v.get_untracked()))
            .filter(|(_, v)| !v.is_null())
            .collect();
        handle.submit_prechat(
            submitted.iter().map(|(k, v)| (*k, v.get_untracked())).collect(),
            answers,
        );
        let refused = |(builtin, control): &(Option<&'static str>, String)| match builtin {
            Some(key) => store.form_errors.with_untracked(|e| e.contains_key(*key)),
            None => store
                .field_errors
                .with_untracked(|e| e.contains_key(control.trim_start_matches("convo-custom-"))),
        };
        if let (Some(form), Some((_, control))) =
            (form_ref.get_untracked(), order.iter().find(|f| refused(f)))
        {
            if let Ok(Some(element)) = form.query_selector(&format!("#{control}")) {
                use wasm_bindgen::JsCast;
                let _ = element.unchecked_into::<web_sys::HtmlElement>().focus();
            }
        }
    };
    let custom = config
        .custom_fields
        .into_iter()
        .zip(answers)
        .map(|(field, (_, value))| view! { <CustomFieldInput field value /> })
        .collect_view();
    let inputs = fields
        .into_iter()
        .map(|field| {
            let key = builtin_key(field.kind);
            let (label, kind, autocomplete): (fn(&Catalogue) -> &'static str, _, _) =
                match field.kind {
                    FieldKind::Name => (|s| s.name, "text", "name"),
                    FieldKind::Email => (|s| s.email, "email", "email"),
                    FieldKind::Question => (|s| s.question, "textarea", "off"),
                };
            view! {
                <TextField
                    name=key
                    id=format!("convo-field-{key}")
                    label
                    kind
                    autocomplete
                    rows=3
                    required=field.required
                />
            }
        })
        .collect::<Vec<_>>();
    view! {
        <form class="convo-prechat" novalidate on:submit=Store::on(on_submit) use:bind=form_ref>
            <p class="convo-prechat__intro">{store.label(|s| s.prechat_intro)}</p>
            {inputs}
            {custom}
            <FormRefusal />
            <button type="submit" class="convo-button">{store.label(|s| s.start_chat)}</button>
        </form>
    }
}

/// A built-in field's name: its key in the form's errors and in its element ids.
fn builtin_key(kind: FieldKind) -> &'static str {
    match kind {
        FieldKind::Name => "name",
        FieldKind::Email => "email",
        FieldKind::Question => "question",
    }
}
