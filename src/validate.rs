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

/// A supplier's GSTIN must be registered in `state`: its first two digits are the state's GST
/// code. (The company's GSTIN: a supplier charges CGST + SGST or IGST by comparing its state
/// with the place of supply, so the two must agree.)
pub fn gstin_in_state(field: &str, gstin: &str, state: &str) -> Result<(), AppError> {
    match crate::states::gst_code(state) {
        Some(code) if !gstin.starts_with(code) => Err(AppError::bad_input(
            field,
            format!("`{field}` {gstin} is registered in another state than {state} (GST code {code})"),
        )),
        _ => Ok(()),
    }
}

/// A recipient's GSTIN or UIN must be registered in the customer's `state`, like a supplier's
/// ([`gstin_in_state`]), with two exceptions: code 97 (other territory: offshore areas
/// outside every state) and code 99 (centre jurisdiction: OIDAR suppliers registered from
/// abroad) name no state, so there is nothing to compare the address with; the place of
/// supply stays the customer's state (where the connection is installed). A UIN and a TDS
/// deductor's GSTIN carry the code of the state where the mission or office is registered
/// (CBIC press release on UINs: "first two digits of the UIN denotes State code where the
/// Diplomatic Mission/Consulate/Embassy is located"), so they are compared like any other.
pub fn recipient_gstin_in_state(field: &str, gstin: &str, state: &str) -> Result<(), AppError> {
    if gstin.starts_with(OTHER_TERRITORY) || gstin.starts_with(CENTRE_JURISDICTION) {
        return Ok(());
    }
    gstin_in_state(field, gstin, state)
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

/// GST state code of the other territory (offshore areas beyond every state).
const OTHER_TERRITORY: &str = "97";
/// GST state code of the centre jurisdiction (OIDAR suppliers registered from abroad).
const CENTRE_JURISDICTION: &str = "99";

/// The kinds of registration a 15-character GSTIN (or UIN) can be, told apart by its shape.
///
/// The shapes are GSTN's published patterns for GSTINs in the returns API
/// (developer.gst.gov.in/apiportal/taxpayer/returns, the reference india-compliance cites), as
/// reproduced by resilient-tech/india-compliance (`gst_india/constants/__init__.py`: `NORMAL`,
/// `GOVT_DEPTID`, `UNBODY`, `NRI_ID`, `OIDAR`, `TDS`, `TCS`) and Odoo's `l10n_in`
/// (`check_vat_in`), with two deliberate differences: the check character of a government
/// department's ID may be any letter or digit (GSTN's pattern says a digit; we verify the
/// check character instead, which says more), and the state code must be one that exists
/// (see [`gstin`]). Positions below count from 1.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum GstinKind {
    /// Regular, composition, casual, SEZ, input service distributor: state code, PAN (5
    /// letters, 4 digits, a letter), entity number (`1`–`9`, `A`–`Z`), `Z` (or `1`–`9`,
    /// `A`–`J` other than `C` and `D`), check character. GSTN `NORMAL`:
    /// `[0-9]{2}[A-Z]{5}[0-9]{4}[A-Z][1-9A-Z][Z1-9A-J][0-9A-Z]`.
    Regular,
    /// A government department registered without a PAN: state code, TAN (4 letters, 5
    /// digits, a letter), a digit, `Z`, check character. GSTN `GOVT_DEPTID`:
    /// `[0-9]{2}[A-Z]{4}[0-9]{5}[A-Z][0-9]Z[0-9]`.
    GovernmentDepartment,
    /// A tax deductor (section 51, government TDS): state code, PAN or TAN (positions 3–12),
    /// entity number, `D`, check character. GSTN `TDS`:
    /// `[0-9]{2}[A-Z]{4}[A-Z0-9][0-9]{4}[A-Z][1-9A-Z]D[0-9A-Z]`.
    TaxDeductor,
    /// A tax collector (section 52, an e-commerce operator): state code, PAN, entity number,
    /// `C`, check character. GSTN `TCS`: `[0-9]{2}[A-Z]{5}[0-9]{4}[A-Z][1-9A-Z]C[0-9A-Z]`.
    TaxCollector,
    /// A UIN (section 25(9): UN bodies, embassies, consulates): state code, year (2 digits),
    /// country code (3 letters), serial (5 digits), `UN` or `ON`, check character. GSTN
    /// `UNBODY`: `[0-9]{4}[A-Z]{3}[0-9]{5}[UO]N[0-9A-Z]`, e.g. `0717UNO00157UNO`.
    UinHolder,
    /// A non-resident taxable person (section 24): state code, year, country code, serial,
    /// `NR`, check character. GSTN `NRI_ID`: `[0-9]{4}[A-Z]{3}[0-9]{5}NR[0-9A-Z]`.
    NonResident,
    /// An OIDAR supplier registered from abroad (IGST Act section 14), always under the
    /// centre jurisdiction 99: `99`, year, country code, serial, `OS`, check character. GSTN
    /// `OIDAR`: `99[0-9]{2}[A-Z]{3}[0-9]{5}OS[0-9A-Z]`.
    Oidar,
}

impl GstinKind {
    /// Of a GSTIN already upper-cased: its kind by shape (positions 1–14; the check character
    /// is any letter or digit here), or `None`. The state code is not checked here.
    pub fn of(v: &str) -> Option<GstinKind> {
        let b = v.as_bytes();
        if b.len() != 15 || !b[..2].iter().all(u8::is_ascii_digit) || !is_alnum(b[14]) {
            return None;
        }
        let digits = |r: std::ops::Range<usize>| b[r].iter().all(u8::is_ascii_digit);
        let letters = |r: std::ops::Range<usize>| b[r].iter().all(u8::is_ascii_uppercase);
        let entity = |c: u8| c.is_ascii_uppercase() || (b'1'..=b'9').contains(&c);
        // Positions 3–12: a PAN (AAAAA9999A) or a TAN (AAAA99999A).
        let pan = letters(2..7) && digits(7..11) && letters(11..12);
        let tan = letters(2..6) && digits(6..11) && letters(11..12);
        // Positions 3–12 of a UIN, NR and OIDAR ID: year, country code, serial.
        let foreign = digits(2..4) && letters(4..7) && digits(7..12);
        let (thirteenth, fourteenth) = (b[12], b[13]);
        Some(match fourteenth {
            b'D' if (pan || tan) && entity(thirteenth) => GstinKind::TaxDeductor,
            b'C' if pan && entity(thirteenth) => GstinKind::TaxCollector,
            b'Z' if tan && thirteenth.is_ascii_digit() => GstinKind::GovernmentDepartment,
            b'Z' | b'1'..=b'9' | b'A'..=b'J' if pan && entity(thirteenth) => GstinKind::Regular,
            b'N' if foreign && matches!(thirteenth, b'U' | b'O') => GstinKind::UinHolder,
            b'R' if foreign && thirteenth == b'N' => GstinKind::NonResident,
            b'S' if foreign && thirteenth == b'O' && v.starts_with(CENTRE_JURISDICTION) => GstinKind::Oidar,
            _ => return None,
        })
    }

    /// What the registration is, for messages.
    pub fn describe(self) -> &'static str {
        match self {
            GstinKind::Regular => "a regular GSTIN",
            GstinKind::GovernmentDepartment => "a government department's GSTIN",
            GstinKind::TaxDeductor => "a TDS deductor's GSTIN",
            GstinKind::TaxCollector => "an e-commerce operator's (TCS) GSTIN",
            GstinKind::UinHolder => "a UIN",
            GstinKind::NonResident => "a non-resident taxable person's GSTIN",
            GstinKind::Oidar => "an OIDAR registration",
        }
    }
}

fn is_alnum(c: u8) -> bool {
    c.is_ascii_uppercase() || c.is_ascii_digit()
}

/// Whether `code` is a GST state code a GSTIN of `kind` can start with: 01–38 (the states and
/// union territories, including the retired 25 and 28 that older registrations carried) or 97
/// (other territory) for every kind but OIDAR, and 99 (centre jurisdiction) for OIDAR alone.
fn state_code_ok(code: &str, kind: GstinKind) -> bool {
    if kind == GstinKind::Oidar {
        return code == CENTRE_JURISDICTION;
    }
    code == OTHER_TERRITORY || code.parse::<u8>().is_ok_and(|n| (1..=38).contains(&n))
}

/// A GSTIN or UIN of any registration type the structure allows ([`GstinKind`]): regular
/// (`27AAPFU0939F1ZV`), government department, TDS deductor, TCS collector, UIN holder,
/// non-resident, OIDAR; with a GST state code that exists and a correct check character.
/// Letters are upper-cased; surrounding spaces are dropped.
pub fn gstin(field: &str, value: &str) -> Result<String, AppError> {
    let v = value.trim().to_ascii_uppercase();
    if v.chars().count() != 15 {
        return Err(AppError::bad_input(
            field,
            format!(
                "`{field}` must be a 15-character GSTIN or UIN like 27AAPFU0939F1ZV, got \"{v}\" ({} characters)",
                v.chars().count()
            ),
        ));
    }
    let Some(kind) = GstinKind::of(&v) else {
        return Err(AppError::bad_input(
            field,
            format!(
                "`{field}` \"{v}\" is not in the shape of any GSTIN or UIN: a 2-digit state code, a PAN or TAN \
                 (or, for a UIN, non-resident or OIDAR: year, country code and serial), entity number, \
                 registration type and check character, like 27AAPFU0939F1ZV or 0717UNO00157UNO"
            ),
        ));
    };
    let code = &v[..2];
    if !state_code_ok(code, kind) {
        let rule = if kind == GstinKind::Oidar {
            "an OIDAR registration starts with 99 (centre jurisdiction)".to_owned()
        } else if code == CENTRE_JURISDICTION {
            format!("99 (centre jurisdiction) is only for OIDAR registrations, and this is {}", kind.describe())
        } else {
            "state codes are 01 to 38, or 97 (other territory)".to_owned()
        };
        return Err(AppError::bad_input(field, format!("`{field}` \"{v}\" starts with no GST state code: {rule}")));
    }
    if gstin_check_char(&v[..14]) != v.as_bytes()[14] {
        return Err(AppError::bad_input(
            field,
            format!(
                "`{field}`: the check character (the last) of {} \"{v}\" is wrong; look for a mistyped character",
                kind.describe()
            ),
        ));
    }
    Ok(v)
}

/// The GSTIN check character over the first 14 characters: Luhn mod 36 over
/// `0-9A-Z`, weights 1, 2, 1, ... from the left, each product's base-36 digits added. As
/// ERPNext's `validate_gstin_check_digit` and india-compliance's `validate_gstin_check_digit`,
/// which india-compliance's `validate_gstin` applies to every kind of registration.
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

/// A phone number as typed, without spaces, dashes and a leading `+91`: what [`phone`] keeps
/// (and what a search for a phone number looks for).
pub fn phone_digits(value: &str) -> String {
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

    /// A refusal's field and message.
    fn message(e: AppError) -> String {
        match e {
            AppError::BadInput { field, message } => format!("{field}: {message}"),
            other => panic!("not a bad input: {other:?}"),
        }
    }

    /// A GSTIN from its first 14 characters and the check character computed for them.
    fn with_check(first14: &str) -> String {
        format!("{first14}{}", char::from(gstin_check_char(first14)))
    }

    /// The same GSTIN with another check character (the next one in `0-9A-Z`).
    fn with_wrong_check(first14: &str) -> String {
        const CHARS: &str = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ";
        let right = CHARS.find(char::from(gstin_check_char(first14))).unwrap();
        format!("{first14}{}", &CHARS[(right + 1) % 36..(right + 1) % 36 + 1])
    }

    #[test]
    fn gstin_checks_shape_and_check_character() {
        assert_eq!(gstin("gstin", " 27aapfu0939f1zv ").unwrap(), "27AAPFU0939F1ZV");
        assert!(gstin("gstin", "27AAPFU0939F1ZA").is_err(), "wrong check character");
        assert!(gstin("gstin", "27AAPFU0939F1V").is_err(), "too short");
        assert!(gstin("gstin", "2AAAPFU0939F1ZV").is_err(), "bad state code");
        let err = gstin("input.gstin", "nope").unwrap_err();
        assert!(matches!(err, AppError::BadInput { ref field, .. } if field == "input.gstin"));
    }

    /// One real-looking registration of every kind, its check character computed: each is
    /// accepted and recognised, and refused with any other check character.
    #[test]
    fn every_kind_of_registration_is_accepted() {
        for (first14, kind) in [
            // A company in Maharashtra, its first registration.
            ("27AAPFU0939F1Z", GstinKind::Regular),
            // The same PAN's second registration, with a 14th character other than Z.
            ("24AAACC1206D2B", GstinKind::Regular),
            ("27AAPFU0939F23", GstinKind::Regular),
            // An offshore installation in the other territory.
            ("97AAACO1234A1Z", GstinKind::Regular),
            // A Delhi government department without a PAN: its TAN.
            ("07DELD01234A1Z", GstinKind::GovernmentDepartment),
            // A central government office deducting TDS, by its TAN, and one by its PAN.
            ("27PNEM12345B1D", GstinKind::TaxDeductor),
            ("27AAAGM0289C1D", GstinKind::TaxDeductor),
            // An e-commerce operator collecting TCS.
            ("29AABCE1234F1C", GstinKind::TaxCollector),
            // A UN body in Delhi (registered 2017) and an embassy's "other notified" UIN.
            ("0717UNO00157UN", GstinKind::UinHolder),
            ("2717USA00042ON", GstinKind::UinHolder),
            // A non-resident taxable person from the UK, registered in Maharashtra in 2020.
            ("2720GBR00123NR", GstinKind::NonResident),
            // An OIDAR supplier from Singapore, centre jurisdiction.
            ("9917SGP29001OS", GstinKind::Oidar),
        ] {
            let valid = with_check(first14);
            assert_eq!(gstin("customerGstNo", &valid).unwrap(), valid, "{valid}");
            assert_eq!(GstinKind::of(&valid), Some(kind), "{valid}");
            let lower = valid.to_ascii_lowercase();
            assert_eq!(gstin("customerGstNo", &lower).unwrap(), valid, "{lower}");
            let wrong = with_wrong_check(first14);
            let err = gstin("customerGstNo", &wrong).map(|_| ()).map_err(message).unwrap_err();
            assert!(err.contains("check character") && err.contains("customerGstNo"), "{wrong}: {err}");
            assert!(err.contains(kind.describe()), "{wrong}: {err}");
        }
        // The UIN the issue quotes, and the examples the API tests use, check out as written.
        for literal in ["0717UNO00157UNO", "27PNEM12345B1DZ", "2717UNO00157UNM", "97AAACO1234A1ZZ", "27AABCU9603R1ZN"] {
            assert_eq!(gstin("g", literal).unwrap(), literal);
        }
    }

    #[test]
    fn malformed_registrations_are_refused_naming_the_field() {
        for (first14, why) in [
            ("27AAPFU0939F0Z", "entity number 0"),
            ("27AAPFU0939F1K", "14th character K"),
            ("27AAPFU0939F10", "14th character 0"),
            ("27AAP0U0939F1Z", "neither a PAN nor a TAN in positions 3-12"),
            ("27AAPFUX939F1Z", "PAN with a letter in the 4 digits"),
            ("27DELD01234A1C", "TCS needs a PAN, not a TAN"),
            ("07DELD01234AAZ", "a department's 13th character is a digit"),
            ("0717UNO00157XN", "UIN without UN/ON"),
            ("0717UN000157UN", "UIN country code with a digit"),
            ("2720GBR00123RN", "NR reversed"),
            ("2717SGP29001OS", "OIDAR outside 99"),
            ("A717UNO00157UN", "state code with a letter"),
        ] {
            let bad = with_check(first14);
            let err = gstin("customerGstNo", &bad).unwrap_err();
            assert!(matches!(err, AppError::BadInput { ref field, .. } if field == "customerGstNo"), "{why}");
            assert!(GstinKind::of(&bad).is_none() || !state_code_ok(&bad[..2], GstinKind::of(&bad).unwrap()), "{why}");
        }
        for (first14, why) in [
            ("00AAPFU0939F1Z", "state code 00"),
            ("39AAPFU0939F1Z", "state code 39"),
            ("98AAPFU0939F1Z", "state code 98"),
            ("99AAPFU0939F1Z", "99 on a regular GSTIN"),
            ("9917UNO00157UN", "99 on a UIN"),
        ] {
            let bad = with_check(first14);
            let err = gstin("customerGstNo", &bad).map(|_| ()).map_err(message).unwrap_err();
            assert!(err.contains("state code") || err.contains("centre jurisdiction"), "{why}: {err}");
        }
        for (bad, why) in [("", "empty"), ("27AAPFU0939F1ZV1", "16 characters"), ("27AAPFU0939F1Z\u{e9}", "not ASCII")]
        {
            assert!(gstin("customerGstNo", bad).is_err(), "{why}");
        }
        let err = gstin("customerGstNo", "27AAPFU0939F1Z").map(|_| ()).map_err(message).unwrap_err();
        assert!(err.contains("15-character") && err.contains("14 characters"), "{err}");
    }

    #[test]
    fn recipients_in_no_state_are_not_compared_with_the_address() {
        assert!(recipient_gstin_in_state("customerGstNo", "27AAPFU0939F1ZV", "Maharashtra").is_ok());
        assert!(recipient_gstin_in_state("customerGstNo", "29AABCU9603R1ZJ", "Maharashtra").is_err());
        // A UIN and a TDS deductor carry the state they are registered in.
        assert!(recipient_gstin_in_state("customerGstNo", "0717UNO00157UNO", "Delhi").is_ok());
        assert!(recipient_gstin_in_state("customerGstNo", "0717UNO00157UNO", "Maharashtra").is_err());
        assert!(recipient_gstin_in_state("customerGstNo", "27PNEM12345B1DZ", "Maharashtra").is_ok());
        // Other territory and centre jurisdiction name no state.
        assert!(recipient_gstin_in_state("customerGstNo", "97AAACO1234A1ZZ", "Maharashtra").is_ok());
        assert!(recipient_gstin_in_state("customerGstNo", &with_check("9917SGP29001OS"), "Karnataka").is_ok());
        // A supplier's GSTIN must be of its own state, always.
        assert!(gstin_in_state("gstin", "97AAACO1234A1ZZ", "Maharashtra").is_err());
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
        // A shop's landline is a customer's `mobile` too (issue #31 item 22).
        assert_eq!(phone("m", "+91 98220 12345").unwrap(), "9822012345");
        assert_eq!(phone("m", "0712-234 5678").unwrap(), "07122345678");
        for bad in ["982201234567", "17122345678", "5822012345", "0712234567"] {
            assert!(phone("m", bad).is_err(), "{bad}");
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
