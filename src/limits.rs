//! Every size cap on what a peer sends or answers, in one place (issue 15, items 10 and 11).
//!
//! Payrail talks to peers it does not control: anyone on the internet can post to the gateway
//! webhook endpoint (unauthenticated until verified), a merchant's webhook receiver answers
//! whatever it likes, and so does a gateway's API or something impersonating it. None of them
//! may make Payrail hold in memory, or keep in its store, more than these caps, whatever they
//! send. Each cap is well above what the honest peer sends, so it only ever bites a hostile or
//! broken one; what happens past it is documented where the cap is applied.

use bytes::{Bytes, BytesMut};

/// A request body (docs/api.md, "Basics"): a larger one is refused with 413 `payload_too_large`
/// before it is read whole (`http::body`).
pub const MAX_REQUEST_BODY: usize = 64 * 1024;

/// Of a gateway webhook's body, the journal keeps the first 16 KiB; the row says how long the
/// body was and that it was cut. Every gateway's real webhooks are under 4 KiB, so an honest
/// one is always kept whole; verification and parsing always see every byte received.
pub const JOURNAL_BODY: usize = 16 * 1024;

/// Of a webhook's headers, the journal keeps at most this many of the ones that matter
/// (signatures, timestamps, content type), each name cut to [`JOURNAL_HEADER_NAME`] bytes and
/// each value to [`JOURNAL_TEXT`].
pub const JOURNAL_HEADERS: usize = 16;
pub const JOURNAL_HEADER_NAME: usize = 64;

/// Any other text the journal keeps from a delivery (a header value, the verification result,
/// which may quote the body) is cut to this many bytes.
///
/// So one journal row holds at most about 26 KiB of what its sender chose: 16 KiB of body,
/// 16 × (64 + 512) bytes of headers and 512 bytes of verification text.
pub const JOURNAL_TEXT: usize = 512;

/// A merchant receiver's answer to a webhook: only its first KiB is read, kept in the timeline
/// (docs/operations.md, "Outbox"), and the connection is then dropped unread.
pub const DELIVERY_EXCERPT: usize = 1024;

/// A gateway's answer to an API call. Real answers are a few KiB; one that goes past 1 MiB is
/// not read further and the call's outcome is `Unknown` (like a garbled answer), so the
/// payment is kept and reconciled, never lost.
pub const GATEWAY_ANSWER: usize = 1024 * 1024;

/// What was read of an answer: at most the cap, and whether the answer went on past it.
#[derive(Debug)]
pub struct Capped {
    pub bytes: Bytes,
    pub exceeded: bool,
}

/// Reads an answer's body chunk by chunk and stops at `cap` bytes. The rest is never read:
/// dropping the response closes its connection instead of draining it.
pub async fn read_at_most(
    mut response: reqwest::Response,
    cap: usize,
) -> Result<Capped, reqwest::Error> {
    let mut kept = BytesMut::new();
    while let Some(chunk) = response.chunk().await? {
        let room = cap - kept.len();
        if chunk.len() > room {
            kept.extend_from_slice(&chunk[..room]);
            return Ok(Capped {
                bytes: kept.freeze(),
                exceeded: true,
            });
        }
        kept.extend_from_slice(&chunk);
    }
    Ok(Capped {
        bytes: kept.freeze(),
        exceeded: false,
    })
}

/// `text` cut to at most `max` bytes, on a character boundary.
pub fn cut_text(text: &str, max: usize) -> &str {
    if text.len() <= max {
        return text;
    }
    let mut end = max;
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    &text[..end]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_is_cut_on_a_character_boundary() {
        assert_eq!(cut_text("short", 10), "short");
        assert_eq!(cut_text("abcdef", 3), "abc");
        // "é" is two bytes: a cut in its middle keeps neither.
        assert_eq!(cut_text("aé", 2), "a");
    }
}
