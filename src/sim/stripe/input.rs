//! Request bodies as Stripe reads them: `application/x-www-form-urlencoded` with bracket keys
//! (`line_items[0][price_data][currency]`), kept flat, plus the field checks shared by the routes.
//!
//! A key's brackets may arrive percent-encoded (as Stripe's libraries send them) or bare; both
//! decode to the same key. `canonical` is what idempotency compares: the decoded pairs, sorted,
//! so the same parameters in another order are the same request.

use std::collections::BTreeMap;

use super::errors::ApiError;

#[derive(Debug, Default, Clone)]
pub struct Form {
    pairs: Vec<(String, String)>,
}

impl Form {
    pub fn parse(body: &[u8]) -> Self {
        Form {
            pairs: url::form_urlencoded::parse(body).into_owned().collect(),
        }
    }

    /// The first value of `key`; an empty value counts as absent (Stripe's "unset").
    pub fn get(&self, key: &str) -> Option<&str> {
        self.pairs
            .iter()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v.as_str())
            .filter(|v| !v.is_empty())
    }

    pub fn required(&self, key: &'static str) -> Result<&str, ApiError> {
        self.get(key)
            .ok_or_else(|| ApiError::invalid(key, format!("Missing required param: {key}.")))
    }

    /// An integer field, or Stripe's "Invalid integer" error.
    pub fn int(&self, key: &'static str) -> Result<Option<i64>, ApiError> {
        match self.get(key) {
            None => Ok(None),
            Some(v) => v.parse::<i64>().map(Some).map_err(|_| ApiError::Invalid {
                param: Some(key),
                code: Some("parameter_invalid_integer"),
                message: format!("Invalid integer: {v}"),
            }),
        }
    }

    /// The entries of a hash parameter: `prefix[name]=value` → `name: value`.
    pub fn hash(&self, prefix: &str) -> BTreeMap<String, String> {
        let open = format!("{prefix}[");
        self.pairs
            .iter()
            .filter_map(|(k, v)| {
                let name = k.strip_prefix(&open)?.strip_suffix(']')?;
                (!name.contains('[')).then(|| (name.to_owned(), v.clone()))
            })
            .collect()
    }

    /// The values of an array parameter: `name[0]`, `name[1]`, … or `name[]`.
    pub fn list(&self, name: &str) -> Vec<String> {
        let open = format!("{name}[");
        self.pairs
            .iter()
            .filter(|(k, _)| {
                k.strip_prefix(&open)
                    .and_then(|rest| rest.strip_suffix(']'))
                    .is_some_and(|i| i.bytes().all(|b| b.is_ascii_digit()))
            })
            .map(|(_, v)| v.clone())
            .collect()
    }

    /// The request's parameters, decoded and sorted, as one string.
    pub fn canonical(&self) -> String {
        let mut pairs = self.pairs.clone();
        pairs.sort();
        serde_urlencoded::to_string(&pairs).unwrap_or_default()
    }
}

/// An http(s) URL, or Stripe's "Not a valid URL".
pub fn url(param: &'static str, value: &str) -> Result<String, ApiError> {
    match url::Url::parse(value) {
        Ok(u) if matches!(u.scheme(), "http" | "https") => Ok(value.to_owned()),
        _ => Err(ApiError::Invalid {
            param: Some(param),
            code: Some("url_invalid"),
            message: "Not a valid URL".into(),
        }),
    }
}

/// The `expand[]` paths of a query string (`expand[]=a.b`, `expand[0]=a`).
pub fn expansions(query: &str) -> Vec<String> {
    url::form_urlencoded::parse(query.as_bytes())
        .filter(|(k, _)| k.starts_with("expand["))
        .map(|(_, v)| v.into_owned())
        .collect()
}
