//! Accounting records from FreeRADIUS stored as sessions, idempotent on (NAS, session id,
//! record type, `Acct-Session-Time`): FreeRADIUS retries, and a retried or late record changes
//! nothing (`rules::is_newer`). Each record's byte increments go to the customer's day.

use std::collections::HashMap;

use chrono::NaiveDateTime;

use super::model::*;
use super::repo;
use super::rules;
use crate::db::schema::network_credentials;
use crate::db::{lower, DbConn};
use crate::error::{AppError, AppResult};

/// One accounting record, read from the attributes FreeRADIUS sent.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Record {
    pub kind: RecordType,
    pub nas_address: String,
    pub session_id: String,
    pub username: String,
    pub framed_ip: Option<String>,
    pub calling_station_id: Option<String>,
    /// `Acct-Session-Time`: seconds since the session started (0 on Start).
    pub seconds: i64,
    /// Bytes from the customer (`Acct-Input-Octets` with its gigawords).
    pub input: i64,
    /// Bytes to the customer.
    pub output: i64,
    pub terminate_cause: Option<String>,
    /// `Acct-Delay-Time`: how long the NAS held the record.
    pub delay: i64,
}

/// What the record said happened, or `None` for records that are not about a session
/// (Accounting-On/Off).
pub fn read(attributes: &HashMap<String, Vec<String>>) -> AppResult<Option<Record>> {
    let first = |name: &str| attributes.get(name).and_then(|v| v.first()).map(|s| s.trim().to_owned());
    let number = |name: &str| first(name).and_then(|v| v.parse::<i64>().ok()).unwrap_or(0);
    let kind = match first("Acct-Status-Type").as_deref() {
        Some("Start" | "1") => RecordType::Start,
        Some("Stop" | "2") => RecordType::Stop,
        Some("Interim-Update" | "Alive" | "3") => RecordType::Interim,
        Some(_) => return Ok(None),
        None => return Err(AppError::bad_input("Acct-Status-Type", "missing")),
    };
    let nas_address = first("NAS-IP-Address")
        .or_else(|| first("NAS-IPv6-Address"))
        .or_else(|| first("NAS-Identifier"))
        .ok_or_else(|| AppError::bad_input("NAS-IP-Address", "missing"))?;
    let session_id = first("Acct-Session-Id").ok_or_else(|| AppError::bad_input("Acct-Session-Id", "missing"))?;
    let username = first("User-Name").ok_or_else(|| AppError::bad_input("User-Name", "missing"))?;
    let octets = |low: &str, giga: &str| number(giga).saturating_mul(1 << 32).saturating_add(number(low)).max(0);
    Ok(Some(Record {
        kind,
        nas_address,
        session_id: session_id.chars().take(128).collect(),
        username: username.chars().take(128).collect(),
        framed_ip: first("Framed-IP-Address"),
        calling_station_id: first("Calling-Station-Id").map(|s| s.chars().take(64).collect()),
        seconds: number("Acct-Session-Time").max(0),
        input: octets("Acct-Input-Octets", "Acct-Input-Gigawords"),
        output: octets("Acct-Output-Octets", "Acct-Output-Gigawords"),
        terminate_cause: first("Acct-Terminate-Cause").map(|s| s.chars().take(64).collect()),
        delay: number("Acct-Delay-Time").clamp(0, 86_400),
    }))
}

/// The customer with network username `username` (ignoring case).
fn customer_of(conn: &mut DbConn, username: &str) -> AppResult<Option<i64>> {
    use diesel::prelude::*;
    Ok(network_credentials::table
        .filter(lower(network_credentials::username).eq(username.to_lowercase()))
        .select(network_credentials::customer_id)
        .first(conn)
        .optional()?)
}

/// Applies `record`, received at `now`; whether it changed anything (a retry does not).
pub fn apply(conn: &mut DbConn, record: &Record, now: NaiveDateTime) -> AppResult<bool> {
    let happened = now - chrono::Duration::seconds(record.delay);
    let stopped = (record.kind == RecordType::Stop).then_some((happened, record.terminate_cause.as_deref()));
    let (customer, before) = match repo::session_by_key(conn, &record.nas_address, &record.session_id)? {
        Some(session) => {
            if !rules::is_newer(record.seconds, record.kind, session.last_seconds, session.last_record) {
                return Ok(false);
            }
            repo::advance_session(
                conn,
                session.id,
                record.kind,
                record.seconds,
                record.input,
                record.output,
                record.framed_ip.as_deref(),
                stopped,
                now,
            )?;
            (session.customer_id, (session.input_octets, session.output_octets))
        }
        None => {
            let customer = customer_of(conn, &record.username)?;
            repo::insert_session(
                conn,
                &NewSession {
                    nas_address: record.nas_address.clone(),
                    acct_session_id: record.session_id.clone(),
                    username: record.username.clone(),
                    customer_id: customer,
                    framed_ip: record.framed_ip.clone(),
                    calling_station_id: record.calling_station_id.clone(),
                    started_at: happened - chrono::Duration::seconds(record.seconds),
                    updated_at: now,
                    stopped_at: stopped.map(|s| s.0),
                    last_seconds: record.seconds,
                    last_record: record.kind,
                    input_octets: record.input,
                    output_octets: record.output,
                    terminate_cause: record.terminate_cause.clone(),
                },
            )?;
            (customer, (0, 0))
        }
    };
    if let Some(customer) = customer {
        let input = rules::increment(record.input, before.0);
        let output = rules::increment(record.output, before.1);
        if input > 0 || output > 0 {
            repo::add_usage(conn, customer, crate::clock::business_date(happened), input, output)?;
        }
    }
    Ok(true)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn attrs(pairs: &[(&str, &str)]) -> HashMap<String, Vec<String>> {
        pairs.iter().map(|(k, v)| (k.to_string(), vec![v.to_string()])).collect()
    }

    #[test]
    fn reads_records_with_gigawords() {
        let r = read(&attrs(&[
            ("Acct-Status-Type", "Interim-Update"),
            ("NAS-IP-Address", "10.0.0.1"),
            ("Acct-Session-Id", "abc"),
            ("User-Name", "bob"),
            ("Acct-Session-Time", "300"),
            ("Acct-Input-Octets", "10"),
            ("Acct-Input-Gigawords", "1"),
            ("Acct-Output-Octets", "20"),
        ]))
        .unwrap()
        .unwrap();
        assert_eq!(r.kind, RecordType::Interim);
        assert_eq!(r.input, (1 << 32) + 10);
        assert_eq!(r.output, 20);
        assert_eq!(r.seconds, 300);
        assert!(read(&attrs(&[("Acct-Status-Type", "Accounting-On")])).unwrap().is_none());
        assert!(read(&attrs(&[("Acct-Status-Type", "Start")])).is_err());
    }
}
