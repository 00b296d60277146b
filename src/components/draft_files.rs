//! Files attached to the draft, with previews and a remove button each.

use leptos::prelude::*;

use super::shown;
use crate::{
    state::{ChatHandle, Store},
    util::validate::human_size,
};

/// The draft's attachments.
#[component]
pub fn DraftFiles() -> impl IntoView {
    let store = Store::expect();
    let handle = ChatHandle::expect();
    view! {
        {shown(move || store.files.with(|f| !f.is_empty()), move || view! {
            <ul class="convo-draft-files">
                // A few at most: redrawn together, without a keyed list's code (issue 15). A
                // removed file's place goes to the next one, so the focus stays on a remove
                // button.
                {move || store.files.get().into_iter().map(|file| view! {
                    <li class="convo-draft-file">
                        {file.preview.clone().map(|url| view! { <img class="convo-draft-file__preview" src=url alt="" /> })}
                        <span class="convo-draft-file__name">{file.name.clone()}</span>
                        <span class="convo-draft-file__size">{human_size(file.bytes.len() as u64)}</span>
                        <button
                            type="button"
                            class="convo-icon-button"
                            aria-label=(store.strings().remove_attachment)(&file.name)
                            on:click=Store::on(move |_| handle.remove_file(file.id))
                        >
                            <svg viewBox="0 0 24 24" aria-hidden="true" focusable="false"><path d="M6 6l12 12M18 6L6 18" /></svg>
                        </button>
                    </li>
                }).collect_view()}
            </ul>
        })}
    }
}
