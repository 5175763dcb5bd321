use crate::enums::ServiceType;
use chrono::{NaiveDate, NaiveDateTime};
use diesel::prelude::*;

use crate::db::schema::customers;
use crate::db::MultiBackend;
use crate::text_enum;

text_enum! {
    /// Where a customer's connection stands.
    pub enum CustomerStatus {
        /// Connected and billed.
        Active => "ACTIVE",
        /// Disconnected for now (for example unpaid); can be reactivated.
        Deactive => "DEACTIVE",
        /// Temporarily on hold at the customer's request.
        Suspended => "SUSPENDED",
        /// Closed for good; no further change.
        Terminated => "TERMINATED",
    }
}

text_enum! {
    /// When the customer pays.
    pub enum BillingType {
        /// Before the period.
        Prepaid => "PREPAID",
        /// After the period.
        Postpaid => "POSTPAID",
    }
}

text_enum! {
    /// The identity document on the customer application form.
    pub enum IdProofType {
        VoterId => "VOTER_ID",
        Passport => "PASSPORT",
        DrivingLicense => "DRIVING_LICENSE",
        ServiceIdCard => "SERVICE_ID_CARD",
        AadharCard => "AADHAR_CARD",
        Passbook => "PASSBOOK",
        Other => "OTHER",
    }
}

/// A row of `customers` as every read takes it: each column but the password's
/// (`password_hash`, `password_changed_at`), which only login and a password change touch
/// (`repo::credentials`, `repo::set_password`). Enum columns hold their GraphQL names. Read with
/// `.select(CustomerRow::columns())` (`Selectable` names the columns; a read of the whole
/// table into it does not compile, its width differs).
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = customers)]
pub struct CustomerRow {
    pub id: i64,
    pub customer_id: String,
    pub username: String,
    pub full_name: String,
    pub nickname: Option<String>,
    pub email: Option<String>,
    pub mobile: String,
    pub alternate_mobile: Option<String>,
    pub customer_gst_no: Option<String>,
    pub id_proof_type: Option<IdProofType>,
    /// The identity document's number is in the vault (`crate::id_vault`): this names its row.
    pub id_proof_token: Option<String>,
    pub house_number: Option<String>,
    pub address: String,
    pub locality_id: Option<i64>,
    pub city: String,
    pub state: String,
    pub pincode: String,
    pub service_type: ServiceType,
    pub no_of_connections: i32,
    pub company_id: i64,
    pub auto_renew: bool,
    pub caf_no: String,
    pub mac_address: Option<String>,
    pub mac_address_detail: Option<String>,
    pub ip_address: Option<String>,
    pub vendor: Option<String>,
    pub modem_no: Option<String>,
    pub modem_no_detail: Option<String>,
    pub stb_modem_security_paise: i64,
    pub plan_id: i64,
    pub period_months: i32,
    #[diesel(deserialize_as = crate::db::dates::Day)]
    pub start_date: NaiveDate,
    #[diesel(deserialize_as = crate::db::dates::Day)]
    pub end_date: NaiveDate,
    pub billing_type: BillingType,
    pub assigned_employee_id: Option<i64>,
    pub status: CustomerStatus,
    #[diesel(deserialize_as = crate::db::dates::Moment)]
    pub created_at: NaiveDateTime,
    #[diesel(deserialize_as = crate::db::dates::Moment)]
    pub updated_at: NaiveDateTime,
    /// Never suspended by the billing cycle.
    pub never_suspend: bool,
    /// Suspended by the billing cycle for dues: a payment clearing them reactivates.
    pub suspended_for_dues: bool,
    /// When the customer was TERMINATED: the KYC retention runs from it.
    #[diesel(deserialize_as = crate::db::dates::MaybeMoment)]
    pub terminated_at: Option<NaiveDateTime>,
    /// When the personal data was erased after the retention (`crate::id_vault::retention`).
    #[diesel(deserialize_as = crate::db::dates::MaybeMoment)]
    pub erased_at: Option<NaiveDateTime>,
}

/// A customer to insert: every column but `id` and the ones left to their defaults
/// (`suspended_for_dues`, `terminated_at`, `erased_at`).
#[derive(Debug, Clone, Insertable)]
#[diesel(table_name = customers)]
// `None` is NULL, not DEFAULT: that lets SQLite insert many rows in one statement.
#[diesel(treat_none_as_default_value = false)]
pub struct NewCustomer {
    pub customer_id: String,
    pub username: String,
    pub password_hash: String,
    pub password_changed_at: NaiveDateTime,
    pub full_name: String,
    pub nickname: Option<String>,
    pub email: Option<String>,
    pub mobile: String,
    pub alternate_mobile: Option<String>,
    pub customer_gst_no: Option<String>,
    pub id_proof_type: Option<IdProofType>,
    /// The identity document's number is in the vault (`crate::id_vault`): this names its row.
    pub id_proof_token: Option<String>,
    pub house_number: Option<String>,
    pub address: String,
    pub locality_id: Option<i64>,
    pub city: String,
    pub state: String,
    pub pincode: String,
    pub service_type: ServiceType,
    pub no_of_connections: i32,
    pub company_id: i64,
    pub auto_renew: bool,
    pub caf_no: String,
    pub mac_address: Option<String>,
    pub mac_address_detail: Option<String>,
    pub ip_address: Option<String>,
    pub vendor: Option<String>,
    pub modem_no: Option<String>,
    pub modem_no_detail: Option<String>,
    pub stb_modem_security_paise: i64,
    pub plan_id: i64,
    pub period_months: i32,
    pub start_date: NaiveDate,
    pub end_date: NaiveDate,
    pub billing_type: BillingType,
    pub assigned_employee_id: Option<i64>,
    pub status: CustomerStatus,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
    /// Never suspended by the billing cycle.
    pub never_suspend: bool,
}

impl CustomerRow {
    /// The row's columns in its order, as `Selectable` names them: for `select` and
    /// `returning` on any connection (`as_select()` is bound to one backend).
    pub fn columns() -> <CustomerRow as Selectable<MultiBackend>>::SelectExpression {
        <CustomerRow as Selectable<MultiBackend>>::construct_selection()
    }
}

/// The columns of a customer that a page of customers shows (the profile's `customerId fullName
/// mobile status endDate` and the ids of its plan, locality, company and assigned employee):
/// read instead of the whole [`CustomerRow`] when the query asks for no other field
/// (`crate::customers::prefetch`), a quarter of the width.
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = customers)]
pub struct CustomerBrief {
    pub id: i64,
    pub customer_id: String,
    pub full_name: String,
    pub mobile: String,
    pub locality_id: Option<i64>,
    pub company_id: i64,
    pub plan_id: i64,
    #[diesel(deserialize_as = crate::db::dates::Day)]
    pub end_date: NaiveDate,
    pub assigned_employee_id: Option<i64>,
    pub status: CustomerStatus,
}

impl CustomerBrief {
    /// Its columns, as `Selectable` names them, for any connection.
    pub fn columns() -> <CustomerBrief as Selectable<MultiBackend>>::SelectExpression {
        <CustomerBrief as Selectable<MultiBackend>>::construct_selection()
    }
}

/// Changes to a customer: `None` leaves a column alone, `Some(None)` clears it.
#[derive(Debug, Clone, Default, AsChangeset)]
#[diesel(table_name = customers)]
pub struct CustomerChanges {
    pub full_name: Option<String>,
    pub nickname: Option<Option<String>>,
    pub email: Option<Option<String>>,
    pub mobile: Option<String>,
    pub alternate_mobile: Option<Option<String>>,
    pub customer_gst_no: Option<Option<String>>,
    /// The number goes with it, through `crate::id_vault::service::replace`.
    pub id_proof_type: Option<Option<IdProofType>>,
    pub house_number: Option<Option<String>>,
    pub address: Option<String>,
    pub locality_id: Option<Option<i64>>,
    pub city: Option<String>,
    pub state: Option<String>,
    pub pincode: Option<String>,
    pub no_of_connections: Option<i32>,
    pub auto_renew: Option<bool>,
    pub never_suspend: Option<bool>,
    pub mac_address: Option<Option<String>>,
    pub mac_address_detail: Option<Option<String>>,
    pub ip_address: Option<Option<String>>,
    pub vendor: Option<Option<String>>,
    pub modem_no: Option<Option<String>>,
    pub modem_no_detail: Option<Option<String>>,
    pub stb_modem_security_paise: Option<i64>,
    pub plan_id: Option<i64>,
    pub period_months: Option<i32>,
    pub start_date: Option<NaiveDate>,
    pub end_date: Option<NaiveDate>,
    pub billing_type: Option<BillingType>,
    pub assigned_employee_id: Option<Option<i64>>,
    pub status: Option<CustomerStatus>,
    /// Set with every status change: only the billing cycle's suspension sets it.
    pub suspended_for_dues: Option<bool>,
    pub terminated_at: Option<Option<NaiveDateTime>>,
    pub updated_at: Option<NaiveDateTime>,
}

/// What `customers(filter:)` narrows by.
#[derive(Debug, Default, Clone, PartialEq)]
pub struct CustomerFilter {
    /// Only this customer (self-service callers see only themselves).
    pub only_id: Option<i64>,
    pub status: Option<CustomerStatus>,
    pub service_type: Option<ServiceType>,
    /// Part of the name, customer number, phone, CAF number or GSTIN, any case (see `search`).
    pub search: Option<String>,
    pub locality_id: Option<i64>,
    pub company_id: Option<i64>,
    pub assigned_employee_id: Option<i64>,
    pub billing_type: Option<BillingType>,
    /// Service ending before this date.
    pub expiring_before: Option<NaiveDate>,
    /// Identity document number hashes (`id_vault.number_hash` or `last4_hash`) to match.
    pub id_proof_hashes: Option<Vec<String>>,
}

impl CustomerRow {
    /// The fields `updateCustomer` records from → to. The identity document's number is
    /// hidden (it may be an Aadhaar number); the password is never among them.
    pub fn audit_fields(&self) -> crate::audit::diff::Fields {
        use crate::audit::diff::{hidden, id, money, name, v};
        use crate::ids::Kind;
        vec![
            ("fullName", v(&self.full_name)),
            ("nickname", v(&self.nickname)),
            ("email", v(&self.email)),
            ("mobile", v(&self.mobile)),
            ("alternateMobile", v(&self.alternate_mobile)),
            ("customerGstNo", v(&self.customer_gst_no)),
            ("idProofType", v(&self.id_proof_type.map(|t| t.to_string()))),
            // The vault row's token: a new number is a new row, so a change shows, never the number.
            ("idProofNo", hidden(&self.id_proof_token)),
            ("houseNumber", v(&self.house_number)),
            ("address", v(&self.address)),
            ("localityId", id(Kind::Locality, self.locality_id)),
            ("city", v(&self.city)),
            ("state", v(&self.state)),
            ("pincode", v(&self.pincode)),
            ("serviceType", name(&self.service_type)),
            ("noOfConnections", v(&self.no_of_connections)),
            ("companyId", id(Kind::Company, Some(self.company_id))),
            ("autoRenew", v(&self.auto_renew)),
            ("neverSuspend", v(&self.never_suspend)),
            ("cafNo", v(&self.caf_no)),
            ("macAddress", v(&self.mac_address)),
            ("macAddressDetail", v(&self.mac_address_detail)),
            ("ipAddress", v(&self.ip_address)),
            ("vendor", v(&self.vendor)),
            ("modemNo", v(&self.modem_no)),
            ("modemNoDetail", v(&self.modem_no_detail)),
            ("stbModemSecurityAmount", money(self.stb_modem_security_paise)),
            ("planId", id(Kind::Plan, Some(self.plan_id))),
            ("periodMonths", v(&self.period_months)),
            ("startDate", v(&self.start_date)),
            ("endDate", v(&self.end_date)),
            ("billingType", name(&self.billing_type)),
            ("assignedEmployeeId", id(Kind::Employee, self.assigned_employee_id)),
            ("status", name(&self.status)),
        ]
    }
}
