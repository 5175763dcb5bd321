//! Input types for customer mutations and their checks.

use async_graphql::{InputObject, MaybeUndefined, ID};

use super::model::{BillingType, CustomerChanges, CustomerStatus, IdProofType, NewCustomer};
use super::rules;
use super::service::Draft;
use crate::companies::graphql::Company;
use crate::employees::graphql::{username as check_username, Employee};
use crate::enums::ServiceType;
use crate::error::{AppError, AppResult};
use crate::graphql::context::optional_change;
use crate::graphql::ids::expect_id;
use crate::graphql::scalars::{Date, Money};
use crate::id_vault::key::IdVault;
use crate::id_vault::model::IdVaultRow;
use crate::localities::graphql::Locality;
use crate::plans::graphql::Plan;
use crate::validate;

/// A new customer. The server generates `customerId`, the `cafNo` (unless given) and the
/// first invoice.
#[derive(InputObject)]
pub struct CreateCustomerInput {
    /// Self-service login name; unique across customers and staff, ignoring case.
    pub username: String,
    /// At least 8 characters. Stored only as an argon2id hash.
    #[graphql(secret)]
    pub password: String,
    pub full_name: String,
    pub nickname: Option<String>,
    pub email: Option<String>,
    /// The customer's main phone: a 10-digit mobile, or an 11-digit landline with its STD code
    /// (a shop's counter phone); `+91`, spaces and dashes are dropped. The notification webhook
    /// passes it on for SMS or WhatsApp, which a landline cannot receive.
    pub mobile: String,
    /// A second phone, mobile or landline, as `mobile`.
    pub alternate_mobile: Option<String>,
    /// The customer's GSTIN or UIN, for registered customers: businesses, government offices
    /// (including TDS deductors), e-commerce operators, UN bodies and embassies (UIN),
    /// non-resident taxable persons. Checked for shape and check character, and for the state
    /// code of the customer's `state` (except 97, other territory, and 99, centre jurisdiction).
    pub customer_gst_no: Option<String>,
    /// The identity document on the application form; required with `idProofNo`.
    pub id_proof_type: Option<IdProofType>,
    /// The document's number, checked for its type: an Aadhaar number is 12 digits (spaces
    /// allowed) not starting with 0 or 1, with a correct Verhoeff check digit; a voter ID (EPIC)
    /// 3 letters and 7 digits; a passport a letter and 7 digits; a driving licence 2 letters and
    /// 13 digits (spaces and dashes allowed); other documents letters, digits, spaces, `-`, `/`.
    /// Stored encrypted; shown masked (`XXXX XXXX 1234`) to staff.
    #[graphql(secret)]
    pub id_proof_no: Option<String>,
    pub house_number: Option<String>,
    pub address: String,
    /// Must belong to the plan's company.
    pub locality_id: Option<ID>,
    pub city: String,
    /// Decides CGST + SGST (same state as the company) or IGST.
    pub state: String,
    pub pincode: String,
    /// Defaults to the plan's; must match it when given.
    pub service_type: Option<ServiceType>,
    /// 1 when left out.
    pub no_of_connections: Option<i32>,
    /// Defaults to the plan's company; must match it when given.
    pub company_id: Option<ID>,
    /// `false` when left out.
    pub auto_renew: Option<bool>,
    /// Never suspended by the billing cycle for dues (a hospital, a police station); `false`
    /// when left out.
    pub never_suspend: Option<bool>,
    /// `CAF` + 8 digits is generated when left out.
    pub caf_no: Option<String>,
    pub mac_address: Option<String>,
    pub mac_address_detail: Option<String>,
    pub ip_address: Option<String>,
    pub vendor: Option<String>,
    pub modem_no: Option<String>,
    pub modem_no_detail: Option<String>,
    /// Deposit for the set-top box or modem; 0 when left out.
    pub stb_modem_security_amount: Option<Money>,
    /// An active plan.
    pub plan_id: ID,
    /// Months per billing period, 1 to 120: a multiple of the plan's `validityDays` ÷ 30 (any
    /// for a monthly plan, 3, 6, 9, ... for a quarterly one). The plan's own period when left
    /// out (1 for a monthly plan, 3 for a quarterly one).
    pub period_months: Option<i32>,
    /// Today (India time) when left out.
    pub start_date: Option<Date>,
    /// `startDate + periodMonths × 30 days` when left out; must be after `startDate`.
    pub end_date: Option<Date>,
    /// `PREPAID` when left out.
    pub billing_type: Option<BillingType>,
    pub assigned_employee_id: Option<ID>,
    /// One-off installation charges on the first invoice; 0 when left out.
    pub installation_charges: Option<Money>,
}

/// Changes to a customer: leave a field out to keep it, `null` clears an optional one.
/// Status changes go through `changeCustomerStatus`.
#[derive(InputObject, Default)]
pub struct UpdateCustomerInput {
    pub full_name: Option<String>,
    pub nickname: MaybeUndefined<String>,
    pub email: MaybeUndefined<String>,
    /// The main phone, mobile or landline, as on `createCustomer`.
    pub mobile: Option<String>,
    /// A second phone, mobile or landline; `null` removes it.
    pub alternate_mobile: MaybeUndefined<String>,
    /// The customer's GSTIN or UIN, checked as on `createCustomer`; `null` removes it.
    pub customer_gst_no: MaybeUndefined<String>,
    /// Changed together with `idProofNo` (a new type needs its number); `null` removes both.
    pub id_proof_type: MaybeUndefined<IdProofType>,
    /// Checked for `idProofType` (as given here, else the customer's), as on `createCustomer`;
    /// `null` removes it.
    #[graphql(secret)]
    pub id_proof_no: MaybeUndefined<String>,
    pub house_number: MaybeUndefined<String>,
    pub address: Option<String>,
    pub locality_id: MaybeUndefined<ID>,
    pub city: Option<String>,
    pub state: Option<String>,
    pub pincode: Option<String>,
    pub no_of_connections: Option<i32>,
    pub auto_renew: Option<bool>,
    /// Never suspended by the billing cycle for dues.
    pub never_suspend: Option<bool>,
    pub mac_address: MaybeUndefined<String>,
    pub mac_address_detail: MaybeUndefined<String>,
    pub ip_address: MaybeUndefined<String>,
    pub vendor: MaybeUndefined<String>,
    pub modem_no: MaybeUndefined<String>,
    pub modem_no_detail: MaybeUndefined<String>,
    pub stb_modem_security_amount: Option<Money>,
    /// An active plan of the customer's company; existing invoices keep their amounts. The
    /// customer's `periodMonths` (as changed here, if it is) must be a multiple of its
    /// `validityDays` ÷ 30.
    pub plan_id: Option<ID>,
    /// Changing it (or `startDate`) recomputes `endDate` unless `endDate` is given. A multiple
    /// of the plan's `validityDays` ÷ 30.
    pub period_months: Option<i32>,
    pub start_date: Option<Date>,
    pub end_date: Option<Date>,
    pub billing_type: Option<BillingType>,
    pub assigned_employee_id: MaybeUndefined<ID>,
}

fn text(field: &str, value: Option<String>, max: usize) -> AppResult<Option<String>> {
    validate::optional_text(field, value.as_deref(), max)
}

fn period(value: i32) -> AppResult<i32> {
    if !(1..=120).contains(&value) {
        return Err(AppError::bad_input("periodMonths", "`periodMonths` must be between 1 and 120"));
    }
    Ok(value)
}

fn connections(value: i32) -> AppResult<i32> {
    if !(1..=1000).contains(&value) {
        return Err(AppError::bad_input("noOfConnections", "`noOfConnections` must be between 1 and 1000"));
    }
    Ok(value)
}

fn caf(value: &str) -> AppResult<String> {
    let v = value.trim().to_ascii_uppercase();
    if v.is_empty() || v.len() > 30 {
        return Err(AppError::bad_input("cafNo", "`cafNo` must be 1 to 30 characters"));
    }
    Ok(v)
}

impl CreateCustomerInput {
    /// Checks every field; the password hash is filled in by the caller.
    pub fn validate(self, vault: &IdVault) -> AppResult<(Draft, String)> {
        let id_proof = new_id_proof(vault, self.id_proof_type, self.id_proof_no.clone())?;
        let username = check_username("username", &self.username)?;
        crate::auth::password::check_policy("password", &self.password, &username)?;
        let period_months = period(self.period_months.unwrap_or(1))?;
        let start_date = self.start_date.map_or_else(crate::clock::today, |d| d.0);
        let end_date = rules::end_of_service(start_date, period_months, self.end_date.map(|d| d.0))?;
        let stb =
            validate::non_negative_paise("stbModemSecurityAmount", self.stb_modem_security_amount.map_or(0, |m| m.0))?;
        let installation =
            validate::non_negative_paise("installationCharges", self.installation_charges.map_or(0, |m| m.0))?;
        let now = crate::clock::now();
        let customer = NewCustomer {
            customer_id: String::new(),
            username,
            password_hash: String::new(),
            password_changed_at: now,
            full_name: validate::required_text("fullName", &self.full_name, 120)?,
            nickname: text("nickname", self.nickname, 60)?,
            email: self.email.as_deref().map(|e| validate::email("email", e)).transpose()?,
            mobile: validate::phone("mobile", &self.mobile)?,
            alternate_mobile: self
                .alternate_mobile
                .as_deref()
                .map(|m| validate::phone("alternateMobile", m))
                .transpose()?,
            customer_gst_no: self
                .customer_gst_no
                .as_deref()
                .map(|g| validate::gstin("customerGstNo", g))
                .transpose()?,
            id_proof_type: self.id_proof_type,
            id_proof_token: id_proof.as_ref().map(|row| row.token.clone()),
            house_number: text("houseNumber", self.house_number, 40)?,
            address: validate::required_multiline("address", &self.address, 500)?,
            locality_id: self.locality_id.map(|id| expect_id("localityId", Locality::KIND, &id)).transpose()?,
            city: validate::required_text("city", &self.city, 80)?,
            state: validate::state("state", &self.state)?,
            pincode: validate::pincode("pincode", &self.pincode)?,
            // Follows the plan unless given (`service_type_given`).
            service_type: self.service_type.unwrap_or(ServiceType::Broadband),
            no_of_connections: connections(self.no_of_connections.unwrap_or(1))?,
            company_id: self
                .company_id
                .as_ref()
                .map(|id| expect_id("companyId", Company::KIND, id))
                .transpose()?
                .unwrap_or(0),
            auto_renew: self.auto_renew.unwrap_or(false),
            never_suspend: self.never_suspend.unwrap_or(false),
            caf_no: self.caf_no.as_deref().map(caf).transpose()?.unwrap_or_default(),
            mac_address: text("macAddress", self.mac_address, 40)?,
            mac_address_detail: text("macAddressDetail", self.mac_address_detail, 200)?,
            ip_address: text("ipAddress", self.ip_address, 60)?,
            vendor: text("vendor", self.vendor, 80)?,
            modem_no: text("modemNo", self.modem_no, 60)?,
            modem_no_detail: text("modemNoDetail", self.modem_no_detail, 200)?,
            stb_modem_security_paise: stb,
            plan_id: expect_id("planId", Plan::KIND, &self.plan_id)?,
            period_months,
            start_date,
            end_date,
            billing_type: self.billing_type.unwrap_or(BillingType::Prepaid),
            assigned_employee_id: self
                .assigned_employee_id
                .map(|id| expect_id("assignedEmployeeId", Employee::KIND, &id))
                .transpose()?,
            status: CustomerStatus::Active,
            created_at: now,
            updated_at: now,
        };
        let draft = Draft {
            caf_given: self.caf_no.is_some(),
            service_type_given: self.service_type.is_some(),
            company_given: self.company_id.is_some(),
            period_given: self.period_months.is_some(),
            end_given: self.end_date.is_some(),
            installation_paise: installation,
            customer,
            id_proof,
        };
        Ok((draft, self.password))
    }
}

/// The identity document's number checked for its type, put in its kept form
/// (`crate::id_vault::rules::normalise`) and sealed for the vault.
fn new_id_proof(vault: &IdVault, kind: Option<IdProofType>, number: Option<String>) -> AppResult<Option<IdVaultRow>> {
    let Some(number) = number else { return Ok(None) };
    let kind = kind.ok_or_else(|| AppError::bad_input("idProofType", "give `idProofType` with `idProofNo`"))?;
    let kept = crate::id_vault::rules::normalise(kind, &number).map_err(|m| AppError::bad_input("idProofNo", m))?;
    crate::id_vault::service::seal(vault, kind, &kept, "idProofNo").map(Some)
}

/// The identity document's type and number as changed: together, or both removed.
#[allow(clippy::type_complexity)]
fn changed_id_proof(
    vault: &IdVault,
    kind: MaybeUndefined<IdProofType>,
    number: MaybeUndefined<String>,
    stored_type: Option<IdProofType>,
) -> AppResult<(Option<Option<IdProofType>>, Option<Option<IdVaultRow>>)> {
    match (kind, number) {
        (MaybeUndefined::Undefined, MaybeUndefined::Undefined) => Ok((None, None)),
        (MaybeUndefined::Null, MaybeUndefined::Undefined | MaybeUndefined::Null) => Ok((Some(None), Some(None))),
        (MaybeUndefined::Value(kind), MaybeUndefined::Value(number)) => {
            Ok((Some(Some(kind)), Some(new_id_proof(vault, Some(kind), Some(number))?)))
        }
        (MaybeUndefined::Undefined, MaybeUndefined::Value(number)) => {
            Ok((None, Some(new_id_proof(vault, stored_type, Some(number))?)))
        }
        (MaybeUndefined::Null, MaybeUndefined::Value(_)) => {
            Err(AppError::bad_input("idProofType", "give `idProofType` with a new `idProofNo`"))
        }
        (MaybeUndefined::Value(_), _) => Err(AppError::bad_input(
            "idProofNo",
            "give the new document's `idProofNo` with a new `idProofType` (or `null` for both to remove them)",
        )),
        (MaybeUndefined::Undefined, MaybeUndefined::Null) => Ok((Some(None), Some(None))),
    }
}

fn opt_text(field: &'static str, value: MaybeUndefined<String>, max: usize) -> AppResult<Option<Option<String>>> {
    optional_change(value, |v| validate::required_text(field, &v, max))
}

impl UpdateCustomerInput {
    /// Checks every field given; the period dates are settled by the caller, who knows the row.
    /// A new identity document number comes back sealed, apart from the changes (`None`: kept;
    /// `Some(None)`: removed).
    #[allow(clippy::type_complexity)]
    /// `stored_type` is the customer's document type, which a new number alone is checked for.
    pub fn validate(
        self,
        vault: &IdVault,
        stored_type: Option<IdProofType>,
    ) -> AppResult<(CustomerChanges, Option<Option<IdVaultRow>>)> {
        let (id_proof_type, id_proof) = changed_id_proof(vault, self.id_proof_type, self.id_proof_no, stored_type)?;
        let changes = CustomerChanges {
            full_name: self.full_name.map(|v| validate::required_text("fullName", &v, 120)).transpose()?,
            nickname: opt_text("nickname", self.nickname, 60)?,
            email: optional_change(self.email, |v| validate::email("email", &v))?,
            mobile: self.mobile.map(|v| validate::phone("mobile", &v)).transpose()?,
            alternate_mobile: optional_change(self.alternate_mobile, |v| validate::phone("alternateMobile", &v))?,
            customer_gst_no: optional_change(self.customer_gst_no, |v| validate::gstin("customerGstNo", &v))?,
            id_proof_type,
            house_number: opt_text("houseNumber", self.house_number, 40)?,
            address: self.address.map(|v| validate::required_multiline("address", &v, 500)).transpose()?,
            locality_id: optional_change(self.locality_id, |id| expect_id("localityId", Locality::KIND, &id))?,
            city: self.city.map(|v| validate::required_text("city", &v, 80)).transpose()?,
            state: self.state.map(|v| validate::state("state", &v)).transpose()?,
            pincode: self.pincode.map(|v| validate::pincode("pincode", &v)).transpose()?,
            no_of_connections: self.no_of_connections.map(connections).transpose()?,
            auto_renew: self.auto_renew,
            never_suspend: self.never_suspend,
            mac_address: opt_text("macAddress", self.mac_address, 40)?,
            mac_address_detail: opt_text("macAddressDetail", self.mac_address_detail, 200)?,
            ip_address: opt_text("ipAddress", self.ip_address, 60)?,
            vendor: opt_text("vendor", self.vendor, 80)?,
            modem_no: opt_text("modemNo", self.modem_no, 60)?,
            modem_no_detail: opt_text("modemNoDetail", self.modem_no_detail, 200)?,
            stb_modem_security_paise: self
                .stb_modem_security_amount
                .map(|m| validate::non_negative_paise("stbModemSecurityAmount", m.0))
                .transpose()?,
            plan_id: self.plan_id.map(|id| expect_id("planId", Plan::KIND, &id)).transpose()?,
            period_months: self.period_months.map(period).transpose()?,
            start_date: self.start_date.map(|d| d.0),
            end_date: self.end_date.map(|d| d.0),
            billing_type: self.billing_type,
            assigned_employee_id: optional_change(self.assigned_employee_id, |id| {
                expect_id("assignedEmployeeId", Employee::KIND, &id)
            })?,
            status: None,
            suspended_for_dues: None,
            terminated_at: None,
            updated_at: Some(crate::clock::now()),
        };
        Ok((changes, id_proof))
    }
}
