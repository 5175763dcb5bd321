//! The network's mutations: a customer's login, a plan's speed, a company's RADIUS answers, NAS
//! devices.

use async_graphql::{Context, InputObject, MaybeUndefined, Object, Result, ID};

use super::graphql::{NasDevice, NetworkCredentials};
use super::model::*;
use super::service::{self, CredentialsInput, NasDevices, NAS_SECRET_CONTEXT, PASSWORD_CONTEXT};
use crate::audit::Actor;
use crate::auth::guard::{principal, Require};
use crate::auth::permissions::Permission;
use crate::companies::graphql::Company;
use crate::customers::graphql::Customer;
use crate::error::{AppError, AppResult};
use crate::gateways::service::GatewaySettings;
use crate::graphql::context::{db, now};
use crate::graphql::ids::expect_id;
use crate::plans::graphql::Plan;
use crate::reference;

fn secrets_key(ctx: &Context<'_>) -> Option<crate::secrets::SecretsKey> {
    ctx.data_unchecked::<GatewaySettings>().secrets_key.clone()
}

/// A customer's network login.
#[derive(InputObject)]
pub struct NetworkCredentialsInput {
    /// The PPPoE/IPoE login name: 1–64 letters, digits and `. _ @ -`, unique ignoring case.
    pub username: String,
    /// 4–128 characters, stored encrypted (FreeRADIUS needs it in clear for CHAP) and never
    /// shown. Required the first time; left out, the current password stays.
    #[graphql(secret)]
    pub password: Option<String>,
    /// A fixed IPv4 address (sent as `Framed-IP-Address`), unique; null or left out: the NAS
    /// assigns one.
    pub static_ip: Option<String>,
}

/// A plan's speed.
#[derive(InputObject)]
pub struct RateLimitInput {
    /// Upload (from the customer) in kbit/s, 1–100000000.
    pub upload_kbps: i32,
    /// Download (to the customer) in kbit/s, 1–100000000.
    pub download_kbps: i32,
}

/// What FreeRADIUS answers for a company's customers; a field left out stays as it is.
#[derive(InputObject)]
pub struct CompanyNetworkSettingsInput {
    /// The reply attribute a plan's speed is sent in (a RADIUS dictionary name such as
    /// `Mikrotik-Rate-Limit`).
    pub rate_attribute: Option<String>,
    pub suspended_access: Option<SuspendedAccess>,
    /// The walled garden's address pool name, as configured on the NAS.
    pub walled_garden_pool: Option<String>,
    /// The company's payment page at its gateway (an `https://` link of at most 500
    /// characters), offered on the walled garden's `/pay` page beside the UPI QR code;
    /// `{customer}` (the customer number) and `{amount}` (rupees, `499.00`) in it are filled in
    /// for the customer there. `null` removes it.
    pub payment_link: MaybeUndefined<String>,
}

/// A new NAS device.
#[derive(InputObject)]
pub struct CreateNasDeviceInput {
    pub name: String,
    /// Its IPv4 address: where its accounting comes from (`NAS-IP-Address`) and requests go.
    pub address: String,
    /// UDP port of its Disconnect/CoA listener; 3799 when left out.
    pub coa_port: Option<i32>,
    /// The RADIUS shared secret for Disconnect/CoA, stored encrypted, never shown.
    #[graphql(secret)]
    pub secret: String,
    pub kind: NasKind,
    /// DISCONNECT when left out.
    pub method: Option<NasMethod>,
}

/// Changes to a NAS device; a field left out stays as it is.
#[derive(InputObject)]
pub struct UpdateNasDeviceInput {
    pub name: Option<String>,
    pub address: Option<String>,
    pub coa_port: Option<i32>,
    /// A new shared secret.
    #[graphql(secret)]
    pub secret: Option<String>,
    pub kind: Option<NasKind>,
    pub method: Option<NasMethod>,
}

fn attribute_name(field: &str, value: &str) -> AppResult<String> {
    let value = value.trim();
    if value.is_empty() || value.len() > 64 || !value.chars().all(|c| c.is_ascii_alphanumeric() || c == '-') {
        return Err(AppError::bad_input(field, "a RADIUS attribute name is 1–64 letters, digits and -"));
    }
    Ok(value.to_owned())
}

fn pool_name(field: &str, value: &str) -> AppResult<String> {
    let value = value.trim();
    if value.is_empty() || value.len() > 64 || !value.chars().all(|c| c.is_ascii_alphanumeric() || "-_.".contains(c)) {
        return Err(AppError::bad_input(field, "a pool name is 1–64 letters, digits and - _ ."));
    }
    Ok(value.to_owned())
}

fn port(field: &str, value: i32) -> AppResult<i32> {
    if !(1..=65535).contains(&value) {
        return Err(AppError::bad_input(field, "a UDP port is 1–65535"));
    }
    Ok(value)
}

fn nas_secret(key: Option<&crate::secrets::SecretsKey>, value: &str) -> AppResult<String> {
    if value.is_empty() || value.len() > 128 || value.chars().any(|c| c.is_control()) {
        return Err(AppError::bad_input("secret", "a shared secret is 1–128 characters without control characters"));
    }
    service::seal(key, "secret", value, NAS_SECRET_CONTEXT)
}

#[derive(Default)]
pub struct NetworkMutation;

#[Object]
impl NetworkMutation {
    /// Sets a customer's network login: what FreeRADIUS checks when their router connects
    /// (replacing the login they had; sessions already open stay). `BAD_USER_INPUT` on a
    /// username or static address another customer has, or a first login without a password.
    /// Audited with the password hidden.
    #[graphql(guard = "Require(Permission::WriteCustomers)")]
    async fn set_network_credentials(
        &self,
        ctx: &Context<'_>,
        customer_id: ID,
        input: NetworkCredentialsInput,
    ) -> Result<NetworkCredentials> {
        let actor = Actor::from(principal(ctx)?);
        let customer = expect_id("customerId", Customer::KIND, &customer_id)?;
        let username = service::check_username("username", &input.username)?;
        let password_sealed = match &input.password {
            Some(p) => {
                service::check_password("password", p)?;
                Some(service::seal(secrets_key(ctx).as_ref(), "password", p, PASSWORD_CONTEXT)?)
            }
            None => None,
        };
        let static_ip = match input.static_ip.as_deref().map(str::trim) {
            None | Some("") => None,
            Some(ip) => Some(service::check_ipv4("staticIp", ip)?),
        };
        let checked = CredentialsInput { username, password_sealed, static_ip };
        let row = db(ctx).write(move |conn| service::set_credentials(conn, customer, &checked, &actor)).await?;
        Ok(NetworkCredentials(row))
    }

    /// Sets a plan's speed, sent to the NAS (in the company's rate attribute) when its
    /// customers log in; `input: null` sends no limit. Sessions already open keep the speed
    /// they got until they reconnect.
    #[graphql(guard = "Require(Permission::WriteReferenceData)")]
    async fn set_plan_rate_limit(&self, ctx: &Context<'_>, plan_id: ID, input: Option<RateLimitInput>) -> Result<Plan> {
        let actor = Actor::from(principal(ctx)?);
        let plan = expect_id("planId", Plan::KIND, &plan_id)?;
        let rate = match input {
            Some(r) => {
                let check = |field: &str, v: i32| {
                    if (1..=100_000_000).contains(&v) {
                        Ok(v)
                    } else {
                        Err(AppError::bad_input(field, "a speed is 1–100000000 kbit/s"))
                    }
                };
                Some((check("uploadKbps", r.upload_kbps)?, check("downloadKbps", r.download_kbps)?))
            }
            None => None,
        };
        let row = db(ctx)
            .write(move |conn| {
                service::set_plan_rate(conn, plan, rate, &actor)?;
                crate::plans::repo::find(conn, plan)
            })
            .await?;
        Ok(Plan::from(row))
    }

    /// Sets what FreeRADIUS answers for a company's customers: the speed attribute, and whether
    /// a SUSPENDED customer gets the walled garden (so they can reach the payment page) or a
    /// reject.
    #[graphql(guard = "Require(Permission::WriteReferenceData)")]
    async fn set_company_network_settings(
        &self,
        ctx: &Context<'_>,
        company_id: ID,
        input: CompanyNetworkSettingsInput,
    ) -> Result<Company> {
        let actor = Actor::from(principal(ctx)?);
        let company = expect_id("companyId", Company::KIND, &company_id)?;
        let attribute = input.rate_attribute.as_deref().map(|a| attribute_name("rateAttribute", a)).transpose()?;
        let pool = input.walled_garden_pool.as_deref().map(|p| pool_name("walledGardenPool", p)).transpose()?;
        let suspended = input.suspended_access;
        let link = match input.payment_link {
            MaybeUndefined::Undefined => None,
            MaybeUndefined::Null => Some(None),
            MaybeUndefined::Value(v) => Some(Some(super::pay_page::pay_link("paymentLink", &v)?)),
        };
        let row = db(ctx)
            .write(move |conn| {
                let current = crate::companies::repo::find(conn, company)?;
                let settings = CompanySettings {
                    rate_attribute: attribute.clone().unwrap_or(current.radius_rate_attribute),
                    suspended: suspended.unwrap_or(current.radius_suspended),
                    walled_pool: pool.clone().unwrap_or(current.radius_walled_pool),
                    pay_link: link.clone().unwrap_or(current.pay_link),
                };
                service::set_company_settings(conn, company, &settings, &actor)?;
                crate::companies::repo::find(conn, company)
            })
            .await?;
        Ok(Company::from(row))
    }

    /// Adds a NAS device: when a customer on it is suspended, deactivated or terminated, or
    /// reactivated from the walled garden, it is sent an RFC 5176 request for their session.
    /// `CONFLICT` on a name or address already configured.
    #[graphql(guard = "Require(Permission::ManageNetwork)")]
    async fn create_nas_device(&self, ctx: &Context<'_>, input: CreateNasDeviceInput) -> Result<NasDevice> {
        let actor = Actor::from(principal(ctx)?);
        let now = now();
        let new = NewNas {
            name: crate::validate::required_text("name", &input.name, 100)?,
            address: service::check_ipv4("address", &input.address)?,
            coa_port: port("coaPort", input.coa_port.unwrap_or(3799))?,
            secret_sealed: nas_secret(secrets_key(ctx).as_ref(), &input.secret)?,
            kind: input.kind,
            method: input.method.unwrap_or(NasMethod::Disconnect),
            created_at: now,
            updated_at: now,
        };
        let row = db(ctx).write(move |conn| reference::create::<NasDevices>(conn, &new, &actor)).await?;
        Ok(NasDevice(row))
    }

    /// Changes a NAS device. `NOT_FOUND` for an unknown ID; `CONFLICT` on a name or address
    /// another device has.
    #[graphql(guard = "Require(Permission::ManageNetwork)")]
    async fn update_nas_device(&self, ctx: &Context<'_>, id: ID, input: UpdateNasDeviceInput) -> Result<NasDevice> {
        let actor = Actor::from(principal(ctx)?);
        let key = expect_id("id", NasDevice::KIND, &id)?;
        let changes = NasChanges {
            name: input.name.as_deref().map(|n| crate::validate::required_text("name", n, 100)).transpose()?,
            address: input.address.as_deref().map(|a| service::check_ipv4("address", a)).transpose()?,
            coa_port: input.coa_port.map(|p| port("coaPort", p)).transpose()?,
            secret_sealed: input.secret.as_deref().map(|s| nas_secret(secrets_key(ctx).as_ref(), s)).transpose()?,
            kind: input.kind,
            method: input.method,
            updated_at: now(),
        };
        let row = db(ctx).write(move |conn| reference::update::<NasDevices>(conn, key, &changes, &actor)).await?;
        Ok(NasDevice(row))
    }

    /// Deletes a NAS device; `CONFLICT` once requests were sent to it (kept for their record).
    #[graphql(guard = "Require(Permission::ManageNetwork)")]
    async fn delete_nas_device(&self, ctx: &Context<'_>, id: ID) -> Result<bool> {
        let actor = Actor::from(principal(ctx)?);
        let key = expect_id("id", NasDevice::KIND, &id)?;
        db(ctx).write(move |conn| reference::delete::<NasDevices>(conn, key, &actor)).await?;
        Ok(true)
    }
}
