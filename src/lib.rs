//! `convo-widget`: the Leptos component tree of the Convo support chat.
//!
//! Components read the store ([`state::Store`]) and call commands on the handle
//! ([`state::ChatHandle`]); only [`state::bridge`] talks to `convo-client`.

pub mod api;
pub mod app;
pub mod components;
pub mod config;
pub mod dom;
pub mod i18n;
pub mod state;

pub use app::App;
pub use config::WidgetConfig;
use wasm_bindgen::{JsCast, JsValue};

/// The id of the element that hosts the widget's shadow root.
pub const HOST_ID: &str = "convo-widget";
/// Its tag.
const HOST_TAG: &str = "convo-widget-host";

/// The widget's stylesheet. The shadow root adopts it as a constructed stylesheet, so the page
/// needs no `<style>` or `<link>` for it (and no `style-src` exception under a strict CSP).
const STYLE: &str = include_str!("../style/main.css");

/// A DOM call's failure, saying what was being done.
fn failed(what: &'static str) -> impl Fn(JsValue) -> String {
    move |e| format!("could not {what}: {e:?}")
}

/// Mounts the widget in an open shadow root on its own host element (`<convo-widget-host id="convo-widget">`), appended
/// to `target` or else to `<body>`, for the page's life. The page's CSS cannot reach in and the
/// widget's cannot leak out; the page's own elements are never replaced. Mounting twice is
/// refused.
pub fn mount(config: WidgetConfig, target: Option<web_sys::Element>) -> Result<(), String> {
    let document = leptos::prelude::document();
    if document.get_element_by_id(HOST_ID).is_some() {
        return Err(format!("already mounted (#{HOST_ID} exists)"));
    }
    let parent = match target {
        Some(target) => target,
        None => document.body().ok_or("the page has no <body>")?.into(),
    };
    // A custom element name of its own: the page's `div`, `section`… rules cannot match it.
    let host = document.create_element(HOST_TAG).map_err(failed("create the host"))?;
    host.set_id(HOST_ID);
    // Inline and important (set through the CSSOM, which a strict CSP allows): declarations a
    // page's `* { … !important }` cannot beat. Out of the page's flow (a grid or flex `<body>`
    // gets no extra item) and above it; custom properties still pass to the theme.
    let style = host.unchecked_ref::<web_sys::HtmlElement>().style();
    for (property, value) in [
        ("all", "initial"),
        ("position", "fixed"),
        ("inset", "0 auto auto 0"),
        ("width", "0"),
        ("height", "0"),
        ("z-index", "var(--convo-z)"),
    ] {
        style
            .set_property_with_priority(property, value, "important")
            .map_err(failed("isolate the host"))?;
    }
    let shadow = host
        .attach_shadow(&web_sys::ShadowRootInit::new(web_sys::ShadowRootMode::Open))
        .map_err(failed("attach the shadow root"))?;
    let sheet = web_sys::CssStyleSheet::new().map_err(failed("create the stylesheet"))?;
    sheet.replace_sync(STYLE).map_err(failed("parse the stylesheet"))?;
    js_sys::Reflect::set(&shadow, &"adoptedStyleSheets".into(), &js_sys::Array::of1(&sheet))
        .map_err(failed("adopt the stylesheet"))?;
    let container: web_sys::HtmlElement =
        document.create_element("div").map_err(failed("create the container"))?.unchecked_into();
    container.set_class_name("convo-mount");
    shadow.append_child(&container).map_err(failed("fill the shadow root"))?;
    parent.append_child(&host).map_err(failed("append the host"))?;
    leptos::mount::mount_to(container, move || leptos::view! { <App config /> }).forget();
    Ok(())
}
pub mod util;
