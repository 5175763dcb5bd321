//! CSV as spreadsheets read it: a header row, LF line ends, fields quoted when they hold a
//! comma, quote or line break, amounts as plain decimals (`1180.00`). Text that a spreadsheet
//! would run as a formula (starting with `=`, `+`, `-`, `@`, tab or carriage return: a customer
//! named `=HYPERLINK(...)` from the public form) is prefixed with `'`.

/// A field quoted when it needs to be.
pub fn quote(text: &str) -> String {
    if text.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", text.replace('"', "\"\""))
    } else {
        text.to_owned()
    }
}

/// A text field: quoted when needed, and never read as a formula.
pub fn text(value: &str) -> String {
    if value.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        quote(&format!("'{value}"))
    } else {
        quote(value)
    }
}

/// An amount in paise as rupees with two decimals.
pub fn money(paise: i64) -> String {
    crate::money::format_hundredths(paise)
}

/// One line: the fields joined by commas, then a line end.
pub fn line(fields: &[String]) -> String {
    let mut out = fields.join(",");
    out.push('\n');
    out
}

/// The header line.
pub fn header(names: &[&str]) -> String {
    let mut out = names.join(",");
    out.push('\n');
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fields_are_quoted_and_formulas_defused() {
        assert_eq!(text("Patil, Asha"), "\"Patil, Asha\"");
        assert_eq!(text("say \"hi\""), "\"say \"\"hi\"\"\"");
        assert_eq!(text("=1+1"), "'=1+1");
        assert_eq!(text("-2"), "'-2");
        assert_eq!(money(-5050), "-50.50");
        assert_eq!(line(&["a".into(), "1.00".into()]), "a,1.00\n");
    }
}
