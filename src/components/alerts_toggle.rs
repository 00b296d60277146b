//! The header's bell: desktop notifications of replies while the page is hidden, for a page
//! that offers them. A toggle (`aria-pressed`); turning it on asks the browser then, on the
//! visitor's click, never at load. Once the browser refuses, its name says so, and a click
//! asks again (browsers answer at once while the site is blocked).

use leptos::prelude::*;

use crate::state::{Alerts, ChatHandle, Store};

/// The notifications toggle.
#[component]
pub fn AlertsToggle() -> impl IntoView {
    let store = Store::expect();
    let handle = ChatHandle::expect();
    let label = move || match store.alerts.get() {
        Alerts::Blocked => store.strings().notify_blocked,
        Alerts::On | Alerts::Off => store.strings().notify_replies,
    };
    view! {
        <button
            type="button"
            class="convo-icon-button convo-header__alerts"
            class:convo-header__alerts--blocked=move || store.alerts.get() == Alerts::Blocked
            aria-label=label
            title=label
            aria-pressed=move || (store.alerts.get() == Alerts::On).to_string()
            on:click=Store::on(move |_| handle.set_alerts(store.alerts.get_untracked() != Alerts::On))
        >
            <svg viewBox="0 0 24 24" aria-hidden="true" focusable="false">
                <path d="M6 16V11a6 6 0 0 1 12 0v5l1.5 2h-15zM10 20a2 2 0 0 0 4 0" />
                // Struck through while they are blocked.
                <path class="convo-header__alerts-off" d="M4 4l16 16" />
            </svg>
        </button>
    }
}
