//! Peers that answer huge bodies cost Payrail only what it keeps (issue 15, item 11): a
//! merchant receiver's answer is read up to the timeline's excerpt, a gateway's up to its cap,
//! past which the call's outcome is unknown (502, the payment kept), never read whole.

use crate::delivery::{deliver_all, worker};
use crate::helpers::{spawn_app, TestApp, PSC_API_KEY, PSC_MERCHANT, PSC_SECRET};
use actix_web::{web, App, HttpResponse, HttpServer};
use payrail::limits::{DELIVERY_EXCERPT, GATEWAY_ANSWER};
use serde_json::{json, Value};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;

const CHUNK: usize = 64 * 1024;
static XS: [u8; CHUNK] = [b'x'; CHUNK];
static SPACES: [u8; CHUNK] = [b' '; CHUNK];

/// A server answering every request 200 with `chunks` × `filler` (64 KiB each) then `tail`,
/// streamed from static buffers (the test allocates none of it); counts the chunks it handed
/// out.
struct HugeAnswers {
    base: String,
    produced: Arc<AtomicUsize>,
}

impl HugeAnswers {
    fn start(filler: &'static [u8; CHUNK], chunks: usize, tail: &'static str) -> Self {
        let produced = Arc::new(AtomicUsize::new(0));
        let counter = produced.clone();
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        let server = HttpServer::new(move || {
            let counter = counter.clone();
            App::new().default_service(web::to(move || {
                let counter = counter.clone();
                async move {
                    let body = (0..chunks)
                        .map(move |_| {
                            counter.fetch_add(1, Ordering::Relaxed);
                            web::Bytes::from_static(filler)
                        })
                        .chain(std::iter::once(web::Bytes::from_static(tail.as_bytes())))
                        .map(Ok::<_, std::convert::Infallible>);
                    HttpResponse::Ok()
                        .content_type("application/json")
                        .streaming(futures_util::stream::iter(body))
                }
            }))
        })
        .workers(1)
        .listen(listener)
        .unwrap()
        .run();
        tokio::spawn(server);
        Self {
            base: format!("http://127.0.0.1:{port}"),
            produced,
        }
    }
}

#[tokio::test]
async fn a_receiver_answering_64_mib_is_read_only_up_to_the_excerpt() {
    let app = spawn_app().await;
    let m = app.merchant_with_psc().await;
    let chunks = 1024; // 64 MiB
    let receiver = HugeAnswers::start(&XS, chunks, "");
    let p = app
        .create_payment(
            &m,
            json!({ "callback_url": format!("{}/hook", receiver.base) }),
        )
        .await;
    app.sim_checkout(&p, "pay").await;
    deliver_all(&worker(&app).await).await;

    let id = p["id"].as_str().unwrap();
    let (_, events) = app.get(&format!("/v1/payments/{id}/events"), &m).await;
    let attempts: Vec<&Value> = events
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["type"] == "webhook.attempt")
        .collect();
    assert_eq!(attempts.len(), 1, "delivered on the first attempt");
    let detail = &attempts[0]["detail"];
    assert_eq!(detail["status"], 200);
    assert_eq!(detail["outcome"], "delivered");
    assert_eq!(
        detail["answer"].as_str().unwrap(),
        "x".repeat(DELIVERY_EXCERPT),
        "the excerpt, no more"
    );
    assert!(
        receiver.produced.load(Ordering::Relaxed) < chunks,
        "the answer was not read to its end"
    );
}

async fn connect_psc_at(app: &TestApp, m: &crate::helpers::Merchant, base_url: &str) {
    app.connect(
        m,
        "paystablecoin",
        json!({
            "credentials": { "merchant_id": PSC_MERCHANT, "api_key": PSC_API_KEY, "api_secret": PSC_SECRET },
            "base_url": base_url,
        }),
    )
    .await;
}

#[tokio::test]
async fn a_gateway_answering_past_the_cap_is_an_unknown_outcome_and_loses_nothing() {
    let app = spawn_app().await;
    let m = app.create_merchant().await;
    // A definitive refusal, were it read whole (JSON allows the leading blanks): past the cap
    // it is not read, so nothing in it is believed and the outcome is unknown.
    let refusal = r#"{"code":"10001","message":"refused"}"#;
    let gateway = HugeAnswers::start(&SPACES, 2 * GATEWAY_ANSWER / CHUNK, refusal);
    connect_psc_at(&app, &m, &gateway.base).await;
    let body = json!({ "amount": "25.00", "currency": "USD", "order_id": "HUGE",
                       "provider": "paystablecoin", "idempotency_key": "huge-1" })
    .to_string();
    let (status, answer) = app.post("/v1/payments", &body, &m).await;
    assert_eq!(
        (status, &answer["error"]),
        (502, &json!("provider_unavailable"))
    );
    assert_eq!(app.count("payments").await, 1, "the payment is kept");
    assert_eq!(app.count("attempts").await, 1);
    let id: String = sqlx::query_scalar("SELECT id FROM payments")
        .fetch_one(&app.pool)
        .await
        .unwrap();
    assert_eq!(app.status_of(&id, &m).await, "pending");

    // A query answered the same way is unknown too.
    let (status, answer) = app
        .post(&format!("/v1/payments/{id}/recheck"), "", &m)
        .await;
    assert_eq!(
        (status, &answer["error"]),
        (502, &json!("provider_unavailable"))
    );

    // With the real gateway back, the retry with the same key finishes the same payment.
    connect_psc_at(&app, &m, &format!("{}/paystablecoin", app.sim_address)).await;
    let (status, created) = app.post("/v1/payments", &body, &m).await;
    assert_eq!(status, 201, "{created}");
    assert_eq!(created["id"], id.as_str());
    assert_eq!(app.count("payments").await, 1);
}
