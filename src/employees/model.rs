use crate::auth::Role;
use chrono::NaiveDateTime;
use diesel::prelude::*;

use crate::db::schema::employees;
use crate::db::MultiBackend;

/// A row of `employees` as every read takes it: each column but the password's
/// (`password_hash`, `password_changed_at`), which only login and a password change touch
/// (`crate::auth::repo`, `repo::set_password`). `role` holds a [`crate::auth::Role`] name. Read
/// with `.select(EmployeeRow::columns())`.
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = employees)]
pub struct EmployeeRow {
    pub id: i64,
    pub username: String,
    pub full_name: String,
    pub mobile: Option<String>,
    pub email: Option<String>,
    pub role: Role,
    pub is_active: bool,
    #[diesel(deserialize_as = crate::db::dates::Moment)]
    pub created_at: NaiveDateTime,
    #[diesel(deserialize_as = crate::db::dates::Moment)]
    pub updated_at: NaiveDateTime,
}

/// What customers and other staff see of a staff member (`StaffContact`): three columns of
/// `employees`, read instead of the whole row for a customer's collector, a payment's
/// recorder, ...
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = employees)]
pub struct ContactRow {
    pub id: i64,
    pub full_name: String,
    pub mobile: Option<String>,
}

impl ContactRow {
    /// Its columns, as `Selectable` names them, for any connection.
    pub fn columns() -> <ContactRow as Selectable<MultiBackend>>::SelectExpression {
        <ContactRow as Selectable<MultiBackend>>::construct_selection()
    }
}

#[derive(Debug, Insertable)]
#[diesel(table_name = employees)]
// `None` is NULL, not DEFAULT: that lets SQLite insert many rows in one statement.
#[diesel(treat_none_as_default_value = false)]
pub struct NewEmployee {
    pub username: String,
    pub full_name: String,
    pub mobile: Option<String>,
    pub email: Option<String>,
    pub role: Role,
    pub is_active: bool,
    pub password_hash: String,
    pub password_changed_at: NaiveDateTime,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

impl EmployeeRow {
    /// The row's columns in its order, as `Selectable` names them: for `select` and
    /// `returning` on any connection (`as_select()` is bound to one backend).
    pub fn columns() -> <EmployeeRow as Selectable<MultiBackend>>::SelectExpression {
        <EmployeeRow as Selectable<MultiBackend>>::construct_selection()
    }
}

/// Changes to an employee: `None` leaves a column alone, `Some(None)` clears it.
#[derive(Debug, Clone, AsChangeset)]
#[diesel(table_name = employees)]
pub struct EmployeeChanges {
    pub full_name: Option<String>,
    pub mobile: Option<Option<String>>,
    pub email: Option<Option<String>>,
    pub role: Option<Role>,
    pub is_active: Option<bool>,
    pub updated_at: NaiveDateTime,
}

/// What `employees(filter:)` narrows by.
#[derive(Debug, Default, Clone)]
pub struct EmployeeFilter {
    pub role: Option<Role>,
    pub is_active: Option<bool>,
    /// Case-insensitive part of the username or name.
    pub search: Option<String>,
}

impl EmployeeRow {
    /// The fields `updateEmployee` records from → to (never the password).
    pub fn audit_fields(&self) -> crate::audit::diff::Fields {
        use crate::audit::diff::{name, v};
        vec![
            ("fullName", v(&self.full_name)),
            ("mobile", v(&self.mobile)),
            ("email", v(&self.email)),
            ("role", name(&self.role)),
            ("isActive", v(&self.is_active)),
        ]
    }
}
