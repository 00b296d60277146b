//! What a part of a view shows only while a condition holds: Leptos's `<Show>`, at one type.
//!
//! `<Show>` compiles its component, its memo and its view once for every place it is used.
//! Boxed first, every use here is the same code, in the shipped module once (issue 15).

use std::sync::Arc;

use leptos::prelude::*;

/// A view built on demand, boxed.
type Build = Arc<dyn Fn() -> AnyView + Send + Sync>;

/// What `children` builds, while `when` holds: built when it starts holding, dropped when it
/// stops, as `<Show>` does. The condition is memoised: the children are not built again while
/// it stays true.
pub fn shown<V: IntoView + 'static>(
    when: impl Fn() -> bool + Send + Sync + 'static,
    children: impl Fn() -> V + Send + Sync + 'static,
) -> impl IntoView {
    boxed(Arc::new(when), Arc::new(move || children().into_any()), None)
}

/// As [`shown`], with what `fallback` builds while `when` does not hold (`<Show fallback>`).
pub fn shown_or<V: IntoView + 'static, F: IntoView + 'static>(
    when: impl Fn() -> bool + Send + Sync + 'static,
    children: impl Fn() -> V + Send + Sync + 'static,
    fallback: impl Fn() -> F + Send + Sync + 'static,
) -> impl IntoView {
    let fallback: Build = Arc::new(move || fallback().into_any());
    boxed(Arc::new(when), Arc::new(move || children().into_any()), Some(fallback))
}

fn boxed(
    when: Arc<dyn Fn() -> bool + Send + Sync>,
    children: Build,
    fallback: Option<Build>,
) -> impl IntoView {
    let when = Memo::new(move |_| when());
    move || if when.get() { Some(children()) } else { fallback.as_ref().map(|f| f()) }
}
