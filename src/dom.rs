//! Browser glue the widget's state layer uses: storage, files, downloads, the document title,
//! a notification sound, dates. Components do not call these (they go through the handle).

use std::{cell::RefCell, collections::HashMap, hash::Hash};

use convo_client::SessionInfo;
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;

fn window() -> Option<web_sys::Window> {
    web_sys::window()
}

/// The stored session for `key`, if any (storage can be unavailable: private modes).
pub fn load_session(key: &str) -> Option<SessionInfo> {
    let storage = window()?.local_storage().ok()??;
    let text = storage.get_item(key).ok()??;
    serde_json::from_str(&text).ok()
}

/// Stores the session so a reload resumes it.
pub fn save_session(key: &str, session: &SessionInfo) {
    if let (Some(storage), Ok(text)) =
        (window().and_then(|w| w.local_storage().ok().flatten()), serde_json::to_string(session))
    {
        let _ = storage.set_item(key, &text);
    }
}

/// Forgets the stored session.
pub fn clear_session(key: &str) {
    if let Some(storage) = window().and_then(|w| w.local_storage().ok().flatten()) {
        let _ = storage.remove_item(key);
    }
}

/// The browser's preferred language.
pub fn browser_language() -> Option<String> {
    window()?.navigator().language()
}

/// Reads a picked or dropped file.
pub async fn read_file(file: &web_sys::File) -> Result<Vec<u8>, String> {
    let buffer = JsFuture::from(file.array_buffer()).await.map_err(|e| format!("{e:?}"))?;
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

/// Whether the page is hidden (another tab, minimised).
pub fn page_hidden() -> bool {
    window()
        .and_then(|w| w.document())
        .is_some_and(|d| d.visibility_state() == web_sys::VisibilityState::Hidden)
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

thread_local! {
    static CLOCKS: RefCell<HashMap<(String, String), String>> = RefCell::default();
    static DAYS: RefCell<HashMap<String, String>> = RefCell::default();
}

/// The most answers a cache keeps; past it, it starts afresh (a long chat's worth).
const CACHE_LIMIT: usize = 4096;

/// `compute(key)`, remembered: the message list asks again for every row each time a message
/// arrives, and each answer costs several calls into the browser's `Date` and `Intl`.
fn cached<K: Eq + Hash + Clone>(
    cache: &'static std::thread::LocalKey<RefCell<HashMap<K, String>>>,
    key: K,
    compute: impl FnOnce() -> String,
) -> String {
    if let Some(hit) = cache.with_borrow(|c| c.get(&key).cloned()) {
        return hit;
    }
    let value = compute();
    cache.with_borrow_mut(|c| {
        if c.len() >= CACHE_LIMIT {
            c.clear();
        }
        c.insert(key, value.clone());
    });
    value
}

/// `14:05`-style time in `locale`.
pub fn clock(iso: &str, locale: &str) -> String {
    cached(&CLOCKS, (iso.to_owned(), locale.to_owned()), || {
        let options = js_sys::Object::new();
        let _ = js_sys::Reflect::set(&options, &"hour".into(), &"2-digit".into());
        let _ = js_sys::Reflect::set(&options, &"minute".into(), &"2-digit".into());
        date(iso).to_locale_time_string_with_options(locale, &options).into()
    })
}

/// The local calendar day of an instant, `YYYY-MM-DD`.
pub fn day_key(iso: &str) -> String {
    cached(&DAYS, iso.to_owned(), || {
        let d = date(iso);
        if d.get_time().is_nan() {
            return String::new();
        }
        format!("{:04}-{:02}-{:02}", d.get_full_year(), d.get_month() + 1, d.get_date())
    })
}

/// A day label: "Today", "Yesterday", or the date in `locale`.
pub fn day_label(iso: &str, locale: &str, today: &str, yesterday: &str) -> String {
    let key = day_key(iso);
    let now = js_sys::Date::new_0();
    let today_key =
        format!("{:04}-{:02}-{:02}", now.get_full_year(), now.get_month() + 1, now.get_date());
    let yesterday_date = js_sys::Date::new(&JsValue::from_f64(now.get_time() - 86_400_000.0));
    let yesterday_key = format!(
        "{:04}-{:02}-{:02}",
        yesterday_date.get_full_year(),
        yesterday_date.get_month() + 1,
        yesterday_date.get_date()
    );
    if key == today_key {
        today.to_owned()
    } else if key == yesterday_key {
        yesterday.to_owned()
    } else {
        let options = js_sys::Object::new();
        let _ = js_sys::Reflect::set(&options, &"dateStyle".into(), &"medium".into());
        date(iso).to_locale_date_string(locale, &options).into()
    }
}
