//! A seeded, deterministic gateway-chaos simulation (issue 14), in the spirit of FoundationDB's
//! simulator and TigerBeetle's VOPR.
//!
//! Each run draws, from its seed, a sequence of merchant actions (creates with and without
//! keys, retries, partial and full refunds, cancels, rechecks), customer actions (pay,
//! underpay and top up, fail, cancel, let expire, two tabs on the hosted page, returns with a
//! tampered query) and gateway behaviour (webhooks duplicated, reordered, delayed, dropped or
//! garbled by the proxy in front of Payrail; timeouts, 500s, garbled answers and refused
//! connections on the next API call; refunds made in the gateway's dashboard; reports about
//! another charge; money arriving after expiry), with reconciler ticks on the workers' clock,
//! over accounts ranked per seed (so hosted picks reach every gateway that can take them).
//! Ops work the payments a reversed refund put in review (`ops`), during the run and once more at
//! its end. After every step `payrail audit` must find nothing. At the end everything the
//! gateways would eventually tell is told, and every payment must agree with the simulators' own
//! records.
//!
//! `PAYRAIL_SIM_SEED=<seed>` replays one run exactly; `PAYRAIL_SIM_RUNS=<n>` runs n seeds from
//! `PAYRAIL_SIM_BASE` (default 1). A failure prints the seed, the store and the step list.

mod act;
mod customer;
mod gateways;
mod model;
mod ops;
mod oracle;
mod pick;
mod proxy;
mod regressions;
mod scenarios;
mod world;

use futures_util::FutureExt;
use rand::Rng;
use std::panic::AssertUnwindSafe;
use std::sync::{Arc, Mutex};
use world::{Ranking, Stage, World};

/// Seeds a plain `cargo test` runs on each store (CI runs these).
const DEFAULT_RUNS: u64 = 25;

fn env_u64(name: &str) -> Option<u64> {
    std::env::var(name).ok().and_then(|v| v.trim().parse().ok())
}

fn seeds() -> Vec<u64> {
    if let Some(seed) = env_u64("PAYRAIL_SIM_SEED") {
        return vec![seed];
    }
    let base = env_u64("PAYRAIL_SIM_BASE").unwrap_or(1);
    let runs = env_u64("PAYRAIL_SIM_RUNS").unwrap_or(DEFAULT_RUNS);
    (base..base + runs).collect()
}

/// What one run did.
struct Run {
    steps: usize,
    payments: usize,
    unsettled_refunds: i64,
    /// Per gateway: attempts, paid attempts, settled refunds.
    coverage: Vec<(String, [i64; 3])>,
}

/// `payrail audit` over the store, as its findings' lines.
async fn audit(world: &World<'_>) -> Vec<String> {
    let mut found = Vec::new();
    payrail::audit::run(
        world.auditor,
        &Default::default(),
        |f| found.push(f.to_string()),
        |_| {},
    )
    .await
    .unwrap();
    found
}

async fn run(stage: &Stage, seed: u64, log: Arc<Mutex<Vec<String>>>) -> Result<Run, String> {
    let mut world = World::new(stage, seed, Ranking::Seeded, log).await;
    let length = world.rng.gen_range(15..=40);
    for _ in 0..length {
        let step = world.next_step().await;
        step_and_audit(&mut world, step).await?;
    }
    finish(world).await
}

/// Runs a written-out step list (a regression found by a seed, kept as a test): each
/// `Step::Webhook` gives the fate of the next webhook the step before it made a gateway send.
pub async fn run_script(stage: &Stage, steps: Vec<model::Step>) -> Result<(), String> {
    let log = Arc::new(Mutex::new(Vec::new()));
    let mut world = World::new(stage, 0, Ranking::Connected, log.clone()).await;
    let fates = steps.iter().filter_map(|s| match s {
        model::Step::Webhook { fate, .. } => Some(*fate),
        _ => None,
    });
    world.script = Some(fates.collect());
    let outcome = async {
        for step in steps {
            if !matches!(step, model::Step::Webhook { .. }) {
                step_and_audit(&mut world, step).await?;
            }
        }
        finish(world).await.map(drop)
    }
    .await;
    outcome.map_err(|e| format!("{e}\nsteps:\n{}", log.lock().unwrap().join("\n")))
}

async fn step_and_audit(world: &mut World<'_>, step: model::Step) -> Result<(), String> {
    world.record(step.clone());
    world.act(&step).await;
    world.route_webhooks().await;
    let found = audit(world).await;
    if found.is_empty() {
        Ok(())
    } else {
        Err(format!("the audit found:\n  {}", found.join("\n  ")))
    }
}

/// Settles the world and compares it with the gateways.
async fn finish(mut world: World<'_>) -> Result<Run, String> {
    world.record(model::Step::Tick { minutes: 0 });
    world.settle().await;
    // Ops work what a reversed refund left in review, as they would the next morning.
    for p in world.reversal_reviews().await {
        world.record(model::Step::OpsReview { p });
        world.ops_review(p).await;
    }
    let found = audit(&world).await;
    if !found.is_empty() {
        return Err(format!(
            "after settling, the audit found:\n  {}",
            found.join("\n  ")
        ));
    }
    if std::env::var("PAYRAIL_SIM_VERBOSE").is_ok() {
        world.log_outcome().await;
    }
    let wrong = world.disagreements().await;
    if !wrong.is_empty() {
        return Err(format!(
            "Payrail disagrees with the gateways:\n  {}",
            wrong.join("\n  ")
        ));
    }
    Ok(Run {
        steps: world.steps.len(),
        payments: world.payments.len(),
        unsettled_refunds: world.unsettled_refunds().await,
        coverage: world.coverage().await,
    })
}

#[tokio::test]
async fn seeded_gateway_chaos_keeps_every_invariant_and_agrees_with_the_gateways() {
    let stage = Stage::start().await;
    let store = if crate::helpers::on_postgres() {
        "postgres"
    } else {
        "sqlite"
    };
    let (mut runs, mut steps, mut payments, mut unsettled) = (0, 0, 0, 0);
    let mut coverage = std::collections::BTreeMap::<String, [i64; 3]>::new();
    for seed in seeds() {
        let log = Arc::new(Mutex::new(Vec::new()));
        let outcome = AssertUnwindSafe(run(&stage, seed, log.clone()))
            .catch_unwind()
            .await;
        let failure = match outcome {
            Ok(Ok(r)) => {
                if std::env::var("PAYRAIL_SIM_VERBOSE").is_ok() {
                    println!("seed {seed}:\n{}", log.lock().unwrap().join("\n"));
                }
                runs += 1;
                if runs % 100 == 0 {
                    eprintln!("chaos on {store}: {runs} runs done (seed {seed})");
                }
                steps += r.steps;
                payments += r.payments;
                unsettled += r.unsettled_refunds;
                for (gw, counts) in r.coverage {
                    let sum = coverage.entry(gw).or_default();
                    (0..3).for_each(|i| sum[i] += counts[i]);
                }
                continue;
            }
            Ok(Err(why)) => why,
            Err(panic) => panic
                .downcast_ref::<String>()
                .cloned()
                .or_else(|| panic.downcast_ref::<&str>().map(|s| s.to_string()))
                .unwrap_or_else(|| "a panic".into()),
        };
        let list = log.lock().unwrap().join("\n");
        panic!(
            "chaos seed {seed} failed on {store}: {failure}\nsteps:\n{list}\n\
             replay: PAYRAIL_SIM_SEED={seed} cargo test --test api chaos -- --nocapture"
        );
    }
    println!(
        "chaos on {store}: {runs} runs, {steps} steps, {payments} payments, {unsettled} refunds left unsettled"
    );
    for (gw, [attempts, paid, refunds]) in coverage {
        println!("  {gw}: {attempts} attempts, {paid} paid, {refunds} refunds settled");
    }
}
