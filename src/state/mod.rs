//! Widget state: the reactive [`Store`] components read, the [`ChatHandle`] they call, and
//! the [`bridge`] that feeds the store from `convo-client`.

pub mod bridge;
mod handle;
#[cfg(feature = "agent-desk")]
mod inbox;
mod store;

pub use handle::ChatHandle;
#[cfg(feature = "agent-desk")]
pub use inbox::{Inbox, Summary};
pub use store::{DraftFile, Phase, Store};
