//! Putting the widget on a page: in an open shadow root, either on a host element of its own
//! appended to `<body>` (the script-tag embed) or on a `<convo-widget>` element the page placed
//! (the custom element, for frameworks). Either way the page's CSS cannot reach in, the widget's
//! cannot leak out, and the page's own elements are never replaced.

use leptos::prelude::document;
use wasm_bindgen::{closure::Closure, prelude::wasm_bindgen, JsCast, JsValue};

use crate::{error::WidgetError, App, WidgetConfig};

/// The id of the element that hosts the widget's shadow root in the script-tag embed.
pub const HOST_ID: &str = "convo-widget";
/// Its tag: a custom element name of its own, so the page's `div`, `section`… rules miss it.
const HOST_TAG: &str = "convo-widget-host";
/// The custom element a page can place itself, configured by its attributes.
pub const ELEMENT_TAG: &str = "convo-widget";

/// The widget's stylesheet. The shadow root adopts it as a constructed stylesheet, so the page
/// needs no `<style>` or `<link>` for it (and no `style-src` exception under a strict CSP).
/// It is style/main.css minified by build.rs.
const STYLE: &str = include_str!(concat!(env!("OUT_DIR"), "/main.css"));

// A class extending HTMLElement can only be written in JavaScript. wasm-bindgen emits this as a
// module file next to the glue (not an inline script), so a strict CSP allows it.
#[wasm_bindgen(inline_js = r#"
export function define_convo_element(tag, connected) {
  if (customElements.get(tag)) return;
  customElements.define(tag, class extends HTMLElement {
    connectedCallback() { connected(this); }
  });
}
"#)]
extern "C" {
    fn define_convo_element(tag: &str, connected: &Closure<dyn Fn(web_sys::Element)>);
}

/// A DOM call's failure, saying what was being done.
fn failed(what: &'static str) -> impl Fn(JsValue) -> WidgetError {
    WidgetError::browser(what)
}

/// Mounts the widget on a host element of its own, `<convo-widget-host id="convo-widget">`,
/// appended to `target` or else to `<body>`, for the page's life. Mounting twice is refused.
pub fn mount(config: WidgetConfig, target: Option<web_sys::Element>) -> Result<(), WidgetError> {
    let document = document();
    if document.get_element_by_id(HOST_ID).is_some() {
        return Err(WidgetError::Usage(format!("already mounted (#{HOST_ID} exists)")));
    }
    let parent = match target {
        Some(target) => target,
        None => document
            .body()
            .ok_or_else(|| WidgetError::Usage("the page has no <body>".to_owned()))?
            .into(),
    };
    let host = document.create_element(HOST_TAG).map_err(failed("create the host"))?;
    host.set_id(HOST_ID);
    parent.append_child(&host).map_err(failed("append the host"))?;
    mount_in(&host, config)
}

/// Defines `<convo-widget>`: each one placed in the page (before or after this call) becomes a
/// widget configured by its attributes — `session-url`, `token-url`, `locale`, `team`,
/// `prechat` and the others of [`WidgetConfig::from_element`], without a prefix.
pub fn define_element() {
    let connected = Closure::<dyn Fn(web_sys::Element)>::new(|element: web_sys::Element| {
        // Moving an element in the page connects it again: it keeps its widget.
        if element.shadow_root().is_some() {
            return;
        }
        let config = WidgetConfig::from_element(&element, "", |problem| {
            web_sys::console::error_1(&format!("Convo: {problem}").into());
        });
        if let Err(error) = mount_in(&element, config) {
            web_sys::console::error_1(&format!("Convo: {error}").into());
        }
    });
    define_convo_element(ELEMENT_TAG, &connected);
    // Called for every element connected during the page's life.
    connected.forget();
}

/// Out of the page's flow (a grid or flex `<body>` gets no extra item) and above it.
const FLOATING: [(&str, &str); 5] = [
    ("position", "fixed"),
    ("inset", "0 auto auto 0"),
    ("width", "0"),
    ("height", "0"),
    ("z-index", "var(--convo-z)"),
];
/// Filling the element the page gave (the agent desk).
#[cfg(feature = "agent-desk")]
const IN_PLACE: [(&str, &str); 3] = [("display", "block"), ("width", "100%"), ("height", "100%")];

/// Makes `host` the widget's shadow host and mounts the widget inside.
fn mount_in(host: &web_sys::Element, config: WidgetConfig) -> Result<(), WidgetError> {
    let container = shadow_container(host, &FLOATING, STYLE)?;
    leptos::mount::mount_to(container, move || leptos::view! { <App config /> }).forget();
    Ok(())
}

/// Mounts the demo's agent desk (`www/agent.html`) in a shadow root on `host`: the widget's
/// own components, with the desk's layout around them.
#[cfg(feature = "agent-desk")]
pub fn mount_agent_desk(host: &web_sys::Element) -> Result<(), WidgetError> {
    let style = [STYLE, include_str!(concat!(env!("OUT_DIR"), "/agent_desk.css"))].concat();
    let container = shadow_container(host, &IN_PLACE, &style)?;
    leptos::mount::mount_to(container, crate::components::AgentDesk).forget();
    Ok(())
}

/// Attaches an open shadow root to `host`, styled by `css`, and returns the element to mount
/// in. `layout` goes on the host inline and important (through the CSSOM, which a strict CSP
/// allows), after `all: initial`: declarations a page's `* { … !important }` cannot beat, while
/// custom properties still pass to the theme.
fn shadow_container(
    host: &web_sys::Element,
    layout: &[(&str, &str)],
    css: &str,
) -> Result<web_sys::HtmlElement, WidgetError> {
    let style = host.unchecked_ref::<web_sys::HtmlElement>().style();
    for (property, value) in [("all", "initial")].iter().chain(layout) {
        style
            .set_property_with_priority(property, value, "important")
            .map_err(failed("isolate the host"))?;
    }
    let shadow = host
        .attach_shadow(&web_sys::ShadowRootInit::new(web_sys::ShadowRootMode::Open))
        .map_err(failed("attach the shadow root"))?;
    let sheet = web_sys::CssStyleSheet::new().map_err(failed("create the stylesheet"))?;
    sheet.replace_sync(css).map_err(failed("parse the stylesheet"))?;
    js_sys::Reflect::set(&shadow, &"adoptedStyleSheets".into(), &js_sys::Array::of1(&sheet))
        .map_err(failed("adopt the stylesheet"))?;
    let container: web_sys::HtmlElement =
        document().create_element("div").map_err(failed("create the container"))?.unchecked_into();
    container.set_class_name("convo-mount");
    shadow.append_child(&container).map_err(failed("fill the shadow root"))?;
    Ok(container)
}
