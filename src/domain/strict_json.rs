//! One pass over a JSON body before anything reads it: what serde_json would let through
//! silently is refused here, naming the field.
//!
//! - **Duplicate keys.** serde_json keeps the last one, so `{"amount":"1.00","amount":"1000.00"}`
//!   stored 1000.00, while the signature (over the bytes) was what the merchant reviewed.
//! - **U+0000** in any string or key. Postgres cannot store it in `text` or `jsonb`, so it was a
//!   500 there and stored on SQLite: the two stores disagreed. Other control characters are
//!   judged per field by the parsers that know which fields are single-line.
//!
//! Nesting depth is bounded by serde_json's recursion limit (128), and the body by its 64 KiB cap.

use serde::de::{self, DeserializeSeed, MapAccess, SeqAccess, Visitor};
use std::cell::RefCell;
use std::collections::HashSet;
use std::fmt;

/// What was wrong, and where: `field` is a dotted path (`customer.name`, `items[2]`), empty for
/// the body itself.
#[derive(Debug, PartialEq, Eq)]
pub struct Problem {
    pub field: String,
    pub message: String,
}

/// Checks `body` as JSON; `Ok` means it parses and has neither duplicate keys nor NUL characters.
pub fn check(body: &[u8]) -> Result<(), Problem> {
    let found = RefCell::new(None);
    let mut de = serde_json::Deserializer::from_slice(body);
    let result = Node {
        path: String::new(),
        found: &found,
    }
    .deserialize(&mut de)
    .and_then(|()| de.end());
    if let Some(problem) = found.into_inner() {
        return Err(problem);
    }
    result.map_err(|e| Problem {
        field: String::new(),
        message: format!("body is not valid JSON: {e}"),
    })
}

struct Node<'a> {
    path: String,
    found: &'a RefCell<Option<Problem>>,
}

impl Node<'_> {
    fn fail<E: de::Error>(&self, field: &str, message: &str) -> E {
        *self.found.borrow_mut() = Some(Problem {
            field: field.to_owned(),
            message: message.to_owned(),
        });
        E::custom(message)
    }

    fn child(&self, name: String) -> Self {
        Node {
            path: name,
            found: self.found,
        }
    }

    fn key_path(&self, key: &str) -> String {
        if self.path.is_empty() {
            key.to_owned()
        } else {
            format!("{}.{key}", self.path)
        }
    }
}

impl<'de> DeserializeSeed<'de> for Node<'_> {
    type Value = ();

    fn deserialize<D: de::Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for Node<'_> {
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("any JSON value")
    }

    fn visit_bool<E>(self, _: bool) -> Result<(), E> {
        Ok(())
    }

    fn visit_i64<E>(self, _: i64) -> Result<(), E> {
        Ok(())
    }

    fn visit_u64<E>(self, _: u64) -> Result<(), E> {
        Ok(())
    }

    fn visit_f64<E>(self, _: f64) -> Result<(), E> {
        Ok(())
    }

    fn visit_unit<E>(self) -> Result<(), E> {
        Ok(())
    }

    fn visit_str<E: de::Error>(self, s: &str) -> Result<(), E> {
        if s.contains('\0') {
            return Err(self.fail(&self.path, "must not contain a NUL character"));
        }
        Ok(())
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
        let mut index = 0usize;
        while seq
            .next_element_seed(self.child(format!("{}[{index}]", self.path)))?
            .is_some()
        {
            index += 1;
        }
        Ok(())
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
        let mut seen = HashSet::new();
        while let Some(key) = map.next_key::<String>()? {
            let path = self.key_path(&key);
            if key.contains('\0') {
                return Err(self.fail(&self.path, "has a key with a NUL character"));
            }
            if !seen.insert(key) {
                return Err(self.fail(&path, "appears more than once"));
            }
            map.next_value_seed(self.child(path))?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn problem(body: &str) -> Option<(String, String)> {
        check(body.as_bytes()).err().map(|p| (p.field, p.message))
    }

    #[test]
    fn plain_json_passes() {
        for ok in [
            r#"{"amount":"1.00","customer":{"name":"Ann"},"tags":["a","b"],"n":1.5,"x":null}"#,
            r#"[]"#,
            r#""text""#,
            r#"{"a":{"b":1},"c":{"b":2}}"#,
        ] {
            assert_eq!(problem(ok), None, "{ok}");
        }
    }

    #[test]
    fn a_duplicate_key_is_named_at_any_depth() {
        assert_eq!(
            problem(r#"{"amount":"1.00","amount":"1000.00"}"#)
                .unwrap()
                .0,
            "amount"
        );
        assert_eq!(
            problem(r#"{"customer":{"name":"a","name":"b"}}"#)
                .unwrap()
                .0,
            "customer.name"
        );
        assert_eq!(
            problem(r#"{"metadata":{"l":[{"k":1,"k":2}]}}"#).unwrap().0,
            "metadata.l[0].k"
        );
    }

    #[test]
    fn nul_is_refused_in_values_and_keys_but_other_escapes_pass() {
        assert_eq!(problem(r#"{"order_id":"A\u0000B"}"#).unwrap().0, "order_id");
        assert_eq!(
            problem(r#"{"metadata":{"k\u0000":"v"}}"#).unwrap().0,
            "metadata"
        );
        assert_eq!(problem(r#"{"description":"line\nnext\u00e9"}"#), None);
    }

    #[test]
    fn malformed_json_has_no_field() {
        for bad in ["{", r#"{"a":1} x"#, "", r#"{"a":1,}"#] {
            let (field, message) = problem(bad).unwrap();
            assert_eq!(field, "", "{bad}");
            assert!(message.starts_with("body is not valid JSON"), "{message}");
        }
    }
}
