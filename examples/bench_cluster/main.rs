//! Several servers on one PostgreSQL behind HAProxy, under a mixed load, with one server killed
//! (see bench/cluster.sh, which makes and seeds the database and runs this with the binary's
//! path). Needs `haproxy` (Debian: `apt-get install haproxy`).
//!
//! Phase 1: one server, the load straight at it. Phase 2: three servers on the same database
//! behind HAProxy (`deploy/haproxy.cfg`, on plain HTTP), the same load through it; halfway the
//! first server is killed with SIGKILL and started again on its port 2 s later. The load, from
//! `--concurrency` workers for `--seconds` per phase: the profile query (page 20),
//! `createPayment` with an `Idempotency-Key` (retried with the same key until acknowledged),
//! signed Razorpay `payment.captured` notifications (retried as they were until acknowledged)
//! and `createComplaint`; and one `graphql-ws` subscriber to `complaintCreated` on each server,
//! connected to it directly, which connects again when its connection drops and then re-reads
//! the complaints filed since it started (as it does on `LAGGED`).
//!
//! Prints requests per second of each kind and in all, errors and p50/p99 for both phases, then
//! checks (PASS/FAIL, non-zero exit on a FAIL) in the database that every acknowledged payment
//! and every acknowledged notification is there exactly once, that every subscriber has every
//! acknowledged complaint, live or re-read, and that the jobs the killed server ran run again
//! on some server.

mod checks;
mod dashboards;
mod load;
mod servers;

#[path = "../bench_common/mod.rs"]
mod bench_common;

use std::collections::HashMap;
use std::sync::Arc;
use std::time::{Duration, Instant};

use bench_common::percentile_ms;
use checks::check_payments;
use load::{demo, Kind, Tally, KINDS};
use servers::{haproxy_stats, healthy, held_jobs, jobs_by_server, spawn_server, start_haproxy, taken_over, Launch};

pub const ADMIN_PASSWORD: &str = "bench-admin-password";

struct Args {
    launch: Launch,
    seconds: u64,
    concurrency: usize,
    /// HAProxy listens here, the servers on the next three ports.
    port: u16,
}

fn args() -> Args {
    let mut args = Args {
        launch: Launch {
            bin: "target/release/isp-billing".into(),
            database_url: std::env::var("DATABASE_URL").unwrap_or_default(),
            workdir: std::env::temp_dir(),
        },
        seconds: 20,
        concurrency: 16,
        port: 8090,
    };
    let mut it = std::env::args().skip(1);
    while let Some(flag) = it.next() {
        let value = it.next().unwrap_or_else(|| panic!("{flag} needs a value"));
        match flag.as_str() {
            "--bin" => args.launch.bin = value.into(),
            "--database-url" => args.launch.database_url = value,
            "--seconds" => args.seconds = value.parse().expect("seconds"),
            "--concurrency" => args.concurrency = value.parse().expect("concurrency"),
            "--port" => args.port = value.parse().expect("port"),
            "--workdir" => args.launch.workdir = value.into(),
            other => panic!("unknown flag {other}"),
        }
    }
    assert!(args.launch.database_url.starts_with("postgres"), "--database-url must name a PostgreSQL database");
    args
}

/// Requests per second of each kind (and in all) answered within `[from, to)` s of the phase.
fn rates(tally: &Tally, from: f64, to: f64) -> (HashMap<Kind, f64>, f64) {
    let mut per = HashMap::new();
    let mut total = 0.0;
    for kind in KINDS {
        let n = tally.done.get(&kind).map_or(0, |d| d.iter().filter(|(at, _)| *at >= from && *at < to).count());
        per.insert(kind, n as f64 / (to - from));
        total += n as f64 / (to - from);
    }
    (per, total)
}

fn report(name: &str, tally: &Tally, seconds: f64) -> f64 {
    let (per, total) = rates(tally, 0.0, seconds);
    println!("{name}: {total:.0} requests/s acknowledged in {seconds:.0} s");
    for kind in KINDS {
        let mut latencies: Vec<Duration> =
            tally.done.get(&kind).map_or(Vec::new(), |d| d.iter().map(|(_, l)| *l).collect());
        latencies.sort_unstable();
        println!(
            "  {:<10} {:>6.1}/s  ({} answered) p50 {:>6.1} ms  p99 {:>7.1} ms  errors {}  given up {}",
            format!("{kind:?}"),
            per[&kind],
            latencies.len(),
            percentile_ms(&latencies, 0.50),
            percentile_ms(&latencies, 0.99),
            tally.errors.get(&kind).copied().unwrap_or(0),
            tally.given_up.get(&kind).copied().unwrap_or(0),
        );
    }
    for e in &tally.first_errors {
        println!("  first errors: {e}");
    }
    total
}

#[tokio::main]
async fn main() {
    let args = args();
    let client = reqwest::Client::builder()
        .pool_max_idle_per_host(args.concurrency + 4)
        .timeout(Duration::from_secs(70))
        .build()
        .unwrap();
    let ports: Vec<u16> = (1..=3).map(|n| args.port + n).collect();
    let direct = |port: u16| format!("http://127.0.0.1:{port}");
    println!(
        "machine: {} cores; database: {}; clients: {}; {} s per phase",
        std::thread::available_parallelism().map_or(0, |n| n.get()),
        args.launch.database_url.rsplit('@').next().unwrap_or_default(),
        args.concurrency,
        args.seconds
    );

    // Phase 1: one server.
    let mut servers = vec![spawn_server(&args.launch, ports[0])];
    assert!(
        healthy(&client, &format!("{}/healthz", direct(ports[0])), Duration::from_secs(60)).await,
        "server 1 is not up"
    );
    let demo = Arc::new(demo(&client, &direct(ports[0])).await);
    let watch = dashboards::start(&client, &ports[..1], &demo.token).await;
    let (one, one_seconds) = load::run(&client, &direct(ports[0]), &demo, 1, args.seconds, args.concurrency).await;
    let one_total = report("phase 1, one server", &one, one_seconds);
    let mut pass = watch.check("phase 1", &one.complaints).await;

    // Phase 2: three servers behind HAProxy.
    for &port in &ports[1..] {
        servers.push(spawn_server(&args.launch, port));
    }
    for &port in &ports {
        assert!(
            healthy(&client, &format!("{}/healthz", direct(port)), Duration::from_secs(60)).await,
            ":{port} is not up"
        );
    }
    let _proxy = start_haproxy(&args.launch.workdir, args.port, &ports);
    let front = direct(args.port);
    assert!(healthy(&client, &format!("{front}/healthz"), Duration::from_secs(20)).await, "haproxy does not answer");
    let watch = dashboards::start(&client, &ports, &demo.token).await;

    // Halfway, the first server (the one running the jobs, once seed-demo's leases ran out) is
    // killed; 2 s later it starts again (as a new holder: it waits for its old leases too).
    let victim = servers.remove(0);
    let half = Duration::from_secs(args.seconds) / 2;
    let killer = {
        let (launch, client, port, all) = (args.launch.clone(), client.clone(), ports[0], ports.clone());
        tokio::spawn(async move {
            let mut victim = victim;
            tokio::time::sleep(half).await;
            let held = jobs_by_server(&client, &all).await;
            let victim_jobs = held_jobs(&client, port).await;
            let killed = Instant::now();
            victim.kill();
            tokio::time::sleep(Duration::from_secs(2)).await;
            let restarted = spawn_server(&launch, port);
            let up = healthy(&client, &format!("http://127.0.0.1:{port}/healthz"), Duration::from_secs(60)).await;
            let note = format!(
                "jobs held by each server: {held}\n  server :{port} killed (SIGKILL) at {:.1} s, started again 2 s later, healthy {}",
                half.as_secs_f64(),
                if up { format!("{:.1} s after the kill", killed.elapsed().as_secs_f64()) } else { "NEVER".into() }
            );
            (restarted, note, victim_jobs, killed)
        })
    };
    let (three, three_seconds) = load::run(&client, &front, &demo, 2, args.seconds, args.concurrency).await;
    let (restarted, note, victim_jobs, killed) = killer.await.unwrap();
    servers.push(restarted);
    let three_total = report("phase 2, three servers behind HAProxy", &three, three_seconds);
    let (_, before) = rates(&three, 0.0, half.as_secs_f64());
    let (_, after) = rates(&three, half.as_secs_f64(), three_seconds);
    haproxy_stats(&client, args.port + 10).await;
    println!("  {note}");
    println!("  before the kill {before:.0} requests/s, from the kill on {after:.0} requests/s");
    println!(
        "three servers vs one: {:.2}x ({three_total:.0} vs {one_total:.0} requests/s; {before:.0} before the kill)",
        three_total / one_total.max(1e-9)
    );
    pass &= watch.check("phase 2", &three.complaints).await;
    if victim_jobs.is_empty() {
        // seed-demo's leases (it starts the jobs too) run out 20 s after it: a short first phase
        // ends before the first server has any.
        println!("     the killed server ran no job: no hand-over to check");
    } else {
        pass &= taken_over(&client, &ports, &victim_jobs, killed).await;
    }

    let url = args.launch.database_url.clone();
    let run = demo.run;
    let checked = tokio::task::spawn_blocking(move || check_payments(&url, run, &[&one, &three])).await.unwrap();
    pass &= checked;
    drop(servers);
    if !pass {
        println!("FAIL (server logs in {})", args.launch.workdir.display());
        std::process::exit(1);
    }
}
