//! GSTR-1 in the GST offline tool's JSON shape (field names as in the tool's schema and in
//! resilient-tech/india-compliance's `gst_returns`). Amounts are summed in paise and written
//! as rupees; `rt` is the total rate in percent.
//!
//! Each object carries the keys the reference formats give it, no more ([`PORTAL_KEYS`]): an
//! inter-state item has `iamt` and no `camt`/`samt`, an intra-state one `camt` and `samt` and
//! no `iamt` (so `b2cl` and `cdnur` items, inter-state by definition, carry only `iamt`); the
//! HSN summary carries all three.
//!
//! Sections: `b2b` (recipients with a GSTIN or UIN, invoice by invoice), `b2cl` (unregistered,
//! inter-state, value above the limit of the invoice's date: ₹2.5 lakh until 31 July 2024, ₹1
//! lakh from 1 August 2024), `b2cs` (every other unregistered invoice, summed by
//! supply type, place of supply and rate; credit notes to unregistered recipients are netted
//! into it, as the portal expects), `cdnr` (credit notes to registered recipients), `cdnur`
//! (credit notes against B2CL invoices), `hsn` (per SAC and rate, net of credit notes: one list
//! `data` before the May 2025 period, `hsn_b2b` and `hsn_b2c` from it) and
//! `doc_issue` (per series: first and last number, total, cancelled, net). Cancelled invoices
//! appear only in `doc_issue`. The rules that changed over time come from
//! [`super::dated_rules`].

// Amounts are written in the Indian grouping (1_00_000 = one lakh), on purpose.
#![allow(clippy::inconsistent_digit_grouping)]

use std::collections::BTreeMap;

use serde::ser::SerializeMap;
use serde::{Serialize, Serializer};

use super::dated_rules::{self, HsnSummary};
use super::model::{CodeShare, CreditNoteLine, InvoiceLine, Period};

/// SAC of telecommunication services.
pub const SAC: &str = "9984";

/// Paise, written as rupees (a JSON number with at most two decimals).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Amount(pub i64);

impl Serialize for Amount {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_f64(self.0 as f64 / 100.0)
    }
}

/// A rate in basis points, written in percent (1800 → 18, 1250 → 12.5).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, PartialOrd, Ord)]
pub struct Rate(pub i32);

impl Serialize for Rate {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_f64(f64::from(self.0) / 100.0)
    }
}

/// A date as the return writes it: `DD-MM-YYYY`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct GstDate(pub chrono::NaiveDate);

impl Serialize for GstDate {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(&self.0.format("%d-%m-%Y"))
    }
}

/// Which tax amounts an item carries, as the reference formats write it ([`PORTAL_KEYS`]).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum TaxKeys {
    /// An inter-state supply: `iamt` (integrated tax) only.
    Integrated,
    /// An intra-state supply: `camt` and `samt` (central and state tax) only.
    CentralState,
    /// `iamt`, `camt` and `samt` (the HSN summary, which mixes both kinds).
    #[default]
    All,
}

impl TaxKeys {
    fn of(inter_state: bool) -> TaxKeys {
        if inter_state {
            TaxKeys::Integrated
        } else {
            TaxKeys::CentralState
        }
    }
}

/// Taxable value and taxes at one rate. All amounts are summed; which of them the JSON
/// carries is `taxes`'s to say (an amount left out is zero).
#[derive(Debug, Clone, Copy, Default)]
pub struct ItemDetail {
    pub rt: Rate,
    pub txval: Amount,
    pub iamt: Amount,
    pub camt: Amount,
    pub samt: Amount,
    pub csamt: Amount,
    pub taxes: TaxKeys,
}

impl Serialize for ItemDetail {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut map = s.serialize_map(None)?;
        map.serialize_entry("rt", &self.rt)?;
        map.serialize_entry("txval", &self.txval)?;
        if self.taxes != TaxKeys::CentralState {
            map.serialize_entry("iamt", &self.iamt)?;
        }
        if self.taxes != TaxKeys::Integrated {
            map.serialize_entry("camt", &self.camt)?;
            map.serialize_entry("samt", &self.samt)?;
        }
        map.serialize_entry("csamt", &self.csamt)?;
        map.end()
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct Item {
    pub num: u32,
    pub itm_det: ItemDetail,
}

#[derive(Debug, Clone, Serialize)]
pub struct B2bInvoice {
    /// The recipient's name as issued: the CSV's `Receiver Name`; the offline tool drops it
    /// from the JSON it uploads (`removeCName`).
    #[serde(skip)]
    pub receiver_name: String,
    pub inum: String,
    pub idt: GstDate,
    pub val: Amount,
    pub pos: String,
    pub rchrg: &'static str,
    pub inv_typ: &'static str,
    pub itms: Vec<Item>,
}

#[derive(Debug, Clone, Serialize)]
pub struct B2b {
    pub ctin: String,
    pub inv: Vec<B2bInvoice>,
}

#[derive(Debug, Clone, Serialize)]
pub struct B2clInvoice {
    pub inum: String,
    pub idt: GstDate,
    pub val: Amount,
    pub itms: Vec<Item>,
}

#[derive(Debug, Clone, Serialize)]
pub struct B2cl {
    pub pos: String,
    pub inv: Vec<B2clInvoice>,
}

#[derive(Debug, Clone, Serialize)]
pub struct B2cs {
    pub sply_ty: &'static str,
    pub pos: String,
    pub typ: &'static str,
    #[serde(flatten)]
    pub amounts: ItemDetail,
}

#[derive(Debug, Clone, Serialize)]
pub struct Note {
    /// The recipient's name as issued (CSV only, like [`B2bInvoice::receiver_name`]).
    #[serde(skip)]
    pub receiver_name: String,
    pub ntty: &'static str,
    pub nt_num: String,
    pub nt_dt: GstDate,
    pub val: Amount,
    pub pos: String,
    pub rchrg: &'static str,
    pub inv_typ: &'static str,
    pub itms: Vec<Item>,
}

#[derive(Debug, Clone, Serialize)]
pub struct Cdnr {
    pub ctin: String,
    pub nt: Vec<Note>,
}

#[derive(Debug, Clone, Serialize)]
pub struct Cdnur {
    pub typ: &'static str,
    pub ntty: &'static str,
    pub nt_num: String,
    pub nt_dt: GstDate,
    pub val: Amount,
    pub pos: String,
    pub itms: Vec<Item>,
}

#[derive(Debug, Clone, Serialize)]
pub struct HsnRow {
    pub num: u32,
    /// The SAC of the service or the HSN code of goods.
    pub hsn_sc: String,
    pub desc: &'static str,
    /// Goods: the unit (`NOS`, `MTR`); a service: `NA`.
    pub uqc: String,
    /// Goods: how many were sold (net of none: notes change value, not quantity); 0 for a service.
    pub qty: i64,
    #[serde(flatten)]
    pub amounts: ItemDetail,
}

/// Table 12, the HSN-wise summary, in the shape of the return period
/// ([`dated_rules::hsn_summary`]).
#[derive(Debug, Clone, Serialize)]
#[serde(untagged)]
pub enum Hsn {
    /// Before the May 2025 period: `{"data": [...]}`, every supply in one list.
    OneList { data: Vec<HsnRow> },
    /// From the May 2025 period: `{"hsn_b2b": [...], "hsn_b2c": [...]}`, supplies to
    /// registered recipients (GSTIN or UIN) apart from the rest.
    Split { hsn_b2b: Vec<HsnRow>, hsn_b2c: Vec<HsnRow> },
}

#[derive(Debug, Clone, Serialize)]
pub struct Doc {
    pub num: u32,
    pub from: String,
    pub to: String,
    pub totnum: u32,
    pub cancel: u32,
    pub net_issue: u32,
}

#[derive(Debug, Clone, Serialize)]
pub struct DocDetail {
    pub doc_num: u32,
    pub doc_typ: &'static str,
    pub docs: Vec<Doc>,
}

#[derive(Debug, Clone, Serialize)]
pub struct DocIssue {
    pub doc_det: Vec<DocDetail>,
}

/// Table 11 (`at`, `txpd`): advances, built by [`super::advances`].
/// One place of supply and supply type, with an item per rate.
#[derive(Debug, Clone, Serialize)]
pub struct AdvanceRow {
    pub pos: String,
    pub sply_ty: &'static str,
    pub itms: Vec<AdvanceItem>,
}

/// Advance (less tax) and taxes at one rate: `iamt` across states, `camt` and `samt` within.
#[derive(Debug, Clone, Copy)]
pub struct AdvanceItem {
    pub rt: Rate,
    pub ad_amt: Amount,
    pub iamt: Amount,
    pub camt: Amount,
    pub samt: Amount,
    pub inter_state: bool,
}

impl Serialize for AdvanceItem {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut map = s.serialize_map(None)?;
        map.serialize_entry("rt", &self.rt)?;
        map.serialize_entry("ad_amt", &self.ad_amt)?;
        if self.inter_state {
            map.serialize_entry("iamt", &self.iamt)?;
        } else {
            map.serialize_entry("camt", &self.camt)?;
            map.serialize_entry("samt", &self.samt)?;
        }
        map.serialize_entry("csamt", &Amount(0))?;
        map.end()
    }
}

/// Table 9A: a B2B invoice as amended, under its original number and date.
#[derive(Debug, Clone, Serialize)]
pub struct B2baInvoice {
    /// The recipient's name as amended (CSV only, like [`B2bInvoice::receiver_name`]).
    #[serde(skip)]
    pub receiver_name: String,
    pub oinum: String,
    pub oidt: GstDate,
    pub inum: String,
    pub idt: GstDate,
    pub val: Amount,
    pub pos: String,
    pub rchrg: &'static str,
    pub inv_typ: &'static str,
    pub itms: Vec<Item>,
}

/// Table 9A, per recipient GSTIN as amended.
#[derive(Debug, Clone, Serialize)]
pub struct B2ba {
    pub ctin: String,
    pub inv: Vec<B2baInvoice>,
}

/// Table 9C: a note to a registered recipient as amended, under its original number and date.
#[derive(Debug, Clone, Serialize)]
pub struct AmendedNote {
    #[serde(skip)]
    pub receiver_name: String,
    pub ont_num: String,
    pub ont_dt: GstDate,
    pub ntty: &'static str,
    pub nt_num: String,
    pub nt_dt: GstDate,
    pub val: Amount,
    pub pos: String,
    pub rchrg: &'static str,
    pub inv_typ: &'static str,
    pub itms: Vec<Item>,
}

/// Table 9C, per recipient GSTIN as amended.
#[derive(Debug, Clone, Serialize)]
pub struct Cdnra {
    pub ctin: String,
    pub nt: Vec<AmendedNote>,
}

/// Table 10: a filed month's (`omon`, `MMYYYY`) B2C summary row as revised: its place of
/// supply and supply type, with the revised sums per rate.
#[derive(Debug, Clone, Serialize)]
pub struct B2csa {
    pub omon: String,
    pub sply_ty: &'static str,
    pub typ: &'static str,
    pub pos: String,
    pub itms: Vec<ItemDetail>,
}

/// The return.
#[derive(Debug, Clone, Serialize)]
pub struct Gstr1 {
    pub gstin: String,
    pub fp: String,
    pub b2b: Vec<B2b>,
    pub b2cl: Vec<B2cl>,
    pub b2cs: Vec<B2cs>,
    pub cdnr: Vec<Cdnr>,
    pub cdnur: Vec<Cdnur>,
    /// Table 11A: advances received in the month and not invoiced by its end (only when
    /// there are any, [`super::advances`]).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub at: Vec<AdvanceRow>,
    /// Table 11B: advances of earlier months invoiced (or refunded) in this one.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub txpd: Vec<AdvanceRow>,
    /// Table 9A: B2B invoices of filed months amended in this one ([`super::amendments`]).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub b2ba: Vec<B2ba>,
    /// Table 9C: credit and debit notes to registered recipients of filed months amended in
    /// this one.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub cdnra: Vec<Cdnra>,
    /// Table 10: the B2C summaries of filed months as revised in this one.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub b2csa: Vec<B2csa>,
    pub hsn: Hsn,
    pub doc_issue: DocIssue,
}

pub(super) fn date(d: chrono::NaiveDate) -> GstDate {
    GstDate(d)
}

/// The taxes of a document as one item, carrying the keys `taxes` names.
fn detail(rate_bp: i32, taxable: i64, igst: i64, cgst: i64, sgst: i64, taxes: TaxKeys) -> ItemDetail {
    ItemDetail {
        rt: Rate(rate_bp),
        txval: Amount(taxable),
        iamt: Amount(igst),
        camt: Amount(cgst),
        samt: Amount(sgst),
        csamt: Amount(0),
        taxes,
    }
}

pub(super) fn add(into: &mut ItemDetail, sign: i64, d: &ItemDetail) {
    into.txval.0 += sign * d.txval.0;
    into.iamt.0 += sign * d.iamt.0;
    into.camt.0 += sign * d.camt.0;
    into.samt.0 += sign * d.samt.0;
}

pub(super) fn invoice_detail(i: &InvoiceLine) -> ItemDetail {
    detail(i.rate_bp, i.taxable_paise, i.igst_paise, i.cgst_paise, i.sgst_paise, TaxKeys::of(i.inter_state))
}

pub(super) fn note_detail(n: &CreditNoteLine) -> ItemDetail {
    detail(n.rate_bp, n.taxable_paise, n.igst_paise, n.cgst_paise, n.sgst_paise, TaxKeys::of(n.inter_state))
}

/// An empty sum at `rate_bp` carrying the keys `taxes` names.
pub(super) fn zero(rate_bp: i32, taxes: TaxKeys) -> ItemDetail {
    detail(rate_bp, 0, 0, 0, 0, taxes)
}

pub(super) fn one_item(d: ItemDetail) -> Vec<Item> {
    vec![Item { num: 1, itm_det: d }]
}

/// The HSN summary's key: code, unit (`NA` for a service), rate.
type HsnKey = (String, String, i32);

/// The HSN summary's sums: taxable value and taxes, and the quantity of goods.
type HsnSums = BTreeMap<HsnKey, (ItemDetail, i64)>;

/// Adds a document's taxable value and taxes `d` at `rate` (`sign` 1, or −1 for a credit
/// note) to `into`, shared among its lines' codes in proportion to their values; a document
/// of one code (every one before goods were sold) goes whole under it.
fn add_hsn(into: &mut HsnSums, sign: i64, rate: i32, d: &ItemDetail, codes: &[CodeShare]) {
    let mut keyed: Vec<(HsnKey, i64, i64)> = Vec::new();
    for c in codes {
        let (uqc, qty) = c.goods.clone().unwrap_or_else(|| ("NA".to_owned(), 0));
        let key = (c.code.clone(), uqc, rate);
        match keyed.iter_mut().find(|k| k.0 == key) {
            Some(k) => {
                k.1 += c.weight;
                k.2 += qty;
            }
            None => keyed.push((key, c.weight, qty)),
        }
    }
    if keyed.is_empty() {
        keyed.push(((SAC.to_owned(), "NA".to_owned(), rate), 1, 0));
    }
    let weights: Vec<i64> = keyed.iter().map(|k| k.1).collect();
    let share = |total: Amount| crate::money::spread(total.0, &weights);
    let (txval, iamt, camt, samt) = (share(d.txval), share(d.iamt), share(d.camt), share(d.samt));
    for (i, (key, _, qty)) in keyed.into_iter().enumerate() {
        let sum = into.entry(key).or_insert((zero(rate, TaxKeys::All), 0));
        add(&mut sum.0, sign, &detail(rate, txval[i], iamt[i], camt[i], samt[i], TaxKeys::All));
        sum.1 += sign * qty;
    }
}

/// The HSN summary's rows from its sums, numbered.
fn hsn_rows(rows: HsnSums) -> Vec<HsnRow> {
    rows.into_iter()
        .enumerate()
        .map(|(n, ((code, uqc, _), (amounts, qty)))| HsnRow {
            num: n as u32 + 1,
            desc: describe(&code),
            hsn_sc: code,
            uqc,
            qty,
            amounts,
        })
        .collect()
}

/// The sums of HSN summary rows.
fn hsn_sums(rows: &[HsnRow]) -> HsnSums {
    rows.iter().map(|r| ((r.hsn_sc.clone(), r.uqc.clone(), r.amounts.rt.0), (r.amounts, r.qty))).collect()
}

/// Moves invoice `i` from the B2C to the B2B list of a split HSN summary (an invoice an
/// amendment moved to B2B: +value under B2B, −value under B2C, in the return of the month of
/// the amendment); a one-list summary does not change.
pub(super) fn move_hsn_to_b2b(hsn: &mut Hsn, i: &InvoiceLine) {
    if let Hsn::Split { hsn_b2b, hsn_b2c } = hsn {
        let d = invoice_detail(i);
        let (mut b2b, mut b2c) = (hsn_sums(hsn_b2b), hsn_sums(hsn_b2c));
        add_hsn(&mut b2b, 1, i.rate_bp, &d, &i.codes);
        add_hsn(&mut b2c, -1, i.rate_bp, &d, &i.codes);
        *hsn_b2b = hsn_rows(b2b);
        *hsn_b2c = hsn_rows(b2c);
    }
}

/// What the HSN summary calls a code.
fn describe(code: &str) -> &'static str {
    match code.get(..4).unwrap_or(code) {
        c if c.starts_with("99") => "Telecommunication services",
        "8517" => "Routers and ONTs",
        "8528" => "Set-top boxes",
        "8544" => "Cables",
        _ => "Goods",
    }
}

/// Whether an invoice (or a credit note's invoice) dated `invoice_date` is B2CL: to an
/// unregistered recipient, inter-state, of a value above that date's limit.
pub fn is_b2cl(inter_state: bool, gstin: &Option<String>, value: i64, invoice_date: chrono::NaiveDate) -> bool {
    gstin.is_none() && inter_state && value > dated_rules::b2cl_threshold_paise(invoice_date)
}

pub(super) fn supply_type(inter_state: bool) -> &'static str {
    if inter_state {
        "INTER"
    } else {
        "INTRA"
    }
}

/// The return of `gstin` for `period` from its invoices (cancelled included) and credit notes.
pub fn build(gstin: &str, period: Period, invoices: &[InvoiceLine], notes: &[CreditNoteLine]) -> Gstr1 {
    let mut b2b: BTreeMap<String, Vec<B2bInvoice>> = BTreeMap::new();
    let mut b2cl: BTreeMap<String, Vec<B2clInvoice>> = BTreeMap::new();
    let mut b2cs: BTreeMap<(&'static str, String, i32), ItemDetail> = BTreeMap::new();
    let mut hsn_b2b = HsnSums::new();
    let mut hsn_b2c = HsnSums::new();
    let mut live: Vec<&InvoiceLine> = invoices.iter().filter(|i| !i.cancelled).collect();
    live.sort_by(|a, b| (a.date, &a.number).cmp(&(b.date, &b.number)));
    for i in live {
        let d = invoice_detail(i);
        let hsn = if i.customer_gstin.is_some() { &mut hsn_b2b } else { &mut hsn_b2c };
        add_hsn(hsn, 1, i.rate_bp, &d, &i.codes);
        if let Some(ctin) = &i.customer_gstin {
            b2b.entry(ctin.clone()).or_default().push(B2bInvoice {
                receiver_name: i.recipient_name.clone(),
                inum: i.number.clone(),
                idt: date(i.date),
                val: Amount(i.value_paise),
                pos: i.pos_code.clone(),
                rchrg: "N",
                inv_typ: "R",
                itms: one_item(d),
            });
        } else if is_b2cl(i.inter_state, &i.customer_gstin, i.value_paise, i.date) {
            b2cl.entry(i.pos_code.clone()).or_default().push(B2clInvoice {
                inum: i.number.clone(),
                idt: date(i.date),
                val: Amount(i.value_paise),
                itms: one_item(d),
            });
        } else {
            let key = (supply_type(i.inter_state), i.pos_code.clone(), i.rate_bp);
            add(b2cs.entry(key).or_insert(zero(i.rate_bp, d.taxes)), 1, &d);
        }
    }
    let mut cdnr: BTreeMap<String, Vec<Note>> = BTreeMap::new();
    let mut cdnur = Vec::new();
    let mut sorted: Vec<&CreditNoteLine> = notes.iter().collect();
    sorted.sort_by(|a, b| (a.date, &a.number).cmp(&(b.date, &b.number)));
    for n in sorted {
        let d = note_detail(n);
        // A credit note takes value off; a debit note adds it.
        let (sign, ntty) = if n.debit { (1, "D") } else { (-1, "C") };
        let hsn = if n.customer_gstin.is_some() { &mut hsn_b2b } else { &mut hsn_b2c };
        add_hsn(hsn, sign, n.rate_bp, &d, &n.codes);
        if let Some(ctin) = &n.customer_gstin {
            cdnr.entry(ctin.clone()).or_default().push(Note {
                receiver_name: n.recipient_name.clone(),
                ntty,
                nt_num: n.number.clone(),
                nt_dt: date(n.date),
                val: Amount(n.value_paise),
                pos: n.pos_code.clone(),
                rchrg: "N",
                inv_typ: "R",
                itms: one_item(d),
            });
        } else if is_b2cl(n.inter_state, &n.customer_gstin, n.invoice_value_paise, n.invoice_date) {
            cdnur.push(Cdnur {
                typ: "B2CL",
                ntty,
                nt_num: n.number.clone(),
                nt_dt: date(n.date),
                val: Amount(n.value_paise),
                pos: n.pos_code.clone(),
                itms: one_item(d),
            });
        } else {
            let key = (supply_type(n.inter_state), n.pos_code.clone(), n.rate_bp);
            add(b2cs.entry(key).or_insert(zero(n.rate_bp, d.taxes)), sign, &d);
        }
    }
    let hsn = match dated_rules::hsn_summary(period) {
        HsnSummary::OneList => {
            let mut all = hsn_b2b;
            for (key, (d, qty)) in hsn_b2c {
                let rate = key.2;
                let sum = all.entry(key).or_insert((zero(rate, TaxKeys::All), 0));
                add(&mut sum.0, 1, &d);
                sum.1 += qty;
            }
            Hsn::OneList { data: hsn_rows(all) }
        }
        HsnSummary::SplitB2bB2c => Hsn::Split { hsn_b2b: hsn_rows(hsn_b2b), hsn_b2c: hsn_rows(hsn_b2c) },
    };
    Gstr1 {
        gstin: gstin.to_owned(),
        fp: period.fp(),
        b2b: b2b.into_iter().map(|(ctin, inv)| B2b { ctin, inv }).collect(),
        b2cl: b2cl.into_iter().map(|(pos, inv)| B2cl { pos, inv }).collect(),
        b2cs: b2cs.into_iter().map(|((sply_ty, pos, _), amounts)| B2cs { sply_ty, pos, typ: "OE", amounts }).collect(),
        cdnr: cdnr.into_iter().map(|(ctin, nt)| Cdnr { ctin, nt }).collect(),
        cdnur,
        at: Vec::new(),
        txpd: Vec::new(),
        b2ba: Vec::new(),
        cdnra: Vec::new(),
        b2csa: Vec::new(),
        hsn,
        doc_issue: DocIssue {
            doc_det: vec![
                DocDetail {
                    doc_num: 1,
                    doc_typ: "Invoices for outward supply",
                    docs: documents(invoices.iter().map(|i| (&i.series, i.serial, &i.number, i.cancelled))),
                },
                DocDetail {
                    doc_num: 4,
                    doc_typ: "Debit Note",
                    docs: documents(notes.iter().filter(|n| n.debit).map(|n| (&n.series, n.serial, &n.number, false))),
                },
                DocDetail {
                    doc_num: 5,
                    doc_typ: "Credit Note",
                    docs: documents(notes.iter().filter(|n| !n.debit).map(|n| (&n.series, n.serial, &n.number, false))),
                },
            ],
        },
    }
}

/// One document of a series: its serial, number and whether it is cancelled.
type Numbered<'a> = (Option<i64>, &'a String, bool);

/// Per series: first and last number (by serial, else by number), total, cancelled, net.
pub(super) fn documents<'a>(docs: impl Iterator<Item = (&'a String, Option<i64>, &'a String, bool)>) -> Vec<Doc> {
    let mut series: BTreeMap<&String, Vec<Numbered<'a>>> = BTreeMap::new();
    for (name, serial, number, cancelled) in docs {
        series.entry(name).or_default().push((serial, number, cancelled));
    }
    series
        .into_values()
        .enumerate()
        .map(|(n, mut list)| {
            list.sort();
            let cancel = list.iter().filter(|d| d.2).count() as u32;
            let total = list.len() as u32;
            Doc {
                num: n as u32 + 1,
                from: list.first().map(|d| d.1.clone()).unwrap_or_default(),
                to: list.last().map(|d| d.1.clone()).unwrap_or_default(),
                totnum: total,
                cancel,
                net_issue: total - cancel,
            }
        })
        .collect()
}

/// Whether a return can be asked for `period` on `today` (a business date): the current
/// month and earlier ones can; a month that has not begun cannot (its supplies are not made
/// yet), which the message says.
pub fn begun(period: Period, today: chrono::NaiveDate) -> Result<(), String> {
    if period.days().0 <= today {
        Ok(())
    } else {
        Err(format!(
            "`period` {:04}-{:02} has not begun (today is {today}): GSTR-1 is for the current month or an earlier one",
            period.year, period.month
        ))
    }
}

/// The keys of each object of a section, as the reference formats have them: the GST Returns
/// Offline Tool's own JSON (version GST3.2.3, `utility/returnStructure.js`, `getInv` and
/// `getItm` for GSTR-1, as published in the tool and mirrored at github.com/ProperoIQ/gst-offline-tool;
/// the keys it only uses inside the tool, `cname`, `diffval`, `flag`, are dropped before
/// upload in `service/offline.js`), checked against resilient-tech/india-compliance's
/// `gst_india/utils/gstr_1/sections/` (B2CL items: `ITEM_TOTALS_IGST`, "inter-state: no
/// central or state tax"). Optional keys we never fill (`etin`, `diff_percent`, `user_desc`)
/// are left out, as the tool leaves them out when blank.
///
/// A path is the section and the keys leading to the object (`b2b.inv.itms.itm_det`); a
/// path listed with `/INTER` or `/INTRA` applies to inter- or intra-state supplies only:
/// an item follows its invoice's place of supply against the return's GSTIN (`b2b`, `cdnr`),
/// a `b2cs`, `at` or `txpd` row its `sply_ty`. A path listed twice takes either key set.
/// `at` (table 11A, advances received) and `txpd` (11B, advances adjusted) are listed for
/// when the return carries advances; `b2ba`, `cdnra` and `b2csa` (tables 9A, 9C and 10,
/// amendments) for when it carries amendments (`getInv` for `b2ba`, `cdnra` and `b2csa`, and
/// `getItm` for `b2csa`, whose items carry no `num`).
pub const PORTAL_KEYS: &[(&str, &[&str])] = &[
    ("b2b", &["ctin", "inv"]),
    ("b2b.inv", &["inum", "idt", "val", "pos", "rchrg", "inv_typ", "itms"]),
    ("b2b.inv.itms", &["num", "itm_det"]),
    ("b2b.inv.itms.itm_det/INTER", &["rt", "txval", "iamt", "csamt"]),
    ("b2b.inv.itms.itm_det/INTRA", &["rt", "txval", "camt", "samt", "csamt"]),
    ("b2cl", &["pos", "inv"]),
    ("b2cl.inv", &["inum", "idt", "val", "itms"]),
    ("b2cl.inv.itms", &["num", "itm_det"]),
    ("b2cl.inv.itms.itm_det", &["rt", "txval", "iamt", "csamt"]),
    ("b2cs/INTER", &["sply_ty", "pos", "typ", "rt", "txval", "iamt", "csamt"]),
    ("b2cs/INTRA", &["sply_ty", "pos", "typ", "rt", "txval", "camt", "samt", "csamt"]),
    ("cdnr", &["ctin", "nt"]),
    ("cdnr.nt", &["ntty", "nt_num", "nt_dt", "val", "pos", "rchrg", "inv_typ", "itms"]),
    ("cdnr.nt.itms", &["num", "itm_det"]),
    ("cdnr.nt.itms.itm_det/INTER", &["rt", "txval", "iamt", "csamt"]),
    ("cdnr.nt.itms.itm_det/INTRA", &["rt", "txval", "camt", "samt", "csamt"]),
    ("cdnur", &["typ", "ntty", "nt_num", "nt_dt", "val", "pos", "itms"]),
    ("cdnur.itms", &["num", "itm_det"]),
    ("cdnur.itms.itm_det", &["rt", "txval", "iamt", "csamt"]),
    ("hsn", &["data"]),
    ("hsn", &["hsn_b2b", "hsn_b2c"]),
    ("hsn.data", &["num", "hsn_sc", "desc", "uqc", "qty", "rt", "txval", "iamt", "camt", "samt", "csamt"]),
    ("hsn.hsn_b2b", &["num", "hsn_sc", "desc", "uqc", "qty", "rt", "txval", "iamt", "camt", "samt", "csamt"]),
    ("hsn.hsn_b2c", &["num", "hsn_sc", "desc", "uqc", "qty", "rt", "txval", "iamt", "camt", "samt", "csamt"]),
    ("at", &["pos", "sply_ty", "itms"]),
    ("at.itms/INTER", &["rt", "ad_amt", "iamt", "csamt"]),
    ("at.itms/INTRA", &["rt", "ad_amt", "camt", "samt", "csamt"]),
    ("txpd", &["pos", "sply_ty", "itms"]),
    ("txpd.itms/INTER", &["rt", "ad_amt", "iamt", "csamt"]),
    ("txpd.itms/INTRA", &["rt", "ad_amt", "camt", "samt", "csamt"]),
    ("b2ba", &["ctin", "inv"]),
    ("b2ba.inv", &["oinum", "oidt", "inum", "idt", "val", "pos", "rchrg", "inv_typ", "itms"]),
    ("b2ba.inv.itms", &["num", "itm_det"]),
    ("b2ba.inv.itms.itm_det/INTER", &["rt", "txval", "iamt", "csamt"]),
    ("b2ba.inv.itms.itm_det/INTRA", &["rt", "txval", "camt", "samt", "csamt"]),
    ("cdnra", &["ctin", "nt"]),
    ("cdnra.nt", &["ont_num", "ont_dt", "ntty", "nt_num", "nt_dt", "val", "pos", "rchrg", "inv_typ", "itms"]),
    ("cdnra.nt.itms", &["num", "itm_det"]),
    ("cdnra.nt.itms.itm_det/INTER", &["rt", "txval", "iamt", "csamt"]),
    ("cdnra.nt.itms.itm_det/INTRA", &["rt", "txval", "camt", "samt", "csamt"]),
    ("b2csa/INTER", &["omon", "sply_ty", "typ", "pos", "itms"]),
    ("b2csa/INTRA", &["omon", "sply_ty", "typ", "pos", "itms"]),
    ("b2csa.itms/INTER", &["rt", "txval", "iamt", "csamt"]),
    ("b2csa.itms/INTRA", &["rt", "txval", "camt", "samt", "csamt"]),
    ("doc_issue", &["doc_det"]),
    ("doc_issue.doc_det", &["doc_num", "doc_typ", "docs"]),
    ("doc_issue.doc_det.docs", &["num", "from", "to", "totnum", "cancel", "net_issue"]),
];

/// Where a return's JSON `r` differs from [`PORTAL_KEYS`]: one line per object whose keys are
/// not the reference's for its path (empty when it agrees), and the paths it has objects at.
pub fn off_portal_keys(r: &serde_json::Value) -> (Vec<String>, std::collections::BTreeSet<String>) {
    use serde_json::Value;

    fn walk(
        path: &str,
        value: &Value,
        supply: Option<&str>,
        own_state: &str,
        out: &mut (Vec<String>, std::collections::BTreeSet<String>),
    ) {
        match value {
            Value::Array(items) => items.iter().for_each(|v| walk(path, v, supply, own_state, out)),
            Value::Object(map) => {
                // The object's own supply type, else its place of supply's, else its parent's.
                let pos_supply = map.get("pos").and_then(Value::as_str).map(|pos| supply_type(pos != own_state));
                let supply = map.get("sply_ty").and_then(Value::as_str).or(pos_supply).or(supply);
                let keys: std::collections::BTreeSet<&str> = map.keys().map(String::as_str).collect();
                let variant = supply.map(|s| format!("{path}/{s}"));
                let wanted: Vec<std::collections::BTreeSet<&str>> = PORTAL_KEYS
                    .iter()
                    .filter(|(p, _)| *p == path || Some(*p) == variant.as_deref())
                    .map(|(_, k)| k.iter().copied().collect())
                    .collect();
                out.1.insert(variant.filter(|v| PORTAL_KEYS.iter().any(|(p, _)| p == v)).unwrap_or(path.to_owned()));
                if wanted.is_empty() {
                    out.0.push(format!("{path}: not in the reference formats"));
                } else if !wanted.contains(&keys) {
                    out.0.push(format!(
                        "{path} ({}): keys {keys:?}, the reference has {wanted:?}",
                        supply.unwrap_or("-")
                    ));
                }
                for (key, child) in map {
                    if child.is_array() || child.is_object() {
                        walk(&format!("{path}.{key}"), child, supply, own_state, out);
                    }
                }
            }
            _ => {}
        }
    }

    let mut out = (Vec::new(), std::collections::BTreeSet::new());
    let own_state = r["gstin"].as_str().and_then(|g| g.get(..2)).unwrap_or_default().to_owned();
    for (section, value) in r.as_object().into_iter().flatten() {
        if section != "gstin" && section != "fp" {
            walk(section, value, None, &own_state, &mut out);
        }
    }
    out
}

/// Taxable value and taxes of a return: B2B + B2CL + B2CS (already net of B2C credit notes)
/// − CDNR − CDNUR. Equals the month's invoices (not cancelled) less its credit notes.
pub fn totals(r: &Gstr1) -> ItemDetail {
    let mut sum = ItemDetail::default();
    r.b2b.iter().flat_map(|b| &b.inv).flat_map(|i| &i.itms).for_each(|i| add(&mut sum, 1, &i.itm_det));
    r.b2cl.iter().flat_map(|b| &b.inv).flat_map(|i| &i.itms).for_each(|i| add(&mut sum, 1, &i.itm_det));
    r.b2cs.iter().for_each(|b| add(&mut sum, 1, &b.amounts));
    let sign = |ntty: &str| if ntty == "D" { 1 } else { -1 };
    for n in r.cdnr.iter().flat_map(|c| &c.nt) {
        n.itms.iter().for_each(|i| add(&mut sum, sign(n.ntty), &i.itm_det));
    }
    for n in &r.cdnur {
        n.itms.iter().for_each(|i| add(&mut sum, sign(n.ntty), &i.itm_det));
    }
    sum
}

#[cfg(test)]
pub(crate) mod tests {
    use chrono::NaiveDate;
    use serde_json::json;

    use super::*;

    fn day(d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 11, d).unwrap()
    }

    #[allow(clippy::too_many_arguments)]
    fn invoice(
        number: &str,
        serial: i64,
        gstin: Option<&str>,
        pos: &str,
        inter: bool,
        taxable: i64,
        cancelled: bool,
    ) -> InvoiceLine {
        let tax = crate::invoices::rules::gst(taxable, 1800, !inter);
        InvoiceLine {
            number: number.into(),
            date: day(serial as u32),
            series: "INV/26-27".into(),
            serial: Some(serial),
            customer_gstin: gstin.map(Into::into),
            recipient_name: "Sharma Traders".into(),
            pos_code: pos.into(),
            inter_state: inter,
            rate_bp: 1800,
            taxable_paise: taxable,
            igst_paise: tax.igst,
            cgst_paise: tax.cgst,
            sgst_paise: tax.sgst,
            value_paise: taxable + tax.igst + tax.cgst + tax.sgst,
            cancelled,
            codes: Vec::new(),
        }
    }

    fn note(number: &str, serial: i64, gstin: Option<&str>, taxable: i64, half: i64) -> CreditNoteLine {
        CreditNoteLine {
            debit: false,
            number: number.into(),
            date: day(20 + serial as u32),
            series: "CN/26-27".into(),
            serial: Some(serial),
            invoice_value_paise: 118_000,
            invoice_date: day(1),
            customer_gstin: gstin.map(Into::into),
            recipient_name: "Sharma Traders".into(),
            pos_code: "27".into(),
            inter_state: false,
            rate_bp: 1800,
            taxable_paise: taxable,
            igst_paise: 0,
            cgst_paise: half,
            sgst_paise: half,
            value_paise: taxable + 2 * half,
            codes: Vec::new(),
        }
    }

    /// A B2B invoice (1,000 + 90 + 90), an unregistered one within the state (499 + 44.91 +
    /// 44.91), an unregistered inter-state one (333.33 + IGST 60.00), a cancelled one, a credit
    /// note to the B2B customer (282.49 + 25.42 + 25.42) and one to an unregistered customer
    /// (100 + 9 + 9).
    pub(crate) fn month() -> (Vec<InvoiceLine>, Vec<CreditNoteLine>) {
        let invoices = vec![
            invoice("INV/26-27/000001", 1, Some("27AABCU9603R1ZN"), "27", false, 100_000, false),
            invoice("INV/26-27/000002", 2, None, "27", false, 49_900, false),
            invoice("INV/26-27/000003", 3, None, "29", true, 33_333, false),
            invoice("INV/26-27/000004", 4, None, "27", false, 10_000, true),
        ];
        let notes = vec![
            note("CN/26-27/0000001", 1, Some("27AABCU9603R1ZN"), 28_249, 2_542),
            note("CN/26-27/0000002", 2, None, 10_000, 900),
        ];
        (invoices, notes)
    }

    #[test]
    fn a_month_in_the_offline_tool_shape() {
        let (invoices, notes) = month();
        let r = build("27AAPFU0939F1ZV", Period { year: 2026, month: 11 }, &invoices, &notes);
        let v = serde_json::to_value(&r).unwrap();
        assert_eq!(v["fp"], "112026");
        assert_eq!(
            v["b2b"],
            json!([{"ctin": "27AABCU9603R1ZN", "inv": [{"inum": "INV/26-27/000001", "idt": "01-11-2026", "val": 1180.0,
                "pos": "27", "rchrg": "N", "inv_typ": "R",
                "itms": [{"num": 1, "itm_det": {"rt": 18.0, "txval": 1000.0, "camt": 90.0, "samt": 90.0, "csamt": 0.0}}]}]}])
        );
        // Intra: 499 + 44.91 × 2 less the unregistered credit note 100 + 9 + 9.
        assert_eq!(
            v["b2cs"],
            json!([
                {"sply_ty": "INTER", "pos": "29", "typ": "OE", "rt": 18.0, "txval": 333.33, "iamt": 60.0, "csamt": 0.0},
                {"sply_ty": "INTRA", "pos": "27", "typ": "OE", "rt": 18.0, "txval": 399.0, "camt": 35.91, "samt": 35.91, "csamt": 0.0}
            ])
        );
        assert_eq!(v["cdnr"][0]["nt"][0]["nt_num"], "CN/26-27/0000001");
        assert_eq!(v["cdnr"][0]["nt"][0]["val"], 333.33);
        assert_eq!(v["cdnur"], json!([]));
        assert_eq!(v["b2cl"], json!([]));
        assert_eq!(v["hsn"]["hsn_b2b"][0]["txval"], 717.51);
        assert_eq!(v["hsn"]["hsn_b2b"][0]["camt"], 64.58);
        assert_eq!(v["hsn"]["hsn_b2c"][0]["txval"], 732.33);
        assert_eq!(
            v["doc_issue"]["doc_det"][0]["docs"],
            json!([{"num": 1, "from": "INV/26-27/000001", "to": "INV/26-27/000004", "totnum": 4, "cancel": 1, "net_issue": 3}])
        );
        assert_eq!(v["doc_issue"]["doc_det"][2]["docs"][0]["totnum"], 2, "credit notes after debit notes (4)");
        // All sections: the month's invoices (not cancelled) less its credit notes.
        let t = totals(&r);
        assert_eq!(t.txval.0, 100_000 + 49_900 + 33_333 - 28_249 - 10_000);
        assert_eq!(t.camt.0, 9_000 + 4_491 - 2_542 - 900);
        assert_eq!(t.iamt.0, 6_000);
    }

    #[test]
    fn large_unregistered_inter_state_invoices_are_b2cl() {
        let big = invoice("INV/26-27/000009", 9, None, "29", true, 1_00_000_00, false);
        let r = build("27AAPFU0939F1ZV", Period { year: 2026, month: 11 }, &[big], &[]);
        assert_eq!(r.b2cl.len(), 1);
        assert!(r.b2cs.is_empty());
    }

    /// An unregistered inter-state invoice of `value` rupees (IGST 18 % included) dated `date`.
    fn dated(number: &str, date: NaiveDate, value_rupees: i64) -> InvoiceLine {
        let value = value_rupees * 100;
        let taxable = value * 100 / 118;
        InvoiceLine {
            date,
            taxable_paise: taxable,
            igst_paise: value - taxable,
            cgst_paise: 0,
            sgst_paise: 0,
            value_paise: value,
            ..invoice(number, 1, None, "29", true, 0, false)
        }
    }

    /// The B2CL limit is the invoice date's: ₹2.5 lakh until 31 July 2024, ₹1 lakh from
    /// 1 August 2024; a credit note follows its invoice's date, not its own.
    #[test]
    fn the_b2cl_limit_follows_the_invoice_date() {
        let d = |y, m, dd| NaiveDate::from_ymd_opt(y, m, dd).unwrap();
        let july = Period { year: 2024, month: 7 };
        let august = Period { year: 2024, month: 8 };
        // ₹2,00,000: B2CS on 31 July, B2CL on 1 August.
        let r = build("27AAPFU0939F1ZV", july, &[dated("A/1", d(2024, 7, 31), 2_00_000)], &[]);
        assert!(r.b2cl.is_empty() && r.b2cs.len() == 1, "{r:?}");
        let r = build("27AAPFU0939F1ZV", august, &[dated("A/2", d(2024, 8, 1), 2_00_000)], &[]);
        assert!(r.b2cl.len() == 1 && r.b2cs.is_empty(), "{r:?}");
        // At the limit is not above it: ₹2,50,000 on 31 July and ₹1,00,000 on 1 August are
        // B2CS; a rupee more is B2CL.
        let r = build("27AAPFU0939F1ZV", july, &[dated("A/3", d(2024, 7, 31), 2_50_000)], &[]);
        assert!(r.b2cl.is_empty(), "{r:?}");
        let r = build("27AAPFU0939F1ZV", july, &[dated("A/4", d(2024, 7, 31), 2_50_001)], &[]);
        assert_eq!(r.b2cl.len(), 1);
        let r = build("27AAPFU0939F1ZV", august, &[dated("A/5", d(2024, 8, 1), 1_00_000)], &[]);
        assert!(r.b2cl.is_empty(), "{r:?}");
        let r = build("27AAPFU0939F1ZV", august, &[dated("A/6", d(2024, 8, 1), 1_00_001)], &[]);
        assert_eq!(r.b2cl.len(), 1);
        // A credit note dated in August against a ₹2,00,000 July invoice (B2CS then) nets
        // into B2CS; against an August one (B2CL) it is a CDNUR note.
        let note_on = |invoice_date: NaiveDate| CreditNoteLine {
            debit: false,
            date: d(2024, 8, 20),
            invoice_value_paise: 2_00_000_00,
            invoice_date,
            pos_code: "29".into(),
            inter_state: true,
            igst_paise: 1_800,
            cgst_paise: 0,
            sgst_paise: 0,
            value_paise: 11_800,
            ..note("CN/1", 1, None, 10_000, 0)
        };
        let r = build("27AAPFU0939F1ZV", august, &[], &[note_on(d(2024, 7, 31))]);
        assert!(r.cdnur.is_empty() && r.b2cs.len() == 1, "{r:?}");
        let r = build("27AAPFU0939F1ZV", august, &[], &[note_on(d(2024, 8, 1))]);
        assert!(r.cdnur.len() == 1 && r.b2cs.is_empty(), "{r:?}");
    }

    /// Every section of a month that has them all (B2B within and across the state, B2CL,
    /// B2CS both ways, CDNR both ways, CDNUR), in both shapes of the HSN summary: the keys
    /// of each object are the reference formats' ([`PORTAL_KEYS`]), and no amount is left out
    /// that is not zero.
    #[test]
    fn each_section_carries_the_portals_keys() {
        let (mut invoices, mut notes) = month();
        invoices.push(invoice("INV/26-27/000005", 5, Some("29AAGCB7383J1Z4"), "29", true, 50_000, false));
        invoices.push(invoice("INV/26-27/000006", 6, None, "29", true, 1_00_000_00, false));
        let inter_note = |number: &str, serial, gstin: Option<&str>, invoice_value| CreditNoteLine {
            pos_code: "29".into(),
            inter_state: true,
            invoice_value_paise: invoice_value,
            igst_paise: 1_800,
            cgst_paise: 0,
            sgst_paise: 0,
            value_paise: 11_800,
            ..note(number, serial, gstin, 10_000, 0)
        };
        notes.push(inter_note("CN/26-27/0000003", 3, Some("29AAGCB7383J1Z4"), 59_000));
        notes.push(inter_note("CN/26-27/0000004", 4, None, 1_18_000_00));
        for period in [Period { year: 2026, month: 11 }, Period { year: 2025, month: 4 }] {
            let r = build("27AAPFU0939F1ZV", period, &invoices, &notes);
            assert!(!r.b2cl.is_empty() && !r.cdnur.is_empty() && r.b2b.iter().map(|b| b.inv.len()).sum::<usize>() == 2);
            let v = serde_json::to_value(&r).unwrap();
            let (off, seen) = off_portal_keys(&v);
            assert!(off.is_empty(), "{off:#?}\n{v:#}");
            let mut expected: Vec<&str> = PORTAL_KEYS
                .iter()
                .map(|(p, _)| *p)
                .filter(|p| !p.starts_with("at") && !p.starts_with("txpd") && *p != "hsn")
                // Amendments: `super::amendments::tests`.
                .filter(|p| !p.starts_with("b2ba") && !p.starts_with("cdnra") && !p.starts_with("b2csa"))
                .filter(|p| if period.year == 2025 { !p.starts_with("hsn.hsn_") } else { *p != "hsn.data" })
                .collect();
            expected.push("hsn");
            expected.sort_unstable();
            expected.dedup();
            assert_eq!(seen.iter().map(String::as_str).collect::<Vec<_>>(), expected, "every path seen");
            // What the keys leave out is zero: the sections still add up.
            let t = totals(&r);
            assert_eq!(t.iamt.0, 6_000 + 9_000 + 18_00_000 - 1_800 - 1_800);
        }
        // A key set that is not the reference's is reported, with its path.
        let mut v = serde_json::to_value(build("27AAPFU0939F1ZV", Period { year: 2026, month: 11 }, &invoices, &notes))
            .unwrap();
        v["b2cl"][0]["inv"][0]["itms"][0]["itm_det"]["camt"] = json!(0.0);
        v["b2cs"][0]["camt"] = json!(0.0);
        let (off, _) = off_portal_keys(&v);
        assert_eq!(off.len(), 2, "{off:#?}");
        assert!(off[0].starts_with("b2cl.inv.itms.itm_det") && off[1].starts_with("b2cs (INTER)"), "{off:#?}");
    }

    #[test]
    fn a_month_that_has_not_begun_has_no_return() {
        let today = NaiveDate::from_ymd_opt(2026, 12, 14).unwrap();
        assert!(begun(Period { year: 2026, month: 12 }, today).is_ok(), "the current month");
        assert!(begun(Period { year: 2026, month: 11 }, today).is_ok());
        assert!(begun(Period { year: 2026, month: 12 }, NaiveDate::from_ymd_opt(2026, 12, 1).unwrap()).is_ok());
        let e = begun(Period { year: 2027, month: 1 }, today).unwrap_err();
        assert_eq!(
            e,
            "`period` 2027-01 has not begun (today is 2026-12-14): GSTR-1 is for the current month or an earlier one"
        );
        assert!(begun(Period { year: 2026, month: 12 }, NaiveDate::from_ymd_opt(2026, 11, 30).unwrap()).is_err());
    }

    /// Table 12 is one list (`data`) in the April 2025 return and two lists from May 2025;
    /// the one list is the two summed per rate.
    #[test]
    fn the_hsn_summary_is_one_list_before_may_2025() {
        let (invoices, notes) = month();
        let april =
            serde_json::to_value(build("27AAPFU0939F1ZV", Period { year: 2025, month: 4 }, &invoices, &notes)).unwrap();
        let may =
            serde_json::to_value(build("27AAPFU0939F1ZV", Period { year: 2025, month: 5 }, &invoices, &notes)).unwrap();
        let keys = |v: &serde_json::Value| v["hsn"].as_object().unwrap().keys().cloned().collect::<Vec<_>>();
        assert_eq!(keys(&april), ["data"]);
        assert_eq!(keys(&may), ["hsn_b2b", "hsn_b2c"]);
        let data = &april["hsn"]["data"];
        assert_eq!(data.as_array().unwrap().len(), 1, "one rate, one row");
        assert_eq!(data[0]["num"], 1);
        assert_eq!(data[0]["hsn_sc"], "9984");
        // B2B 717.51 + B2C 732.33; CGST 64.58 + 35.91.
        assert_eq!(data[0]["txval"], 1449.84);
        assert_eq!(data[0]["camt"], 100.49);
        assert_eq!(data[0]["iamt"], 60.0);
        assert_eq!(may["hsn"]["hsn_b2b"][0]["txval"], 717.51);
        assert_eq!(may["hsn"]["hsn_b2c"][0]["txval"], 732.33);
    }

    #[test]
    fn goods_are_summed_by_hsn_code_and_unit_apart_from_the_service() {
        let share = |code: &str, goods: Option<(&str, i64)>, weight| CodeShare {
            code: code.into(),
            goods: goods.map(|(u, q)| (u.to_owned(), q)),
            weight,
        };
        // A plan (₹499) with two routers (₹2,000) and 30 m of cable (₹300) on one invoice, and
        // a router alone on another; a credit note takes ₹500 off the router invoice.
        let mut mixed = invoice("INV/26-27/000001", 1, None, "27", false, 279_900, false);
        mixed.codes = vec![
            share("9984", None, 49_900),
            share("8517", Some(("NOS", 2)), 200_000),
            share("8544", Some(("MTR", 30)), 30_000),
        ];
        let mut router = invoice("INV/26-27/000002", 2, None, "27", false, 100_000, false);
        router.codes = vec![share("8517", Some(("NOS", 1)), 100_000)];
        let mut note = note("CN/26-27/000001", 1, None, 50_000, 4_500);
        note.codes = vec![share("8517", Some(("NOS", 0)), 50_000)];
        let r = build("27AAPFU0939F1ZV", Period { year: 2026, month: 11 }, &[mixed, router], &[note]);
        let v = serde_json::to_value(&r).unwrap();
        let rows = v["hsn"]["hsn_b2c"].as_array().unwrap();
        let row = |code: &str| rows.iter().find(|r| r["hsn_sc"] == code).unwrap().clone();
        assert_eq!(rows.len(), 3, "{rows:?}");
        let routers = row("8517");
        assert_eq!((routers["uqc"].as_str(), routers["qty"].as_i64()), (Some("NOS"), Some(3)));
        assert_eq!(routers["desc"], "Routers and ONTs");
        // 2,000 + 1,000 − 500 taxable; 9 % CGST on each, to the paisa.
        assert_eq!(routers["txval"], 2500.0);
        assert_eq!(routers["camt"], 225.0);
        let cable = row("8544");
        assert_eq!(
            (cable["uqc"].as_str(), cable["qty"].as_i64(), cable["txval"].as_f64()),
            (Some("MTR"), Some(30), Some(300.0))
        );
        let plan = row("9984");
        assert_eq!(
            (plan["uqc"].as_str(), plan["qty"].as_i64(), plan["txval"].as_f64()),
            (Some("NA"), Some(0), Some(499.0))
        );
        // The three rows add up to the month's supplies.
        let sum = |key: &str| rows.iter().map(|r| r[key].as_f64().unwrap()).sum::<f64>();
        assert!((sum("txval") - (2799.0 + 1000.0 - 500.0)).abs() < 0.001);
        assert!((sum("camt") - (251.91 + 90.0 - 45.0)).abs() < 0.001, "{}", sum("camt"));
    }
}
