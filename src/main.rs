//! The Trunk entry point: mounts the widget on the demo page.

fn main() {
    console_error_panic_hook::set_once();
    convo_widget::mount_to_body(convo_widget::WidgetConfig::from_document());
}
