//! What the webhook tests of every gateway ask of the webhook journal, written once: its rows,
//! the gateway account a hand-made delivery is posted to (and a request to post it), and the
//! check that re-sent copies of one webhook are applied once.

use super::TestApp;

impl TestApp {
    /// The journal, oldest first: (whether the delivery verified, its result).
    pub async fn journal(&self) -> Vec<(bool, Option<String>)> {
        let rows: Vec<(String, Option<String>)> =
            sqlx::query_as("SELECT verification, result FROM webhook_journal ORDER BY id")
                .fetch_all(&self.pool)
                .await
                .unwrap();
        rows.into_iter()
            .map(|(v, r)| (v.starts_with("verified"), r))
            .collect()
    }

    /// The id of the test's one gateway account (the last segment of its webhook URL).
    pub async fn account_id(&self) -> String {
        sqlx::query_scalar("SELECT id FROM provider_accounts")
            .fetch_one(&self.pool)
            .await
            .unwrap()
    }

    /// A POST to the `provider` webhook URL of the test's one gateway account, as the gateway
    /// (or a forger) would send it.
    pub async fn webhook_post(&self, provider: &str) -> reqwest::RequestBuilder {
        let account = self.account_id().await;
        let url = format!("{}/v1/webhooks/{provider}/{account}/", self.address);
        self.client.post(url)
    }

    /// After a payment's completing webhook and `copies` re-sent copies of it: the first was
    /// applied, every copy journalled as a duplicate, and the payment completed once.
    pub async fn assert_applied_once(&self, copies: usize) {
        let results: Vec<Option<String>> =
            self.journal().await.into_iter().map(|(_, r)| r).collect();
        let mut expected = vec![Some("applied".to_owned())];
        expected.extend(std::iter::repeat_n(Some("duplicate".to_owned()), copies));
        assert_eq!(results, expected);
        let completions: i64 = sqlx::query_scalar(
            "SELECT count(*) FROM payment_events WHERE type = 'payment.completed'",
        )
        .fetch_one(&self.pool)
        .await
        .unwrap();
        assert_eq!(completions, 1);
    }
}
