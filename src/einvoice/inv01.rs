//! The e-invoice of an issued document: INV-01 JSON, schema version 1.1 (the JSON the IRP
//! takes to register an invoice, credit note or debit note), built from the document's
//! snapshot alone, so that it says exactly what the document says. Pure: no database.
//!
//! Amounts are rupees with two decimals (`1180.00`), written from integer paise; nothing is
//! computed in floating point. The document's discount is spread over its lines (`Discount`,
//! so `AssAmt = TotAmt − Discount`) and its taxes over the lines by their taxable value, each
//! in whole paise with the remainders placed so that the lines add up to the document's
//! figures exactly: `ValDtls.AssVal` is the document's taxable value, `CgstVal`/`SgstVal`/
//! `IgstVal` its taxes, `TotInvVal` its total.

use chrono::NaiveDate;
use serde::Serialize;
use serde_json::value::RawValue;

use super::address::{clean, cut, split};
use crate::documents::model::{DocumentKind, Line, Party};
use crate::documents::snapshot::Snapshot;
use crate::error::{AppError, AppResult};

/// The schema version the JSON follows.
pub const VERSION: &str = "1.1";

/// Hundredths written as a JSON number with exactly two decimals: paise as rupees (`118000` →
/// `1180.00`), or hundredths of a unit as a quantity (`100` → `1.00`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Hundredths(pub i64);

impl Serialize for Hundredths {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        number(crate::money::format_hundredths(self.0)).serialize(serializer)
    }
}

/// A GST rate in basis points written as a JSON number of percent (`1800` → `18`, `250` →
/// `2.5`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Rate(pub i32);

impl Serialize for Rate {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let text = crate::money::format_hundredths(self.0.into());
        let text = text.trim_end_matches('0').trim_end_matches('.').to_owned();
        number(text).serialize(serializer)
    }
}

/// `text` (a decimal we wrote) as a raw JSON number.
fn number(text: String) -> Box<RawValue> {
    RawValue::from_string(text).unwrap_or_else(|_| RawValue::from_string("0".to_owned()).expect("a number"))
}

/// The INV-01 document (the fields an ISP's supply uses; the rest are optional and left out).
#[derive(Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct EInvoice {
    pub version: &'static str,
    pub tran_dtls: TranDtls,
    pub doc_dtls: DocDtls,
    pub seller_dtls: PartyDtls,
    pub buyer_dtls: PartyDtls,
    pub item_list: Vec<Item>,
    pub val_dtls: ValDtls,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ref_dtls: Option<RefDtls>,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct TranDtls {
    /// `GST`.
    pub tax_sch: &'static str,
    /// `B2B`: a supply to a registered person.
    pub sup_typ: &'static str,
    /// `N`: no reverse charge on telecommunication services.
    pub reg_rev: &'static str,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct DocDtls {
    /// `INV` or `CRN`.
    pub typ: &'static str,
    pub no: String,
    /// `DD/MM/YYYY`.
    pub dt: String,
}

/// `SellerDtls` or `BuyerDtls`.
#[derive(Debug, Serialize)]
pub struct PartyDtls {
    #[serde(rename = "Gstin")]
    pub gstin: String,
    #[serde(rename = "LglNm")]
    pub lgl_nm: String,
    /// Buyers only: the place of supply's state code.
    #[serde(rename = "Pos", skip_serializing_if = "Option::is_none")]
    pub pos: Option<String>,
    #[serde(rename = "Addr1")]
    pub addr1: String,
    #[serde(rename = "Addr2", skip_serializing_if = "Option::is_none")]
    pub addr2: Option<String>,
    #[serde(rename = "Loc")]
    pub loc: String,
    #[serde(rename = "Pin", skip_serializing_if = "Option::is_none")]
    pub pin: Option<u32>,
    #[serde(rename = "Stcd")]
    pub stcd: String,
    #[serde(rename = "Ph", skip_serializing_if = "Option::is_none")]
    pub ph: Option<String>,
    #[serde(rename = "Em", skip_serializing_if = "Option::is_none")]
    pub em: Option<String>,
}

/// One line. Services (SAC chapter 99) carry no quantity or unit; goods carry both.
#[derive(Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct Item {
    pub sl_no: String,
    pub prd_desc: String,
    pub is_servc: &'static str,
    pub hsn_cd: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub qty: Option<Hundredths>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub unit: Option<String>,
    pub unit_price: Hundredths,
    pub tot_amt: Hundredths,
    pub discount: Hundredths,
    pub ass_amt: Hundredths,
    pub gst_rt: Rate,
    pub igst_amt: Hundredths,
    pub cgst_amt: Hundredths,
    pub sgst_amt: Hundredths,
    pub tot_item_val: Hundredths,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct ValDtls {
    pub ass_val: Hundredths,
    pub cgst_val: Hundredths,
    pub sgst_val: Hundredths,
    pub igst_val: Hundredths,
    /// The document's total less its taxable value and taxes, when it is not zero.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub rnd_off_amt: Option<Hundredths>,
    pub tot_inv_val: Hundredths,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct RefDtls {
    /// A credit note's reason.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub inv_rm: Option<String>,
    /// The billing period an invoice covers.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub doc_perd_dtls: Option<DocPerdDtls>,
    /// A credit note's invoice.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub prec_doc_dtls: Option<Vec<PrecDocDtls>>,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct DocPerdDtls {
    pub inv_st_dt: String,
    pub inv_end_dt: String,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct PrecDocDtls {
    pub inv_no: String,
    pub inv_dt: String,
}

impl EInvoice {
    /// The JSON text to upload, indented.
    pub fn to_json(&self) -> String {
        serde_json::to_string_pretty(self).unwrap_or_default()
    }
}

/// The e-invoice of the issued document `snapshot`; `BAD_USER_INPUT` on `field` (the argument
/// naming the document) when the document cannot be e-invoiced, saying why.
pub fn build(snapshot: &Snapshot, field: &str) -> AppResult<EInvoice> {
    let doc = &snapshot.document;
    let refuse = |why: String| AppError::bad_input(field, format!("{} {}: {why}", doc.kind.title(), doc.number));
    let typ = match doc.kind {
        DocumentKind::TaxInvoice => "INV",
        DocumentKind::CreditNote => "CRN",
        DocumentKind::DebitNote => "DBN",
        DocumentKind::BillOfSupply => {
            return Err(refuse("a bill of supply charges no GST and is not e-invoiced".to_owned()))
        }
        DocumentKind::Proforma => return Err(refuse("a proforma is not issued; issue it first".to_owned())),
        DocumentKind::ReceiptVoucher => {
            return Err(refuse("a receipt voucher is not e-invoiced; its invoice is".to_owned()))
        }
    };
    let Some(buyer_gstin) = snapshot.filed.customer_gstin.clone() else {
        return Err(refuse(
            "it was issued to an unregistered customer (no GSTIN, B2C): only B2B documents are e-invoiced".to_owned(),
        ));
    };
    let Some(seller_gstin) = doc.supplier.gstin.clone() else {
        return Err(refuse("it shows no supplier GSTIN".to_owned()));
    };
    if !number_fits(&doc.number) {
        return Err(refuse(
            "its number does not fit the e-invoice's document number (at most 16 of A-Z, a-z, 0-9, / and -, \
             not starting with 0, /, -)"
                .to_owned(),
        ));
    }
    let seller = party(&doc.supplier, seller_gstin, None, 50);
    if seller.pin.is_none() {
        return Err(refuse(
            "the supplier address it shows has no 6-digit PIN code, which the e-invoice's SellerDtls.Pin requires"
                .to_owned(),
        ));
    }
    let pos = snapshot.filed.pos_code.clone();
    let buyer = party(&doc.recipient, buyer_gstin, Some(pos), 100);
    for (who, p) in [("supplier", &seller), ("customer", &buyer)] {
        if p.lgl_nm.chars().count() < 3 {
            return Err(refuse(format!("the {who}'s name is shorter than the 3 characters the e-invoice needs")));
        }
    }
    let items = items(doc.lines.as_slice(), doc.discount_paise, &doc.taxes).map_err(refuse)?;
    let sum = |f: fn(&Item) -> i64| items.iter().map(f).sum::<i64>();
    let (ass, cgst, sgst, igst) =
        (sum(|i| i.ass_amt.0), sum(|i| i.cgst_amt.0), sum(|i| i.sgst_amt.0), sum(|i| i.igst_amt.0));
    let round_off = doc.total_paise - (ass + cgst + sgst + igst);
    if round_off.abs() > 99_99 {
        return Err(refuse(format!(
            "its total {} is not its taxable value and taxes ({})",
            crate::money::rupees(doc.total_paise),
            crate::money::rupees(ass + cgst + sgst + igst)
        )));
    }
    let period = doc
        .lines
        .iter()
        .find_map(|l| l.period)
        .map(|(start, end)| DocPerdDtls { inv_st_dt: date(start), inv_end_dt: date(end) });
    let ref_dtls = match (doc.kind, &doc.original_invoice) {
        (DocumentKind::CreditNote | DocumentKind::DebitNote, Some((number, dated))) => Some(RefDtls {
            inv_rm: doc.reason.as_deref().map(|r| cut(&clean(r), 100)).filter(|r| r.chars().count() >= 3),
            doc_perd_dtls: None,
            prec_doc_dtls: Some(vec![PrecDocDtls { inv_no: number.clone(), inv_dt: date(*dated) }]),
        }),
        (DocumentKind::CreditNote | DocumentKind::DebitNote, None) => {
            return Err(refuse("it names no invoice".to_owned()))
        }
        _ => period.map(|p| RefDtls { inv_rm: None, doc_perd_dtls: Some(p), prec_doc_dtls: None }),
    };
    Ok(EInvoice {
        version: VERSION,
        tran_dtls: TranDtls { tax_sch: "GST", sup_typ: "B2B", reg_rev: "N" },
        doc_dtls: DocDtls { typ, no: doc.number.clone(), dt: date(doc.date) },
        seller_dtls: seller,
        buyer_dtls: buyer,
        item_list: items,
        val_dtls: ValDtls {
            ass_val: Hundredths(ass),
            cgst_val: Hundredths(cgst),
            sgst_val: Hundredths(sgst),
            igst_val: Hundredths(igst),
            rnd_off_amt: (round_off != 0).then_some(Hundredths(round_off)),
            tot_inv_val: Hundredths(doc.total_paise),
        },
        ref_dtls,
    })
}

/// `DD/MM/YYYY`.
fn date(d: NaiveDate) -> String {
    d.format("%d/%m/%Y").to_string()
}

/// Whether `number` fits `DocDtls.No`: `^[a-zA-Z1-9][a-zA-Z0-9/-]{0,15}$`.
pub fn number_fits(number: &str) -> bool {
    let mut chars = number.chars();
    let first_ok = chars.next().is_some_and(|c| c.is_ascii_alphabetic() || ('1'..='9').contains(&c));
    first_ok && number.len() <= 16 && chars.all(|c| c.is_ascii_alphanumeric() || c == '/' || c == '-')
}

/// A party as the e-invoice names it. The state code is the GSTIN's (where it is registered).
fn party(p: &Party, gstin: String, pos: Option<String>, loc_max: usize) -> PartyDtls {
    let parts = split(&p.address_lines, &p.state, loc_max);
    let phone: String = p.phone.as_deref().unwrap_or("").chars().filter(char::is_ascii_digit).collect();
    let email = p.email.as_deref().map(str::trim).filter(|e| email_fits(e)).map(str::to_owned);
    PartyDtls {
        stcd: gstin.chars().take(2).collect(),
        gstin,
        lgl_nm: cut(&clean(&p.name), 100),
        pos,
        addr1: parts.addr1,
        addr2: parts.addr2,
        loc: parts.loc,
        pin: parts.pin,
        ph: (6..=12).contains(&phone.len()).then_some(phone),
        em: email,
    }
}

/// The price of one of `count`, in paise, to the paisa (half up): the schema's `UnitPrice`
/// has three decimals, the total (`TotAmt`) is what was charged.
fn unit_price(amount: i64, count: i64) -> i64 {
    if count <= 1 {
        amount
    } else {
        (amount + count / 2) / count
    }
}

/// Whether `email` fits `Em`: 6 to 100 characters, `^[a-zA-Z0-9+_.-]+@[a-zA-Z0-9.-]+$`.
fn email_fits(email: &str) -> bool {
    let local_ok = |s: &str| !s.is_empty() && s.chars().all(|c| c.is_ascii_alphanumeric() || "+_.-".contains(c));
    let domain_ok = |s: &str| !s.is_empty() && s.chars().all(|c| c.is_ascii_alphanumeric() || ".-".contains(c));
    (6..=100).contains(&email.len())
        && email.split_once('@').is_some_and(|(local, domain)| local_ok(local) && domain_ok(domain))
}

/// The lines as items: the discount spread over them by their amounts, each tax by their
/// taxable values, in whole paise adding up to the document's figures.
fn items(lines: &[Line], discount: i64, taxes: &[crate::documents::model::TaxLine]) -> Result<Vec<Item>, String> {
    let lines: Vec<&Line> = lines.iter().filter(|l| l.amount_paise != 0 || lines.len() == 1).collect();
    if lines.is_empty() {
        return Err("it has no lines".to_owned());
    }
    if let Some(l) = lines.iter().find(|l| l.amount_paise < 0) {
        return Err(format!("its line \"{}\" is negative, which the e-invoice cannot show", l.description));
    }
    let amounts: Vec<i64> = lines.iter().map(|l| l.amount_paise).collect();
    let discounts = spread(discount, &amounts)?;
    let taxable: Vec<i64> = amounts.iter().zip(&discounts).map(|(a, d)| a - d).collect();
    let tax_of = |name: &str| -> Result<Vec<i64>, String> {
        let total: i64 = taxes.iter().filter(|t| t.name == name).map(|t| t.amount_paise).sum();
        spread(total, &taxable)
    };
    let (cgst, sgst, igst) = (tax_of("CGST")?, tax_of("SGST")?, tax_of("IGST")?);
    Ok(lines
        .iter()
        .enumerate()
        .map(|(i, line)| {
            let code: String = line.sac.chars().filter(char::is_ascii_digit).collect();
            // SAC codes (chapter 99) are services; anything else is goods, in the quantity the
            // document records (one piece on documents from before quantities were recorded).
            let service = code.starts_with("99");
            // A note changes value, not quantity (0 on its line): it is carried as one.
            let (count, unit) = line.goods.as_ref().map_or((1, "NOS"), |q| (q.count.max(1), q.uqc.as_str()));
            let description = cut(&clean(&line.description), 300);
            let description =
                if description.chars().count() < 3 { format!("{description} ({code})") } else { description };
            Item {
                sl_no: (i + 1).to_string(),
                prd_desc: description,
                is_servc: if service { "Y" } else { "N" },
                hsn_cd: code,
                qty: (!service).then_some(Hundredths(count * 100)),
                unit: (!service).then(|| unit.to_owned()),
                unit_price: Hundredths(unit_price(amounts[i], if service { 1 } else { count })),
                tot_amt: Hundredths(amounts[i]),
                discount: Hundredths(discounts[i]),
                ass_amt: Hundredths(taxable[i]),
                gst_rt: Rate(line.rate_bp),
                igst_amt: Hundredths(igst[i]),
                cgst_amt: Hundredths(cgst[i]),
                sgst_amt: Hundredths(sgst[i]),
                tot_item_val: Hundredths(taxable[i] + cgst[i] + sgst[i] + igst[i]),
            }
        })
        .collect())
}

/// `total` paise shared over the lines' `weights` ([`crate::money::spread`]); a negative
/// total is refused (the e-invoice has no negative discounts or taxes).
fn spread(total: i64, weights: &[i64]) -> Result<Vec<i64>, String> {
    if total < 0 {
        return Err("it carries a negative discount or tax".to_owned());
    }
    Ok(crate::money::spread(total, weights))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::documents::model::{Party, TaxDocument, TaxLine};
    use crate::documents::snapshot::{Filed, Snapshot, VERSION as SNAPSHOT_VERSION};

    fn snapshot(lines: Vec<(i64, &str)>, discount: i64, inter_state: bool) -> Snapshot {
        let taxable: i64 = lines.iter().map(|l| l.0).sum::<i64>() - discount;
        let tax = taxable * 18 / 100;
        let taxes = if inter_state {
            vec![TaxLine { name: "IGST".into(), rate_bp: 1800, amount_paise: tax }]
        } else {
            vec![
                TaxLine { name: "CGST".into(), rate_bp: 900, amount_paise: tax / 2 },
                TaxLine { name: "SGST".into(), rate_bp: 900, amount_paise: tax - tax / 2 },
            ]
        };
        let document = TaxDocument {
            kind: DocumentKind::TaxInvoice,
            number: "INV/26-27/000007".into(),
            date: NaiveDate::from_ymd_opt(2026, 12, 5).unwrap(),
            supplier: Party {
                name: "Vidarbha \"Fibernet\"".into(),
                address_lines: vec!["Main Road, Dharampeth".into(), "Nagpur 440010".into()],
                gstin: Some("27AAPFU0939F1ZV".into()),
                state: "Maharashtra".into(),
                state_code: Some("27".into()),
                phone: Some("+91 98220 00000".into()),
                email: Some("billing@vidarbha.example".into()),
            },
            recipient: Party {
                name: "Sharma Traders".into(),
                address_lines: vec!["4, Civil Lines".into(), "Nagpur, Maharashtra 440001".into()],
                gstin: Some("27AABCU9603R1ZN".into()),
                state: "Maharashtra".into(),
                state_code: Some("27".into()),
                phone: Some("9822011111".into()),
                email: None,
            },
            place_of_supply: "Maharashtra".into(),
            place_of_supply_code: Some("27".into()),
            original_invoice: None,
            lines: lines
                .iter()
                .map(|(amount, desc)| Line {
                    description: (*desc).into(),
                    sac: "9984".into(),
                    period: None,
                    amount_paise: *amount,
                    rate_bp: 1800,
                    goods: None,
                })
                .collect(),
            discount_paise: discount,
            taxable_paise: taxable,
            taxes,
            total_paise: taxable + tax,
            paid_paise: None,
            balance_paise: None,
            due_date: None,
            reason: None,
            issued_by: None,
            cancelled: false,
            customer_number: None,
            caf_no: None,
            signatory: None,
            amended: None,
            notes: Vec::new(),
            upi: None,
        };
        let filed = Filed {
            series: "INV/26-27".into(),
            serial: Some(7),
            customer_gstin: Some("27AABCU9603R1ZN".into()),
            pos_code: "27".into(),
            inter_state,
            rate_bp: 1800,
            taxable_paise: taxable,
            igst_paise: 0,
            cgst_paise: 0,
            sgst_paise: 0,
            value_paise: taxable + tax,
            invoice_value_paise: None,
            debit: false,
        };
        Snapshot { version: SNAPSHOT_VERSION, document, filed }
    }

    #[test]
    fn amounts_are_rupees_with_two_decimals_and_rates_are_percent() {
        let json = build(&snapshot(vec![(100000, "Home 100 (100 Mbps)")], 0, false), "id").unwrap().to_json();
        assert!(json.contains("\"TotInvVal\": 1180.00"), "{json}");
        assert!(json.contains("\"CgstAmt\": 90.00") && json.contains("\"IgstAmt\": 0.00"), "{json}");
        assert!(json.contains("\"GstRt\": 18,"), "{json}");
        assert!(json.contains("\"Dt\": \"05/12/2026\""), "{json}");
        let value: serde_json::Value = serde_json::from_str(&json).unwrap();
        assert_eq!(value["SellerDtls"]["LglNm"], "Vidarbha 'Fibernet'");
        assert_eq!(value["SellerDtls"]["Pin"], 440010);
        assert_eq!(value["SellerDtls"]["Ph"], "919822000000");
        assert_eq!(value["BuyerDtls"]["Loc"], "Nagpur");
        assert_eq!(value["BuyerDtls"]["Pos"], "27");
        assert!(value["ItemList"][0].get("Qty").is_none(), "a service has no quantity");
    }

    #[test]
    fn discount_and_taxes_are_spread_over_lines_to_the_paisa() {
        let snap = snapshot(vec![(49900, "Plan"), (20001, "Router rent"), (10000, "Installation charges")], 4999, true);
        let e = build(&snap, "id").unwrap();
        let items = &e.item_list;
        assert_eq!(items.iter().map(|i| i.discount.0).sum::<i64>(), 4999);
        assert_eq!(items.iter().map(|i| i.ass_amt.0).sum::<i64>(), snap.document.taxable_paise);
        assert_eq!(items.iter().map(|i| i.igst_amt.0).sum::<i64>(), e.val_dtls.igst_val.0);
        assert_eq!(e.val_dtls.tot_inv_val.0, snap.document.total_paise);
        assert_eq!(e.val_dtls.rnd_off_amt, None);
        for i in items {
            assert_eq!(i.ass_amt.0, i.tot_amt.0 - i.discount.0);
            assert_eq!(i.tot_item_val.0, i.ass_amt.0 + i.igst_amt.0);
            // Within a rupee of rate × taxable value (the IRP's tolerance).
            assert!((i.igst_amt.0 * 100 - i.ass_amt.0 * 18).abs() < 100 * 100, "{i:?}");
        }
    }

    #[test]
    fn b2c_bills_of_supply_and_odd_numbers_are_refused_saying_why() {
        let mut b2c = snapshot(vec![(100000, "Plan")], 0, false);
        b2c.filed.customer_gstin = None;
        let e = build(&b2c, "id").unwrap_err();
        assert!(e.message().contains("unregistered customer"), "{}", e.message());
        let mut bos = snapshot(vec![(100000, "Plan")], 0, false);
        bos.document.kind = DocumentKind::BillOfSupply;
        assert!(build(&bos, "id").unwrap_err().message().contains("bill of supply"));
        let mut long = snapshot(vec![(100000, "Plan")], 0, false);
        long.document.number = "INV20261204222950-2".into();
        assert!(build(&long, "id").unwrap_err().message().contains("document number"));
        let mut no_pin = snapshot(vec![(100000, "Plan")], 0, false);
        no_pin.document.supplier.address_lines = vec!["Main Road".into()];
        assert!(build(&no_pin, "id").unwrap_err().message().contains("PIN"));
    }

    #[test]
    fn spread_keeps_the_total() {
        assert_eq!(spread(100, &[1, 1, 1]).unwrap(), vec![34, 33, 33]);
        assert_eq!(spread(5, &[0, 0]).unwrap(), vec![5, 0]);
        assert_eq!(spread(0, &[3, 4]).unwrap(), vec![0, 0]);
        assert!(spread(-1, &[1]).is_err());
    }

    #[test]
    fn document_numbers_are_checked_like_the_schema() {
        assert!(number_fits("INV/26-27/000123"));
        assert!(!number_fits("0NV/26-27/000123"));
        assert!(!number_fits("INV 26"));
        assert!(!number_fits("INV20261204222950"));
    }
}
