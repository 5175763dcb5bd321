//! Dates and times read from SQLite by hand, for the rows read most (a page of customers,
//! their invoices and the payments on them).
//!
//! SQLite keeps a date as text, and diesel reads it with chrono's pattern parser: `%F` for a
//! date, and for a time each of its patterns in turn until one fits. That was 7.5 % of the
//! server's CPU on a profile page of 100 customers. The text is what diesel wrote
//! (`2026-04-01`, `2026-04-01 09:30:00.123456`) or SQLite's `CURRENT_TIMESTAMP`
//! (`2026-04-01 09:30:00`), read here directly; other text goes to chrono's parsers (a `T`
//! between date and time; an offset, which is taken to UTC). None of that is written here.
//! PostgreSQL sends dates as binary numbers, read by diesel as always.
//!
//! A model's field opts in with `#[diesel(deserialize_as = crate::db::dates::Day)]` (and
//! [`Moment`], [`MaybeDay`], [`MaybeMoment`] for the other shapes); it keeps its chrono type.

use chrono::{NaiveDate, NaiveDateTime, NaiveTime};
use diesel::backend::Backend;
use diesel::deserialize::{self, FromSql, FromSqlRow};
use diesel::pg::Pg;
use diesel::sql_types::{Date, Nullable, Text, Timestamp};
use diesel::sqlite::Sqlite;

use super::connection::{MultiBackend, MultiRawValue};

/// A `DATE` column's value.
#[derive(FromSqlRow)]
pub struct Day(NaiveDate);
/// A `TIMESTAMP` column's value.
#[derive(FromSqlRow)]
pub struct Moment(NaiveDateTime);
/// A nullable `DATE` column's value.
#[derive(FromSqlRow)]
pub struct MaybeDay(Option<NaiveDate>);
/// A nullable `TIMESTAMP` column's value.
#[derive(FromSqlRow)]
pub struct MaybeMoment(Option<NaiveDateTime>);

fn digits(b: &[u8]) -> Option<u32> {
    b.iter().try_fold(0u32, |n, &c| c.is_ascii_digit().then(|| n * 10 + u32::from(c - b'0')))
}

/// `YYYY-MM-DD`.
fn day_of(b: &[u8]) -> Option<NaiveDate> {
    if b.len() != 10 || b[4] != b'-' || b[7] != b'-' {
        return None;
    }
    NaiveDate::from_ymd_opt(digits(&b[..4])? as i32, digits(&b[5..7])?, digits(&b[8..10])?)
}

/// `YYYY-MM-DD HH:MM:SS`, then at most nine digits of a second after a `.`.
fn moment_of(b: &[u8]) -> Option<NaiveDateTime> {
    if b.len() < 19 || b[10] != b' ' || b[13] != b':' || b[16] != b':' {
        return None;
    }
    let nanos = match &b[19..] {
        [] => 0,
        [b'.', fraction @ ..] if (1..=9).contains(&fraction.len()) => {
            digits(fraction)? * 10u32.pow(9 - fraction.len() as u32)
        }
        _ => return None,
    };
    let time = NaiveTime::from_hms_nano_opt(digits(&b[11..13])?, digits(&b[14..16])?, digits(&b[17..19])?, nanos)?;
    Some(day_of(&b[..10])?.and_time(time))
}

fn parse_day(text: &str) -> deserialize::Result<NaiveDate> {
    match day_of(text.as_bytes()) {
        Some(day) => Ok(day),
        None => Ok(NaiveDate::parse_from_str(text, "%F")?),
    }
}

fn parse_moment(text: &str) -> deserialize::Result<NaiveDateTime> {
    if let Some(moment) = moment_of(text.as_bytes()) {
        return Ok(moment);
    }
    // What else SQLite or a hand-written row may hold: ISO 8601 with a `T`, an offset.
    ["%F %T%.f", "%FT%T%.f", "%F %R", "%FT%R"]
        .iter()
        .find_map(|pattern| NaiveDateTime::parse_from_str(text, pattern).ok())
        .or_else(|| chrono::DateTime::parse_from_rfc3339(text).ok().map(|t| t.naive_utc()))
        .ok_or_else(|| format!("`{text}` is not a date and time").into())
}

/// SQLite's text of a value (any storage class reads as text).
fn sqlite_text(value: <Sqlite as Backend>::RawValue<'_>) -> deserialize::Result<String> {
    <String as FromSql<Text, Sqlite>>::from_sql(value)
}

impl FromSql<Date, Sqlite> for Day {
    fn from_sql(value: <Sqlite as Backend>::RawValue<'_>) -> deserialize::Result<Self> {
        parse_day(&sqlite_text(value)?).map(Day)
    }
}

impl FromSql<Timestamp, Sqlite> for Moment {
    fn from_sql(value: <Sqlite as Backend>::RawValue<'_>) -> deserialize::Result<Self> {
        parse_moment(&sqlite_text(value)?).map(Moment)
    }
}

impl FromSql<Date, Pg> for Day {
    fn from_sql(value: <Pg as Backend>::RawValue<'_>) -> deserialize::Result<Self> {
        <NaiveDate as FromSql<Date, Pg>>::from_sql(value).map(Day)
    }
}

impl FromSql<Timestamp, Pg> for Moment {
    fn from_sql(value: <Pg as Backend>::RawValue<'_>) -> deserialize::Result<Self> {
        <NaiveDateTime as FromSql<Timestamp, Pg>>::from_sql(value).map(Moment)
    }
}

impl FromSql<Date, MultiBackend> for Day {
    fn from_sql(value: MultiRawValue<'_>) -> deserialize::Result<Self> {
        value.from_sql::<Day, Date>()
    }
}

impl FromSql<Timestamp, MultiBackend> for Moment {
    fn from_sql(value: MultiRawValue<'_>) -> deserialize::Result<Self> {
        value.from_sql::<Moment, Timestamp>()
    }
}

/// The nullable shapes, on every backend: `None` for NULL, else as their non-null one.
macro_rules! maybe {
    ($maybe:ident($one:ident, $sql:ty), $($db:ty),+) => {$(
        impl FromSql<Nullable<$sql>, $db> for $maybe {
            fn from_sql(value: <$db as Backend>::RawValue<'_>) -> deserialize::Result<Self> {
                <$one as FromSql<$sql, $db>>::from_sql(value).map(|v| $maybe(Some(v.0)))
            }

            fn from_nullable_sql(value: Option<<$db as Backend>::RawValue<'_>>) -> deserialize::Result<Self> {
                value.map_or(Ok($maybe(None)), <Self as FromSql<Nullable<$sql>, $db>>::from_sql)
            }
        }
    )+};
}

maybe!(MaybeDay(Day, Date), Sqlite, Pg, MultiBackend);
maybe!(MaybeMoment(Moment, Timestamp), Sqlite, Pg, MultiBackend);

impl From<Day> for NaiveDate {
    fn from(d: Day) -> NaiveDate {
        d.0
    }
}

impl From<Moment> for NaiveDateTime {
    fn from(m: Moment) -> NaiveDateTime {
        m.0
    }
}

impl From<MaybeDay> for Option<NaiveDate> {
    fn from(d: MaybeDay) -> Option<NaiveDate> {
        d.0
    }
}

impl From<MaybeMoment> for Option<NaiveDateTime> {
    fn from(m: MaybeMoment) -> Option<NaiveDateTime> {
        m.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(s: &str) -> NaiveDateTime {
        NaiveDateTime::parse_from_str(s, "%F %T%.f").unwrap()
    }

    #[test]
    fn reads_what_diesel_and_sqlite_write_as_chrono_does() {
        assert_eq!(parse_day("2026-04-01").unwrap(), NaiveDate::from_ymd_opt(2026, 4, 1).unwrap());
        for text in [
            "2026-04-01 09:30:00",
            "2026-04-01 09:30:00.5",
            "2026-12-07 01:41:01.282114",
            "2024-02-29 23:59:59.999999999",
        ] {
            assert_eq!(moment_of(text.as_bytes()), Some(at(text)), "{text}");
        }
    }

    #[test]
    fn other_shapes_go_to_chrono_and_bad_ones_fail() {
        assert_eq!(parse_moment("2026-04-01T09:30:00").unwrap(), at("2026-04-01 09:30:00"));
        assert_eq!(parse_moment("2026-04-01T09:30:00Z").unwrap(), at("2026-04-01 09:30:00"));
        assert_eq!(parse_moment("2026-04-01 09:30").unwrap(), at("2026-04-01 09:30:00"));
        assert!(moment_of(b"2026-04-01T09:30:00").is_none());
        // chrono's `%F` takes a month or day of one digit, as diesel did.
        assert_eq!(parse_day("2026-4-01").unwrap(), NaiveDate::from_ymd_opt(2026, 4, 1).unwrap());
        for bad in ["2026-02-30", "2026/04/01", "2026-04-01x", "", "２０２６-04-01"] {
            assert!(parse_day(bad).is_err(), "{bad}");
        }
        for bad in ["2026-04-01 24:00:00", "2026-04-01 09:30:00.", "2026-04-01 09:30:00 UTC"] {
            assert!(parse_moment(bad).is_err(), "{bad}");
        }
    }
}
