//! Background work, run in every instance: timers and nothing else. Each job is one use case
//! that claims its work from the database (`Orchestrator::deliver_due`, `reconcile_due`,
//! `clean_up_expired`), so any number of instances share it without doing anything twice, and
//! tests drive the same calls one pass at a time. `spawn_all` loops them in `payrail serve`.

use crate::notify::address::AddressPolicy;
use crate::notify::client::DeliveryClient;
use crate::orchestration::Orchestrator;
use std::future::Future;
use std::time::Duration;
use tokio::task::JoinHandle;

/// The webhook delivery client as configured (address policy, timeout).
pub fn delivery_client(orch: &Orchestrator) -> DeliveryClient {
    let n = &orch.settings.notify;
    let policy = AddressPolicy::from_list(orch.settings.allow_private_hosts(), &n.allowed_hosts);
    DeliveryClient::new(policy, Duration::from_millis(n.timeout_ms))
}

fn every<F, Fut>(interval_ms: u64, name: &'static str, mut job: F) -> JoinHandle<()>
where
    F: FnMut() -> Fut + Send + 'static,
    Fut: Future<Output = anyhow::Result<()>> + Send,
{
    tokio::spawn(async move {
        let mut tick = tokio::time::interval(Duration::from_millis(interval_ms.max(10)));
        tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            tick.tick().await;
            if let Err(err) = job().await {
                tracing::warn!(worker = name, error = %err, "worker run failed; will retry");
            }
        }
    })
}

/// Starts the periodic jobs (unless disabled); they stop when the handles are aborted.
pub fn spawn_all(orch: Orchestrator) -> Vec<JoinHandle<()>> {
    let w = orch.settings.workers.clone();
    if !w.enabled {
        return vec![];
    }
    let client = delivery_client(&orch);
    let (o1, o2, o3) = (orch.clone(), orch.clone(), orch);
    vec![
        every(w.delivery_interval_ms, "delivery", move || {
            let (o, c) = (o1.clone(), client.clone());
            async move { o.deliver_due(&c).await.map(drop).map_err(Into::into) }
        }),
        every(w.reconcile_interval_ms, "reconciler", move || {
            let o = o2.clone();
            async move { o.reconcile_due().await.map(drop).map_err(Into::into) }
        }),
        every(w.cleanup_interval_ms, "cleanup", move || {
            let o = o3.clone();
            async move { o.clean_up_expired().await.map(drop).map_err(Into::into) }
        }),
    ]
}
