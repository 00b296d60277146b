//! "Ana is typing…".

use leptos::prelude::*;

use super::Names;
use crate::{
    state::Store,
    util::bidi::{around, PLACEHOLDER},
};

/// Who is typing, if anyone.
#[component]
pub fn TypingIndicator() -> impl IntoView {
    let store = Store::expect();
    let names = move || {
        let me = store.identity.get();
        let strings = store.strings();
        let names: Vec<String> = store.people.with(|people| {
            store.typing.with(|typing| {
                typing.iter().map(|who| people.display_name(me.as_deref(), who, strings)).collect()
            })
        });
        (!names.is_empty()).then_some(names)
    };
    view! {
        <p class="convo-typing" aria-live="polite">
            {move || names().map(|names| {
                let sentence = (store.strings().typing)(PLACEHOLDER);
                let (before, after) = around(&sentence);
                view! {
                    <span class="convo-typing__dots" aria-hidden="true"><i></i><i></i><i></i></span>
                    <span>{before.to_owned()}<Names names />{after.to_owned()}</span>
                }
            })}
        </p>
    }
}
