//! Prometheus metrics, kept in a registry of the `prometheus` crate (one per app, so tests that
//! start many apps in one process keep their counts apart): HTTP requests by route and status,
//! their durations, and every SQL statement the server runs (`isp_db_statements_total`).

use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::Duration;

use prometheus::core::{Collector, Desc};
use prometheus::proto::{Counter, Metric, MetricFamily, MetricType};
use prometheus::{Encoder, HistogramOpts, HistogramVec, IntCounterVec, IntGaugeVec, Opts, Registry, TextEncoder};

/// Upper bounds of the request-duration histogram, in seconds.
const BUCKETS: [f64; 12] = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 10.0];

/// The process's counters; shared by the HTTP layer and every database connection.
pub struct Metrics {
    /// Incremented by each pooled connection for every statement it starts (a plain atomic:
    /// the hot path of every query); read when Prometheus scrapes.
    pub db_statements: Arc<AtomicU64>,
    requests: IntCounterVec,
    durations: HistogramVec,
    jobs_held: IntGaugeVec,
    registry: Registry,
}

impl Default for Metrics {
    fn default() -> Self {
        let db_statements = Arc::new(AtomicU64::new(0));
        let requests = IntCounterVec::new(
            Opts::new("isp_http_requests_total", "HTTP requests answered, by method, route and status."),
            &["method", "route", "status"],
        )
        .expect("a valid metric");
        let durations = HistogramVec::new(
            HistogramOpts::new("isp_http_request_duration_seconds", "Time to answer an HTTP request, by route.")
                .buckets(BUCKETS.to_vec()),
            &["route"],
        )
        .expect("a valid metric");
        let jobs_held = IntGaugeVec::new(
            Opts::new(
                "isp_jobs_held",
                "Background jobs this server runs now (1), by job; 0 while another server does.",
            ),
            &["job"],
        )
        .expect("a valid metric");
        let registry = Registry::new();
        let statements = StatementCounter::new(Arc::clone(&db_statements));
        registry.register(Box::new(statements)).expect("registered once");
        registry.register(Box::new(requests.clone())).expect("registered once");
        registry.register(Box::new(durations.clone())).expect("registered once");
        registry.register(Box::new(jobs_held.clone())).expect("registered once");
        Metrics { db_statements, requests, durations, jobs_held, registry }
    }
}

impl Metrics {
    /// Records one finished HTTP request.
    pub fn observe(&self, method: &str, route: &str, status: u16, elapsed: Duration) {
        self.requests.with_label_values(&[method, route, &status.to_string()]).inc();
        self.durations.with_label_values(&[route]).observe(elapsed.as_secs_f64());
    }

    /// Whether this server runs background job `job` now (`cluster::leases`).
    pub fn job_held(&self, job: &str, held: bool) {
        self.jobs_held.with_label_values(&[job]).set(i64::from(held));
    }

    /// SQL statements run so far.
    pub fn statements(&self) -> u64 {
        self.db_statements.load(Ordering::Relaxed)
    }

    /// Everything in the Prometheus text format.
    pub fn render(&self) -> String {
        let mut out = Vec::new();
        if let Err(e) = TextEncoder::new().encode(&self.registry.gather(), &mut out) {
            tracing::error!(error = %e, "cannot encode the metrics");
        }
        String::from_utf8(out).unwrap_or_default()
    }
}

/// `isp_db_statements_total`: a counter whose value is the connections' shared atomic.
struct StatementCounter {
    desc: Desc,
    value: Arc<AtomicU64>,
}

impl StatementCounter {
    fn new(value: Arc<AtomicU64>) -> StatementCounter {
        let desc = Desc::new(
            "isp_db_statements_total".into(),
            "SQL statements executed by the server.".into(),
            Vec::new(),
            HashMap::new(),
        )
        .expect("a valid metric");
        StatementCounter { desc, value }
    }
}

impl Collector for StatementCounter {
    fn desc(&self) -> Vec<&Desc> {
        vec![&self.desc]
    }

    fn collect(&self) -> Vec<MetricFamily> {
        let mut counter = Counter::default();
        // Exact up to 2^53 statements, decades of them.
        counter.set_value(self.value.load(Ordering::Relaxed) as f64);
        let mut metric = Metric::default();
        metric.set_counter(counter);
        let mut family = MetricFamily::default();
        family.set_name(self.desc.fq_name.clone());
        family.set_help(self.desc.help.clone());
        family.set_field_type(MetricType::COUNTER);
        family.set_metric(vec![metric]);
        vec![family]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn renders_counters_and_cumulative_buckets() {
        let m = Metrics::default();
        m.observe("POST", "/graphql", 200, Duration::from_millis(3));
        m.observe("POST", "/graphql", 200, Duration::from_millis(30));
        let text = m.render();
        assert!(text.contains("isp_http_requests_total{method=\"POST\",route=\"/graphql\",status=\"200\"} 2"));
        assert!(text.contains("isp_http_request_duration_seconds_bucket{route=\"/graphql\",le=\"0.005\"} 1"));
        assert!(text.contains("isp_http_request_duration_seconds_bucket{route=\"/graphql\",le=\"0.05\"} 2"));
        assert!(text.contains("isp_http_request_duration_seconds_count{route=\"/graphql\"} 2"));
        assert!(text.contains("isp_db_statements_total 0"));
        m.db_statements.fetch_add(7, Ordering::Relaxed);
        let text = m.render();
        assert!(text.contains("# TYPE isp_db_statements_total counter\nisp_db_statements_total 7\n"), "{text}");
        assert!(text.contains("# TYPE isp_http_requests_total counter"), "{text}");
        assert!(text.contains("# TYPE isp_http_request_duration_seconds histogram"), "{text}");
        assert!(text.contains("isp_http_request_duration_seconds_bucket{route=\"/graphql\",le=\"+Inf\"} 2"), "{text}");
    }
}
