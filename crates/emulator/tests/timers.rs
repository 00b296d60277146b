//! Conversation timers end to end: Twilio's minimums refuse short timers, and the idle hook
//! (`POST /_testing/idle`, or `AppState::idle` with the `testing` feature) moves a
//! conversation's last activity back so its minutes-long timers fire before it answers.
//! Loopback only; every wait is bounded.

#[cfg(feature = "testing")]
use std::time::Duration;

use convo_emulator::{Emulator, EmulatorConfig};
use serde_json::Value;

const REST_AUTH: (&str, &str) = ("AC00000000000000000000000000000000", "convo-dev-auth-token");

async fn start(testing_endpoints: bool) -> Emulator {
    let config = EmulatorConfig { testing_endpoints, ..EmulatorConfig::default() };
    Emulator::spawn(config, ([127, 0, 0, 1], 0).into()).await.unwrap()
}

async fn rest(emulator: &Emulator, path: &str, form: &[(&str, &str)]) -> (u16, Value) {
    let client = reqwest::Client::new();
    let url = format!("{}/v1/{path}", emulator.url());
    let request = if form.is_empty() { client.get(url) } else { client.post(url).form(form) };
    let response = request.basic_auth(REST_AUTH.0, Some(REST_AUTH.1)).send().await.unwrap();
    let status = response.status().as_u16();
    (status, response.json().await.unwrap_or(Value::Null))
}

async fn hook(emulator: &Emulator, query: &str) -> u16 {
    let url = format!("{}/_testing/idle?{query}", emulator.url());
    reqwest::Client::new().post(url).send().await.unwrap().status().as_u16()
}

async fn state_of(emulator: &Emulator, sid: &str) -> String {
    let (_, c) = rest(emulator, &format!("Conversations/{sid}"), &[]).await;
    c["state"].as_str().unwrap_or_default().to_owned()
}

#[tokio::test]
async fn test_timers_under_twilios_minimums_are_refused_with_its_codes() {
    let emulator = start(false).await;
    for (form, code) in [
        (&[("State", "active"), ("Timers.Inactive", "PT30S")][..], 50375),
        (&[("State", "active"), ("Timers.Inactive", "PT0S")][..], 50375),
        (&[("State", "active"), ("Timers.Closed", "PT5M")][..], 50376),
        (&[("State", "active"), ("Timers.Inactive", "soon")][..], 50379),
        (&[("State", "active"), ("Timers.Closed", "soon")][..], 50380),
        (&[("Timers.Inactive", "PT1M")][..], 50382),
    ] {
        let (status, body) = rest(&emulator, "Conversations", form).await;
        assert_eq!((status, body["code"].as_u64()), (400, Some(code)), "{form:?}: {body}");
    }
    let (_, list) = rest(&emulator, "Conversations", &[]).await;
    assert_eq!(
        list["conversations"].as_array().unwrap().len(),
        0,
        "a refused create stores nothing"
    );
    let (status, body) = rest(&emulator, "Configuration", &[("DefaultClosedTimer", "PT9M")]).await;
    assert_eq!((status, body["code"].as_u64()), (400, Some(50376)), "{body}");
    emulator.shutdown().await;
}

#[tokio::test]
async fn test_the_idle_hook_fires_minutes_long_timers_before_it_answers() {
    let emulator = start(true).await;
    let form = [("State", "active"), ("Timers.Inactive", "PT1M"), ("Timers.Closed", "PT10M")];
    let (status, c) = rest(&emulator, "Conversations", &form).await;
    assert_eq!(status, 201, "{c}");
    let sid = c["sid"].as_str().unwrap();
    // Each hook answers after what fell due has fired: no waiting for a tick, either way.
    for (seconds, then) in [(50, "active"), (10, "inactive"), (530, "inactive"), (10, "closed")] {
        assert_eq!(hook(&emulator, &format!("conversation={sid}&seconds={seconds}")).await, 204);
        assert_eq!(state_of(&emulator, sid).await, then, "after {seconds} s more");
    }

    assert_eq!(
        hook(&emulator, "conversation=CH00000000000000000000000000000000&seconds=1").await,
        404
    );
    for bad in ["seconds=0", "seconds=-5", "seconds=1.5", "seconds=soon", ""] {
        assert_eq!(hook(&emulator, &format!("conversation={sid}&{bad}")).await, 400, "{bad}");
    }
    assert_eq!(hook(&emulator, "seconds=60").await, 400, "no conversation");
    emulator.shutdown().await;

    // Without CONVO_EMULATOR_TESTING the hook does not exist.
    let emulator = start(false).await;
    assert_eq!(
        hook(&emulator, "conversation=CH00000000000000000000000000000000&seconds=1").await,
        404
    );
    emulator.shutdown().await;
}

#[cfg(feature = "testing")]
#[tokio::test]
async fn test_the_testing_features_idle_method_is_the_hook() {
    let emulator = start(false).await;
    let form = [("State", "active"), ("Timers.Closed", "PT10M"), ("UniqueName", "idle-method")];
    let (_, c) = rest(&emulator, "Conversations", &form).await;
    let sid = c["sid"].as_str().unwrap();
    assert!(!emulator.state().idle("CH00000000000000000000000000000000", Duration::from_secs(1)));
    assert!(emulator.state().idle("idle-method", Duration::from_secs(600)));
    assert_eq!(state_of(&emulator, sid).await, "closed");
    emulator.shutdown().await;
}
