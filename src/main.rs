//! The Trunk entry point: the demo page's widget.

fn main() {
    console_error_panic_hook::set_once();
    convo_widget::define_element();
    // A page that placed `<convo-widget>` elements has its widgets; otherwise one goes at the
    // end of `<body>`, configured by the body's `data-convo-*` attributes.
    let placed = web_sys::window()
        .and_then(|w| w.document())
        .and_then(|d| d.query_selector(convo_widget::mount::ELEMENT_TAG).ok().flatten())
        .is_some();
    if !placed {
        if let Err(error) = convo_widget::mount(convo_widget::WidgetConfig::from_document(), None) {
            web_sys::console::error_1(&format!("Convo: {error}").into());
        }
    }
}
