//! Document numbers as pure functions: financial years, prefixes and the 16-character rule.

use chrono::{Datelike, NaiveDate, NaiveDateTime};

/// Longest document number Rule 46 allows.
pub const MAX_NUMBER_LEN: usize = 16;

/// The year a date's financial year starts in: 1 April to 31 March (2027-03-31 → 2026,
/// 2027-04-01 → 2027). Dates are business dates in India time.
pub fn financial_year(date: NaiveDate) -> i32 {
    if date.month() >= 4 {
        date.year()
    } else {
        date.year() - 1
    }
}

/// `26-27` for the financial year starting in 2026.
pub fn year_label(start_year: i32) -> String {
    format!("{:02}-{:02}", start_year.rem_euclid(100), (start_year + 1).rem_euclid(100))
}

/// The series a financial-year number belongs to: `INV/26-27`.
pub fn series_name(prefix: &str, start_year: i32) -> String {
    format!("{prefix}/{}", year_label(start_year))
}

/// `INV/26-27/000123`: the serial zero-padded to fill 16 characters. `None` when the serial
/// no longer fits in 16 characters (the series is full for the year; use a shorter prefix).
pub fn financial_year_number(prefix: &str, start_year: i32, serial: i64) -> Option<String> {
    let series = series_name(prefix, start_year);
    let width = MAX_NUMBER_LEN.checked_sub(series.len() + 1)?;
    let digits = serial.to_string();
    if serial < 1 || digits.len() > width {
        return None;
    }
    Some(format!("{series}/{digits:0>width$}"))
}

/// A timestamp number: `prefix` + `YYYYMMDDHHmmss` (India time), and for the n-th document in
/// the same second a suffix (`INV20261125103000-2`, `-3`, ...).
pub fn timestamp_number(prefix: &str, local_time: NaiveDateTime, nth_in_second: u32) -> String {
    let base = format!("{prefix}{}", local_time.format("%Y%m%d%H%M%S"));
    if nth_in_second <= 1 {
        base
    } else {
        format!("{base}-{nth_in_second}")
    }
}

/// A series prefix as typed: 1–4 of `A-Z0-9` (lower case is raised). The message names what is
/// wrong.
pub fn prefix(value: &str) -> Result<String, String> {
    let v = value.trim().to_ascii_uppercase();
    if v.is_empty() || v.len() > 4 || !v.bytes().all(|b| b.is_ascii_uppercase() || b.is_ascii_digit()) {
        return Err(format!("must be 1 to 4 letters or digits (A-Z, 0-9), like INV, got \"{}\"", value.trim()));
    }
    Ok(v)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).unwrap()
    }

    #[test]
    fn the_financial_year_starts_on_the_first_of_april() {
        assert_eq!(financial_year(day(2027, 3, 31)), 2026);
        assert_eq!(financial_year(day(2027, 4, 1)), 2027);
        assert_eq!(financial_year(day(2027, 1, 1)), 2026);
        assert_eq!(financial_year(day(2026, 12, 31)), 2026);
        assert_eq!(year_label(2026), "26-27");
        assert_eq!(year_label(2099), "99-00");
    }

    #[test]
    fn numbers_fill_sixteen_characters() {
        assert_eq!(financial_year_number("INV", 2026, 123).as_deref(), Some("INV/26-27/000123"));
        assert_eq!(financial_year_number("ABCD", 2026, 7).as_deref(), Some("ABCD/26-27/00007"));
        assert_eq!(financial_year_number("C", 2026, 1).as_deref(), Some("C/26-27/00000001"));
        assert_eq!(financial_year_number("CN", 2026, 1).as_deref(), Some("CN/26-27/0000001"));
        for prefix in ["I", "IN", "INV", "ABCD"] {
            assert_eq!(financial_year_number(prefix, 2026, 1).unwrap().len(), MAX_NUMBER_LEN);
        }
        assert_eq!(financial_year_number("INV", 2026, 999_999).as_deref(), Some("INV/26-27/999999"));
        assert_eq!(financial_year_number("INV", 2026, 1_000_000), None, "full");
        assert_eq!(financial_year_number("INV", 2026, 0), None);
    }

    #[test]
    fn timestamp_numbers_carry_the_second_and_a_suffix() {
        let t = day(2026, 11, 25).and_hms_opt(17, 5, 9).unwrap();
        assert_eq!(timestamp_number("INV", t, 1), "INV20261125170509");
        assert_eq!(timestamp_number("CN", t, 2), "CN20261125170509-2");
    }

    #[test]
    fn prefixes_are_short_and_plain() {
        assert_eq!(prefix(" inv ").as_deref(), Ok("INV"));
        assert_eq!(prefix("A1").as_deref(), Ok("A1"));
        assert!(prefix("").is_err());
        assert!(prefix("INVOI").is_err());
        assert!(prefix("IN/V").is_err());
        assert!(prefix("IN-V").is_err());
        assert!(prefix("ÍNV").is_err());
    }
}
