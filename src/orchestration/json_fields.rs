//! Type and range checks of a JSON body's scalar fields, each failure naming its field.
//!
//! serde's own errors ("invalid type: floating point `1.5`, expected i64 at line 1 column 22")
//! name no field, and a number serde accepts may still be absurd: `older_than_secs` of 4.7e18
//! overflowed chrono and panicked, 1e12 reached Postgres as a date before year 1 (issue 15).
//! So a body with numbers is checked against its rules first, and only then deserialised.
//! Absent fields pass (defaults are the use case's business); `null` passes where it means absent.

use crate::error::AppError;
use serde_json::Value;
use std::ops::RangeInclusive;

/// What one field's value must be.
#[derive(Debug, Clone)]
pub enum Rule {
    /// A whole JSON number (no fraction, no exponent form) within the range.
    Int(RangeInclusive<i64>),
    Bool,
    Str,
}

/// One field's rule, and whether `null` stands for "absent" (an `Option` field) or is refused
/// (a field with a default, which serde would refuse without naming it).
#[derive(Debug, Clone)]
pub struct Field {
    name: &'static str,
    rule: Rule,
    null_ok: bool,
}

impl Field {
    pub const fn int(name: &'static str, range: RangeInclusive<i64>) -> Self {
        Field {
            name,
            rule: Rule::Int(range),
            null_ok: false,
        }
    }

    pub const fn bool(name: &'static str) -> Self {
        Field {
            name,
            rule: Rule::Bool,
            null_ok: false,
        }
    }

    pub const fn str(name: &'static str) -> Self {
        Field {
            name,
            rule: Rule::Str,
            null_ok: false,
        }
    }

    /// `null` is accepted, as absent.
    pub const fn or_null(self) -> Self {
        Field {
            null_ok: true,
            ..self
        }
    }

    fn problem(&self) -> String {
        match &self.rule {
            Rule::Int(r) => format!("must be a whole number from {} to {}", r.start(), r.end()),
            Rule::Bool => "must be true or false".to_owned(),
            Rule::Str => "must be a string".to_owned(),
        }
    }

    fn accepts(&self, value: &Value) -> bool {
        match (&self.rule, value) {
            (_, Value::Null) => self.null_ok,
            (Rule::Int(range), Value::Number(n)) => n.as_i64().is_some_and(|n| range.contains(&n)),
            (Rule::Bool, Value::Bool(_)) | (Rule::Str, Value::String(_)) => true,
            _ => false,
        }
    }
}

/// Checks `body`'s top-level fields named in `fields`; absent ones pass. A body that is not a
/// JSON object is left to the deserialiser to refuse (it says why better).
pub fn check(body: &[u8], fields: &[Field]) -> Result<(), AppError> {
    let Ok(Value::Object(map)) = serde_json::from_slice::<Value>(body) else {
        return Ok(());
    };
    let bad: Vec<(String, String)> = fields
        .iter()
        .filter_map(|f| match map.get(f.name) {
            Some(v) if !f.accepts(v) => Some((f.name.to_owned(), f.problem())),
            _ => None,
        })
        .collect();
    match bad.as_slice() {
        [] => Ok(()),
        [(name, problem)] => Err(AppError::invalid(name, problem.clone())),
        _ => {
            let names: Vec<&str> = bad.iter().map(|(f, _)| f.as_str()).collect();
            Err(AppError::InvalidRequest {
                message: format!("invalid fields: {}", names.join(", ")),
                fields: bad,
            })
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const RULES: &[Field] = &[
        Field::int("n", 0..=10).or_null(),
        Field::bool("flag"),
        Field::str("name").or_null(),
    ];

    fn bad_fields(body: &str) -> Vec<String> {
        match check(body.as_bytes(), RULES) {
            Ok(()) => vec![],
            Err(AppError::InvalidRequest { fields, .. }) => {
                fields.into_iter().map(|(f, _)| f).collect()
            }
            Err(other) => panic!("{other:?}"),
        }
    }

    #[test]
    fn good_absent_and_null_fields_pass() {
        assert!(bad_fields(r#"{"n": 0, "flag": true, "name": "x"}"#).is_empty());
        assert!(bad_fields(r#"{"n": 10}"#).is_empty());
        assert!(bad_fields(r#"{"n": null, "name": null, "other": 1.5}"#).is_empty());
        assert!(bad_fields("{}").is_empty());
    }

    #[test]
    fn each_wrong_type_or_out_of_range_value_is_named() {
        for n in [
            "-1",
            "11",
            "1.5",
            "1e3",
            "4.7e18",
            "4700000000000000000",
            "\"3\"",
        ] {
            assert_eq!(bad_fields(&format!(r#"{{"n": {n}}}"#)), ["n"], "{n}");
        }
        assert_eq!(bad_fields(r#"{"flag": "yes"}"#), ["flag"]);
        assert_eq!(bad_fields(r#"{"flag": 1}"#), ["flag"]);
        assert_eq!(
            bad_fields(r#"{"flag": null}"#),
            ["flag"],
            "a defaulted field refuses null"
        );
        assert_eq!(bad_fields(r#"{"name": 5}"#), ["name"]);
        assert_eq!(
            bad_fields(r#"{"n": -1, "flag": 0, "name": []}"#),
            ["n", "flag", "name"]
        );
    }

    #[test]
    fn the_message_says_the_range() {
        let err = check(br#"{"n": 99}"#, RULES).unwrap_err();
        assert_eq!(err.to_string(), "n must be a whole number from 0 to 10");
    }

    #[test]
    fn a_body_that_is_not_an_object_is_left_to_the_deserialiser() {
        assert!(check(b"[1]", RULES).is_ok());
        assert!(check(b"not json", RULES).is_ok());
    }
}
