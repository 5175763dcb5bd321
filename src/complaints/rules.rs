//! Complaint status rules: pure functions.

use super::model::ComplaintStatus;

/// Whether a complaint may move from `from` to `to`: `OPEN → IN_PROGRESS → RESOLVED → CLOSED`,
/// and a RESOLVED one may be reopened (to OPEN or IN_PROGRESS). CLOSED is final.
pub fn check_transition(from: ComplaintStatus, to: ComplaintStatus) -> Result<(), String> {
    use ComplaintStatus::*;
    match (from, to) {
        (a, b) if a == b => Err(format!("the complaint is already {}", a.as_str())),
        (Open, InProgress) | (InProgress, Resolved) | (Resolved, Closed) | (Resolved, Open | InProgress) => Ok(()),
        (Closed, _) => Err("a CLOSED complaint cannot change; file a new one".to_owned()),
        (a, b) => Err(format!(
            "a complaint goes OPEN → IN_PROGRESS → RESOLVED → CLOSED (or back from RESOLVED); not {} → {}",
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
        for (from, to) in
            [(Open, InProgress), (InProgress, Resolved), (Resolved, Closed), (Resolved, Open), (Resolved, InProgress)]
        {
            assert!(check_transition(from, to).is_ok(), "{from:?} -> {to:?}");
        }
        for (from, to) in
            [(Open, Resolved), (Open, Closed), (InProgress, Open), (Closed, Open), (Open, Open), (InProgress, Closed)]
        {
            assert!(check_transition(from, to).is_err(), "{from:?} -> {to:?}");
        }
    }
}
