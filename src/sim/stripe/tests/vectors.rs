//! The simulator's signing reproduces the note's vectors (computed with Python's `hmac`, see
//! `docs/gateways/stripe.md`), and the independent check here agrees with it.

use super::super::signing::{header, tampered, v1};

const SECRET: &str = "whsec_payrail_test_secret";
const T: i64 = 1_767_225_600;
const COMPLETED: &str = r#"{"id":"evt_1PayrailTest0001","object":"event","type":"checkout.session.completed","data":{"object":{"id":"cs_test_a1B2c3","object":"checkout.session","client_reference_id":"att_01JD3ZK2Q4X8V9N6B5M7C1T0RA","status":"complete","payment_status":"paid","amount_total":2500,"currency":"sgd","payment_intent":"pi_3PayrailTest0001"}}}"#;

#[test]
fn the_vectors() {
    assert_eq!(
        v1(SECRET, T, COMPLETED.as_bytes()),
        "51b8ebec97a7b681067ba99bb55224e9bb7edff72ce46ae89ee6281aa9360ee5"
    );
    assert_eq!(
        header(SECRET, Some("whsec_payrail_old_secret"), T, COMPLETED.as_bytes()),
        format!(
            "t={T},v1=dc65378da13a4e0df0863b5e513c4ea1fe9268412c2236b15696cd12ac3699b5,v1=51b8ebec97a7b681067ba99bb55224e9bb7edff72ce46ae89ee6281aa9360ee5"
        )
    );
}

#[test]
fn tampering_keeps_the_shape_and_breaks_the_value() {
    let h = header(SECRET, None, T, b"{}");
    let t = tampered(&h);
    assert_eq!(t.len(), h.len());
    assert_ne!(t, h);
    assert!(t.starts_with(&format!("t={T},v1=")));
}
