//! What a merchant's request signature is computed over (docs/signing.md), as pure rules.
//!
//! Two versions exist:
//! - **v1**, the seed's recipe: `HMAC(secret, timestamp ‖ body)`. It binds neither the method nor
//!   the path nor any header, so a body-signed request could be re-sent elsewhere; that is why
//!   every signature on a state-changing request is single-use (see `http::auth`). A request
//!   without a body signs `timestamp ‖ request target`. A bodyless read (`GET`/`HEAD`) may also
//!   sign the timestamp alone, which is what the seed's recipe gives for an empty body.
//! - **v2** (`X-Signature-Version: 2`): `timestamp \n METHOD \n target \n Idempotency-Key \n
//!   body`, binding everything that decides what the request does. Recommended.
//!
//! A merchant's [`SignaturePolicy`] may refuse the looser forms.

use serde::{Deserialize, Serialize};

/// Which signed forms a merchant accepts.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SignaturePolicy {
    /// v1 (including the seed's timestamp-only reads) and v2: the default.
    #[default]
    Compatible,
    /// v1 and v2, but a bodyless read must sign its request target.
    BoundReads,
    /// v2 only.
    V2Only,
}

impl SignaturePolicy {
    pub fn as_str(self) -> &'static str {
        match self {
            SignaturePolicy::Compatible => "compatible",
            SignaturePolicy::BoundReads => "bound_reads",
            SignaturePolicy::V2Only => "v2_only",
        }
    }

    /// An unknown stored value is read as the strictest policy.
    pub fn from_stored(raw: &str) -> Self {
        match raw {
            "compatible" => SignaturePolicy::Compatible,
            "bound_reads" => SignaturePolicy::BoundReads,
            _ => SignaturePolicy::V2Only,
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SignatureVersion {
    V1,
    V2,
}

impl SignatureVersion {
    /// The `X-Signature-Version` header: absent or `1` is v1, `2` is v2, anything else is refused.
    pub fn from_header(raw: Option<&str>) -> Option<Self> {
        match raw {
            None | Some("1") => Some(SignatureVersion::V1),
            Some("2") => Some(SignatureVersion::V2),
            Some(_) => None,
        }
    }
}

/// The parts of a request a signature may cover, as received.
#[derive(Clone, Copy, Debug)]
pub struct SignedParts<'a> {
    pub timestamp: &'a str,
    pub method: &'a str,
    /// Path and query exactly as sent.
    pub target: &'a str,
    /// The `Idempotency-Key` header as sent, or empty.
    pub idempotency_key: &'a str,
    pub body: &'a [u8],
}

impl SignedParts<'_> {
    /// Reads change nothing: only they may use the timestamp-only form, and only their
    /// signatures may be used more than once.
    pub fn is_read(&self) -> bool {
        matches!(self.method, "GET" | "HEAD")
    }
}

/// The messages (each a list of byte slices to MAC in order) that a signature of `version` may be
/// over under `policy`, most specific first; empty when the policy refuses the version.
pub fn accepted_messages<'a>(
    version: SignatureVersion,
    policy: SignaturePolicy,
    parts: &SignedParts<'a>,
) -> Vec<Vec<&'a [u8]>> {
    let ts = parts.timestamp.as_bytes();
    match version {
        SignatureVersion::V2 => vec![vec![
            ts,
            b"\n",
            parts.method.as_bytes(),
            b"\n",
            parts.target.as_bytes(),
            b"\n",
            parts.idempotency_key.as_bytes(),
            b"\n",
            parts.body,
        ]],
        SignatureVersion::V1 if policy == SignaturePolicy::V2Only => vec![],
        SignatureVersion::V1 if !parts.body.is_empty() => vec![vec![ts, parts.body]],
        SignatureVersion::V1 => {
            let mut forms = vec![vec![ts, parts.target.as_bytes()]];
            if parts.is_read() && policy == SignaturePolicy::Compatible {
                forms.push(vec![ts]);
            }
            forms
        }
    }
}

/// An `X-Timestamp` value: decimal digits only (no sign, no spaces), as Unix seconds.
pub fn parse_timestamp(raw: &str) -> Option<i64> {
    if raw.is_empty() || raw.len() > 12 || !raw.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    raw.parse().ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parts<'a>(method: &'a str, body: &'a [u8]) -> SignedParts<'a> {
        SignedParts {
            timestamp: "1700000000",
            method,
            target: "/v1/payments/pay_x/verify/",
            idempotency_key: "k1",
            body,
        }
    }

    fn joined(messages: &[Vec<&[u8]>]) -> Vec<Vec<u8>> {
        messages.iter().map(|m| m.concat()).collect()
    }

    #[test]
    fn v1_signs_the_body_when_there_is_one() {
        let p = parts("POST", b"{}");
        for policy in [SignaturePolicy::Compatible, SignaturePolicy::BoundReads] {
            let got = joined(&accepted_messages(SignatureVersion::V1, policy, &p));
            assert_eq!(got, vec![b"1700000000{}".to_vec()]);
        }
    }

    #[test]
    fn only_a_compatible_read_may_sign_the_timestamp_alone() {
        let target = b"1700000000/v1/payments/pay_x/verify/".to_vec();
        let get = parts("GET", b"");
        let compatible = SignaturePolicy::Compatible;
        assert_eq!(
            joined(&accepted_messages(SignatureVersion::V1, compatible, &get)),
            vec![target.clone(), b"1700000000".to_vec()]
        );
        let bound = SignaturePolicy::BoundReads;
        assert_eq!(
            joined(&accepted_messages(SignatureVersion::V1, bound, &get)),
            vec![target.clone()]
        );
        let post = parts("POST", b"");
        assert_eq!(
            joined(&accepted_messages(SignatureVersion::V1, compatible, &post)),
            vec![target]
        );
    }

    #[test]
    fn v2_binds_method_target_key_and_body_under_every_policy() {
        let p = parts("POST", b"{\"a\":1}");
        let want = b"1700000000\nPOST\n/v1/payments/pay_x/verify/\nk1\n{\"a\":1}".to_vec();
        for policy in [
            SignaturePolicy::Compatible,
            SignaturePolicy::BoundReads,
            SignaturePolicy::V2Only,
        ] {
            let got = joined(&accepted_messages(SignatureVersion::V2, policy, &p));
            assert_eq!(got, vec![want.clone()]);
        }
    }

    #[test]
    fn a_v2_only_merchant_accepts_no_v1_form() {
        for (method, body) in [("GET", &b""[..]), ("POST", b""), ("POST", b"{}")] {
            let p = parts(method, body);
            assert!(
                accepted_messages(SignatureVersion::V1, SignaturePolicy::V2Only, &p).is_empty()
            );
        }
    }

    #[test]
    fn versions_and_timestamps_are_read_strictly() {
        assert_eq!(
            SignatureVersion::from_header(None),
            Some(SignatureVersion::V1)
        );
        assert_eq!(
            SignatureVersion::from_header(Some("2")),
            Some(SignatureVersion::V2)
        );
        assert_eq!(SignatureVersion::from_header(Some("3")), None);
        assert_eq!(parse_timestamp("1700000000"), Some(1_700_000_000));
        for bad in ["+1700000000", "-5", " 1", "1e9", "", "1700000000000000"] {
            assert_eq!(parse_timestamp(bad), None, "{bad}");
        }
        assert_eq!(
            SignaturePolicy::from_stored("nonsense"),
            SignaturePolicy::V2Only
        );
    }
}
