//! A list of names other people chose, each isolated.

use leptos::prelude::*;

/// `Ana, Bruno`, each name in a `<bdi>` so that its direction (or a U+202E in it) stays inside
/// it and never reorders the surrounding text.
#[component]
pub fn Names(
    /// The names, in order.
    names: Vec<String>,
) -> impl IntoView {
    names
        .into_iter()
        .enumerate()
        .map(|(i, name)| view! { {(i > 0).then_some(", ")}<bdi>{name}</bdi> })
        .collect_view()
}
