//! Customer changes that touch several tables, each run inside the caller's write transaction.

use super::model::{CustomerChanges, CustomerRow, CustomerStatus, NewCustomer};
use super::repo::{self, Taken};
use super::rules;
use crate::audit::Actor;
use crate::db::schema::{employees, localities, plans};
use crate::db::DbConn;
use crate::error::{AppError, AppResult};
use crate::ids::{self, Kind};
use crate::invoices::model::InvoiceRow;
use crate::invoices::rules::Amounts;
use crate::ledger::model::TransactionType;
use crate::plans::model::PlanRow;
use diesel::prelude::*;

/// A customer as the caller described it: `customer` with placeholders for what the server
/// generates (`customer_id`, and `caf_no` when `caf_given` is false), plus the first invoice's
/// installation charges.
pub struct Draft {
    pub customer: NewCustomer,
    pub caf_given: bool,
    /// Whether the caller chose `serviceType` and `companyId` (else they follow the plan).
    pub service_type_given: bool,
    pub company_given: bool,
    /// Whether the caller chose `periodMonths` and `endDate` (else they follow the plan's
    /// period).
    pub period_given: bool,
    pub end_given: bool,
    pub installation_paise: i64,
    /// The identity document's number, sealed for the vault (`customer.id_proof_token` names it).
    pub id_proof: Option<crate::id_vault::model::IdVaultRow>,
}

/// The plan `plan_id`, which must exist and be active.
pub fn active_plan(conn: &mut DbConn, plan_id: i64) -> AppResult<PlanRow> {
    let plan: PlanRow = plans::table
        .find(plan_id)
        .first(conn)
        .optional()?
        .ok_or_else(|| AppError::bad_input("planId", "`planId` names no existing plan"))?;
    if !plan.is_active {
        return Err(AppError::bad_input("planId", "this plan is not active; pick an active plan"));
    }
    Ok(plan)
}

/// Checks the locality (same company) and the assigned employee (exists, active).
pub fn check_references(
    conn: &mut DbConn,
    company_id: i64,
    locality_id: Option<i64>,
    employee_id: Option<i64>,
) -> AppResult<()> {
    if let Some(locality_id) = locality_id {
        let owner: Option<i64> =
            localities::table.find(locality_id).select(localities::company_id).first(conn).optional()?;
        match owner {
            None => return Err(AppError::bad_input("localityId", "`localityId` names no existing locality")),
            Some(owner) if owner != company_id => {
                return Err(AppError::bad_input("localityId", "this locality belongs to another company"))
            }
            Some(_) => {}
        }
    }
    if let Some(employee_id) = employee_id {
        let active: Option<bool> =
            employees::table.find(employee_id).select(employees::is_active).first(conn).optional()?;
        if active != Some(true) {
            return Err(AppError::bad_input("assignedEmployeeId", "`assignedEmployeeId` names no active employee"));
        }
    }
    Ok(())
}

/// The place of supply must be consistent: the PIN code is one of the state's, and a customer
/// in a locality lives in the locality's state. (GST is CGST + SGST or IGST by this state, so a
/// mismatch would tax the customer wrongly.) `pin_field` names the field blamed for a PIN code
/// that does not fit the state.
pub fn check_place(
    conn: &mut DbConn,
    state: &str,
    pincode: &str,
    locality_id: Option<i64>,
    pin_field: &str,
) -> AppResult<()> {
    crate::validate::pincode_in_state(pin_field, pincode, state)?;
    if let Some(locality_id) = locality_id {
        let locality_state: Option<String> =
            localities::table.find(locality_id).select(localities::state).first(conn).optional()?;
        if let Some(locality_state) = locality_state.filter(|s| s != state) {
            return Err(AppError::bad_input(
                "state",
                format!("`state` is {state}, but the customer's locality is in {locality_state}"),
            ));
        }
    }
    Ok(())
}

/// Creates the customer and its first invoice (DRAFT), and audits both.
pub fn create(conn: &mut DbConn, draft: &Draft, actor: &Actor) -> AppResult<(CustomerRow, InvoiceRow)> {
    let mut new = draft.customer.clone();
    if let Some(gstin) = &new.customer_gst_no {
        crate::validate::recipient_gstin_in_state("customerGstNo", gstin, &new.state)?;
    }
    let plan = active_plan(conn, new.plan_id)?;
    if draft.service_type_given && new.service_type != plan.service_type {
        return Err(AppError::bad_input("serviceType", "`serviceType` differs from the plan's service type"));
    }
    new.service_type = plan.service_type;
    if draft.company_given && new.company_id != plan.company_id {
        return Err(AppError::bad_input("companyId", "the plan belongs to another company"));
    }
    new.company_id = plan.company_id;
    if draft.period_given {
        crate::plans::service::check_period(&plan, new.period_months, "periodMonths")?;
    } else {
        new.period_months = crate::plans::rules::months_per_period(plan.validity_days);
        if !draft.end_given {
            new.end_date = rules::end_of_service(new.start_date, new.period_months, None)?;
        }
    }
    check_references(conn, new.company_id, new.locality_id, new.assigned_employee_id)?;
    check_place(conn, &new.state, &new.pincode, new.locality_id, "pincode")?;
    crate::db::lock_key(conn, &format!("username:{}", new.username.to_lowercase()))?;
    if repo::username_taken(conn, &new.username)? {
        return Err(AppError::Conflict(format!("the username \"{}\" is taken", new.username)));
    }
    if draft.caf_given && repo::caf_taken(conn, &new.caf_no)? {
        return Err(AppError::Conflict(format!("CAF number {} is already on file", new.caf_no)));
    }

    if let Some(row) = &draft.id_proof {
        crate::id_vault::repo::insert(conn, row)?;
    }
    let mut rng = rand::rng();
    let mut customer = None;
    for _ in 0..20 {
        new.customer_id = rules::random_customer_id(&mut rng);
        if !draft.caf_given {
            new.caf_no = rules::random_caf_no(&mut rng);
        }
        match repo::try_insert(conn, &new)? {
            Ok(row) => {
                customer = Some(row);
                break;
            }
            Err(Taken::Username) => {
                return Err(AppError::Conflict(format!("the username \"{}\" is taken", new.username)))
            }
            Err(Taken::CafNo) if draft.caf_given => {
                return Err(AppError::Conflict(format!("CAF number {} is already on file", new.caf_no)))
            }
            // A random number collided: draw again.
            Err(Taken::CustomerId | Taken::CafNo) => {}
        }
    }
    let customer = customer.ok_or_else(|| AppError::Internal("no free customer number after 20 draws".into()))?;
    let invoice = first_invoice(conn, &customer, &plan, draft.installation_paise, actor)?;
    let targets = [ids::encode(Kind::Customer, customer.id), ids::encode(Kind::Invoice, invoice.id)];
    crate::audit::repo::record(conn, actor, "createCustomer", &targets, Some(&customer.customer_id))?;
    Ok((customer, invoice))
}

/// The first invoice: the plan's price for every `validityDays` of the period, GST by the company's rate
/// (CGST + SGST within its state, IGST across), due in seven days; on the ledger.
fn first_invoice(
    conn: &mut DbConn,
    customer: &CustomerRow,
    plan: &PlanRow,
    installation: i64,
    actor: &Actor,
) -> AppResult<InvoiceRow> {
    let bill = crate::plans::service::bill(plan, customer.period_months, "periodMonths")?;
    let taxable = crate::invoices::rules::taxable_value(bill, installation, 0)
        .ok_or_else(|| AppError::bad_input("installationCharges", "`installationCharges` is too large"))?;
    let tax = crate::invoices::service::tax_for(conn, customer, taxable)?;
    let amounts = Amounts { bill, tax, installation, discount: 0 };
    let today = crate::clock::today();
    let new = crate::invoices::service::new_invoice(
        customer,
        &amounts,
        today,
        crate::invoices::rules::due_date(today),
        Some(customer.start_date),
        Some(customer.end_date),
    )?;
    crate::invoices::service::issue(conn, new, TransactionType::Invoice, |n| format!("First invoice {n}"), actor)
}

/// Applies `requested` to customer `key`. A new plan must be active, of the customer's company
/// and service type; a new place must agree (state, PIN, locality); a new start or period
/// recomputes the end date. Returns the row and notes for the operator (invoices already
/// issued never change).
pub fn update(
    conn: &mut DbConn,
    key: i64,
    requested: &CustomerChanges,
    id_proof: Option<Option<&crate::id_vault::model::IdVaultRow>>,
    actor: &Actor,
) -> AppResult<(CustomerRow, Vec<String>)> {
    // Locked like every money change: a plan change is prorated on the next invoice, which
    // the billing cycle may be raising now.
    let before =
        crate::settlement::service::lock_customer(conn, key, "id").map_err(|_| AppError::not_found("customer"))?;
    if before.status == CustomerStatus::Terminated {
        return Err(AppError::Conflict("a TERMINATED customer cannot be changed".into()));
    }
    let mut changes = requested.clone();
    let mut notes = Vec::new();
    let mut plan_change = None;
    if let Some(plan_id) = changes.plan_id.filter(|p| *p != before.plan_id) {
        let plan = active_plan(conn, plan_id)?;
        if plan.company_id != before.company_id {
            return Err(AppError::bad_input("planId", "the plan belongs to another company"));
        }
        if plan.service_type != before.service_type {
            return Err(AppError::bad_input("planId", "the plan is for another service type"));
        }
        notes.push(format!(
            "plan changed to {}: existing invoices keep their amounts; the next invoice bills the new plan",
            plan.name
        ));
        let old = crate::plans::repo::by_ids(conn, &[before.plan_id])?
            .pop()
            .ok_or_else(|| AppError::Internal(format!("customer {} has no plan", before.customer_id)))?;
        plan_change = Some((old, plan));
    }
    check_references(conn, before.company_id, changes.locality_id.flatten(), changes.assigned_employee_id.flatten())?;
    if changes.state.is_some() || changes.pincode.is_some() || changes.locality_id.is_some() {
        let state = changes.state.clone().unwrap_or_else(|| before.state.clone());
        let pincode = changes.pincode.clone().unwrap_or_else(|| before.pincode.clone());
        let locality = changes.locality_id.unwrap_or(before.locality_id);
        let pin_field = if changes.pincode.is_some() { "pincode" } else { "state" };
        check_place(conn, &state, &pincode, locality, pin_field)?;
    }
    if changes.customer_gst_no.is_some() || changes.state.is_some() {
        let gstin = changes.customer_gst_no.clone().unwrap_or_else(|| before.customer_gst_no.clone());
        let state = changes.state.clone().unwrap_or_else(|| before.state.clone());
        if let Some(gstin) = gstin {
            let field = if changes.customer_gst_no.is_some() { "customerGstNo" } else { "state" };
            crate::validate::recipient_gstin_in_state(field, &gstin, &state)?;
        }
    }
    if changes.start_date.is_some() || changes.period_months.is_some() || changes.end_date.is_some() {
        let period = rules::Period { start: before.start_date, months: before.period_months, end: before.end_date };
        let (after, period_notes) =
            rules::reschedule(period, changes.start_date, changes.period_months, changes.end_date)?;
        changes.end_date = Some(after.end);
        notes.extend(period_notes);
    }
    let months = changes.period_months.unwrap_or(before.period_months);
    if let Some((_, plan)) = &plan_change {
        let field = if changes.period_months.is_some() { "periodMonths" } else { "planId" };
        crate::plans::service::check_period(plan, months, field)?;
    } else if months != before.period_months {
        let plan = crate::plans::repo::find(conn, before.plan_id)?;
        crate::plans::service::check_period(&plan, months, "periodMonths")?;
    }
    let mut row = repo::update(conn, key, &changes)?;
    if let Some(id_proof) = id_proof {
        // A new number is a new vault row; the old one is erased.
        crate::id_vault::service::replace(conn, key, id_proof)?;
        row = repo::find(conn, key)?;
    }
    if let Some((old, new)) = plan_change {
        let today = crate::clock::today();
        if let Some(line) = crate::plan_changes::service::record(conn, &before, &old, &new, today, actor)? {
            notes.push(crate::plan_changes::service::describe(&line, &old, &new));
        }
    }
    let details = crate::audit::diff::describe(&before.audit_fields(), &row.audit_fields());
    crate::audit::repo::record(conn, actor, "updateCustomer", &[ids::encode(Kind::Customer, key)], Some(&details))?;
    Ok((row, notes))
}

/// Moves customer `key` to `status` (see [`rules::check_transition`]); `TERMINATED` also ends
/// every session of the customer. `reason` goes to the audit log. A staff suspension gives no
/// days back; a paused customer (`crate::service_pauses`) is resumed first, not moved here.
pub fn change_status(
    conn: &mut DbConn,
    key: i64,
    status: CustomerStatus,
    reason: Option<&str>,
    actor: &Actor,
) -> AppResult<CustomerRow> {
    let before = repo::find(conn, key)?;
    crate::service_pauses::service::refuse_if_paused(conn, key, "change the status")?;
    let from = before.status;
    rules::check_transition(from, status).map_err(|m| AppError::bad_input("status", m))?;
    let now = crate::clock::now();
    // A status set by staff is theirs: a later payment must not undo it as if the billing
    // cycle had suspended the customer for dues.
    let changes = CustomerChanges {
        status: Some(status),
        suspended_for_dues: Some(false),
        updated_at: Some(now),
        terminated_at: (status == CustomerStatus::Terminated).then_some(Some(now)),
        ..Default::default()
    };
    let row = repo::update(conn, key, &changes)?;
    if status == CustomerStatus::Terminated {
        crate::auth::repo::revoke_all(conn, crate::auth::model::CUSTOMER, key, now)?;
    }
    let details =
        format!("{} -> {}{}", from.as_str(), status.as_str(), reason.map(|r| format!(": {r}")).unwrap_or_default());
    let target = [ids::encode(Kind::Customer, key)];
    crate::audit::repo::record(conn, actor, "changeCustomerStatus", &target, Some(&details))?;
    Ok(row)
}

/// Deletes customer `key`, created by mistake: only while it has no payments, no add-on bills,
/// no invoice beyond DRAFT (its drafts go with it and leave the ledger) and nothing else refers
/// to it (complaints, converted connection requests, ...: [`crate::referrers::OF_CUSTOMER`]);
/// else `CONFLICT` naming what does.
pub fn delete(conn: &mut DbConn, key: i64, actor: &Actor) -> AppResult<()> {
    // Locked like every money change: its draft invoices leave the ledger.
    crate::settlement::service::lock_customer(conn, key, "id").map_err(|_| AppError::not_found("customer"))?;
    crate::referrers::refuse_if_referenced(
        conn,
        "this customer",
        crate::referrers::OF_CUSTOMER,
        key,
        "change its status to TERMINATED instead",
    )?;
    if repo::has_financial_history(conn, key)? {
        return Err(AppError::Conflict(
            "this customer cannot be deleted: invoices beyond DRAFT (or numbered in a financial-year series) still \
             refer to it; change its status to TERMINATED instead"
                .into(),
        ));
    }
    crate::auth::repo::revoke_all(conn, crate::auth::model::CUSTOMER, key, crate::clock::now())?;
    // The ledger keeps the customer's rows; their draft invoices leave it.
    for draft in crate::invoices::repo::of_customer(conn, key)? {
        crate::invoices::service::remove_from_ledger(conn, &draft, actor)?;
    }
    crate::id_vault::service::replace(conn, key, None)?;
    repo::delete(conn, key)?;
    crate::audit::repo::record(conn, actor, "deleteCustomer", &[ids::encode(Kind::Customer, key)], None)
}
