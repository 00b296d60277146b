//! The chat panel: a dialog with the header, the connection banner, and the body for the
//! current phase. It traps focus while open, closes on Escape (focus returns to the launcher),
//! and accepts dropped and pasted files.

use leptos::prelude::*;
use wasm_bindgen::JsCast;

use convo_client::ConversationState;

use super::{
    bind, preload_parts, shown_or, Composer, ConnectionBanner, DeleteConfirm, EndConfirm,
    EndedView, Header, MessageLeft, MessageList, Notices, OfflineForm, PanelGreeting, PreChatForm,
    Slot, TypingIndicator,
};
use crate::effect::effect;
use crate::state::{ChatHandle, Phase, Store};

const FOCUSABLE: &str = "button:not([disabled]), [href], input:not([disabled]), textarea:not([disabled]), [tabindex]:not([tabindex='-1'])";

/// The focused element. Inside a shadow root `document.activeElement` names only the shadow
/// host, so ask the root `node` lives in.
fn active_element(node: &web_sys::Node) -> Option<web_sys::Element> {
    match node.get_root_node().dyn_into::<web_sys::ShadowRoot>() {
        Ok(shadow) => shadow.active_element(),
        Err(_) => document().active_element(),
    }
}

/// Where focus goes in the panel, best first: the composer, the form's first field, the close
/// button.
const FOCUS_ORDER: [&str; 3] =
    ["#convo-composer-input", "input:not([type=file]), textarea", ".convo-panel__close"];

fn focus_first(section: &web_sys::Element) {
    let target = FOCUS_ORDER
        .iter()
        .find_map(|selector| section.query_selector(selector).ok().flatten())
        .and_then(|t| t.dyn_into::<web_sys::HtmlElement>().ok());
    if let Some(target) = target {
        let _ = target.focus();
    }
}

/// The chat panel, shown while the store says it is open.
#[component]
pub fn Panel() -> impl IntoView {
    let store = Store::expect();
    let handle = ChatHandle::expect();
    // In place (the agent desk), the panel is a region of the page: no dialog, no focus trap.
    let inline = handle.config().inline;
    let panel = Slot::new();
    let dragging = RwSignal::new(false);

    // Focus moves into the panel when it opens or the chat starts (to where the visitor will
    // type), and back to the launcher when it closes.
    // The first time it opens, the parts few chats show start loading (`deferred.rs`).
    let mut was: Option<(bool, Phase)> = None;
    let mut parts_asked = false;
    effect(move || {
        let (open, phase) = (store.open.get(), store.phase.get());
        let (was_open, was_phase) = was.unzip();
        if open && !parts_asked {
            parts_asked = true;
            preload_parts();
        }
        if let Some(section) = panel.get() {
            let opened = open && was_open != Some(true);
            let chat_started = open && phase == Phase::Chat && was_phase != Some(Phase::Chat);
            if opened || chat_started {
                request_animation_frame(move || focus_first(&section));
            } else if !open && was_open == Some(true) {
                let launcher = section
                    .parent_element()
                    .and_then(|root| root.query_selector(".convo-launcher").ok().flatten());
                if let Some(launcher) =
                    launcher.and_then(|l| l.dyn_into::<web_sys::HtmlElement>().ok())
                {
                    let _ = launcher.focus();
                }
            }
        }
        was = Some((open, phase));
    });

    let on_keydown = move |ev: web_sys::KeyboardEvent| {
        if ev.key() == "Escape" {
            ev.prevent_default();
            if store.lightbox.get_untracked().is_some() {
                handle.close_image();
            } else {
                handle.close();
            }
            return;
        }
        if ev.key() != "Tab" || inline {
            return;
        }
        // Keep Tab inside the dialog.
        let Some(section) = panel.get_untracked() else { return };
        let Ok(nodes) = section.query_selector_all(FOCUSABLE) else { return };
        let (Some(first), Some(last)) =
            (nodes.item(0), nodes.item(nodes.length().saturating_sub(1)))
        else {
            return;
        };
        let active = active_element(&section);
        let at = |node: &web_sys::Node| active.as_ref().is_some_and(|a| a.is_same_node(Some(node)));
        if ev.shift_key() && at(&first) {
            ev.prevent_default();
            let _ = last.unchecked_ref::<web_sys::HtmlElement>().focus();
        } else if !ev.shift_key() && at(&last) {
            ev.prevent_default();
            let _ = first.unchecked_ref::<web_sys::HtmlElement>().focus();
        }
    };

    let chatting = move || store.phase.get() == Phase::Chat;
    // Twilio's inactive timer fired: the chat goes on as soon as someone writes.
    let inactive = move || {
        store.info.with(|i| i.as_ref().is_some_and(|i| i.state == ConversationState::Inactive))
    };
    let take_files = move |list: Option<web_sys::FileList>| {
        let Some(list) = list else { return };
        let files: Vec<web_sys::File> = (0..list.length()).filter_map(|i| list.get(i)).collect();
        if !files.is_empty() {
            handle.add_files(files);
        }
    };
    let on_drop = move |ev: web_sys::DragEvent| {
        ev.prevent_default();
        dragging.set(false);
        if chatting() {
            take_files(ev.data_transfer().and_then(|d| d.files()));
        }
    };
    let on_paste = move |ev: web_sys::ClipboardEvent| {
        let files = ev.clipboard_data().and_then(|d| d.files());
        if files.as_ref().is_some_and(|f| f.length() > 0) && chatting() {
            ev.prevent_default();
            take_files(files);
        }
    };

    view! {
        <section
            id="convo-panel"
            class="convo-panel"
            class:convo-panel--dragging=move || dragging.get()
            role=if inline { "region" } else { "dialog" }
            aria-modal=(!inline).then_some("true")
            aria-labelledby="convo-panel-title"
            hidden=move || !store.open.get()
            use:bind=panel
            on:keydown=Store::on(on_keydown)
            on:dragover=Store::on(move |ev: web_sys::DragEvent| {
                ev.prevent_default();
                dragging.set(chatting());
            })
            on:dragleave=Store::on(move |_| dragging.set(false))
            on:drop=Store::on(on_drop)
            on:paste=Store::on(on_paste)
        >
            <Header />
            <ConnectionBanner />
            {move || store.asking_end.get().then(|| view! { <EndConfirm /> })}
            {move || store.asking_delete.get().is_some().then(|| view! { <DeleteConfirm /> })}
            <Notices />
            <PanelGreeting />
            {move || match store.phase.get() {
                // Support closed: a message to answer by email instead, swapped as it changes
                // (without rebuilding the rest of the panel).
                Phase::PreChat => (move || if store.available.get() {
                    view! { <PreChatForm /> }.into_any()
                } else {
                    view! { <OfflineForm /> }.into_any()
                }).into_any(),
                Phase::Idle | Phase::Starting => view! {
                    <p class="convo-panel__status" role="status">{store.label(|s| s.starting)}</p>
                }.into_any(),
                Phase::Unavailable => view! {
                    <div class="convo-panel__status" role="alert">
                        <p>{store.label(|s| s.unavailable)}</p>
                        <button type="button" class="convo-button" on:click=Store::on(move |_| handle.retry_connection())>
                            {store.label(|s| s.try_again)}
                        </button>
                    </div>
                }.into_any(),
                // In place, the agent keeps the composer, read-only, once the conversation has
                // ended: a visitor's way to start again means nothing at the desk.
                Phase::Chat | Phase::Ended => view! {
                    <MessageLeft />
                    <MessageList />
                    <TypingIndicator />
                    {shown_or(move || inline || store.phase.get() == Phase::Chat, move || view! {
                        {move || inactive().then(|| view! {
                            <p class="convo-inactive" role="status">{store.label(|s| s.inactive)}</p>
                        })}
                        <Composer />
                    }, || view! { <EndedView /> })}
                }.into_any(),
            }}
            <div class="convo-panel__drop" aria-hidden="true">{store.label(|s| s.drop_files)}</div>
        </section>
    }
}
