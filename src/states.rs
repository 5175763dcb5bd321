//! Indian states and union territories with their GST state codes. States are stored by their
//! canonical name, so the CGST + SGST versus IGST choice never depends on how someone typed it.

/// (GST state code, canonical name, other accepted spellings and abbreviations).
const STATES: &[(&str, &str, &[&str])] = &[
    ("01", "Jammu and Kashmir", &["JK", "J&K"]),
    ("02", "Himachal Pradesh", &["HP"]),
    ("03", "Punjab", &["PB"]),
    ("04", "Chandigarh", &["CH"]),
    ("05", "Uttarakhand", &["UK", "UT", "Uttaranchal"]),
    ("06", "Haryana", &["HR"]),
    ("07", "Delhi", &["DL", "NCT of Delhi", "New Delhi"]),
    ("08", "Rajasthan", &["RJ"]),
    ("09", "Uttar Pradesh", &["UP"]),
    ("10", "Bihar", &["BR"]),
    ("11", "Sikkim", &["SK"]),
    ("12", "Arunachal Pradesh", &["AR"]),
    ("13", "Nagaland", &["NL"]),
    ("14", "Manipur", &["MN"]),
    ("15", "Mizoram", &["MZ"]),
    ("16", "Tripura", &["TR"]),
    ("17", "Meghalaya", &["ML"]),
    ("18", "Assam", &["AS"]),
    ("19", "West Bengal", &["WB"]),
    ("20", "Jharkhand", &["JH"]),
    ("21", "Odisha", &["OD", "OR", "Orissa"]),
    ("22", "Chhattisgarh", &["CG", "CT"]),
    ("23", "Madhya Pradesh", &["MP"]),
    ("24", "Gujarat", &["GJ"]),
    (
        "26",
        "Dadra and Nagar Haveli and Daman and Diu",
        &["DH", "DN", "DD", "25", "Daman and Diu", "Dadra and Nagar Haveli"],
    ),
    ("27", "Maharashtra", &["MH"]),
    ("29", "Karnataka", &["KA"]),
    ("30", "Goa", &["GA"]),
    ("31", "Lakshadweep", &["LD"]),
    ("32", "Kerala", &["KL"]),
    ("33", "Tamil Nadu", &["TN"]),
    ("34", "Puducherry", &["PY", "Pondicherry"]),
    ("35", "Andaman and Nicobar Islands", &["AN"]),
    ("36", "Telangana", &["TG", "TS"]),
    ("37", "Andhra Pradesh", &["AP", "28"]),
    ("38", "Ladakh", &["LA"]),
];

fn squash(text: &str) -> String {
    text.to_lowercase().replace('&', "and").chars().filter(|c| c.is_alphanumeric()).collect()
}

/// The canonical name of a state given by name (any case), abbreviation or GST code.
pub fn canonical(text: &str) -> Option<&'static str> {
    let wanted = squash(text);
    if wanted.is_empty() {
        return None;
    }
    STATES
        .iter()
        .find(|(code, name, aliases)| {
            squash(code) == wanted || squash(name) == wanted || aliases.iter().any(|a| squash(a) == wanted)
        })
        .map(|(_, name, _)| *name)
}

/// The first digits of the PIN codes of each state (India Post's postal circles and regions:
/// 40–44 Maharashtra, 56–59 Karnataka, ...). A few small territories share a region with a
/// neighbour (Goa's 403 within Maharashtra's 40, Puducherry's 533, 605, 607, 609 and 673).
const PIN_PREFIXES: &[(&str, &[&str])] = &[
    ("Jammu and Kashmir", &["18", "19"]),
    ("Himachal Pradesh", &["17"]),
    ("Punjab", &["14", "15", "16"]),
    ("Chandigarh", &["16"]),
    ("Uttarakhand", &["24", "26"]),
    ("Haryana", &["12", "13"]),
    ("Delhi", &["11"]),
    ("Rajasthan", &["30", "31", "32", "33", "34"]),
    ("Uttar Pradesh", &["20", "21", "22", "23", "24", "25", "26", "27", "28"]),
    ("Bihar", &["80", "81", "82", "83", "84", "85"]),
    ("Sikkim", &["73"]),
    ("Arunachal Pradesh", &["79"]),
    ("Nagaland", &["79"]),
    ("Manipur", &["79"]),
    ("Mizoram", &["79"]),
    ("Tripura", &["79"]),
    ("Meghalaya", &["79"]),
    ("Assam", &["78"]),
    ("West Bengal", &["70", "71", "72", "73", "74"]),
    ("Jharkhand", &["81", "82", "83", "84", "85"]),
    ("Odisha", &["75", "76", "77"]),
    ("Chhattisgarh", &["46", "47", "48", "49"]),
    ("Madhya Pradesh", &["45", "46", "47", "48"]),
    ("Gujarat", &["36", "37", "38", "39"]),
    ("Dadra and Nagar Haveli and Daman and Diu", &["396"]),
    ("Maharashtra", &["40", "41", "42", "43", "44"]),
    ("Karnataka", &["56", "57", "58", "59"]),
    ("Goa", &["403"]),
    ("Lakshadweep", &["682"]),
    ("Kerala", &["67", "68", "69"]),
    ("Tamil Nadu", &["60", "61", "62", "63", "64"]),
    ("Puducherry", &["533", "605", "607", "609", "673"]),
    ("Andaman and Nicobar Islands", &["744"]),
    ("Telangana", &["50"]),
    ("Andhra Pradesh", &["50", "51", "52", "53"]),
    ("Ladakh", &["194"]),
];

/// The PIN code prefixes of a canonical state name (empty for a name not in the list).
pub fn pin_prefixes(name: &str) -> &'static [&'static str] {
    PIN_PREFIXES.iter().find(|(n, _)| *n == name).map_or(&[], |(_, prefixes)| prefixes)
}

/// Whether PIN code `pin` can be in state `name` (canonical); true for a state without a list.
pub fn pin_in_state(pin: &str, name: &str) -> bool {
    let prefixes = pin_prefixes(name);
    prefixes.is_empty() || prefixes.iter().any(|p| pin.starts_with(p))
}

/// The GST state code of a canonical state name.
pub fn gst_code(name: &str) -> Option<&'static str> {
    STATES.iter().find(|(_, n, _)| *n == name).map(|(code, _, _)| *code)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pin_codes_belong_to_their_states() {
        assert!(pin_in_state("440010", "Maharashtra"));
        assert!(!pin_in_state("440010", "Karnataka"), "a Nagpur PIN is not in Karnataka");
        assert!(pin_in_state("560001", "Karnataka"));
        assert!(pin_in_state("403001", "Goa"));
        assert!(!pin_in_state("440001", "Goa"));
        assert!(pin_in_state("110001", "Delhi"));
        assert!(pin_in_state("500001", "Telangana"));
        assert!(pin_in_state("605001", "Puducherry"));
        for (name, _) in PIN_PREFIXES {
            assert!(canonical(name) == Some(*name), "{name} is a canonical state name");
        }
        for (_, name, _) in STATES {
            assert!(!pin_prefixes(name).is_empty(), "{name} has PIN prefixes");
        }
    }

    #[test]
    fn states_are_recognised_however_written() {
        for text in ["Maharashtra", " maharashtra ", "MH", "27"] {
            assert_eq!(canonical(text), Some("Maharashtra"), "{text}");
        }
        assert_eq!(canonical("Jammu & Kashmir"), Some("Jammu and Kashmir"));
        assert_eq!(canonical("orissa"), Some("Odisha"));
        assert_eq!(canonical("Atlantis"), None);
        assert_eq!(canonical(""), None);
        assert_eq!(gst_code("Karnataka"), Some("29"));
    }
}
