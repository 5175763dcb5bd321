//! Changes to the network settings, each inside the caller's transaction and audited:
//! a customer's login (`set_credentials`), a plan's speed, a company's RADIUS answers, and NAS
//! devices (reference data).

use super::model::*;
use super::repo;
use crate::audit::Actor;
use crate::db::DbConn;
use crate::error::{AppError, AppResult};
use crate::ids::{self, Kind};
use crate::secrets::SecretsKey;

/// What a customer's network password is sealed for.
pub const PASSWORD_CONTEXT: &str = "network_credentials.password";
/// What a NAS device's shared secret is sealed for.
pub const NAS_SECRET_CONTEXT: &str = "nas_devices.secret";

/// `plain` sealed for `context`; refused on `field` when the server has no `ISP_SECRETS_KEY`.
pub fn seal(key: Option<&SecretsKey>, field: &str, plain: &str, context: &str) -> AppResult<String> {
    let key = key.ok_or_else(|| {
        AppError::bad_input(
            field,
            "this server has no ISP_SECRETS_KEY, so it cannot keep network passwords and NAS secrets encrypted: \
             set ISP_SECRETS_KEY and restart",
        )
    })?;
    Ok(key.seal(plain, context))
}

/// A checked network login: username, the password sealed, the static address.
#[derive(Debug, Clone)]
pub struct CredentialsInput {
    pub username: String,
    /// `None` keeps the password the customer has (refused when they have none).
    pub password_sealed: Option<String>,
    pub static_ip: Option<String>,
}

/// A PPPoE username: 1–64 letters, digits and `. _ @ -`.
pub fn check_username(field: &str, value: &str) -> AppResult<String> {
    let value = value.trim();
    let ok = !value.is_empty()
        && value.len() <= 64
        && value.chars().all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '@' | '-'));
    if !ok {
        return Err(AppError::bad_input(field, "a network username is 1–64 letters, digits and . _ @ -"));
    }
    Ok(value.to_owned())
}

/// A network password: 4–128 printable characters.
pub fn check_password(field: &str, value: &str) -> AppResult<()> {
    if value.chars().count() < 4 || value.chars().count() > 128 || value.chars().any(|c| c.is_control()) {
        return Err(AppError::bad_input(field, "a network password is 4–128 characters without control characters"));
    }
    Ok(())
}

/// An IPv4 address, as `Framed-IP-Address` carries.
pub fn check_ipv4(field: &str, value: &str) -> AppResult<String> {
    value
        .trim()
        .parse::<std::net::Ipv4Addr>()
        .map(|ip| ip.to_string())
        .map_err(|_| AppError::bad_input(field, format!("{value:?} is not an IPv4 address")))
}

/// Sets customer `customer_id`'s network login (replacing the one they had), audited as
/// `setNetworkCredentials` with the password hidden.
pub fn set_credentials(
    conn: &mut DbConn,
    customer_id: i64,
    input: &CredentialsInput,
    actor: &Actor,
) -> AppResult<CredentialRow> {
    let customer = crate::customers::repo::find(conn, customer_id)?;
    if repo::username_taken(conn, &input.username, customer_id)? {
        return Err(AppError::bad_input("username", "another customer has this network username"));
    }
    if let Some(ip) = &input.static_ip {
        if repo::static_ip_taken(conn, ip, customer_id)? {
            return Err(AppError::bad_input("staticIp", "another customer has this static address"));
        }
    }
    let now = crate::clock::now();
    let before = repo::credential_of(conn, customer_id)?;
    let row = match (&before, &input.password_sealed) {
        (Some(old), password) => repo::update_credential(
            conn,
            old.id,
            customer_id,
            &input.username,
            password.as_deref().unwrap_or(&old.password_sealed),
            input.static_ip.as_deref(),
            now,
        )?,
        (None, None) => {
            return Err(AppError::bad_input("password", "a first network login needs a password"));
        }
        (None, Some(password)) => repo::insert_credential(
            conn,
            &NewCredential {
                customer_id,
                username: input.username.clone(),
                password_sealed: password.clone(),
                static_ip: input.static_ip.clone(),
                created_at: now,
                updated_at: now,
                // A new login has no session to tell about: the network knows its status.
                told_status: Some(customer.status),
            },
        )?,
    };
    let details = match &before {
        Some(old) => crate::audit::diff::describe(&old.audit_fields(), &row.audit_fields()),
        None => format!(
            "username={} password=(set, encrypted) staticIp={}",
            row.username,
            row.static_ip.as_deref().unwrap_or("-")
        ),
    };
    let target = [ids::encode(Kind::Customer, customer_id)];
    crate::audit::repo::record(conn, actor, "setNetworkCredentials", &target, Some(&details))?;
    Ok(row)
}

/// Sets plan `plan`'s speed (`None`: no limit sent), audited as `setPlanRateLimit`.
pub fn set_plan_rate(conn: &mut DbConn, plan: i64, rate: Option<(i32, i32)>, actor: &Actor) -> AppResult<()> {
    let before = crate::plans::repo::find(conn, plan)?;
    repo::set_plan_rate(conn, plan, rate, crate::clock::now())?;
    let shown = |r: Option<(i32, i32)>| r.map_or("none".to_owned(), |(u, d)| format!("{u}/{d} kbps"));
    let details = format!("rateLimit: {} → {}", shown(before.upload_kbps.zip(before.download_kbps)), shown(rate));
    crate::audit::repo::record(conn, actor, "setPlanRateLimit", &[ids::encode(Kind::Plan, plan)], Some(&details))
}

/// Sets company `company`'s RADIUS answers, audited as `setCompanyNetworkSettings`.
pub fn set_company_settings(conn: &mut DbConn, company: i64, s: &CompanySettings, actor: &Actor) -> AppResult<()> {
    let before = crate::companies::repo::find(conn, company)?;
    repo::set_company_settings(conn, company, s, crate::clock::now())?;
    let link = |l: &Option<String>| l.clone().unwrap_or_else(|| "none".to_owned());
    let details = format!(
        "rateAttribute: {} → {}, suspended: {} → {}, walledGardenPool: {} → {}, paymentLink: {} → {}",
        before.radius_rate_attribute,
        s.rate_attribute,
        before.radius_suspended.as_str(),
        s.suspended.as_str(),
        before.radius_walled_pool,
        s.walled_pool,
        link(&before.pay_link),
        link(&s.pay_link)
    );
    crate::audit::repo::record(
        conn,
        actor,
        "setCompanyNetworkSettings",
        &[ids::encode(Kind::Company, company)],
        Some(&details),
    )
}

crate::reference_table! {
    /// NAS devices: created, changed and deleted as reference data (`createNasDevice`, ...).
    pub struct NasDevices {
        kind: NasDevice,
        repo: super::repo,
        row: NasRow,
        new: NewNas,
        changes: NasChanges,
    }

    fn change_details(row: &NasRow) -> Option<String> {
        Some(format!(
            "name={} address={} coaPort={} kind={} method={} secret=(set, encrypted)",
            row.name,
            row.address,
            row.coa_port,
            row.kind.as_str(),
            row.method.as_str()
        ))
    }
}
