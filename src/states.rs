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

/// The GST state code of a canonical state name.
pub fn gst_code(name: &str) -> Option<&'static str> {
    STATES.iter().find(|(_, n, _)| *n == name).map(|(code, _, _)| *code)
}

#[cfg(test)]
mod tests {
    use super::*;

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
