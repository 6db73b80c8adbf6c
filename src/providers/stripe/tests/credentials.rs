//! The credential object's shape (R1): refused before it is stored, and never printed.

use super::super::credentials::Credentials;
use serde_json::json;

#[test]
fn only_a_secret_or_restricted_key_and_an_endpoint_secret_are_taken() {
    for key in ["sk_test_1", "sk_live_1", "rk_test_1", "rk_live_1"] {
        let ok = Credentials::parse(&json!({ "secret_key": key, "webhook_secret": "whsec_1" }));
        assert_eq!(ok.unwrap().secret_key, key);
    }
    for (bad, why) in [
        (json!("sk_test_1"), "object"),
        (json!({ "webhook_secret": "whsec_1" }), "secret_key is missing"),
        (json!({ "secret_key": "pk_test_1", "webhook_secret": "whsec_1" }), "sk_"),
        (json!({ "secret_key": "sk_", "webhook_secret": "whsec_1" }), "sk_"),
        (json!({ "secret_key": "rk_", "webhook_secret": "whsec_1" }), "sk_ or rk_"),
        (json!({ "secret_key": "sk_test 1", "webhook_secret": "whsec_1" }), "printable"),
        (json!({ "secret_key": "sk_test_1", "webhook_secret": "1234" }), "whsec_"),
        (json!({ "secret_key": "sk_test_1", "webhook_secret": 5 }), "string"),
        (json!({ "secret_key": "sk_test_1", "webhook_secret": "whsec_1", "salt": "x" }), "unknown"),
    ] {
        let err = Credentials::parse(&bad).unwrap_err();
        assert!(err.contains(why), "{bad}: {err}");
    }
}

#[test]
fn debug_never_shows_the_secrets() {
    let c = Credentials::parse(&json!({ "secret_key": "sk_test_SECRET", "webhook_secret": "whsec_SECRET" }))
        .unwrap();
    assert!(!format!("{c:?}").contains("SECRET"));
}
