//! A banner while the connection is not right: reconnecting (with a countdown and "retry
//! now"), offline, unavailable. The composer keeps working: sends queue meanwhile.

use convo_client::ConnectionState;
use leptos::prelude::*;

use super::shown;
use crate::state::{ChatHandle, Phase, Store};

/// The connection banner; absent while connected.
#[component]
pub fn ConnectionBanner() -> impl IntoView {
    let store = Store::expect();
    let handle = ChatHandle::expect();
    let line = move || {
        let strings = store.strings();
        match store.connection.get() {
            ConnectionState::Reconnecting { .. } => {
                Some((strings.reconnecting_in)(store.countdown.get().unwrap_or(1)))
            }
            state => strings.connection(&state),
        }
    };
    let visible = move || {
        let phase = store.phase.get();
        matches!(phase, Phase::Chat | Phase::Ended) && line().is_some()
    };
    let can_retry = move || {
        matches!(
            store.connection.get(),
            ConnectionState::Reconnecting { .. }
                | ConnectionState::Denied { .. }
                | ConnectionState::Terminated { .. }
        )
    };
    view! {
        // While all is well there is no banner, but assistive technology still hears it.
        {shown(move || store.connection.get() == ConnectionState::Connected, move || view! {
            <p class="convo-visually-hidden" role="status">{store.label(|s| s.connected)}</p>
        })}
        {shown(visible, move || view! {

            <div class="convo-banner" role="status">
                <span>{Store::text(move || line().unwrap_or_default())}</span>
                {shown(can_retry, move || view! {
                    <button type="button" class="convo-link-button" on:click=Store::on(move |_| handle.retry_connection())>
                        {store.label(|s| s.retry_now)}
                    </button>
                })}
            </div>
        })}
    }
}
