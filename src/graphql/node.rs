//! Relay global object identification: `node(id:)`, which fetches an object of any type by its
//! global ID (the IDs themselves are made and read in `graphql::ids`). Only the root query uses
//! this file.

use async_graphql::{Context, Interface, Object, ID};

use crate::addons::graphql::AddonBill;
use crate::auth::guard::require;
use crate::auth::permissions::Permission;
use crate::companies::graphql::Company;
use crate::complaints::graphql::Complaint;
use crate::credit_notes::graphql::CreditNote;
use crate::customers::graphql::Customer;
use crate::employees::graphql::Employee;
use crate::error::AppError;
use crate::expenses::graphql::Expense;
use crate::ids::{self, Decoded};
use crate::invoices::graphql::Invoice;
use crate::ledger::graphql::Transaction;
use crate::localities::graphql::Locality;
use crate::network::graphql::NasDevice;
use crate::payments::graphql::Payment;
use crate::plans::graphql::Plan;
use crate::receipt_vouchers::graphql::ReceiptVoucher;
use crate::refunds::graphql::Refund;

/// An object with a global ID that `node(id:)` can fetch.
// One value per response field, so the size difference between variants does not matter.
#[allow(clippy::large_enum_variant)]
#[derive(Interface)]
#[graphql(field(name = "id", ty = "ID", desc = "Opaque ID, unique across all types."))]
pub enum Node {
    Company(Company),
    Customer(Customer),
    Employee(Employee),
    Invoice(Invoice),
    Payment(Payment),
    Locality(Locality),
    Plan(Plan),
    Transaction(Transaction),
    Refund(Refund),
    AddonBill(AddonBill),
    Complaint(Complaint),
    CreditNote(CreditNote),
    ReceiptVoucher(ReceiptVoucher),
    Expense(Expense),
    NasDevice(NasDevice),
}

#[derive(Default)]
pub struct NodeQuery;

#[Object]
impl NodeQuery {
    /// Fetches any object by its global `id`; `null` when it does not exist (any more).
    async fn node(&self, ctx: &Context<'_>, id: ID) -> async_graphql::Result<Option<Node>> {
        let (kind, key) = match ids::decode(&id) {
            Some(Decoded::Known(kind, key)) => (kind, key),
            Some(Decoded::Foreign(_)) => return Ok(None),
            None => return Err(AppError::bad_input("id", "`id` is not an ID this API issued").into()),
        };
        // Each type is readable under the same permission as its own root field.
        Ok(match kind {
            Company::KIND => {
                require(ctx, Permission::ReadReferenceData)?;
                Company::load(ctx, key).await?.map(Node::Company)
            }
            Locality::KIND => {
                require(ctx, Permission::ReadReferenceData)?;
                Locality::load(ctx, key).await?.map(Node::Locality)
            }
            Plan::KIND => {
                require(ctx, Permission::ReadReferenceData)?;
                Plan::load(ctx, key).await?.map(Node::Plan)
            }
            Customer::KIND => {
                require(ctx, Permission::ReadCustomers)?;
                if crate::customers::graphql::readable(ctx, key).is_err() {
                    return Ok(None);
                }
                Customer::load(ctx, key).await?.map(Node::Customer)
            }
            Invoice::KIND => {
                require(ctx, Permission::ReadBilling)?;
                Invoice::load(ctx, key).await?.map(Node::Invoice)
            }
            Payment::KIND => {
                require(ctx, Permission::ReadBilling)?;
                Payment::load(ctx, key).await?.map(Node::Payment)
            }
            Transaction::KIND => {
                require(ctx, Permission::ReadBilling)?;
                Transaction::load(ctx, key).await?.map(Node::Transaction)
            }
            Refund::KIND => {
                require(ctx, Permission::ReadBilling)?;
                Refund::load(ctx, key).await?.map(Node::Refund)
            }
            AddonBill::KIND => {
                require(ctx, Permission::ReadBilling)?;
                AddonBill::load(ctx, key).await?.map(Node::AddonBill)
            }
            CreditNote::KIND => {
                require(ctx, Permission::ReadBilling)?;
                CreditNote::load(ctx, key).await?.map(Node::CreditNote)
            }
            ReceiptVoucher::KIND => {
                require(ctx, Permission::ReadBilling)?;
                ReceiptVoucher::load(ctx, key).await?.map(Node::ReceiptVoucher)
            }
            Expense::KIND => {
                require(ctx, Permission::ManageExpenses)?;
                Expense::load(ctx, key).await?.map(Node::Expense)
            }
            Complaint::KIND => {
                require(ctx, Permission::ReadComplaints)?;
                Complaint::load(ctx, key).await?.map(Node::Complaint)
            }
            Employee::KIND => {
                Employee::readable_by(ctx, key)?;
                Employee::load(ctx, key).await?.map(Node::Employee)
            }
            NasDevice::KIND => {
                require(ctx, Permission::ManageNetwork)?;
                NasDevice::load(ctx, key).await?.map(Node::NasDevice)
            }
            _ => None,
        })
    }
}
