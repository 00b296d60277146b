//! Pure helpers for the widget: no DOM, no signals, unit-tested natively.

pub mod avatar;
pub mod bidi;
pub mod hours;
pub mod linkify;
pub mod unicode;
pub mod validate;
