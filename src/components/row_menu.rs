//! "More actions" on the visitor's own messages: a small button (shown on hover or focus,
//! always in the Tab order) opening a menu with Edit and Delete. The menu follows the ARIA
//! menu-button pattern: the first item takes the focus, the arrow keys (and Home, End) move it,
//! Escape closes the menu and gives the focus back to the button, and leaving it (Tab, a click
//! elsewhere) closes it.
//!
//! A row carries only the button, as static markup ([`RowMenuButton`]). One controller per list
//! ([`RowMenus`], its listeners on the list) opens the menu of the row whose button was used,
//! mounting it into that row, and removes it when it closes. Rows must stay cheap: while the
//! visitor flings back through a long history, a hundred of them mount in a frame, and a menu's
//! signals, effects and listeners in every own row were the largest part of a row's setup.

use std::any::Any;

use leptos::{mount::mount_to, prelude::*, task::spawn_local};
use wasm_bindgen::JsCast;
use web_sys::{Element, HtmlElement};

use super::Slot;
use crate::dom::{elements, focus};
use crate::effect::effect;
use crate::state::{ChatHandle, Store};

const BUTTON: &str = ".convo-row__more";
/// What holds a row's button and, while open, its menu: the message's bubble.
const BUBBLE: &str = ".convo-bubble";
const MENU: &str = "[role=menu]";
const ITEM: &str = "[role=menuitem]";

/// The button of row `key`'s menu: static markup, all its behaviour is the list's
/// [`RowMenus`]. Its label is the locale's at mount; [`RowMenus::new`] relabels the shown
/// buttons when the locale changes.
#[component]
pub fn RowMenuButton(
    /// The row (its message) the actions are for.
    key: u64,
) -> impl IntoView {
    let label = Store::expect().locale.get_untracked().strings().more_actions;
    view! {
        <button
            type="button"
            class="convo-row__more"
            id=button_id(key)
            aria-label=label
            // Which message: every row's button has the same name.
            aria-describedby=bubble_id(key)
            aria-haspopup="menu"
            aria-expanded="false"
        >
            // The three dots are the stylesheet's: no elements of their own in every row.
        </button>
    }
}

/// The open menu: its row, and the handle that keeps it mounted.
struct Open {
    key: u64,
    _view: Box<dyn Any>,
}

/// The list's controller of its rows' menus: at most one is open.
#[derive(Clone, Copy)]
pub struct RowMenus {
    store: Store,
    handle: ChatHandle,
    open: StoredValue<Option<Open>, LocalStorage>,
    /// The list's owner: the menu's view is its child (and so goes with the list).
    owner: StoredValue<Owner, LocalStorage>,
    list: Slot,
}

impl RowMenus {
    /// The controller of the rows of the list `list`; relabels the buttons shown when the
    /// locale changes.
    pub fn new(store: Store, handle: ChatHandle, list: Slot) -> Self {
        let menus = Self {
            store,
            handle,
            open: StoredValue::new_local(None),
            owner: StoredValue::new_local(Owner::current().unwrap_or_default()),
            list,
        };
        effect(move || {
            let label = store.strings().more_actions;
            let Some(list) = list.get_untracked() else { return };
            for button in elements(&list, BUTTON) {
                let _ = button.set_attribute("aria-label", label);
            }
        });
        on_cleanup(move || {
            // Deferred, as in `close`: the list may go from inside a handler.
            let open = menus.open.try_update_value(Option::take).flatten();
            spawn_local(async move { drop(open) });
        });
        menus
    }

    /// A click in the list: on a row's button, opens or closes its menu.
    pub fn on_click(&self, ev: &web_sys::MouseEvent) {
        let Some(button) = closest(ev.target(), BUTTON) else { return };
        let Some(key) = row_key(&button) else { return };
        if self.open_key() == Some(key) {
            self.close(false);
        } else {
            self.show(&button, key);
        }
    }

    /// A key in the list: the button's shortcuts, and the open menu's keys.
    pub fn on_keydown(&self, ev: &web_sys::KeyboardEvent) {
        let Some(bubble) = closest(ev.target(), BUBBLE) else { return };
        let Some(button) = bubble.query_selector(BUTTON).ok().flatten() else { return };
        let Some(key) = row_key(&button) else { return };
        if self.open_key() != Some(key) {
            // The button's shortcuts: Down (or Up) opens the menu on its first item.
            if matches!(ev.key().as_str(), "ArrowDown" | "ArrowUp") {
                ev.prevent_default();
                self.show(&button, key);
            }
            return;
        }
        let items = elements(&bubble, ITEM);
        let count = items.len();
        if count == 0 {
            return;
        }
        let focused = items.iter().position(|i| i.matches(":focus").unwrap_or(false));
        let next = match ev.key().as_str() {
            "ArrowDown" => focused.map_or(0, |i| (i + 1) % count),
            "ArrowUp" => focused.map_or(count - 1, |i| (i + count - 1) % count),
            "Home" => 0,
            "End" => count - 1,
            "Escape" => {
                // Only the menu closes, not the panel.
                ev.stop_propagation();
                ev.prevent_default();
                self.close(true);
                return;
            }
            "Tab" => {
                self.close(false);
                return;
            }
            _ => return,
        };
        ev.prevent_default();
        focus(&items[next]);
    }

    /// Focus leaving the open menu and its button (a click elsewhere, Tab) closes it.
    pub fn on_focusout(&self, ev: &web_sys::FocusEvent) {
        let Some(bubble) = closest(ev.target(), BUBBLE) else { return };
        let Some(button) = bubble.query_selector(BUTTON).ok().flatten() else { return };
        if row_key(&button).is_none_or(|key| Some(key) != self.open_key()) {
            return;
        }
        let menu = bubble.query_selector(MENU).ok().flatten();
        let inside = ev
            .related_target()
            .and_then(|t| t.dyn_into::<web_sys::Node>().ok())
            .is_some_and(|node| {
                button.is_same_node(Some(&node))
                    || menu.as_ref().is_some_and(|m| m.contains(Some(&node)))
            });
        if !inside {
            self.close(false);
        }
    }

    fn open_key(&self) -> Option<u64> {
        self.open.with_value(|o| o.as_ref().map(|o| o.key))
    }

    /// Opens row `key`'s menu under its `button`, on its first item.
    fn show(&self, button: &Element, key: u64) {
        self.close(false);
        let Some(bubble) = button.parent_element().and_then(|b| b.dyn_into::<HtmlElement>().ok())
        else {
            return;
        };
        // The menu opens above the button, or below it in the list's upper half (above, it
        // would leave the list's scrolling box at the top, where nothing scrolls to it). One
        // layout read, on the visitor's click or key: never per message.
        let below = button.closest(".convo-messages").ok().flatten().is_some_and(|list| {
            let (at, box_) = (button.get_bounding_client_rect(), list.get_bounding_client_rect());
            at.top() - box_.top() < box_.height() / 2.0
        });
        let (store, handle, menus) = (self.store, self.handle, *self);
        let view = self.owner.with_value(|owner| {
            owner.with(|| mount_to(bubble, move || menu(store, handle, menus, key, below)))
        });
        self.open.set_value(Some(Open { key, _view: Box::new(view) }));
        let _ = button.set_attribute("aria-expanded", "true");
        let _ = button.set_attribute("aria-controls", &menu_id(key));
        // The items exist now: the first takes the focus.
        if let Some(first) =
            button.parent_element().and_then(|w| elements(&w, ITEM).into_iter().next())
        {
            focus(&first);
        }
    }

    /// Closes the open menu, if any; `refocus` gives the focus back to its button.
    fn close(&self, refocus: bool) {
        let Some(open) = self.open.try_update_value(Option::take).flatten() else { return };
        // In the list: the widget lives in a shadow root, out of the document's id lookups.
        let button = self.list.get_untracked().and_then(|list| {
            list.query_selector(&format!("#{}", button_id(open.key))).ok().flatten()
        });
        if let Some(button) = &button {
            let _ = button.set_attribute("aria-expanded", "false");
            // Only while the menu exists: a reference to nothing is invalid.
            let _ = button.remove_attribute("aria-controls");
        }
        // Unmounted after the event that closed it: one of its items' handlers may be running.
        spawn_local(async move { drop(open) });
        if refocus {
            if let Some(button) = button {
                focus(&button);
            }
        }
    }
}

/// Row `key`'s open menu.
fn menu(store: Store, handle: ChatHandle, menus: RowMenus, key: u64, below: bool) -> impl IntoView {
    let class = if below { "convo-row__menu convo-row__menu--below" } else { "convo-row__menu" };
    let item = |class, label, act: fn(ChatHandle, u64)| {
        view! {
            <button
                type="button"
                role="menuitem"
                tabindex="-1"
                class=class
                on:click=Store::on(move |_| {
                    menus.close(false);
                    act(handle, key);
                })
            >
                {store.label(label)}
            </button>
        }
    };
    view! {
        <div
            class=class
            role="menu"
            id=menu_id(key)
            aria-label=store.label(|s| s.more_actions)
            // A click keeps the focus where it is (Safari would blur it to nothing, and the
            // menu would close before its item's click).
            on:mousedown=|ev: web_sys::MouseEvent| ev.prevent_default()
        >
            {item("convo-row__menu-item", |s| s.edit, |h, key| {
                h.start_edit(Some(key));
            })}
            {item("convo-row__menu-item convo-row__menu-item--danger", |s| s.delete, |h, key| {
                h.ask_delete(Some(key));
            })}
        </div>
    }
}

const BUTTON_ID: &str = "convo-row-more-";

/// The id of row `key`'s bubble, which its menu button is described by.
pub fn bubble_id(key: u64) -> String {
    format!("convo-bubble-{key}")
}

fn button_id(key: u64) -> String {
    format!("{BUTTON_ID}{key}")
}

fn menu_id(key: u64) -> String {
    format!("convo-row-menu-{key}")
}

/// The row of a menu button, from its id (one attribute less in every own row).
fn row_key(button: &Element) -> Option<u64> {
    button.id().strip_prefix(BUTTON_ID)?.parse().ok()
}

fn closest(target: Option<web_sys::EventTarget>, selector: &str) -> Option<Element> {
    target?.dyn_into::<Element>().ok()?.closest(selector).ok().flatten()
}
