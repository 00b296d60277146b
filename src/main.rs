//! The Trunk entry point: mounts the widget on the demo page.

fn main() {
    console_error_panic_hook::set_once();
    if let Err(error) = convo_widget::mount(convo_widget::WidgetConfig::from_document(), None) {
        web_sys::console::error_1(&format!("Convo: {error}").into());
    }
}
