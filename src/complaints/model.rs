use chrono::NaiveDateTime;
use diesel::prelude::*;

use crate::db::schema::complaints;
use crate::text_enum;

text_enum! {
    /// Where a complaint stands.
    pub enum ComplaintStatus {
        /// Filed, nobody working on it yet.
        Open => "OPEN",
        /// Someone is on it.
        InProgress => "IN_PROGRESS",
        /// Fixed (`resolvedAt`); may be reopened.
        Resolved => "RESOLVED",
        /// Done for good.
        Closed => "CLOSED",
    }
}

text_enum! {
    /// How urgent a complaint is.
    pub enum ComplaintPriority {
        Low => "LOW",
        Medium => "MEDIUM",
        High => "HIGH",
        Urgent => "URGENT",
    }
}

text_enum! {
    /// What a complaint is about.
    pub enum ComplaintCategory {
        /// No connection at all.
        Connectivity => "CONNECTIVITY",
        /// Slow or unstable internet.
        Speed => "SPEED",
        /// Bills and payments.
        Billing => "BILLING",
        /// Cable TV picture or channels.
        CableSignal => "CABLE_SIGNAL",
        Installation => "INSTALLATION",
        /// Moving the connection.
        Relocation => "RELOCATION",
        Other => "OTHER",
    }
}

crate::row_and_new! {
    table = complaints;

    /// A row of `complaints`; enum columns hold their GraphQL names.
    #[derive(Debug, Clone, Queryable)]
    pub struct ComplaintRow {
        pub id: i64,
        ..NewComplaint
    }

    #[derive(Debug, Clone, Insertable)]
    #[diesel(treat_none_as_default_value = false)]
    pub struct NewComplaint {
        pub complaint_id: String,
        pub customer_id: i64,
        pub title: String,
        pub description: String,
        pub category: ComplaintCategory,
        pub priority: ComplaintPriority,
        pub status: ComplaintStatus,
        pub assigned_employee_id: Option<i64>,
        pub resolved_at: Option<NaiveDateTime>,
        pub created_at: NaiveDateTime,
        pub updated_at: NaiveDateTime,
    }
}

/// Columns an update may change (`None`: unchanged).
#[derive(Debug, Clone, Default, AsChangeset)]
#[diesel(table_name = complaints)]
pub struct ComplaintChanges {
    pub title: Option<String>,
    pub description: Option<String>,
    pub category: Option<ComplaintCategory>,
    pub priority: Option<ComplaintPriority>,
    pub status: Option<ComplaintStatus>,
    pub assigned_employee_id: Option<Option<i64>>,
    pub resolved_at: Option<Option<NaiveDateTime>>,
    pub updated_at: Option<NaiveDateTime>,
}

/// Narrows `complaints`; `from`/`to` bound the filing time.
#[derive(Debug, Clone, Default)]
pub struct ComplaintFilter {
    pub customer_id: Option<i64>,
    pub status: Option<ComplaintStatus>,
    pub priority: Option<ComplaintPriority>,
    pub category: Option<ComplaintCategory>,
    pub assigned_employee_id: Option<i64>,
    pub from: Option<NaiveDateTime>,
    pub to: Option<NaiveDateTime>,
}

impl ComplaintRow {
    /// The fields `updateComplaint` records from → to.
    pub fn audit_fields(&self) -> crate::audit::diff::Fields {
        use crate::audit::diff::{id, name, v};
        vec![
            ("title", v(&self.title)),
            ("description", v(&self.description)),
            ("category", name(&self.category)),
            ("priority", name(&self.priority)),
            ("status", name(&self.status)),
            ("assignedEmployeeId", id(crate::ids::Kind::Employee, self.assigned_employee_id)),
            ("resolvedAt", v(&self.resolved_at)),
        ]
    }
}
