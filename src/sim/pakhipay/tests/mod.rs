//! docs/gateways/pakhipay.md, "Test vectors", reproduced by the simulator's own signing code, byte
//! for byte.

use super::signing::{hmac_hex, signed_webhook, tampered, unsigned_payload, wire_body, Fields};
use super::state::SignatureStyle;
use support::KEY;

// The simulator's other tests, one file per surface (as the adapters' tests are laid out).
mod api;
mod chaos;
mod checkout;
mod support;

const COMPACT: &str = r#"{"status":"completed","transaction_id":"TRX123456789","amount":"100.00","order_id":"your-order-id"}"#;
const PYTHON: &str = r#"{"status": "completed", "transaction_id": "TRX123456789", "amount": "100.00", "order_id": "your-order-id"}"#;
const SORTED: &str = r#"{"amount":"100.00","order_id":"your-order-id","status":"completed","transaction_id":"TRX123456789"}"#;
const WIRE: &str = r#"{"status":"completed","transaction_id":"TRX123456789","amount":"100.00","order_id":"your-order-id","signature":"e800478659ffd96fd0c6efb3439281d20d79fa60d9fb5b6f7e7c131c08ee93d6"}"#;

fn doc_fields() -> Fields<'static> {
    Fields {
        status: "completed",
        transaction_id: "TRX123456789",
        amount: "100.00",
        order_id: Some("your-order-id"),
        token: None,
    }
}

#[test]
fn the_four_digests() {
    assert_eq!(
        hmac_hex(KEY, COMPACT.as_bytes()),
        "e800478659ffd96fd0c6efb3439281d20d79fa60d9fb5b6f7e7c131c08ee93d6"
    );
    assert_eq!(
        hmac_hex(KEY, PYTHON.as_bytes()),
        "2368a7210d796d4cfffb3324d167da0b831fbeb8aed8fba7fe500d1e9d6831dd"
    );
    assert_eq!(
        hmac_hex(KEY, SORTED.as_bytes()),
        "5fd4913957fc0bbe6d9be53e4cc38ab120d4bc6ff769a5062379a54ec5b72b71"
    );
    assert_eq!(
        hmac_hex(KEY, WIRE.as_bytes()),
        "3a9dfef7b3da96d1f22d73059deac77e919c4fc40c5d38d21aa77c1a8a4087e3"
    );
}

#[test]
fn the_canonical_wire_body() {
    assert_eq!(
        unsigned_payload(&doc_fields(), SignatureStyle::Php),
        COMPACT
    );
    assert_eq!(
        unsigned_payload(&doc_fields(), SignatureStyle::Python),
        PYTHON
    );
    let (signature, body) = signed_webhook(KEY, &doc_fields(), SignatureStyle::Php);
    assert_eq!(
        signature,
        "e800478659ffd96fd0c6efb3439281d20d79fa60d9fb5b6f7e7c131c08ee93d6"
    );
    assert_eq!(body, WIRE);
    let (signature, body) = signed_webhook(KEY, &doc_fields(), SignatureStyle::Python);
    assert_eq!(
        signature,
        "2368a7210d796d4cfffb3324d167da0b831fbeb8aed8fba7fe500d1e9d6831dd"
    );
    assert_eq!(
        body,
        format!(
            r#"{}, "signature": "{signature}"}}"#,
            &PYTHON[..PYTHON.len() - 1]
        )
    );
}

#[test]
fn php_escaping_null_order_and_the_legacy_token() {
    let f = Fields {
        status: "completed",
        transaction_id: "T/1",
        amount: "5.00",
        order_id: None,
        token: Some("tok \"é\""),
    };
    assert_eq!(
        unsigned_payload(&f, SignatureStyle::Php),
        r#"{"status":"completed","transaction_id":"T\/1","amount":"5.00","order_id":null,"token":"tok \"\u00e9\""}"#
    );
    assert_eq!(
        unsigned_payload(&f, SignatureStyle::Python),
        r#"{"status": "completed", "transaction_id": "T/1", "amount": "5.00", "order_id": null, "token": "tok \"\u00e9\""}"#
    );
    assert_eq!(
        wire_body("{}", "ab", SignatureStyle::Php),
        r#"{"signature":"ab"}"#
    );
}

#[test]
fn tampering_keeps_the_format_and_breaks_the_value() {
    let sig = "e800478659ffd96fd0c6efb3439281d20d79fa60d9fb5b6f7e7c131c08ee93d6";
    let bad = tampered(sig);
    assert_eq!(bad.len(), 64);
    assert_ne!(bad, sig);
    assert_eq!(&bad[..63], &sig[..63]);
    assert_eq!(bad, sig[..63].to_owned() + "0");
    assert_eq!(tampered(&bad), sig[..63].to_owned() + "1");
}
