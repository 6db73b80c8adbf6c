//! Parsing a merchant's or an admin's JSON body into a typed request, with errors that name
//! the field (`details.fields`): strict checks first (`domain::strict_json`: duplicate keys,
//! NUL), then serde, whose error path (`serde_path_to_error`) says which field had the wrong type.

use crate::domain::strict_json;
use crate::error::AppError;
use serde::de::DeserializeOwned;

pub fn parse_json<T: DeserializeOwned>(body: &[u8]) -> Result<T, AppError> {
    strict_json::check(body)?;
    let mut de = serde_json::Deserializer::from_slice(body);
    serde_path_to_error::deserialize(&mut de).map_err(|e| {
        let field = e.path().to_string();
        let field = if field == "." { String::new() } else { field };
        let problem = e.into_inner().to_string();
        if field.is_empty() {
            AppError::InvalidRequest {
                message: format!("invalid body: {problem}"),
                fields: vec![],
            }
        } else {
            AppError::invalid(&field, problem)
        }
    })
}
