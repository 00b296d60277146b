//! Widget state: the reactive [`Store`] components read, the [`ChatHandle`] they call, and
//! the [`bridge`] that feeds the store from `convo-client`.

pub mod bridge;
mod handle;
mod inbox;
mod store;

pub use handle::ChatHandle;
pub use inbox::{Inbox, Summary};
pub use store::{DraftFile, Phase, Store};
