//! Logging set-up and the per-request scope (request id, time spent waiting on gateways).
//!
//! The scope is a task-local set by the request middleware, so the error envelope can carry the
//! request id and `Server-Timing` can split Payrail's time from the gateway's without threading
//! either through every call.

mod json_lines;

use std::cell::Cell;
use std::time::Duration;
use tracing_appender::non_blocking::{NonBlockingBuilder, WorkerGuard};
use tracing_subscriber::layer::SubscriberExt;
use tracing_subscriber::util::SubscriberInitExt;
use tracing_subscriber::{fmt, EnvFilter};

pub struct RequestScope {
    pub id: String,
    pub gateway_micros: Cell<u64>,
}

tokio::task_local! {
    pub static REQUEST: RequestScope;
}

pub fn current_request_id() -> Option<String> {
    REQUEST.try_with(|r| r.id.clone()).ok()
}

pub fn add_gateway_time(elapsed: Duration) {
    let _ = REQUEST.try_with(|r| {
        r.gateway_micros
            .set(r.gateway_micros.get() + u64::try_from(elapsed.as_micros()).unwrap_or(u64::MAX))
    });
}

/// JSON lines in production ([`json_lines`]), human lines with `format = "pretty"`; always on
/// stderr, so a CLI command's stdout is only its result. Idempotent.
///
/// Lines go through a buffered writer on a thread of its own (`tracing-appender`): a request
/// only queues its access-log line, and under load one `write` carries many lines (issue 7:
/// before, every request paid for a locked `write(2)` of its own). Nothing is dropped: when the
/// queue is full, logging waits. The queue holds 4096 lines (about 1 MiB), not the crate's
/// 128 000, which could hold 30 MiB while stderr is slow. Keep the returned guard alive;
/// dropping it flushes.
pub fn init(format: &str, level: &str) -> Option<WorkerGuard> {
    let filter = EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new(level));
    let (writer, guard) = NonBlockingBuilder::default()
        .lossy(false)
        .buffered_lines_limit(4096)
        .thread_name("payrail-log")
        .finish(std::io::BufWriter::new(std::io::stderr()));
    let installed = if format == "pretty" {
        fmt()
            .with_env_filter(filter)
            .with_target(false)
            .with_writer(writer)
            .try_init()
            .is_ok()
    } else {
        tracing_subscriber::registry()
            .with(filter)
            .with(json_lines::JsonLines::new(writer))
            .try_init()
            .is_ok()
    };
    installed.then_some(guard)
}
