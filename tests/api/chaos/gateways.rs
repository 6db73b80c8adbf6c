//! The seven gateways as the simulation sees them: what each takes (currencies), what its
//! simulator lets the world do (page outcomes, late money, dashboard refunds, reports about
//! another charge) and what Payrail can learn of it. What a gateway cannot do, or Payrail
//! cannot see, is not drawn (bKash's portal refunds, B8/B11 in docs/gateways/bkash.md).

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Gw {
    Psc,
    HitPay,
    Paymento,
    Pakhi,
    HimoSoft,
    Stripe,
    Bkash,
}

/// Customer outcomes on the older gateways' pages.
const OUTCOMES: [(&str, u32); 6] = [
    ("pay", 40),
    ("underpay", 10),
    ("fail", 10),
    ("cancel", 10),
    ("expire", 10),
    ("process", 10),
];

/// Stripe Checkout: a card charged, a delayed method (`process`) that settles later
/// (`async_succeed` / `async_fail`, offered only on such a session), a decline that keeps the
/// session open, the back link, the session's time running out.
const STRIPE_OUTCOMES: [(&str, u32); 7] = [
    ("pay", 40),
    ("process", 10),
    ("async_succeed", 10),
    ("async_fail", 5),
    ("fail", 10),
    ("cancel", 10),
    ("expire", 10),
];

/// bKash: the customer only authorises (the money moves at Payrail's execute); fails, cancels,
/// or lets the page time out.
const BKASH_OUTCOMES: [(&str, u32); 4] = [
    ("authorise", 50),
    ("fail", 15),
    ("cancel", 15),
    ("expire", 10),
];

impl Gw {
    pub const ALL: [Gw; 7] = [
        Gw::Psc,
        Gw::HitPay,
        Gw::Paymento,
        Gw::Pakhi,
        Gw::HimoSoft,
        Gw::Stripe,
        Gw::Bkash,
    ];

    pub fn id(self) -> &'static str {
        match self {
            Gw::Psc => "paystablecoin",
            Gw::HitPay => "hitpay",
            Gw::Paymento => "paymento",
            Gw::Pakhi => "pakhipay",
            Gw::HimoSoft => "himosoft",
            Gw::Stripe => "stripe",
            Gw::Bkash => "bkash",
        }
    }

    pub fn parse(id: &str) -> Option<Gw> {
        Gw::ALL.into_iter().find(|g| g.id() == id)
    }

    /// The currencies a payment pinned to this gateway is made in (JPY exercises Stripe's
    /// zero-decimal amounts).
    pub fn currencies(self) -> &'static [&'static str] {
        match self {
            Gw::Psc | Gw::Paymento => &["USD"],
            Gw::HitPay => &["SGD"],
            Gw::Pakhi | Gw::HimoSoft | Gw::Bkash => &["BDT"],
            Gw::Stripe => &["USD", "JPY"],
        }
    }

    pub fn partial_refunds(self) -> bool {
        matches!(self, Gw::HitPay | Gw::Stripe | Gw::Bkash)
    }

    /// A refund made in the gateway's dashboard is something Payrail can learn of (bKash's
    /// portal refunds are invisible to it: B11).
    pub fn dashboard_refunds(self) -> bool {
        matches!(self, Gw::Psc | Gw::HitPay | Gw::Stripe)
    }

    /// A refund that succeeded can fail later (Stripe's simulator, R14).
    pub fn refunds_fail_later(self) -> bool {
        self == Gw::Stripe
    }

    /// The simulator can make money arrive on an order that is not paid.
    pub fn late_payments(self) -> bool {
        self != Gw::Bkash
    }

    /// What a customer may do on this gateway's page, with weights.
    pub fn outcomes(self) -> &'static [(&'static str, u32)] {
        match self {
            Gw::Stripe => &STRIPE_OUTCOMES,
            Gw::Bkash => &BKASH_OUTCOMES,
            _ => &OUTCOMES,
        }
    }
}

/// Digits after the point in `currency` (JPY has none).
pub fn digits(currency: &str) -> u32 {
    if currency == "JPY" {
        0
    } else {
        2
    }
}

/// `12.34` for 1234 minor units of a two-digit currency, `1234` for ¥1234.
pub fn decimal(minor: i64, currency: &str) -> String {
    match digits(currency) {
        0 => minor.to_string(),
        _ => format!("{}.{:02}", minor / 100, minor % 100),
    }
}

/// Minor units of `currency` in a simulator oracle's decimal (`"1500.00"` is ¥1500).
pub fn minor(text: &str, currency: &str) -> i64 {
    let (whole, frac) = text.split_once('.').unwrap_or((text, "0"));
    let scale = 10_i64.pow(digits(currency));
    let frac = format!("{frac:0<2}");
    let frac: i64 = frac[..digits(currency) as usize].parse().unwrap_or(0);
    whole.parse::<i64>().unwrap() * scale + frac
}
