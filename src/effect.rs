//! The widget's effects, all of one type.
//!
//! `Effect::new` compiles its whole task (the loop that waits for a change, tracks the
//! sources again and runs the function) once for every closure type it is given: about a
//! kilobyte of wasm per effect. Boxed first, every effect of the widget is the same closure
//! type, and that code is in the shipped module once (issue 15).

use leptos::prelude::Effect;

/// Runs `f` once (after the current render), then again whenever a signal it read changes,
/// as `Effect::new` does. A value carried from one run to the next lives in `f` itself
/// (`let mut was = None; effect(move || { … was = Some(now); })`).
pub fn effect(f: impl FnMut() + 'static) {
    boxed(Box::new(f));
}

fn boxed(mut f: Box<dyn FnMut()>) {
    Effect::new(move |_| f());
}
