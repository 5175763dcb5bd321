//! "Did you mean ...?": the known name closest to a misspelt one (an input field, a query
//! parameter), so that an error names what the client most likely meant.

/// The name in `known` closest to `given`: one equal ignoring case first (`customerID` for
/// `customerId`), else the one fewest edits away, when it is close enough to be a slip
/// (fewer edits than half the longer name). Ties go to the first in `known`.
pub fn closest<'a>(given: &str, known: impl IntoIterator<Item = &'a str>) -> Option<&'a str> {
    let known: Vec<&str> = known.into_iter().collect();
    if let Some(same) = known.iter().find(|k| k.eq_ignore_ascii_case(given)) {
        return Some(same);
    }
    let given_lower = given.to_lowercase();
    known
        .iter()
        .map(|k| (edits(&given_lower, &k.to_lowercase()), *k))
        .filter(|(d, k)| *d * 2 < given.chars().count().max(k.chars().count()))
        .min_by_key(|(d, _)| *d)
        .map(|(_, k)| k)
}

/// `" Did you mean \"x\"?"` for the closest name, or nothing.
pub fn did_you_mean<'a>(given: &str, known: impl IntoIterator<Item = &'a str>) -> String {
    closest(given, known).map(|k| format!(" Did you mean \"{k}\"?")).unwrap_or_default()
}

/// Levenshtein distance (insertions, deletions, substitutions), by characters.
fn edits(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut row: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut diagonal = row[0];
        row[0] = i + 1;
        for (j, cb) in b.iter().enumerate() {
            let above = row[j + 1];
            row[j + 1] = if ca == *cb { diagonal } else { 1 + diagonal.min(above).min(row[j]) };
            diagonal = above;
        }
    }
    row[b.len()]
}

#[cfg(test)]
mod tests {
    use super::{closest, did_you_mean, edits};

    #[test]
    fn finds_the_name_meant() {
        let known = ["customerId", "invoiceId", "amount", "paymentMethod"];
        assert_eq!(closest("customerID", known), Some("customerId"));
        assert_eq!(closest("ammount", known), Some("amount"));
        assert_eq!(closest("paymentMethd", known), Some("paymentMethod"));
        assert_eq!(closest("zzz", known), None);
        assert_eq!(did_you_mean("frm", ["from", "to"]), " Did you mean \"from\"?");
        assert_eq!(did_you_mean("colour", ["from", "to"]), "");
        assert_eq!(edits("kitten", "sitting"), 3);
        assert_eq!(edits("", "abc"), 3);
    }
}
