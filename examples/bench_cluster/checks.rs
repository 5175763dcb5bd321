//! What the database holds after the load: each acknowledged payment and notification once.

use std::collections::{HashMap, HashSet};

use diesel::sql_types::Text;
use diesel::{Connection, PgConnection, QueryableByName, RunQueryDsl};

use crate::load::Tally;

#[derive(QueryableByName)]
pub struct Recorded {
    #[diesel(sql_type = Text)]
    pub reference: String,
    #[diesel(sql_type = Text)]
    pub payment_id: String,
}

/// Checks in the database that each acknowledged payment and notification of this run is there
/// once (and the payment under the id it was acknowledged with); PASS/FAIL lines.
pub fn check_payments(database_url: &str, run: u128, tallies: &[&Tally]) -> bool {
    let mut conn = PgConnection::establish(database_url).expect("connect to the database");
    let rows: Vec<Recorded> = diesel::sql_query(
        "SELECT payment_reference AS reference, payment_id FROM payments WHERE payment_reference LIKE $1",
    )
    .bind::<Text, _>(format!("CLU{run}-%"))
    .load(&mut conn)
    .expect("read payments");
    let mut recorded: HashMap<&str, Vec<&str>> = HashMap::new();
    for row in &rows {
        recorded.entry(row.reference.as_str()).or_default().push(row.payment_id.as_str());
    }
    let payments: Vec<&(String, String)> = tallies.iter().flat_map(|t| &t.payments).collect();
    let notifications: Vec<&String> = tallies.iter().flat_map(|t| &t.notifications).collect();
    let once =
        payments.iter().filter(|(r, id)| recorded.get(r.as_str()).is_some_and(|ids| ids == &[id.as_str()])).count();
    let once_n = notifications.iter().filter(|r| recorded.get(r.as_str()).is_some_and(|ids| ids.len() == 1)).count();
    let twice = recorded.values().filter(|ids| ids.len() > 1).count();
    let acknowledged: HashSet<&str> =
        payments.iter().map(|(r, _)| r.as_str()).chain(notifications.iter().map(|r| r.as_str())).collect();
    let unacknowledged = recorded.keys().filter(|r| !acknowledged.contains(*r)).count();
    let duplicates: u64 = tallies.iter().map(|t| t.duplicates).sum();
    let pass_payments = once == payments.len() && twice == 0;
    let pass_notifications = once_n == notifications.len() && twice == 0;
    println!(
        "{} payments: {once}/{} acknowledged createPayment recorded exactly once under the acknowledged id",
        if pass_payments { "PASS" } else { "FAIL" },
        payments.len()
    );
    println!(
        "{} notifications: {once_n}/{} acknowledged notifications made exactly one payment ({duplicates} answered \
         DUPLICATE)",
        if pass_notifications { "PASS" } else { "FAIL" },
        notifications.len()
    );
    println!("     references recorded more than once: {twice}; recorded but never acknowledged: {unacknowledged}");
    // A complaint has no key: one sent again (by HAProxy, after a server died holding it) is
    // filed twice. Not a check, a figure.
    let titles: Vec<Recorded> = diesel::sql_query(
        "SELECT title AS reference, count(*)::text AS payment_id FROM complaints WHERE title LIKE $1 \
         GROUP BY title HAVING count(*) > 1",
    )
    .bind::<Text, _>(format!("No internet CLU{run}-%"))
    .load(&mut conn)
    .expect("read complaints");
    println!("     complaints filed more than once (no key; sent again): {}", titles.len());
    pass_payments && pass_notifications
}
