//! The `Stripe-Signature` vectors of `docs/gateways/stripe.md`, computed independently with
//! Python's standard library:
//!
//! ```text
//! python3 -c 'import hmac,hashlib; print(hmac.new(b"whsec_payrail_test_secret",
//!     b"1767225600." + open("body","rb").read(), hashlib.sha256).hexdigest())'
//! ```
//!
//! (`body` holding the bytes below exactly, no trailing newline). The old secret of the rotation
//! vector is `whsec_payrail_old_secret`.

use super::super::signing::{parse_header, sign, verify, SignatureHeader, TOLERANCE_SECS};
use super::WEBHOOK_SECRET;

pub const T: i64 = 1_767_225_600;
pub const COMPLETED: &str = r#"{"id":"evt_1PayrailTest0001","object":"event","type":"checkout.session.completed","data":{"object":{"id":"cs_test_a1B2c3","object":"checkout.session","client_reference_id":"att_01JD3ZK2Q4X8V9N6B5M7C1T0RA","status":"complete","payment_status":"paid","amount_total":2500,"currency":"sgd","payment_intent":"pi_3PayrailTest0001"}}}"#;
pub const COMPLETED_V1: &str = "51b8ebec97a7b681067ba99bb55224e9bb7edff72ce46ae89ee6281aa9360ee5";
pub const COMPLETED_V1_OLD: &str =
    "dc65378da13a4e0df0863b5e513c4ea1fe9268412c2236b15696cd12ac3699b5";
pub const REFUNDED_JPY: &str = r#"{"id":"evt_1PayrailTest0002","object":"event","type":"charge.refunded","data":{"object":{"id":"ch_3PayrailTest0002","object":"charge","amount":1500,"amount_refunded":500,"currency":"jpy","refunded":false,"status":"succeeded","payment_intent":"pi_3PayrailTest0002","metadata":{"payrail_reference":"att_01JD3ZK2Q4X8V9N6B5M7C1T0RB"}}}}"#;
pub const REFUNDED_JPY_V1: &str =
    "440b9d3a93d7ffb1f83802e5bc4874dd146eaaec39481d0c5c7c9f7df63eff66";

#[test]
fn signing_reproduces_the_vectors() {
    assert_eq!(sign(WEBHOOK_SECRET, T, COMPLETED.as_bytes()), COMPLETED_V1);
    assert_eq!(
        sign("whsec_payrail_old_secret", T, COMPLETED.as_bytes()),
        COMPLETED_V1_OLD
    );
    assert_eq!(sign(WEBHOOK_SECRET, T, REFUNDED_JPY.as_bytes()), REFUNDED_JPY_V1);
}

#[test]
fn a_vector_verifies_alone_among_others_and_in_either_hex_case() {
    let body = COMPLETED.as_bytes();
    assert_eq!(verify(WEBHOOK_SECRET, &format!("t={T},v1={COMPLETED_V1}"), body, T), Ok(()));
    // Secret rotation: Stripe signs with the old and the new secret; either may come first.
    let rotated = format!("t={T},v1={COMPLETED_V1_OLD},v1={COMPLETED_V1},v0=ignored");
    assert_eq!(verify(WEBHOOK_SECRET, &rotated, body, T), Ok(()));
    let upper = format!("t={T}, v1={}", COMPLETED_V1.to_ascii_uppercase());
    assert_eq!(verify(WEBHOOK_SECRET, &upper, body, T + 10), Ok(()));
}

#[test]
fn a_forged_tampered_or_stale_signature_is_refused() {
    let body = COMPLETED.as_bytes();
    let good = format!("t={T},v1={COMPLETED_V1}");
    assert!(verify("whsec_other", &good, body, T).is_err(), "another secret");
    assert!(verify(WEBHOOK_SECRET, &good, b"{}", T).is_err(), "another body");
    let old_only = format!("t={T},v1={COMPLETED_V1_OLD}");
    assert!(verify(WEBHOOK_SECRET, &old_only, body, T).is_err(), "only the old secret");
    let moved = format!("t={},v1={COMPLETED_V1}", T + 1);
    assert!(verify(WEBHOOK_SECRET, &moved, body, T).is_err(), "t is signed");
    for now in [T + TOLERANCE_SECS + 1, T - TOLERANCE_SECS - 1] {
        let err = verify(WEBHOOK_SECRET, &good, body, now).unwrap_err();
        assert!(err.contains("300s"), "{err}");
    }
    assert_eq!(verify(WEBHOOK_SECRET, &good, body, T + TOLERANCE_SECS), Ok(()));
    let forged = format!("t={},v1={COMPLETED_V1}", i64::MIN);
    assert!(verify(WEBHOOK_SECRET, &forged, body, T).is_err());
    assert!(verify(WEBHOOK_SECRET, &format!("t={T},v1=zz"), body, T).is_err());
}

#[test]
fn the_header_needs_one_t_and_a_v1() {
    assert_eq!(
        parse_header("t=12,v1=ab,v1=cd,v0=ef"),
        Ok(SignatureHeader {
            timestamp: 12,
            v1: vec!["ab".into(), "cd".into()]
        })
    );
    for bad in ["", "v1=ab", "t=12", "t=12,t=13,v1=ab", "t=x,v1=ab", "t=12;v1=ab", "t=12,v1"] {
        assert!(parse_header(bad).is_err(), "{bad:?}");
    }
}
