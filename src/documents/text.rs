//! The words and figures a document prints, worked out once so that the HTML page and the PDF
//! say exactly the same.

use chrono::NaiveDate;

use super::model::{DocumentKind, Party, TaxDocument};
use super::words::rupees_in_words;
use crate::money::grouped_rupees;

/// A document as lines of text, in reading order.
pub struct Printed {
    pub title: &'static str,
    pub cancelled: bool,
    /// Supplier: name first, then address, GSTIN, state, contact.
    pub supplier: Vec<String>,
    /// Number, date and the other facts of the document (`label: value`).
    pub facts: Vec<(String, String)>,
    /// Recipient: name first.
    pub recipient: Vec<String>,
    /// Charged lines: description, SAC, amount.
    pub items: Vec<(String, String, String)>,
    /// Discount, taxable value, taxes, total (label, amount).
    pub totals: Vec<(String, String)>,
    /// The total in words.
    pub in_words: String,
    /// Paid, balance, due date (invoices); reason and who issued (credit notes).
    pub after: Vec<(String, String)>,
    pub footer: Vec<String>,
}

/// `DD-MM-YYYY`, as Indian documents write dates.
pub fn date(d: NaiveDate) -> String {
    d.format("%d-%m-%Y").to_string()
}

/// A rate in basis points as percent: 900 → `9%`, 250 → `2.5%`, 1250 → `12.5%`.
pub fn percent(rate_bp: i32) -> String {
    let text = format!("{}.{:02}", rate_bp / 100, (rate_bp % 100).abs());
    format!("{}%", text.trim_end_matches('0').trim_end_matches('.'))
}

/// An amount with the rupee sign: `₹1,180.00`.
pub fn money(paise: i64) -> String {
    format!("₹{}", grouped_rupees(paise))
}

fn party(p: &Party, registered_label: &str) -> Vec<String> {
    let mut out = vec![p.name.clone()];
    out.extend(p.address_lines.iter().cloned());
    out.push(match &p.gstin {
        Some(g) => format!("GSTIN: {g}"),
        None => format!("GSTIN: {registered_label}"),
    });
    out.push(match &p.state_code {
        Some(code) => format!("State: {} (code {code})", p.state),
        None => format!("State: {}", p.state),
    });
    let contact: Vec<&str> = [p.phone.as_deref(), p.email.as_deref()].into_iter().flatten().collect();
    if !contact.is_empty() {
        out.push(contact.join(" · "));
    }
    out
}

/// What `doc` prints.
pub fn printed(doc: &TaxDocument) -> Printed {
    let mut facts =
        vec![(format!("{} No.", doc.kind.title()), doc.number.clone()), ("Date".to_owned(), date(doc.date))];
    if let Some((number, on)) = &doc.original_invoice {
        facts.push(("Against invoice".to_owned(), format!("{number} dated {}", date(*on))));
    }
    let place = match &doc.place_of_supply_code {
        Some(code) => format!("{} ({code})", doc.place_of_supply),
        None => doc.place_of_supply.clone(),
    };
    facts.push(("Place of supply".to_owned(), place));
    facts.push(("Reverse charge".to_owned(), "No".to_owned()));
    let items = doc
        .lines
        .iter()
        .map(|l| {
            let description = match l.period {
                Some((from, to)) => format!("{} for {} to {}", l.description, date(from), date(to)),
                None => l.description.clone(),
            };
            (description, l.sac.clone(), money(l.amount_paise))
        })
        .collect();
    let mut totals = Vec::new();
    if doc.discount_paise != 0 {
        totals.push(("Less discount".to_owned(), money(-doc.discount_paise)));
    }
    totals.push(("Taxable value".to_owned(), money(doc.taxable_paise)));
    for t in &doc.taxes {
        totals.push((format!("{} @ {}", t.name, percent(t.rate_bp)), money(t.amount_paise)));
    }
    totals.push(("Total".to_owned(), money(doc.total_paise)));
    let mut after = Vec::new();
    if let Some(paid) = doc.paid_paise {
        after.push(("Paid".to_owned(), money(paid)));
    }
    if let Some(balance) = doc.balance_paise {
        after.push(("Balance".to_owned(), money(balance)));
    }
    if let Some(due) = doc.due_date {
        after.push(("Due date".to_owned(), date(due)));
    }
    if let Some(reason) = &doc.reason {
        after.push(("Reason".to_owned(), reason.clone()));
    }
    if let Some(by) = &doc.issued_by {
        after.push(("Issued by".to_owned(), by.clone()));
    }
    Printed {
        title: doc.kind.title(),
        cancelled: doc.cancelled,
        supplier: party(&doc.supplier, "not registered"),
        facts,
        recipient: party(&doc.recipient, "Unregistered"),
        items,
        totals,
        in_words: rupees_in_words(doc.total_paise),
        after,
        footer: footer(doc.kind),
    }
}

/// The closing lines: what the document is under GST.
fn footer(kind: DocumentKind) -> Vec<String> {
    let mut out = vec!["SAC 9984: telecommunication services.".to_owned()];
    match kind {
        DocumentKind::Proforma => {
            out.push("Not a tax invoice: a proforma for information, before the invoice is issued.".to_owned())
        }
        DocumentKind::BillOfSupply => {
            out.push("Bill of supply: the supplier is not registered under GST and charges no tax.".to_owned())
        }
        DocumentKind::TaxInvoice | DocumentKind::CreditNote | DocumentKind::DebitNote => {}
    }
    out.push("This is a computer-generated document and needs no signature.".to_owned());
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rates_and_dates_print_plainly() {
        assert_eq!(percent(900), "9%");
        assert_eq!(percent(250), "2.5%");
        assert_eq!(percent(1250), "12.5%");
        assert_eq!(percent(1800), "18%");
        assert_eq!(percent(0), "0%");
        assert_eq!(date(NaiveDate::from_ymd_opt(2027, 3, 31).unwrap()), "31-03-2027");
        assert_eq!(money(118_000), "₹1,180.00");
    }
}
