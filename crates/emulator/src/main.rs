//! `convo-emulator --listen 127.0.0.1:PORT`: runs the emulator until Ctrl-C.

use std::net::SocketAddr;

use convo_emulator::{Emulator, EmulatorConfig};

const USAGE: &str = "usage: convo-emulator [--listen 127.0.0.1:PORT]   (PORT 0 picks a free port)";

#[tokio::main]
async fn main() {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env().unwrap_or_else(|_| "info".into()),
        )
        .with_writer(std::io::stderr)
        .init();

    let listen = match parse_listen(std::env::args().skip(1)) {
        Ok(addr) => addr,
        Err(message) => {
            eprintln!("{message}\n{USAGE}");
            std::process::exit(2);
        }
    };
    let config = EmulatorConfig::from_env().unwrap_or_else(|message| {
        eprintln!("convo-emulator: {message}");
        std::process::exit(2);
    });
    let emulator = match Emulator::spawn(config, listen).await {
        Ok(emulator) => emulator,
        Err(e) => {
            eprintln!("convo-emulator: cannot listen on {listen}: {e}");
            std::process::exit(1);
        }
    };
    // Scripts and tests wait for this exact line.
    println!("listening on {}", emulator.url());
    let _ = tokio::signal::ctrl_c().await;
    emulator.shutdown().await;
}

fn parse_listen(mut args: impl Iterator<Item = String>) -> Result<SocketAddr, String> {
    let mut listen: SocketAddr = ([127, 0, 0, 1], 0).into();
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--listen" => {
                let value = args.next().ok_or("--listen needs an address")?;
                listen = value.parse().map_err(|_| format!("not an address: {value}"))?;
            }
            "-h" | "--help" => return Err(String::new()),
            other => return Err(format!("unknown argument: {other}")),
        }
    }
    Ok(listen)
}
