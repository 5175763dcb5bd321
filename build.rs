// Rebuild when a migration changes: they are embedded into the binary.
// Without ISP_TEST_POSTGRES_URL the PostgreSQL variants of the tests are compiled as ignored,
// so `cargo test` reports them as such instead of as passed.
fn main() {
    println!("cargo::rerun-if-changed=migrations");
    println!("cargo::rerun-if-env-changed=ISP_TEST_POSTGRES_URL");
    println!("cargo::rustc-check-cfg=cfg(isp_no_postgres)");
    if std::env::var_os("ISP_TEST_POSTGRES_URL").is_none_or(|url| url.is_empty()) {
        println!("cargo::rustc-cfg=isp_no_postgres");
    }
}
