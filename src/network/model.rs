//! Rows of the network tables and the enums stored in them.

use chrono::{NaiveDate, NaiveDateTime};
use diesel::prelude::*;

use crate::db::schema::{nas_devices, nas_requests, network_credentials, radius_sessions, radius_usage_daily};
use crate::text_enum;

text_enum! {
    /// What a SUSPENDED customer's network login gets.
    pub enum SuspendedAccess {
        /// Accepted into the walled-garden address pool, where only the payment page opens.
        WalledGarden => "WALLED_GARDEN",
        /// Refused.
        Reject => "REJECT",
    }
}

/// A company's RADIUS answers and payment link (`setCompanyNetworkSettings`).
#[derive(Debug, Clone)]
pub struct CompanySettings {
    pub rate_attribute: String,
    pub suspended: SuspendedAccess,
    pub walled_pool: String,
    /// The gateway's payment page the `/pay` page offers.
    pub pay_link: Option<String>,
}

text_enum! {
    /// The make of a NAS device (for the operator; every kind is sent RFC 5176 requests).
    pub enum NasKind {
        Mikrotik => "MIKROTIK",
        Cisco => "CISCO",
        Juniper => "JUNIPER",
        Olt => "OLT",
        Other => "OTHER",
    }
}

text_enum! {
    /// How a NAS device is told a customer's status changed.
    pub enum NasMethod {
        /// RFC 5176 Disconnect-Request: the session ends and the customer's router logs in
        /// again, getting the new answer.
        Disconnect => "DISCONNECT",
        /// RFC 5176 CoA-Request carrying the new reply attributes (speed or walled-garden
        /// pool): the session stays up.
        Coa => "COA",
    }
}

text_enum! {
    /// A request to a NAS.
    pub enum NasRequestCode {
        Disconnect => "DISCONNECT",
        Coa => "COA",
    }
}

text_enum! {
    /// Where a request to a NAS stands.
    pub enum NasRequestStatus {
        /// Not answered yet: sent again at `nextAttemptAt`.
        Pending => "PENDING",
        /// The NAS acknowledged (Disconnect-ACK or CoA-ACK).
        Acked => "ACKED",
        /// The NAS refused (Disconnect-NAK or CoA-NAK; `lastError` gives the Error-Cause).
        Naked => "NAKED",
        /// No answer after every attempt.
        Failed => "FAILED",
    }
}

text_enum! {
    /// Why a request was sent.
    pub enum NasRequestReason {
        Suspended => "SUSPENDED",
        Deactivated => "DEACTIVATED",
        Terminated => "TERMINATED",
        Reactivated => "REACTIVATED",
    }
}

text_enum! {
    /// The kind of the latest accounting record applied to a session.
    pub enum RecordType {
        Start => "START",
        Interim => "INTERIM",
        Stop => "STOP",
    }
}

crate::row_and_new! {
    table = network_credentials;

    /// A customer's network login; the password sealed under `ISP_SECRETS_KEY`.
    #[derive(Debug, Clone, Queryable)]
    pub struct CredentialRow {
        pub id: i64,
        ..NewCredential
    }

    #[derive(Debug, Clone, Insertable)]
    #[diesel(treat_none_as_default_value = false)]
    pub struct NewCredential {
        pub customer_id: i64,
        pub username: String,
        pub password_sealed: String,
        pub static_ip: Option<String>,
        pub created_at: NaiveDateTime,
        pub updated_at: NaiveDateTime,
        /// The status the network was last told about (`None` until the snapshot first reads
        /// the login; see `super::snapshot`).
        pub told_status: Option<crate::customers::model::CustomerStatus>,
    }
}

impl CredentialRow {
    /// The fields `setNetworkCredentials` records from → to (the password hidden).
    pub fn audit_fields(&self) -> crate::audit::diff::Fields {
        use crate::audit::diff::{hidden, v};
        vec![
            ("username", v(&self.username)),
            ("password", hidden(&self.password_sealed)),
            ("staticIp", v(&self.static_ip)),
        ]
    }
}

crate::row_and_new! {
    table = nas_devices;

    /// A NAS device; the RADIUS shared secret sealed under `ISP_SECRETS_KEY`.
    #[derive(Debug, Clone, Queryable)]
    pub struct NasRow {
        pub id: i64,
        ..NewNas
    }

    #[derive(Debug, Clone, Insertable)]
    #[diesel(treat_none_as_default_value = false)]
    pub struct NewNas {
        pub name: String,
        /// The address its accounting comes from (`NAS-IP-Address`) and requests go to.
        pub address: String,
        pub coa_port: i32,
        pub secret_sealed: String,
        pub kind: NasKind,
        pub method: NasMethod,
        pub created_at: NaiveDateTime,
        pub updated_at: NaiveDateTime,
    }
}

/// Changes to a NAS device.
#[derive(Debug, Clone, AsChangeset)]
#[diesel(table_name = nas_devices)]
pub struct NasChanges {
    pub name: Option<String>,
    pub address: Option<String>,
    pub coa_port: Option<i32>,
    pub secret_sealed: Option<String>,
    pub kind: Option<NasKind>,
    pub method: Option<NasMethod>,
    pub updated_at: NaiveDateTime,
}

impl NasRow {
    /// The fields `updateNasDevice` records from → to (the secret hidden).
    pub fn audit_fields(&self) -> crate::audit::diff::Fields {
        use crate::audit::diff::{hidden, name, v};
        vec![
            ("name", v(&self.name)),
            ("address", v(&self.address)),
            ("coaPort", v(&self.coa_port)),
            ("secret", hidden(&self.secret_sealed)),
            ("kind", name(&self.kind)),
            ("method", name(&self.method)),
        ]
    }
}

crate::row_and_new! {
    table = radius_sessions;

    /// One session from FreeRADIUS accounting.
    #[derive(Debug, Clone, Queryable)]
    pub struct SessionRow {
        pub id: i64,
        ..NewSession
    }

    #[derive(Debug, Clone, Insertable)]
    #[diesel(treat_none_as_default_value = false)]
    pub struct NewSession {
        pub nas_address: String,
        pub acct_session_id: String,
        pub username: String,
        pub customer_id: Option<i64>,
        pub framed_ip: Option<String>,
        pub calling_station_id: Option<String>,
        pub started_at: NaiveDateTime,
        pub updated_at: NaiveDateTime,
        pub stopped_at: Option<NaiveDateTime>,
        /// `Acct-Session-Time` of the latest record applied.
        pub last_seconds: i64,
        pub last_record: RecordType,
        pub input_octets: i64,
        pub output_octets: i64,
        pub terminate_cause: Option<String>,
    }
}

/// One customer's bytes on one business day.
#[derive(Debug, Clone, Queryable, Insertable)]
#[diesel(table_name = radius_usage_daily)]
pub struct UsageRow {
    pub customer_id: i64,
    pub day: NaiveDate,
    pub input_octets: i64,
    pub output_octets: i64,
}

crate::row_and_new! {
    table = nas_requests;

    /// A Disconnect-Request or CoA-Request for one session, sent after a status change.
    #[derive(Debug, Clone, Queryable)]
    pub struct NasRequestRow {
        pub id: i64,
        ..NewNasRequest
    }

    #[derive(Debug, Clone, Insertable)]
    #[diesel(treat_none_as_default_value = false)]
    pub struct NewNasRequest {
        pub nas_id: i64,
        pub session_id: i64,
        pub customer_id: i64,
        pub code: NasRequestCode,
        pub reason: NasRequestReason,
        pub status: NasRequestStatus,
        pub attempts: i32,
        pub next_attempt_at: NaiveDateTime,
        pub last_error: Option<String>,
        pub created_at: NaiveDateTime,
        pub updated_at: NaiveDateTime,
    }
}
