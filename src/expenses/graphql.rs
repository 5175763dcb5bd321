//! GraphQL types and root fields for expenses (ADMIN, MANAGER).

use async_graphql::{Context, InputObject, MaybeUndefined, Object, Result, ID};

use super::model::{ExpenseCategory, ExpenseChanges, ExpenseFilter, ExpenseRow, NewExpense};
use super::repo;
use super::service::Expenses;
use crate::audit::Actor;
use crate::auth::guard::{principal, Require};
use crate::auth::permissions::Permission;
use crate::companies::graphql::Company;
use crate::employees::graphql::StaffContact;
use crate::error::{AppError, AppResult};
use crate::graphql::context::{db, now, optional_change};
use crate::graphql::ids::{expect_id, global_id};
use crate::graphql::loaders::load;
use crate::graphql::pagination::{connection, page_cost, PageArgs, PageConnection};
use crate::graphql::scalars::{Date, DateTime, Money};
use crate::reference;
use crate::validate;

crate::by_id_key! {
    /// The id of one of the expenses, for the batched lookup by id.
    ExpenseId => ExpenseRow, super::repo::by_ids
}

/// Money the operator spent: bandwidth, salaries, rent and the like.
pub struct Expense(pub ExpenseRow);

impl Expense {
    pub const KIND: crate::ids::Kind = crate::ids::Kind::Expense;

    /// The expense with row id `key`, through the request's batch loader.
    pub async fn load(ctx: &Context<'_>, key: i64) -> Result<Option<Expense>> {
        Ok(load(ctx, ExpenseId(key)).await?.map(Expense))
    }
}

#[Object]
impl Expense {
    /// Opaque ID, unique across all types.
    pub async fn id(&self) -> ID {
        global_id(Self::KIND, self.0.id)
    }
    async fn category(&self) -> ExpenseCategory {
        self.0.category
    }
    /// How much was spent (more than zero).
    async fn amount(&self) -> Money {
        Money(self.0.amount_paise)
    }
    /// The business date it was spent on; dashboards and reports count it in this date's month.
    async fn date(&self) -> Date {
        Date(self.0.expense_date)
    }
    /// Who paid it, as written (a name, "bank transfer", a cheque number).
    async fn paid_by(&self) -> Option<&str> {
        self.0.paid_by.as_deref()
    }
    async fn notes(&self) -> Option<&str> {
        self.0.notes.as_deref()
    }
    /// The company that spent it.
    async fn company(&self, ctx: &Context<'_>) -> Result<Company> {
        Company::load(ctx, self.0.company_id)
            .await?
            .ok_or_else(|| AppError::Internal(format!("expense {} has no company", self.0.id)).into())
    }
    /// The staff member who recorded it.
    async fn recorded_by(&self, ctx: &Context<'_>) -> Result<Option<StaffContact>> {
        StaffContact::load(ctx, self.0.created_by).await
    }
    async fn created_at(&self) -> DateTime {
        DateTime(self.0.created_at)
    }
    async fn updated_at(&self) -> DateTime {
        DateTime(self.0.updated_at)
    }
}

/// Narrows `expenses`; dates are expense dates, both ends included.
#[derive(InputObject, Default)]
pub struct ExpenseFilterInput {
    pub company_id: Option<ID>,
    pub category: Option<ExpenseCategory>,
    pub from: Option<Date>,
    pub to: Option<Date>,
}

impl ExpenseFilterInput {
    fn into_filter(self) -> AppResult<ExpenseFilter> {
        Ok(ExpenseFilter {
            company_id: self.company_id.map(|id| expect_id("filter.companyId", Company::KIND, &id)).transpose()?,
            category: self.category,
            from: self.from.map(|d| d.0),
            to: self.to.map(|d| d.0),
        })
    }
}

/// A new expense.
#[derive(InputObject)]
pub struct CreateExpenseInput {
    /// The company that spent it.
    pub company_id: ID,
    pub category: ExpenseCategory,
    /// More than zero, at most ₹1 crore.
    pub amount: Money,
    /// The business date it was spent on; today when left out.
    pub date: Option<Date>,
    /// Who paid it (up to 120 characters).
    pub paid_by: Option<String>,
    /// Up to 1,000 characters, several lines allowed.
    pub notes: Option<String>,
}

/// Changes to an expense: leave a field out to keep it, send `null` to clear an optional one.
#[derive(InputObject)]
pub struct UpdateExpenseInput {
    pub company_id: Option<ID>,
    pub category: Option<ExpenseCategory>,
    pub amount: Option<Money>,
    pub date: Option<Date>,
    pub paid_by: MaybeUndefined<String>,
    pub notes: MaybeUndefined<String>,
}

fn amount(paise: i64) -> AppResult<i64> {
    if paise <= 0 {
        return Err(AppError::bad_input("amount", "`amount` must be more than zero"));
    }
    validate::non_negative_paise("amount", paise)
}

impl CreateExpenseInput {
    fn validate(self, recorded_by: Option<i64>) -> AppResult<NewExpense> {
        let now = now();
        Ok(NewExpense {
            company_id: expect_id("companyId", Company::KIND, &self.company_id)?,
            category: self.category,
            amount_paise: amount(self.amount.0)?,
            expense_date: self.date.map_or_else(crate::clock::today, |d| d.0),
            paid_by: validate::optional_text("paidBy", self.paid_by.as_deref(), 120)?,
            notes: validate::optional_multiline("notes", self.notes.as_deref(), 1000)?,
            created_by: recorded_by,
            created_at: now,
            updated_at: now,
        })
    }
}

impl UpdateExpenseInput {
    fn validate(self) -> AppResult<ExpenseChanges> {
        Ok(ExpenseChanges {
            company_id: self.company_id.map(|id| expect_id("companyId", Company::KIND, &id)).transpose()?,
            category: self.category,
            amount_paise: self.amount.map(|a| amount(a.0)).transpose()?,
            expense_date: self.date.map(|d| d.0),
            paid_by: optional_change(self.paid_by, |v| validate::required_text("paidBy", &v, 120))?,
            notes: optional_change(self.notes, |v| validate::required_multiline("notes", &v, 1000))?,
            updated_at: now(),
        })
    }
}

#[derive(Default)]
pub struct ExpenseQuery;

#[Object]
impl ExpenseQuery {
    /// Expenses in the order they were recorded, paged; `totalCount` counts all matches.
    #[graphql(guard = "Require(Permission::ManageExpenses)", complexity = "page_cost(first, last, child_complexity)")]
    async fn expenses(
        &self,
        ctx: &Context<'_>,
        filter: Option<ExpenseFilterInput>,
        first: Option<i32>,
        after: Option<String>,
        last: Option<i32>,
        before: Option<String>,
    ) -> Result<PageConnection<Expense>> {
        let window = PageArgs::new(first, after, last, before).window()?;
        let filter = filter.unwrap_or_default().into_filter()?;
        let page = db(ctx).read(move |conn| repo::page(conn, &filter, window)).await?;
        Ok(connection(page, |row| row.id, Expense))
    }

    /// One expense by ID; `null` if there is none.
    #[graphql(guard = "Require(Permission::ManageExpenses)")]
    async fn expense(&self, ctx: &Context<'_>, id: ID) -> Result<Option<Expense>> {
        Expense::load(ctx, expect_id("id", Expense::KIND, &id)?).await
    }
}

#[derive(Default)]
pub struct ExpenseMutation;

#[Object]
impl ExpenseMutation {
    /// Records an expense (audited). `BAD_USER_INPUT` naming the field for an unknown company
    /// or an amount that is not more than zero.
    #[graphql(guard = "Require(Permission::ManageExpenses)")]
    async fn create_expense(&self, ctx: &Context<'_>, input: CreateExpenseInput) -> Result<Expense> {
        let actor = Actor::from(principal(ctx)?);
        let new = input.validate(actor.employee_id())?;
        let row = db(ctx).write(move |conn| reference::create::<Expenses>(conn, &new, &actor)).await?;
        Ok(Expense(row))
    }

    /// Changes an expense (audited). `NOT_FOUND` for an unknown ID.
    #[graphql(guard = "Require(Permission::ManageExpenses)")]
    async fn update_expense(&self, ctx: &Context<'_>, id: ID, input: UpdateExpenseInput) -> Result<Expense> {
        let key = expect_id("id", Expense::KIND, &id)?;
        let actor = Actor::from(principal(ctx)?);
        let changes = input.validate()?;
        let row = db(ctx).write(move |conn| reference::update::<Expenses>(conn, key, &changes, &actor)).await?;
        Ok(Expense(row))
    }

    /// Deletes an expense; the audit log keeps what it was. Returns its ID.
    #[graphql(guard = "Require(Permission::ManageExpenses)")]
    async fn delete_expense(&self, ctx: &Context<'_>, id: ID) -> Result<ID> {
        let key = expect_id("id", Expense::KIND, &id)?;
        let actor = Actor::from(principal(ctx)?);
        db(ctx).write(move |conn| reference::delete::<Expenses>(conn, key, &actor)).await?;
        Ok(id)
    }
}
