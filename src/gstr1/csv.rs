//! GSTR-1 sections as CSV files in the layout of the GST Offline Tool's import templates: one
//! file per section, the template's header row word for word, then one row per invoice (or
//! note) and rate. The offline tool reads a row by its header names and computes the taxes
//! itself from `Rate` and `Taxable Value`, so the invoice sections carry no tax columns; the
//! HSN summary does.
//!
//! Where the layout comes from:
//! - the headers are those of the Returns Offline Tool's Excel/CSV templates, as written by
//!   resilient-tech/india-compliance (`GovExcel` in `gst_india/utils/gstr_1/gstr_1_export.py`,
//!   "Excel generated as per the format of Returns Offline Tool Version V3.1.8"), and they are
//!   the names the tool itself reads on import (version GST3.2.3,
//!   `public/uiassets/js/returns/returns.fct.js` and `utility/returnStructure.js`, with the
//!   labels of `public/lang/returns/translation-en.json`: `Note Number`, `Note Date`,
//!   `Note Supply Type`, ...);
//! - dates are `DD-MMM-YY` (`14-Jul-24`), one of the four forms the tool accepts
//!   (`isValidDateFormat`) and the one its templates use;
//! - the place of supply is `code-name` (`29-Karnataka`), with the state names spelt as in the
//!   template's list ([`POS_NAMES`]); the tool reads the two-digit code;
//! - amounts have two decimals (`1180.00`); the rate is written as the template's rate list
//!   has it (`18`, `7.5`, `0.25`): the tool checks it against that list;
//! - `Reverse Charge` is `N`, `Invoice Type` and `Note Supply Type` are `Regular B2B`,
//!   `Type` (B2CS) is `OE`, `UR Type` (CDNUR) is `B2CL`; `Applicable % of Tax Rate` (blank:
//!   the full rate applies) and `E-Commerce GSTIN` (blank: no operator) stay empty;
//! - `Receiver Name` is the recipient's name as issued.
//!
//! Files: `b2b`, `b2cl`, `b2cs`, `cdnr`, `cdnur`, `at` and `atadj` (advances received and
//! adjusted, the JSON's `at` and `txpd`; `Gross Advance` is the advance less its tax, as
//! the JSON's `ad_amt`), the HSN summary (`hsn` for a return period
//! before May 2025, `hsn_b2b` / `hsn_b2c` from May 2025, [`super::dated_rules`]; a list the
//! period does not have is a file with the header row only) and `docs` (documents issued;
//! `doc_issue`, its JSON name, is accepted too), and the amendments `b2ba`, `cdnra` and `b2csa`
//! (tables 9A, 9C and 10; headers from the tool's labels: `Original Invoice Number`,
//! `Revised Note Date`, `Financial Year` + `Original Month`, ...). Text fields are quoted when they hold a comma,
//! quote or line break and never start like a formula ([`crate::csv::text`]); lines end in LF.

use super::build::{Amount, GstDate, Gstr1, Hsn, HsnRow, ItemDetail};

/// One section of the return.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Section {
    B2b,
    B2cl,
    B2cs,
    Cdnr,
    Cdnur,
    /// Advances received (table 11A, the JSON's `at`).
    At,
    /// Advances adjusted (table 11B, the JSON's `txpd`).
    Atadj,
    Hsn,
    HsnB2b,
    HsnB2c,
    Docs,
    /// Amended B2B invoices (table 9A, the JSON's `b2ba`).
    B2ba,
    /// Amended notes to registered recipients (table 9C, `cdnra`).
    Cdnra,
    /// Revised B2C summaries of filed months (table 10, `b2csa`).
    B2csa,
}

/// The HSN summary's header, the same for `hsn`, `hsn(b2b)` and `hsn(b2c)`.
const HSN_HEADER: &[&str] = &[
    "HSN",
    "Description",
    "UQC",
    "Total Quantity",
    "Total Value",
    "Rate",
    "Taxable Value",
    "Integrated Tax Amount",
    "Central Tax Amount",
    "State/UT Tax Amount",
    "Cess Amount",
];

impl Section {
    pub const ALL: [Section; 14] = [
        Section::B2b,
        Section::B2cl,
        Section::B2cs,
        Section::Cdnr,
        Section::Cdnur,
        Section::At,
        Section::Atadj,
        Section::Hsn,
        Section::HsnB2b,
        Section::HsnB2c,
        Section::Docs,
        Section::B2ba,
        Section::Cdnra,
        Section::B2csa,
    ];

    /// The file's name (`<name>.csv`).
    pub fn name(self) -> &'static str {
        match self {
            Section::B2b => "b2b",
            Section::B2cl => "b2cl",
            Section::B2cs => "b2cs",
            Section::Cdnr => "cdnr",
            Section::Cdnur => "cdnur",
            Section::At => "at",
            Section::Atadj => "atadj",
            Section::Hsn => "hsn",
            Section::HsnB2b => "hsn_b2b",
            Section::HsnB2c => "hsn_b2c",
            Section::Docs => "docs",
            Section::B2ba => "b2ba",
            Section::Cdnra => "cdnra",
            Section::B2csa => "b2csa",
        }
    }

    /// The section of a file name; `doc_issue` (the JSON's name, and this file's before) is
    /// `docs`.
    pub fn from_name(name: &str) -> Option<Section> {
        if name == "doc_issue" {
            return Some(Section::Docs);
        }
        Section::ALL.into_iter().find(|s| s.name() == name)
    }

    /// The offline tool template's header row.
    pub fn header(self) -> &'static [&'static str] {
        match self {
            Section::B2b => &[
                "GSTIN/UIN of Recipient",
                "Receiver Name",
                "Invoice Number",
                "Invoice date",
                "Invoice Value",
                "Place Of Supply",
                "Reverse Charge",
                "Applicable % of Tax Rate",
                "Invoice Type",
                "E-Commerce GSTIN",
                "Rate",
                "Taxable Value",
                "Cess Amount",
            ],
            Section::B2cl => &[
                "Invoice Number",
                "Invoice date",
                "Invoice Value",
                "Place Of Supply",
                "Applicable % of Tax Rate",
                "Rate",
                "Taxable Value",
                "Cess Amount",
                "E-Commerce GSTIN",
            ],
            Section::B2cs => &[
                "Type",
                "Place Of Supply",
                "Applicable % of Tax Rate",
                "Rate",
                "Taxable Value",
                "Cess Amount",
                "E-Commerce GSTIN",
            ],
            Section::Cdnr => &[
                "GSTIN/UIN of Recipient",
                "Receiver Name",
                "Note Number",
                "Note Date",
                "Note Type",
                "Place Of Supply",
                "Reverse Charge",
                "Note Supply Type",
                "Note Value",
                "Applicable % of Tax Rate",
                "Rate",
                "Taxable Value",
                "Cess Amount",
            ],
            Section::Cdnur => &[
                "UR Type",
                "Note Number",
                "Note Date",
                "Note Type",
                "Place Of Supply",
                "Note Value",
                "Applicable % of Tax Rate",
                "Rate",
                "Taxable Value",
                "Cess Amount",
            ],
            Section::At => {
                &["Place Of Supply", "Applicable % of Tax Rate", "Rate", "Gross Advance Received", "Cess Amount"]
            }
            Section::Atadj => {
                &["Place Of Supply", "Applicable % of Tax Rate", "Rate", "Gross Advance Adjusted", "Cess Amount"]
            }
            Section::Hsn | Section::HsnB2b | Section::HsnB2c => HSN_HEADER,
            Section::Docs => &["Nature of Document", "Sr. No. From", "Sr. No. To", "Total Number", "Cancelled"],
            Section::B2ba => &[
                "GSTIN/UIN of Recipient",
                "Receiver Name",
                "Original Invoice Number",
                "Original Invoice date",
                "Revised Invoice Number",
                "Revised Invoice date",
                "Invoice Value",
                "Place Of Supply",
                "Reverse Charge",
                "Applicable % of Tax Rate",
                "Invoice Type",
                "E-Commerce GSTIN",
                "Rate",
                "Taxable Value",
                "Cess Amount",
            ],
            Section::Cdnra => &[
                "GSTIN/UIN of Recipient",
                "Receiver Name",
                "Original Note Number",
                "Original Note Date",
                "Revised Note Number",
                "Revised Note Date",
                "Note Type",
                "Place Of Supply",
                "Reverse Charge",
                "Note Supply Type",
                "Note Value",
                "Applicable % of Tax Rate",
                "Rate",
                "Taxable Value",
                "Cess Amount",
            ],
            Section::B2csa => &[
                "Financial Year",
                "Original Month",
                "Place Of Supply",
                "Type",
                "Applicable % of Tax Rate",
                "Rate",
                "Taxable Value",
                "Cess Amount",
                "E-Commerce GSTIN",
            ],
        }
    }
}

/// The states and territories as the offline tool's templates spell them in their `Place Of
/// Supply` list (`01-Jammu & Kashmir`, ..., `31-Lakshdweep` as the template has it, `97-Other
/// Territory`), by GST state code. From the GSTR-1 Excel workbook template's list, which the
/// tool also writes (`posList` in `utility/jsonToExcel.js`), with code 26 named for the merged
/// territory (Dadra and Nagar Haveli and Daman and Diu, 2020).
pub const POS_NAMES: &[(&str, &str)] = &[
    ("01", "Jammu & Kashmir"),
    ("02", "Himachal Pradesh"),
    ("03", "Punjab"),
    ("04", "Chandigarh"),
    ("05", "Uttarakhand"),
    ("06", "Haryana"),
    ("07", "Delhi"),
    ("08", "Rajasthan"),
    ("09", "Uttar Pradesh"),
    ("10", "Bihar"),
    ("11", "Sikkim"),
    ("12", "Arunachal Pradesh"),
    ("13", "Nagaland"),
    ("14", "Manipur"),
    ("15", "Mizoram"),
    ("16", "Tripura"),
    ("17", "Meghalaya"),
    ("18", "Assam"),
    ("19", "West Bengal"),
    ("20", "Jharkhand"),
    ("21", "Odisha"),
    ("22", "Chhattisgarh"),
    ("23", "Madhya Pradesh"),
    ("24", "Gujarat"),
    ("25", "Daman & Diu"),
    ("26", "Dadra & Nagar Haveli & Daman & Diu"),
    ("27", "Maharashtra"),
    ("29", "Karnataka"),
    ("30", "Goa"),
    ("31", "Lakshdweep"),
    ("32", "Kerala"),
    ("33", "Tamil Nadu"),
    ("34", "Puducherry"),
    ("35", "Andaman & Nicobar Islands"),
    ("36", "Telangana"),
    ("37", "Andhra Pradesh"),
    ("38", "Ladakh"),
    ("97", "Other Territory"),
];

/// `29-Karnataka`; a code not in the list as it is.
pub fn place_of_supply(code: &str) -> String {
    match POS_NAMES.iter().find(|(c, _)| *c == code) {
        Some((c, name)) => format!("{c}-{name}"),
        None => code.to_owned(),
    }
}

/// `14-Jul-24`.
fn date(d: GstDate) -> String {
    d.0.format("%d-%b-%y").to_string()
}

fn money(a: Amount) -> String {
    crate::csv::money(a.0)
}

/// A rate in basis points as the template's rate list writes it: `18`, `7.5`, `0.25`.
pub fn rate(bp: i32) -> String {
    let text = crate::money::format_hundredths(i64::from(bp));
    text.trim_end_matches('0').trim_end_matches('.').to_owned()
}

/// A return period `MMYYYY` as the template's `Financial Year` (`2026-27`) and `Original
/// Month` (`NOVEMBER`: the tool checks it against upper-case month names) columns write it.
fn original_month(omon: &str) -> (String, String) {
    let month: u32 = omon.get(..2).and_then(|m| m.parse().ok()).unwrap_or(0);
    let year: i32 = omon.get(2..).and_then(|y| y.parse().ok()).unwrap_or(0);
    let start = if month >= 4 { year } else { year - 1 };
    let name =
        chrono::Month::try_from(u8::try_from(month).unwrap_or(0)).map_or(String::new(), |m| m.name().to_uppercase());
    (format!("{start}-{:02}", (start + 1).rem_euclid(100)), name)
}

/// `Rate`, `Taxable Value`, `Cess Amount` of an item.
fn rate_value_cess(d: &ItemDetail) -> [String; 3] {
    [rate(d.rt.0), money(d.txval), money(d.csamt)]
}

/// The CSV file of `section`.
pub fn csv(r: &Gstr1, section: Section) -> String {
    let mut out = crate::csv::header(section.header());
    let text = crate::csv::text;
    match section {
        Section::B2b => {
            for b in &r.b2b {
                for i in &b.inv {
                    for item in &i.itms {
                        let [rt, txval, cess] = rate_value_cess(&item.itm_det);
                        out.push_str(&crate::csv::line(&[
                            text(&b.ctin),
                            text(&i.receiver_name),
                            text(&i.inum),
                            date(i.idt),
                            money(i.val),
                            place_of_supply(&i.pos),
                            i.rchrg.into(),
                            String::new(),
                            "Regular B2B".into(),
                            String::new(),
                            rt,
                            txval,
                            cess,
                        ]));
                    }
                }
            }
        }
        Section::B2cl => {
            for b in &r.b2cl {
                for i in &b.inv {
                    for item in &i.itms {
                        let [rt, txval, cess] = rate_value_cess(&item.itm_det);
                        out.push_str(&crate::csv::line(&[
                            text(&i.inum),
                            date(i.idt),
                            money(i.val),
                            place_of_supply(&b.pos),
                            String::new(),
                            rt,
                            txval,
                            cess,
                            String::new(),
                        ]));
                    }
                }
            }
        }
        Section::B2cs => {
            for b in &r.b2cs {
                let [rt, txval, cess] = rate_value_cess(&b.amounts);
                out.push_str(&crate::csv::line(&[
                    b.typ.into(),
                    place_of_supply(&b.pos),
                    String::new(),
                    rt,
                    txval,
                    cess,
                    String::new(),
                ]));
            }
        }
        Section::Cdnr => {
            for c in &r.cdnr {
                for n in &c.nt {
                    for item in &n.itms {
                        let [rt, txval, cess] = rate_value_cess(&item.itm_det);
                        out.push_str(&crate::csv::line(&[
                            text(&c.ctin),
                            text(&n.receiver_name),
                            text(&n.nt_num),
                            date(n.nt_dt),
                            n.ntty.into(),
                            place_of_supply(&n.pos),
                            n.rchrg.into(),
                            "Regular B2B".into(),
                            money(n.val),
                            String::new(),
                            rt,
                            txval,
                            cess,
                        ]));
                    }
                }
            }
        }
        Section::Cdnur => {
            for n in &r.cdnur {
                for item in &n.itms {
                    let [rt, txval, cess] = rate_value_cess(&item.itm_det);
                    out.push_str(&crate::csv::line(&[
                        n.typ.into(),
                        text(&n.nt_num),
                        date(n.nt_dt),
                        n.ntty.into(),
                        place_of_supply(&n.pos),
                        money(n.val),
                        String::new(),
                        rt,
                        txval,
                        cess,
                    ]));
                }
            }
        }
        Section::Hsn | Section::HsnB2b | Section::HsnB2c => {
            // The offline tool's HSN sheet names the unit with its code: `NOS-NUMBERS`.
            let uqc_named = |uqc: &str| {
                crate::addons::model::Uqc::ALL
                    .iter()
                    .find(|u| u.as_str() == uqc)
                    .map_or(uqc, |u| u.with_name())
                    .to_owned()
            };
            let list: &[HsnRow] = match (&r.hsn, section) {
                (Hsn::OneList { data }, Section::Hsn) => data,
                (Hsn::Split { hsn_b2b, .. }, Section::HsnB2b) => hsn_b2b,
                (Hsn::Split { hsn_b2c, .. }, Section::HsnB2c) => hsn_b2c,
                _ => &[],
            };
            for h in list {
                let d = &h.amounts;
                let total = d.txval.0 + d.iamt.0 + d.camt.0 + d.samt.0 + d.csamt.0;
                out.push_str(&crate::csv::line(&[
                    text(&h.hsn_sc),
                    text(h.desc),
                    text(&uqc_named(&h.uqc)),
                    h.qty.to_string(),
                    crate::csv::money(total),
                    rate(d.rt.0),
                    money(d.txval),
                    money(d.iamt),
                    money(d.camt),
                    money(d.samt),
                    money(d.csamt),
                ]));
            }
        }
        Section::At | Section::Atadj => {
            for row in if section == Section::At { &r.at } else { &r.txpd } {
                for i in &row.itms {
                    out.push_str(&crate::csv::line(&[
                        place_of_supply(&row.pos),
                        String::new(),
                        rate(i.rt.0),
                        money(i.ad_amt),
                        money(Amount(0)),
                    ]));
                }
            }
        }
        Section::B2ba => {
            for b in &r.b2ba {
                for i in &b.inv {
                    for item in &i.itms {
                        let [rt, txval, cess] = rate_value_cess(&item.itm_det);
                        out.push_str(&crate::csv::line(&[
                            text(&b.ctin),
                            text(&i.receiver_name),
                            text(&i.oinum),
                            date(i.oidt),
                            text(&i.inum),
                            date(i.idt),
                            money(i.val),
                            place_of_supply(&i.pos),
                            i.rchrg.into(),
                            String::new(),
                            "Regular B2B".into(),
                            String::new(),
                            rt,
                            txval,
                            cess,
                        ]));
                    }
                }
            }
        }
        Section::Cdnra => {
            for c in &r.cdnra {
                for n in &c.nt {
                    for item in &n.itms {
                        let [rt, txval, cess] = rate_value_cess(&item.itm_det);
                        out.push_str(&crate::csv::line(&[
                            text(&c.ctin),
                            text(&n.receiver_name),
                            text(&n.ont_num),
                            date(n.ont_dt),
                            text(&n.nt_num),
                            date(n.nt_dt),
                            n.ntty.into(),
                            place_of_supply(&n.pos),
                            n.rchrg.into(),
                            "Regular B2B".into(),
                            money(n.val),
                            String::new(),
                            rt,
                            txval,
                            cess,
                        ]));
                    }
                }
            }
        }
        Section::B2csa => {
            for row in &r.b2csa {
                let (year, month) = original_month(&row.omon);
                for item in &row.itms {
                    let [rt, txval, cess] = rate_value_cess(item);
                    out.push_str(&crate::csv::line(&[
                        year.clone(),
                        month.clone(),
                        place_of_supply(&row.pos),
                        row.typ.into(),
                        String::new(),
                        rt,
                        txval,
                        cess,
                        String::new(),
                    ]));
                }
            }
        }
        Section::Docs => {
            for d in &r.doc_issue.doc_det {
                for doc in &d.docs {
                    out.push_str(&crate::csv::line(&[
                        d.doc_typ.into(),
                        text(&doc.from),
                        text(&doc.to),
                        doc.totnum.to_string(),
                        doc.cancel.to_string(),
                    ]));
                }
            }
        }
    }
    out
}

// Amounts are written in the Indian grouping (1_00_000_00 paise = one lakh rupees), on purpose.
#[cfg(test)]
#[allow(clippy::inconsistent_digit_grouping)]
mod tests {
    use super::*;
    use crate::gstr1::build::build;
    use crate::gstr1::model::Period;

    fn first_line(text: &str) -> &str {
        text.lines().next().unwrap_or_default()
    }

    /// Each file's header row, byte for byte as the offline tool's template has it.
    #[test]
    fn each_file_has_the_templates_header() {
        let (invoices, notes) = crate::gstr1::build::tests::month();
        let r = build("27AAPFU0939F1ZV", Period { year: 2026, month: 11 }, &invoices, &notes);
        let hsn = "HSN,Description,UQC,Total Quantity,Total Value,Rate,Taxable Value,Integrated Tax Amount,\
                   Central Tax Amount,State/UT Tax Amount,Cess Amount";
        for (section, header) in [
            (
                Section::B2b,
                "GSTIN/UIN of Recipient,Receiver Name,Invoice Number,Invoice date,Invoice Value,Place Of Supply,\
                 Reverse Charge,Applicable % of Tax Rate,Invoice Type,E-Commerce GSTIN,Rate,Taxable Value,Cess Amount",
            ),
            (
                Section::B2cl,
                "Invoice Number,Invoice date,Invoice Value,Place Of Supply,Applicable % of Tax Rate,Rate,\
                 Taxable Value,Cess Amount,E-Commerce GSTIN",
            ),
            (
                Section::B2cs,
                "Type,Place Of Supply,Applicable % of Tax Rate,Rate,Taxable Value,Cess Amount,E-Commerce GSTIN",
            ),
            (
                Section::Cdnr,
                "GSTIN/UIN of Recipient,Receiver Name,Note Number,Note Date,Note Type,Place Of Supply,Reverse Charge,\
                 Note Supply Type,Note Value,Applicable % of Tax Rate,Rate,Taxable Value,Cess Amount",
            ),
            (
                Section::Cdnur,
                "UR Type,Note Number,Note Date,Note Type,Place Of Supply,Note Value,Applicable % of Tax Rate,Rate,\
                 Taxable Value,Cess Amount",
            ),
            (Section::Hsn, hsn),
            (Section::HsnB2b, hsn),
            (Section::HsnB2c, hsn),
            (Section::At, "Place Of Supply,Applicable % of Tax Rate,Rate,Gross Advance Received,Cess Amount"),
            (Section::Atadj, "Place Of Supply,Applicable % of Tax Rate,Rate,Gross Advance Adjusted,Cess Amount"),
            (Section::Docs, "Nature of Document,Sr. No. From,Sr. No. To,Total Number,Cancelled"),
        ] {
            let file = csv(&r, section);
            assert_eq!(first_line(&file), header, "{}", section.name());
            assert!(file.ends_with('\n') && !file.contains('\r'), "{}", section.name());
            assert_eq!(Section::from_name(section.name()), Some(section));
        }
        assert_eq!(Section::from_name("doc_issue"), Some(Section::Docs));
        assert_eq!(Section::from_name("nope"), None);
    }

    #[test]
    fn rows_are_as_the_offline_tool_reads_them() {
        let (mut invoices, mut notes) = crate::gstr1::build::tests::month();
        invoices[0].recipient_name = "Sharma Traders, Nagpur".into();
        invoices[0].date = chrono::NaiveDate::from_ymd_opt(2026, 11, 14).unwrap();
        notes[0].recipient_name = "=cmd".into();
        let r = build("27AAPFU0939F1ZV", Period { year: 2026, month: 11 }, &invoices, &notes);
        let lines = |s: Section| csv(&r, s).lines().skip(1).map(String::from).collect::<Vec<_>>();
        assert_eq!(
            lines(Section::B2b),
            ["27AABCU9603R1ZN,\"Sharma Traders, Nagpur\",INV/26-27/000001,14-Nov-26,1180.00,27-Maharashtra,N,,Regular B2B,,18,1000.00,0.00"]
        );
        // Intra: 499 less the unregistered credit note's 100.
        assert_eq!(lines(Section::B2cs), ["OE,29-Karnataka,,18,333.33,0.00,", "OE,27-Maharashtra,,18,399.00,0.00,"]);
        assert_eq!(
            lines(Section::Cdnr),
            ["27AABCU9603R1ZN,'=cmd,CN/26-27/0000001,21-Nov-26,C,27-Maharashtra,N,Regular B2B,333.33,,18,282.49,0.00"]
        );
        assert!(lines(Section::B2cl).is_empty() && lines(Section::Cdnur).is_empty());
        assert_eq!(
            lines(Section::Docs),
            [
                "Invoices for outward supply,INV/26-27/000001,INV/26-27/000004,4,1",
                "Credit Note,CN/26-27/0000001,CN/26-27/0000002,2,0"
            ]
        );
        // November 2026 has the two HSN lists; `hsn` (one list) is a header only. Total value
        // is taxable value plus taxes.
        assert!(lines(Section::Hsn).is_empty());
        assert_eq!(
            lines(Section::HsnB2b),
            ["9984,Telecommunication services,NA,0,846.67,18,717.51,0.00,64.58,64.58,0.00"]
        );
        let april = build("27AAPFU0939F1ZV", Period { year: 2025, month: 4 }, &invoices, &notes);
        assert!(csv(&april, Section::Hsn)
            .contains("\n9984,Telecommunication services,NA,0,1710.82,18,1449.84,60.00,100.49,100.49,0.00\n"));
        assert_eq!(csv(&april, Section::HsnB2b).lines().count(), 1);

        // A large inter-state invoice and a credit note against it.
        let big = crate::gstr1::build::tests::month().0[2].clone();
        let big = crate::gstr1::model::InvoiceLine {
            taxable_paise: 1_00_000_00,
            igst_paise: 18_00_000,
            value_paise: 1_18_00_000,
            ..big
        };
        let note = crate::gstr1::model::CreditNoteLine {
            pos_code: "29".into(),
            inter_state: true,
            invoice_value_paise: 1_18_00_000,
            igst_paise: 1_800,
            cgst_paise: 0,
            sgst_paise: 0,
            value_paise: 11_800,
            ..notes[1].clone()
        };
        let r = build("27AAPFU0939F1ZV", Period { year: 2026, month: 11 }, &[big], &[note]);
        assert_eq!(
            csv(&r, Section::B2cl).lines().nth(1),
            Some("INV/26-27/000003,03-Nov-26,118000.00,29-Karnataka,,18,100000.00,0.00,")
        );
        assert_eq!(
            csv(&r, Section::Cdnur).lines().nth(1),
            Some("B2CL,CN/26-27/0000002,22-Nov-26,C,29-Karnataka,118.00,,18,100.00,0.00")
        );
    }

    #[test]
    fn states_are_spelt_as_the_template_spells_them() {
        assert_eq!(place_of_supply("29"), "29-Karnataka");
        assert_eq!(place_of_supply("26"), "26-Dadra & Nagar Haveli & Daman & Diu");
        assert_eq!(place_of_supply("97"), "97-Other Territory");
        // Every state this server knows has the template's name.
        for n in 1..=38 {
            let code = format!("{n:02}");
            if let Some(name) =
                crate::states::canonical(&code).filter(|s| crate::states::gst_code(s) == Some(code.as_str()))
            {
                assert!(POS_NAMES.iter().any(|(c, _)| *c == code), "{code} {name}");
            }
        }
    }

    #[test]
    fn rates_are_written_as_the_templates_list() {
        assert_eq!(
            [rate(1800), rate(750), rate(25), rate(10), rate(0), rate(4000)],
            ["18", "7.5", "0.25", "0.1", "0", "40"]
        );
    }
}
