use chrono::NaiveDateTime;
use diesel::prelude::*;

use crate::db::schema::connection_requests;
use crate::text_enum;

text_enum! {
    /// Where a connection request stands.
    pub enum ConnectionRequestStatus {
        /// Just arrived.
        New => "NEW",
        /// Somebody called the person back.
        Contacted => "CONTACTED",
        /// Feasible; waiting to be converted into a customer.
        Approved => "APPROVED",
        /// Not feasible or not wanted (final).
        Rejected => "REJECTED",
        /// Became a customer (`customer`; final).
        Converted => "CONVERTED",
    }
}

crate::row_and_new! {
    table = connection_requests;

    /// A row of `connection_requests`.
    #[derive(Debug, Clone, Queryable)]
    pub struct ConnectionRequestRow {
        pub id: i64,
        ..NewConnectionRequest
    }

    #[derive(Debug, Clone, Insertable)]
    #[diesel(treat_none_as_default_value = false)]
    pub struct NewConnectionRequest {
        pub full_name: String,
        pub mobile: String,
        pub email: Option<String>,
        pub address: String,
        pub locality_id: Option<i64>,
        pub plan_id: Option<i64>,
        pub message: Option<String>,
        pub status: ConnectionRequestStatus,
        pub customer_id: Option<i64>,
        pub client_address: String,
        pub created_at: NaiveDateTime,
        pub updated_at: NaiveDateTime,
    }
}

/// Whether staff may move a request from `from` to `to` (`CONVERTED` only by conversion).
pub fn check_transition(from: ConnectionRequestStatus, to: ConnectionRequestStatus) -> Result<(), String> {
    use ConnectionRequestStatus::*;
    match (from, to) {
        (a, b) if a == b => Err(format!("the request is already {}", a.as_str())),
        (Rejected | Converted, _) => Err(format!("a {} request cannot change", from.as_str())),
        (_, Converted) => Err("use convertConnectionRequest to make the customer".to_owned()),
        (_, New) => Err("a request cannot go back to NEW".to_owned()),
        (New | Contacted | Approved, Contacted | Approved | Rejected) => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ConnectionRequestStatus::*;

    #[test]
    fn requests_move_on_and_end_rejected_or_converted() {
        assert!(check_transition(New, Contacted).is_ok());
        assert!(check_transition(Contacted, Approved).is_ok());
        assert!(check_transition(New, Rejected).is_ok());
        assert!(check_transition(Approved, Converted).is_err());
        assert!(check_transition(Rejected, Contacted).is_err());
        assert!(check_transition(Contacted, New).is_err());
        assert!(check_transition(New, New).is_err());
    }
}
