//! Random business numbers (`PAY`, `TXN`, `RFD` + 12 digits, `CMP` + 10 digits) and inserting
//! a row under a fresh one.

use diesel::result::{DatabaseErrorKind, Error as DieselError};
use diesel::{Connection, QueryResult};
use rand::Rng;

use crate::db::DbConn;
use crate::error::{AppError, AppResult};

/// `prefix` followed by `digits` random digits (at most 18), e.g. `PAY048213950177`.
pub fn random_number(prefix: &str, digits: u32, rng: &mut impl Rng) -> String {
    let digits = digits.min(18);
    let n = rng.random_range(0..10u64.pow(digits));
    format!("{prefix}{n:0width$}", width = digits as usize)
}

/// Inserts a row under a fresh `prefix` number: `insert` gets the number; when the number is
/// taken (a unique violation naming `column`), another is drawn. Other errors, including other
/// unique violations, are returned as they are. On PostgreSQL each try runs in a savepoint,
/// because a failed statement there aborts the whole transaction; on SQLite a failed
/// statement undoes only itself.
pub fn insert_with_fresh_number<T>(
    conn: &mut DbConn,
    prefix: &str,
    digits: u32,
    column: &str,
    mut insert: impl FnMut(&mut DbConn, String) -> QueryResult<T>,
) -> AppResult<T> {
    let mut rng = rand::rng();
    for _ in 0..20 {
        let number = random_number(prefix, digits, &mut rng);
        let attempt = match conn {
            DbConn::Pg(_) => conn.transaction(|c| insert(c, number)),
            DbConn::Sqlite(_) => insert(conn, number),
        };
        match attempt {
            Err(DieselError::DatabaseError(DatabaseErrorKind::UniqueViolation, ref info))
                if info.message().contains(column) || info.constraint_name().is_some_and(|c| c.contains(column)) =>
            {
                continue
            }
            other => return Ok(other?),
        }
    }
    Err(AppError::Internal(format!("no free {prefix} number after 20 draws")))
}

/// Inserts a row under a fresh random number (`prefix` and `digits` digits): `insert(number)`
/// inserts it, or nothing when the number is taken (`ON CONFLICT (column) DO NOTHING`, so no
/// savepoint is needed to go on), and another is drawn.
pub fn insert_under_fresh_number<T>(
    prefix: &str,
    digits: u32,
    mut insert: impl FnMut(String) -> AppResult<Option<T>>,
) -> AppResult<T> {
    let mut rng = rand::rng();
    for _ in 0..20 {
        if let Some(row) = insert(random_number(prefix, digits, &mut rng))? {
            return Ok(row);
        }
    }
    Err(AppError::Internal(format!("no free {prefix} number after 20 draws")))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_are_the_prefix_and_their_digits() {
        let mut rng = rand::rng();
        for _ in 0..100 {
            let n = random_number("PAY", 12, &mut rng);
            assert_eq!(n.len(), 15);
            assert!(n.starts_with("PAY") && n[3..].chars().all(|c| c.is_ascii_digit()), "{n}");
            let c = random_number("CMP", 10, &mut rng);
            assert_eq!(c.len(), 13);
        }
    }
}
