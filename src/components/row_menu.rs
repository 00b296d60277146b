//! "More actions" on one of the visitor's own messages: a small button (shown on hover or
//! focus, always in the Tab order) opening a menu with Edit and Delete. The menu follows the
//! ARIA menu-button pattern: the first item takes the focus, the arrow keys (and Home, End)
//! move it, Escape closes the menu and gives the focus back to the button, and leaving it
//! (Tab, a click elsewhere) closes it.

use leptos::{html, prelude::*};
use wasm_bindgen::JsCast;

use crate::state::{ChatHandle, Store};

/// The row menu of the message in row `key`.
#[component]
pub fn RowMenu(
    /// The row (its message) the actions are for.
    key: u64,
) -> impl IntoView {
    let store = Store::expect();
    let handle = ChatHandle::expect();
    let open = RwSignal::new(false);
    // The menu opens above the button, or below it in the list's upper half (above, it would
    // leave the list's scrolling box at the top, where nothing scrolls to it).
    let below = RwSignal::new(false);
    let button = NodeRef::<html::Button>::new();
    let wrapper = NodeRef::<html::Div>::new();
    let items = [NodeRef::<html::Button>::new(), NodeRef::<html::Button>::new()];
    let menu_id = format!("convo-row-menu-{key}");
    let controls = menu_id.clone();

    let focus_item = move |i: usize| {
        if let Some(item) = items[i].get_untracked() {
            let _ = item.focus();
        }
    };
    let focused = move || {
        items.iter().position(|item| {
            item.get_untracked().is_some_and(|item| {
                let item: &web_sys::Element = item.as_ref();
                item.matches(":focus").unwrap_or(false)
            })
        })
    };
    // One layout read, on the visitor's click or key: never per message.
    let show = move || {
        let button = button.get_untracked();
        let list = button.as_ref().and_then(|b| b.closest(".convo-messages").ok().flatten());
        if let (Some(button), Some(list)) = (button, list) {
            let (at, box_) = (button.get_bounding_client_rect(), list.get_bounding_client_rect());
            below.set(at.top() - box_.top() < box_.height() / 2.0);
        }
        open.set(true);
        // The menu's items exist by the next frame: focus the first then. (Not an effect:
        // every own row has a menu, and an effect per row is a task per row as rows mount.)
        request_animation_frame(move || focus_item(0));
    };
    let close = move |refocus: bool| {
        open.set(false);
        if refocus {
            if let Some(button) = button.get_untracked() {
                let _ = button.focus();
            }
        }
    };
    let on_keydown = move |ev: web_sys::KeyboardEvent| {
        let count = items.len();
        if !open.get_untracked() {
            // The button's shortcuts: Down (or Up) opens the menu on its first item.
            if matches!(ev.key().as_str(), "ArrowDown" | "ArrowUp") {
                ev.prevent_default();
                show();
            }
            return;
        }
        let next = match ev.key().as_str() {
            "ArrowDown" => focused().map_or(0, |i| (i + 1) % count),
            "ArrowUp" => focused().map_or(count - 1, |i| (i + count - 1) % count),
            "Home" => 0,
            "End" => count - 1,
            "Escape" => {
                // Only the menu closes, not the panel.
                ev.stop_propagation();
                ev.prevent_default();
                close(true);
                return;
            }
            "Tab" => {
                close(false);
                return;
            }
            _ => return,
        };
        ev.prevent_default();
        focus_item(next);
    };
    // Focus leaving the menu and its button (a click elsewhere, Tab) closes it.
    let on_focusout = move |ev: web_sys::FocusEvent| {
        let inside = match (ev.related_target(), wrapper.get_untracked()) {
            (Some(target), Some(wrapper)) => {
                target.dyn_into::<web_sys::Node>().is_ok_and(|node| wrapper.contains(Some(&node)))
            }
            _ => false,
        };
        if !inside {
            open.set(false);
        }
    };
    let menu = move || {
        open.get().then(|| {
            view! {
                <div
                    class=move || if below.get() { "convo-row__menu convo-row__menu--below" } else { "convo-row__menu" }
                    role="menu"
                    id=menu_id.clone()
                    aria-label=move || store.strings().more_actions
                    // A click keeps the focus where it is (Safari would blur it to nothing,
                    // and the menu would close before its item's click).
                    on:mousedown=|ev: web_sys::MouseEvent| ev.prevent_default()
                >
                    <button
                        type="button"
                        role="menuitem"
                        tabindex="-1"
                        class="convo-row__menu-item"
                        node_ref=items[0]
                        on:click=move |_| {
                            close(false);
                            handle.start_edit(Some(key));
                        }
                    >
                        {move || store.strings().edit}
                    </button>
                    <button
                        type="button"
                        role="menuitem"
                        tabindex="-1"
                        class="convo-row__menu-item convo-row__menu-item--danger"
                        node_ref=items[1]
                        on:click=move |_| {
                            close(false);
                            handle.ask_delete(Some(key));
                        }
                    >
                        {move || store.strings().delete}
                    </button>
                </div>
            }
        })
    };
    view! {
        <div class="convo-row__actions" node_ref=wrapper on:focusout=on_focusout on:keydown=on_keydown>
            <button
                type="button"
                class="convo-row__more"
                id=format!("convo-row-more-{key}")
                aria-label=move || store.strings().more_actions
                // Which message: every row's button has the same name.
                aria-describedby=format!("convo-bubble-{key}")
                aria-haspopup="menu"
                aria-expanded=move || open.get().to_string()
                // Only while the menu exists: a reference to nothing is invalid.
                aria-controls=move || open.get().then(|| controls.clone())
                node_ref=button
                on:click=move |_| if open.get_untracked() { open.set(false) } else { show() }
            >
                // The three dots are the stylesheet's: no elements of their own in every row.
            </button>
            {menu}
        </div>
    }
}
