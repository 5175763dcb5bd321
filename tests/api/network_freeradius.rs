//! A real FreeRADIUS 3 in front of the server (issue #27 item 5): `freeradius -X` started with
//! the operators' configuration from `deploy/freeradius/` (its ports, the server's address and
//! the rlm_rest login changed), driven with `radclient` like a NAS: an ACTIVE customer is
//! accepted with the plan's speed (PAP and CHAP), a SUSPENDED one gets the walled-garden pool,
//! a TERMINATED one is rejected, and accounting Start/Stop open and close a session; on SQLite
//! and PostgreSQL. Needs Debian's `freeradius`, `freeradius-rest` and `freeradius-utils`
//! (`.ci/run` installs them).

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::json;

use crate::helpers::TestApp;
use crate::network::{authorize_until, subscriber, RADIUS_PASSWORD, RADIUS_USER, STATUS};

/// The shared secret between radclient (the NAS) and FreeRADIUS.
const NAS_SECRET: &str = "testing123";

/// A FreeRADIUS child process on ports of its own, stopped when dropped.
pub struct FreeRadius {
    child: Child,
    dir: tempfile::TempDir,
    pub auth_port: u16,
    pub acct_port: u16,
}

impl Drop for FreeRadius {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn free_udp_port() -> u16 {
    std::net::UdpSocket::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port()
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let target = to.join(entry.file_name());
        if entry.file_type().unwrap().is_dir() {
            copy_dir(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), target).unwrap();
        }
    }
}

fn rewrite(path: &Path, pairs: &[(&str, String)]) {
    let mut text = std::fs::read_to_string(path).unwrap();
    for (from, to) in pairs {
        assert!(text.contains(from), "{} has no {from:?}", path.display());
        text = text.replace(from, to);
    }
    std::fs::write(path, text).unwrap();
}

impl FreeRadius {
    /// Starts FreeRADIUS with `deploy/freeradius/` pointed at `app`.
    pub fn start(app: &TestApp) -> FreeRadius {
        let dir = tempfile::tempdir().unwrap();
        let conf = dir.path().join("raddb");
        copy_dir(&PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("deploy/freeradius"), &conf);
        let (auth_port, acct_port) = (free_udp_port(), free_udp_port());
        let run = dir.path().to_string_lossy().into_owned();
        rewrite(
            &conf.join("radiusd.conf"),
            &[
                ("localstatedir = /var", format!("localstatedir = {run}")),
                ("logdir = ${localstatedir}/log/freeradius", format!("logdir = {run}")),
                ("run_dir = ${localstatedir}/run/${name}", format!("run_dir = {run}")),
            ],
        );
        rewrite(
            &conf.join("sites-available/isp-billing"),
            &[
                ("port = 1812", format!("port = {auth_port}")),
                ("port = 1813", format!("port = {acct_port}")),
                ("ipaddr = *", "ipaddr = 127.0.0.1".to_owned()),
            ],
        );
        rewrite(
            &conf.join("mods-available/isp_billing"),
            &[
                ("http://127.0.0.1:8000", format!("http://{}", app.addr)),
                ("username = \"freeradius\"", format!("username = \"{RADIUS_USER}\"")),
                ("password = \"change-me\"", format!("password = \"{RADIUS_PASSWORD}\"")),
            ],
        );
        rewrite(
            &conf.join("clients.conf"),
            &[("10.20.0.1", "127.0.0.1".to_owned()), ("change-this-shared-secret", NAS_SECRET.to_owned())],
        );
        // Output to a file (never a pipe nobody reads, which would block the child).
        let log = std::fs::File::create(dir.path().join("freeradius.out")).unwrap();
        let child = Command::new("freeradius")
            .arg("-X")
            .arg("-d")
            .arg(&conf)
            .stdin(Stdio::null())
            .stdout(log.try_clone().unwrap())
            .stderr(log)
            .spawn()
            .expect("freeradius (Debian's freeradius package; .ci/run installs it)");
        let radius = FreeRadius { child, dir, auth_port, acct_port };
        let started = Instant::now();
        loop {
            let out = radius.output();
            if out.contains("Ready to process requests") {
                return radius;
            }
            assert!(started.elapsed() < Duration::from_secs(20), "FreeRADIUS did not start:\n{out}");
            std::thread::sleep(Duration::from_millis(100));
        }
    }

    /// What FreeRADIUS printed so far.
    pub fn output(&self) -> String {
        std::fs::read_to_string(self.dir.path().join("freeradius.out")).unwrap_or_default()
    }

    /// Sends `attributes` (radclient's `Name = value, ...`) as `kind` (`auth`, `acct`); radclient's
    /// output.
    pub fn radclient(&self, kind: &str, attributes: &str) -> String {
        let port = if kind == "acct" { self.acct_port } else { self.auth_port };
        let mut child = Command::new("radclient")
            .args(["-x", "-r", "2", "-t", "3", &format!("127.0.0.1:{port}"), kind, NAS_SECRET])
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("radclient (Debian's freeradius-utils; .ci/run installs it)");
        {
            use std::io::Write;
            let mut stdin = child.stdin.take().unwrap();
            stdin.write_all(attributes.as_bytes()).unwrap();
        }
        let out = child.wait_with_output().unwrap();
        format!("{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr))
    }
}

/// radclient on a blocking thread (it waits for the answer).
async fn send(radius: &std::sync::Arc<FreeRadius>, kind: &'static str, attributes: String) -> String {
    let radius = std::sync::Arc::clone(radius);
    tokio::task::spawn_blocking(move || radius.radclient(kind, &attributes)).await.unwrap()
}

crate::with_radius! {
    async fn freeradius_answers_from_the_bill(app: TestApp) {
        let (customer, _, _) = subscriber(&app, "ravi", Some("100.64.0.9")).await;
        let radius = std::sync::Arc::new(FreeRadius::start(&app));

        // ACTIVE: accepted with the speed and the static address, by PAP and by CHAP.
        let out = send(&radius, "auth", "User-Name = ravi, User-Password = pppoe-pass".into()).await;
        assert!(out.contains("Received Access-Accept"), "{out}\n{}", radius.output());
        assert!(out.contains("Mikrotik-Rate-Limit = \"10240k/51200k\""), "{out}");
        assert!(out.contains("Framed-IP-Address = 100.64.0.9"), "{out}");
        let out = send(&radius, "auth", "User-Name = ravi, CHAP-Password = pppoe-pass".into()).await;
        assert!(out.contains("Received Access-Accept"), "CHAP: {out}\n{}", radius.output());
        let out = send(&radius, "auth", "User-Name = ravi, User-Password = wrong".into()).await;
        assert!(out.contains("Received Access-Reject"), "{out}");
        let out = send(&radius, "auth", "User-Name = nobody, User-Password = x".into()).await;
        assert!(out.contains("Received Access-Reject"), "{out}");

        // Accounting opens a session...
        let start = "Acct-Status-Type = Start, User-Name = ravi, Acct-Session-Id = \"81f00001\", \
                     NAS-IP-Address = 127.0.0.1, Framed-IP-Address = 100.64.0.9";
        let out = send(&radius, "acct", start.into()).await;
        assert!(out.contains("Received Accounting-Response"), "{out}\n{}", radius.output());
        const SESSIONS: &str = "query($id: ID!) { node(id: $id) { ... on Customer { online
            sessions { nodes { sessionId nasAddress framedIp online uploadBytes downloadBytes terminateCause } } } } }";
        let read = app.data(SESSIONS, json!({"id": customer})).await["node"].clone();
        assert_eq!(read["online"], true, "{read}");
        assert_eq!(read["sessions"]["nodes"][0]["nasAddress"], "127.0.0.1");
        assert_eq!(read["sessions"]["nodes"][0]["framedIp"], "100.64.0.9");

        // ... and closes it.
        let stop = "Acct-Status-Type = Stop, User-Name = ravi, Acct-Session-Id = \"81f00001\", \
                    NAS-IP-Address = 127.0.0.1, Acct-Session-Time = 600, Acct-Input-Octets = 12345, \
                    Acct-Output-Octets = 678901, Acct-Terminate-Cause = User-Request";
        let out = send(&radius, "acct", stop.into()).await;
        assert!(out.contains("Received Accounting-Response"), "{out}");
        let read = app.data(SESSIONS, json!({"id": customer})).await["node"].clone();
        assert_eq!(read["online"], false, "{read}");
        assert_eq!(read["sessions"]["nodes"][0]["uploadBytes"], 12345);
        assert_eq!(read["sessions"]["nodes"][0]["downloadBytes"], 678901);
        assert_eq!(read["sessions"]["nodes"][0]["terminateCause"], "User-Request");

        // SUSPENDED: accepted into the walled garden, without the speed.
        app.data(STATUS, json!({"id": customer, "s": "SUSPENDED"})).await;
        authorize_until(&app, "ravi", |_, b| b.get("reply:Framed-Pool").is_some()).await;
        let out = send(&radius, "auth", "User-Name = ravi, User-Password = pppoe-pass".into()).await;
        assert!(out.contains("Received Access-Accept"), "{out}");
        assert!(out.contains("Framed-Pool = \"walled-garden\""), "{out}");
        assert!(!out.contains("Mikrotik-Rate-Limit"), "{out}");

        // TERMINATED: rejected, with the reason.
        app.data(STATUS, json!({"id": customer, "s": "TERMINATED"})).await;
        authorize_until(&app, "ravi", |s, _| s == 401).await;
        let out = send(&radius, "auth", "User-Name = ravi, User-Password = pppoe-pass".into()).await;
        assert!(out.contains("Received Access-Reject"), "{out}");
        assert!(out.contains("service terminated"), "{out}");
    }
}
