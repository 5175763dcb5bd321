//! An address as printed (lines of text) split into the e-invoice's parts: `Addr1`, `Addr2`,
//! `Loc` (the place) and `Pin` (the 6-digit PIN code). Documents keep addresses as the lines
//! they print, so the parts are read back from them: the PIN is the last 6-digit number, the
//! place is what its line says besides the PIN and the state, the rest are the address lines.

/// The parts of an address an e-invoice asks for. Texts are cleaned ([`clean`]) and cut to the
/// schema's lengths.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Parts {
    /// Building, street: 1 to 100 characters.
    pub addr1: String,
    /// The rest of the street address, 3 to 100 characters, if any.
    pub addr2: Option<String>,
    /// Place (city, town, village): 3 to `loc_max` characters.
    pub loc: String,
    /// PIN code, when the address has one.
    pub pin: Option<u32>,
}

/// Splits address `lines` of a party in `state` (its name, left out of the place).
/// `loc_max` is the longest place the schema allows (50 for a seller, 100 for a buyer).
pub fn split(lines: &[String], state: &str, loc_max: usize) -> Parts {
    let lines: Vec<String> = lines.iter().map(|l| clean(l)).filter(|l| !l.trim().is_empty()).collect();
    let found = lines.iter().enumerate().rev().find_map(|(i, line)| pin_in(line).map(|(pin, at)| (i, pin, at)));
    let mut rest: Vec<String> = lines.clone();
    let mut loc = None;
    let mut pin = None;
    if let Some((index, code, (start, end))) = found {
        pin = Some(code);
        let line = &lines[index];
        let place = place_of(&format!("{} {}", &line[..start], &line[end..]), state);
        if place.chars().count() >= 3 {
            loc = Some(place);
            rest.remove(index);
        } else if index > 0 {
            // "Nagpur\n440010": the place is the line above the PIN.
            loc = Some(place_of(&lines[index - 1], state));
            rest.remove(index);
            rest.remove(index - 1);
        } else {
            rest.remove(index);
        }
    }
    let loc = loc.filter(|l| l.chars().count() >= 3).unwrap_or_else(|| state.to_owned());
    let addr1 = rest.first().cloned().unwrap_or_else(|| loc.clone());
    let addr2 = (rest.len() > 1).then(|| rest[1..].join(", ")).map(|a| cut(&a, 100)).filter(|a| a.chars().count() >= 3);
    Parts { addr1: cut(&addr1, 100), addr2, loc: cut(&loc, loc_max), pin }
}

/// The last PIN code in `line` (six digits, the first not 0, optionally written `440 010`),
/// with the byte range it takes.
fn pin_in(line: &str) -> Option<(u32, (usize, usize))> {
    let bytes = line.as_bytes();
    let mut found = None;
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i].is_ascii_digit() && (i == 0 || !bytes[i - 1].is_ascii_digit()) {
            let mut j = i;
            let mut digits = String::new();
            while j < bytes.len() && digits.len() < 7 {
                if bytes[j].is_ascii_digit() {
                    digits.push(bytes[j] as char);
                    j += 1;
                } else if bytes[j] == b' ' && digits.len() == 3 && j + 1 < bytes.len() && bytes[j + 1].is_ascii_digit()
                {
                    j += 1;
                } else {
                    break;
                }
            }
            if digits.len() == 6 && !digits.starts_with('0') && (j == bytes.len() || !bytes[j].is_ascii_digit()) {
                found = digits.parse().ok().map(|pin| (pin, (i, j)));
            }
            i = j.max(i + 1);
        } else {
            i += 1;
        }
    }
    found
}

/// `text` without the state's name and the separators around what is left.
fn place_of(text: &str, state: &str) -> String {
    let mut place = text.to_owned();
    if !state.is_empty() {
        if let Some(at) = place.to_lowercase().rfind(&state.to_lowercase()) {
            // Lower-casing keeps byte lengths for the ASCII state names; check to be safe.
            if place.is_char_boundary(at) && place.is_char_boundary(at + state.len()) {
                place.replace_range(at..at + state.len(), " ");
            }
        }
    }
    let trimmed = place.trim_matches(|c: char| c.is_whitespace() || matches!(c, ',' | '-' | '.' | ';' | ':'));
    trimmed.split_whitespace().collect::<Vec<_>>().join(" ").replace(" ,", ",")
}

/// Text the e-invoice schema accepts: no double quote or backslash (its pattern
/// `^([^\\"])*$`), no control characters. A double quote becomes `'`, a backslash `/`.
pub fn clean(text: &str) -> String {
    text.chars()
        .map(|c| match c {
            '"' => '\'',
            '\\' => '/',
            c if c.is_control() => ' ',
            c => c,
        })
        .collect::<String>()
        .trim()
        .to_owned()
}

/// At most `max` characters of `text` (the schema's limit), without a trailing space.
pub fn cut(text: &str, max: usize) -> String {
    text.chars().take(max).collect::<String>().trim_end().to_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lines(text: &str) -> Vec<String> {
        text.lines().map(str::to_owned).collect()
    }

    #[test]
    fn a_company_address_gives_street_place_and_pin() {
        let parts = split(&lines("Main Road, Dharampeth\nNagpur 440010"), "Maharashtra", 50);
        assert_eq!(
            parts,
            Parts { addr1: "Main Road, Dharampeth".into(), addr2: None, loc: "Nagpur".into(), pin: Some(440010) }
        );
    }

    #[test]
    fn a_customer_address_names_city_and_state_before_the_pin() {
        let parts = split(&lines("12, Shivaji Nagar\nNear Bus Stand\nPune, Maharashtra 411005"), "Maharashtra", 100);
        assert_eq!(parts.addr1, "12, Shivaji Nagar");
        assert_eq!(parts.addr2.as_deref(), Some("Near Bus Stand"));
        assert_eq!((parts.loc.as_str(), parts.pin), ("Pune", Some(411005)));
    }

    #[test]
    fn a_pin_on_a_line_of_its_own_takes_the_place_from_the_line_above() {
        let parts = split(&lines("Plot 4, MIDC\nNagpur\n440 016"), "Maharashtra", 50);
        assert_eq!((parts.addr1.as_str(), parts.loc.as_str(), parts.pin), ("Plot 4, MIDC", "Nagpur", Some(440016)));
    }

    #[test]
    fn without_a_pin_the_place_is_the_state_and_nothing_is_guessed() {
        let parts = split(&lines("Main Road"), "Goa", 50);
        assert_eq!((parts.addr1.as_str(), parts.loc.as_str(), parts.pin), ("Main Road", "Goa", None));
        // A phone number or a 5-digit number is no PIN code.
        assert_eq!(split(&lines("Shop 12345, 9822000000"), "Goa", 50).pin, None);
        assert_eq!(split(&lines("Road 012345"), "Goa", 50).pin, None);
    }

    #[test]
    fn quotes_and_backslashes_are_replaced_and_lengths_kept() {
        assert_eq!(clean("Sai \"Krupa\" C\\O"), "Sai 'Krupa' C/O");
        let long = "x".repeat(150);
        let parts = split(&[long.clone(), "Nagpur 440010".into()], "Maharashtra", 50);
        assert_eq!(parts.addr1.chars().count(), 100);
    }
}
