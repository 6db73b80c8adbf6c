//! Drawing the next step from the seed, given what the world holds now. Every choice comes from
//! the seeded generator, so a seed draws the same steps again as long as Payrail answers the
//! same way (which is what a replay checks).

use super::model::{Fault, FaultMode, Gw, Kind, Step};
use super::world::World;
use rand::seq::SliceRandom;
use rand::Rng;

/// At most this many payments per run: enough to interleave, few enough to keep a run short.
const MAX_PAYMENTS: usize = 6;

const TICKS: [i64; 5] = [1, 6, 30, 90, 25 * 60];

fn weighted<T: Copy>(rng: &mut impl Rng, options: &[(T, u32)]) -> T {
    let total: u32 = options.iter().map(|(_, w)| w).sum();
    let mut roll = rng.gen_range(0..total);
    for (item, w) in options {
        if roll < *w {
            return *item;
        }
        roll -= w;
    }
    options[options.len() - 1].0
}

#[derive(Clone, Copy)]
enum What {
    Create,
    RetryCreate,
    Refund,
    Cancel,
    Recheck,
    Pick,
    Checkout,
    LatePayment,
    DashboardRefund,
    OtherCharge,
    RefundFails,
    OpsReview,
    TamperedReturn,
    ExpireTokens,
    Release,
    Tick,
}

impl World<'_> {
    pub async fn next_step(&mut self) -> Step {
        if self.payments.is_empty() {
            return self.draw_create();
        }
        loop {
            let mut menu = vec![
                (What::Checkout, 30),
                (What::Refund, 10),
                (What::Recheck, 6),
                (What::Cancel, 4),
                (What::LatePayment, 3),
                (What::DashboardRefund, 3),
                (What::OtherCharge, 3),
                (What::RefundFails, 8),
                (What::OpsReview, 10),
                (What::TamperedReturn, 2),
                (What::ExpireTokens, 2),
                (What::Tick, 8),
                (What::RetryCreate, 3),
                (What::Pick, 8),
            ];
            if self.payments.len() < MAX_PAYMENTS {
                menu.push((What::Create, 12));
            }
            if !self.held.is_empty() {
                menu.push((What::Release, 8));
            }
            let what = weighted(&mut self.rng, &menu);
            if let Some(step) = self.draw(what).await {
                return step;
            }
        }
    }

    /// A step of kind `what`, or `None` when nothing in the world fits it now.
    async fn draw(&mut self, what: What) -> Option<Step> {
        let p = self.rng.gen_range(0..self.payments.len());
        Some(match what {
            What::Create => self.draw_create(),
            What::RetryCreate => {
                let keyed: Vec<usize> = (0..self.payments.len())
                    .filter(|i| self.payments[*i].key.is_some())
                    .collect();
                Step::RetryCreate {
                    p: *keyed.choose(&mut self.rng)?,
                }
            }
            What::Refund => {
                let gw = self.gateway_of(p).await?;
                // A partial refund where the gateway has none is refused before any call.
                let partial_odds = if gw.partial_refunds() { 0.5 } else { 0.15 };
                let amount_minor = if !self.rng.gen_bool(partial_odds) {
                    None
                } else {
                    Some(self.rng.gen_range(1..=self.payments[p].amount_minor))
                };
                let key = self
                    .rng
                    .gen_bool(0.5)
                    .then(|| format!("rk{}-{}", self.seed, self.rng.gen_range(0..4)));
                Step::Refund {
                    p,
                    amount_minor,
                    key,
                    fault: self.draw_fault(gw),
                }
            }
            What::Cancel => Step::Cancel {
                p,
                fault: self.gateway_of(p).await.and_then(|g| self.draw_fault(g)),
            },
            What::Recheck => Step::Recheck {
                p,
                fault: self.gateway_of(p).await.and_then(|g| self.draw_fault(g)),
            },
            What::Pick => {
                let hosted: Vec<usize> = (0..self.payments.len())
                    .filter(|i| matches!(self.payments[*i].kind, Kind::Hosted(_)))
                    .collect();
                let p = *hosted.choose(&mut self.rng)?;
                // Taka is paid by mobile banking (Pakhi Pay, HimoSoft, bKash): mostly that, so
                // hosted BDT reaches its gateways; sometimes a method no taka gateway offers.
                let methods: &[&str] = match self.payments[p].kind.currency() {
                    "BDT" => &["mobile_banking", "mobile_banking", "mobile_banking", "card"],
                    _ => &["card", "mobile_banking", "crypto"],
                };
                let method = *methods.choose(&mut self.rng)?;
                let gw = *Gw::ALL.choose(&mut self.rng)?;
                Step::Pick {
                    p,
                    method,
                    fault: self.draw_fault(gw),
                }
            }
            What::Checkout => {
                let (attempt, gw) = self.draw_attempt(p, |_| true).await?;
                Step::Checkout {
                    p,
                    attempt,
                    outcome: weighted(&mut self.rng, gw.outcomes()),
                    come_back: self.rng.gen_bool(0.5),
                }
            }
            What::LatePayment => Step::LatePayment {
                p,
                attempt: self.draw_attempt(p, Gw::late_payments).await?.0,
            },
            What::DashboardRefund => {
                let (attempt, _) = self.draw_attempt(p, Gw::dashboard_refunds).await?;
                let partial = self.rng.gen_bool(0.5);
                let amount_minor =
                    partial.then(|| self.rng.gen_range(1..=self.payments[p].amount_minor));
                Step::DashboardRefund {
                    p,
                    attempt,
                    amount_minor,
                }
            }
            What::OtherCharge => Step::OtherCharge {
                p,
                attempt: self.draw_attempt(p, |g| g == Gw::HitPay).await?.0,
                succeeded: self.rng.gen_bool(0.4),
            },
            What::RefundFails => {
                // A payment with money refunded, so that there is a refund to fail.
                let p = *self.refunded_payments().await.choose(&mut self.rng)?;
                Step::RefundFails {
                    p,
                    attempt: self.draw_attempt(p, Gw::refunds_fail_later).await?.0,
                }
            }
            What::OpsReview => Step::OpsReview {
                p: *self.reversal_reviews().await.choose(&mut self.rng)?,
            },
            What::TamperedReturn => Step::TamperedReturn {
                p,
                wrong_token: self.rng.gen_bool(0.5),
            },
            What::ExpireTokens => Step::ExpireTokens,
            What::Release => Step::Release {
                held: self.rng.gen_range(0..self.held.len().max(1)),
            },
            What::Tick => Step::Tick {
                minutes: *TICKS.choose(&mut self.rng)?,
            },
        })
    }

    fn draw_create(&mut self) -> Step {
        let kind = if self.rng.gen_bool(0.75) {
            let gw = *Gw::ALL.choose(&mut self.rng).unwrap();
            Kind::Pinned(gw, gw.currencies().choose(&mut self.rng).unwrap())
        } else {
            Kind::Hosted(["USD", "BDT", "JPY"].choose(&mut self.rng).unwrap())
        };
        let key = self
            .rng
            .gen_bool(0.6)
            .then(|| format!("ck{}-{}", self.seed, self.payments.len()));
        let amount_minor = self.rng.gen_range(100..=50_000);
        let fault = match kind {
            Kind::Pinned(gw, _) => self.draw_fault(gw),
            Kind::Hosted(_) => None,
        };
        Step::Create {
            kind,
            key,
            amount_minor,
            fault,
        }
    }

    /// A fault for the step's gateway call, a quarter of the time.
    fn draw_fault(&mut self, gw: Gw) -> Option<Fault> {
        if !self.rng.gen_bool(0.25) {
            return None;
        }
        let modes = [
            (FaultMode::Timeout, 30),
            (FaultMode::Http500, 30),
            (FaultMode::Malformed, 25),
            (FaultMode::Refuse, 15),
        ];
        Some(Fault {
            gw,
            mode: weighted(&mut self.rng, &modes),
        })
    }

    /// An attempt of payment `p` at a gateway `fits`: its index and gateway.
    async fn draw_attempt(&mut self, p: usize, fits: impl Fn(Gw) -> bool) -> Option<(usize, Gw)> {
        let attempts = self.attempts(p).await;
        let fitting: Vec<(usize, Gw)> = (0..attempts.len())
            .filter(|i| fits(attempts[*i].gw) && attempts[*i].sim_id().is_some())
            .map(|i| (i, attempts[i].gw))
            .collect();
        fitting.choose(&mut self.rng).copied()
    }

    /// The gateway a payment's calls go to now (its latest attempt's).
    async fn gateway_of(&self, p: usize) -> Option<Gw> {
        match self.payments[p].kind {
            Kind::Pinned(gw, _) => Some(gw),
            Kind::Hosted(_) => self.attempts(p).await.last().map(|a| a.gw),
        }
    }
}
