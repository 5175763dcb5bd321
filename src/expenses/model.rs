use chrono::{NaiveDate, NaiveDateTime};
use diesel::prelude::*;

use crate::db::schema::expenses;
use crate::text_enum;

text_enum! {
    /// What an expense was for.
    pub enum ExpenseCategory {
        /// Upstream internet capacity, leased lines.
        Bandwidth => "BANDWIDTH",
        Salary => "SALARY",
        Rent => "RENT",
        /// Routers, ONTs, set-top boxes, cable, switches.
        Equipment => "EQUIPMENT",
        Electricity => "ELECTRICITY",
        /// Repairs and upkeep of the network.
        Maintenance => "MAINTENANCE",
        Other => "OTHER",
    }
}

crate::row_and_new! {
    table = expenses;

    /// A row of `expenses`; the amount in paise, the date a business date.
    #[derive(Debug, Clone, Queryable)]
    pub struct ExpenseRow {
        pub id: i64,
        ..NewExpense
    }

    #[derive(Debug, Clone, Insertable)]
    #[diesel(treat_none_as_default_value = false)]
    pub struct NewExpense {
        pub company_id: i64,
        pub category: ExpenseCategory,
        pub amount_paise: i64,
        pub expense_date: NaiveDate,
        pub paid_by: Option<String>,
        pub notes: Option<String>,
        pub created_by: Option<i64>,
        pub created_at: NaiveDateTime,
        pub updated_at: NaiveDateTime,
    }
}

/// Changes to an expense: `None` leaves a column alone, `Some(None)` clears it.
#[derive(Debug, Clone, AsChangeset)]
#[diesel(table_name = expenses)]
pub struct ExpenseChanges {
    pub company_id: Option<i64>,
    pub category: Option<ExpenseCategory>,
    pub amount_paise: Option<i64>,
    pub expense_date: Option<NaiveDate>,
    pub paid_by: Option<Option<String>>,
    pub notes: Option<Option<String>>,
    pub updated_at: NaiveDateTime,
}

/// What `expenses(filter:)` narrows by; dates are expense dates, both ends inclusive.
#[derive(Debug, Clone, Default)]
pub struct ExpenseFilter {
    pub company_id: Option<i64>,
    pub category: Option<ExpenseCategory>,
    pub from: Option<NaiveDate>,
    pub to: Option<NaiveDate>,
}

impl ExpenseRow {
    /// The fields `updateExpense` records from → to.
    pub fn audit_fields(&self) -> crate::audit::diff::Fields {
        use crate::audit::diff::{id, money, name, v};
        vec![
            ("companyId", id(crate::ids::Kind::Company, Some(self.company_id))),
            ("category", name(&self.category)),
            ("amount", money(self.amount_paise)),
            ("date", v(&self.expense_date)),
            ("paidBy", v(&self.paid_by)),
            ("notes", v(&self.notes)),
        ]
    }
}
