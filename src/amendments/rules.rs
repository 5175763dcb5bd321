//! Which corrections of an issued invoice the law lets a return carry, and the amended record.

use chrono::NaiveDate;

use crate::documents::model::Amended;
use crate::documents::snapshot::Snapshot;

/// How an amendment reaches the returns.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Reported {
    /// The document's month is open (its return not filed): that return shows it as amended.
    InPlace,
    /// Filed as B2B, corrected to another GSTIN: `b2ba` (and `cdnra` for its filed notes) in
    /// the return of the month the amendment is made.
    B2bAmended,
    /// Filed in the B2C summary, the recipient was registered: the invoice goes in that
    /// month's `b2b` with its own date, and `b2csa` lowers the summary it was in.
    MovedToB2b,
}

/// How correcting an invoice filed (`month_closed`) as B2B (`was_b2b`) is reported; `Err`
/// says why the correction cannot be an amendment. `b2cl`: it was filed invoice by invoice
/// as a large inter-state B2C supply; `filed_b2c_notes`: credit or debit notes of it in filed
/// returns as B2C supplies (netted into the B2C summary, where no amendment can find them).
pub fn reported(month_closed: bool, was_b2b: bool, b2cl: bool, filed_b2c_notes: usize) -> Result<Reported, String> {
    if filed_b2c_notes > 0 {
        return Err(format!(
            "{filed_b2c_notes} credit or debit note(s) of it are in filed returns as B2C supplies, which an \
             amendment cannot move: issue a credit note for the rest of it and a new invoice to the \
             registered recipient"
        ));
    }
    if !month_closed {
        return Ok(Reported::InPlace);
    }
    if was_b2b {
        return Ok(Reported::B2bAmended);
    }
    if b2cl {
        return Err("it was filed as a large inter-state supply to an unregistered person (B2CL), which an \
                    amendment cannot turn into B2B: issue a credit note for it and a new invoice to the \
                    registered recipient"
            .to_owned());
    }
    Ok(Reported::MovedToB2b)
}

/// The last day an invoice dated `invoice_date` can be amended (section 37(3) proviso, the
/// same as section 34(2) for credit notes): 30 November after its financial year.
pub fn last_amendment_date(invoice_date: NaiveDate) -> NaiveDate {
    crate::credit_notes::rules::last_note_date(invoice_date)
}

/// `record` (an invoice's or a note's) with the recipient registered under `gstin`, named
/// `name` when given, amended on `on` for `reason`.
pub fn amended(record: &Snapshot, gstin: &str, name: Option<&str>, on: NaiveDate, reason: &str) -> Snapshot {
    let mut after = record.clone();
    after.filed.customer_gstin = Some(gstin.to_owned());
    after.document.recipient.gstin = Some(gstin.to_owned());
    if let Some(name) = name {
        after.document.recipient.name = name.to_owned();
    }
    after.document.amended =
        Some(Amended { on, reason: reason.to_owned(), gstin_before: record.filed.customer_gstin.clone() });
    after
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn what_a_return_can_carry() {
        assert_eq!(reported(false, false, true, 0), Ok(Reported::InPlace), "an open month takes B2CL too");
        assert_eq!(reported(true, true, false, 0), Ok(Reported::B2bAmended));
        assert_eq!(reported(true, false, false, 0), Ok(Reported::MovedToB2b));
        assert!(reported(true, false, true, 0).unwrap_err().contains("B2CL"));
        assert!(reported(true, false, false, 1).unwrap_err().contains("1 credit or debit note"));
        assert!(reported(false, false, false, 2).is_err(), "filed B2C notes stay where they are");
    }

    #[test]
    fn amendments_end_with_the_credit_note_limit() {
        let on = |y, m, d| NaiveDate::from_ymd_opt(y, m, d).unwrap();
        assert_eq!(last_amendment_date(on(2026, 3, 31)), on(2026, 11, 30));
        assert_eq!(last_amendment_date(on(2026, 4, 1)), on(2027, 11, 30));
    }
}
