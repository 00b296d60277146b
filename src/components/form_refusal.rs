//! Why the backend refused the session a form asked for, under the pre-chat or "leave a
//! message" form that sent it (whose fields still hold what was sent).

use leptos::prelude::*;

use crate::state::Store;

/// The refusal's reason, while there is one.
#[component]
pub fn FormRefusal() -> impl IntoView {
    let store = Store::expect();
    move || {
        store.form_refused.get().map(|text| {
            view! { <p class="convo-prechat__refused" role="alert">{text}</p> }
        })
    }
}
