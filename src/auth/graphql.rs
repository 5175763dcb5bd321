//! `login`, `logout`, `changePassword` and `me`.

use async_graphql::{Context, Object, Result, SimpleObject, ID};
use chrono::NaiveDateTime;

use super::guard::{principal, request_auth};
use super::model::{Credentials, EMPLOYEE};
use super::{password, repo, throttle, token, AuthSettings, Decision, Principal, Role};
use crate::audit::Actor;
use crate::db::Db;
use crate::employees::graphql::Employee;
use crate::error::{AppError, AppResult};
use crate::graphql::context::{db, now};
use crate::graphql::ids::global_id;
use crate::graphql::scalars::DateTime;
use crate::text_enum;

text_enum! {
    /// What kind of account is logged in.
    pub enum PrincipalKind {
        /// A staff account; see `role`.
        Employee => "EMPLOYEE",
        /// A customer using self-service: sees only their own data.
        Customer => "CUSTOMER",
    }
}

/// The logged-in account.
pub struct Viewer(pub Principal);

#[Object]
impl Viewer {
    /// The ID of the employee or customer behind the login.
    async fn id(&self) -> ID {
        match &self.0 {
            Principal::Employee { id, .. } => global_id(Employee::KIND, *id),
            Principal::Customer { id, .. } => global_id(crate::ids::Kind::Customer, *id),
        }
    }
    async fn kind(&self) -> PrincipalKind {
        match self.0 {
            Principal::Employee { .. } => PrincipalKind::Employee,
            Principal::Customer { .. } => PrincipalKind::Customer,
        }
    }
    async fn username(&self) -> &str {
        self.0.username()
    }
    async fn full_name(&self) -> &str {
        match &self.0 {
            Principal::Employee { full_name, .. } | Principal::Customer { full_name, .. } => full_name,
        }
    }
    /// The staff role; `null` for a customer.
    async fn role(&self) -> Option<Role> {
        match &self.0 {
            Principal::Employee { role, .. } => Some(*role),
            Principal::Customer { .. } => None,
        }
    }
    /// The staff account; `null` for a customer.
    async fn employee(&self, ctx: &Context<'_>) -> Result<Option<Employee>> {
        match &self.0 {
            Principal::Employee { id, .. } => Employee::load(ctx, *id).await,
            Principal::Customer { .. } => Ok(None),
        }
    }
}

/// A successful login.
#[derive(SimpleObject)]
pub struct LoginPayload {
    /// Send it as `Authorization: Bearer <token>` (on websockets: in the `connection_init`
    /// payload). Shown only here; the server keeps only its hash.
    pub token: String,
    /// When the token stops working.
    pub expires_at: DateTime,
    pub viewer: Viewer,
}

/// The one answer for a wrong username or password, so neither gives the other away.
fn bad_credentials() -> AppError {
    AppError::InvalidCredentials
}

/// Starts a session for `principal` and returns its payload (inside a write transaction).
fn start_session(
    conn: &mut crate::db::DbConn,
    principal: Principal,
    ttl: std::time::Duration,
) -> AppResult<LoginPayload> {
    let token = token::generate();
    let now = now();
    let expires_at = now + chrono::Duration::from_std(ttl).unwrap_or(chrono::Duration::hours(12));
    repo::insert_session(conn, principal.kind(), principal.id(), &token::hash(&token), now, expires_at)?;
    Ok(LoginPayload { token, expires_at: DateTime(expires_at), viewer: Viewer(principal) })
}

fn since(settings: &AuthSettings) -> NaiveDateTime {
    now() - chrono::Duration::from_std(settings.lock_window).unwrap_or(chrono::Duration::minutes(15))
}

/// Checks `password` for the account `username` names, throttled (see [`super::throttle`]).
///
/// The recent failures are read first: a locked (username, address) pair is refused without a
/// check, and a username or address with many failures waits a growing delay. Then the
/// password is checked (a wrong username against a stand-in hash, in the same time) and only a
/// wrong one is recorded as a failure. A right password clears this address's failures for the
/// username; when this address had none at all, it also ends the username's slow-down
/// elsewhere (the guessers' own locks stay). `None` for a wrong username or password.
async fn check_password(
    db: &Db,
    settings: &AuthSettings,
    username: &str,
    address: &str,
    password: String,
) -> AppResult<Option<Credentials>> {
    let (name, address, since, max) =
        (username.trim().to_lowercase(), address.to_owned(), since(settings), settings.max_failures);
    // This attempt counts (in the database, for every server) from before the check, so
    // parallel guesses at one pair see each other.
    let (n, from) = (name.clone(), address.clone());
    let (attempt, recent) = db.write(move |conn| repo::begin_attempt(conn, &n, &from, since, now())).await?;
    match throttle(recent.by_pair, recent.by_address, recent.by_username, max) {
        Decision::Refuse => {
            db.write(move |conn| repo::end_attempt(conn, attempt)).await?;
            let minutes = settings.lock_window.as_secs().div_ceil(60);
            return Err(AppError::TooManyRequests(format!(
                "too many failed logins for this username from this address; try again in up to {minutes} minutes"
            )));
        }
        Decision::Delay(delay) => tokio::time::sleep(delay).await,
        Decision::Go => {}
    }
    let n = name.clone();
    let found = db.read(move |conn| repo::credentials(conn, &n)).await?;
    let matches = password::verify(password, found.as_ref().map(|c| c.password_hash.clone())).await?;
    let Some(account) = found.filter(|c| matches && c.active) else {
        db.write(move |conn| repo::record_failure(conn, attempt, &name, &address, now(), since)).await?;
        return Ok(None);
    };
    let (failed_before, clean_address) = (recent.by_pair > 0 || recent.by_username > 0, recent.by_address == 0);
    db.write(move |conn| {
        repo::end_attempt(conn, attempt)?;
        if failed_before {
            repo::clear_failures(conn, &name, &address)?;
            if clean_address {
                repo::forgive_username(conn, &name)?;
            }
        }
        Ok(())
    })
    .await?;
    Ok(Some(account))
}

#[derive(Default)]
pub struct AuthQuery;

#[Object]
impl AuthQuery {
    /// The logged-in account.
    async fn me(&self, ctx: &Context<'_>) -> Result<Viewer> {
        Ok(Viewer(principal(ctx)?.clone()))
    }
}

#[derive(Default)]
pub struct AuthMutation;

#[Object]
impl AuthMutation {
    /// Logs in a staff member or a customer. A wrong username and a wrong password give the
    /// same `UNAUTHENTICATED` error, "invalid username or password". After too many failures
    /// for a username from one address, that username is refused there with
    /// `TOO_MANY_REQUESTS` for a while. A username failing from many addresses, or an address
    /// failing for many usernames, is never locked, only slowed down (each attempt waits a
    /// growing delay, up to 8 seconds): others in the same office log in, and the owner can
    /// log in from elsewhere.
    async fn login(
        &self,
        ctx: &Context<'_>,
        username: String,
        #[graphql(secret)] password: String,
    ) -> Result<LoginPayload> {
        let settings = ctx.data_unchecked::<AuthSettings>().clone();
        let address = request_auth(ctx).client_address.clone();
        let db = db(ctx);
        let Some(account) = check_password(db, &settings, &username, &address, password).await? else {
            return Err(bad_credentials().into());
        };
        let ttl = settings.token_ttl;
        let payload = db
            .write(move |conn| {
                let principal = repo::principal(conn, account.kind, account.id)?.ok_or_else(bad_credentials)?;
                start_session(conn, principal, ttl)
            })
            .await?;
        Ok(payload)
    }

    /// Ends the current session: its token stops working at once.
    async fn logout(&self, ctx: &Context<'_>) -> Result<bool> {
        principal(ctx)?;
        let Some(session_id) = request_auth(ctx).session_id else { return Ok(false) };
        db(ctx).write(move |conn| repo::revoke_session(conn, session_id, now())).await?;
        Ok(true)
    }

    /// Changes the caller's own password. Every session of the account ends (other devices
    /// are logged out); the returned payload carries a fresh token for this one.
    async fn change_password(
        &self,
        ctx: &Context<'_>,
        #[graphql(secret)] current_password: String,
        #[graphql(secret)] new_password: String,
    ) -> Result<LoginPayload> {
        let me = principal(ctx)?.clone();
        let settings = ctx.data_unchecked::<AuthSettings>().clone();
        password::check_policy("newPassword", &new_password, me.username())?;
        let db = db(ctx);
        let address = request_auth(ctx).client_address.clone();
        let account = check_password(db, &settings, me.username(), &address, current_password).await?;
        if account.as_ref().is_none_or(|a| a.kind != me.kind() || a.id != me.id()) {
            return Err(AppError::bad_input("currentPassword", "`currentPassword` is wrong").into());
        }
        let hash = password::hash(new_password).await?;
        let payload = db
            .write(move |conn| {
                let now = now();
                match me.kind() {
                    EMPLOYEE => crate::employees::repo::set_password(conn, me.id(), &hash, now)?,
                    _ => {
                        return Err(AppError::Forbidden(
                            "customer passwords are changed with the customers area".into(),
                        ))
                    }
                }
                repo::revoke_all(conn, me.kind(), me.id(), now)?;
                let target = crate::ids::encode(Employee::KIND, me.id());
                crate::audit::repo::record(conn, &Actor::from(&me), "changePassword", &[target], None)?;
                start_session(conn, me.clone(), settings.token_ttl)
            })
            .await?;
        Ok(payload)
    }
}
