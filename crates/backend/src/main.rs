//! `convo-backend`: serves the host backend API; with no Twilio credentials in the environment
//! it starts the emulator in the same process and issues tokens for it.

use convo_backend::{Backend, BackendConfig, Mode};
use convo_emulator::{Emulator, EmulatorConfig};

#[tokio::main]
async fn main() {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env().unwrap_or_else(|_| "info".into()),
        )
        .with_writer(std::io::stderr)
        .init();

    let config = match BackendConfig::from_env() {
        Ok(config) => config,
        Err(e) => {
            eprintln!("convo-backend: {e}");
            std::process::exit(2);
        }
    };
    let emulator = match config.mode {
        Mode::Twilio => {
            println!(
                "using Twilio account {} (credentials from the environment)",
                config.credentials.account_sid
            );
            None
        }
        Mode::Emulator { listen } => {
            let emulator_config = EmulatorConfig {
                credentials: config.credentials.clone(),
                ..EmulatorConfig::default()
            };
            match Emulator::spawn(emulator_config, listen).await {
                Ok(emulator) => {
                    println!(
                        "no Twilio credentials in the environment: started the embedded emulator on {} (twilsock {})",
                        emulator.url(),
                        emulator.twilsock_url()
                    );
                    Some(emulator)
                }
                Err(e) => {
                    eprintln!("convo-backend: cannot start the embedded emulator on {listen}: {e}");
                    std::process::exit(1);
                }
            }
        }
    };

    let backend = match Backend::spawn(config.clone(), config.listen).await {
        Ok(backend) => backend,
        Err(e) => {
            eprintln!("convo-backend: cannot listen on {}: {e}", config.listen);
            std::process::exit(1);
        }
    };
    // Scripts and tests wait for this exact line.
    println!("listening on {}", backend.url());
    let _ = tokio::signal::ctrl_c().await;
    backend.shutdown().await;
    if let Some(emulator) = emulator {
        emulator.shutdown().await;
    }
}
