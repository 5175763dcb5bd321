//! Input checks shared by every area. Each returns the cleaned value or a
//! `BAD_USER_INPUT` error naming the field.

use crate::error::AppError;

/// A required one-line text: trimmed, not empty, at most `max` characters, without control
/// characters (tabs and line breaks included).
pub fn required_text(field: &str, value: &str, max: usize) -> Result<String, AppError> {
    let value = value.trim();
    if let Some(c) = value.chars().find(|&c| c.is_control() || is_hidden(c) || matches!(c, '\u{2028}' | '\u{2029}')) {
        return Err(control_character(field, c));
    }
    text_of_length(field, value, max)
}

/// Characters that change how text shows without showing themselves, and so can disguise a
/// name or reference: bidirectional embeddings, overrides and isolates, the zero-width space,
/// word joiner and invisible operators, the byte-order mark, tag characters and
/// noncharacters. (The zero-width joiner and non-joiner, which Indic scripts need, and the
/// left-to-right and right-to-left marks stay allowed.)
pub fn is_hidden(c: char) -> bool {
    let u = u32::from(c);
    matches!(u, 0x200B | 0x202A..=0x202E | 0x2060..=0x2064 | 0x2066..=0x2069 | 0xFEFF | 0xFFF9..=0xFFFB | 0xE0000..=0xE007F)
        || (0xFDD0..=0xFDEF).contains(&u)
        || u & 0xFFFE == 0xFFFE
}

/// A required text that may span lines (addresses, descriptions, reasons): like
/// [`required_text`], but tabs and line breaks are kept.
pub fn required_multiline(field: &str, value: &str, max: usize) -> Result<String, AppError> {
    let value = value.trim();
    if let Some(c) = value.chars().find(|&c| is_forbidden_control(c) || is_hidden(c)) {
        return Err(control_character(field, c));
    }
    text_of_length(field, value, max)
}

/// An optional text that may span lines: trimmed; blank becomes `None`.
pub fn optional_multiline(field: &str, value: Option<&str>, max: usize) -> Result<Option<String>, AppError> {
    match value.map(str::trim).filter(|v| !v.is_empty()) {
        None => Ok(None),
        Some(v) => required_multiline(field, v, max).map(Some),
    }
}

/// Whether `c` is a control character no text accepts; tab, newline and carriage return are
/// left to each field (multi-line fields keep them, one-line fields refuse them).
pub fn is_forbidden_control(c: char) -> bool {
    c.is_control() && !matches!(c, '\t' | '\n' | '\r')
}

/// An optional reference typed or pasted from a bank or UPI app (payment references): one
/// line, no control characters; invisible characters are kept, as entered (they are folded
/// away where references are compared).
pub fn optional_reference(field: &str, value: Option<&str>, max: usize) -> Result<Option<String>, AppError> {
    let Some(value) = value.map(str::trim).filter(|v| !v.is_empty()) else { return Ok(None) };
    if let Some(c) = value.chars().find(|c| c.is_control() || matches!(c, '\u{2028}' | '\u{2029}')) {
        return Err(control_character(field, c));
    }
    text_of_length(field, value, max).map(Some)
}

/// Longest search text, in characters.
pub const MAX_SEARCH_CHARS: usize = 100;

/// A list filter's search text: trimmed, blank is no search, at most [`MAX_SEARCH_CHARS`].
pub fn search(value: Option<String>) -> Result<Option<String>, AppError> {
    optional_text("filter.search", value.as_deref(), MAX_SEARCH_CHARS)
}

fn control_character(field: &str, c: char) -> AppError {
    let what = match c {
        '\n' | '\r' | '\u{2028}' | '\u{2029}' => "a line break".to_owned(),
        '\t' => "a tab".to_owned(),
        other if is_hidden(other) => format!("an invisible formatting character (U+{:04X})", u32::from(other)),
        other => format!("a control character (U+{:04X})", u32::from(other)),
    };
    AppError::bad_input(field, format!("`{field}` must not contain {what}"))
}

fn text_of_length(field: &str, value: &str, max: usize) -> Result<String, AppError> {
    if value.is_empty() {
        return Err(AppError::bad_input(field, format!("`{field}` must not be empty")));
    }
    if value.chars().count() > max {
        return Err(AppError::bad_input(field, format!("`{field}` must be at most {max} characters")));
    }
    Ok(value.to_owned())
}

/// An optional text: trimmed; blank becomes `None`.
pub fn optional_text(field: &str, value: Option<&str>, max: usize) -> Result<Option<String>, AppError> {
    match value.map(str::trim).filter(|v| !v.is_empty()) {
        None => Ok(None),
        Some(v) => required_text(field, v, max).map(Some),
    }
}

/// An Indian state or union territory, by name, abbreviation or GST code; returns its
/// canonical name.
pub fn state(field: &str, value: &str) -> Result<String, AppError> {
    crate::states::canonical(value).map(str::to_owned).ok_or_else(|| {
        AppError::bad_input(
            field,
            format!("`{field}` must be an Indian state or union territory, got \"{}\"", value.trim()),
        )
    })
}

/// A PIN code must be one of `state`'s (its first digits); `field` names the PIN code.
pub fn pincode_in_state(field: &str, pincode: &str, state: &str) -> Result<(), AppError> {
    if crate::states::pin_in_state(pincode, state) {
        return Ok(());
    }
    let prefixes = crate::states::pin_prefixes(state).join(", ");
    Err(AppError::bad_input(
        field,
        format!("`{field}` {pincode} is not a PIN code of {state} (its PIN codes start with {prefixes})"),
    ))
}

/// A GSTIN must be registered in `state` (its first two digits are the state's GST code).
pub fn gstin_in_state(field: &str, gstin: &str, state: &str) -> Result<(), AppError> {
    match crate::states::gst_code(state) {
        Some(code) if !gstin.starts_with(code) => Err(AppError::bad_input(
            field,
            format!("`{field}` {gstin} is registered in another state than {state} (GST code {code})"),
        )),
        _ => Ok(()),
    }
}

/// An Indian PIN code: six digits, not starting with 0.
pub fn pincode(field: &str, value: &str) -> Result<String, AppError> {
    let v = value.trim();
    let ok = v.len() == 6 && v.bytes().all(|b| b.is_ascii_digit()) && !v.starts_with('0');
    if !ok {
        return Err(AppError::bad_input(field, format!("`{field}` must be a 6-digit PIN code, got \"{v}\"")));
    }
    Ok(v.to_owned())
}

/// A GSTIN: 15 characters (state code, PAN, entity number, `Z`, check character) whose
/// check character matches. Letters are upper-cased.
pub fn gstin(field: &str, value: &str) -> Result<String, AppError> {
    let v = value.trim().to_ascii_uppercase();
    if !gstin_shape_ok(&v) {
        return Err(AppError::bad_input(
            field,
            format!("`{field}` must be a 15-character GSTIN like 27AAPFU0939F1ZV, got \"{v}\""),
        ));
    }
    if gstin_check_char(&v[..14]) != v.as_bytes()[14] {
        return Err(AppError::bad_input(field, format!("`{field}`: the check character of GSTIN \"{v}\" is wrong")));
    }
    Ok(v)
}

fn gstin_shape_ok(v: &str) -> bool {
    let b = v.as_bytes();
    let digit = |i: usize| b[i].is_ascii_digit();
    let upper = |i: usize| b[i].is_ascii_uppercase();
    b.len() == 15
        && digit(0)
        && digit(1)
        && (2..7).all(upper)
        && (7..11).all(digit)
        && upper(11)
        && (b[12].is_ascii_uppercase() || (b'1'..=b'9').contains(&b[12]))
        && b[13] == b'Z'
        && (b[14].is_ascii_uppercase() || b[14].is_ascii_digit())
}

/// The GSTIN check character (base-36 Luhn variant) over the first 14 characters.
fn gstin_check_char(first14: &str) -> u8 {
    const CHARS: &[u8; 36] = b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ";
    let sum: u32 = first14
        .bytes()
        .enumerate()
        .map(|(i, c)| {
            let value = CHARS.iter().position(|&x| x == c).unwrap_or(0) as u32;
            let product = value * if i % 2 == 0 { 1 } else { 2 };
            product / 36 + product % 36
        })
        .sum();
    CHARS[((36 - sum % 36) % 36) as usize]
}

/// A phone number as typed, without spaces, dashes and a leading `+91`.
fn phone_digits(value: &str) -> String {
    let digits: String = value.chars().filter(|c| !matches!(c, ' ' | '-')).collect();
    digits.strip_prefix("+91").map(str::to_owned).unwrap_or(digits)
}

/// A phone number: a 10-digit mobile (starting 6–9), or a landline with its 0-prefixed STD
/// code (11 digits). Spaces and dashes are dropped, and a leading +91 is accepted.
pub fn phone(field: &str, value: &str) -> Result<String, AppError> {
    let digits = phone_digits(value);
    let digits = digits.as_str();
    let all_digits = !digits.is_empty() && digits.bytes().all(|b| b.is_ascii_digit());
    let mobile = digits.len() == 10 && matches!(digits.as_bytes()[0], b'6'..=b'9');
    let landline = digits.len() == 11 && digits.starts_with('0');
    if !(all_digits && (mobile || landline)) {
        return Err(AppError::bad_input(
            field,
            format!(
                "`{field}` must be a 10-digit mobile number or an 11-digit landline with STD code, got \"{value}\""
            ),
        ));
    }
    Ok(digits.to_owned())
}

/// A mobile number: 10 digits starting 6–9 (spaces, dashes and a leading +91 are dropped).
pub fn mobile(field: &str, value: &str) -> Result<String, AppError> {
    let digits = phone_digits(value);
    let digits = digits.as_str();
    let ok =
        digits.len() == 10 && digits.bytes().all(|b| b.is_ascii_digit()) && matches!(digits.as_bytes()[0], b'6'..=b'9');
    if !ok {
        return Err(AppError::bad_input(field, format!("`{field}` must be a 10-digit mobile number, got \"{value}\"")));
    }
    Ok(digits.to_owned())
}

/// An e-mail address of the plain `name@domain.tld` shape, lower-cased.
pub fn email(field: &str, value: &str) -> Result<String, AppError> {
    let v = value.trim();
    let ok = v.len() <= 254
        && !v.contains(char::is_whitespace)
        && v.split_once('@').is_some_and(|(local, domain)| {
            !local.is_empty() && domain.contains('.') && !domain.starts_with('.') && !domain.ends_with('.')
        });
    if !ok {
        return Err(AppError::bad_input(field, format!("`{field}` must be an e-mail address, got \"{v}\"")));
    }
    Ok(v.to_ascii_lowercase())
}

/// A non-negative amount of money in paise.
pub fn non_negative_paise(field: &str, paise: i64) -> Result<i64, AppError> {
    if paise < 0 {
        return Err(AppError::bad_input(field, format!("`{field}` must not be negative")));
    }
    Ok(paise)
}

/// A GST rate in basis points, 0 to 100 %.
pub fn rate_basis_points(field: &str, bp: i32) -> Result<i32, AppError> {
    if !(0..=10_000).contains(&bp) {
        return Err(AppError::bad_input(field, format!("`{field}` must be between 0 and 100 percent")));
    }
    Ok(bp)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn gstin_checks_shape_and_check_character() {
        assert_eq!(gstin("gstin", " 27aapfu0939f1zv ").unwrap(), "27AAPFU0939F1ZV");
        assert!(gstin("gstin", "27AAPFU0939F1ZA").is_err(), "wrong check character");
        assert!(gstin("gstin", "27AAPFU0939F1V").is_err(), "too short");
        assert!(gstin("gstin", "2AAAPFU0939F1ZV").is_err(), "bad state code");
        let err = gstin("input.gstin", "nope").unwrap_err();
        assert!(matches!(err, AppError::BadInput { ref field, .. } if field == "input.gstin"));
    }

    #[test]
    fn pincode_phone_email() {
        assert_eq!(pincode("p", "440001").unwrap(), "440001");
        for bad in ["044001", "44001", "4400011", "44000a"] {
            assert!(pincode("p", bad).is_err(), "{bad}");
        }
        assert_eq!(phone("m", "+91 98220-12345").unwrap(), "9822012345");
        assert_eq!(phone("m", "07122345678").unwrap(), "07122345678");
        for bad in ["12345", "5822012345", "982201234567", "98220abcde"] {
            assert!(phone("m", bad).is_err(), "{bad}");
        }
        assert_eq!(mobile("m", "+91 98220 12345").unwrap(), "9822012345");
        for bad in ["982201234567", "07122345678", "5822012345"] {
            assert!(mobile("m", bad).is_err(), "{bad}");
        }
        assert_eq!(email("e", "Ops@Example.IN").unwrap(), "ops@example.in");
        for bad in ["x", "x@y", "@y.in", "a b@c.in", "x@.in"] {
            assert!(email("e", bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn texts_are_trimmed_and_required() {
        assert_eq!(required_text("name", "  Fibernet ", 100).unwrap(), "Fibernet");
        assert!(required_text("name", "   ", 100).is_err());
        assert!(required_text("name", &"x".repeat(101), 100).is_err());
        assert_eq!(optional_text("d", Some("  "), 10).unwrap(), None);
        assert!(required_text("name", "a\u{0}b", 100).is_err(), "NUL");
        assert!(required_text("name", "a\nb", 100).is_err(), "one line");
        assert_eq!(required_multiline("address", "12 MG Road\nNagpur", 100).unwrap(), "12 MG Road\nNagpur");
        assert!(required_multiline("address", "a\u{7}b", 100).is_err(), "bell");
        for hidden in ["\u{202E}", "\u{200B}", "\u{2028}", "\u{FEFF}", "\u{E0041}", "\u{FFFF}"] {
            assert!(required_text("name", &format!("Ravi{hidden}Kumar"), 100).is_err(), "{hidden:?}");
        }
        assert!(required_multiline("address", "a\u{202E}b", 100).is_err());
        // The joiners Indic scripts need are text, not tricks.
        assert!(required_text("name", "\u{0915}\u{094D}\u{200D}\u{0937}", 100).is_ok());
        assert_eq!(search(Some("  ".into())).unwrap(), None);
        assert!(search(Some("x".repeat(101))).is_err());
    }
}
