//! One of the host's custom pre-chat fields (text, email, phone, select, consent), labelled and
//! tied to its error message. Labels, options and the consent link's text are the host's plain
//! text, rendered as text nodes: never markup.

use convo_wire::prechat::{CustomField, Kind};
use leptos::prelude::*;
use serde_json::Value;

use super::text_field::field_label;
use crate::state::Store;

/// The element id of custom field `id`'s control (what the form focuses when it is invalid).
pub fn control_id(id: &str) -> String {
    format!("convo-custom-{id}")
}

/// A custom field; `value` holds its answer (a string, or `true`/`false` for a consent).
#[component]
pub fn CustomFieldInput(field: CustomField, value: RwSignal<Value>) -> impl IntoView {
    let store = Store::expect();
    let id = control_id(&field.id);
    let error_id = format!("{id}-error");
    let key = field.id.clone();
    let error = Memo::new(move |_| store.field_errors.with(|e| e.get(&key).cloned()));
    let invalid = move || error.with(Option::is_some).to_string();
    let required = field.required;
    let label = field.label.clone();
    let label_text = Store::text(move || field_label(&label, required, store.strings()));
    let text = move || value.with(|v| v.as_str().unwrap_or_default().to_owned());
    let message = view! {
        <p id=error_id.clone() class="convo-field__error" aria-live="polite">
            {Store::text(move || error.get().unwrap_or_default())}
        </p>
    };
    match field.kind {
        Kind::Consent => {
            let link = field.link.map(|link| {
                view! {
                    <a class="convo-consent__link" href=link.href target="_blank" rel="noopener noreferrer">
                        {link.text}
                        <span class="convo-visually-hidden">" " {store.label(|s| s.new_tab)}</span>
                    </a>
                }
            });
            // The group is named by its legend, which holds the checkbox's own label: one
            // statement, read once, and a click on the words ticks the box.
            view! {
                <fieldset class="convo-field convo-consent">
                    <legend class="convo-consent__legend">
                        <input
                            id=id.clone()
                            class="convo-consent__box"
                            type="checkbox"
                            required=required
                            aria-invalid=invalid
                            aria-describedby=error_id
                            prop:checked=move || value.with(|v| v.as_bool() == Some(true))
                            on:change=Store::on(move |ev| value.set(Value::Bool(event_target_checked(&ev))))
                        />
                        <label for=id class="convo-field__label">{label_text}</label>
                    </legend>
                    {link}
                    {message}
                </fieldset>
            }
            .into_any()
        }
        Kind::Select => {
            let options = field
                .options
                .iter()
                .map(|choice| {
                    let chosen = choice.value.clone();
                    view! {
                        <option value=choice.value.clone() selected=move || text() == chosen>
                            {choice.label.clone()}
                        </option>
                    }
                })
                .collect_view();
            view! {
                <div class="convo-field">
                    <label for=id.clone() class="convo-field__label">{label_text}</label>
                    <select
                        id=id
                        class="convo-input"
                        required=required
                        aria-invalid=invalid
                        aria-describedby=error_id
                        prop:value=text
                        on:change=Store::on(move |ev| value.set(Value::String(event_target_value(&ev))))
                    >
                        <option value="" selected=move || text().is_empty()>
                            {store.label(|s| s.choose)}
                        </option>
                        {options}
                    </select>
                    {message}
                </div>
            }
            .into_any()
        }
        Kind::Text | Kind::Email | Kind::Phone => {
            let (input_type, autocomplete, inputmode) = match field.kind {
                Kind::Email => ("email", "email", "email"),
                Kind::Phone => ("tel", "tel", "tel"),
                _ => ("text", "off", "text"),
            };
            view! {
                <div class="convo-field">
                    <label for=id.clone() class="convo-field__label">{label_text}</label>
                    <input
                        id=id
                        class="convo-input"
                        type=input_type
                        autocomplete=autocomplete
                        inputmode=inputmode
                        placeholder=field.placeholder
                        required=required
                        aria-invalid=invalid
                        aria-describedby=error_id
                        prop:value=text
                        on:input=Store::on(move |ev| value.set(Value::String(event_target_value(&ev))))
                    />
                    {message}
                </div>
            }
            .into_any()
        }
    }
}
