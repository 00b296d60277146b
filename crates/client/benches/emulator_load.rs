//! `scripts/bench emulator`: a native load generator against the release `convo-emulator`.
//!
//! The emulator runs as its own process (the `convo-emulator` binary beside this bench in the
//! release target directory), so its memory is measured alone and its runtime does not share
//! worker threads with the load. Each figure gets a fresh emulator:
//!
//! 1. connections held: N sessions open and held at once; time to open, emulator RSS;
//! 2. messages per second: pairs in their own conversations, each sender with one message in
//!    flight (as convo-client's outbox), for a fixed time; p50/p99 send → receiver delivery;
//! 3. fan-out: one message to 1,000 participants of one conversation; p50/p99 send → delivery
//!    across the receivers, the median of several such messages.
//!
//! Every session is a raw twilsock connection (tokio-tungstenite and convo-wire frames) that
//! does on the wire what convo-client does when it starts: `init`, the configuration, the
//! user's my-conversations map, user-info map and each joined conversation's document,
//! messages list and roster, then one Sync subscription batch. The emulator therefore holds
//! what it holds for a real client, while the generator stays light enough to share two cores
//! with it: 5,000 full clients would mostly measure the clients' own caches.
//!
//! Latency is measured on this process's monotonic clock: a message body carries its send time
//! in microseconds since the figure's start, and the receiving session reads it back.
//!
//! Targets are reported, never asserted. A broken run (a refused or dropped connection, a lost
//! delivery, the emulator exiting, the time limit) exits non-zero with the reason.

// Native only; scripts/test's wasm32 clippy of every target sees an empty bench.
#![cfg_attr(target_arch = "wasm32", no_main)]
#![cfg(not(target_arch = "wasm32"))]

use std::{
    collections::VecDeque,
    path::{Path, PathBuf},
    process::{ExitCode, Stdio},
    sync::{
        atomic::{AtomicUsize, Ordering},
        Arc,
    },
    time::{Duration, Instant, SystemTime, UNIX_EPOCH},
};

use convo_wire::{
    message::{HttpRequest, Init, Registration, Reply, Upstream, PRODUCT_IP_MESSAGING},
    token::{self, Claims},
    Credentials, Frame, Message,
};
use futures_util::{stream, SinkExt, StreamExt};
use serde_json::{json, Map, Value};
use tokio::{
    io::{AsyncBufReadExt, BufReader},
    net::TcpStream,
    process::{Child, ChildStdout, Command},
    sync::{mpsc, Semaphore},
    task::JoinSet,
};
use tokio_tungstenite::{
    tungstenite::{protocol::WebSocketConfig, Message as WsMessage},
    MaybeTlsStream, WebSocketStream,
};

/// Connections to hold (the target on 2 cores).
const CONNECTIONS: usize = 5_000;
/// The emulator's RSS budget while holding them.
const RSS_TARGET_MB: f64 = 1024.0;
/// Sessions starting at once: enough to keep both processes busy, few enough that the
/// listener's accept backlog never overflows.
const OPEN_CONCURRENCY: usize = 64;
/// How long the held connections stay open before RSS is read, so the emulator has handled
/// every ack and freed what start-up needed.
const SETTLE: Duration = Duration::from_secs(2);
/// Sender/receiver pairs for the throughput figure.
const PAIRS: usize = 50;
/// How long the pairs send.
const SEND_WINDOW: Duration = Duration::from_secs(10);
/// How long after the window deliveries of messages sent in it are still awaited.
const DELIVERY_GRACE: Duration = Duration::from_secs(5);
/// Participants receiving each fan-out message.
const FAN_OUT_RECEIVERS: usize = 1_000;
/// Fan-out messages, each sent once the previous one reached every receiver: repetitions of
/// the one-message measurement.
const FAN_OUT_ROUNDS: usize = 20;
const FAN_OUT_TARGET_P99_MS: f64 = 100.0;
/// Any single wait (a reply, a round of deliveries, the emulator starting).
const STEP_LIMIT: Duration = Duration::from_secs(30);
/// The whole run; the bench stops itself after this.
const TIME_LIMIT: Duration = Duration::from_secs(240);
/// Descriptors this process needs besides its sockets (the runtime, stdio, the emulator's pipes).
const SPARE_FDS: u64 = 200;

/// The generator's websocket read size: the bench's twilsock frames are a few KB at most
/// (larger ones would still arrive whole, over more reads).
const READ_BUFFER: usize = 4 * 1024;

/// Host labels inside the tunnel: the emulator routes by path, as Twilio's front door does.
const AIM: &str = "https://aim.us1.twilio.com";
const CDS: &str = "https://cds.us1.twilio.com";

type Result<T, E = String> = std::result::Result<T, E>;

fn main() -> ExitCode {
    let runtime = match tokio::runtime::Runtime::new() {
        Ok(runtime) => runtime,
        Err(e) => return failed(&format!("cannot start the tokio runtime: {e}")),
    };
    match runtime.block_on(async { tokio::time::timeout(TIME_LIMIT, run()).await }) {
        Ok(Ok(())) => ExitCode::SUCCESS,
        Ok(Err(e)) => failed(&e),
        Err(_) => failed(&format!("not done within {TIME_LIMIT:?}; stopped")),
    }
    // Dropping the runtime drops every `Emulator`, whose child is killed on drop.
}

fn failed(reason: &str) -> ExitCode {
    eprintln!("emulator bench FAILED: {reason}");
    ExitCode::FAILURE
}

async fn run() -> Result<()> {
    let binary = emulator_binary()?;
    let fds = raise_fd_limit();
    let connections = CONNECTIONS.min(fds.soft.saturating_sub(SPARE_FDS) as usize);
    println!(
        "emulator bench: {} ({} cores, load average {}), open-file limit {}{}",
        binary.display(),
        std::thread::available_parallelism().map_or(0, |n| n.get()),
        load_average(),
        fds.soft,
        fds.problem.as_deref().map(|p| format!(" ({p})")).unwrap_or_default(),
    );

    let mut figures = connections_held(&binary, connections, &fds).await?;
    figures.extend(messages_per_second(&binary).await?);
    figures.extend(fan_out(&binary).await?);
    print_report(&figures);
    Ok(())
}

// --- figure 1: connections held --------------------------------------------------------------

async fn connections_held(binary: &Path, n: usize, fds: &FdLimit) -> Result<Vec<Figure>> {
    let mut emulator = Emulator::start(binary).await?;
    let idle_kb = emulator.memory_kb("VmRSS")?;
    let url = emulator.twilsock_url();
    let lost = Arc::new(AtomicUsize::new(0));
    let permits = Arc::new(Semaphore::new(OPEN_CONCURRENCY));
    let (ready_tx, mut ready) = mpsc::unbounded_channel();
    let mut holders = JoinSet::new();
    let started = Instant::now();
    for i in 0..n {
        let permit = permits.clone().acquire_owned().await.map_err(|e| e.to_string())?;
        let (url, ready_tx, lost) = (url.clone(), ready_tx.clone(), lost.clone());
        holders.spawn(async move {
            let client = within(ClientSession::start(&url, &format!("held-{i:05}"))).await;
            drop(permit);
            match client {
                Ok(Ok(mut client)) => {
                    let _ = ready_tx.send(Ok(()));
                    let reason = client.session.drain().await;
                    if lost.fetch_add(1, Ordering::Relaxed) == 0 {
                        eprintln!("held connection {i} lost: {reason}");
                    }
                }
                Ok(Err(e)) | Err(e) => {
                    let _ = ready_tx.send(Err(format!("connection {i}: {e}")));
                }
            }
        });
    }
    for opened in 0..n {
        match within(ready.recv()).await? {
            Some(Ok(())) => {}
            Some(Err(e)) => return Err(emulator.explain(format!("{e} ({opened} were open)"))),
            None => return Err("the connection tasks ended early".to_owned()),
        }
    }
    let open_time = started.elapsed();
    tokio::time::sleep(SETTLE).await;
    emulator.alive()?;
    let held = n - lost.load(Ordering::Relaxed);
    let held_kb = emulator.memory_kb("VmRSS")?;
    let peak_kb = emulator.memory_kb("VmHWM")?;
    holders.shutdown().await;
    emulator.stop().await;

    let mb = |kb: u64| kb as f64 / 1024.0;
    let per_connection_kb = held_kb.saturating_sub(idle_kb) as f64 / held.max(1) as f64;
    let capped = if n < CONNECTIONS {
        format!("; capped at {n} by the open-file limit {}", fds.soft)
    } else {
        String::new()
    };
    let each = "init, configuration, 3 Sync reads, 2 maps subscribed";
    let rss = format!(
        "the emulator process alone (VmRSS) holding {held}; idle {:.1} MB, peak {:.1} MB",
        mb(idle_kb),
        mb(peak_kb)
    );
    Ok(vec![
        Figure::new("connections_held", held as f64, "conn", Target::AtLeast(CONNECTIONS as f64))
            .note(format!("{n} opened, held {SETTLE:?}; each: {each}{capped}")),
        Figure::new("connections_open_time", open_time.as_secs_f64(), "s", Target::None)
            .note(format!("{OPEN_CONCURRENCY} starting at once")),
        Figure::new("emulator_rss", mb(held_kb), "MB", Target::AtMost(RSS_TARGET_MB)).note(rss),
        Figure::new("emulator_rss_per_connection", per_connection_kb, "KB", Target::None)
            .note("(RSS holding - RSS idle) / held".to_owned()),
    ])
}

// --- figure 2: messages per second -------------------------------------------------------------

async fn messages_per_second(binary: &Path) -> Result<Vec<Figure>> {
    let mut emulator = Emulator::start(binary).await?;
    let rest = Rest::new(&emulator);
    let mut conversations = Vec::with_capacity(PAIRS);
    for p in 0..PAIRS {
        let identities = [format!("pair-{p:02}-a"), format!("pair-{p:02}-b")];
        conversations.push((rest.conversation(&identities).await?, identities));
    }
    let url = emulator.twilsock_url();
    let clock = Instant::now();
    let (samples_tx, mut samples) = mpsc::unbounded_channel();
    let mut receivers = JoinSet::new();
    let mut senders = Vec::with_capacity(PAIRS);
    for (sid, [sender, receiver]) in &conversations {
        let client = emulator.within(ClientSession::start(&url, receiver)).await?;
        receivers.spawn(receive(client.session, clock, samples_tx.clone()));
        senders.push((emulator.within(ClientSession::start(&url, sender)).await?, sid.clone()));
    }

    let window_end = clock.elapsed() + SEND_WINDOW;
    let sending =
        senders.into_iter().map(|(client, sid)| send_until(client, sid, clock, window_end));
    let sent: usize = futures_util::future::try_join_all(sending)
        .await
        .map_err(|e| emulator.explain(e))?
        .into_iter()
        .sum();
    let mut latencies = Vec::with_capacity(sent);
    while latencies.len() < sent {
        match tokio::time::timeout(DELIVERY_GRACE, samples.recv()).await {
            Ok(Some(sample)) => latencies.push(sample?),
            Ok(None) | Err(_) => break,
        }
    }
    emulator.alive()?;
    receivers.shutdown().await;
    emulator.stop().await;
    if latencies.len() < sent {
        return Err(format!("{sent} messages sent, only {} delivered", latencies.len()));
    }

    latencies.sort();
    let rate = sent as f64 / SEND_WINDOW.as_secs_f64();
    let setup = format!("{PAIRS} pairs, one message in flight per sender, {SEND_WINDOW:?}");
    Ok(vec![
        Figure::new("messages_per_second", rate, "msg/s", Target::None)
            .note(format!("{sent} sent and delivered; {setup}")),
        Figure::new("message_latency_p50", ms(percentile(&latencies, 50.0)), "ms", Target::None)
            .note("send -> the other participant's list_item_added".to_owned()),
        Figure::new("message_latency_p99", ms(percentile(&latencies, 99.0)), "ms", Target::None)
            .note(format!("max {:.1} ms", ms(*latencies.last().expect("sent > 0")))),
    ])
}

/// Sends messages one after another until `window_end` (on `clock`); returns how many.
async fn send_until(
    mut client: ClientSession,
    sid: String,
    clock: Instant,
    window_end: Duration,
) -> Result<usize> {
    let mut sent = 0;
    while clock.elapsed() < window_end {
        within(client.send_message(&sid, clock)).await??;
        sent += 1;
    }
    Ok(sent)
}

/// Reports the latency of every bench message the session receives, until aborted.
async fn receive(
    mut session: Session,
    clock: Instant,
    samples: mpsc::UnboundedSender<Result<Duration>>,
) {
    loop {
        let sample = match session.notification().await {
            Ok(push) => match sent_at(&push) {
                Some(sent) => Ok(clock.elapsed().saturating_sub(sent)),
                None => continue,
            },
            Err(e) => Err(format!("a receiving session failed: {e}")),
        };
        let failed = sample.is_err();
        if samples.send(sample).is_err() || failed {
            return;
        }
    }
}

// --- figure 3: fan-out -------------------------------------------------------------------------

async fn fan_out(binary: &Path) -> Result<Vec<Figure>> {
    let mut emulator = Emulator::start(binary).await?;
    let rest = Rest::new(&emulator);
    let sender = "fanout-agent".to_owned();
    let identities: Vec<String> =
        (0..FAN_OUT_RECEIVERS).map(|i| format!("fanout-{i:04}")).collect();
    let everyone: Vec<String> = identities.iter().cloned().chain([sender.clone()]).collect();
    let sid = rest.conversation(&everyone).await?;

    let url = emulator.twilsock_url();
    let clock = Instant::now();
    let (samples_tx, mut samples) = mpsc::unbounded_channel();
    let mut receivers = JoinSet::new();
    let starts = stream::iter(&identities)
        .map(|identity| ClientSession::start(&url, identity))
        .buffer_unordered(OPEN_CONCURRENCY);
    let mut starts = std::pin::pin!(starts);
    while let Some(client) = within(starts.next()).await? {
        let client = client.map_err(|e| emulator.explain(e))?;
        receivers.spawn(receive(client.session, clock, samples_tx.clone()));
    }
    let mut client = emulator.within(ClientSession::start(&url, &sender)).await?;

    let mut rounds = Vec::with_capacity(FAN_OUT_ROUNDS);
    for round in 0..FAN_OUT_ROUNDS {
        emulator.within(client.send_message(&sid, clock)).await?;
        let mut latencies =
            one_round(&mut samples, round).await.map_err(|e| emulator.explain(e))?;
        latencies.sort();
        rounds.push(latencies);
    }
    emulator.alive()?;
    receivers.shutdown().await;
    emulator.stop().await;

    // The figure is per message: p50/p99 across the receivers of one message. The
    // rounds repeat that measurement and their median is reported, so one round starved of
    // CPU by whatever else runs on the machine does not decide it; the worst round and all
    // deliveries pooled are reported beside it.
    let per_round = |p: f64| {
        let mut values: Vec<Duration> = rounds.iter().map(|r| percentile(r, p)).collect();
        values.sort();
        values
    };
    let (p50s, p99s) = (per_round(50.0), per_round(99.0));
    let mut pooled = rounds.concat();
    pooled.sort();
    let setup = format!(
        "median of {FAN_OUT_ROUNDS} messages, each to {FAN_OUT_RECEIVERS} receivers \
         (send -> list_item_added)"
    );
    let spread = format!(
        "worst message p99 {:.1} ms; all deliveries pooled: p99 {:.1} ms, max {:.1} ms",
        ms(*p99s.last().expect("rounds > 0")),
        ms(percentile(&pooled, 99.0)),
        ms(*pooled.last().expect("rounds > 0")),
    );
    Ok(vec![
        Figure::new("fanout_latency_p50", ms(percentile(&p50s, 50.0)), "ms", Target::None)
            .note(setup),
        Figure::new(
            "fanout_latency_p99",
            ms(percentile(&p99s, 50.0)),
            "ms",
            Target::AtMost(FAN_OUT_TARGET_P99_MS),
        )
        .note(spread),
    ])
}

/// One fan-out message's latency at every receiver.
async fn one_round(
    samples: &mut mpsc::UnboundedReceiver<Result<Duration>>,
    round: usize,
) -> Result<Vec<Duration>> {
    let mut latencies = Vec::with_capacity(FAN_OUT_RECEIVERS);
    while latencies.len() < FAN_OUT_RECEIVERS {
        match tokio::time::timeout(STEP_LIMIT, samples.recv()).await {
            Ok(Some(sample)) => latencies.push(sample?),
            Ok(None) | Err(_) => {
                let got = latencies.len();
                return Err(format!(
                    "fan-out round {round}: {got} of {FAN_OUT_RECEIVERS} receivers got the message"
                ));
            }
        }
    }
    Ok(latencies)
}

// --- a client-like session ---------------------------------------------------------------------

/// A session after convo-client's start-up: configuration read, Sync objects subscribed.
struct ClientSession {
    session: Session,
    /// The configuration's `links.conversations` (the aim base of every conversation).
    conversations_link: String,
}

impl ClientSession {
    /// Opens a session for `identity` and does what convo-client does when it starts; returns
    /// once the emulator has confirmed every subscription.
    async fn start(url: &str, identity: &str) -> Result<Self> {
        let mut session = Session::open(url, &access_token(identity)).await?;
        let config = session.get(&format!("{AIM}/Client/v2/Configuration")).await?;
        let my_conversations = text(&config["sync_objects"]["my_conversations"])?;
        let my_user_info = text(&config["sync_objects"]["my_user_info"])?;
        let conversations_link = text(&config["links"]["conversations"])?;

        let map = session.get(&format!("{CDS}/v3/Maps/{my_conversations}")).await?;
        let items_url = text(&map["links"]["items"])?;
        let items =
            session.get(&format!("{items_url}?HideExpired=true&Order=asc&PageSize=101")).await?;
        let mut wanted = vec![(map, "map")];
        wanted.push((session.get(&format!("{CDS}/v3/Maps/{my_user_info}")).await?, "map"));
        for item in items["items"].as_array().into_iter().flatten() {
            let data = &item["data"];
            for (field, path, kind) in [
                ("channel", "Documents", "document"),
                ("messages", "Lists", "list"),
                ("roster", "Maps", "map"),
            ] {
                let sid = text(&data[field])?;
                wanted.push((session.get(&format!("{CDS}/v3/{path}/{sid}")).await?, kind));
            }
        }
        session.subscribe(&wanted).await?;
        Ok(ClientSession { session, conversations_link })
    }

    /// Sends one message stamped with its send time on `clock`; returns once it is applied.
    async fn send_message(&mut self, sid: &str, clock: Instant) -> Result<()> {
        let url = format!("{}/{sid}/Messages", self.conversations_link);
        let body =
            json!({ "attributes": "{}", "body": format!("bench {}", clock.elapsed().as_micros()) });
        self.session.command(&url, &body).await?;
        // The sender's own copy of each message arrives through Sync too; nothing reads it.
        self.session.backlog.clear();
        Ok(())
    }
}

/// A string the emulator must have sent.
fn text(value: &Value) -> Result<String> {
    value.as_str().map(str::to_owned).ok_or_else(|| format!("expected a string, got {value}"))
}

/// The send time stamped in a bench message, if `push` is one arriving in a messages list.
fn sent_at(push: &Push) -> Option<Duration> {
    if push.message_type != "com.twilio.rtd.cds.list" {
        return None;
    }
    let payload = push.json();
    if payload["event_type"] != "list_item_added" {
        return None;
    }
    let text = payload["event"]["item_data"]["text"].as_str()?;
    let micros = text.strip_prefix("bench ")?.parse().ok()?;
    Some(Duration::from_micros(micros))
}

fn access_token(identity: &str) -> String {
    let c = credentials();
    let now = SystemTime::now().duration_since(UNIX_EPOCH).map_or(0, |d| d.as_secs());
    token::sign(
        &Claims::chat(&c.account_sid, &c.api_key, &c.chat_service_sid, identity, now, 3600),
        &c.api_secret,
    )
}

/// The credentials the emulator child reads: the same environment, the same defaults.
fn credentials() -> Credentials {
    Credentials::from_lookup(|name| std::env::var(name).ok())
}

// --- a raw twilsock session --------------------------------------------------------------------

/// A server push: a twilsock `notification`.
struct Push {
    message_type: String,
    /// Parsed only by whoever needs it: most pushes a receiver gets are not messages.
    payload: Vec<u8>,
}

impl Push {
    fn json(&self) -> Value {
        serde_json::from_slice(&self.payload).unwrap_or(Value::Null)
    }
}

enum Incoming {
    Reply(Box<Reply>, Vec<u8>),
    Push(Push),
}

/// One twilsock connection, driven by one task: requests wait for their reply in line, and
/// notifications that arrive meanwhile are kept in order.
struct Session {
    ws: WebSocketStream<MaybeTlsStream<TcpStream>>,
    next_id: u64,
    backlog: VecDeque<Push>,
    next_correlation: u64,
}

impl Session {
    /// Connects and sends `init` as convo-client does.
    async fn open(url: &str, token: &str) -> Result<Self> {
        // The generator should cost the shared cores as little as it can: tungstenite's
        // default 128 KiB read buffer is zero-filled on every read (a memset per frame), and
        // Nagle's algorithm would hold back the acks.
        let config = WebSocketConfig::default().read_buffer_size(READ_BUFFER);
        let (ws, _) = tokio_tungstenite::connect_async_with_config(url, Some(config), true)
            .await
            .map_err(|e| format!("websocket connect to {url}: {e}"))?;
        let mut session = Session { ws, next_id: 0, backlog: VecDeque::new(), next_correlation: 0 };
        let id = session.new_id();
        let init = Init {
            id: id.clone(),
            token: token.to_owned(),
            continuation_token: None,
            metadata: json!({ "sdk": "convo-bench" }),
            registrations: vec![Registration::conversations()],
            tweaks: Value::Null,
            capabilities: vec!["client_update".to_owned()],
            extra: Map::new(),
        };
        session.send(Frame::new(Message::Init(init))).await?;
        let (reply, _) = session.reply(&id).await?;
        if !reply.status.is_success() {
            return Err(format!("init refused: {:?}", reply.status));
        }
        Ok(session)
    }

    fn new_id(&mut self) -> String {
        self.next_id += 1;
        format!("TM{:032x}", self.next_id)
    }

    async fn send(&mut self, frame: Frame) -> Result<()> {
        let bytes = frame.encode();
        self.ws.send(WsMessage::Binary(bytes.into())).await.map_err(|e| format!("send: {e}"))
    }

    async fn get(&mut self, url: &str) -> Result<Value> {
        self.call("GET", url, None, Map::new()).await
    }

    /// A command, with the idempotency key convo-client sends with each.
    async fn command(&mut self, url: &str, body: &Value) -> Result<Value> {
        let mut headers = Map::new();
        headers.insert("X-Twilio-Mutation-Id".to_owned(), self.new_id().into());
        self.call("POST", url, Some(body), headers).await
    }

    /// A tunnelled HTTP request; its JSON response, or an error for a non-2xx status.
    async fn call(
        &mut self,
        method: &str,
        url: &str,
        body: Option<&Value>,
        headers: Map<String, Value>,
    ) -> Result<Value> {
        let (host, path, params) = split_url(url)?;
        let id = self.new_id();
        let upstream = Upstream {
            id: id.clone(),
            active_grant: PRODUCT_IP_MESSAGING.to_owned(),
            payload_type: "application/json".to_owned(),
            http_request: HttpRequest { host, path, method: method.to_owned(), params, headers },
            extra: Map::new(),
        };
        let mut frame = Frame::new(Message::Upstream(upstream));
        frame.payload = body.map(|b| b.to_string().into_bytes()).unwrap_or_default();
        self.send(frame).await?;
        let (reply, payload) = self.reply(&id).await?;
        let http = reply.http_status.as_ref().map_or(reply.status.code, |s| s.code);
        if !reply.status.is_success() || !(200..300).contains(&http) {
            let body = String::from_utf8_lossy(&payload);
            return Err(format!("{method} {url}: {http} {body}"));
        }
        serde_json::from_slice(&payload).map_err(|e| format!("{method} {url}: reply not JSON: {e}"))
    }

    /// One establish batch for `objects` (descriptors and Sync types), as convo-client sends
    /// it; waits for the emulator to confirm each one.
    async fn subscribe(&mut self, objects: &[(Value, &str)]) -> Result<()> {
        self.next_correlation += 1;
        let requests: Vec<Value> = objects
            .iter()
            .map(|(d, kind)| {
                let (sid, last_event_id) = (&d["sid"], &d["last_event_id"]);
                json!({ "object_sid": sid, "object_type": kind, "last_event_id": last_event_id })
            })
            .collect();
        let body = json!({
            "event_protocol_version": 4,
            "action": "establish",
            "correlation_id": self.next_correlation,
            "retried_requests": 0,
            "ttl_in_s": -1,
            "requests": requests,
        });
        self.call("POST", &format!("{CDS}/v4/Subscriptions"), Some(&body), Map::new()).await?;
        let mut established = 0;
        while established < objects.len() {
            let push = self.notification().await?;
            let payload = push.json();
            match payload["event_type"].as_str() {
                Some("subscription_established") => {
                    established += payload["events"].as_array().map_or(0, Vec::len)
                }
                Some("subscription_failed") => {
                    return Err(format!("subscription failed: {}", payload["events"]))
                }
                _ => {}
            }
        }
        Ok(())
    }

    /// The next notification, kept or new.
    async fn notification(&mut self) -> Result<Push> {
        if let Some(push) = self.backlog.pop_front() {
            return Ok(push);
        }
        loop {
            if let Incoming::Push(push) = self.incoming().await? {
                return Ok(push);
            }
        }
    }

    /// Reads until the reply to `id`, keeping notifications that come first.
    async fn reply(&mut self, id: &str) -> Result<(Reply, Vec<u8>)> {
        loop {
            match self.incoming().await? {
                Incoming::Reply(reply, payload) if reply.id == id => return Ok((*reply, payload)),
                Incoming::Reply(..) => {}
                Incoming::Push(push) => self.backlog.push_back(push),
            }
        }
    }

    /// Reads and acknowledges everything until the connection fails; returns why it did.
    async fn drain(&mut self) -> String {
        loop {
            if let Err(e) = self.incoming().await {
                return e;
            }
        }
    }

    /// The next reply or notification. Server messages are acked as the official client acks
    /// them; a twilsock `close` ends the session.
    async fn incoming(&mut self) -> Result<Incoming> {
        loop {
            let bytes = match self.ws.next().await {
                Some(Ok(WsMessage::Binary(bytes))) => bytes,
                // Websocket pings are answered by tungstenite itself.
                Some(Ok(WsMessage::Ping(_) | WsMessage::Pong(_))) => continue,
                Some(Ok(other)) => return Err(format!("the emulator sent {other:?}")),
                Some(Err(e)) => return Err(format!("websocket: {e}")),
                None => return Err("the emulator closed the connection".to_owned()),
            };
            let frame = Frame::decode(&bytes).map_err(|e| format!("undecodable frame: {e}"))?;
            match frame.message {
                Message::Reply(reply) => {
                    return Ok(Incoming::Reply(Box::new(reply), frame.payload))
                }
                Message::Notification(n) => {
                    self.ack(&n.id).await?;
                    let push = Push { message_type: n.message_type, payload: frame.payload };
                    return Ok(Incoming::Push(push));
                }
                Message::Close(close) => return Err(format!("twilsock close: {:?}", close.status)),
                other => {
                    if let Some(id) = other.id().map(str::to_owned) {
                        self.ack(&id).await?;
                    }
                }
            }
        }
    }

    async fn ack(&mut self, id: &str) -> Result<()> {
        self.send(Frame::new(Message::Reply(Reply::ack(id)))).await
    }
}

/// `host`, the still-encoded path and the raw query parameters of an absolute URL, as a
/// tunnelled request carries them. The bench's URLs never repeat a query key.
fn split_url(url: &str) -> Result<(String, String, Map<String, Value>)> {
    let rest = url
        .strip_prefix("https://")
        .or_else(|| url.strip_prefix("http://"))
        .ok_or_else(|| format!("not an absolute URL: {url}"))?;
    let (host, path_and_query) = rest.split_once('/').ok_or_else(|| format!("no path: {url}"))?;
    let (path, query) = path_and_query.split_once('?').unwrap_or((path_and_query, ""));
    let params = query
        .split('&')
        .filter(|pair| !pair.is_empty())
        .map(|pair| {
            let (key, value) = pair.split_once('=').unwrap_or((pair, ""));
            (key.to_owned(), Value::from(value))
        })
        .collect();
    Ok((host.to_owned(), format!("/{path}"), params))
}

// --- the emulator process ----------------------------------------------------------------------

/// A `convo-emulator` child on a free loopback port, killed when dropped.
struct Emulator {
    child: Child,
    pid: u32,
    url: String,
    /// Held open: the emulator must be able to write to its stdout for its whole life.
    _stdout: BufReader<ChildStdout>,
}

impl Emulator {
    async fn start(binary: &Path) -> Result<Self> {
        let mut child = Command::new(binary)
            .args(["--listen", "127.0.0.1:0"])
            // Warnings only: per-connection logging would be part of what is measured.
            .env("RUST_LOG", "warn")
            .env_remove("CONVO_EMULATOR_TESTING")
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .kill_on_drop(true)
            .spawn()
            .map_err(|e| format!("cannot start {}: {e}", binary.display()))?;
        let pid = child.id().ok_or("the emulator exited at once")?;
        let mut stdout = BufReader::new(child.stdout.take().ok_or("no emulator stdout")?);
        let mut line = String::new();
        within(stdout.read_line(&mut line)).await?.map_err(|e| e.to_string())?;
        let url = line
            .trim()
            .strip_prefix("listening on ")
            .ok_or_else(|| format!("the emulator did not start: {line:?}"))?
            .to_owned();
        Ok(Emulator { child, pid, url, _stdout: stdout })
    }

    fn twilsock_url(&self) -> String {
        format!("{}/v3/wsconnect", self.url.replacen("http://", "ws://", 1))
    }

    /// A memory field of the emulator's `/proc/PID/status` (`VmRSS`, `VmHWM`), in KB.
    fn memory_kb(&self, field: &str) -> Result<u64> {
        let status = std::fs::read_to_string(format!("/proc/{}/status", self.pid))
            .map_err(|e| format!("cannot read the emulator's /proc status: {e}"))?;
        status
            .lines()
            .find_map(|l| l.strip_prefix(field)?.strip_prefix(':'))
            .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
            .ok_or_else(|| format!("no {field} in the emulator's /proc status"))
    }

    /// Fails if the emulator process has exited.
    fn alive(&mut self) -> Result<()> {
        match self.child.try_wait() {
            Ok(None) => Ok(()),
            Ok(Some(status)) => Err(format!("the emulator exited: {status}")),
            Err(e) => Err(format!("cannot check the emulator: {e}")),
        }
    }

    /// `error`, with the emulator's exit status when that is the cause.
    fn explain(&mut self, error: String) -> String {
        match self.alive() {
            Ok(()) => error,
            Err(exit) => format!("{error}; {exit}"),
        }
    }

    /// Awaits one step of a figure within [`STEP_LIMIT`], failing with the emulator's exit
    /// status if it died.
    async fn within<T>(&mut self, step: impl std::future::Future<Output = Result<T>>) -> Result<T> {
        match within(step).await {
            Ok(Ok(value)) => Ok(value),
            Ok(Err(e)) | Err(e) => Err(self.explain(e)),
        }
    }

    async fn stop(mut self) {
        let _ = self.child.kill().await;
    }
}

/// `step`, or an error after [`STEP_LIMIT`].
async fn within<T>(step: impl std::future::Future<Output = T>) -> Result<T> {
    tokio::time::timeout(STEP_LIMIT, step)
        .await
        .map_err(|_| format!("a step took longer than {STEP_LIMIT:?}"))
}

/// The release `convo-emulator` beside this bench: the bench runs from `<target>/release/deps`.
fn emulator_binary() -> Result<PathBuf> {
    let exe = std::env::current_exe().map_err(|e| e.to_string())?;
    let binary = exe
        .parent()
        .and_then(Path::parent)
        .map(|release| release.join("convo-emulator"))
        .ok_or("cannot locate the target directory")?;
    if !binary.is_file() {
        return Err(format!(
            "{} is missing: run `cargo build --release -p convo-emulator` first \
             (scripts/bench emulator does)",
            binary.display()
        ));
    }
    Ok(binary)
}

/// REST API v1 calls, as a site owner's server makes them.
struct Rest {
    http: reqwest::Client,
    base: String,
    credentials: Credentials,
}

impl Rest {
    fn new(emulator: &Emulator) -> Self {
        Rest {
            http: reqwest::Client::new(),
            base: emulator.url.clone(),
            credentials: credentials(),
        }
    }

    async fn post(&self, path: &str, form: &[(&str, &str)]) -> Result<Value> {
        let response = self
            .http
            .post(format!("{}{path}", self.base))
            .basic_auth(&self.credentials.account_sid, Some(&self.credentials.auth_token))
            .form(form)
            .send()
            .await
            .map_err(|e| format!("POST {path}: {e}"))?;
        let status = response.status();
        let body: Value = response.json().await.map_err(|e| format!("POST {path}: {e}"))?;
        if !status.is_success() {
            return Err(format!("POST {path}: {status} {body}"));
        }
        Ok(body)
    }

    /// A conversation with these chat participants; its SID.
    async fn conversation(&self, identities: &[String]) -> Result<String> {
        let created = self.post("/v1/Conversations", &[("FriendlyName", "bench")]).await?;
        let sid = created["sid"].as_str().ok_or("no conversation sid")?.to_owned();
        let path = format!("/v1/Conversations/{sid}/Participants");
        let adds = stream::iter(identities)
            .map(|identity| async { self.post(&path, &[("Identity", identity)]).await })
            .buffer_unordered(16);
        let mut adds = std::pin::pin!(adds);
        while let Some(added) = adds.next().await {
            added?;
        }
        Ok(sid)
    }
}

// --- the machine -------------------------------------------------------------------------------

struct FdLimit {
    soft: u64,
    /// Why the limit could not be raised to the hard one, if it could not.
    problem: Option<String>,
}

/// Raises the soft open-file limit to the hard one: every held connection is one socket here
/// and one in the emulator, which inherits the limit.
#[allow(unsafe_code)]
fn raise_fd_limit() -> FdLimit {
    let mut limit = libc::rlimit { rlim_cur: 0, rlim_max: 0 };
    // SAFETY: getrlimit and setrlimit only access the struct they are given.
    if unsafe { libc::getrlimit(libc::RLIMIT_NOFILE, &mut limit) } != 0 {
        let problem = format!("getrlimit: {}", std::io::Error::last_os_error());
        return FdLimit { soft: 1024, problem: Some(problem) };
    }
    let raised = libc::rlimit { rlim_cur: limit.rlim_max, rlim_max: limit.rlim_max };
    // SAFETY: as above.
    if limit.rlim_cur < limit.rlim_max
        && unsafe { libc::setrlimit(libc::RLIMIT_NOFILE, &raised) } != 0
    {
        let problem = format!("could not raise it: {}", std::io::Error::last_os_error());
        return FdLimit { soft: limit.rlim_cur, problem: Some(problem) };
    }
    FdLimit { soft: limit.rlim_max, problem: None }
}

fn load_average() -> String {
    std::fs::read_to_string("/proc/loadavg")
        .map(|s| s.split_whitespace().take(3).collect::<Vec<_>>().join(" "))
        .unwrap_or_else(|_| "unknown".to_owned())
}

// --- figures and the report --------------------------------------------------------------------

#[derive(Debug, Clone, Copy)]
enum Target {
    None,
    AtLeast(f64),
    AtMost(f64),
}

struct Figure {
    name: &'static str,
    value: f64,
    unit: &'static str,
    target: Target,
    note: String,
}

impl Figure {
    fn new(name: &'static str, value: f64, unit: &'static str, target: Target) -> Self {
        Figure { name, value, unit, target, note: String::new() }
    }

    fn note(mut self, note: String) -> Self {
        self.note = note;
        self
    }

    fn meets(&self) -> Option<bool> {
        match self.target {
            Target::None => None,
            Target::AtLeast(t) => Some(self.value >= t),
            Target::AtMost(t) => Some(self.value <= t),
        }
    }

    fn target_text(&self) -> String {
        match self.target {
            Target::None => "-".to_owned(),
            Target::AtLeast(t) => format!(">= {t}"),
            Target::AtMost(t) => format!("<= {t}"),
        }
    }

    fn json(&self) -> Value {
        let (target, comparison) = match self.target {
            Target::None => (Value::Null, Value::Null),
            Target::AtLeast(t) => (t.into(), ">=".into()),
            Target::AtMost(t) => (t.into(), "<=".into()),
        };
        json!({
            "bench": "emulator",
            "figure": self.name,
            "value": (self.value * 100.0).round() / 100.0,
            "unit": self.unit,
            "target": target,
            "comparison": comparison,
            "meets": self.meets(),
            "note": self.note,
        })
    }
}

fn print_report(figures: &[Figure]) {
    println!();
    println!(
        "{:<30}{:>12}  {:<6}{:>10}  {:<5}  note",
        "figure", "value", "unit", "target", "meets"
    );
    for f in figures {
        let meets = match f.meets() {
            None => "-",
            Some(true) => "yes",
            Some(false) => "NO",
        };
        println!(
            "{:<30}{:>12.1}  {:<6}{:>10}  {:<5}  {}",
            f.name,
            f.value,
            f.unit,
            f.target_text(),
            meets,
            f.note
        );
    }
    println!(
        "(targets from the issue, '-' where it sets none; loopback, the generator and the emulator \
         sharing the machine; load average now {})",
        load_average()
    );
    for f in figures {
        println!("{}", f.json());
    }
}

/// Nearest-rank percentile of sorted samples.
fn percentile(sorted: &[Duration], p: f64) -> Duration {
    let rank = ((p / 100.0) * sorted.len() as f64).ceil() as usize;
    sorted[rank.clamp(1, sorted.len()) - 1]
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}
