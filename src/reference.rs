//! Reference data: the tables staff keep up by hand (companies, localities, plans; expenses;
//! next payment gateways, NAS devices). Each is created, changed and deleted
//! the same way, inside the caller's transaction: check what the input refers to, write,
//! check the row as written, record the audit entry (`create<Type>`, `update<Type>`,
//! `delete<Type>`). A table says how through [`ReferenceTable`]; unique names and rows in use
//! come back from its repo as `CONFLICT`.

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
    fn id(row: &Self::Row) -> i64;

    /// What a new row refers to must exist (say, its company).
    fn check_new(_conn: &mut DbConn, _new: &Self::New) -> AppResult<()> {
        Ok(())
    }

    /// What a change refers to must exist.
    fn check_changes(_conn: &mut DbConn, _changes: &Self::Changes) -> AppResult<()> {
        Ok(())
    }

    /// Rules on the row as changed, old and new fields together (say, the PIN code must lie
    /// in the state); `changes` tells which field to blame.
    fn check_changed(_row: &Self::Row, _changes: &Self::Changes) -> AppResult<()> {
        Ok(())
    }

    /// The audit entry's details for a new or changed row.
    fn change_details(_row: &Self::Row) -> Option<String> {
        None
    }

    /// The audit entry's details for row `id`, read before it is deleted.
    fn delete_details(_conn: &mut DbConn, _id: i64) -> AppResult<Option<String>> {
        Ok(None)
    }
}

/// Adds a row of `T`.
pub fn create<T: ReferenceTable>(conn: &mut DbConn, new: &T::New, actor: &Actor) -> AppResult<T::Row> {
    T::check_new(conn, new)?;
    let row = T::insert(conn, new)?;
    let target = [ids::encode(T::KIND, T::id(&row))];
    let details = T::change_details(&row);
    crate::audit::repo::record(conn, actor, &format!("create{}", T::KIND), &target, details.as_deref())?;
    Ok(row)
}

/// Changes row `id` of `T`; `NOT_FOUND` when there is none.
pub fn update<T: ReferenceTable>(conn: &mut DbConn, id: i64, changes: &T::Changes, actor: &Actor) -> AppResult<T::Row> {
    T::check_changes(conn, changes)?;
    let row = T::update(conn, id, changes)?;
    T::check_changed(&row, changes)?;
    let target = [ids::encode(T::KIND, id)];
    let details = T::change_details(&row);
    crate::audit::repo::record(conn, actor, &format!("update{}", T::KIND), &target, details.as_deref())?;
    Ok(row)
}

/// Deletes row `id` of `T`; `CONFLICT` while other rows use it.
pub fn delete<T: ReferenceTable>(conn: &mut DbConn, id: i64, actor: &Actor) -> AppResult<()> {
    let details = T::delete_details(conn, id)?;
    T::delete(conn, id)?;
    let target = [ids::encode(T::KIND, id)];
    crate::audit::repo::record(conn, actor, &format!("delete{}", T::KIND), &target, details.as_deref())
}
