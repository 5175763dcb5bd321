use crate::enums::ServiceType;
use chrono::NaiveDateTime;
use diesel::prelude::*;

use crate::db::schema::plans;

crate::row_and_new! {
    table = plans;

    /// A row of `plans`. `service_type` holds a [`crate::enums::ServiceType`] name.
    #[derive(Debug, Clone, Queryable, Selectable)]
    pub struct PlanRow {
        pub id: i64,
        ..NewPlan,
        /// Upload speed in kbit/s sent to the network (`crate::network`); `None`: no limit.
        pub upload_kbps: Option<i32>,
        /// Download speed in kbit/s; `None`: no limit.
        pub download_kbps: Option<i32>,
    }

    #[derive(Debug, Insertable)]
    // `None` is NULL, not DEFAULT: that lets SQLite insert many rows in one statement.
    #[diesel(treat_none_as_default_value = false)]
    pub struct NewPlan {
        pub company_id: i64,
        pub name: String,
        pub description: Option<String>,
        pub service_type: ServiceType,
        pub speed: Option<String>,
        pub data_limit: Option<String>,
        /// Price for one billing month, before tax, in paise.
        pub price_paise: i64,
        pub validity_days: i32,
        pub is_active: bool,
        #[diesel(deserialize_as = crate::db::dates::Moment)]
        pub created_at: NaiveDateTime,
        #[diesel(deserialize_as = crate::db::dates::Moment)]
        pub updated_at: NaiveDateTime,
    }
}

/// Changes to a plan: `None` leaves a column alone, `Some(None)` clears it.
/// The columns of a plan that a page of customers shows with each customer (its name, service,
/// speed and price): read instead of the whole [`PlanRow`] when the query asks for nothing
/// more (`crate::customers::prefetch`).
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = plans)]
pub struct PlanBrief {
    pub id: i64,
    pub name: String,
    pub service_type: ServiceType,
    pub speed: Option<String>,
    pub price_paise: i64,
}

impl PlanBrief {
    /// Its columns, as `Selectable` names them, for any connection.
    pub fn columns() -> <PlanBrief as Selectable<crate::db::MultiBackend>>::SelectExpression {
        <PlanBrief as Selectable<crate::db::MultiBackend>>::construct_selection()
    }
}

#[derive(Debug, AsChangeset)]
#[diesel(table_name = plans)]
pub struct PlanChanges {
    pub company_id: Option<i64>,
    pub name: Option<String>,
    pub description: Option<Option<String>>,
    pub service_type: Option<ServiceType>,
    pub speed: Option<Option<String>>,
    pub data_limit: Option<Option<String>>,
    pub price_paise: Option<i64>,
    pub validity_days: Option<i32>,
    pub is_active: Option<bool>,
    pub updated_at: NaiveDateTime,
}

/// What `plans(filter:)` narrows by (the scan's `service_type`, `company_id`, `is_active`).
#[derive(Debug, Default, Clone)]
pub struct PlanFilter {
    pub service_type: Option<ServiceType>,
    pub company_id: Option<i64>,
    pub is_active: Option<bool>,
}

impl PlanRow {
    /// The fields `updatePlan` records from → to.
    pub fn audit_fields(&self) -> crate::audit::diff::Fields {
        use crate::audit::diff::{id, money, name, v};
        vec![
            ("companyId", id(crate::ids::Kind::Company, Some(self.company_id))),
            ("name", v(&self.name)),
            ("description", v(&self.description)),
            ("serviceType", name(&self.service_type)),
            ("speed", v(&self.speed)),
            ("dataLimit", v(&self.data_limit)),
            ("price", money(self.price_paise)),
            ("validityDays", v(&self.validity_days)),
            ("isActive", v(&self.is_active)),
        ]
    }
}
