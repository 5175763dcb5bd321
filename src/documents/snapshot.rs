//! An issued document as a record: what it showed and what its return line said on the day it
//! was issued, kept as JSON in `document_snapshots` and never changed. Reprints and GSTR-1
//! read it; only the money paid since and a cancellation are added from today's rows.

use serde::{Deserialize, Serialize};

use super::model::{Line, Quantity, TaxDocument, TaxLine};
use crate::credit_notes::model::CreditNoteRow;

/// Bumped when the stored shape changes in a way older readers could not read.
pub const VERSION: u32 = 1;

/// What a document showed and was filed as on the day it was issued.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Snapshot {
    pub version: u32,
    pub document: TaxDocument,
    pub filed: Filed,
}

/// A document's line in GSTR-1, as issued. Paise; the rate in basis points.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Filed {
    /// `INV/26-27` (financial-year numbering) or `INV` (timestamp numbers).
    pub series: String,
    pub serial: Option<i64>,
    /// The recipient's GSTIN when registered (B2B).
    pub customer_gstin: Option<String>,
    /// Two-digit GST state code of the place of supply (`97`: other territory).
    pub pos_code: String,
    pub inter_state: bool,
    pub rate_bp: i32,
    pub taxable_paise: i64,
    pub igst_paise: i64,
    pub cgst_paise: i64,
    pub sgst_paise: i64,
    /// The document's value: taxable value plus taxes.
    pub value_paise: i64,
    /// Credit and debit notes: the value of the invoice they change, as issued.
    pub invoice_value_paise: Option<i64>,
    /// A debit note (the value rises); else a credit note or an invoice.
    #[serde(default)]
    pub debit: bool,
}

impl Snapshot {
    pub fn to_json(&self) -> String {
        serde_json::to_string(self).unwrap_or_default()
    }

    pub fn from_json(text: &str) -> Result<Snapshot, String> {
        serde_json::from_str(text).map_err(|e| format!("a stored document cannot be read: {e}"))
    }
}

/// The code a note against `invoice` changes the value under: the invoice's own when all its
/// lines have one (goods alone: a returned router's HSN code, with its unit and a quantity of
/// 0, since a note changes value, not quantity), else the SAC of the service.
fn note_code(invoice: &TaxDocument) -> (String, Option<Quantity>) {
    let first = &invoice.lines.first();
    match first {
        Some(first) if invoice.lines.iter().all(|l| l.sac == first.sac) => {
            let goods = invoice.lines.iter().find_map(|l| l.goods.as_ref());
            (first.sac.clone(), goods.map(|q| Quantity { count: 0, uqc: q.uqc.clone() }))
        }
        _ => (super::model::SAC.to_owned(), None),
    }
}

/// The credit (or debit) note `note` against the invoice issued as `invoice`: the parties,
/// place of supply and rate are the invoice's as issued; the amounts are the note's.
pub fn credit_note(note: &CreditNoteRow, invoice: &Snapshot) -> Snapshot {
    let issued = &invoice.document;
    let f = &invoice.filed;
    let taxes = issued
        .taxes
        .iter()
        .map(|t| TaxLine {
            name: t.name.clone(),
            rate_bp: t.rate_bp,
            amount_paise: match t.name.as_str() {
                "IGST" => note.igst_paise,
                "CGST" => note.cgst_paise,
                _ => note.sgst_paise,
            },
        })
        .collect();
    let debit = note.note_type == crate::credit_notes::model::NoteType::Debit;
    let (code, goods) = note_code(issued);
    let (kind, change) = if debit {
        (super::model::DocumentKind::DebitNote, "raised")
    } else {
        (super::model::DocumentKind::CreditNote, "reduced")
    };
    let document = TaxDocument {
        kind,
        number: note.credit_note_number.clone(),
        date: note.note_date,
        supplier: issued.supplier.clone(),
        recipient: issued.recipient.clone(),
        place_of_supply: issued.place_of_supply.clone(),
        place_of_supply_code: issued.place_of_supply_code.clone(),
        original_invoice: Some((issued.number.clone(), issued.date)),
        lines: vec![Line {
            description: format!("Value {change} on invoice {}", issued.number),
            sac: code.clone(),
            period: issued.lines.iter().find_map(|l| l.period),
            amount_paise: note.taxable_paise,
            rate_bp: f.rate_bp,
            goods,
        }],
        discount_paise: 0,
        taxable_paise: note.taxable_paise,
        taxes,
        total_paise: note.amount_paise,
        paid_paise: None,
        balance_paise: None,
        due_date: None,
        reason: Some(note.reason.clone()),
        issued_by: Some(note.issued_by_name.clone()),
        cancelled: false,
        customer_number: issued.customer_number.clone(),
        caf_no: issued.caf_no.clone(),
        // The caller signs it (the company's signatory on the note's day).
        signatory: None,
        amended: None,
        notes: Vec::new(),
        upi: None,
    };
    let filed = Filed {
        series: note.series.clone(),
        serial: note.serial,
        customer_gstin: f.customer_gstin.clone(),
        pos_code: f.pos_code.clone(),
        inter_state: f.inter_state,
        rate_bp: f.rate_bp,
        taxable_paise: note.taxable_paise,
        igst_paise: note.igst_paise,
        cgst_paise: note.cgst_paise,
        sgst_paise: note.sgst_paise,
        value_paise: note.amount_paise,
        invoice_value_paise: Some(f.value_paise),
        debit,
    };
    Snapshot { version: VERSION, document, filed }
}
