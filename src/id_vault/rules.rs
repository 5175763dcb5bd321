//! Identity document numbers: the shape each document type's number must have (an Aadhaar
//! number's Verhoeff check digit included), the one form a number is kept and compared in,
//! and the masked form shown to staff. Pure functions, no database.

use crate::customers::model::IdProofType;

/// Verhoeff's multiplication table (the dihedral group D5).
const D: [[u8; 10]; 10] = [
    [0, 1, 2, 3, 4, 5, 6, 7, 8, 9],
    [1, 2, 3, 4, 0, 6, 7, 8, 9, 5],
    [2, 3, 4, 0, 1, 7, 8, 9, 5, 6],
    [3, 4, 0, 1, 2, 8, 9, 5, 6, 7],
    [4, 0, 1, 2, 3, 9, 5, 6, 7, 8],
    [5, 9, 8, 7, 6, 0, 4, 3, 2, 1],
    [6, 5, 9, 8, 7, 1, 0, 4, 3, 2],
    [7, 6, 5, 9, 8, 2, 1, 0, 4, 3],
    [8, 7, 6, 5, 9, 3, 2, 1, 0, 4],
    [9, 8, 7, 6, 5, 4, 3, 2, 1, 0],
];
/// Verhoeff's permutation table, by position (from the right) modulo 8.
const P: [[u8; 10]; 8] = [
    [0, 1, 2, 3, 4, 5, 6, 7, 8, 9],
    [1, 5, 7, 6, 2, 8, 3, 0, 9, 4],
    [5, 8, 0, 3, 7, 9, 6, 1, 4, 2],
    [8, 9, 1, 6, 0, 4, 3, 5, 2, 7],
    [9, 4, 5, 3, 1, 2, 6, 8, 7, 0],
    [4, 2, 8, 6, 5, 7, 3, 9, 0, 1],
    [2, 7, 9, 3, 8, 0, 6, 4, 1, 5],
    [7, 0, 4, 6, 9, 1, 3, 2, 5, 8],
];
/// The inverse of each element of D5.
const INV: [u8; 10] = [0, 4, 3, 2, 1, 5, 6, 7, 8, 9];

fn verhoeff_checksum(digits: &[u8], offset: usize) -> u8 {
    digits
        .iter()
        .rev()
        .enumerate()
        .fold(0, |c, (i, &d)| D[usize::from(c)][usize::from(P[(i + offset) % 8][usize::from(d)])])
}

/// Whether the digits (ASCII) end in a correct Verhoeff check digit.
pub fn verhoeff_valid(number: &str) -> bool {
    let digits: Vec<u8> = number.bytes().map(|b| b.wrapping_sub(b'0')).collect();
    !digits.is_empty() && digits.iter().all(|d| *d < 10) && verhoeff_checksum(&digits, 0) == 0
}

/// The Verhoeff check digit for `number` (ASCII digits), to append to it.
pub fn verhoeff_check_digit(number: &str) -> Option<char> {
    let digits: Vec<u8> = number.bytes().map(|b| b.wrapping_sub(b'0')).collect();
    if digits.is_empty() || digits.iter().any(|d| *d >= 10) {
        return None;
    }
    Some(char::from(b'0' + INV[usize::from(verhoeff_checksum(&digits, 1))]))
}

/// `number` checked for the shape of `kind` and put in the one form it is kept, compared and
/// hashed in (an Aadhaar number as 12 digits, typed with or without spaces or dashes, the other types in capitals without spaces or
/// dashes, except free-form ones, kept with single spaces); `Err` says what is wrong.
pub fn normalise(kind: IdProofType, number: &str) -> Result<String, String> {
    let trimmed = number.trim();
    if trimmed.is_empty() {
        return Err("`idProofNo` is empty".into());
    }
    if trimmed.chars().count() > 40 {
        return Err("`idProofNo` must be at most 40 characters".into());
    }
    let compact: String = trimmed.chars().filter(|c| !matches!(c, ' ' | '-')).collect::<String>().to_uppercase();
    let ascii = |pred: fn(&u8) -> bool, range: std::ops::Range<usize>| compact.as_bytes()[range].iter().all(pred);
    let letters = |r| ascii(u8::is_ascii_uppercase, r);
    let digits = |r| ascii(u8::is_ascii_digit, r);
    match kind {
        IdProofType::AadharCard => {
            let digits_only: String = trimmed.chars().filter(|c| !matches!(c, ' ' | '-')).collect();
            if digits_only.len() != 12 || !digits_only.bytes().all(|b| b.is_ascii_digit()) {
                return Err("an Aadhaar number is 12 digits (spaces or dashes allowed)".into());
            }
            if digits_only.starts_with(['0', '1']) {
                return Err("an Aadhaar number does not start with 0 or 1".into());
            }
            if !verhoeff_valid(&digits_only) {
                return Err(
                    "this is not an Aadhaar number: its check digit (the last) is wrong; check for a typing mistake"
                        .into(),
                );
            }
            Ok(digits_only)
        }
        IdProofType::VoterId => {
            if compact.len() == 10 && letters(0..3) && digits(3..10) {
                Ok(compact)
            } else {
                Err("a voter ID (EPIC) number is 3 letters and 7 digits, like ABC1234567".into())
            }
        }
        IdProofType::Passport => {
            if compact.len() == 8 && letters(0..1) && digits(1..8) {
                Ok(compact)
            } else {
                Err("an Indian passport number is a letter and 7 digits, like K1234567".into())
            }
        }
        IdProofType::DrivingLicense => {
            if compact.len() == 15 && letters(0..2) && digits(2..15) {
                Ok(compact)
            } else {
                Err("a driving licence number is the state's 2 letters and 13 digits (RTO code, year of issue, \
                     serial), like MH14 20110062821; spaces and dashes allowed"
                    .into())
            }
        }
        IdProofType::ServiceIdCard | IdProofType::Passbook | IdProofType::Other => {
            let ok = trimmed.chars().all(|c| c.is_ascii_alphanumeric() || matches!(c, ' ' | '-' | '/'));
            if !ok || !trimmed.chars().any(|c| c.is_ascii_alphanumeric()) {
                return Err("a document number has letters, digits, spaces, `-` and `/` only".into());
            }
            Ok(trimmed.split_whitespace().collect::<Vec<_>>().join(" ").to_uppercase())
        }
    }
}

/// Whether `text` holds what may be an Aadhaar number: 12 digits in a row once spaces (any
/// white space) and dashes are left out (`2345 6789 0124`, `2345-6789-0124`, `234567890124`).
pub fn holds_aadhaar_like(text: &str) -> bool {
    let mut run = 0;
    for c in text.chars() {
        if c.is_ascii_digit() {
            run += 1;
            if run >= 12 {
                return true;
            }
        } else if !(c.is_whitespace() || matches!(c, '-' | '\u{2010}'..='\u{2015}' | '\u{2212}')) {
            run = 0;
        }
    }
    false
}

/// The number as shown to staff: an Aadhaar number as `XXXX XXXX 1234`; any other all but its
/// last four characters as `X` (all of it when it has four or fewer).
pub fn mask(kind: IdProofType, normalised: &str) -> String {
    let chars: Vec<char> = normalised.chars().collect();
    if kind == IdProofType::AadharCard && chars.len() == 12 {
        return format!("XXXX XXXX {}", last_four(normalised));
    }
    let shown = if chars.len() > 4 { chars.len() - 4 } else { chars.len() };
    chars.iter().enumerate().map(|(i, c)| if i < shown { 'X' } else { *c }).collect()
}

/// The last four characters of the kept form: what a lookup by the last four digits compares.
pub fn last_four(normalised: &str) -> String {
    let chars: Vec<char> = normalised.chars().filter(|c| *c != ' ').collect();
    chars[chars.len().saturating_sub(4)..].iter().collect()
}

/// A number as the customer wrote it on the form, for showing in full: Aadhaar in groups of four.
pub fn display(kind: IdProofType, normalised: &str) -> String {
    if kind == IdProofType::AadharCard && normalised.len() == 12 {
        return format!("{} {} {}", &normalised[..4], &normalised[4..8], &normalised[8..]);
    }
    normalised.to_owned()
}

#[cfg(test)]
mod tests {
    use super::*;
    use IdProofType::*;

    #[test]
    fn verhoeff_known_vectors() {
        // Published examples: 236 has check digit 3, 12345 has 1, 142857 has 0.
        assert_eq!(verhoeff_check_digit("236"), Some('3'));
        assert!(verhoeff_valid("2363"));
        assert_eq!(verhoeff_check_digit("12345"), Some('1'));
        assert!(verhoeff_valid("123451"));
        assert_eq!(verhoeff_check_digit("142857"), Some('0'));
        assert!(verhoeff_valid("1428570"));
        for bad in ["2364", "2360", "123452", "1428571", "", "23a3"] {
            assert!(!verhoeff_valid(bad), "{bad}");
        }
    }

    #[test]
    fn verhoeff_catches_single_errors_and_adjacent_swaps() {
        let body = "23456789012";
        let good = format!("{body}{}", verhoeff_check_digit(body).unwrap());
        assert!(verhoeff_valid(&good));
        let bytes = good.as_bytes();
        for i in 0..bytes.len() {
            for d in b'0'..=b'9' {
                if d != bytes[i] {
                    let mut wrong = bytes.to_vec();
                    wrong[i] = d;
                    assert!(!verhoeff_valid(std::str::from_utf8(&wrong).unwrap()), "digit {i} changed");
                }
            }
            if i + 1 < bytes.len() && bytes[i] != bytes[i + 1] {
                let mut swapped = bytes.to_vec();
                swapped.swap(i, i + 1);
                assert!(!verhoeff_valid(std::str::from_utf8(&swapped).unwrap()), "digits {i} and {} swapped", i + 1);
            }
        }
    }

    #[test]
    fn aadhaar_numbers() {
        let good = format!("23456789012{}", verhoeff_check_digit("23456789012").unwrap());
        assert_eq!(normalise(AadharCard, &good).unwrap(), good);
        let spaced = format!(" {} {} {} ", &good[..4], &good[4..8], &good[8..]);
        assert_eq!(normalise(AadharCard, &spaced).unwrap(), good);
        let wrong_check = format!("{}{}", &good[..11], (good.as_bytes()[11] - b'0' + 1) % 10);
        assert!(normalise(AadharCard, &wrong_check).unwrap_err().contains("check digit"));
        let starts_1 = format!("13456789012{}", verhoeff_check_digit("13456789012").unwrap());
        assert!(normalise(AadharCard, &starts_1).unwrap_err().contains("0 or 1"));
        let starts_0 = format!("03456789012{}", verhoeff_check_digit("03456789012").unwrap());
        assert!(normalise(AadharCard, &starts_0).is_err());
        let dashed = format!("{}-{}-{}", &good[..4], &good[4..8], &good[8..]);
        assert_eq!(normalise(AadharCard, &dashed).unwrap(), good);
        for bad in ["2345678901", "2345-6789-0123", "23456789012a", "234567890123 4", "2345_6789_0124"] {
            assert!(normalise(AadharCard, bad).is_err(), "{bad}");
        }
        assert_eq!(mask(AadharCard, &good), format!("XXXX XXXX {}", &good[8..]));
        assert_eq!(display(AadharCard, &good), spaced.trim());
        assert_eq!(last_four(&good), &good[8..]);
    }

    #[test]
    fn an_aadhaar_like_run_of_digits_is_found_in_text() {
        for with in
            ["2345 6789 0124", "ref 2345-6789-0124.", "234567890124", "a 2345 \u{2013} 6789\n0124", "9234567890124"]
        {
            assert!(holds_aadhaar_like(with), "{with}");
        }
        for without in [
            "police request 12/26",
            "FIR 1234/2026 of 05-12-2026",
            "call 98220 12345",
            "2345 6789 012",
            "2345.6789.0124",
        ] {
            assert!(!holds_aadhaar_like(without), "{without}");
        }
    }

    #[test]
    fn other_documents_keep_their_shapes() {
        assert_eq!(normalise(VoterId, "abc 1234567").unwrap(), "ABC1234567");
        assert!(normalise(VoterId, "AB12345678").is_err());
        assert_eq!(normalise(Passport, "k1234567").unwrap(), "K1234567");
        assert!(normalise(Passport, "K123456").is_err());
        assert_eq!(normalise(DrivingLicense, "MH-14-2011-0062821").unwrap(), "MH1420110062821");
        assert!(normalise(DrivingLicense, "MH14201100628").is_err());
        assert_eq!(normalise(Passbook, " sbi  001/2345 ").unwrap(), "SBI 001/2345");
        assert!(normalise(Other, "a\u{7}b").is_err());
        assert!(normalise(Other, "---").is_err());
        assert!(normalise(Other, &"9".repeat(41)).is_err());
        assert_eq!(mask(VoterId, "ABC1234567"), "XXXXXX4567");
        assert_eq!(mask(Passbook, "SBI 001/2345"), "XXXXXXXX2345");
        assert_eq!(mask(Other, "AB1"), "XXX");
    }
}
