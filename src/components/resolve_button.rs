//! "Resolve": closes the open conversation once the agent confirms. The question replaces the
//! button and takes the focus; Escape or "Keep it open" gives the focus back to the button.

use leptos::prelude::*;

use super::{bind, Slot};
use crate::{dom, i18n::Locale, state::Inbox};

/// The resolve control of conversation `sid`, or that it is resolved.
#[component]
pub fn ResolveButton(
    sid: String,
    resolved: Signal<bool>,
    inbox: Inbox,
    locale: Locale,
) -> impl IntoView {
    let strings = locale.desk();
    let confirming = RwSignal::new(false);
    let button = Slot::new();
    let confirm = Slot::new();
    let note = Slot::new();
    let resolving = {
        let sid = sid.clone();
        move || inbox.resolving.with(|r| r.as_ref() == Some(&sid))
    };
    let error = {
        let sid = sid.clone();
        move || {
            inbox
                .resolve_error
                .with(|e| e.as_ref().filter(|(s, _)| *s == sid).map(|(_, m)| m.clone()))
        }
    };
    // Focus follows the control: to the question as it opens, back to the button as it closes,
    // and to the outcome once the conversation is resolved from here.
    Effect::new(move |was: Option<(bool, bool)>| {
        let now = (confirming.get(), resolved.get());
        match (was, now) {
            (Some((false, _)), (true, false)) => {
                request_animation_frame(move || {
                    if let Some(confirm) = confirm.get_untracked() {
                        dom::focus(&confirm);
                    }
                });
            }
            (Some((true, false)), (false, false)) => {
                request_animation_frame(move || {
                    if let Some(button) = button.get_untracked() {
                        dom::focus(&button);
                    }
                });
            }
            (Some((true, false)), (_, true)) => {
                request_animation_frame(move || {
                    if let Some(note) = note.get_untracked() {
                        dom::focus(&note);
                    }
                });
            }
            _ => {}
        }
        now
    });
    Effect::new(move |_| {
        if resolved.get() {
            confirming.set(false);
        }
    });
    let on_keydown = move |ev: web_sys::KeyboardEvent| {
        if ev.key() == "Escape" {
            ev.prevent_default();
            confirming.set(false);
        }
    };
    view! {
        <div class="convo-desk__resolve">
            {move || {
                if resolved.get() {
                    view! {
                        <p class="convo-desk__resolved" role="status" tabindex="-1" use:bind=note>
                            <span class="convo-desk__badge">{strings.resolved}</span>
                            " "
                            {strings.is_resolved}
                        </p>
                    }.into_any()
                } else if confirming.get() {
                    let sid = sid.clone();
                    view! {
                        <div
                            class="convo-desk__confirm"
                            role="group"
                            aria-labelledby="convo-desk-resolve-question"
                            on:keydown=on_keydown
                        >
                            <p id="convo-desk-resolve-question">{strings.resolve_question}</p>
                            <div class="convo-desk__actions">
                                <button
                                    type="button"
                                    class="convo-button"
                                    use:bind=confirm
                                    disabled=resolving.clone()
                                    on:click=move |_| inbox.resolve(sid.clone())
                                >
                                    {let resolving = resolving.clone(); move || if resolving() { strings.resolving } else { strings.resolve_confirm }}
                                </button>
                                <button
                                    type="button"
                                    class="convo-button convo-button--secondary"
                                    on:click=move |_| confirming.set(false)
                                >
                                    {strings.keep_open}
                                </button>
                            </div>
                        </div>
                    }.into_any()
                } else {
                    view! {
                        <button
                            type="button"
                            class="convo-button"
                            use:bind=button
                            on:click=move |_| confirming.set(true)
                        >
                            {strings.resolve}
                        </button>
                    }.into_any()
                }
            }}
            {move || error().map(|message| view! {
                <p class="convo-desk__note convo-desk__error" role="alert">{(strings.resolve_failed)(&message)}</p>
            })}
        </div>
    }
}
