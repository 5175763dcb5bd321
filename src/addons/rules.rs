//! What an add-on is under GST: goods (an HSN code, a quantity and a unit) or a service (SAC
//! 9984, no quantity). Pure; the service checks it before anything is written.

use super::model::{AddonType, Uqc};

/// What a caller said about the goods of an add-on (all optional).
#[derive(Debug, Clone, Default)]
pub struct GoodsInput {
    pub hsn: Option<String>,
    pub quantity: Option<i64>,
    pub uqc: Option<Uqc>,
}

/// The add-on's GST particulars: `hsn` and `uqc` are `None` for a service.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Particulars {
    pub hsn: Option<String>,
    pub quantity: i64,
    pub uqc: Option<Uqc>,
}

/// The most goods one add-on counts (a drum of a kilometre of cable is 1,000 MTR).
pub const MAX_QUANTITY: i64 = 1_000_000;

/// The particulars of an add-on of `kind` from `input`: the kind's HSN code and unit unless
/// given (routers 8517 NOS, set-top boxes 8528 NOS, cable 8544 MTR), quantity 1 unless given.
/// `OTHER` is goods when an `hsn` is given, else a service. Reconnection, shifting and
/// installation are services: an `hsn`, `quantity` or `uqc` on them is refused. An error is
/// the field and what is wrong.
pub fn particulars(kind: AddonType, input: &GoodsInput) -> Result<Particulars, (&'static str, String)> {
    let default = kind.goods();
    let goods = default.is_some() || (kind == AddonType::Other && input.hsn.is_some());
    if !goods {
        let given =
            [("hsn", input.hsn.is_some()), ("quantity", input.quantity.is_some()), ("uqc", input.uqc.is_some())];
        if let Some((field, _)) = given.iter().find(|(_, g)| *g) {
            let what =
                if kind == AddonType::Other { "give an hsn to bill goods" } else { "it is billed under SAC 9984" };
            return Err((field, format!("{} is a service with no {field}: {what}", kind.as_str())));
        }
        return Ok(Particulars { hsn: None, quantity: 1, uqc: None });
    }
    let hsn = match (&input.hsn, default) {
        (Some(code), _) => hsn_code(code).map_err(|e| ("hsn", e))?,
        (None, Some((code, _))) => code.to_owned(),
        (None, None) => return Err(("hsn", "goods need an HSN code".to_owned())),
    };
    let quantity = input.quantity.unwrap_or(1);
    if !(1..=MAX_QUANTITY).contains(&quantity) {
        return Err(("quantity", format!("must be a whole number from 1 to {MAX_QUANTITY}, got {quantity}")));
    }
    let uqc = input.uqc.or(default.map(|(_, u)| u)).unwrap_or(Uqc::Nos);
    Ok(Particulars { hsn: Some(hsn), quantity, uqc: Some(uqc) })
}

/// An HSN code of goods: 4, 6 or 8 digits, not a services code (chapter 99 is SAC).
pub fn hsn_code(text: &str) -> Result<String, String> {
    let code = text.trim();
    if !matches!(code.len(), 4 | 6 | 8) || !code.chars().all(|c| c.is_ascii_digit()) {
        return Err(format!("an HSN code is 4, 6 or 8 digits (8517, 851762), got \"{code}\""));
    }
    if code.starts_with("99") {
        return Err(format!("{code} is a services code (SAC): goods have an HSN code outside chapter 99"));
    }
    if code.starts_with("00") {
        return Err(format!("{code} is not an HSN code: chapters run from 01 to 98"));
    }
    Ok(code.to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn input(hsn: Option<&str>, quantity: Option<i64>, uqc: Option<Uqc>) -> GoodsInput {
        GoodsInput { hsn: hsn.map(str::to_owned), quantity, uqc }
    }

    #[test]
    fn goods_kinds_bring_their_code_and_unit() {
        let p = particulars(AddonType::RouterSale, &GoodsInput::default()).unwrap();
        assert_eq!(p, Particulars { hsn: Some("8517".into()), quantity: 1, uqc: Some(Uqc::Nos) });
        let p = particulars(AddonType::CableSale, &input(None, Some(30), None)).unwrap();
        assert_eq!(p, Particulars { hsn: Some("8544".into()), quantity: 30, uqc: Some(Uqc::Mtr) });
        let p = particulars(AddonType::SetTopBoxSale, &input(Some("85287100"), Some(2), Some(Uqc::Pcs))).unwrap();
        assert_eq!(p, Particulars { hsn: Some("85287100".into()), quantity: 2, uqc: Some(Uqc::Pcs) });
    }

    #[test]
    fn other_is_goods_only_with_a_code() {
        assert_eq!(particulars(AddonType::Other, &GoodsInput::default()).unwrap().hsn, None);
        let p = particulars(AddonType::Other, &input(Some("8471"), None, None)).unwrap();
        assert_eq!((p.hsn.as_deref(), p.uqc), (Some("8471"), Some(Uqc::Nos)));
        assert_eq!(particulars(AddonType::Other, &input(None, Some(2), None)).unwrap_err().0, "quantity");
    }

    #[test]
    fn services_refuse_goods_particulars_naming_the_field() {
        for (given, field) in [
            (input(Some("8517"), None, None), "hsn"),
            (input(None, Some(2), None), "quantity"),
            (input(None, None, Some(Uqc::Nos)), "uqc"),
        ] {
            let (f, message) = particulars(AddonType::Reconnection, &given).unwrap_err();
            assert_eq!(f, field);
            assert!(message.contains("SAC 9984"), "{message}");
        }
        let p = particulars(AddonType::Installation, &GoodsInput::default()).unwrap();
        assert_eq!(p, Particulars { hsn: None, quantity: 1, uqc: None });
    }

    #[test]
    fn codes_and_quantities_are_checked() {
        for bad in ["851", "85176", "9984", "99843100", "85a7", "0012", ""] {
            assert!(hsn_code(bad).is_err(), "{bad}");
        }
        assert_eq!(hsn_code(" 851762 ").unwrap(), "851762");
        for q in [0, -1, MAX_QUANTITY + 1] {
            assert_eq!(particulars(AddonType::RouterSale, &input(None, Some(q), None)).unwrap_err().0, "quantity");
        }
    }
}
