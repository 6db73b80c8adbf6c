//! Background work, run in every instance. Each job exposes `run_once` so tests drive it one step
//! at a time; `spawn_all` loops them on an interval in `payrail serve`.

pub mod cleanup;

use crate::orchestration::Orchestrator;
use std::time::Duration;
use tokio::task::JoinHandle;

/// Starts the periodic jobs; they stop when the returned handles are aborted.
pub fn spawn_all(orch: Orchestrator) -> Vec<JoinHandle<()>> {
    vec![tokio::spawn(async move {
        let mut tick = tokio::time::interval(Duration::from_secs(60));
        loop {
            tick.tick().await;
            if let Err(err) = cleanup::run_once(&orch).await {
                tracing::warn!(error = %err, "clean-up run failed; will retry");
            }
        }
    })]
}
