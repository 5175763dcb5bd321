//! Relay global object identification: opaque IDs unique across types, and `node(id:)`.

use async_graphql::{Context, Interface, Object, ID};
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;

use crate::addons::graphql::AddonBill;
use crate::auth::permissions::{require, Permission};
use crate::companies::graphql::Company;
use crate::complaints::graphql::Complaint;
use crate::customers::graphql::Customer;
use crate::employees::graphql::Employee;
use crate::error::AppError;
use crate::invoices::graphql::Invoice;
use crate::ledger::graphql::Transaction;
use crate::localities::graphql::Locality;
use crate::payments::graphql::Payment;
use crate::plans::graphql::Plan;
use crate::refunds::graphql::Refund;

/// The opaque global ID of row `id` of type `kind` (`"Company"`, `"Plan"`, ...).
pub fn global_id(kind: &str, id: i64) -> ID {
    ID(URL_SAFE_NO_PAD.encode(format!("{kind}:{id}")))
}

/// The type name and row id inside a global ID, if it is one.
pub fn decode_global_id(id: &str) -> Option<(String, i64)> {
    let text = String::from_utf8(URL_SAFE_NO_PAD.decode(id).ok()?).ok()?;
    let (kind, key) = text.split_once(':')?;
    Some((kind.to_owned(), key.parse().ok()?))
}

/// The row id inside `id`, which must be a global ID of type `kind`; `field` names the argument.
pub fn expect_id(field: &str, kind: &str, id: &ID) -> Result<i64, AppError> {
    match decode_global_id(id) {
        Some((k, key)) if k == kind => Ok(key),
        Some((k, _)) => Err(AppError::bad_input(field, format!("`{field}` must be the ID of a {kind}, not of a {k}"))),
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
}

#[derive(Default)]
pub struct NodeQuery;

#[Object]
impl NodeQuery {
    /// Fetches any object by its global `id`; `null` when it does not exist (any more).
    async fn node(&self, ctx: &Context<'_>, id: ID) -> async_graphql::Result<Option<Node>> {
        let Some((kind, key)) = decode_global_id(&id) else {
            return Err(AppError::bad_input("id", "`id` is not an ID this API issued").into());
        };
        // Each type is readable under the same permission as its own root field.
        Ok(match kind.as_str() {
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
    fn ids_round_trip_and_carry_their_type() {
        let id = global_id("Plan", 7);
        assert_eq!(decode_global_id(&id), Some(("Plan".to_owned(), 7)));
        assert_eq!(expect_id("planId", "Plan", &id).unwrap(), 7);
        assert!(expect_id("companyId", "Company", &id).is_err());
        assert!(expect_id("planId", "Plan", &ID("zzz".into())).is_err());
    }
}
