//! The walled garden's payment page (`/pay`, served by `crate::http::pay`): who is asking and
//! what they owe. No login: the customer is the one whose open session has the client's
//! address (the walled garden gave it to them), or the one with the customer number and mobile
//! typed in. Those look-ups are limited per address ([`by_number`], counted in `pay_lookups`, so
//! every server on the database sees them) and a wrong pair says nothing about which half was
//! wrong. The page shows the first name, the amount, the company and how to pay, nothing more.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use crate::customers::model::{CustomerRow, CustomerStatus};
use crate::db::schema::{customers, pay_lookups, radius_sessions};
use crate::db::DbConn;
use crate::error::{AppError, AppResult};

/// How long a look-up by number counts against its address.
pub const LOOKUP_WINDOW_MINUTES: i64 = 60;

/// Longest payment link accepted.
pub const MAX_LINK_CHARS: usize = 500;

/// What the page shows.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Payer {
    /// The first word of the full name.
    pub first_name: String,
    pub company: String,
    /// The ledger balance when positive, else 0.
    pub owed_paise: i64,
    pub status: CustomerStatus,
    /// The `upi://pay` link for the amount (the QR code carries it), when the company has a UPI
    /// address and something is owed.
    pub upi: Option<String>,
    /// The company's payment link, filled in for this customer, when it has one and something
    /// is owed.
    pub link: Option<String>,
}

/// What a look-up by number and mobile found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Lookup {
    Found(Payer),
    /// No such pair (whichever half was wrong).
    NotFound,
    /// The address has used its look-ups for now.
    TooMany,
}

/// The customer whose open session has `address` as its framed IP (the newest, if the NAS left
/// an older one open), as the page shows them.
pub fn by_address(conn: &mut DbConn, address: &str) -> AppResult<Option<Payer>> {
    let customer: Option<Option<i64>> = radius_sessions::table
        .filter(radius_sessions::framed_ip.eq(address))
        .filter(radius_sessions::stopped_at.is_null())
        .order(radius_sessions::id.desc())
        .select(radius_sessions::customer_id)
        .first(conn)
        .optional()?;
    let Some(Some(id)) = customer else { return Ok(None) };
    let row = crate::customers::repo::find(conn, id)?;
    if !shown(&row) {
        return Ok(None);
    }
    payer(conn, &row).map(Some)
}

/// The customer with customer number `number` and main phone `mobile`, when `address` has made
/// fewer than `limit` look-ups in the last [`LOOKUP_WINDOW_MINUTES`] (this one counts, found
/// or not). Badly formed input is a pair that is not found.
pub fn by_number(
    conn: &mut DbConn,
    address: &str,
    number: &str,
    mobile: &str,
    limit: i64,
    now: NaiveDateTime,
) -> AppResult<Lookup> {
    crate::db::lock_key(conn, &format!("pay-lookup:{address}"))?;
    let since = now - chrono::Duration::minutes(LOOKUP_WINDOW_MINUTES);
    diesel::delete(pay_lookups::table.filter(pay_lookups::looked_up_at.lt(since))).execute(conn)?;
    let made: i64 = pay_lookups::table
        .filter(pay_lookups::address.eq(address))
        .filter(pay_lookups::looked_up_at.ge(since))
        .count()
        .get_result(conn)?;
    if made >= limit {
        return Ok(Lookup::TooMany);
    }
    diesel::insert_into(pay_lookups::table)
        .values((pay_lookups::address.eq(address), pay_lookups::looked_up_at.eq(now)))
        .execute(conn)?;
    let number = number.trim();
    let mobile = crate::validate::phone_digits(mobile.trim());
    // The same one query whichever half is wrong.
    let found: Option<CustomerRow> = customers::table
        .filter(customers::customer_id.eq(number))
        .filter(customers::mobile.eq(&mobile))
        .select(CustomerRow::columns())
        .first(conn)
        .optional()?;
    match found {
        Some(row) if shown(&row) => Ok(Lookup::Found(payer(conn, &row)?)),
        _ => Ok(Lookup::NotFound),
    }
}

/// Whether the page may show a customer: not closed, not erased.
fn shown(row: &CustomerRow) -> bool {
    row.status != CustomerStatus::Terminated && row.erased_at.is_none()
}

fn payer(conn: &mut DbConn, row: &CustomerRow) -> AppResult<Payer> {
    let company = crate::companies::repo::find(conn, row.company_id)?;
    let balance = crate::ledger::repo::balances(conn, &[row.id])?.get(&row.id).copied().unwrap_or(0);
    let owed = balance.max(0);
    let due = owed > 0;
    let upi = company.upi_vpa.as_deref().filter(|_| due).map(|vpa| {
        let note = format!("Customer {}", row.customer_id);
        crate::documents::upi::pay_uri_with(vpa, &company.name, owed, &note, &row.customer_id)
    });
    let link = company.pay_link.as_deref().filter(|_| due).map(|l| fill_link(l, &row.customer_id, owed));
    Ok(Payer {
        first_name: first_name(&row.full_name),
        company: company.name,
        owed_paise: owed,
        status: row.status,
        upi,
        link,
    })
}

/// The first word of a full name.
pub fn first_name(full_name: &str) -> String {
    full_name.split_whitespace().next().unwrap_or("").to_owned()
}

/// A company's payment link: `https://`, at most [`MAX_LINK_CHARS`], no spaces, quotes or
/// angle brackets. Else `BAD_USER_INPUT` on `field`.
pub fn pay_link(field: &str, value: &str) -> AppResult<String> {
    let v = value.trim();
    let ok = v.len() > "https://".len()
        && v.get(..8).is_some_and(|s| s.eq_ignore_ascii_case("https://"))
        && v.chars().count() <= MAX_LINK_CHARS
        && !v.chars().any(|c| c.is_whitespace() || c.is_control() || matches!(c, '"' | '\'' | '<' | '>' | '`'));
    if !ok {
        return Err(AppError::bad_input(
            field,
            format!(
                "`{field}` must be an https:// link of at most {MAX_LINK_CHARS} characters without spaces or quotes \
                 (`{{customer}}` and `{{amount}}` are filled in for the customer)"
            ),
        ));
    }
    Ok(v.to_owned())
}

/// `link` with `{customer}` and `{amount}` (rupees, two decimals) filled in, percent-encoded.
pub fn fill_link(link: &str, customer_number: &str, paise: i64) -> String {
    let amount = crate::money::format_hundredths(paise);
    link.replace("{customer}", &crate::documents::upi::encode(customer_number))
        .replace("{amount}", &crate::documents::upi::encode(&amount))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_the_first_name_is_shown() {
        assert_eq!(first_name("  Ravi Kumar Sharma "), "Ravi");
        assert_eq!(first_name("Anita"), "Anita");
        assert_eq!(first_name(""), "");
    }

    #[test]
    fn a_payment_link_is_https_and_filled_in() {
        assert_eq!(pay_link("paymentLink", " https://rzp.io/l/vfn ").unwrap(), "https://rzp.io/l/vfn");
        for bad in ["http://rzp.io/l/x", "https://", "javascript:alert(1)", "https://a b", "https://x\"onmouseover"] {
            assert!(pay_link("paymentLink", bad).is_err(), "{bad}");
        }
        assert!(pay_link("paymentLink", &format!("https://{}", "a".repeat(MAX_LINK_CHARS))).is_err());
        assert_eq!(
            fill_link("https://pay.example/p?c={customer}&a={amount}", "1234567890", 49_900),
            "https://pay.example/p?c=1234567890&a=499.00"
        );
    }
}
