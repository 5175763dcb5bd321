//! Paying an invoice by UPI: the `upi://pay` link of NPCI's UPI linking specification and the
//! QR code that carries it, which every UPI app scans. The company's UPI address (VPA) is a
//! company setting (`upiVpa`); the amount is the invoice's balance on the day it is printed.

use qrcode::{Color, EcLevel, QrCode};

use super::model::UpiPayment;
use crate::error::AppError;

/// Longest UPI address accepted, in characters.
pub const MAX_VPA_CHARS: usize = 100;

/// A UPI address (VPA) of the `name@handle` shape, lower-cased: before the `@` letters,
/// digits, `.`, `-` or `_` (starting with a letter or digit), after it the payment app's or
/// bank's handle (letters and digits, starting with a letter: `okaxis`, `ybl`, `paytm`).
/// Else `BAD_USER_INPUT` on `field`.
pub fn vpa(field: &str, value: &str) -> Result<String, AppError> {
    let v = value.trim().to_ascii_lowercase();
    let ok = v.chars().count() <= MAX_VPA_CHARS
        && v.split_once('@').is_some_and(|(name, handle)| {
            name.chars().next().is_some_and(|c| c.is_ascii_alphanumeric())
                && name.chars().all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_'))
                && handle.len() >= 2
                && handle.chars().next().is_some_and(|c| c.is_ascii_alphabetic())
                && handle.chars().all(|c| c.is_ascii_alphanumeric())
        });
    if !ok {
        return Err(AppError::bad_input(
            field,
            format!(
                "`{field}` must be a UPI address such as `vidarbhafibernet@okaxis`: letters, digits, `.`, `-` or \
                 `_` before the `@`, the bank's or app's handle (letters and digits) after it, at most \
                 {MAX_VPA_CHARS} characters; got \"{}\"",
                value.trim()
            ),
        ));
    }
    Ok(v)
}

/// The `upi://pay` link that pays `paise` to `vpa` (payee name `payee`) for the invoice
/// `number`: `pa`, `pn`, `am` (rupees, two decimals), `tn` (a note the payer sees and the
/// payee's statement shows), `tr` (the reference: the invoice number) and `cu=INR`, each
/// value percent-encoded.
pub fn pay_uri(vpa: &str, payee: &str, paise: i64, number: &str) -> String {
    pay_uri_with(vpa, payee, paise, &format!("Invoice {number}"), number)
}

/// The `upi://pay` link that pays `paise` to `vpa` with the note `note` and the reference
/// `reference` (the walled garden's page: the customer number, for the whole balance).
pub fn pay_uri_with(vpa: &str, payee: &str, paise: i64, note: &str, reference: &str) -> String {
    let amount = crate::money::format_hundredths(paise);
    let params = [("pa", vpa), ("pn", payee), ("am", amount.as_str()), ("tn", note), ("tr", reference), ("cu", "INR")];
    let query: Vec<String> = params.iter().map(|(k, v)| format!("{k}={}", encode(v))).collect();
    format!("upi://pay?{}", query.join("&"))
}

/// How to pay `balance` paise of the invoice `number` by UPI, if anything is owed.
pub fn payment(vpa: &str, payee: &str, balance: i64, number: &str) -> Option<UpiPayment> {
    (balance > 0).then(|| UpiPayment {
        uri: pay_uri(vpa, payee, balance, number),
        vpa: vpa.to_owned(),
        amount_paise: balance,
    })
}

/// `value` percent-encoded for a query string (RFC 3986): letters, digits, `-._~` and `@`
/// (which a UPI address keeps as it is) stay; every other byte of its UTF-8 becomes `%XX`,
/// a space `%20` (never `+`, which some UPI apps show as it is).
pub fn encode(value: &str) -> String {
    let mut out = String::with_capacity(value.len());
    for b in value.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~' | b'@') {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// A QR code as a square of modules, without its quiet zone (leave 4 modules blank around it).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Qr {
    pub width: usize,
    dark: Vec<bool>,
}

impl Qr {
    /// Whether the module in column `x`, row `y` is dark.
    pub fn dark(&self, x: usize, y: usize) -> bool {
        x < self.width && y < self.width && self.dark[y * self.width + x]
    }

    /// The dark modules as horizontal runs `(x, y, length)`, row by row: what the PDF and the
    /// SVG draw (one rectangle per run).
    pub fn runs(&self) -> Vec<(usize, usize, usize)> {
        let mut out = Vec::new();
        for y in 0..self.width {
            let mut x = 0;
            while x < self.width {
                if self.dark(x, y) {
                    let start = x;
                    while x < self.width && self.dark(x, y) {
                        x += 1;
                    }
                    out.push((start, y, x - start));
                } else {
                    x += 1;
                }
            }
        }
        out
    }
}

/// The QR code of `text` as an inline SVG (one rectangle per run of dark modules, a 4-module
/// quiet zone, white behind), labelled for screen readers; `None` if it is too long.
pub fn svg(text: &str) -> Option<String> {
    let code = qr(text)?;
    let size = code.width + 8;
    let mut path = String::new();
    for (x, y, run) in code.runs() {
        path.push_str(&format!("M{} {}h{run}v1h-{run}z", x + 4, y + 4));
    }
    Some(format!(
        "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 {size} {size}\" shape-rendering=\"crispEdges\" \
         role=\"img\" aria-label=\"UPI QR code\"><rect width=\"{size}\" height=\"{size}\" fill=\"#fff\"/>\
         <path fill=\"#000\" d=\"{path}\"/></svg>"
    ))
}

/// The QR code of `text` at error correction level M (15 % of it may be smudged or torn);
/// `None` if it is too long for a QR code (a UPI link never is).
pub fn qr(text: &str) -> Option<Qr> {
    let code = QrCode::with_error_correction_level(text.as_bytes(), EcLevel::M).ok()?;
    let width = code.width();
    let dark = code.to_colors().into_iter().map(|c| c == Color::Dark).collect();
    Some(Qr { width, dark })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_link_follows_the_upi_linking_specification() {
        let uri = pay_uri("vidarbha.fibernet@okaxis", "Vidarbha Fibernet & Sons", 106_200, "INV/26-27/000123");
        assert_eq!(
            uri,
            "upi://pay?pa=vidarbha.fibernet@okaxis&pn=Vidarbha%20Fibernet%20%26%20Sons&am=1062.00\
             &tn=Invoice%20INV%2F26-27%2F000123&tr=INV%2F26-27%2F000123&cu=INR"
        );
    }

    #[test]
    fn amounts_have_two_decimals_and_no_grouping() {
        let am = |paise| {
            let uri = pay_uri("a@ybl", "A", paise, "X1");
            uri.split('&').find_map(|p| p.strip_prefix("am=")).unwrap().to_owned()
        };
        assert_eq!(am(1), "0.01");
        assert_eq!(am(50), "0.50");
        assert_eq!(am(4_900), "49.00");
        assert_eq!(am(12_345_678), "123456.78", "no Indian grouping in a link");
    }

    #[test]
    fn every_reserved_or_non_ascii_character_is_encoded() {
        assert_eq!(encode("a b+c=d&e?f#g%h"), "a%20b%2Bc%3Dd%26e%3Ff%23g%25h");
        assert_eq!(encode("Śrī"), "%C5%9Ar%C4%AB");
        assert_eq!(encode("A-z_0.9~@x"), "A-z_0.9~@x");
        // A payee name cannot smuggle a second parameter into the link.
        let uri = pay_uri("a@ybl", "X&am=1", 10_000, "N");
        assert_eq!(uri.matches("&am=").count(), 1, "{uri}");
    }

    #[test]
    fn nothing_owed_nothing_to_pay() {
        assert!(payment("a@ybl", "A", 0, "N").is_none());
        assert!(payment("a@ybl", "A", -100, "N").is_none(), "an overpaid invoice");
        let p = payment("a@ybl", "A", 4_900, "N").unwrap();
        assert_eq!((p.vpa.as_str(), p.amount_paise), ("a@ybl", 4_900));
        assert!(p.uri.contains("am=49.00"));
    }

    #[test]
    fn upi_addresses_have_the_name_at_handle_shape() {
        assert_eq!(vpa("upiVpa", "  Vidarbha.Fibernet@OKAXIS ").unwrap(), "vidarbha.fibernet@okaxis");
        assert_eq!(vpa("upiVpa", "9822000000-2@ybl").unwrap(), "9822000000-2@ybl");
        for bad in [
            "",
            "vidarbha",
            "@okaxis",
            "vidarbha@",
            "vidarbha@o",
            "a@b@c",
            "vidar bha@okaxis",
            "vidarbha@ok.axis",
            "vidarbha@9ybl",
            ".vidarbha@ybl",
            "vidarbha@ybl&am=1",
            "vidar\nbha@ybl",
            "ऋ@ybl",
        ] {
            let e = vpa("upiVpa", bad).unwrap_err();
            match e {
                AppError::BadInput { field, message } => {
                    assert_eq!(field, "upiVpa");
                    assert!(message.contains("UPI address"), "{message}");
                }
                other => panic!("{bad:?}: {other:?}"),
            }
        }
        assert!(vpa("upiVpa", &format!("{}@ybl", "a".repeat(MAX_VPA_CHARS))).is_err());
    }

    /// The code reads back as the link, as a phone's scanner would read it.
    #[test]
    fn the_qr_code_reads_back_as_the_link() {
        let uri = pay_uri("vidarbha.fibernet@okaxis", "Vidarbha Fibernet", 118_000, "INV/26-27/000123");
        let code = qr(&uri).unwrap();
        assert_eq!(code.width % 4, 1, "a QR code is 17 + 4n modules wide");
        assert_eq!(decode(&code), uri);
        // The runs draw exactly the dark modules.
        let dark = (0..code.width).flat_map(|y| (0..code.width).map(move |x| (x, y))).filter(|&(x, y)| code.dark(x, y));
        let from_runs: usize = code.runs().iter().map(|r| r.2).sum();
        assert_eq!(dark.count(), from_runs);
    }

    /// What a scanner reads from `code`, drawn 4 pixels a module with a 4-module quiet zone.
    pub(crate) fn decode(code: &Qr) -> String {
        let scale = 4;
        let size = (code.width + 8) * scale;
        let mut image = rqrr::PreparedImage::prepare_from_bitmap(size, size, |x, y| {
            let (mx, my) = ((x / scale).wrapping_sub(4), (y / scale).wrapping_sub(4));
            code.dark(mx, my)
        });
        let grids = image.detect_grids();
        assert_eq!(grids.len(), 1, "one QR code");
        grids[0].decode().unwrap().1
    }
}
