//! Companies as reference data: created, changed and deleted through [`crate::reference`].

use diesel::prelude::*;

use super::model::{CompanyChanges, CompanyRow, NewCompany};
use crate::db::schema::{companies, document_series};
use crate::db::DbConn;
use crate::error::{AppError, AppResult};
use crate::series::model::InvoiceNumbering;

crate::reference_table! {
    /// The `companies` table.
    pub struct Companies {
        kind: Company,
        repo: super::repo,
        row: CompanyRow,
        new: NewCompany,
        changes: CompanyChanges,
    }

    /// A registered company numbers by financial year and shows its address (Rule 46); under
    /// financial-year numbering, no other company may have used the company's prefixes (see
    /// [`crate::series::repo::ensure_prefix_free`]).
    fn check_written(conn: &mut DbConn, row: &CompanyRow) -> AppResult<()> {
        registered_rules(row)?;
        crate::einvoice::rules::company_may_einvoice(row.einvoicing, row.gstin.as_deref(), row.address.as_deref())?;
        if row.invoice_numbering == crate::series::model::InvoiceNumbering::FinancialYear {
            crate::series::repo::ensure_prefix_free(conn, row.id, &row.invoice_prefix, "invoicePrefix")?;
            crate::series::repo::ensure_prefix_free(conn, row.id, &row.credit_note_prefix, "creditNotePrefix")?;
            crate::series::repo::ensure_prefix_free(conn, row.id, &row.debit_note_prefix, "debitNotePrefix")?;
            prefixes_unshared(conn, row)?;
        }
        Ok(())
    }

    /// The GSTIN must belong to the company's state, whichever of the two changed; invoices and
    /// credit notes need prefixes of their own.
    fn check_changed(row: &CompanyRow, _changes: &CompanyChanges) -> AppResult<()> {
        if let Some(gstin) = &row.gstin {
            crate::validate::gstin_in_state("gstin", gstin, &row.state)?;
        }
        distinct_prefixes(&row.invoice_prefix, &row.credit_note_prefix, &row.debit_note_prefix)
    }

    fn change_details(row: &CompanyRow) -> Option<String> {
        // The UPI address is where customers' money goes: the audit log keeps every change.
        Some(format!(
            "gstRate={} numbering={} prefixes={}/{}/{} einvoicing={} upi={}",
            crate::money::format_hundredths(row.gst_rate_bp.into()),
            row.invoice_numbering,
            row.invoice_prefix,
            row.credit_note_prefix,
            row.debit_note_prefix,
            row.einvoicing,
            row.upi_vpa.as_deref().unwrap_or("-")
        ))
    }
}

/// `CONFLICT` when another company numbering by financial year uses one of `row`'s prefixes
/// for any kind of document: credit and debit notes share one number column, so a credit note
/// prefix of one company must not be another's debit note prefix either.
fn prefixes_unshared(conn: &mut DbConn, row: &CompanyRow) -> AppResult<()> {
    let ours = [&row.invoice_prefix, &row.credit_note_prefix, &row.debit_note_prefix];
    let others: Vec<(String, String, String)> = companies::table
        .filter(companies::id.ne(row.id))
        .filter(companies::invoice_numbering.eq(InvoiceNumbering::FinancialYear))
        .select((companies::invoice_prefix, companies::credit_note_prefix, companies::debit_note_prefix))
        .load(conn)?;
    for (field, prefix) in ["invoicePrefix", "creditNotePrefix", "debitNotePrefix"].into_iter().zip(ours) {
        if others.iter().any(|(a, b, c)| [a, b, c].contains(&prefix)) {
            return Err(AppError::Conflict(format!(
                "another company numbering by financial year uses the prefix {prefix}; choose another `{field}`"
            )));
        }
    }
    Ok(())
}

/// What a company with a GSTIN must have: a regular registration (a UIN, TDS or TCS number
/// is a buyer's, not a supplier's), financial-year numbering (Rule 46(b): at most 16
/// characters, consecutive; timestamp numbers are neither) and an address to print on its tax
/// invoices (Rule 46(a)).
fn registered_rules(row: &CompanyRow) -> AppResult<()> {
    let Some(gstin) = &row.gstin else { return Ok(()) };
    match crate::validate::GstinKind::of(gstin) {
        Some(crate::validate::GstinKind::Regular) | None => {}
        Some(other) => {
            return Err(AppError::bad_input(
                "gstin",
                format!(
                    "`gstin` {gstin} is {}: a company issuing tax invoices is registered as a regular taxpayer",
                    other.describe()
                ),
            ))
        }
    }
    if row.invoice_numbering != InvoiceNumbering::FinancialYear {
        return Err(AppError::bad_input(
            "invoiceNumbering",
            "a company with a GSTIN numbers its invoices by FINANCIAL_YEAR: TIMESTAMP numbers are 17 \
             characters and not consecutive, which CGST Rule 46(b) and the GST portal refuse",
        ));
    }
    if row.address.as_deref().is_none_or(|a| a.trim().is_empty()) {
        return Err(AppError::bad_input(
            "address",
            "a company with a GSTIN needs an `address`: its tax invoices must show it (CGST Rule 46)",
        ));
    }
    Ok(())
}

/// The prefixes a new company is given when it names none: the first of `INV`, `INV2` ...
/// `INV9`, `IN10` ... (and `CN`, `CN2` ... for credit notes, `DN`, `DN2` ... for debit notes)
/// that no other company uses or has numbered documents under, so a second company never fails
/// on a default it did not choose. `defaults`: which of the three the input left out.
pub fn default_prefixes(conn: &mut DbConn, new: &mut NewCompany, defaults: (bool, bool, bool)) -> AppResult<()> {
    let (invoice, credit_note, debit_note) = defaults;
    let mut taken: Vec<String> = companies::table
        .select(companies::invoice_prefix)
        .load::<String>(conn)?
        .into_iter()
        .chain(companies::table.select(companies::credit_note_prefix).load::<String>(conn)?)
        .chain(companies::table.select(companies::debit_note_prefix).load::<String>(conn)?)
        .collect();
    let used_series: Vec<String> = document_series::table.select(document_series::series).load(conn)?;
    taken.extend(used_series.iter().filter_map(|s| s.split('/').next().map(str::to_owned)));
    let pick = |base: &str, short: &str, taken: &[String]| -> String {
        std::iter::once(base.to_owned())
            .chain((2..10).map(|n| format!("{base}{n}")))
            .chain((10..100).map(|n| format!("{short}{n}")))
            .find(|p| !taken.contains(p))
            .unwrap_or_else(|| base.to_owned())
    };
    if invoice {
        new.invoice_prefix = pick("INV", "IN", &taken);
        taken.push(new.invoice_prefix.clone());
    }
    if credit_note {
        new.credit_note_prefix = pick("CN", "C", &taken);
        taken.push(new.credit_note_prefix.clone());
    }
    if debit_note {
        new.debit_note_prefix = pick("DN", "D", &taken);
    }
    Ok(())
}

/// `BAD_USER_INPUT` when two of a company's prefixes are the same: an invoice, a credit note
/// and a debit note must never share a number.
pub fn distinct_prefixes(invoice_prefix: &str, credit_note_prefix: &str, debit_note_prefix: &str) -> AppResult<()> {
    if invoice_prefix == credit_note_prefix {
        return Err(AppError::bad_input(
            "creditNotePrefix",
            format!("`creditNotePrefix` must differ from `invoicePrefix` ({invoice_prefix})"),
        ));
    }
    if debit_note_prefix == invoice_prefix || debit_note_prefix == credit_note_prefix {
        return Err(AppError::bad_input(
            "debitNotePrefix",
            format!("`debitNotePrefix` must differ from `invoicePrefix` and `creditNotePrefix` ({debit_note_prefix})"),
        ));
    }
    Ok(())
}
