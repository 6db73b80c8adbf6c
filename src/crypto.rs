//! Secrets at rest and request signatures.
//!
//! Merchant secrets and gateway credentials are sealed with AES-256-GCM under the master key, with
//! the owning row's id as associated data (a ciphertext copied to another row fails to open).
//! Every comparison of a secret-derived value is constant-time.

use aes_gcm::aead::{Aead, KeyInit, Payload};
use aes_gcm::{Aes256Gcm, Nonce};
use base64::Engine;
use hmac::{Hmac, Mac};
use rand::RngCore;
use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;

type HmacSha256 = Hmac<Sha256>;

const NONCE_LEN: usize = 12;

#[derive(Clone)]
pub struct SecretBox {
    cipher: Aes256Gcm,
}

#[derive(Debug, thiserror::Error)]
pub enum CryptoError {
    #[error("the master key must be base64 of exactly 32 bytes")]
    BadMasterKey,
    #[error("a stored secret could not be decrypted (wrong master key or tampered row)")]
    Open,
}

impl SecretBox {
    pub fn from_base64(master_key: &str) -> Result<Self, CryptoError> {
        let bytes = base64::engine::general_purpose::STANDARD
            .decode(master_key.trim())
            .map_err(|_| CryptoError::BadMasterKey)?;
        if bytes.len() != 32 {
            return Err(CryptoError::BadMasterKey);
        }
        let cipher = Aes256Gcm::new_from_slice(&bytes).map_err(|_| CryptoError::BadMasterKey)?;
        Ok(Self { cipher })
    }

    /// A fresh random master key, base64 (for `payrail` to print or persist).
    pub fn generate_key() -> String {
        let mut key = [0u8; 32];
        rand::thread_rng().fill_bytes(&mut key);
        base64::engine::general_purpose::STANDARD.encode(key)
    }

    /// nonce || ciphertext || tag.
    pub fn seal(&self, plaintext: &[u8], row_id: &str) -> Vec<u8> {
        let mut nonce = [0u8; NONCE_LEN];
        rand::thread_rng().fill_bytes(&mut nonce);
        let sealed = self
            .cipher
            .encrypt(
                Nonce::from_slice(&nonce),
                Payload {
                    msg: plaintext,
                    aad: row_id.as_bytes(),
                },
            )
            .expect("AES-GCM encryption of an in-memory buffer cannot fail");
        let mut out = Vec::with_capacity(NONCE_LEN + sealed.len());
        out.extend_from_slice(&nonce);
        out.extend_from_slice(&sealed);
        out
    }

    pub fn open(&self, sealed: &[u8], row_id: &str) -> Result<Vec<u8>, CryptoError> {
        if sealed.len() < NONCE_LEN {
            return Err(CryptoError::Open);
        }
        let (nonce, body) = sealed.split_at(NONCE_LEN);
        self.cipher
            .decrypt(
                Nonce::from_slice(nonce),
                Payload {
                    msg: body,
                    aad: row_id.as_bytes(),
                },
            )
            .map_err(|_| CryptoError::Open)
    }
}

/// Lowercase hex HMAC-SHA256 of `parts` concatenated (the merchant-API recipe: timestamp ‖ body).
pub fn hmac_hex(key: &[u8], parts: &[&[u8]]) -> String {
    hex::encode(hmac_raw(key, parts))
}

pub fn hmac_raw(key: &[u8], parts: &[&[u8]]) -> [u8; 32] {
    let mut mac = <HmacSha256 as Mac>::new_from_slice(key).expect("HMAC accepts any key length");
    for part in parts {
        mac.update(part);
    }
    mac.finalize().into_bytes().into()
}

/// An HMAC-SHA256 key whose padded inner and outer states are computed once, for a key that
/// checks many signatures (a cached merchant secret): each check then skips the key set-up, two
/// of a short message's four SHA-256 compressions. The states are as good as the key for
/// signing, so they are held only where the key is (the secret cache) and never printed.
#[derive(Clone)]
pub struct HmacKey(HmacSha256);

impl HmacKey {
    pub fn new(key: &[u8]) -> Self {
        Self(<HmacSha256 as Mac>::new_from_slice(key).expect("HMAC accepts any key length"))
    }

    /// Checks a hex signature (either case) of `parts` concatenated, in constant time.
    pub fn verify_hex(&self, parts: &[&[u8]], signature_hex: &str) -> bool {
        let mut given = [0u8; 32];
        if hex::decode_to_slice(signature_hex.trim(), &mut given).is_err() {
            return false;
        }
        let mut mac = self.0.clone();
        for part in parts {
            mac.update(part);
        }
        mac.verify_slice(&given).is_ok()
    }
}

impl std::fmt::Debug for HmacKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("HmacKey(..)")
    }
}

pub fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && bool::from(a.ct_eq(b))
}

pub fn sha256_hex(data: &[u8]) -> String {
    hex::encode(Sha256::digest(data))
}

/// A random URL-safe token of `bytes` bytes of entropy.
pub fn random_token(bytes: usize) -> String {
    let mut buf = vec![0u8; bytes];
    rand::thread_rng().fill_bytes(&mut buf);
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(buf)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn himosoft_vectors_from_providers_md() {
        let ts = b"1714764000";
        assert_eq!(
            hmac_hex(b"himo_sk_...", &[ts, br#"{"amount": "10.00"}"#]),
            "bc4726ec92ee45e147e81260d9e10755f9207fbbf41c61b5bfdf1b2318c14173"
        );
        assert_eq!(
            hmac_hex(b"himo_sk_test_123", &[ts, br#"{"amount": "10.00"}"#]),
            "74150ad7663b962c4fe3497280dbfa02c9372626a6ca87ae20a71f2585d3bab8"
        );
        let body = br#"{"amount":"1500.00","currency":"BDT","order_id":"TRANS_001","callback_url":"https://yoursite.com/hook","idempotency_key":"unique_8822"}"#;
        assert_eq!(
            hmac_hex(b"himo_sk_test_123", &[ts, body]),
            "f14e66a80a604e6d140e70407f29a391ee09f08a210c0760fb383bd994361fad"
        );
        assert_eq!(
            hmac_hex(b"himo_sk_test_123", &[ts, b""]),
            "c03995aa40c466f5c7057a75fb42a96621b0e7e861f1e68b3d3616ff984d3cf4"
        );
        let key = HmacKey::new(b"himo_sk_test_123");
        let upper = "C03995AA40C466F5C7057A75FB42A96621B0E7E861F1E68B3D3616FF984D3CF4";
        assert!(key.verify_hex(&[ts, b""], upper));
        assert!(key.verify_hex(&[ts, b""], &format!(" {} ", upper.to_lowercase())));
        assert!(!key.verify_hex(&[ts, b"x"], upper));
        assert!(!key.verify_hex(&[ts, b""], "c03995aa"));
        assert!(!key.verify_hex(&[ts, b""], &format!("{upper}00")));
        assert!(!key.verify_hex(&[ts, b""], &upper.replace('C', "g")));
        let other = HmacKey::new(b"himo_sk_test_124");
        assert!(!other.verify_hex(&[ts, b""], upper));
        assert_eq!(format!("{key:?}"), "HmacKey(..)");
    }

    #[test]
    fn sealed_secrets_open_only_with_the_same_key_and_row() {
        let key = SecretBox::generate_key();
        let sb = SecretBox::from_base64(&key).unwrap();
        let sealed = sb.seal(b"mer_secret", "sec_1");
        assert!(!sealed.windows(10).any(|w| w == b"mer_secret"));
        assert_eq!(sb.open(&sealed, "sec_1").unwrap(), b"mer_secret");
        assert!(sb.open(&sealed, "sec_2").is_err());
        let other = SecretBox::from_base64(&SecretBox::generate_key()).unwrap();
        assert!(other.open(&sealed, "sec_1").is_err());
        assert!(SecretBox::from_base64("c2hvcnQ=").is_err());
    }
}
