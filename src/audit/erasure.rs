//! Erasure reaching the audit log. When a customer's personal data is erased (KYC retention,
//! `id_vault::retention`), the entries about them, their complaints and their application
//! keep who, when, which operation and which objects, but lose the personal values their
//! details recorded (a former name, phone or address in `updateCustomer`, a complaint's text in
//! `updateComplaint`); entries the customer made themself name them by their erased username.
//! The database lets an entry change this way once, marked with `erased_at`, and no other way.

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

/// Blanks the personal values of every entry that touched one of `subjects` (global IDs: the
/// customer, their complaints and connection requests), and renames the customer `key` where
/// they were the actor, to `erased_name`. Returns how many entries changed.
pub fn erase(
    conn: &mut DbConn,
    subjects: &[String],
    customer_key: i64,
    erased_name: &str,
    now: NaiveDateTime,
) -> AppResult<usize> {
    let mut changed = 0;
    for subject in subjects {
        let filter = AuditFilter { target_id: Some(subject.clone()), ..AuditFilter::default() };
        let rows: Vec<(i64, String)> = super::repo::filtered(&filter)
            .filter(audit_log::erased_at.is_null())
            .filter(audit_log::details.is_not_null())
            .select((audit_log::id, audit_log::details.assume_not_null()))
            .load(conn)?;
        for (id, details) in rows {
            let blanked = blank_quoted(&details);
            if blanked != details {
                diesel::update(audit_log::table.find(id))
                    .set((audit_log::details.eq(blanked), audit_log::erased_at.eq(Some(now))))
                    .execute(conn)?;
                changed += 1;
            }
        }
    }
    changed += diesel::update(
        audit_log::table
            .filter(audit_log::actor_kind.eq(crate::auth::model::CUSTOMER))
            .filter(audit_log::actor_id.eq(customer_key))
            .filter(audit_log::erased_at.is_null()),
    )
    .set((audit_log::actor_name.eq(erased_name), audit_log::erased_at.eq(Some(now))))
    .execute(conn)?;
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
}
