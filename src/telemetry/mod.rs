//! Logging set-up and the per-request scope (request id, time spent waiting on gateways).
//!
//! The scope is a task-local set by the request middleware, so the error envelope can carry the
//! request id and `Server-Timing` can split Payrail's time from the gateway's without threading
//! either through every call.

mod json_lines;

use std::cell::Cell;
use std::io::{self, BufWriter, Write};
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
        .finish(Coalescing(BufWriter::with_capacity(
            64 * 1024,
            io::stderr(),
        )));
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

/// How long the log thread pauses after each write to stderr, so the lines of that time leave in
/// one `write(2)`.
const COALESCE: Duration = Duration::from_millis(10);

/// The log thread's writer: stderr behind a buffer, with a pause after each flush.
///
/// `tracing-appender`'s thread blocks on its queue, takes every line waiting, then flushes. At a
/// few thousand requests a second the queue is nearly always empty, so each line woke the thread
/// and went out in a `write(2)` of its own: 10% of a core in the benchmark (issue 7). While the
/// thread pauses here, a request's line is only queued (no wake-up: nobody waits on the queue),
/// and the next pass writes them all at once. A line reaches stderr about `COALESCE` later at
/// most (plus the write itself); the queue's 4096 lines hold far more than one pause's worth.
struct Coalescing<W: Write>(BufWriter<W>);

impl<W: Write> Write for Coalescing<W> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.0.write(buf)
    }

    fn write_all(&mut self, buf: &[u8]) -> io::Result<()> {
        self.0.write_all(buf)
    }

    fn flush(&mut self) -> io::Result<()> {
        let flushed = self.0.flush();
        std::thread::sleep(COALESCE);
        flushed
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_wait_in_the_buffer_until_the_flush_writes_them_all_at_once() {
        let mut out = Coalescing(BufWriter::new(Vec::new()));
        out.write_all(b"{\"a\":1}\n").unwrap();
        out.write_all(b"{\"b\":2}\n").unwrap();
        assert!(
            out.0.get_ref().is_empty(),
            "nothing written before the flush"
        );
        out.flush().unwrap();
        assert_eq!(out.0.get_ref().as_slice(), b"{\"a\":1}\n{\"b\":2}\n");
    }
}
