//! Amendments in a return (CGST Act section 37(3), reported in the return of the month they
//! are made): table 9A (`b2ba`), B2B invoices of filed months as amended, under the number and
//! date they were filed with; table 9C (`cdnra`), their credit and debit notes likewise; and,
//! for an invoice filed in the B2C summary whose recipient was registered, the invoice in
//! `b2b` with its own date and table 10 (`b2csa`) restating that month's summary rows without
//! it (the GSTN's way: "Amendment to B2C" of the month, and the B2B invoice shown with its
//! original date; its value moves from the B2C to the B2B list of the HSN summary, table 12).
//! Read by [`super::repo`] from `document_amendments`.

use std::collections::BTreeMap;

use chrono::NaiveDate;

use super::build::{
    add as add_to, date, invoice_detail, note_detail, one_item, supply_type, zero, AmendedNote, Amount, B2b,
    B2bInvoice, B2ba, B2baInvoice, B2cs, B2csa, Cdnra, Gstr1, ItemDetail,
};
use super::model::{CreditNoteLine, InvoiceLine, Period};

/// A document as amended, and the number and date it was filed with.
#[derive(Debug, Clone)]
pub struct Amended<T> {
    pub line: T,
    pub original_number: String,
    pub original_date: NaiveDate,
}

/// A filed month's B2C summary and the invoices amendments moved out of it to B2B.
#[derive(Debug, Clone)]
pub struct RevisedSummary {
    pub month: Period,
    /// The month's `b2cs` rows as filed.
    pub filed: Vec<B2cs>,
    /// Every invoice of the month moved by amendments reported up to this return.
    pub moved: Vec<InvoiceLine>,
    /// Those moved by this return's amendments: the rows they were in are restated.
    pub moved_now: Vec<InvoiceLine>,
}

/// Adds to `r` the amendments of B2B invoices (`invoices`) and notes (`notes`), the invoices
/// `moved` from the B2C summary to B2B, and the summaries they were moved out of.
pub fn add(
    r: &mut Gstr1,
    invoices: &[Amended<InvoiceLine>],
    notes: &[Amended<CreditNoteLine>],
    moved: &[InvoiceLine],
    summaries: &[RevisedSummary],
) {
    let mut b2ba: BTreeMap<String, Vec<B2baInvoice>> = BTreeMap::new();
    for a in invoices {
        let i = &a.line;
        let Some(ctin) = &i.customer_gstin else { continue };
        b2ba.entry(ctin.clone()).or_default().push(B2baInvoice {
            receiver_name: i.recipient_name.clone(),
            oinum: a.original_number.clone(),
            oidt: date(a.original_date),
            inum: i.number.clone(),
            idt: date(i.date),
            val: Amount(i.value_paise),
            pos: i.pos_code.clone(),
            rchrg: "N",
            inv_typ: "R",
            itms: one_item(invoice_detail(i)),
        });
    }
    r.b2ba = b2ba.into_iter().map(|(ctin, inv)| B2ba { ctin, inv }).collect();

    let mut cdnra: BTreeMap<String, Vec<AmendedNote>> = BTreeMap::new();
    for a in notes {
        let n = &a.line;
        let Some(ctin) = &n.customer_gstin else { continue };
        cdnra.entry(ctin.clone()).or_default().push(AmendedNote {
            receiver_name: n.recipient_name.clone(),
            ont_num: a.original_number.clone(),
            ont_dt: date(a.original_date),
            ntty: if n.debit { "D" } else { "C" },
            nt_num: n.number.clone(),
            nt_dt: date(n.date),
            val: Amount(n.value_paise),
            pos: n.pos_code.clone(),
            rchrg: "N",
            inv_typ: "R",
            itms: one_item(note_detail(n)),
        });
    }
    r.cdnra = cdnra.into_iter().map(|(ctin, nt)| Cdnra { ctin, nt }).collect();

    for i in moved {
        let Some(ctin) = &i.customer_gstin else { continue };
        // Table 12 follows table 4A: the value moves from the B2C to the B2B list.
        super::build::move_hsn_to_b2b(&mut r.hsn, i);
        let invoice = B2bInvoice {
            receiver_name: i.recipient_name.clone(),
            inum: i.number.clone(),
            idt: date(i.date),
            val: Amount(i.value_paise),
            pos: i.pos_code.clone(),
            rchrg: "N",
            inv_typ: "R",
            itms: one_item(invoice_detail(i)),
        };
        match r.b2b.binary_search_by(|b| b.ctin.cmp(ctin)) {
            Ok(at) => r.b2b[at].inv.push(invoice),
            Err(at) => r.b2b.insert(at, B2b { ctin: ctin.clone(), inv: vec![invoice] }),
        }
    }

    for s in summaries {
        r.b2csa.extend(revised(s));
    }
}

/// The summary key of a B2C invoice: supply type, place of supply, rate.
type Key = (&'static str, String, i32);

fn key(i: &InvoiceLine) -> Key {
    (supply_type(i.inter_state), i.pos_code.clone(), i.rate_bp)
}

/// The rows of `s.month`'s summary that `s.moved_now` were in, as filed less every invoice
/// moved out of them: one `b2csa` per place of supply and supply type, an item per rate.
fn revised(s: &RevisedSummary) -> Vec<B2csa> {
    let mut rows: BTreeMap<Key, ItemDetail> = BTreeMap::new();
    for i in &s.moved_now {
        let k = key(i);
        let filed = s.filed.iter().find(|b| (b.sply_ty, &b.pos, b.amounts.rt.0) == (k.0, &k.1, k.2));
        rows.entry(k).or_insert_with(|| filed.map_or(zero(i.rate_bp, invoice_detail(i).taxes), |b| b.amounts));
    }
    for i in &s.moved {
        if let Some(row) = rows.get_mut(&key(i)) {
            add_to(row, -1, &invoice_detail(i));
        }
    }
    let mut out: BTreeMap<(&'static str, String), Vec<ItemDetail>> = BTreeMap::new();
    for ((sply_ty, pos, _), detail) in rows {
        out.entry((sply_ty, pos)).or_default().push(detail);
    }
    out.into_iter().map(|((sply_ty, pos), itms)| B2csa { omon: s.month.fp(), sply_ty, typ: "OE", pos, itms }).collect()
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;
    use crate::gstr1::build::{build, off_portal_keys, PORTAL_KEYS};

    const RIGHT: &str = "27AAACR5055K1Z7";

    /// October's invoices and notes ([`crate::gstr1::build::tests::month`]) amended in December:
    /// the B2B invoice and its note to another GSTIN, the inter-state B2C invoice and the
    /// intra-state one to registered recipients.
    #[test]
    fn amendments_in_the_portals_shape() {
        let (invoices, notes) = crate::gstr1::build::tests::month();
        let october = Period { year: 2026, month: 10 };
        let filed = build("27AAPFU0939F1ZV", october, &invoices, &notes).b2cs;
        let to = |i: &InvoiceLine, gstin: &str| InvoiceLine { customer_gstin: Some(gstin.into()), ..i.clone() };
        let b2b = Amended {
            line: to(&invoices[0], RIGHT),
            original_number: invoices[0].number.clone(),
            original_date: invoices[0].date,
        };
        let inter = to(&invoices[2], "29AAGCB7383J1Z4");
        let intra = to(&invoices[1], RIGHT);
        let amended_inter =
            Amended { line: inter.clone(), original_number: inter.number.clone(), original_date: inter.date };
        let note = Amended {
            line: CreditNoteLine { customer_gstin: Some(RIGHT.into()), ..notes[0].clone() },
            original_number: notes[0].number.clone(),
            original_date: notes[0].date,
        };
        let summary = RevisedSummary {
            month: october,
            filed: filed.clone(),
            moved: vec![intra.clone()],
            moved_now: vec![intra.clone()],
        };
        let mut r = build("27AAPFU0939F1ZV", Period { year: 2026, month: 12 }, &[], &[]);
        add(&mut r, &[b2b, amended_inter], &[note], std::slice::from_ref(&intra), &[summary]);
        let v = serde_json::to_value(&r).unwrap();
        let (off, seen) = off_portal_keys(&v);
        assert!(off.is_empty(), "{off:#?}\n{v:#}");
        for (path, _) in PORTAL_KEYS.iter().filter(|(p, _)| p.starts_with("b2ba") || p.starts_with("cdnra")) {
            if !path.ends_with("/INTER") || path.starts_with("b2ba") {
                assert!(seen.contains(*path), "{path} not in {seen:?}");
            }
        }
        assert_eq!(v["b2ba"][0]["ctin"], RIGHT);
        assert_eq!(v["b2ba"][0]["inv"][0]["oinum"], "INV/26-27/000001");
        assert_eq!(v["b2ba"][1]["inv"][0]["itms"][0]["itm_det"]["iamt"], 60.0);
        assert_eq!(v["cdnra"][0]["nt"][0]["ont_num"], "CN/26-27/0000001");
        assert_eq!(v["b2b"][0]["inv"][0]["inum"], "INV/26-27/000002", "the moved invoice, with its own number");
        // October's intra-state summary (399 after its note) without the moved 499; the
        // inter-state row, untouched, is not restated.
        assert_eq!(
            v["b2csa"],
            json!([{"omon": "102026", "sply_ty": "INTRA", "typ": "OE", "pos": "27",
                    "itms": [{"rt": 18.0, "txval": -100.0, "camt": -9.0, "samt": -9.0, "csamt": 0.0}]}])
        );
        assert!(seen.contains("b2csa.itms/INTRA") && seen.contains("b2csa/INTRA"), "{seen:?}");
        assert_eq!(filed.len(), 2);
    }
}
