//! Problems the visitor should know about (a refused file, a failed action), dismissable.

use leptos::prelude::*;

use super::shown;
use crate::state::{ChatHandle, Store};

/// The notices.
#[component]
pub fn Notices() -> impl IntoView {
    let store = Store::expect();
    let handle = ChatHandle::expect();
    view! {
        {shown(move || store.notices.with(|n| !n.is_empty()), move || view! {
            <div role="alert">
            <ul class="convo-notices">
                // Few and rare: redrawn together, without a keyed list's code (issue 15). A
                // dismissed notice's place goes to the next one, so the focus stays on a
                // dismiss button.
                {move || store.notices.get().into_iter().map(|notice| view! {
                    <li class="convo-notice">
                        <span dir="auto">{notice.clone()}</span>
                        <button
                            type="button"
                            class="convo-icon-button"
                            aria-label=store.label(|s| s.dismiss)
                            on:click=Store::on(move |_| handle.dismiss(&notice))
                        >
                            <svg viewBox="0 0 24 24" aria-hidden="true" focusable="false"><path d="M6 6l12 12M18 6L6 18" /></svg>
                        </button>
                    </li>
                }).collect_view()}
            </ul>
            </div>
        })}
    }
}
