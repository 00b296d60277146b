//! Widget state: the view model ([`Chat`], whose one reducer holds every rule, with its
//! [`Timeline`] and [`People`]), the reactive [`Store`] components read, the [`ChatHandle`]
//! they call, and the [`bridge`] that feeds the store from `convo-client`. With the demo's agent
//! desk: its list ([`Inbox`]) and the rules of its marks ([`desk`]). Attachments' expiring URLs
//! follow their own rules ([`media`]), kept apart from the chat's reducer: they are the widget's
//! cache of a server resource, not part of the conversation.

pub mod bridge;
mod cache;
pub mod chat;
#[cfg(any(test, feature = "agent-desk"))]
pub mod desk;
pub mod earlier;
mod handle;
#[cfg(feature = "agent-desk")]
mod inbox;
pub mod media;
pub mod people;
mod reach;
mod store;
pub mod timeline;
mod unsent;

pub use chat::{Alerts, Announcement, Chat, Event, Feedback, OwnMessage, Phase};
#[cfg(feature = "agent-desk")]
pub use desk::Marks;
pub use handle::ChatHandle;
#[cfg(feature = "agent-desk")]
pub use inbox::{Inbox, Summary};
pub use media::MediaLink;
pub use people::{People, Role};
pub use reach::Reach;
pub use store::{DraftFile, RowHandle, Store, WINDOW};
pub use timeline::{Entry, Notice, NoticeKind, Receipt, Timeline};
