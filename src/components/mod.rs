//! The widget's components, one per file.

#[cfg(feature = "agent-desk")]
mod agent_desk;
mod alerts_toggle;
mod avatar;
mod composer;
mod confirm;
mod connection_banner;
mod custom_field;
mod deferred;
mod delete_confirm;
#[cfg(feature = "agent-desk")]
mod desk_item;
mod draft_files;
mod earlier_threads;
mod end_confirm;
mod ended_view;
mod form_refusal;
mod greeting_bubble;
mod header;
mod launcher;
mod launcher_bubble;
mod lightbox;
mod live_region;
mod media_view;
mod message_left;
mod message_list;
mod message_row;
mod names;
mod notices;
mod offline_form;
mod panel;
mod panel_greeting;
mod participant_notice;
mod prechat_form;
mod preview_bubble;
mod rating_form;
#[cfg(feature = "agent-desk")]
mod resolve_button;
mod row_menu;
mod shown;
mod slot;
mod text_field;
mod typing_indicator;
#[cfg(feature = "agent-desk")]
mod visitor_details;

#[cfg(feature = "agent-desk")]
pub use agent_desk::AgentDesk;
pub use alerts_toggle::AlertsToggle;
pub use avatar::Avatar;
pub use composer::Composer;
pub use confirm::Confirm;
pub use connection_banner::ConnectionBanner;
pub use deferred::{preload_parts, Deferred, Loading};
pub use delete_confirm::DeleteConfirm;
#[cfg(feature = "agent-desk")]
pub use desk_item::DeskItem;
pub use draft_files::DraftFiles;
pub use earlier_threads::EarlierThreads;
pub use end_confirm::EndConfirm;
pub use ended_view::EndedView;
pub use form_refusal::FormRefusal;
pub use greeting_bubble::GreetingBubble;
pub use header::Header;
pub use launcher::Launcher;
pub use launcher_bubble::LauncherBubble;
pub use lightbox::Lightbox;
pub use live_region::LiveRegion;
pub use media_view::MediaView;
pub use message_left::MessageLeft;
pub use message_list::MessageList;
pub use message_row::MessageRow;
pub use names::Names;
pub use notices::Notices;
pub use offline_form::OfflineForm;
pub use panel::Panel;
pub use panel_greeting::PanelGreeting;
pub use participant_notice::ParticipantNotice;
pub use prechat_form::PreChatForm;
pub use preview_bubble::PreviewBubble;
pub use rating_form::RatingForm;
#[cfg(feature = "agent-desk")]
pub use resolve_button::ResolveButton;
pub use row_menu::{RowMenuButton, RowMenus};
pub use shown::{shown, shown_or};
pub use slot::{bind, Slot};
pub use text_field::TextField;
pub use typing_indicator::TypingIndicator;
#[cfg(feature = "agent-desk")]
pub use visitor_details::VisitorDetails;
