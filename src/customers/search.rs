//! What `customers(filter: {search:})` looks for: the text as typed, normalised the way input
//! is, so a number is found however it was typed.

use crate::db::like_pattern;

/// The `LIKE` patterns (each `%…%`, escaped for `ESCAPE '\'`) one search binds. The statement
/// is the same for every search (one pattern per kind of column), so it stays prepared.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SearchPatterns {
    /// Against the lower-cased full name.
    pub name: String,
    /// Against the digit columns: customer number, mobile and alternate phone. A phone number
    /// as typed (`+91 98450 11111`, `0712-2345678`) becomes its digits, as `mobile` stores
    /// them; other text is looked for as typed, lower-cased.
    pub number: String,
    /// Against the upper-case codes: CAF number and GSTIN, stored upper-cased, so any case
    /// typed finds them.
    pub code: String,
}

impl SearchPatterns {
    pub fn new(search: &str) -> SearchPatterns {
        let digits = crate::validate::phone_digits(search.trim());
        let number = if !digits.is_empty() && digits.bytes().all(|b| b.is_ascii_digit()) {
            like_pattern(&digits)
        } else {
            like_pattern(search)
        };
        SearchPatterns { name: like_pattern(search), number, code: like_pattern(search).to_ascii_uppercase() }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_are_looked_for_as_input_stores_them() {
        let p = SearchPatterns::new(" +91 98450 11111 ");
        assert_eq!(p.number, "%9845011111%");
        assert_eq!(SearchPatterns::new("98450-11111").number, "%9845011111%");
        assert_eq!(SearchPatterns::new("0712 234").number, "%0712234%");
        // Not a number: as typed, lower-cased; a lone `+91` or dash is no phone number.
        assert_eq!(SearchPatterns::new("Desh").number, "%desh%");
        assert_eq!(SearchPatterns::new("-").number, "%-%");
        assert_eq!(SearchPatterns::new("+91").number, "%+91%");
    }

    #[test]
    fn codes_are_upper_cased_and_wildcards_escaped() {
        let p = SearchPatterns::new("caf-manual_1");
        assert_eq!(p.code, "%CAF-MANUAL\\_1%");
        assert_eq!(p.name, "%caf-manual\\_1%");
        assert_eq!(SearchPatterns::new("27aapfu").code, "%27AAPFU%");
    }
}
