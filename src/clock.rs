//! Time: UTC for timestamps, India Standard Time (UTC+05:30, no daylight saving) for business
//! dates and invoice numbers, as an Indian operator reads them.

use chrono::{FixedOffset, NaiveDate, NaiveDateTime, Utc};

/// India Standard Time.
pub fn ist() -> FixedOffset {
    FixedOffset::east_opt(5 * 3600 + 30 * 60).expect("a valid offset")
}

/// Now, in UTC, to the microsecond (what both databases store).
pub fn now() -> NaiveDateTime {
    let now = Utc::now().naive_utc();
    now - chrono::Duration::nanoseconds(i64::from(now.and_utc().timestamp_subsec_nanos() % 1000))
}

/// Now on the wall clock in India.
pub fn local_now() -> NaiveDateTime {
    Utc::now().with_timezone(&ist()).naive_local()
}

/// Today's date in India.
pub fn today() -> NaiveDate {
    local_now().date()
}
