//! One seeded run: a Rust client and the SDK send to one conversation while faults fire; then
//! every side must hold every message exactly once, in the order the server gave them.

use std::{
    sync::{
        atomic::{AtomicU64, Ordering},
        Arc,
    },
    time::{Duration, SystemTime, UNIX_EPOCH},
};

use convo_client::{
    platform::BoxFuture, Client, ClientConfig, ConversationHandle, Error, SendStatus, TimelineItem,
    Token, TokenProvider,
};
use convo_emulator::Emulator;
use convo_wire::{
    token::{self, Claims},
    Credentials,
};
use serde_json::json;

use crate::{
    judge::{judge, Outcome},
    peer::Peer,
    rest::{rest, rest_bodies},
    rng::Rng,
};

/// The SDK peer's identity (one long-lived client for all runs against one emulator).
pub(crate) const SDK_IDENTITY: &str = "soak-sdk";

#[derive(Debug, Clone)]
enum Fault {
    /// Close an identity's sockets without a twilsock `close`, as a network drop does.
    Drop(String),
    /// Close every connection, as a redeploy does.
    Redeploy,
    /// Hold the next replies back by these delays; later ones overtake earlier ones.
    Delay(String, Vec<u64>),
    /// Apply the next command but never reply (the client must retry without duplicating).
    LoseReply(String),
    /// End the session as an expired token does (close 410, 20104).
    Expire(String),
}

/// Mints a fresh token per fetch, as a host backend does; `ttl` of a few seconds makes tokens
/// really expire mid-run (the emulator closes with 410 and the client must fetch another).
struct Minting {
    identity: String,
    ttl: u64,
    fetches: AtomicU64,
}

impl TokenProvider for Minting {
    fn fetch(&self) -> BoxFuture<'_, Result<Token, Error>> {
        Box::pin(async move {
            self.fetches.fetch_add(1, Ordering::SeqCst);
            let c = Credentials::development();
            let now = SystemTime::now().duration_since(UNIX_EPOCH).unwrap_or_default().as_secs();
            let claims = Claims::chat(
                &c.account_sid,
                &c.api_key,
                &c.chat_service_sid,
                &self.identity,
                now,
                self.ttl,
            );
            let token = token::sign(&claims, &c.api_secret);
            Ok(Token {
                token,
                identity: Some(self.identity.clone()),
                expires_at: None,
                twilsock_url: None,
            })
        })
    }
}

pub(crate) async fn run(seed: u64, emulator: &Emulator, peer: &mut Peer) -> Outcome {
    let mut rng = Rng::new(seed);
    let mut outcome = Outcome::default();
    let rust_identity = format!("soak-rust-{seed}");
    let sid = match setup_conversation(emulator, &rust_identity).await {
        Ok(sid) => sid,
        Err(e) => return Outcome { error: Some(e), ..outcome },
    };

    let ttl = if rng.percent(25) { rng.range(2, 4) } else { 3600 };
    let tokens = Arc::new(Minting { identity: rust_identity.clone(), ttl, fetches: 0.into() });
    let mut config = ClientConfig::new(emulator.twilsock_url());
    config.backoff.min = Duration::from_millis(50);
    config.backoff.max = Duration::from_millis(400);
    // A lost reply is retried after this; the SDK's own is 30 s, too slow for a soak.
    config.request_timeout = Duration::from_millis(1500);
    let client = Client::connect(config, tokens);
    let conversation = client.conversation(&sid);

    let result = async {
        wait(Duration::from_secs(20), "the Rust client sees the conversation", || {
            conversation.info().get().is_some()
        })
        .await?;
        peer.call(json!({"cmd": "join", "sid": sid}), Duration::from_secs(30)).await?;

        let rust_bodies: Vec<String> =
            (0..rng.range(2, 12)).map(|i| format!("r{seed}-{i}")).collect();
        let sdk_bodies: Vec<String> =
            (0..rng.range(2, 12)).map(|i| format!("s{seed}-{i}")).collect();
        let rust_gaps: Vec<u64> = rust_bodies.iter().map(|_| rng.range(0, 80)).collect();
        let sdk_gaps: Vec<u64> = sdk_bodies.iter().map(|_| rng.range(0, 80)).collect();
        let faults = plan_faults(&mut rng, &rust_identity);
        if crate::peer::verbose() {
            eprintln!("  seed {seed}: token ttl {ttl}s, faults (wait ms, fault): {faults:?}");
        }
        outcome.faults = faults.len();
        outcome.sent = rust_bodies.len() + sdk_bodies.len();

        let sdk_send = peer
            .start(
                json!({"cmd": "send", "sid": sid, "bodies": sdk_bodies, "gaps": sdk_gaps}),
                Duration::from_secs(120),
            )
            .await;
        let rust_send = async {
            for (body, gap) in rust_bodies.iter().zip(&rust_gaps) {
                tokio::time::sleep(Duration::from_millis(*gap)).await;
                conversation.send_text(body, json!({})).await.map_err(|e| e.to_string())?;
            }
            Ok::<(), String>(())
        };
        let fire = async {
            for (at, fault) in &faults {
                tokio::time::sleep(Duration::from_millis(*at)).await;
                apply(emulator, fault);
            }
        };
        let (sdk_sent, rust_sent, ()) = tokio::join!(sdk_send, rust_send, fire);
        rust_sent?;
        outcome.sdk_rejections = sdk_sent?["rejections"].as_u64().unwrap_or_default();

        let expected = rust_bodies.len() + sdk_bodies.len();
        let server = || bodies_of(&emulator.state().messages(&sid));
        // Converged: the server holds everything, the Rust client has nothing pending and
        // shows what the server holds.
        let settled = wait(Duration::from_secs(60), "every side converges", || {
            let held = server();
            held.len() >= expected
                && pending(&conversation) == 0
                && confirmed(&conversation) == held
        })
        .await;
        // A late duplicate (a retried command applied twice) would land after convergence.
        tokio::time::sleep(Duration::from_millis(300)).await;
        let failed_sends = failed(&conversation);
        let server_view = server();
        let sdk_view: Vec<String> =
            match peer.call(json!({"cmd": "list", "sid": sid}), Duration::from_secs(60)).await {
                Ok(listed) => serde_json::from_value(listed["bodies"].clone()).unwrap_or_default(),
                Err(e) => return Err(format!("SDK getMessages: {e}")),
            };
        let rest_view = rest_bodies(emulator, &sid).await?;
        let rust_view = confirmed(&conversation);
        let views = [
            ("emulator state", &server_view),
            ("REST list", &rest_view),
            ("Rust timeline", &rust_view),
            ("SDK getMessages", &sdk_view),
        ];
        judge(&mut outcome, &rust_bodies, &sdk_bodies, &views);
        if !failed_sends.is_empty() {
            outcome.detail.push(format!("Rust sends marked failed: {failed_sends:?}"));
        }
        if let Err(e) = settled {
            if outcome.ok() {
                return Err(e);
            }
        }
        Ok(())
    }
    .await;
    if let Err(e) = result {
        outcome.error = Some(e);
    }
    let _ = peer.call(json!({"cmd": "leave", "sid": sid}), Duration::from_secs(10)).await;
    client.shutdown();
    // Later runs must not pay for this one's conversation (the SDK resyncs its list on
    // every reconnect).
    let _ = rest(emulator, reqwest::Method::DELETE, &format!("/v1/Conversations/{sid}"), &[]).await;
    outcome
}

/// 1 to 5 faults at random moments of the sending window, against either client or both.
fn plan_faults(rng: &mut Rng, rust: &str) -> Vec<(u64, Fault)> {
    let count = rng.range(1, 6);
    let mut at: Vec<u64> = (0..count).map(|_| rng.range(0, 900)).collect();
    at.sort_unstable();
    let mut previous = 0;
    at.into_iter()
        .map(|t| {
            let who = if rng.percent(50) { rust.to_owned() } else { SDK_IDENTITY.to_owned() };
            let fault = match rng.range(0, 9) {
                0..=1 => Fault::Drop(who),
                2 => Fault::Redeploy,
                3..=5 => {
                    // Now and then longer than the Rust client's request timeout: it retries
                    // (same mutation id) and the late reply answers nothing.
                    let longest = if rng.percent(20) { 2_500 } else { 400 };
                    let delays = (0..rng.range(2, 6)).map(|_| rng.range(0, longest)).collect();
                    Fault::Delay(who, delays)
                }
                // The SDK waits out its 30 s request timeout for a lost reply: only ours.
                6 => Fault::LoseReply(rust.to_owned()),
                _ => Fault::Expire(who),
            };
            let wait = t - previous;
            previous = t;
            (wait, fault)
        })
        .collect()
}

fn apply(emulator: &Emulator, fault: &Fault) {
    let state = emulator.state();
    match fault {
        Fault::Drop(who) => state.drop_connections(who),
        Fault::Redeploy => state.close_all_connections(),
        Fault::Delay(who, delays) => {
            for ms in delays {
                state.delay_replies(who, Some(Duration::from_millis(*ms)), 1);
            }
        }
        Fault::LoseReply(who) => state.delay_replies(who, None, 1),
        Fault::Expire(who) => state.close_with(who, 410, Some(20104)),
    }
}

async fn setup_conversation(emulator: &Emulator, rust_identity: &str) -> Result<String, String> {
    let created =
        rest(emulator, reqwest::Method::POST, "/v1/Conversations", &[("FriendlyName", "Soak")])
            .await?;
    let sid = created["sid"].as_str().ok_or("no conversation sid")?.to_owned();
    for identity in [rust_identity, SDK_IDENTITY] {
        let path = format!("/v1/Conversations/{sid}/Participants");
        rest(emulator, reqwest::Method::POST, &path, &[("Identity", identity)]).await?;
    }
    Ok(sid)
}

fn bodies_of(messages: &[(u64, String, Option<String>)]) -> Vec<String> {
    messages.iter().map(|(_, _, body)| body.clone().unwrap_or_default()).collect()
}

fn confirmed(conversation: &ConversationHandle) -> Vec<String> {
    let items = conversation.timeline().get();
    items
        .iter()
        .filter_map(|item| match item {
            TimelineItem::Remote(m) => Some(m.body.clone().unwrap_or_default()),
            TimelineItem::Pending(_) => None,
        })
        .collect()
}

fn pending(conversation: &ConversationHandle) -> usize {
    let items = conversation.timeline().get();
    // A failed message waits for the user's retry; the judge counts it as lost.
    items
        .iter()
        .filter(|i| {
            matches!(i, TimelineItem::Pending(p) if !matches!(p.status, SendStatus::Failed { .. }))
        })
        .count()
}

fn failed(conversation: &ConversationHandle) -> Vec<String> {
    let items = conversation.timeline().get();
    items
        .iter()
        .filter_map(|item| match item {
            TimelineItem::Pending(p) if matches!(p.status, SendStatus::Failed { .. }) => {
                Some(p.body.clone().unwrap_or_default())
            }
            _ => None,
        })
        .collect()
}

/// Polls `done` every 50 ms for up to `limit`.
async fn wait(limit: Duration, what: &str, done: impl Fn() -> bool) -> Result<(), String> {
    let deadline = tokio::time::Instant::now() + limit;
    while !done() {
        if tokio::time::Instant::now() > deadline {
            return Err(format!("not within {limit:?}: {what}"));
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    Ok(())
}
