//! The first start: with no accounts at all, an `admin` account is created.

use crate::audit::Actor;
use crate::auth::{password, Role};
use crate::clock::now;
use crate::db::Db;
use crate::ids::{self, Kind};

use super::model::NewEmployee;
use super::repo;

/// Username of the account made on the first start.
pub const FIRST_ADMIN: &str = "admin";

/// Creates `admin` when there are no employees: with `password` (from `ISP_ADMIN_PASSWORD`),
/// or with a random one written once to the log. Returns the random password, if one was made.
pub async fn ensure_first_admin(db: &Db, password: Option<String>) -> anyhow::Result<Option<String>> {
    let count = db.read(repo::count).await?;
    if count > 0 {
        return Ok(None);
    }
    let (password, generated) = match password {
        Some(p) => {
            password::check_policy("ISP_ADMIN_PASSWORD", &p, FIRST_ADMIN)
                .map_err(|e| anyhow::Error::from(e).context("ISP_ADMIN_PASSWORD is not usable"))?;
            (p, false)
        }
        None => (crate::auth::token::generate()[..20].to_owned(), true),
    };
    let hash = password::hash(password.clone()).await?;
    let created = db
        .write(move |conn| {
            // Checked again inside the transaction, under a lock on PostgreSQL: two servers
            // starting at once make one admin.
            crate::db::lock_key(conn, "first-admin")?;
            if repo::count(conn)? > 0 {
                return Ok(false);
            }
            let now = now();
            let row = repo::insert(
                conn,
                &NewEmployee {
                    username: FIRST_ADMIN.to_owned(),
                    full_name: "Administrator".to_owned(),
                    mobile: None,
                    email: None,
                    role: Role::Admin,
                    is_active: true,
                    password_hash: hash.clone(),
                    password_changed_at: now,
                    created_at: now,
                    updated_at: now,
                },
            )?;
            let target = ids::encode(Kind::Employee, row.id);
            crate::audit::repo::record(conn, &Actor::system(), "createEmployee", &[target], Some("first admin"))?;
            Ok(true)
        })
        .await?;
    if !created {
        return Ok(None);
    }
    if generated {
        tracing::warn!(
            username = FIRST_ADMIN,
            password = %password,
            "created the first admin account with this random password; it is shown only now: \
             log in and change it (changePassword)"
        );
        Ok(Some(password))
    } else {
        tracing::info!(username = FIRST_ADMIN, "created the first admin account with ISP_ADMIN_PASSWORD");
        Ok(None)
    }
}
