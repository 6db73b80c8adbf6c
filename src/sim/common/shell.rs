//! The simulator shell: what every simulator is besides its gateway's contract.
//!
//! Each simulator used to carry its own copy of the same wiring: a struct holding its
//! configuration, the webhook client and a locked state; `lock`, `stats` and `reset`; a mount
//! point that knows the path it was reached at; the `_sim` control trait implemented the same way;
//! the actix scope under `{prefix}/{id}`; and a line in each of the five places of `sim/mod.rs`.
//! Here they are written once. A simulator brings its state, its configuration, its routes and
//! its built-in account, and states them in one [`simulator!`] call; the list in `sim/mod.rs`
//! does the rest.

use std::any::Any;
use std::sync::{Arc, Mutex, MutexGuard};

use actix_web::{web, HttpRequest};
use serde::Serialize;

use super::controls::SimControls;
use super::faults::{ArmedFault, Fault, SLOW_DELAY_MS};

/// What the shell needs from a simulator's state.
pub trait SimState: Default + Send + 'static {
    /// The `_sim/stats` answer.
    type Stats: Clone + Serialize;

    /// The default delay of a `slow` fault at this gateway.
    const SLOW_DELAY_MS: u64 = SLOW_DELAY_MS;

    fn stats(&self) -> &Self::Stats;

    /// The fault armed for the next API calls.
    fn fault(&mut self) -> &mut ArmedFault;

    /// Clears records, faults and stats (not accounts).
    fn reset(&mut self);
}

/// A simulator: its configuration, its state and the client that sends its webhooks.
pub struct Sim<C, S> {
    pub config: C,
    pub(crate) http: reqwest::Client,
    state: Mutex<S>,
}

impl<C: Default, S: SimState> Sim<C, S> {
    /// `http` sends the webhooks.
    pub fn new(http: reqwest::Client) -> Self {
        Self::with_config(http, C::default())
    }
}

impl<C, S: SimState> Sim<C, S> {
    pub fn with_config(http: reqwest::Client, config: C) -> Self {
        Sim {
            config,
            http,
            state: Mutex::new(S::default()),
        }
    }

    /// Locks the state; a poisoned lock is recovered (the state stays usable for tests).
    pub(crate) fn lock(&self) -> MutexGuard<'_, S> {
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// A copy of the call counters.
    pub fn stats(&self) -> S::Stats {
        self.lock().stats().clone()
    }

    /// Clears records, faults and stats (not accounts).
    pub fn reset(&self) {
        self.lock().reset();
    }
}

/// What one mount point knows: the simulator and the path it is mounted at.
pub(crate) struct Mount<T> {
    pub sim: Arc<T>,
    /// `{prefix}/{id}`.
    pub base: String,
}

impl<T> Mount<T> {
    /// Splits the request path into (mount path as actually reached, the gateway's real path).
    /// Uses the configured base, found anywhere in the path, so an outer scope does not break
    /// what is signed over the path.
    pub fn split_path<'a>(&self, req: &'a HttpRequest) -> (&'a str, &'a str) {
        let path = req.path();
        let marker = format!("{}/", self.base);
        match path.find(&marker) {
            Some(i) => path.split_at(i + self.base.len()),
            None => ("", path),
        }
    }

    /// `<scheme>://<host><mount>/checkout/<id>` for the incoming request (the mount as actually
    /// reached, so an outer scope still gives a working URL).
    pub fn checkout_url(&self, req: &HttpRequest, id: &str) -> String {
        let info = req.connection_info();
        let (mount, _) = self.split_path(req);
        let mount = if mount.is_empty() { &self.base } else { mount };
        format!("{}://{}{mount}/checkout/{id}", info.scheme(), info.host())
    }
}

impl<C: Send + Sync + 'static, S: SimState> SimControls for Mount<Sim<C, S>> {
    const SLOW_DELAY_MS: u64 = S::SLOW_DELAY_MS;

    type Stats = S::Stats;

    fn arm_fault(&self, fault: Option<Fault>) {
        self.sim.lock().fault().arm(fault);
    }

    fn stats(&self) -> S::Stats {
        self.sim.stats()
    }

    fn reset(&self) {
        self.sim.reset();
    }
}

/// Mounts `sim` at `{prefix}/{id}` with `routes`, each given the [`Mount`] as app data.
pub fn mount<T: Send + Sync + 'static>(
    cfg: &mut web::ServiceConfig,
    sim: &Arc<T>,
    prefix: &str,
    id: &str,
    routes: &[fn(&mut web::ServiceConfig)],
) {
    let base = format!("{}/{id}", prefix.trim_end_matches('/'));
    let data = web::Data::new(Mount {
        sim: Arc::clone(sim),
        base: base.clone(),
    });
    let scope = routes
        .iter()
        .fold(web::scope(&base).app_data(data), |scope, routes| {
            scope.configure(routes)
        });
    cfg.service(scope);
}

/// A running simulator, as the list of simulators holds it.
pub trait Simulator: Any + Send + Sync {
    /// Mounts the simulator at `{prefix}/{id}` (its folder's `configure`).
    fn mount_at(self: Arc<Self>, cfg: &mut web::ServiceConfig, prefix: &str);
}

/// One simulator, as its folder declares it.
pub struct SimDescriptor {
    /// The gateway's id, which is also the simulator's path segment (`{prefix}/{id}`).
    pub id: &'static str,
    /// Starts the simulator; `http` sends its webhooks.
    pub start: fn(reqwest::Client) -> Arc<dyn Simulator>,
    /// The built-in account, as the credential object Payrail stores for the gateway (the
    /// sandbox connects its demo merchant with it).
    pub default_credentials: fn() -> serde_json::Value,
    /// The gateway takes no return URL per payment, so the simulator's `_sim/accounts` takes the
    /// account's (`return_url`, beside the credentials): the sandbox gives it Payrail's.
    pub takes_account_return_url: bool,
    /// The gateway sends webhooks to one endpoint per account (set in its dashboard), not to a
    /// URL given per payment, so the simulator's `_sim/accounts` takes the account's
    /// (`webhook_url`, beside the credentials): the sandbox gives it Payrail's.
    pub takes_account_webhook_url: bool,
}

/// Declares a simulator folder's part of the shell from only what differs between gateways: its
/// id, its simulator type, its route groups (mounted in this order), whether `_sim/accounts`
/// takes the account's return URL and, optionally, the default delay of a `slow` fault. The
/// folder has, as every simulator does, a `state` module whose `State` (with `stats` and `fault`
/// fields and an inherent `reset`) and `Stats` the shell works on, and a `default_credentials`
/// function giving its built-in account. The macro writes the [`SimState`] impl of that state,
/// `Mount`, `configure`, the [`Simulator`] impl and `SIMULATOR`, the [`SimDescriptor`] that the
/// list in `sim/mod.rs` holds.
macro_rules! simulator {
    (
        id: $id:literal,
        sim: $sim:ty,
        routes: [$($routes:path),+ $(,)?],
        takes_account_return_url: $takes_return_url:literal,
        takes_account_webhook_url: $takes_webhook_url:literal
        $(, slow_delay_ms: $slow:expr)?
        $(,)?
    ) => {
        impl $crate::sim::common::shell::SimState for state::State {
            type Stats = state::Stats;

            $(const SLOW_DELAY_MS: u64 = $slow;)?

            fn stats(&self) -> &state::Stats {
                &self.stats
            }

            fn fault(&mut self) -> &mut $crate::sim::common::faults::ArmedFault {
                &mut self.fault
            }

            fn reset(&mut self) {
                state::State::reset(self);
            }
        }

        #[doc = concat!("What one mount point knows: the simulator and the path it is mounted at (`{prefix}/", $id, "`).")]
        pub(crate) type Mount = $crate::sim::common::shell::Mount<$sim>;

        #[doc = concat!("Mounts the simulator under `{prefix}/", $id, "`.")]
        pub fn configure(
            cfg: &mut actix_web::web::ServiceConfig,
            sim: &std::sync::Arc<$sim>,
            prefix: &str,
        ) {
            $crate::sim::common::shell::mount(cfg, sim, prefix, SIMULATOR.id, &[$($routes),+]);
        }

        impl $crate::sim::common::shell::Simulator for $sim {
            fn mount_at(
                self: std::sync::Arc<Self>,
                cfg: &mut actix_web::web::ServiceConfig,
                prefix: &str,
            ) {
                configure(cfg, &self, prefix);
            }
        }

        /// This simulator, as the list in `sim/mod.rs` holds it.
        pub static SIMULATOR: $crate::sim::common::shell::SimDescriptor =
            $crate::sim::common::shell::SimDescriptor {
                id: $id,
                start: |http| std::sync::Arc::new(<$sim>::new(http)),
                default_credentials,
                takes_account_return_url: $takes_return_url,
                takes_account_webhook_url: $takes_webhook_url,
            };
    };
}
