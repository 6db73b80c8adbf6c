//! What the five simulators have in common: the `_sim/faults` machinery, the `_sim/stats`
//! counters, the `_sim/orders` oracle and the test-control handlers that work the same at every
//! gateway.
//!
//! These parts are not any gateway's contract but the simulators' own test interface (design §6),
//! so they are meant to behave identically everywhere; kept once, they cannot drift apart. What a
//! gateway does differently stays in its simulator and is passed in: the body of a faulted
//! `http_500`, how its answers are rendered, its accounts, how it finds and re-sends a webhook.
//!
//! Nothing here is shared with `crate::providers` (see the parent module).

pub mod controls;
pub mod faults;
pub mod oracle;
pub mod stats;
