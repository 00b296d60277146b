//! `convo-backend`: serves the host backend API; with no Twilio credentials in the environment
//! it starts the emulator in the same process and talks to it as it would to Twilio.

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

    let mut config = match BackendConfig::from_env() {
        Ok(config) => config,
        Err(e) => fail(2, &e.to_string()),
    };
    let emulator = match config.mode {
        Mode::Twilio => {
            println!(
                "using Twilio account {} at {} (twilsock {})",
                config.credentials.account_sid, config.api_url, config.twilsock_url
            );
            None
        }
        Mode::Emulator { listen } => {
            // The emulator reads the same TWILIO_* variables (and CONVO_EMULATOR_TESTING,
            // CONVO_EMULATOR_MEDIA_URL_TTL).
            let emulator_config = EmulatorConfig::from_env().unwrap_or_else(|e| fail(2, &e));

            let emulator = Emulator::spawn(emulator_config, listen).await.unwrap_or_else(|e| {
                fail(1, &format!("cannot start the embedded emulator on {listen}: {e}"))
            });
            println!(
                "no Twilio credentials in the environment: started the embedded emulator on {} (twilsock {})",
                emulator.url(),
                emulator.twilsock_url()
            );
            config.api_url = emulator.url();
            config.twilsock_url = emulator.twilsock_url();
            Some(emulator)
        }
    };

    let backend = Backend::spawn(config.clone(), config.listen)
        .await
        .unwrap_or_else(|e| fail(1, &e.to_string()));
    // Scripts and tests wait for this exact line.
    println!("listening on {}", backend.url());
    let _ = tokio::signal::ctrl_c().await;
    backend.shutdown().await;
    if let Some(emulator) = emulator {
        emulator.shutdown().await;
    }
}

fn fail(code: i32, message: &str) -> ! {
    eprintln!("convo-backend: {message}");
    std::process::exit(code);
}
