//! The words and figures a document prints, worked out once so that the HTML page and the PDF
//! say exactly the same.

use chrono::NaiveDate;

use super::model::{DocumentKind, NoteKind, Party, TaxDocument};
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
    /// The heading of the code column: `SAC`, or `HSN/SAC` when goods are on the document.
    pub code_heading: &'static str,
    /// Charged lines: description (with the quantity of goods), SAC or HSN code, amount.
    pub items: Vec<(String, String, String)>,
    /// Discount, taxable value, taxes, total (label, amount).
    pub totals: Vec<(String, String)>,
    /// The total in words.
    pub in_words: String,
    /// Credit and debit notes, paid, balance, due date (invoices); reason and who issued
    /// (credit notes).
    pub after: Vec<(String, String)>,
    /// The UPI QR code that pays the balance, and what is printed under it.
    pub pay: Option<Pay>,
    /// "For <supplier>", the signatory's name if set, "Authorised signatory".
    pub signatory: Option<Vec<String>>,
    pub footer: Vec<String>,
}

/// A QR code to pay by: the `upi://pay` link it holds and the lines under it.
pub struct Pay {
    pub uri: String,
    pub lines: Vec<String>,
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

/// An amount with the rupee sign: `₹1,180.00`; less than zero with a minus sign (U+2212)
/// before it, `−₹49.00`, as a discount or a credit prints.
pub fn money(paise: i64) -> String {
    let sign = if paise < 0 { "−" } else { "" };
    format!("{sign}₹{}", grouped_rupees(paise.saturating_abs()))
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
    if let Some(number) = &doc.customer_number {
        facts.push(("Customer No.".to_owned(), number.clone()));
    }
    if let Some(caf) = &doc.caf_no {
        facts.push(("CAF No.".to_owned(), caf.clone()));
    }
    facts.push(("Place of supply".to_owned(), place));
    facts.push(("Reverse charge".to_owned(), "No".to_owned()));
    if let Some(a) = &doc.amended {
        let before = a.gstin_before.as_deref().unwrap_or("unregistered");
        facts.push((
            "Amended".to_owned(),
            format!("{}: recipient GSTIN corrected (was {before}); {}", date(a.on), a.reason),
        ));
    }
    let items = doc
        .lines
        .iter()
        .map(|l| {
            let mut description = match l.period {
                Some((from, to)) => format!("{} for {} to {}", l.description, date(from), date(to)),
                None => l.description.clone(),
            };
            if let Some(q) = l.goods.as_ref().filter(|q| q.count > 0) {
                description.push_str(&format!(", qty {} {}", q.count, q.uqc));
            }
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
    for n in &doc.notes {
        let (label, amount) = match n.kind {
            NoteKind::Credit => ("Less credit note", -n.amount_paise),
            NoteKind::Debit => ("Add debit note", n.amount_paise),
        };
        after.push((format!("{label} {} dated {}", n.number, date(n.date)), money(amount)));
    }
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
        code_heading: if doc.lines.iter().all(|l| l.is_service()) { "SAC" } else { "HSN/SAC" },
        items,
        totals,
        in_words: rupees_in_words(doc.total_paise),
        after,
        pay: doc.upi.as_ref().map(|u| Pay {
            uri: u.uri.clone(),
            lines: vec![format!("Scan to pay {}", money(u.amount_paise)), format!("UPI: {}", u.vpa)],
        }),
        signatory: doc.signatory.as_ref().map(|s| {
            let mut lines = vec![format!("For {}", doc.supplier.name)];
            lines.extend(s.name.clone());
            lines.push("Authorised signatory".to_owned());
            lines
        }),
        footer: footer(doc),
    }
}

/// The closing lines: what the document is under GST.
fn footer(doc: &TaxDocument) -> Vec<String> {
    let mut out = vec!["SAC 9984: telecommunication services.".to_owned()];
    if doc.lines.iter().any(|l| !l.is_service()) {
        out.push("HSN codes: goods sold with the service, in the quantities shown.".to_owned());
    }
    match doc.kind {
        DocumentKind::Proforma => {
            out.push("Not a tax invoice: a proforma for information, before the invoice is issued.".to_owned())
        }
        DocumentKind::BillOfSupply => {
            out.push("Bill of supply: the supplier is not registered under GST and charges no tax.".to_owned())
        }
        DocumentKind::ReceiptVoucher => out.push(
            "Receipt voucher (CGST Rule 50): tax on an advance for services not yet invoiced; it is adjusted \
             against the invoice when issued."
                .to_owned(),
        ),
        DocumentKind::TaxInvoice | DocumentKind::CreditNote | DocumentKind::DebitNote => {}
    }
    out.push("This is a computer-generated document and needs no signature.".to_owned());
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::documents::model::{NoteOnInvoice, Signatory};

    #[test]
    fn rates_and_dates_print_plainly() {
        assert_eq!(percent(900), "9%");
        assert_eq!(percent(250), "2.5%");
        assert_eq!(percent(1250), "12.5%");
        assert_eq!(percent(1800), "18%");
        assert_eq!(percent(0), "0%");
        assert_eq!(date(NaiveDate::from_ymd_opt(2027, 3, 31).unwrap()), "31-03-2027");
        assert_eq!(money(118_000), "₹1,180.00");
        assert_eq!(money(-4_900), "−₹49.00", "a real minus sign, before the rupee sign");
        assert_eq!(money(-10_000_000), "−₹1,00,000.00");
        assert_eq!(money(0), "₹0.00");
        assert!(money(i64::MIN).starts_with("−₹"));
    }

    #[test]
    fn an_invoice_prints_its_numbers_notes_payment_and_signatory() {
        let mut doc = crate::documents::pdf::tests::sample();
        doc.discount_paise = 4_900;
        doc.customer_number = Some("2611200001".into());
        doc.caf_no = Some("CAF00000042".into());
        doc.signatory = Some(Signatory { name: Some("Asha Deshmukh".into()) });
        let day = NaiveDate::from_ymd_opt(2026, 11, 25).unwrap();
        doc.notes = vec![
            NoteOnInvoice { kind: NoteKind::Credit, number: "CN/26-27/000001".into(), date: day, amount_paise: 11_800 },
            NoteOnInvoice { kind: NoteKind::Debit, number: "DN/26-27/000001".into(), date: day, amount_paise: 5_900 },
        ];
        doc.upi = crate::documents::upi::payment("vidarbha@okaxis", "Vidarbha Fibernet", 112_100, &doc.number);
        let p = printed(&doc);
        assert!(p.facts.contains(&("Customer No.".into(), "2611200001".into())));
        assert!(p.facts.contains(&("CAF No.".into(), "CAF00000042".into())));
        assert!(p.totals.contains(&("Less discount".into(), "−₹49.00".into())));
        assert_eq!(p.after[0], ("Less credit note CN/26-27/000001 dated 25-11-2026".into(), "−₹118.00".into()));
        assert_eq!(p.after[1], ("Add debit note DN/26-27/000001 dated 25-11-2026".into(), "₹59.00".into()));
        assert_eq!(p.after[2].0, "Paid", "notes come before what was paid");
        let pay = p.pay.unwrap();
        assert_eq!(pay.lines, ["Scan to pay ₹1,121.00", "UPI: vidarbha@okaxis"]);
        assert!(pay.uri.starts_with("upi://pay?pa=vidarbha@okaxis&") && pay.uri.contains("&am=1121.00&"));
        assert_eq!(p.signatory.unwrap(), ["For Vidarbha Fibernet", "Asha Deshmukh", "Authorised signatory"]);

        // Without a name the block still stands; documents issued before it have none.
        doc.signatory = Some(Signatory { name: None });
        assert_eq!(printed(&doc).signatory.unwrap(), ["For Vidarbha Fibernet", "Authorised signatory"]);
        doc.signatory = None;
        doc.customer_number = None;
        doc.caf_no = None;
        let p = printed(&doc);
        assert!(p.signatory.is_none());
        assert!(!p.facts.iter().any(|f| f.0.contains("Customer") || f.0.contains("CAF")));
    }

    #[test]
    fn what_is_read_live_is_never_stored() {
        let mut doc = crate::documents::pdf::tests::sample();
        doc.signatory = Some(Signatory { name: Some("Asha".into()) });
        doc.customer_number = Some("2611200001".into());
        doc.notes = vec![NoteOnInvoice {
            kind: NoteKind::Credit,
            number: "CN/26-27/000001".into(),
            date: doc.date,
            amount_paise: 100,
        }];
        doc.upi = crate::documents::upi::payment("a@ybl", "A", 100, "N");
        let json = serde_json::to_string(&doc).unwrap();
        assert!(json.contains("Asha") && json.contains("2611200001"), "frozen: {json}");
        assert!(!json.contains("CN/26-27") && !json.contains("upi"), "live: {json}");
        let back: TaxDocument = serde_json::from_str(&json).unwrap();
        assert!(back.notes.is_empty() && back.upi.is_none());
        assert_eq!(back.signatory, doc.signatory);
        // A document stored before these fields existed still reads.
        let mut old: serde_json::Value = serde_json::from_str(&json).unwrap();
        for key in ["customer_number", "caf_no", "signatory"] {
            old.as_object_mut().unwrap().remove(key);
        }
        let old: TaxDocument = serde_json::from_value(old).unwrap();
        assert_eq!((old.customer_number, old.signatory), (None, None));
    }
}
