//! Browser runtime services: the event loop, `setTimeout`, `Date.now`, `Math.random`, `fetch`.

use std::{future::Future, pin::Pin, time::Duration};

use wasm_bindgen::{JsCast, JsValue};
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

pub(crate) fn spawn<F: Future<Output = ()> + 'static>(future: F) {
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
    let js_error = |e: JsValue| Error::Network(e.as_string().unwrap_or_else(|| format!("{e:?}")));
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
