//! `deploy/`: the systemd unit passes `systemd-analyze verify` (run on a copy whose ExecStart is
//! this build's binary, so the check that the program exists means something) and keeps its
//! hardening (`systemd-analyze security`, offline); the reverse proxy examples pass their own
//! checks when Caddy or nginx is installed. Each check is skipped, saying why, when its tool is
//! missing.

use std::process::Command;

const BIN: &str = env!("CARGO_BIN_EXE_isp-billing");
const UNIT: &str = include_str!("../../deploy/isp-billing.service");
const INSTALLED: &str = "/usr/local/bin/isp-billing";

fn have(tool: &str) -> bool {
    let found =
        Command::new("sh").args(["-c", &format!("command -v {tool}")]).output().is_ok_and(|o| o.status.success());
    if !found {
        eprintln!("skipped: `{tool}` is not installed");
    }
    found
}

/// The unit with this build's binary, in a directory of its own.
fn unit_copy() -> (tempfile::TempDir, std::path::PathBuf) {
    assert!(UNIT.contains(&format!("ExecStart={INSTALLED} serve")), "the unit starts {INSTALLED} serve");
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("isp-billing.service");
    std::fs::write(&path, UNIT.replace(INSTALLED, BIN)).unwrap();
    (dir, path)
}

#[test]
fn the_systemd_unit_verifies() {
    if !have("systemd-analyze") {
        return;
    }
    let (_dir, path) = unit_copy();
    let out = Command::new("systemd-analyze").arg("verify").arg(&path).output().unwrap();
    let said = format!("{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
    assert!(out.status.success(), "systemd-analyze verify failed:\n{said}");
    // Warnings (an unknown key, a key in the wrong section) do not fail verify: none may appear.
    let about_ours: Vec<&str> = said.lines().filter(|l| l.contains("isp-billing")).collect();
    assert!(about_ours.is_empty(), "systemd-analyze verify:\n{said}");
}

#[test]
fn the_systemd_unit_keeps_its_hardening() {
    if !have("systemd-analyze") {
        return;
    }
    for key in ["User=isp-billing", "StateDirectory=isp-billing", "Restart=on-failure", "NoNewPrivileges=yes"] {
        assert!(UNIT.lines().any(|l| l == key), "the unit sets {key}");
    }
    let (_dir, path) = unit_copy();
    let out = Command::new("systemd-analyze").args(["security", "--offline=yes"]).arg(&path).output().unwrap();
    let said = String::from_utf8_lossy(&out.stdout);
    if !out.status.success() && said.is_empty() {
        eprintln!(
            "skipped: this systemd-analyze cannot score a unit offline ({})",
            String::from_utf8_lossy(&out.stderr)
        );
        return;
    }
    let score = said
        .lines()
        .find_map(|l| l.split("Overall exposure level for isp-billing.service: ").nth(1))
        .and_then(|rest| rest.split_whitespace().next())
        .and_then(|n| n.parse::<f64>().ok())
        .unwrap_or_else(|| panic!("no exposure level:\n{said}"));
    // 0 is locked down, 10 is exposed; systemd calls up to 2 "OK". The unit scores 1.5.
    assert!(score <= 2.0, "exposure {score}:\n{said}");
}

#[test]
fn the_proxy_examples_pass_their_own_checks() {
    let caddyfile = include_str!("../../deploy/Caddyfile");
    let nginx = include_str!("../../deploy/nginx.conf");
    for proxy in [caddyfile, nginx] {
        assert!(proxy.contains("127.0.0.1:8000"), "the examples proxy to the unit's ISP_BIND");
    }
    assert!(nginx.contains("proxy_set_header Upgrade $http_upgrade;"), "nginx passes websockets on");
    assert!(nginx.contains("X-Forwarded-For $proxy_add_x_forwarded_for"), "nginx names the client");
    assert!(UNIT.contains("ISP_TRUSTED_PROXIES=127.0.0.1"), "the unit trusts the local proxy's header");
    if have("caddy") {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("Caddyfile");
        std::fs::write(&path, caddyfile).unwrap();
        let out = Command::new("caddy").args(["adapt", "--config"]).arg(&path).output().unwrap();
        assert!(out.status.success(), "caddy adapt: {}", String::from_utf8_lossy(&out.stderr));
    }
}
