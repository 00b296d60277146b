//! The page-facing JavaScript API: the methods of `window.ConvoWidget`, and every event
//! dispatched as a DOM `CustomEvent` named `convo:<event>` on `window`.
//!
//! The object itself belongs to the loader (`js/convo-widget.js`), which creates it before the
//! wasm loads: its methods queue `[method, ...args]` on its hidden `q`, and its `on(event, fn)`
//! listens to the `convo:*` events directly. The wasm fills in the real methods on that same
//! object (so references the page kept stay good) and runs the queued calls in order: `init`
//! when the module starts ([`install_init`]), the others once a widget is mounted ([`install`]).

use convo_client::ConnectionState;
use convo_wire::json;
use convo_wire::object;
use js_sys::{Array, Function, Object, Reflect};
use leptos::prelude::*;
use serde_json::Value;
use wasm_bindgen::{closure::Closure, JsCast, JsValue};

use crate::effect::effect;
use crate::{
    config::{HostUser, GREETING_CHARS, OPTIONS},
    dom,
    error::WidgetError,
    i18n::Locale,
    mount,
    state::{ChatHandle, Phase, Store},
    util::hours::Availability,
    WidgetConfig,
};

/// The global the page sees.
const GLOBAL: &str = "ConvoWidget";
/// `init` options that are not in [`OPTIONS`]: objects, and where to mount.
const OBJECT_OPTIONS: [&str; 3] = ["user", "attributes", "target"];

/// Dispatches `convo:<name>` on `window` with `detail` (what `on(name, fn)` listeners receive).
pub fn emit(name: &str, detail: &Value) {
    let Some(window) = web_sys::window() else { return };
    let init = web_sys::CustomEventInit::new();
    init.set_detail(&js_sys::JSON::parse(&json::text(detail)).unwrap_or(JsValue::NULL));
    if let Ok(event) =
        web_sys::CustomEvent::new_with_event_init_dict(&format!("convo:{name}"), &init)
    {
        let _ = window.dispatch_event(&event);
    }
}

/// `window.ConvoWidget`: the loader's object (or a page's `{ q: [] }` placeholder), else a new
/// one.
fn global_api() -> Option<Object> {
    let window = web_sys::window()?;
    match Reflect::get(&window, &GLOBAL.into()) {
        Ok(existing) if existing.is_object() => Some(existing.unchecked_into()),
        _ => {
            let api = Object::new();
            Reflect::set(&window, &GLOBAL.into(), &api).ok()?;
            Some(api)
        }
    }
}

/// Sets `api[name]` to `f`, which receives the call's first two arguments.
fn set_method(api: &Object, name: &str, f: Box<dyn Fn(Array) -> JsValue>) {
    let closure =
        Closure::<dyn Fn(JsValue, JsValue) -> JsValue>::new(move |a, b| f(Array::of2(&a, &b)));
    let _ = Reflect::set(api, &name.into(), closure.as_ref());
    // The API lives as long as the page.
    closure.forget();
}

/// Runs the calls queued on `api.q` in order, through `api`'s methods as they are now. The
/// queue is emptied first: a call to a method that still queues (one a later `init` fills in)
/// waits in the fresh queue.
fn run_queued(api: &Object) {
    let Some(queued) = Reflect::get(api, &"q".into()).ok().and_then(|q| q.dyn_into::<Array>().ok())
    else {
        return;
    };
    let _ = Reflect::set(api, &"q".into(), &Array::new());
    for call in queued.iter() {
        let Ok(call) = call.dyn_into::<Array>() else { continue };
        let name = call.get(0).as_string().unwrap_or_default();
        match Reflect::get(api, &JsValue::from_str(&name))
            .ok()
            .and_then(|f| f.dyn_into::<Function>().ok())
        {
            Some(f) => {
                let _ = f.apply(api, &call.slice(1, call.length()));
            }
            None => {
                let _ = refuse(&format!("ConvoWidget has no method \"{name}\""));
            }
        }
    }
}

/// Fills in `ConvoWidget.init(options)` when the module starts, then runs the calls queued
/// so far (an `init` among them mounts the widget, which fills in the rest).
pub fn install_init() {
    let Some(api) = global_api() else { return };
    set_method(&api, "init", Box::new(|args| init(&args.get(0))));
    run_queued(&api);
}

/// `init(options)`: mounts the widget configured by `options` (see [`options`]). It runs once:
/// later calls (a snippet pasted twice, a framework re-rendering) change nothing.
fn init(value: &JsValue) -> JsValue {
    if document().get_element_by_id(mount::HOST_ID).is_some() {
        web_sys::console::warn_1(
            &"ConvoWidget.init: the widget is already on the page; later options are ignored"
                .into(),
        );
        return JsValue::UNDEFINED;
    }
    let mounted = options(value).and_then(|(config, target)| mount::mount(config, target));
    match mounted {
        Ok(()) => JsValue::UNDEFINED,
        Err(error) => refuse(&format!("init: {error}")),
    }
}

/// The widget's configuration from `init`'s options: the [`OPTIONS`] in camelCase
/// (`tokenUrl`, `userId`…; what a script tag's `dataset` holds), `user` (as for `setUser`),
/// `attributes` (as for `setAttributes`), and `target` (an element, or a selector, to mount
/// in instead of `<body>`). Unknown options are named in a warning and skipped.
fn options(value: &JsValue) -> Result<(WidgetConfig, Option<web_sys::Element>), WidgetError> {
    if value.is_undefined() || value.is_null() {
        return Ok((WidgetConfig::default(), None));
    }
    if !value.is_object() {
        return Err(usage("expected an options object, like { tokenUrl: '/api/token' }"));
    }
    let camel = |name: &str| {
        let mut parts = name.split('-');
        let first = parts.next().unwrap_or_default().to_owned();
        parts.fold(first, |mut key, part| {
            let mut chars = part.chars();
            key.extend(chars.next().map(|c| c.to_ascii_uppercase()));
            key.push_str(chars.as_str());
            key
        })
    };
    let known: Vec<String> =
        OPTIONS.iter().map(|name| camel(name)).chain(OBJECT_OPTIONS.map(str::to_owned)).collect();
    for key in Object::keys(value.unchecked_ref::<Object>()).iter().filter_map(|k| k.as_string()) {
        if !known.contains(&key) {
            let _ = refuse(&format!("init: unknown option \"{key}\"; known: {}", known.join(", ")));
        }
    }
    let get = |key: &str| Reflect::get(value, &key.into()).unwrap_or(JsValue::UNDEFINED);
    let mut config = WidgetConfig::from_options_reporting(
        |name| {
            let option = get(&camel(name));
            option
                .as_string()
                .or_else(|| option.as_bool().map(|b| b.to_string()))
                // A number as JS writes it (`String(n)`), not through Rust's float formatting,
                // which would ship in the wasm for this alone (issue 15).
                .or_else(|| {
                    option.as_f64()?;
                    Some(
                        option
                            .unchecked_ref::<js_sys::Number>()
                            .to_string_with_radix(10)
                            .ok()?
                            .into(),
                    )
                })
                // `prechatFields` is an array (the attribute, its JSON text).
                .or_else(|| {
                    (name == "prechat-fields" && option.is_object())
                        .then(|| js_sys::JSON::stringify(&option).ok()?.as_string())
                        .flatten()
                })
        },
        |problem| {
            let _ = refuse(&format!("init: {problem}"));
        },
    );
    // `availability` is a word in an attribute, and may be business hours here.
    let value = get("availability");
    if !value.is_undefined() {
        match availability(&value) {
            Ok(availability) => config.availability = availability,
            // A typo in the hours must not keep the chat off the page: it stays open.
            Err(message) => {
                let _ = refuse(&format!("init: availability: {message}"));
            }
        }
    }
    let user = get("user");
    if !user.is_undefined() {
        config.user =
            Some(host_user(&user).ok_or_else(|| usage(&format!("user expects {USER_SHAPE}")))?);
    }
    let attributes = get("attributes");
    if !attributes.is_undefined() {
        match to_json(&attributes) {
            Some(Value::Object(attributes)) => config.attributes = attributes,
            _ => return Err(usage("attributes must be a plain object")),
        }
    }
    let target =
        match get("target") {
            t if t.is_undefined() || t.is_null() => None,
            t if t.is_instance_of::<web_sys::Element>() => Some(t.unchecked_into()),
            t => match t.as_string() {
                Some(selector) => {
                    Some(document().query_selector(&selector).ok().flatten().ok_or_else(|| {
                        usage(&format!("target \"{selector}\" matches no element"))
                    })?)
                }
                None => return Err(usage("target must be an element or a selector")),
            },
        };
    Ok((config, target))
}

fn usage(message: &str) -> WidgetError {
    WidgetError::Usage(message.to_owned())
}

/// What `setUser` and `init({ user })` expect.
const USER_SHAPE: &str = "{ id, signature?, name?, email? } with a string id";

/// Fills in the methods that command the mounted widget, runs the calls queued before it,
/// emits the store's changes as events, then `ready`.
pub fn install(store: Store, handle: ChatHandle) {
    let Some(api) = global_api() else { return };
    let method = |name: &str, f: Box<dyn Fn(Array) -> JsValue>| set_method(&api, name, f);
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
            None => refuse(&format!("setUser expects {USER_SHAPE}")),
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
    method(
        "greet",
        Box::new(move |args| match greeting(&args.get(0), &args.get(1)) {
            Ok((text, delay)) => command(|| handle.greet(text, delay)),
            Err(message) => refuse(&format!("greet: {message}")),
        }),
    );
    method(
        "setAvailability",
        Box::new(move |args| match availability(&args.get(0)) {
            Ok(availability) => command(|| handle.set_availability(availability)),
            Err(message) => refuse(&format!("setAvailability: {message}")),
        }),
    );
    run_queued(&api);

    watch(store);
    emit("ready", &object! {});
}

/// The longest delay a browser timer waits (2^31 − 1 ms, about 24.8 days).
const MAX_DELAY_MS: u32 = 2_147_483_647;

/// `greet(text, { delay })`'s arguments: the text (plain, trimmed, non-empty, at most
/// [`GREETING_CHARS`]) and the delay (milliseconds, a finite number ≥ 0; 0 when left out), or
/// what is wrong with them, naming the argument.
fn greeting(text: &JsValue, options: &JsValue) -> Result<(String, std::time::Duration), String> {
    let text = text.as_string().ok_or("text must be a string")?;
    let text = text.trim();
    if text.is_empty() {
        return Err("text must not be empty".to_owned());
    }
    let chars = text.chars().count();
    if chars > GREETING_CHARS {
        return Err(format!("text has {chars} characters; at most {GREETING_CHARS}"));
    }
    let delay = if options.is_undefined() || options.is_null() {
        JsValue::UNDEFINED
    } else if options.is_object() && !Array::is_array(options) {
        Reflect::get(options, &"delay".into()).unwrap_or(JsValue::UNDEFINED)
    } else {
        return Err("options must be an object, like { delay: 5000 }".to_owned());
    };
    let delay = match delay.as_f64() {
        None if delay.is_undefined() => 0.0,
        Some(ms) if ms.is_finite() && (0.0..=f64::from(MAX_DELAY_MS)).contains(&ms) => ms,
        _ => {
            return Err(format!("delay must be a number of milliseconds from 0 to {MAX_DELAY_MS}"))
        }
    };
    Ok((text.to_owned(), std::time::Duration::from_millis(delay as u64)))
}

/// `setAvailability`'s argument (and `init`'s `availability`): `'open'`, `'closed'` or business
/// hours in a time zone the browser knows, or what is wrong with it.
fn availability(value: &JsValue) -> Result<Availability, String> {
    let parsed = Availability::parse(&to_json(value).unwrap_or(Value::Null))?;
    if let Availability::Hours(hours) = &parsed {
        dom::zoned_now(hours.time_zone.as_deref())?;
    }
    Ok(parsed)
}

/// Runs a command; API methods return `undefined`, like the DOM's.
fn command(f: impl FnOnce()) -> JsValue {
    f();
    JsValue::UNDEFINED
}

/// A wrong call: an `error` event and a console warning, never an exception in the host page.
fn refuse(message: &str) -> JsValue {
    web_sys::console::warn_1(&format!("ConvoWidget: {message}").into());
    emit("error", &object! { "message": message });
    JsValue::UNDEFINED
}

/// Emits the store's changes: open/close, unread, connection, conversation-ended.
fn watch(store: Store) {
    // Each remembers what it saw last: an event says what changed since.
    let mut was = None;
    effect(move || {
        let open = store.open.get();
        if was.is_some_and(|was| was != open) {
            emit(if open { "open" } else { "close" }, &object! {});
        }
        was = Some(open);
    });
    let mut was = None;
    effect(move || {
        let count = store.unread.get();
        if was.is_some_and(|was| was != count) {
            emit("unread", &object! { "count": count });
        }
        was = Some(count);
    });
    let mut was = None;
    effect(move || {
        let state = store.connection.with(state_name);
        if was.is_some_and(|was| was != state) {
            emit("connection", &object! { "state": state });
        }
        was = Some(state);
    });
    let mut was = None;
    effect(move || {
        let phase = store.phase.get();
        if phase == Phase::Ended && was.is_some_and(|was| was != Phase::Ended) {
            let sid = store.info.with_untracked(|i| i.as_ref().map(|i| i.sid.clone()));
            emit("conversation-ended", &object! { "conversationSid": sid });
        }
        was = Some(phase);
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
    crate::dom::parse_json(&text)
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
        .map(|m| object! { "filename": m.filename, "contentType": m.content_type, "size": m.size })
        .collect();
    object! {
        "conversationSid": conversation_sid,
        "index": message.index,
        "author": message.author,
        "body": message.body,
        "media": media,
        "dateCreated": message.date_created,
    }
}
