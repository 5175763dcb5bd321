//! Relay global object identification: opaque IDs unique across types, and `node(id:)`.

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
use crate::ids::{self, Decoded, Kind};
use crate::invoices::graphql::Invoice;
use crate::ledger::graphql::Transaction;
use crate::localities::graphql::Locality;
use crate::payments::graphql::Payment;
use crate::plans::graphql::Plan;
use crate::refunds::graphql::Refund;

/// The opaque global ID of row `id` of type `kind`, as a GraphQL `ID`.
pub fn global_id(kind: Kind, id: i64) -> ID {
    ID(ids::encode(kind, id))
}

/// The row id inside `id`, which must be a global ID of type `kind`; `field` names the argument.
pub fn expect_id(field: &str, kind: Kind, id: &ID) -> Result<i64, AppError> {
    match ids::decode(id) {
        Some(Decoded::Known(k, key)) if k == kind => Ok(key),
        Some(Decoded::Known(k, _)) => {
            Err(AppError::bad_input(field, format!("`{field}` must be the ID of a {kind}, not of a {k}")))
        }
        Some(Decoded::Foreign(k)) => {
            Err(AppError::bad_input(field, format!("`{field}` must be the ID of a {kind}, not of a {k}")))
        }
        None => Err(AppError::bad_input(field, format!("`{field}` is not an ID this API issued"))),
    }
}

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
    Expense(Expense),
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
            _ => None,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn expected_ids_must_be_of_the_right_type() {
        let id = global_id(Kind::Plan, 7);
        assert_eq!(expect_id("planId", Kind::Plan, &id).unwrap(), 7);
        assert!(expect_id("companyId", Kind::Company, &id).is_err());
        assert!(expect_id("planId", Kind::Plan, &ID("zzz".into())).is_err());
    }
}
