//! What a tax invoice or credit note shows, as plain data (no database, no layout).

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

/// SAC of telecommunication services (broadband, cable TV).
pub const SAC: &str = "9984";

/// Which document.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum DocumentKind {
    TaxInvoice,
    CreditNote,
    /// Raises an issued invoice's value (CGST Act section 34(3)).
    DebitNote,
    /// A supply by a company without a GSTIN: no tax may be charged (CGST Act section 32).
    BillOfSupply,
    /// A draft invoice that was never issued: not a tax invoice, in no return.
    Proforma,
    /// An advance received for services not yet invoiced, with the tax in it (CGST Rule 50).
    ReceiptVoucher,
}

impl DocumentKind {
    /// The document's title.
    pub fn title(self) -> &'static str {
        match self {
            DocumentKind::TaxInvoice => "Tax Invoice",
            DocumentKind::CreditNote => "Credit Note",
            DocumentKind::DebitNote => "Debit Note",
            DocumentKind::BillOfSupply => "Bill of Supply",
            DocumentKind::Proforma => "Proforma Invoice",
            DocumentKind::ReceiptVoucher => "Receipt Voucher",
        }
    }
}

/// The supplier or the recipient.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Party {
    pub name: String,
    pub address_lines: Vec<String>,
    pub gstin: Option<String>,
    pub state: String,
    pub state_code: Option<String>,
    pub phone: Option<String>,
    pub email: Option<String>,
}

/// One charged line (the plan, installation, an add-on). Amount in paise, before tax.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Line {
    pub description: String,
    /// The SAC of a service (9984), or the HSN code of goods.
    pub sac: String,
    pub period: Option<(NaiveDate, NaiveDate)>,
    pub amount_paise: i64,
    /// The line's GST rate in basis points (1800 = 18 %); 0 on a bill of supply.
    #[serde(default)]
    pub rate_bp: i32,
    /// Goods: how many, and the unit (`NOS`, `MTR`); `None` for a service.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub goods: Option<Quantity>,
}

/// A quantity of goods on a line: `count` of `uqc` (GST's unit quantity code, `NOS`, `MTR`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Quantity {
    pub count: i64,
    pub uqc: String,
}

impl Line {
    /// Whether the line is a service: its code is a SAC (chapter 99).
    pub fn is_service(&self) -> bool {
        self.sac.starts_with("99")
    }
}

/// One tax: name `CGST`, `SGST` or `IGST`, rate in basis points (900 = 9 %), amount in paise.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TaxLine {
    pub name: String,
    pub rate_bp: i32,
    pub amount_paise: i64,
}

/// Everything a tax invoice (CGST Rule 46) or a credit note (Rule 53) shows.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TaxDocument {
    pub kind: DocumentKind,
    pub number: String,
    pub date: NaiveDate,
    pub supplier: Party,
    pub recipient: Party,
    /// State name of the place of supply, and its GST code.
    pub place_of_supply: String,
    pub place_of_supply_code: Option<String>,
    /// Credit notes: the invoice they reduce (number, date).
    pub original_invoice: Option<(String, NaiveDate)>,
    pub lines: Vec<Line>,
    pub discount_paise: i64,
    pub taxable_paise: i64,
    pub taxes: Vec<TaxLine>,
    pub total_paise: i64,
    /// Invoices: paid so far, still to pay, due date.
    pub paid_paise: Option<i64>,
    pub balance_paise: Option<i64>,
    pub due_date: Option<NaiveDate>,
    /// Credit notes: why; who issued it.
    pub reason: Option<String>,
    pub issued_by: Option<String>,
    /// A cancelled (voided) invoice is still printed, marked CANCELLED.
    pub cancelled: bool,
    /// The customer's number (`customerId`) and CAF number, as issued. `None` on documents
    /// issued before documents printed them: those reprint as they were.
    #[serde(default)]
    pub customer_number: Option<String>,
    #[serde(default)]
    pub caf_no: Option<String>,
    /// The "For <supplier>, Authorised signatory" block, as issued; `None` on documents issued
    /// before documents printed it.
    #[serde(default)]
    pub signatory: Option<Signatory>,
    /// Set on the version an amendment made (CGST Act section 37(3)): when, why, and the
    /// recipient GSTIN it corrected. Never on a document as first issued, so those records
    /// stay byte for byte as they were.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub amended: Option<Amended>,
    /// Invoices: the credit and debit notes that changed it, as of today. Never stored in a
    /// snapshot (added when the document is read, like the balance).
    #[serde(skip)]
    pub notes: Vec<NoteOnInvoice>,
    /// Invoices with a balance: how to pay it by UPI today. Never stored in a snapshot.
    #[serde(skip)]
    pub upi: Option<UpiPayment>,
}

/// A correction of an issued document's particulars after issue: the recipient's GSTIN, on
/// `on`, for `reason`. `gstin_before`: the GSTIN it had (`None`: issued as unregistered).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Amended {
    pub on: NaiveDate,
    pub reason: String,
    pub gstin_before: Option<String>,
}

/// Who signs for the supplier (CGST Rule 46(q)): the block reads "For <supplier name>",
/// the name when the company set one, and "Authorised signatory".
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Signatory {
    pub name: Option<String>,
}

/// A note that changes an issued invoice's value (CGST Act section 34).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum NoteKind {
    /// Lowers the invoice's value (section 34(1)).
    Credit,
    /// Raises it (section 34(3)).
    Debit,
}

/// A credit or debit note as listed on the invoice it changes: its number, date and value
/// (tax included), in paise.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NoteOnInvoice {
    pub kind: NoteKind,
    pub number: String,
    pub date: NaiveDate,
    pub amount_paise: i64,
}

/// A UPI payment of an invoice's balance: the `upi://pay` link its QR code holds, the payee's
/// address and the amount (paise).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UpiPayment {
    pub uri: String,
    pub vpa: String,
    pub amount_paise: i64,
}
