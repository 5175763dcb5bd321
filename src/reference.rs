//! Reference data: the tables staff keep up by hand (companies, localities, plans; expenses;
//! next payment gateways, NAS devices). Each is created, changed and deleted
//! the same way, inside the caller's transaction: check what the input refers to, write,
//! check the row as written, record the audit entry (`create<Type>`, `update<Type>`,
//! `delete<Type>`). A table says how through [`ReferenceTable`], declared with
//! [`reference_table!`]; unique names and rows in use come back from its repo as `CONFLICT`.

use crate::audit::Actor;
use crate::db::DbConn;
use crate::error::AppResult;
use crate::ids::{self, Kind};

/// One table of reference data.
pub trait ReferenceTable {
    /// The type's name in IDs and in the audit log's operations.
    const KIND: Kind;
    type Row;
    type New;
    type Changes;

    fn insert(conn: &mut DbConn, new: &Self::New) -> AppResult<Self::Row>;
    fn update(conn: &mut DbConn, id: i64, changes: &Self::Changes) -> AppResult<Self::Row>;
    fn delete(conn: &mut DbConn, id: i64) -> AppResult<()>;
    /// Row `id`, or `NOT_FOUND`.
    fn find(conn: &mut DbConn, id: i64) -> AppResult<Self::Row>;
    fn id(row: &Self::Row) -> i64;
    /// The fields an update records from → to (secrets hidden).
    fn audit_fields(row: &Self::Row) -> crate::audit::diff::Fields;

    /// What a new row refers to must exist (say, its company).
    fn check_new(_conn: &mut DbConn, _new: &Self::New) -> AppResult<()> {
        Ok(())
    }

    /// What a change refers to must exist.
    fn check_changes(_conn: &mut DbConn, _changes: &Self::Changes) -> AppResult<()> {
        Ok(())
    }

    /// Rules on the row just inserted or changed that need the database (say, no other row
    /// may hold the same prefix).
    fn check_written(_conn: &mut DbConn, _row: &Self::Row) -> AppResult<()> {
        Ok(())
    }

    /// Rules on the row as changed, old and new fields together (say, the PIN code must lie
    /// in the state); `changes` tells which field to blame.
    fn check_changed(_row: &Self::Row, _changes: &Self::Changes) -> AppResult<()> {
        Ok(())
    }

    /// The audit entry's details for a new row.
    fn change_details(_row: &Self::Row) -> Option<String> {
        None
    }

    /// The audit entry's details for row `id`, read before it is deleted.
    fn delete_details(_conn: &mut DbConn, _id: i64) -> AppResult<Option<String>> {
        Ok(None)
    }
}

/// Declares a reference table: a unit struct and its [`ReferenceTable`] impl, whose `insert`,
/// `update` and `delete` are those of the given repo module and whose rows' `id` field is their
/// ID, whose `find` is the repo's and whose audited fields are the row's `audit_fields()`. The
/// table's own checks and audit details follow, as the impl's remaining items.
#[macro_export]
macro_rules! reference_table {
    (
        $(#[$meta:meta])*
        $vis:vis struct $name:ident {
            kind: $kind:ident,
            repo: $($repo:ident)::+,
            row: $row:ty,
            new: $new:ty,
            changes: $changes:ty $(,)?
        }
        $($items:tt)*
    ) => {
        $(#[$meta])*
        $vis struct $name;

        impl $crate::reference::ReferenceTable for $name {
            const KIND: $crate::ids::Kind = $crate::ids::Kind::$kind;
            type Row = $row;
            type New = $new;
            type Changes = $changes;

            fn insert(conn: &mut $crate::db::DbConn, new: &$new) -> $crate::error::AppResult<$row> {
                $($repo)::+::insert(conn, new)
            }

            fn update(conn: &mut $crate::db::DbConn, id: i64, changes: &$changes) -> $crate::error::AppResult<$row> {
                $($repo)::+::update(conn, id, changes)
            }

            fn delete(conn: &mut $crate::db::DbConn, id: i64) -> $crate::error::AppResult<()> {
                $($repo)::+::delete(conn, id)
            }

            fn find(conn: &mut $crate::db::DbConn, id: i64) -> $crate::error::AppResult<$row> {
                $($repo)::+::find(conn, id)
            }

            fn id(row: &$row) -> i64 {
                row.id
            }

            fn audit_fields(row: &$row) -> $crate::audit::diff::Fields {
                row.audit_fields()
            }

            $($items)*
        }
    };
}

/// Adds a row of `T`.
pub fn create<T: ReferenceTable>(conn: &mut DbConn, new: &T::New, actor: &Actor) -> AppResult<T::Row> {
    T::check_new(conn, new)?;
    let row = T::insert(conn, new)?;
    T::check_written(conn, &row)?;
    let target = [ids::encode(T::KIND, T::id(&row))];
    let details = T::change_details(&row);
    crate::audit::repo::record(conn, actor, &format!("create{}", T::KIND), &target, details.as_deref())?;
    Ok(row)
}

/// Changes row `id` of `T`; `NOT_FOUND` when there is none. The audit entry lists each changed
/// field from → to ([`crate::audit::diff`]).
pub fn update<T: ReferenceTable>(conn: &mut DbConn, id: i64, changes: &T::Changes, actor: &Actor) -> AppResult<T::Row> {
    T::check_changes(conn, changes)?;
    let before = T::find(conn, id)?;
    let row = T::update(conn, id, changes)?;
    T::check_written(conn, &row)?;
    T::check_changed(&row, changes)?;
    let target = [ids::encode(T::KIND, id)];
    let details = crate::audit::diff::describe(&T::audit_fields(&before), &T::audit_fields(&row));
    crate::audit::repo::record(conn, actor, &format!("update{}", T::KIND), &target, Some(&details))?;
    Ok(row)
}

/// Deletes row `id` of `T`; `CONFLICT` while other rows use it.
pub fn delete<T: ReferenceTable>(conn: &mut DbConn, id: i64, actor: &Actor) -> AppResult<()> {
    let details = T::delete_details(conn, id)?;
    T::delete(conn, id)?;
    let target = [ids::encode(T::KIND, id)];
    crate::audit::repo::record(conn, actor, &format!("delete{}", T::KIND), &target, details.as_deref())
}
