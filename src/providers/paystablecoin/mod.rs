//! PayStableCoin Hosted Payments adapter (placeholder, replaced by the real adapter).

pub struct PayStableCoin;

impl PayStableCoin {
    pub fn new(_client: reqwest::Client) -> Self {
        Self
    }
}
