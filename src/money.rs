//! The bounds on money. Every amount a client sends (invoice parts, add-ons, credits, payments,
//! refunds, plan prices) is at most [`MAX_INPUT_PAISE`], checked where the `Money` scalar is
//! read; sums are checked ([`add`]) so that nothing wraps; and the database refuses any stored
//! amount beyond [`MAX_STORED_PAISE`] (migration `money_bounds`) as the last line.

use crate::error::AppError;

/// The largest amount any input may carry: ₹1 crore (10⁷ rupees, 10⁹ paise).
pub const MAX_INPUT_PAISE: i64 = 1_000_000_000;

/// The largest amount, total or running balance the database keeps: ₹10,000 crore.
pub const MAX_STORED_PAISE: i64 = 10_000_000_000_000;

/// `a + b` for a sum that `field` feeds, or `BAD_USER_INPUT` when it leaves the stored range.
pub fn add(field: &str, a: i64, b: i64) -> Result<i64, AppError> {
    a.checked_add(b).filter(|sum| sum.abs() <= MAX_STORED_PAISE).ok_or_else(|| past_the_bound(field))
}

/// `BAD_USER_INPUT` on `field`: a sum it feeds would leave the stored range.
pub fn past_the_bound(field: &str) -> AppError {
    AppError::bad_input(field, format!("`{field}` would take the amount past what can be recorded (₹10,000 crore)"))
}

/// Paise as rupees with two decimals, for messages (`118050` → `1180.50`; documents group
/// digits the Indian way instead, [`grouped_rupees`]).
pub fn rupees(paise: i64) -> String {
    format_hundredths(paise)
}

/// Paise as rupees with Indian digit grouping and two decimals: `12,34,567.89`, `-1.50`.
pub fn grouped_rupees(paise: i64) -> String {
    let sign = if paise < 0 { "-" } else { "" };
    let abs = paise.unsigned_abs();
    let whole = (abs / 100).to_string();
    let grouped = if whole.len() <= 3 {
        whole
    } else {
        let (head, last3) = whole.split_at(whole.len() - 3);
        let mut groups: Vec<&str> = Vec::new();
        let mut end = head.len();
        while end > 0 {
            let start = end.saturating_sub(2);
            groups.push(&head[start..end]);
            end = start;
        }
        groups.reverse();
        format!("{},{last3}", groups.join(","))
    };
    format!("{sign}{grouped}.{:02}", abs % 100)
}

/// An amount of money that moves (a payment, a credit, an add-on): more than zero and at most
/// [`MAX_INPUT_PAISE`]; else `BAD_USER_INPUT` on `field`.
pub fn positive(field: &str, amount: i64) -> Result<i64, AppError> {
    if amount <= 0 {
        return Err(AppError::bad_input(field, format!("`{field}` must be more than zero")));
    }
    if amount > MAX_INPUT_PAISE {
        return Err(AppError::bad_input(field, format!("`{field}` is over the ₹{} limit", rupees(MAX_INPUT_PAISE))));
    }
    Ok(amount)
}

/// `value` hundredths as a decimal with two places: paise as rupees (`12345` → `"123.45"`),
/// basis points as a percentage.
pub fn format_hundredths(value: i64) -> String {
    let sign = if value < 0 { "-" } else { "" };
    let abs = value.unsigned_abs();
    format!("{sign}{}.{:02}", abs / 100, abs % 100)
}

/// Parses a decimal with at most two places into hundredths (`"1180.5"` → 118050).
pub fn parse_hundredths(text: &str) -> Result<i64, String> {
    let (negative, digits) = match text.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, text),
    };
    let (whole, frac) = digits.split_once('.').unwrap_or((digits, ""));
    let all_digits = |s: &str| s.bytes().all(|b| b.is_ascii_digit());
    if whole.is_empty() || !all_digits(whole) || !all_digits(frac) || (digits.contains('.') && frac.is_empty()) {
        return Err(format!("\"{text}\" is not a decimal number like \"1180.00\""));
    }
    if frac.len() > 2 {
        return Err(format!("\"{text}\" has more than two decimal places"));
    }
    let frac_value: i64 = format!("{frac:0<2}").parse().map_err(|_| "bad fraction".to_owned())?;
    let value = whole
        .parse::<i64>()
        .ok()
        .and_then(|w| w.checked_mul(100))
        .and_then(|w| w.checked_add(frac_value))
        .ok_or_else(|| format!("\"{text}\" is too large"))?;
    Ok(if negative { -value } else { value })
}

/// `total` paise shared over `weights` in proportion, in whole paise that add up to `total`
/// (largest remainders first; ties to the earlier one). All on the first when the weights are
/// all zero; negative weights count as zero; a negative total is shared as its opposite.
pub fn spread(total: i64, weights: &[i64]) -> Vec<i64> {
    if weights.is_empty() {
        return Vec::new();
    }
    if total < 0 {
        return spread(total.saturating_neg(), weights).into_iter().map(|s| -s).collect();
    }
    let weights: Vec<i128> = weights.iter().map(|w| i128::from((*w).max(0))).collect();
    let sum: i128 = weights.iter().sum();
    let mut shares = vec![0_i64; weights.len()];
    if sum == 0 {
        shares[0] = total;
        return shares;
    }
    let mut remainders: Vec<(i128, usize)> = Vec::with_capacity(weights.len());
    for (i, w) in weights.iter().enumerate() {
        let exact = i128::from(total) * w;
        // A share is at most `total`, so it fits.
        shares[i] = (exact / sum) as i64;
        remainders.push((exact % sum, i));
    }
    let mut left = total - shares.iter().sum::<i64>();
    remainders.sort_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(&b.1)));
    for (_, i) in remainders {
        if left == 0 {
            break;
        }
        shares[i] += 1;
        left -= 1;
    }
    shares
}

#[cfg(test)]
mod tests {
    #[test]
    fn spread_keeps_the_total_either_sign() {
        assert_eq!(super::spread(100, &[1, 1, 1]), vec![34, 33, 33]);
        assert_eq!(super::spread(-100, &[1, 1, 1]), vec![-34, -33, -33]);
        assert_eq!(super::spread(5, &[0, 0]), vec![5, 0]);
        assert_eq!(super::spread(7, &[-3, 4]), vec![0, 7]);
        assert_eq!(super::spread(0, &[3, 4]), vec![0, 0]);
        assert!(super::spread(9, &[]).is_empty());
    }

    #[test]
    fn sums_are_checked() {
        assert_eq!(super::add("amount", 5, -7).unwrap(), -2);
        assert!(super::add("amount", i64::MAX, 1).is_err());
        assert!(super::add("amount", super::MAX_STORED_PAISE, 1).is_err());
    }

    #[test]
    #[allow(clippy::inconsistent_digit_grouping)] // lakhs and crores, as the figures read
    fn figures_group_in_lakhs_and_crores() {
        assert_eq!(super::grouped_rupees(123_456_789), "12,34,567.89");
        assert_eq!(super::grouped_rupees(5), "0.05");
        assert_eq!(super::grouped_rupees(-150), "-1.50");
        assert_eq!(super::grouped_rupees(118_000), "1,180.00");
        assert_eq!(super::grouped_rupees(99_999_00), "99,999.00");
        assert_eq!(super::grouped_rupees(1_00_000_00), "1,00,000.00");
        assert_eq!(super::grouped_rupees(12_34_56_789_00), "12,34,56,789.00");
    }
}
