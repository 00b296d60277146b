//! "Ana is typing…".

use leptos::prelude::*;

use crate::state::{bridge::display_name, Store};

/// Who is typing, if anyone.
#[component]
pub fn TypingIndicator() -> impl IntoView {
    let store = Store::expect();
    let text = move || {
        let typing = store.typing.get();
        let names: Vec<String> =
            typing.iter().map(|identity| display_name(store, identity)).collect();
        (!names.is_empty()).then(|| (store.strings().typing)(&names.join(", ")))
    };
    view! {
        <p class="convo-typing" aria-live="polite">
            {move || text().map(|t| view! { <span class="convo-typing__dots" aria-hidden="true"><i></i><i></i><i></i></span><span>{t}</span> })}
        </p>
    }
}
