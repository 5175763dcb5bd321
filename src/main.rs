//! The `isp-billing` command: `serve` (default), `migrate`, `print-schema`, `backup`, `restore`,
//! `seed-demo`, `simulate`.

use clap::{Parser, Subcommand};
use isp_billing::config::Config;
use isp_billing::db::migrations;
use isp_billing::error::AppError;
use tracing_subscriber::EnvFilter;

// glibc's malloc spent a fifth of the server's CPU in the profile benchmark; mimalloc is
// built for many threads allocating small objects.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[derive(Parser)]
#[command(name = "isp-billing", version, about = "GraphQL billing backend for ISPs and cable-TV operators")]
struct Cli {
    #[command(flatten)]
    config: Config,
    /// How log lines are written: `text` (one readable line each) or `json` (one JSON object
    /// per line, fields at the top level, for log shippers).
    #[arg(long, env = "ISP_LOG_FORMAT", value_enum, default_value_t = LogFormat::Text, global = true)]
    log_format: LogFormat,
    #[command(subcommand)]
    command: Option<Command>,
}

#[derive(Subcommand)]
enum Command {
    /// Apply pending migrations and serve HTTP (the default).
    Serve,
    /// Apply pending migrations and exit.
    Migrate {
        /// Instead, revert the newest applied migration.
        #[arg(long)]
        revert_last: bool,
    },
    /// Print the GraphQL schema (SDL) to standard output.
    PrintSchema,
    /// Take every identity document number out of the encrypted vault and keep it in clear
    /// again (table `id_proof_unvaulted`), with the server stopped: the first step of
    /// reverting the vault's migration (2026-12-05-000033) with `migrate --revert-last`. Needs
    /// the server's ISP_ID_VAULT_KEY (and ISP_ID_VAULT_OLD_KEYS). A server started afterwards
    /// seals them again.
    UnsealIdNumbers,
    /// Copy the live database to FILE (readable by this user only) while the server keeps
    /// running, and check the copy (SQLite; on PostgreSQL this runs pg_dump when it is installed).
    Backup {
        /// Where the backup goes (must not exist yet).
        #[arg(long)]
        to: std::path::PathBuf,
    },
    /// Restore a backup into the database: a SQLite backup into a new path, a pg_dump backup
    /// into an empty PostgreSQL database (with pg_restore).
    Restore {
        /// The backup file to restore.
        #[arg(long)]
        from: std::path::PathBuf,
    },
    /// Fill an empty database with demo data (companies, plans, staff, customers, a year of
    /// invoices and payments). Every demo account's password is `demo-password`.
    SeedDemo {
        /// How many customers.
        #[arg(long, default_value_t = 1000)]
        customers: usize,
        /// Seed of the random generator (the same seed gives the same data).
        #[arg(long, default_value_t = 2026)]
        seed: u64,
        /// Every customer renews automatically and their period ends today (a renewal day for
        /// the billing-cycle benchmark).
        #[arg(long)]
        renewal_day: bool,
    },
    /// Live through days on a scratch database: seed demo customers, then each day run the
    /// billing cycle, take payments as in the demo data, change a few plans and end a few
    /// services; print a summary per month and any invariant broken (exit status 1 if any).
    Simulate {
        /// How many demo customers.
        #[arg(long, default_value_t = 200)]
        customers: usize,
        /// How many days after today.
        #[arg(long, default_value_t = 365)]
        days: u32,
        /// Seed of the random generator (the same seed gives the same run).
        #[arg(long, default_value_t = 2026)]
        seed: u64,
        /// The scratch database (a new SQLite file, or an empty PostgreSQL database), left as
        /// the run leaves it. When left out, a new SQLite file in a private temporary directory,
        /// removed at the end (see --keep). Never the server's DATABASE_URL.
        #[arg(long)]
        scratch: Option<String>,
        /// Keep the temporary scratch database and print where it is (to look at it after).
        #[arg(long)]
        keep: bool,
    },
}

#[derive(Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
enum LogFormat {
    Text,
    Json,
}

/// Logs go to standard output, at `RUST_LOG` (`info` unless set).
fn init_logs(format: LogFormat) {
    let filter = EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info"));
    let logs = tracing_subscriber::fmt().with_env_filter(filter);
    match format {
        // One object per line: timestamp, level, target, message and the event's fields.
        LogFormat::Json => logs.json().flatten_event(true).with_current_span(false).with_span_list(false).init(),
        LogFormat::Text => {
            // Colours only for a person at a terminal (and never with NO_COLOR), so that a log
            // written to a file or a journal can be read and searched as plain text.
            let colour = std::io::IsTerminal::is_terminal(&std::io::stdout()) && std::env::var_os("NO_COLOR").is_none();
            logs.with_ansi(colour).init()
        }
    }
}

fn main() -> std::process::ExitCode {
    keep_c_heap();
    match start() {
        Ok(code) => code,
        Err(e) => {
            // The cause chain in one line, without a backtrace.
            eprintln!("error: {e:#}");
            std::process::ExitCode::FAILURE
        }
    }
}

/// What C code allocates (libpq's query results, SQLite's pages) comes from glibc's malloc,
/// not mimalloc. glibc hands a thread arena's free top back to the kernel once it passes
/// 128 KiB: freeing a page of 100 customers' invoices did, at every request, and each return
/// (an `madvise`) stopped both cores to flush their TLBs, then the next result faulted the
/// pages in again: 8 % of the server's CPU on PostgreSQL. Up to 4 MiB per arena now stays
/// (at most 64 MiB over glibc's 16 arenas on 2 cores); blocks up to 4 MiB come from the arenas,
/// larger ones are mapped for themselves.
fn keep_c_heap() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    {
        const KEPT: std::ffi::c_int = 4 << 20;
        // SAFETY: mallopt only sets glibc's tuning values; called first thing in `main`.
        unsafe {
            libc::mallopt(libc::M_TRIM_THRESHOLD, KEPT);
            libc::mallopt(libc::M_MMAP_THRESHOLD, KEPT);
        }
    }
}

fn start() -> anyhow::Result<std::process::ExitCode> {
    let mut cli = Cli::parse();
    init_logs(cli.log_format);
    cli.config = cli
        .config
        .with_environment()
        .with_secrets_key()
        .and_then(Config::with_id_vault_keys)
        .map_err(anyhow::Error::msg)?;
    // Blocking threads run database calls (one per pooled connection at a time) and password
    // hashing; more of them would only wait for a connection, each keeping its own heap.
    let blocking_threads = usize::try_from(cli.config.db_pool_size).unwrap_or(8) + 8;
    let runtime =
        tokio::runtime::Builder::new_multi_thread().enable_all().max_blocking_threads(blocking_threads).build()?;
    let outcome = runtime.block_on(run(cli));
    // Whatever is still running once serving has stopped (a database call, a request past its
    // drain time) gets a few seconds, then the process exits anyway: dropping the runtime
    // would wait for blocking tasks without end.
    runtime.shutdown_timeout(std::time::Duration::from_secs(5));
    outcome
}

async fn run(cli: Cli) -> anyhow::Result<std::process::ExitCode> {
    match cli.command.unwrap_or(Command::Serve) {
        Command::PrintSchema => print!("{}", isp_billing::graphql::sdl()),
        Command::Backup { to } => {
            let metrics = isp_billing::metrics::Metrics::default();
            let db = isp_billing::connect(&cli.config, &metrics).await?;
            isp_billing::backup::backup(&db, &cli.config.database_url, &to).await?;
            println!("backed up to {} (integrity checked)", to.display());
        }
        Command::Restore { from } => {
            let url = cli.config.database_url.clone();
            let to = tokio::task::spawn_blocking(move || isp_billing::backup::restore(&from, &url)).await??;
            println!("restored into {to}; start the server with this database");
        }
        Command::UnsealIdNumbers => {
            let metrics = isp_billing::metrics::Metrics::default();
            let db = isp_billing::connect(&cli.config, &metrics).await?;
            let done = isp_billing::id_vault::unseal::unseal_all(&db, &cli.config.id_vault()).await?;
            println!(
                "{} identity numbers taken out of the vault, in clear in id_proof_unvaulted ({} unused vault rows \
                 deleted); now revert with `migrate --revert-last` down to 2026-12-05-000033 before a server starts \
                 (it would seal them again)",
                done.numbers, done.orphans
            );
        }
        Command::Migrate { revert_last } => migrate(&cli.config, revert_last).await?,
        Command::Serve => serve(&cli.config).await?,
        Command::SeedDemo { customers, seed, renewal_day } => {
            seed_demo(&cli.config, customers, seed, renewal_day).await?
        }
        Command::Simulate { customers, days, seed, scratch, keep } => {
            if !simulate(&cli.config, customers, days, seed, scratch, keep).await? {
                return Ok(std::process::ExitCode::FAILURE);
            }
        }
    }
    Ok(std::process::ExitCode::SUCCESS)
}

async fn migrate(config: &Config, revert_last: bool) -> anyhow::Result<()> {
    let metrics = isp_billing::metrics::Metrics::default();
    let db = isp_billing::connect(config, &metrics).await?;
    let done = db
        .read(move |conn| {
            let result = if revert_last {
                migrations::revert_last(conn).map(|v| vec![v])
            } else {
                migrations::run_pending(conn)
            };
            result.map_err(|e| AppError::Internal(e.to_string()))
        })
        .await?;
    let verb = if revert_last { "reverted" } else { "applied" };
    if done.is_empty() {
        println!("nothing to do: the database is up to date");
    }
    for version in done {
        println!("{verb} {version}");
    }
    Ok(())
}

/// `simulate`; whether every invariant held. The scratch database gets no admin account, no
/// backups, no webhook and no scheduled work: only the simulation touches it. A temporary one
/// (no `--scratch`) is removed at the end, also when the run fails or is interrupted, unless
/// `keep`.
async fn simulate(
    config: &Config,
    customers: usize,
    days: u32,
    seed: u64,
    scratch: Option<String>,
    keep: bool,
) -> anyhow::Result<bool> {
    let started = std::time::Instant::now();
    let mut temporary = None;
    let url = match scratch {
        Some(url) => url,
        None => {
            // A directory of our own (mode 0700), so the file's -wal and -shm go with it.
            let dir = tempfile::Builder::new().prefix("isp-billing-simulate-").tempdir()?;
            let url = dir.path().join("simulate.db").display().to_string();
            temporary = Some(dir);
            url
        }
    };
    anyhow::ensure!(url != config.database_url, "--scratch must not be the server's database ({url})");
    let config = Config { database_url: url.clone(), ..config.clone() };
    let run = async {
        let metrics = isp_billing::metrics::Metrics::default();
        let db = isp_billing::open_database(&config, &metrics).await?;
        isp_billing::simulate::run(&db, customers, days, seed).await
    };
    let report = tokio::select! {
        report = run => report,
        () = signalled() => Err(anyhow::anyhow!("interrupted")),
    };
    let place = match temporary {
        Some(dir) if keep => format!("kept at {}", dir.keep().join("simulate.db").display()),
        // Dropping the directory removes it with everything in it (also on the error below).
        Some(_) => "removed; --keep keeps it".to_owned(),
        None => url,
    };
    let report = report.map_err(|e| e.context(format!("simulating (scratch database {place})")))?;
    println!(
        "simulated {customers} customers from {} to {} in {:.1} s (scratch database {place})",
        report.first_day,
        report.last_day,
        started.elapsed().as_secs_f64()
    );
    print!("{}", report.render());
    Ok(report.violations.is_empty())
}

async fn seed_demo(config: &Config, customers: usize, seed: u64, renewal_day: bool) -> anyhow::Result<()> {
    let started = std::time::Instant::now();
    // The same start as `serve`: migrations and the first admin, then the demo data (without
    // the daily billing run, which would start on the half-filled database).
    let config = Config { billing_cycle: false, ..config.clone() };
    let app = isp_billing::build_app(&config).await?;
    let admin_password = app.first_admin_password.clone();
    let summary =
        isp_billing::seed::seed_demo_with(&app.db, customers, seed, renewal_day, config.id_vault_key.clone()).await;
    // The start took the background jobs' leases (on PostgreSQL): give them back, so a server
    // started next runs its jobs at once rather than when they run out.
    app.leases.release().await;
    let summary = summary?;
    println!(
        "seeded {} companies, {} localities, {} plans, {} staff, {} customers, {} invoices, {} payments, {} expenses in {:.1} s",
        summary.companies,
        summary.localities,
        summary.plans,
        summary.employees,
        summary.customers,
        summary.invoices,
        summary.payments,
        summary.expenses,
        started.elapsed().as_secs_f64()
    );
    println!(
        "log in as manager, support, collector1..4 or cust00000... with the password {}",
        isp_billing::seed::DEMO_PASSWORD
    );
    match admin_password {
        Some(password) => println!("log in as admin with the password {password} (shown only now; change it)"),
        None => println!(
            "log in as admin with ISP_ADMIN_PASSWORD, or the password printed when the database was first made"
        ),
    }
    Ok(())
}

async fn serve(config: &Config) -> anyhow::Result<()> {
    let listener = tokio::net::TcpListener::bind(config.bind).await.map_err(|e| {
        anyhow::anyhow!(
            "cannot listen on {}: {e}; choose another address with --bind or ISP_BIND (e.g. --bind 127.0.0.1:8001)",
            config.bind
        )
    })?;
    // Until the migrations and start-up checks are done, every request is answered 503
    // (`/healthz` included: a load balancer sends nothing here yet).
    let app = isp_billing::http::starting::answer_until(&listener, isp_billing::build_app(config)).await?;
    tracing::info!(
        address = %listener.local_addr()?,
        database = %isp_billing::redact(&config.database_url),
        "serving GraphQL on /graphql (GraphiQL in a browser), websockets on /graphql/ws"
    );
    isp_billing::serve(listener, app, shutdown_signal()).await?;
    tracing::info!("stopped");
    Ok(())
}

/// Resolves on Ctrl-C or SIGTERM; in-flight requests then finish before the server stops.
async fn shutdown_signal() {
    signalled().await;
    tracing::info!("shutting down: finishing in-flight requests");
}

/// Resolves on Ctrl-C or SIGTERM.
async fn signalled() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {}
        () = terminate => {}
    }
}
