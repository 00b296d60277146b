//! The page-facing JavaScript API: `window.ConvoWidget` with its commands and `on(event, fn)`,
//! and every event mirrored as a DOM `CustomEvent` named `convo:<event>` on `window`.
//!
//! A page may call the API before the widget has loaded by queueing calls on a placeholder:
//! `window.ConvoWidget = window.ConvoWidget || { q: [] }` and pushing `[method, ...args]` onto
//! `q`; the queued calls run, in order, once the widget is ready.

use convo_client::ConnectionState;
use js_sys::{Array, Function, Object, Reflect};
use leptos::prelude::*;
use serde_json::{json, Value};
use wasm_bindgen::{closure::Closure, JsCast, JsValue};

use crate::{
    config::HostUser,
    i18n::Locale,
    state::{ChatHandle, Phase, Store},
};

/// The global the page sees.
const GLOBAL: &str = "ConvoWidget";

/// The events a page can listen to.
pub const EVENTS: [&str; 9] = [
    "ready",
    "open",
    "close",
    "message",
    "unread",
    "conversation-started",
    "conversation-ended",
    "connection",
    "error",
];

/// Dispatches `convo:<name>` on `window` with `detail` (what `on(name, fn)` listeners receive).
pub fn emit(name: &str, detail: &Value) {
    let Some(window) = web_sys::window() else { return };
    let init = web_sys::CustomEventInit::new();
    init.set_detail(&js_sys::JSON::parse(&detail.to_string()).unwrap_or(JsValue::NULL));
    if let Ok(event) =
        web_sys::CustomEvent::new_with_event_init_dict(&format!("convo:{name}"), &init)
    {
        let _ = window.dispatch_event(&event);
    }
}

/// Installs `window.ConvoWidget`, runs the calls queued before it, emits the store's changes as
/// events, then `ready`.
pub fn install(store: Store, handle: ChatHandle) {
    let Some(window) = web_sys::window() else { return };
    let queued = Reflect::get(&window, &GLOBAL.into())
        .ok()
        .and_then(|placeholder| Reflect::get(&placeholder, &"q".into()).ok())
        .and_then(|q| q.dyn_into::<Array>().ok());

    let api = Object::new();
    let method = |name: &str, f: Box<dyn Fn(Array) -> JsValue>| {
        let closure =
            Closure::<dyn Fn(JsValue, JsValue) -> JsValue>::new(move |a, b| f(Array::of2(&a, &b)));
        let _ = Reflect::set(&api, &name.into(), closure.as_ref());
        // The API lives as long as the page.
        closure.forget();
    };
    method("open", Box::new(move |_| command(|| handle.open())));
    method("close", Box::new(move |_| command(|| handle.close())));
    method("toggle", Box::new(move |_| command(|| handle.toggle())));
    method("showLauncher", Box::new(move |_| command(|| store.launcher_visible.set(true))));
    method("hideLauncher", Box::new(move |_| command(|| store.launcher_visible.set(false))));
    method(
        "setLocale",
        Box::new(move |args| {
            let tag = args.get(0).as_string().unwrap_or_default();
            command(|| store.locale.set(Locale::from_tag(&tag)))
        }),
    );
    method(
        "setUser",
        Box::new(move |args| match host_user(&args.get(0)) {
            Some(user) => command(|| handle.set_user(user)),
            None => refuse("setUser expects { id, signature?, name?, email? } with a string id"),
        }),
    );
    method(
        "setAttributes",
        Box::new(move |args| match to_json(&args.get(0)) {
            Some(Value::Object(attributes)) => command(|| handle.set_attributes(attributes)),
            _ => refuse("setAttributes expects a plain object"),
        }),
    );
    method("reset", Box::new(move |_| command(|| handle.reset())));
    method("on", Box::new(move |args| subscribe(&args.get(0), &args.get(1))));
    let _ = Reflect::set(&window, &GLOBAL.into(), &api);

    if let Some(queued) = queued {
        for call in queued.iter() {
            let Ok(call) = call.dyn_into::<Array>() else { continue };
            let name = call.get(0).as_string().unwrap_or_default();
            match Reflect::get(&api, &JsValue::from_str(&name))
                .ok()
                .and_then(|f| f.dyn_into::<Function>().ok())
            {
                Some(f) => {
                    let _ = f.call2(&api, &call.get(1), &call.get(2));
                }
                None => {
                    let _ = refuse(&format!("ConvoWidget has no method {name:?}"));
                }
            }
        }
    }

    watch(store);
    emit("ready", &json!({}));
}

/// Runs a command; API methods return `undefined`, like the DOM's.
fn command(f: impl FnOnce()) -> JsValue {
    f();
    JsValue::UNDEFINED
}

/// A wrong call: an `error` event and a console warning, never an exception in the host page.
fn refuse(message: &str) -> JsValue {
    web_sys::console::warn_1(&format!("ConvoWidget: {message}").into());
    emit("error", &json!({ "message": message }));
    JsValue::UNDEFINED
}

/// `on(event, fn)`: calls `fn(detail)` for each `convo:<event>`; returns the unsubscribe
/// function.
fn subscribe(event: &JsValue, callback: &JsValue) -> JsValue {
    let (Some(event), Some(callback)) =
        (event.as_string(), callback.dyn_ref::<Function>().cloned())
    else {
        return refuse("on expects (event name, function)");
    };
    if !EVENTS.contains(&event.as_str()) {
        return refuse(&format!("unknown event {event:?}; known: {}", EVENTS.join(", ")));
    }
    let Some(window) = web_sys::window() else { return JsValue::UNDEFINED };
    let listener = Closure::<dyn Fn(web_sys::CustomEvent)>::new(move |e: web_sys::CustomEvent| {
        let _ = callback.call1(&JsValue::UNDEFINED, &e.detail());
    });
    let name = format!("convo:{event}");
    let function: Function = listener.as_ref().unchecked_ref::<Function>().clone();
    let _ = window.add_event_listener_with_callback(&name, &function);
    // Kept alive by the unsubscribe function, which drops it once called.
    let listener = std::cell::RefCell::new(Some(listener));
    let unsubscribe = Closure::<dyn Fn()>::new(move || {
        if let Some(listener) = listener.borrow_mut().take() {
            let _ = window
                .remove_event_listener_with_callback(&name, listener.as_ref().unchecked_ref());
        }
    });
    unsubscribe.into_js_value()
}

/// Emits the store's changes: open/close, unread, connection, conversation-ended.
fn watch(store: Store) {
    Effect::new(move |was: Option<bool>| {
        let open = store.open.get();
        if was.is_some_and(|was| was != open) {
            emit(if open { "open" } else { "close" }, &json!({}));
        }
        open
    });
    Effect::new(move |was: Option<u64>| {
        let count = store.unread.get();
        if was.is_some_and(|was| was != count) {
            emit("unread", &json!({ "count": count }));
        }
        count
    });
    Effect::new(move |was: Option<&'static str>| {
        let state = store.connection.with(state_name);
        if was.is_some_and(|was| was != state) {
            emit("connection", &json!({ "state": state }));
        }
        state
    });
    Effect::new(move |was: Option<Phase>| {
        let phase = store.phase.get();
        if phase == Phase::Ended && was.is_some_and(|was| was != Phase::Ended) {
            let sid = store.info.with_untracked(|i| i.as_ref().map(|i| i.sid.clone()));
            emit("conversation-ended", &json!({ "conversationSid": sid }));
        }
        phase
    });
}

/// The connection state's name in events.
fn state_name(state: &ConnectionState) -> &'static str {
    match state {
        ConnectionState::Disconnected => "disconnected",
        ConnectionState::Connecting => "connecting",
        ConnectionState::Connected => "connected",
        ConnectionState::Reconnecting { .. } => "reconnecting",
        ConnectionState::Denied { .. } => "denied",
        ConnectionState::Terminated { .. } => "terminated",
    }
}

/// A JS value as JSON (plain data only).
fn to_json(value: &JsValue) -> Option<Value> {
    let text = js_sys::JSON::stringify(value).ok()?.as_string()?;
    serde_json::from_str(&text).ok()
}

/// `{ id, signature, name, email }` from the page.
fn host_user(value: &JsValue) -> Option<HostUser> {
    let Value::Object(fields) = to_json(value)? else { return None };
    let text = |key: &str| fields.get(key).and_then(Value::as_str).map(str::to_owned);
    let identity = text("id")?;
    Some(HostUser {
        identity: Some(identity),
        identity_signature: text("signature"),
        name: text("name"),
        email: text("email"),
    })
}

/// The detail of a `message` event.
pub fn message_detail(message: &convo_client::Message, conversation_sid: &str) -> Value {
    let media: Vec<Value> = message
        .media
        .iter()
        .map(|m| json!({ "filename": m.filename, "contentType": m.content_type, "size": m.size }))
        .collect();
    json!({
        "conversationSid": conversation_sid,
        "index": message.index,
        "author": message.author,
        "body": message.body,
        "media": media,
        "dateCreated": message.date_created,
    })
}
