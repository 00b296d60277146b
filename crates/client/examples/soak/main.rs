//! `scripts/soak [runs]` / `scripts/soak --seed N`: randomized, seeded fault runs of two
//! clients — `convo-client` (in this process) and the official `@twilio/conversations` SDK (in
//! Node) — through the real emulator on 127.0.0.1:0 with its fault hooks. Each run both send a
//! seeded number of messages to one conversation while sockets drop, replies are delayed,
//! reordered or lost, every connection closes as a redeploy does and tokens expire mid-send;
//! then every message must be on every side (emulator state, REST list, the Rust timeline, the
//! SDK's getMessages) exactly once, in order. A failing seed is printed with its replay command.
//!
//!   cargo run -p convo-client --example soak -- [--runs N] [--from SEED] [--seed SEED]

// Native only (it runs the emulator in process); `clippy --target wasm32 --all-targets` builds
// it to nothing.
#![cfg_attr(target_arch = "wasm32", no_main)]
#![cfg(not(target_arch = "wasm32"))]

mod judge;
mod peer;
mod rest;
mod rng;
mod run;

use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use convo_emulator::{Emulator, EmulatorConfig};

const USAGE: &str = "usage: soak [--runs N] [--from SEED] | soak --seed SEED";

struct Args {
    first: u64,
    runs: u64,
}

fn parse(mut args: impl Iterator<Item = String>) -> Result<Args, String> {
    let mut runs = 20;
    let mut first = None;
    let mut replay = None;
    while let Some(arg) = args.next() {
        let mut value = |name: &str| {
            args.next()
                .and_then(|v| v.parse::<u64>().ok())
                .ok_or_else(|| format!("{name} needs a number"))
        };
        match arg.as_str() {
            "--runs" => runs = value("--runs")?,
            "--from" => first = Some(value("--from")?),
            "--seed" => replay = Some(value("--seed")?),
            other => return Err(format!("unknown argument {other}")),
        }
    }
    Ok(match replay {
        Some(seed) => Args { first: seed, runs: 1 },
        // Random unless given, so repeated soaks cover new plans; printed, so any is replayable.
        None => Args {
            first: first.unwrap_or_else(|| {
                SystemTime::now().duration_since(UNIX_EPOCH).unwrap_or_default().as_micros() as u64
                    % 1_000_000_000
            }),
            runs,
        },
    })
}

/// The emulator and the SDK peer, shared by runs until one fails (then both start afresh).
struct Stage {
    emulator: Emulator,
    peer: peer::Peer,
}

impl Stage {
    async fn start() -> Result<Stage, String> {
        let config = EmulatorConfig {
            // Tokens expire with a close 410 at their `exp`, with no warning first: a client
            // with a seconds-long token really loses its session mid-send.
            token_warning: Duration::ZERO,
            ..EmulatorConfig::default()
        };
        let emulator = Emulator::spawn(config, ([127, 0, 0, 1], 0).into())
            .await
            .map_err(|e| format!("emulator: {e}"))?;
        let peer = peer::Peer::spawn(&emulator.twilsock_url(), run::SDK_IDENTITY).await?;
        Ok(Stage { emulator, peer })
    }

    async fn stop(self) {
        drop(self.peer);
        self.emulator.shutdown().await;
    }
}

#[tokio::main]
async fn main() {
    let args = match parse(std::env::args().skip(1)) {
        Ok(args) => args,
        Err(e) => {
            eprintln!("{e}\n{USAGE}");
            std::process::exit(2);
        }
    };
    println!("soak: {} run(s), seeds {}..{}", args.runs, args.first, args.first + args.runs);
    let started = Instant::now();
    let (mut sent, mut lost, mut duplicated, mut misordered, mut faults, mut rejections) =
        (0, 0, 0, 0, 0, 0);
    let mut failing = Vec::new();
    let mut stage = None;
    for seed in args.first..args.first + args.runs {
        let current = match stage.take() {
            Some(current) => current,
            None => match Stage::start().await {
                Ok(current) => current,
                Err(e) => {
                    eprintln!("soak: cannot start: {e}");
                    std::process::exit(1);
                }
            },
        };
        let mut current = current;
        let t0 = Instant::now();
        let outcome = run::run(seed, &current.emulator, &mut current.peer).await;
        sent += outcome.sent;
        lost += outcome.lost;
        duplicated += outcome.duplicated;
        misordered += outcome.misordered;
        faults += outcome.faults;
        rejections += outcome.sdk_rejections;
        if outcome.ok() {
            stage = Some(current);
        } else {
            println!(
                "FAILED seed {seed} ({} sent, {} lost, {} duplicated, {} sides misordered){}",
                outcome.sent,
                outcome.lost,
                outcome.duplicated,
                outcome.misordered,
                outcome.error.as_deref().map(|e| format!(": {e}")).unwrap_or_default()
            );
            for line in outcome.detail.iter().take(20) {
                println!("    {line}");
            }
            println!("    replay: scripts/soak --seed {seed}");
            failing.push(seed);
            current.stop().await;
        }
        let done = seed - args.first + 1;
        if done % 50 == 0 || args.runs <= 20 {
            println!(
                "  run {done}/{} seed {seed}: {} sent, {} faults, {:.1}s",
                args.runs,
                outcome.sent,
                outcome.faults,
                t0.elapsed().as_secs_f64()
            );
        }
    }
    if let Some(stage) = stage {
        stage.stop().await;
    }
    println!(
        "soak: {} runs, {lost} lost, {duplicated} duplicated ({sent} messages, {faults} faults, \
         {misordered} sides out of order, {} failed runs, {rejections} SDK send rejections \
         checked and resent only if absent) in {:.0}s",
        args.runs,
        failing.len(),
        started.elapsed().as_secs_f64()
    );
    if !failing.is_empty() {
        println!("soak: failing seeds: {failing:?} (replay each with scripts/soak --seed N)");
        std::process::exit(1);
    }
}
