//! What every simulator has in common: the shell (state, mount point, scope, the list's entry),
//! the `_sim/faults` machinery, the `_sim/stats` counters, the `_sim/orders` oracle and the
//! test-control handlers that work the same at every gateway.
//!
//! These parts are not any gateway's contract but the simulators' own test interface
//! (docs/sandbox.md), so they are meant to behave identically everywhere; kept once, they cannot
//! drift apart. What a gateway does differently stays in its simulator and is passed in: the body
//! of a faulted `http_500`, how its answers are rendered, its accounts, how it finds and re-sends a
//! webhook.
//!
//! Nothing here is shared with `crate::providers` (see the parent module).

pub mod controls;
pub mod faults;
pub mod oracle;
pub mod page;
#[macro_use]
pub mod shell;
pub mod stats;
#[cfg(test)]
pub mod test_receiver;

/// Declares each simulator folder as a module and lists their descriptors in `SIMULATORS` (the
/// one list of simulators is this macro's call in `sim/mod.rs`; each folder exports
/// `SIMULATOR`, a [`shell::SimDescriptor`]).
macro_rules! simulators {
    ($($sim:ident),+ $(,)?) => {
        $(pub mod $sim;)+

        /// Every simulator, in a stable order (the same as the gateways').
        pub static SIMULATORS: &[&SimDescriptor] = &[$(&$sim::SIMULATOR),+];
    };
}
