//! What replaces the composer once the conversation is closed.

use leptos::prelude::*;

use crate::state::{ChatHandle, Store};

/// "This conversation has ended", the transcript, and a way to start again.
#[component]
pub fn EndedView() -> impl IntoView {
    let store = Store::expect();
    let handle = ChatHandle::expect();
    view! {
        <div class="convo-ended" role="status">
            <p class="convo-ended__text">{move || store.strings().ended}</p>
            <div class="convo-ended__actions">
                <button type="button" class="convo-button convo-button--secondary" on:click=move |_| handle.download_transcript()>
                    {move || store.strings().download_transcript}
                </button>
                <button type="button" class="convo-button" on:click=move |_| handle.start_new()>
                    {move || store.strings().start_new}
                </button>
            </div>
        </div>
    }
}
