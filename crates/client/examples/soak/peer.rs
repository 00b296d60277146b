//! The official SDK in Node (`tests/conformance/soak-peer.mjs`), driven over JSON lines.

use std::{
    collections::HashMap,
    path::PathBuf,
    process::Stdio,
    sync::{Arc, Mutex},
    time::Duration,
};

use futures_channel::oneshot;
use serde_json::{json, Value};
use tokio::{
    io::{AsyncBufReadExt, AsyncWriteExt, BufReader},
    process::{Child, ChildStdin, Command},
};

type Waiters = Arc<Mutex<HashMap<u64, oneshot::Sender<Result<Value, String>>>>>;

pub(crate) struct Peer {
    _child: Child,
    stdin: ChildStdin,
    waiters: Waiters,
    next_id: u64,
}

impl Peer {
    /// Starts the peer as `identity` and waits for its SDK client to initialise.
    pub(crate) async fn spawn(twilsock: &str, identity: &str) -> Result<Peer, String> {
        let script =
            PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../tests/conformance/soak-peer.mjs");
        let mut child = Command::new("node")
            .arg(script)
            .env("CONVO_PEER_TWILSOCK", twilsock)
            .env("CONVO_PEER_IDENTITY", identity)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .kill_on_drop(true)
            .spawn()
            .map_err(|e| format!("cannot run node (scripts/setup installs it): {e}"))?;
        let stdin = child.stdin.take().ok_or("no stdin")?;
        let mut lines = BufReader::new(child.stdout.take().ok_or("no stdout")?).lines();
        let waiters: Waiters = Arc::default();
        let (ready_tx, ready) = oneshot::channel();
        let dispatch = waiters.clone();
        tokio::spawn(async move {
            let mut ready_tx = Some(ready_tx);
            while let Ok(Some(line)) = lines.next_line().await {
                let Ok(event) = serde_json::from_str::<Value>(&line) else { continue };
                match event["event"].as_str() {
                    Some("ready") => {
                        if let Some(tx) = ready_tx.take() {
                            let _ = tx.send(Ok(()));
                        }
                    }
                    Some("error") => {
                        if let Some(tx) = ready_tx.take() {
                            let _ = tx.send(Err(event["message"].to_string()));
                        }
                    }
                    Some(kind @ ("done" | "failed")) => {
                        let id = event["id"].as_u64().unwrap_or_default();
                        let waiter = dispatch.lock().unwrap_or_else(|p| p.into_inner()).remove(&id);
                        if let Some(waiter) = waiter {
                            let outcome = if kind == "done" {
                                Ok(event)
                            } else {
                                Err(event["message"].to_string())
                            };
                            let _ = waiter.send(outcome);
                        }
                    }
                    _ if verbose() => eprintln!("  sdk: {line}"),
                    _ => {}
                }
            }
            // The process ended: fail whoever still waits.
            dispatch.lock().unwrap_or_else(|p| p.into_inner()).clear();
        });
        match tokio::time::timeout(Duration::from_secs(60), ready).await {
            Ok(Ok(Ok(()))) => Ok(Peer { _child: child, stdin, waiters, next_id: 0 }),
            Ok(Ok(Err(e))) => Err(format!("SDK peer failed to start: {e}")),
            _ => Err("SDK peer did not start within 60 s".to_owned()),
        }
    }

    /// Sends a command; the returned future resolves with its answer (bounded by `limit`).
    pub(crate) async fn start(
        &mut self,
        mut command: Value,
        limit: Duration,
    ) -> impl std::future::Future<Output = Result<Value, String>> {
        self.next_id += 1;
        let id = self.next_id;
        command["id"] = json!(id);
        let (tx, rx) = oneshot::channel();
        self.waiters.lock().unwrap_or_else(|p| p.into_inner()).insert(id, tx);
        let written = self.stdin.write_all(format!("{command}\n").as_bytes()).await;
        let what = command["cmd"].to_string();
        async move {
            written.map_err(|e| format!("SDK peer is gone: {e}"))?;
            match tokio::time::timeout(limit, rx).await {
                Ok(Ok(outcome)) => outcome,
                Ok(Err(_)) => Err(format!("SDK peer exited during {what}")),
                Err(_) => Err(format!("SDK peer did not finish {what} within {limit:?}")),
            }
        }
    }

    pub(crate) async fn call(&mut self, command: Value, limit: Duration) -> Result<Value, String> {
        self.start(command, limit).await.await
    }
}

/// `SOAK_VERBOSE=1`: print the SDK's state changes and each run's fault plan.
pub(crate) fn verbose() -> bool {
    std::env::var("SOAK_VERBOSE").is_ok_and(|v| v == "1")
}
