//! docs/gateways/paymento.md, "Test vectors": the IPN signature and the request/answer examples,
//! byte for byte.

use super::super::requests::{checkout_url, payment_request_body, settings_body, verify_body};
use super::super::signing::{decode_signature, sign_upper_hex, verify, Encoding};
use super::super::wire::{CiObject, Envelope, VerifyAnswer, WireStatus};
use super::super::{credentials::Credentials, token_of};
use super::{checkout_request, SECRET, TOKEN};
use base64::{engine::general_purpose::STANDARD, Engine};
use rust_decimal::Decimal;
use serde_json::json;

pub const V_BODY: &str = r#"{"Token":"d1179e54e58d4e51a285a5c659a2b7ef","PaymentId":20016,"OrderId":"etp-3900","OrderStatus":3,"AdditionalData":[]}"#;
pub const V_UPPER: &str = "5D838764F144F9E3441760C7B125A8F9773A1D431BAB305040FCE93047669235";
pub const V_LOWER: &str = "5d838764f144f9e3441760c7b125a8f9773a1d431bab305040fce93047669235";
pub const V_BASE64: &str = "XYOHZPFE+eNEF2DHsSWo+Xc6HUMbqzBQQPzpMEdmkjU=";
const DOC_CURL_SIG: &str = "vBvDwCix13cq7anuf5eleiOXjFApBLxEWC2G2lgnJTU=";

#[test]
fn vector_ipn_signature_in_all_three_encodings() {
    assert_eq!(sign_upper_hex(SECRET, V_BODY.as_bytes()), V_UPPER);
    assert_eq!(
        sign_upper_hex(SECRET, V_BODY.as_bytes()).to_lowercase(),
        V_LOWER
    );
    let (digest, enc) = decode_signature(V_UPPER).unwrap();
    assert_eq!(enc, Encoding::Hex);
    assert_eq!(STANDARD.encode(&digest), V_BASE64);
    for (value, encoding) in [
        (V_UPPER, Encoding::Hex),
        (V_LOWER, Encoding::Hex),
        (V_BASE64, Encoding::Base64),
    ] {
        let (digest, enc) = decode_signature(value).unwrap();
        assert_eq!(enc, encoding, "{value}");
        assert!(verify(SECRET, V_BODY.as_bytes(), &digest), "{value}");
    }
}

#[test]
fn the_docs_curl_signature_is_base64_of_32_bytes_under_an_unknown_key() {
    let (digest, enc) = decode_signature(DOC_CURL_SIG).unwrap();
    assert_eq!(enc, Encoding::Base64);
    assert_eq!(
        hex::encode_upper(&digest),
        "BC1BC3C028B1D7772AEDA9EE7F97A57A23978C502904BC44582D86DA58272535"
    );
    for key in ["", "secret", "Your-Secret-Key-From-Paymento-Dashboard"] {
        assert!(!verify(key, V_BODY.as_bytes(), &digest), "{key:?}");
    }
}

#[test]
fn signatures_of_the_wrong_shape_are_not_decoded() {
    assert_eq!(decode_signature(""), None);
    assert_eq!(decode_signature(&V_UPPER[..63]), None);
    assert_eq!(decode_signature(&format!("{V_UPPER}00")), None);
    assert_eq!(decode_signature("not a signature"), None);
    // Base64 of 16 bytes is not a SHA-256 digest.
    assert_eq!(decode_signature("AAAAAAAAAAAAAAAAAAAAAA=="), None);
}

#[test]
fn create_body_reproduces_the_whmcs_example() {
    let creds =
        Credentials::parse(&json!({"api_key": "k", "secret_key": "s", "risk_speed": 0})).unwrap();
    let req = checkout_request(
        "1042",
        "https://shop.example/modules/gateways/callback/paymento.php",
    );
    let body = payment_request_body(&creds, &req).unwrap();
    assert_eq!(
        std::str::from_utf8(&body).unwrap(),
        r#"{"fiatAmount":"25.00","fiatCurrency":"USD","returnUrl":"https://shop.example/modules/gateways/callback/paymento.php","orderId":"1042","riskSpeed":0}"#
    );
}

#[test]
fn create_body_keeps_the_currency_digits_and_refuses_what_cannot_be_sent() {
    let creds = Credentials::parse(&super::credentials_json()).unwrap();
    let mut req = checkout_request("att_1", "https://r.example/");
    req.amount = Decimal::new(1050, 2);
    req.currency = "EUR".into();
    let body = String::from_utf8(payment_request_body(&creds, &req).unwrap()).unwrap();
    assert_eq!(
        body,
        r#"{"fiatAmount":"10.50","fiatCurrency":"EUR","returnUrl":"https://r.example/","orderId":"att_1","riskSpeed":1}"#
    );
    req.amount = Decimal::ZERO;
    assert_eq!(
        payment_request_body(&creds, &req),
        Err("amount 0 is not positive".into())
    );
}

#[test]
fn verify_and_settings_bodies_as_documented() {
    assert_eq!(
        verify_body(TOKEN),
        br#"{"token":"3256e147c6fe4d36a9341a5112ed2214"}"#
    );
    assert_eq!(
        settings_body("https://merchant/ipn"),
        br#"{"IPN_Url":"https://merchant/ipn","IPN_Method":1}"#
    );
}

#[test]
fn checkout_urls() {
    assert_eq!(
        checkout_url("https://api.paymento.io", TOKEN),
        "https://app.paymento.io/gateway?token=3256e147c6fe4d36a9341a5112ed2214"
    );
    assert_eq!(
        checkout_url("https://API.paymento.io/", TOKEN),
        "https://app.paymento.io/gateway?token=3256e147c6fe4d36a9341a5112ed2214"
    );
    assert_eq!(
        checkout_url("http://127.0.0.1:9000/paymento", TOKEN),
        "http://127.0.0.1:9000/paymento/gateway?token=3256e147c6fe4d36a9341a5112ed2214"
    );
    assert_eq!(
        checkout_url("http://x/sandbox/paymento/", "a b&c"),
        "http://x/sandbox/paymento/gateway?token=a+b%26c"
    );
}

#[test]
fn the_documented_answers_are_read() {
    // Create (the old doc's token has a leading space).
    let created = Envelope::parse(
        br#"{"success":true,"message":"","body":" 3256e147c6fe4d36a9341a5112ed2214"}"#,
    )
    .unwrap();
    assert!(created.success);
    assert_eq!(token_of(&created), Ok(TOKEN.to_owned()));
    // Verify (new docs + swagger, merged; the "…" of the excerpt left out).
    let verify = r#"{"success":true,"message":"","body":{"token":"3256e147c6fe4d36a9341a5112ed2214","orderId":"5855","orderStatus":8,"additionalData":[{"key":"invoice-number","value":"A-578"}],"settlement":{"expectedCryptoAmount":0.0123,"requestedFiatAmount":25.0,"receivedCryptoAmount":0.0123,"pendingTxHash":"ab"}}}"#;
    let env = Envelope::parse(verify.as_bytes()).unwrap();
    let answer = VerifyAnswer::parse(env.body.as_deref().unwrap()).unwrap();
    assert_eq!(
        answer,
        VerifyAnswer {
            token: Some(TOKEN.into()),
            order_id: Some("5855".into()),
            order_status: Some(WireStatus::Code(8)),
            requested_fiat_amount: Some(Decimal::new(250, 1)),
            received_crypto_amount: Some(Decimal::new(123, 4)),
        }
    );
    // Settings, with the doc's odd key spellings (a trailing space).
    let settings = r#"{"success":true,"message":"","body":{"IPN_Url ":"https://yoursite.com/api/paymento/payment-status","ipN_Method":1}}"#;
    let env = Envelope::parse(settings.as_bytes()).unwrap();
    let body = CiObject::parse(env.body.unwrap().get().as_bytes()).unwrap();
    assert_eq!(
        body.text("ipn_url").unwrap().as_deref(),
        Some("https://yoursite.com/api/paymento/payment-status")
    );
    // The old error shape.
    let old = Envelope::parse(br#"{"error":"Invalid request"}"#).unwrap();
    assert_eq!(
        (old.success, old.reason()),
        (false, Some("Invalid request"))
    );
}
