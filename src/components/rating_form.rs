//! The ended chat's optional rating: one to five stars and a comment, stored by the backend
//! in the conversation's attributes. Once sent, a thank-you takes its place.

use leptos::prelude::*;

use super::shown_or;
use crate::state::{ChatHandle, Feedback, Store};

/// The longest comment the backend takes, in characters.
const MAX_COMMENT_CHARS: usize = 1000;

/// The rating form.
#[component]
pub fn RatingForm() -> impl IntoView {
    let store = Store::expect();
    let handle = ChatHandle::expect();
    let score = RwSignal::new(0u8);
    let comment = RwSignal::new(String::new());
    let on_submit = move |ev: web_sys::SubmitEvent| {
        ev.prevent_default();
        handle.rate(score.get_untracked(), comment.get_untracked());
    };
    let stars = move || {
        (1..=5u8)
        .map(|n| {
            view! {
                <label class="convo-rating__star" class=("convo-rating__star--on", move || score.get() >= n)>
                    <input
                        type="radio"
                        name="convo-rating"
                        value=n.to_string()
                        prop:checked=move || score.get() == n
                        on:change=Store::on(move |_| score.set(n))
                    />
                    <span aria-hidden="true">"★"</span>
                    <span class="convo-visually-hidden">{Store::text(move || (store.strings().rating_score)(n))}</span>
                </label>
            }
        })
        .collect::<Vec<_>>()
    };
    view! {
        {shown_or(
            move || store.feedback.get() != Feedback::Sent,
            move || view! {
            <form class="convo-rating" on:submit=Store::on(on_submit)>
                <fieldset class="convo-rating__fieldset">
                    <legend class="convo-rating__legend">{store.label(|s| s.rating_prompt)}</legend>
                    <div class="convo-rating__stars">{stars()}</div>
                </fieldset>
                <label class="convo-field__label" for="convo-rating-comment">{store.label(|s| s.rating_comment)}</label>
                <textarea
                    id="convo-rating-comment"
                    class="convo-input"
                    rows="2"
                    maxlength=MAX_COMMENT_CHARS.to_string()
                    prop:value=move || comment.get()
                    on:input=Store::on(move |ev| comment.set(event_target_value(&ev)))
                ></textarea>
                <button
                    type="submit"
                    class="convo-button"
                    disabled=move || score.get() == 0 || store.feedback.get() == Feedback::Sending
                >
                    {store.label(|s| s.rating_send)}
                </button>
            </form>
            },
            move || view! { <p class="convo-rating__thanks" role="status">{store.label(|s| s.rating_thanks)}</p> },
        )}
    }
}
