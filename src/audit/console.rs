//! `payrail audit` on a console: each finding on its own stdout line as it is found, the
//! summary last, and on a terminal a progress line on stderr.
//!
//! Findings are streamed, not collected, so a store with millions of violations prints them all
//! in constant memory. The progress line is redrawn in place at most [`REDRAW`] apart, and
//! cleared before a finding is printed so the two never share a line when both streams are the
//! same terminal.

use super::{run, AuditOptions, AuditSummary, Progress};
use crate::store::Db;
use std::cell::RefCell;
use std::io::Write;
use std::time::{Duration, Instant};

/// The progress line changes at most this often.
const REDRAW: Duration = Duration::from_millis(250);

/// Erases the current terminal line.
const CLEAR_LINE: &str = "\r\x1b[2K";

/// Runs the audit, writing findings and the summary to `out` and, when `progress` is set (a
/// terminal), progress to stderr.
pub async fn print(
    db: &Db,
    options: &AuditOptions,
    out: &mut impl Write,
    progress: bool,
) -> anyhow::Result<AuditSummary> {
    let bar = RefCell::new(ProgressLine {
        enabled: progress,
        shown: false,
        last: None,
    });
    let mut write_error = None;
    let summary = run(
        db,
        options,
        |finding| {
            bar.borrow_mut().clear();
            if write_error.is_none() {
                if let Err(e) = writeln!(out, "{finding}") {
                    write_error = Some(e);
                }
            }
        },
        |p| bar.borrow_mut().draw(p),
    )
    .await;
    bar.borrow_mut().clear();
    let summary = summary?;
    if let Some(e) = write_error {
        return Err(e.into());
    }
    writeln!(out, "{summary}")?;
    out.flush()?;
    Ok(summary)
}

struct ProgressLine {
    enabled: bool,
    shown: bool,
    last: Option<Instant>,
}

impl ProgressLine {
    fn draw(&mut self, p: Progress) {
        if !self.enabled || self.last.is_some_and(|t| t.elapsed() < REDRAW) {
            return;
        }
        self.last = Some(Instant::now());
        self.shown = true;
        let total = p.payments_total.max(p.payments_done);
        let mut err = std::io::stderr().lock();
        let _ = write!(
            err,
            "{CLEAR_LINE}audited {} of {total} payments",
            p.payments_done
        );
        let _ = err.flush();
    }

    fn clear(&mut self) {
        if self.shown {
            self.shown = false;
            let mut err = std::io::stderr().lock();
            let _ = write!(err, "{CLEAR_LINE}");
            let _ = err.flush();
        }
    }
}
