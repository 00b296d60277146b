//! The root component: creates the store and the handle, provides them, lays out the widget.

use leptos::prelude::*;

use crate::{
    api,
    components::{GreetingBubble, Launcher, Lightbox, LiveRegion, Panel, PreviewBubble},
    dom,
    i18n::Locale,
    state::{bridge, ChatHandle, Store},
    WidgetConfig,
};

/// The whole widget: launcher button, chat panel, and the screen-reader live region.
#[component]
pub fn App(
    /// Where the widget gets sessions and connects, and how it behaves.
    config: WidgetConfig,
) -> impl IntoView {
    let locale =
        Locale::from_tag(&config.locale.clone().or_else(dom::browser_language).unwrap_or_default());
    let store = Store::new(locale);
    bridge::install(store, config.sound, config.storage_key());
    provide_context(store);
    let handle = ChatHandle::new(store, config);
    provide_context(handle);
    let inline = handle.config().inline;
    if inline {
        handle.open();
    } else {
        handle.resume_stored();
        handle.restore_alerts();
        // A script tag's `data-greeting`, as `greet()` would (no request until the visitor
        // answers).
        if let Some((text, delay)) = handle.config().greeting {
            handle.greet(text, delay);
        }
        handle.set_availability(handle.config().availability);
    }
    // The page's API belongs to the one widget a page embeds, not to the agent desk's
    // conversation views (which come and go).
    if !inline {
        api::install(store, handle);
    }
    on_cleanup(move || handle.disconnect());

    let dir = move || if store.locale.get().is_rtl() { "rtl" } else { "ltr" };
    view! {
        <div
            class="convo-root"
            class:convo-root--inline=inline
            // Classes, not `:has()` rules: those make the browser check every change in the
            // widget (each message's rows) against them.
            class:convo-root--open=move || store.open.get()
            class:convo-root--start=handle.config().launcher_start
            dir=dir
            lang=move || store.locale.get().tag()
        >
            <Panel />
            <GreetingBubble />
            <PreviewBubble />
            <Launcher />
            <Lightbox />
            <LiveRegion />
        </div>
    }
}
