//! A question asked in place, such as "End this chat?" or "Delete this message?". Focus lands
//! on the harmless choice, and Escape picks it too (closing only the question, not the panel).

use leptos::prelude::*;

use super::{bind, Slot};
use crate::{i18n::Catalogue, state::Store};

/// A label, in whichever locale is active.
pub type Label = fn(&'static Catalogue) -> &'static str;

/// The question and its two choices. The callbacks get the question's element, from which the
/// caller can find where focus goes next.
#[component]
pub fn Confirm(
    /// The question's element id, which names the group.
    id: &'static str,
    question: Label,
    /// The harmless choice, focused first.
    keep: Label,
    /// The choice that acts.
    act: Label,
    on_keep: Callback<web_sys::Element>,
    on_act: Callback<web_sys::Element>,
    /// While the act is under way its button is disabled.
    #[prop(optional)]
    busy: Option<Signal<bool>>,
) -> impl IntoView {
    let store = Store::expect();
    let keep_button = Slot::new();
    let group = Slot::new();
    let choose = move |callback: Callback<web_sys::Element>| {
        if let Some(group) = group.get_untracked() {
            callback.run(group);
        }
    };
    // What asked the question may go away under it: keep focus in the panel.
    keep_button.on_load(move |button| {
        request_animation_frame(move || {
            crate::dom::focus(&button);
        })
    });
    view! {
        <div
            class="convo-end-confirm"
            role="group"
            aria-labelledby=id
            use:bind=group
            on:keydown=Store::on(move |ev: web_sys::KeyboardEvent| {
                if ev.key() == "Escape" {
                    ev.stop_propagation();
                    ev.prevent_default();
                    choose(on_keep);
                }
            })
        >
            <p id=id class="convo-end-confirm__text">{store.label(question)}</p>
            <div class="convo-end-confirm__actions">
                <button
                    type="button"
                    class="convo-button convo-button--secondary"
                    use:bind=keep_button
                    on:click=Store::on(move |_| choose(on_keep))
                >
                    {store.label(keep)}
                </button>
                <button
                    type="button"
                    class="convo-button convo-button--danger"
                    disabled=move || busy.is_some_and(|b| b.get())
                    on:click=Store::on(move |_| choose(on_act))
                >
                    {store.label(act)}
                </button>
            </div>
        </div>
    }
}
