//! The emulator's REST API v1, as a site owner's server calls it (HTTP Basic auth).

use convo_emulator::Emulator;
use convo_wire::Credentials;
use serde_json::Value;

/// Every message body of the conversation through the REST API, following `next_page_url`.
pub(crate) async fn rest_bodies(emulator: &Emulator, sid: &str) -> Result<Vec<String>, String> {
    let mut bodies = Vec::new();
    let mut path = format!("/v1/Conversations/{sid}/Messages?PageSize=50");
    loop {
        let page = rest(emulator, reqwest::Method::GET, &path, &[]).await?;
        let messages = page["messages"].as_array().ok_or_else(|| format!("REST list: {page}"))?;
        bodies.extend(messages.iter().map(|m| m["body"].as_str().unwrap_or_default().to_owned()));
        match page["meta"]["next_page_url"].as_str() {
            Some(next) => path = next.trim_start_matches(&emulator.url()).to_owned(),
            None => return Ok(bodies),
        }
    }
}

pub(crate) async fn rest(
    emulator: &Emulator,
    method: reqwest::Method,
    path: &str,
    form: &[(&str, &str)],
) -> Result<Value, String> {
    let c = Credentials::development();
    let response = reqwest::Client::new()
        .request(method, format!("{}{path}", emulator.url()))
        .basic_auth(&c.account_sid, Some(&c.auth_token))
        .form(form)
        .send()
        .await
        .map_err(|e| format!("REST {path}: {e}"))?;
    Ok(response.json().await.unwrap_or(Value::Null))
}
