//! The GraphQL side of access control: who the request is (from the schema's context) and
//! the `Require` guard that fields declare. The rules themselves are in `permissions`.

use async_graphql::{Context, Guard};

use super::permissions::{access, Access, Permission};
use super::{Principal, RequestAuth};
use crate::error::{AppError, AppResult};

/// The request's auth data (anonymous when the transport set none).
pub fn request_auth<'a>(ctx: &Context<'a>) -> &'a RequestAuth {
    static ANONYMOUS: std::sync::OnceLock<RequestAuth> = std::sync::OnceLock::new();
    ctx.data_opt::<RequestAuth>().unwrap_or_else(|| ANONYMOUS.get_or_init(RequestAuth::default))
}

/// The caller, or `UNAUTHENTICATED` saying why there is none.
pub fn principal<'a>(ctx: &Context<'a>) -> AppResult<&'a Principal> {
    let auth = request_auth(ctx);
    auth.principal.as_ref().ok_or(AppError::Unauthenticated(auth.no_login))
}

/// The caller's access under `permission`: `UNAUTHENTICATED` or `FORBIDDEN` when none.
pub fn require(ctx: &Context<'_>, permission: Permission) -> AppResult<Access> {
    access(principal(ctx)?, permission)
}

/// Guard for a field: `#[graphql(guard = "Require(Permission::ManageStaff)")]`.
pub struct Require(pub Permission);

impl Guard for Require {
    async fn check(&self, ctx: &Context<'_>) -> async_graphql::Result<()> {
        require(ctx, self.0).map(|_| ()).map_err(Into::into)
    }
}
