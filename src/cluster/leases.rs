//! Background jobs run on one server at a time. On PostgreSQL each job has a lease row in
//! `job_leases` (holder, expiry by the database's clock): a keeper thread per server, with a
//! connection of its own, renews the leases it holds and claims the expired ones every third
//! of the lease ([`Leases::start`], `ISP_JOB_LEASE_SECONDS`). A job ([`Leases::spawn`]) runs
//! while its server holds the lease and is stopped when the lease is lost (not renewed in
//! time, by this server's clock, which counts from before the renewal was sent). When a server
//! dies its leases run out and another server claims them within a lease and a third; a server
//! that stops cleanly gives them back at once ([`Leases::release`]).
//!
//! On SQLite (one process) every job simply runs.

use std::collections::HashMap;
use std::future::Future;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, Weak};
use std::time::{Duration, Instant};

use diesel::sql_types::{Double, Text};
use diesel::{PgConnection, QueryableByName, RunQueryDsl};
use tokio::sync::watch;

use crate::metrics::Metrics;

/// Until when this server may run a job (`None`: not now).
type Held = Option<Instant>;

/// The jobs of one server and which of them it may run (cheap to clone).
#[derive(Clone)]
pub struct Leases {
    inner: Arc<Inner>,
}

struct Inner {
    /// `None` on SQLite: every job runs.
    shared: Option<Shared>,
    jobs: Mutex<HashMap<&'static str, watch::Sender<Held>>>,
    metrics: Arc<Metrics>,
}

struct Shared {
    holder: String,
    lease: Duration,
    stop: AtomicBool,
    keeper: Mutex<Option<std::thread::JoinHandle<()>>>,
}

const CLAIM: &str = "INSERT INTO job_leases (job, holder, expires_at) \
    VALUES ($1, $2, (now() AT TIME ZONE 'UTC') + make_interval(secs => $3)) \
    ON CONFLICT (job) DO UPDATE SET holder = EXCLUDED.holder, expires_at = EXCLUDED.expires_at \
    WHERE job_leases.holder = EXCLUDED.holder OR job_leases.expires_at < (now() AT TIME ZONE 'UTC') \
    RETURNING job";

#[derive(QueryableByName)]
struct Claimed {
    #[diesel(sql_type = Text)]
    #[allow(dead_code)]
    job: String,
}

impl Leases {
    /// Every job runs here (SQLite: one process).
    pub fn local(metrics: Arc<Metrics>) -> Leases {
        Leases { inner: Arc::new(Inner { shared: None, jobs: Mutex::default(), metrics }) }
    }

    /// Jobs run under leases of `lease` in the PostgreSQL database at `url`; starts the keeper.
    pub fn start(url: &str, lease: Duration, metrics: Arc<Metrics>) -> Leases {
        let holder = format!("{}-{}", hostname(), crate::hex::encode(&rand::random::<[u8; 6]>()));
        let lease = lease.max(Duration::from_secs(1));
        let shared = Shared { holder, lease, stop: AtomicBool::new(false), keeper: Mutex::new(None) };
        let leases = Leases { inner: Arc::new(Inner { shared: Some(shared), jobs: Mutex::default(), metrics }) };
        let (url, weak) = (url.to_owned(), Arc::downgrade(&leases.inner));
        match std::thread::Builder::new().name("isp-leases".into()).spawn(move || keep(&url, &weak)) {
            Ok(handle) => {
                if let Some(shared) = &leases.inner.shared {
                    *shared.keeper.lock().unwrap_or_else(|p| p.into_inner()) = Some(handle);
                }
            }
            Err(e) => tracing::error!(error = %e, "cannot start the job lease keeper; no background job runs here"),
        }
        leases
    }

    /// This server's name in `job_leases.holder` (`None` on SQLite).
    pub fn holder(&self) -> Option<&str> {
        self.inner.shared.as_ref().map(|s| s.holder.as_str())
    }

    /// Runs the job `name` (the future `make` returns, started again each time the lease is
    /// won back) while this server holds its lease.
    pub fn spawn<F, Fut>(&self, name: &'static str, make: F)
    where
        F: Fn() -> Fut + Send + 'static,
        Fut: Future<Output = ()> + Send + 'static,
    {
        if self.inner.shared.is_none() {
            self.inner.metrics.job_held(name, true);
            tokio::spawn(make());
            return;
        }
        let mut held = {
            let mut jobs = self.inner.jobs.lock().unwrap_or_else(|p| p.into_inner());
            jobs.entry(name).or_insert_with(|| watch::channel(None).0).subscribe()
        };
        let leases = self.clone();
        tokio::spawn(async move {
            loop {
                acquired(&mut held).await;
                tracing::info!(job = name, "this server runs the job");
                leases.inner.metrics.job_held(name, true);
                tokio::select! {
                    () = make() => return,
                    () = lost(&mut held) => {}
                }
                leases.inner.metrics.job_held(name, false);
                tracing::info!(job = name, "the job's lease was lost; another server runs it");
            }
        });
    }

    /// Stops this server's jobs and gives their leases back, so another server takes them at
    /// once (on a clean shutdown).
    pub async fn release(&self) {
        let Some(shared) = &self.inner.shared else { return };
        shared.stop.store(true, Ordering::Relaxed);
        let keeper = shared.keeper.lock().unwrap_or_else(|p| p.into_inner()).take();
        if let Some(keeper) = keeper {
            let joined = tokio::task::spawn_blocking(move || keeper.join());
            let _ = tokio::time::timeout(Duration::from_secs(5), joined).await;
        }
    }
}

/// Resolves once `held` says the job may run.
async fn acquired(held: &mut watch::Receiver<Held>) {
    loop {
        let until = *held.borrow_and_update();
        if until.is_some_and(|t| t > Instant::now()) {
            return;
        }
        if held.changed().await.is_err() {
            std::future::pending::<()>().await;
        }
    }
}

/// Resolves once the lease is lost: taken away, or not renewed before it runs out.
async fn lost(held: &mut watch::Receiver<Held>) {
    loop {
        let Some(until) = *held.borrow_and_update() else { return };
        if until <= Instant::now() {
            return;
        }
        tokio::select! {
            changed = held.changed() => if changed.is_err() { return },
            () = tokio::time::sleep_until(until.into()) => {}
        }
    }
}

/// The keeper: renews and claims every registered job's lease each third of the lease, until
/// the server's jobs are gone or [`Leases::release`]; then gives the leases back.
fn keep(url: &str, leases: &Weak<Inner>) {
    let Some((holder, lease)) = leases.upgrade().and_then(|i| i.shared.as_ref().map(|s| (s.holder.clone(), s.lease)))
    else {
        return;
    };
    let mut conn: Option<PgConnection> = None;
    let mut failing = false;
    while let Some(inner) = leases.upgrade() {
        let stopping = inner.shared.as_ref().is_some_and(|s| s.stop.load(Ordering::Relaxed));
        let jobs: Vec<(&'static str, watch::Sender<Held>)> = {
            let jobs = inner.jobs.lock().unwrap_or_else(|p| p.into_inner());
            jobs.iter().map(|(name, sender)| (*name, sender.clone())).collect()
        };
        drop(inner);
        if stopping {
            for (_, sender) in &jobs {
                sender.send_replace(None);
            }
            break;
        }
        match renew(&mut conn, url, &holder, lease, &jobs) {
            Ok(()) => failing = false,
            Err(e) => {
                if !failing {
                    tracing::warn!(error = %format!("{e:#}"), "cannot renew the job leases; this server's jobs stop when they run out");
                }
                failing = true;
                conn = None;
            }
        }
        // Until the next round; at once for a job registered meanwhile (at start).
        let until = Instant::now() + lease / 3;
        while Instant::now() < until {
            std::thread::sleep(Duration::from_millis(50));
            match leases.upgrade() {
                Some(inner)
                    if !inner.shared.as_ref().is_some_and(|s| s.stop.load(Ordering::Relaxed))
                        && inner.jobs.lock().unwrap_or_else(|p| p.into_inner()).len() == jobs.len() => {}
                _ => break,
            }
        }
    }
    // Released, or the server's jobs are gone: the leases go back for another server.
    give_back(&mut conn, url, &holder);
}

/// Claims or renews each job's lease, telling its task until when it may run.
fn renew(
    conn: &mut Option<PgConnection>,
    url: &str,
    holder: &str,
    lease: Duration,
    jobs: &[(&'static str, watch::Sender<Held>)],
) -> anyhow::Result<()> {
    if conn.is_none() {
        *conn = Some(super::dedicated_connection(url, "isp-billing leases")?);
    }
    let pg = conn.as_mut().expect("connected above");
    for (name, sender) in jobs {
        let sent = Instant::now();
        let claimed: Vec<Claimed> = diesel::sql_query(CLAIM)
            .bind::<Text, _>(*name)
            .bind::<Text, _>(holder)
            .bind::<Double, _>(lease.as_secs_f64())
            .load(pg)?;
        sender.send_replace(if claimed.is_empty() { None } else { Some(sent + lease) });
    }
    Ok(())
}

/// Deletes this server's leases (best effort: they run out anyway).
fn give_back(conn: &mut Option<PgConnection>, url: &str, holder: &str) {
    let pg = match conn {
        Some(pg) => pg,
        None => match super::dedicated_connection(url, "isp-billing leases") {
            Ok(pg) => conn.insert(pg),
            Err(_) => return,
        },
    };
    let gone = diesel::sql_query("DELETE FROM job_leases WHERE holder = $1").bind::<Text, _>(holder).execute(pg);
    if let Ok(n) = gone {
        tracing::info!(leases = n, "gave the job leases back");
    }
}

/// The machine's name, to tell servers apart in `job_leases` (`HOSTNAME`, else "server").
fn hostname() -> String {
    let name = std::env::var("HOSTNAME").ok().filter(|h| !h.trim().is_empty()).unwrap_or_else(|| "server".into());
    name.chars().filter(|c| c.is_ascii_alphanumeric() || *c == '-' || *c == '.').take(40).collect()
}
