//! Table 11 of GSTR-1: advances for services. 11A (`at`): advances received in the month that
//! were not invoiced by its end, by place of supply and rate (an advance received and invoiced
//! in the same month is in neither table, as the return's instructions say). 11B (`txpd`):
//! advances received in earlier months and adjusted in this one. `ad_amt` is the advance less
//! its tax; the tax keys follow the supply type, as in `b2cs`.

use std::collections::BTreeMap;

use super::build::{documents, AdvanceItem, AdvanceRow, Amount, DocDetail, Gstr1, Rate};

/// An advance (or an adjustment of one), as its receipt voucher was issued. Paise.
#[derive(Debug, Clone)]
pub struct Advance {
    pub pos_code: String,
    pub inter_state: bool,
    pub rate_bp: i32,
    pub taxable_paise: i64,
    pub igst_paise: i64,
    pub cgst_paise: i64,
    pub sgst_paise: i64,
}

/// A receipt voucher of the month: its advance, series, serial and number.
#[derive(Debug, Clone)]
pub struct Voucher {
    pub advance: Advance,
    pub series: String,
    pub serial: i64,
    pub number: String,
}

/// An adjustment of the month, and whether its voucher is of the same month.
#[derive(Debug, Clone)]
pub struct Adjustment {
    pub advance: Advance,
    pub voucher_in_month: bool,
}

/// Sums `entries` (each with its sign) by place of supply, supply type and rate, leaving out
/// what sums to nothing.
fn rows(entries: &[(&Advance, i64)]) -> Vec<AdvanceRow> {
    let mut sums: BTreeMap<(String, bool), BTreeMap<i32, AdvanceItem>> = BTreeMap::new();
    for (a, sign) in entries {
        let item =
            sums.entry((a.pos_code.clone(), a.inter_state)).or_default().entry(a.rate_bp).or_insert(AdvanceItem {
                rt: Rate(a.rate_bp),
                ad_amt: Amount(0),
                iamt: Amount(0),
                camt: Amount(0),
                samt: Amount(0),
                inter_state: a.inter_state,
            });
        item.ad_amt.0 += sign * a.taxable_paise;
        item.iamt.0 += sign * a.igst_paise;
        item.camt.0 += sign * a.cgst_paise;
        item.samt.0 += sign * a.sgst_paise;
    }
    sums.into_iter()
        .filter_map(|((pos, inter_state), items)| {
            let itms: Vec<AdvanceItem> = items
                .into_values()
                .filter(|i| i.ad_amt.0 != 0 || i.iamt.0 != 0 || i.camt.0 != 0 || i.samt.0 != 0)
                .collect();
            (!itms.is_empty()).then_some(AdvanceRow { pos, sply_ty: if inter_state { "INTER" } else { "INTRA" }, itms })
        })
        .collect()
}

/// `r` with the month's advances: `at`, `txpd` and the receipt vouchers in `doc_issue`
/// (document type 6).
pub fn add(r: &mut Gstr1, vouchers: &[Voucher], adjustments: &[Adjustment]) {
    let mut received: Vec<(&Advance, i64)> = vouchers.iter().map(|v| (&v.advance, 1)).collect();
    received.extend(adjustments.iter().filter(|a| a.voucher_in_month).map(|a| (&a.advance, -1)));
    r.at = rows(&received);
    let earlier: Vec<(&Advance, i64)> =
        adjustments.iter().filter(|a| !a.voucher_in_month).map(|a| (&a.advance, 1)).collect();
    r.txpd = rows(&earlier);
    if !vouchers.is_empty() {
        let detail = DocDetail {
            doc_num: 6,
            doc_typ: "Receipt voucher",
            docs: documents(vouchers.iter().map(|v| (&v.series, Some(v.serial), &v.number, false))),
        };
        let at = r.doc_issue.doc_det.iter().position(|d| d.doc_num > 6).unwrap_or(r.doc_issue.doc_det.len());
        r.doc_issue.doc_det.insert(at, detail);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::gstr1::build::build;
    use crate::gstr1::model::Period;

    fn advance(pos: &str, inter: bool, taxable: i64, tax: i64) -> Advance {
        let (igst, half) = if inter { (tax, 0) } else { (0, tax / 2) };
        Advance {
            pos_code: pos.into(),
            inter_state: inter,
            rate_bp: 1800,
            taxable_paise: taxable,
            igst_paise: igst,
            cgst_paise: half,
            sgst_paise: half,
        }
    }

    #[test]
    fn advances_net_within_the_month_and_earlier_ones_are_adjusted() {
        let period = Period { year: 2026, month: 11 };
        let mut r = build("27AAPFU0939F1ZV", period, &[], &[]);
        let voucher = |n: i64, a: Advance| Voucher {
            advance: a,
            series: "RV/26-27".into(),
            serial: n,
            number: format!("RV/26-27/{n:06}"),
        };
        let vouchers =
            [voucher(1, advance("27", false, 100_000, 18_000)), voucher(2, advance("29", true, 50_000, 9_000))];
        // Half the first voucher invoiced in the month; an October voucher invoiced too.
        let adjustments = [
            Adjustment { advance: advance("27", false, 50_000, 9_000), voucher_in_month: true },
            Adjustment { advance: advance("27", false, 20_000, 3_600), voucher_in_month: false },
        ];
        add(&mut r, &vouchers, &adjustments);
        let v = serde_json::to_value(&r).unwrap();
        assert_eq!(v["at"][0]["pos"], "27");
        assert_eq!(v["at"][0]["itms"][0]["ad_amt"], 500.0);
        assert_eq!(v["at"][0]["itms"][0]["camt"], 45.0);
        assert!(v["at"][0]["itms"][0].get("iamt").is_none());
        assert_eq!(
            (v["at"][1]["sply_ty"].as_str(), v["at"][1]["itms"][0]["iamt"].as_f64()),
            (Some("INTER"), Some(90.0))
        );
        assert_eq!(v["txpd"][0]["itms"][0]["ad_amt"], 200.0);
        let docs = v["doc_issue"]["doc_det"].as_array().unwrap();
        assert_eq!(docs.iter().map(|d| d["doc_num"].as_u64().unwrap()).collect::<Vec<_>>(), [1, 4, 5, 6]);
        assert_eq!(docs[3]["docs"][0]["to"], "RV/26-27/000002");
        let (off, _) = crate::gstr1::build::off_portal_keys(&v);
        assert!(off.is_empty(), "{off:?}");
        // A month with none has no `at` or `txpd` at all, as before.
        let quiet = serde_json::to_value(build("27AAPFU0939F1ZV", period, &[], &[])).unwrap();
        assert!(quiet.get("at").is_none() && quiet.get("txpd").is_none());
    }
}
