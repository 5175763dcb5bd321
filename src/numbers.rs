//! Random business numbers (`PAY` + 12 digits, `TXN` + 12 digits, `RFD` + 12 digits) and
//! inserting a row under a fresh one.

use diesel::result::{DatabaseErrorKind, Error as DieselError};
use diesel::{Connection, QueryResult};
use rand::Rng;

use crate::db::DbConn;
use crate::error::{AppError, AppResult};

/// `prefix` followed by 12 random digits, e.g. `PAY048213950177`.
pub fn random_number(prefix: &str, rng: &mut impl Rng) -> String {
    format!("{prefix}{:012}", rng.random_range(0..1_000_000_000_000u64))
}

/// Inserts a row under a fresh `prefix` number: `insert` gets the number; when the number is
/// taken (a unique violation naming `column`), another is drawn. Other errors, including other
/// unique violations, are returned as they are. On PostgreSQL each try runs in a savepoint,
/// because a failed statement there aborts the whole transaction; on SQLite a failed
/// statement undoes only itself.
pub fn insert_with_fresh_number<T>(
    conn: &mut DbConn,
    prefix: &str,
    column: &str,
    mut insert: impl FnMut(&mut DbConn, String) -> QueryResult<T>,
) -> AppResult<T> {
    let mut rng = rand::rng();
    for _ in 0..20 {
        let number = random_number(prefix, &mut rng);
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_are_the_prefix_and_twelve_digits() {
        let mut rng = rand::rng();
        for _ in 0..100 {
            let n = random_number("PAY", &mut rng);
            assert_eq!(n.len(), 15);
            assert!(n.starts_with("PAY") && n[3..].chars().all(|c| c.is_ascii_digit()), "{n}");
        }
    }
}
