//! `revealIdProof`, and the batched lookup of customers' masked numbers (`Customer.idProofNo`).

use async_graphql::{Context, Object, Result, ID};

use super::key::IdVault;
use super::model::MaskedIdProof;
use crate::audit::Actor;
use crate::auth::guard::{principal, Require};
use crate::auth::permissions::Permission;
use crate::auth::Principal;
use crate::error::AppError;
use crate::graphql::context::db;
use crate::graphql::ids::expect_id;
use crate::ids::Kind;

crate::by_id_key! {
    /// A customer's row id, for the batched lookup of their masked identity document number.
    MaskedIdProofOf => MaskedIdProof, super::repo::masked_of_customers
}

#[derive(Default)]
pub struct IdVaultQuery;

#[Object]
impl IdVaultQuery {
    /// A customer's personal data as a JSON document, for an access request under the DPDP Act:
    /// the profile, the identity document, their invoices (numbers, dates, amounts) and
    /// payments, their complaints, and the connection request they came through. For ADMIN and
    /// MANAGER, and for a customer about themself (another customer's is `NOT_FOUND`). The
    /// document's number (`idProof.number`) is in full for the customer themself, and masked
    /// (`XXXX XXXX 1234`, as `Customer.idProofNo`) for staff, who see it in full only through
    /// `revealIdProof`; `idProof.masked` says which (masked for everyone when the server has no
    /// vault key). Recorded in the audit log as `exportPersonalData`.
    async fn export_personal_data(&self, ctx: &Context<'_>, customer_id: ID) -> Result<String> {
        let key = expect_id("customerId", Kind::Customer, &customer_id)?;
        crate::graphql::access::own_readable(ctx, Permission::ExportPersonalData, key, "customer")?;
        let caller = principal(ctx)?;
        let themself = matches!(caller, Principal::Customer { id, .. } if *id == key);
        let actor = Actor::from(caller);
        let vault = ctx.data_unchecked::<IdVault>().clone();
        let data = db(ctx)
            .write(move |conn| {
                crate::customers::repo::find(conn, key).map_err(|_| AppError::not_found("customer"))?;
                let data = super::retention::export(conn, &vault, key, themself)?;
                let target = [crate::ids::encode(Kind::Customer, key)];
                crate::audit::repo::record(conn, &actor, "exportPersonalData", &target, None)?;
                Ok(data)
            })
            .await?;
        Ok(data.to_string())
    }
}

#[derive(Default)]
pub struct IdVaultMutation;

#[Object]
impl IdVaultMutation {
    /// The customer's identity document number in full (`null` when none is on file), as on the
    /// form (an Aadhaar number in groups of four), for ADMIN and MANAGER. Every call is recorded
    /// in the audit log as `revealIdProof` with who, when and `reason` (never the number). Other
    /// roles get `FORBIDDEN`; everyone sees the masked `Customer.idProofNo`. A `reason` holding
    /// 12 digits in a row (spaces and dashes aside, as in an Aadhaar number) is `BAD_USER_INPUT`.
    #[graphql(guard = "Require(Permission::RevealIdProof)")]
    async fn reveal_id_proof(
        &self,
        ctx: &Context<'_>,
        customer_id: ID,
        #[graphql(desc = "Why the full number is needed (a KYC inspection, a police request), for the audit log.")]
        reason: String,
    ) -> Result<Option<String>> {
        let actor = Actor::from(principal(ctx)?);
        let key = expect_id("customerId", Kind::Customer, &customer_id)?;
        let reason = crate::validate::required_multiline("reason", &reason, 500)?;
        let vault = ctx.data_unchecked::<IdVault>().clone();
        let number = db(ctx)
            .write(move |conn| {
                crate::customers::repo::find(conn, key).map_err(|_| AppError::not_found("customer"))?;
                super::service::reveal(conn, &vault, key, &reason, &actor)
            })
            .await?;
        Ok(number.map(|n| n.expose().to_owned()))
    }
}
