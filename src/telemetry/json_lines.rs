//! The production log format: one JSON object per line, `timestamp`, `level`, then the event's
//! fields in the order they were recorded (`message` among them).
//!
//! tracing-subscriber's own JSON formatter writes the same through serde's map machinery and an
//! adaptor that re-checks UTF-8 for every fragment, formats the timestamp from scratch and looks
//! up the current span for each event. Payrail logs one line per request, so that path was a
//! tenth of `verify`'s instructions (issue 7). This layer builds the line in a per-thread buffer
//! (strings and numbers escaped by `serde_json`), reuses the timestamp's date and time of day
//! within a second, and hands the finished line to the writer in one call.

use chrono::{DateTime, SecondsFormat, Utc};
use std::cell::RefCell;
use std::fmt::{self, Write as _};
use std::io::Write as _;
use tracing::field::{Field, Visit};
use tracing::{Event, Subscriber};
use tracing_subscriber::fmt::MakeWriter;
use tracing_subscriber::layer::{Context, Layer};

pub struct JsonLines<W> {
    make_writer: W,
}

impl<W> JsonLines<W> {
    pub fn new(make_writer: W) -> Self {
        Self { make_writer }
    }
}

/// The reusable parts of one thread's lines.
#[derive(Default)]
struct Scratch {
    line: Vec<u8>,
    /// A `Debug` or `Display` value before it is escaped as a JSON string.
    text: String,
    timestamp: Timestamp,
}

/// RFC 3339 UTC with microseconds, as tracing-subscriber writes it. The date and time of day are
/// formatted once per second; only the microseconds are written for every line.
#[derive(Default)]
struct Timestamp {
    second: Option<i64>,
    /// `YYYY-MM-DDTHH:MM:SS` of `second`.
    text: String,
}

impl Timestamp {
    fn write(&mut self, line: &mut Vec<u8>, now: DateTime<Utc>) {
        let secs = now.timestamp();
        if self.second != Some(secs) {
            self.second = Some(secs);
            let whole = now.to_rfc3339_opts(SecondsFormat::Secs, true);
            self.text.clear();
            self.text.push_str(whole.trim_end_matches('Z'));
        }
        line.extend_from_slice(self.text.as_bytes());
        let _ = write!(line, ".{:06}Z", now.timestamp_subsec_micros());
    }
}

thread_local! {
    static SCRATCH: RefCell<Scratch> = RefCell::new(Scratch::default());
}

impl<S, W> Layer<S> for JsonLines<W>
where
    S: Subscriber,
    W: for<'w> MakeWriter<'w> + 'static,
{
    fn on_event(&self, event: &Event<'_>, _ctx: Context<'_, S>) {
        SCRATCH.with(|cell| {
            // A field whose `Debug` logs re-enters on this thread (tracing allows that with a
            // global subscriber): the inner line gets a fresh buffer.
            let mut fresh = Scratch::default();
            let mut borrowed = cell.try_borrow_mut();
            let scratch = match borrowed.as_deref_mut() {
                Ok(s) => s,
                Err(_) => &mut fresh,
            };
            format_line(scratch, event, Utc::now());
            let mut writer = self.make_writer.make_writer_for(event.metadata());
            let _ = writer.write_all(&scratch.line);
        });
    }
}

fn format_line(scratch: &mut Scratch, event: &Event<'_>, now: DateTime<Utc>) {
    let Scratch {
        line,
        text,
        timestamp,
    } = scratch;
    line.clear();
    line.extend_from_slice(b"{\"timestamp\":\"");
    timestamp.write(line, now);
    line.extend_from_slice(b"\",\"level\":\"");
    line.extend_from_slice(event.metadata().level().as_str().as_bytes());
    line.push(b'"');
    event.record(&mut Fields { line, text });
    line.extend_from_slice(b"}\n");
}

/// Writes each field as `,"name":value`.
struct Fields<'a> {
    line: &'a mut Vec<u8>,
    text: &'a mut String,
}

impl Fields<'_> {
    fn text(&mut self, field: &Field, value: fmt::Arguments<'_>) {
        self.text.clear();
        let _ = self.text.write_fmt(value);
        entry(self.line, field, self.text.as_str());
    }
}

/// Appends `,"name":value`. Strings, integers and booleans cannot fail to serialise, and a
/// float that is not finite becomes `null`.
fn entry(line: &mut Vec<u8>, field: &Field, value: &(impl serde::Serialize + ?Sized)) {
    line.push(b',');
    let _ = serde_json::to_writer(&mut *line, field.name());
    line.push(b':');
    let _ = serde_json::to_writer(line, value);
}

impl Visit for Fields<'_> {
    fn record_str(&mut self, field: &Field, value: &str) {
        entry(self.line, field, value);
    }

    fn record_u64(&mut self, field: &Field, value: u64) {
        entry(self.line, field, &value);
    }

    fn record_i64(&mut self, field: &Field, value: i64) {
        entry(self.line, field, &value);
    }

    fn record_f64(&mut self, field: &Field, value: f64) {
        entry(self.line, field, &value);
    }

    fn record_bool(&mut self, field: &Field, value: bool) {
        entry(self.line, field, &value);
    }

    fn record_error(&mut self, field: &Field, value: &(dyn std::error::Error + 'static)) {
        self.text(field, format_args!("{value}"));
    }

    fn record_debug(&mut self, field: &Field, value: &dyn fmt::Debug) {
        self.text(field, format_args!("{value:?}"));
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::Value;
    use std::sync::{Arc, Mutex};
    use tracing_subscriber::layer::SubscriberExt;

    /// Collects everything written, for the tests to read back.
    #[derive(Clone, Default)]
    struct Captured(Arc<Mutex<Vec<u8>>>);

    impl std::io::Write for Captured {
        fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
            self.0.lock().unwrap().extend_from_slice(buf);
            Ok(buf.len())
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }

    impl<'a> MakeWriter<'a> for Captured {
        type Writer = Captured;
        fn make_writer(&'a self) -> Captured {
            self.clone()
        }
    }

    /// The lines `log` writes, each parsed as JSON (which fails the test if it is not).
    fn lines(log: impl FnOnce()) -> Vec<serde_json::Map<String, Value>> {
        let captured = Captured::default();
        let subscriber = tracing_subscriber::registry().with(JsonLines::new(captured.clone()));
        tracing::subscriber::with_default(subscriber, log);
        let bytes = captured.0.lock().unwrap().clone();
        String::from_utf8(bytes)
            .unwrap()
            .lines()
            .map(|l| match serde_json::from_str(l) {
                Ok(Value::Object(map)) => map,
                other => panic!("not a JSON object: {l} ({other:?})"),
            })
            .collect()
    }

    #[test]
    fn an_access_log_line_has_the_timestamp_level_and_each_field_as_json() {
        let got = lines(|| {
            tracing::info!(
                request_id = "req_1",
                status = 200u16,
                latency_us = 1234u64,
                offset = -5i64,
                replayed = false,
                ratio = 0.5f64,
                "request"
            )
        });
        assert_eq!(got.len(), 1);
        let line = &got[0];
        let keys: Vec<&str> = line.keys().map(String::as_str).collect();
        assert_eq!(&keys[..2], ["timestamp", "level"]);
        assert_eq!(line["level"], "INFO");
        assert_eq!(line["message"], "request");
        assert_eq!(line["request_id"], "req_1");
        assert_eq!(line["status"], 200);
        assert_eq!(line["latency_us"], 1234);
        assert_eq!(line["offset"], -5);
        assert_eq!(line["replayed"], false);
        assert_eq!(line["ratio"], 0.5);
        let ts = line["timestamp"].as_str().unwrap();
        assert!(DateTime::parse_from_rfc3339(ts).is_ok(), "{ts}");
    }

    #[test]
    fn strings_debug_and_display_values_are_escaped() {
        let nasty = "quote \" backslash \\ newline \n tab \t bell \u{7} é ✓";
        let err = std::io::Error::other("disk \"full\"");
        let got = lines(|| {
            tracing::warn!(
                plain = nasty,
                shown = %nasty,
                debugged = ?vec!["a\"b"],
                error = &err as &(dyn std::error::Error + 'static),
                "message with {} inside", "\"quotes\""
            )
        });
        let line = &got[0];
        assert_eq!(line["level"], "WARN");
        assert_eq!(line["plain"], nasty);
        assert_eq!(line["shown"], nasty);
        assert_eq!(line["debugged"], r#"["a\"b"]"#);
        assert_eq!(line["error"], "disk \"full\"");
        assert_eq!(line["message"], "message with \"quotes\" inside");
    }

    #[test]
    fn a_float_that_is_not_finite_is_null() {
        let got = lines(|| tracing::info!(x = f64::NAN, y = f64::INFINITY, "floats"));
        assert_eq!(got[0]["x"], Value::Null);
        assert_eq!(got[0]["y"], Value::Null);
    }

    /// With a global subscriber tracing lets an event logged while another is formatted reach
    /// this layer again on the same thread; it must not find its own buffer borrowed and panic.
    #[test]
    fn a_line_is_written_while_this_threads_buffer_is_in_use() {
        let got = lines(|| {
            SCRATCH.with(|scratch| {
                let _busy = scratch.borrow_mut();
                tracing::info!(n = 1u64, "while busy");
            })
        });
        assert_eq!(got[0]["message"], "while busy");
        assert_eq!(got[0]["n"], 1);
    }

    #[test]
    fn the_timestamp_reuses_its_second_and_writes_the_microseconds() {
        let at = |s: &str| DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc);
        let mut ts = Timestamp::default();
        let mut written = Vec::new();
        for t in [
            "2026-11-22T07:25:38.000001Z",
            "2026-11-22T07:25:38.999999Z",
            "2026-11-22T07:25:39Z",
            "2026-11-23T00:00:00.5Z",
        ] {
            let mut line = Vec::new();
            ts.write(&mut line, at(t));
            written.push(String::from_utf8(line).unwrap());
        }
        assert_eq!(
            written,
            [
                "2026-11-22T07:25:38.000001Z",
                "2026-11-22T07:25:38.999999Z",
                "2026-11-22T07:25:39.000000Z",
                "2026-11-23T00:00:00.500000Z",
            ]
        );
    }
}
