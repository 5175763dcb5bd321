//! Custom scalars: `Money` (paise on the inside), `Percent`, `Date` and `DateTime`.

use crate::money::format_hundredths;
use async_graphql::{InputValueError, InputValueResult, Scalar, ScalarType, Value};
use chrono::{Datelike, NaiveDate, NaiveDateTime, Timelike};

/// An amount of rupees, exact to the paisa, stored as integer paise.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct Money(pub i64);

/// A rate in percent with at most two decimals, stored as basis points (18.00 % = 1800).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Percent(pub i32);

/// A calendar date, `YYYY-MM-DD`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Date(pub NaiveDate);

/// A point in time, RFC 3339 in UTC (`2026-11-25T10:30:00Z`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DateTime(pub NaiveDateTime);

pub use crate::money::parse_hundredths;

/// Reads a string or a JSON number as an amount of money: at most two places, and at most
/// [`crate::money::MAX_INPUT_PAISE`] either way.
fn paise_from_value(value: &Value) -> Result<i64, String> {
    let paise = hundredths_from_value(value)?;
    if paise.unsigned_abs() > crate::money::MAX_INPUT_PAISE.unsigned_abs() {
        return Err(format!(
            "{} is more than the largest amount accepted, {}",
            format_hundredths(paise),
            format_hundredths(crate::money::MAX_INPUT_PAISE)
        ));
    }
    Ok(paise)
}

/// Reads a string or a JSON number as a decimal with at most two places.
fn hundredths_from_value(value: &Value) -> Result<i64, String> {
    match value {
        Value::String(s) => parse_hundredths(s),
        Value::Number(n) if n.is_i64() => {
            n.as_i64().and_then(|v| v.checked_mul(100)).ok_or_else(|| format!("{n} is too large"))
        }
        // A float: its shortest decimal form is what the client wrote (1180.5 → "1180.5").
        Value::Number(n) => parse_hundredths(&n.to_string()),
        _ => Err("expected a decimal string like \"1180.00\" or a number".to_owned()),
    }
}

#[Scalar]
/// An amount in Indian rupees with exactly two decimals, as a string: `"1180.00"`.
/// Input takes a string or a number, with at most two decimal places and at most
/// `"10000000.00"` (₹1 crore) either side of zero.
impl ScalarType for Money {
    fn parse(value: Value) -> InputValueResult<Self> {
        paise_from_value(&value).map(Money).map_err(InputValueError::custom)
    }

    fn is_valid(value: &Value) -> bool {
        Self::parse(value.clone()).is_ok()
    }

    fn to_value(&self) -> Value {
        Value::String(format_hundredths(self.0))
    }
}

#[Scalar]
/// A percentage with at most two decimals, as a string: `"18.00"`. Input takes a string or a number.
impl ScalarType for Percent {
    fn parse(value: Value) -> InputValueResult<Self> {
        let hundredths = hundredths_from_value(&value).map_err(InputValueError::custom)?;
        i32::try_from(hundredths).map(Percent).map_err(|_| InputValueError::custom("percentage out of range"))
    }

    fn is_valid(value: &Value) -> bool {
        Self::parse(value.clone()).is_ok()
    }

    fn to_value(&self) -> Value {
        Value::String(format_hundredths(i64::from(self.0)))
    }
}

/// The first year a date input may be in (dates of birth included).
pub const MIN_YEAR: i32 = 1900;
/// The last year a date input may be in. Dates derived from inputs (due dates, a service's
/// end after at most 120 months) then stay before 2110, far from the edges of what the
/// databases and chrono can hold.
pub const MAX_YEAR: i32 = 2099;

/// Whether `s` has the exact shape `YYYY-MM-DD` (chrono alone also takes `+2026-01-01` and
/// `2026-1-1`).
fn date_shaped(s: &str) -> bool {
    let b = s.as_bytes();
    b.len() == 10 && b[4] == b'-' && b[7] == b'-' && [0, 1, 2, 3, 5, 6, 8, 9].iter().all(|&i| b[i].is_ascii_digit())
}

fn in_range(date: NaiveDate) -> bool {
    (MIN_YEAR..=MAX_YEAR).contains(&date.year())
}

#[Scalar]
/// A calendar date, `YYYY-MM-DD`, in the years 1900 to 2099.
impl ScalarType for Date {
    fn parse(value: Value) -> InputValueResult<Self> {
        match &value {
            Value::String(s) if !date_shaped(s) => {
                Err(InputValueError::custom(format!("\"{s}\" is not a date like \"2026-04-01\"")))
            }
            Value::String(s) => match NaiveDate::parse_from_str(s, "%Y-%m-%d") {
                Ok(date) if in_range(date) => Ok(Date(date)),
                Ok(_) => Err(InputValueError::custom(format!("\"{s}\" is outside the years {MIN_YEAR} to {MAX_YEAR}"))),
                Err(_) => Err(InputValueError::custom(format!("\"{s}\" is not a date like \"2026-04-01\""))),
            },
            _ => Err(InputValueError::expected_type(value)),
        }
    }

    fn is_valid(value: &Value) -> bool {
        Self::parse(value.clone()).is_ok()
    }

    fn to_value(&self) -> Value {
        // By hand: chrono's `format` parses its pattern on every call (seen in profiles).
        Value::String(format!("{:04}-{:02}-{:02}", self.0.year(), self.0.month(), self.0.day()))
    }
}

#[Scalar]
/// A point in time, RFC 3339 in UTC: `"2026-04-01T09:30:00Z"`. Input accepts any offset, in
/// the years 1900 to 2099.
impl ScalarType for DateTime {
    fn parse(value: Value) -> InputValueResult<Self> {
        match &value {
            Value::String(s) => match chrono::DateTime::parse_from_rfc3339(s) {
                Ok(t) if in_range(t.naive_utc().date()) => Ok(DateTime(t.naive_utc())),
                Ok(_) => Err(InputValueError::custom(format!("\"{s}\" is outside the years {MIN_YEAR} to {MAX_YEAR}"))),
                Err(_) => Err(InputValueError::custom(format!("\"{s}\" is not an RFC 3339 time"))),
            },
            _ => Err(InputValueError::expected_type(value)),
        }
    }

    fn is_valid(value: &Value) -> bool {
        Self::parse(value.clone()).is_ok()
    }

    fn to_value(&self) -> Value {
        let t = self.0;
        Value::String(format!(
            "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}Z",
            t.year(),
            t.month(),
            t.day(),
            t.hour(),
            t.minute(),
            t.second()
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn money_parses_up_to_two_places_exactly() {
        assert_eq!(parse_hundredths("1180"), Ok(118_000));
        assert_eq!(parse_hundredths("1180.5"), Ok(118_050));
        assert_eq!(parse_hundredths("0.01"), Ok(1));
        assert_eq!(parse_hundredths("-2.50"), Ok(-250));
        for bad in ["1.005", "", ".5", "1.", "abc", "1e3", " 1", "--1", "1,000"] {
            assert!(parse_hundredths(bad).is_err(), "{bad} should be refused");
        }
        assert!(parse_hundredths("99999999999999999999").is_err());
    }

    #[test]
    fn money_accepts_json_numbers_and_formats_two_places() {
        let n = |v: serde_json::Value| Value::from_json(v).unwrap();
        assert_eq!(Money::parse(n(serde_json::json!(1180.5))).unwrap(), Money(118_050));
        assert_eq!(Money::parse(n(serde_json::json!(7))).unwrap(), Money(700));
        assert!(Money::parse(n(serde_json::json!(0.125))).is_err());
        assert_eq!(Money::parse(Value::String("10000000.00".into())).unwrap(), Money(1_000_000_000));
        assert!(Money::parse(Value::String("10000000.01".into())).is_err(), "over ₹1 crore");
        assert!(Money::parse(Value::String("-50000000000000000".into())).is_err());
        assert_eq!(Money(118_000).to_value(), Value::String("1180.00".into()));
        assert_eq!(Money(-5).to_value(), Value::String("-0.05".into()));
    }

    #[test]
    fn dates_are_strict() {
        assert!(Date::parse(Value::String("2026-02-30".into())).is_err());
        assert!(Date::parse(Value::String("25/11/2026".into())).is_err());
        assert!(Date::parse(Value::String("9999-12-31".into())).is_err(), "year out of range");
        assert!(Date::parse(Value::String("1899-12-31".into())).is_err());
        assert!(Date::parse(Value::String("2100-01-01".into())).is_err());
        assert!(Date::parse(Value::String("+2026-01-01".into())).is_err());
        assert!(Date::parse(Value::String("2026-1-1".into())).is_err());
        assert!(Date::parse(Value::String("2099-12-31".into())).is_ok());
        assert!(DateTime::parse(Value::String("9999-12-31T00:00:00Z".into())).is_err());
        let t = DateTime::parse(Value::String("2026-11-25T17:00:00+05:30".into())).unwrap();
        assert_eq!(t.to_value(), Value::String("2026-11-25T11:30:00Z".into()));
        let d = Date(NaiveDate::from_ymd_opt(2026, 4, 1).unwrap());
        assert_eq!(d.to_value(), Value::String("2026-04-01".into()));
    }
}
