//! GraphQL types and root fields for staff accounts (ADMIN only, except reading oneself).

use async_graphql::{Context, InputObject, MaybeUndefined, Object, Result, ID};

use super::model::{ContactRow, EmployeeChanges, EmployeeFilter, EmployeeRow, NewEmployee};
use super::repo;
use crate::audit::Actor;
use crate::auth::guard::principal;
use crate::auth::guard::{require, Require};
use crate::auth::permissions::Permission;
use crate::auth::{model::EMPLOYEE, password, Principal, Role};
use crate::error::{AppError, AppResult};
use crate::graphql::context::{db, now, optional_change};
use crate::graphql::ids::{expect_id, global_id};
use crate::graphql::loaders::load;
use crate::graphql::pagination::{connection, page_cost, PageArgs, PageConnection};
use crate::graphql::scalars::DateTime;
use crate::validate;

crate::by_id_key! {
    /// The id of one of the staff members, for the batched lookup by id.
    EmployeeId => EmployeeRow, super::repo::by_ids
}

crate::by_id_key! {
    /// The id of one of the staff members, for the batched lookup of their public face.
    ContactId => ContactRow, super::repo::contacts_by_ids
}

/// A staff account. Its password is write-only: no field returns it or its hash.
pub struct Employee(pub EmployeeRow);

impl Employee {
    pub const KIND: crate::ids::Kind = crate::ids::Kind::Employee;

    /// The employee with row id `key`, through the request's batch loader.
    pub async fn load(ctx: &Context<'_>, key: i64) -> Result<Option<Employee>> {
        Ok(load(ctx, EmployeeId(key)).await?.map(Employee))
    }

    /// Whether the caller may read employee `key`: staff managers, or the employee themself.
    pub fn readable_by(ctx: &Context<'_>, key: i64) -> AppResult<()> {
        match principal(ctx)? {
            Principal::Employee { id, .. } if *id == key => Ok(()),
            _ => require(ctx, Permission::ManageStaff).map(|_| ()),
        }
    }
}

#[Object]
impl Employee {
    /// Opaque ID, unique across all types.
    pub async fn id(&self) -> ID {
        global_id(Self::KIND, self.0.id)
    }
    /// Login name, unique ignoring case.
    async fn username(&self) -> &str {
        &self.0.username
    }
    async fn full_name(&self) -> &str {
        &self.0.full_name
    }
    async fn mobile(&self) -> Option<&str> {
        self.0.mobile.as_deref()
    }
    async fn email(&self) -> Option<&str> {
        self.0.email.as_deref()
    }
    /// What the employee may do; see the permission matrix in the README.
    async fn role(&self) -> Result<Role> {
        Ok(self.0.role)
    }
    /// Deactivated accounts cannot log in, and their tokens stop working at once.
    async fn is_active(&self) -> bool {
        self.0.is_active
    }
    async fn created_at(&self) -> DateTime {
        DateTime(self.0.created_at)
    }
    async fn updated_at(&self) -> DateTime {
        DateTime(self.0.updated_at)
    }
}

/// The public face of a staff member, as customers and other staff see it on a customer
/// (`assignedEmployee`) or a payment (`collectedBy`): no username, role or account state.
pub struct StaffContact(pub ContactRow);

impl StaffContact {
    /// The staff member with row id `key` (a row's optional `createdBy`, `collectedBy`, ...),
    /// through the request's batch loader.
    pub async fn load(ctx: &Context<'_>, key: Option<i64>) -> Result<Option<StaffContact>> {
        match key {
            Some(id) => Ok(load(ctx, ContactId(id)).await?.map(StaffContact)),
            None => Ok(None),
        }
    }
}

#[Object]
impl StaffContact {
    /// The employee's ID (ADMINs can open the full account with `employee(id:)`).
    async fn id(&self) -> ID {
        global_id(Employee::KIND, self.0.id)
    }
    async fn full_name(&self) -> &str {
        &self.0.full_name
    }
    /// Work mobile, so a customer can reach their collector.
    async fn mobile(&self) -> Option<&str> {
        self.0.mobile.as_deref()
    }
}

/// Narrows `employees`.
#[derive(InputObject, Default)]
pub struct EmployeeFilterInput {
    pub role: Option<Role>,
    pub is_active: Option<bool>,
    /// Part of the username or full name, any case.
    pub search: Option<String>,
}

/// A new staff account.
#[derive(InputObject)]
pub struct CreateEmployeeInput {
    /// Login name: 3 to 40 letters, digits, `.`, `_` or `-`; unique ignoring case.
    pub username: String,
    pub full_name: String,
    pub mobile: Option<String>,
    pub email: Option<String>,
    pub role: Role,
    /// At least 8 characters, not the username. Stored only as an argon2id hash.
    #[graphql(secret)]
    pub password: String,
}

/// Changes to a staff account: leave a field out to keep it, `null` clears an optional one.
/// Deactivating (`isActive: false`) ends the account's sessions at once.
#[derive(InputObject)]
pub struct UpdateEmployeeInput {
    pub full_name: Option<String>,
    pub mobile: MaybeUndefined<String>,
    pub email: MaybeUndefined<String>,
    pub role: Option<Role>,
    pub is_active: Option<bool>,
}

/// A checked username: trimmed, 3 to 40 of `[A-Za-z0-9._-]`.
pub fn username(field: &str, value: &str) -> AppResult<String> {
    let v = value.trim();
    let ok = (3..=40).contains(&v.len()) && v.bytes().all(|b| b.is_ascii_alphanumeric() || b"._-".contains(&b));
    if !ok {
        return Err(AppError::bad_input(
            field,
            format!("`{field}` must be 3 to 40 letters, digits, dots, dashes or underscores"),
        ));
    }
    Ok(v.to_owned())
}

impl UpdateEmployeeInput {
    fn validate(self) -> AppResult<EmployeeChanges> {
        Ok(EmployeeChanges {
            full_name: self.full_name.map(|n| validate::required_text("fullName", &n, 120)).transpose()?,
            mobile: optional_change(self.mobile, |m| validate::phone("mobile", &m))?,
            email: optional_change(self.email, |e| validate::email("email", &e))?,
            role: self.role,
            is_active: self.is_active,
            updated_at: now(),
        })
    }
}

#[derive(Default)]
pub struct EmployeeQuery;

#[Object]
impl EmployeeQuery {
    /// Staff accounts in creation order, paged. ADMIN only.
    #[graphql(guard = "Require(Permission::ManageStaff)", complexity = "page_cost(first, last, child_complexity)")]
    async fn employees(
        &self,
        ctx: &Context<'_>,
        filter: Option<EmployeeFilterInput>,
        first: Option<i32>,
        after: Option<String>,
        last: Option<i32>,
        before: Option<String>,
    ) -> Result<PageConnection<Employee>> {
        let window = PageArgs::new(first, after, last, before).window()?;
        let filter = filter.unwrap_or_default();
        let filter = EmployeeFilter {
            role: filter.role,
            is_active: filter.is_active,
            search: crate::validate::search(filter.search)?,
        };
        let page = db(ctx).read(move |conn| repo::page(conn, &filter, window)).await?;
        Ok(connection(page, |row| row.id, Employee))
    }

    /// One staff account by ID (ADMIN, or the employee themself); `null` if there is none.
    async fn employee(&self, ctx: &Context<'_>, id: ID) -> Result<Option<Employee>> {
        let key = expect_id("id", Employee::KIND, &id)?;
        Employee::readable_by(ctx, key)?;
        Employee::load(ctx, key).await
    }
}

#[derive(Default)]
pub struct EmployeeMutation;

#[Object]
impl EmployeeMutation {
    /// Creates a staff account. `CONFLICT` when the username is taken. ADMIN only.
    #[graphql(guard = "Require(Permission::ManageStaff)")]
    async fn create_employee(&self, ctx: &Context<'_>, input: CreateEmployeeInput) -> Result<Employee> {
        let actor = Actor::from(principal(ctx)?);
        let username = username("username", &input.username)?;
        let full_name = validate::required_text("fullName", &input.full_name, 120)?;
        let mobile = input.mobile.as_deref().map(|m| validate::phone("mobile", m)).transpose()?;
        let email = input.email.as_deref().map(|e| validate::email("email", e)).transpose()?;
        password::check_policy("password", &input.password, &username)?;
        let password_hash = password::hash(input.password).await?;
        let now = now();
        let new = NewEmployee {
            username,
            full_name,
            mobile,
            email,
            role: input.role,
            is_active: true,
            password_hash,
            password_changed_at: now,
            created_at: now,
            updated_at: now,
        };
        let row = db(ctx)
            .write(move |conn| {
                crate::db::lock_key(conn, &format!("username:{}", new.username.to_lowercase()))?;
                if crate::customers::repo::username_taken(conn, &new.username)? {
                    return Err(AppError::Conflict(format!("the username \"{}\" is taken", new.username)));
                }
                let row = repo::insert(conn, &new)?;
                let id = crate::ids::encode(Employee::KIND, row.id);
                crate::audit::repo::record(conn, &actor, "createEmployee", &[id], Some(row.role.as_str()))?;
                Ok(row)
            })
            .await?;
        Ok(Employee(row))
    }

    /// Changes a staff account. Deactivating it ends its sessions; the last active ADMIN cannot
    /// be deactivated or given another role (`CONFLICT`). ADMIN only.
    #[graphql(guard = "Require(Permission::ManageStaff)")]
    async fn update_employee(&self, ctx: &Context<'_>, id: ID, input: UpdateEmployeeInput) -> Result<Employee> {
        let actor = Actor::from(principal(ctx)?);
        let key = expect_id("id", Employee::KIND, &id)?;
        let changes = input.validate()?;
        let row = db(ctx)
            .write(move |conn| {
                // Two admins demoting each other at once must not both pass the check below.
                crate::db::lock_key(conn, "employees:admins")?;
                let before = repo::find(conn, key)?;
                let loses_admin = before.role == Role::Admin
                    && before.is_active
                    && (changes.is_active == Some(false) || changes.role.is_some_and(|r| r != Role::Admin));
                if loses_admin && repo::other_active_admins(conn, key)? == 0 {
                    return Err(AppError::Conflict("this is the last active ADMIN; make another ADMIN first".into()));
                }
                let row = repo::update(conn, key, &changes)?;
                if !row.is_active {
                    crate::auth::repo::revoke_all(conn, EMPLOYEE, key, now())?;
                }
                let details = crate::audit::diff::describe(&before.audit_fields(), &row.audit_fields());
                crate::audit::repo::record(
                    conn,
                    &actor,
                    "updateEmployee",
                    &[crate::ids::encode(Employee::KIND, key)],
                    Some(&details),
                )?;
                Ok(row)
            })
            .await?;
        Ok(Employee(row))
    }

    /// Sets a staff member's password (they forgot it) and ends their sessions. ADMIN only.
    #[graphql(guard = "Require(Permission::ManageStaff)")]
    async fn reset_employee_password(
        &self,
        ctx: &Context<'_>,
        id: ID,
        #[graphql(secret)] new_password: String,
    ) -> Result<Employee> {
        let actor = Actor::from(principal(ctx)?);
        let key = expect_id("id", Employee::KIND, &id)?;
        let target = db(ctx).read(move |conn| repo::find(conn, key)).await?;
        password::check_policy("newPassword", &new_password, &target.username)?;
        let hash = password::hash(new_password).await?;
        let row = db(ctx)
            .write(move |conn| {
                let now = now();
                repo::set_password(conn, key, &hash, now)?;
                crate::auth::repo::revoke_all(conn, EMPLOYEE, key, now)?;
                crate::audit::repo::record(
                    conn,
                    &actor,
                    "resetEmployeePassword",
                    &[crate::ids::encode(Employee::KIND, key)],
                    None,
                )?;
                repo::find(conn, key)
            })
            .await?;
        Ok(Employee(row))
    }
}
