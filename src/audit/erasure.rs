//! Erasure reaching the audit log. When a customer's personal data is erased (KYC retention,
//! `id_vault::retention`), the entries about them, their complaints and their application
//! keep who, when, which operation and which objects, but lose the personal values their
//! details recorded (a former name, phone or address in `updateCustomer`, a complaint's text in
//! `updateComplaint`, the reason typed for a status change, a pause or a reveal); entries the
//! customer made themself name them by their erased username.
//! The database lets an entry change this way once, marked with `erased_at`, and no other way.

use std::collections::BTreeMap;

use chrono::NaiveDateTime;
use diesel::prelude::*;

use super::model::AuditFilter;
use crate::db::schema::audit_log;
use crate::db::DbConn;
use crate::error::AppResult;

/// What a blanked value reads.
pub const ERASED: &str = "(erased)";

/// `details` with every quoted value blanked. Text values are the only ones the log quotes
/// (`fullName: "Ravi" -> "Ravi Kumar"`, see [`super::diff`]); references, money, dates,
/// numbers and statuses are not personal and stay.
pub fn blank_quoted(details: &str) -> String {
    let mut out = String::with_capacity(details.len());
    let mut chars = details.chars();
    while let Some(c) = chars.next() {
        if c != '"' {
            out.push(c);
            continue;
        }
        // Skip to the closing quote, minding `\"` and `\\` escapes.
        while let Some(c) = chars.next() {
            match c {
                '\\' => {
                    chars.next();
                }
                '"' => break,
                _ => {}
            }
        }
        out.push_str(ERASED);
    }
    out
}

/// The operations whose details end in free text typed by staff, unquoted, and what comes just
/// before it: a status change's reason (`ACTIVE -> TERMINATED: moved to Pune`), a pause's
/// (`…; reason: travelling`), a reveal's (`reason: police request`).
const FREE_TEXT_AFTER: &[(&str, &str)] =
    &[("changeCustomerStatus", ": "), ("pauseService", "; reason: "), ("revealIdProof", "reason: ")];

/// `details` of an entry of `operation` without the personal values it recorded: the free text
/// some operations end with ([`FREE_TEXT_AFTER`]) and every quoted value ([`blank_quoted`]).
pub fn blank(operation: &str, details: &str) -> String {
    let free = FREE_TEXT_AFTER
        .iter()
        .find(|(op, _)| *op == operation)
        .and_then(|(_, before)| details.find(before).map(|at| at + before.len()));
    match free {
        Some(at) if at < details.len() => format!("{}{ERASED}", blank_quoted(&details[..at])),
        _ => blank_quoted(details),
    }
}

/// What an erasure changes in one entry. `None` leaves a column as it is.
#[derive(AsChangeset)]
#[diesel(table_name = audit_log)]
struct Erasure {
    details: Option<String>,
    actor_name: Option<String>,
    erased_at: Option<NaiveDateTime>,
}

/// Blanks the personal values ([`blank`]) of every entry that touched one of `subjects` (global
/// IDs: the customer, their complaints and connection requests) or that customer `customer_key`
/// made themself, whom it then names `erased_name`. Each entry changes in one update, marked
/// with `now` (the database lets an entry change once, and only at a customer's erasure: `now`
/// must be the `erased_at` just set on the customer). Returns how many entries changed.
pub fn erase(
    conn: &mut DbConn,
    subjects: &[String],
    customer_key: i64,
    erased_name: &str,
    now: NaiveDateTime,
) -> AppResult<usize> {
    // Entry id -> (operation, details, made by the customer).
    let mut entries: BTreeMap<i64, (String, Option<String>, bool)> = BTreeMap::new();
    for subject in subjects {
        let filter = AuditFilter { target_id: Some(subject.clone()), ..AuditFilter::default() };
        let rows: Vec<(i64, String, Option<String>)> = super::repo::filtered(&filter)
            .filter(audit_log::erased_at.is_null())
            .select((audit_log::id, audit_log::operation, audit_log::details))
            .load(conn)?;
        for (id, operation, details) in rows {
            entries.entry(id).or_insert((operation, details, false));
        }
    }
    let theirs: Vec<(i64, String, Option<String>)> = audit_log::table
        .filter(audit_log::actor_kind.eq(crate::auth::model::CUSTOMER))
        .filter(audit_log::actor_id.eq(customer_key))
        .filter(audit_log::erased_at.is_null())
        .select((audit_log::id, audit_log::operation, audit_log::details))
        .load(conn)?;
    for (id, operation, details) in theirs {
        entries.entry(id).or_insert((operation, details, false)).2 = true;
    }
    let mut changed = 0;
    for (id, (operation, details, by_them)) in entries {
        let blanked = details.as_deref().map(|d| blank(&operation, d)).filter(|b| Some(b) != details.as_ref());
        if blanked.is_none() && !by_them {
            continue;
        }
        let erasure =
            Erasure { details: blanked, actor_name: by_them.then(|| erased_name.to_owned()), erased_at: Some(now) };
        diesel::update(audit_log::table.find(id)).set(&erasure).execute(conn)?;
        changed += 1;
    }
    Ok(changed)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quoted_values_go_and_the_rest_stays() {
        let details = r#"fullName: "Ravi \"RK\" Kumar" -> "Ravi; K"; mobile: "98" -> "97"; planId: UGxhbjox -> UGxhbjoy; price: 499.00 -> 599.00; idProofNo: changed (not recorded)"#;
        assert_eq!(
            blank_quoted(details),
            "fullName: (erased) -> (erased); mobile: (erased) -> (erased); planId: UGxhbjox -> UGxhbjoy; \
             price: 499.00 -> 599.00; idProofNo: changed (not recorded)"
        );
        assert_eq!(blank_quoted(r#"CMP-1: description: "a \\ b" -> "c""#), "CMP-1: description: (erased) -> (erased)");
        assert_eq!(blank_quoted("ACTIVE -> SUSPENDED"), "ACTIVE -> SUSPENDED");
        assert_eq!(blank_quoted(r#"unterminated: "abc"#), "unterminated: (erased)");
    }

    #[test]
    fn free_text_after_a_status_part_goes() {
        assert_eq!(
            blank("changeCustomerStatus", "ACTIVE -> TERMINATED: moved to Pune, call 9822077777"),
            "ACTIVE -> TERMINATED: (erased)"
        );
        assert_eq!(blank("changeCustomerStatus", "ACTIVE -> SUSPENDED"), "ACTIVE -> SUSPENDED");
        let paused = "paused from 2026-12-01: ACTIVE -> SUSPENDED; endDate 2027-01-01 moves by the days paused on \
                      resume; reason: at \"Ravi's\" farm; back in May";
        assert_eq!(
            blank("pauseService", paused),
            "paused from 2026-12-01: ACTIVE -> SUSPENDED; endDate 2027-01-01 moves by the days paused on resume; \
             reason: (erased)"
        );
        let unpaused =
            "paused from 2026-12-01: ACTIVE -> SUSPENDED; endDate 2027-01-01 moves by the days paused on resume";
        assert_eq!(blank("pauseService", unpaused), unpaused);
        assert_eq!(blank("revealIdProof", "reason: police request about Ravi"), "reason: (erased)");
        // Other operations' colons are not a reason's.
        assert_eq!(
            blank("updateComplaint", r#"CMP-1: description: "x" -> "y""#),
            "CMP-1: description: (erased) -> (erased)"
        );
        assert_eq!(blank("resumeService", "resumed on 2026-12-05 after 4 days"), "resumed on 2026-12-05 after 4 days");
    }
}
