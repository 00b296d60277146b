//! The widget's components, one per file.

mod connection_status;
mod launcher;
mod panel;

pub use connection_status::ConnectionStatus;
pub use launcher::Launcher;
pub use panel::Panel;
