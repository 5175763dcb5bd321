//! The form of payment references: the key duplicates are found by, and which references are
//! UPI transaction references (UTRs). Where a payment's money goes is `settlement::rules`.

use super::model::PaymentMethod;
use unicode_normalization::UnicodeNormalization;

/// The form a payment reference is compared by when looking for duplicates (the reference
/// itself is stored as entered): invisible and format characters dropped, Unicode NFKC
/// (full-width and other compatibility forms folded), lower case, and no whitespace of any
/// kind (no-break and narrow spaces included). `"UTR 123"`, `"utr123"`, `"UTR\u{200B}123"`,
/// `"UTR\u{00A0}123"` and `"ＵＴＲ１２３"` all give `"utr123"`.
pub fn reference_key(reference: &str) -> String {
    // Invisible characters go first, so they cannot keep NFKC from composing their neighbours.
    let visible: String = reference.chars().filter(|c| !is_invisible(*c)).collect();
    // Lower case, with the one common full case folding `to_lowercase` lacks (ß is "ss", as
    // `"SS".to_lowercase()` is).
    let lower = visible.nfkc().collect::<String>().to_lowercase().replace('ß', "ss");
    // Decomposed, without combining marks: İ (which lower-cases to i + a dot above) is i, and
    // an accent typed or not makes no new reference. Blank-looking characters go too.
    lower
        .nfkd()
        .filter(|&c| {
            !c.is_whitespace()
                && !is_invisible(c)
                && !unicode_normalization::char::is_combining_mark(c)
                && c != '\u{2800}' // braille blank
        })
        .collect()
}

/// Characters that show nothing: the Unicode general category Cf (format) and the other
/// default-ignorable code points (variation selectors, fillers, tags), as of Unicode 15.1.
fn is_invisible(c: char) -> bool {
    matches!(
        u32::from(c),
        0x00AD // soft hyphen
            | 0x034F // combining grapheme joiner
            | 0x0600..=0x0605 // Arabic number signs
            | 0x061C // Arabic letter mark
            | 0x06DD
            | 0x070F
            | 0x0890..=0x0891
            | 0x08E2
            | 0x115F..=0x1160 // Hangul fillers
            | 0x17B4..=0x17B5
            | 0x180B..=0x180F // Mongolian variation selectors, vowel separator
            | 0x200B..=0x200F // zero-width space, joiners, direction marks
            | 0x202A..=0x202E // direction embeddings and overrides
            | 0x2060..=0x206F // word joiner, invisible operators, direction isolates
            | 0x3164 // Hangul filler
            | 0xFE00..=0xFE0F // variation selectors
            | 0xFEFF // zero-width no-break space (byte order mark)
            | 0xFFA0 // half-width Hangul filler
            | 0xFFF0..=0xFFFB // interlinear annotation
            | 0x110BD
            | 0x110CD
            | 0x13430..=0x1343F // Egyptian hieroglyph format controls
            | 0x1BCA0..=0x1BCA3 // shorthand format controls
            | 0x1D173..=0x1D17A // musical symbol format controls
            | 0xE0000..=0xE0FFF // tags, variation selectors supplement
    )
}

/// Whether `text` has the form of a UPI transaction reference (UTR): exactly 12 digits.
pub fn is_utr(text: &str) -> bool {
    text.len() == 12 && text.bytes().all(|b| b.is_ascii_digit())
}

/// The UTR of a payment entered by hand: its reference, when the method is UPI or a UPI app
/// and the reference (spaces and case aside) is 12 digits.
pub fn upi_utr(method: PaymentMethod, reference_key: Option<&str>) -> Option<String> {
    let upi =
        matches!(method, PaymentMethod::Upi | PaymentMethod::Paytm | PaymentMethod::Phonepe | PaymentMethod::Googlepay);
    reference_key.filter(|k| upi && is_utr(k)).map(str::to_owned)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn references_that_look_alike_have_one_key() {
        let key = reference_key("UTR123");
        assert_eq!(key, "utr123");
        for variant in [
            "utr123",
            "UTR\u{200B}123", // zero-width space
            "UTR\u{00A0}123", // no-break space
            "UTR 123",
            "UTR\u{2007}123",         // figure space
            "UTR\u{202F}123",         // narrow no-break space
            "UTR\u{3000}123",         // ideographic space
            "UTR\u{FEFF}123",         // byte order mark
            "U\u{00AD}TR\u{2060}123", // soft hyphen, word joiner
            "UTR\u{200D}\u{200C}123",
            "\u{200E}UTR123\u{202C}",
            "ＵＴＲ１２３", // full-width
            "Utr\u{FE0F}123",
            "\tUTR\n123 ",
        ] {
            assert_eq!(reference_key(variant), key, "{variant:?}");
        }
        assert_ne!(reference_key("UTR1234"), key);
        assert_ne!(reference_key("UTR-123"), key, "punctuation counts");
    }

    #[test]
    fn reference_keys_are_stable_and_compose() {
        // Composed and decomposed accents, and ligatures, meet.
        assert_eq!(reference_key("CAF\u{00C9}"), reference_key("cafe\u{0301}"));
        assert_eq!(reference_key("ﬁ-1"), "fi-1");
        assert_eq!(reference_key("\u{0130}"), reference_key(&reference_key("\u{0130}")));
        for s in ["UTR123", "ＵＴＲ １２３", "\u{0130}stanbul", "Straße", "ǅ1", "x\u{200B}\u{0301}"] {
            let key = reference_key(s);
            assert_eq!(reference_key(&key), key, "idempotent for {s:?}");
            assert!(!key.chars().any(char::is_whitespace), "{key:?}");
        }
        assert_eq!(reference_key("\u{200B}\u{00A0}"), "", "nothing visible");
        // Case folding beyond to_lowercase, and blank look-alikes.
        assert_eq!(reference_key("STRASSE-1"), reference_key("straße-1"));
        assert_eq!(reference_key("\u{0130}D-7"), reference_key("ID-7"));
        assert_eq!(reference_key("UTR\u{2800}123"), "utr123");
    }

    #[test]
    fn a_upi_apps_twelve_digit_reference_is_its_utr() {
        assert_eq!(upi_utr(PaymentMethod::Googlepay, Some("433412345678")).as_deref(), Some("433412345678"));
        assert_eq!(upi_utr(PaymentMethod::Upi, Some("433412345678")).as_deref(), Some("433412345678"));
        assert_eq!(upi_utr(PaymentMethod::Cheque, Some("433412345678")), None);
        assert_eq!(upi_utr(PaymentMethod::Paytm, Some("43341234567")), None);
        assert_eq!(upi_utr(PaymentMethod::Phonepe, Some("utr433412345678")), None);
        assert_eq!(upi_utr(PaymentMethod::Phonepe, None), None);
    }
}
