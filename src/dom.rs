//! Browser glue: storage, files, downloads, the document title, a notification sound, desktop
//! notifications, and dates and times in the viewer's zone and language (cached `Intl`
//! formatters).

use std::cell::RefCell;

use convo_client::{SessionInfo, SortedMap};
use convo_wire::json;

use crate::error::WidgetError;
use wasm_bindgen::{closure::Closure, JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;

fn window() -> Option<web_sys::Window> {
    web_sys::window()
}

/// The stored session for `key`, if any (storage can be unavailable: private modes).
pub fn load_session(key: &str) -> Option<SessionInfo> {
    let storage = window()?.local_storage().ok()??;
    SessionInfo::from_json(&parse_json(&storage.get_item(key).ok()??)?)
}

/// Stores the session so a reload resumes it.
pub fn save_session(key: &str, session: &SessionInfo) {
    if let Some(storage) = window().and_then(|w| w.local_storage().ok().flatten()) {
        let _ = storage.set_item(key, &json::text(&session.to_json()));
    }
}

/// The time, Unix ms.
pub fn now_ms() -> u64 {
    js_sys::Date::now() as u64
}

/// An RFC 3339 timestamp as Unix ms.
pub fn parse_ms(rfc3339: &str) -> Option<u64> {
    let ms = js_sys::Date::parse(rfc3339);
    (ms.is_finite() && ms >= 0.0).then_some(ms as u64)
}

/// When the stored session's chat was last active (Unix ms), if known.
pub fn load_activity(key: &str) -> Option<u64> {
    load_json(&format!("{key}:active"))?.as_u64()
}

/// Records the stored session's chat as active at `at` (Unix ms), unless a later time is
/// already recorded.
pub fn save_activity(key: &str, at: u64) {
    if load_activity(key).is_none_or(|known| known < at) {
        save_json(&format!("{key}:active"), &serde_json::Value::from(at));
    }
}

/// Forgets the stored session, and everything kept under it — cached pages, drafts, unsent
/// messages (a shared computer's next visitor must not see them).
pub fn clear_session(key: &str) {
    let Some(storage) = window().and_then(|w| w.local_storage().ok().flatten()) else { return };
    let _ = storage.remove_item(key);
    let prefix = format!("{key}:");
    let length = storage.length().unwrap_or(0);
    let under: Vec<String> = (0..length)
        .filter_map(|i| storage.key(i).ok().flatten())
        .filter(|k| k.starts_with(&prefix))
        .collect();
    for k in under {
        let _ = storage.remove_item(&k);
    }
}

/// A JSON value stored under `key`, if any.
pub fn load_json(key: &str) -> Option<serde_json::Value> {
    let storage = window()?.local_storage().ok()??;
    parse_json(&storage.get_item(key).ok()??)
}

/// JSON text as a value, through the byte reader as every other parse in the widget and the
/// client is: `from_str` would instantiate serde_json's whole parser a second time, for its
/// string reader (issue 15, the shipped wasm's size).
pub fn parse_json(text: &str) -> Option<serde_json::Value> {
    json::parse(text.as_bytes()).ok()
}

/// Stores a JSON value under `key` (storage full or unavailable: nothing is kept).
pub fn save_json(key: &str, value: &serde_json::Value) {
    if let Some(storage) = window().and_then(|w| w.local_storage().ok().flatten()) {
        let _ = storage.set_item(key, &json::text(value));
    }
}

/// Stores `value` under `key`, or forgets the key when there is nothing to keep.
pub fn keep_json(key: &str, value: Option<&serde_json::Value>) {
    match value {
        Some(value) => save_json(key, value),
        None => remove_item(key),
    }
}

/// Forgets what is stored under `key`.
pub fn remove_item(key: &str) {
    if let Some(storage) = window().and_then(|w| w.local_storage().ok().flatten()) {
        let _ = storage.remove_item(key);
    }
}

/// Whether `key` is set in this tab's session storage (kept across reloads, gone with the
/// browser session; unavailable storage reads as unset).
pub fn session_flag(key: &str) -> bool {
    window()
        .and_then(|w| w.session_storage().ok().flatten())
        .and_then(|s| s.get_item(key).ok().flatten())
        .is_some()
}

/// Sets `key` in this tab's session storage (see [`session_flag`]).
pub fn set_session_flag(key: &str) {
    if let Some(storage) = window().and_then(|w| w.session_storage().ok().flatten()) {
        let _ = storage.set_item(key, "1");
    }
}

/// The browser's preferred language.
pub fn browser_language() -> Option<String> {
    window()?.navigator().language()
}

/// Reads a picked or dropped file.
pub async fn read_file(file: &web_sys::File) -> Result<Vec<u8>, WidgetError> {
    let buffer =
        JsFuture::from(file.array_buffer()).await.map_err(WidgetError::browser("read the file"))?;
    Ok(js_sys::Uint8Array::new(&buffer).to_vec())
}

/// An object URL showing `bytes` (for image previews); revoke it with [`revoke`].
pub fn object_url(bytes: &[u8], content_type: &str) -> Option<String> {
    let array = js_sys::Uint8Array::from(bytes);
    let parts = js_sys::Array::of1(&array);
    let options = web_sys::BlobPropertyBag::new();
    options.set_type(content_type);
    let blob = web_sys::Blob::new_with_u8_array_sequence_and_options(&parts, &options).ok()?;
    web_sys::Url::create_object_url_with_blob(&blob).ok()
}

/// Releases an object URL.
pub fn revoke(url: &str) {
    let _ = web_sys::Url::revoke_object_url(url);
}

/// Offers `text` as a file download.
pub fn download_text(filename: &str, text: &str) {
    let Some(url) = object_url(text.as_bytes(), "text/plain;charset=utf-8") else { return };
    let Some(document) = window().and_then(|w| w.document()) else { return };
    if let Ok(anchor) =
        document.create_element("a").map(|a| a.unchecked_into::<web_sys::HtmlAnchorElement>())
    {
        anchor.set_href(&url);
        anchor.set_download(filename);
        anchor.click();
    }
    // The click has started the download; the URL can go once this task ends.
    leptos::prelude::set_timeout(move || revoke(&url), std::time::Duration::from_secs(1));
}

/// Opens an attachment's URL as its download chip's link does (a new tab, no opener nor
/// referrer, the file name where the browser honours it), when the chip's click had to wait for
/// a fresh URL.
pub fn open_file(url: &str, filename: &str) {
    let Some(document) = window().and_then(|w| w.document()) else { return };
    if let Ok(anchor) =
        document.create_element("a").map(|a| a.unchecked_into::<web_sys::HtmlAnchorElement>())
    {
        anchor.set_href(url);
        anchor.set_target("_blank");
        anchor.set_rel("noopener noreferrer");
        anchor.set_download(filename);
        anchor.click();
    }
}

/// Moves the focus to `element`, if it can take it (an HTML element, not an SVG one).
pub fn focus(element: &web_sys::Element) {
    if let Some(element) = element.dyn_ref::<web_sys::HtmlElement>() {
        let _ = element.focus();
    }
}

/// The elements under `root` that match `selector`, in document order.
pub fn elements(root: &web_sys::Element, selector: &str) -> Vec<web_sys::Element> {
    let Ok(list) = root.query_selector_all(selector) else { return Vec::new() };
    (0..list.length()).filter_map(|i| list.item(i)?.dyn_into::<web_sys::Element>().ok()).collect()
}

/// A warning in the console (for failures the visitor need not see).
pub fn warn(message: &str) {
    web_sys::console::warn_1(&format!("Convo: {message}").into());
}

/// Whether the page is hidden (another tab, minimised).
pub fn page_hidden() -> bool {
    window()
        .and_then(|w| w.document())
        .is_some_and(|d| d.visibility_state() == web_sys::VisibilityState::Hidden)
}

/// Whether this page can show desktop notifications (`Notification` is missing from some
/// WebViews, and from pages served over plain HTTP other than loopback).
pub fn notifications_supported() -> bool {
    window().is_some_and(|w| js_sys::Reflect::has(&w, &"Notification".into()).unwrap_or(false))
}

/// Whether the visitor allows this site's notifications (never asks).
pub fn notifications_allowed() -> bool {
    notifications_supported()
        && web_sys::Notification::permission() == web_sys::NotificationPermission::Granted
}

/// Asks the browser to allow notifications, and whether it did. Only on a visitor's action:
/// browsers ignore (or hold against the site) a prompt nobody asked for.
pub async fn ask_notifications() -> bool {
    if !notifications_supported() {
        return false;
    }
    match web_sys::Notification::request_permission() {
        Ok(promise) => {
            JsFuture::from(promise).await.ok().and_then(|p| p.as_string())
                == Some("granted".to_owned())
        }
        Err(_) => false,
    }
}

thread_local! {
    /// The click handler of the notification showing: one at a time (they share a tag, so a
    /// newer one replaces the older), so an unclicked one's handler is dropped, not leaked.
    static NOTIFICATION_CLICK: RefCell<Option<Closure<dyn FnMut()>>> = RefCell::default();
}

/// Shows a desktop notification, replacing the widget's previous one. Clicking it brings the
/// page to the front and calls `on_click`.
pub fn notify(title: &str, body: &str, mut on_click: impl FnMut() + 'static) {
    let options = web_sys::NotificationOptions::new();
    options.set_body(body);
    options.set_tag("convo-message");
    let Ok(notification) = web_sys::Notification::new_with_options(title, &options) else {
        return;
    };
    let shown = notification.clone();
    let click = Closure::<dyn FnMut()>::new(move || {
        if let Some(w) = window() {
            let _ = w.focus();
        }
        shown.close();
        on_click();
    });
    notification.set_onclick(Some(click.as_ref().unchecked_ref()));
    NOTIFICATION_CLICK.with_borrow_mut(|c| *c = Some(click));
}

/// Sets the document title.
pub fn set_title(title: &str) {
    if let Some(document) = window().and_then(|w| w.document()) {
        document.set_title(title);
    }
}

/// The document title.
pub fn title() -> String {
    window().and_then(|w| w.document()).map(|d| d.title()).unwrap_or_default()
}

/// The page's address (`location.href`).
pub fn page_url() -> String {
    window().and_then(|w| w.location().href().ok()).unwrap_or_default()
}

/// A short, quiet two-tone chime.
pub fn chime() {
    let Ok(context) = web_sys::AudioContext::new() else { return };
    let (Ok(oscillator), Ok(gain)) = (context.create_oscillator(), context.create_gain()) else {
        return;
    };
    let now = context.current_time();
    oscillator.frequency().set_value(880.0);
    let _ = oscillator.frequency().set_value_at_time(660.0, now + 0.12);
    gain.gain().set_value(0.05);
    let _ = gain.gain().exponential_ramp_to_value_at_time(0.001, now + 0.3);
    let _ = oscillator.connect_with_audio_node(&gain);
    let _ = gain.connect_with_audio_node(&context.destination());
    let _ = oscillator.start();
    let _ = oscillator.stop_with_when(now + 0.3);
}

/// A date from an RFC 3339 string.
fn date(iso: &str) -> js_sys::Date {
    js_sys::Date::new(&JsValue::from_str(iso))
}

/// Days since 1970 of a date, in the viewer's time zone.
fn local_day(date: &js_sys::Date) -> i32 {
    let ms = date.get_time();
    if ms.is_nan() {
        return 0;
    }
    let local = ms - date.get_timezone_offset() * 60_000.0;
    (local / 86_400_000.0).floor() as i32
}

/// Days since 1970 of an RFC 3339 timestamp, in the viewer's time zone (the timeline's
/// calendar).
pub fn day_number(iso: &str) -> i32 {
    local_day(&date(iso))
}

/// Today, as [`day_number`] counts.
pub fn today() -> i32 {
    local_day(&js_sys::Date::new_0())
}

thread_local! {
    /// One `Intl.DateTimeFormat` per (locale, style): making one costs far more than using it,
    /// and every row shows a time.
    static FORMATS: RefCell<SortedMap<(&'static str, &'static str), js_sys::Function>> = RefCell::default();
}

/// Formats `date` with a cached `Intl.DateTimeFormat` for `locale` in `style`.
fn format(date: &js_sys::Date, locale: &'static str, style: &'static str) -> String {
    let formatter = FORMATS.with_borrow_mut(|formats| {
        formats
            .get_or_insert_with((locale, style), || {
                let options = js_sys::Object::new();
                let set = |k: &str, v: &str| {
                    let _ = js_sys::Reflect::set(&options, &k.into(), &v.into());
                };
                match style {
                    "time" => {
                        set("hour", "2-digit");
                        set("minute", "2-digit");
                    }
                    _ => set("dateStyle", "medium"),
                }
                let locales = js_sys::Array::of1(&locale.into());
                js_sys::Intl::DateTimeFormat::new(&locales, &options).format()
            })
            .clone()
    });
    formatter.call1(&JsValue::NULL, date).ok().and_then(|s| s.as_string()).unwrap_or_default()
}

thread_local! {
    /// Times already formatted, by locale and minute since 1970: the rows of a history mostly
    /// share their minutes, and `Intl` formatting was most of the cost of a row's time while
    /// the visitor flings back through it.
    /// Minute first: the comparisons of a binary search mostly end there.
    static CLOCKS: RefCell<SortedMap<(i64, &'static str), String>> = RefCell::default();
}

/// How many formatted times [`clock`] keeps (then it starts again).
const CLOCKS_KEPT: usize = 1024;

/// `14:05`-style time in `locale`.
pub fn clock(iso: &str, locale: &'static str) -> String {
    let date = date(iso);
    let ms = date.get_time();
    if ms.is_nan() {
        return String::new();
    }
    // Time zones are whole minutes from UTC: the minute decides the label.
    let key = ((ms / 60_000.0).floor() as i64, locale);
    if let Some(label) = CLOCKS.with_borrow(|clocks| clocks.get(&key).cloned()) {
        return label;
    }
    let label = format(&date, locale, "time");
    CLOCKS.with_borrow_mut(|clocks| {
        if clocks.len() >= CLOCKS_KEPT {
            clocks.clear();
        }
        clocks.insert(key, label.clone());
    });
    label
}

/// A day label: "Today", "Yesterday", or the date in `locale`.
pub fn day_label(
    day: i32,
    iso: &str,
    locale: &'static str,
    today_word: &str,
    yesterday: &str,
) -> String {
    match today() - day {
        0 => today_word.to_owned(),
        1 => yesterday.to_owned(),
        _ => format(&date(iso), locale, "date"),
    }
}

/// Now in `time_zone` (the browser's own when `None`): the weekday (0 = Monday), the minute
/// since midnight and the second, through `Intl` (the browser's time-zone data, not ours).
/// Why not, when the browser knows no such time zone.
pub fn zoned_now(time_zone: Option<&str>) -> Result<(usize, u32, u32), String> {
    let options = js_sys::Object::new();
    let set = |k: &str, v: &str| {
        let _ = js_sys::Reflect::set(&options, &k.into(), &v.into());
    };
    set("weekday", "short");
    set("hour", "2-digit");
    set("minute", "2-digit");
    set("second", "2-digit");
    set("hourCycle", "h23");
    if let Some(zone) = time_zone {
        set("timeZone", zone);
    }
    let zone = time_zone.unwrap_or("of the browser");
    let unknown = || format!("timeZone \"{zone}\" is not a time zone this browser knows");
    // An unknown zone throws a RangeError: constructing through Reflect catches it.
    let intl = js_sys::Reflect::get(&js_sys::global(), &"Intl".into()).map_err(|_| unknown())?;
    let constructor = js_sys::Reflect::get(&intl, &"DateTimeFormat".into())
        .map_err(|_| unknown())?
        .unchecked_into::<js_sys::Function>();
    let format =
        js_sys::Reflect::construct(&constructor, &js_sys::Array::of2(&"en-US".into(), &options))
            .map_err(|_| unknown())?
            .unchecked_into::<js_sys::Intl::DateTimeFormat>();
    let (mut weekday, mut hour, mut minute, mut second) = (None, 0, 0, 0);
    for part in format.format_to_parts(&js_sys::Date::new_0()).iter() {
        let field = |key: &str| {
            js_sys::Reflect::get(&part, &key.into())
                .ok()
                .and_then(|v| v.as_string())
                .unwrap_or_default()
        };
        let value = field("value");
        let number = || value.parse::<u32>().unwrap_or(0);
        match field("type").as_str() {
            "weekday" => weekday = crate::util::hours::weekday_of(&value),
            // Some engines say 24 for midnight even on a 23-hour cycle.
            "hour" => hour = number() % 24,
            "minute" => minute = number(),
            "second" => second = number(),
            _ => {}
        }
    }
    let weekday = weekday.ok_or_else(unknown)?;
    Ok((weekday, hour * 60 + minute, second))
}
