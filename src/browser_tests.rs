//! In headless Chromium: the widget mounted against the backend and emulator `scripts/test`
//! started — pre-chat validation, starting a chat, sending, the bot's answer, escaping.
//!
//! Unit tests of the library rather than an integration test: an integration test needs the
//! crate built as an `rlib` too, and a `cdylib` built beside an `rlib` comes out about a quarter
//! larger (measured: 4.1 MB against 3.1 MB before wasm-bindgen).

use std::time::Duration;

use crate::{App, WidgetConfig};
use leptos::prelude::*;
use wasm_bindgen::JsCast;
use wasm_bindgen_test::*;
use web_sys::{HtmlElement, HtmlInputElement, HtmlTextAreaElement};

wasm_bindgen_test_configure!(run_in_browser);

fn config() -> WidgetConfig {
    // Set at build time by scripts/test, which starts the backend and emulator first.
    let (Some(backend), Some(twilsock)) =
        (option_env!("CONVO_TEST_BACKEND_URL"), option_env!("CONVO_TEST_TWILSOCK_URL"))
    else {
        panic!("CONVO_TEST_BACKEND_URL and CONVO_TEST_TWILSOCK_URL must be set at build time (scripts/test does)")
    };
    WidgetConfig {
        session_url: format!("{backend}/api/session"),
        token_url: format!("{backend}/api/token"),
        twilsock_url: twilsock.to_owned(),
        locale: Some("en".to_owned()),
        ..WidgetConfig::default()
    }
}

fn mount(config: WidgetConfig) -> HtmlElement {
    let document = document();
    // Each test starts without a stored session.
    window().local_storage().unwrap().unwrap().clear().unwrap();
    let container: HtmlElement = document.create_element("div").unwrap().unchecked_into();
    document.body().unwrap().append_child(&container).unwrap();
    leptos::mount::mount_to(container.clone(), move || view! { <App config /> }).forget();
    container
}

fn find(container: &HtmlElement, selector: &str) -> Option<HtmlElement> {
    container.query_selector(selector).unwrap().map(JsCast::unchecked_into)
}

async fn until(what: &str, check: impl Fn() -> bool) {
    for _ in 0..200 {
        if check() {
            return;
        }
        convo_client::platform::sleep(Duration::from_millis(50)).await;
    }
    panic!("not reached in 10 s: {what}");
}

fn text(container: &HtmlElement, selector: &str) -> String {
    find(container, selector).and_then(|e| e.text_content()).unwrap_or_default()
}

#[wasm_bindgen_test]
async fn test_prechat_validation_then_chat_and_bot_reply() {
    let container = mount(config());
    leptos::task::tick().await;
    let launcher = find(&container, ".convo-launcher").unwrap();
    let panel = find(&container, ".convo-panel").unwrap();
    assert!(panel.hidden());
    launcher.click();
    leptos::task::tick().await;
    assert!(!panel.hidden());
    assert_eq!(launcher.get_attribute("aria-expanded").as_deref(), Some("true"));

    // The name is required: submitting without it shows the error on the field.
    find(&container, ".convo-prechat button[type=submit]").unwrap().click();
    leptos::task::tick().await;
    assert_eq!(text(&container, "#convo-field-name-error"), "Please fill this in.");
    assert_eq!(
        find(&container, "#convo-field-name").unwrap().get_attribute("aria-invalid").as_deref(),
        Some("true")
    );

    // Any Unicode name is accepted.
    let name: HtmlInputElement = find(&container, "#convo-field-name").unwrap().unchecked_into();
    name.set_value("Zoë Łukasz-محمد");
    name.dispatch_event(&web_sys::Event::new("input").unwrap()).unwrap();
    let question: HtmlTextAreaElement =
        find(&container, "#convo-field-question").unwrap().unchecked_into();
    question.set_value("<b>not bold</b> see https://example.com");
    question.dispatch_event(&web_sys::Event::new("input").unwrap()).unwrap();
    find(&container, ".convo-prechat button[type=submit]").unwrap().click();

    until("the composer appears", || find(&container, ".convo-composer__input").is_some()).await;
    until("the question and the bot's greeting show", || {
        container.query_selector_all(".convo-row").map(|n| n.length()).unwrap_or(0) >= 2
    })
    .await;
    let first = find(&container, ".convo-row .convo-bubble__text").unwrap();
    // User content is text: the markup is shown, not rendered; the URL became a safe link.
    assert_eq!(first.query_selector("b").unwrap(), None);
    assert!(first.text_content().unwrap().contains("<b>not bold</b>"));
    let link = first.query_selector("a").unwrap().unwrap();
    assert_eq!(link.get_attribute("href").as_deref(), Some("https://example.com"));
    assert_eq!(link.get_attribute("rel").as_deref(), Some("noopener noreferrer nofollow"));
    until("the bot's greeting", || {
        text(&container, ".convo-messages").contains("an agent will be with you shortly")
    })
    .await;
}

#[wasm_bindgen_test]
async fn test_enter_sends_and_shift_enter_breaks_the_line() {
    let mut config = config();
    config.prechat = Vec::new();
    let container = mount(config);
    leptos::task::tick().await;
    find(&container, ".convo-launcher").unwrap().click();
    until("the composer appears", || find(&container, ".convo-composer__input").is_some()).await;
    let input: HtmlTextAreaElement =
        find(&container, ".convo-composer__input").unwrap().unchecked_into();
    input.set_value("line one");
    input.dispatch_event(&web_sys::Event::new("input").unwrap()).unwrap();
    let shift_enter = web_sys::KeyboardEventInit::new();
    shift_enter.set_key("Enter");
    shift_enter.set_shift_key(true);
    shift_enter.set_bubbles(true);
    let event =
        web_sys::KeyboardEvent::new_with_keyboard_event_init_dict("keydown", &shift_enter).unwrap();
    input.dispatch_event(&event).unwrap();
    leptos::task::tick().await;
    assert_eq!(
        container.query_selector_all(".convo-row").unwrap().length(),
        0,
        "Shift+Enter does not send"
    );

    let enter = web_sys::KeyboardEventInit::new();
    enter.set_key("Enter");
    enter.set_bubbles(true);
    enter.set_cancelable(true);
    let event =
        web_sys::KeyboardEvent::new_with_keyboard_event_init_dict("keydown", &enter).unwrap();
    input.dispatch_event(&event).unwrap();
    // It clears once the message is queued, a few tasks later (after its request has left).
    until("the draft clears when sent", || input.value().is_empty()).await;
    until("the message shows", || text(&container, ".convo-messages").contains("line one")).await;
}

#[wasm_bindgen_test]
async fn test_mount_puts_the_widget_in_a_styled_shadow_root_once() {
    let target: HtmlElement = document().create_element("section").unwrap().unchecked_into();
    document().body().unwrap().append_child(&target).unwrap();
    crate::mount(config(), Some(target.clone().into())).unwrap();
    leptos::task::tick().await;
    let host = document().get_element_by_id(crate::HOST_ID).expect("the host element");
    assert_eq!(host.parent_element().as_ref(), Some(target.as_ref()), "appended to the target");
    let shadow = host.shadow_root().expect("an open shadow root");
    assert!(shadow.query_selector(".convo-root").unwrap().is_some(), "the widget is inside");
    let inside = shadow.query_selector(".convo-root").unwrap();
    let outside = document().query_selector_all(".convo-root").unwrap();
    assert!(
        (0..outside.length()).all(|i| !outside.item(i).unwrap().is_same_node(inside.as_deref())),
        "the page's own queries do not reach in"
    );
    let sheets = js_sys::Reflect::get(&shadow, &"adoptedStyleSheets".into()).unwrap();
    assert_eq!(js_sys::Array::from(&sheets).length(), 1, "the stylesheet is adopted");
    let launcher: HtmlElement =
        shadow.query_selector(".convo-launcher").unwrap().unwrap().unchecked_into();
    let background = window().get_computed_style(&launcher).unwrap().unwrap();
    assert_eq!(background.get_property_value("background-color").unwrap(), "rgb(31, 79, 209)");
    let again = crate::mount(config(), None);
    assert!(
        again.unwrap_err().to_string().contains("already mounted"),
        "a second mount is refused"
    );
}

#[wasm_bindgen_test]
fn test_clock_labels_follow_the_minute_and_the_locale_through_the_cache() {
    use crate::dom::clock;
    let uncached = |iso: &str, locale: &str| {
        let options = js_sys::Object::new();
        js_sys::Reflect::set(&options, &"hour".into(), &"2-digit".into()).unwrap();
        js_sys::Reflect::set(&options, &"minute".into(), &"2-digit".into()).unwrap();
        let date = js_sys::Date::new(&iso.into());
        js_sys::Intl::DateTimeFormat::new(&js_sys::Array::of1(&locale.into()), &options)
            .format()
            .call1(&wasm_bindgen::JsValue::NULL, &date)
            .unwrap()
            .as_string()
            .unwrap()
    };
    for (iso, locale) in [
        ("2026-12-06T13:05:22Z", "en"),
        // The same minute, another second and another notation: the cached label.
        ("2026-12-06T13:05:59.250Z", "en"),
        ("2026-12-06T14:05:10+01:00", "en"),
        // The next minute, and the same minute in other locales: labels of their own.
        ("2026-12-06T13:06:00Z", "en"),
        ("2026-12-06T13:05:22Z", "fr"),
        ("2026-12-06T13:05:22Z", "ar"),
        ("2026-12-06T21:45:00Z", "en"),
    ] {
        assert_eq!(clock(iso, locale), uncached(iso, locale), "{iso} in {locale}");
    }
    assert_ne!(clock("2026-12-06T13:05:22Z", "en"), clock("2026-12-06T13:06:00Z", "en"));
    assert_eq!(clock("not a date", "en"), "");
}

/// The browser's letters and digits (`util::unicode`, from its own Unicode tables) are Rust's
/// `char::is_alphanumeric`, which the wasm no longer carries: over every Unicode scalar value.
#[wasm_bindgen_test]
fn test_the_browsers_letters_and_digits_are_rusts() {
    let all: String = (0..=0x10_FFFF).filter_map(char::from_u32).collect();
    let browsers: std::collections::HashSet<char> =
        crate::util::unicode::letters_and_digits(&all).chars().collect();
    let differ: Vec<String> = all
        .chars()
        .filter(|c| c.is_alphanumeric() != browsers.contains(c))
        .map(|c| format!("U+{:04X}", u32::from(c)))
        .collect();
    assert!(differ.is_empty(), "{} differ: {:?}", differ.len(), &differ[..differ.len().min(40)]);
    assert!(browsers.contains(&'é') && browsers.contains(&'٣') && !browsers.contains(&'!'));
}

/// Erased, attributes of different names can share a type (`patches/README.md`): an element
/// drawn again by another view, of the same element and attribute types, loses the attributes
/// the new view does not have, rather than keeping them beside the new ones.
#[wasm_bindgen_test]
async fn test_an_element_drawn_by_another_view_keeps_none_of_the_old_attributes() {
    let container: HtmlElement = document().create_element("div").unwrap().unchecked_into();
    document().body().unwrap().append_child(&container).unwrap();
    let first = RwSignal::new(true);
    leptos::mount::mount_to(container.clone(), move || {
        move || {
            if first.get() {
                view! { <p title="the first">"text"</p> }.into_any()
            } else {
                view! { <p role="note">"text"</p> }.into_any()
            }
        }
    })
    .forget();
    let p = find(&container, "p").expect("the view is mounted");
    assert_eq!(p.get_attribute("title").as_deref(), Some("the first"));
    first.set(false);
    until("the other view is drawn", || {
        find(&container, "p").is_some_and(|p| p.get_attribute("role").is_some())
    })
    .await;
    let p = find(&container, "p").expect("still one paragraph");
    assert_eq!(p.get_attribute("role").as_deref(), Some("note"));
    assert_eq!(p.get_attribute("title"), None, "the first view's attribute is gone");
    container.remove();
}

/// A view drawn again changes only the attributes whose values changed. With `erase_components`
/// (`.cargo/config.toml`) Leptos's own renderer removed and set again every attribute of a
/// redrawn element; message rows are redrawn whole, so that was DOM work and style
/// invalidation for every row a new message touched (`patches/README.md`).
#[wasm_bindgen_test]
async fn test_a_redrawn_element_sets_only_its_changed_attributes() {
    let container: HtmlElement = document().create_element("div").unwrap().unchecked_into();
    document().body().unwrap().append_child(&container).unwrap();
    let count = RwSignal::new(0u32);
    leptos::mount::mount_to(container.clone(), move || {
        move || {
            let n = count.get();
            view! { <p class="convo-fixed" data-kept="same" title=format!("n{n}")>{n}</p> }
        }
    })
    .forget();
    let p = find(&container, "p").expect("the view is mounted");
    assert_eq!(p.get_attribute("title").as_deref(), Some("n0"));

    // The observer's callback runs after the mutations' task; it keeps the names it is given.
    let changed = std::rc::Rc::new(std::cell::RefCell::new(Vec::<String>::new()));
    let keep = changed.clone();
    let callback = wasm_bindgen::closure::Closure::<dyn FnMut(js_sys::Array)>::new(
        move |records: js_sys::Array| {
            keep.borrow_mut().extend(records.iter().map(|record| {
                record
                    .unchecked_into::<web_sys::MutationRecord>()
                    .attribute_name()
                    .unwrap_or_default()
            }));
        },
    );
    let observer = web_sys::MutationObserver::new(callback.as_ref().unchecked_ref()).unwrap();
    let options = web_sys::MutationObserverInit::new();
    options.set_attributes(true);
    observer.observe_with_options(&p, &options).unwrap();
    count.set(1);
    until("the view is drawn again", || !changed.borrow().is_empty()).await;
    // Anything else the redraw wrote has been delivered by now, in the same callback or the next.
    convo_client::platform::sleep(Duration::from_millis(50)).await;
    observer.disconnect();
    let changed = changed.borrow().clone();
    assert_eq!(changed, ["title"], "attributes written when the view was drawn again");
    assert_eq!(p.class_name(), "convo-fixed");
    assert_eq!(p.get_attribute("data-kept").as_deref(), Some("same"));
    container.remove();
}

/// In the browser, JSON text writes floats as JavaScript writes numbers
/// (`convo_wire::json::text`): the text reads back to the very same double (read exactly, by
/// the browser's `parseFloat`), and still as a float, as serde_json's text would (`1.0`, not
/// `1`; `-0.0` keeps its sign).
#[wasm_bindgen_test]
fn test_floats_in_json_text_read_back_to_the_same_value() {
    use convo_wire::json;
    use serde_json::Value;

    let special =
        [0.0, -0.0, 1.0, -1.0, 0.1, 100.0, 1e16, 1e21, 1e-7, 123_456_789.125, 5e-324, f64::MAX];
    let mut state = 0x5eed_u64;
    let random = std::iter::from_fn(move || {
        // xorshift: bit patterns of every exponent and sign.
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        Some(f64::from_bits(state))
    });
    for x in special.into_iter().chain(random.filter(|x| x.is_finite()).take(5_000)) {
        let text = json::text(&Value::from(x));
        let back = js_sys::parse_float(&text);
        assert_eq!(back.to_bits(), x.to_bits(), "{x:e} written as {text}");
        let read = json::parse(text.as_bytes()).unwrap();
        assert!(read.is_f64(), "{x:e} written as {text} reads back as {read}");
        assert!(serde_json::from_str::<Value>(&text).unwrap().is_f64(), "{text}");
    }
    assert_eq!(json::text(&Value::from(1.0)), "1.0");
    assert_eq!(json::text(&Value::from(-0.0)), "-0.0");
    assert_eq!(json::text(&serde_json::json!([0.5, 2])), "[0.5,2]");
}
