//! RFC 5176 requests to NAS devices after a status change committed: queued as `nas_requests`
//! rows (one per open session of the customer, on a configured NAS) in the transaction that
//! records the status as told, then sent over UDP by a task on each server (a request is taken
//! by one of them for each attempt, [`repo::claim`]), each attempt waiting
//! [`rules::ANSWER_WAIT`] for the ACK or NAK and retried with [`rules::backoff`] up to
//! [`rules::MAX_ATTEMPTS`]; the outcome stays on the row (`Customer.nasRequests`, `nasRequests`).

use std::sync::Arc;
use std::time::Duration;

use tokio::sync::Notify;

use super::model::*;
use super::packet::{self, Attribute, Reply};
use super::repo;
use super::rules::{self, Answer};
use super::service::NAS_SECRET_CONTEXT;
use super::snapshot::StatusChange;
use crate::customers::model::CustomerStatus;
use crate::db::changes::Changed;
use crate::db::{Db, DbConn};
use crate::error::AppResult;
use crate::secrets::SecretsKey;

/// How long a sender holds a request it took for an attempt: past it (the sender stopped
/// meanwhile) another may take it.
const CLAIM: Duration = Duration::from_secs(rules::ANSWER_WAIT.as_secs() + 10);

/// Queues and sends the requests (cheap to clone).
#[derive(Clone)]
pub struct Disconnects {
    db: Db,
    key: Option<SecretsKey>,
    wake: Arc<Notify>,
}

impl Disconnects {
    pub fn new(db: Db, key: Option<SecretsKey>) -> Self {
        Disconnects { db, key, wake: Arc::default() }
    }

    /// Moves each login's told status on to its status and queues the requests the change calls
    /// for, in one transaction, then wakes the sender. A login whose told status another server
    /// moved first is left to that server.
    pub async fn queue(&self, changes: Vec<StatusChange>) {
        let mut wanted: Vec<Telling> = changes
            .iter()
            .map(|c| {
                let new = c.entry.login.status;
                let request = c.told.and_then(|told| rules::reason_to_tell(told, new)).map(|reason| {
                    // A CoA can move a session to the new answer only when there is one to give.
                    let code = match rules::answer(&c.entry.login) {
                        Answer::Accept(_) if new != CustomerStatus::Terminated => NasRequestCode::Coa,
                        _ => NasRequestCode::Disconnect,
                    };
                    (reason, code)
                });
                Telling { customer_id: c.customer_id, told: c.told, new, request }
            })
            .collect();
        if wanted.is_empty() {
            return;
        }
        // Rows locked in one order by every server: two tells of the same logins never deadlock.
        wanted.sort_by_key(|t| t.customer_id);
        let ids: Vec<i64> = wanted.iter().map(|t| t.customer_id).collect();
        let queued = self.db.write(move |conn| tell(conn, &wanted)).await;
        match queued {
            Ok(n) => {
                if n > 0 {
                    self.wake.notify_one();
                }
                // Read them once more: a status that changed again while this was in flight (its
                // read saw the told status not yet moved on) is told now, not at the next full read.
                let _ = self.db.network_sender().send(Changed::Customers(ids));
            }
            Err(e) => {
                tracing::error!(error = %e.message(), "queueing NAS disconnect requests failed; tried again at the next read")
            }
        }
    }

    /// Starts the sender.
    pub fn spawn(self) {
        tokio::spawn(async move {
            loop {
                let now = crate::clock::now();
                let due = self.db.read(move |conn| repo::due_requests(conn, now, 50)).await.unwrap_or_default();
                let busy = !due.is_empty();
                for request in due {
                    // Every server's sender reads the due requests; one takes each.
                    let at = crate::clock::now();
                    let until = at + chrono::Duration::from_std(CLAIM).unwrap_or_default();
                    let (id, seen) = (request.id, request.attempts);
                    if let Ok(true) = self.db.write(move |conn| repo::claim(conn, id, seen, at, until)).await {
                        self.attempt(request).await;
                    }
                }
                if busy {
                    continue;
                }
                let next = self.db.read(repo::next_due).await.ok().flatten();
                let wait = next
                    .map(|at| (at - crate::clock::now()).to_std().unwrap_or(Duration::ZERO))
                    .unwrap_or(Duration::from_secs(30))
                    .min(Duration::from_secs(30));
                tokio::select! {
                    _ = self.wake.notified() => {}
                    _ = tokio::time::sleep(wait) => {}
                }
            }
        });
    }

    /// One attempt at `request`, which this sender has claimed (its attempt number is
    /// `request.attempts + 1`).
    async fn attempt(&self, request: NasRequestRow) {
        let id = request.id;
        let (nas_id, session_id, customer) = (request.nas_id, request.session_id, request.customer_id);
        let coa = request.code == NasRequestCode::Coa;
        let found = self
            .db
            .read(move |conn| {
                let nas = repo::find(conn, nas_id)?;
                let session = repo::sessions_by_ids(conn, &[session_id])?.into_iter().next();
                // What a CoA moves the session to: the login as it is now, from the database (this
                // server's snapshot may not have heard yet of a change another server made). A
                // Disconnect-Request needs none.
                let login = if coa { repo::logins(conn, Some(&[customer]))?.into_iter().next() } else { None };
                Ok((nas, session, login))
            })
            .await;
        let outcome = match found {
            Ok((nas, Some(session), login)) => {
                let login = login.map(super::snapshot::login_of);
                self.send(&request, &nas, &session, login.as_ref()).await
            }
            Ok((_, None, _)) => Err("the session is gone".to_owned()),
            Err(e) => Err(e.message()),
        };
        let attempts = request.attempts + 1;
        let now = crate::clock::now();
        let (status, next_at, error) = match outcome {
            Ok(Reply::Ack) => (NasRequestStatus::Acked, now, None),
            Ok(Reply::Nak(cause)) => (
                NasRequestStatus::Naked,
                now,
                Some(match cause {
                    Some(503) => "NAK: Error-Cause 503 (session context not found)".to_owned(),
                    Some(c) => format!("NAK: Error-Cause {c}"),
                    None => "NAK".to_owned(),
                }),
            ),
            Err(why) if attempts >= rules::MAX_ATTEMPTS => (NasRequestStatus::Failed, now, Some(why)),
            Err(why) => {
                let wait = chrono::Duration::from_std(rules::backoff(request.attempts)).unwrap_or_default();
                (NasRequestStatus::Pending, now + wait, Some(why))
            }
        };
        let written = self
            .db
            .write(move |conn| repo::record_attempt(conn, id, status, attempts, next_at, error.as_deref(), now))
            .await;
        if let Err(e) = written {
            tracing::error!(error = %e.message(), request = id, "recording a NAS request's outcome failed");
        }
    }

    async fn send(
        &self,
        request: &NasRequestRow,
        nas: &NasRow,
        session: &SessionRow,
        login: Option<&super::rules::Login>,
    ) -> Result<Reply, String> {
        let secret = self
            .key
            .as_ref()
            .and_then(|k| k.open(&nas.secret_sealed, NAS_SECRET_CONTEXT))
            .ok_or("the NAS secret does not open (ISP_SECRETS_KEY missing or another key)")?;
        let mut attributes = vec![
            Attribute::text(packet::USER_NAME, &session.username),
            Attribute::text(packet::ACCT_SESSION_ID, &session.acct_session_id),
        ];
        attributes.extend(session.framed_ip.as_deref().and_then(|ip| Attribute::ipv4(packet::FRAMED_IP_ADDRESS, ip)));
        attributes.extend(Attribute::ipv4(packet::NAS_IP_ADDRESS, &session.nas_address));
        let code = match request.code {
            NasRequestCode::Disconnect => packet::DISCONNECT_REQUEST,
            NasRequestCode::Coa => {
                if let Some(Answer::Accept(reply)) = login.map(rules::answer) {
                    attributes.extend(reply.iter().filter_map(|(name, value)| coa_attribute(name, value)));
                }
                packet::COA_REQUEST
            }
        };
        let identifier: u8 = rand::random();
        let bytes = packet::request(code, identifier, &attributes, secret.expose().as_bytes());
        let socket = tokio::net::UdpSocket::bind(("0.0.0.0", 0)).await.map_err(|e| e.to_string())?;
        let port = u16::try_from(nas.coa_port).map_err(|_| "bad CoA port".to_owned())?;
        socket.send_to(&bytes, (nas.address.as_str(), port)).await.map_err(|e| format!("sending: {e}"))?;
        let mut buf = [0u8; 4096];
        let wait = tokio::time::sleep(rules::ANSWER_WAIT);
        tokio::pin!(wait);
        loop {
            tokio::select! {
                received = socket.recv_from(&mut buf) => {
                    let (n, _) = received.map_err(|e| format!("receiving: {e}"))?;
                    if let Some(reply) = packet::read_answer(&buf[..n], &bytes, secret.expose().as_bytes()) {
                        return Ok(reply);
                    }
                }
                _ = &mut wait => return Err(format!("no answer within {} s", rules::ANSWER_WAIT.as_secs())),
            }
        }
    }
}

/// A reply attribute for a CoA-Request, when it is one we can write.
fn coa_attribute(name: &str, value: &str) -> Option<Attribute> {
    match name {
        "Mikrotik-Rate-Limit" => {
            Some(Attribute::vendor(packet::MIKROTIK_VENDOR, packet::MIKROTIK_RATE_LIMIT, value.as_bytes()))
        }
        "Framed-Pool" => Some(Attribute::text(packet::FRAMED_POOL, value)),
        _ => None,
    }
}

/// One login's status change to tell: from what the network was told to its status, and the
/// request it calls for (`None`: nothing to send, the told status only moves on).
struct Telling {
    customer_id: i64,
    told: Option<CustomerStatus>,
    new: CustomerStatus,
    request: Option<(NasRequestReason, NasRequestCode)>,
}

/// For each of `wanted` whose told status is still what was read: moves it on and inserts a
/// request for each open session on a configured NAS; how many requests.
fn tell(conn: &mut DbConn, wanted: &[Telling]) -> AppResult<usize> {
    let now = crate::clock::now();
    let mut queued = 0;
    for telling in wanted {
        if !repo::mark_told(conn, telling.customer_id, telling.told, telling.new)? {
            continue;
        }
        let Some((reason, code)) = &telling.request else { continue };
        let customer = &telling.customer_id;
        for session in repo::open_sessions_of(conn, *customer)? {
            let Some(nas) = repo::nas_at(conn, &session.nas_address)? else {
                tracing::warn!(nas = %session.nas_address, "an open session is on a NAS that is not configured; \
                                                          it cannot be told to disconnect");
                continue;
            };
            let code = if nas.method == NasMethod::Coa { *code } else { NasRequestCode::Disconnect };
            repo::insert_request(
                conn,
                &NewNasRequest {
                    nas_id: nas.id,
                    session_id: session.id,
                    customer_id: *customer,
                    code,
                    reason: *reason,
                    status: NasRequestStatus::Pending,
                    attempts: 0,
                    next_attempt_at: now,
                    last_error: None,
                    created_at: now,
                    updated_at: now,
                },
            )?;
            queued += 1;
        }
    }
    Ok(queued)
}
