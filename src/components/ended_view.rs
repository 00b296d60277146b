//! What replaces the composer once the conversation is closed: the optional rating, the
//! transcript, and a way to start again.

use leptos::prelude::*;

use super::{Deferred, RatingForm};
use crate::state::{ChatHandle, Store};

/// "This conversation has ended", the rating, the transcript, and a way to start again.
#[component]
pub fn EndedView() -> impl IntoView {
    view! { <Deferred load=ended_view_part /> }
}

crate::deferred_part!(ended_view_part, || {
    let store = Store::expect();
    let handle = ChatHandle::expect();
    view! {
        <div class="convo-ended">
            <p class="convo-ended__text" role="status">{store.label(|s| s.ended)}</p>
            <RatingForm />
            <div class="convo-ended__actions">
                <button type="button" class="convo-button convo-button--secondary" on:click=Store::on(move |_| handle.download_transcript())>
                    {store.label(|s| s.download_transcript)}
                </button>
                <button type="button" class="convo-button" on:click=Store::on(move |_| handle.start_new())>
                    {store.label(|s| s.start_new)}
                </button>
            </div>
        </div>
    }
});
