//! Amounts as an Indian invoice prints them: `12,34,567.89` and "Rupees Twelve Lakh ... Only".

// Amounts are written in the Indian grouping (1_00_000 = one lakh), on purpose.
#![allow(clippy::inconsistent_digit_grouping)]

const ONES: [&str; 20] = [
    "Zero",
    "One",
    "Two",
    "Three",
    "Four",
    "Five",
    "Six",
    "Seven",
    "Eight",
    "Nine",
    "Ten",
    "Eleven",
    "Twelve",
    "Thirteen",
    "Fourteen",
    "Fifteen",
    "Sixteen",
    "Seventeen",
    "Eighteen",
    "Nineteen",
];
const TENS: [&str; 10] = ["", "", "Twenty", "Thirty", "Forty", "Fifty", "Sixty", "Seventy", "Eighty", "Ninety"];

/// 0–99 in words ("Zero" only when asked for on its own).
fn below_hundred(n: u64, out: &mut Vec<&'static str>) {
    match n {
        0 => {}
        1..=19 => out.push(ONES[n as usize]),
        _ => {
            out.push(TENS[(n / 10) as usize]);
            if !n.is_multiple_of(10) {
                out.push(ONES[(n % 10) as usize]);
            }
        }
    }
}

/// 0–999 in words.
fn below_thousand(n: u64, out: &mut Vec<&'static str>) {
    if n >= 100 {
        out.push(ONES[(n / 100) as usize]);
        out.push("Hundred");
    }
    below_hundred(n % 100, out);
}

/// A whole number in the Indian system: crore, lakh, thousand, hundred. Crores above 99
/// are themselves counted in words ("One Hundred Crore", "One Lakh Crore").
fn words(n: u64) -> String {
    fn push(n: u64, out: &mut Vec<String>) {
        let crore = n / 1_00_00_000;
        let rest = n % 1_00_00_000;
        if crore > 0 {
            push(crore, out);
            out.push("Crore".to_owned());
        }
        let mut parts = Vec::new();
        let lakh = rest / 1_00_000;
        if lakh > 0 {
            below_hundred(lakh, &mut parts);
            parts.push("Lakh");
        }
        let thousand = (rest % 1_00_000) / 1000;
        if thousand > 0 {
            below_hundred(thousand, &mut parts);
            parts.push("Thousand");
        }
        below_thousand(rest % 1000, &mut parts);
        out.extend(parts.into_iter().map(str::to_owned));
    }
    if n == 0 {
        return "Zero".to_owned();
    }
    let mut out = Vec::new();
    push(n, &mut out);
    out.join(" ")
}

/// "Rupees One Thousand One Hundred Eighty Only", with "and Fifty Paise" (or "and One Paisa")
/// when there are paise; a negative amount reads "Rupees Minus ...".
pub fn rupees_in_words(paise: i64) -> String {
    let minus = if paise < 0 { "Minus " } else { "" };
    let abs = paise.unsigned_abs();
    let (rupees, rest) = (abs / 100, abs % 100);
    let paise_words = match rest {
        0 => String::new(),
        1 => " and One Paisa".to_owned(),
        n => format!(" and {} Paise", words(n)),
    };
    format!("Rupees {minus}{}{paise_words} Only", words(rupees))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn amounts_read_in_the_indian_system() {
        assert_eq!(rupees_in_words(118_000), "Rupees One Thousand One Hundred Eighty Only");
        assert_eq!(rupees_in_words(118_050), "Rupees One Thousand One Hundred Eighty and Fifty Paise Only");
        assert_eq!(rupees_in_words(0), "Rupees Zero Only");
        assert_eq!(rupees_in_words(1), "Rupees Zero and One Paisa Only");
        assert_eq!(rupees_in_words(1_00_00_000_00), "Rupees One Crore Only");
        assert_eq!(
            rupees_in_words(12_34_56_789_00),
            "Rupees Twelve Crore Thirty Four Lakh Fifty Six Thousand Seven Hundred Eighty Nine Only"
        );
        assert_eq!(rupees_in_words(1_00_000_00), "Rupees One Lakh Only");
        assert_eq!(rupees_in_words(1_01_000_00), "Rupees One Lakh One Thousand Only");
        assert_eq!(rupees_in_words(99_00), "Rupees Ninety Nine Only");
        assert_eq!(rupees_in_words(100_00), "Rupees One Hundred Only");
        assert_eq!(rupees_in_words(101_00), "Rupees One Hundred One Only");
        assert_eq!(rupees_in_words(110_00), "Rupees One Hundred Ten Only");
        assert_eq!(rupees_in_words(1000_00), "Rupees One Thousand Only");
        assert_eq!(rupees_in_words(-150), "Rupees Minus One and Fifty Paise Only");
        assert_eq!(rupees_in_words(100_00_00_000_00), "Rupees One Hundred Crore Only");
        assert!(rupees_in_words(i64::MAX).ends_with(" Only"));
        assert!(rupees_in_words(i64::MIN).starts_with("Rupees Minus "));
    }
}
