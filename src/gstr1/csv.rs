//! GSTR-1 sections as CSV files: a header row, one row per item, amounts as plain decimals
//! (`1180.00`, `-50.00`) a spreadsheet sums, LF line ends, fields quoted when they hold a
//! comma, quote or line break.
//!
//! The HSN summary is `hsn` (one list) for a return period before May 2025 and `hsn_b2b` /
//! `hsn_b2c` from May 2025 (`super::dated_rules`); a list the period does not have is a file
//! with the header row only.

use super::build::{Amount, Gstr1, Hsn, HsnRow, ItemDetail};

/// One section of the return.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Section {
    B2b,
    B2cl,
    B2cs,
    Cdnr,
    Cdnur,
    Hsn,
    HsnB2b,
    HsnB2c,
    DocIssue,
}

impl Section {
    pub const ALL: [Section; 9] = [
        Section::B2b,
        Section::B2cl,
        Section::B2cs,
        Section::Cdnr,
        Section::Cdnur,
        Section::Hsn,
        Section::HsnB2b,
        Section::HsnB2c,
        Section::DocIssue,
    ];

    pub fn name(self) -> &'static str {
        match self {
            Section::B2b => "b2b",
            Section::B2cl => "b2cl",
            Section::B2cs => "b2cs",
            Section::Cdnr => "cdnr",
            Section::Cdnur => "cdnur",
            Section::Hsn => "hsn",
            Section::HsnB2b => "hsn_b2b",
            Section::HsnB2c => "hsn_b2c",
            Section::DocIssue => "doc_issue",
        }
    }

    pub fn from_name(name: &str) -> Option<Section> {
        Section::ALL.into_iter().find(|s| s.name() == name)
    }
}

fn field(text: &str) -> String {
    crate::csv::quote(text)
}

fn money(a: Amount) -> String {
    crate::money::format_hundredths(a.0)
}

fn amounts(d: &ItemDetail) -> Vec<String> {
    vec![
        crate::money::format_hundredths(i64::from(d.rt.0)),
        money(d.txval),
        money(d.iamt),
        money(d.camt),
        money(d.samt),
        money(d.csamt),
    ]
}

const AMOUNTS: [&str; 6] = ["rate", "taxable_value", "igst", "cgst", "sgst", "cess"];

/// The CSV file of `section`.
pub fn csv(r: &Gstr1, section: Section) -> String {
    let mut rows: Vec<Vec<String>> = Vec::new();
    let header = |first: &[&str]| first.iter().chain(AMOUNTS.iter()).map(|s| s.to_string()).collect::<Vec<_>>();
    match section {
        Section::B2b => {
            rows.push(header(&[
                "gstin_of_recipient",
                "invoice_number",
                "invoice_date",
                "invoice_value",
                "place_of_supply",
                "reverse_charge",
                "invoice_type",
            ]));
            for b in &r.b2b {
                for i in &b.inv {
                    for item in &i.itms {
                        let mut row = vec![
                            b.ctin.clone(),
                            i.inum.clone(),
                            i.idt.clone(),
                            money(i.val),
                            i.pos.clone(),
                            i.rchrg.into(),
                            i.inv_typ.into(),
                        ];
                        row.extend(amounts(&item.itm_det));
                        rows.push(row);
                    }
                }
            }
        }
        Section::B2cl => {
            rows.push(header(&["place_of_supply", "invoice_number", "invoice_date", "invoice_value"]));
            for b in &r.b2cl {
                for i in &b.inv {
                    for item in &i.itms {
                        let mut row = vec![b.pos.clone(), i.inum.clone(), i.idt.clone(), money(i.val)];
                        row.extend(amounts(&item.itm_det));
                        rows.push(row);
                    }
                }
            }
        }
        Section::B2cs => {
            rows.push(header(&["supply_type", "place_of_supply", "type"]));
            for b in &r.b2cs {
                let mut row = vec![b.sply_ty.to_owned(), b.pos.clone(), b.typ.to_owned()];
                row.extend(amounts(&b.amounts));
                rows.push(row);
            }
        }
        Section::Cdnr => {
            rows.push(header(&[
                "gstin_of_recipient",
                "note_number",
                "note_date",
                "note_type",
                "note_value",
                "place_of_supply",
            ]));
            for c in &r.cdnr {
                for n in &c.nt {
                    for item in &n.itms {
                        let mut row = vec![
                            c.ctin.clone(),
                            n.nt_num.clone(),
                            n.nt_dt.clone(),
                            n.ntty.into(),
                            money(n.val),
                            n.pos.clone(),
                        ];
                        row.extend(amounts(&item.itm_det));
                        rows.push(row);
                    }
                }
            }
        }
        Section::Cdnur => {
            rows.push(header(&["ur_type", "note_number", "note_date", "note_type", "note_value", "place_of_supply"]));
            for n in &r.cdnur {
                for item in &n.itms {
                    let mut row = vec![
                        n.typ.into(),
                        n.nt_num.clone(),
                        n.nt_dt.clone(),
                        n.ntty.into(),
                        money(n.val),
                        n.pos.clone(),
                    ];
                    row.extend(amounts(&item.itm_det));
                    rows.push(row);
                }
            }
        }
        Section::Hsn | Section::HsnB2b | Section::HsnB2c => {
            rows.push(header(&["hsn_sac", "description", "uqc", "quantity"]));
            let list: &[HsnRow] = match (&r.hsn, section) {
                (Hsn::OneList { data }, Section::Hsn) => data,
                (Hsn::Split { hsn_b2b, .. }, Section::HsnB2b) => hsn_b2b,
                (Hsn::Split { hsn_b2c, .. }, Section::HsnB2c) => hsn_b2c,
                _ => &[],
            };
            for h in list {
                let mut row = vec![h.hsn_sc.into(), h.desc.into(), h.uqc.into(), h.qty.to_string()];
                row.extend(amounts(&h.amounts));
                rows.push(row);
            }
        }
        Section::DocIssue => {
            rows.push(["document_type", "from", "to", "total", "cancelled", "net_issued"].map(String::from).to_vec());
            for d in &r.doc_issue.doc_det {
                for doc in &d.docs {
                    rows.push(vec![
                        d.doc_typ.into(),
                        doc.from.clone(),
                        doc.to.clone(),
                        doc.totnum.to_string(),
                        doc.cancel.to_string(),
                        doc.net_issue.to_string(),
                    ]);
                }
            }
        }
    }
    let mut out = String::new();
    for row in rows {
        let fields: Vec<String> = row.iter().map(|f| field(f)).collect();
        out.push_str(&fields.join(","));
        out.push('\n');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::gstr1::build::build;
    use crate::gstr1::model::Period;

    #[test]
    fn sections_are_csv_files_with_plain_decimals() {
        let (invoices, notes) = crate::gstr1::build::tests::month();
        let r = build("27AAPFU0939F1ZV", Period { year: 2026, month: 11 }, &invoices, &notes);
        let b2b = csv(&r, Section::B2b);
        let lines: Vec<&str> = b2b.lines().collect();
        assert!(lines[0].starts_with("gstin_of_recipient,invoice_number,"));
        assert_eq!(
            lines[1],
            "27AABCU9603R1ZN,INV/26-27/000001,01-11-2026,1180.00,27,N,R,18.00,1000.00,0.00,90.00,90.00,0.00"
        );
        let b2cs = csv(&r, Section::B2cs);
        assert!(b2cs.contains("INTRA,27,OE,18.00,399.00,0.00,35.91,35.91,0.00"), "{b2cs}");
        let docs = csv(&r, Section::DocIssue);
        assert!(docs.contains("Invoices for outward supply,INV/26-27/000001,INV/26-27/000004,4,1,3"), "{docs}");
        for s in Section::ALL {
            assert_eq!(Section::from_name(s.name()), Some(s));
            assert!(!csv(&r, s).is_empty());
        }
        // November 2026 has the two HSN lists; `hsn` (one list) is a header only.
        assert_eq!(csv(&r, Section::Hsn).lines().count(), 1);
        assert!(csv(&r, Section::HsnB2b).contains("9984,Telecommunication services,NA,0,18.00,717.51,"));
        let april = build("27AAPFU0939F1ZV", Period { year: 2025, month: 4 }, &invoices, &notes);
        assert!(csv(&april, Section::Hsn).contains("9984,Telecommunication services,NA,0,18.00,1449.84,60.00,100.49,"));
        assert_eq!(csv(&april, Section::HsnB2b).lines().count(), 1);
        assert_eq!(field("a,b"), "\"a,b\"");
        assert_eq!(field("say \"hi\""), "\"say \"\"hi\"\"\"");
    }
}
