//! `Idempotency-Key` on every POST, as Stripe keeps it: per account, the first answer that came
//! out of the endpoint (a 2xx; validation errors are not saved, so a corrected retry may reuse
//! the key) is replayed for the same key with the same endpoint and parameters; the same key
//! with anything else is a 400 `idempotency_error`. Keys are kept until `_sim/reset` (Stripe:
//! 24 hours).

use super::errors::{Answer, ApiError};
use super::input::Form;
use super::state::{Saved, State};

/// Runs `work` once per `(secret_key, key)`; without a key, every time.
pub fn once(
    st: &mut State,
    secret_key: &str,
    key: Option<&str>,
    endpoint: &str,
    form: &Form,
    work: impl FnOnce(&mut State) -> Result<Answer, ApiError>,
) -> Result<Answer, ApiError> {
    let Some(key) = key else {
        return work(st);
    };
    let request = format!("{endpoint}?{}", form.canonical());
    let slot = (secret_key.to_owned(), key.to_owned());
    if let Some(saved) = st.saved.get(&slot) {
        return if saved.request == request {
            Ok(Answer {
                status: saved.status,
                body: saved.body.clone(),
            })
        } else {
            Err(ApiError::Idempotency(key.to_owned()))
        };
    }
    let answer = work(st)?;
    st.saved.insert(
        slot,
        Saved {
            request,
            status: answer.status,
            body: answer.body.clone(),
        },
    );
    Ok(answer)
}
