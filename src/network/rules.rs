//! The network's pure rules: what FreeRADIUS is told for a login, the speed attribute, the order
//! of accounting records, when a NAS is told about a status change, and the retry backoff.

use std::time::Duration;

use crate::customers::model::CustomerStatus;

use super::model::{NasRequestReason, RecordType, SuspendedAccess};

/// The reply attribute a plan's speed becomes unless the company chose another.
pub const DEFAULT_RATE_ATTRIBUTE: &str = "Mikrotik-Rate-Limit";

/// What the network needs to know about one customer's login.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Login {
    pub status: CustomerStatus,
    pub static_ip: Option<String>,
    /// (upload, download) in kbit/s; `None` when the plan has no speed.
    pub rate: Option<(i32, i32)>,
    pub rate_attribute: String,
    pub suspended: SuspendedAccess,
    pub walled_pool: String,
}

/// What authorize answers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Answer {
    /// Accepted (once the password checks): the reply attributes, name and value.
    Accept(Vec<(String, String)>),
    /// Refused, with a message for the NAS's log.
    Reject(&'static str),
}

/// The speed as a MikroTik rate limit: `rx/tx` as the router sees it, so upload first
/// (`"10240k/51200k"`). Other vendors' attributes take the same text.
pub fn rate_limit(upload_kbps: i32, download_kbps: i32) -> String {
    format!("{upload_kbps}k/{download_kbps}k")
}

/// The answer for `login`: ACTIVE gets the plan's speed and its static address, SUSPENDED the
/// walled garden or a reject (the company's choice), DEACTIVE and TERMINATED a reject.
pub fn answer(login: &Login) -> Answer {
    match login.status {
        CustomerStatus::Active => {
            let mut reply = Vec::new();
            if let Some((up, down)) = login.rate {
                reply.push((login.rate_attribute.clone(), rate_limit(up, down)));
            }
            if let Some(ip) = &login.static_ip {
                reply.push(("Framed-IP-Address".to_owned(), ip.clone()));
            }
            Answer::Accept(reply)
        }
        CustomerStatus::Suspended => match login.suspended {
            SuspendedAccess::WalledGarden => {
                Answer::Accept(vec![("Framed-Pool".to_owned(), login.walled_pool.clone())])
            }
            SuspendedAccess::Reject => Answer::Reject("service suspended"),
        },
        CustomerStatus::Deactive => Answer::Reject("service deactivated"),
        CustomerStatus::Terminated => Answer::Reject("service terminated"),
    }
}

/// Why a NAS must hear about a status change from `old` to `new`, if it must: sessions of a
/// customer cut off end (or move to the walled garden), and a customer back to ACTIVE leaves the
/// walled garden.
pub fn reason_to_tell(old: CustomerStatus, new: CustomerStatus) -> Option<NasRequestReason> {
    use CustomerStatus::{Active, Deactive, Suspended, Terminated};
    match (old, new) {
        (a, b) if a == b => None,
        (_, Suspended) => Some(NasRequestReason::Suspended),
        (_, Deactive) => Some(NasRequestReason::Deactivated),
        (_, Terminated) => Some(NasRequestReason::Terminated),
        (Suspended | Deactive, Active) => Some(NasRequestReason::Reactivated),
        _ => None,
    }
}

fn rank(record: RecordType) -> u8 {
    match record {
        RecordType::Start => 0,
        RecordType::Interim => 1,
        RecordType::Stop => 2,
    }
}

/// Whether a record (`seconds` of `Acct-Session-Time`, `record` type) comes after the latest
/// one applied to its session: a retry of one applied, or an older one arriving late, does not.
/// A stopped session takes nothing more.
pub fn is_newer(seconds: i64, record: RecordType, last_seconds: i64, last_record: RecordType) -> bool {
    last_record != RecordType::Stop && (seconds, rank(record)) > (last_seconds, rank(last_record))
}

/// What a record adds to the day's usage: the increase of a counter, or (when the counter went
/// down, a NAS that restarted counting) its whole new value.
pub fn increment(new: i64, old: i64) -> i64 {
    if new >= old {
        new - old
    } else {
        new
    }
}

/// Attempts at a NAS request before it is FAILED.
pub const MAX_ATTEMPTS: i32 = 5;

/// How long to wait for an answer to one attempt.
pub const ANSWER_WAIT: Duration = Duration::from_secs(2);

/// The wait before attempt `attempts + 1`: 1, 2, 4, 8 s ... (capped at a minute).
pub fn backoff(attempts: i32) -> Duration {
    Duration::from_secs(1u64 << attempts.clamp(0, 6).min(6)).min(Duration::from_secs(60))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn login(status: CustomerStatus) -> Login {
        Login {
            status,
            static_ip: Some("100.64.0.9".into()),
            rate: Some((10240, 51200)),
            rate_attribute: DEFAULT_RATE_ATTRIBUTE.into(),
            suspended: SuspendedAccess::WalledGarden,
            walled_pool: "walled-garden".into(),
        }
    }

    #[test]
    fn answers_by_status() {
        assert_eq!(
            answer(&login(CustomerStatus::Active)),
            Answer::Accept(vec![
                ("Mikrotik-Rate-Limit".into(), "10240k/51200k".into()),
                ("Framed-IP-Address".into(), "100.64.0.9".into())
            ])
        );
        assert_eq!(
            answer(&login(CustomerStatus::Suspended)),
            Answer::Accept(vec![("Framed-Pool".into(), "walled-garden".into())])
        );
        let reject = Login { suspended: SuspendedAccess::Reject, ..login(CustomerStatus::Suspended) };
        assert!(matches!(answer(&reject), Answer::Reject(_)));
        assert!(matches!(answer(&login(CustomerStatus::Deactive)), Answer::Reject(_)));
        assert!(matches!(answer(&login(CustomerStatus::Terminated)), Answer::Reject(_)));
        let unlimited = Login { rate: None, static_ip: None, ..login(CustomerStatus::Active) };
        assert_eq!(answer(&unlimited), Answer::Accept(vec![]));
    }

    #[test]
    fn tells_the_nas_when_service_changes() {
        use CustomerStatus::*;
        assert_eq!(reason_to_tell(Active, Suspended), Some(NasRequestReason::Suspended));
        assert_eq!(reason_to_tell(Active, Terminated), Some(NasRequestReason::Terminated));
        assert_eq!(reason_to_tell(Suspended, Deactive), Some(NasRequestReason::Deactivated));
        assert_eq!(reason_to_tell(Suspended, Active), Some(NasRequestReason::Reactivated));
        assert_eq!(reason_to_tell(Active, Active), None);
        assert_eq!(reason_to_tell(Terminated, Active), None);
    }

    #[test]
    fn retries_and_late_records_change_nothing() {
        use RecordType::*;
        assert!(is_newer(300, Interim, 0, Start));
        assert!(!is_newer(0, Start, 0, Start), "a retried Start");
        assert!(!is_newer(300, Interim, 300, Interim), "a retried interim update");
        assert!(!is_newer(300, Interim, 600, Interim), "an older interim arriving late");
        assert!(is_newer(600, Stop, 600, Interim));
        assert!(!is_newer(900, Interim, 600, Stop), "nothing after the stop");
        assert_eq!(increment(150, 100), 50);
        assert_eq!(increment(20, 100), 20);
    }

    #[test]
    fn backs_off() {
        assert_eq!(backoff(0), Duration::from_secs(1));
        assert_eq!(backoff(3), Duration::from_secs(8));
        assert_eq!(backoff(60), Duration::from_secs(60));
    }
}
