//! An element a component's view hands back to it: what Leptos's `NodeRef` does, but one type
//! for every element. A `NodeRef<E>` is compiled once per element type it holds (its signal,
//! its attribute, its reads), seven times over in the widget, for what is always "the element,
//! once it is built". `use:bind=slot` on any element fills a [`Slot`], and the few places that
//! need a particular interface cast to it (issue 15).

use leptos::prelude::*;
use send_wrapper::SendWrapper;

/// Where a view puts one of its elements: empty until the element is built, then that element
/// (again each time its view is drawn, as a `NodeRef` is loaded). Reading it in an effect
/// tracks it, so an effect that needs the element runs once it is there.
#[derive(Clone, Copy)]
pub struct Slot(RwSignal<Option<SendWrapper<web_sys::Element>>>);

impl Default for Slot {
    fn default() -> Self {
        Self::new()
    }
}

impl Slot {
    pub fn new() -> Self {
        Self(RwSignal::new(None))
    }

    /// The element, if it is built (tracked).
    pub fn get(self) -> Option<web_sys::Element> {
        self.0.with(|slot| slot.as_deref().cloned())
    }

    /// The element, if it is built, without tracking the slot.
    pub fn get_untracked(self) -> Option<web_sys::Element> {
        self.0.with_untracked(|slot| slot.as_deref().cloned())
    }

    /// As [`Slot::get_untracked`], or `None` too once the component that made it is gone.
    pub fn try_get_untracked(self) -> Option<web_sys::Element> {
        self.0.try_with_untracked(|slot| slot.as_deref().cloned()).flatten()
    }

    /// Runs `f` once, with the element, when it is built: as `NodeRef::on_load`, from an
    /// effect, so after the element's view is mounted.
    pub fn on_load(self, f: impl FnOnce(web_sys::Element) + 'static) {
        let mut f = Some(f);
        Effect::new(move || {
            if let Some(element) = self.get() {
                if let Some(f) = f.take() {
                    untrack(move || f(element));
                }
            }
        });
    }
}

/// The directive that fills a slot: `<div use:bind=slot>`.
pub fn bind(element: web_sys::Element, slot: Slot) {
    slot.0.set(Some(SendWrapper::new(element)));
}
