//! What an update changed, field by field, for the audit log: `fullName: "Ravi" -> "Ravi Kumar";
//! planId: UGxhbjox -> UGxhbjoy`. Each audited area lists its row's fields once (API names,
//! values as the API shows them: money in rupees, references as IDs); secrets and identity
//! numbers are listed as [`hidden`], so a change to them is noted but their values never are.

use chrono::{NaiveDate, NaiveDateTime};

use crate::ids::{self, Kind};

/// A field's value as the audit log shows it, or a value it must never show.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Shown {
    Plain(String),
    /// Compared in memory, never written: the log says only that it changed.
    Hidden(String),
}

/// A row's audited fields, in the order the log lists changes.
pub type Fields = Vec<(&'static str, Shown)>;

/// A value the log may show.
pub trait Audited {
    fn audited(&self) -> String;
}

impl Audited for String {
    fn audited(&self) -> String {
        // Quoted and escaped: a name with a quote or an address with a line break stays one
        // readable value.
        format!("{self:?}")
    }
}
impl Audited for bool {
    fn audited(&self) -> String {
        self.to_string()
    }
}
impl Audited for i32 {
    fn audited(&self) -> String {
        self.to_string()
    }
}
impl Audited for NaiveDate {
    fn audited(&self) -> String {
        self.to_string()
    }
}
impl Audited for NaiveDateTime {
    fn audited(&self) -> String {
        self.and_utc().to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
    }
}
impl<T: Audited> Audited for Option<T> {
    fn audited(&self) -> String {
        self.as_ref().map_or_else(|| "null".to_owned(), Audited::audited)
    }
}

/// A plain value.
pub fn v<T: Audited>(value: &T) -> Shown {
    Shown::Plain(value.audited())
}

/// A stored enum, by its API name.
pub fn name<T: std::fmt::Display>(value: &T) -> Shown {
    Shown::Plain(value.to_string())
}

/// Paise, shown in rupees.
pub fn money(paise: i64) -> Shown {
    Shown::Plain(crate::money::format_hundredths(paise))
}

/// A reference to another row, shown as its ID.
pub fn id(kind: Kind, key: Option<i64>) -> Shown {
    Shown::Plain(key.map_or_else(|| "null".to_owned(), |k| ids::encode(kind, k)))
}

/// A secret or identity number: a change is noted, the value never written.
pub fn hidden<T: Audited>(value: &T) -> Shown {
    Shown::Hidden(value.audited())
}

/// The changed fields of `before` → `after`, `; `-separated; "no change" when none did.
pub fn describe(before: &Fields, after: &Fields) -> String {
    let changes: Vec<String> = before
        .iter()
        .zip(after)
        .filter(|((_, b), (_, a))| b != a)
        .map(|((field, b), (_, a))| match (b, a) {
            (Shown::Plain(b), Shown::Plain(a)) => format!("{field}: {b} -> {a}"),
            _ => format!("{field}: changed (not recorded)"),
        })
        .collect();
    if changes.is_empty() {
        "no change".to_owned()
    } else {
        changes.join("; ")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_what_changed_and_never_a_hidden_value() {
        let before: Fields = vec![
            ("fullName", v(&"Ravi".to_owned())),
            ("email", v(&None::<String>)),
            ("price", money(49_900)),
            ("idProofNo", hidden(&Some("1234 5678 9012".to_owned()))),
            ("isActive", v(&true)),
        ];
        let after: Fields = vec![
            ("fullName", v(&"Ravi \"RK\" Kumar".to_owned())),
            ("email", v(&Some("ravi@example.in".to_owned()))),
            ("price", money(59_900)),
            ("idProofNo", hidden(&Some("9999 5678 9012".to_owned()))),
            ("isActive", v(&true)),
        ];
        let text = describe(&before, &after);
        assert_eq!(
            text,
            "fullName: \"Ravi\" -> \"Ravi \\\"RK\\\" Kumar\"; email: null -> \"ravi@example.in\"; \
             price: 499.00 -> 599.00; idProofNo: changed (not recorded)"
        );
        assert!(!text.contains("9012"));
        assert_eq!(describe(&before, &before), "no change");
    }
}
