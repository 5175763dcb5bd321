use chrono::NaiveDateTime;
use diesel::prelude::*;

use crate::db::schema::localities;

crate::row_and_new! {
    table = localities;

    /// A row of `localities`.
    #[derive(Debug, Clone, Queryable, Selectable)]
    pub struct LocalityRow {
        pub id: i64,
        ..NewLocality
    }

    #[derive(Debug, Insertable)]
    // `None` is NULL, not DEFAULT: that lets SQLite insert many rows in one statement.
    #[diesel(treat_none_as_default_value = false)]
    pub struct NewLocality {
        pub company_id: i64,
        pub name: String,
        pub city: String,
        pub state: String,
        pub pincode: String,
        #[diesel(deserialize_as = crate::db::dates::Moment)]
        pub created_at: NaiveDateTime,
        #[diesel(deserialize_as = crate::db::dates::Moment)]
        pub updated_at: NaiveDateTime,
    }
}

/// Changes to a locality; `None` leaves a column alone.
#[derive(Debug, AsChangeset)]
#[diesel(table_name = localities)]
pub struct LocalityChanges {
    pub company_id: Option<i64>,
    pub name: Option<String>,
    pub city: Option<String>,
    pub state: Option<String>,
    pub pincode: Option<String>,
    pub updated_at: NaiveDateTime,
}

/// What `localities(filter:)` narrows by.
#[derive(Debug, Default, Clone)]
pub struct LocalityFilter {
    pub company_id: Option<i64>,
    /// Case-insensitive part of the name, city or PIN code.
    pub search: Option<String>,
}

impl LocalityRow {
    /// The fields `updateLocality` records from → to.
    pub fn audit_fields(&self) -> crate::audit::diff::Fields {
        use crate::audit::diff::{id, v};
        vec![
            ("companyId", id(crate::ids::Kind::Company, Some(self.company_id))),
            ("name", v(&self.name)),
            ("city", v(&self.city)),
            ("state", v(&self.state)),
            ("pincode", v(&self.pincode)),
        ]
    }
}
