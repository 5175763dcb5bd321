//! Global IDs in the GraphQL layer: [`crate::ids`]' opaque IDs (unique across types) as GraphQL
//! `ID`s, and read back from arguments naming the argument at fault.

use async_graphql::ID;

use crate::error::AppError;
use crate::ids::{self, Decoded, Kind};

/// The opaque global ID of row `id` of type `kind`, as a GraphQL `ID`.
pub fn global_id(kind: Kind, id: i64) -> ID {
    ID(ids::encode(kind, id))
}

/// The row id inside `id`, which must be a global ID of type `kind`; `field` names the argument.
pub fn expect_id(field: &str, kind: Kind, id: &ID) -> Result<i64, AppError> {
    match ids::decode(id) {
        Some(Decoded::Known(k, key)) if k == kind => Ok(key),
        Some(Decoded::Known(k, _)) => {
            Err(AppError::bad_input(field, format!("`{field}` must be the ID of a {kind}, not of a {k}")))
        }
        Some(Decoded::Foreign(k)) => {
            Err(AppError::bad_input(field, format!("`{field}` must be the ID of a {kind}, not of a {k}")))
        }
        None => Err(AppError::bad_input(field, format!("`{field}` is not an ID this API issued"))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn expected_ids_must_be_of_the_right_type() {
        let id = global_id(Kind::Plan, 7);
        assert_eq!(expect_id("planId", Kind::Plan, &id).unwrap(), 7);
        assert!(expect_id("companyId", Kind::Company, &id).is_err());
        assert!(expect_id("planId", Kind::Plan, &ID("zzz".into())).is_err());
    }
}
