//! Browser runtime services: the event loop, `setTimeout`, `Date.now`, `Math.random`, `fetch`.

use std::{future::Future, pin::Pin, time::Duration};

use futures_channel::mpsc;
use wasm_bindgen::{closure::Closure, JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;

use super::{CredentialsMode, HttpResponse};
use crate::Error;

/// A boxed future; not `Send` in the browser, where everything lives on one thread.
pub type BoxFuture<'a, T> = Pin<Box<dyn Future<Output = T> + 'a>>;

/// `Send` natively, nothing in the browser.
pub trait MaybeSend {}
impl<T> MaybeSend for T {}

/// `Sync` natively, nothing in the browser.
pub trait MaybeSync {}
impl<T> MaybeSync for T {}

/// What a thrown JS value says: a string as it is, an `Error` (or `DOMException`) as its
/// `toString()`, `Name: message`. Not `{:?}`: `JsValue`'s Debug pulls Rust's formatting
/// machinery into the shipped wasm (issue 15).
pub(crate) fn js_text(e: &JsValue) -> String {
    e.as_string()
        .or_else(|| e.dyn_ref::<js_sys::Object>().map(|o| o.to_string().into()))
        .unwrap_or_else(|| "unknown error".to_owned())
}

/// Boxed, not generic: one instance of the executor's spawn for every task (issue 15).
pub(crate) fn spawn(future: BoxFuture<'static, ()>) {
    wasm_bindgen_futures::spawn_local(future);
}

/// Waits for `duration`.
pub async fn sleep(duration: Duration) {
    let millis = duration.as_millis().min(i32::MAX as u128) as i32;
    let promise = js_sys::Promise::new(&mut |resolve, _reject| {
        let global = js_sys::global();
        let set_timeout = js_sys::Reflect::get(&global, &JsValue::from_str("setTimeout"))
            .ok()
            .and_then(|f| f.dyn_into::<js_sys::Function>().ok());
        if let Some(set_timeout) = set_timeout {
            let _ = set_timeout.call2(&global, &resolve, &JsValue::from(millis));
        }
    });
    let _ = JsFuture::from(promise).await;
}

pub(crate) fn now_millis() -> u64 {
    js_sys::Date::now() as u64
}

/// Moments to reconnect at once instead of waiting out the backoff: the browser went back
/// `online`, or the page became visible again (after a laptop sleep, timers were frozen).
pub(crate) struct WakeSignals {
    pub(crate) events: mpsc::UnboundedReceiver<()>,
    listeners: Vec<Listener>,
}

/// An event listener to remove when the signals are dropped.
type Listener = (web_sys::EventTarget, &'static str, Closure<dyn FnMut(web_sys::Event)>);

impl WakeSignals {
    pub(crate) fn new() -> Self {
        let (sender, events) = mpsc::unbounded();
        let mut listeners = Vec::new();
        if let Some(window) = web_sys::window() {
            let document = window.document();
            let targets: [(Option<web_sys::EventTarget>, &'static str); 2] = [
                (Some(window.into()), "online"),
                (document.clone().map(Into::into), "visibilitychange"),
            ];
            for (target, event) in targets {
                let Some(target) = target else { continue };
                let sender = sender.clone();
                let document = document.clone();
                let listener =
                    Closure::<dyn FnMut(web_sys::Event)>::new(move |_event: web_sys::Event| {
                        let visible = document.as_ref().is_none_or(|d| {
                            d.visibility_state() == web_sys::VisibilityState::Visible
                        });
                        if event == "online" || visible {
                            let _ = sender.unbounded_send(());
                        }
                    });
                let _ = target
                    .add_event_listener_with_callback(event, listener.as_ref().unchecked_ref());
                listeners.push((target, event, listener));
            }
        }
        WakeSignals { events, listeners }
    }
}

impl Drop for WakeSignals {
    fn drop(&mut self) {
        for (target, event, listener) in &self.listeners {
            let _ = target
                .remove_event_listener_with_callback(event, listener.as_ref().unchecked_ref());
        }
    }
}

pub(crate) fn random_u64() -> u64 {
    // Two 32-bit draws: Math.random has 52 bits of precision at best.
    let draw = || (js_sys::Math::random() * 4_294_967_296.0) as u64;
    (draw() << 32) | draw()
}

pub(crate) async fn post_json(
    url: &str,
    headers: &[(String, String)],
    credentials: CredentialsMode,
    body: String,
) -> Result<HttpResponse, Error> {
    let js_error = |e: JsValue| Error::Network(js_text(&e));
    let init = web_sys::RequestInit::new();
    init.set_method("POST");
    init.set_mode(web_sys::RequestMode::Cors);
    init.set_credentials(match credentials {
        CredentialsMode::Omit => web_sys::RequestCredentials::Omit,
        CredentialsMode::SameOrigin => web_sys::RequestCredentials::SameOrigin,
        CredentialsMode::Include => web_sys::RequestCredentials::Include,
    });
    init.set_body(&JsValue::from_str(&body));
    let request = web_sys::Request::new_with_str_and_init(url, &init).map_err(js_error)?;
    request.headers().set("Content-Type", "application/json").map_err(js_error)?;
    for (name, value) in headers {
        request.headers().set(name, value).map_err(js_error)?;
    }
    let window = web_sys::window().ok_or_else(|| Error::Network("no window".to_owned()))?;
    let response: web_sys::Response = JsFuture::from(window.fetch_with_request(&request))
        .await
        .map_err(js_error)?
        .unchecked_into();
    let buffer =
        JsFuture::from(response.array_buffer().map_err(js_error)?).await.map_err(js_error)?;
    Ok(HttpResponse { status: response.status(), body: js_sys::Uint8Array::new(&buffer).to_vec() })
}

pub(crate) async fn upload(
    url: &str,
    headers: &[(String, String)],
    content_type: &str,
    bytes: Vec<u8>,
    progress: mpsc::UnboundedSender<(u64, u64)>,
    cancel: futures_channel::oneshot::Receiver<()>,
) -> Result<HttpResponse, Error> {
    use futures_util::future::{select, Either};

    let js_error = |e: JsValue| Error::Network(js_text(&e));
    let xhr = web_sys::XmlHttpRequest::new().map_err(js_error)?;
    xhr.open_with_async("POST", url, true).map_err(js_error)?;
    xhr.set_request_header("Content-Type", content_type).map_err(js_error)?;
    for (name, value) in headers {
        xhr.set_request_header(name, value).map_err(js_error)?;
    }
    xhr.set_response_type(web_sys::XmlHttpRequestResponseType::Arraybuffer);
    let on_progress =
        Closure::<dyn FnMut(web_sys::ProgressEvent)>::new(move |event: web_sys::ProgressEvent| {
            let _ = progress.unbounded_send((event.loaded() as u64, event.total() as u64));
        });
    xhr.upload().map_err(js_error)?.set_onprogress(Some(on_progress.as_ref().unchecked_ref()));
    let (done_tx, done) = futures_channel::oneshot::channel::<bool>();
    let done_tx = std::rc::Rc::new(std::cell::RefCell::new(Some(done_tx)));
    let finish = |ok: bool| {
        let done_tx = done_tx.clone();
        Closure::<dyn FnMut(web_sys::Event)>::new(move |_event: web_sys::Event| {
            if let Some(tx) = done_tx.borrow_mut().take() {
                let _ = tx.send(ok);
            }
        })
    };
    let (on_load, on_error) = (finish(true), finish(false));
    xhr.set_onload(Some(on_load.as_ref().unchecked_ref()));
    xhr.set_onerror(Some(on_error.as_ref().unchecked_ref()));
    xhr.set_onabort(Some(on_error.as_ref().unchecked_ref()));
    xhr.send_with_opt_u8_array(Some(&bytes)).map_err(js_error)?;
    let outcome = match select(done, cancel).await {
        Either::Left((Ok(true), _)) => Ok(()),
        Either::Left(_) => Err(Error::Network("the upload failed".to_owned())),
        Either::Right((Ok(()), _)) => {
            let _ = xhr.abort();
            Err(Error::Cancelled)
        }
        Either::Right((Err(_), done)) => match done.await {
            Ok(true) => Ok(()),
            _ => Err(Error::Network("the upload failed".to_owned())),
        },
    };
    xhr.upload().map_err(js_error)?.set_onprogress(None);
    xhr.set_onload(None);
    xhr.set_onerror(None);
    xhr.set_onabort(None);
    outcome?;
    let status = xhr.status().map_err(js_error)?;
    let body = xhr.response().map(|r| js_sys::Uint8Array::new(&r).to_vec()).unwrap_or_default();
    Ok(HttpResponse { status, body })
}

pub(crate) async fn get(url: &str, headers: &[(String, String)]) -> Result<HttpResponse, Error> {
    let js_error = |e: JsValue| Error::Network(js_text(&e));
    let init = web_sys::RequestInit::new();
    init.set_method("GET");
    init.set_mode(web_sys::RequestMode::Cors);
    let request = web_sys::Request::new_with_str_and_init(url, &init).map_err(js_error)?;
    for (name, value) in headers {
        request.headers().set(name, value).map_err(js_error)?;
    }
    let window = web_sys::window().ok_or_else(|| Error::Network("no window".to_owned()))?;
    let response: web_sys::Response = JsFuture::from(window.fetch_with_request(&request))
        .await
        .map_err(js_error)?
        .unchecked_into();
    let buffer =
        JsFuture::from(response.array_buffer().map_err(js_error)?).await.map_err(js_error)?;
    Ok(HttpResponse { status: response.status(), body: js_sys::Uint8Array::new(&buffer).to_vec() })
}
