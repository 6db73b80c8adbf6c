//! Reading request bodies the way an ASP.NET server binds them: property names match
//! case-insensitively (P4, P5 of docs/gateways/paymento.md; `"IPN_Url "` with its stray space too),
//! and values are kept as raw JSON text so amounts are parsed into `Decimal` from their digits,
//! never through a float.

use std::collections::HashMap;
use std::str::FromStr;

use rust_decimal::Decimal;
use serde_json::value::RawValue;

pub struct Body {
    fields: HashMap<String, Box<RawValue>>,
}

impl Body {
    /// `None` when the bytes are not a JSON object.
    pub fn parse(bytes: &[u8]) -> Option<Self> {
        let raw: HashMap<String, Box<RawValue>> = serde_json::from_slice(bytes).ok()?;
        Some(Body {
            fields: raw
                .into_iter()
                .map(|(k, v)| (k.trim().to_ascii_lowercase(), v))
                .collect(),
        })
    }

    /// The first of `names` (lower-case) that is present and not `null`.
    fn raw(&self, names: &[&str]) -> Option<&str> {
        names
            .iter()
            .filter_map(|n| self.fields.get(*n))
            .map(|v| v.get().trim())
            .find(|v| *v != "null")
    }

    /// A string value (`Err` when present but not a string).
    pub fn string(&self, names: &[&str]) -> Result<Option<String>, ()> {
        match self.raw(names) {
            None => Ok(None),
            Some(v) => serde_json::from_str::<String>(v).map(Some).map_err(|_| ()),
        }
    }

    /// An integer, also as a numeric string.
    pub fn integer(&self, names: &[&str]) -> Result<Option<i64>, ()> {
        match self.raw(names) {
            None => Ok(None),
            Some(v) => {
                let text = serde_json::from_str::<String>(v).unwrap_or_else(|_| v.to_owned());
                text.trim().parse().map(Some).map_err(|_| ())
            }
        }
    }

    /// A decimal from a string (`"10.50"`, as documented) or a JSON number's own digits.
    pub fn decimal(&self, names: &[&str]) -> Result<Option<Decimal>, ()> {
        match self.raw(names) {
            None => Ok(None),
            Some(v) => {
                let text = serde_json::from_str::<String>(v).unwrap_or_else(|_| v.to_owned());
                Decimal::from_str(text.trim()).map(Some).map_err(|_| ())
            }
        }
    }

    /// `[{key, value}]` (either casing); entries that are not string pairs are skipped.
    pub fn pairs(&self, names: &[&str]) -> Vec<(String, String)> {
        let Some(v) = self.raw(names) else {
            return Vec::new();
        };
        let items: Vec<Box<RawValue>> = serde_json::from_str(v).unwrap_or_default();
        items
            .iter()
            .filter_map(|item| {
                let b = Body::parse(item.get().as_bytes())?;
                Some((b.string(&["key"]).ok()??, b.string(&["value"]).ok()??))
            })
            .collect()
    }
}
