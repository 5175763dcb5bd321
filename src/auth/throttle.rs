//! Login throttling that fits offices and proxies.
//!
//! - A failure is counted after the password is checked (a wrong username is checked against
//!   a stand-in hash, so both take the same time), so a crowd logging in at 9:00 from one
//!   office address is never refused because of its own numbers.
//! - `max` failures lock one (username, address) pair: a guesser at one username from one
//!   place. Attempts being checked right now count too (a pending row in `login_failures`,
//!   seen by every server on the database), so parallel guesses cannot pass the limit.
//! - A username's failures from everywhere, and an address's failures for any usernames (from
//!   three times `max` on, since an office or a proxy is many people), only slow logins down:
//!   [`FIRST_LOGIN_DELAY`], doubled for each further failure, at most [`MAX_LOGIN_DELAY`].
//!   A right password from an address that has not failed ends the username's slow-down.

use std::time::Duration;

/// The first wait of a login once its username (or address) has enough recent failures.
pub const FIRST_LOGIN_DELAY: Duration = Duration::from_millis(250);

/// The longest a login waits because of failures.
pub const MAX_LOGIN_DELAY: Duration = Duration::from_secs(8);

/// An address is many people (an office, a proxy): its failures slow logins down from this
/// many times `max` on.
pub const ADDRESS_FACTOR: i64 = 3;

/// What to do with a login attempt.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Decision {
    /// Check the password now.
    Go,
    /// Wait this long, then check the password.
    Delay(Duration),
    /// Refuse without checking the password (`TOO_MANY_REQUESTS`).
    Refuse,
}

/// Login throttling from the recent failures (within the lock window) of this username from this
/// address plus the attempts at it being checked now (`by_pair`), of any username from this
/// address (`by_address`) and of this username from anywhere (`by_username`).
pub fn throttle(by_pair: i64, by_address: i64, by_username: i64, max: i64) -> Decision {
    if by_pair >= max {
        return Decision::Refuse;
    }
    let delay = slow_down(by_username, max).max(slow_down(by_address, max.saturating_mul(ADDRESS_FACTOR)));
    if delay.is_zero() {
        Decision::Go
    } else {
        Decision::Delay(delay)
    }
}

/// The wait for `failures` when waiting starts at `from` failures.
fn slow_down(failures: i64, from: i64) -> Duration {
    if failures < from {
        return Duration::ZERO;
    }
    // 2^5 × 250 ms already passes the cap; stop doubling well before anything could overflow.
    let doublings = u32::try_from(failures - from).unwrap_or(u32::MAX).min(16);
    FIRST_LOGIN_DELAY.saturating_mul(1 << doublings).min(MAX_LOGIN_DELAY)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_a_pair_is_locked() {
        assert_eq!(throttle(2, 2, 2, 3), Decision::Go);
        assert_eq!(throttle(3, 3, 0, 3), Decision::Refuse, "this username from this address");
        assert_eq!(throttle(3, 3, 50, 3), Decision::Refuse, "a lock wins over a delay");
        // An address's failures for other usernames never refuse: an office is many people.
        assert_eq!(throttle(0, 8, 0, 3), Decision::Go);
        assert_eq!(throttle(0, 9, 0, 3), Decision::Delay(FIRST_LOGIN_DELAY));
        assert_eq!(throttle(0, 1_000, 0, 3), Decision::Delay(MAX_LOGIN_DELAY));
    }

    #[test]
    fn a_username_failing_everywhere_is_slowed_not_locked() {
        assert_eq!(throttle(0, 0, 2, 3), Decision::Go);
        assert_eq!(throttle(0, 0, 3, 3), Decision::Delay(FIRST_LOGIN_DELAY));
        assert_eq!(throttle(0, 0, 4, 3), Decision::Delay(Duration::from_millis(500)));
        assert_eq!(throttle(0, 0, 5, 3), Decision::Delay(Duration::from_millis(1000)));
        assert_eq!(throttle(0, 0, 7, 3), Decision::Delay(Duration::from_millis(4000)));
        assert_eq!(throttle(0, 0, 8, 3), Decision::Delay(MAX_LOGIN_DELAY));
        for failures in [9, 20, 64, 1_000_000, i64::MAX] {
            assert_eq!(throttle(2, 2, failures, 3), Decision::Delay(MAX_LOGIN_DELAY), "{failures}");
        }
    }

    #[test]
    fn delays_grow_and_never_pass_the_cap() {
        let mut last = Duration::ZERO;
        for failures in 0..100 {
            let delay = match throttle(0, failures, failures, 10) {
                Decision::Go => Duration::ZERO,
                Decision::Delay(d) => d,
                Decision::Refuse => panic!("a username or an address alone never locks"),
            };
            assert!(delay >= last && delay <= MAX_LOGIN_DELAY, "{failures}: {delay:?}");
            last = delay;
        }
        assert_eq!(last, MAX_LOGIN_DELAY);
    }
}
