//! Parts of the widget that few chats show (the ended chat's rating and transcript, earlier
//! chats, the questions before ending or deleting, the lightbox) are split out of the wasm every
//! page view loads. `scripts/package` builds with the `split` feature: the parts' code goes into
//! a module of its own (`wasm-split-cli`), fetched when the panel first opens or when a part is
//! first shown, whichever comes first. Builds without the feature (the demo, the browser tests)
//! keep every part in the one module, and a part renders at once.

use std::{
    future::{poll_fn, Future},
    pin::Pin,
    task::{Context, Poll, Waker},
};

use leptos::{prelude::*, task::spawn_local, wasm_split::SplitLoaderError};

use crate::state::Store;

/// A part's view, once its code is loaded.
pub type Loading = Pin<Box<dyn Future<Output = Result<AnyView, SplitLoaderError>> + Send>>;

/// Declares `fn $name() -> Loading`: the part's view, built by `$body` (run untracked, as a
/// component's body is) once the parts' module is loaded. Every part is in the one module
/// `parts`: one request when the panel opens, and no module so small that a bundler would inline
/// it as a `data:` URL (which a strict `connect-src` refuses). One part per file (one component
/// per file): the macro adds a module named `split` beside the part.
#[macro_export]
macro_rules! deferred_part {
    ($name:ident, || $body:expr) => {
        fn $name() -> $crate::components::Loading {
            ::std::boxed::Box::pin(split::$name())
        }

        #[allow(unsafe_code)] // the split's import and export are the macro's `extern "C"` pair
        mod split {
            use super::*;

            #[cfg(feature = "split")]
            #[::leptos::wasm_split::wasm_split(parts, wasm_split_path = ::leptos::wasm_split, fallible)]
            pub(crate) fn $name() -> Result<AnyView, ::leptos::wasm_split::SplitLoaderError> {
                Ok(::leptos::prelude::untrack(|| $body).into_any())
            }

            #[cfg(not(feature = "split"))]
            pub(crate) async fn $name() -> Result<AnyView, ::leptos::wasm_split::SplitLoaderError> {
                Ok(::leptos::prelude::untrack(|| $body).into_any())
            }
        }
    };
}

/// Shows the part `load` builds once its code is here. If it cannot be fetched (the network
/// went away), says so with a retry button instead of leaving a hole.
///
/// A signal and a task, not Leptos's `Suspend`: its async machinery cost more bytes than all of
/// this (issue 15), and no `Suspense` waits for a part.
#[component]
pub fn Deferred(load: fn() -> Loading) -> impl IntoView {
    let store = Store::expect();
    // The part once built, until the view takes it; `state` says when it is there.
    let part = StoredValue::new_local(None::<AnyView>);
    let state = RwSignal::new(Part::Loading);
    let settle = move |built: Result<AnyView, SplitLoaderError>| match built {
        Ok(view) => {
            part.try_set_value(Some(view));
            state.try_set(Part::Ready);
        }
        Err(_) => {
            state.try_set(Part::Failed);
        }
    };
    // The part's body reads the widget's context: it is built under this component's owner.
    let owner = Owner::current();
    let fetch = move || {
        let (mut loading, owner) = (load(), owner.clone());
        let mut poll = move |cx: &mut Context<'_>| match &owner {
            Some(owner) => owner.with(|| loading.as_mut().poll(cx)),
            None => loading.as_mut().poll(cx),
        };
        // Builds without the split have the part at once: shown in this turn, as inline code.
        match poll(&mut Context::from_waker(Waker::noop())) {
            Poll::Ready(built) => settle(built),
            Poll::Pending => {
                state.set(Part::Loading);
                spawn_local(async move { settle(poll_fn(poll).await) });
            }
        }
    };
    fetch();
    move || match state.get() {
        Part::Loading => None,
        // Taken once: the view shows it until the component goes (nothing sets it Ready again).
        Part::Ready => part.try_update_value(Option::take).flatten(),
        Part::Failed => Some({
            let fetch = fetch.clone();
            view! {
                <p class="convo-deferred-failed" role="alert">
                    {store.label(|s| s.part_failed)}
                    " "
                    <button type="button" class="convo-link-button" on:click=Store::on(move |_| fetch())>
                        {store.label(|s| s.retry)}
                    </button>
                </p>
            }
            .into_any()
        }),
    }
}

/// Where a part stands.
#[derive(Clone, Copy)]
enum Part {
    Loading,
    Ready,
    Failed,
}

/// Starts fetching the parts' module, so that a part the chat needs is (usually) here before it
/// is shown. If it fails, the module is fetched again when a part is shown.
pub fn preload_parts() {
    #[cfg(feature = "split")]
    leptos::task::spawn_local(async {
        let _ = preload_module().await;
    });
}

/// Nothing but a member of the `parts` module, for its generated `preload_module`, which loads
/// the module without building a part.
#[cfg(feature = "split")]
#[allow(unsafe_code)] // the split's import and export are the macro's `extern "C"` pair
#[leptos::wasm_split::wasm_split(parts, wasm_split_path = ::leptos::wasm_split, fallible, preload(preload_module))]
fn member() -> Result<(), SplitLoaderError> {
    Ok(())
}
