//! In headless Chromium: the widget mounts, the launcher opens the panel, and the panel shows
//! the live connection to the backend and emulator `scripts/test` started.
#![cfg(target_arch = "wasm32")]

use std::time::Duration;

use convo_widget::{App, WidgetConfig};
use leptos::prelude::*;
use wasm_bindgen::JsCast;
use wasm_bindgen_test::*;
use web_sys::HtmlElement;

wasm_bindgen_test_configure!(run_in_browser);

fn config() -> WidgetConfig {
    // Set at build time by scripts/test, which starts the backend and emulator first.
    let (Some(backend), Some(twilsock)) =
        (option_env!("CONVO_TEST_BACKEND_URL"), option_env!("CONVO_TEST_TWILSOCK_URL"))
    else {
        panic!("CONVO_TEST_BACKEND_URL and CONVO_TEST_TWILSOCK_URL must be set at build time (scripts/test does)")
    };
    WidgetConfig {
        session_url: format!("{backend}/api/session"),
        token_url: format!("{backend}/api/token"),
        twilsock_url: twilsock.to_owned(),
    }
}

fn mount() -> HtmlElement {
    let document = document();
    let container: HtmlElement = document.create_element("div").unwrap().unchecked_into();
    document.body().unwrap().append_child(&container).unwrap();
    let config = config();
    leptos::mount::mount_to(container.clone(), move || view! { <App config /> }).forget();
    container
}

fn find(container: &HtmlElement, selector: &str) -> HtmlElement {
    container
        .query_selector(selector)
        .unwrap()
        .unwrap_or_else(|| panic!("no {selector}"))
        .unchecked_into()
}

#[wasm_bindgen_test]
async fn test_launcher_opens_the_panel_which_connects() {
    let container = mount();
    leptos::task::tick().await;
    let launcher = find(&container, ".convo-launcher");
    let panel = find(&container, ".convo-panel");
    assert!(panel.hidden(), "panel starts closed");
    assert_eq!(launcher.get_attribute("aria-label").as_deref(), Some("Open support chat"));

    launcher.click();
    leptos::task::tick().await;
    assert!(!panel.hidden(), "panel opens");
    assert_eq!(launcher.get_attribute("aria-expanded").as_deref(), Some("true"));
    assert_eq!(launcher.get_attribute("aria-label").as_deref(), Some("Close support chat"));

    let status = find(&container, ".convo-status");
    let mut seen = Vec::new();
    for _ in 0..100 {
        let text = status.text_content().unwrap_or_default();
        if text == "Connected" {
            break;
        }
        seen.push(text);
        convo_client::platform::sleep(Duration::from_millis(100)).await;
    }
    assert_eq!(status.text_content().as_deref(), Some("Connected"), "saw {seen:?}");

    find(&container, ".convo-panel__close").click();
    leptos::task::tick().await;
    assert!(panel.hidden(), "close button closes");
}
