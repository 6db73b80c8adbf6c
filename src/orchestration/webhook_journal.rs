//! What the gateway-webhook journal keeps of one delivery, and why it is bounded.
//!
//! The webhook endpoint is public: until its signature is verified, a delivery is whatever
//! anyone sent. The journal exists to show ops (and a dispute) what the gateway said, so it
//! keeps the body and the headers that matter, but never more than the caps in
//! [`crate::limits`]: the first `JOURNAL_BODY` bytes of the body (with its received length and
//! a truncation mark), at most `JOURNAL_HEADERS` headers, and every text cut to `JOURNAL_TEXT`
//! bytes. Verification and parsing always run over the full bytes received, never over this.

use crate::limits::{cut_text, JOURNAL_BODY, JOURNAL_HEADERS, JOURNAL_HEADER_NAME, JOURNAL_TEXT};
use crate::store::webhooks::NewJournalEntry;
use serde_json::{Map, Value};

/// A header worth keeping (signatures, timestamps, content type, and the gateway's own headers,
/// such as event names, by the `prefixes` its descriptor declares).
fn worth_keeping(name: &str, prefixes: &[&str]) -> bool {
    name.contains("signature")
        || name.contains("timestamp")
        || name.contains("hmac")
        || prefixes.iter().any(|p| name.starts_with(p))
        || name == "content-type"
        || name == "user-agent"
}

/// The kept headers as a JSON object, bounded in count and in each name's and value's length.
/// `prefixes` are the gateway's own header prefixes (`GatewayDescriptor::webhook_header_prefixes`).
pub fn journal_headers(headers: &[(String, String)], prefixes: &[&str]) -> String {
    let keep: Map<String, Value> = headers
        .iter()
        .filter(|(k, _)| worth_keeping(k, prefixes))
        .take(JOURNAL_HEADERS)
        .map(|(k, v)| {
            (
                cut_text(k, JOURNAL_HEADER_NAME).to_owned(),
                Value::String(cut_text(v, JOURNAL_TEXT).to_owned()),
            )
        })
        .collect();
    Value::Object(keep).to_string()
}

/// The delivery, as the journal keeps it.
pub struct Journalled<'a> {
    pub provider: &'a str,
    pub account_id: &'a str,
    pub headers: String,
    pub body: &'a [u8],
    pub verified: bool,
    pub verification: &'a str,
    pub dedupe_key: Option<&'a str>,
}

impl Journalled<'_> {
    /// The row to insert, every field within its cap.
    pub fn entry(&self) -> NewJournalEntry<'_> {
        let kept = &self.body[..self.body.len().min(JOURNAL_BODY)];
        NewJournalEntry {
            provider: self.provider,
            account_id: self.account_id,
            headers: &self.headers,
            body: kept,
            body_length: i32::try_from(self.body.len()).unwrap_or(i32::MAX),
            body_truncated: kept.len() < self.body.len(),
            verified: self.verified,
            verification: cut_text(self.verification, JOURNAL_TEXT),
            dedupe_key: self.dedupe_key,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn delivery(body: &[u8]) -> Journalled<'_> {
        Journalled {
            provider: "paystablecoin",
            account_id: "acc_x",
            headers: "{}".into(),
            body,
            verified: false,
            verification: "rejected: no signature",
            dedupe_key: None,
        }
    }

    #[test]
    fn a_small_body_is_kept_whole_and_a_large_one_is_cut_and_marked() {
        let small = vec![b'a'; 100];
        let d = delivery(&small);
        let e = d.entry();
        assert_eq!(
            (e.body.len(), e.body_length, e.body_truncated),
            (100, 100, false)
        );
        let large = vec![b'a'; JOURNAL_BODY + 1];
        let d = delivery(&large);
        let e = d.entry();
        assert_eq!(e.body.len(), JOURNAL_BODY);
        assert_eq!(e.body_length as usize, JOURNAL_BODY + 1);
        assert!(e.body_truncated);
    }

    #[test]
    fn headers_are_bounded_in_count_and_length() {
        let many: Vec<(String, String)> = (0..100)
            .map(|i| (format!("x-signature-{i}"), "v".repeat(10_000)))
            .chain([("cookie".to_owned(), "secret".to_owned())])
            .collect();
        let kept: Map<String, Value> = serde_json::from_str(&journal_headers(&many, &[])).unwrap();
        assert_eq!(kept.len(), JOURNAL_HEADERS);
        assert!(kept
            .values()
            .all(|v| v.as_str().unwrap().len() == JOURNAL_TEXT));
        assert!(!kept.contains_key("cookie"));
    }

    #[test]
    fn a_gateways_own_headers_are_kept_by_its_declared_prefixes() {
        let headers = [
            ("x-gw-event".to_owned(), "charge.created".to_owned()),
            ("x-other".to_owned(), "no".to_owned()),
        ];
        let kept: Map<String, Value> =
            serde_json::from_str(&journal_headers(&headers, &["x-gw-"])).unwrap();
        assert_eq!(kept.keys().collect::<Vec<_>>(), ["x-gw-event"]);
        let kept: Map<String, Value> =
            serde_json::from_str(&journal_headers(&headers, &[])).unwrap();
        assert!(kept.is_empty());
    }

    #[test]
    fn the_verification_text_is_cut() {
        let long = "r".repeat(10_000);
        let mut d = delivery(b"{}");
        d.verification = &long;
        assert_eq!(d.entry().verification.len(), JOURNAL_TEXT);
    }
}
