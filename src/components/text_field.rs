//! One labelled text field of the widget's forms (the pre-chat form's name, email and question,
//! the "leave a message" form's): its label (with " *" when required), the input or textarea,
//! and its error message, tied to it by `aria-describedby` and `aria-invalid`.

use leptos::prelude::*;

use crate::{i18n::Catalogue, state::Store};

/// A field's label as the forms write it: "Email *" when required, "Email (optional)" else.
pub fn field_label(label: &str, required: bool, strings: &Catalogue) -> String {
    if required {
        format!("{label} *")
    } else {
        format!("{label} ({})", strings.optional)
    }
}

/// A text field of the store's forms: its value is [`Store::form_value`] of `name`, its error
/// the store's `form_errors[name]`.
#[component]
pub fn TextField(
    /// The field's name in the store (`name`, `email`, `question`).
    name: &'static str,
    /// The control's element id (the form focuses it when it is refused).
    id: String,
    /// The label's text in the active locale (before " *" or "(optional)").
    label: fn(&Catalogue) -> &'static str,
    /// An `<input>` type, or `textarea`.
    kind: &'static str,
    /// The input's `autocomplete` token.
    #[prop(optional)]
    autocomplete: &'static str,
    /// The textarea's height in lines.
    #[prop(optional)]
    rows: u32,
    /// Whether it must be filled in.
    required: bool,
) -> impl IntoView {
    let store = Store::expect();
    let value = store.form_value(name);
    let error = Memo::new(move |_| store.form_errors.with(|e| e.get(name).cloned()));
    let error_id = format!("{id}-error");
    let label_text = Store::text(move || {
        let strings = store.strings();
        field_label(label(strings), required, strings)
    });
    let invalid = move || error.with(Option::is_some).to_string();
    let input = if kind == "textarea" {
        view! {
            <textarea
                id=id.clone()
                class="convo-input"
                rows=rows.to_string()
                required=required
                aria-invalid=invalid
                aria-describedby=error_id.clone()
                prop:value=move || value.get()
                on:input=Store::on(move |ev| value.set(event_target_value(&ev)))
            ></textarea>
        }
        .into_any()
    } else {
        view! {
            <input
                id=id.clone()
                class="convo-input"
                type=kind
                autocomplete=autocomplete
                required=required
                aria-invalid=invalid
                aria-describedby=error_id.clone()
                prop:value=move || value.get()
                on:input=Store::on(move |ev| value.set(event_target_value(&ev)))
            />
        }
        .into_any()
    };
    view! {
        <div class="convo-field">
            <label for=id class="convo-field__label">{label_text}</label>
            {input}
            <p id=error_id class="convo-field__error" aria-live="polite">{Store::text(move || error.get().unwrap_or_default())}</p>
        </div>
    }
}
