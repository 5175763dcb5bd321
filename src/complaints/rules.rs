//! Complaint rules: who a complaint is filed for, status transitions, `resolvedAt`. Pure
//! functions.

use chrono::NaiveDateTime;

use super::model::ComplaintStatus;
use crate::auth::permissions::Access;
use crate::error::{AppError, AppResult};

/// Whose complaint a caller files: staff must name the customer (`requested`); a customer files
/// only their own and cannot assign it.
pub fn filed_for(access: Access, requested: Option<i64>, assigns: bool) -> AppResult<i64> {
    match access {
        Access::All => requested.ok_or_else(|| AppError::bad_input("customerId", "say whose complaint it is")),
        Access::Own(own) => {
            if requested.is_some_and(|r| r != own) {
                return Err(AppError::bad_input("customerId", "you can file complaints only for yourself"));
            }
            if assigns {
                return Err(AppError::bad_input("assignedEmployeeId", "staff assign complaints"));
            }
            Ok(own)
        }
    }
}

/// The change to `resolvedAt` a move to `to` makes at `now`: set on RESOLVED, cleared when
/// reopened, kept when CLOSED (`None` = unchanged).
pub fn resolved_at(to: ComplaintStatus, now: NaiveDateTime) -> Option<Option<NaiveDateTime>> {
    match to {
        ComplaintStatus::Resolved => Some(Some(now)),
        ComplaintStatus::Open | ComplaintStatus::InProgress => Some(None),
        ComplaintStatus::Closed => None,
    }
}

/// Whether a complaint may move from `from` to `to`: `OPEN → IN_PROGRESS → RESOLVED → CLOSED`,
/// an OPEN one may be RESOLVED at once (on the first call), and a RESOLVED one may be reopened
/// (to OPEN or IN_PROGRESS). CLOSED is final.
pub fn check_transition(from: ComplaintStatus, to: ComplaintStatus) -> Result<(), String> {
    use ComplaintStatus::*;
    match (from, to) {
        (a, b) if a == b => Err(format!("the complaint is already {}", a.as_str())),
        (Open, InProgress | Resolved) | (InProgress, Resolved) | (Resolved, Closed) | (Resolved, Open | InProgress) => {
            Ok(())
        }
        (Closed, _) => Err("a CLOSED complaint cannot change; file a new one".to_owned()),
        (a, b) => Err(format!(
            "a complaint goes OPEN → IN_PROGRESS → RESOLVED → CLOSED (OPEN → RESOLVED at once, or back from \
             RESOLVED); not {} → {}",
            a.as_str(),
            b.as_str()
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ComplaintStatus::*;

    #[test]
    fn complaints_move_forward_and_may_reopen_once_resolved() {
        for (from, to) in [
            (Open, InProgress),
            (Open, Resolved),
            (InProgress, Resolved),
            (Resolved, Closed),
            (Resolved, Open),
            (Resolved, InProgress),
        ] {
            assert!(check_transition(from, to).is_ok(), "{from:?} -> {to:?}");
        }
        for (from, to) in [(Open, Closed), (InProgress, Open), (Closed, Open), (Open, Open), (InProgress, Closed)] {
            assert!(check_transition(from, to).is_err(), "{from:?} -> {to:?}");
        }
    }

    #[test]
    fn staff_name_the_customer_and_customers_file_their_own() {
        assert_eq!(filed_for(Access::All, Some(4), true).unwrap(), 4);
        assert!(
            matches!(filed_for(Access::All, None, false), Err(AppError::BadInput { ref field, .. }) if field == "customerId")
        );
        assert_eq!(filed_for(Access::Own(7), None, false).unwrap(), 7);
        assert_eq!(filed_for(Access::Own(7), Some(7), false).unwrap(), 7);
        assert!(
            matches!(filed_for(Access::Own(7), Some(8), false), Err(AppError::BadInput { ref field, .. }) if field == "customerId")
        );
        assert!(
            matches!(filed_for(Access::Own(7), None, true), Err(AppError::BadInput { ref field, .. }) if field == "assignedEmployeeId")
        );
    }

    #[test]
    fn resolving_stamps_the_time_and_reopening_clears_it() {
        let now = chrono::NaiveDate::from_ymd_opt(2026, 11, 28).unwrap().and_hms_opt(10, 0, 0).unwrap();
        assert_eq!(resolved_at(Resolved, now), Some(Some(now)));
        assert_eq!(resolved_at(Open, now), Some(None));
        assert_eq!(resolved_at(InProgress, now), Some(None));
        assert_eq!(resolved_at(Closed, now), None);
    }
}
